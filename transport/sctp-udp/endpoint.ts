// An SCTP endpoint over UDP (RFC 6951, UDP port 9899 by default) on node:dgram: the association
// set-up (RFC 4960 5.1) with a stateless server side and an HMAC-signed State Cookie, the
// verification-tag rules (8.5, 8.5.1), out-of-the-blue packets (8.4), unrecognized chunk types by
// their upper two bits (3.2), and a bad checksum discarded (6.8). Every datagram sent or received
// is reported to the tap.

import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { realClock } from '../clock.ts';
import type { WireTap, Endpoint } from '../tap.ts';
import { nullTap } from '../tap.ts';
import type { Impairment } from '../impair.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import {
  decodeSctpPacket, encodeSctpPacket, decodeInitChunk, initChunk, emptyChunk, errorCauses, InitParameter, SctpChunkType as C,
  SctpErrorCause, type SctpChunk,
} from '../../codecs/sctp/packet.ts';
import { SctpAssociation, AssociationState, type SctpTimers } from './association.ts';

export const SCTP_UDP_PORT = 9899;
export const NGAP_SCTP_PORT = 38412;
export const NGAP_PPID = 60;

export interface SctpUdpOptions {
  address: string;
  /** UDP port (RFC 6951 encapsulation port, default 9899). */
  udpPort?: number;
  /** SCTP port (default 38412, NGAP). */
  sctpPort?: number;
  tap?: WireTap;
  clock?: Clock;
  impair?: Impairment;
  /** Largest UDP payload (default 1400). */
  mtu?: number;
  streams?: number;
  timers?: Partial<SctpTimers>;
  /** Valid.Cookie.Life (RFC 4960 15: 60 s). */
  cookieLifeMs?: number;
  log?: (line: string) => void;
}

const DEFAULT_TIMERS: SctpTimers = { rtoInitialMs: 1000, rtoMinMs: 1000, rtoMaxMs: 60_000, maxRetrans: 10, sackDelayMs: 200, heartbeatMs: 0 };
const MAX_INIT_RETRANS = 8;

function random32(): number {
  let v = 0;
  while (v === 0) v = randomBytes(4).readUInt32BE(0); // a verification tag is never 0 (5.3.1)
  return v;
}

interface CookieContents {
  peerTag: number;
  myTag: number;
  peerInitialTsn: number;
  myInitialTsn: number;
  peerRwnd: number;
  outbound: number;
  inbound: number;
  createdAt: number;
}

export class SctpUdpEndpoint extends EventEmitter<{ association: [SctpAssociation] }> {
  private readonly socket: dgram.Socket;
  readonly local: Endpoint;
  private readonly o: SctpUdpOptions;
  private readonly tap: WireTap;
  private readonly clock: Clock;
  private readonly timers: SctpTimers;
  private readonly secret = randomBytes(32);
  private readonly associations = new Map<string, SctpAssociation>();
  readonly stats = { badChecksum: 0, badTag: 0, malformed: 0, outOfTheBlue: 0, unrecognizedChunks: 0, staleCookies: 0 };

  private constructor(socket: dgram.Socket, local: Endpoint, o: SctpUdpOptions) {
    super();
    this.socket = socket;
    this.local = local;
    this.o = o;
    this.tap = o.tap ?? nullTap;
    this.clock = o.clock ?? realClock;
    this.timers = { ...DEFAULT_TIMERS, ...(o.timers ?? {}) };
    socket.on('message', (m, r) => this.onDatagram(new Uint8Array(m.buffer, m.byteOffset, m.length), { address: r.address, port: r.port }));
    socket.on('error', (e) => o.log?.(`[sctp ${local.address}] socket error: ${e.message}`));
  }

