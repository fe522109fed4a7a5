// The receiving side of an SCTP association (RFC 4960): DATA accepted against our receive window
// and acknowledged (6.2: the cumulative TSN, gap blocks and duplicate TSNs of the next SACK),
// reassembled from fragments in TSN order (6.9) and delivered in Stream Sequence Number order per
// stream (6.5), or at once when unordered. The association (association.ts) decides when a SACK
// goes out and sends what this builds.

import { DataFlags, decodeDataChunk, sackChunk, type SctpChunk } from '../../codecs/sctp/packet.ts';
import { concatBytes } from '../../codecs/bytes/concat.ts';

/** Our receive window (a_rwnd, RFC 4960 6.2): octets of DATA we hold before delivery. */
export const RECEIVE_WINDOW = 1 << 20;

/** TSN serial-number comparison (RFC 4960 1.6, RFC 1982). */
export const lt = (a: number, b: number) => ((a - b) | 0) < 0;
export const le = (a: number, b: number) => ((a - b) | 0) <= 0;
export const inc = (a: number) => (a + 1) >>> 0;

/** What the receiver counts in the association's statistics. */
export interface ReceiverStats {
  duplicatesReceived: number;
  delivered: number;
  dataDropped: number;
  invalidStream: number;
}

export interface ReceiverOutput {
  /** The number of inbound streams agreed at set-up (RFC 4960 5.1.1). */
  inboundStreams(): number;
  /** A user message, whole and in order. */
  deliver(streamId: number, ppid: number, payload: Uint8Array): void;
  /** DATA on a stream that does not exist: the peer is told (RFC 4960 6.5, Invalid Stream Identifier). */
  invalidStream(streamId: number): void;
}

interface Received {
  flags: number;
  streamId: number;
  streamSeq: number;
  ppid: number;
  data: Uint8Array;
}

export class DataReceiver {
  /** The Cumulative TSN Ack: the last TSN up to which all DATA has arrived. */
  cumTsn = 0;
  /** DATA received that no SACK has acknowledged yet (bundled with our next DATA if we have one). */
  unacked = false;
  private readonly received = new Map<number, Received>();
  private readonly duplicates: number[] = [];
  private readonly expectedSsn: number[] = [];
  private readonly heldBack = new Map<number, Map<number, { ppid: number; payload: Uint8Array }>>();
  private partial: { streamId: number; streamSeq: number; ppid: number; unordered: boolean; parts: Uint8Array[] } | undefined;
  private packetsSinceSack = 0;
  /** Octets of user data held (out of order, partial, or waiting for their SSN) against our a_rwnd. */
  private bufferedBytes = 0;
  private readonly out: ReceiverOutput;
  private readonly stats: ReceiverStats;

  constructor(out: ReceiverOutput, stats: ReceiverStats) {
    this.out = out;
    this.stats = stats;
  }

  /** A DATA chunk with user data (RFC 4960 6.2). */
  onData(c: SctpChunk): void {
    const d = decodeDataChunk(c);
    this.unacked = true;
    if (le(d.tsn, this.cumTsn) || this.received.has(d.tsn)) {
      if (this.duplicates.length < 64) this.duplicates.push(d.tsn);
      this.stats.duplicatesReceived++;
      return;
    }
    // 6.2: beyond what our window (or a 16-bit gap offset) can hold: drop, the peer retransmits
    const ahead = (d.tsn - this.cumTsn) >>> 0;
    if (ahead > 0xffff || (ahead > 1 && this.bufferedBytes + d.userData.length > RECEIVE_WINDOW)) {
      this.stats.dataDropped++;
      return;
    }
    if (d.streamId >= this.out.inboundStreams()) {
      // 6.5: acknowledge it, discard it, and tell the peer with "Invalid Stream Identifier"
      this.stats.invalidStream++;
      this.out.invalidStream(d.streamId);
    }
    this.bufferedBytes += d.userData.length;
    if (d.tsn === inc(this.cumTsn) && this.received.size === 0) {
      // the next TSN with nothing held beyond it (what a loss-free path brings): it advances the
      // cumulative TSN at once, and its user data stays a view of the packet (node gives each
      // datagram octets of its own) unless it must wait for more fragments
      this.cumTsn = d.tsn;
      this.reassemble(d.flags, d.streamId, d.streamSeq, d.ppid, d.userData);
      return;
    }
    // held until the gap before it fills: a copy, so that it does not keep its whole packet
    this.received.set(d.tsn, { flags: d.flags, streamId: d.streamId, streamSeq: d.streamSeq, ppid: d.ppid, data: d.userData.slice() });
    // advance the cumulative TSN over what is now contiguous, reassembling in TSN order
    for (let next = inc(this.cumTsn); this.received.has(next); next = inc(next)) {
      const r = this.received.get(next)!;
      this.received.delete(next);
      this.cumTsn = next;
      this.reassemble(r.flags, r.streamId, r.streamSeq, r.ppid, r.data);
    }
  }

