// AMF-initiated PDU Session Release that needs N1 and N2 SM signalling before the SM context goes
// (TS 23.502 4.3.4.2 step 1f; for a home-routed session 4.3.4.3 step 1f, the V-SMF's part in
// nodes/smf/procedures/amf-requested-release.ts). The AMF's side:
//   step 1f  Nsmf_PDUSession_UpdateSMContext with the release indication (TS 29.502 6.1.6.2.2
//            SmContextUpdateData `release: true`) and the cause (TS 29.502 6.1.6.3.2), with the
//            User Location Information (TS 29.502 5.2.2.3.1: ueLocation when available)
//   step 3a  the SMF's answer carries the PDU SESSION RELEASE COMMAND and the N2 SM resource
//            release request; step 4 sends both to the gNB (sm-context-answer.ts), steps 7 and
//            10 relay the gNB's and the UE's acknowledgements, step 11 (the SMF's SM context
//            status notification, RELEASED) ends the AMF's record of the session.
// The AMF decides it on O&M (`wire5g ctl amf release <supi> <psi> [--cause C]`; 3GPP defines no SBI
// operation for that decision, docs/decisions.md) and for the emergency exception of TS 23.502
// 4.2.2.3.3 (emergency.ts: the non-emergency sessions of a UE that is not deregistered); both
// go through `amfRequestedRelease`. The case of a PDU session status mismatch
// needs no N1 or N2 SM signalling and is step 1c (Nsmf_PDUSession_ReleaseSMContext), not this one.
// A UE in CM-IDLE has no NG connection to carry step 4: the AMF first reaches it by the network
// triggered Service Request (TS 23.502 4.2.3.3 steps 4b-6, paging.ts; TS 24.501 5.4.4.1 and 5.6.2:
// a 5GMM procedure for a UE in 5GMM-IDLE starts with paging) and starts step 1f over the new
// connection. A UE that answers no paging (T3513 after its retransmissions) cannot receive the
// Release Command: the AMF then releases the SM context as in step 1c, without N1 or N2 SM
// signalling (Nsmf_PDUSession_ReleaseSMContext with its cause); the UE learns it from the PDU
// session status of its next Service Request or Registration (TS 24.501 5.6.1.4.1, 5.5.1.3.4).

import { SbiProblem } from '../../common/sbi.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, PduSessionRef } from '../context.ts';
import { updateSmContext, sendReleaseCommand, relaySmAnswer } from './sm-context-answer.ts';
import { page } from './paging.ts';
import { releaseSmContextOf } from './held-resources.ts';

/**
 * The causes of TS 29.502 6.1.6.3.2 an AMF sends with `release: true` when N1 and N2 SM signalling
 * is needed (TS 29.502 5.2.2.3.x: slice not available or not authorized, subscription change,
 * reactivation requested, or none of those).
 */
export const AMF_RELEASE_CAUSES = ['REL_DUE_TO_SLICE_NOT_AVAILABLE', 'REL_DUE_TO_SLICE_NOT_AUTHORIZED', 'REL_DUE_TO_SUBSCRIPTION_CHANGE', 'REL_DUE_TO_REACTIVATION', 'REL_DUE_TO_UNSPECIFIED_REASON'] as const;
export type AmfReleaseCause = (typeof AMF_RELEASE_CAUSES)[number];

export class AmfReleaseRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AmfReleaseRefused';
  }
}

/** Why the AMF cannot start step 1f for the session now, or undefined. */
export function amfReleaseRefusal(ue: AmfUe | undefined, psi: number): string | undefined {
  if (!ue || ue.state !== '5GMM-REGISTERED') return 'the AMF holds no registration of the UE';
  const s = ue.sessions.get(psi);
  if (!s?.smContextUri) return `the AMF has no SM context of PDU session ${psi}`;
  if (s.state !== 'active') return `PDU session ${psi} is ${s.state} at the AMF`;
  if (ue.paging) return 'the UE is being paged for another procedure';
  return undefined;
}

