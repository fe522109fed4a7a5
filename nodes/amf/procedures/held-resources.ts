// What the AMF holds elsewhere for a UE, released in the order TS 23.502 4.2.2.3.2 gives (steps
// 2-4 SM contexts, step 6 policy associations, step 8 the UDM), by a deregistration or when a
// registration fails or is replaced. Each function releases exactly what the UE context records.

import { releaseSmContext } from '../sm-context-order.ts';
import { SbiProblem } from '../../common/sbi.ts';

/**
 * TS 29.571 5.4.4.12 NgApCause: the CHOICE index of the NGAP Cause (TS 38.413 9.3.1.2: 0
 * radioNetwork, 1 transport, 2 nas, ...) and the index of its value (CauseNas: 0 normal-release,
 * 1 authentication-failure, 2 deregister).
 */
const NGAP_CAUSE_GROUP_NAS = 2;
const NGAP_CAUSE_NAS_DEREGISTER = 2;
import type { Amf } from '../amf.ts';
import type { AmfUe, PduSessionRef } from '../context.ts';
import type { components as SmfC } from '../../common/sbi-types/TS29502_Nsmf_PDUSession.ts';

/**
 * A release the peer did not confirm (an error status, or no answer in time) is logged and the
 * AMF forgets the resource all the same: the peer goes on with a request it received (its `after`
 * clean-up runs whether or not the answer arrives, issue 21), and a record kept for a release
 * nobody will retry would be a leak of its own. A refusal by status (a 404 included: the peer had
 * already lost the resource) is also counted in `stats.releaseRefusals` (issue 23). Every release
 * is attempted.
 */
async function released(amf: Amf, ue: AmfUe, what: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (e) {
    if (e instanceof SbiProblem) amf.releaseRefused(what, ue)(e);
    else amf.log(`UE ${ue.supi ?? ue.amfUeNgapId}: ${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Nsmf_PDUSession_ReleaseSMContext for every PDU session the AMF knows for the UE (TS 23.502
 * 4.2.2.3.2 step 2, 4.2.2.3.3 step 4). SmContextReleaseData (TS 29.502 6.1.6.2.6) says why with
 * ngApCause (nas: deregister) and, for a network-initiated de-registration with a 5GMM cause,
 * 5gMmCauseValue; it has no `cause`: TS 29.502 6.1.6.3.2 Cause lists no value for a
 * de-registration (the former REL_DUE_TO_UE_DEREG is not in it); REL_DUE_TO_SLICE_NOT_AVAILABLE
 * when the UE is deregistered because no subscribed S-NSSAI is left (TS 23.502 4.3.4.3 step 1c).
 */
export async function releaseSessions(amf: Amf, ue: AmfUe, step: string, fiveGmmCause?: number, cause?: 'REL_DUE_TO_SLICE_NOT_AVAILABLE'): Promise<void> {
  await Promise.all([...ue.sessions.values()].map((s) => releaseSmContextOf(amf, ue, s, step, {
    ...(cause ? { cause } : {}), ngApCause: { group: NGAP_CAUSE_GROUP_NAS, value: NGAP_CAUSE_NAS_DEREGISTER }, ...(fiveGmmCause !== undefined ? { '5gMmCauseValue': fiveGmmCause } : {}),
  })));
}

/**
 * Nsmf_PDUSession_ReleaseSMContext of one PDU session, when its release needs no N1 or N2 SM
 * signalling (TS 23.502 4.3.4.2 step 1c), with `data` (SmContextReleaseData: cause, NGAP and 5GMM
 * causes) and the UE's last location; the AMF forgets the session whatever the SMF answers.
 */
export async function releaseSmContextOf(amf: Amf, ue: AmfUe, s: PduSessionRef, step: string, data: Omit<SmfC['schemas']['SmContextReleaseData'], 'ueLocation'>): Promise<void> {
  s.state = 'releasing';
  // after the creation or update in flight for the session (sm-context-order.ts)
  await released(amf, ue, `ReleaseSMContext of PDU session ${s.pduSessionId}`, () => releaseSmContext(amf, s, { ...data, ...(ue.location ? { ueLocation: ue.location } : {}) }, { step }));
  if (ue.sessions.get(s.pduSessionId) === s) ue.sessions.delete(s.pduSessionId);
}


/** Npcf_AMPolicyControl_Delete and Npcf_UEPolicyControl_Delete (TS 23.502 4.16.3.2, 4.16.13.1). */
export async function terminatePolicyAssociations(amf: Amf, ue: AmfUe, step: string): Promise<void> {
  const am = ue.amPolicyUri;
  ue.pcfUeEvents = undefined;
  if (am) {
    ue.amPolicyUri = undefined;
    await released(amf, ue, 'Npcf_AMPolicyControl_Delete', () => amf.npcf.amPolicyControl.delete(am, { step }));
  }
  const up = ue.uePolicyUri;
  if (up) {
    ue.uePolicyUri = undefined;
    await released(amf, ue, 'Npcf_UEPolicyControl_Delete', () => amf.npcf.uePolicyControl.delete(up, { step: /step \d+$/.test(step) ? `${step}a` : step }));
  }
}

/**
 * The UE policy association of TS 23.502 4.2.2.2.2 step 21b, created after the Registration Accept
 * went out: by the time the PCF answers, the UE may have started its next registration update on
 * the same context (whose own step 21b found no association yet and created a second one), come
 * back on a new NG connection (whose context took over this one's, registration-update.ts
 * takeOverContext), or been deregistered. The association goes to the context that now holds the UE's registration if that
 * one has none, and is deleted otherwise (TS 23.502 4.16.13.1), so the PCF never keeps one the AMF
 * has no record of.
 */
export async function keepUePolicyAssociation(amf: Amf, ue: AmfUe, supi: string, uri: string): Promise<void> {
  const holder = amf.bySupi.get(supi);
  if (holder && holder.uecmRegistered && !holder.uePolicyUri) {
    holder.uePolicyUri = uri;
    return;
  }
  amf.log(`UE ${supi}: the UE policy association created at step 21b has no registration to belong to; deleted`);
  await released(amf, ue, 'Npcf_UEPolicyControl_Delete', () => amf.npcf.uePolicyControl.delete(uri, { step: '4.16.13.1' }));
}

/** Nudm_SDM_Unsubscribe (TS 23.502 4.2.2.3.2 step 8, 4.2.2.3.3 step 3). */
export async function unsubscribeFromSdm(amf: Amf, ue: AmfUe, step: string): Promise<void> {
  const sub = ue.sdmSubscriptionUri;
  if (sub) {
    ue.sdmSubscriptionUri = undefined;
    await released(amf, ue, 'Nudm_SDM_Unsubscribe', () => amf.nudm.sdm.unsubscribe(sub, { step }));
  }
}

/** Nudm_SDM_Unsubscribe and Nudm_UECM_Deregistration (TS 23.502 4.2.2.3.2 step 8 with the purge).*/
export async function deregisterFromUdm(amf: Amf, ue: AmfUe, step: string): Promise<void> {
  await unsubscribeFromSdm(amf, ue, step);
  if (ue.uecmRegistered && ue.supi) {
    ue.uecmRegistered = false;
    const supi = ue.supi;
    // TS 29.503 6.2.6.2.3 Amf3GppAccessRegistrationModification: guami is mandatory beside purgeFlag
    await released(amf, ue, 'Nudm_UECM_Deregistration', () => amf.homeOf(supi).nudm.uecm.updateAmf3gppAccess(supi, { guami: amf.guamiSbi(), purgeFlag: true }, { step }));
  }
}
