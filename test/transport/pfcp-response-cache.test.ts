// The PFCP endpoint's response cache (TS 29.244 6.4: a retransmitted request is answered with the
// response already sent, without processing it again), on a virtual clock: a response lives
// T1 x N1 (9 s by default) from its sending; the cache, in the order of its expiry times, is
// pruned from its oldest entry once it holds more than 4096 and stops at the first one alive.

import { describe, it, expect, afterEach } from 'vitest';
import dgram from 'node:dgram';
import { PfcpEndpoint, readPfcpHeader } from '../../transport/udp/pfcp-endpoint.ts';
import { VirtualClock } from '../../transport/clock.ts';
import * as P from '../../codecs/pfcp/index.ts';
import { until } from '../helpers/until.ts';

const UPF = '127.0.202.7';
const SMF = '127.0.202.4';
const LIFETIME_MS = 3000 * 3; // T1 x N1, the defaults

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A UPF endpoint whose handler answers each request with the number of times it ran for that sequence number as CP F-SEID. */
async function rig() {
  const clock = new VirtualClock(1_000_000);
  const upf = await PfcpEndpoint.open({ address: UPF, port: 0, recoveryTimeStamp: 1000, clock });
  closers.push(() => upf.close());
  const runs = new Map<number, number>();
  let total = 0;
  upf.onRequest(async ({ header }) => {
    const n = (runs.get(header.sequenceNumber) ?? 0) + 1;
    runs.set(header.sequenceNumber, n);
    total++;
    return { response: P.encodePfcp(P.sessionDeletionResponse(header.sequenceNumber, BigInt(n), P.PfcpCause.RequestAccepted)) };
  });
  const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 22 });
  const got: Uint8Array[] = [];
  s.on('message', (m) => got.push(new Uint8Array(m)));
  await new Promise<void>((r) => s.bind(0, SMF, () => r()));
  closers.push(() => new Promise((r) => s.close(() => r())));
  const request = (seq: number) => s.send(P.encodePfcp(P.sessionDeletionRequest(seq, 77n)), upf.local.port, UPF);
  /** Sends requests `from`..`to` (new ones), in batches the socket buffers hold, and waits for the handler to have run for each. */
  const fresh = async (from: number, to: number) => {
    for (let b = from; b <= to; b += 250) {
      const end = Math.min(to, b + 249);
      const before = total;
      for (let seq = b; seq <= end; seq++) request(seq);
      await until(() => total === before + (end - b + 1), `requests ${b}..${end} handled`);
    }
  };
  /** Sends request `seq` again and resolves with the answer to it. */
  const retransmit = async (seq: number) => {
    const at = got.length;
    request(seq);
    let answer: Uint8Array | undefined;
    await until(() => (answer = got.slice(at).find((g) => readPfcpHeader(g)!.sequenceNumber === seq)) !== undefined, `answer to ${seq}`);
    return answer!;
  };
  const firstAnswer = (seq: number) => P.encodePfcp(P.sessionDeletionResponse(seq, 1n, P.PfcpCause.RequestAccepted));
  return { clock, upf, runs, fresh, retransmit, firstAnswer };
}

describe('PFCP endpoint: the response cache (TS 29.244 6.4), virtual clock', () => {
  it('answers a retransmission within the lifetime with the cached octets, without running the handler; after it, the handler runs again', async () => {
    const { clock, upf, runs, fresh, retransmit, firstAnswer } = await rig();
    await fresh(1, 1);
    clock.advance(LIFETIME_MS - 1);
    expect(await retransmit(1)).toEqual(firstAnswer(1));
    expect(runs.get(1)).toBe(1);
    expect(upf.stats.duplicatesAnswered).toBe(1);

    clock.advance(1); // the lifetime is over
    const again = await retransmit(1);
    expect(runs.get(1)).toBe(2);
    expect(again).toEqual(P.encodePfcp(P.sessionDeletionResponse(1, 2n, P.PfcpCause.RequestAccepted)));
    expect(upf.stats.duplicatesAnswered).toBe(1);
    expect(upf.cachedResponses).toBe(1);
  });

  it('keeps every response alive with more than 4096 cached, and prunes the expired ones, stopping at the first one alive', async () => {
    const { clock, upf, runs, fresh, retransmit, firstAnswer } = await rig();
    await fresh(1, 3000); // expire at t0 + 9 s
    clock.advance(5000);
    await fresh(3001, 5000); // expire at t0 + 14 s
    expect(upf.cachedResponses).toBe(5000);
    // the oldest, with 5000 alive, is still answered from the cache
    expect(await retransmit(1)).toEqual(firstAnswer(1));
    expect(runs.get(1)).toBe(1);

    clock.advance(LIFETIME_MS - 5000); // the first 3000 expire, the 2000 after them live on
    await fresh(5001, 5001);
    expect(upf.cachedResponses).toBe(2001);
    expect(await retransmit(3001)).toEqual(firstAnswer(3001));
    expect(await retransmit(5000)).toEqual(firstAnswer(5000));
    expect(runs.get(3001)).toBe(1);
    expect(runs.get(5000)).toBe(1);
    expect(upf.stats.duplicatesAnswered).toBe(3);

    await retransmit(2); // expired and pruned: handled again
    expect(runs.get(2)).toBe(2);
  });
});
