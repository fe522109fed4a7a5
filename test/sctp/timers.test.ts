// SCTP timers in virtual time with the RFC 4960 defaults (RTO.Initial 1 s, RTO.Min 1 s, RTO.Max
// 60 s, Association.Max.Retrans 10, delayed SACK 200 ms): T1-init and T1-cookie with backoff,
// T3-rtx with exponential backoff until the association is lost, the delayed SACK, HEARTBEAT on
// an idle path, and the State Cookie's lifetime. Sockets are real; only time is virtual.

import { describe, it, expect, afterEach } from 'vitest';
import dgram from 'node:dgram';
import { SctpUdpEndpoint } from '../../transport/sctp-udp/endpoint.ts';
import type { SctpAssociation } from '../../transport/sctp-udp/association.ts';
import { VirtualClock } from '../../transport/clock.ts';
import type { DatagramImpairment } from '../../transport/impair.ts';
import { decodeSctp, type DecodedSctpPacket } from '../../codecs/sctp/index.ts';
import { collect, until, msg, hosts, opened, closeAll } from './helpers.ts';

afterEach(closeAll);

/** A send-path impairment that records (virtual time, packet) and drops while `cut` is set or `drop` says so. */
class Recorder implements DatagramImpairment {
  readonly sent: { at: number; p: DecodedSctpPacket }[] = [];
  cut = false;
  drop: (p: DecodedSctpPacket) => boolean = () => false;
  private readonly clock: VirtualClock;
  constructor(clock: VirtualClock) {
    this.clock = clock;
  }
  apply(bytes: Uint8Array, send: (b: Uint8Array) => void): void {
    const p = decodeSctp(bytes);
    this.sent.push({ at: this.clock.now(), p });
    if (!this.cut && !this.drop(p)) send(bytes);
  }
  kinds(): string[] {
    return this.sent.map((s) => s.p.chunks.map((c) => c.kind).join('+'));
  }
}

async function virtualPair(o: { heartbeatMs?: number; cookieLifeMs?: number } = {}) {
  const clock = new VirtualClock(1_000_000);
  const [a, g] = hosts();
  const amfRec = new Recorder(clock), gnbRec = new Recorder(clock);
  const timers = { heartbeatMs: o.heartbeatMs ?? 0 };
  const amf = await SctpUdpEndpoint.listen({ address: a, udpPort: 0, clock, impair: amfRec, timers, ...(o.cookieLifeMs ? { cookieLifeMs: o.cookieLifeMs } : {}) });
  const gnb = await SctpUdpEndpoint.open({ address: g, udpPort: 0, clock, impair: gnbRec, timers });
  opened.push(gnb, amf);
  const server = new Promise<SctpAssociation>((r) => amf.once('association', r));
  return { clock, amf, gnb, amfRec, gnbRec, server, connect: () => gnb.connect({ address: a, udpPort: amf.local.port }) };
}

const settle = () => new Promise((r) => setTimeout(r, 15));

