// Interop with an independent RFC 4960 implementation: the `sctp` npm package (plain JS) running
// over a plain node:dgram socket, i.e. SCTP in UDP exactly as our shim puts it. Messages go both
// ways, on several streams, with loss injected on both send paths; our side as the server (the
// AMF) and as the client (the gNB).

import { describe, it, expect, afterEach } from 'vitest';
import dgram from 'node:dgram';
import sctp, { type SctpSocket } from 'sctp';
import { SctpUdpEndpoint } from '../../transport/sctp-udp/endpoint.ts';
import type { SctpAssociation } from '../../transport/sctp-udp/association.ts';
import { Impairment } from '../../transport/impair.ts';
import { until, msg, hosts, fast, opened, closeAll } from './helpers.ts';

afterEach(closeAll);
// their RTO down to ours (RTO.Min 20 ms here) so that loss recovery takes milliseconds, not seconds
sctp.defaults({ rto_initial: 100, rto_min: 50, rto_max: 500, sack_timeout: 20 });

/** A UDP socket for the `sctp` package whose send path goes through a seeded impairment. */
async function theirUdp(address: string, impairment?: Impairment): Promise<dgram.Socket> {
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, address, () => r()));
  if (impairment) {
    const send = udp.send.bind(udp) as (b: Buffer, port: number, host: string, cb?: () => void) => void;
    (udp as unknown as { send: typeof send }).send = (b, port, host, cb) => impairment.apply(b, (x) => send(Buffer.from(x), port, host, cb));
  }
  opened.push({ close: () => new Promise<void>((r) => { try { udp.close(() => r()); } catch { r(); } }) });
  return udp;
}

describe('SCTP interop with the sctp npm package over plain UDP', () => {
  it('their client, our server (AMF side): both ways on two streams, 5% loss on each path', async () => {
    const [ours, theirsHost] = hosts();
    const amf = await SctpUdpEndpoint.listen({ address: ours, udpPort: 0, sctpPort: 38412, timers: fast, impair: new Impairment({ seed: 5, loss: 0.05 }) });
    opened.push(amf);
    const udp = await theirUdp(theirsHost, new Impairment({ seed: 6, loss: 0.05 }));
    const accepted = new Promise<SctpAssociation>((r) => amf.once('association', r));
    const theirs: SctpSocket = sctp.connect({ localPort: 38412, port: 38412, ppid: 60, MIS: 4, OS: 4, udpTransport: udp, udpPeer: { host: ours, address: ours, port: amf.local.port } });
    theirs.on('error', () => {});
    const fromUs: Buffer[] = [];
    theirs.on('data', (d) => fromUs.push(d));
    await new Promise<void>((r) => theirs.on('connect', () => r()));
    const a = await accepted;
    const fromThem: { streamId: number; ppid: number; first: number }[] = [];
    a.on('message', (streamId, ppid, p) => fromThem.push({ streamId, ppid, first: p[0] }));
    const s1 = theirs.createStream(1, 60);
    for (let i = 0; i < 30; i++) (i % 2 ? s1 : theirs).write(Object.assign(Buffer.from(msg(i)), { ppid: 60 }));
    for (let i = 0; i < 30; i++) a.send(i % 2, 60, msg(50 + i));
    await until(() => fromThem.length === 30 && fromUs.length === 30, 10_000, `${fromThem.length}/30 from them, ${fromUs.length}/30 from us`);
    expect(fromThem.filter((m) => m.streamId === 0).map((m) => m.first)).toEqual(Array.from({ length: 15 }, (_, k) => 2 * k));
    expect(fromThem.filter((m) => m.streamId === 1).map((m) => m.first)).toEqual(Array.from({ length: 15 }, (_, k) => 2 * k + 1));
    expect(fromThem.every((m) => m.ppid === 60)).toBe(true);
    expect(new Set(fromUs.map((b) => b[0]))).toEqual(new Set(Array.from({ length: 30 }, (_, i) => 50 + i)));
    for (const st of [0, 1]) {
      const seq = fromUs.map((b) => b[0]).filter((v) => (v - 50) % 2 === st);
      expect(seq).toEqual([...seq].sort((x, y) => x - y)); // in order per stream
    }
    // a message larger than the MTU, fragmented by us and reassembled by them
    const big = msg(3, 5000);
    const before = fromUs.length;
    a.send(0, 60, big);
    await until(() => fromUs.length === before + 1, 10_000);
    expect(new Uint8Array(fromUs[before])).toEqual(big);
    theirs.destroy();
  });

  it('our client (gNB side), their passive socket: set-up, both ways, graceful shutdown', async () => {
    const [ours, theirsHost] = hosts();
    const udp = await theirUdp(theirsHost);
    const gnb = await SctpUdpEndpoint.open({ address: ours, udpPort: 0, sctpPort: 38412, timers: fast });
    opened.push(gnb);
    const theirs = sctp.connect({ passive: true, localPort: 38412, port: 38412, ppid: 60, udpTransport: udp, udpPeer: { host: ours, address: ours, port: gnb.local.port } });
    theirs.on('error', () => {});
    const fromUs: Buffer[] = [];
    theirs.on('data', (d) => {
      fromUs.push(d);
      theirs.write(Object.assign(Buffer.from(d), { ppid: 60 })); // echo
    });
    const a = await gnb.connect({ address: theirsHost, udpPort: udp.address().port, sctpPort: 38412 });
    const echoed: number[] = [];
    a.on('message', (_s, _p, p) => echoed.push(p[0]));
    for (let i = 0; i < 20; i++) a.send(0, 60, msg(i));
    await until(() => echoed.length === 20, 8000);
    expect(echoed).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const closed = new Promise<void>((r) => a.once('close', () => r()));
    a.close();
    await closed;
    expect(a.state).toBe('CLOSED');
  });
});
