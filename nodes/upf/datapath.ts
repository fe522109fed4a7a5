// The UPF user plane (TS 23.501 5.8, TS 29.244 5.2): per-session PDRs, FARs, QERs and URR
// counters, laid out for the N3/N9 hot path (ARCHITECTURE "The UPF hot path").
//
// - The UPF allocates its local N3 TEIDs from a dense pool, so the uplink PDR lookup is one read
//   of a typed array indexed by TEID (O(1), no hashing, no allocation).
// - Per-session state the packet loop touches lives in struct-of-arrays typed arrays indexed by a
//   session slot; control-plane data (SEID, addresses, buffered packets) lives beside it in
//   ordinary objects that the loop never reads.
// - A packet for a TEID that has no session is dropped at the same cost as forwarding and answered
//   with a GTP-U Error Indication (TS 29.281 7.3.1), rate limited per peer by a token bucket.
// - Session deletion (N4 Session Deletion, TS 23.502 4.2.2.3.2 step 3a) sets the FARs to drop,
//   discards buffered packets (counted), returns TEID and slot to their pools and yields the final
//   usage report: the same O(1) work whatever the table size.

import { readGpdu, newGpduView, GpduStatus, writeGpduHeaderWithQfi } from '../../codecs/gtpu/view.ts';
import { GtpuMessageType } from '../../codecs/gtpu/gtpu.ts';
import { DenseIdPool } from '../common/pools.ts';

/** TS 29.244 8.2.26 Apply Action flags, as the data path applies them. */
export const FarAction = { DROP: 0x01, FORW: 0x02, BUFF: 0x04, NOCP: 0x08, DUPL: 0x10 } as const;

export interface TunnelPeer {
  address: string;
  port: number;
}

/** What the SMF installs for one PDU session (TS 29.244 7.5.2, simplified to one QoS flow). */
export interface SessionRules {
  seid: bigint;
  /** The UE's IPv4 address as a 32-bit number (downlink PDR PDI). */
  ueAddress: number;
  qfi: number;
  /** Uplink FAR action (normally FORW to the core/N6). */
  uplinkAction: number;
  /** Downlink FAR action: BUFF|NOCP until the gNB's tunnel is known, then FORW. */
  downlinkAction: number;
  /** Downlink outer header creation: the gNB's N3 F-TEID. */
  downlinkTunnel?: { teid: number; peer: TunnelPeer };
}

export interface UsageReport {
  /** UR-SEQN (TS 29.244 8.2.42). */
  urSeqn: number;
  startTime: number;
  endTime: number;
  uplinkOctets: number;
  downlinkOctets: number;
  uplinkPackets: number;
  downlinkPackets: number;
  /** Duration measurement in seconds (TS 29.244 8.2.40). */
  durationSeconds: number;
  /** Packets dropped by the FARs or discarded from the buffer, for the run summary. */
  droppedPackets: number;
}

interface ControlData {
  seid: bigint;
  teid: number;
  ueAddress: number;
  downlinkTunnel?: { teid: number; peer: TunnelPeer };
  buffered: Uint8Array[];
  startTime: number;
  urSeqn: number;
}

export interface DatapathOptions {
  /** Number of sessions the tables hold (TEIDs are 1..capacity). */
  capacity: number;
  /** Downlink packets buffered per session while the FAR says BUFF (TS 23.501 5.8.3). */
  bufferLimit?: number;
  /** Error Indications per second per peer (token bucket refill) and burst. */
  errorIndicationRate?: number;
  errorIndicationBurst?: number;
  /** Seconds clock for usage reports and rate limiting (injectable). */
  now?: () => number;
}

export interface DatapathSinks {
  /** An uplink T-PDU leaving on N6: `b[start, end)` of the received datagram (copy to keep it). */
  toN6(b: Uint8Array, start: number, end: number, slot: number): void;
  /** A downlink G-PDU for the gNB (header written in place in front of the payload). */
  toN3(datagram: Uint8Array, peer: TunnelPeer): void;
  /** A GTP-U Error Indication is due for `teid` towards `peer` (already rate limited). */
  errorIndication(teid: number, peer: TunnelPeer): void;
}

