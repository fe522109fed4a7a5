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

/**
 * A value the encoder cannot write, on its way out of the encoders: each level it leaves adds its
 * component name or list index to `trail` (innermost first), so no path is kept while encoding;
 * the entry point turns it into an EncodeError naming the path.
 */
export class EncodeFailure extends Error {
  readonly protocol: string;
  readonly reason: string;
  readonly trail: (string | number)[] = [];
  constructor(protocol: string, reason: string) {
    super(reason);
    this.protocol = protocol;
    this.reason = reason;
  }
  toError(prefix: readonly (string | number)[]): EncodeError {
    return new EncodeError(this.protocol, pathText([...prefix, ...this.trail.slice().reverse()]), this.reason);
  }
}

/** Size of the shared ArrayBuffers the writers cut their output from. */
const SLAB = 8192;

/**
 * Writes a PER encoding straight into a slab: an ArrayBuffer shared by the messages a writer
 * encodes one after the other, as Node's Buffer pool does. `finish()` returns a view of the
 * message's octets: no copy, and no backing store allocated per message (a typed array of more
 * than 64 octets gets its own off-heap store, about 300 ns, more than a whole short encode).
 * A message holds its slab alive; slab space is never reused, a full slab is replaced.
 *
 * Octets are stored, not OR-ed: a write at an octet boundary sets the whole octet (its unwritten
 * low bits zero), a write inside an octet ORs into it. So the bits after the position in the
 * current octet are always zero (what X.691 needs of padding bits) and nothing after the position
 * has to be cleared beforehand, even where an encode that threw left octets behind.
 */
