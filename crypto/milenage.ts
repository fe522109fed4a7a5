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

import { aes128Block, derivedPerKey, xor } from './aes.ts';
import { encryptBlocks, expandKey128 } from './aes-rounds.ts';

/**
 * E_K on the round keys of K, expanded once per K object (the USIM's K for every authentication,
 * the UDM's for one vector), run in JavaScript (aes-rounds.ts): a vector is six blocks, and a
 * node:crypto cipher per K plus a call per group of blocks cost more than the rounds (issue 21
 * goal 3, docs/decisions/21-crypto-cpu.md).
 */
const kernel = derivedPerKey((k) => {
  const w = expandKey128(k);
  return (blocks: Uint8Array) => encryptBlocks(w, blocks);
});

/**
 * rot(x, bits) xor c (TS 35.206 4.1: a cyclic rotation towards the most significant bit, then the
 * constant into the last octet) into the 16 octets of `out` from `at`.
 */
function rotWithConstant(out: Uint8Array, at: number, x: Uint8Array, bits: number, c: number): void {
  const bytes = bits / 8;
  for (let i = 0; i < 16; i++) out[at + i] = x[(i + bytes) % 16];
  out[at + 15] ^= c;
}

/** `a` xor= `b` over 16 octets of `a` from `at`; `a` is a block of the caller's (a kernel output). */
function xorInPlace(a: Uint8Array, b: Uint8Array, at = 0): Uint8Array {
  for (let i = 0; i < 16; i++) a[at + i] ^= b[i];
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

/**
 * What f1..f5* of one K, OPc and RAND share: E_K and TEMP = E_K(RAND xor OPc) (TS 35.206 4.1),
 * computed once per RAND instead of once per function (issue 21 goal 3: one AES call fewer per
 * function, docs/decisions/21-crypto-cpu.md).
 */
export interface MilenageRand {
  readonly e: (blocks: Uint8Array) => Uint8Array;
  readonly opc: Uint8Array;
  readonly temp: Uint8Array;
}

export function milenageRand(k: Uint8Array, opcValue: Uint8Array, rand: Uint8Array): MilenageRand {
  const e = kernel(k);
  return { e, opc: opcValue, temp: e(xor(rand, opcValue)) };
}

/** TEMP xor rot(IN1 xor OPc, r1) xor c1 (c1 = 0) into `x` from `at`: the input of OUT1. */
function out1Input(x: Uint8Array, at: number, m: MilenageRand, sqn: Uint8Array, amf: Uint8Array): void {
  const in1 = new Uint8Array(16);
  in1.set(sqn, 0);
  in1.set(amf, 6);
  in1.set(sqn, 8);
  in1.set(amf, 14);
  rotWithConstant(x, at, xorInPlace(in1, m.opc), 64, 0);
  for (let i = 0; i < 16; i++) x[at + i] ^= m.temp[i];
}

/** rot(TEMP xor OPc, r2..r4) xor c2..c4 into `x` from `at`: the inputs of OUT2, OUT3, OUT4. */
function out234Input(x: Uint8Array, at: number, m: MilenageRand): void {
  const tx = xorInPlace(new Uint8Array(m.temp), m.opc);
  rotWithConstant(x, at, tx, 0, 1);
  rotWithConstant(x, at + 16, tx, 32, 2);
  rotWithConstant(x, at + 32, tx, 64, 4);
}

/** f2..f5 from OUT2..OUT4 (each XORed with OPc) at `at` in `out`. */
function f2345From(out: Uint8Array, at: number, opcValue: Uint8Array): F2345Result {
  for (let b = 0; b < 3; b++) xorInPlace(out, opcValue, at + 16 * b);
  return { res: out.subarray(at + 8, at + 16), ck: out.subarray(at + 16, at + 32), ik: out.subarray(at + 32, at + 48), ak: out.subarray(at, at + 6) };
}

/** f1 and f1* for one SQN and AMF (TS 35.206 4.1). */
export function f1Of(m: MilenageRand, sqn: Uint8Array, amf: Uint8Array): F1Result {
  const x = new Uint8Array(16);
  out1Input(x, 0, m, sqn, amf);
  const out1 = xorInPlace(m.e(x), m.opc);
  return { macA: out1.subarray(0, 8), macS: out1.subarray(8, 16) };
}

/** f2, f3, f4, f5 (TS 35.206 4.1): OUT2..OUT4 in one AES call. */
export function f2345Of(m: MilenageRand): F2345Result {
  const x = new Uint8Array(48);
  out234Input(x, 0, m);
  return f2345From(m.e(x), 0, m.opc);
}

/**
 * f1 and f2..f5 together, as the home network computes them for one vector: TEMP, then OUT1..OUT4
 * in one AES call (ECB: the four blocks are enciphered independently, as four calls would).
 */
export function f1f2345(k: Uint8Array, opcValue: Uint8Array, rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): F1Result & F2345Result {
  const m = milenageRand(k, opcValue, rand);
  const x = new Uint8Array(64);
  out1Input(x, 0, m, sqn, amf);
  out234Input(x, 16, m);
  const out = m.e(x);
  xorInPlace(out, opcValue, 0);
  return { macA: out.subarray(0, 8), macS: out.subarray(8, 16), ...f2345From(out, 16, opcValue) };
}

/** f1 and f1* (TS 35.206 4.1). */
export function f1(k: Uint8Array, opcValue: Uint8Array, rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): F1Result {
  return f1Of(milenageRand(k, opcValue, rand), sqn, amf);
}

/** f2, f3, f4, f5 (TS 35.206 4.1). */
export function f2345(k: Uint8Array, opcValue: Uint8Array, rand: Uint8Array): F2345Result {
  return f2345Of(milenageRand(k, opcValue, rand));
}

/** f5*: AK for resynchronisation (6 octets). */
export function f5star(k: Uint8Array, opcValue: Uint8Array, rand: Uint8Array): Uint8Array {
  const m = milenageRand(k, opcValue, rand);
  const x = new Uint8Array(16);
  rotWithConstant(x, 0, xorInPlace(new Uint8Array(m.temp), opcValue), 96, 8);
  return xorInPlace(m.e(x), opcValue).subarray(0, 6);
}