export const DatapathVerdict = {
  FORWARDED: 0,
  DROPPED_BY_FAR: 1,
  BUFFERED: 2,
  NO_SESSION: 3,
  MALFORMED: 4,
  NOT_GPDU: 5,
} as const;
export type DatapathVerdict = (typeof DatapathVerdict)[keyof typeof DatapathVerdict];

const UL_OCTETS = 0, UL_PACKETS = 1, DL_OCTETS = 2, DL_PACKETS = 3, DROPPED = 4;

/** Room reserved in front of downlink payloads for the GTP-U header with a PDU Session Container. */
export const DOWNLINK_HEADROOM = 16;

export class UpfDatapath {
  readonly capacity: number;
  readonly teids: DenseIdPool;
  private readonly slots: DenseIdPool;
  /** TEID -> slot + 1 (0 = no session): the dense uplink PDR index. */
  private readonly teidToSlot: Int32Array;
  private readonly ulAction: Uint8Array;
  private readonly dlAction: Uint8Array;
  private readonly qfi: Uint8Array;
  /**
   * Usage counters, interleaved per slot so one packet touches one cache line:
   * [ulOctets, ulPackets, dlOctets, dlPackets, dropped, -, -, -] at slot * 8.
   */
  private readonly counters: Float64Array;
  private readonly control: (ControlData | undefined)[];
  private readonly byUeAddress = new Map<number, number>();
  private readonly bySeid = new Map<bigint, number>();
  private readonly view = newGpduView();
  private readonly bufferLimit: number;
  private readonly now: () => number;
  private readonly eiRate: number;
  private readonly eiBurst: number;
  private readonly eiBuckets = new Map<string, { tokens: number; at: number }>();
  private lastBucket: { tokens: number; at: number } | undefined;
  private coarseNow: number;
  private lastPeerAddress = '';
  private lastPeerPort = 0;
  private readonly sinks: DatapathSinks;
  /** Counters for the run summary and the ledger. */
  readonly stats = { forwarded: 0, droppedByFar: 0, droppedNoSession: 0, malformed: 0, buffered: 0, bufferDiscarded: 0, errorIndications: 0, errorIndicationsSuppressed: 0 };

  constructor(opts: DatapathOptions, sinks: DatapathSinks) {
    const n = opts.capacity;
    this.capacity = n;
    this.teids = new DenseIdPool('UPF N3 TEID', n, 1);
    this.slots = new DenseIdPool('UPF session slot', n, 0);
    this.teidToSlot = new Int32Array(n + 1);
    this.ulAction = new Uint8Array(n);
    this.dlAction = new Uint8Array(n);
    this.qfi = new Uint8Array(n);
    this.counters = new Float64Array(n * 8);
    this.control = new Array<ControlData | undefined>(n);
    this.bufferLimit = opts.bufferLimit ?? 64;
    this.now = opts.now ?? (() => Date.now() / 1000);
    this.eiRate = opts.errorIndicationRate ?? 10;
    this.eiBurst = opts.errorIndicationBurst ?? 10;
    this.sinks = sinks;
    this.coarseNow = this.now();
  }

  get sessions(): number {
    return this.bySeid.size;
  }

  get bufferedPackets(): number {
    let n = 0;
    for (const slot of this.bySeid.values()) n += this.control[slot]!.buffered.length;
    return n;
  }

