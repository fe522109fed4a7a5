import { describe, it, expect, afterEach } from 'vitest';
import dgram from 'node:dgram';
import { SctpUdpEndpoint } from '../../transport/sctp-udp/endpoint.ts';
import type { SctpAssociation } from '../../transport/sctp-udp/association.ts';
import { Impairment } from '../../transport/impair.ts';
import { RecordingTap, fanOut } from '../../transport/tap.ts';
import { decodeSctpPacket, encodeSctpPacket, dataChunk, SctpChunkType as C } from '../../codecs/sctp/packet.ts';
import { hexVector } from '../helpers/vectors.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, problems, field, tsharkAvailable } from '../helpers/tshark.ts';

const fast = { rtoInitialMs: 40, rtoMinMs: 20, rtoMaxMs: 300, sackDelayMs: 10, maxRetrans: 10 };
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function pair(opts: { impair?: () => Impairment; tap?: RecordingTap | ReturnType<typeof tempCapture>['capture']; timers?: typeof fast; udpPort?: number } = {}) {
  const amf = await SctpUdpEndpoint.open({ address: '127.0.0.65', udpPort: opts.udpPort ?? 0, timers: opts.timers ?? fast, ...(opts.impair ? { impair: opts.impair() } : {}), ...(opts.tap ? { tap: opts.tap } : {}) });
  const gnb = await SctpUdpEndpoint.open({ address: '127.0.0.66', udpPort: opts.udpPort ?? 0, timers: opts.timers ?? fast, ...(opts.impair ? { impair: opts.impair() } : {}), ...(opts.tap ? { tap: opts.tap } : {}) });
  open.push(gnb, amf);
  const accepted = new Promise<SctpAssociation>((r) => amf.once('association', r));
  const client = await gnb.connect({ address: '127.0.0.65', udpPort: amf.local.port });
  const server = await accepted;
  return { amf, gnb, client, server };
}

const collect = (a: SctpAssociation) => {
  const got: { streamId: number; ppid: number; payload: Uint8Array }[] = [];
  a.on('message', (streamId, ppid, payload) => got.push({ streamId, ppid, payload }));
  return got;
};
const until = async (cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 2));
  }
};
const msg = (i: number, size = 20) => Uint8Array.from({ length: size }, (_, k) => (i + k) & 0xff);

