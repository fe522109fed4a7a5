// Seeded fuzzing shared by every codec's bad-input tests. A case ends in a valid result or a
// DecodeError; any other exception, or a case that takes too long, fails the test with the
// seed and the input hex so it can be replayed.

import { DecodeError } from '../../codecs/bytes/errors.ts';
import { toHex } from '../../codecs/bytes/hex.ts';

/** xorshift32: small, fast, deterministic. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return this.next() % n;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

/** Mutations of a valid message: truncation, extension, bit flips, byte overwrites, length lies. */
export function mutate(rng: Rng, seed: Uint8Array): Uint8Array {
  const b = Uint8Array.from(seed);
  switch (rng.int(7)) {
    case 0:
      return b.subarray(0, rng.int(b.length + 1)); // truncate
    case 1: {
      const out = new Uint8Array(b.length + 1 + rng.int(64)); // oversize with junk
      out.set(b);
      out.set(rng.bytes(out.length - b.length), b.length);
      return out;
    }
    case 2: {
      const flips = 1 + rng.int(4);
      for (let i = 0; i < flips && b.length; i++) b[rng.int(b.length)] ^= 1 << rng.int(8);
      return b;
    }
    case 3: {
      const n = 1 + rng.int(4);
      for (let i = 0; i < n && b.length; i++) b[rng.int(b.length)] = rng.int(256);
      return b;
    }
    case 4: {
      // a length field lying up or down: overwrite a random 16-bit word with something near it
      if (b.length < 2) return b;
      const at = rng.int(b.length - 1);
      const v = ((b[at] << 8) | b[at + 1]) + (rng.int(2) ? 1 + rng.int(300) : -(1 + rng.int(300)));
      b[at] = (v >> 8) & 0xff;
      b[at + 1] = v & 0xff;
      return b;
    }
    case 5:
      return b.length ? b.subarray(rng.int(b.length)) : b; // start mid-message
    default:
      return rng.bytes(rng.int(Math.max(8, b.length * 2))); // pure noise
  }
}

export interface FuzzOptions {
  seed: number;
  cases: number;
  /** Valid encodings to mutate; noise is used when empty. */
  corpus: Uint8Array[];
  /** Fail a single case that takes longer than this (ms, default 2000): a hang or a blow-up. */
  maxCaseMs?: number;
}

export interface FuzzResult {
  decoded: number;
  rejected: number;
  codes: Record<string, number>;
}

/** Runs `decode` over mutated inputs; throws on anything other than a DecodeError. */
export function fuzzDecoder(decode: (b: Uint8Array) => unknown, opts: FuzzOptions): FuzzResult {
  const rng = new Rng(opts.seed);
  const res: FuzzResult = { decoded: 0, rejected: 0, codes: {} };
  // generous: a loaded 2-core CI machine can pause a process for a few hundred ms; a hang is still caught
  const maxMs = opts.maxCaseMs ?? 2000;
  for (let i = 0; i < opts.cases; i++) {
    const input = opts.corpus.length ? mutate(rng, rng.pick(opts.corpus)) : rng.bytes(rng.int(256));
    const t0 = performance.now();
    try {
      decode(input);
      res.decoded++;
    } catch (e) {
      if (!(e instanceof DecodeError)) {
        throw new Error(`case ${i} (seed ${opts.seed}) threw ${String(e)} for input ${toHex(input)}`, { cause: e });
      }
      res.rejected++;
      res.codes[e.code] = (res.codes[e.code] ?? 0) + 1;
    }
    const dt = performance.now() - t0;
    if (dt > maxMs) throw new Error(`case ${i} (seed ${opts.seed}) took ${dt.toFixed(0)} ms for input ${toHex(input)}`);
  }
  return res;
}
