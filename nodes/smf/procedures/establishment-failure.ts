// A PDU Session Establishment that fails after the SMF answered CreateSMContext 201 (TS 23.502
// 4.3.2.2.1 steps 7-11: the SM policy of the PCF, the N4 Session Establishment at the UPF): what
// the SMF holds is released (release.ts), then the UE and the AMF are told. The clause: "If the
// PDU Session establishment failed anywhere between step 5 and step 11, then the
// Namf_Communication_N1N2MessageTransfer request shall include the N1 SM container with a PDU
// Session Establishment Reject message"; the SM context status notification (RELEASED, TS 29.502
// 5.2.2.5.2) ends the AMF's record of the session, so the UE can try the same PSI again.


import { FiveGsmCause, type Smf, type SmContext } from '../context.ts';
import { smMessageTransfer } from './n1n2-message.ts';

/** Where the establishment stopped, before its resources were released: the 5GSM cause and the TS 29.502 Cause. */
export function failureCauses(ctx: SmContext): { fiveGsmCause: number; statusCause: string } {
  // the PCF authorized the session, the UPF did not set it up: TS 24.501 #26 insufficient resources
  if (ctx.smPolicyUri !== undefined && ctx.n4 === undefined) return { fiveGsmCause: FiveGsmCause.InsufficientResources, statusCause: 'INSUFFICIENT_UP_RESOURCES' };
  return { fiveGsmCause: FiveGsmCause.RequestRejectedUnspecified, statusCause: 'REL_DUE_TO_NETWORK_FAILURE' };
}

/**
 * Step 11 with the PDU Session Establishment Reject, then the status notification. Both are
 * attempted; the first that failed is returned (the caller reports the establishment's own failure).
 */
export async function reportEstablishmentFailure(smf: Smf, ctx: SmContext, causes: { fiveGsmCause: number; statusCause: string }): Promise<unknown> {
  let failed: unknown;
  const reject = smf.n1.establishmentReject(ctx.pduSessionId, ctx.request.pti, causes.fiveGsmCause);
  try {
    await smf.namf.communication.n1n2MessageTransfer(ctx.amfUeContextUri, smMessageTransfer(ctx, reject), { step: '4.3.2.2.1 step 11 (reject)' });
  } catch (e) {
    failed = e;
  }
  try {
    await smf.notify.smContextStatusNotify(ctx.amfCallback, { statusInfo: { resourceStatus: 'RELEASED', cause: causes.statusCause } }, { step: '4.3.2.2.1 step 11 (reject)' });
  } catch (e) {
    failed ??= e;
  }
  return failed;
}
