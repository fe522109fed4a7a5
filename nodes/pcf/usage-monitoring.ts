// Usage monitoring, the PCF's side (TS 23.503 6.2.2.3; TS 29.512 4.2.2.4 and 4.2.4 with the policy
// control request trigger US_RE), at session level and per Monitoring Key:
//   - at SM policy establishment (sm-policy.ts) the PCF installs one UsageMonitoringData for the
//     session (referenced by the session rule, TS 29.512 5.6.2.7 refUmData) from the subscriber's
//     remaining allowed usage on the DNN and S-NSSAI, and one per Monitoring Key the subscriber has
//     an allowance for and the PCF a PCC rule for (`pcf.monitoringKeys`): that PCC rule, with the
//     key's flow description, references the key's UsageMonitoringData (5.6.2.6 refUmData);
//   - the SMF reports the usage its UPF measured when a threshold was reached, one accuUsageReport
//     per key (Npcf_SMPolicyControl_Update): the PCF deducts each in the UDR (Nudr_DM_Update), per
//     Monitoring Key when reported per key, and answers with the thresholds re-armed from what
//     remains; a key with nothing left is no longer monitored (its UsageMonitoringData null, TS
//     29.512 5.6.2.12); nothing left at session level terminates the SM policy association: TS
//     23.502 4.16.6 case A, the "usage exhausted" trigger, requested after answering the update.

import { SbiProblem, objectBody, type SbiRequest } from '../common/sbi.ts';
import { ok } from '../common/sbi/routes.ts';
import type { components as SmPolC } from '../common/sbi-types/TS29512_Npcf_SMPolicyControl.ts';
import { volumeThresholdFor, type Pcf, type SmPolicyAssociation } from './context.ts';
import { recordTriggers } from './policy-control-triggers.ts';
import { deductUsage, requestSmPolicyTermination, type AccuUsageReport } from './sm-policy-termination.ts';

type S = SmPolC['schemas'];

/** TS 29.512 UsageMonitoringData volumeThreshold from a UsageMonData's remaining allowed usage (none when unlimited). */
function thresholdOf(pcf: Pcf, um: unknown): { volumeThreshold?: number } {
  const total = (um as { allowedUsage?: { totalVolume?: number } }).allowedUsage?.totalVolume;
  return total === undefined ? {} : { volumeThreshold: volumeThresholdFor(pcf.cfg, total) };
}

/** What an SM policy decision holds for usage monitoring, and the keys the association is accounted against. */
export interface UsageMonitoringDecision {
  /** The session rule's refUmData: the session-level UsageMonitoringData (TS 29.512 5.6.2.7). */
  sessionRef?: string;
  /** One PCC rule per Monitoring Key, referencing the key's UsageMonitoringData (5.6.2.6). */
  pccRules: Record<string, S['PccRule']>;
  umDecs: Record<string, S['UsageMonitoringData']>;
  /** The session level limit id (TS 29.519 limitId `<dnn>:<s-nssai>`), if monitored. */
  limitId?: string;
  /** The Monitoring Keys' limit ids (`<dnn>:<s-nssai>:<key>`). */
  monitoringKeys: string[];
}

/**
 * TS 23.503 6.2.2.3 at SM policy establishment: the UsageMonitoringData of the session (the
 * subscriber's UsageMonData `limitId`) and of each Monitoring Key with its PCC rule. The PCC rules
 * of the keys come first (precedence 100, before the session's match-all rule at 255).
 */
export function usageMonitoringDecision(pcf: Pcf, policyId: string, limitId: string, umData: Record<string, unknown> | undefined): UsageMonitoringDecision {
  const out: UsageMonitoringDecision = { pccRules: {}, umDecs: {}, monitoringKeys: [] };
  if (!umData) return out;
  if (umData[limitId]) {
    out.sessionRef = out.limitId = limitId;
    out.umDecs[limitId] = { umId: limitId, ...thresholdOf(pcf, umData[limitId]) };
  }
  for (const [i, m] of (pcf.cfg.around?.policy.monitoringKeys ?? []).entries()) {
    const umId = `${limitId}:${m.key}`;
    if (!umData[umId]) continue;
    const pccRuleId = `pcc-${policyId}-${m.key}`;
    out.pccRules[pccRuleId] = { pccRuleId, flowInfos: [{ flowDescription: m.flowDescription, flowDirection: 'BIDIRECTIONAL' }], precedence: 100 + i, refQosData: ['qos-1'], refUmData: [umId] };
    out.umDecs[umId] = { umId, ...thresholdOf(pcf, umData[umId]) };
    out.monitoringKeys.push(umId);
  }
  return out;
}

