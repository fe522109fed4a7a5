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
// Here the AMF's O&M decides (`wire5g ctl amf release <supi> <psi> [--cause C]`); 3GPP defines no
// SBI operation for that decision (docs/decisions.md). The case of a PDU session status mismatch
// needs no N1 or N2 SM signalling and is step 1c (Nsmf_PDUSession_ReleaseSMContext), not this one.

import { SbiProblem } from '../../common/sbi.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, PduSessionRef } from '../context.ts';
import { updateSmContext, sendReleaseCommand } from './sm-context-answer.ts';

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
  // a CM-IDLE UE would first be paged (TS 23.502 4.2.3.3); wire5g's AMF starts step 1f only over an NG connection
  if (ue.released) return 'the UE is CM-IDLE: the AMF starts this release only over an NG connection';
  return undefined;
}

/**
 * Step 1f: asks the SMF to release PDU session `psi`; resolves once the N2 release command is on
 * its way to the gNB (step 4). The rest (steps 7-11) arrives as for any release.
 */
export async function amfRequestedRelease(amf: Amf, ue: AmfUe, psi: number, cause: AmfReleaseCause): Promise<void> {
  const refusal = amfReleaseRefusal(ue, psi);
  if (refusal) throw new AmfReleaseRefused(refusal);
  const s = ue.sessions.get(psi) as PduSessionRef & { smContextUri: string };
  s.state = 'releasing';
  const a = await updateSmContext(amf, ue, s, { release: true, cause, anType: '3GPP_ACCESS', ...(ue.location ? { ueLocation: ue.location } : {}) }, '4.3.4.2 step 1f');
  if (!a || a.status < 200 || a.status >= 300) {
    if (s.state === 'releasing') s.state = 'active';
    throw new SbiProblem(a?.status ?? 504, 'SYSTEM_FAILURE', `the SMF did not release PDU session ${psi}: ${a ? `${a.status} ${JSON.stringify(a.json)}` : 'no answer'}`);
  }
  if (a.json.n2SmInfoType !== 'PDU_RES_REL_CMD' || !a.n2) {
    s.state = 'active';
    throw new SbiProblem(502, 'SYSTEM_FAILURE', `the SMF answered the release of PDU session ${psi} without an N2 PDU_RES_REL_CMD (TS 23.502 4.3.4.2 step 3a)`);
  }
  // step 4: N2 PDU Session Resource Release Command with the NAS PDU Session Release Command
  sendReleaseCommand(amf, ue, s, a.n1, a.n2);
}
