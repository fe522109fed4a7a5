// The packets the control word sends off the fast path (datapath.ts), and the reports they and
// the clock cause (TS 29.244 5.2.1-5.2.4): gates and used-up quotas drop, MBR token buckets,
// volume thresholds and quotas checked per packet, outer header creation, buffering with the
// Downlink Data Report (TS 23.501 5.8.3), and on the data path's tick the time-based URR
// triggers and delayed reports.

import { writeGpduHeaderWithQfi, writeGpduHeader } from '../../codecs/gtpu/view.ts';
import { Ctl, FarAction, type PdrState, type SessionState } from './tables.ts';
import { RECORD, ROW } from './flat.ts';
import { reportAndReset, volumeTrigger, timeTrigger, type UrrReport } from './usage.ts';
import { markObjects, refreshObjects } from './teardown.ts';
import type { UpfDatapath, DatapathVerdict as Verdict } from './datapath.ts';

const GATE_OR_QUOTA = Ctl.GATE_CLOSED | Ctl.QUOTA_EXHAUSTED;
const SLOW = Ctl.SLOW, OHC = Ctl.OHC, MARK = Ctl.MARK, CLASSIFY = Ctl.CLASSIFY, QUOTA_EXHAUSTED = Ctl.QUOTA_EXHAUSTED;
const FORW = FarAction.FORW, BUFF = FarAction.BUFF, NOCP = FarAction.NOCP, DROP = FarAction.DROP;
/** DatapathVerdict values (datapath.ts; repeated here to keep the import one-way). */
const FORWARDED = 0 as Verdict, DROPPED_BY_FAR = 1 as Verdict, BUFFERED = 2 as Verdict, DROPPED_BY_QER = 7 as Verdict;
/** Room in front of a buffered packet for its GTP-U header (datapath.ts DOWNLINK_HEADROOM). */
const HEADROOM = 16;

/** Gates, quotas, MBR, per-packet usage checks, buffering, outer header creation (5.2.1-5.2.4). */
export function slowPath(dp: UpfDatapath, pdr: PdrState, ctl: number, b: Uint8Array, start: number, end: number, floor: number): Verdict {
  const length = end - start;
  if (ctl & GATE_OR_QUOTA) return drop(dp, pdr, DROPPED_BY_QER);
  const action = ctl & 0xff;
  if (action & FORW) {
    if (ctl & SLOW) {
      const now = dp.now();
      for (const q of pdr.qers) if (q.limits && !q.conform(pdr.uplink, length, now)) return drop(dp, pdr, DROPPED_BY_QER);
    }
    if (!(ctl & OHC) && !pdr.uplink) return drop(dp, pdr, DROPPED_BY_FAR); // N6 back to N6
    dp.flat.count(pdr.slot, length); // the counts word (flat.ts), spilled before it carries over; stats.forwarded reads it
    if (ctl & SLOW) checkVolume(dp, pdr);
    if (ctl & OHC) sendTunnel(dp, pdr, ctl, b, start, end, floor);
    else dp.sinks.toN6(b, start, end, pdr.slot);
    return FORWARDED;
  }
  if (action & BUFF) return buffer(dp, pdr, b, start, end);
  return drop(dp, pdr, DROPPED_BY_FAR);
}

function drop(dp: UpfDatapath, pdr: PdrState, verdict: Verdict): Verdict {
  dp.flat.row[pdr.session.index * ROW + 3]++;
  if (verdict === DROPPED_BY_QER) dp.stats.droppedByQer++;
  else dp.stats.droppedByFar++;
  return verdict;
}

/** Outer Header Creation (5.2.3, 8.2.56): GTP-U towards the FAR's peer, written in place when there is room. */
function sendTunnel(dp: UpfDatapath, pdr: PdrState, ctl: number, b: Uint8Array, start: number, end: number, floor: number): void {
  const t = pdr.far.spec.tunnel!;
  const header = ctl & MARK ? 16 : 8;
  const length = end - start;
  let buf = b, at = start - header;
  if (at < floor) {
    buf = new Uint8Array(header + length);
    buf.set(b.subarray(start, end), header);
    at = 0;
  }
  if (ctl & MARK) writeGpduHeaderWithQfi(buf, at, t.teid, pdr.uplink ? 1 : 0, (ctl >>> 23) & 63, length);
  else writeGpduHeader(buf, at, t.teid, length);
  dp.sinks.toN3(buf.subarray(at, at + header + length), pdr.far.peer!);
}

