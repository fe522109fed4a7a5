// A PFCP node's UDP endpoint (TS 29.244 6.4, 7.2): requests matched to responses by sequence
// number, T1 retransmission with N1 attempts then a typed timeout, duplicate requests answered
// from a response cache without running the handler again, Heartbeat Request answered here,
// periodic heartbeats, and peer restarts detected from a changed Recovery Time Stamp.
//
// Session-related messages towards a peer marked with `setBundling` (both ends announced BUNDL in
// the PFCP Association Setup) leave bundled: those the node sends in one round of the event loop,
// packed into datagrams with the FO flag (TS 29.244 7.2.2.1, see codecs/pfcp/bundle.ts); a bundle's
// capture comment is its messages' comments, '; ' between them. A received
// datagram is split on FO and each message handled as if it had come alone: its response, its
// retransmissions and the response cache are per message (6.4).
//
// Transport reads only the PFCP header and, for heartbeat and association messages, the Recovery
// Time Stamp IE: the message bodies belong to codecs/pfcp and the node.

import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../clock.ts';
import { realClock, DeadlineQueue } from '../clock.ts';
import { PendingRequest, type PeerWindow, type PendingOwner } from './pfcp-pending.ts';
import { PeerIds } from './pfcp-peers.ts';
import type { WireTap, Endpoint } from '../tap.ts';
import { nullTap, SOCKET_BUFFER_BYTES } from '../tap.ts';
import { turnEnd, type TurnWriter } from '../turn.ts';
import { packPfcpBundles, splitPfcpBundle, PFCP_BUNDLE_OCTETS, PFCP_FO_FLAG } from '../../codecs/pfcp/bundle.ts';

export const PFCP_PORT = 8805;

/** The PFCP header fields transport needs (TS 29.244 7.2.2). */
export interface PfcpHeaderInfo {
  version: number;
  type: number;
  length: number;
  seid?: bigint;
  sequenceNumber: number;
  /** Offset of the first IE. */
  iesAt: number;
}

export function readPfcpHeader(b: Uint8Array): PfcpHeaderInfo | undefined {
  if (b.length < 8) return undefined;
  const flags = b[0];
  const s = (flags & 1) !== 0;
  const headerLen = s ? 16 : 8;
  if (b.length < headerLen) return undefined;
  const length = (b[2] << 8) | b[3];
  if (length + 4 > b.length || length + 4 < headerLen) return undefined;
  let seid: bigint | undefined;
  if (s) {
    // two 32-bit halves, one BigInt when the high half is 0 (an octet at a time made 16 BigInts)
    const hi = ((b[4] << 24) >>> 0) + ((b[5] << 16) | (b[6] << 8) | b[7]);
    const lo = ((b[8] << 24) >>> 0) + ((b[9] << 16) | (b[10] << 8) | b[11]);
    seid = hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
  }
  const q = s ? 12 : 4;
  const sequenceNumber = (b[q] << 16) | (b[q + 1] << 8) | b[q + 2];
  // two literals rather than a spread of an optional seid (same keys, same order)
  if (seid !== undefined) return { version: flags >> 5, type: b[1], length, seid, sequenceNumber, iesAt: headerLen };
  return { version: flags >> 5, type: b[1], length, sequenceNumber, iesAt: headerLen };
}

/** Requests: odd node-message types but 11, and 50/52/54/56 (TS 29.244 7.3). */
export function isPfcpRequest(type: number): boolean {
  return type < 50 ? type % 2 === 1 && type !== 11 : type % 2 === 0;
}

const HEARTBEAT_REQUEST = 1;
const HEARTBEAT_RESPONSE = 2;
const ASSOCIATION_SETUP_REQUEST = 5;
const ASSOCIATION_SETUP_RESPONSE = 6;
const VERSION_NOT_SUPPORTED_RESPONSE = 11;
const IE_RECOVERY_TIME_STAMP = 96;

