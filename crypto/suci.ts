// SUCI concealment (TS 33.501 6.12.2, Annex C.3 ECIES profiles A and B, C.4 test data).
//
//   UE:   ephemeral key pair; Z = ECDH(eph private, HN public)
//         K = ANSI-X9.63-KDF(SHA-256, Z, SharedInfo = eph public key, 64 octets)
//         EncKey = K[0..15], ICB = K[16..31], MacKey = K[32..63]
//         ciphertext = AES-128-CTR(EncKey, ICB, plaintext); MAC tag = HMAC-SHA-256(MacKey, ciphertext)[0..7]
//         scheme output = eph public key || ciphertext || MAC tag
//   Profile A: X25519 (32-octet keys). Profile B: secp256r1 with the compressed ephemeral key (33).
// The home network (SIDF) reverses it, verifying the tag first.

import { x25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { aes128Ctr } from './aes.ts';

export type SuciProfile = 'A' | 'B';

/** Protection scheme identifiers (TS 33.501 Annex C.1, TS 24.501 9.11.3.4). */
export const ProtectionScheme = { Null: 0, ProfileA: 1, ProfileB: 2 } as const;

export class SuciMacFailure extends Error {
  constructor() {
    super('SUCI MAC tag does not verify');
    this.name = 'SuciMacFailure';
  }
}

/** ANSI X9.63 KDF with SHA-256 (SEC 1 3.6.1). */
export function x963Kdf(z: Uint8Array, sharedInfo: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (let counter = 1; at < length; counter++) {
    const input = new Uint8Array(z.length + 4 + sharedInfo.length);
    input.set(z);
    input.set(Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff), z.length);
    input.set(sharedInfo, z.length + 4);
    const h = sha256(input);
    out.set(h.subarray(0, Math.min(32, length - at)), at);
    at += 32;
  }
  return out;
}

function sharedSecret(profile: SuciProfile, privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (profile === 'A') return x25519.getSharedSecret(privateKey, publicKey);
  // ECDH on secp256r1: the shared secret is the x-coordinate of the product point.
  return p256.getSharedSecret(privateKey, publicKey, true).subarray(1);
}

export function publicKeyOf(profile: SuciProfile, privateKey: Uint8Array): Uint8Array {
  return profile === 'A' ? x25519.getPublicKey(privateKey) : p256.getPublicKey(privateKey, true);
}

function keys(z: Uint8Array, ephPublic: Uint8Array) {
  const k = x963Kdf(z, ephPublic, 64);
  return { encKey: k.subarray(0, 16), icb: k.subarray(16, 32), macKey: k.subarray(32, 64) };
}

/** UE side: the scheme output for `plaintext` (BCD MSIN or NAI username) under the HN public key. */
export function concealSuci(profile: SuciProfile, hnPublicKey: Uint8Array, plaintext: Uint8Array, ephPrivateKey: Uint8Array): Uint8Array {
  const ephPublic = publicKeyOf(profile, ephPrivateKey);
  const { encKey, icb, macKey } = keys(sharedSecret(profile, ephPrivateKey, hnPublicKey), ephPublic);
  const ciphertext = aes128Ctr(encKey, icb, plaintext);
  const tag = hmac(sha256, macKey, ciphertext).subarray(0, 8);
  const out = new Uint8Array(ephPublic.length + ciphertext.length + 8);
  out.set(ephPublic);
  out.set(ciphertext, ephPublic.length);
  out.set(tag, ephPublic.length + ciphertext.length);
  return out;
}

/** Home network side (SIDF): the plaintext of a scheme output; throws SuciMacFailure on a bad tag. */
export function deconcealSuci(profile: SuciProfile, hnPrivateKey: Uint8Array, schemeOutput: Uint8Array): Uint8Array {
  const pubLen = profile === 'A' ? 32 : 33;
  if (schemeOutput.length < pubLen + 8) throw new SuciMacFailure();
  const ephPublic = schemeOutput.subarray(0, pubLen);
  const ciphertext = schemeOutput.subarray(pubLen, schemeOutput.length - 8);
  const tag = schemeOutput.subarray(schemeOutput.length - 8);
  let z: Uint8Array;
  try {
    z = sharedSecret(profile, hnPrivateKey, ephPublic);
  } catch {
    throw new SuciMacFailure(); // not a point on the curve: nothing to verify against
  }
  const { encKey, icb, macKey } = keys(z, ephPublic);
  const expected = hmac(sha256, macKey, ciphertext).subarray(0, 8);
  let diff = 0;
  for (let i = 0; i < 8; i++) diff |= expected[i] ^ tag[i];
  if (diff !== 0) throw new SuciMacFailure();
  return aes128Ctr(encKey, icb, ciphertext);
}

/** MSIN digits <-> the BCD the SUCI's scheme input uses (digit pairs swapped, F filler). */
export function msinToBcd(msin: string): Uint8Array {
  const out = new Uint8Array(Math.ceil(msin.length / 2));
  for (let i = 0; i < msin.length; i += 2) {
    const lo = Number(msin[i]);
    const hi = i + 1 < msin.length ? Number(msin[i + 1]) : 0xf;
    out[i / 2] = (hi << 4) | lo;
  }
  return out;
}

export function bcdToMsin(bcd: Uint8Array): string {
  let s = '';
  for (const b of bcd) {
    s += String(b & 0x0f);
    if (b >> 4 !== 0xf) s += String(b >> 4);
  }
  return s;
}