/** How the release went: over N1 and N2 (step 1f), or without them since the CM-IDLE UE did not answer paging. */
export type AmfReleaseOutcome = 'released' | 'released-without-n1-n2';

/**
 * Step 1f: asks the SMF to release PDU session `psi`; resolves once the N2 release command is on
 * its way to the gNB (step 4). The rest (steps 7-11) arrives as for any release. A CM-IDLE UE is
 * paged first; one that does not answer has the session released without N1 and N2 SM signalling.
 * Throws AmfReleaseRefused when the session cannot be released now, SbiProblem when the SMF did
 * not release it (its answer relayed first: an N1 SM message to the UE, a 404 ends the session).
 * `step` labels the UpdateSMContext (the emergency exception says it is its own).
 */
export async function amfRequestedRelease(amf: Amf, ue: AmfUe, psi: number, cause: AmfReleaseCause, step = '4.3.4.2 step 1f'): Promise<AmfReleaseOutcome> {
  const refusal = amfReleaseRefusal(ue, psi);
  if (refusal) throw new AmfReleaseRefused(refusal);
  if (ue.released) {
    // TS 23.502 4.2.3.3 step 4b: the UE in CM-IDLE is paged; step 6: its Service Request's new NG connection
    const connected = await page(amf, ue, `the AMF-initiated release of PDU session ${psi} (TS 23.502 4.3.4.2 step 1f)`);
    if (!connected) return releaseUnreachable(amf, ue, psi, cause);
    const again = amfReleaseRefusal(connected, psi);
    if (again) throw new AmfReleaseRefused(`after the UE's Service Request: ${again}`);
    ue = connected;
  }
  const s = ue.sessions.get(psi) as PduSessionRef & { smContextUri: string };
  s.state = 'releasing';
  const a = await updateSmContext(amf, ue, s, { release: true, cause, anType: '3GPP_ACCESS', ...(ue.location ? { ueLocation: ue.location } : {}) }, step);
  if (!a || a.status < 200 || a.status >= 300) {
    if (s.state === 'releasing') s.state = 'active';
    if (a) relaySmAnswer(amf, ue, s, a, step);
    throw new SbiProblem(a?.status ?? 504, 'SYSTEM_FAILURE', `the SMF did not release PDU session ${psi}: ${a ? `${a.status} ${JSON.stringify(a.json)}` : 'no answer'}`);
  }
  if (a.json.n2SmInfoType !== 'PDU_RES_REL_CMD' || !a.n2) {
    s.state = 'active';
    throw new SbiProblem(502, 'SYSTEM_FAILURE', `the SMF answered the release of PDU session ${psi} without an N2 PDU_RES_REL_CMD (TS 23.502 4.3.4.2 step 3a)`);
  }
  // step 4: N2 PDU Session Resource Release Command with the NAS PDU Session Release Command
  sendReleaseCommand(amf, ue, s, a.n1, a.n2);
  return 'released';
}

/**
 * The paged UE did not answer (T3513, TS 24.501 5.6.2.2.1): no N1 SM message can reach it, so the
 * SM context is released as in step 1c (Nsmf_PDUSession_ReleaseSMContext, TS 29.502 5.2.2.4, with
 * the AMF's cause); for a home-routed session the V-SMF goes on as in TS 23.502 4.3.4.3 step 1c.
 */
async function releaseUnreachable(amf: Amf, ue: AmfUe, psi: number, cause: AmfReleaseCause): Promise<AmfReleaseOutcome> {
  const s = ue.sessions.get(psi);
  if (!s) return 'released-without-n1-n2';
  amf.log(`UE ${ue.supi ?? ''}: unreachable; PDU session ${psi} released without N1 or N2 SM signalling (TS 23.502 4.3.4.2 step 1c)`);
  await releaseSmContextOf(amf, ue, s, '4.3.4.2 step 1c (UE unreachable)', { cause });
  return 'released-without-n1-n2';
}
