// The NG-RAN could not set up a PDU session's resources (TS 38.413 8.2.1.2 / 8.3.1.2: the session
// is in the Failed to Setup list with a PDU Session Resource Setup Unsuccessful Transfer, 9.3.4.16),
// SMF side. The AMF forwards that N2 SM information in Nsmf_PDUSession_UpdateSMContext with
// n2SmInfoType PDU_RES_SETUP_FAIL (TS 29.502 6.1.6.3.6):
//   - during establishment (TS 23.502 4.3.2.2.1 step 15): the NG-RAN did not give the UE the PDU
//     Session Establishment Accept (step 13: "(R)AN shall only provide the NAS message to the UE if
//     the necessary (R)AN resources are established"), so the session cannot be used. The SMF
//     releases what it holds: N4 Session Release at once, and answers with the PDU Session
//     Establishment Reject (#26 insufficient resources, TS 24.501 6.4.1.4.1) for the AMF to give
//     the UE; after the answer the SM context status notification (RELEASED) ends the AMF's record
//     and the SM policy association and the UDM registration go (4.3.4.2 steps 11-13);
//   - re-activating an established session's user plane (TS 23.502 4.2.3.2 step 16): the session
//     stays, its user plane deactivated (the UPF keeps buffering), as before the Service Request.

import { SbiProblem, SbiMultipart, binaryPart, N1_CONTENT_TYPE, type SbiRequest } from '../../common/sbi.ts';
import { ok, type AnswerOf } from '../../common/sbi/routes.ts';
import type { SMF } from '../../common/sbi/operations.ts';
import type { components as SmfC } from '../../common/sbi-types/TS29502_Nsmf_PDUSession.ts';
import { FiveGsmCause, type Smf, type SmContext } from '../context.ts';
import { releaseResources, type ReleaseSteps } from './release.ts';

type UpdateAnswer = AnswerOf<typeof SMF.pduSession.updateSmContext>;

export const SETUP_FAILURE_STEPS: ReleaseSteps = {
  n4: '4.3.2.2.1 step 15 (N2 setup failed)',
  policy: '4.3.2.2.1 step 15 (N2 setup failed)',
  sdmUnsubscribe: '4.3.2.2.1 step 15 (N2 setup failed)',
  uecmDeregistration: '4.3.2.2.1 step 15 (N2 setup failed)',
};

/** UpdateSMContext with PDU_RES_SETUP_FAIL: the session's end (establishment) or its user plane left deactivated (Service Request). */
export async function onSetupFailure(smf: Smf, ctx: SmContext, req: SbiRequest, body: SmfC['schemas']['SmContextUpdateData']): Promise<UpdateAnswer> {
  const n2 = binaryPart(req, body.n2SmInfo);
  if (!n2) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'n2SmInfo part is required');
  let cause: string;
  try {
    cause = smf.n2.decodeSetupUnsuccessfulTransfer(n2).cause;
  } catch (e) {
    throw new SbiProblem(400, 'N2_SM_ERROR', (e as Error).message);
  }
  if (ctx.state === 'active') {
    // 4.2.3.2: the user plane was not activated again; the N4 session keeps buffering downlink data
    return ok({ upCnxState: 'DEACTIVATED' });
  }
  if (ctx.state !== 'creating') throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `PDU session ${ctx.pduSessionId} is ${ctx.state}`);
  ctx.state = 'releasing';
  const { after } = await releaseResources(smf, ctx, SETUP_FAILURE_STEPS);
  const reject = smf.n1.establishmentReject(ctx.pduSessionId, ctx.request.pti, FiveGsmCause.InsufficientResources);
  return {
    // TS 29.502 6.1.6.2.3 SmContextUpdatedData: the user plane is not there, the N1 SM message for the UE
    ...ok(new SbiMultipart<SmfC['schemas']['SmContextUpdatedData']>({ upCnxState: 'DEACTIVATED', n1SmMsg: { contentId: 'n1SmMsg' } }, { n1SmMsg: { contentType: N1_CONTENT_TYPE, data: reject } })),
    after: async () => {
      try {
        // TS 29.502 6.1.6.3.2 Cause INSUFFICIENT_UP_RESOURCES: the user plane resources could not be set up
        await smf.notify.smContextStatusNotify(ctx.amfCallback, { statusInfo: { resourceStatus: 'RELEASED', cause: 'INSUFFICIENT_UP_RESOURCES' } }, { step: `4.3.2.2.1 step 15 (N2 setup failed: ${cause})` });
      } finally {
        await after();
      }
    },
  };
}
