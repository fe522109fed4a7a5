// The UPF user plane (TS 23.501 5.8, TS 29.244 5.2): the packet path over the rule tables of
// tables.ts. A packet is matched to a PDR (5.2.1: by TEID, then QFI, then SDF filter in precedence
// order, or by UE address from N6), and that PDR's FAR, QERs and URRs apply (5.2.1-5.2.4).
//
// - Uplink: the TEID indexes the hot record directly when the UPF chose it; one masked compare of
//   the control word says "forward to N6 and count", which is the common case.
// - A packet for a TEID that has no PDR is dropped at the cost of forwarding and answered with a
//   GTP-U Error Indication (TS 29.281 7.3.1), rate limited per peer by a token bucket.
// - What goes off the fast path is in slow-path.ts; N4 Session Deletion in teardown.ts; the
//   per-slot state is in the typed arrays of flat.ts.

import { readGpdu, newGpduView, GpduStatus, writeGpduHeaderWithQfi, writeGpduHeader } from '../../codecs/gtpu/view.ts';
import { GtpuMessageType } from '../../codecs/gtpu/gtpu.ts';
import { PfcpCause, UsageReportTrigger } from '../../codecs/pfcp/index.ts';
import { flatWalk } from './flat-walk.ts';
import { Ctl, FarAction, SLOW_MASK, type PdrState, type SessionState, type TeidEntry, type TunnelPeer } from './tables.ts';
import { DatapathStats } from './stats.ts';
import { FlatTables, RECORD, RECORD_SHIFT, ROW, SPILL, COUNT_SHIFT } from './flat.ts';
import { reportAndReset, type UrrReport } from './usage.ts';
import { sdfMatches } from './sdf.ts';
import { install, type InstallResult } from './install.ts';
import { RuleError, type RuleSet } from './rules.ts';
import { ErrorIndicationLimiter } from './error-indication.ts';
import { slowPath, tickSessions } from './slow-path.ts';
import { teardown } from './teardown.ts';

export { FarAction, type TunnelPeer } from './tables.ts';

// Module-local bindings of everything the packet path reads: under a loader that compiles imports
// to getters (tsx), each `Ctl.X` in the loop would be a call.
const ANCHOR = Ctl.ANCHOR, CLASSIFY = Ctl.CLASSIFY, QFI_COND = Ctl.QFI_COND, UE_COND = Ctl.UE_COND, MARK = Ctl.MARK, OHC = Ctl.OHC;
const FAST = SLOW_MASK, REC = RECORD, SHIFT = RECORD_SHIFT, COUNTS = COUNT_SHIFT, FORW = FarAction.FORW, SPILLED = SPILL;
const G_PDU = GtpuMessageType.GPdu, GPDU_OK = GpduStatus.OK;
const readHeader = readGpdu, matches = sdfMatches, headerWithQfi = writeGpduHeaderWithQfi, plainHeader = writeGpduHeader, slow = slowPath;
export type { UsageReport, UrrReport } from './usage.ts';
export type { CreatedPdr, InstallResult } from './install.ts';