  /** N4 Session Establishment: installs the rules, allocates the N3 TEID (returned). */
  establish(rules: SessionRules): number {
    if (this.bySeid.has(rules.seid)) throw new Error(`session ${rules.seid} exists`);
    if (this.byUeAddress.has(rules.ueAddress)) throw new Error(`UE address ${rules.ueAddress >>> 0} is in use`);
    const teid = this.teids.allocate();
    const slot = this.slots.allocate();
    this.teidToSlot[teid] = slot + 1;
    this.ulAction[slot] = rules.uplinkAction;
    this.dlAction[slot] = rules.downlinkAction;
    this.qfi[slot] = rules.qfi;
    this.counters.fill(0, slot * 8, slot * 8 + 8);
    this.control[slot] = { seid: rules.seid, teid, ueAddress: rules.ueAddress, buffered: [], startTime: this.now(), urSeqn: 0, ...(rules.downlinkTunnel ? { downlinkTunnel: rules.downlinkTunnel } : {}) };
    this.byUeAddress.set(rules.ueAddress, slot);
    this.bySeid.set(rules.seid, slot);
    return teid;
  }

  /**
   * N4 Session Modification: a new downlink action and/or tunnel. When the FAR changes from BUFF
   * to FORW the buffered packets are sent in order (TS 23.501 5.8.3.2).
   */
  modify(seid: bigint, change: { downlinkAction?: number; downlinkTunnel?: { teid: number; peer: TunnelPeer }; uplinkAction?: number }): boolean {
    const slot = this.bySeid.get(seid);
    if (slot === undefined) return false;
    const c = this.control[slot]!;
    if (change.downlinkTunnel) c.downlinkTunnel = change.downlinkTunnel;
    if (change.uplinkAction !== undefined) this.ulAction[slot] = change.uplinkAction;
    if (change.downlinkAction !== undefined) {
      this.dlAction[slot] = change.downlinkAction;
      if (change.downlinkAction & FarAction.FORW && c.buffered.length) {
        const queued = c.buffered;
        c.buffered = [];
        for (const p of queued) this.downlink(p, DOWNLINK_HEADROOM, p.length - DOWNLINK_HEADROOM);
      } else if (change.downlinkAction & FarAction.DROP && c.buffered.length) {
        this.discardBuffer(slot);
      }
    }
    return true;
  }

  /** Current usage of a session (for a Session Report or a Modification Response). */
  usage(seid: bigint): UsageReport | undefined {
    const slot = this.bySeid.get(seid);
    return slot === undefined ? undefined : this.report(slot);
  }

  private report(slot: number): UsageReport {
    const c = this.control[slot]!;
    const end = this.now();
    return {
      urSeqn: c.urSeqn++,
      startTime: c.startTime,
      endTime: end,
      uplinkOctets: this.counters[slot * 8 + UL_OCTETS],
      downlinkOctets: this.counters[slot * 8 + DL_OCTETS],
      uplinkPackets: this.counters[slot * 8 + UL_PACKETS],
      downlinkPackets: this.counters[slot * 8 + DL_PACKETS],
      durationSeconds: Math.max(0, Math.round(end - c.startTime)),
      droppedPackets: this.counters[slot * 8 + DROPPED],
    };
  }

  private discardBuffer(slot: number): void {
    const c = this.control[slot]!;
    this.counters[slot * 8 + DROPPED] += c.buffered.length;
    this.stats.bufferDiscarded += c.buffered.length;
    c.buffered = [];
  }

  /**
   * N4 Session Deletion (TS 23.502 4.2.2.3.2 step 3a, TS 29.244 7.5.6): FARs to drop, buffered
   * packets discarded and counted, TEID and slot back to their pools, indexes cleaned; returns the
   * final usage report for the Deletion Response (step 3b), or undefined for an unknown SEID.
   */
  delete(seid: bigint): UsageReport | undefined {
    const slot = this.bySeid.get(seid);
    if (slot === undefined) return undefined;
    this.ulAction[slot] = FarAction.DROP;
    this.dlAction[slot] = FarAction.DROP;
    this.discardBuffer(slot);
    const final = this.report(slot);
    const c = this.control[slot]!;
    this.teidToSlot[c.teid] = 0;
    this.teids.release(c.teid);
    this.byUeAddress.delete(c.ueAddress);
    this.bySeid.delete(seid);
    this.control[slot] = undefined;
    this.slots.release(slot);
    return final;
  }

