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
 * E_K for several 16-octet blocks under one key: one AES-128-ECB cipher (ECB keeps no state
 * between blocks) instead of one createCipheriv per block (issue 21: building the cipher was
 * most of the cost of a block, docs/decisions/21-cpu-profile.md).
 */
export function aes128Encryptor(key: Uint8Array): (block: Uint8Array) => Uint8Array {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return (block) => new Uint8Array(c.update(block));
}

/** AES-128-CTR keystream applied to `data` from the 16-octet initial counter block. */
export function aes128Ctr(key: Uint8Array, icb: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ctr', key, icb);
  return new Uint8Array(c.update(data));
}

export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}