export interface DatapathOptions {
  /** Sessions the tables hold. */
  capacity: number;
  /** PDRs the tables hold (default 2 per session); UPF-chosen TEIDs are 1..pdrCapacity. */
  pdrCapacity?: number;
  /** URRs the tables hold (default: as many as PDRs). */
  urrCapacity?: number;
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
  report?(seid: number, report: SessionReport): void;
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
  /** Per-slot state in typed arrays (flat.ts); `hot` is its hot records. */
  readonly flat: FlatTables;
  readonly hot: Int32Array;
  /**
   * Per PDR slot p, side by side so that deleting a session touches one cache line for both:
   * [2p] the PDR in the slot, [2p + 1] the TEID entry anchored there (pdrAt, anchorAt).
   */
  private readonly slotObjects: (PdrState | TeidEntry | undefined)[];
  /**
   * A shared TEID's classifier (tables.ts "classifier") by anchor slot: its start in
   * `classifiers` + 1 (0: none). Each classifier is one region, its QFI table then its flat
   * walks, so a walked packet reads on from where its QFI was found; regions come in power-of-two
   * sizes (the word before a region's start: the size's log2), free ones kept per size.
   */
  readonly classifierOf: Int32Array;
  classifiers: Int32Array = new Int32Array(4096);
  private nextRegion = 0;
  private readonly freeRegions: number[][] = [];
  /** SMF-assigned TEID -> anchor slot. */
  readonly foreign = new Map<number, number>();
  readonly byUe = new Map<number, SessionState>();
  readonly timedSessions = new Set<SessionState>();
  teidsInUse = 0;
  private readonly sessionsByIndex: (SessionState | undefined)[];
  private readonly view = newGpduView();
  readonly bufferLimit: number;
  readonly now: () => number;
  private readonly limiter: ErrorIndicationLimiter;
  readonly sinks: DatapathSinks;
  /**
   * Counters for the run summary and the ledger. `forwarded` is read from the PDRs' counts
   * (FlatTables.forwarded), which count exactly the packets forwarded, so no path counts twice.
   */
  readonly stats: DatapathStats;

  constructor(opts: DatapathOptions, sinks: DatapathSinks) {
    this.capacity = opts.capacity;
    this.pdrCapacity = opts.pdrCapacity ?? opts.capacity * 2;
    this.flat = new FlatTables(this.capacity, this.pdrCapacity, opts.urrCapacity ?? this.pdrCapacity);
    this.hot = this.flat.hot;
    this.stats = new DatapathStats(this.flat);
    this.slotObjects = new Array<PdrState | TeidEntry | undefined>(2 * this.pdrCapacity);
    this.classifierOf = new Int32Array(this.pdrCapacity);
    this.sessionsByIndex = new Array<SessionState | undefined>(this.capacity);
    this.bufferLimit = opts.bufferLimit ?? 64;
    this.now = opts.now ?? (() => Date.now() / 1000);
    this.limiter = new ErrorIndicationLimiter(opts.errorIndicationRate ?? 10, opts.errorIndicationBurst ?? 10, this.now());
    this.sinks = sinks;
  }

  /** The PDR in slot p. */
  pdrAt(p: number): PdrState | undefined {
    return this.slotObjects[2 * p] as PdrState | undefined;
  }

  setPdr(p: number, pdr: PdrState | undefined): void {
    this.slotObjects[2 * p] = pdr;
  }

  /** The TEID entry anchored at slot p. */
  anchorAt(p: number): TeidEntry | undefined {
    return this.slotObjects[2 * p + 1] as TeidEntry | undefined;
  }

  setAnchor(p: number, e: TeidEntry | undefined): void {
    this.slotObjects[2 * p + 1] = e;
  }

  get sessions(): number {
    return this.flat.sessionSlots.inUse;
  }

  get bufferedPackets(): number {
    let n = 0;
    // indexed: the table has a slot per session the UPF can hold (an iterator result per slot when
    // the ledger's snapshot read it, 4.8 MiB per run before and after, issue 21 goal 3)
    const table = this.sessionsByIndex;
    for (let i = 0; i < table.length; i++) {
      const s = table[i];
      if (s) n += s.buffered.length;
    }
    return n;
  }

  session(seid: number): SessionState | undefined {
    return seid >= 1 && seid <= this.capacity ? this.sessionsByIndex[seid - 1] : undefined;
  }

  sessionAt(index: number): SessionState | undefined {
    return this.sessionsByIndex[index];
  }

  /** Packets the session's rules dropped or discarded from its buffer. */
  droppedIn(s: SessionState): number {
    return this.flat.row[s.index * ROW + 3];
  }