  /**
   * N3 uplink: one received datagram (`b[offset, offset+length)`) from `peer`. Parses the GTP-U
   * header in place, finds the session by TEID, applies the FAR and counts.
   */
  uplink(b: Uint8Array, offset: number, length: number, peer: TunnelPeer): DatapathVerdict {
    const v = this.view;
    if (readGpdu(b, offset, length, v) !== GpduStatus.OK) {
      this.stats.malformed++;
      return DatapathVerdict.MALFORMED;
    }
    if (v.messageType !== GtpuMessageType.GPdu) return DatapathVerdict.NOT_GPDU;
    const teid = v.teid;
    const slot = teid <= this.capacity ? this.teidToSlot[teid] - 1 : -1;
    if (slot < 0) {
      this.stats.droppedNoSession++;
      this.maybeErrorIndication(teid, peer);
      return DatapathVerdict.NO_SESSION;
    }
    const k = slot * 8;
    if (this.ulAction[slot] & FarAction.FORW) {
      this.counters[k + UL_OCTETS] += v.end - v.payloadOffset;
      this.counters[k + UL_PACKETS]++;
      this.stats.forwarded++;
      this.sinks.toN6(b, v.payloadOffset, v.end, slot);
      return DatapathVerdict.FORWARDED;
    }
    this.counters[k + DROPPED]++;
    this.stats.droppedByFar++;
    return DatapathVerdict.DROPPED_BY_FAR;
  }

  /**
   * N6 downlink: an IPv4 packet for a UE at `b[payloadAt, payloadAt+length)`, with at least
   * DOWNLINK_HEADROOM writable octets before it for the GTP-U header.
   */
  downlink(b: Uint8Array, payloadAt: number, length: number): DatapathVerdict {
    if (length < 20 || payloadAt < DOWNLINK_HEADROOM) {
      this.stats.malformed++;
      return DatapathVerdict.MALFORMED;
    }
    const dst = ((b[payloadAt + 16] << 24) | (b[payloadAt + 17] << 16) | (b[payloadAt + 18] << 8) | b[payloadAt + 19]) >>> 0;
    const slot = this.byUeAddress.get(dst);
    if (slot === undefined) {
      this.stats.droppedNoSession++;
      return DatapathVerdict.NO_SESSION;
    }
    const action = this.dlAction[slot];
    const c = this.control[slot]!;
    if (action & FarAction.FORW && c.downlinkTunnel) {
      const start = payloadAt - DOWNLINK_HEADROOM;
      writeGpduHeaderWithQfi(b, start, c.downlinkTunnel.teid, 0, this.qfi[slot], length);
      this.counters[slot * 8 + DL_OCTETS] += length;
      this.counters[slot * 8 + DL_PACKETS]++;
      this.stats.forwarded++;
      this.sinks.toN3(b.subarray(start, payloadAt + length), c.downlinkTunnel.peer);
      return DatapathVerdict.FORWARDED;
    }
    if (action & FarAction.BUFF && c.buffered.length < this.bufferLimit) {
      c.buffered.push(Uint8Array.from(b.subarray(payloadAt - DOWNLINK_HEADROOM, payloadAt + length)));
      this.stats.buffered++;
      return DatapathVerdict.BUFFERED;
    }
    this.counters[slot * 8 + DROPPED]++;
    this.stats.droppedByFar++;
    return DatapathVerdict.DROPPED_BY_FAR;
  }

  /**
   * Advances the coarse clock the packet path uses for rate limiting. The UPF node calls it from
   * its (injectable) clock every 100 ms, so no packet pays for reading the time.
   */
  tick(): void {
    this.coarseNow = this.now();
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
