// AES-CMAC (crypto/nas-algorithms.ts, the CMAC under 128-NIA2) against the four examples of
// RFC 4493 4 (= NIST SP 800-38B D.1), with MACs under another key and NIA2 MACs interleaved
// between them: the state kept per key (round keys, subkeys) must not carry one key's or one
// message's state into another's; and against @noble/ciphers' own CMAC on every length across the
// switch from blocks in JavaScript to one node:crypto call.

import { describe, it, expect } from 'vitest';
import { cmac } from '@noble/ciphers/aes.js';
import { aesCmac, nia2 } from '../../crypto/nas-algorithms.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';

const K = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
const M = fromHex(
  '6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710',
);
const EXAMPLES: [number, string][] = [
  [0, 'bb1d6929e95937287fa37d129b756746'],
  [16, '070a16b46b4d4144f79bdd9dd04a287c'],
  [40, 'dfa66747de9ae63030ca32611497c827'],
  [64, '51f0bebf7e3b9d92fc49741779363cfe'],
];

describe('AES-CMAC (RFC 4493 4, SP 800-38B)', () => {
  it('gives the four RFC 4493 examples, in any order, with other keys and messages between them', () => {
    const other = fromHex('000102030405060708090a0b0c0d0e0f');
    const otherFirst = toHex(aesCmac(other, M, 100));
    for (const order of [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2, 1]]) {
      for (const i of order) {
        const [octets, tag] = EXAMPLES[i];
        expect(toHex(aesCmac(K, M.subarray(0, octets), octets * 8)), `Mlen ${octets}`).toBe(tag);
        nia2(K, i, 3, 1, M.subarray(0, 9), 70); // the same key, another (bit-length) message
        expect(toHex(aesCmac(other, M, 100))).toBe(otherFirst);
      }
    }
  });

  it('a returned MAC is the caller\'s: changing it changes no later MAC', () => {
    const t = aesCmac(K, M.subarray(0, 16), 128);
    t.fill(0);
    expect(toHex(aesCmac(K, M.subarray(0, 16), 128))).toBe(EXAMPLES[1][1]);
    expect(toHex(aesCmac(K, new Uint8Array(0), 0))).toBe(EXAMPLES[0][1]);
  });

  it('a message longer than any before (the padded blocks\' buffer grows) leaves no octet behind for a shorter one', () => {
    const long = new Uint8Array(3000).fill(0xa5);
    const first = toHex(aesCmac(K, long, long.length * 8));
    for (const [octets, tag] of EXAMPLES) expect(toHex(aesCmac(K, M.subarray(0, octets), octets * 8)), `Mlen ${octets}`).toBe(tag);
    expect(toHex(aesCmac(K, long, long.length * 8))).toBe(first);
    expect(toHex(aesCmac(K, long, 8 * 1000 + 3))).not.toBe(first);
  });
});

describe('AES-CMAC against @noble/ciphers cmac', () => {
  it('agrees for every octet length 0-400 (blocks in JavaScript up to 256 padded octets, one node:crypto CBC call past them)', () => {
    const m = new Uint8Array(400);
    for (let i = 0; i < m.length; i++) m[i] = (i * 37 + 11) & 0xff;
    for (let n = 0; n <= m.length; n++) expect(toHex(aesCmac(K, m.subarray(0, n), n * 8)), `${n} octets`).toBe(toHex(cmac(m.subarray(0, n), K)));
  });
});

describe('128-NIA2 against @noble/ciphers cmac over COUNT || BEARER || DIRECTION || 0^26 || MESSAGE (TS 33.401 B.2.3)', () => {
  it('agrees for every message length 0-400 octets, across 16-octet multiples and the switch past 256 padded octets', () => {
    const m = new Uint8Array(400);
    for (let i = 0; i < m.length; i++) m[i] = (i * 91 + 5) & 0xff;
    const other = fromHex('000102030405060708090a0b0c0d0e0f');
    const count = 0xfedcba98; // the top bit set: MAC-I's first octet from a negative state word
    for (let n = 0; n <= m.length; n++) {
      const input = new Uint8Array(8 + n);
      input.set([0xfe, 0xdc, 0xba, 0x98, (0x1f << 3) | (1 << 2)]);
      input.set(m.subarray(0, n), 8);
      const expected = toHex(cmac(input, K).subarray(0, 4));
      expect(toHex(nia2(K, count, 0x1f, 1, m.subarray(0, n))), `${n} octets`).toBe(expected);
      nia2(other, n, 0, 0, m.subarray(0, 400 - n)); // another key and length between: nothing carried over
    }
  });
});
