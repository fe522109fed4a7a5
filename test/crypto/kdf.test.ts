// The KDF's HMAC-SHA-256 on @noble/hashes' compression function (crypto/kdf.ts) against the one-shot
// HMAC of @noble/hashes, on keys and inputs around the 64-octet block and its padding limits
// (RFC 2104 2: a key longer than the block is hashed first; SHA-256 pads within a block up to 55
// octets of input; S past the KDF's first buffer of 256 octets). The TS 33.501 chains themselves
// are checked in vectors.test.ts.

import { describe, it, expect } from 'vitest';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { kdf, nasKeys, algorithmKey, AlgorithmType, resStarAndKausf, resStar, kausf, hresStar } from '../../crypto/kdf.ts';
import { toHex } from '../../codecs/bytes/hex.ts';
import { concatBytes } from '../../codecs/bytes/concat.ts';

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + 1) & 0xff);

/** S = FC || P0 || L0 || ... built the plain way (TS 33.220 B.2.0). */
function s(fc: number, params: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(fc)];
  for (const p of params) parts.push(p, Uint8Array.of(p.length >> 8, p.length & 0xff));
  return concatBytes(parts);
}

describe('KDF HMAC-SHA-256 (TS 33.220 B.2) with reused SHA-256 state', () => {
  it('equals @noble/hashes hmac for keys of 0 to 100 octets and inputs of 4 to 300 octets', () => {
    for (const keyLength of [0, 1, 16, 32, 63, 64, 65, 100]) {
      for (const paramLength of [0, 1, 50, 51, 52, 53, 58, 59, 60, 61, 62, 120, 297]) {
        const key = bytes(keyLength, paramLength);
        const p = bytes(paramLength, keyLength);
        expect(toHex(kdf(key, 0x6a, p)), `key ${keyLength}, P0 ${paramLength}`).toBe(toHex(hmac(sha256, key, s(0x6a, [p]))));
      }
    }
  });

  it('equals it for every S from 3 to 200 octets (each place of the padding in its blocks) and for one of 5,000', () => {
    const key = bytes(32, 7);
    for (const n of [...Array.from({ length: 198 }, (_, i) => i), 4997]) {
      const p = bytes(n, n);
      expect(toHex(kdf(key, 0x6e, p)), `P0 ${n}`).toBe(toHex(hmac(sha256, key, s(0x6e, [p]))));
    }
    // and after the buffer grew, a short one again
    expect(toHex(kdf(key, 0x6e, bytes(5, 1)))).toBe(toHex(hmac(sha256, key, s(0x6e, [bytes(5, 1)]))));
  });

  it('takes a character string as its UTF-8 octets, ASCII or not', () => {
    const key = bytes(32, 9);
    const enc = new TextEncoder();
    for (const name of ['5G:mnc001.mcc001.3gppnetwork.org', '5G:mnc001.mcc001.3gppnetwork.org:000000000000', 'réseau ネットワーク 🛰', '']) {
      expect(toHex(kdf(key, 0x6c, name, Uint8Array.of(1, 2)))).toBe(toHex(hmac(sha256, key, s(0x6c, [enc.encode(name), Uint8Array.of(1, 2)]))));
    }
  });

  it('a result is not changed by the derivations after it', () => {
    const a = kdf(bytes(32, 1), 0x6d, bytes(15, 2));
    const first = toHex(a);
    kdf(bytes(32, 3), 0x6d, bytes(15, 4));
    hresStar(bytes(16, 5), bytes(16, 6));
    expect(toHex(a)).toBe(first);
  });

  it('the derivations that share a key state give what each gives alone (A.2 with A.4, A.8 for both NAS keys)', () => {
    const ck = bytes(16, 1), ik = bytes(16, 2), rand = bytes(16, 3), res = bytes(8, 4), sqnXorAk = bytes(6, 5);
    const sn = '5G:mnc001.mcc001.3gppnetwork.org';
    const both = resStarAndKausf(ck, ik, sn, rand, res, sqnXorAk);
    expect(toHex(both.resStar)).toBe(toHex(resStar(ck, ik, sn, rand, res)));
    expect(toHex(both.kausf)).toBe(toHex(kausf(ck, ik, sn, sqnXorAk)));
    const kamf = bytes(32, 6);
    const keys = nasKeys(kamf, 2, 1);
    expect(toHex(keys.kNasInt)).toBe(toHex(algorithmKey(kamf, AlgorithmType.NasInt, 2)));
    expect(toHex(keys.kNasEnc)).toBe(toHex(algorithmKey(kamf, AlgorithmType.NasEnc, 1)));
    expect(toHex(hresStar(rand, both.resStar))).toBe(toHex(sha256(Uint8Array.from([...rand, ...both.resStar])).subarray(16, 32)));
  });
});
