// The UPF refuses the N4 Session Modification that installs the NG-RAN's tunnel (TS 23.502
// 4.3.2.2.1 step 16a; also 4.2.3.2 step 17 when a Service Request activates the user plane
// again): the UE already holds the session (the NG-RAN delivered the Accept with its resources,
// step 13), so the session cannot be kept without a user plane and is released by the network
// (TS 23.502 4.3.4.2, SMF side):
//   step 2a-b  N4 Session Release (the UPF still holds the session it refused to modify)
//   step 3a    the UpdateSMContext answer is the failure: 500 SmContextUpdateError (TS 29.502
//              6.1.6.2.4) whose ProblemDetails says why (SYSTEM_FAILURE, TS 29.500 Table
//              5.2.7.2-1, with the PFCP cause in the detail), carrying the PDU SESSION RELEASE
//              COMMAND (PTI 0, 5GSM cause #38 "network failure", TS 24.501 6.3.3.2) and the N2
//              PDU Session Resource Release Command Transfer (the AMF relays both as for any
//              release: sm-context-answer.ts)
//   steps 7, 10 the NG-RAN's and the UE's acknowledgements (pdu-session-release.ts)
//   step 11    SMContextStatusNotify RELEASED with INSUFFICIENT_UP_RESOURCES (TS 29.502 6.1.6.3.2)
//   steps 12-13 SM policy termination and the UDM clean-up
// Before (issue 23), the PFCP rejection escaped as a plain 500 and the session stayed everywhere.

import { SbiMultipart, N1_CONTENT_TYPE, N2_CONTENT_TYPE } from '../../common/sbi.ts';
import type { AnswerOf } from '../../common/sbi/routes.ts';
import type { SMF } from '../../common/sbi/operations.ts';
import type { components as SmfC } from '../../common/sbi-types/TS29502_Nsmf_PDUSession.ts';
import { FiveGsmCause, type Smf, type SmContext } from '../context.ts';
import { releaseResources, type ReleaseSteps } from './release.ts';
import { awaitReleaseAcknowledgements } from './pdu-session-release.ts';

/** TS 24.501 6.3.3.2: a release the network starts carries PTI 0. */
const NO_PTI = 0;

export const N4_FAILURE_RELEASE_STEPS: ReleaseSteps = {
  n4: '4.3.4.2 step 2a',
  policy: '4.3.4.2 step 12',
  sdmUnsubscribe: '4.3.4.2 step 13',
  uecmDeregistration: '4.3.4.2 step 13',
};

/** The answer to the UpdateSMContext whose N4 Session Modification (`step`) the UPF refused with `failure`. */
export async function n4ModificationFailed(smf: Smf, ctx: SmContext, failure: unknown, step: string): Promise<AnswerOf<typeof SMF.pduSession.updateSmContext>> {
  const why = failure instanceof Error ? failure.message : String(failure);
  smf.cfg.log?.(`[SMF] PDU session ${ctx.pduSessionId} of ${ctx.supi}: N4 Session Modification [${step}] failed (${why}); the session is released`);
  ctx.state = 'releasing';
  const { after } = await releaseResources(smf, ctx, N4_FAILURE_RELEASE_STEPS);
  awaitReleaseAcknowledgements(ctx, { pti: NO_PTI, n2Acknowledged: false, n1Completed: false, after, statusStep: '4.3.4.2 step 11', statusCause: 'INSUFFICIENT_UP_RESOURCES' });
  const command = smf.n1.releaseCommand(ctx.pduSessionId, NO_PTI, FiveGsmCause.NetworkFailure);
  // TS 38.413 9.3.1.2: no radio cause fits a core-side failure; the NAS group's normal release
  const transfer = smf.n2.releaseCommandTransfer({ group: 'nas', value: 'normal-release' });
  return {
    status: 500,
    body: new SbiMultipart<SmfC['schemas']['SmContextUpdateError']>(
      {
        error: { status: 500, cause: 'SYSTEM_FAILURE', title: 'N4 Session Modification failed', detail: `${why} (TS 23.502 ${step}); the PDU session is released` },
        upCnxState: 'DEACTIVATED',
        n1SmMsg: { contentId: 'n1SmMsg' },
        n2SmInfo: { contentId: 'n2SmInfo' },
        n2SmInfoType: 'PDU_RES_REL_CMD',
      },
      { n1SmMsg: { contentType: N1_CONTENT_TYPE, data: command }, n2SmInfo: { contentType: N2_CONTENT_TYPE, data: transfer } },
    ),
  };
}
