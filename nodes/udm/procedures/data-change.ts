// The UDR's Nudr_DM_Notify at the UDM (TS 29.504; TS 29.505 DataChangeNotify), at the
// callbackReference the UDM gave when it subscribed at the UDR for a SUPI's Nudm_SDM subscriptions
// (`/data-change/{subscriptionId}`, udr-subscriptions.ts): to each SDM subscription of the SUPI,
// the changed resources it monitors are relayed as Nudm_SDM_Notification (TS 29.503 5.2.2.5,
// ModificationNotification to the subscriber's callbackReference):
//   - am-data (the AMF's, TS 23.502 4.5.1): REPLACE /nssai, as the O&M path does (sdm-notification.ts);
//   - sm-data (the SMF's, TS 23.502 4.3.3.2 step 1b): REPLACE of the SessionManagementSubscriptionData
//     list, from which the SMF takes the new subscribed default QoS and Session-AMBR.
// A notification for a UDR subscription the UDM no longer holds is 404.

import { SbiProblem, objectBody } from '../../common/sbi.ts';
import { noContent, type AnswerOf, type RequestOf } from '../../common/sbi/routes.ts';
import { operationUri } from '../../common/sbi/client.ts';
import { UDM, type CALLBACKS } from '../../common/sbi/operations.ts';
import { notifier } from '../../common/sbi/client.ts';
import type { SbiClient } from '../../common/sbi.ts';
import type { Udm } from '../context.ts';

type Item = { resourceId?: unknown; changes?: { op?: unknown; newValue?: unknown }[] };

export function subscriptionDataChange(udm: Udm, sbi: SbiClient, req: RequestOf<typeof CALLBACKS.subscriptionDataChangeNotify>): AnswerOf<typeof CALLBACKS.subscriptionDataChangeNotify> {
  const udrSub = udm.udrSubscriptions.byCallbackId(req.params.subscriptionId);
  if (!udrSub) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND', `no UDR subscription ${req.params.subscriptionId}`);
  const body = objectBody(req) as { notifyItems?: Item[] };
  if (!Array.isArray(body.notifyItems) || body.notifyItems.length === 0) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'notifyItems is required');
  const supi = udrSub.supi;
  const changed: { kind: '/am-data' | '/sm-data'; resourceId: string; changes: { op: 'REPLACE'; path: string; newValue?: unknown }[] }[] = [];
  for (const item of body.notifyItems) {
    const value = item.changes?.find((c) => c.op === 'REPLACE')?.newValue;
    if (typeof item.resourceId !== 'string' || value === undefined) continue;
    if (item.resourceId.endsWith('/am-data')) {
      const nssai = (value as { nssai?: unknown }).nssai;
      changed.push({ kind: '/am-data', resourceId: operationUri(udm.cfg.baseUri, UDM.sdm.getAmData, { supi }), changes: [{ op: 'REPLACE', path: '/nssai', ...(nssai !== undefined ? { newValue: nssai } : {}) }] });
    } else if (item.resourceId.endsWith('/sm-data') && Array.isArray(value)) {
      changed.push({ kind: '/sm-data', resourceId: operationUri(udm.cfg.baseUri, UDM.sdm.getSmData, { supi }), changes: [{ op: 'REPLACE', path: '', newValue: value }] });
    }
  }
  // each SDM subscription holding this UDR subscription, with the changes among what it monitors
  const relays = [...udrSub.holders].flatMap((id) => {
    const sub = udm.sdmSubscriptions.get(id);
    if (!sub) return [];
    const notifyItems = changed.filter((c) => sub.monitoredResourceUris.some((u) => u.endsWith(c.kind))).map(({ resourceId, changes }) => ({ resourceId, changes }));
    return notifyItems.length ? [{ callbackReference: sub.callbackReference, notifyItems }] : [];
  });
  if (!relays.length) return noContent();
  // acknowledged first; the subscribers are notified after
  return noContent(async () => {
    const notify = notifier(sbi);
    await Promise.all(relays.map((r) => notify.sdmModificationNotify(r.callbackReference, { notifyItems: r.notifyItems }, { step: r.notifyItems.some((i) => i.resourceId.endsWith('/sm-data')) ? '4.3.3.2 step 1b' : '4.5.1' })));
  });
}
