// The key derivation function of TS 33.220 Annex B.2 and the 5G key hierarchy of TS 33.501
// Annex A. KDF(Key, S) = HMAC-SHA-256(Key, S), S = FC || P0 || L0 || P1 || L1 || ..., each Li the
// two-octet length of Pi. HMAC-SHA-256 and SHA-256 come from @noble/hashes, as the user asked
// (measured against node:crypto in benchmarks/crypto.bench.ts).

import { sha256 } from '@noble/hashes/sha2.js';

/**
 * HMAC-SHA-256 (RFC 2104) on @noble/hashes's SHA-256 with its state objects made once and reused:
 * `hmac(sha256, key, s)` built two SHA-256 objects per call, each with its own block buffer and a
 * DataView of it (a small typed array's `.buffer` makes V8 move it off the heap), and another view
 * per block and per digest; about 2% of a 2,000-UE run's CPU with its garbage (issue 21 goal 3,
 * docs/decisions/21-nf-cpu-2.md). Here the state after the key's ipad block and after its opad
 * block is kept (`keyed`) for the derivations under that key, and each derivation restores a
 * working SHA-256 from it (`_cloneInto`, which copies the state words without allocating a block
 * buffer). Single-threaded and synchronous: no derivation can start while another runs.
 */
const initial = sha256.create();
const keyedInner = sha256.create();
const keyedOuter = sha256.create();
const work = sha256.create();
const block = new Uint8Array(64);
const digest = new Uint8Array(32);

/** Sets the keyed states: SHA-256 after (K xor ipad) and after (K xor opad), K padded with zeros to the block (RFC 2104 2). */
function keyed(key: Uint8Array): void {
  block.fill(0);
  if (key.length > 64) {
    initial._cloneInto(work).update(key).digestInto(digest); // a key longer than the block is hashed first (RFC 2104 2)
    block.set(digest);
  } else block.set(key);
  for (let i = 0; i < 64; i++) block[i] ^= 0x36;
  initial._cloneInto(keyedInner).update(block);
  for (let i = 0; i < 64; i++) block[i] ^= 0x36 ^ 0x5c;
  initial._cloneInto(keyedOuter).update(block);
  block.fill(0);
}

/** HMAC-SHA-256 of `s` under the key last given to `keyed`. */
function mac(s: Uint8Array): Uint8Array {
  keyedInner._cloneInto(work).update(s).digestInto(digest);
  keyedOuter._cloneInto(work).update(digest).digestInto(digest);
  return digest.slice();
}

/** A parameter Pi: octets, or a character string taken as its UTF-8 octets (TS 33.220 B.2.1.2). */
type Param = Uint8Array | string;

const utf8 = new TextEncoder();

