// 5G NAS/AS security algorithms over AES-128 (TS 33.501 Annex D; the same algorithms as
// 128-EIA2/128-EEA2 of TS 33.401 Annex B):
//   128-NIA2: AES-CMAC (NIST SP 800-38B) over COUNT || BEARER || DIRECTION || 0^26 || MESSAGE,
//             the MAC is the first 32 bits of the CMAC (TS 33.401 B.2.3).
//   128-NEA2: AES-CTR with the initial counter block COUNT || BEARER || DIRECTION || 0^26 || 0^64
//             (TS 33.401 B.1.3).
//   NIA0/NEA0: the null algorithms (TS 33.501 D.1, D.2).
// Lengths are in bits, as the specifications define them.

import { unsafe as aes } from '@noble/ciphers/aes.js';
import { aes128CbcChain, aes128Ctr, derivedPerKey } from './aes.ts';

function shiftLeft1(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i] << 1) | (i < 15 ? b[i + 1] >> 7 : 0)) & 0xff;
  if (b[0] & 0x80) out[15] ^= 0x87;
  return out;
}

/**
 * What CMAC keeps of a key: its AES-128 round keys and the subkeys K1, K2 (SP 800-38B 6.1), the
 * subkeys as the four state words the cipher takes (each the little-endian reading of 4 octets).
 */
interface CmacKey {
  readonly key: Uint8Array;
  readonly roundKeys: Uint32Array;
  readonly k1: Uint32Array;
  readonly k2: Uint32Array;
}

/**
 * Padded octets past which a MAC runs in one node:crypto CBC call on a cipher of its own instead
 * of block by block in JavaScript (~70 ns a block here against ~1.5 us for the cipher and its
 * call): NAS messages of a registration and a PDU session are 10-100 octets, test set 6 of TS
 * 33.401 C.2 is 2 KB.
 */
const JS_BLOCKS_OCTETS = 256;

/** The state word of octets at..at+3 (little-endian, as @noble/ciphers' AES rounds take them). */
function word(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);
}

/** The 16 octets of a block from its four state words (each little-endian). */
function octetsOf(s0: number, s1: number, s2: number, s3: number): Uint8Array {
  const t = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    t[i] = (s0 >>> (8 * i)) & 0xff;
    t[4 + i] = (s1 >>> (8 * i)) & 0xff;
    t[8 + i] = (s2 >>> (8 * i)) & 0xff;
    t[12 + i] = (s3 >>> (8 * i)) & 0xff;
  }
  return t;
}

function words(b: Uint8Array): Uint32Array {
  return Uint32Array.of(word(b, 0), word(b, 4), word(b, 8), word(b, 12));
}

/**
 * Derived once per key object (a UE's or the AMF's K_NASint lives as long as its security
 * context) instead of per MAC. The CBC-MAC runs block by block in JavaScript on the expanded key
 * (@noble/ciphers' AES rounds): a NAS message is a few blocks, and one node:crypto `update` per
 * MAC cost more in the call and its output Buffer than the rounds themselves (issue 21 goal 3,
 * docs/decisions/21-crypto-cpu.md).
 */
const cmacKey = derivedPerKey((key): CmacKey => {
  const roundKeys = aes.expandKeyLE(key);
  const l = aes.encrypt(roundKeys, 0, 0, 0, 0); // L = E_K(0^128)
  const k1 = shiftLeft1(octetsOf(l.s0, l.s1, l.s2, l.s3));
  return { key: new Uint8Array(key), roundKeys, k1: words(k1), k2: words(shiftLeft1(k1)) };
});

/**
 * The padded blocks of one MAC are written here, a view of its first `octets` zeroed: one buffer
 * for every MAC (synchronous, so never two at once) instead of a new one per NAS message, which
 * past 64 octets V8 keeps outside its heap (issue 21 goal 3, docs/decisions/21-nf-cpu-3.md).
 */
let scratch = new Uint8Array(1024);

function zeroedBlocks(octets: number): Uint8Array {
  if (scratch.length < octets) scratch = new Uint8Array(Math.max(octets, scratch.length * 2));
  else scratch.fill(0, 0, octets);
  return scratch.subarray(0, octets);
}

/** A message length in bits that is not a whole number of bits within the message's octets. */
export class BitLengthError extends RangeError {
  readonly lengthBits: number;
  readonly availableBits: number;
  constructor(lengthBits: number, availableBits: number) {
    super(`length ${lengthBits} bits: expected an integer from 0 to ${availableBits} (the message's octets)`);
    this.name = 'BitLengthError';
    this.lengthBits = lengthBits;
    this.availableBits = availableBits;
  }
}

function checkLengthBits(lengthBits: number, m: Uint8Array): void {
  if (!Number.isInteger(lengthBits) || lengthBits < 0 || lengthBits > m.length * 8) throw new BitLengthError(lengthBits, m.length * 8);
}

/**
 * CMAC (SP 800-38B 6.2) of the first `lengthBits` bits of `buf`, which holds them from its start
 * with zeros after and is a whole number of blocks long (at least one): padded, the subkey XORed
 * into the last block, then the CBC-MAC with a zero IV (steps 5-6). Returns the first state word
 * of T (its first four octets, little-endian) when `whole` is false, else T's 16 octets.
 */
