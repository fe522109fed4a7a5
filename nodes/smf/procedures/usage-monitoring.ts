// Usage monitoring, the SMF's side (TS 23.503 6.2.2.3; TS 29.512 4.2.2.10 and 4.2.4.x with the
// policy control request trigger US_RE): the PCF's usage monitoring decision (a volume threshold
// per session, from the subscriber's remaining allowed usage) becomes the threshold of the
// session's PFCP URR (TS 29.244 5.2.2.2, VOLTH); when the UPF reports that it was reached
// (Session Report Request with a Usage Report, 7.5.8), the SMF reports the usage to the PCF by
// Npcf_SMPolicyControl_Update (TS 23.502 4.16.5.1, SMF-initiated SM Policy Association
// Modification, step 1). The PCF deducts it and answers (step 2):
//   - usage left: a new threshold in umDecs, which the SMF installs at the UPF (PFCP Session
//     Modification Request with Update URR, TS 29.244 7.5.4.4): usage monitoring re-armed;
//   - the monitoring key's UsageMonitoringData set to null (TS 29.512 5.6.2.12, removal): the
//     SMF turns VOLTH off in the URR and reports no more on it;
//   - nothing about the key: the URR keeps its threshold (TS 29.244 5.2.2.3.1: the UPF measures
//     anew from the report), e.g. when nothing is left and the PCF terminates the association
//     (4.16.6 case A follows).

import type { UsageReport } from '../../upf/datapath.ts';
import { URR_SESSION } from '../../../codecs/pfcp/index.ts';
import type { Smf, SmContext } from '../context.ts';

/** The TS 23.502 step of the URR update that enforces the PCF's answer. */
export const USAGE_REARM_STEP = '4.16.5.1 step 2';

type UmDecs = Record<string, { umId?: unknown; volumeThreshold?: unknown } | null>;

/** The session-level usage monitoring decision of an SmPolicyDecision (umDecs with a volume threshold), if any. */
export function usageMonitoringOf(decision: unknown): { umId: string; volumeThresholdOctets: number } | undefined {
  const umDecs = (decision as { umDecs?: UmDecs } | undefined)?.umDecs ?? {};
  for (const [umId, d] of Object.entries(umDecs)) {
    if (d && typeof d.volumeThreshold === 'number' && Number.isInteger(d.volumeThreshold) && d.volumeThreshold >= 0) return { umId: typeof d.umId === 'string' ? d.umId : umId, volumeThresholdOctets: d.volumeThreshold };
  }
  return undefined;
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
  return typeof d.volumeThreshold === 'number' && Number.isInteger(d.volumeThreshold) && d.volumeThreshold >= 0 ? d.volumeThreshold : undefined;
}

/**
 * TS 23.502 4.16.5.1 step 1: the usage the UPF reported, to the PCF (policy control request
 * trigger US_RE); step 2: the PCF's new threshold (or removal) enforced at the UPF.
 */
export async function reportUsage(smf: Smf, ctx: SmContext, report: UsageReport): Promise<void> {
  const um = ctx.usageMonitoring;
  if (ctx.state !== 'active' || !ctx.smPolicyUri || !um) return;
  const answer = await smf.npcf.smPolicyControl.update(ctx.smPolicyUri, {
    repPolicyCtrlReqTriggers: ['US_RE'],
    accuUsageReports: [{ refUmIds: um.umId, volUsage: report.uplinkOctets + report.downlinkOctets, volUsageUplink: report.uplinkOctets, volUsageDownlink: report.downlinkOctets, timeUsage: report.durationSeconds }],
  }, { step: '4.16.5.1 step 1' });
  const change = thresholdChangeOf(answer.body, um.umId);
  if (change === undefined || ctx.state !== 'active' || !ctx.n4 || !smf.n4.updateUrrs) return;
  await smf.n4.updateUrrs(ctx.n4.upSeid, [{ urrId: URR_SESSION, ...(change === null ? {} : { volumeThresholdOctets: change }) }], USAGE_REARM_STEP);
  if (change === null) ctx.usageMonitoring = undefined;
  else um.volumeThresholdOctets = change;
}

/** The UPF's usage report for the session with CP SEID `cpSeid` (unknown or gone: nothing to report). */
export function usageReported(smf: Smf, cpSeid: bigint, report: UsageReport, log?: (line: string) => void): void {
  const ctx = [...smf.contexts.values()].find((c) => c.cpSeid !== undefined && BigInt(c.cpSeid) === cpSeid);
  if (!ctx) return;
  reportUsage(smf, ctx, report).catch((e: unknown) => log?.(`[SMF] usage report of PDU session ${ctx.pduSessionId} of ${ctx.supi} to the PCF failed: ${e instanceof Error ? e.message : String(e)}`));
}
