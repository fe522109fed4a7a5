// The KDF's HMAC-SHA-256 with SHA-256's padding laid out by hand (crypto/kdf.ts) against
// node:crypto's own HMAC and SHA-256 (OpenSSL), an implementation independent of the compression
// function the KDF borrows: keys of 0-300 octets (RFC 2104 2: one longer than the 64-octet block is
// hashed first), S of every length around the padding's limits (FIPS 180-4 5.1.1: 55 octets end
// with their padding in one block, 56 need two; 63, 64, 119, 120 ...) and random ones to 300.

import { describe, it, expect } from 'vitest';
import { createHmac, createHash } from 'node:crypto';
import { kdf, hresStar, resStarAndKausf, nasKeys, AlgorithmType } from '../../crypto/kdf.ts';
import { toHex } from '../../codecs/bytes/hex.ts';
import { Rng } from '../helpers/fuzz.ts';

const octets = (rng: Rng, n: number) => Uint8Array.from({ length: n }, () => rng.int(256));

/** HMAC-SHA-256 of S = FC || P0 || L0 (TS 33.220 B.2.0) by node:crypto. */
function reference(key: Uint8Array, fc: number, p0: Uint8Array): string {
  return createHmac('sha256', key).update(Uint8Array.of(fc)).update(p0).update(Uint8Array.of(p0.length >> 8, p0.length & 0xff)).digest('hex');
}

describe('KDF HMAC-SHA-256 against node:crypto', () => {
  it('every S of 3 to 300 octets (P0 of 0 to 297) under keys of 0-300 octets', () => {
    const rng = new Rng(0x33220);
    const keyLengths = [0, 1, 31, 32, 55, 56, 63, 64, 65, 66, 100, 127, 128, 129, 300];
    for (let n = 0; n <= 297; n++) {
      const key = octets(rng, n < keyLengths.length ? keyLengths[n] : rng.int(301));
      const p0 = octets(rng, n);
      expect(toHex(kdf(key, 0x6b, p0)), `key ${key.length}, S ${n + 3}`).toBe(reference(key, 0x6b, p0));
    }
  });

  it('S of one octet (FC alone), and every key length 0-300 with S around the block', () => {
    const rng = new Rng(2104);
    for (let k = 0; k <= 300; k++) {
      const key = octets(rng, k);
      expect(toHex(kdf(key, 0x6c)), `key ${k}, S 1`).toBe(createHmac('sha256', key).update(Uint8Array.of(0x6c)).digest('hex'));
      const p0 = octets(rng, [52, 53, 60, 61, 116, 117][k % 6]); // S of 55, 56, 63, 64, 119, 120 octets
      expect(toHex(kdf(key, 0x6c, p0)), `key ${k}, S ${p0.length + 3}`).toBe(reference(key, 0x6c, p0));
    }
  });

  it('several parameters, and the derivations that share one key state, interleaved with others', () => {
    const rng = new Rng(501);
    for (let i = 0; i < 200; i++) {
      const key = octets(rng, 32);
      const params = Array.from({ length: 1 + rng.int(4) }, () => octets(rng, rng.int(80)));
      const h = createHmac('sha256', key).update(Uint8Array.of(0x6d));
      for (const p of params) h.update(p).update(Uint8Array.of(p.length >> 8, p.length & 0xff));
      expect(toHex(kdf(key, 0x6d, ...params))).toBe(h.digest('hex'));
      const [ck, ik, rand, res, sqnXorAk] = [octets(rng, 16), octets(rng, 16), octets(rng, 16), octets(rng, 8), octets(rng, 6)];
      const both = resStarAndKausf(ck, ik, '5G:mnc001.mcc001.3gppnetwork.org', rand, res, sqnXorAk);
      const ckik = Uint8Array.from([...ck, ...ik]);
      const sn = new TextEncoder().encode('5G:mnc001.mcc001.3gppnetwork.org');
      const s = (fc: number, ps: Uint8Array[]) => {
        const m = createHmac('sha256', ckik).update(Uint8Array.of(fc));
        for (const p of ps) m.update(p).update(Uint8Array.of(p.length >> 8, p.length & 0xff));
        return m.digest('hex');
      };
      expect(toHex(both.resStar)).toBe(s(0x6b, [sn, rand, res]).slice(32));
      expect(toHex(both.kausf)).toBe(s(0x6a, [sn, sqnXorAk]));
      const kamf = octets(rng, 32);
      const nas = nasKeys(kamf, 2, 2);
      const a8 = (type: number) => createHmac('sha256', kamf).update(Uint8Array.of(0x69, type, 0, 1, 2, 0, 1)).digest('hex').slice(32);
      expect([toHex(nas.kNasInt), toHex(nas.kNasEnc)]).toEqual([a8(AlgorithmType.NasInt), a8(AlgorithmType.NasEnc)]);
    }
  });

  it('HRES* (TS 33.501 A.5) is SHA-256 of RAND || RES* for inputs of 0-300 octets in all', () => {
    const rng = new Rng(5015);
    for (let n = 0; n <= 300; n++) {
      const split = rng.int(n + 1);
      const all = octets(rng, n);
      const a = all.slice(0, split), b = all.slice(split);
      expect(toHex(hresStar(a, b)), `${split} + ${n - split}`).toBe(createHash('sha256').update(all).digest('hex').slice(32));
    }
  });
});
