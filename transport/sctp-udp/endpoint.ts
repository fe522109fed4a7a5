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
import { nullTap, SOCKET_BUFFER_BYTES } from '../tap.ts';
import type { DatagramImpairment } from '../impair.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import {
  decodeSctpPacket, encodeSctpPacket, decodeInitChunk, initChunk, emptyChunk, abortChunk, errorChunk, chunkBytes, InitParameter,
  SctpChunkType as C, SctpErrorCause, isKnownChunkType, unrecognizedAction, type SctpChunk, type InitChunk,
} from '../../codecs/sctp/packet.ts';
import { SctpAssociation, AssociationState, RECEIVE_WINDOW, type SctpTimers } from './association.ts';

export const SCTP_UDP_PORT = 9899;
export const NGAP_SCTP_PORT = 38412;
export const NGAP_PPID = 60;

export interface SctpUdpOptions {
  /** Local IP address to bind (each node its own 127.0.0.x). */
  address: string;
  /** UDP port (RFC 6951 encapsulation port, default 9899). */
  udpPort?: number;
  /** SCTP port (default 38412, NGAP). */
  sctpPort?: number;
  tap?: WireTap;
  clock?: Clock;
  /** Loss / duplicate / reorder injection on this endpoint's send path (transport/impair.ts). */
  impair?: DatagramImpairment;
  /** Largest UDP payload (default 1400). */
  mtu?: number;
  streams?: number;
  timers?: Partial<SctpTimers>;
  /** Valid.Cookie.Life (RFC 4960 15: 60 s). */
  cookieLifeMs?: number;
  log?: (line: string) => void;
}

