// Policy control request triggers (TS 29.512 4.2.2.x, 4.2.4; TS 23.503 6.1.3.5), the PCF's side:
// the triggers the PCF subscribes to in its SmPolicyDecision (policyCtrlReqTriggers), and what it
// does when the SMF reports one met (Npcf_SMPolicyControl_Update, TS 23.502 4.16.5.1 step 1):
//   - US_RE (usage report): usage monitoring, usage-monitoring.ts;
//   - SUCC_RES_ALLO (successful resource allocation, `pcf.policyControlRequestTriggers`): the PCF
//     asks for it for the session's PCC rule (lastReqRuleData); the SMF reports once the NG-RAN
//     has set up the session's resources (TS 23.502 4.3.2.2.1 after step 16, and again when a
//     Service Request activates the user plane, 4.2.3.2 after step 17) with ruleReports naming
//     the rules now ACTIVE. The PCF records the rules active and the trigger's count.
// A trigger the PCF did not subscribe to is refused by the SMF's side, not here: the PCF records
// what it is told.

import type { components as SmPolC } from '../common/sbi-types/TS29512_Npcf_SMPolicyControl.ts';
import type { Pcf, SmPolicyAssociation } from './context.ts';

type Decision = SmPolC['schemas']['SmPolicyDecision'];

/** The policyCtrlReqTriggers (and, for SUCC_RES_ALLO, lastReqRuleData) of a new association's decision. */
export function subscribedTriggers(pcf: Pcf, pccRuleId: string, usageMonitoring: boolean): Pick<Decision, 'policyCtrlReqTriggers' | 'lastReqRuleData'> {
  const configured = pcf.cfg.around?.policy.policyControlRequestTriggers ?? [];
  const triggers = [...(usageMonitoring ? ['US_RE'] : []), ...configured];
  if (!triggers.length) return {};
  return {
    policyCtrlReqTriggers: triggers,
    ...(configured.includes('SUCC_RES_ALLO') ? { lastReqRuleData: [{ refPccRuleIds: [pccRuleId], reqData: ['SUCC_RES_ALLO'] }] } : {}),
  };
}

/** What an Npcf_SMPolicyControl_Update reports met (repPolicyCtrlReqTriggers, ruleReports), recorded on the association. */
export function recordTriggers(assoc: SmPolicyAssociation, body: { repPolicyCtrlReqTriggers?: unknown; ruleReports?: unknown }): void {
  const triggers = Array.isArray(body.repPolicyCtrlReqTriggers) ? body.repPolicyCtrlReqTriggers.filter((t): t is string => typeof t === 'string') : [];
  for (const t of triggers) (assoc.reportedTriggers ??= {})[t] = (assoc.reportedTriggers[t] ?? 0) + 1;
  if (!triggers.includes('SUCC_RES_ALLO') || !Array.isArray(body.ruleReports)) return;
  for (const r of body.ruleReports as { pccRuleIds?: unknown; ruleStatus?: unknown }[]) {
    if (r.ruleStatus !== 'ACTIVE' || !Array.isArray(r.pccRuleIds)) continue;
    const known = r.pccRuleIds.filter((id): id is string => typeof id === 'string' && assoc.pccRules.includes(id));
    assoc.activeRules = [...new Set([...(assoc.activeRules ?? []), ...known])];
  }
}
