// The UDR's Nudr_DM_Notify at the UDM (TS 29.504; TS 29.505 DataChangeNotify), at the
// callbackReference the UDM gave when it subscribed at the UDR for one of its Nudm_SDM
// subscriptions (`/data-change/{subscriptionId}`, sdm.ts): the changed resources that SDM
// subscription monitors are relayed to its subscriber as Nudm_SDM_Notification (TS 29.503
// 5.2.2.5, ModificationNotification to the subscriber's callbackReference):
//   - am-data (the AMF's, TS 23.502 4.5.1): REPLACE /nssai, as the O&M path does (sdm-notification.ts);
//   - sm-data (the SMF's, TS 23.502 4.3.3.2 step 1b): REPLACE of the SessionManagementSubscriptionData
//     list, from which the SMF takes the new subscribed default QoS and Session-AMBR.
// A notification for an SDM subscription the UDM no longer holds is 404.

import { SbiProblem, objectBody } from '../../common/sbi.ts';
import { noContent, type AnswerOf, type RequestOf } from '../../common/sbi/routes.ts';
import { operationUri } from '../../common/sbi/client.ts';
import { UDM, type CALLBACKS } from '../../common/sbi/operations.ts';
import { notifier } from '../../common/sbi/client.ts';
import type { SbiClient } from '../../common/sbi.ts';
import type { Udm } from '../context.ts';

type Item = { resourceId?: unknown; changes?: { op?: unknown; newValue?: unknown }[] };

export function subscriptionDataChange(udm: Udm, sbi: SbiClient, req: RequestOf<typeof CALLBACKS.subscriptionDataChangeNotify>): AnswerOf<typeof CALLBACKS.subscriptionDataChangeNotify> {
  const sub = udm.sdmSubscriptions.get(req.params.subscriptionId);
  if (!sub) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND', `no SDM subscription ${req.params.subscriptionId}`);
  const body = objectBody(req) as { notifyItems?: Item[] };
  if (!Array.isArray(body.notifyItems) || body.notifyItems.length === 0) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'notifyItems is required');
  const supi = sub.ueId;
  const relay: { resourceId: string; changes: { op: 'REPLACE'; path: string; newValue?: unknown }[] }[] = [];
  for (const item of body.notifyItems) {
    const value = item.changes?.find((c) => c.op === 'REPLACE')?.newValue;
    if (typeof item.resourceId !== 'string' || value === undefined || !sub.monitoredResourceUris.includes(item.resourceId)) continue;
    if (item.resourceId.endsWith('/am-data')) {
      const nssai = (value as { nssai?: unknown }).nssai;
      relay.push({ resourceId: operationUri(udm.cfg.baseUri, UDM.sdm.getAmData, { supi }), changes: [{ op: 'REPLACE', path: '/nssai', ...(nssai !== undefined ? { newValue: nssai } : {}) }] });
    } else if (item.resourceId.endsWith('/sm-data') && Array.isArray(value)) {
      relay.push({ resourceId: operationUri(udm.cfg.baseUri, UDM.sdm.getSmData, { supi }), changes: [{ op: 'REPLACE', path: '', newValue: value }] });
    }
  }
  if (!relay.length) return noContent();
  // acknowledged first; the subscriber is notified after
  return noContent(async () => {
    await notifier(sbi).sdmModificationNotify(sub.callbackReference, { notifyItems: relay }, { step: relay.some((r) => r.resourceId.endsWith('/sm-data')) ? '4.3.3.2 step 1b' : '4.5.1' });
  });
}
