// What the AMF holds elsewhere for a UE, released in the order TS 23.502 4.2.2.3.2 gives (steps
// 2-4 SM contexts, step 6 policy associations, step 8 the UDM), by a deregistration or when a
// registration fails or is replaced. Each function releases exactly what the UE context records.

import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';

/** Nsmf_PDUSession_ReleaseSMContext for every PDU session the AMF knows for the UE. */
export async function releaseSessions(amf: Amf, ue: AmfUe, step: string): Promise<void> {
  await Promise.all([...ue.sessions.values()].map(async (s) => {
    s.state = 'releasing';
    if (s.smContextUri) {
      const r = await amf.sbi.call('POST', `${s.smContextUri}/release`, { cause: 'REL_DUE_TO_UE_DEREG', ngApCause: { group: 'nas', value: 'deregister' }, ...(ue.location ? { ueLocation: ue.location } : {}) }, { operation: 'Nsmf_PDUSession_ReleaseSMContext', step });
      if (r.status !== 204 && r.status !== 200 && r.status !== 404) amf.log(`ReleaseSMContext of PDU session ${s.pduSessionId}: ${r.status}`);
    }
    ue.sessions.delete(s.pduSessionId);
  }));
}


/** Npcf_AMPolicyControl_Delete and Npcf_UEPolicyControl_Delete (TS 23.502 4.16.3.2, 4.16.13.1). */
export async function terminatePolicyAssociations(amf: Amf, ue: AmfUe, step: string): Promise<void> {
  const am = ue.amPolicyUri;
  if (am) {
    ue.amPolicyUri = undefined;
    await amf.sbi.call('DELETE', am, undefined, { operation: 'Npcf_AMPolicyControl_Delete', step });
  }
  const up = ue.uePolicyUri;
  if (up) {
    ue.uePolicyUri = undefined;
    await amf.sbi.call('DELETE', up, undefined, { operation: 'Npcf_UEPolicyControl_Delete', step: step.endsWith('step 6') ? `${step}a` : step });
  }
}

/** Nudm_SDM_Unsubscribe and Nudm_UECM_Deregistration (TS 23.502 4.2.2.3.2 step 8 with the purge).*/
export async function deregisterFromUdm(amf: Amf, ue: AmfUe, step: string): Promise<void> {
  const sub = ue.sdmSubscriptionUri;
  if (sub) {
    ue.sdmSubscriptionUri = undefined;
    await amf.sbi.call('DELETE', sub, undefined, { operation: 'Nudm_SDM_Unsubscribe', step });
  }
  if (ue.uecmRegistered && ue.supi) {
    ue.uecmRegistered = false;
    await amf.sbi.call('PATCH', `${amf.cfg.uris.udm}/nudm-uecm/v1/${ue.supi}/registrations/amf-3gpp-access`, { purgeFlag: true }, { operation: 'Nudm_UECM_Deregistration', step });
  }
}
