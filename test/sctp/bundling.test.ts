// When an association's chunks leave (transport/sctp-udp/association.ts), judged on one
// association with a recording I/O and a virtual clock (no sockets, no wall-clock waits): DATA of
// several jobs bundled at the end of the loop's I/O round (RFC 9260 6.10), a due SACK not waiting
// for that (6.2), what ABORT (9.1) and SHUTDOWN (9.2) do with DATA still queued, and SACK
// processing across the TSN wrap (RFC 9260 1.6, serial number arithmetic).

import { describe, it, expect } from 'vitest';
import { SctpAssociation, AssociationState } from '../../transport/sctp-udp/association.ts';
import { VirtualClock } from '../../transport/clock.ts';
import { SctpChunkType as C, SCTP_CHUNK_NAMES, DataFlags, dataChunk, decodeDataChunk, decodeSackChunk, sackChunk, type SctpChunk } from '../../codecs/sctp/packet.ts';
import { msg } from './helpers.ts';

const timers = { rtoInitialMs: 1000, rtoMinMs: 1000, rtoMaxMs: 60_000, maxRetrans: 10, sackDelayMs: 200, heartbeatMs: 0 };
const PEER_INITIAL_TSN = 100;

function established(myInitialTsn = 1) {
  const clock = new VirtualClock(0);
  const packets: SctpChunk[][] = [];
  const a = new SctpAssociation({
    peer: { address: '127.0.0.1', port: 9 }, peerSctpPort: 38412, myTag: 0x1111, myInitialTsn, outboundStreams: 4, inboundStreams: 4, timers,
    state: AssociationState.COOKIE_ECHOED,
    io: { send: (chunks) => packets.push(chunks), clock, mtu: 1400 },
  });
  a.establish(0x2222, PEER_INITIAL_TSN, 1 << 20, 4);
  const kinds = () => packets.map((p) => p.map((c) => SCTP_CHUNK_NAMES[c.type]).join('+'));
  return { a, clock, packets, kinds };
}

const nextRound = () => new Promise<void>((r) => setImmediate(r));
const peerData = (tsn: number, ssn: number) => dataChunk({ flags: DataFlags.B | DataFlags.E, tsn, streamId: 0, streamSeq: ssn, ppid: 60, userData: msg(ssn) });
const tsns = (p: SctpChunk[]) => p.filter((c) => c.type === C.DATA).map((c) => decodeDataChunk(c).tsn);

