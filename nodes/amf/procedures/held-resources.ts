// What the AMF holds elsewhere for a UE, released in the order TS 23.502 4.2.2.3.2 gives (steps
// 2-4 SM contexts, step 6 policy associations, step 8 the UDM), by a deregistration or when a
// registration fails or is replaced. Each function releases exactly what the UE context records.

import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';

/**
 * A release the peer did not confirm (no answer in time, an error status) is logged and the AMF
 * forgets the resource all the same: the peer goes on with a request it received (its `after`
 * clean-up runs whether or not the answer arrives), and a record kept for a release nobody will
 * retry would be a leak of its own. Every release of the list is attempted.
 */
async function released(amf: Amf, what: string, call: () => Promise<{ status: number }>, ok: number[]): Promise<void> {
  try {
    const r = await call();
    if (!ok.includes(r.status)) amf.log(`${what}: ${r.status}`);
  } catch (e) {
    amf.log(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Nsmf_PDUSession_ReleaseSMContext for every PDU session the AMF knows for the UE. */
export async function releaseSessions(amf: Amf, ue: AmfUe, step: string): Promise<void> {
  await Promise.all([...ue.sessions.values()].map(async (s) => {
    s.state = 'releasing';
    const uri = s.smContextUri;
    if (uri) await released(amf, `ReleaseSMContext of PDU session ${s.pduSessionId}`, () => amf.sbi.call('POST', `${uri}/release`, { cause: 'REL_DUE_TO_UE_DEREG', ngApCause: { group: 'nas', value: 'deregister' }, ueLocation: {} }, { operation: 'Nsmf_PDUSession_ReleaseSMContext', step }), [200, 204, 404]);
    ue.sessions.delete(s.pduSessionId);
  }));
}

/** Npcf_AMPolicyControl_Delete and Npcf_UEPolicyControl_Delete (TS 23.502 4.16.3.2, 4.16.13.1). */
export async function terminatePolicyAssociations(amf: Amf, ue: AmfUe, step: string): Promise<void> {
  const am = ue.amPolicyUri;
  if (am) {
    ue.amPolicyUri = undefined;
    await released(amf, 'Npcf_AMPolicyControl_Delete', () => amf.sbi.call('DELETE', am, undefined, { operation: 'Npcf_AMPolicyControl_Delete', step }), [204, 404]);
  }
  const up = ue.uePolicyUri;
  if (up) {
    ue.uePolicyUri = undefined;
    await released(amf, 'Npcf_UEPolicyControl_Delete', () => amf.sbi.call('DELETE', up, undefined, { operation: 'Npcf_UEPolicyControl_Delete', step: step.endsWith('step 6') ? `${step}a` : step }), [204, 404]);
  }
}

/** Nudm_SDM_Unsubscribe and Nudm_UECM_Deregistration (TS 23.502 4.2.2.3.2 step 8 with the purge).*/
export async function deregisterFromUdm(amf: Amf, ue: AmfUe, step: string): Promise<void> {
  const sub = ue.sdmSubscriptionUri;
  if (sub) {
    ue.sdmSubscriptionUri = undefined;
    await released(amf, 'Nudm_SDM_Unsubscribe', () => amf.sbi.call('DELETE', sub, undefined, { operation: 'Nudm_SDM_Unsubscribe', step }), [204, 404]);
  }
  if (ue.uecmRegistered && ue.supi) {
    ue.uecmRegistered = false;
    const supi = ue.supi;
    await released(amf, 'Nudm_UECM_Deregistration', () => amf.sbi.call('PATCH', `${amf.cfg.uris.udm}/nudm-uecm/v1/${supi}/registrations/amf-3gpp-access`, { purgeFlag: true }, { operation: 'Nudm_UECM_Deregistration', step }), [204, 404]);
  }
}
