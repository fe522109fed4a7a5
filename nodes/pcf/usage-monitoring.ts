// Usage monitoring, the PCF's side (TS 23.503 6.2.2.3; TS 29.512 4.2.4 Npcf_SMPolicyControl_Update
// with the policy control request trigger US_RE): the SMF reports the usage its UPF measured when
// the volume threshold the PCF installed (the subscriber's remaining allowed usage on the DNN and
// S-NSSAI, sm-policy.ts) was reached. The PCF deducts it in the UDR (Nudr_DM_Update) and, when
// nothing is left, terminates the SM policy association: TS 23.502 4.16.6 case A, the "usage
// exhausted" trigger, requested after answering the update.

import { SbiProblem, objectBody, type SbiRequest } from '../common/sbi.ts';
import { ok } from '../common/sbi/routes.ts';
import { volumeThresholdFor, type Pcf } from './context.ts';
import { recordTriggers } from './policy-control-triggers.ts';
import { deductUsage, requestSmPolicyTermination, type AccuUsageReport } from './sm-policy-termination.ts';

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
  const reports = Array.isArray(body.accuUsageReports) ? body.accuUsageReports : [];
  if (!reports.length || !assoc.limitId) return ok(reauthorized ?? {});
  const left = await deductUsage(pcf, assoc.supi, reports, '4.16.5.1');
  const remaining = left.get(assoc.limitId);
  if (remaining === undefined) return ok({});
  // nothing left: the PDU session may not go on (4.16.6 case A step 1 follows the answer)
  if (remaining === 0) return { ...ok({}), after: () => requestSmPolicyTermination(pcf, id, 'UNSPECIFIED') };
  // some left: the threshold is re-armed from what remains (TS 29.512 UsageMonitoringData), the SMF
  // updates the URR (TS 29.244 Update URR)
  return ok({ umDecs: { [assoc.limitId]: { umId: assoc.limitId, volumeThreshold: volumeThresholdFor(pcf.cfg, remaining) } } });
}

/** The session rule for a subscription change (SE_AMBR_CH / DEF_QOS_CH), or undefined when the update carries none. */
function reauthorizedSessionRule(body: { subsSessAmbr?: { uplink?: unknown; downlink?: unknown }; subsDefQos?: { '5qi'?: unknown; arp?: unknown; priorityLevel?: unknown } }) {
  const ambr = body.subsSessAmbr;
  const qos = body.subsDefQos;
  if (!ambr && !qos) return undefined;
  if (!ambr || typeof ambr.uplink !== 'string' || typeof ambr.downlink !== 'string' || !qos || typeof qos['5qi'] !== 'number' || !qos.arp) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'subsSessAmbr (uplink, downlink) and subsDefQos (5qi, arp) go together');
  return { sessRules: { 'sess-1': { sessRuleId: 'sess-1', authSessAmbr: { uplink: ambr.uplink, downlink: ambr.downlink }, authDefQos: { '5qi': qos['5qi'], arp: qos.arp as { priorityLevel: number; preemptCap: 'NOT_PREEMPT' | 'MAY_PREEMPT'; preemptVuln: 'NOT_PREEMPTABLE' | 'PREEMPTABLE' } } } } };
}
