// The key derivation function of TS 33.220 Annex B.2 and the 5G key hierarchy of TS 33.501
// Annex A. KDF(Key, S) = HMAC-SHA-256(Key, S), S = FC || P0 || L0 || P1 || L1 || ..., each Li the
// two-octet length of Pi. HMAC-SHA-256 and SHA-256 come from @noble/hashes, as the user asked
// (measured against node:crypto in benchmarks/crypto.bench.ts).

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

const utf8 = new TextEncoder();

export function kdf(key: Uint8Array, fc: number, ...params: Uint8Array[]): Uint8Array {
  let size = 1;
  for (const p of params) size += p.length + 2;
  const s = new Uint8Array(size);
  s[0] = fc;
  let at = 1;
  for (const p of params) {
    s.set(p, at);
    s[at + p.length] = p.length >> 8;
    s[at + p.length + 1] = p.length & 0xff;
    at += p.length + 2;
  }
  return hmac(sha256, key, s);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** TS 33.501 A.2: KAUSF = KDF(CK || IK, 0x6A, serving network name, SQN xor AK). */
export function kausf(ck: Uint8Array, ik: Uint8Array, servingNetworkName: string, sqnXorAk: Uint8Array): Uint8Array {
  return kdf(concat(ck, ik), 0x6a, utf8.encode(servingNetworkName), sqnXorAk);
}

/** TS 33.501 A.4: RES* / XRES* = the 128 least significant bits of KDF(CK || IK, 0x6B, SN name, RAND, RES). */
export function resStar(ck: Uint8Array, ik: Uint8Array, servingNetworkName: string, rand: Uint8Array, res: Uint8Array): Uint8Array {
  return kdf(concat(ck, ik), 0x6b, utf8.encode(servingNetworkName), rand, res).subarray(16, 32);
}

/** TS 33.501 A.5: HRES* / HXRES* = the 128 least significant bits of SHA-256(RAND || RES*). */
export function hresStar(rand: Uint8Array, resStarValue: Uint8Array): Uint8Array {
  return sha256(concat(rand, resStarValue)).subarray(16, 32);
}

/** TS 33.501 A.6: KSEAF = KDF(KAUSF, 0x6C, serving network name). */
export function kseaf(kausfValue: Uint8Array, servingNetworkName: string): Uint8Array {
  return kdf(kausfValue, 0x6c, utf8.encode(servingNetworkName));
}

/** TS 33.501 A.7: KAMF = KDF(KSEAF, 0x6D, SUPI (IMSI digits, TS 23.003 2.2), ABBA). */
export function kamf(kseafValue: Uint8Array, supiDigits: string, abba: Uint8Array): Uint8Array {
  return kdf(kseafValue, 0x6d, utf8.encode(supiDigits), abba);
}

/** TS 33.501 A.8 algorithm type distinguishers. */
export const AlgorithmType = { NasEnc: 0x01, NasInt: 0x02, RrcEnc: 0x03, RrcInt: 0x04, UpEnc: 0x05, UpInt: 0x06 } as const;

/** TS 33.501 A.8: the 128 least significant bits of KDF(key, 0x69, type distinguisher, algorithm id). */
export function algorithmKey(key: Uint8Array, type: number, algorithmId: number): Uint8Array {
  return kdf(key, 0x69, Uint8Array.of(type), Uint8Array.of(algorithmId)).subarray(16, 32);
}

/** TS 33.501 A.8: KNASint and KNASenc for the selected NAS integrity and ciphering algorithms. */
export function nasKeys(kamfValue: Uint8Array, integrityAlgorithm: number, cipheringAlgorithm: number): { kNasInt: Uint8Array; kNasEnc: Uint8Array } {
  return { kNasInt: algorithmKey(kamfValue, AlgorithmType.NasInt, integrityAlgorithm), kNasEnc: algorithmKey(kamfValue, AlgorithmType.NasEnc, cipheringAlgorithm) };
}

/** TS 33.501 A.9: KgNB = KDF(KAMF, 0x6E, uplink NAS COUNT, access type distinguisher (1 = 3GPP)). */
export function kgnb(kamfValue: Uint8Array, uplinkNasCount: number, accessType: 1 | 2 = 1): Uint8Array {
  const count = Uint8Array.of(uplinkNasCount >>> 24, (uplinkNasCount >>> 16) & 0xff, (uplinkNasCount >>> 8) & 0xff, uplinkNasCount & 0xff);
  return kdf(kamfValue, 0x6e, count, Uint8Array.of(accessType));
}

/** TS 33.501 A.3: CK' || IK' = KDF(CK || IK, 0x20, access network identity, SQN xor AK) (EAP-AKA'). */
export function ckPrimeIkPrime(ckIk: Uint8Array, networkName: string, sqnXorAk: Uint8Array): Uint8Array {
  return kdf(ckIk, 0x20, utf8.encode(networkName), sqnXorAk);
}
