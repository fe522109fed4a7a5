// Bounds-checked big-endian reader over a Uint8Array, shared by every codec.
//
// Every read checks the remaining length first and throws DecodeError(TRUNCATED) with the
// offset and field path; nothing here can throw a RangeError. Slices are subarrays (no copy).
// The field path is a stack the decoder pushes names onto (`enter`/`leave`), joined only when an
// error is built, so the happy path pays one array push/pop per grouped field.

import { DecodeError, type DecodeErrorCode } from './errors.ts';

export class ByteReader {
  readonly buf: Uint8Array;
  readonly protocol: string;
  /** Current absolute offset into `buf`. */
  pos: number;
  /**
   * Absolute end (exclusive) of the region this reader may read. A decoder may narrow it to a
   * length-delimited field and restore it afterwards instead of making a `sub()` reader.
   */
  end: number;
  /**
   * Field path stack shared with sub-readers created by `sub()`. Numbers are list indexes
   * (rendered `[n]`), so a decoder walking a list pushes no strings it has to build.
   */
  private readonly pathStack: (string | number)[];

  constructor(buf: Uint8Array, protocol: string, start = 0, end = buf.length, pathStack: (string | number)[] = []) {
    this.buf = buf;
    this.protocol = protocol;
    this.pos = start;
    this.end = end;
    this.pathStack = pathStack;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** The field path as a dotted string, e.g. `CreatePDR[0].PDI`. */
  get path(): string {
    let out = '';
    for (const p of this.pathStack) {
      if (typeof p === 'number') out += `[${p}]`;
      else out += out === '' || p.startsWith('[') ? p : `.${p}`;
    }
    return out;
  }

  /** Pushes a field name, or a list index (rendered `[n]`). */
  enter(field: string | number): void {
    this.pathStack.push(field);
  }

  leave(): void {
    this.pathStack.pop();
  }

  get depth(): number {
    return this.pathStack.length;
  }

  error(code: DecodeErrorCode, reason: string, field?: string, offset = this.pos, ie?: number): DecodeError {
    if (field !== undefined) this.pathStack.push(field);
    const path = this.path;
    if (field !== undefined) this.pathStack.pop();
    return new DecodeError({ protocol: this.protocol, code, offset, path, reason, ...(ie === undefined ? {} : { ie }) });
  }

  /** Throws TRUNCATED unless `n` more bytes are available. */
  need(n: number, field: string): void {
    if (n > this.end - this.pos) {
      throw this.error('TRUNCATED', `${field} needs ${n} byte(s), ${this.end - this.pos} left`, field);
    }
  }

  u8(field: string): number {
    if (this.pos >= this.end) throw this.error('TRUNCATED', `${field} needs 1 byte, 0 left`, field);
    return this.buf[this.pos++];
  }

  peekU8(field: string): number {
    if (this.pos >= this.end) throw this.error('TRUNCATED', `${field} needs 1 byte, 0 left`, field);
    return this.buf[this.pos];
  }

  u16(field: string): number {
    this.need(2, field);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p] << 8) | b[p + 1];
  }

  u24(field: string): number {
    this.need(3, field);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 3;
    return (b[p] << 16) | (b[p + 1] << 8) | b[p + 2];
  }

  u32(field: string): number {
    this.need(4, field);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }

  /** Unsigned 64-bit as bigint (SEIDs, volume counters). */
  u64(field: string): bigint {
    const hi = this.u32(field);
    const lo = this.u32(field);
    // Most SEIDs and counters fit 32 bits: one BigInt instead of three.
    return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** `n` bytes as a subarray view (no copy). */
  bytes(n: number, field: string): Uint8Array {
    if (n < 0) throw this.error('BAD_LENGTH', `${field} has negative length ${n}`, field);
    this.need(n, field);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Everything left in this reader's region. */
  rest(): Uint8Array {
    const out = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return out;
  }

  skip(n: number, field: string): void {
    this.need(n, field);
    this.pos += n;
  }

  /**
   * A reader limited to the next `n` bytes (a length-delimited IE body); this reader advances
   * past them. Offsets stay absolute, so errors inside point into the original buffer.
   */
  sub(n: number, field: string): ByteReader {
    if (n < 0) throw this.error('BAD_LENGTH', `${field} has negative length ${n}`, field);
    if (n > this.end - this.pos) {
      throw this.error('BAD_LENGTH', `${field} claims ${n} byte(s), ${this.end - this.pos} left`, field);
    }
    const r = new ByteReader(this.buf, this.protocol, this.pos, this.pos + n, this.pathStack);
    this.pos += n;
    return r;
  }

  /** Throws TRAILING_BYTES if anything is left (use where the spec allows no extension). */
  expectEnd(field: string): void {
    if (this.pos !== this.end) {
      throw this.error('TRAILING_BYTES', `${this.end - this.pos} unexpected byte(s) after ${field}`, field);
    }
  }
}
