// Shared pieces of the SCTP-over-UDP tests: a connected gNB/AMF pair on loopback, message
// collection, polling, and a raw peer that speaks SCTP packets by hand through the codec.

import dgram from 'node:dgram';
import { SctpUdpEndpoint, type SctpUdpOptions } from '../../transport/sctp-udp/endpoint.ts';
import type { SctpAssociation, SctpTimers } from '../../transport/sctp-udp/association.ts';
import { encodeSctpPacket, decodeSctp, initChunk, SctpChunkType as C, type SctpChunk, type DecodedSctpPacket } from '../../codecs/sctp/index.ts';

/** Fast timers for real-clock tests (the RFC defaults are used under the virtual clock). */
export const fast: Partial<SctpTimers> = { rtoInitialMs: 40, rtoMinMs: 20, rtoMaxMs: 300, sackDelayMs: 10, maxRetrans: 10, heartbeatMs: 0 };

export const opened: { close(): Promise<void> }[] = [];
export async function closeAll(): Promise<void> {
  for (const o of opened.splice(0)) await o.close().catch(() => {});
}

let nextHost = 10;
/** A fresh loopback address pair per test, so sockets of consecutive tests never meet. */
export function hosts(): [string, string] {
  nextHost += 2;
  return [`127.0.${nextHost >> 8}.${nextHost & 0xff}`, `127.0.${(nextHost + 1) >> 8}.${(nextHost + 1) & 0xff}`];
}

export async function pair(o: { amf?: Partial<SctpUdpOptions>; gnb?: Partial<SctpUdpOptions>; udpPort?: number } = {}) {
  const [a, g] = hosts();
  const amf = await SctpUdpEndpoint.listen({ address: a, udpPort: o.udpPort ?? 0, timers: fast, ...o.amf });
  const gnb = await SctpUdpEndpoint.open({ address: g, udpPort: o.udpPort ?? 0, timers: fast, ...o.gnb });
  opened.push(gnb, amf);
  const accepted = new Promise<SctpAssociation>((r) => amf.once('association', r));
  const client = await gnb.connect({ address: a, udpPort: amf.local.port });
  const server = await accepted;
  return { amf, gnb, client, server };
}

export interface Received {
  streamId: number;
  ppid: number;
  payload: Uint8Array;
}

export function collect(a: SctpAssociation): Received[] {
  const got: Received[] = [];
  a.on('message', (streamId, ppid, payload) => got.push({ streamId, ppid, payload }));
  return got;
}

export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export const msg = (i: number, size = 20) => Uint8Array.from({ length: size }, (_, k) => (i + k) & 0xff);

/** A hand-driven SCTP peer on a plain UDP socket: sends packets built with the codec, records what comes back. */
export class RawPeer {
  readonly received: DecodedSctpPacket[] = [];
  myTag = 0x0badcafe;
  peerTag = 0;
  nextTsn = 1000;

  readonly socket: dgram.Socket;
  readonly to: { address: string; port: number };

  private constructor(socket: dgram.Socket, to: { address: string; port: number }) {
    this.socket = socket;
    this.to = to;
    socket.on('message', (m) => this.received.push(decodeSctp(new Uint8Array(m))));
  }

  static async open(address: string, to: { address: string; port: number }): Promise<RawPeer> {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, address, () => r()));
    const p = new RawPeer(s, to);
    opened.push(p);
    return p;
  }

  sendRaw(b: Uint8Array): void {
    this.socket.send(b, this.to.port, this.to.address);
  }

  send(chunks: SctpChunk[], tag = this.peerTag): void {
    this.sendRaw(encodeSctpPacket({ srcPort: 38412, dstPort: 38412, verificationTag: tag, chunks }));
  }

  /** Waits for the next packet containing a chunk of `kind`, and returns it. */
  async expect(kind: DecodedSctpPacket['chunks'][number]['kind'], ms = 2000): Promise<DecodedSctpPacket> {
    let found: DecodedSctpPacket | undefined;
    await until(() => (found = this.received.find((p) => p.chunks.some((c) => c.kind === kind))) !== undefined, ms, `a ${kind} chunk`);
    this.received.splice(this.received.indexOf(found!), 1);
    return found!;
  }

  /** RFC 4960 5.1 by hand: INIT, INIT ACK, COOKIE ECHO, COOKIE ACK. */
  async associate(): Promise<void> {
    this.send([initChunk(C.INIT, { initiateTag: this.myTag, aRwnd: 1 << 16, outboundStreams: 4, inboundStreams: 4, initialTsn: this.nextTsn, parameters: [] })], 0);
    const ack = (await this.expect('InitAck')).chunks[0];
    if (ack.kind !== 'InitAck' || !ack.stateCookie) throw new Error('no INIT ACK');
    this.peerTag = ack.initiateTag;
    this.send([{ type: C.COOKIE_ECHO, flags: 0, value: ack.stateCookie }]);
    await this.expect('CookieAck');
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

