// Usage Reporting Rules (TS 29.244 5.2.2) and QoS Enforcement Rules (5.2.1.11 / TS 23.501
// 5.7.1.8) of one session, off the per-packet fast path.
//
// Volumes are counted per PDR in the data path's hot table (two additions per packet); a URR's
// measurement is the sum, over the PDRs linked to it, of what each counted since the URR last
// reported (a base per link, in the PDR's cold record), plus what PDRs that have since been
// removed or unlinked counted (carried, in the URR's record; flat.ts). So counting costs the same whatever the number of URRs, and a report is a short loop.
// Thresholds and quotas on volume are checked per packet only for the PDRs whose URRs have them;
// time thresholds, time quotas and measurement periods are checked on the data path's tick.

import type { UrrSpec, QerSpec, VolumeSpec } from './rules.ts';
import { UsageReportTrigger, ReportingTrigger, MeasurementMethod } from '../../codecs/pfcp/index.ts';
import { URR_RECORD, type FlatTables } from './flat.ts';

export interface UsageReport {
  /** UR-SEQN (TS 29.244 8.2.42). */
  urSeqn: number;
  /** Seconds on the data path's clock. */
  startTime: number;
  endTime: number;
  uplinkOctets: number;
  downlinkOctets: number;
  uplinkPackets: number;
  downlinkPackets: number;
  /** Duration measurement in seconds (TS 29.244 8.2.40). */
  durationSeconds: number;
  /** Packets the session's rules dropped or discarded from the buffer, for the run summary. */
  droppedPackets: number;
}

/** A URR's report as the UPF sends it: which URR, and why (Usage Report Trigger 8.2.41). */
export interface UrrReport extends UsageReport {
  urrId: number;
  trigger: number;
}

/** A PDR as the usage and QoS rules see it: where its counters live and which way it carries. */
export interface CountedPdr {
  slot: number;
  uplink: boolean;
}

export interface Measurement {
  ulOctets: number;
  ulPackets: number;
  dlOctets: number;
  dlPackets: number;
}

/**
 * A URR's rule and quota state. Its measurement — start, UR-SEQN, what removed links counted —
 * lives in its record of the flat tables (flat.ts), as does each linked PDR's base count, so that
 * N4 Session Deletion reads them without visiting this object.
 */
export class UrrState {
  spec: UrrSpec;
  readonly slot: number;
  readonly flat: FlatTables;
  /** The PDRs linked to this URR (their cold records hold the link's base counts). */
  pdrs: CountedPdr[] = [];
  /** Start of the current time quota. */
  quotaStartTime: number;
  /** Volume consumed against the current quota before the current measurement began. */
  quotaUsedUl = 0;
  quotaUsedDl = 0;
  /** The quota is used up: the linked PDRs drop (5.2.2.2.1). */
  exhausted = false;
  /** Volume threshold or quota: the linked PDRs check after each packet. */
  volumeChecked = false;
  /** Period, time threshold or time quota: checked on the tick. */
  timed = false;

  constructor(spec: UrrSpec, slot: number, flat: FlatTables, now: number) {
    this.spec = spec;
    this.slot = slot;
    this.flat = flat;
    this.quotaStartTime = now;
    flat.clearUrr(slot, spec.id, measuresVolume(spec), now);
    this.setSpec(spec, now);
  }

  /** Start of the current measurement (the last report). */
  get startTime(): number {
    return this.flat.urr[this.slot * URR_RECORD];
  }

  setSpec(spec: UrrSpec, now: number): void {
    const quotaChanged = spec.volumeQuota !== this.spec.volumeQuota || spec.timeQuota !== this.spec.timeQuota;
    this.spec = spec;
    this.flat.urr[this.slot * URR_RECORD + 6] = spec.id * 2 + (measuresVolume(spec) ? 1 : 0);
    if (quotaChanged) {
      // a new quota counts from now (5.2.2.2.1)
      this.quotaUsedUl = this.quotaUsedDl = 0;
      this.quotaStartTime = now;
      this.exhausted = false;
    }
    this.volumeChecked = spec.volumeThreshold !== undefined || spec.volumeQuota !== undefined;
    this.timed = spec.measurementPeriod !== undefined || spec.timeThreshold !== undefined || spec.timeQuota !== undefined;
  }
}

