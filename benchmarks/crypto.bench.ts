// 5G security primitives (issue: NAS/crypto): the library choices measured in one run.
// HMAC-SHA-256 (the TS 33.220 KDF) from @noble/hashes (as the user asked) against node:crypto;
// AES-128 block from node:crypto against @noble/ciphers; MILENAGE, the KAUSF->KgNB chain, and
// SUCI de-concealment for profiles A and B; RAND from the random pool against randomBytes.

import { createHmac, createCipheriv, randomBytes } from 'node:crypto';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ecb } from '@noble/ciphers/aes.js';
import { runSuite, consume } from './lib.ts';
import { fromHex } from '../codecs/bytes/hex.ts';
import { f1, f1f2345, f2345 } from '../crypto/milenage.ts';
import { kdf, kausf, kseaf, kamf, kgnb, algorithmKey, AlgorithmType } from '../crypto/kdf.ts';
import { deconcealSuci, concealSuci, publicKeyOf } from '../crypto/suci.ts';
import { nea2 } from '../crypto/nas-algorithms.ts';
import { randomOctets } from '../crypto/random.ts';

const key32 = fromHex('20de4eb2b75c8dac301ad52773e2e37bd7b4b0c2fdb1c3751b98dd0df846aed5');
const s = new Uint8Array(40).fill(7);
/** The same 40-octet S as the KDF builds it: FC || P0 (37 octets) || L0. */
const p0 = s.subarray(1, 38);
const k = fromHex('465b5ce8b199b49faa5f0a2ee238a6bc'), opc = fromHex('cd63cb71954a9f4e48a5994e37a02baf'), rand = fromHex('23553cbe9637a89d218ae64dae47bf35');
const block = new Uint8Array(16).fill(1);
const sqn0 = new Uint8Array(6), amf80 = fromHex('8000');

const sn = '5G:mnc001.mcc001.3gppnetwork.org';
const hnA = fromHex('c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d');
const hnB = fromHex('f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda');
const outA = concealSuci('A', publicKeyOf('A', hnA), fromHex('00012080f6'), fromHex('c80949f13ebe61af4ebdbd293ea4f942696b9e815d7e8f0096bbf6ed7de62256'));
const outB = concealSuci('B', publicKeyOf('B', hnB), fromHex('00012080f6'), fromHex('99798858a1dc6a2c68637149a4b1dbfd1fdff5addd62a2142f06699ed7602529'));
const pdu100 = new Uint8Array(100);

await runSuite(
  'crypto',
  [
    { name: 'HMAC-SHA-256 (KDF input, 40 B): @noble/hashes', fn: () => consume(hmac(sha256, key32, s)) },
    { name: 'HMAC-SHA-256 (KDF input, 40 B): crypto/kdf.ts (@noble/hashes SHA-256, state reused)', fn: () => consume(kdf(key32, 7, p0)) },
    { name: 'HMAC-SHA-256 (KDF input, 40 B): node:crypto', fn: () => consume(createHmac('sha256', key32).update(s).digest()) },
    { name: 'AES-128 block: node:crypto', fn: () => consume(createCipheriv('aes-128-ecb', k, null).setAutoPadding(false).update(block)) },
    { name: 'AES-128 block: @noble/ciphers', fn: () => consume(ecb(k, { disablePadding: true }).encrypt(block)) }, // instances are single-use by design
    { name: 'MILENAGE f1..f5 (one vector): f1 then f2345', fn: () => consume([f1(k, opc, rand, sqn0, amf80), f2345(k, opc, rand)]) },
    { name: 'MILENAGE f1..f5 (one vector): f1f2345 (TEMP once, OUT1..OUT4 in one AES call)', fn: () => consume(f1f2345(k, opc, rand, sqn0, amf80)) },
    { name: 'KAUSF -> KSEAF -> KAMF -> KNASint -> KgNB', fn: () => { const a = kausf(k, opc, sn, new Uint8Array(6)); const m = kamf(kseaf(a, sn), '001010000000001', new Uint8Array(2)); consume([algorithmKey(m, AlgorithmType.NasInt, 2), kgnb(m, 0)]); } },
    { name: 'NEA2 of a 100-byte PDU', fn: () => consume(nea2(k, 1, 1, 0, pdu100)) },
    { name: 'RAND (16 octets): node:crypto randomBytes', fn: () => consume(new Uint8Array(randomBytes(16))) },
    { name: 'RAND (16 octets): crypto/random.ts (pool refilled by randomFillSync)', fn: () => consume(randomOctets(16)) },
    { name: 'SUCI de-conceal, profile A (X25519)', fn: () => consume(deconcealSuci('A', hnA, outA)) },
    { name: 'SUCI de-conceal, profile B (P-256)', fn: () => consume(deconcealSuci('B', hnB, outB)) },
  ],
  {
    ratios: [
      ['@noble/hashes HMAC vs node:crypto HMAC', 'HMAC-SHA-256 (KDF input, 40 B): @noble/hashes', 'HMAC-SHA-256 (KDF input, 40 B): node:crypto'],
      ['crypto/kdf.ts KDF vs node:crypto HMAC', 'HMAC-SHA-256 (KDF input, 40 B): crypto/kdf.ts (@noble/hashes SHA-256, state reused)', 'HMAC-SHA-256 (KDF input, 40 B): node:crypto'],
      ['f1f2345 vs f1 then f2345', 'MILENAGE f1..f5 (one vector): f1f2345 (TEMP once, OUT1..OUT4 in one AES call)', 'MILENAGE f1..f5 (one vector): f1 then f2345'],
      ['crypto/random.ts RAND vs node:crypto randomBytes', 'RAND (16 octets): crypto/random.ts (pool refilled by randomFillSync)', 'RAND (16 octets): node:crypto randomBytes'],
      ['@noble/ciphers AES block vs node:crypto AES block', 'AES-128 block: @noble/ciphers', 'AES-128 block: node:crypto'],
    ],
  },
);