describe('SCTP over UDP (RFC 4960, RFC 6951)', () => {
  it('associates, delivers in order per stream both ways, and shuts down gracefully', async () => {
    const { client, server } = await pair();
    const atAmf = collect(server), atGnb = collect(client);
    for (let i = 0; i < 20; i++) client.send(i % 2 ? 3 : 0, 60, msg(i));
    for (let i = 0; i < 5; i++) server.send(1, 60, msg(100 + i));
    await until(() => atAmf.length === 20 && atGnb.length === 5);
    expect(atAmf.filter((m) => m.streamId === 0).map((m) => m.payload[0])).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(atAmf.filter((m) => m.streamId === 3).map((m) => m.payload[0])).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    expect(atGnb.map((m) => m.payload[0])).toEqual([100, 101, 102, 103, 104]);
    const closed = Promise.all([new Promise<void>((r) => client.once('close', () => r())), new Promise<void>((r) => server.once('close', () => r()))]);
    client.close();
    await closed;
  });

  it('fragments a 64 KiB message to the 1400-octet MTU and reassembles it', async () => {
    const tap = new RecordingTap();
    const { client, server } = await pair({ tap });
    const atAmf = collect(server);
    const big = msg(7, 65536);
    client.send(2, 60, big);
    await until(() => atAmf.length === 1);
    expect(atAmf[0].payload).toEqual(big);
    expect(tap.events.every((e) => e.kind !== 'udp' || e.payload.length <= 1400)).toBe(true);
  });

  it('at 10% loss (plus duplicates and reordering) every message arrives exactly once, in order', async () => {
    let seed = 11;
    const { client, server, amf, gnb } = await pair({ impair: () => new Impairment({ seed: seed++, loss: 0.1, duplicate: 0.05, reorder: 0.05 }) });
    const atAmf = collect(server), atGnb = collect(client);
    const t0 = Date.now();
    for (let i = 0; i < 300; i++) client.send(i % 4, 60, msg(i, 50 + (i % 200)));
    for (let i = 0; i < 100; i++) server.send(0, 60, msg(i));
    await until(() => atAmf.length === 300 && atGnb.length === 100, 10_000);
    for (let s = 0; s < 4; s++) {
      const seq = atAmf.filter((m) => m.streamId === s).map((m) => m.payload[0]);
      expect(seq).toEqual(Array.from({ length: 75 }, (_, k) => (s + 4 * k) & 0xff));
    }
    expect(atGnb.map((m) => m.payload[0])).toEqual(Array.from({ length: 100 }, (_, k) => k & 0xff));
    expect(client.stats.retransmitted + server.stats.retransmitted).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    void amf;
    void gnb;
  });

  it('tells the user when the peer vanishes: Association.Max.Retrans then "lost"', async () => {
    const { client, amf } = await pair({ timers: { ...fast, maxRetrans: 3 } });
    await amf.close();
    open.splice(open.indexOf(amf), 1);
    const lost = new Promise<string>((r) => client.once('lost', r));
    client.send(0, 60, msg(1));
    expect(await lost).toMatch(/Max.Retrans/);
  });

  it('bad checksum, wrong tag, truncated and unknown chunks are handled per RFC 4960; the association keeps working', async () => {
    const { client, server, amf } = await pair();
    const atAmf = collect(server);
    const raw = dgram.createSocket('udp4');
    await new Promise<void>((r) => raw.bind(0, '127.0.0.67', () => r()));
    const errors: Uint8Array[] = [];
    raw.on('message', (m) => errors.push(new Uint8Array(m)));
    const sendRaw = (b: Uint8Array) => raw.send(b, amf.local.port, '127.0.0.65');
    const good = encodeSctpPacket({ srcPort: 38412, dstPort: 38412, verificationTag: 1, chunks: [dataChunk({ flags: 3, tsn: 1, streamId: 0, streamSeq: 0, ppid: 60, userData: msg(1) })] });
    const badSum = Uint8Array.from(good);
    badSum[8] ^= 0xff;
    sendRaw(badSum);
    sendRaw(good.subarray(0, 14)); // truncated chunk header
    sendRaw(good); // no association from this peer: out of the blue -> ABORT with T
    await until(() => errors.length === 1);
    expect(decodeSctpPacket(errors[0]).chunks[0]).toMatchObject({ type: C.ABORT, flags: 1 });
    expect(amf.stats.badChecksum).toBe(1);
    expect(amf.stats.malformed).toBe(1);
    raw.close();
    // unknown chunk types from the real peer, with each of the four upper-bit actions
    const tap = new RecordingTap();
    const gnbSide = client as unknown as { io: { send: (chunks: { type: number; flags: number; value: Uint8Array }[], tag: number) => void } };
    for (const t of [0x0f, 0x4f, 0x8f, 0xcf]) gnbSide.io.send([{ type: t, flags: 0, value: Uint8Array.of(1, 2, 3, 4) }], client.peerTag);
    void tap;
    // a DATA chunk with the wrong verification tag is discarded (RFC 4960 8.5)
    gnbSide.io.send([dataChunk({ flags: 3, tsn: 12345, streamId: 0, streamSeq: 0, ppid: 60, userData: msg(77) })], (client.peerTag + 1) >>> 0);
    client.send(0, 60, msg(9));
    await until(() => atAmf.length === 1 && amf.stats.unrecognizedChunks === 4 && amf.stats.badTag === 1);
    expect(atAmf[0].payload[0]).toBe(9);
  });

  it('interoperates with the sctp npm package (independent RFC 4960 implementation) over plain UDP, both ways, under loss', async () => {
    const { default: sctp } = await import('sctp');
    const amf = await SctpUdpEndpoint.open({ address: '127.0.0.68', udpPort: 0, sctpPort: 38412, timers: fast, impair: new Impairment({ seed: 5, loss: 0.05 }) });
    open.push(amf);
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.69', () => r()));
    const theirs = sctp.connect({ localPort: 38412, port: 38412, ppid: 60, udpTransport: udp, udpPeer: { host: '127.0.0.68', address: '127.0.0.68', port: amf.local.port } });
    const fromThem: Uint8Array[] = [];
    const accepted = new Promise<SctpAssociation>((r) => amf.once('association', r));
    const fromUs: Buffer[] = [];
    theirs.on('data', (d) => fromUs.push(d));
    theirs.on('error', () => {});
    await new Promise<void>((r) => theirs.on('connect', () => r()));
    const a = await accepted;
    a.on('message', (_s, ppid, p) => fromThem.push(Uint8Array.from([ppid, ...p])));
    for (let i = 0; i < 20; i++) theirs.write(Object.assign(Buffer.from(msg(i)), { ppid: 60 }));
    for (let i = 0; i < 20; i++) a.send(0, 60, msg(50 + i));
    await until(() => fromThem.length === 20 && fromUs.length === 20, 8000);
    expect(fromThem.map((m) => [m[0], m[1]])).toEqual(Array.from({ length: 20 }, (_, i) => [60, i]));
    expect(fromUs.map((b) => b[0])).toEqual(Array.from({ length: 20 }, (_, i) => 50 + i));
    theirs.destroy();
    udp.close();
  });
});

describe.skipIf(!tsharkAvailable())('SCTP over UDP capture checked by tshark', () => {
  it('tshark dissects the association (INIT .. SHUTDOWN COMPLETE) and NGAP in DATA with no expert warning or error', async () => {
    const { capture, path } = tempCapture('sctp-udp');
    const rec = new RecordingTap();
    const { client, server } = await pair({ tap: fanOut(capture, rec) as unknown as RecordingTap, udpPort: 9899 }); // the RFC 6951 port: no decode-as needed
    const atAmf = collect(server);
    client.send(0, 60, hexVector('ngap_ngsetuprequest.hex'), 'TS 38.413 8.7.1 NG Setup');
    await until(() => atAmf.length === 1);
    const closed = new Promise<void>((r) => server.once('close', () => r()));
    client.close();
    await closed;
    await new Promise((r) => setTimeout(r, 20));
    capture.close();
    const frames = dissect(path, { prefs: ['sctp.checksum:CRC-32C'] });
    expect(problems(frames)).toEqual([]);
    const types = frames.flatMap((f) => f.fields.get('sctp.chunk_type') ?? []);
    for (const t of ['1', '2', '10', '11', '0', '3', '7', '8', '14']) expect(types).toContain(t);
    const ngap = frames.find((f) => f.protocols.includes('ngap'))!;
    expect(field(ngap, 'sctp.data_payload_proto_id')).toBe('60');
    expect(field(ngap, 'ngap.procedureCode')).toBe('21');
    expect(frames.every((f) => !(f.fields.get('sctp.checksum.status') ?? []).includes('0'))).toBe(true);
  });
});
