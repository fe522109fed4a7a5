// The NAS decoder's cursor: a lighter stand-in for codecs/bytes' ByteReader, used only inside
// codecs/nas. A NAS message is one flat list of IEs (TS 24.007 11.2), so the field path is never
// deeper than "<message>.<IE>.<field>": two fields replace the path stack, and a length-delimited
// value is read by narrowing `end` (see `narrow`) instead of allocating a sub-reader per IE.
//
// On failure it throws the same DecodeError a ByteReader would (same code, offset, path and
// reason), so callers and tests see no difference; on success nothing is allocated but the values.

import { DecodeError, type DecodeErrorCode } from '../bytes/errors.ts';

export class NasReader {
  readonly buf: Uint8Array;
  readonly protocol: string;
  /** Current absolute offset into `buf`. */
  pos: number;
  /** Absolute end (exclusive) of what may be read now: the message, or the value being read. */
  end: number;
  /** First two elements of the error path: the message name and the IE being read. */
  message: string | undefined = undefined;
  ie: string | undefined = undefined;

  constructor(buf: Uint8Array, protocol: string) {
    this.buf = buf;
    this.protocol = protocol;
    this.pos = 0;
    this.end = buf.length;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** The error path as ByteReader renders its stack: `Registration request.mobileIdentity.MCC`. */
  private pathWith(field: string | undefined): string {
    let out = '';
    for (const p of [this.message, this.ie, field]) if (p !== undefined) out += out === '' || p.startsWith('[') ? p : `.${p}`;
    return out;
  }

  error(code: DecodeErrorCode, reason: string, field?: string, offset = this.pos): DecodeError {
    return new DecodeError({ protocol: this.protocol, code, offset, path: this.pathWith(field), reason });
  }

  /** ByteReader's TRUNCATED errors, word for word (its u8 and need() phrase them differently). */
  private noOctet(field: string): DecodeError {
    return this.error('TRUNCATED', `${field} needs 1 byte, 0 left`, field);
  }
  private truncated(n: number, field: string): DecodeError {
    return this.error('TRUNCATED', `${field} needs ${n} byte(s), ${this.end - this.pos} left`, field);
  }

  u8(field: string): number {
    if (this.pos >= this.end) throw this.noOctet(field);
    return this.buf[this.pos++];
  }

  peekU8(field: string): number {
    if (this.pos >= this.end) throw this.noOctet(field);
    return this.buf[this.pos];
  }

  u16(field: string): number {
    const p = this.pos;
    if (p + 2 > this.end) throw this.truncated(2, field);
    this.pos = p + 2;
    return (this.buf[p] << 8) | this.buf[p + 1];
  }

  u24(field: string): number {
    const p = this.pos;
    if (p + 3 > this.end) throw this.truncated(3, field);
    this.pos = p + 3;
    return (this.buf[p] << 16) | (this.buf[p + 1] << 8) | this.buf[p + 2];
  }

  u32(field: string): number {
    const p = this.pos;
    if (p + 4 > this.end) throw this.truncated(4, field);
    this.pos = p + 4;
    const b = this.buf;
    return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }

  skip(n: number, field: string): void {
    if (n > this.end - this.pos) throw this.truncated(n, field);
    this.pos += n;
  }

  /** `n` bytes as a subarray view (no copy). */
  bytes(n: number, field: string): Uint8Array {
    if (n < 0) throw this.error('BAD_LENGTH', `${field} has negative length ${n}`, field);
    if (n > this.end - this.pos) throw this.truncated(n, field);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** `n` bytes copied into a new array of their own (decoded values never alias the input). */
  copy(n: number, field: string): Uint8Array {
    if (n < 0) throw this.error('BAD_LENGTH', `${field} has negative length ${n}`, field);
    if (n > this.end - this.pos) throw this.truncated(n, field);
    const out = copyOf(this.buf, this.pos, n);
    this.pos += n;
    return out;
  }

  /** Everything left before `end`, copied. */
  restCopy(): Uint8Array {
    const out = copyOf(this.buf, this.pos, this.end - this.pos);
    this.pos = this.end;
    return out;
  }

  /**
   * Limits reading to the next `n` bytes (a length-delimited value) and returns the end to give
   * back to `widen` afterwards. Checks as ByteReader.sub does: an `n` beyond the current end is
   * BAD_LENGTH. Unlike sub(), `pos` advances only as the value is read.
   */
  narrow(n: number, field: string): number {
    const left = this.end - this.pos;
    if (n > left) throw this.error('BAD_LENGTH', `${field} claims ${n} byte(s), ${left} left`, field);
    const outer = this.end;
    this.end = this.pos + n;
    return outer;
  }

  /** Ends a `narrow`: continues after the value (its unread bytes, if any, are skipped). */
  widen(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }

  /** Throws TRAILING_BYTES if the value was not read to its end (where the spec allows no extension). */
  expectEnd(field: string): void {
    if (this.pos !== this.end) throw this.error('TRAILING_BYTES', `${this.end - this.pos} unexpected byte(s) after ${field}`, field);
  }
}

/**
 * buf[from, from + n) in a new array. NAS values are mostly a few octets, where a loop into a new
 * array costs less than slice() (about 20 ns of 60 per value measured); longer ones use slice().
 */
function copyOf(buf: Uint8Array, from: number, n: number): Uint8Array {
  if (n > 32) return buf.slice(from, from + n);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = buf[from + i];
  return out;
}