/** The Recovery Time Stamp IE value of a message, if it has one at the top level. */
export function recoveryTimeStampOf(b: Uint8Array, h: PfcpHeaderInfo): number | undefined {
  let p = h.iesAt;
  const end = 4 + h.length;
  while (p + 4 <= end) {
    const t = (b[p] << 8) | b[p + 1];
    const l = (b[p + 2] << 8) | b[p + 3];
    if (p + 4 + l > end) return undefined;
    if (t === IE_RECOVERY_TIME_STAMP && l >= 4) return ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
    p += 4 + l;
  }
  return undefined;
}

function nodeMessage(type: number, seq: number, recovery?: number): Uint8Array {
  const withIe = recovery !== undefined;
  const b = new Uint8Array(withIe ? 16 : 8);
  b[0] = 0x20;
  b[1] = type;
  b[3] = withIe ? 12 : 4;
  b[4] = (seq >> 16) & 0xff;
  b[5] = (seq >> 8) & 0xff;
  b[6] = seq & 0xff;
  if (withIe) {
    b[9] = IE_RECOVERY_TIME_STAMP;
    b[11] = 4;
    b[12] = recovery >>> 24;
    b[13] = (recovery >>> 16) & 0xff;
    b[14] = (recovery >>> 8) & 0xff;
    b[15] = recovery & 0xff;
  }
  return b;
}

export class PfcpTimeoutError extends Error {
  readonly peer: Endpoint;
  readonly sequenceNumber: number;
  constructor(peer: Endpoint, seq: number, attempts: number) {
    super(`PFCP request ${seq} to ${peer.address}:${peer.port} unanswered after ${attempts} attempts`);
    this.name = 'PfcpTimeoutError';
    this.peer = peer;
    this.sequenceNumber = seq;
  }
}

export interface PfcpRequestEvent {
  peer: Endpoint;
  header: PfcpHeaderInfo;
  bytes: Uint8Array;
}

/** The node's answer to a request: response octets (with the same sequence number) and a capture comment. */
/** "<message> [<ref>]" becomes "<message>, retransmission n [<ref>, T1]" (TS 29.244 6.4). */
function retransmissionComment(comment: string | undefined, n: number): string {
  const m = /^(.*) \[(.*)\]$/.exec(comment ?? '');
  return m ? `${m[1]}, retransmission ${n} [${m[2]}, T1]` : `${comment ?? 'PFCP request'}, retransmission ${n} [TS 29.244 6.4, T1]`;
}

export type PfcpRequestHandler = (req: PfcpRequestEvent) => Promise<{ response: Uint8Array; comment?: string } | undefined>;

export interface PfcpEndpointOptions {
  address: string;
  port?: number;
  /** Our Recovery Time Stamp (NTP seconds), sent in heartbeats. */
  recoveryTimeStamp: number;
  tap?: WireTap;
  clock?: Clock;
  /** T1 (TS 29.244 6.4): default 3 s. */
  t1Ms?: number;
  /** N1: transmissions of a request in total, default 3. */
  n1?: number;
  /**
   * Requests outstanding to one peer at once (default 256); more wait in a queue and their T1
   * starts when they are sent. 10,000 deletions sent at once overflowed the UPF's socket buffer,
   * and every T1 expired together, so the retransmissions overflowed it again (issue 21).
   */
  window?: number;
  /** UDP payload octets a bundle of messages may fill (default PFCP_BUNDLE_OCTETS, 1400). */
  bundleOctets?: number;
  log?: (line: string) => void;
}

