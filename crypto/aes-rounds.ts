// AES-128 encryption rounds in JavaScript on a state of four 32-bit words kept by the caller
// (FIPS-197: 5.1 Cipher, 5.2 KeyExpansion), for CMAC over the few blocks of a NAS message
// (nas-algorithms.ts): no call into node:crypto and nothing allocated per block. The round
// transformations are combined into four 256-word tables (SubBytes, ShiftRows by the choice of
// state word, MixColumns), computed here at load from the field arithmetic of FIPS-197 4.
// Table lookups are not constant-time (unlike OpenSSL's AES-NI): acceptable for an emulator's
// subscriber keys, as for the JavaScript hashes and curves used beside it.

/** SubBytes S-box (FIPS-197 5.1.1). */
const SBOX = new Uint8Array(256);
/** T0[a] = the column (2·S[a], S[a], S[a], 3·S[a]) of MixColumns (FIPS-197 5.1.3); T1..T3 its rotations. */
const T0 = new Int32Array(256);
const T1 = new Int32Array(256);
const T2 = new Int32Array(256);
const T3 = new Int32Array(256);

/** Multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS-197 4.2.1, xtime). */
function xtime(a: number): number {
  return ((a << 1) ^ (a & 0x80 ? 0x1b : 0)) & 0xff;
}

{
  // powers of the generator x + 1 give the multiplicative inverses (FIPS-197 4.2)
  const pow = new Uint8Array(255);
  const log = new Uint8Array(256);
  for (let i = 0, p = 1; i < 255; i++) {
    pow[i] = p;
    log[p] = i;
    p ^= xtime(p);
  }
  for (let a = 0; a < 256; a++) {
    const b = a === 0 ? 0 : pow[(255 - log[a]) % 255];
    // the affine transformation b ^ rotl(b,1) ^ rotl(b,2) ^ rotl(b,3) ^ rotl(b,4) ^ 0x63
    let s = b;
    for (let r = 1; r < 5; r++) s ^= ((b << r) | (b >>> (8 - r))) & 0xff;
    SBOX[a] = s ^ 0x63;
  }
  for (let a = 0; a < 256; a++) {
    const s = SBOX[a];
    const s2 = xtime(s);
    const t = (s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s);
    T0[a] = t;
    T1[a] = (t >>> 8) | (t << 24);
    T2[a] = (t >>> 16) | (t << 16);
    T3[a] = (t >>> 24) | (t << 8);
  }
}

/** The 44 round-key words of a 16-octet key (FIPS-197 5.2, Nk = 4, Nr = 10), each big-endian. */
export function expandKey128(key: Uint8Array): Int32Array {
  if (key.length !== 16) throw new RangeError(`AES-128 key of ${key.length} octets: expected 16`);
  const w = new Int32Array(44);
  for (let i = 0; i < 4; i++) w[i] = (key[4 * i] << 24) | (key[4 * i + 1] << 16) | (key[4 * i + 2] << 8) | key[4 * i + 3];
  let rcon = 1;
  for (let i = 4; i < 44; i++) {
    let t = w[i - 1];
    if (i % 4 === 0) {
      // SubWord(RotWord(t)) xor Rcon[i/4]
      t = ((SBOX[(t >>> 16) & 255] << 24) | (SBOX[(t >>> 8) & 255] << 16) | (SBOX[t & 255] << 8) | SBOX[t >>> 24]) ^ (rcon << 24);
      rcon = xtime(rcon);
    }
    w[i] = w[i - 4] ^ t;
  }
  return w;
}

/** Enciphers the block held in `s` (four big-endian words) in place under the round keys `w`. */
export function encryptState(w: Int32Array, s: Int32Array): void {
  let s0 = s[0] ^ w[0];
  let s1 = s[1] ^ w[1];
  let s2 = s[2] ^ w[2];
  let s3 = s[3] ^ w[3];
  for (let k = 4; k < 40; k += 4) {
    const t0 = T0[s0 >>> 24] ^ T1[(s1 >>> 16) & 255] ^ T2[(s2 >>> 8) & 255] ^ T3[s3 & 255] ^ w[k];
    const t1 = T0[s1 >>> 24] ^ T1[(s2 >>> 16) & 255] ^ T2[(s3 >>> 8) & 255] ^ T3[s0 & 255] ^ w[k + 1];
    const t2 = T0[s2 >>> 24] ^ T1[(s3 >>> 16) & 255] ^ T2[(s0 >>> 8) & 255] ^ T3[s1 & 255] ^ w[k + 2];
    const t3 = T0[s3 >>> 24] ^ T1[(s0 >>> 16) & 255] ^ T2[(s1 >>> 8) & 255] ^ T3[s2 & 255] ^ w[k + 3];
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
  }
  // the last round has no MixColumns
  s[0] = ((SBOX[s0 >>> 24] << 24) | (SBOX[(s1 >>> 16) & 255] << 16) | (SBOX[(s2 >>> 8) & 255] << 8) | SBOX[s3 & 255]) ^ w[40];
  s[1] = ((SBOX[s1 >>> 24] << 24) | (SBOX[(s2 >>> 16) & 255] << 16) | (SBOX[(s3 >>> 8) & 255] << 8) | SBOX[s0 & 255]) ^ w[41];
  s[2] = ((SBOX[s2 >>> 24] << 24) | (SBOX[(s3 >>> 16) & 255] << 16) | (SBOX[(s0 >>> 8) & 255] << 8) | SBOX[s1 & 255]) ^ w[42];
  s[3] = ((SBOX[s3 >>> 24] << 24) | (SBOX[(s0 >>> 16) & 255] << 16) | (SBOX[(s1 >>> 8) & 255] << 8) | SBOX[s2 & 255]) ^ w[43];
}

/** The state of encryptBlocks (synchronous, so never two at once). */
const blockState = new Int32Array(4);

/** E_K of each 16-octet block of `blocks` (ECB: each block on its own) into a new array. */
export function encryptBlocks(w: Int32Array, blocks: Uint8Array): Uint8Array {
  if (blocks.length % 16 !== 0) throw new RangeError(`AES-128 ECB over ${blocks.length} octets: expected whole 16-octet blocks`);
  const out = new Uint8Array(blocks.length);
  const s = blockState;
  for (let at = 0; at < blocks.length; at += 16) {
    for (let i = 0, j = at; i < 4; i++, j += 4) s[i] = (blocks[j] << 24) | (blocks[j + 1] << 16) | (blocks[j + 2] << 8) | blocks[j + 3];
    encryptState(w, s);
    for (let i = 0; i < 16; i++) out[at + i] = (s[i >> 2] >>> (24 - 8 * (i & 3))) & 0xff;
  }
  return out;
}
