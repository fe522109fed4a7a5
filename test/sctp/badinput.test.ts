// Bad input on the SCTP-over-UDP port: each datagram is handled as RFC 4960 says (discarded,
// answered, or reported), counted, and the endpoint keeps serving its associations.

import { describe, it, expect, afterEach } from 'vitest';
import { SctpUdpEndpoint } from '../../transport/sctp-udp/endpoint.ts';
import type { SctpAssociation } from '../../transport/sctp-udp/association.ts';
import { encodeSctpPacket, dataChunk, sackChunk, initChunk, emptyChunk, chunkBytes, heartbeatChunk, SctpChunkType as C, type SctpChunk } from '../../codecs/sctp/index.ts';
import { Rng } from '../helpers/fuzz.ts';
import { writeSctpChecksum } from '../../codecs/bytes/checksum.ts';
import { RawPeer, collect, until, msg, hosts, fast, opened, closeAll } from './helpers.ts';

afterEach(closeAll);

async function amfWithRawPeer() {
  const [a, p] = hosts();
  const logs: string[] = [];
  const amf = await SctpUdpEndpoint.listen({ address: a, udpPort: 0, timers: { ...fast, sackDelayMs: 5 }, log: (l) => logs.push(l) });
  opened.push(amf);
  const accepted = new Promise<SctpAssociation>((r) => amf.once('association', r));
  const peer = await RawPeer.open(p, { address: a, port: amf.local.port });
  await peer.associate();
  const server = await accepted;
  return { amf, peer, server, got: collect(server), logs };
}

const data = (peer: RawPeer, ssn: number, streamId = 0): SctpChunk => dataChunk({ flags: 3, tsn: peer.nextTsn++, streamId, streamSeq: ssn, ppid: 60, userData: msg(ssn) });