export class BitWriter {
  buf: Uint8Array;
  /** Position in bits, from the start of `buf` (the slab), not of the message. */
  bit = 0;
  /** First octet of the message being written. */
  private start = 0;
  private slab: ArrayBuffer;
  constructor() {
    this.slab = new ArrayBuffer(SLAB);
    this.buf = new Uint8Array(this.slab);
  }
  /** Starts a message at the first free octet of the slab (a fresh slab when little is left). */
  begin(): void {
    if (this.start + 512 > this.buf.length) {
      this.slab = new ArrayBuffer(SLAB);
      this.buf = new Uint8Array(this.slab);
      this.start = 0;
    }
    this.bit = this.start * 8;
  }
  /** The message's octets (a view into the slab); the next message starts after them. */
  finish(): Uint8Array {
    const end = (this.bit + 7) >> 3;
    const out = new Uint8Array(this.slab, this.start, end - this.start);
    this.start = end;
    return out;
  }
  /**
   * Makes room for `bits` more bits. A larger slab keeps every octet at its offset, so positions
   * held by the encoders (a reserved length octet, presence bits) stay valid.
   */
  ensure(bits: number): void {
    if ((this.bit + bits + 7) >> 3 > this.buf.length) this.grow((this.bit + bits + 7) >> 3);
  }
  private grow(need: number): void {
    const slab = new ArrayBuffer(Math.max(SLAB, need * 2));
    const buf = new Uint8Array(slab);
    buf.set(this.buf.subarray(this.start, (this.bit + 7) >> 3), this.start);
    this.slab = slab;
    this.buf = buf;
  }
  /** Writes the low `n` bits of `v` (a non-negative integer, n <= 53), most significant first. */
  bits(v: number, n: number): void {
    if (n > 24) {
      // keep the bit arithmetic within 32-bit integers
      this.bits(Math.floor(v / 0x1000000), n - 24);
      this.bits(v % 0x1000000, 24);
      return;
    }
    if (n === 0) return;
    this.ensure(n);
    const buf = this.buf;
    const bit = this.bit;
    let at = bit >> 3;
    let rem = n;
    const used = bit & 7;
    if (used === 0) {
      if (n <= 8) {
        // a field at an octet boundary within the octet: stored (the rest of the octet zero)
        buf[at] = (v << (8 - n)) & 0xff;
        this.bit = bit + n;
        return;
      }
    }
    if (used !== 0) {
      // the rest of the current octet
      const avail = 8 - used;
      if (rem <= avail) {
        buf[at] |= (v & ((1 << rem) - 1)) << (avail - rem);
        this.bit = bit + n;
        return;
      }
      rem -= avail;
      buf[at++] |= (v >>> rem) & ((1 << avail) - 1);
    }
    for (; rem >= 8; rem -= 8) buf[at++] = v >>> (rem - 8);
    if (rem > 0) buf[at] = v << (8 - rem);
    this.bit = bit + n;
  }
  /** Moves to the next octet boundary (X.691 3.7.1 octet-aligned); the skipped bits are already zero. */
  align(): void {
    this.bit = (this.bit + 7) & ~7;
  }
  /** One octet at the current (aligned) position. */
  octet(v: number): void {
    this.ensure(8);
    this.buf[this.bit >> 3] = v;
    this.bit += 8;
  }
  /** `n` octets (1..6) of a non-negative whole number `v` < 2^48, big-endian, at the current (aligned) position. */
  uint(v: number, n: number): void {
    this.ensure(n * 8);
    const buf = this.buf;
    let at = this.bit >> 3;
    if (n > 4) {
      const hi = Math.floor(v / 0x100000000);
      if (n === 6) buf[at++] = hi >>> 8;
      buf[at++] = hi;
      n = 4;
    }
    for (let k = n - 1; k >= 0; k--) buf[at++] = v >>> (8 * k);
    this.bit = at * 8;
  }
  /** Reserves `n` bits, cleared, to be set in place later (a SEQUENCE's preamble). */
  zeros(n: number): void {
    this.ensure(n);
    const end = this.bit + n;
    for (let i = (this.bit + 7) >> 3; i <= (end - 1) >> 3; i++) this.buf[i] = 0;
    this.bit = end;
  }
  /** Octets at the current (aligned) position. */
  octets(b: Uint8Array): void {
    if (this.bit & 7) this.align();
    const n = b.length;
    this.ensure(n * 8);
    const at = this.bit >> 3;
    if (n < 16) for (let i = 0; i < n; i++) this.buf[at + i] = b[i];
    else this.buf.set(b, at);
    this.bit += n * 8;
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
  /**
   * General length determinant (X.691 11.9.3.6-7) of a length below 16K; a longer value is
   * written in fragments (see fragments()), so a length of 16K or more here is refused.
   */
  generalLength(n: number): void {
    this.align();
    if (n < 128) this.octet(n);
    else if (n < 16384) this.uint(0x8000 | n, 2);
    else throw new EncodeFailure(PROTOCOL, `length ${n} needs fragmentation (X.691 11.9.3.8)`);
  }
  /**
   * Writes `n` units (octets, bits, components or characters) with general length determinants,
   * in fragments when n >= 16K (X.691 11.9.3.8): each fragment of m x 16K units (m = 1..4, the
   * largest that fits) after the octet 0xC0 | m, then the rest (below 16K, possibly none) after its
   * ordinary length. `put(from, count)` writes units from..from+count-1.
   */
  fragments(n: number, put: (from: number, count: number) => void): void {
    let at = 0;
    while (n - at >= 16384) {
      const m = Math.min(4, Math.floor((n - at) / 16384));
      this.align();
      this.octet(0xc0 | m);
      put(at, m * 16384);
      at += m * 16384;
    }
    this.generalLength(n - at);
    put(at, n - at);
  }
}

/**
 * `b[at], ..., b[at + n - 1]` in a new Uint8Array, for n = 0..16, one function per length (made
 * from source text): a typed array of a constant size filled by unrolled stores is about a third
 * cheaper than one of a varying size filled by a loop (a PLMN identity, a TAC, an SD).
 */
export const COPY_OF_LENGTH = Array.from(
  { length: 17 },
  (_, n) => new Function('b', 'at', `const o = new Uint8Array(${n});\n${Array.from({ length: n }, (_, i) => `o[${i}] = b[at + ${i}];`).join('\n')}\nreturn o;`) as (b: Uint8Array, at: number) => Uint8Array,
);

/** `o[at + i] = b[i]` for i < n, for n = 0..16, one function per length (as COPY_OF_LENGTH, for the writer). */
export const STORE_OF_LENGTH = Array.from(
  { length: 17 },
  (_, n) => new Function('o', 'at', 'b', Array.from({ length: n }, (_, i) => `o[at + ${i}] = b[${i}];`).join('\n')) as (o: Uint8Array, at: number, b: Uint8Array) => void,
);

export class BitReader {
  readonly buf: Uint8Array;
  bit: number;
  /** End of the readable bits: the buffer, or the open type being decoded in place. */
  endBit: number;
  /** Where the reader's value sits (the entry point's type or PDU name). */
  readonly path: readonly (string | number)[];
  /**
   * The components a failure came out of, innermost first: the decoders keep no path while they
   * run (a push and a pop per component were a seventh of a decode); each level a DecodeError
   * (or any exception) leaves adds its component name or list index here (`within`), and the
   * entry point gives the error its full path (`withPath`). Made on the first failure: a decode
   * that succeeds allocates none.
   */
  trail: (string | number)[] | undefined;
  depth = 0;
  /** `path` is not changed by the reader: a constant may be given. */
  constructor(buf: Uint8Array, path: readonly (string | number)[] = [], startBit = 0, endBit = buf.length * 8) {
    this.buf = buf;
    this.bit = startBit;
    this.endBit = endBit;
    this.path = path;
    this.trail = undefined;
  }
  /** The path of the value being read: the entry's, then the components left so far by a failure. */
  pathText(): string {
    if (this.trail === undefined || this.trail.length === 0) return pathText(this.path);
    return pathText([...this.path, ...this.trail.slice().reverse()]);
  }
  /** Records that a failure left component `step` (a name or a list index); returns the failure to rethrow. */
  within(e: unknown, step: string | number): unknown {
    (this.trail ??= []).push(step);
    return e;
  }
  /** A DecodeError with the path of where it was raised (the entry's path and the trail); others as they are. */
  withPath(e: unknown): unknown {
    if (!(e instanceof DecodeError) || this.trail === undefined || this.trail.length === 0) return e;
    const path = this.pathText();
    this.trail.length = 0;
    return new DecodeError({ ...e.toJSON(), path });
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
    let bit = this.bit;
    if (bit + n > this.endBit) throw this.fail('TRUNCATED', `needs ${n} more bit(s), ${this.endBit - bit} left`);
    if (n > 24) return this.bits(n - 24) * 0x1000000 + this.bits(24);
    const buf = this.buf;
    const used = bit & 7;
    if (used + n <= 8) {
      // within one octet: a field of a SEQUENCE preamble, a CHOICE index, an ENUMERATED
      this.bit = bit + n;
      return (buf[bit >> 3] >> (8 - used - n)) & ((1 << n) - 1);
    }
    if (used === 0 && n === 16) {
      // two aligned octets: an IE id, a count, a two-octet length
      this.bit = bit + 16;
      return (buf[bit >> 3] << 8) | buf[(bit >> 3) + 1];
    }
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
  /** Moves past `n` octets at the next octet boundary (checked) and returns the first one's index. */
  octetsAt(n: number): number {
    if (this.bit & 7) this.align();
    this.need(n * 8);
    const start = this.bit >> 3;
    this.bit += n * 8;
    return start;
  }
  octets(n: number): Uint8Array {
    const start = this.octetsAt(n);
    const buf = this.buf;
    // a short value copied by hand: slice() looks up the species constructor and calls into the
    // runtime, several times the copy of a TAC or a PLMN identity; a Buffer keeps its own slice
    if (n <= 32 && buf.constructor === Uint8Array) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = buf[start + i];
      return out;
    }
    return buf.slice(start, start + n);
  }
  /** `n` bits as bytes, the unused trailing bits of the last byte zero. */
  bitString(n: number): Uint8Array {
    this.need(n);
    const whole = n >> 3;
    const rest = n & 7;
    if ((this.bit & 7) === 0) {
      const at = this.bit >> 3;
      const len = whole + (rest ? 1 : 0);
      const buf = this.buf;
      let out: Uint8Array;
      // by hand, as in octets(); a Buffer's slice() is a view of its octets, not a copy, so
      // TypedArray's (the last octet's bits after the string are cleared in the copy)
      if (len <= 32 && buf.constructor === Uint8Array) {
        out = new Uint8Array(len);
        for (let i = 0; i < len; i++) out[i] = buf[at + i];
      } else out = Uint8Array.prototype.slice.call(buf, at, at + len);
      if (rest) out[whole] &= 0xff << (8 - rest);
      this.bit += n;
      return out;
    }
    // not aligned: each octet from the low bits of one octet and the high bits of the next
    // (all within the `n` bits need() checked)
    const out = new Uint8Array((n + 7) >> 3);
    const buf = this.buf;
    const at = this.bit >> 3;
    const s = this.bit & 7;
    for (let i = 0; i < whole; i++) out[i] = (buf[at + i] << s) | (buf[at + i + 1] >> (8 - s));
    this.bit += whole * 8;
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
  /**
   * Reads a value whose length is a general length determinant, fragment by fragment
   * (X.691 11.9.3.8): `take(count)` reads each fragment's units; returns the total.
   */
  fragments(take: (count: number) => void): number {
    let total = 0;
    for (;;) {
      const { n, fragmented } = this.generalLength();
      take(n);
      total += n;
      if (!fragmented) return total;
    }
  }
  get atEnd(): boolean {
    return this.bit >= this.endBit;
  }
}
