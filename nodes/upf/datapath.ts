// The UPF user plane (TS 23.501 5.8, TS 29.244 5.2): the packet path over the rule tables of
// tables.ts. A packet is matched to a PDR (5.2.1: by TEID, then QFI, then SDF filter in precedence
// order, or by UE address from N6), and that PDR's FAR, QERs and URRs apply (5.2.1-5.2.4).
//
// - Uplink: the TEID indexes the hot record directly when the UPF chose it; one masked compare of
//   the control word says "forward to N6 and count", which is the common case.
// - A packet for a TEID that has no PDR is dropped at the cost of forwarding and answered with a
//   GTP-U Error Indication (TS 29.281 7.3.1), rate limited per peer by a token bucket.
// - Session deletion (TS 23.502 4.2.2.3.2 step 3a) returns slots, TEIDs and the UE address to
//   their tables and yields each URR's final report: the same work whatever the table size.

import { readGpdu, newGpduView, GpduStatus, writeGpduHeaderWithQfi, writeGpduHeader } from '../../codecs/gtpu/view.ts';
import { GtpuMessageType } from '../../codecs/gtpu/gtpu.ts';
import { UsageReportTrigger } from '../../codecs/pfcp/index.ts';
import { DenseIdPool } from '../common/pools.ts';
import { Ctl, FarAction, SLOW_MASK, RECORD, CLASSIFIER_BLOCK, type PdrState, type SessionState, type TeidEntry, type TunnelPeer } from './tables.ts';
import { reportAndReset, volumeTrigger, timeTrigger, type UrrReport } from './usage.ts';
import { sdfMatches } from './sdf.ts';
import { install, type InstallResult } from './install.ts';
import type { RuleSet } from './rules.ts';

export { FarAction, type TunnelPeer } from './tables.ts';

// Module-local bindings of everything the packet path reads: under a loader that compiles imports
// to getters (tsx), each `Ctl.X` in the loop would be a call.
const ANCHOR = Ctl.ANCHOR, CLASSIFY = Ctl.CLASSIFY, QFI_COND = Ctl.QFI_COND, UE_COND = Ctl.UE_COND, MARK = Ctl.MARK, OHC = Ctl.OHC, SLOW = Ctl.SLOW;
const GATE_OR_QUOTA = Ctl.GATE_CLOSED | Ctl.QUOTA_EXHAUSTED;
const FAST = SLOW_MASK, REC = RECORD, FORW = FarAction.FORW, BUFF = FarAction.BUFF, NOCP = FarAction.NOCP;
const QUOTA_EXHAUSTED = Ctl.QUOTA_EXHAUSTED, DROP = FarAction.DROP;
const CLS = CLASSIFIER_BLOCK;
const G_PDU = GtpuMessageType.GPdu, GPDU_OK = GpduStatus.OK;
const readHeader = readGpdu, matches = sdfMatches, headerWithQfi = writeGpduHeaderWithQfi, plainHeader = writeGpduHeader;
export type { UsageReport, UrrReport } from './usage.ts';
export type { CreatedPdr, InstallResult } from './install.ts';

export interface DatapathOptions {
  /** Sessions the tables hold. */
  capacity: number;
  /** PDRs the tables hold (default 2 per session); UPF-chosen TEIDs are 1..pdrCapacity. */
  pdrCapacity?: number;
  /** Packets buffered per session while a FAR says BUFF, unless the BAR suggests a count (TS 23.501 5.8.3). */
  bufferLimit?: number;
  /** Error Indications per second per peer (token bucket refill) and burst. */
  errorIndicationRate?: number;
  errorIndicationBurst?: number;
  /** Seconds clock for usage reports, token buckets and rate limiting (injectable). */
  now?: () => number;
}

/** What the UPF reports to the SMF in a Session Report Request (TS 29.244 7.5.8). */
export type SessionReport = { usage: UrrReport[] } | { downlinkData: { pdrId: number; qfi: number | undefined } };

export interface DatapathSinks {
  /** An uplink T-PDU leaving on N6: `b[start, end)` of the received datagram (copy to keep it). */
  toN6(b: Uint8Array, start: number, end: number, slot: number): void;
  /** A G-PDU (or End Marker) for a GTP-U peer: the gNB, an N9 peer or the CP function. */
  toN3(datagram: Uint8Array, peer: TunnelPeer): void;
  /** A GTP-U Error Indication is due for `teid` towards `peer` (already rate limited). */
  errorIndication(teid: number, peer: TunnelPeer): void;
  /** A Session Report Request is due (usage threshold, quota, period; or downlink data). */
  report?(seid: bigint, report: SessionReport): void;
}

