// Usage monitoring, the SMF's side (TS 23.503 6.2.2.3; TS 29.512 4.2.2.4 and 4.2.4.x with the
// policy control request trigger US_RE), at session level and per Monitoring Key: each
// UsageMonitoringData the PCF installed becomes a PFCP URR (TS 29.244 5.2.2.2, VOLTH with the
// volume threshold) — the session's (referenced by the session rule) is the URR every PDR of the
// session is linked to; a Monitoring Key's (referenced by a PCC rule) gets a URR of its own, linked
// to the PDRs the SMF installs for that PCC rule's flow (its SDF filter), which are linked to the
// session URR too. When the UPF reports that thresholds were reached (Session Report Request
// with one Usage Report per URR, 7.5.8), the SMF reports the usage of each key to the PCF in one
// Npcf_SMPolicyControl_Update (TS 23.502 4.16.5.1, SMF-initiated SM Policy Association
// Modification, step 1). The PCF deducts it and answers (step 2), per key:
//   - usage left: a new threshold in umDecs, which the SMF installs at the UPF (PFCP Session
//     Modification Request with one Update URR per key, TS 29.244 7.5.4.4): usage monitoring re-armed;
//   - the key's UsageMonitoringData set to null (TS 29.512 5.6.2.12, removal): the SMF turns VOLTH
//     off in its URR and reports no more on it;
//   - nothing about the key: the URR keeps its threshold (TS 29.244 5.2.2.3.1: the UPF measures
//     anew from the report), e.g. when nothing is left and the PCF terminates the association
//     (4.16.6 case A follows).

import { URR_SESSION, type MonitoredFlowSpec, type UrrThresholdUpdate } from '../../../codecs/pfcp/index.ts';
import type { UrrUsageReport } from '../ports.ts';
import { snssaiKey, type Smf, type SmContext } from '../context.ts';

/** The TS 23.502 step of the URR update that enforces the PCF's answer. */
export const USAGE_REARM_STEP = '4.16.5.1 step 2';

/** One UsageMonitoringData the PCF installed, as the SMF enforces it: its URR, threshold and, for a Monitoring Key, its PCC rule's flow. */
export interface UsageMonitoring {
  umId: string;
  urrId: number;
  volumeThresholdOctets?: number;
  /** A Monitoring Key's PCC rule (TS 29.512 5.6.2.6): its flow and precedence; absent at session level. */
  flow?: { flowDescription: string; precedence: number };
}

type UmDecs = Record<string, { umId?: unknown; volumeThreshold?: unknown } | null>;
type Decision = { umDecs?: UmDecs; sessRules?: Record<string, { refUmData?: unknown } | null>; pccRules?: Record<string, { refUmData?: unknown; flowInfos?: unknown; precedence?: unknown } | null> };

const threshold = (d: { volumeThreshold?: unknown }): number | undefined => (typeof d.volumeThreshold === 'number' && Number.isInteger(d.volumeThreshold) && d.volumeThreshold >= 0 ? d.volumeThreshold : undefined);

/**
 * The usage monitoring of an SmPolicyDecision (TS 29.512 5.6.2.4): the UsageMonitoringData the
 * session rule references (session level, the session URR), then one per PCC rule that references
 * one and has a flow description (a Monitoring Key: URR 2, 3, ...).
 */
export function usageMonitoringOf(decision: unknown): UsageMonitoring[] {
  const d = (decision ?? {}) as Decision;
  const umDecs = d.umDecs ?? {};
  const out: UsageMonitoring[] = [];
  for (const rule of Object.values(d.sessRules ?? {})) {
    const umId = rule?.refUmData;
    const um = typeof umId === 'string' ? umDecs[umId] : undefined;
    if (um && typeof umId === 'string' && !out.length) out.push({ umId, urrId: URR_SESSION, ...opt(threshold(um)) });
  }
  for (const rule of Object.values(d.pccRules ?? {})) {
    const umId = Array.isArray(rule?.refUmData) ? rule.refUmData[0] : undefined;
    const um = typeof umId === 'string' ? umDecs[umId] : undefined;
    const flow = Array.isArray(rule?.flowInfos) ? (rule.flowInfos[0] as { flowDescription?: unknown } | undefined)?.flowDescription : undefined;
    if (!um || typeof umId !== 'string' || typeof flow !== 'string' || out.some((u) => u.umId === umId)) continue;
    out.push({ umId, urrId: URR_SESSION + 1 + out.filter((u) => u.flow).length, ...opt(threshold(um)), flow: { flowDescription: flow, precedence: typeof rule?.precedence === 'number' ? rule.precedence : 100 } });
  }
  return out;
}

const opt = (v: number | undefined) => (v === undefined ? {} : { volumeThresholdOctets: v });

/** What the N4 Session Establishment carries of the usage monitoring: the session URR's threshold, the keys' URRs and PDRs. */
export function n4UsageMonitoring(ums: readonly UsageMonitoring[] | undefined): { volumeThresholdOctets?: number; monitoredFlows?: MonitoredFlowSpec[] } {
  if (!ums?.length) return {};
  const session = ums.find((u) => !u.flow);
  const flows = ums.filter((u) => u.flow).map((u): MonitoredFlowSpec => ({ urrId: u.urrId, flowDescription: u.flow!.flowDescription, precedence: u.flow!.precedence, ...opt(u.volumeThresholdOctets) }));
  return { ...(session?.volumeThresholdOctets !== undefined ? { volumeThresholdOctets: session.volumeThresholdOctets } : {}), ...(flows.length ? { monitoredFlows: flows } : {}) };
}

