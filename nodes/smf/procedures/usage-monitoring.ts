// Usage monitoring, the SMF's side (TS 23.503 6.2.2.3; TS 29.512 4.2.2.10 and 4.2.4.x with the
// policy control request trigger US_RE): the PCF's usage monitoring decision (a volume threshold
// per session, from the subscriber's remaining allowed usage) becomes the threshold of the
// session's PFCP URR (TS 29.244 5.2.2.2, VOLTH); when the UPF reports that it was reached
// (Session Report Request with a Usage Report, 7.5.8), the SMF reports the usage to the PCF by
// Npcf_SMPolicyControl_Update (TS 23.502 4.16.5.1, SMF-initiated SM Policy Association
// Modification). The PCF deducts it and, when nothing is left, terminates the association (4.16.6
// case A). A new threshold in the PCF's answer is not installed at the UPF: the SMF sends no
// PFCP Update URR (the PCF's threshold is the whole remaining usage, so it is reached once).

import type { UsageReport } from '../../upf/datapath.ts';
import type { Smf, SmContext } from '../context.ts';

/** The session-level usage monitoring decision of an SmPolicyDecision (umDecs with a volume threshold), if any. */
export function usageMonitoringOf(decision: unknown): { umId: string; volumeThresholdOctets: number } | undefined {
  const umDecs = (decision as { umDecs?: Record<string, { umId?: unknown; volumeThreshold?: unknown } | null> } | undefined)?.umDecs ?? {};
  for (const [umId, d] of Object.entries(umDecs)) {
    if (d && typeof d.volumeThreshold === 'number' && Number.isInteger(d.volumeThreshold) && d.volumeThreshold >= 0) return { umId: typeof d.umId === 'string' ? d.umId : umId, volumeThresholdOctets: d.volumeThreshold };
  }
  return undefined;
}

/** TS 23.502 4.16.5.1 step 1: the usage the UPF reported, to the PCF (policy control request trigger US_RE). */
export async function reportUsage(smf: Smf, ctx: SmContext, report: UsageReport): Promise<void> {
  if (ctx.state !== 'active' || !ctx.smPolicyUri || !ctx.usageMonitoring) return;
  await smf.npcf.smPolicyControl.update(ctx.smPolicyUri, {
    repPolicyCtrlReqTriggers: ['US_RE'],
    accuUsageReports: [{ refUmIds: ctx.usageMonitoring.umId, volUsage: report.uplinkOctets + report.downlinkOctets, volUsageUplink: report.uplinkOctets, volUsageDownlink: report.downlinkOctets, timeUsage: report.durationSeconds }],
  }, { step: '4.16.5.1 step 1' });
}

/** The UPF's usage report for the session with CP SEID `cpSeid` (unknown or gone: nothing to report). */
export function usageReported(smf: Smf, cpSeid: bigint, report: UsageReport, log?: (line: string) => void): void {
  const ctx = [...smf.contexts.values()].find((c) => c.cpSeid !== undefined && BigInt(c.cpSeid) === cpSeid);
  if (!ctx) return;
  reportUsage(smf, ctx, report).catch((e: unknown) => log?.(`[SMF] usage report of PDU session ${ctx.pduSessionId} of ${ctx.supi} to the PCF failed: ${e instanceof Error ? e.message : String(e)}`));
}
