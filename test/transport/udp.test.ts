import { describe, it, expect, afterEach } from 'vitest';
import dgram from 'node:dgram';
import { PfcpEndpoint, PfcpTimeoutError, readPfcpHeader } from '../../transport/udp/pfcp-endpoint.ts';
import { GtpuEndpoint } from '../../transport/udp/gtpu-endpoint.ts';
import { VirtualClock } from '../../transport/clock.ts';
import { RecordingTap } from '../../transport/tap.ts';
import * as P from '../../codecs/pfcp/index.ts';
import { encodeGtpu, decodeGtpu, echoRequest, gPdu } from '../../codecs/gtpu/index.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function pfcp(address: string, opts: Partial<Parameters<typeof PfcpEndpoint.open>[0]> = {}) {
  const e = await PfcpEndpoint.open({ address, port: 0, recoveryTimeStamp: 1000, ...opts });
  closers.push(() => e.close());
  return e;
}

async function rawSocket(address: string): Promise<{ s: dgram.Socket; port: number; got: Uint8Array[] }> {
  const s = dgram.createSocket('udp4');
  const got: Uint8Array[] = [];
  s.on('message', (m) => got.push(new Uint8Array(m)));
  await new Promise<void>((r) => s.bind(0, address, () => r()));
  closers.push(() => new Promise((r) => s.close(() => r())));
  return { s, port: s.address().port, got };
}