export const DatapathVerdict = {
  FORWARDED: 0,
  DROPPED_BY_FAR: 1,
  BUFFERED: 2,
  NO_SESSION: 3,
  MALFORMED: 4,
  NOT_GPDU: 5,
  NO_MATCHING_PDR: 6,
  DROPPED_BY_QER: 7,
} as const;
export type DatapathVerdict = (typeof DatapathVerdict)[keyof typeof DatapathVerdict];

/** Room reserved in front of downlink payloads for the GTP-U header with a PDU Session Container. */
export const DOWNLINK_HEADROOM = 16;

export class UpfDatapath {
  readonly capacity: number;
  readonly pdrCapacity: number;
  /** Hot records, RECORD doubles per PDR slot (tables.ts). */
  readonly hot: Float64Array;
  readonly slots: DenseIdPool;
  readonly pdrBySlot: (PdrState | undefined)[];
  /** TEID entry by anchor slot. */
  readonly anchors: (TeidEntry | undefined)[];
  /** Classifier block + 1 by anchor slot (0: none), and the blocks (tables.ts CLASSIFIER_BLOCK). */
  readonly classifierOf: Int32Array;
  classifiers: Int32Array = new Int32Array(CLASSIFIER_BLOCK * 256);
  private readonly freeBlocks: number[] = [];
  private nextBlock = 0;
  /** SMF-assigned TEID -> anchor slot. */
  readonly foreign = new Map<number, number>();
  readonly byUe = new Map<number, SessionState>();
  readonly timedSessions = new Set<SessionState>();
  teidsInUse = 0;
  private readonly sessionsByIndex: (SessionState | undefined)[];
  private readonly seids: DenseIdPool;
  private readonly view = newGpduView();
  readonly bufferLimit: number;
  readonly now: () => number;
  private readonly eiRate: number;
  private readonly eiBurst: number;
  private readonly eiBuckets = new Map<string, { tokens: number; at: number }>();
  private lastBucket: { tokens: number; at: number } | undefined;
  private coarseNow: number;
  private lastPeerAddress = '';
  private lastPeerPort = 0;
  readonly sinks: DatapathSinks;
  /** Counters for the run summary and the ledger. */
  readonly stats = { forwarded: 0, beyondLength: 0, droppedByFar: 0, droppedByQer: 0, droppedNoSession: 0, noMatchingPdr: 0, malformed: 0, buffered: 0, bufferDiscarded: 0, errorIndications: 0, errorIndicationsSuppressed: 0, reports: 0 };

  constructor(opts: DatapathOptions, sinks: DatapathSinks) {
    this.capacity = opts.capacity;
    this.pdrCapacity = opts.pdrCapacity ?? opts.capacity * 2;
    this.hot = new Float64Array(this.pdrCapacity * REC);
    this.slots = new DenseIdPool('UPF PDR slot', this.pdrCapacity, 0);
    this.pdrBySlot = new Array<PdrState | undefined>(this.pdrCapacity);
    this.anchors = new Array<TeidEntry | undefined>(this.pdrCapacity);
    this.classifierOf = new Int32Array(this.pdrCapacity);
    this.seids = new DenseIdPool('UPF UP SEID', this.capacity, 1);
    this.sessionsByIndex = new Array<SessionState | undefined>(this.capacity);
    this.bufferLimit = opts.bufferLimit ?? 64;
    this.now = opts.now ?? (() => Date.now() / 1000);
    this.eiRate = opts.errorIndicationRate ?? 10;
    this.eiBurst = opts.errorIndicationBurst ?? 10;
    this.sinks = sinks;
    this.coarseNow = this.now();
  }

  get sessions(): number {
    return this.seids.inUse;
  }

  get bufferedPackets(): number {
    let n = 0;
    for (const s of this.sessionsByIndex) if (s) n += s.buffered.length;
    return n;
  }

  session(seid: bigint): SessionState | undefined {
    const s = this.sessionsByIndex[Number(seid) - 1];
    return s && s.seid === seid ? s : undefined;
  }