  static open(o: SctpUdpOptions): Promise<SctpUdpEndpoint> {
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket(o.address.includes(':') ? 'udp6' : 'udp4');
      s.once('error', reject);
      s.bind(o.udpPort ?? SCTP_UDP_PORT, o.address, () => {
        s.off('error', reject);
        const a = s.address();
        resolve(new SctpUdpEndpoint(s, { address: a.address, port: a.port }, o));
      });
    });
  }

  private get sctpPort(): number {
    return this.o.sctpPort ?? NGAP_SCTP_PORT;
  }

  private get streams(): number {
    return this.o.streams ?? 16;
  }

  private key(peer: Endpoint): string {
    return `${peer.address}:${peer.port}`;
  }

  /** Sends one SCTP packet to `peer` (through the impairment, when one is configured). */
  private sendPacket(peer: Endpoint, peerSctpPort: number, verificationTag: number, chunks: SctpChunk[], comment?: string): void {
    const bytes = encodeSctpPacket({ srcPort: this.sctpPort, dstPort: peerSctpPort, verificationTag, chunks });
    const out = (b: Uint8Array) => {
      this.tap.udp(this.local, peer, b, comment);
      this.socket.send(b, peer.port, peer.address);
    };
    if (this.o.impair) this.o.impair.apply(bytes, out);
    else out(bytes);
  }

  private newAssociation(peer: Endpoint, peerSctpPort: number, myTag: number, myInitialTsn: number, state: AssociationState): SctpAssociation {
    const a = new SctpAssociation({
      peer,
      myTag,
      myInitialTsn,
      outboundStreams: this.streams,
      inboundStreams: this.streams,
      timers: this.timers,
      state,
      io: { send: (chunks, tag, comment) => this.sendPacket(peer, peerSctpPort, tag, chunks, comment), clock: this.clock, mtu: this.o.mtu ?? 1400, ...(this.o.log ? { log: this.o.log } : {}) },
    });
    const k = this.key(peer);
    this.associations.set(k, a);
    a.on('close', () => {
      if (this.associations.get(k) === a) this.associations.delete(k);
    });
    return a;
  }

  /** Client side of RFC 4960 5.1: INIT, INIT ACK, COOKIE ECHO, COOKIE ACK. */
  connect(remote: { address: string; udpPort?: number; sctpPort?: number }): Promise<SctpAssociation> {
    const peer = { address: remote.address, port: remote.udpPort ?? SCTP_UDP_PORT };
    const peerSctpPort = remote.sctpPort ?? NGAP_SCTP_PORT;
    const myTag = random32();
    const myInitialTsn = random32();
    const a = this.newAssociation(peer, peerSctpPort, myTag, myInitialTsn, AssociationState.COOKIE_WAIT);
    const init = initChunk(C.INIT, { initiateTag: myTag, aRwnd: 1 << 20, outboundStreams: this.streams, inboundStreams: this.streams, initialTsn: myInitialTsn, parameters: [] });
    return new Promise((resolve, reject) => {
      let attempts = 0;
      let rto = this.timers.rtoInitialMs;
      const sendInit = () => {
        if (a.state !== AssociationState.COOKIE_WAIT) return;
        if (attempts++ > MAX_INIT_RETRANS) {
          a.close();
          reject(new Error(`SCTP INIT to ${peer.address}:${peer.port} unanswered (Max.Init.Retransmits)`));
          return;
        }
        this.sendPacket(peer, peerSctpPort, 0, [init], attempts === 1 ? 'SCTP INIT (RFC 4960 5.1)' : 'SCTP INIT retransmission (T1-init)');
        a.t1 = this.clock.setTimeout(sendInit, rto);
        rto = Math.min(rto * 2, this.timers.rtoMaxMs);
      };
      a.once('established', () => resolve(a));
      a.once('close', () => reject(new Error('SCTP association closed during set-up')));
      sendInit();
    });
  }

  // --- State Cookie (RFC 4960 5.1.3): our own contents, HMAC-SHA-256 signed --------------------

  private makeCookie(c: CookieContents): Uint8Array {
    const body = Buffer.alloc(32);
    body.writeUInt32BE(c.peerTag >>> 0, 0);
    body.writeUInt32BE(c.myTag >>> 0, 4);
    body.writeUInt32BE(c.peerInitialTsn >>> 0, 8);
    body.writeUInt32BE(c.myInitialTsn >>> 0, 12);
    body.writeUInt32BE(c.peerRwnd >>> 0, 16);
    body.writeUInt16BE(c.outbound, 20);
    body.writeUInt16BE(c.inbound, 22);
    body.writeDoubleBE(c.createdAt, 24);
    const mac = createHmac('sha256', this.secret).update(body).digest();
    return new Uint8Array(Buffer.concat([body, mac]));
  }

  private openCookie(cookie: Uint8Array): CookieContents | 'bad' | 'stale' {
    if (cookie.length !== 64) return 'bad';
    const b = Buffer.from(cookie);
    const mac = createHmac('sha256', this.secret).update(b.subarray(0, 32)).digest();
    if (!timingSafeEqual(mac, b.subarray(32))) return 'bad';
    const c: CookieContents = { peerTag: b.readUInt32BE(0), myTag: b.readUInt32BE(4), peerInitialTsn: b.readUInt32BE(8), myInitialTsn: b.readUInt32BE(12), peerRwnd: b.readUInt32BE(16), outbound: b.readUInt16BE(20), inbound: b.readUInt16BE(22), createdAt: b.readDoubleBE(24) };
    if (this.clock.now() - c.createdAt > (this.o.cookieLifeMs ?? 60_000)) return 'stale';
    return c;
  }

  // --- receive ------------------------------------------------------------------------------------

  private onDatagram(bytes: Uint8Array, peer: Endpoint): void {
    this.tap.udp(peer, this.local, bytes);
    let pkt;
    try {
      pkt = decodeSctpPacket(bytes);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.stats.malformed++;
      this.o.log?.(`[sctp ${this.local.address}] dropped a malformed packet from ${peer.address}:${peer.port}: ${e.message}`);
      return;
    }
    if (!pkt.checksumValid) {
      this.stats.badChecksum++; // RFC 4960 6.8: silently discard
      return;
    }
    if (pkt.chunks.length === 0) return;
    const first = pkt.chunks[0];
    try {
      if (first.type === C.INIT) return this.onInit(peer, pkt.srcPort, pkt.verificationTag, first, pkt.chunks.length);
      if (first.type === C.COOKIE_ECHO) return this.onCookieEcho(peer, pkt.srcPort, pkt.verificationTag, pkt.chunks);
      const a = this.associations.get(this.key(peer));
      if (!a) return this.outOfTheBlue(peer, pkt.srcPort, pkt.verificationTag, pkt.chunks);
      // RFC 4960 8.5 / 8.5.1: the tag must be ours; ABORT and SHUTDOWN COMPLETE with T set carry the peer's.
      const tBit = (first.type === C.ABORT || first.type === C.SHUTDOWN_COMPLETE) && (first.flags & 1) === 1;
      const tagOk = tBit ? pkt.verificationTag === a.peerTag : pkt.verificationTag === a.myTag;
      if (!tagOk) {
        this.stats.badTag++;
        return;
      }
      if (first.type === C.INIT_ACK) return this.onInitAck(a, pkt.srcPort, first);
      if (first.type === C.COOKIE_ACK && a.state === AssociationState.COOKIE_ECHOED) {
        a.establish(a.peerTag, this.pendingPeerTsn.get(a) ?? 0, 1 << 20, a.inboundStreams);
        this.pendingPeerTsn.delete(a);
        a.handleChunks(pkt.chunks.slice(1));
        return;
      }
      a.handleChunks(this.filterUnknown(a, pkt.chunks));
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.stats.malformed++;
      this.o.log?.(`[sctp ${this.local.address}] bad chunk from ${peer.address}:${peer.port}: ${e.message}`);
    }
  }

  private readonly pendingPeerTsn = new WeakMap<SctpAssociation, number>();

  /** RFC 4960 3.2: unrecognized chunk types, by the two upper bits of the type. */
  private filterUnknown(a: SctpAssociation, chunks: SctpChunk[]): SctpChunk[] {
    const known = new Set<number>(Object.values(C));
    const out: SctpChunk[] = [];
    const report: Uint8Array[] = [];
    for (const c of chunks) {
      if (known.has(c.type)) {
        out.push(c);
        continue;
      }
      this.stats.unrecognizedChunks++;
      const action = c.type >> 6;
      if (action === 1 || action === 3) report.push(encodeSctpPacket({ srcPort: 0, dstPort: 0, verificationTag: 0, chunks: [c] }).subarray(12));
      if (action === 0 || action === 1) break; // stop processing this packet
    }
    if (report.length && a.peerTag) this.sendPacket(a.peer, this.sctpPort, a.peerTag, report.map((r) => ({ type: C.ERROR, flags: 0, value: errorCauses([{ code: SctpErrorCause.UnrecognizedChunkType, info: r }]) })), 'SCTP ERROR Unrecognized Chunk Type (RFC 4960 3.2)');
    return out;
  }

  /** Server side of RFC 4960 5.1: answer INIT with INIT ACK and a cookie; keep no state. */
  private onInit(peer: Endpoint, peerSctpPort: number, tag: number, c: SctpChunk, chunkCount: number): void {
    if (tag !== 0 || chunkCount !== 1) {
      this.stats.badTag++; // 8.5.1 a): INIT must carry tag 0 and be alone in its packet
      return;
    }
    const init = decodeInitChunk(c);
    if (init.initiateTag === 0 || init.outboundStreams === 0 || init.inboundStreams === 0) {
      this.sendPacket(peer, peerSctpPort, init.initiateTag, [{ type: C.ABORT, flags: 0, value: errorCauses([{ code: SctpErrorCause.InvalidMandatoryParameter }]) }], 'SCTP ABORT: invalid INIT (RFC 4960 3.3.2)');
      return;
    }
    const myTag = random32();
    const myInitialTsn = random32();
    const outbound = Math.min(this.streams, init.inboundStreams);
    const inbound = Math.min(this.streams, init.outboundStreams);
    const cookie = this.makeCookie({ peerTag: init.initiateTag, myTag, peerInitialTsn: init.initialTsn, myInitialTsn, peerRwnd: init.aRwnd, outbound, inbound, createdAt: this.clock.now() });
    const ack = initChunk(C.INIT_ACK, { initiateTag: myTag, aRwnd: 1 << 20, outboundStreams: outbound, inboundStreams: inbound, initialTsn: myInitialTsn, parameters: [{ type: InitParameter.StateCookie, value: cookie }] });
    this.sendPacket(peer, peerSctpPort, init.initiateTag, [ack], 'SCTP INIT ACK with State Cookie (RFC 4960 5.1)');
  }

  private onInitAck(a: SctpAssociation, peerSctpPort: number, c: SctpChunk): void {
    if (a.state !== AssociationState.COOKIE_WAIT) return;
    const ack = decodeInitChunk(c);
    const cookie = ack.parameters.find((p) => p.type === InitParameter.StateCookie);
    if (!cookie) return;
    this.clock.clearTimeout(a.t1);
    a.state = AssociationState.COOKIE_ECHOED;
    a.peerTag = ack.initiateTag;
    a.inboundStreams = Math.min(a.inboundStreams, ack.outboundStreams);
    this.pendingPeerTsn.set(a, ack.initialTsn);
    let attempts = 0;
    let rto = this.timers.rtoInitialMs;
    const echo = () => {
      if (a.state !== AssociationState.COOKIE_ECHOED) return;
      if (attempts++ > MAX_INIT_RETRANS) {
        a.close();
        return;
      }
      this.sendPacket(a.peer, peerSctpPort, a.peerTag, [{ type: C.COOKIE_ECHO, flags: 0, value: cookie.value }], attempts === 1 ? 'SCTP COOKIE ECHO (RFC 4960 5.1)' : 'SCTP COOKIE ECHO retransmission (T1-cookie)');
      a.t1 = this.clock.setTimeout(echo, rto);
      rto = Math.min(rto * 2, this.timers.rtoMaxMs);
    };
    echo();
  }

  private onCookieEcho(peer: Endpoint, peerSctpPort: number, tag: number, chunks: SctpChunk[]): void {
    const c = this.openCookie(chunks[0].value);
    if (c === 'bad') {
      this.stats.badTag++;
      return;
    }
    if (c === 'stale') {
      this.stats.staleCookies++;
      this.sendPacket(peer, peerSctpPort, tag, [{ type: C.ERROR, flags: 0, value: errorCauses([{ code: SctpErrorCause.StaleCookie, info: new Uint8Array(4) }]) }], 'SCTP ERROR Stale Cookie (RFC 4960 5.2.6)');
      return;
    }
    if (tag !== c.myTag) {
      this.stats.badTag++;
      return;
    }
    const existing = this.associations.get(this.key(peer));
    if (existing && existing.myTag === c.myTag && existing.peerTag === c.peerTag) {
      // A retransmitted COOKIE ECHO for an association already up (5.2.4 case D): ack again.
      this.sendPacket(peer, peerSctpPort, c.peerTag, [emptyChunk(C.COOKIE_ACK)], 'SCTP COOKIE ACK (RFC 4960 5.2.4)');
      existing.handleChunks(chunks.slice(1));
      return;
    }
    existing?.abort('restarted by a new association');
    const a = this.newAssociation(peer, peerSctpPort, c.myTag, c.myInitialTsn, AssociationState.COOKIE_ECHOED);
    a.peerTag = c.peerTag;
    this.sendPacket(peer, peerSctpPort, c.peerTag, [emptyChunk(C.COOKIE_ACK)], 'SCTP COOKIE ACK (RFC 4960 5.1)');
    a.establish(c.peerTag, c.peerInitialTsn, c.peerRwnd, c.inbound);
    this.emit('association', a);
    a.handleChunks(chunks.slice(1));
  }

  /** RFC 4960 8.4: packets for no association. */
  private outOfTheBlue(peer: Endpoint, peerSctpPort: number, tag: number, chunks: SctpChunk[]): void {
    this.stats.outOfTheBlue++;
    const types = chunks.map((c) => c.type);
    if (types.includes(C.ABORT) || types.includes(C.SHUTDOWN_COMPLETE) || types.includes(C.COOKIE_ACK) || types.includes(C.ERROR)) return;
    if (types.includes(C.SHUTDOWN_ACK)) {
      this.sendPacket(peer, peerSctpPort, tag, [emptyChunk(C.SHUTDOWN_COMPLETE, 1)], 'SCTP SHUTDOWN COMPLETE, T set (RFC 4960 8.4)');
      return;
    }
    this.sendPacket(peer, peerSctpPort, tag, [emptyChunk(C.ABORT, 1)], 'SCTP ABORT, T set (RFC 4960 8.4)');
  }

  get associationCount(): number {
    return this.associations.size;
  }

  async close(): Promise<void> {
    for (const a of [...this.associations.values()]) a.abort('endpoint closing');
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
