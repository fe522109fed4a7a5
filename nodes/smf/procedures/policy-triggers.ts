// Policy control request triggers, the SMF's side (TS 29.512 4.2.4.1; TS 23.502 4.16.5.1): the
// SMF reports to the PCF only the triggers the PCF subscribed to in its SmPolicyDecision
// (policyCtrlReqTriggers), by Npcf_SMPolicyControl_Update (SMF-initiated SM Policy Association
// Modification, step 1). The triggers wire5g's procedures meet:
//   - US_RE, the UPF's usage report (usage-monitoring.ts);
//   - SUCC_RES_ALLO, successful resource allocation: once the NG-RAN has set up the session's
//     resources and the UPF forwards downlink to it (TS 23.502 4.3.2.2.1 after step 16a; again
//     when a Service Request activates the user plane, 4.2.3.2 after step 17), with ruleReports
//     naming the PCC rules for which the PCF asked it (lastReqRuleData) as ACTIVE.

import type { Smf, SmContext } from '../context.ts';

/** What an SmPolicyDecision subscribes to: the triggers, and the PCC rules whose resource allocation is to be reported. */
export function policyTriggersOf(decision: unknown): { triggers: string[]; successReportRules: string[] } {
  const d = decision as { policyCtrlReqTriggers?: unknown; lastReqRuleData?: unknown } | undefined;
  const triggers = Array.isArray(d?.policyCtrlReqTriggers) ? d.policyCtrlReqTriggers.filter((t): t is string => typeof t === 'string') : [];
  const rules = new Set<string>();
  for (const r of Array.isArray(d?.lastReqRuleData) ? (d.lastReqRuleData as { refPccRuleIds?: unknown; reqData?: unknown }[]) : []) {
    if (!Array.isArray(r.reqData) || !r.reqData.includes('SUCC_RES_ALLO') || !Array.isArray(r.refPccRuleIds)) continue;
    for (const id of r.refPccRuleIds) if (typeof id === 'string') rules.add(id);
  }
  return { triggers, successReportRules: [...rules] };
}

/** SUCC_RES_ALLO, when subscribed: the PCC rules' resources are allocated (after the answer to the AMF). */
export async function reportResourceAllocation(smf: Smf, ctx: SmContext): Promise<void> {
  const t = ctx.policyTriggers;
  if (!t?.triggers.includes('SUCC_RES_ALLO') || !t.successReportRules.length || !ctx.smPolicyUri || ctx.state !== 'active') return;
  await smf.npcf.smPolicyControl.update(ctx.smPolicyUri, {
    repPolicyCtrlReqTriggers: ['SUCC_RES_ALLO'],
    ruleReports: [{ pccRuleIds: t.successReportRules, ruleStatus: 'ACTIVE' }],
  }, { step: '4.16.5.1 step 1' });
}
