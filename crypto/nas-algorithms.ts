// 5G NAS/AS security algorithms over AES-128 (TS 33.501 Annex D; the same algorithms as
// 128-EIA2/128-EEA2 of TS 33.401 Annex B):
//   128-NIA2: AES-CMAC (NIST SP 800-38B) over COUNT || BEARER || DIRECTION || 0^26 || MESSAGE,
//             the MAC is the first 32 bits of the CMAC (TS 33.401 B.2.3).
//   128-NEA2: AES-CTR with the initial counter block COUNT || BEARER || DIRECTION || 0^26 || 0^64
//             (TS 33.401 B.1.3).
//   NIA0/NEA0: the null algorithms (TS 33.501 D.1, D.2).
// Lengths are in bits, as the specifications define them.

import { encryptState, expandKey128 } from './aes-rounds.ts';
import { aes128CbcChain, aes128Ctr, derivedPerKey } from './aes.ts';

function shiftLeft1(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i] << 1) | (i < 15 ? b[i + 1] >> 7 : 0)) & 0xff;
  if (b[0] & 0x80) out[15] ^= 0x87;
  return out;
}

/** What CMAC keeps of a key: its AES-128 round keys and the subkeys K1, K2 (SP 800-38B 6.1). */
interface CmacKey {
  readonly key: Uint8Array;
  readonly roundKeys: Int32Array;
  readonly k1: Uint8Array;
  readonly k2: Uint8Array;
}

/**
 * Padded octets past which a MAC runs in one node:crypto CBC call on a cipher of its own instead
 * of block by block in JavaScript (~70 ns a block here against ~1.5 us for the cipher and its
 * call): NAS messages of a registration and a PDU session are 10-100 octets, test set 6 of TS
 * 33.401 C.2 is 2 KB.
 */
const JS_BLOCKS_OCTETS = 256;

/** The cipher state of the MAC being computed (synchronous, so never two at once). */
const state = new Int32Array(4);

/** `state` xor= the block of `b` at `at` (four big-endian words). */
function xorBlockIntoState(b: Uint8Array, at: number): void {
  for (let i = 0; i < 4; i++, at += 4) state[i] ^= (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
}

/** The 16 octets of the block in `state`. */
function stateOctets(): Uint8Array {
  const t = new Uint8Array(16);
  for (let i = 0; i < 16; i++) t[i] = (state[i >> 2] >>> (24 - 8 * (i & 3))) & 0xff;
  return t;
}

/**
 * Derived once per key object (a UE's or the AMF's K_NASint lives as long as its security
 * context) instead of per MAC. The CBC-MAC runs block by block in JavaScript on the round keys
 * (aes-rounds.ts): a NAS message is a few blocks, and one node:crypto `update` per MAC cost more
 * in the call and its output Buffer than the rounds themselves (issue 21 goal 3,
 * docs/decisions/21-crypto-cpu.md).
 */
const cmacKey = derivedPerKey((key): CmacKey => {
  const roundKeys = expandKey128(key);
  state.fill(0);
  encryptState(roundKeys, state); // L = E_K(0^128)
  const k1 = shiftLeft1(stateOctets());
  return { key: new Uint8Array(key), roundKeys, k1, k2: shiftLeft1(k1) };
});

/**
 * The padded blocks of one MAC are written here, a view of its first `octets` zeroed: one buffer
 * for every MAC (synchronous, so never two at once) instead of a new one per NAS message, which
 * past 64 octets V8 keeps outside its heap (issue 21 goal 3, docs/decisions/21-nf-cpu-3.md).
 */
let scratch = new Uint8Array(1024);

/**
 * `scratch` with its first `octets` zeroed (grown if shorter). The caller passes the length along
 * instead of a view of it: a view per MAC was an object per NAS message sent or received.
 */
function zeroedBlocks(octets: number): Uint8Array {
  if (scratch.length < octets) scratch = new Uint8Array(Math.max(octets, scratch.length * 2));
  else scratch.fill(0, 0, octets);
  return scratch;
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
 * with zeros after up to `octets`, a whole number of blocks (at least one): padded, the subkey
 * XORed into the last block, then the CBC-MAC with a zero IV (steps 5-6). T is left in `state`.
 */
function cmacInPlace(key: CmacKey, buf: Uint8Array, octets: number, lengthBits: number): void {
  const complete = lengthBits > 0 && lengthBits % 128 === 0;
  const fullBytes = lengthBits >> 3;
  const rem = lengthBits & 7;
  if (rem) buf[fullBytes] &= 0xff << (8 - rem);
  if (!complete) buf[fullBytes] |= 0x80 >> rem; // the "10*" padding starts right after the message
  const sub = complete ? key.k1 : key.k2;
  const last = octets - 16;
  for (let i = 0; i < 16; i++) buf[last + i] ^= sub[i];
  state.fill(0);
  if (octets > JS_BLOCKS_OCTETS) {
    xorBlockIntoState(aes128CbcChain(key.key)(buf.subarray(0, octets)), last); // a fresh cipher: the zero IV of step 5
    return;
  }
  const w = key.roundKeys;
  for (let at = 0; at <= last; at += 16) {
    xorBlockIntoState(buf, at);
    encryptState(w, state);
  }
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
  const octets = blockOctets(lengthBits);
  const buf = zeroedBlocks(octets);
  const bytes = Math.ceil(lengthBits / 8);
  buf.set(bytes === m.length ? m : m.subarray(0, bytes));
  cmacInPlace(cmacKey(key), buf, octets, lengthBits);
  return stateOctets();
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
  const t = nia2Of(key, count, bearer, direction, message, 0, Math.ceil(lengthBits / 8), lengthBits);
  return Uint8Array.of(t >>> 24, (t >>> 16) & 0xff, (t >>> 8) & 0xff, t & 0xff);
}

/**
 * 128-NIA2 MAC-I of the octets of `message` from `from` to its end, as a 32-bit unsigned number
 * (MAC-I's first octet in its most significant bits): for the NAS layer, which writes it into the
 * message it protects or compares it with the one received, without an array per MAC or a view
 * of the message (TS 24.501 4.4.3.3: the MAC covers the sequence number and the NAS message).
 */
export function nia2Word(key: Uint8Array, count: number, bearer: number, direction: number, message: Uint8Array, from: number): number {
  const bytes = message.length - from;
  if (!(from >= 0 && bytes >= 0)) throw new BitLengthError(bytes * 8, message.length * 8);
  return nia2Of(key, count, bearer, direction, message, from, bytes, bytes * 8) >>> 0;
}

/** The first word of NIA2's CMAC over the header and `bytes` octets of `message` from `from`, of which the first `lengthBits` bits count. */
function nia2Of(key: Uint8Array, count: number, bearer: number, direction: number, message: Uint8Array, from: number, bytes: number, lengthBits: number): number {
  const octets = blockOctets(64 + lengthBits);
  const buf = zeroedBlocks(octets);
  writeHeader(buf, count, bearer, direction);
  if (bytes > 64) buf.set(from === 0 && bytes === message.length ? message : message.subarray(from, from + bytes), 8);
  else for (let i = 0; i < bytes; i++) buf[8 + i] = message[from + i]; // a NAS message's few octets: no view to set them from
  cmacInPlace(cmacKey(key), buf, octets, 64 + lengthBits);
  return state[0];
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
