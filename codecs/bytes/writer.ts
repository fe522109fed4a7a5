// Growable big-endian writer over a Uint8Array, shared by every encoder.
//
// Length prefixes use reserve/patch ("fork/join"): reserve the length field, write the body,
// then patch the length from the bytes actually written, so no IE computes its size twice.
// `finish()` returns a view of the written bytes; `into` lets a caller encode into its own
// buffer at an offset (the UPF encodes GTP-U headers in front of a payload it already holds).

import { EncodeError } from './errors.ts';

export class ByteWriter {
  buf: Uint8Array;
  pos: number;
  private readonly start: number;
  private readonly fixed: boolean;

  /**
   * @param sizeOrBuffer initial capacity, or a caller-owned buffer to write into (it does not grow:
   *   overflowing it is an EncodeError)
   * @param offset where to start writing in a caller-owned buffer
   */
  constructor(sizeOrBuffer: number | Uint8Array = 256, offset = 0) {
    if (typeof sizeOrBuffer === 'number') {
      this.buf = new Uint8Array(sizeOrBuffer);
      this.fixed = false;
    } else {
      this.buf = sizeOrBuffer;
      this.fixed = true;
    }
    this.pos = offset;
    this.start = offset;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos - this.start;
  }

  // Every write checks room inline (`pos + n > buf.length`) and calls grow() only when short:
  // a call per field was a few percent of a small message's encode.
  private grow(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.fixed) throw new EncodeError('bytes', 'buffer', `caller buffer of ${this.buf.length} bytes is too small`);
    let cap = this.buf.length * 2 || 64;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): this {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    if (this.pos + 2 > this.buf.length) this.grow(2);
    const b = this.buf;
    b[this.pos] = v >>> 8;
    b[this.pos + 1] = v;
    this.pos += 2;
    return this;
  }

  u24(v: number): this {
    if (this.pos + 3 > this.buf.length) this.grow(3);
    const b = this.buf;
    b[this.pos] = v >>> 16;
    b[this.pos + 1] = v >>> 8;
    b[this.pos + 2] = v;
    this.pos += 3;
    return this;
  }

  u32(v: number): this {
    if (this.pos + 4 > this.buf.length) this.grow(4);
    const b = this.buf;
    b[this.pos] = v >>> 24;
    b[this.pos + 1] = v >>> 16;
    b[this.pos + 2] = v >>> 8;
    b[this.pos + 3] = v;
    this.pos += 4;
    return this;
  }

  u64(v: bigint): this {
    this.u32(Number((v >> 32n) & 0xffffffffn));
    this.u32(Number(v & 0xffffffffn));
    return this;
  }

  bytes(src: Uint8Array): this {
    if (this.pos + src.length > this.buf.length) this.grow(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
    return this;
  }

  zeros(n: number): this {
    this.grow(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Reserves `n` bytes for a length (or any later-known field); returns its absolute offset. */
  reserve(n: number): number {
    if (this.pos + n > this.buf.length) this.grow(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  patchU8(at: number, v: number): void {
    this.buf[at] = v;
  }

  patchU16(at: number, v: number): void {
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v;
  }

  patchU32(at: number, v: number): void {
    this.buf[at] = v >>> 24;
    this.buf[at + 1] = v >>> 16;
    this.buf[at + 2] = v >>> 8;
    this.buf[at + 3] = v;
  }

  /** The written bytes: a view into the writer's buffer (copy it if the writer is reused). */
  finish(): Uint8Array {
    return this.buf.subarray(this.start, this.pos);
  }
}
