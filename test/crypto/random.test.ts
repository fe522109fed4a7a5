// crypto/random.ts: the pooled CSPRNG octets (RAND, SUCI ephemeral keys) handed out once each.

import { describe, it, expect } from 'vitest';
import { randomOctets } from '../../crypto/random.ts';

describe('randomOctets', () => {
  it('arrays of the asked length, each of its own (a change to one is not seen in the next)', () => {
    for (const n of [0, 1, 16, 32, 4096, 5000]) expect(randomOctets(n).length).toBe(n);
    const a = randomOctets(16);
    const copy = new Uint8Array(a);
    a.fill(0xff);
    const b = randomOctets(16);
    expect(b).not.toEqual(a);
    expect(b).not.toEqual(copy);
  });

  it('16-octet draws across several pool refills never repeat and are not constant', () => {
    const seen = new Set<string>();
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 1000; i++) {
      const r = randomOctets(16);
      const hex = Buffer.from(r).toString('hex');
      expect(seen.has(hex), `draw ${i} repeats an earlier one`).toBe(false);
      seen.add(hex);
      for (const o of r) counts[o]++;
    }
    // 16,000 octets: every value is expected ~62 times; a stuck or zeroed pool would leave most at 0
    expect(Math.min(...counts), 'some octet value almost never drawn').toBeGreaterThan(10);
  });

  it('a length that is not a non-negative integer throws RangeError', () => {
    for (const n of [-1, 1.5, Number.NaN]) expect(() => randomOctets(n)).toThrow(RangeError);
  });
});
