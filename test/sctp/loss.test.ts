// N2 over a lossy path: with 10% loss (plus duplicates and reordering) injected on both send
// paths by transport/impair.ts, every message arrives exactly once and in order per stream.
// Fast RTO (RTO.Min 20 ms) keeps the test well under 5 s.

import { describe, it, expect, afterEach } from 'vitest';
import { Impairment } from '../../transport/impair.ts';
import { pair, until, closeAll } from './helpers.ts';

afterEach(closeAll);

/** A message that names itself: 4-octet index, then filler up to `size`. */
const numbered = (i: number, size: number) => {
  const b = new Uint8Array(size).fill(i & 0xff);
  new DataView(b.buffer).setUint32(0, i);
  return b;
};
const indexOf = (p: Uint8Array) => new DataView(p.buffer, p.byteOffset).getUint32(0);

describe('SCTP over a lossy path (transport/impair.ts)', () => {
  it('the impairment is seeded: the same seed drops the same datagrams', () => {
    const run = (seed: number) => {
      const imp = new Impairment({ seed, loss: 0.1, duplicate: 0.05, reorder: 0.05 });
      const out: number[] = [];
      for (let i = 0; i < 1000; i++) imp.apply(Uint8Array.of(i & 0xff, i >> 8), (b) => out.push(b[0] | (b[1] << 8)));
      return { out, stats: imp.stats };
    };
    expect(run(7)).toEqual(run(7));
    const r = run(7);
    expect(r.stats.dropped).toBeGreaterThan(70);
    expect(r.stats.dropped).toBeLessThan(130);
    expect(r.stats.duplicated + r.stats.reordered).toBeGreaterThan(40);
    expect(run(8).out).not.toEqual(r.out);
  });

  it('at 10% loss every N2 message arrives exactly once, in order per stream, both ways, in < 5 s', async () => {
    const impairments: Impairment[] = [];
    const impair = (seed: number) => {
      const i = new Impairment({ seed, loss: 0.1, duplicate: 0.05, reorder: 0.05 });
      impairments.push(i);
      return i;
    };
    const { client, server } = await pair({ amf: { impair: impair(11) }, gnb: { impair: impair(12) } });
    const atAmf: number[][] = [[], [], [], []], atGnb: number[][] = [[], [], [], []];
    server.on('message', (s, ppid, p) => ppid === 60 && atAmf[s].push(indexOf(p)));
    client.on('message', (s, ppid, p) => ppid === 60 && atGnb[s].push(indexOf(p)));
    const t0 = Date.now();
    // stream 0: non-UE-associated signalling; streams 1-3: UE-associated (NGAP's use of streams)
    for (let i = 0; i < 400; i++) client.send(i % 4, 60, numbered(i, i % 50 === 0 ? 4000 : 40 + (i % 200)));
    for (let i = 0; i < 200; i++) server.send(i % 4, 60, numbered(i, 60));
    await until(() => atAmf.flat().length >= 400 && atGnb.flat().length >= 200, 5000, 'all messages');
    await new Promise((r) => setTimeout(r, 100)); // any late duplicate would show up here
    for (let s = 0; s < 4; s++) {
      expect(atAmf[s]).toEqual(Array.from({ length: 100 }, (_, k) => s + 4 * k));
      expect(atGnb[s]).toEqual(Array.from({ length: 50 }, (_, k) => s + 4 * k));
    }
    expect(Date.now() - t0).toBeLessThan(5000);
    // the path really lost packets (fewer than 600 messages' worth: each packet bundles several, RFC 4960 6.10)
    expect(impairments.reduce((n, i) => n + i.stats.dropped, 0)).toBeGreaterThan(5);
    expect(client.stats.retransmitted + server.stats.retransmitted).toBeGreaterThan(0);
    expect(client.stats.duplicatesReceived + server.stats.duplicatesReceived).toBeGreaterThan(0);
  });
});
