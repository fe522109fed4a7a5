// AMF-initiated PDU Session Release with N1 and N2 SM signalling, the SMF's side (TS 23.502
// 4.3.4.2 step 1f; TS 29.502 5.2.2.3.x: Nsmf_PDUSession_UpdateSMContext with `release: true` and a
// cause). The AMF's side is nodes/amf/procedures/amf-requested-release.ts.
//   non-roaming (4.3.4.2): step 2a-b N4 Session Release, step 3a the answer with the PDU SESSION
//     RELEASE COMMAND (PTI 0, a network-requested release, TS 24.501 6.3.3.2) and the N2 SM
//     resource release request; steps 7 and 10 (the gNB's and the UE's acknowledgements), 11
//     (SMContextStatusNotify RELEASED with the AMF's cause), 12-13 as in pdu-session-release.ts
//   home-routed, at the V-SMF (4.3.4.3 step 1f): the V-UPF stops forwarding uplink and the H-SMF
//     gets Nsmf_PDUSession_Update (NW_REQ_PDU_SES_REL, the cause, the location, the time zone);
//     the H-SMF starts its release (steps 2, 3a: home-routed-hsmf.ts) and its Release Command is
//     what this UpdateSMContext answers with (home-routed-vsmf.ts)

import { SbiMultipart, SbiProblem, N1_CONTENT_TYPE, N2_CONTENT_TYPE } from '../../common/sbi.ts';
import { ok, type AnswerOf } from '../../common/sbi/routes.ts';
import type { SMF } from '../../common/sbi/operations.ts';
import type { components as SmfC } from '../../common/sbi-types/TS29502_Nsmf_PDUSession.ts';
import { FiveGsmCause, type Smf, type SmContext } from '../context.ts';
import { releaseResources, type ReleaseSteps } from './release.ts';
import { awaitReleaseAcknowledgements } from './pdu-session-release.ts';
import { vsmfReleaseTowardsHsmf } from './home-routed-vsmf.ts';

export const AMF_REQUESTED_RELEASE_STEPS: ReleaseSteps = {
  n4: '4.3.4.2 step 2a',
  policy: '4.3.4.2 step 12',
  sdmUnsubscribe: '4.3.4.2 step 13',
  uecmDeregistration: '4.3.4.2 step 13',
};

/** TS 24.501 6.3.3.2: a network-requested release carries PTI 0 (no procedure transaction identity assigned). */
const NO_PTI = 0;

/**
 * The 5GSM cause (TS 24.501 9.11.4.2) of the PDU SESSION RELEASE COMMAND for the AMF's release
 * cause (TS 29.502 6.1.6.3.2): reactivation asked for is #39 "reactivation requested" (the UE
 * establishes the session again), a slice the UE is no longer authorized for is #29 "user
 * authentication or authorization failed" (TS 24.501 6.3.3.2), the others #36 regular deactivation.
 */
export function releaseCommandCause(cause: string | undefined): number {
  if (cause === 'REL_DUE_TO_REACTIVATION') return 39;
  if (cause === 'REL_DUE_TO_SLICE_NOT_AUTHORIZED') return FiveGsmCause.UserAuthenticationFailed;
  return FiveGsmCause.RegularDeactivation;
}

/** Step 1f: the AMF's UpdateSMContext with the release indication. */
export async function amfRequestedRelease(smf: Smf, ctx: SmContext, body: SmfC['schemas']['SmContextUpdateData']): Promise<AnswerOf<typeof SMF.pduSession.updateSmContext>> {
  if (ctx.state !== 'active') throw new SbiProblem(409, 'PDU_SESSION_NOT_ACTIVE', `PDU session ${ctx.pduSessionId} is ${ctx.state}`);
  const cause = typeof body.cause === 'string' ? body.cause : 'REL_DUE_TO_UNSPECIFIED_REASON';
  // a home-routed session: 4.3.4.3 step 1f, the H-SMF decides the command
  if (ctx.homeRouted?.role === 'V-SMF') return vsmfReleaseTowardsHsmf(smf, ctx, { step: '4.3.4.3 step 1f', cause }, body.ueLocation);
  ctx.state = 'releasing';
  // steps 2a-2b: N4 Session Release; the usage report travels to the PCF in step 12
  const { after } = await releaseResources(smf, ctx, AMF_REQUESTED_RELEASE_STEPS);
  // steps 7 and 10 arrive as for a UE-requested release (pdu-session-release.ts); step 11 carries the AMF's cause
  awaitReleaseAcknowledgements(ctx, { pti: NO_PTI, n2Acknowledged: false, n1Completed: false, after, statusStep: '4.3.4.2 step 11', statusCause: cause });
  const command = smf.n1.releaseCommand(ctx.pduSessionId, NO_PTI, releaseCommandCause(cause));
  const transfer = smf.n2.releaseCommandTransfer({ group: 'nas', value: 'normal-release' });
  // step 3a: SmContextUpdatedData (TS 29.502 6.1.6.2.3) with the N1 and N2 SM information
  return ok(new SbiMultipart<SmfC['schemas']['SmContextUpdatedData']>(
    { upCnxState: 'DEACTIVATED', n1SmMsg: { contentId: 'n1SmMsg' }, n2SmInfo: { contentId: 'n2SmInfo' }, n2SmInfoType: 'PDU_RES_REL_CMD' },
    { n1SmMsg: { contentType: N1_CONTENT_TYPE, data: command }, n2SmInfo: { contentType: N2_CONTENT_TYPE, data: transfer } },
  ));
}
