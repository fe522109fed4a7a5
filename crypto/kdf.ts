// The key derivation function of TS 33.220 Annex B.2 and the 5G key hierarchy of TS 33.501
// Annex A. KDF(Key, S) = HMAC-SHA-256(Key, S), S = FC || P0 || L0 || P1 || L1 || ..., each Li the
// two-octet length of Pi. SHA-256's compression function comes from @noble/hashes, as the user
// asked (measured against node:crypto in benchmarks/crypto.bench.ts); HMAC's two passes (RFC 2104)
// and SHA-256's padding are laid out here.

import { sha256, _SHA256 } from '@noble/hashes/sha2.js';

/**
 * SHA-256's compression function from @noble/hashes (`process`, FIPS 180-4 6.2.2) driven block by
 * block on octets laid out here: the chaining value is loaded and stored as eight words, and the
 * padding (FIPS 180-4 5.1.1) and HMAC's two passes (RFC 2104 2) are written into one buffer with
 * one DataView. Going through `update`/`digestInto`/`_cloneInto` per derivation cost twice the
 * compressions themselves in a 2,000-UE run (a DataView and an array per digest, a view per full
 * block, the state copied through an array and a spread; docs/decisions/21-ran-path-3.md).
 * `process`, `set`, `roundClean` and the words A..H are the hash class's protected members, for
 * subclasses like this one.
 */
class Sha256Blocks extends _SHA256 {
  /** Sets the chaining value to the eight words of `h`. */
  load(h: Int32Array): void {
    this.set(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
  }

  /** The chaining value into `h`. */
  store(h: Int32Array): void {
    h[0] = this.A;
    h[1] = this.B;
    h[2] = this.C;
    h[3] = this.D;
    h[4] = this.E;
    h[5] = this.F;
    h[6] = this.G;
    h[7] = this.H;
  }

  /** The chaining value as 32 big-endian octets into `v` at `at`. */
  storeOctets(v: DataView, at: number): void {
    v.setInt32(at, this.A);
    v.setInt32(at + 4, this.B);
    v.setInt32(at + 8, this.C);
    v.setInt32(at + 12, this.D);
    v.setInt32(at + 16, this.E);
    v.setInt32(at + 20, this.F);
    v.setInt32(at + 24, this.G);
    v.setInt32(at + 28, this.H);
  }

  /** Compresses the `blocks` 64-octet blocks of `v` from its start, then clears the message schedule. */
  compress(v: DataView, blocks: number): void {
    for (let i = 0; i < blocks; i++) this.process(v, i * 64);
    this.roundClean();
  }
}

/** SHA-256's initial hash value H(0) (FIPS 180-4 5.3.3). */
const SHA256_H0 = Int32Array.of(0x6a09e667, 0xbb67ae85 | 0, 0x3c6ef372, 0xa54ff53a | 0, 0x510e527f, 0x9b05688c | 0, 0x1f83d9ab, 0x5be0cd19);

/** Single-threaded and synchronous: no derivation can start while another runs. */
const h = new Sha256Blocks();
/** The chaining values after (K xor ipad) and after (K xor opad) of the key last given to `keyed`. */
const keyedInner = new Int32Array(8);
const keyedOuter = new Int32Array(8);
/** Where S, padded, is laid out (grown for a long S), and its DataView. */
let buf = new Uint8Array(256);
let view = new DataView(buf.buffer);

/** `buf` at least `octets` long (its contents are not kept). */
function room(octets: number): void {
  if (buf.length >= octets) return;
  buf = new Uint8Array(Math.max(octets, buf.length * 2));
  view = new DataView(buf.buffer);
}

/**
 * The SHA-256 padding (FIPS 180-4 5.1.1) after the `n` octets at the start of `buf`, which end
 * a message of `total` octets: a 1 bit, zeros, the bit length in 64 bits. Returns the blocks.
 * `buf` has room for them (n + 72 octets hold any padding).
 */
function pad(n: number, total: number): number {
  const blocks = Math.ceil((n + 9) / 64);
  const end = blocks * 64; // within `buf`: the callers make room for n + 72 octets
  buf[n] = 0x80;
  buf.fill(0, n + 1, end - 8);
  const bits = total * 8;
  view.setUint32(end - 8, Math.floor(bits / 0x100000000));
  view.setUint32(end - 4, bits >>> 0);
  return blocks;
}

/** Sets the keyed states: SHA-256 after (K xor ipad) and after (K xor opad), K padded with zeros to the block (RFC 2104 2). */
function keyed(key: Uint8Array): void {
  room(64);
  buf.fill(0, 0, 64);
  buf.set(key.length > 64 ? sha256(key) : key); // a key longer than the block is hashed first (RFC 2104 2)
  for (let i = 0; i < 64; i++) buf[i] ^= 0x36;
  h.load(SHA256_H0);
  h.compress(view, 1);
  h.store(keyedInner);
  for (let i = 0; i < 64; i++) buf[i] ^= 0x36 ^ 0x5c;
  h.load(SHA256_H0);
  h.compress(view, 1);
  h.store(keyedOuter);
  buf.fill(0, 0, 64);
}

/** HMAC-SHA-256 under the key last given to `keyed` of the `n` octets of S at the start of `buf`. */
function mac(n: number): Uint8Array {
  const blocks = pad(n, 64 + n);
  h.load(keyedInner);
  h.compress(view, blocks);
  // the outer pass: the inner digest and its padding, one block after (K xor opad)
  h.storeOctets(view, 0);
  pad(32, 96);
  h.load(keyedOuter);
  h.compress(view, 1);
  h.storeOctets(view, 0);
  return buf.slice(0, 32);
}

/** A parameter Pi: octets, or a character string taken as its UTF-8 octets (TS 33.220 B.2.1.2). */
type Param = Uint8Array | string;

const utf8 = new TextEncoder();

function isAscii(p: string): boolean {
  for (let i = 0; i < p.length; i++) if (p.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** S = FC || P0 || L0 || P1 || L1 || ... (TS 33.220 B.2.0) into `buf` from its start, its length returned; an ASCII string is written as is (its UTF-8 octets are its characters). */
function input(fc: number, params: Param[]): number {
  let size = 1;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (typeof p === 'string' && !isAscii(p)) params[i] = utf8.encode(p);
    size += params[i].length + 2;
  }
  room(size + 72); // with its padding
  const s = buf;
  s[0] = fc;
  let at = 1;
  for (const p of params) {
    if (typeof p === 'string') for (let i = 0; i < p.length; i++) s[at + i] = p.charCodeAt(i);
    else s.set(p, at);
    s[at + p.length] = p.length >> 8;
    s[at + p.length + 1] = p.length & 0xff;
    at += p.length + 2;
  }
  return size;
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
  room(rand.length + resStarValue.length + 72);
  buf.set(rand);
  buf.set(resStarValue, rand.length);
  const n = rand.length + resStarValue.length;
  h.load(SHA256_H0);
  h.compress(view, pad(n, n));
  h.storeOctets(view, 0);
  return buf.slice(16, 32);
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
