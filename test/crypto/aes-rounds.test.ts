// AES-128 rounds in JavaScript (crypto/aes-rounds.ts) against FIPS-197 C.1 and node:crypto's
// AES-128-ECB on keys and blocks of many patterns.

import { describe, it, expect } from 'vitest';
import { createCipheriv } from 'node:crypto';
import { encryptBlocks, encryptState, expandKey128 } from '../../crypto/aes-rounds.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';

function encrypt(key: Uint8Array, block: Uint8Array): string {
  const s = new Int32Array(4);
  for (let i = 0; i < 4; i++) s[i] = (block[4 * i] << 24) | (block[4 * i + 1] << 16) | (block[4 * i + 2] << 8) | block[4 * i + 3];
  encryptState(expandKey128(key), s);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = (s[i >> 2] >>> (24 - 8 * (i & 3))) & 0xff;
  return toHex(out);
}

describe('AES-128 rounds (FIPS-197)', () => {
  it('FIPS-197 C.1 (AES-128) and the key of its Appendix A.1 / B', () => {
    expect(encrypt(fromHex('000102030405060708090a0b0c0d0e0f'), fromHex('00112233445566778899aabbccddeeff'))).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
    expect(encrypt(fromHex('2b7e151628aed2a6abf7158809cf4f3c'), fromHex('3243f6a8885a308d313198a2e0370734'))).toBe('3925841d02dc09fbdc118597196a0b32');
  });

  it('agrees with node:crypto AES-128-ECB on 500 key and block patterns', () => {
    for (let n = 0; n < 500; n++) {
      const key = new Uint8Array(16).map((_, i) => (n * 131 + i * 29 + (n >> 3) * i) & 0xff);
      const block = new Uint8Array(16).map((_, i) => (n * 7 + i * 251 + n * i) & 0xff);
      const c = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
      expect(encrypt(key, block), `pattern ${n}`).toBe(toHex(c.update(block)));
    }
  });

  it('a key that is not 16 octets throws RangeError', () => {
    expect(() => expandKey128(new Uint8Array(15))).toThrow(RangeError);
  });
});

describe('encryptBlocks (ECB)', () => {
  it('enciphers each block on its own, as node:crypto AES-128-ECB does, and refuses a partial block', () => {
    const key = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
    const blocks = new Uint8Array(64).map((_, i) => (i * 53 + 7) & 0xff);
    const c = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    expect(toHex(encryptBlocks(expandKey128(key), blocks))).toBe(toHex(c.update(blocks)));
    expect(() => encryptBlocks(expandKey128(key), new Uint8Array(20))).toThrow(RangeError);
  });
});
