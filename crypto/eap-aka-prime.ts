// EAP-AKA' key derivation (RFC 9048, which obsoletes RFC 5448; the derivation is unchanged) as
// TS 33.501 6.1.3.1 uses it for 5G primary authentication and Annex I (SNPN onboarding, a DCS with
// an AAA server) for the Default UE Credentials:
//   CK' || IK' = KDF(CK || IK, FC 0x20, network name, SQN xor AK)          (RFC 9048 3.3, TS 33.402 A.2)
//   MK = PRF'(IK' || CK', "EAP-AKA'" || Identity)                          (RFC 9048 3.3)
//   K_encr = MK[0..127], K_aut = MK[128..383], K_re = MK[384..639],
//   MSK = MK[640..1151], EMSK = MK[1152..1663]
//   PRF'(K, S) = T1 | T2 | ..., T1 = HMAC-SHA-256(K, S | 0x01), Tn = HMAC-SHA-256(K, Tn-1 | S | n)
//   AT_MAC = HMAC-SHA-256-128(K_aut, the EAP packet with AT_MAC's value zeroed)   (RFC 9048 3.4.1)
// and KAUSF = EMSK[0..255] (TS 33.501 6.1.3.1 step 7 / Annex F). Checked against RFC 5448
// Appendix C (test/crypto/eap-aka-prime.test.ts).

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { kdf } from './kdf.ts';

const ascii = new TextEncoder();

/** RFC 9048 3.3 (TS 33.402 Annex A.2): CK' and IK' from CK, IK, the access network name and SQN xor AK. */
export function ckIkPrime(ck: Uint8Array, ik: Uint8Array, networkName: string, sqnXorAk: Uint8Array): { ckPrime: Uint8Array; ikPrime: Uint8Array } {
  const key = new Uint8Array(32);
  key.set(ck);
  key.set(ik, 16);
  const out = kdf(key, 0x20, ascii.encode(networkName), sqnXorAk);
  return { ckPrime: out.slice(0, 16), ikPrime: out.slice(16, 32) };
}

/** RFC 9048 3.4: PRF' (HMAC-SHA-256 in counter mode), `length` octets. */
export function prfPrime(key: Uint8Array, s: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let t = new Uint8Array(0);
  for (let n = 1, at = 0; at < length; n++) {
    const input = new Uint8Array(t.length + s.length + 1);
    input.set(t);
    input.set(s, t.length);
    input[input.length - 1] = n;
    t = hmac(sha256, key, input);
    out.set(t.subarray(0, Math.min(t.length, length - at)), at);
    at += t.length;
  }
  return out;
}

export interface EapAkaPrimeKeys {
  kEncr: Uint8Array;
  kAut: Uint8Array;
  kRe: Uint8Array;
  msk: Uint8Array;
  emsk: Uint8Array;
}

/** RFC 9048 3.3: the keys from CK', IK' and the identity the peer used (its SUPI, TS 33.501 6.1.3.1). */
export function eapAkaPrimeKeys(ckPrime: Uint8Array, ikPrime: Uint8Array, identity: string): EapAkaPrimeKeys {
  const key = new Uint8Array(32);
  key.set(ikPrime);
  key.set(ckPrime, 16);
  const mk = prfPrime(key, ascii.encode(`EAP-AKA'${identity}`), 208);
  return { kEncr: mk.slice(0, 16), kAut: mk.slice(16, 48), kRe: mk.slice(48, 80), msk: mk.slice(80, 144), emsk: mk.slice(144, 208) };
}

/** RFC 9048 3.4.1: HMAC-SHA-256-128 over the EAP packet (AT_MAC's 16 octets zeroed in it). */
export function atMac(kAut: Uint8Array, packetWithZeroMac: Uint8Array): Uint8Array {
  return hmac(sha256, kAut, packetWithZeroMac).slice(0, 16);
}

/** TS 33.501 6.1.3.1 step 7 (Annex F): KAUSF is the most significant 256 bits of EMSK. */
export function kausfFromEmsk(emsk: Uint8Array): Uint8Array {
  return emsk.slice(0, 32);
}