  /** N4 Session Establishment: installs the rules (throws RuleError, nothing installed). */
  establish(rules: RuleSet): InstallResult & { seid: bigint } {
    const seidNumber = this.seids.allocate();
    const s: SessionState = { seid: BigInt(seidNumber), index: seidNumber - 1, pdrs: [], fars: [], qers: [], urrs: [], bar: undefined, entries: [], ueAddresses: [], dlSingle: -1, dlList: [], buffered: [], ddrSent: false, ddrDueAt: 0, ddrPdr: undefined, dropped: 0, timed: false };
    try {
      const r = install(this, s, rules, this.now());
      this.sessionsByIndex[s.index] = s;
      return { ...r, seid: s.seid };
    } catch (e) {
      this.seids.release(seidNumber);
      throw e;
    }
  }

  /** N4 Session Modification: the session's complete new rule set (throws RuleError, nothing changed). */
  modify(seid: bigint, rules: RuleSet): InstallResult | undefined {
    const s = this.session(seid);
    return s ? install(this, s, rules, this.now()) : undefined;
  }

  /** The rules installed in a session, to merge a modification into. */
  rulesOf(seid: bigint): RuleSet | undefined {
    const s = this.session(seid);
    if (!s) return undefined;
    return { pdrs: s.pdrs.map((p) => p.spec), fars: s.fars.map((f) => f.spec), qers: s.qers.map((q) => q.spec), urrs: s.urrs.map((u) => u.spec), ...(s.bar ? { bar: s.bar } : {}) };
  }

  /** Immediate reports (Query URR, 5.2.2.3.1): of `urrIds`, or of every URR. */
  query(seid: bigint, urrIds?: number[]): UrrReport[] {
    const s = this.session(seid);
    if (!s) return [];
    const now = this.now();
    return s.urrs.filter((u) => !urrIds || urrIds.includes(u.spec.id)).map((u) => reportAndReset(u, UsageReportTrigger.IMMER, now, this.hot, s.dropped));
  }

  /**
   * N4 Session Deletion (TS 23.502 4.2.2.3.2 step 3a, TS 29.244 7.5.6): buffered packets
   * discarded and counted, each URR's final report (TERMR), slots, TEIDs, SEID and UE address
   * returned; undefined for an unknown SEID.
   */
  delete(seid: bigint): UrrReport[] | undefined {
    const s = this.session(seid);
    if (!s) return undefined;
    const hot = this.hot;
    if (s.buffered.length) {
      s.dropped += s.buffered.length;
      this.stats.bufferDiscarded += s.buffered.length;
      s.buffered = [];
    }
    const now = this.now();
    const reports: UrrReport[] = [];
    const urrs = s.urrs;
    for (let i = 0; i < urrs.length; i++) reports.push(reportAndReset(urrs[i], UsageReportTrigger.TERMR, now, hot, s.dropped, true));
    const pdrs = s.pdrs;
    for (let i = 0; i < pdrs.length; i++) this.freeSlot(pdrs[i].slot);
    for (const e of s.entries) {
      if (e.smfAssigned) this.foreign.delete(e.teid);
      else if (e.hollow) this.freeSlot(e.anchorSlot);
      this.anchors[e.anchorSlot] = undefined;
      if (e.block >= 0) {
        this.freeBlocks.push(e.block);
        this.classifierOf[e.anchorSlot] = 0;
      }
      this.teidsInUse--;
    }
    for (const a of s.ueAddresses) this.byUe.delete(a);
    if (s.timed) this.timedSessions.delete(s);
    this.sessionsByIndex[s.index] = undefined;
    this.seids.release(s.index + 1);
    return reports;
  }

  freeSlot(slot: number): void {
    const k = slot * REC;
    this.hot[k] = this.hot[k + 1] = this.hot[k + 2] = this.hot[k + 3] = 0;
    this.pdrBySlot[slot] = undefined;
    this.slots.release(slot);
  }

  allocateClassifier(): number {
    const b = this.freeBlocks.pop();
    if (b !== undefined) return b;
    if ((this.nextBlock + 1) * CLS > this.classifiers.length) {
      const grown = new Int32Array(this.classifiers.length * 2);
      grown.set(this.classifiers);
      this.classifiers = grown;
    }
    return this.nextBlock++;
  }

  freeClassifier(block: number): void {
    this.freeBlocks.push(block);
  }