const measuresVolume = (spec: UrrSpec): boolean => (spec.method & MeasurementMethod.VOLUM) !== 0 || spec.method === 0;

export function measure(u: UrrState, into: Measurement = { ulOctets: 0, ulPackets: 0, dlOctets: 0, dlPackets: 0 }): Measurement {
  const f = u.flat, r = u.slot * URR_RECORD;
  let ulOctets = f.urr[r + 2], ulPackets = f.urr[r + 3], dlOctets = f.urr[r + 4], dlPackets = f.urr[r + 5];
  const pdrs = u.pdrs;
  for (let i = 0; i < pdrs.length; i++) {
    const p = pdrs[i];
    const l = f.link(p.slot, u.slot);
    const o = f.octets(p.slot) - f.cold[l + 1];
    const n = f.packets(p.slot) - f.cold[l + 2];
    if (p.uplink) {
      ulOctets += o;
      ulPackets += n;
    } else {
      dlOctets += o;
      dlPackets += n;
    }
  }
  into.ulOctets = ulOctets;
  into.ulPackets = ulPackets;
  into.dlOctets = dlOctets;
  into.dlPackets = dlPackets;
  return into;
}

/** Scratch for measurements that are read at once (no allocation per packet or report). */
const scratch: Measurement = { ulOctets: 0, ulPackets: 0, dlOctets: 0, dlPackets: 0 };

/** A Usage Report from a URR record whose links are all folded (N4 Session Deletion, flat.ts). */
export function finalReport(f: FlatTables, urrSlot: number, now: number, dropped: number): UrrReport {
  const r = urrSlot * URR_RECORD, u = f.urr;
  const volume = u[r + 6] % 2 === 1;
  const start = u[r];
  return {
    urrId: Math.floor(u[r + 6] / 2),
    trigger: UsageReportTrigger.TERMR,
    urSeqn: u[r + 1],
    startTime: start,
    endTime: now,
    uplinkOctets: volume ? u[r + 2] : 0,
    downlinkOctets: volume ? u[r + 4] : 0,
    uplinkPackets: volume ? u[r + 3] : 0,
    downlinkPackets: volume ? u[r + 5] : 0,
    durationSeconds: Math.max(0, Math.round(now - start)),
    droppedPackets: dropped,
  };
}

/**
 * Builds a Usage Report and restarts the measurement (5.2.2.3.1); `final` for the last report of a
 * URR that goes (nothing to restart).
 */
export function reportAndReset(u: UrrState, trigger: number, now: number, dropped: number, final = false): UrrReport {
  const m = measure(u, scratch);
  const volume = measuresVolume(u.spec);
  const f = u.flat, k = u.slot * URR_RECORD;
  const r: UrrReport = {
    urrId: u.spec.id,
    trigger,
    urSeqn: f.urr[k + 1]++,
    startTime: f.urr[k],
    endTime: now,
    uplinkOctets: volume ? m.ulOctets : 0,
    downlinkOctets: volume ? m.dlOctets : 0,
    uplinkPackets: volume ? m.ulPackets : 0,
    downlinkPackets: volume ? m.dlPackets : 0,
    durationSeconds: Math.max(0, Math.round(now - f.urr[k])),
    droppedPackets: dropped,
  };
  if (final) return r;
  u.quotaUsedUl += m.ulOctets;
  u.quotaUsedDl += m.dlOctets;
  for (const p of u.pdrs) {
    const l = f.link(p.slot, u.slot);
    f.cold[l + 1] = f.octets(p.slot);
    f.cold[l + 2] = f.packets(p.slot);
  }
  f.urr[k + 2] = f.urr[k + 3] = f.urr[k + 4] = f.urr[k + 5] = 0;
  f.urr[k] = now;
  return r;
}

function reached(v: VolumeSpec, ul: number, dl: number): boolean {
  return (v.total !== undefined && ul + dl >= v.total) || (v.uplink !== undefined && ul >= v.uplink) || (v.downlink !== undefined && dl >= v.downlink);
}