/** The thresholds a decision's umDecs install, kept on the association (`thresholds`); none when nothing is monitored. */
export function monitoredThresholds(umDecs: Record<string, { volumeThreshold?: number | null } | null>): { thresholds?: Record<string, number | undefined> } {
  const entries = Object.entries(umDecs).filter(([, d]) => d !== null);
  return entries.length ? { thresholds: Object.fromEntries(entries.map(([umId, d]) => [umId, d?.volumeThreshold ?? undefined])) } : {};
}

/** What the association holds once umDecs are installed: each threshold; a Monitoring Key decided null is no longer monitored. */
export function installUmDecs(assoc: SmPolicyAssociation, umDecs: Record<string, { volumeThreshold?: number | null } | null>): void {
  for (const [umId, d] of Object.entries(umDecs)) {
    if (assoc.thresholds) assoc.thresholds[umId] = d?.volumeThreshold ?? undefined;
    if (d === null) assoc.monitoringKeys = assoc.monitoringKeys?.filter((k) => k !== umId);
  }
}

/** TS 23.502 4.16.5.1 (SMF-initiated SM Policy Association Modification), PCF side: the triggers met, US_RE's usage. */
export async function updateSmPolicy(pcf: Pcf, req: SbiRequest) {
  const id = req.params.smPolicyId;
  const assoc = pcf.smPolicies.get(id);
  if (!assoc) throw new SbiProblem(404, 'POLICY_CONTEXT_NOT_FOUND');
  const body = objectBody(req) as { repPolicyCtrlReqTriggers?: unknown; ruleReports?: unknown; accuUsageReports?: AccuUsageReport[]; subsSessAmbr?: { uplink?: unknown; downlink?: unknown }; subsDefQos?: { '5qi'?: unknown; arp?: unknown; priorityLevel?: unknown } };
  // TS 23.502 4.3.3.2 step 1b: the subscription changed (SE_AMBR_CH / DEF_QOS_CH with the new
  // subsSessAmbr and subsDefQos, TS 29.512 SmPolicyUpdateContextData); wire5g's PCF has no
  // operator policy of its own, so it authorizes the new subscribed values in the session rule
  const reauthorized = reauthorizedSessionRule(body);
  // the triggers met (SUCC_RES_ALLO's rule reports among them), policy-control-triggers.ts
  recordTriggers(assoc, body);
  const monitored = [...(assoc.limitId ? [assoc.limitId] : []), ...(assoc.monitoringKeys ?? [])];
  const reports = (Array.isArray(body.accuUsageReports) ? body.accuUsageReports : []).filter((r) => monitored.includes(r.refUmIds));
  if (!reports.length) return ok(reauthorized ?? {});
  // step 3 of 4.16.6 in advance: what was used is deducted, per Monitoring Key when reported per key
  const left = await deductUsage(pcf, assoc.supi, reports, '4.16.5.1');
  // nothing left for the session: the PDU session may not go on (4.16.6 case A step 1 follows the answer)
  if (assoc.limitId && left.get(assoc.limitId) === 0) return { ...ok({}), after: () => requestSmPolicyTermination(pcf, id, 'UNSPECIFIED') };
  // usage left: the threshold is re-armed from what remains (TS 29.512 UsageMonitoringData), the SMF
  // updates the URR (TS 29.244 Update URR); a key with nothing left is no longer monitored (null)
  const umDecs: Record<string, S['UsageMonitoringData'] | null> = {};
  for (const [umId, remaining] of left) umDecs[umId] = remaining > 0 ? { umId, volumeThreshold: volumeThresholdFor(pcf.cfg, remaining) } : null;
  installUmDecs(assoc, umDecs);
  return Object.keys(umDecs).length ? ok({ umDecs }) : ok({});
}

/** The session rule for a subscription change (SE_AMBR_CH / DEF_QOS_CH), or undefined when the update carries none. */
function reauthorizedSessionRule(body: { subsSessAmbr?: { uplink?: unknown; downlink?: unknown }; subsDefQos?: { '5qi'?: unknown; arp?: unknown; priorityLevel?: unknown } }) {
  const ambr = body.subsSessAmbr;
  const qos = body.subsDefQos;
  if (!ambr && !qos) return undefined;
  if (!ambr || typeof ambr.uplink !== 'string' || typeof ambr.downlink !== 'string' || !qos || typeof qos['5qi'] !== 'number' || !qos.arp) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'subsSessAmbr (uplink, downlink) and subsDefQos (5qi, arp) go together');
  return { sessRules: { 'sess-1': { sessRuleId: 'sess-1', authSessAmbr: { uplink: ambr.uplink, downlink: ambr.downlink }, authDefQos: { '5qi': qos['5qi'], arp: qos.arp as { priorityLevel: number; preemptCap: 'NOT_PREEMPT' | 'MAY_PREEMPT'; preemptVuln: 'NOT_PREEMPTABLE' | 'PREEMPTABLE' } } } } };
}
