// SM Policy Association Termination, case A (PCF-initiated), the SMF's side (TS 23.502 4.16.6):
//   step 1  the PCF's Npcf_SMPolicyControl_UpdateNotify request for termination (TS 29.512
//           4.2.4.3: POST {notificationUri}/terminate with a TerminationNotification); the SMF
//           acknowledges with 204, then releases the PDU session by network-requested PDU
//           Session Release (4.3.4.2 steps 2a-13, network-requested-release.ts)
//   step 2  the release's SM policy step is Npcf_SMPolicyControl_Delete with the accumulated
//           usage; steps 3 and 5-8 are the PCF's (nodes/pcf/sm-policy-termination.ts)
//   step 4  the SMF removes the policy information of the PDU session (release.ts drops the SM
//           context with its smPolicyUri)

import { SbiProblem, objectBody, requireString } from '../../common/sbi.ts';
import { CALLBACKS } from '../../common/sbi/operations.ts';
import type { AnswerOf, RequestOf } from '../../common/sbi/routes.ts';
import { FiveGsmCause, type Smf } from '../context.ts';
import type { ReleaseSteps } from './release.ts';
import { networkRequestedRelease, NETWORK_REQUESTED_RELEASE_STEPS } from './network-requested-release.ts';

/** The release's steps when the PCF asked for it: its SM policy step is 4.16.6 step 2. */
export const PCF_INITIATED_RELEASE_STEPS: ReleaseSteps = { ...NETWORK_REQUESTED_RELEASE_STEPS, policy: '4.16.6 step 2' };

/** TS 24.501 9.11.4.2: #39 reactivation requested (not otherwise used by this SMF). */
const REACTIVATION_REQUESTED = 39;

/**
 * The 5GSM cause of the PDU SESSION RELEASE COMMAND and the SMContextStatusNotify cause (TS
 * 29.502 StatusInfo) for the PCF's SmPolicyAssociationReleaseCause (TS 29.512 5.6.3). TS 29.512
 * leaves the mapping to the SMF; this one keeps the meaning: a reactivation request asks the UE
 * to re-establish (#39), a lack of resources is #26, anything else a regular deactivation (#36).
 */
export function releaseCausesOf(cause: string): { fiveGsmCause: number; statusCause: string } {
  switch (cause) {
    case 'REACTIVATION_REQUESTED':
      return { fiveGsmCause: REACTIVATION_REQUESTED, statusCause: 'REL_DUE_TO_REACTIVATION' };
    case 'INSUFFICIENT_RES':
      return { fiveGsmCause: FiveGsmCause.InsufficientResources, statusCause: 'REL_DUE_TO_UNSPECIFIED_REASON' };
    case 'UE_SUBSCRIPTION':
      return { fiveGsmCause: FiveGsmCause.RegularDeactivation, statusCause: 'REL_DUE_TO_SUBSCRIPTION_CHANGE' };
    default:
      return { fiveGsmCause: FiveGsmCause.RegularDeactivation, statusCause: 'REL_DUE_TO_UNSPECIFIED_REASON' };
  }
}

/**
 * TS 23.502 4.16.6 step 1 (case A), TS 29.512 4.2.4.3: the SMF acknowledges (204) and, after the
 * answer, runs the network-requested PDU Session Release. A notification for a session already
 * being released is acknowledged: the release under way terminates the association anyway.
 */
export function smPolicyTerminateNotify(smf: Smf, req: RequestOf<typeof CALLBACKS.smPolicyTerminateNotify>): AnswerOf<typeof CALLBACKS.smPolicyTerminateNotify> {
  const body = objectBody(req);
  const resourceUri = requireString(body, 'resourceUri');
  const cause = requireString(body, 'cause');
  const ctx = smf.contexts.get(req.params.smContextRef);
  // TS 29.512 4.2.4.3: an unknown PDU session is 404 CONTEXT_NOT_FOUND
  if (!ctx || ctx.state === 'released') throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no SM context ${req.params.smContextRef}`);
  if (ctx.smPolicyUri !== resourceUri) {
    if (ctx.state === 'releasing') return { status: 204 };
    throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', `resourceUri ${resourceUri} is not the SM policy of this PDU session`);
  }
  if (ctx.state !== 'active') return { status: 204 };
  // the release's failure is logged by the server (after-response task); what it could release is released
  return { status: 204, after: () => networkRequestedRelease(smf, ctx, { ...releaseCausesOf(cause), steps: PCF_INITIATED_RELEASE_STEPS }) };
}