export class PfcpEndpoint extends EventEmitter<{ 'peer-restart': [peer: Endpoint, previous: number, current: number]; 'heartbeat-lost': [peer: Endpoint] }> implements TurnWriter, PendingOwner {
  private readonly socket: dgram.Socket;
  private readonly opts: Required<Omit<PfcpEndpointOptions, 'log' | 'port'>> & { log?: (l: string) => void };
  readonly local: Endpoint;
  private nextSeq = 1;
  /** Requests sent and not answered, by sequence number (the endpoint allocates them, one series for all peers). */
  private readonly pending = new Map<number, PendingRequest>();
  /** T1 of every pending request (TS 29.244 6.4), one length, one clock timer. */
  private readonly t1: DeadlineQueue;
  /** Responses to requests already answered, by peer and sequence number (TS 29.244 6.4; PeerIds.request). */
  private readonly responseCache = new Map<number, { bytes: Uint8Array; expires: number }>();
  private readonly inFlight = new Set<number>();
  /** A number per peer, and per peer's request, for keys without a string built per message. */
  private readonly peers = new PeerIds();
  private readonly peerRecovery = new Map<string, number>();
  private readonly heartbeats = new Map<string, TimerHandle>();
  private handler: PfcpRequestHandler | undefined;
  /** Per peer: requests outstanding, and those waiting for a place in the window. */
  private readonly windows = new Map<number, PeerWindow>();
  /** Peers (by PeerIds.of) that bundling is used towards (setBundling). */
  private readonly bundlingPeers = new Set<number>();
  /** Per peer, the session messages of this round of the event loop waiting to leave bundled. */
  private readonly outbox = new Map<number, { peer: Endpoint; messages: Uint8Array[]; comments: (string | undefined)[] }>();
  /** Bundled messages wait for the end of this turn (transport/turn.ts). */
  private flushing = false;
  private closed = false;
  /** received: datagrams; sent: messages (datagramsSent counts what left, bundles as one). */
  readonly stats = { received: 0, sent: 0, datagramsSent: 0, retransmissions: 0, duplicatesAnswered: 0, malformed: 0, timeouts: 0, queuedAtMost: 0 };