describe('SCTP timers in virtual time (RFC 4960 6.3, 5.1, 6.2, 8.3)', () => {
  it('T1-init: INIT retransmitted with doubling RTO up to RTO.Max, then set-up fails (Max.Init.Retransmits 8)', async () => {
    const clock = new VirtualClock(0);
    const [g, silent] = hosts();
    const sink = dgram.createSocket('udp4');
    const inits: number[] = [];
    sink.on('message', () => inits.push(clock.now()));
    await new Promise<void>((r) => sink.bind(0, silent, () => r()));
    opened.push({ close: () => new Promise<void>((r) => sink.close(() => r())) });
    const gnb = await SctpUdpEndpoint.open({ address: g, udpPort: 0, clock });
    opened.push(gnb);
    let failure: Error | undefined;
    gnb.connect({ address: silent, udpPort: sink.address().port }).catch((e: Error) => (failure = e));
    await until(() => inits.length === 1);
    for (const step of [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]) {
      clock.advance(step - 1);
      await settle();
      const before = inits.length;
      clock.advance(1);
      await until(() => inits.length === before + 1, 1000, `INIT after ${step} ms`);
    }
    expect(inits).toEqual([0, 1000, 3000, 7000, 15000, 31000, 63000, 123000, 183000]);
    clock.advance(60000);
    await until(() => failure !== undefined);
    expect(failure!.message).toMatch(/unanswered/);
  });

  it('T1-cookie: a lost COOKIE ECHO is sent again after RTO.Initial and the set-up completes', async () => {
    const v = await virtualPair();
    let dropped = 0;
    v.gnbRec.drop = (p) => p.chunks[0].kind === 'CookieEcho' && dropped++ === 0;
    const done = v.connect();
    await until(() => v.gnbRec.kinds().includes('CookieEcho'));
    await settle();
    expect(v.amf.associationCount).toBe(0); // stateless until a valid COOKIE ECHO (5.1)
    v.clock.advance(1000);
    const a = await done;
    expect(a.state).toBe('ESTABLISHED');
    expect(v.gnbRec.sent.filter((s) => s.p.chunks[0].kind === 'CookieEcho').map((s) => s.at - 1_000_000)).toEqual([0, 1000]);
  });

  it('Stale Cookie: a COOKIE ECHO that arrives after Valid.Cookie.Life is answered with ERROR and the set-up fails', async () => {
    const v = await virtualPair({ cookieLifeMs: 500 });
    v.gnbRec.drop = (p) => p.chunks[0].kind === 'CookieEcho' && v.gnbRec.sent.filter((s) => s.p.chunks[0].kind === 'CookieEcho').length === 1;
    let failure: Error | undefined;
    v.connect().catch((e: Error) => (failure = e));
    await until(() => v.gnbRec.kinds().includes('CookieEcho'));
    v.clock.advance(1000); // T1-cookie: the retransmitted cookie is 500 ms past its life
    await until(() => failure !== undefined);
    expect(v.amf.stats.staleCookies).toBe(1);
    const err = v.amfRec.sent.find((s) => s.p.chunks[0].kind === 'Error')!.p.chunks[0];
    expect(err.kind === 'Error' && err.causes[0].code).toBe(3);
    expect(err.kind === 'Error' && new DataView(err.causes[0].info.buffer, err.causes[0].info.byteOffset).getUint32(0)).toBe(500_000); // microseconds
    expect(v.amf.associationCount).toBe(0);
  });

  it('T3-rtx: retransmission with exponential backoff (6.3.3), then Association.Max.Retrans fails it and the user gets "lost"', async () => {
    const v = await virtualPair();
    const client = await v.connect();
    await until(() => v.amf.associationCount === 1);
    v.gnbRec.cut = true; // the path from the gNB dies
    const t0 = v.clock.now();
    let lost: string | undefined;
    client.on('lost', (r) => (lost = r));
    client.send(0, 60, msg(1));
    await new Promise((r) => setImmediate(r)); // DATA leaves at the end of the loop's I/O round, bundled (RFC 9260 6.10)
    for (let i = 0; i < 40 && !lost; i++) v.clock.advance(10_000);
    const data = v.gnbRec.sent.filter((s) => s.at >= t0 && s.p.chunks[0].kind === 'Data').map((s) => s.at - t0);
    // first send, then 10 retransmissions at RTO 1, 2, 4, 8, 16, 32, 60, 60, 60, 60 s
    expect(data).toEqual([0, 1000, 3000, 7000, 15000, 31000, 63000, 123000, 183000, 243000, 303000]);
    expect(lost).toMatch(/Max.Retrans/);
    expect(client.state).toBe('CLOSED');
    expect(v.gnbRec.kinds().at(-1)).toBe('Abort');
  });

  it('a DATA lost once is retransmitted on T3-rtx after RTO.Initial and delivered once', async () => {
    const v = await virtualPair();
    const client = await v.connect();
    const got = collect(await v.server);
    let first = true;
    v.gnbRec.drop = (p) => p.chunks.some((c) => c.kind === 'Data') && (first ? !(first = false) : false);
    client.send(1, 60, msg(3));
    await settle();
    expect(got).toEqual([]);
    v.clock.advance(1000);
    await until(() => got.length === 1);
    v.clock.advance(200); // the delayed SACK
    await until(() => client.bufferedChunks === 0);
    expect(got.map((m) => m.payload[0])).toEqual([3]);
  });

  it('delayed SACK (6.2): 200 ms after one DATA packet, at once after the second', async () => {
    const v = await virtualPair();
    const client = await v.connect();
    await until(() => v.amf.associationCount === 1);
    const sacks = () => v.amfRec.sent.filter((s) => s.p.chunks.some((c) => c.kind === 'Sack')).length;
    client.send(0, 60, msg(1));
    await until(() => v.gnbRec.kinds().includes('Data'));
    await settle();
    expect(sacks()).toBe(0);
    v.clock.advance(199);
    expect(sacks()).toBe(0);
    v.clock.advance(1);
    expect(sacks()).toBe(1);
    // two DATA packets in a row: the second one is acknowledged at once, with no timer
    client.send(0, 60, msg(2));
    await until(() => v.gnbRec.kinds().filter((k) => k.includes('Data')).length === 2);
    client.send(0, 60, msg(3));
    await until(() => sacks() === 2, 1000, 'a SACK without waiting for the timer');
    // the SACK was sent with the virtual clock not advanced; it reaches the client over loopback
    // a moment later (asserting at once raced the datagram on a busy machine)
    await until(() => client.bufferedChunks === 0, 1000, 'the SACK acknowledging both at the client');
  });

  it('HEARTBEAT on an idle path every HB.interval + RTO (8.3), answered; unanswered ones fail the association', async () => {
    const v = await virtualPair({ heartbeatMs: 30_000 });
    const client = await v.connect();
    await until(() => v.amf.associationCount === 1);
    const t0 = v.clock.now();
    v.clock.advance(31_000);
    await until(() => v.amfRec.kinds().includes('HeartbeatAck') && v.gnbRec.kinds().includes('HeartbeatAck'));
    // every packet the AMF sent (the INIT ACK goes to the endpoint) has reached the gNB's association,
    // the HEARTBEAT ACK included: under load it may still be in the socket, and a late one would
    // clear the error count in the middle of the count below (wall-clock independent)
    await until(() => client.stats.received >= v.amfRec.sent.filter((s) => !s.p.chunks.some((c) => c.kind === 'InitAck')).length);
    expect(v.gnbRec.sent.find((s) => s.p.chunks[0].kind === 'Heartbeat')!.at - t0).toBe(31_000);
    v.amfRec.cut = true; // the AMF's answers no longer arrive
    let lost: string | undefined;
    client.on('lost', (r) => (lost = r));
    for (let i = 0; i < 12 && !lost; i++) {
      v.clock.advance(31_000);
      await settle();
    }
    expect(lost).toMatch(/HEARTBEAT/);
    expect(v.gnbRec.sent.filter((s) => s.p.chunks[0].kind === 'Heartbeat').length).toBe(12);
  });
});

