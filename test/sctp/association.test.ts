// SCTP associations over UDP on real loopback sockets (RFC 4960 5, 6, 9; RFC 6951): set-up,
// ordered delivery per stream both ways, several associations per server socket, fragmentation
// to the MTU, SACK bundled with DATA, graceful shutdown, abort, and association loss.

import { describe, it, expect, afterEach } from 'vitest';
import { SctpUdpEndpoint } from '../../transport/sctp-udp/endpoint.ts';
import type { SctpAssociation } from '../../transport/sctp-udp/association.ts';
import { RecordingTap } from '../../transport/tap.ts';
import { decodeSctp } from '../../codecs/sctp/index.ts';
import { pair, collect, until, msg, hosts, fast, opened, closeAll } from './helpers.ts';

afterEach(closeAll);

describe('SCTP over UDP: associations (RFC 4960, RFC 6951)', () => {
  it('associates, delivers in order per stream both ways, and shuts down gracefully (9.2)', async () => {
    const { client, server, amf } = await pair();
    const atAmf = collect(server), atGnb = collect(client);
    for (let i = 0; i < 20; i++) client.send(i % 2 ? 3 : 0, 60, msg(i));
    for (let i = 0; i < 5; i++) server.send(1, 60, msg(100 + i));
    await until(() => atAmf.length === 20 && atGnb.length === 5);
    expect(atAmf.filter((m) => m.streamId === 0).map((m) => m.payload[0])).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(atAmf.filter((m) => m.streamId === 3).map((m) => m.payload[0])).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    expect(atAmf.every((m) => m.ppid === 60)).toBe(true);
    expect(atGnb.map((m) => m.payload[0])).toEqual([100, 101, 102, 103, 104]);
    const lost: string[] = [];
    client.on('lost', (r) => lost.push(r));
    const closed = Promise.all([new Promise<void>((r) => client.once('close', () => r())), new Promise<void>((r) => server.once('close', () => r()))]);
    client.close();
    await closed;
    expect(lost).toEqual([]);
    expect(client.state).toBe('CLOSED');
    expect(amf.associationCount).toBe(0);
    expect(() => client.send(0, 60, msg(1))).toThrow(/CLOSED/);
  });

  it('the gNB connects and the AMF listens with the static API; several associations share one server socket', async () => {
    const [amfHost] = hosts();
    const amf = await SctpUdpEndpoint.listen({ address: amfHost, udpPort: 0, timers: fast });
    opened.push(amf);
    const perPeer = new Map<string, Uint8Array[]>();
    amf.on('association', (a) => {
      perPeer.set(a.peer.address, []);
      a.on('message', (streamId, _ppid, payload) => {
        perPeer.get(a.peer.address)!.push(payload);
        a.send(streamId, 60, Uint8Array.of(payload[0] + 1)); // an answer per message, on the same stream
      });
    });
    const gnbs: SctpAssociation[] = [];
    for (let i = 0; i < 3; i++) gnbs.push(await SctpUdpEndpoint.connect({ localAddress: hosts()[0], remoteAddress: amfHost, remoteUdpPort: amf.local.port, timers: fast }));
    expect(amf.associationCount).toBe(3);
    const answers = gnbs.map(collect);
    gnbs.forEach((g, i) => {
      for (let k = 0; k < 10; k++) g.send(k % 2, 60, Uint8Array.of(10 * i + k));
    });
    await until(() => answers.every((a) => a.length === 10), 2000, `answers ${answers.map((a) => a.length)} at amf ${[...perPeer.values()].map((v) => v.length)}`);
    gnbs.forEach((_g, i) => expect(answers[i].map((m) => m.payload[0])).toEqual(Array.from({ length: 10 }, (_, k) => 10 * i + k + 1)));
    expect([...perPeer.values()].map((v) => v.length)).toEqual([10, 10, 10]);
    // an ABORT (9.1) ends one association; the others carry on
    gnbs[0].abort('gNB going down');
    await until(() => amf.associationCount === 2, 2000, 'abort seen');
    gnbs[1].send(0, 60, Uint8Array.of(99));
    await until(() => answers[1].length === 11, 2000, 'answer 11');
    for (const g of gnbs.slice(1)) g.close();
    await until(() => amf.associationCount === 0, 2000, `all closed ${amf.associationCount}`);
  });

  it('an ABORT from the peer reaches the user as "lost" then "close"', async () => {
    const { client, server } = await pair();
    const events: string[] = [];
    server.on('lost', (r) => events.push(`lost: ${r}`));
    server.on('close', () => events.push('close'));
    client.abort('gNB restart');
    await until(() => events.length === 2);
    expect(events[0]).toMatch(/^lost: aborted by the peer/);
    expect(events[1]).toBe('close');
  });

  it('negotiates stream counts (5.1.1): outbound streams are capped by the peer\'s inbound ones', async () => {
    const { client, server } = await pair({ amf: { streams: 4 }, gnb: { streams: 16 } });
    expect(client.outboundStreams).toBe(4);
    expect(client.inboundStreams).toBe(4);
    expect(server.outboundStreams).toBe(4);
    expect(server.inboundStreams).toBe(4);
    expect(() => client.send(4, 60, msg(1))).toThrow(RangeError);
  });

  it('negotiates stream counts the other way round: the server caps its outbound streams by the client\'s MIS', async () => {
    const { client, server } = await pair({ amf: { streams: 16 }, gnb: { streams: 2 } });
    expect([client.outboundStreams, client.inboundStreams, server.outboundStreams, server.inboundStreams]).toEqual([2, 2, 2, 2]);
    expect(() => server.send(2, 60, msg(1))).toThrow(RangeError);
    const got = collect(client);
    server.send(1, 60, msg(1));
    await until(() => got.length === 1);
  });

  it('fragments a 64 KiB message to the 1400-octet MTU and reassembles it, interleaved with small ones', async () => {
    const tap = new RecordingTap();
    const { client, server } = await pair({ gnb: { tap } });
    const atAmf = collect(server);
    const big = msg(7, 65536);
    client.send(2, 60, msg(1));
    client.send(2, 60, big);
    client.send(0, 60, msg(2));
    client.send(2, 60, msg(3, 3000));
    await until(() => atAmf.length === 4);
    expect(atAmf.map((m) => m.payload.length)).toEqual([20, 65536, 20, 3000]);
    expect(atAmf[1].payload).toEqual(big);
    const udp = tap.events.filter((e) => e.kind === 'udp');
    expect(udp.every((e) => e.payload.length <= 1400)).toBe(true);
    const dataChunks = udp.flatMap((e) => decodeSctp(e.payload).chunks).filter((c) => c.kind === 'Data');
    expect(dataChunks.length).toBeGreaterThanOrEqual(Math.ceil(65536 / (1400 - 28)) + 3);
  });

  it('bundles the pending SACK with a DATA answer in one packet', async () => {
    const tap = new RecordingTap();
    const { client, server, amf } = await pair({ amf: { tap, timers: { ...fast, sackDelayMs: 200 } } });
    server.on('message', (s, _p, payload) => server.send(s, 60, payload));
    const back = collect(client);
    client.send(0, 60, msg(5));
    await until(() => back.length === 1);
    const fromAmf = tap.events.filter((e) => e.kind === 'udp' && e.src.address === amf.local.address);
    const kinds = fromAmf.map((e) => (e.kind === 'udp' ? decodeSctp(e.payload).chunks.map((c) => c.kind).join('+') : ''));
    expect(kinds).toContain('Sack+Data');
  });

  it('DATA sent by different jobs of one event-loop round leaves in one packet (RFC 9260 6.10); a due SACK does not wait for the round', async () => {
    // an RTO no stall of a busy machine reaches: with fast's 40 ms, a T3-rtx retransmission of the
    // bundle made a second DATA packet (seen with a 60 ms stall of the loop after the sends)
    const slowRto = { ...fast, rtoInitialMs: 10_000, rtoMinMs: 10_000, rtoMaxMs: 20_000 };
    const tap = new RecordingTap();
    const { client, server, gnb } = await pair({ gnb: { tap, timers: slowRto } });
    const atAmf = collect(server);
    const dataPackets = () => tap.events.filter((e) => e.kind === 'udp' && e.src.address === gnb.local.address && decodeSctp(e.payload).chunks.some((c) => c.kind === 'Data'));
    const before = dataPackets().length;
    // three callbacks of one check phase, each its own job (node runs the microtasks between them)
    await new Promise<void>((done) => {
      setImmediate(() => client.send(0, 60, msg(1)));
      setImmediate(() => client.send(0, 60, msg(2)));
      setImmediate(() => {
        client.send(0, 60, msg(3));
        done();
      });
    });
    await until(() => atAmf.length === 3);
    const sent = dataPackets().slice(before);
    expect(sent.map((e) => (e.kind === 'udp' ? decodeSctp(e.payload).chunks.filter((c) => c.kind === 'Data').length : 0))).toEqual([3]);
    // the receiver: the SACK for the second packet with DATA (6.2) leaves at once, without DATA of
    // its own to ride with, long before the delayed-SACK timer (10 s here)
    const amfTap = new RecordingTap();
    const p2 = await pair({ amf: { tap: amfTap, timers: { ...fast, sackDelayMs: 10_000 } }, gnb: { timers: slowRto } });
    const got = collect(p2.server);
    p2.client.send(0, 60, msg(4));
    await until(() => got.length === 1);
    p2.client.send(0, 60, msg(5));
    await until(() => got.length === 2);
    const sacks = () => amfTap.events.filter((e) => e.kind === 'udp' && e.src.address === p2.amf.local.address && decodeSctp(e.payload).chunks.some((c) => c.kind === 'Sack'));
    await until(() => sacks().length === 1, 1000, 'a SACK for the second packet, long before the 10 s delayed-SACK timer');
  });

  it('rejects an empty message, an unknown stream, and sending before set-up or after close', async () => {
    const { client } = await pair();
    expect(() => client.send(0, 60, new Uint8Array(0))).toThrow(RangeError);
    expect(() => client.send(99, 60, msg(1))).toThrow(RangeError);
    client.abort();
    expect(() => client.send(0, 60, msg(1))).toThrow(/CLOSED/);
  });
});
