// AES-128 primitives from node:crypto (OpenSSL, AES-NI where the CPU has it). Measured on this
// machine against @noble/ciphers in benchmarks/crypto.bench.ts; see docs/decisions.md.

import { createCipheriv } from 'node:crypto';

/** E_K(block) for one 16-octet block (AES-128-ECB, no padding). */
export function aes128Block(key: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return new Uint8Array(c.update(block));
}

/**
 * AES-128-CBC over whole blocks, one cipher for every call: the chaining carries over from one call
 * to the next (the first block of a call is chained to the last ciphertext block of the one before;
 * a zero IV before the first call). Output is the cipher's own Buffer (a Uint8Array), not copied.
 * CMAC (nas-algorithms.ts) takes a fresh one per long message, where one native call beats the
 * blocks in JavaScript.
 */
export function aes128CbcChain(key: Uint8Array): (blocks: Uint8Array) => Uint8Array {
  const c = createCipheriv('aes-128-cbc', key, Buffer.alloc(16));
  c.setAutoPadding(false);
  return (blocks) => c.update(blocks);
}

/** AES-128-CTR keystream applied to `data` from the 16-octet initial counter block. */
export function aes128Ctr(key: Uint8Array, icb: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ctr', key, icb);
  return new Uint8Array(c.update(data));
}

/** Whether two keys have the same octets (a loop: `every` with a callback cost a call per octet on each NAS MAC, issue 21). */
function sameOctets(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `make(key)` kept per key object (a WeakMap) while the key's octets stay those it was made from
 * (a key changed in place is made again): a cipher built once per key instead of per call
 * (issue 21: createCipheriv was most of the cost of a NAS MAC or a Milenage function).
 */
export function derivedPerKey<T>(make: (key: Uint8Array) => T): (key: Uint8Array) => T {
  const kept = new WeakMap<Uint8Array, { octets: Uint8Array; value: T }>();
  return (key) => {
    const known = kept.get(key);
    if (known && sameOctets(known.octets, key)) return known.value;
    const value = make(key);
    // a copy (a Buffer's slice() would be a view of the key itself, and follow its changes)
    kept.set(key, { octets: new Uint8Array(key), value });
    return value;
  };
}

export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}