  /** N4 Session Establishment: installs the rules (throws RuleError, nothing installed). */
  establish(rules: RuleSet): InstallResult & { seid: number } {
    const index = this.flat.sessionSlots.allocate();
    if (index < 0) throw new RuleError(PfcpCause.NoResourcesAvailable, 'the UPF session table is full');
    const s: SessionState = { seid: index + 1, index, pdrs: [], fars: [], qers: [], urrs: [], bar: undefined, entries: [], ueAddresses: [], dlSingle: -1, dlList: [], buffered: [], ddrSent: false, ddrDueAt: 0, ddrPdr: undefined, timed: false };
    this.flat.row.fill(0, index * ROW, index * ROW + ROW);
    this.flat.row[index * ROW + 1] = this.flat.row[index * ROW + 2] = -1;
    try {
      const r = install(this, s, rules, this.now());
      this.sessionsByIndex[index] = s;
      this.flat.row[index * ROW] = 1;
      return { ...r, seid: s.seid };
    } catch (e) {
      this.flat.sessionSlots.release(index);
      throw e;
    }
  }

  /** N4 Session Modification: the session's complete new rule set (throws RuleError, nothing changed). */
  modify(seid: number, rules: RuleSet): InstallResult | undefined {
    const s = this.session(seid);
    return s ? install(this, s, rules, this.now()) : undefined;
  }

  /** The rules installed in a session, to merge a modification into. */
  rulesOf(seid: number): RuleSet | undefined {
    const s = this.session(seid);
    if (!s) return undefined;
    return { pdrs: s.pdrs.map((p) => p.spec), fars: s.fars.map((f) => f.spec), qers: s.qers.map((q) => q.spec), urrs: s.urrs.map((u) => u.spec), ...(s.bar ? { bar: s.bar } : {}) };
  }

  /** Immediate reports (Query URR, 5.2.2.3.1): of `urrIds`, or of every URR. */
  query(seid: number, urrIds?: number[]): UrrReport[] {
    const s = this.session(seid);
    if (!s) return [];
    const now = this.now();
    return s.urrs.filter((u) => !urrIds || urrIds.includes(u.spec.id)).map((u) => reportAndReset(u, UsageReportTrigger.IMMER, now, this.droppedIn(s)));
  }

  /**
   * N4 Session Deletion (TS 23.502 4.2.2.3.2 step 3a, TS 29.244 7.5.6; teardown.ts): each URR's
   * final report; undefined for an unknown SEID.
   */
  delete(seid: number): UrrReport[] | undefined {
    const index = seid - 1;
    if (!(index >= 0 && index < this.capacity) || this.flat.row[index * ROW] === 0) return undefined;
    return teardown(this, index);
  }

  /** After teardown: the session object goes. */
  forgetSession(index: number): void {
    this.sessionsByIndex[index] = undefined;
  }

  freeSlot(slot: number): void {
    this.flat.clearRecord(slot);
    this.setPdr(slot, undefined);
    this.flat.pdrSlots.release(slot);
  }

  /** A classifier region of at least `words` int32; returns its start. */
  allocateClassifier(words: number): number {
    let c = 4;
    while (1 << c < words + 1) c++;
    const free = (this.freeRegions[c] ??= []);
    let at = free.pop();
    if (at === undefined) {
      at = this.nextRegion;
      this.nextRegion += 1 << c;
      if (this.nextRegion > this.classifiers.length) {
        let n = this.classifiers.length * 2;
        while (n < this.nextRegion) n *= 2;
        const grown = new Int32Array(n);
        grown.set(this.classifiers);
        this.classifiers = grown;
      }
    }
    this.classifiers[at] = c;
    return at + 1;
  }

  freeClassifier(start: number): void {
    this.freeRegions[this.classifiers[start - 1]].push(start - 1);
  }

