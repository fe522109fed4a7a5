// Bit-level reader and writer for aligned PER (X.691): fields of any bit width, octet alignment,
// and the length determinants of X.691 11.9 (constrained, and the general form with 16K
// fragmentation). Errors are DecodeErrors with the byte offset and the ASN.1 path.
//
// Fields are moved a byte (or the part of a byte up to the next boundary) at a time, not bit by
// bit, and octet-aligned runs are copied as bytes: this is the codec's innermost loop.

import { DecodeError, EncodeError, type DecodeErrorCode } from '../bytes/errors.ts';

const PROTOCOL = 'per';

/** Bits needed for a constrained whole number of range `range` (X.691 11.5.7.1). */
export function bitsFor(range: number): number {
  if (range <= 1) return 0;
  if (range <= 0x100000000) return 32 - Math.clz32(range - 1);
  // 2^(32+m) >= range exactly when 2^m >= ceil(range / 2^32)
  return 32 + bitsFor(Math.ceil(range / 0x100000000));
}

/** A field path as a stack of component names and list indexes, made text only for an error. */
export type FieldPath = (string | number)[];

/** `['NGAP-PDU', 'initiatingMessage', 'InitialUEMessage', 'protocolIEs', 1]` -> `NGAP-PDU.initiatingMessage.InitialUEMessage.protocolIEs[1]` */
export function pathText(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

export type PathRef = string | readonly (string | number)[];
const pathString = (p: PathRef): string => (typeof p === 'string' ? p : pathText(p));

export class BitWriter {
  buf: Uint8Array;
  /** Position in bits. */
  bit = 0;
  constructor(size = 64) {
    this.buf = new Uint8Array(size);
  }
  /** Makes room for `bits` more bits; new space is zero (writes OR into it). */
  ensure(bits: number): void {
    const need = (this.bit + bits + 7) >> 3;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2 || 64;
    while (cap < need) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf);
    this.buf = b;
  }
  /** Writes the low `n` bits of `v` (a non-negative integer, n <= 53), most significant first. */
  bits(v: number, n: number): void {
    if (n === 0) return;
    if (n > 24) {
      // keep the bit arithmetic within 32-bit integers
      this.bits(Math.floor(v / 0x1000000), n - 24);
      this.bits(v % 0x1000000, 24);
      return;
    }
    this.ensure(n);
    const buf = this.buf;
    let bit = this.bit;
    let rem = n;
    while (rem > 0) {
      const avail = 8 - (bit & 7);
      const take = rem < avail ? rem : avail;
      buf[bit >> 3] |= ((v >>> (rem - take)) & ((1 << take) - 1)) << (avail - take);
      bit += take;
      rem -= take;
    }
    this.bit = bit;
  }
  align(): void {
    this.bit = (this.bit + 7) & ~7;
    this.ensure(0);
  }
  /** Octets at the current (aligned) position. */
  octets(b: Uint8Array): void {
    if (this.bit & 7) this.align();
    this.ensure(b.length * 8);
    const at = this.bit >> 3;
    if (b.length < 16) for (let i = 0; i < b.length; i++) this.buf[at + i] = b[i];
    else this.buf.set(b, at);
    this.bit += b.length * 8;
  }
  /** Raw bits from a byte array (the first `n` bits), unaligned. */
  bitString(b: Uint8Array, n: number): void {
    this.ensure(n);
    const whole = n >> 3;
    const rest = n & 7;
    if ((this.bit & 7) === 0) {
      const at = this.bit >> 3;
      for (let i = 0; i < whole; i++) this.buf[at + i] = b[i];
      if (rest) this.buf[at + whole] = b[whole] & (0xff << (8 - rest));
      this.bit += n;
      return;
    }
    for (let i = 0; i < whole; i++) this.bits(b[i], 8);
    if (rest) this.bits(b[whole] >> (8 - rest), rest);
  }
  /** Empties the writer for reuse: the written octets are zeroed again (writes OR into them). */
  reset(): void {
    this.buf.fill(0, 0, Math.min(this.buf.length, ((this.bit + 7) >> 3) + 1));
    this.bit = 0;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, (this.bit + 7) >> 3);
  }
  /** General length determinant (X.691 11.9.3.5-8); lengths that need fragmentation are refused. */
  generalLength(n: number, path: PathRef): void {
    this.align();
    if (n < 128) this.bits(n, 8);
    else if (n < 16384) this.bits(0x8000 | n, 16);
    else throw new EncodeError(PROTOCOL, pathString(path), `length ${n} needs fragmentation; use writeFragmented`);
  }
}