  /** A slot whose TEID (slot + 1) is not one the SMF assigned to another PDR. */
  allocateAnchorSlot(): number {
    const skipped: number[] = [];
    let slot = this.slots.allocate();
    while (this.foreign.has(slot + 1)) {
      skipped.push(slot);
      slot = this.slots.allocate();
    }
    for (const x of skipped) this.slots.release(x);
    return slot;
  }

  /** Whether a TEID already leads to a PDR (the UPF's own or one the SMF assigned). */
  teidInUse(teid: number): boolean {
    return this.foreign.has(teid) || (teid >= 1 && teid <= this.pdrCapacity && (this.hot[(teid - 1) * REC] & ANCHOR) !== 0);
  }

  /**
   * N3/N9 (and CP function) GTP-U in: one received datagram (`b[offset, offset+length)`) from
   * `peer`. Parses the header in place, finds the PDR by TEID (QFI, SDF), applies its rules.
   */
  uplink(b: Uint8Array, offset: number, length: number, peer: TunnelPeer): DatapathVerdict {
    // The two headers a gNB sends, read inline: plain (8 octets) and with one PDU Session
    // Container (16 octets, TS 38.415 5.5.2); anything else through the general reader.
    const flags = length >= 8 ? b[offset] : 0;
    const end = offset + 8 + ((b[offset + 2] << 8) | b[offset + 3]);
    let start: number, qfi: number;
    if (flags === 0x30 && b[offset + 1] === G_PDU && end <= offset + length) {
      start = offset + 8;
      qfi = -1;
    } else if (flags === 0x34 && b[offset + 1] === G_PDU && b[offset + 11] === 0x85 && b[offset + 12] === 1 && b[offset + 15] === 0 && offset + 16 <= end && end <= offset + length) {
      start = offset + 16;
      qfi = b[offset + 14] & 0x3f;
    } else {
      const v = this.view;
      if (readHeader(b, offset, length, v) !== GPDU_OK) {
        this.stats.malformed++;
        return DatapathVerdict.MALFORMED;
      }
      if (v.messageType !== G_PDU) return DatapathVerdict.NOT_GPDU;
      if (v.end !== end) return DatapathVerdict.MALFORMED;
      start = v.payloadOffset;
      qfi = v.qfi;
    }
    // TS 29.281 5.1: the G-PDU ends where its Length field says; octets after it in the datagram
    // are ignored (as other UPFs and Wireshark do) and counted
    if (end !== offset + length) this.stats.beyondLength++;
    const teid = ((b[offset + 4] << 24) | (b[offset + 5] << 16) | (b[offset + 6] << 8) | b[offset + 7]) >>> 0;
    const hot = this.hot;
    let p = teid - 1;
    if (p < 0 || p >= this.pdrCapacity || (hot[p * REC] & ANCHOR) === 0) {
      const f = this.foreign.size === 0 ? undefined : this.foreign.get(teid);
      if (f === undefined) {
        this.stats.droppedNoSession++;
        this.maybeErrorIndication(teid, peer);
        return DatapathVerdict.NO_SESSION;
      }
      p = f;
    }
    let k = p * REC;
    let ctl = hot[k];
    if (ctl & CLASSIFY) {
      // the flat classifier: the packet's QFI (or "any other") -> a PDR, or the precedence walk
      const o = (this.classifierOf[p] - 1) * CLS;
      const t = this.classifiers;
      const q = qfi < 0 ? 64 : qfi;
      const m = t[o];
      let target = 0;
      for (let j = 0; j < m; j++) {
        const x = t[o + 1 + 2 * j];
        if (x === q || x === 64) {
          target = t[o + 2 + 2 * j];
          break;
        }
      }
      p = target > 0 ? target - 1 : target < 0 ? this.classify(this.anchors[p]!, qfi, b, start, end - start) : -1;
      if (p < 0) {
        this.stats.noMatchingPdr++;
        return DatapathVerdict.NO_MATCHING_PDR;
      }
      k = p * REC;
      ctl = hot[k] & ~CLASSIFY;
    }
    if (ctl & (QFI_COND | UE_COND) && ((ctl & QFI_COND && ((ctl >>> 16) & 63) !== qfi) || (ctl & UE_COND && (end - start < 20 || (((b[start + 12] << 24) | (b[start + 13] << 16) | (b[start + 14] << 8) | b[start + 15]) >>> 0) !== hot[k + 3])))) {
      this.stats.noMatchingPdr++;
      return DatapathVerdict.NO_MATCHING_PDR;
    }
    if ((ctl & FAST) === FORW) {
      hot[k + 1] += end - start;
      hot[k + 2]++;
      this.stats.forwarded++;
      this.sinks.toN6(b, start, end, p);
      return DatapathVerdict.FORWARDED;
    }
    return this.slowPath(this.pdrBySlot[p]!, ctl, b, start, end, offset);
  }