/**
 * What the PCF's answer decides for monitoring key `umId`: a new volume threshold, `null` when
 * the monitoring is removed, undefined when the answer says nothing about it.
 */
export function thresholdChangeOf(decision: unknown, umId: string): number | null | undefined {
  const umDecs = (decision as { umDecs?: UmDecs } | undefined)?.umDecs;
  if (!umDecs || !(umId in umDecs)) return undefined;
  const d = umDecs[umId];
  if (d === null) return null;
  return threshold(d);
}

/** TS 29.512 AccuUsageReport of one URR's Usage Report, for the UsageMonitoringData `umId`. */
export function accuUsageReport(umId: string, r: UrrUsageReport) {
  return { refUmIds: umId, volUsage: r.uplinkOctets + r.downlinkOctets, volUsageUplink: r.uplinkOctets, volUsageDownlink: r.downlinkOctets, timeUsage: r.durationSeconds };
}

/**
 * TS 23.502 4.16.6 step 2 (SmPolicyDeleteData.accuUsageReports): the final usage of each URR, per
 * key; the session URR's under the session's UsageMonData (`<dnn>:<s-nssai>`) when the PCF
 * installed no session-level monitoring.
 */
export function finalUsageReports(ctx: SmContext, reports: readonly UrrUsageReport[]) {
  return reports.flatMap((r) => {
    const umId = ctx.usageMonitoring?.find((u) => u.urrId === r.urrId)?.umId ?? (r.urrId === URR_SESSION ? `${ctx.dnn}:${snssaiKey(ctx.snssai)}` : undefined);
    return umId ? [accuUsageReport(umId, r)] : [];
  });
}

/**
 * TS 23.502 4.16.5.1 step 1: the usage the UPF reported, one report per key, to the PCF (policy
 * control request trigger US_RE); step 2: the PCF's new thresholds (or removals) enforced at the
 * UPF in one Session Modification Request.
 */
export async function reportUsage(smf: Smf, ctx: SmContext, reports: readonly UrrUsageReport[]): Promise<void> {
  const ums = ctx.usageMonitoring;
  if (ctx.state !== 'active' || !ctx.smPolicyUri || !ums?.length) return;
  const reported = reports.flatMap((r) => {
    const um = ums.find((u) => u.urrId === r.urrId);
    return um ? [{ um, report: r }] : [];
  });
  if (!reported.length) return;
  const answer = await smf.npcf.smPolicyControl.update(ctx.smPolicyUri, {
    repPolicyCtrlReqTriggers: ['US_RE'],
    accuUsageReports: reported.map(({ um, report }) => accuUsageReport(um.umId, report)),
  }, { step: '4.16.5.1 step 1' });
  await enforceUsageDecision(smf, ctx, answer.body, USAGE_REARM_STEP);
}

/**
 * The usage monitoring of a PCF decision enforced at the UPF (one Session Modification Request
 * with an Update URR per key the decision names: a new threshold, or VOLTH off for null): the
 * answer to a usage report (4.16.5.1 step 2) or the PCF's own update notification (4.16.5.2).
 * Resolves with the number of URRs updated.
 */
export async function enforceUsageDecision(smf: Smf, ctx: SmContext, decision: unknown, step: string): Promise<number> {
  const ums = ctx.usageMonitoring ?? [];
  const updates: UrrThresholdUpdate[] = [];
  const changes: [UsageMonitoring, number | null][] = [];
  for (const um of ums) {
    const change = thresholdChangeOf(decision, um.umId);
    if (change === undefined) continue;
    changes.push([um, change]);
    updates.push({ urrId: um.urrId, ...(change === null ? {} : { volumeThresholdOctets: change }) });
  }
  if (!updates.length || ctx.state !== 'active' || !ctx.n4 || !smf.n4.updateUrrs) return 0;
  await smf.n4.updateUrrs(ctx.n4.upSeid, updates, step);
  // a key no longer monitored (null) reports nothing more: VOLTH is off; its URR still measures for the final report
  for (const [um, change] of changes) {
    if (change === null) delete um.volumeThresholdOctets;
    else um.volumeThresholdOctets = change;
  }
  return updates.length;
}

/** The UPF's usage reports for the session with CP SEID `cpSeid` (unknown or gone: nothing to report). */
export function usageReported(smf: Smf, cpSeid: bigint, reports: UrrUsageReport[], log?: (line: string) => void): void {
  const ctx = [...smf.contexts.values()].find((c) => c.cpSeid !== undefined && BigInt(c.cpSeid) === cpSeid);
  if (!ctx) return;
  reportUsage(smf, ctx, reports).catch((e: unknown) => log?.(`[SMF] usage report of PDU session ${ctx.pduSessionId} of ${ctx.supi} to the PCF failed: ${e instanceof Error ? e.message : String(e)}`));
}
