// Random octets for RAND (TS 33.501 6.1.3.2), SUCI ephemeral keys (TS 33.501 C.3.2) and the like,
// drawn from node:crypto's CSPRNG in chunks: randomBytes(16) per authentication vector cost ~1.7 µs
// (a Buffer and a native call for 16 octets, issue 21 goal 3, docs/decisions/21-crypto-cpu.md),
// a copy out of a pool refilled by randomFillSync every POOL octets costs a small fraction of that.
// Each pooled octet is handed out once and the pool is refilled before any is reused, so the
// octets are exactly as random as randomBytes' own.

import { randomFillSync } from 'node:crypto';

/** Octets drawn per refill (a draw larger than this is filled on its own). */
const POOL = 4096;
const pool = new Uint8Array(POOL);
/** Octets of `pool` already handed out; POOL means none left (filled at the first draw). */
let used = POOL;

/** `n` cryptographically random octets in an array of their own. */
export function randomOctets(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randomOctets: ${n} octets: expected a non-negative integer`);
  if (n > POOL) return randomFillSync(new Uint8Array(n));
  if (used + n > POOL) {
    randomFillSync(pool);
    used = 0;
  }
  const out = pool.slice(used, used + n);
  pool.fill(0, used, used + n); // what is handed out is not kept behind
  used += n;
  return out;
}
