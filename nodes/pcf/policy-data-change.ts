// The UDR's Nudr_DM_Notify of a subscriber's changed policy data (TS 29.519 PolicyDataChangeNotification
// to the notificationUri the PCF subscribed with at 4.16.4), PCF side, after acknowledging it:
//   - a PDU session on a DNN and S-NSSAI the subscriber may no longer use has no reason to continue:
//     the PCF requests the termination of its SM policy association (TS 23.502 4.16.6 case A, cause
//     UE_SUBSCRIPTION), and so for a session with no allowed usage left (cause UNSPECIFIED, as
//     after a usage report);
//   - a session whose remaining allowed usage changed gets the new usage monitoring decision
//     (TS 23.502 4.16.5.2, Npcf_SMPolicyControl_UpdateNotify; sm-policy-update-notify.ts).

import { SbiProblem, type SbiRoute } from '../common/sbi.ts';
import { serve, noContent } from '../common/sbi/routes.ts';
import { CALLBACKS } from '../common/sbi/operations.ts';
import type { Pcf } from './context.ts';
import { requestSmPolicyTermination, type SmPolicyReleaseCause } from './sm-policy-termination.ts';
import { usageDecisionChange, notifyUsageDecision } from './sm-policy-update-notify.ts';

interface Notification {
  ueId?: unknown;
  smPolicyData?: { smPolicySnssaiData?: Record<string, { smPolicyDnnData?: Record<string, unknown> }>; umData?: Record<string, { allowedUsage?: { totalVolume?: number } }> };
}

export function policyDataChangeRoutes(pcf: Pcf): SbiRoute[] {
  return [
    serve(CALLBACKS.policyDataChangeNotify, (req) => {
      if (!Array.isArray(req.body)) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', 'an array of PolicyDataChangeNotification is required');
      const ended = new Map<string, SmPolicyReleaseCause>();
      const modified = new Map<string, NonNullable<Exclude<ReturnType<typeof usageDecisionChange>, 'exhausted'>>['umDecs']>();
      for (const n of req.body as Notification[]) {
        if (typeof n?.ueId !== 'string' || !n.smPolicyData) continue; // other resources than SmPolicyData: nothing this PCF decides on
        for (const [id, a] of pcf.smPolicies) {
          if (a.supi !== n.ueId || a.terminationRequested || ended.has(id)) continue;
          if (!n.smPolicyData.smPolicySnssaiData?.[a.snssai]?.smPolicyDnnData?.[a.dnn]) {
            ended.set(id, 'UE_SUBSCRIPTION');
            continue;
          }
          const change = usageDecisionChange(pcf, a, n.smPolicyData.umData);
          if (change === 'exhausted') ended.set(id, 'UNSPECIFIED');
          else if (change) modified.set(id, change.umDecs);
        }
      }
      if (!ended.size && !modified.size) return noContent();
      return noContent(async () => {
        for (const [id, cause] of ended) if (pcf.smPolicies.has(id)) await requestSmPolicyTermination(pcf, id, cause);
        for (const [id, umDecs] of modified) if (!ended.has(id)) await notifyUsageDecision(pcf, id, umDecs);
      });
    }),
  ];
}