/**
 * Volume threshold (VOLTH) and quota (VOLQU) of a URR after a packet: the trigger to report
 * with, or 0. A used-up quota marks the URR exhausted whether or not VOLQU asks for a report.
 */
export function volumeTrigger(u: UrrState): number {
  const m = measure(u, scratch);
  let trigger = 0;
  if (u.spec.volumeQuota && !u.exhausted && reached(u.spec.volumeQuota, u.quotaUsedUl + m.ulOctets, u.quotaUsedDl + m.dlOctets)) {
    u.exhausted = true;
    if (u.spec.triggers & ReportingTrigger.VOLQU) trigger |= UsageReportTrigger.VOLQU;
  }
  if (u.spec.volumeThreshold && u.spec.triggers & ReportingTrigger.VOLTH && reached(u.spec.volumeThreshold, m.ulOctets, m.dlOctets)) trigger |= UsageReportTrigger.VOLTH;
  return trigger;
}

/** Periodic (PERIO), time threshold (TIMTH) and time quota (TIMQU) at `now`: the trigger, or 0. */
export function timeTrigger(u: UrrState, now: number): number {
  const s = u.spec;
  let trigger = 0;
  const start = u.startTime;
  if (s.triggers & ReportingTrigger.PERIO && s.measurementPeriod && now - start >= s.measurementPeriod) trigger |= UsageReportTrigger.PERIO;
  if (s.triggers & ReportingTrigger.TIMTH && s.timeThreshold !== undefined && now - start >= s.timeThreshold) trigger |= UsageReportTrigger.TIMTH;
  if (s.timeQuota !== undefined && !u.exhausted && now - u.quotaStartTime >= s.timeQuota) {
    u.exhausted = true;
    if (s.triggers & ReportingTrigger.TIMQU) trigger |= UsageReportTrigger.TIMQU;
  }
  return trigger;
}

/**
 * A QER's rate limiter: one token bucket per direction in octets, refilled at the MBR from the
 * data path's (injectable) clock, as deep as 100 ms at that rate (at least two full-size
 * packets). GBR is checked against MBR when the QER is created; this UPF has no contention to
 * schedule, so a GBR flow is served like any other under its MBR.
 */
export class QerState {
  spec: QerSpec;
  ulRate = 0;
  dlRate = 0;
  ulDepth = 0;
  dlDepth = 0;
  ulTokens = 0;
  dlTokens = 0;
  at: number;

  constructor(spec: QerSpec, now: number) {
    this.spec = spec;
    this.at = now;
    this.setSpec(spec);
    this.ulTokens = this.ulDepth;
    this.dlTokens = this.dlDepth;
  }

  setSpec(spec: QerSpec): void {
    this.spec = spec;
    this.ulRate = spec.mbrUl !== undefined ? (spec.mbrUl * 1000) / 8 : 0;
    this.dlRate = spec.mbrDl !== undefined ? (spec.mbrDl * 1000) / 8 : 0;
    this.ulDepth = Math.max(this.ulRate * 0.1, 3000);
    this.dlDepth = Math.max(this.dlRate * 0.1, 3000);
    this.ulTokens = Math.min(this.ulTokens, this.ulDepth);
    this.dlTokens = Math.min(this.dlTokens, this.dlDepth);
  }

  get limits(): boolean {
    return this.spec.mbrUl !== undefined || this.spec.mbrDl !== undefined;
  }

  /** Takes `octets` from the direction's bucket; false when the packet exceeds the MBR. */
  conform(uplink: boolean, octets: number, now: number): boolean {
    const dt = now - this.at;
    if (dt > 0) {
      this.ulTokens = Math.min(this.ulDepth, this.ulTokens + dt * this.ulRate);
      this.dlTokens = Math.min(this.dlDepth, this.dlTokens + dt * this.dlRate);
      this.at = now;
    }
    if (uplink) {
      if (this.spec.mbrUl === undefined) return true;
      if (this.ulTokens < octets) return false;
      this.ulTokens -= octets;
    } else {
      if (this.spec.mbrDl === undefined) return true;
      if (this.dlTokens < octets) return false;
      this.dlTokens -= octets;
    }
    return true;
  }
}