  /**
   * A packet with DATA arrived: whether its SACK is due now (RFC 4960 6.2: at least every second
   * packet, at once on duplicates or gaps, 6.7) rather than after the delayed-SACK timer.
   */
  packetWithData(): boolean {
    this.packetsSinceSack++;
    return this.packetsSinceSack >= 2 || this.duplicates.length > 0 || this.received.size > 0;
  }

  /** RFC 4960 6.9: fragments of one message have consecutive TSNs; B starts, E ends. */
  private reassemble(flags: number, streamId: number, streamSeq: number, ppid: number, data: Uint8Array): void {
    const inboundStreams = this.out.inboundStreams();
    const unordered = (flags & DataFlags.U) !== 0;
    if ((flags & (DataFlags.B | DataFlags.E)) === (DataFlags.B | DataFlags.E) && streamId < inboundStreams) {
      // a whole message in one chunk (an NGAP message nearly always): no partial state
      this.partial = undefined;
      if (unordered) this.deliver(streamId, ppid, data);
      else this.deliverInOrder(streamId, streamSeq, ppid, data);
      return;
    }
    if (flags & DataFlags.B) this.partial = { streamId, streamSeq, ppid, unordered, parts: [] };
    if (!this.partial || streamId >= inboundStreams) {
      // a middle fragment without its start (protocol violation) or an invalid stream: dropped
      this.bufferedBytes -= data.length;
      if (streamId >= inboundStreams) this.partial = undefined;
      return;
    }
    this.partial.parts.push(data);
    if (!(flags & DataFlags.E)) return;
    const p = this.partial;
    this.partial = undefined;
    const payload = p.parts.length === 1 ? p.parts[0] : concatBytes(p.parts);
    if (p.unordered) this.deliver(p.streamId, p.ppid, payload);
    else this.deliverInOrder(p.streamId, p.streamSeq, p.ppid, payload);
  }

  /** RFC 4960 6.5: ordered delivery per stream by Stream Sequence Number. */
  private deliverInOrder(streamId: number, ssn: number, ppid: number, payload: Uint8Array): void {
    const expected = this.expectedSsn[streamId] ?? 0;
    if (ssn !== expected) {
      let held = this.heldBack.get(streamId);
      if (!held) this.heldBack.set(streamId, (held = new Map()));
      held.set(ssn, { ppid, payload });
      return;
    }
    this.deliver(streamId, ppid, payload);
    let next = (expected + 1) & 0xffff;
    const held = this.heldBack.get(streamId);
    while (held?.has(next)) {
      const m = held.get(next)!;
      held.delete(next);
      this.deliver(streamId, m.ppid, m.payload);
      next = (next + 1) & 0xffff;
    }
    this.expectedSsn[streamId] = next;
  }

  private deliver(streamId: number, ppid: number, payload: Uint8Array): void {
    this.stats.delivered++;
    this.bufferedBytes -= payload.length;
    this.out.deliver(streamId, ppid, payload);
  }

  /** Gap Ack Blocks or duplicate TSNs to report: what only a SACK carries (a SHUTDOWN does not, RFC 9260 6.2). */
  get gapsOrDuplicates(): boolean {
    return this.received.size > 0 || this.duplicates.length > 0;
  }

  /** Something to acknowledge: new DATA or duplicates to report. */
  get sackDue(): boolean {
    return this.unacked || this.duplicates.length > 0;
  }

  /**
   * RFC 9260 6.2: the SACK of what has arrived; the duplicates it reports are cleared. Its value is
   * at most `maxValueOctets` long (the path MTU less the common and chunk headers): as many Gap Ack
   * Blocks as fit, the lowest first, then as many duplicate TSNs ("as many ... as can fit in a
   * single SACK chunk limited by the current path MTU").
   */
  buildSack(maxValueOctets: number): SctpChunk {
    let room = (maxValueOctets - 12) >> 2;
    // gap blocks from the TSNs held beyond the cumulative TSN
    const beyond = [...this.received.keys()].map((t) => (t - this.cumTsn) >>> 0).sort((a, b) => a - b);
    const gapBlocks: { start: number; end: number }[] = [];
    for (const off of beyond) {
      const last = gapBlocks[gapBlocks.length - 1];
      if (last && off === last.end + 1) last.end = off;
      else if (off <= 0xffff && gapBlocks.length < room) gapBlocks.push({ start: off, end: off });
      else break;
    }
    room -= gapBlocks.length;
    const duplicateTsns = this.duplicates.splice(0, this.duplicates.length).slice(0, Math.max(0, room));
    return sackChunk({ cumulativeTsnAck: this.cumTsn, aRwnd: Math.max(0, RECEIVE_WINDOW - this.bufferedBytes), gapBlocks, duplicateTsns });
  }

  /** A SACK went out: nothing is left unacknowledged. */
  sackSent(): void {
    this.packetsSinceSack = 0;
    this.unacked = false;
  }
}