/** BUFF (5.2.4, TS 23.501 5.8.3): keep a copy; NOCP asks for a Downlink Data Report (once, after the BAR's delay). */
function buffer(dp: UpfDatapath, pdr: PdrState, b: Uint8Array, start: number, end: number): Verdict {
  const s = pdr.session;
  const limit = s.bar?.suggestedPacketCount || dp.bufferLimit;
  if (s.buffered.length >= limit) {
    dp.stats.bufferDiscarded++;
    return drop(dp, pdr, DROPPED_BY_FAR);
  }
  const copy = new Uint8Array(HEADROOM + end - start);
  copy.set(b.subarray(start, end), HEADROOM);
  s.buffered.push({ pdr, bytes: copy });
  markObjects(dp, s);
  dp.stats.buffered++;
  if (pdr.far.spec.action & NOCP && !s.ddrSent) {
    s.ddrSent = true;
    s.ddrPdr = pdr;
    const delay = (s.bar?.notificationDelay ?? 0) * 0.05; // 8.2.28: units of 50 ms
    if (delay > 0) {
      s.ddrDueAt = dp.now() + delay;
      setTimed(dp, s);
    } else {
      sendDownlinkDataReport(dp, s, pdr);
    }
  }
  return BUFFERED;
}

function sendDownlinkDataReport(dp: UpfDatapath, s: SessionState, pdr: PdrState): void {
  dp.stats.reports++;
  dp.sinks.report?.(s.seid, { downlinkData: { pdrId: pdr.spec.id, qfi: pdr.markQfi >= 0 ? pdr.markQfi : undefined } });
}

/** After a FAR change: forward what the FAR now forwards, keep what it still buffers, discard the rest. */
export function flushBuffer(dp: UpfDatapath, s: SessionState): void {
  if (!s.buffered.length) return;
  const queued = s.buffered;
  s.buffered = [];
  for (const x of queued) {
    const ctl = x.pdr.session === s && dp.pdrAt(x.pdr.slot) === x.pdr ? dp.hot[x.pdr.slot * RECORD] & ~CLASSIFY : DROP;
    if (ctl & BUFF) s.buffered.push(x);
    else if (ctl & FORW) slowPath(dp, x.pdr, ctl, x.bytes, HEADROOM, x.bytes.length, 0);
    else {
      dp.flat.row[s.index * ROW + 3]++;
      dp.stats.bufferDiscarded++;
    }
  }
  refreshObjects(dp, s);
}

/** DROBU (TS 29.244 8.2.31): what is buffered is discarded and counted. */
export function discardBuffer(dp: UpfDatapath, s: SessionState): void {
  if (!s.buffered.length) return;
  dp.flat.row[s.index * ROW + 3] += s.buffered.length;
  dp.stats.bufferDiscarded += s.buffered.length;
  s.buffered = [];
  refreshObjects(dp, s);
}

function checkVolume(dp: UpfDatapath, pdr: PdrState): void {
  let reports: UrrReport[] | undefined;
  let exhausted = false;
  const dropped = dp.flat.row[pdr.session.index * ROW + 3];
  for (const u of pdr.urrs) {
    if (!u.volumeChecked) continue;
    const was = u.exhausted;
    const trigger = volumeTrigger(u);
    if (u.exhausted && !was) exhausted = true;
    if (trigger) (reports ??= []).push(reportAndReset(u, trigger, dp.now(), dropped));
  }
  if (exhausted) refreshQuotaBits(dp, pdr.session);
  if (reports) emitUsage(dp, pdr.session, reports);
}

function emitUsage(dp: UpfDatapath, s: SessionState, usage: UrrReport[]): void {
  dp.stats.reports++;
  dp.sinks.report?.(s.seid, { usage });
}

/** A used-up quota stops the linked PDRs (5.2.2.2.1); a new quota starts them again. */
export function refreshQuotaBits(dp: UpfDatapath, s: SessionState): void {
  for (const p of s.pdrs) {
    const k = p.slot * RECORD;
    const ex = p.urrs.some((u) => u.exhausted);
    dp.hot[k] = ex ? dp.hot[k] | QUOTA_EXHAUSTED : dp.hot[k] & ~QUOTA_EXHAUSTED;
  }
}

export function setTimed(dp: UpfDatapath, s: SessionState): void {
  if (!s.timed) {
    s.timed = true;
    dp.timedSessions.add(s);
    markObjects(dp, s);
  }
}

/** The time-based URR triggers (PERIO, TIMTH, TIMQU) and delayed Downlink Data Reports at `now`. */
export function tickSessions(dp: UpfDatapath, now: number): void {
  for (const s of dp.timedSessions) {
    if (s.ddrDueAt && now >= s.ddrDueAt) {
      s.ddrDueAt = 0;
      if (s.ddrPdr) sendDownlinkDataReport(dp, s, s.ddrPdr);
    }
    let reports: UrrReport[] | undefined;
    let exhausted = false;
    let stillTimed = s.ddrDueAt !== 0;
    const dropped = dp.flat.row[s.index * ROW + 3];
    for (const u of s.urrs) {
      if (!u.timed) continue;
      stillTimed = true;
      const was = u.exhausted;
      const trigger = timeTrigger(u, now);
      if (u.exhausted && !was) exhausted = true;
      if (trigger) (reports ??= []).push(reportAndReset(u, trigger, now, dropped));
    }
    if (exhausted) refreshQuotaBits(dp, s);
    if (reports) emitUsage(dp, s, reports);
    if (!stillTimed) {
      s.timed = false;
      dp.timedSessions.delete(s);
      refreshObjects(dp, s);
    }
  }
}