function cmacInPlace(state: CmacKey, buf: Uint8Array, lengthBits: number, whole: true): Uint8Array;
function cmacInPlace(state: CmacKey, buf: Uint8Array, lengthBits: number, whole: false): number;
function cmacInPlace(state: CmacKey, buf: Uint8Array, lengthBits: number, whole: boolean): Uint8Array | number {
  const complete = lengthBits > 0 && lengthBits % 128 === 0;
  const fullBytes = lengthBits >> 3;
  const rem = lengthBits & 7;
  if (rem) buf[fullBytes] &= 0xff << (8 - rem);
  if (!complete) buf[fullBytes] |= 0x80 >> rem; // the "10*" padding starts right after the message
  const sub = complete ? state.k1 : state.k2;
  const last = buf.length - 16;
  if (buf.length > JS_BLOCKS_OCTETS) {
    for (let i = 0; i < 16; i++) buf[last + i] ^= (sub[i >> 2] >>> (8 * (i & 3))) & 0xff;
    const cbc = aes128CbcChain(state.key)(buf); // a fresh cipher: the zero IV of step 5
    const t = cbc.subarray(last);
    return whole ? new Uint8Array(t) : word(t, 0);
  }
  const xk = state.roundKeys;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let at = 0; at < last; at += 16) {
    const o = aes.encrypt(xk, s0 ^ word(buf, at), s1 ^ word(buf, at + 4), s2 ^ word(buf, at + 8), s3 ^ word(buf, at + 12));
    s0 = o.s0; s1 = o.s1; s2 = o.s2; s3 = o.s3;
  }
  const o = aes.encrypt(xk, s0 ^ word(buf, last) ^ sub[0], s1 ^ word(buf, last + 4) ^ sub[1], s2 ^ word(buf, last + 8) ^ sub[2], s3 ^ word(buf, last + 12) ^ sub[3]);
  return whole ? octetsOf(o.s0, o.s1, o.s2, o.s3) : o.s0;
}

/** Octets of whole CMAC blocks for a message of `lengthBits` bits (at least one block, SP 800-38B 6.2 step 3). */
function blockOctets(lengthBits: number): number {
  return Math.max(1, Math.ceil(lengthBits / 128)) * 16;
}

/**
 * AES-CMAC of the first `lengthBits` bits of `m` (SP 800-38B 6.2, with bit-level padding). A
 * length outside the message throws BitLengthError before the key's saved CBC state is touched:
 * a NaN length made an empty CBC run that left the state empty, and every later MAC under the key
 * wrong.
 */
export function aesCmac(key: Uint8Array, m: Uint8Array, lengthBits: number): Uint8Array {
  checkLengthBits(lengthBits, m);
  const buf = zeroedBlocks(blockOctets(lengthBits));
  const bytes = Math.ceil(lengthBits / 8);
  buf.set(bytes === m.length ? m : m.subarray(0, bytes));
  return cmacInPlace(cmacKey(key), buf, lengthBits, true);
}

/** COUNT || BEARER || DIRECTION || 0^26 into the first 8 octets of `h`, which are zeros (TS 33.401 B.1.3, B.2.3). */
function writeHeader(h: Uint8Array, count: number, bearer: number, direction: number): void {
  h[0] = count >>> 24;
  h[1] = (count >>> 16) & 0xff;
  h[2] = (count >>> 8) & 0xff;
  h[3] = count & 0xff;
  h[4] = ((bearer & 0x1f) << 3) | ((direction & 1) << 2);
}

/**
 * 128-NIA2 MAC-I (4 octets) of the first `lengthBits` bits of `message`: the CMAC of COUNT ||
 * BEARER || DIRECTION || 0^26 || MESSAGE (TS 33.401 B.2.3), written straight into the padded
 * blocks (one buffer per MAC instead of a CMAC input and then its padded copy).
 */
export function nia2(key: Uint8Array, count: number, bearer: number, direction: number, message: Uint8Array, lengthBits = message.length * 8): Uint8Array {
  checkLengthBits(lengthBits, message); // beyond the message, the MAC would be over zeros it never had
  const buf = zeroedBlocks(blockOctets(64 + lengthBits));
  writeHeader(buf, count, bearer, direction);
  const bytes = Math.ceil(lengthBits / 8);
  buf.set(bytes === message.length ? message : message.subarray(0, bytes), 8);
  const t = cmacInPlace(cmacKey(key), buf, 64 + lengthBits, false);
  return Uint8Array.of(t & 0xff, (t >>> 8) & 0xff, (t >>> 16) & 0xff, t >>> 24);
}

/** 128-NEA2 (encryption and decryption are the same operation). Trailing bits beyond `lengthBits` are zeroed. */
export function nea2(key: Uint8Array, count: number, bearer: number, direction: number, data: Uint8Array, lengthBits = data.length * 8): Uint8Array {
  const icb = new Uint8Array(16);
  writeHeader(icb, count, bearer, direction);
  const bytes = Math.ceil(lengthBits / 8);
  const out = aes128Ctr(key, icb, data.subarray(0, bytes));
  const rem = lengthBits & 7;
  if (rem) out[bytes - 1] &= 0xff << (8 - rem);
  return out;
}

/** NIA0: a MAC of all zeros (TS 33.501 D.2). */
export function nia0(): Uint8Array {
  return new Uint8Array(4);
}
