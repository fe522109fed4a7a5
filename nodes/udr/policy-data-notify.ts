// Nudr_DM_Notify for policy data (TS 29.504 Nudr_DM_Notify over TS 29.519 resources): when a subscriber's
// policy data changed (O&M: `wire5g subscriber update` on a running network, `ctl udr notify`),
// the UDR sends each subscription monitoring the subscriber's SmPolicyData the new data
// (PolicyDataChangeNotification with ueId and smPolicyData). The PCF then decides whether the
// PDU sessions it holds may go on (TS 23.502 4.16.6 case A, policy data change).

import type { SbiClient } from '../common/sbi.ts';
import { consumer, operationUri } from '../common/sbi/client.ts';
import { UDR, CALLBACKS } from '../common/sbi/operations.ts';
import type { components as UdrC } from '../common/sbi-types/TS29504_Nudr_DR.ts';
import type { UdrStore } from './store.ts';
import type { UdrServiceState } from './context.ts';
import { smPolicyDataOf } from './policy-data.ts';

/** Returns the O&M trigger: notify the subscribers of `supi`'s SmPolicyData; resolves with the notifications sent. */
export function policyDataNotifier(state: UdrServiceState, store: UdrStore, baseUri: string, sbi: SbiClient): (supi: string) => Promise<number> {
  const notify = consumer(sbi, '', CALLBACKS);
  return async (supi) => {
    const s = store.get(supi);
    if (!s) return 0;
    const monitored = operationUri(baseUri, UDR.dr.readSmPolicyData, { ueId: supi });
    let sent = 0;
    for (const sub of state.policyDataSubscriptions.values()) {
      const p = sub as UdrC['schemas']['PolicyDataSubscription'];
      if (!p.monitoredResourceUris?.includes(monitored)) continue;
      // TS 23.502 4.16.9 step 2 (Update of the subscription information in the PCF): the UDR notifies the subscribed PCF
      await notify.policyDataChangeNotify(p.notificationUri, [{ ueId: s.supi, smPolicyData: smPolicyDataOf(store, s) }], { step: '4.16.9 step 2' });
      sent++;
    }
    return sent;
  };
}
