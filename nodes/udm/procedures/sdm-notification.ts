// Subscriber Data Update Notification to the AMF (TS 23.502 4.5.1; TS 29.503 5.2.2.5
// Nudm_SDM_Notification): after the subscription changed in the UDR (O&M), the UDM reads the
// access and mobility subscription data again and notifies every SDM subscription of the UE that
// monitors it, with the changed S-NSSAIs (ModificationNotification: REPLACE /nssai). The AMF acts
// on it (e.g. TS 23.502 4.2.2.3.3: no S-NSSAI left for the Allowed NSSAI -> deregistration).

import { operationUri, type notifier, type udrClient } from '../../common/sbi/client.ts';
import { UDM } from '../../common/sbi/operations.ts';

export interface UdmSdmState {
  baseUri: string;
  plmnId: string;
  notify: ReturnType<typeof notifier>;
  nudr: ReturnType<typeof udrClient>['dr'];
  /** The SDM subscriptions, by id, with what their subscriber gave. */
  sdmSubscriptions: Map<string, { ueId: string; callbackReference: string; monitoredResourceUris: string[] }>;
}

/** Notifies the subscribers to `supi`'s am-data; resolves with how many were notified. */
export async function notifyAmDataChange(u: UdmSdmState, supi: string): Promise<number> {
  const am = (await u.nudr.queryAmData(supi, u.plmnId, { step: '4.5.1' })).body;
  const resourceId = operationUri(u.baseUri, UDM.sdm.getAmData, { supi });
  const targets = [...u.sdmSubscriptions.values()].filter((s) => s.ueId === supi && s.monitoredResourceUris.some((r) => r.endsWith('/am-data')));
  for (const s of targets) {
    await u.notify.sdmModificationNotify(s.callbackReference, { notifyItems: [{ resourceId, changes: [{ op: 'REPLACE', path: '/nssai', ...(am.nssai ? { newValue: am.nssai } : {}) }] }] }, { step: '4.5.1' });
  }
  return targets.length;
}