/** RTO.Initial 1 s (the issue; RFC 4960 15 says 3 s), RTO.Min 1 s, RTO.Max 60 s, Max.Retrans 10, SACK delay 200 ms, HB.interval 30 s. */
export const DEFAULT_TIMERS: SctpTimers = { rtoInitialMs: 1000, rtoMinMs: 1000, rtoMaxMs: 60_000, maxRetrans: 10, sackDelayMs: 200, heartbeatMs: 30_000 };
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
  /** What the endpoint discarded or answered on its own, by RFC 4960 rule. */
  readonly stats = { badChecksum: 0, badTag: 0, malformed: 0, outOfTheBlue: 0, unrecognizedChunks: 0, errorsReported: 0, staleCookies: 0, badCookies: 0, internalErrors: 0 };

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

  /** The AMF side: binds `address`:`udpPort` (9899) and emits 'association' for each peer that sets one up. */
  static listen(o: SctpUdpOptions): Promise<SctpUdpEndpoint> {
    return SctpUdpEndpoint.open(o);
  }

  /**
   * The gNB side: binds its own endpoint (`localAddress`, ephemeral UDP port unless `localUdpPort`)
   * and sets up one association with the peer; the endpoint closes with the association.
   */
  static async connect(o: Omit<SctpUdpOptions, 'address' | 'udpPort'> & { localAddress: string; localUdpPort?: number; remoteAddress: string; remoteUdpPort?: number; remoteSctpPort?: number }): Promise<SctpAssociation> {
    const { localAddress, localUdpPort, remoteAddress, remoteUdpPort, remoteSctpPort, ...rest } = o;
    const ep = await SctpUdpEndpoint.open({ ...rest, address: localAddress, udpPort: localUdpPort ?? 0 });
    try {
      const a = await ep.connect({ address: remoteAddress, udpPort: remoteUdpPort ?? SCTP_UDP_PORT, sctpPort: remoteSctpPort ?? NGAP_SCTP_PORT });
      a.once('close', () => void ep.close());
      return a;
    } catch (e) {
      await ep.close();
      throw e;
    }
  }

  /** Binds the UDP socket (default port 9899); `connect` and 'association' then work on it. */
  static open(o: SctpUdpOptions): Promise<SctpUdpEndpoint> {
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket({ type: o.address.includes(':') ? 'udp6' : 'udp4', recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });
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
      if (this.closing) return; // the socket is going away: nothing more leaves it
      this.tap.udp(this.local, peer, b, comment);
      this.socket.send(b, peer.port, peer.address);
    };
    if (this.o.impair) this.o.impair.apply(bytes, out);
    else out(bytes);
  }

  private newAssociation(peer: Endpoint, peerSctpPort: number, myTag: number, myInitialTsn: number, state: AssociationState): SctpAssociation {
    const a = new SctpAssociation({
      peer,
      peerSctpPort,
      myTag,
      myInitialTsn,
      outboundStreams: this.streams,
      inboundStreams: this.streams,
      timers: this.timers,
      state,
      io: { send: (chunks, tag, comment) => this.sendPacket(peer, peerSctpPort, tag, chunks, comment), clock: this.clock, mtu: this.o.mtu ?? 1400, commented: this.tap !== nullTap, ...(this.o.log ? { log: this.o.log } : {}) },
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
    const init = initChunk(C.INIT, { initiateTag: myTag, aRwnd: RECEIVE_WINDOW, outboundStreams: this.streams, inboundStreams: this.streams, initialTsn: myInitialTsn, parameters: [] });
    return new Promise((resolve, reject) => {
      let attempts = 0;
      let rto = this.timers.rtoInitialMs;
      const sendInit = () => {
        if (a.state !== AssociationState.COOKIE_WAIT) return;
        if (attempts++ > MAX_INIT_RETRANS) {
          reject(new Error(`SCTP INIT to ${peer.address}:${peer.port} unanswered (Max.Init.Retransmits, RFC 4960 5.1 C)`));
          a.close();
          return;
        }
        this.sendPacket(peer, peerSctpPort, 0, [init], attempts === 1 ? 'SCTP INIT [RFC 4960 5.1]' : 'SCTP INIT retransmission [RFC 4960 5.1, T1-init]');
        a.t1 = this.clock.setTimeout(sendInit, rto);
        rto = Math.min(rto * 2, this.timers.rtoMaxMs);
      };
      a.once('established', () => resolve(a));
      a.once('close', () => reject(new Error(`SCTP association with ${peer.address}:${peer.port} closed during set-up`)));
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

  /** The cookie's contents, 'bad' when its MAC does not match, or how many ms it is past its life. */
  private openCookie(cookie: Uint8Array): CookieContents | 'bad' | { staleMs: number; peerTag: number } {
    if (cookie.length !== 64) return 'bad';
    const b = Buffer.from(cookie);
    const mac = createHmac('sha256', this.secret).update(b.subarray(0, 32)).digest();
    if (!timingSafeEqual(mac, b.subarray(32))) return 'bad';
    const c: CookieContents = { peerTag: b.readUInt32BE(0), myTag: b.readUInt32BE(4), peerInitialTsn: b.readUInt32BE(8), myInitialTsn: b.readUInt32BE(12), peerRwnd: b.readUInt32BE(16), outbound: b.readUInt16BE(20), inbound: b.readUInt16BE(22), createdAt: b.readDoubleBE(24) };
    const age = this.clock.now() - c.createdAt;
    if (age > (this.o.cookieLifeMs ?? 60_000)) return { staleMs: age - (this.o.cookieLifeMs ?? 60_000), peerTag: c.peerTag };
    return c;
  }

  // --- receive ------------------------------------------------------------------------------------

  private onDatagram(bytes: Uint8Array, peer: Endpoint): void {
    this.tap.udp(peer, this.local, bytes);
    let pkt;
    try {
      pkt = decodeSctpPacket(bytes);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e; // the codec throws nothing else (fuzzed)
      this.stats.malformed++;
      this.o.log?.(`[sctp ${this.local.address}] dropped a malformed packet from ${peer.address}:${peer.port}: ${e.message}`);
      return;
    }
    if (!pkt.checksumValid) {
      this.stats.badChecksum++; // RFC 4960 6.8: silently discard
      this.o.log?.(`[sctp ${this.local.address}] discarded a packet with a bad CRC32c from ${peer.address}:${peer.port}`);
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
        this.stats.badTag++; // 8.5: silently discard
        this.o.log?.(`[sctp ${this.local.address}] discarded a packet with a wrong verification tag from ${peer.address}:${peer.port}`);
        return;
      }
      if (first.type === C.INIT_ACK) return this.onInitAck(a, pkt.srcPort, first);
      if (first.type === C.COOKIE_ACK) {
        if (a.state === AssociationState.COOKIE_ECHOED) {
          const p = this.pendingPeer.get(a)!;
          this.pendingPeer.delete(a);
          a.establish(a.peerTag, p.initialTsn, p.aRwnd, a.inboundStreams, p.inboundStreams);
        }
        a.handleChunks(this.filterUnknown(a, pkt.chunks.slice(1)));
        return;
      }
      a.handleChunks(this.filterUnknown(a, pkt.chunks));
    } catch (e) {
      // Never let one datagram stop the endpoint: a malformed chunk is counted; anything else is
      // a bug of ours, counted and logged, and the endpoint keeps serving.
      if (e instanceof DecodeError) this.stats.malformed++;
      else this.stats.internalErrors++;
      this.o.log?.(`[sctp ${this.local.address}] dropped the rest of a packet from ${peer.address}:${peer.port}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The peer's INIT ACK values the client needs when the COOKIE ACK completes the set-up. */
  private readonly pendingPeer = new WeakMap<SctpAssociation, { initialTsn: number; aRwnd: number; inboundStreams: number }>();

  /**
   * RFC 4960 3.2: unrecognized chunk types, by the two upper bits of the type: 00 stop and
   * discard the rest of the packet; 01 the same, and report; 10 skip; 11 skip and report. The
   * reports go back in one ERROR chunk with an "Unrecognized Chunk Type" cause per chunk.
   */
  private filterUnknown(a: SctpAssociation, chunks: SctpChunk[]): SctpChunk[] {
    const out: SctpChunk[] = [];
    const report: { code: number; info: Uint8Array }[] = [];
    for (const c of chunks) {
      if (isKnownChunkType(c.type)) {
        out.push(c);
        continue;
      }
      this.stats.unrecognizedChunks++;
      const action = unrecognizedAction(c.type);
      this.o.log?.(`[sctp ${this.local.address}] unrecognized chunk type ${c.type} from ${a.peer.address}:${a.peer.port}: ${action}`);
      if (action === 'StopAndReport' || action === 'SkipAndReport') report.push({ code: SctpErrorCause.UnrecognizedChunkType, info: chunkBytes(c) });
      if (action === 'Stop' || action === 'StopAndReport') break;
    }
    if (report.length && a.peerTag) {
      this.stats.errorsReported++;
      this.sendPacket(a.peer, a.peerSctpPort, a.peerTag, [errorChunk(report)], 'SCTP ERROR Unrecognized Chunk Type [RFC 4960 3.2]');
    }
    return out;
  }

  /**
   * RFC 4960 3.2.1: unrecognized INIT / INIT ACK parameters by their two upper bits; returns those
   * to report (as Unrecognized Parameter) and whether processing of the chunk stopped.
   */
  private unknownParameters(init: InitChunk): { report: Uint8Array[]; stopped: boolean } {
    const known = new Set<number>([InitParameter.IPv4Address, InitParameter.IPv6Address, InitParameter.StateCookie, InitParameter.CookiePreservative, InitParameter.SupportedAddressTypes, 11 /* Host Name Address */]);
    const report: Uint8Array[] = [];
    for (const p of init.parameters) {
      if (known.has(p.type)) continue;
      const action = unrecognizedAction(p.type, 16);
      if (action === 'StopAndReport' || action === 'SkipAndReport') {
        const b = new Uint8Array((4 + p.value.length + 3) & ~3);
        b[0] = p.type >>> 8;
        b[1] = p.type & 0xff;
        b[2] = (4 + p.value.length) >>> 8;
        b[3] = (4 + p.value.length) & 0xff;
        b.set(p.value, 4);
        report.push(b);
      }
      if (action === 'Stop' || action === 'StopAndReport') return { report, stopped: true };
    }
    return { report, stopped: false };
  }

  /** Server side of RFC 4960 5.1: answer INIT with INIT ACK and a cookie; keep no state. */
  private onInit(peer: Endpoint, peerSctpPort: number, tag: number, c: SctpChunk, chunkCount: number): void {
    if (tag !== 0 || chunkCount !== 1) {
      this.stats.badTag++; // 8.5.1 A) and 6.10: INIT carries tag 0 and is alone in its packet
      return;
    }
    const init = decodeInitChunk(c);
    if (init.initiateTag === 0 || init.outboundStreams === 0 || init.inboundStreams === 0) {
      // 3.3.2: a zero Initiate Tag or stream count: ABORT (with the tag it gave, T bit clear)
      this.sendPacket(peer, peerSctpPort, init.initiateTag, [abortChunk([{ code: SctpErrorCause.InvalidMandatoryParameter }])], 'SCTP ABORT: invalid INIT [RFC 4960 3.3.2]');
      return;
    }
    const unknown = this.unknownParameters(init);
    const myTag = random32();
    const myInitialTsn = random32();
    const outbound = Math.min(this.streams, init.inboundStreams);
    const inbound = Math.min(this.streams, init.outboundStreams);
    const cookie = this.makeCookie({ peerTag: init.initiateTag, myTag, peerInitialTsn: init.initialTsn, myInitialTsn, peerRwnd: init.aRwnd, outbound, inbound, createdAt: this.clock.now() });
    const parameters = [{ type: InitParameter.StateCookie, value: cookie }, ...unknown.report.map((value) => ({ type: InitParameter.UnrecognizedParameter, value }))];
    const ack = initChunk(C.INIT_ACK, { initiateTag: myTag, aRwnd: RECEIVE_WINDOW, outboundStreams: outbound, inboundStreams: inbound, initialTsn: myInitialTsn, parameters });
    this.sendPacket(peer, peerSctpPort, init.initiateTag, [ack], 'SCTP INIT ACK with State Cookie [RFC 4960 5.1]');
  }

  private onInitAck(a: SctpAssociation, peerSctpPort: number, c: SctpChunk): void {
    if (a.state !== AssociationState.COOKIE_WAIT) return; // 5.2.3: INIT ACK elsewhere is discarded
    const ack = decodeInitChunk(c);
    const cookie = ack.parameters.find((p) => p.type === InitParameter.StateCookie);
    if (ack.initiateTag === 0 || ack.outboundStreams === 0 || ack.inboundStreams === 0 || !cookie) {
      // 3.3.3 / 5.1: an invalid INIT ACK or one without its State Cookie: ABORT and give up
      this.sendPacket(a.peer, peerSctpPort, ack.initiateTag, [abortChunk([{ code: cookie ? SctpErrorCause.InvalidMandatoryParameter : SctpErrorCause.MissingMandatoryParameter }])], 'SCTP ABORT: invalid INIT ACK [RFC 4960 3.3.3]');
      a.abort('invalid INIT ACK');
      return;
    }
    const unknown = this.unknownParameters(ack);
    this.clock.clearTimeout(a.t1);
    a.state = AssociationState.COOKIE_ECHOED;
    a.peerTag = ack.initiateTag;
    a.inboundStreams = Math.min(a.inboundStreams, ack.outboundStreams);
    this.pendingPeer.set(a, { initialTsn: ack.initialTsn, aRwnd: ack.aRwnd, inboundStreams: ack.inboundStreams });
    // 5.1 C): unrecognized INIT ACK parameters are reported in an ERROR bundled after the COOKIE ECHO
    const report = unknown.report.length ? [errorChunk(unknown.report.map((info) => ({ code: SctpErrorCause.UnrecognizedParameters, info })))] : [];
    let attempts = 0;
    let rto = this.timers.rtoInitialMs;
    const echo = () => {
      if (a.state !== AssociationState.COOKIE_ECHOED) return;
      if (attempts++ > MAX_INIT_RETRANS) {
        a.close();
        return;
      }
      this.sendPacket(a.peer, peerSctpPort, a.peerTag, [{ type: C.COOKIE_ECHO, flags: 0, value: cookie.value }, ...report], attempts === 1 ? 'SCTP COOKIE ECHO [RFC 4960 5.1]' : 'SCTP COOKIE ECHO retransmission [RFC 4960 5.1, T1-cookie]');
      a.t1 = this.clock.setTimeout(echo, rto);
      rto = Math.min(rto * 2, this.timers.rtoMaxMs);
    };
    echo();
  }

  private onCookieEcho(peer: Endpoint, peerSctpPort: number, tag: number, chunks: SctpChunk[]): void {
    const c = this.openCookie(chunks[0].value);
    if (c === 'bad') {
      this.stats.badCookies++; // 5.1.5 2): a cookie whose MAC does not match is silently discarded
      this.o.log?.(`[sctp ${this.local.address}] discarded a COOKIE ECHO with a bad signature from ${peer.address}:${peer.port}`);
      return;
    }
    if ('staleMs' in c) {
      // 5.1.5 3), 3.3.10.3: Stale Cookie, with the Measure of Staleness in microseconds
      this.stats.staleCookies++;
      const info = new Uint8Array(4);
      new DataView(info.buffer).setUint32(0, Math.min(0xffffffff, Math.round(c.staleMs * 1000)));
      this.sendPacket(peer, peerSctpPort, c.peerTag, [errorChunk([{ code: SctpErrorCause.StaleCookie, info }])], 'SCTP ERROR Stale Cookie [RFC 4960 5.2.6]');
      return;
    }
    if (tag !== c.myTag) {
      this.stats.badTag++; // 8.5: the COOKIE ECHO carries the tag we gave in the INIT ACK
      return;
    }
    const existing = this.associations.get(this.key(peer));
    if (existing && existing.myTag === c.myTag && existing.peerTag === c.peerTag) {
      // A retransmitted COOKIE ECHO for an association already up (5.2.4 case D): ack again.
      this.sendPacket(peer, peerSctpPort, c.peerTag, [emptyChunk(C.COOKIE_ACK)], 'SCTP COOKIE ACK [RFC 4960 5.2.4]');
      existing.handleChunks(chunks.slice(1));
      return;
    }
    existing?.abort('restarted by a new association');
    const a = this.newAssociation(peer, peerSctpPort, c.myTag, c.myInitialTsn, AssociationState.COOKIE_ECHOED);
    a.peerTag = c.peerTag;
    this.sendPacket(peer, peerSctpPort, c.peerTag, [emptyChunk(C.COOKIE_ACK)], 'SCTP COOKIE ACK [RFC 4960 5.1]');
    a.establish(c.peerTag, c.peerInitialTsn, c.peerRwnd, c.inbound, c.outbound);
    this.emit('association', a);
    a.handleChunks(chunks.slice(1));
  }

  /** RFC 4960 8.4: packets for no association. */
  private outOfTheBlue(peer: Endpoint, peerSctpPort: number, tag: number, chunks: SctpChunk[]): void {
    this.stats.outOfTheBlue++;
    const types = chunks.map((c) => c.type);
    if (types.includes(C.ABORT) || types.includes(C.SHUTDOWN_COMPLETE) || types.includes(C.COOKIE_ACK) || types.includes(C.ERROR)) return;
    if (types.includes(C.SHUTDOWN_ACK)) {
      this.sendPacket(peer, peerSctpPort, tag, [emptyChunk(C.SHUTDOWN_COMPLETE, 1)], 'SCTP SHUTDOWN COMPLETE, T set [RFC 4960 8.4]');
      return;
    }
    this.sendPacket(peer, peerSctpPort, tag, [abortChunk([], true)], 'SCTP ABORT, T set [RFC 4960 8.4]');
  }

  private closing: Promise<void> | undefined;

  get associationCount(): number {
    return this.associations.size;
  }

  async close(): Promise<void> {
    if (this.closing) return this.closing;
    for (const a of [...this.associations.values()]) a.abort('endpoint closing');
    this.closing = Promise.resolve();
    // dgram resolves the destination on the next tick: let the last ABORT / SHUTDOWN COMPLETE out first
    this.closing = new Promise<void>((r) => setImmediate(r)).then(() => new Promise<void>((resolve) => this.socket.close(() => resolve())));
    return this.closing;
  }
}
