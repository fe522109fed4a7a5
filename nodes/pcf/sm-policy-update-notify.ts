// PCF-initiated SM Policy Association Modification (TS 23.502 4.16.5.2) on a policy data change:
// when the UDR notifies the PCF of a subscriber's new SmPolicyData (policy-data-change.ts) and the
// remaining allowed usage of a session it monitors changed (O&M: `wire5g subscriber update --usage`
// or `--mk` on a running network), the decision it installed (TS 29.512 UsageMonitoringData
// volumeThreshold, TS 23.503 6.2.2.3) no longer holds:
//   step 1  Npcf_SMPolicyControl_UpdateNotify, POST {notificationUri}/update with an
//           SmPolicyNotification (TS 29.512 4.2.5.2) whose smPolicyDecision carries the new umDecs:
//           a new threshold per UsageMonitoringData, null for a Monitoring Key with nothing left;
//   step 2  the SMF acknowledges (204);
//   step 3  the SMF enforces it: PFCP Session Modification with Update URR (session-modification.ts).
// A session with no usage left at all is terminated instead (4.16.6 case A, as after a usage report).
// wire5g's policy data carry no Session-AMBR or 5QI (TS 29.519 SmPolicyDnnData has none): those are
// subscription data, whose change reaches the session through the UDM and the SMF (4.3.3.2 step 1b).

import { resourceUri } from '../common/sbi/client.ts';
import { PCF } from '../common/sbi/operations.ts';
import type { components as SmPolC } from '../common/sbi-types/TS29512_Npcf_SMPolicyControl.ts';
import { volumeThresholdFor, type Pcf, type SmPolicyAssociation } from './context.ts';
import { installUmDecs } from './usage-monitoring.ts';

type UsageMonitoringData = SmPolC['schemas']['UsageMonitoringData'];

/** What a new UsageMonData set changes in an association's usage monitoring: new umDecs, or that nothing is left for the session. */
export function usageDecisionChange(pcf: Pcf, assoc: SmPolicyAssociation, umData: Record<string, { allowedUsage?: { totalVolume?: number } }> | undefined): { umDecs: Record<string, UsageMonitoringData | null> } | 'exhausted' | undefined {
  if (!assoc.thresholds || !umData) return undefined;
  const umDecs: Record<string, UsageMonitoringData | null> = {};
  for (const [umId, installed] of Object.entries(assoc.thresholds)) {
    const remaining = umData[umId]?.allowedUsage?.totalVolume;
    // unlimited, or no longer in the policy data: wire5g's store does neither to a monitored key
    if (typeof remaining !== 'number') continue;
    if (remaining === 0 && umId === assoc.limitId) return 'exhausted';
    const next = remaining === 0 ? null : volumeThresholdFor(pcf.cfg, remaining);
    if (next === installed || (next === null && !(assoc.monitoringKeys ?? []).includes(umId))) continue;
    umDecs[umId] = next === null ? null : { umId, volumeThreshold: next };
  }
  return Object.keys(umDecs).length ? { umDecs } : undefined;
}

/** Steps 1-2: the new umDecs to the SMF; the association then holds them. */
export async function notifyUsageDecision(pcf: Pcf, id: string, umDecs: Record<string, UsageMonitoringData | null>): Promise<void> {
  const assoc = pcf.smPolicies.get(id);
  if (!assoc) return;
  await pcf.notify.smPolicyUpdateNotify(assoc.notificationUri, { resourceUri: resourceUri(pcf.cfg.baseUri, PCF.smPolicyControl.delete, { smPolicyId: id }), smPolicyDecision: { umDecs } }, { step: '4.16.5.2 step 1' });
  installUmDecs(assoc, umDecs);
}
