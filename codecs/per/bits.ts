// Bit-level reader and writer for aligned PER (X.691): fields of any bit width, octet alignment,
// and the length determinants of X.691 11.9 (constrained, and the general form with 16K
// fragmentation). Errors are DecodeErrors with the byte offset and the ASN.1 path.

import { DecodeError, EncodeError, type DecodeErrorCode } from '../bytes/errors.ts';

const PROTOCOL = 'per';

/** Bits needed for a constrained whole number of range `range` (X.691 11.5.7.1). */
export function bitsFor(range: number): number {
  let n = 0;
  while (2 ** n < range) n++;
  return n;
}

export class BitWriter {
  buf: Uint8Array;
  /** Position in bits. */
  bit = 0;
  constructor(size = 64) {
    this.buf = new Uint8Array(size);
  }
  private ensure(bits: number): void {
    const need = (this.bit + bits + 7) >> 3;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf);
    this.buf = b;
  }
  /** Writes the low `n` bits of `v` (n <= 32), most significant first. */
  bits(v: number, n: number): void {
    if (n === 0) return;
    this.ensure(n);
    for (let i = n - 1; i >= 0; i--) {
      if (Math.floor(v / 2 ** i) % 2) this.buf[this.bit >> 3] |= 0x80 >> (this.bit & 7);
      this.bit++;
    }
  }
  align(): void {
    this.bit = (this.bit + 7) & ~7;
    this.ensure(0);
  }
  /** Octets at the current (aligned) position. */
  octets(b: Uint8Array): void {
    if (this.bit & 7) this.align();
    this.ensure(b.length * 8);
    this.buf.set(b, this.bit >> 3);
    this.bit += b.length * 8;
  }
  /** Raw bits from a byte array (the first `n` bits), unaligned. */
  bitString(b: Uint8Array, n: number): void {
    this.ensure(n);
    for (let i = 0; i < n; i++) this.bits((b[i >> 3] >> (7 - (i & 7))) & 1, 1);
  }
  finish(): Uint8Array {
    return this.buf.slice(0, (this.bit + 7) >> 3);
  }
  /** General length determinant (X.691 11.9.3.5-8); returns false when fragmentation is needed. */
  generalLength(n: number, path: string): void {
    this.align();
    if (n < 128) this.bits(n, 8);
    else if (n < 16384) this.bits(0x8000 | n, 16);
    else throw new EncodeError(PROTOCOL, path, `length ${n} needs fragmentation; use writeFragmented`);
  }
}

export class BitReader {
  readonly buf: Uint8Array;
  bit: number;
  readonly endBit: number;
  readonly path: (string | number)[];
  depth = 0;
  constructor(buf: Uint8Array, path: (string | number)[] = [], startBit = 0, endBit = buf.length * 8) {
    this.buf = buf;
    this.bit = startBit;
    this.endBit = endBit;
    this.path = path;
  }
  pathText(): string {
    let out = '';
    for (const p of this.path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
    return out;
  }
  fail(code: DecodeErrorCode, reason: string, ie?: number): DecodeError {
    return new DecodeError({ protocol: 'ngap', code, offset: this.bit >> 3, path: this.pathText(), reason, ...(ie !== undefined ? { ie } : {}) });
  }
  need(n: number): void {
    if (this.bit + n > this.endBit) throw this.fail('TRUNCATED', `needs ${n} more bit(s), ${this.endBit - this.bit} left`);
  }
  bits(n: number): number {
    if (n === 0) return 0;
    this.need(n);
    let v = 0;
    for (let i = 0; i < n; i++) {
      v = v * 2 + ((this.buf[this.bit >> 3] >> (7 - (this.bit & 7))) & 1);
      this.bit++;
    }
    return v;
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
  bitString(n: number): Uint8Array {
    this.need(n);
    const out = new Uint8Array((n + 7) >> 3);
    for (let i = 0; i < n; i++) if (this.bits(1)) out[i >> 3] |= 0x80 >> (i & 7);
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