  private constructor(socket: dgram.Socket, local: Endpoint, opts: PfcpEndpointOptions) {
    super();
    this.socket = socket;
    this.local = local;
    this.opts = { address: opts.address, recoveryTimeStamp: opts.recoveryTimeStamp, tap: opts.tap ?? nullTap, clock: opts.clock ?? realClock, t1Ms: opts.t1Ms ?? 3000, n1: opts.n1 ?? 3, window: opts.window ?? 256, bundleOctets: opts.bundleOctets ?? PFCP_BUNDLE_OCTETS, ...(opts.log ? { log: opts.log } : {}) };
    this.t1 = new DeadlineQueue(this.opts.clock, this.opts.t1Ms);
    socket.on('message', (msg, rinfo) => this.onMessage(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), { address: rinfo.address, port: rinfo.port }));
    socket.on('error', (e) => this.opts.log?.(`[pfcp ${local.address}] socket error: ${e.message}`));
  }

  static open(opts: PfcpEndpointOptions): Promise<PfcpEndpoint> {
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket({ type: opts.address.includes(':') ? 'udp6' : 'udp4', recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });
      s.once('error', reject);
      s.bind(opts.port ?? PFCP_PORT, opts.address, () => {
        s.off('error', reject);
        const a = s.address();
        resolve(new PfcpEndpoint(s, { address: a.address, port: a.port }, opts));
      });
    });
  }

  /** Responses kept for answering retransmitted requests, expired ones not yet pruned included. */
  get cachedResponses(): number {
    return this.responseCache.size;
  }

  /** Serves incoming requests (Heartbeat Request is answered by the endpoint itself). */
  onRequest(handler: PfcpRequestHandler): void {
    this.handler = handler;
  }

  /**
   * Bundles towards `peer` (on) or not (off, the default): the node calls it once both ends have
   * announced BUNDL in the PFCP Association Setup (TS 29.244 8.2.25, 8.2.58), off on release.
   */
  setBundling(peer: Endpoint, on: boolean): void {
    const k = this.peers.of(peer);
    if (on) this.bundlingPeers.add(k);
    else this.bundlingPeers.delete(k);
  }

  private send(peer: Endpoint, bytes: Uint8Array, comment?: string): void {
    this.stats.sent++;
    // session-related messages only (S flag): node messages (heartbeat, association) leave alone
    if (this.bundlingPeers.size !== 0 && (bytes[0] & 1) !== 0) {
      const k = this.peers.of(peer);
      if (this.bundlingPeers.has(k)) {
        let q = this.outbox.get(k);
        if (!q) this.outbox.set(k, (q = { peer, messages: [], comments: [] }));
        q.messages.push(bytes);
        q.comments.push(comment);
        // at the loop's check phase, after the round of I/O whose jobs sent these (as the SCTP shim)
        if (!this.flushing) {
          this.flushing = true;
          turnEnd(this);
        }
        return;
      }
    }
    this.transmit(peer, bytes, comment);
  }

  private transmit(peer: Endpoint, datagram: Uint8Array, comment?: string): void {
    this.opts.tap.udp(this.local, peer, datagram, comment);
    this.stats.datagramsSent++;
    this.socket.send(datagram, peer.port, peer.address);
  }

  /** The end of the turn (transport/turn.ts): the bundled messages leave. */
  flushTurn(): void {
    if (this.flushing) this.flush();
  }

  /** Sends the messages queued for bundling, packed per peer up to `bundleOctets`. */
  private flush(): void {
    this.flushing = false;
    if (this.closed) {
      // a reply queued after close(): nothing can send it (a throw here would be uncaught)
      this.outbox.clear();
      return;
    }
    for (const q of this.outbox.values()) {
      if (q.messages.length === 1) {
        this.transmit(q.peer, q.messages[0], q.comments[0]);
        continue;
      }
      const commented = this.opts.tap !== nullTap;
      let i = 0;
      for (const { datagram, count } of packPfcpBundles(q.messages, this.opts.bundleOctets)) {
        const comment = !commented ? undefined : count === 1 ? q.comments[i] : q.comments.slice(i, i + count).filter((c) => c !== undefined).join('; ');
        i += count;
        this.transmit(q.peer, datagram, comment);
      }
    }
    this.outbox.clear();
  }

  /**
   * Sends a request built for the sequence number the endpoint allocates and resolves with the
   * response; retransmits on T1 and rejects with PfcpTimeoutError after N1 attempts.
   */
  request(peer: Endpoint, build: (sequenceNumber: number) => Uint8Array, comment?: string): Promise<Uint8Array> {
    const pk = this.peers.of(peer);
    let win = this.windows.get(pk);
    if (!win) this.windows.set(pk, (win = { outstanding: 0, waiting: [] }));
    if (win.outstanding < this.opts.window) {
      win.outstanding++;
      return this.requestNow(peer, build, comment, win);
    }
    const w = win;
    return new Promise<Uint8Array>((resolve, reject) => {
      w.waiting.push({ start: () => void this.requestNow(peer, build, comment, w).then(resolve, reject), reject });
      this.stats.queuedAtMost = Math.max(this.stats.queuedAtMost, w.waiting.length);
    });
  }

  /**
   * A request's place in its peer's window is free (answered, timed out, or never sent): the next
   * waiting one takes it. Called where the request settles, not in a `finally` chained to it,
   * which cost two promises and a closure per request (issue 21 goal 3).
   */
  private leave(win: PeerWindow): void {
    const next = win.waiting.shift();
    if (next) next.start();
    else win.outstanding--;
  }

  private requestNow(peer: Endpoint, build: (sequenceNumber: number) => Uint8Array, comment: string | undefined, win: PeerWindow): Promise<Uint8Array> {
    if (this.closed) {
      this.leave(win);
      return Promise.reject(new Error('PFCP endpoint closed'));
    }
    const seq = this.nextSeq;
    this.nextSeq = (this.nextSeq % 0xffffff) + 1;
    let bytes: Uint8Array;
    try {
      bytes = build(seq);
    } catch (e) {
      // not encodable: the caller's rejection, and the place goes on (a throw here would escape from a T1 expiry or a response's handling)
      this.leave(win);
      return Promise.reject(e);
    }
    const p = new PendingRequest(this, peer, seq, bytes, comment, win);
    this.pending.set(seq, p);
    this.transmitRequest(p);
    return p.promise;
  }

  /** Sends (again) a pending request and starts its T1 (TS 29.244 6.4). */
  private transmitRequest(p: PendingRequest): void {
    p.attempts++;
    if (p.attempts > 1) this.stats.retransmissions++;
    this.send(p.peer, p.bytes, p.attempts > 1 ? retransmissionComment(p.comment, p.attempts - 1) : p.comment);
    this.t1.add(p);
  }

  /** T1 expired: retransmit, or after N1 attempts give up with PfcpTimeoutError (TS 29.244 6.4). */
  t1Expired(p: PendingRequest): void {
    if (p.attempts < this.opts.n1) {
      this.transmitRequest(p);
      return;
    }
    this.pending.delete(p.sequenceNumber);
    this.stats.timeouts++;
    p.reject(new PfcpTimeoutError(p.peer, p.sequenceNumber, p.attempts));
    this.leave(p.win);
  }

  /** Sends Heartbeat Requests to `peer` every `intervalMs`; an unanswered one emits 'heartbeat-lost'. */
  startHeartbeat(peer: Endpoint, intervalMs: number): void {
    this.stopHeartbeat(peer);
    const k = `${peer.address}:${peer.port}`;
    const tick = () => {
      this.request(peer, (seq) => nodeMessage(HEARTBEAT_REQUEST, seq, this.opts.recoveryTimeStamp), 'PFCP Heartbeat Request [TS 29.244 7.4.2]').catch(() => this.emit('heartbeat-lost', peer));
      this.heartbeats.set(k, this.opts.clock.setTimeout(tick, intervalMs));
    };
    this.heartbeats.set(k, this.opts.clock.setTimeout(tick, intervalMs));
  }

  stopHeartbeat(peer: Endpoint): void {
    const k = `${peer.address}:${peer.port}`;
    this.opts.clock.clearTimeout(this.heartbeats.get(k));
    this.heartbeats.delete(k);
  }

  private noteRecovery(peer: Endpoint, bytes: Uint8Array, h: PfcpHeaderInfo): void {
    if (h.type !== HEARTBEAT_REQUEST && h.type !== HEARTBEAT_RESPONSE && h.type !== ASSOCIATION_SETUP_REQUEST && h.type !== ASSOCIATION_SETUP_RESPONSE) return;
    const ts = recoveryTimeStampOf(bytes, h);
    if (ts === undefined) return;
    const k = `${peer.address}:${peer.port}`;
    const prev = this.peerRecovery.get(k);
    this.peerRecovery.set(k, ts);
    if (prev === undefined || prev === ts) return;
    this.peers.forgetRequests(this.responseCache, peer); // its new requests are not retransmissions of the old ones' (6.4)
    this.emit('peer-restart', peer, prev, ts); // TS 29.244 6.2.2
  }

  private onMessage(bytes: Uint8Array, peer: Endpoint): void {
    this.stats.received++;
    this.opts.tap.udp(peer, this.local, bytes);
    if (bytes.length < 8 || (bytes[0] & PFCP_FO_FLAG) === 0) {
      this.onPfcpMessage(bytes, peer, false);
      return;
    }
    // TS 29.244 7.2.2.1: FO set, another message follows in this datagram; each is handled as if
    // it had come alone (its own copy, FO cleared), a truncated follower logged and dropped
    const { messages, dropped } = splitPfcpBundle(bytes);
    for (const m of messages) {
      const own = new Uint8Array(m);
      own[0] &= ~PFCP_FO_FLAG;
      this.onPfcpMessage(own, peer, true);
    }
    if (dropped > 0 || messages.length === 0) {
      this.stats.malformed++;
      this.opts.log?.(`[pfcp ${this.local.address}] dropped ${dropped} octets of a bundle from ${peer.address}:${peer.port} after ${messages.length} whole messages: truncated follower`);
    }
  }

  /** One PFCP message; `owned` when `bytes` is already a copy of its own (from a bundle). */
  private onPfcpMessage(bytes: Uint8Array, peer: Endpoint, owned: boolean): void {
    const h = readPfcpHeader(bytes);
    if (!h) {
      this.stats.malformed++;
      this.opts.log?.(`[pfcp ${this.local.address}] dropped ${bytes.length} octets from ${peer.address}:${peer.port}: not a PFCP header`);
      return;
    }
    if (h.version !== 1) {
      // TS 29.244 7.2.2.1: answer an unsupported version with Version Not Supported Response.
      this.stats.malformed++;
      this.send(peer, nodeMessage(VERSION_NOT_SUPPORTED_RESPONSE, h.sequenceNumber), 'PFCP Version Not Supported Response [TS 29.244 7.4.4.7]');
      return;
    }
    this.noteRecovery(peer, bytes, h);
    if (!isPfcpRequest(h.type)) {
      const p = this.pending.get(h.sequenceNumber);
      // a late or duplicate response, or one from another peer than the request went to
      if (!p || p.peer.port !== peer.port || p.peer.address !== peer.address) return;
      this.pending.delete(h.sequenceNumber);
      this.t1.remove(p);
      p.resolve(owned ? bytes : new Uint8Array(bytes));
      this.leave(p.win);
      return;
    }
    const k = this.peers.request(peer, h.sequenceNumber);
    const now = this.opts.clock.now();
    const cached = this.responseCache.get(k);
    if (cached && cached.expires > now) {
      this.stats.duplicatesAnswered++;
      this.send(peer, cached.bytes, 'duplicate request answered from the response cache (TS 29.244 6.4)');
      return;
    }
    if (this.inFlight.has(k)) return; // the handler is still working on the first copy
    if (h.type === HEARTBEAT_REQUEST) {
      this.reply(k, peer, nodeMessage(HEARTBEAT_RESPONSE, h.sequenceNumber, this.opts.recoveryTimeStamp), 'PFCP Heartbeat Response [TS 29.244 7.4.2.2]');
      return;
    }
    if (!this.handler) {
      this.opts.log?.(`[pfcp ${this.local.address}] no handler for request type ${h.type}`);
      return;
    }
    this.inFlight.add(k);
    // one reaction for both outcomes (a then, a catch and a finally were three promises per request)
    this.handler({ peer, header: h, bytes: owned ? bytes : new Uint8Array(bytes) }).then(
      (r) => {
        this.inFlight.delete(k);
        try {
          if (r) this.reply(k, peer, r.response, r.comment);
        } catch (e) {
          this.handlerFailed(e);
        }
      },
      (e: unknown) => {
        this.inFlight.delete(k);
        this.handlerFailed(e);
      },
    );
  }

  private handlerFailed(e: unknown): void {
    this.opts.log?.(`[pfcp ${this.local.address}] handler failed: ${e instanceof Error ? e.message : String(e)}`);
  }

  private reply(k: number, peer: Endpoint, response: Uint8Array, comment?: string): void {
    const now = this.opts.clock.now();
    // re-inserted at the end, so the cache stays in the order of its expiry times (one lifetime for
    // all, a clock that never goes back): the expired ones are at the front, and pruning stops at
    // the first one alive instead of walking every entry on every reply once more than 4096 are alive
    this.responseCache.delete(k);
    this.responseCache.set(k, { bytes: response, expires: now + this.opts.t1Ms * this.opts.n1 });
    if (this.responseCache.size > 4096) {
      for (const [ck, v] of this.responseCache) {
        if (v.expires > now) break;
        this.responseCache.delete(ck);
      }
    }
    this.send(peer, response, comment);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.flushing) this.flush();
    this.closed = true;
    for (const t of this.heartbeats.values()) this.opts.clock.clearTimeout(t);
    for (const p of this.pending.values()) {
      this.t1.remove(p);
      p.win.outstanding--;
      p.reject(new Error('PFCP endpoint closed'));
    }
    this.pending.clear();
    for (const w of this.windows.values()) for (const q of w.waiting.splice(0)) q.reject(new Error('PFCP endpoint closed'));
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