describe('SCTP over UDP: bad input (RFC 4960 3.2, 6.8, 8.4, 8.5)', () => {
  it('a bad checksum is discarded silently (6.8), a wrong verification tag too (8.5), malformed packets are dropped; all counted and logged', async () => {
    const { amf, peer, got, logs } = await amfWithRawPeer();
    const good = encodeSctpPacket({ srcPort: 38412, dstPort: 38412, verificationTag: peer.peerTag, chunks: [data(peer, 0)] });
    const badSum = Uint8Array.from(good);
    badSum[8] ^= 0xff;
    peer.sendRaw(badSum);
    peer.send([dataChunk({ flags: 3, tsn: peer.nextTsn - 1, streamId: 0, streamSeq: 0, ppid: 60, userData: msg(0) })], (peer.peerTag ^ 1) >>> 0);
    peer.sendRaw(good.subarray(0, 14)); // a truncated chunk header
    peer.sendRaw(Uint8Array.of(1, 2, 3)); // shorter than the common header
    await until(() => amf.stats.badChecksum === 1 && amf.stats.badTag === 1 && amf.stats.malformed === 2);
    expect(got).toEqual([]);
    expect(peer.received).toEqual([]); // no answer to any of them
    expect(logs.some((l) => /bad CRC32c/.test(l)) && logs.some((l) => /wrong verification tag/.test(l)) && logs.some((l) => /malformed/.test(l))).toBe(true);
    peer.sendRaw(good); // the real one still goes through
    await until(() => got.length === 1);
  });

  it('unrecognized chunk types by their upper two bits (3.2): 00 stop, 01 stop and report, 10 skip, 11 skip and report', async () => {
    const { amf, peer, got } = await amfWithRawPeer();
    const cases = [
      { type: 0x0f, processedAfter: false, reported: false },
      { type: 0x4f, processedAfter: false, reported: true },
      { type: 0x8f, processedAfter: true, reported: false },
      { type: 0xcf, processedAfter: true, reported: true },
    ];
    let ssn0 = 0, ssn1 = 0;
    for (const k of cases) {
      peer.received.length = 0;
      const before = got.length;
      const unknown = { type: k.type, flags: 0x12, value: Uint8Array.of(1, 2, 3, 4, 5) };
      const tsnA = peer.nextTsn++;
      const tsnB = peer.nextTsn; // consumed only when the chunk after the unknown one is processed
      peer.send([
        dataChunk({ flags: 3, tsn: tsnA, streamId: 0, streamSeq: ssn0++, ppid: 60, userData: msg(1) }),
        unknown,
        dataChunk({ flags: 3, tsn: tsnB, streamId: 1, streamSeq: ssn1, ppid: 60, userData: msg(2) }),
      ]);
      const s = (await peer.expect('Sack')).chunks.find((c) => c.kind === 'Sack');
      if (k.processedAfter) {
        peer.nextTsn++;
        ssn1++;
        expect(s).toMatchObject({ cumulativeTsnAck: tsnB });
        await until(() => got.length === before + 2);
      } else {
        expect(s).toMatchObject({ cumulativeTsnAck: tsnA }); // the DATA after the unknown chunk was not processed
        expect(got.length).toBe(before + 1);
      }
      await new Promise((r) => setTimeout(r, 20));
      const errors = peer.received.flatMap((p) => p.chunks).filter((c) => c.kind === 'Error');
      // reported: one ERROR with "Unrecognized Chunk Type" (6) carrying the whole chunk
      expect(errors).toEqual(k.reported ? [{ kind: 'Error', causes: [{ code: 6, info: chunkBytes(unknown) }] }] : []);
    }
    expect(amf.stats.unrecognizedChunks).toBe(4);
    expect(amf.stats.errorsReported).toBe(2);
  });

  it('out of the blue (8.4): ABORT with the T bit for DATA, SHUTDOWN COMPLETE for SHUTDOWN ACK, silence for ABORT; a forged cookie is discarded', async () => {
    const [a, p] = hosts();
    const amf = await SctpUdpEndpoint.listen({ address: a, udpPort: 0, timers: fast });
    opened.push(amf);
    const peer = await RawPeer.open(p, { address: a, port: amf.local.port });
    peer.send([dataChunk({ flags: 3, tsn: 1, streamId: 0, streamSeq: 0, ppid: 60, userData: msg(1) })], 0x1234);
    const abort = await peer.expect('Abort');
    expect(abort.verificationTag).toBe(0x1234);
    expect(abort.chunks[0]).toMatchObject({ kind: 'Abort', tBit: true });
    peer.send([emptyChunk(C.SHUTDOWN_ACK)], 0x5678);
    const sc = await peer.expect('ShutdownComplete');
    expect(sc.verificationTag).toBe(0x5678);
    expect(sc.chunks[0]).toMatchObject({ tBit: true });
    peer.send([emptyChunk(C.ABORT)], 0x9999);
    peer.send([{ type: C.COOKIE_ECHO, flags: 0, value: new Uint8Array(64).fill(7) }], 0x42); // not signed by us
    peer.send([initChunk(C.INIT, { initiateTag: 5, aRwnd: 1500, outboundStreams: 1, inboundStreams: 1, initialTsn: 1, parameters: [] })], 77); // INIT with a tag (8.5.1 A)
    await until(() => amf.stats.badCookies === 1 && amf.stats.badTag === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(peer.received).toEqual([]);
    expect(amf.stats.outOfTheBlue).toBe(3);
    expect(amf.associationCount).toBe(0);
  });

  it('an INIT with zero streams is ABORTed (3.3.2); unrecognized INIT parameters are reported in the INIT ACK (3.2.1)', async () => {
    const [a, p] = hosts();
    const amf = await SctpUdpEndpoint.listen({ address: a, udpPort: 0, timers: fast });
    opened.push(amf);
    const peer = await RawPeer.open(p, { address: a, port: amf.local.port });
    peer.send([initChunk(C.INIT, { initiateTag: 5, aRwnd: 1500, outboundStreams: 0, inboundStreams: 1, initialTsn: 1, parameters: [] })], 0);
    expect((await peer.expect('Abort')).verificationTag).toBe(5);
    const params = [{ type: 0xc000, value: new Uint8Array(0) }, { type: 0x8001, value: Uint8Array.of(1, 2, 3, 4) }, { type: 0x4002, value: Uint8Array.of(9) }, { type: 0xc003, value: new Uint8Array(0) }];
    peer.send([initChunk(C.INIT, { initiateTag: 6, aRwnd: 1500, outboundStreams: 2, inboundStreams: 2, initialTsn: 1, parameters: params })], 0);
    const ack = (await peer.expect('InitAck')).chunks[0];
    // 0xc000 skip+report, 0x8001 skip, 0x4002 stop+report: 0xc003 is never looked at
    expect(ack.kind === 'InitAck' && ack.parameters.filter((x) => x.type === 8).map((x) => x.value)).toEqual([Uint8Array.of(0xc0, 0, 0, 4), Uint8Array.of(0x40, 2, 0, 5, 9, 0, 0, 0)]);
  });

  it('DATA on a stream the peer may not use: SACKed, discarded, and reported as Invalid Stream Identifier (6.5)', async () => {
    const { peer, got, server } = await amfWithRawPeer();
    const tsn = peer.nextTsn;
    peer.send([dataChunk({ flags: 3, tsn: peer.nextTsn++, streamId: 30, streamSeq: 0, ppid: 60, userData: msg(1) })]);
    const err = await peer.expect('Error');
    expect(err.chunks[0]).toEqual({ kind: 'Error', causes: [{ code: 1, info: Uint8Array.of(0, 30, 0, 0) }] });
    const sack = (await peer.expect('Sack')).chunks.find((c) => c.kind === 'Sack');
    expect(sack).toMatchObject({ cumulativeTsnAck: tsn });
    peer.send([data(peer, 0)]);
    await until(() => got.length === 1);
    expect(server.stats.invalidStream).toBe(1);
  });

  it('a DATA chunk with no user data is answered with ABORT "No User Data" (6.2)', async () => {
    const { peer, server } = await amfWithRawPeer();
    const lost = new Promise<string>((r) => server.once('lost', r));
    const v = new Uint8Array(12);
    new DataView(v.buffer).setUint32(0, peer.nextTsn);
    peer.send([{ type: C.DATA, flags: 3, value: v }]);
    const abort = (await peer.expect('Abort')).chunks[0];
    expect(abort).toMatchObject({ kind: 'Abort', causes: [{ code: 9, info: v.subarray(0, 4) }] });
    expect(await lost).toMatch(/no user data/);
  });

  it('5,000 random and mutated datagrams on the port: nothing stops the endpoint, and the association keeps working', async () => {
    const { amf, peer, got } = await amfWithRawPeer();
    const rng = new Rng(0xbad);
    const valid = [
      encodeSctpPacket({ srcPort: 38412, dstPort: 38412, verificationTag: peer.peerTag, chunks: [sackChunk({ cumulativeTsnAck: 0, aRwnd: 9, gapBlocks: [{ start: 1, end: 2 }], duplicateTsns: [1] }), heartbeatChunk(C.HEARTBEAT, Uint8Array.of(1))] }),
      encodeSctpPacket({ srcPort: 38412, dstPort: 38412, verificationTag: peer.peerTag, chunks: [dataChunk({ flags: 2, tsn: peer.nextTsn + 5, streamId: 0, streamSeq: 9, ppid: 60, userData: msg(1) })] }),
    ];
    for (let i = 0; i < 5000; i++) {
      const b = Uint8Array.from(rng.pick(valid));
      const mode = rng.int(3);
      if (mode === 0) {
        peer.sendRaw(rng.bytes(rng.int(100))); // noise
        continue;
      }
      for (let k = 1 + rng.int(3); k > 0; k--) b[12 + rng.int(b.length - 12)] = rng.int(256);
      peer.sendRaw(mode === 1 ? b : reseal(b)); // mutated chunks, with a bad or a recomputed checksum
      if (i % 25 === 0) await new Promise((r) => setTimeout(r, 1)); // paced: no loss in the socket buffer
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(amf.stats.internalErrors).toBe(0);
    expect(amf.stats.badChecksum).toBeGreaterThan(1000);
    expect(amf.stats.malformed).toBeGreaterThan(100);
    // the endpoint still serves: a new association is set up and carries a message
    // (the first one may have been ended by a mutated packet that was valid, e.g. an ABORT)
    const again = await RawPeer.open(hosts()[0], peer.to);
    const accepted = new Promise<SctpAssociation>((r) => amf.once('association', r));
    await again.associate();
    const a2 = collect(await accepted);
    again.send([dataChunk({ flags: 3, tsn: again.nextTsn++, streamId: 0, streamSeq: 0, ppid: 60, userData: msg(42) })]);
    await until(() => a2.length === 1);
    expect(a2[0].payload[0]).toBe(42);
    void got;
  });
});

/** Recomputes the CRC32c of a hand-mutated packet so that it reaches the chunk parser. */
function reseal(b: Uint8Array): Uint8Array {
  writeSctpChecksum(b);
  return b;
}