function isAscii(p: string): boolean {
  for (let i = 0; i < p.length; i++) if (p.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** S = FC || P0 || L0 || P1 || L1 || ... (TS 33.220 B.2.0); an ASCII string is written as is (its UTF-8 octets are its characters). */
function input(fc: number, params: Param[]): Uint8Array {
  let size = 1;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (typeof p === 'string' && !isAscii(p)) params[i] = utf8.encode(p);
    size += params[i].length + 2;
  }
  const s = new Uint8Array(size);
  s[0] = fc;
  let at = 1;
  for (const p of params) {
    if (typeof p === 'string') for (let i = 0; i < p.length; i++) s[at + i] = p.charCodeAt(i);
    else s.set(p, at);
    s[at + p.length] = p.length >> 8;
    s[at + p.length + 1] = p.length & 0xff;
    at += p.length + 2;
  }
  return s;
}

export function kdf(key: Uint8Array, fc: number, ...params: Param[]): Uint8Array {
  keyed(key);
  return mac(input(fc, params));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** TS 33.501 A.2: KAUSF = KDF(CK || IK, 0x6A, serving network name, SQN xor AK). */
export function kausf(ck: Uint8Array, ik: Uint8Array, servingNetworkName: string, sqnXorAk: Uint8Array): Uint8Array {
  return kdf(concat(ck, ik), 0x6a, servingNetworkName, sqnXorAk);
}

/** TS 33.501 A.4: RES* / XRES* = the 128 least significant bits of KDF(CK || IK, 0x6B, SN name, RAND, RES). */
export function resStar(ck: Uint8Array, ik: Uint8Array, servingNetworkName: string, rand: Uint8Array, res: Uint8Array): Uint8Array {
  return kdf(concat(ck, ik), 0x6b, servingNetworkName, rand, res).subarray(16, 32);
}

/** TS 33.501 A.5: HRES* / HXRES* = the 128 least significant bits of SHA-256(RAND || RES*). */
export function hresStar(rand: Uint8Array, resStarValue: Uint8Array): Uint8Array {
  initial._cloneInto(work).update(rand).update(resStarValue).digestInto(digest);
  return digest.slice(16, 32);
}

/**
 * The home network's XRES* (A.4) and KAUSF (A.2) of one vector, or the UE's RES* and KAUSF: both
 * under the key CK || IK, whose HMAC state is made once for the two.
 */
export function resStarAndKausf(ck: Uint8Array, ik: Uint8Array, servingNetworkName: string, rand: Uint8Array, res: Uint8Array, sqnXorAk: Uint8Array): { resStar: Uint8Array; kausf: Uint8Array } {
  keyed(concat(ck, ik));
  return { resStar: mac(input(0x6b, [servingNetworkName, rand, res])).subarray(16, 32), kausf: mac(input(0x6a, [servingNetworkName, sqnXorAk])) };
}

/** TS 33.501 A.6: KSEAF = KDF(KAUSF, 0x6C, serving network name). */
export function kseaf(kausfValue: Uint8Array, servingNetworkName: string): Uint8Array {
  return kdf(kausfValue, 0x6c, servingNetworkName);
}

/** TS 33.501 A.7: KAMF = KDF(KSEAF, 0x6D, SUPI (IMSI digits, TS 23.003 2.2), ABBA). */
export function kamf(kseafValue: Uint8Array, supiDigits: string, abba: Uint8Array): Uint8Array {
  return kdf(kseafValue, 0x6d, supiDigits, abba);
}

/** TS 33.501 A.8 algorithm type distinguishers. */
export const AlgorithmType = { NasEnc: 0x01, NasInt: 0x02, RrcEnc: 0x03, RrcInt: 0x04, UpEnc: 0x05, UpInt: 0x06 } as const;

/** TS 33.501 A.8: the 128 least significant bits of KDF(key, 0x69, type distinguisher, algorithm id). */
export function algorithmKey(key: Uint8Array, type: number, algorithmId: number): Uint8Array {
  return kdf(key, 0x69, Uint8Array.of(type), Uint8Array.of(algorithmId)).subarray(16, 32);
}

/** TS 33.501 A.8: KNASint and KNASenc for the selected NAS integrity and ciphering algorithms. */
export function nasKeys(kamfValue: Uint8Array, integrityAlgorithm: number, cipheringAlgorithm: number): { kNasInt: Uint8Array; kNasEnc: Uint8Array } {
  keyed(kamfValue); // one HMAC key state for both
  const kNasInt = mac(input(0x69, [Uint8Array.of(AlgorithmType.NasInt), Uint8Array.of(integrityAlgorithm)])).subarray(16, 32);
  const kNasEnc = mac(input(0x69, [Uint8Array.of(AlgorithmType.NasEnc), Uint8Array.of(cipheringAlgorithm)])).subarray(16, 32);
  return { kNasInt, kNasEnc };
}

/** TS 33.501 A.9: KgNB = KDF(KAMF, 0x6E, uplink NAS COUNT, access type distinguisher (1 = 3GPP)). */
export function kgnb(kamfValue: Uint8Array, uplinkNasCount: number, accessType: 1 | 2 = 1): Uint8Array {
  const count = Uint8Array.of(uplinkNasCount >>> 24, (uplinkNasCount >>> 16) & 0xff, (uplinkNasCount >>> 8) & 0xff, uplinkNasCount & 0xff);
  return kdf(kamfValue, 0x6e, count, Uint8Array.of(accessType));
}

/** TS 33.501 A.3: CK' || IK' = KDF(CK || IK, 0x20, access network identity, SQN xor AK) (EAP-AKA'). */
export function ckPrimeIkPrime(ckIk: Uint8Array, networkName: string, sqnXorAk: Uint8Array): Uint8Array {
  return kdf(ckIk, 0x20, networkName, sqnXorAk);
}