  /** A slot whose TEID (slot + 1) is not one the SMF assigned to another PDR. */
  allocateAnchorSlot(): number {
    const skipped: number[] = [];
    const slots = this.flat.pdrSlots;
    let slot = slots.allocate();
    while (slot >= 0 && this.foreign.has(slot + 1)) {
      skipped.push(slot);
      slot = slots.allocate();
    }
    for (const x of skipped) slots.release(x);
    if (slot < 0) throw new RuleError(PfcpCause.NoResourcesAvailable, 'the UPF rule tables are full');
    return slot;
  }

  /** Whether a TEID already leads to a PDR (the UPF's own or one the SMF assigned). */
  teidInUse(teid: number): boolean {
    return this.foreign.has(teid) || (teid >= 1 && teid <= this.pdrCapacity && (this.hot[(teid - 1) * REC] & ANCHOR) !== 0);
  }

  /**
   * N3/N9 (and CP function) GTP-U in: one received datagram (`b[offset, offset+length)`) from
   * `peer`. Parses the header in place, finds the PDR by TEID (QFI, SDF), applies its rules.
   *
   * The usual packet first, in a function small enough for V8 to inline into the socket's
   * handler (issue 20): a G-PDU with one PDU Session Container filling the datagram, for a TEID
   * the UPF chose whose one PDR (QFI condition met, no UE address condition) forwards with no
   * per-packet rule work. It does what uplinkChecked does for that packet, in the same order;
   * anything else goes to uplinkChecked.
   */
  uplink(b: Uint8Array, offset: number, length: number, peer: TunnelPeer): DatapathVerdict {
    // the length as an int32: a typed array's length reaches the optimizing compiler as a double,
    // and every use of it below would convert it again (one conversion here; issue 20)
    const n = length | 0;
    // the fixed octets in two compares (TS 29.281 5.1, 5.2.1): flags 0x34 (version 1, PT, E) and type
    // 0xff (G-PDU); next extension 0x85 (PDU Session Container), its length 1, none after it
    if (n >= 16 && ((b[offset] << 8) | b[offset + 1]) === 0x34ff && ((b[offset + 11] << 16) | (b[offset + 12] << 8) | b[offset + 15]) === 0x850100 && 8 + ((b[offset + 2] << 8) | b[offset + 3]) === n) {
      // a TEID of 2^31 or more comes out negative here, and goes the checked way
      const p = ((b[offset + 4] << 24) | (b[offset + 5] << 16) | (b[offset + 6] << 8) | b[offset + 7]) - 1;
      if (p >= 0 && p < this.pdrCapacity) {
        const hot = this.hot;
        const k = p << SHIFT; // the record's first int32: k | 1 is the next, with no overflow check
        const ctl = hot[k];
        if ((ctl & (FAST | ANCHOR | UE_COND)) === (FORW | ANCHOR) && ((ctl & QFI_COND) === 0 || ((ctl >>> 16) & 63) === (b[offset + 14] & 0x3f))) {
          // one packet and its octets in the counts word (flat.ts; the payload is under 2^16 octets)
          const w = (hot[k | 1] + ((n - 16) << COUNTS) + 1) | 0;
          hot[k | 1] = w;
          if (w & SPILLED) this.flat.spill(p);
          this.sinks.toN6(b, offset + 16, offset + n, p);
          return 0; // DatapathVerdict.FORWARDED, as a literal: this function's bytecode must stay under V8's inlining limit (460 octets)
        }
      }
    }
    return this.uplinkChecked(b, offset, length, peer);
  }

