// Nudr_DM_Notify for subscription data (TS 29.504 5.2.2.4 / TS 29.505 DataChangeNotify): when a
// subscriber's data changed in the UDR (O&M: `wire5g ctl udr notify-subscription`, a store
// update), the UDR sends each SubscriptionDataSubscriptions of that subscriber (the UDM's, one per
// Nudm_SDM subscription, behind Nudm_SDM_Subscribe) the new value of every resource it monitors
// (NotifyItem: the monitored URI, REPLACE of the whole resource). The UDM relays them to its
// subscribers (nodes/udm/procedures/data-change.ts).

import type { SbiClient } from '../common/sbi.ts';
import { consumer } from '../common/sbi/client.ts';
import { CALLBACKS } from '../common/sbi/operations.ts';
import type { components as SubC } from '../common/sbi-types/TS29504_Nudr_DR.ts';
import type { UdrStore } from './store.ts';
import type { UdrServiceState } from './context.ts';
import { amData, smData } from './subscription-data.ts';

/** Returns the O&M trigger: notify the subscriptions to `supi`'s data; resolves with the notifications sent. */
export function subscriptionDataNotifier(state: UdrServiceState, store: UdrStore, sbi: SbiClient): (supi: string) => Promise<number> {
  const notify = consumer(sbi, '', CALLBACKS);
  return async (supi) => {
    const s = store.get(supi);
    if (!s) return 0;
    let sent = 0;
    for (const sub of [...state.subscriptionDataSubscriptions.values()] as SubC['schemas']['SubscriptionDataSubscriptions'][]) {
      if (sub.ueId !== supi || !sub.monitoredResourceUris?.length) continue;
      const notifyItems = sub.monitoredResourceUris.flatMap((resourceId) => {
        const newValue = resourceId.endsWith('/am-data') ? amData(s) : resourceId.endsWith('/sm-data') ? smData(s) : undefined;
        return newValue === undefined ? [] : [{ resourceId, changes: [{ op: 'REPLACE' as const, path: '', newValue }] }];
      });
      if (!notifyItems.length) continue;
      await notify.subscriptionDataChangeNotify(sub.callbackReference, { ueId: supi, originalCallbackReference: [sub.callbackReference], notifyItems }, { step: 'TS 29.504 Nudr_DM_Notify' });
      sent++;
    }
    return sent;
  };
}