  /** The PDR behind a shared TEID: by QFI, then UE address and SDF filter in precedence order. */
  private classify(e: TeidEntry, qfi: number, b: Uint8Array, at: number, length: number): number {
    const list = e.byQfi[qfi < 0 ? 64 : qfi] ?? e.byQfi[64];
    if (!list) return -1;
    for (let i = 0; i < list.length; i++) {
      const pdr = list[i];
      if (this.pdiMatches(pdr, b, at, length)) return pdr.slot;
    }
    return -1;
  }

  private pdiMatches(pdr: PdrState, b: Uint8Array, at: number, length: number): boolean {
    const ue = pdr.spec.ueAddress;
    if (ue !== undefined) {
      if (length < 20) return false;
      const o = pdr.uplink ? at + 12 : at + 16;
      if (((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) !== (ue | 0)) return false;
    }
    const sdf = pdr.spec.sdf;
    if (sdf.length === 0) return true;
    const assigned = (ue ?? pdr.session.ueAddresses[0] ?? 0) | 0; // "assigned" (RFC 6733 4.3): the UE's address
    for (let i = 0; i < sdf.length; i++) if (matches(sdf[i], b, at, length, pdr.uplink, assigned)) return true;
    return false;
  }

  /**
   * N6 in: an IPv4 packet for a UE at `b[payloadAt, payloadAt+length)`, with at least
   * DOWNLINK_HEADROOM writable octets before it for the GTP-U header.
   */
  downlink(b: Uint8Array, payloadAt: number, length: number): DatapathVerdict {
    if (length < 20 || payloadAt < DOWNLINK_HEADROOM) {
      this.stats.malformed++;
      return DatapathVerdict.MALFORMED;
    }
    const dst = ((b[payloadAt + 16] << 24) | (b[payloadAt + 17] << 16) | (b[payloadAt + 18] << 8) | b[payloadAt + 19]) >>> 0;
    const s = this.byUe.get(dst);
    if (s === undefined) {
      this.stats.droppedNoSession++;
      return DatapathVerdict.NO_SESSION;
    }
    let p = s.dlSingle;
    if (p < 0) {
      const list = s.dlList;
      for (let i = 0; i < list.length; i++) {
        if (this.pdiMatches(list[i], b, payloadAt, length)) {
          p = list[i].slot;
          break;
        }
      }
      if (p < 0) {
        this.stats.noMatchingPdr++;
        return DatapathVerdict.NO_MATCHING_PDR;
      }
    }
    const hot = this.hot;
    const k = p * REC;
    const ctl = hot[k];
    if ((ctl & FAST) === (FORW | OHC)) {
      const pdr = this.pdrBySlot[p]!;
      const t = pdr.far.spec.tunnel!;
      let start: number;
      if (ctl & MARK) {
        start = payloadAt - 16;
        headerWithQfi(b, start, t.teid, 0, (ctl >>> 23) & 63, length);
      } else {
        start = payloadAt - 8;
        plainHeader(b, start, t.teid, length);
      }
      hot[k + 1] += length;
      hot[k + 2]++;
      this.stats.forwarded++;
      this.sinks.toN3(b.subarray(start, payloadAt + length), pdr.far.peer!);
      return DatapathVerdict.FORWARDED;
    }
    return this.slowPath(this.pdrBySlot[p]!, ctl, b, payloadAt, payloadAt + length, payloadAt - DOWNLINK_HEADROOM);
  }

  /** Gates, quotas, MBR, per-packet usage checks, buffering, outer header creation (5.2.1-5.2.4). */
  private slowPath(pdr: PdrState, ctl: number, b: Uint8Array, start: number, end: number, floor: number): DatapathVerdict {
    const length = end - start;
    if (ctl & GATE_OR_QUOTA) return this.drop(pdr, DatapathVerdict.DROPPED_BY_QER);
    const action = ctl & 0xff;
    if (action & FORW) {
      if (ctl & SLOW) {
        const now = this.now();
        for (const q of pdr.qers) if (q.limits && !q.conform(pdr.uplink, length, now)) return this.drop(pdr, DatapathVerdict.DROPPED_BY_QER);
      }
      if (!(ctl & OHC) && !pdr.uplink) return this.drop(pdr, DatapathVerdict.DROPPED_BY_FAR); // N6 back to N6
      const k = pdr.slot * REC;
      this.hot[k + 1] += length;
      this.hot[k + 2]++;
      this.stats.forwarded++;
      if (ctl & SLOW) this.checkVolume(pdr);
      if (ctl & OHC) this.sendTunnel(pdr, ctl, b, start, end, floor);
      else this.sinks.toN6(b, start, end, pdr.slot);
      return DatapathVerdict.FORWARDED;
    }
    if (action & BUFF) return this.buffer(pdr, b, start, end);
    return this.drop(pdr, DatapathVerdict.DROPPED_BY_FAR);
  }

  private drop(pdr: PdrState, verdict: DatapathVerdict): DatapathVerdict {
    pdr.session.dropped++;
    if (verdict === DatapathVerdict.DROPPED_BY_QER) this.stats.droppedByQer++;
    else this.stats.droppedByFar++;
    return verdict;
  }

  /** Outer Header Creation (5.2.3, 8.2.56): GTP-U towards the FAR's peer, written in place when there is room. */
  private sendTunnel(pdr: PdrState, ctl: number, b: Uint8Array, start: number, end: number, floor: number): void {
    const t = pdr.far.spec.tunnel!;
    const header = ctl & MARK ? 16 : 8;
    const length = end - start;
    let buf = b, at = start - header;
    if (at < floor) {
      buf = new Uint8Array(header + length);
      buf.set(b.subarray(start, end), header);
      at = 0;
    }
    if (ctl & MARK) headerWithQfi(buf, at, t.teid, pdr.uplink ? 1 : 0, (ctl >>> 23) & 63, length);
    else plainHeader(buf, at, t.teid, length);
    this.sinks.toN3(buf.subarray(at, at + header + length), pdr.far.peer!);
  }

  /** BUFF (5.2.4, TS 23.501 5.8.3): keep a copy; NOCP asks for a Downlink Data Report (once, after the BAR's delay). */
  private buffer(pdr: PdrState, b: Uint8Array, start: number, end: number): DatapathVerdict {
    const s = pdr.session;
    const limit = s.bar?.suggestedPacketCount || this.bufferLimit;
    if (s.buffered.length >= limit) {
      this.stats.bufferDiscarded++;
      return this.drop(pdr, DatapathVerdict.DROPPED_BY_FAR);
    }
    const copy = new Uint8Array(DOWNLINK_HEADROOM + end - start);
    copy.set(b.subarray(start, end), DOWNLINK_HEADROOM);
    s.buffered.push({ pdr, bytes: copy });
    this.stats.buffered++;
    if (pdr.far.spec.action & NOCP && !s.ddrSent) {
      s.ddrSent = true;
      s.ddrPdr = pdr;
      const delay = (s.bar?.notificationDelay ?? 0) * 0.05; // 8.2.28: units of 50 ms
      if (delay > 0) {
        s.ddrDueAt = this.now() + delay;
        this.setTimed(s);
      } else {
        this.sendDownlinkDataReport(s, pdr);
      }
    }
    return DatapathVerdict.BUFFERED;
  }

  private sendDownlinkDataReport(s: SessionState, pdr: PdrState): void {
    this.stats.reports++;
    this.sinks.report?.(s.seid, { downlinkData: { pdrId: pdr.spec.id, qfi: pdr.markQfi >= 0 ? pdr.markQfi : undefined } });
  }

  /** After a FAR change: forward what the FAR now forwards, keep what it still buffers, discard the rest. */
  flushBuffer(s: SessionState): void {
    if (!s.buffered.length) return;
    const queued = s.buffered;
    s.buffered = [];
    for (const x of queued) {
      const ctl = x.pdr.session === s && this.pdrBySlot[x.pdr.slot] === x.pdr ? this.hot[x.pdr.slot * REC] & ~CLASSIFY : DROP;
      if (ctl & BUFF) s.buffered.push(x);
      else if (ctl & FORW) this.slowPath(x.pdr, ctl, x.bytes, DOWNLINK_HEADROOM, x.bytes.length, 0);
      else {
        s.dropped++;
        this.stats.bufferDiscarded++;
      }
    }
  }

  private checkVolume(pdr: PdrState): void {
    let reports: UrrReport[] | undefined;
    let exhausted = false;
    for (const u of pdr.urrs) {
      if (!u.volumeChecked) continue;
      const was = u.exhausted;
      const trigger = volumeTrigger(u, this.hot);
      if (u.exhausted && !was) exhausted = true;
      if (trigger) (reports ??= []).push(reportAndReset(u, trigger, this.now(), this.hot, pdr.session.dropped));
    }
    if (exhausted) this.refreshQuotaBits(pdr.session);
    if (reports) this.emitUsage(pdr.session, reports);
  }

  private emitUsage(s: SessionState, usage: UrrReport[]): void {
    this.stats.reports++;
    this.sinks.report?.(s.seid, { usage });
  }

  /** A used-up quota stops the linked PDRs (5.2.2.2.1); a new quota starts them again. */
  refreshQuotaBits(s: SessionState): void {
    for (const p of s.pdrs) {
      const k = p.slot * REC;
      const ex = p.urrs.some((u) => u.exhausted);
      this.hot[k] = ex ? this.hot[k] | QUOTA_EXHAUSTED : this.hot[k] & ~QUOTA_EXHAUSTED;
    }
  }

  setTimed(s: SessionState): void {
    if (!s.timed) {
      s.timed = true;
      this.timedSessions.add(s);
    }
  }

  /**
   * The UPF node calls this from its (injectable) clock every 100 ms: advances the coarse clock
   * the Error Indication limiter uses, and runs the time-based URR triggers and delayed reports.
   */
  tick(): void {
    const now = (this.coarseNow = this.now());
    for (const s of this.timedSessions) {
      if (s.ddrDueAt && now >= s.ddrDueAt) {
        s.ddrDueAt = 0;
        if (s.ddrPdr) this.sendDownlinkDataReport(s, s.ddrPdr);
      }
      let reports: UrrReport[] | undefined;
      let exhausted = false;
      let stillTimed = s.ddrDueAt !== 0;
      for (const u of s.urrs) {
        if (!u.timed) continue;
        stillTimed = true;
        const was = u.exhausted;
        const trigger = timeTrigger(u, now);
        if (u.exhausted && !was) exhausted = true;
        if (trigger) (reports ??= []).push(reportAndReset(u, trigger, now, this.hot, s.dropped));
      }
      if (exhausted) this.refreshQuotaBits(s);
      if (reports) this.emitUsage(s, reports);
      if (!stillTimed) {
        s.timed = false;
        this.timedSessions.delete(s);
      }
    }
  }

  /**
   * Token bucket per peer (TS 29.281 7.3.1 leaves the rate to implementation). A flood of stray
   * packets comes from one peer at a time, so the last peer's bucket is cached (no string key per
   * packet) and time comes from the ticked coarse clock: the drop path must cost what forwarding
   * costs.
   */
  private maybeErrorIndication(teid: number, peer: TunnelPeer): void {
    let bucket = this.lastBucket;
    if (bucket === undefined || this.lastPeerAddress !== peer.address || this.lastPeerPort !== peer.port) {
      const key = `${peer.address}:${peer.port}`;
      bucket = this.eiBuckets.get(key);
      if (!bucket) {
        if (this.eiBuckets.size > 10_000) this.eiBuckets.clear();
        bucket = { tokens: this.eiBurst, at: this.coarseNow };
        this.eiBuckets.set(key, bucket);
      }
      this.lastBucket = bucket;
      this.lastPeerAddress = peer.address;
      this.lastPeerPort = peer.port;
    }
    if (bucket.tokens < 1 && bucket.at !== this.coarseNow) {
      bucket.tokens = Math.min(this.eiBurst, bucket.tokens + (this.coarseNow - bucket.at) * this.eiRate);
      bucket.at = this.coarseNow;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.stats.errorIndications++;
      this.sinks.errorIndication(teid, peer);
    } else {
      this.stats.errorIndicationsSuppressed++;
    }
  }
}
