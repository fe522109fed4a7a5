// MILENAGE, TS 35.206 4.1: the authentication and key generation functions f1, f1*, f2, f3,
// f4, f5 and f5* over AES-128 (the kernel E_K), with OPc = OP xor E_K(OP).
//
//   TEMP = E_K(RAND xor OPc)
//   IN1  = SQN || AMF || SQN || AMF
//   OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc       f1 = OUT1[0..63], f1* = OUT1[64..127]
//   OUT2 = E_K(rot(TEMP xor OPc, r2) xor c2) xor OPc               f5 = OUT2[0..47], f2 = OUT2[64..127]
//   OUT3 = E_K(rot(TEMP xor OPc, r3) xor c3) xor OPc               f3 = OUT3
//   OUT4 = E_K(rot(TEMP xor OPc, r4) xor c4) xor OPc               f4 = OUT4
//   OUT5 = E_K(rot(TEMP xor OPc, r5) xor c5) xor OPc               f5* = OUT5[0..47]
//   r1..r5 = 64, 0, 32, 64, 96 bits; c1..c5 = 0, 1, 2, 4, 8 (in the last octet)

import { aes128Block, aes128Encryptor, derivedPerKey, xor } from './aes.ts';

/** E_K, built once per K object: the USIM's K for every authentication, the UDM's for f1 then f2345 of one vector. */
const kernel = derivedPerKey(aes128Encryptor);

/**
 * rot(x, bits) xor c (TS 35.206 4.1: a cyclic rotation towards the most significant bit, then the
 * constant into the last octet) into `out`, a block of its own.
 */
function rotWithConstant(out: Uint8Array, x: Uint8Array, bits: number, c: number): Uint8Array {
  const bytes = bits / 8;
  for (let i = 0; i < 16; i++) out[i] = x[(i + bytes) % 16];
  out[15] ^= c;
  return out;
}

/** `a` xor= `b` over 16 octets; `a` is a block of the caller's (a kernel output). */
function xorInPlace(a: Uint8Array, b: Uint8Array): Uint8Array {
  for (let i = 0; i < 16; i++) a[i] ^= b[i];
  return a;
}

/** OPc = OP xor E_K(OP). */
export function opc(k: Uint8Array, op: Uint8Array): Uint8Array {
  return xor(aes128Block(k, op), op);
}

export interface F1Result {
  /** f1: MAC-A, the network authentication code (8 octets). */
  macA: Uint8Array;
  /** f1*: MAC-S, the resynchronisation authentication code (8 octets). */
  macS: Uint8Array;
}

/** f1 and f1* (TS 35.206 4.1). */
export function f1(k: Uint8Array, opcValue: Uint8Array, rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): F1Result {
  const e = kernel(k);
  const temp = e(xor(rand, opcValue));
  const in1 = new Uint8Array(16);
  in1.set(sqn, 0);
  in1.set(amf, 6);
  in1.set(sqn, 8);
  in1.set(amf, 14);
  // TEMP xor rot(IN1 xor OPc, r1) xor c1 (c1 = 0)
  const x = rotWithConstant(new Uint8Array(16), xorInPlace(in1, opcValue), 64, 0);
  const out1 = xorInPlace(e(xorInPlace(x, temp)), opcValue);
  return { macA: out1.subarray(0, 8), macS: out1.subarray(8, 16) };
}

export interface F2345Result {
  /** f2: RES (8 octets). */
  res: Uint8Array;
  /** f3: CK. */
  ck: Uint8Array;
  /** f4: IK. */
  ik: Uint8Array;
  /** f5: AK (6 octets). */
  ak: Uint8Array;
}

/** f2, f3, f4, f5 (TS 35.206 4.1). */
export function f2345(k: Uint8Array, opcValue: Uint8Array, rand: Uint8Array): F2345Result {
  const e = kernel(k);
  const temp = e(xor(rand, opcValue));
  const tx = xorInPlace(temp, opcValue);
  const x = new Uint8Array(16);
  const out2 = xorInPlace(e(rotWithConstant(x, tx, 0, 1)), opcValue);
  const out3 = xorInPlace(e(rotWithConstant(x, tx, 32, 2)), opcValue);
  const out4 = xorInPlace(e(rotWithConstant(x, tx, 64, 4)), opcValue);
  return { res: out2.subarray(8, 16), ck: out3, ik: out4, ak: out2.subarray(0, 6) };
}

/** f5*: AK for resynchronisation (6 octets). */
export function f5star(k: Uint8Array, opcValue: Uint8Array, rand: Uint8Array): Uint8Array {
  const e = kernel(k);
  const temp = e(xor(rand, opcValue));
  const out5 = xorInPlace(e(rotWithConstant(new Uint8Array(16), xorInPlace(temp, opcValue), 96, 8)), opcValue);
  return out5.subarray(0, 6);
}