  /** The whole of uplink(): every header form, shared TEIDs, conditions and the slow path. */
  uplinkChecked(b: Uint8Array, offset: number, length: number, peer: TunnelPeer): DatapathVerdict {
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
    let k = p << SHIFT;
    let ctl = hot[k];
    if (ctl & CLASSIFY) {
      // the flat classifier: the packet's QFI (or "any other") -> a PDR, or the precedence walk
      const o = this.classifierOf[p] - 1;
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
      p = target > 0 ? target - 1 : target < -1 ? flatWalk(this.classifiers, -target - 2, b, start, end - start) : target < 0 ? this.classify(this.anchorAt(p)!, qfi, b, start, end - start) : -1;
      if (p < 0) {
        this.stats.noMatchingPdr++;
        return DatapathVerdict.NO_MATCHING_PDR;
      }
      k = p << SHIFT;
      ctl = hot[k] & ~CLASSIFY;
    }
    if (ctl & (QFI_COND | UE_COND) && ((ctl & QFI_COND && ((ctl >>> 16) & 63) !== qfi) || (ctl & UE_COND && (end - start < 20 || ((b[start + 12] << 24) | (b[start + 13] << 16) | (b[start + 14] << 8) | b[start + 15]) !== this.flat.ue[p])))) {
      this.stats.noMatchingPdr++;
      return DatapathVerdict.NO_MATCHING_PDR;
    }
    if ((ctl & FAST) === FORW) {
      const w = (hot[k | 1] + ((end - start) << COUNTS) + 1) | 0; // a G-PDU's payload is under 2^16 octets
      hot[k | 1] = w;
      if (w & SPILLED) this.flat.spill(p);
      this.sinks.toN6(b, start, end, p);
      return DatapathVerdict.FORWARDED;
    }
    return slow(this, this.pdrAt(p)!, ctl, b, start, end, offset);
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
    if (pdr.hasUe) {
      if (length < 20) return false;
      const o = pdr.uplink ? at + 12 : at + 16;
      if (((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) !== pdr.ue) return false;
    }
    const sdf = pdr.sdf;
    if (sdf.length === 0) return true;
    for (let i = 0; i < sdf.length; i++) if (matches(sdf[i], b, at, length, pdr.uplink, pdr.assigned)) return true;
    return false;
  }

  /**
   * N6 in: an IPv4 packet for a UE at `b[payloadAt, payloadAt+length)`, with at least
   * DOWNLINK_HEADROOM writable octets before it for the GTP-U header.
   */
  downlink(b: Uint8Array, payloadAt: number, length: number): DatapathVerdict {
    // an IPv4 packet is at most 65535 octets (RFC 791 Total Length), which the counts word relies on
    if (length < 20 || length > 0xffff || payloadAt < DOWNLINK_HEADROOM) {
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
    const k = p << SHIFT;
    const ctl = hot[k];
    if ((ctl & FAST) === (FORW | OHC)) {
      const pdr = this.pdrAt(p)!;
      const t = pdr.far.spec.tunnel!;
      let start: number;
      if (ctl & MARK) {
        start = payloadAt - 16;
        headerWithQfi(b, start, t.teid, 0, (ctl >>> 23) & 63, length);
      } else {
        start = payloadAt - 8;
        plainHeader(b, start, t.teid, length);
      }
      const w = (hot[k | 1] + (length << COUNTS) + 1) | 0;
      hot[k | 1] = w;
      if (w & SPILLED) this.flat.spill(p);
      this.sinks.toN3(b.subarray(start, payloadAt + length), pdr.far.peer!);
      return DatapathVerdict.FORWARDED;
    }
    return slow(this, this.pdrAt(p)!, ctl, b, payloadAt, payloadAt + length, payloadAt - DOWNLINK_HEADROOM);
  }

  /**
   * The UPF node calls this from its (injectable) clock every 100 ms: advances the coarse clock
   * the Error Indication limiter uses, and runs the time-based URR triggers and delayed reports.
   */
  tick(): void {
    const now = (this.limiter.coarseNow = this.now());
    tickSessions(this, now);
  }

  private maybeErrorIndication(teid: number, peer: TunnelPeer): void {
    if (this.limiter.allow(peer)) {
      this.stats.errorIndications++;
      this.sinks.errorIndication(teid, peer);
    } else {
      this.stats.errorIndicationsSuppressed++;
    }
  }
}