const until = async (cond: () => boolean, ms = 2000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('PFCP endpoint (TS 29.244 6.4)', () => {
  it('matches the response to its request by sequence number', async () => {
    const smf = await pfcp('127.0.25.4');
    const upf = await pfcp('127.0.25.7');
    upf.onRequest(async ({ header }) => ({ response: P.encodePfcp(P.sessionDeletionResponse(header.sequenceNumber, 5n, P.PfcpCause.RequestAccepted)) }));
    const rsp = await smf.request(upf.local, (seq) => P.encodePfcp(P.sessionDeletionRequest(seq, 77n)));
    const m = P.decodePfcp(rsp);
    expect(m.type).toBe(P.PfcpMessageType.SessionDeletionResponse);
    expect(P.get(m.ies, P.PfcpIeType.Cause)).toBe(1);
  });

  it('a response with the sequence number of a pending request but from another peer is not taken for its answer', async () => {
    const smf = await pfcp('127.0.25.4');
    const upf = await pfcp('127.0.25.7');
    const other = await rawSocket('127.0.25.9');
    let answer: ((r: Uint8Array) => void) | undefined;
    upf.onRequest(({ header }) => new Promise((resolve) => (answer = () => resolve({ response: P.encodePfcp(P.sessionDeletionResponse(header.sequenceNumber, 5n, P.PfcpCause.RequestAccepted)) }))));
    let seq = 0;
    let settled = false;
    const pending = smf.request(upf.local, (s) => P.encodePfcp(P.sessionDeletionRequest((seq = s), 77n))).finally(() => (settled = true));
    await until(() => answer !== undefined);
    // the same sequence number from a third node: a cause the UPF never sends
    other.s.send(P.encodePfcp(P.sessionDeletionResponse(seq, 5n, P.PfcpCause.RequestRejected)), smf.local.port, smf.local.address);
    await until(() => smf.stats.received === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    answer!(new Uint8Array(0));
    expect(P.get(P.decodePfcp(await pending).ies, P.PfcpIeType.Cause)).toBe(P.PfcpCause.RequestAccepted);
  });

  it('T1 retransmits, N1 bounds the attempts, then a typed timeout (virtual time)', async () => {
    const clock = new VirtualClock();
    const smf = await pfcp('127.0.25.4', { clock });
    const silent = await rawSocket('127.0.25.7');
    const p = smf.request({ address: '127.0.25.7', port: silent.port }, (seq) => P.encodePfcp(P.sessionDeletionRequest(seq, 1n)));
    const outcome = p.then(() => 'answered', (e: unknown) => e);
    await until(() => silent.got.length === 1);
    clock.advance(3000);
    await until(() => silent.got.length === 2);
    clock.advance(3000);
    await until(() => silent.got.length === 3);
    clock.advance(3000);
    const e = await outcome;
    expect(e).toBeInstanceOf(PfcpTimeoutError);
    expect(silent.got.every((b) => b.length === silent.got[0].length && b.every((x, i) => x === silent.got[0][i]))).toBe(true);
    expect(smf.stats).toMatchObject({ retransmissions: 2, timeouts: 1 });
  });

  it('each request\'s T1 runs from its own sending: a retransmission of an earlier one does not hold back a later one\'s', async () => {
    const clock = new VirtualClock();
    const smf = await pfcp('127.0.25.4', { clock });
    const silent = await rawSocket('127.0.25.7');
    const peer = { address: '127.0.25.7', port: silent.port };
    // unanswered: rejected when the endpoint closes after the test
    void smf.request(peer, (seq) => P.encodePfcp(P.sessionDeletionRequest(seq, 1n))).catch(() => undefined);
    await until(() => silent.got.length === 1);
    clock.advance(1000);
    void smf.request(peer, (seq) => P.encodePfcp(P.sessionDeletionRequest(seq, 2n))).catch(() => undefined);
    await until(() => silent.got.length === 2);
    clock.advance(2000); // 3000: the first's T1
    await until(() => silent.got.length === 3);
    clock.advance(1000); // 4000: the second's T1
    await until(() => silent.got.length === 4);
    expect(silent.got.map((b) => P.decodePfcp(b).seid)).toEqual([1n, 2n, 1n, 2n]);
    expect(smf.stats.retransmissions).toBe(2);
  });

  it('at most `window` requests are outstanding to a peer; the others wait, and their T1 starts when they are sent (issue 21)', async () => {
    const clock = new VirtualClock();
    const smf = await pfcp('127.0.25.4', { clock, window: 2 });
    const upf = await rawSocket('127.0.25.7');
    const peer = { address: '127.0.25.7', port: upf.port };
    const answers = Array.from({ length: 5 }, (_, i) => smf.request(peer, (seq) => P.encodePfcp(P.sessionDeletionRequest(seq, BigInt(i + 1)))));
    await until(() => upf.got.length === 2);
    clock.advance(2999); // the waiting ones have no T1 running yet: nothing is retransmitted
    await new Promise((r) => setTimeout(r, 20));
    expect(upf.got.length).toBe(2);
    expect(smf.stats.queuedAtMost).toBe(3);
    const answer = (b: Uint8Array) => upf.s.send(P.encodePfcp(P.sessionDeletionResponse(readPfcpHeader(b)!.sequenceNumber, 5n, P.PfcpCause.RequestAccepted)), smf.local.port, '127.0.25.4');
    for (let n = 0; n < 5; n++) {
      await until(() => upf.got.length > n);
      answer(upf.got[n]);
    }
    await Promise.all(answers);
    expect(upf.got.length).toBe(5);
    expect(smf.stats.retransmissions).toBe(0);
  });

  it('a request that times out frees its place in the window for the next one, which is then sent and answered', async () => {
    const clock = new VirtualClock();
    const smf = await pfcp('127.0.25.4', { clock, window: 1, n1: 1 });
    const upf = await rawSocket('127.0.25.7');
    const peer = { address: '127.0.25.7', port: upf.port };
    const first = smf.request(peer, (seq) => P.encodePfcp(P.sessionDeletionRequest(seq, 1n))).then(() => 'answered', (e: unknown) => e);
    const second = smf.request(peer, (seq) => P.encodePfcp(P.sessionDeletionRequest(seq, 2n)));
    await until(() => upf.got.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(upf.got.length).toBe(1); // the second waits for the first's place
    clock.advance(3000);
    expect(await first).toBeInstanceOf(PfcpTimeoutError);
    await until(() => upf.got.length === 2);
    expect(P.decodePfcp(upf.got[1]).seid).toBe(2n);
    upf.s.send(P.encodePfcp(P.sessionDeletionResponse(readPfcpHeader(upf.got[1])!.sequenceNumber, 5n, P.PfcpCause.RequestAccepted)), smf.local.port, '127.0.25.4');
    expect(P.decodePfcp(await second).type).toBe(P.PfcpMessageType.SessionDeletionResponse);
  });

  it('a request whose message cannot be built is rejected with the encoder\'s error, its window place freed, wherever it waited; nothing escapes into the event loop', async () => {
    const clock = new VirtualClock();
    const smf = await pfcp('127.0.25.4', { clock, window: 1, n1: 1 });
    const upf = await rawSocket('127.0.25.7');
    const peer = { address: '127.0.25.7', port: upf.port };
    const unbuildable = () => {
      throw new Error('Network Instance: label of 64 octets');
    };
    const first = smf.request(peer, (seq) => P.encodePfcp(P.sessionDeletionRequest(seq, 1n))).then(() => 'answered', (e: unknown) => e);
    // waits for the first's place; it is built when the first times out, inside the T1 expiry
    const waiting = smf.request(peer, unbuildable).then(() => 'answered', (e: unknown) => e);
    const third = smf.request(peer, (seq) => P.encodePfcp(P.sessionDeletionRequest(seq, 3n)));
    await until(() => upf.got.length === 1);
    clock.advance(3000);
    expect(await first).toBeInstanceOf(PfcpTimeoutError);
    expect(((await waiting) as Error).message).toBe('Network Instance: label of 64 octets');
    await until(() => upf.got.length === 2);
    expect(P.decodePfcp(upf.got[1]).seid).toBe(3n);
    upf.s.send(P.encodePfcp(P.sessionDeletionResponse(readPfcpHeader(upf.got[1])!.sequenceNumber, 5n, P.PfcpCause.RequestAccepted)), smf.local.port, '127.0.25.4');
    expect(P.decodePfcp(await third).type).toBe(P.PfcpMessageType.SessionDeletionResponse);
    // with the window free: rejected too (not thrown at the caller), and the place is given back
    await expect(smf.request(peer, unbuildable)).rejects.toThrow('label of 64 octets');
    const fourth = smf.request(peer, (seq) => P.encodePfcp(P.sessionDeletionRequest(seq, 4n)));
    await until(() => upf.got.length === 3);
    upf.s.send(P.encodePfcp(P.sessionDeletionResponse(readPfcpHeader(upf.got[2])!.sequenceNumber, 5n, P.PfcpCause.RequestAccepted)), smf.local.port, '127.0.25.4');
    expect(P.decodePfcp(await fourth).type).toBe(P.PfcpMessageType.SessionDeletionResponse);
  });

  it('a retransmitted request is answered from the response cache without running the handler again', async () => {
    const upf = await pfcp('127.0.25.7');
    let runs = 0;
    upf.onRequest(async ({ header }) => {
      runs++;
      return { response: P.encodePfcp(P.sessionDeletionResponse(header.sequenceNumber, 5n, P.PfcpCause.RequestAccepted)) };
    });
    const smf = await rawSocket('127.0.25.4');
    const req = P.encodePfcp(P.sessionDeletionRequest(42, 77n));
    smf.s.send(req, upf.local.port, '127.0.25.7');
    await until(() => smf.got.length === 1);
    smf.s.send(req, upf.local.port, '127.0.25.7');
    await until(() => smf.got.length === 2);
    expect(runs).toBe(1);
    expect(smf.got[1]).toEqual(smf.got[0]);
    expect(upf.stats.duplicatesAnswered).toBe(1);
  });

  it('answers Heartbeat Request itself and reports a peer restart from a changed Recovery Time Stamp', async () => {
    const smf = await pfcp('127.0.25.4', { recoveryTimeStamp: 111 });
    const upf = await pfcp('127.0.25.7', { recoveryTimeStamp: 222 });
    const restarts: [number, number][] = [];
    upf.on('peer-restart', (_p, a, b) => restarts.push([a, b]));
    const hb = await smf.request(upf.local, (seq) => P.encodePfcp(P.heartbeatRequest(seq, 111)));
    expect(P.get(P.decodePfcp(hb).ies, P.PfcpIeType.RecoveryTimeStamp)).toBe(222);
    const raw = await rawSocket('127.0.25.4');
    raw.s.send(P.encodePfcp(P.heartbeatRequest(9, 500)), upf.local.port, '127.0.25.7');
    raw.s.send(P.encodePfcp(P.heartbeatRequest(10, 501)), upf.local.port, '127.0.25.7');
    await until(() => raw.got.length === 2);
    expect(restarts).toEqual([[500, 501]]);
  });

  it('reads the header fields of session and node messages, any SEID up to 2^64 - 1', () => {
    const del = (seid: bigint) => readPfcpHeader(P.encodePfcp(P.sessionDeletionRequest(0xabcdef, seid)));
    for (const seid of [0n, 1n, 0xffffffffn, 0x100000000n, 0xfedcba9876543210n, 0xffffffffffffffffn]) expect(del(seid)).toEqual({ version: 1, type: 54, length: 12, seid, sequenceNumber: 0xabcdef, iesAt: 16 });
    expect(readPfcpHeader(P.encodePfcp(P.heartbeatRequest(9, 1)))).toEqual({ version: 1, type: 1, length: 12, sequenceNumber: 9, iesAt: 8 });
  });

  it('garbage is dropped and counted, an unknown version gets Version Not Supported, and the endpoint keeps serving', async () => {
    const upf = await pfcp('127.0.25.7');
    upf.onRequest(async ({ header }) => ({ response: P.encodePfcp(P.sessionDeletionResponse(header.sequenceNumber, 5n, 1)) }));
    const raw = await rawSocket('127.0.25.4');
    raw.s.send(Uint8Array.of(1, 2, 3), upf.local.port, '127.0.25.7');
    raw.s.send(Uint8Array.of(0x21, 54, 0, 200, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0), upf.local.port, '127.0.25.7'); // lying length
    raw.s.send(Uint8Array.of(0x40, 1, 0, 4, 0, 0, 7, 0), upf.local.port, '127.0.25.7'); // PFCP version 2
    await until(() => raw.got.length === 1);
    expect(readPfcpHeader(raw.got[0])).toMatchObject({ type: 11, sequenceNumber: 7 });
    raw.s.send(P.encodePfcp(P.sessionDeletionRequest(8, 1n)), upf.local.port, '127.0.25.7');
    await until(() => raw.got.length === 2);
    expect(P.decodePfcp(raw.got[1]).type).toBe(P.PfcpMessageType.SessionDeletionResponse);
    expect(upf.stats.malformed).toBe(3);
  });

  it('two nodes use the same well-known port on different loopback addresses', async () => {
    const a = await PfcpEndpoint.open({ address: '127.0.25.31', recoveryTimeStamp: 1 });
    const b = await PfcpEndpoint.open({ address: '127.0.25.32', recoveryTimeStamp: 2 });
    closers.push(() => a.close(), () => b.close());
    expect([a.local.port, b.local.port]).toEqual([8805, 8805]);
    const hb = await a.request(b.local, (seq) => P.encodePfcp(P.heartbeatRequest(seq, 1)));
    expect(P.get(P.decodePfcp(hb).ies, P.PfcpIeType.RecoveryTimeStamp)).toBe(2);
  });
});

describe('GTP-U endpoint (TS 29.281)', () => {
  it('answers Echo Request, hands G-PDUs to the node, sends header and payload without concatenating', async () => {
    const tap = new RecordingTap();
    const got: Uint8Array[] = [];
    const upf = await GtpuEndpoint.open({ address: '127.0.25.7', port: 0, tap, onPacket: (d) => got.push(Uint8Array.from(d)) });
    const gnb = await GtpuEndpoint.open({ address: '127.0.25.100', port: 0, tap, onPacket: (d) => got.push(Uint8Array.from(d)) });
    closers.push(() => upf.close(), () => gnb.close());
    gnb.send(upf.local, encodeGtpu(echoRequest(77)));
    await until(() => got.length === 1); // the Echo Response reaches the gNB node (path supervision is its job)
    expect(upf.stats.echoAnswered).toBe(1);
    expect(decodeGtpu(got[0]).type).toBe('Echo Response');
    const echo = tap.events.find((e) => e.kind === 'udp' && e.payload[1] === 2);
    expect(echo && echo.kind === 'udp' ? decodeGtpu(echo.payload) : undefined).toMatchObject({ type: 'Echo Response', header: { sequenceNumber: 77 }, recovery: 0 });
    const full = encodeGtpu(gPdu(5, Uint8Array.of(0x45, 0, 0, 20), { pduType: 1, qfi: 9 }));
    gnb.send(upf.local, full.subarray(0, 16), full.subarray(16));
    await until(() => got.length === 2);
    expect(got[1]).toEqual(full);
    // garbage on the GTP-U port: dropped, counted, the endpoint keeps serving
    const raw = dgram.createSocket('udp4');
    await new Promise<void>((r) => raw.bind(0, '127.0.25.100', () => r()));
    for (const g of [Uint8Array.of(1, 2, 3), Uint8Array.of(0x50, 0xff, 0, 0, 0, 0, 0, 1), new Uint8Array(0)]) raw.send(g, upf.local.port, '127.0.25.7');
    await until(() => upf.stats.malformed === 3);
    raw.close();
    gnb.send(upf.local, full);
    await until(() => got.length === 3);
  });
});