export class BitReader {
  readonly buf: Uint8Array;
  bit: number;
  /** End of the readable bits: the buffer, or the open type being decoded in place. */
  endBit: number;
  readonly path: (string | number)[];
  depth = 0;
  constructor(buf: Uint8Array, path: (string | number)[] = [], startBit = 0, endBit = buf.length * 8) {
    this.buf = buf;
    this.bit = startBit;
    this.endBit = endBit;
    this.path = path;
  }
  pathText(): string {
    return pathText(this.path);
  }
  fail(code: DecodeErrorCode, reason: string, ie?: number): DecodeError {
    return new DecodeError({ protocol: 'ngap', code, offset: this.bit >> 3, path: this.pathText(), reason, ...(ie !== undefined ? { ie } : {}) });
  }
  need(n: number): void {
    if (this.bit + n > this.endBit) throw this.fail('TRUNCATED', `needs ${n} more bit(s), ${this.endBit - this.bit} left`);
  }
  /** Reads `n` bits (n <= 53) as a non-negative integer, most significant first. */
  bits(n: number): number {
    if (n === 0) return 0;
    this.need(n);
    if (n > 24) return this.bits(n - 24) * 0x1000000 + this.bits(24);
    const buf = this.buf;
    let bit = this.bit;
    let rem = n;
    let v = 0;
    while (rem > 0) {
      const avail = 8 - (bit & 7);
      const take = rem < avail ? rem : avail;
      v = (v << take) | ((buf[bit >> 3] >> (avail - take)) & ((1 << take) - 1));
      bit += take;
      rem -= take;
    }
    this.bit = bit;
    return v >>> 0;
  }
  align(): void {
    this.bit = (this.bit + 7) & ~7;
    if (this.bit > this.endBit) throw this.fail('TRUNCATED', 'alignment past the end');
  }
  octets(n: number): Uint8Array {
    if (this.bit & 7) this.align();
    this.need(n * 8);
    const start = this.bit >> 3;
    this.bit += n * 8;
    return this.buf.slice(start, start + n);
  }
  /** `n` bits as bytes, the unused trailing bits of the last byte zero. */
  bitString(n: number): Uint8Array {
    this.need(n);
    const whole = n >> 3;
    const rest = n & 7;
    if ((this.bit & 7) === 0) {
      const at = this.bit >> 3;
      const out = this.buf.slice(at, at + whole + (rest ? 1 : 0));
      if (rest) out[whole] &= 0xff << (8 - rest);
      this.bit += n;
      return out;
    }
    const out = new Uint8Array((n + 7) >> 3);
    for (let i = 0; i < whole; i++) out[i] = this.bits(8);
    if (rest) out[whole] = this.bits(rest) << (8 - rest);
    return out;
  }
  /** General length determinant; `fragmented` true when the value continues in another fragment. */
  generalLength(): { n: number; fragmented: boolean } {
    this.align();
    const first = this.bits(8);
    if ((first & 0x80) === 0) return { n: first, fragmented: false };
    if ((first & 0x40) === 0) return { n: ((first & 0x3f) << 8) | this.bits(8), fragmented: false };
    const m = first & 0x3f;
    if (m < 1 || m > 4) throw this.fail('BAD_LENGTH', `fragment multiplier ${m}`);
    return { n: m * 16384, fragmented: true };
  }
  get atEnd(): boolean {
    return this.bit >= this.endBit;
  }
}