describe('SCTP bundling and the queued DATA (RFC 9260 6.10, 6.2, 9.1, 9.2)', () => {
  it('DATA queued by several jobs of one round leaves at its end, in one packet', async () => {
    const { a, packets, kinds } = established();
    a.send(0, 60, msg(1));
    await Promise.resolve();
    a.send(1, 60, msg(2));
    await Promise.resolve();
    expect(packets).toEqual([]); // not at the end of each job
    await nextRound();
    expect(kinds()).toEqual(['DATA+DATA']);
    expect(tsns(packets[0])).toEqual([1, 2]);
  });

  it('a SACK due on the second packet with DATA leaves at the end of that job, ahead of the DATA queued in the round', async () => {
    const { a, packets, kinds } = established();
    a.send(0, 60, msg(1)); // queued for the end of the round
    a.handleChunks([peerData(PEER_INITIAL_TSN, 0)]); // first packet: the delayed-SACK timer
    a.handleChunks([peerData(PEER_INITIAL_TSN + 1, 1)]); // second packet: a SACK at once (6.2)
    await Promise.resolve();
    expect(kinds()).toEqual(['SACK+DATA']); // control chunks first (6.10)
    expect(decodeSackChunk(packets[0][0]).cumulativeTsnAck).toBe(PEER_INITIAL_TSN + 1);
    await nextRound();
    expect(packets).toHaveLength(1); // nothing left for the round's end
  });

  it('a SACK for a single packet waits for the delayed-SACK timer only while no DATA goes, and never past it', async () => {
    const { a, clock, kinds } = established();
    a.handleChunks([peerData(PEER_INITIAL_TSN, 0)]);
    await nextRound();
    clock.advance(timers.sackDelayMs - 1);
    expect(kinds()).toEqual([]);
    clock.advance(1);
    expect(kinds()).toEqual(['SACK']);
    a.handleChunks([peerData(PEER_INITIAL_TSN + 1, 1)]);
    a.send(0, 60, msg(1));
    await nextRound();
    expect(kinds()).toEqual(['SACK', 'SACK+DATA']); // bundled with the DATA of the round (6.1)
    clock.advance(timers.sackDelayMs);
    expect(kinds()).toHaveLength(2); // and its timer stopped
  });

  it('ABORT discards the DATA still queued: nothing follows it (9.1)', async () => {
    const { a, kinds } = established();
    a.send(0, 60, msg(1));
    a.abort('test');
    await nextRound();
    expect(kinds()).toEqual(['ABORT']);
    expect(a.state).toBe(AssociationState.CLOSED);
  });

  it('SHUTDOWN waits for the queued DATA to leave and be acknowledged (9.2)', async () => {
    const { a, kinds } = established();
    a.send(0, 60, msg(1));
    a.close();
    expect(a.state).toBe(AssociationState.SHUTDOWN_PENDING);
    await nextRound();
    expect(kinds()).toEqual(['DATA']);
    a.handleChunks([sackChunk({ cumulativeTsnAck: 1, aRwnd: 1 << 20, gapBlocks: [], duplicateTsns: [] })]);
    expect(kinds()).toEqual(['DATA', 'SHUTDOWN']);
    expect(a.state).toBe(AssociationState.SHUTDOWN_SENT);
  });

  it('SACKs across the TSN wrap: the cumulative ack frees what it covers and no more', async () => {
    const { a, packets } = established(0xfffffffe);
    for (let i = 0; i < 4; i++) a.send(0, 60, msg(i));
    await nextRound();
    expect(tsns(packets[0])).toEqual([0xfffffffe, 0xffffffff, 0, 1]);
    a.handleChunks([sackChunk({ cumulativeTsnAck: 0, aRwnd: 1 << 20, gapBlocks: [], duplicateTsns: [] })]);
    expect(a.bufferedChunks).toBe(1);
    a.handleChunks([sackChunk({ cumulativeTsnAck: 1, aRwnd: 1 << 20, gapBlocks: [], duplicateTsns: [] })]);
    expect(a.bufferedChunks).toBe(0);
  });

  it('gap reports across the TSN wrap count misses: the third makes the fast retransmission (7.2.4)', async () => {
    const { a, packets } = established(0xfffffffe);
    for (let i = 0; i < 4; i++) a.send(0, 60, msg(i));
    await nextRound();
    // TSN 0xffffffff missing, 0 and 1 received
    const gapReport = sackChunk({ cumulativeTsnAck: 0xfffffffe, aRwnd: 1 << 20, gapBlocks: [{ start: 2, end: 3 }], duplicateTsns: [] });
    for (let i = 0; i < 2; i++) a.handleChunks([gapReport]);
    expect(packets).toHaveLength(1);
    a.handleChunks([gapReport]);
    expect(packets.map(tsns)).toEqual([[0xfffffffe, 0xffffffff, 0, 1], [0xffffffff]]);
    a.handleChunks([sackChunk({ cumulativeTsnAck: 1, aRwnd: 1 << 20, gapBlocks: [], duplicateTsns: [] })]);
    expect(a.bufferedChunks).toBe(0);
  });

  it('gap-acked DATA is kept until the cumulative ack covers it, and sent again when the receiver reneges on it (6.2.1 D iii)', async () => {
    const { a, clock, packets } = established();
    for (let i = 0; i < 3; i++) a.send(0, 60, msg(i));
    await nextRound();
    expect(tsns(packets[0])).toEqual([1, 2, 3]);
    const sack = (cumulativeTsnAck: number, gapBlocks: { start: number; end: number }[] = []) => a.handleChunks([sackChunk({ cumulativeTsnAck, aRwnd: 1 << 20, gapBlocks, duplicateTsns: [] })]);
    sack(1, [{ start: 2, end: 2 }]); // TSN 2 missing, 3 received
    expect(a.bufferedChunks).toBe(2);
    sack(1); // 3 no longer reported: the receiver dropped it
    sack(2); // 2 arrived; 3 is outstanding still, and T3-rtx runs for it
    expect(a.bufferedChunks).toBe(1);
    clock.advance(timers.rtoInitialMs);
    expect(packets.map(tsns)).toEqual([[1, 2, 3], [3]]);
    sack(3);
    expect(a.bufferedChunks).toBe(0);
  });

  it('a SACK with more gaps than one packet holds reports the lowest that fit the path MTU (6.2)', async () => {
    const { a, packets } = established();
    // 400 holes: every other TSN after the cumulative TSN arrives (in one packet, as far as the receiver cares)
    a.handleChunks(Array.from({ length: 400 }, (_, k) => peerData(PEER_INITIAL_TSN + 1 + 2 * k, k + 1)));
    a.handleChunks([peerData(PEER_INITIAL_TSN + 1, 1)]); // and a duplicate
    await Promise.resolve();
    const sacks = packets.filter((p) => p[0].type === C.SACK);
    expect(sacks.length).toBeGreaterThan(0);
    for (const p of sacks) expect(12 + p.reduce((n, c) => n + 4 + c.value.length, 0)).toBeLessThanOrEqual(1400);
    const s = decodeSackChunk(sacks.at(-1)![0]);
    const fit = (1400 - 12 - 4 - 12) / 4;
    expect(s.gapBlocks).toHaveLength(fit);
    expect(s.gapBlocks[0]).toEqual({ start: 2, end: 2 });
    expect(s.gapBlocks.at(-1)).toEqual({ start: 2 * fit, end: 2 * fit });
  });

  it('in SHUTDOWN-SENT each packet with DATA is answered at once with a SHUTDOWN, and T2-shutdown starts again (9.2)', () => {
    const { a, clock, packets, kinds } = established();
    a.close(); // nothing queued: SHUTDOWN at once
    expect(kinds()).toEqual(['SHUTDOWN']);
    clock.advance(500);
    a.handleChunks([peerData(PEER_INITIAL_TSN, 0)]); // the peer's DATA still on its way
    expect(kinds()).toEqual(['SHUTDOWN', 'SHUTDOWN']);
    expect(packets[1][0].value).toEqual(Uint8Array.of(0, 0, 0, PEER_INITIAL_TSN)); // acknowledges it
    clock.advance(timers.rtoInitialMs - 1); // 1,499 ms after the first SHUTDOWN: T2 was restarted at 500
    expect(packets).toHaveLength(2);
    clock.advance(1);
    expect(kinds()).toEqual(['SHUTDOWN', 'SHUTDOWN', 'SHUTDOWN']);
    // DATA beyond a hole: the gap goes in a SACK ahead of the SHUTDOWN
    a.handleChunks([peerData(PEER_INITIAL_TSN + 2, 2)]);
    expect(kinds().slice(3)).toEqual(['SACK', 'SHUTDOWN']);
    expect(decodeSackChunk(packets[3][0]).gapBlocks).toEqual([{ start: 2, end: 2 }]);
  });

  it('with the peer\'s window closed, one DATA chunk goes as the zero window probe; the rest when it opens (6.1 A)', async () => {
    const { a, clock, packets } = established();
    a.send(0, 60, msg(0));
    await nextRound();
    a.handleChunks([sackChunk({ cumulativeTsnAck: 1, aRwnd: 0, gapBlocks: [], duplicateTsns: [] })]);
    for (let i = 1; i <= 3; i++) a.send(0, 60, msg(i));
    await nextRound();
    expect(packets.map(tsns)).toEqual([[1], [2]]); // the probe alone
    clock.advance(timers.rtoInitialMs); // unanswered: T3-rtx sends it again, nothing more
    expect(packets.map(tsns)).toEqual([[1], [2], [2]]);
    a.handleChunks([sackChunk({ cumulativeTsnAck: 2, aRwnd: 1 << 20, gapBlocks: [], duplicateTsns: [] })]);
    expect(packets.map(tsns)).toEqual([[1], [2], [2], [3, 4]]);
  });
});
