// The UDR's Nudr_DM_Notify of a subscriber's changed policy data (TS 29.519 PolicyDataChangeNotification
// to the notificationUri the PCF subscribed with at 4.16.4), PCF side: a PDU session on a DNN and
// S-NSSAI the subscriber may no longer use has no reason to continue, and the PCF requests the
// termination of its SM policy association (TS 23.502 4.16.6 case A, cause UE_SUBSCRIPTION) after
// acknowledging the notification.

import { SbiProblem, type SbiRoute } from '../common/sbi.ts';
import { serve, noContent } from '../common/sbi/routes.ts';
import { CALLBACKS } from '../common/sbi/operations.ts';
import type { Pcf } from './context.ts';
import { requestSmPolicyTermination } from './sm-policy-termination.ts';

interface Notification {
  ueId?: unknown;
  smPolicyData?: { smPolicySnssaiData?: Record<string, { smPolicyDnnData?: Record<string, unknown> }> };
}

export function policyDataChangeRoutes(pcf: Pcf): SbiRoute[] {
  return [
    serve(CALLBACKS.policyDataChangeNotify, (req) => {
      if (!Array.isArray(req.body)) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', 'an array of PolicyDataChangeNotification is required');
      const ended: string[] = [];
      for (const n of req.body as Notification[]) {
        if (typeof n?.ueId !== 'string' || !n.smPolicyData) continue; // other resources than SmPolicyData: nothing this PCF decides on
        for (const [id, a] of pcf.smPolicies) {
          if (a.supi !== n.ueId || a.terminationRequested || ended.includes(id)) continue;
          if (!n.smPolicyData.smPolicySnssaiData?.[a.snssai]?.smPolicyDnnData?.[a.dnn]) ended.push(id);
        }
      }
      if (!ended.length) return noContent();
      return noContent(async () => {
        for (const id of ended) if (pcf.smPolicies.has(id)) await requestSmPolicyTermination(pcf, id, 'UE_SUBSCRIPTION');
      });
    }),
  ];
}
