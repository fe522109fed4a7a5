// Whole numbers in aligned PER (ITU-T X.691 11.5-11.6, ALIGNED variant): the constrained whole
// number of a range (11.5.7, decided once per constraint as a Cwn), ranges beyond 2^48 through
// bigint, and the normally small non-negative whole number (11.6) that extension indexes use.

import { bitsFor, type BitReader, type BitWriter } from './bits.ts';
import { fail } from './coder.ts';

/** Ranges wider than this (2^48, 6 octets) are read and written through bigint. */
export const BIG_RANGE = 2 ** 48;

/** Bits of a constrained index 0..ub that fits a bit-field (X.691 11.5.7.1, range < 256), else -1. */
export function smallIndexBits(ub: number): number {
  return ub + 1 < 256 ? bitsFor(ub + 1) : -1;
}

/**
 * How X.691 11.5.7 writes a constrained whole number lb..ub in the ALIGNED variant, decided once
 * per constraint: nothing for a single value (11.5.4); a bit-field of the minimum width for a
 * range up to 255 (11.5.7.1); one aligned octet for 256 (11.5.7.2) and two for up to 64K
 * (11.5.7.3); above, the number of octets as a bit-field, then the minimum number of aligned
 * octets (11.5.7.4).
 */
export interface Cwn {
  lb: number;
  ub: number;
  /** ub - lb: the largest offset. */
  span: number;
  kind: typeof CWN_NONE | typeof CWN_BITS | typeof CWN_OCTET | typeof CWN_TWO | typeof CWN_LENGTH;
  /** Width of the bit-field (CWN_BITS) or of the octet count (CWN_LENGTH). */
  width: number;
}
export const CWN_NONE = 0;
export const CWN_BITS = 1;
export const CWN_OCTET = 2;
export const CWN_TWO = 3;
export const CWN_LENGTH = 4;

export function cwnOf(lb: number, ub: number): Cwn {
  const range = ub - lb + 1;
  if (range === 1) return { lb, ub, span: 0, kind: CWN_NONE, width: 0 };
  if (range <= 255) return { lb, ub, span: range - 1, kind: CWN_BITS, width: bitsFor(range) };
  if (range === 256) return { lb, ub, span: 255, kind: CWN_OCTET, width: 8 };
  if (range <= 65536) return { lb, ub, span: range - 1, kind: CWN_TWO, width: 16 };
  return { lb, ub, span: range - 1, kind: CWN_LENGTH, width: bitsFor(Math.ceil(bitsFor(range) / 8)) };
}

/** Octets of a whole number 0 <= off < 2^48 in its minimum form (at least one). */
export function octetsOf(off: number): number {
  return off < 0x100 ? 1 : off < 0x10000 ? 2 : off < 0x1000000 ? 3 : off < 0x100000000 ? 4 : off < 0x10000000000 ? 5 : 6;
}

/**
 * An offset 0..65535 in two aligned octets (X.691 11.5.7.3: a container's count, an IE id),
 * stored, not through uint()'s loop.
 */
function twoOctets(w: BitWriter, off: number): void {
  w.align();
  w.ensure(16);
  const buf = w.buf;
  const at = w.bit >> 3;
  buf[at] = off >> 8;
  buf[at + 1] = off;
  w.bit += 16;
}

/** A constrained whole number (X.691 11.5.7, ALIGNED variant); ranges up to 2^48. */
export function writeCwn(w: BitWriter, v: number, c: Cwn): void {
  const off = v - c.lb;
  if (!(off >= 0 && off <= c.span) || Math.floor(off) !== off) throw fail(`${v} outside ${c.lb}..${c.ub}`);
  switch (c.kind) {
    case CWN_NONE:
      return;
    case CWN_BITS:
      w.bits(off, c.width);
      return;
    case CWN_OCTET:
      w.align();
      w.octet(off);
      return;
    case CWN_TWO:
      twoOctets(w, off);
      return;
    default: {
      const octets = octetsOf(off);
      w.bits(octets - 1, c.width);
      w.align();
      w.uint(off, octets);
    }
  }
}

/**
 * writeCwn decided once per constraint: a writer of its own (bound to one type's encoder) for the
 * kinds NGAP writes most (a bit-field, one octet, two octets), with no branch on the kind per
 * call; any other value or kind through writeCwn (the same octets and failures).
 */
export function cwnWriter(c: Cwn): (w: BitWriter, v: number) => void {
  const { lb, span } = c;
  switch (c.kind) {
    case CWN_BITS: {
      const width = c.width;
      return (w, v) => {
        const off = v - lb;
        if (off >= 0 && off <= span && (off | 0) === off) w.bits(off, width);
        else writeCwn(w, v, c);
      };
    }
    case CWN_OCTET:
      return (w, v) => {
        const off = v - lb;
        if (off >= 0 && off <= span && (off | 0) === off) {
          w.align();
          w.octet(off);
        } else writeCwn(w, v, c);
      };
    case CWN_TWO:
      return (w, v) => {
        const off = v - lb;
        if (off >= 0 && off <= span && (off | 0) === off) twoOctets(w, off);
        else writeCwn(w, v, c);
      };
    default:
      return (w, v) => writeCwn(w, v, c);
  }
}

/** A constrained whole number (X.691 11.5.7, ALIGNED variant) as writeCwn writes it, held to lb..ub. */
export function readCwn(r: BitReader, c: Cwn): number {
  let off: number;
  switch (c.kind) {
    case CWN_NONE:
      return c.lb;
    case CWN_BITS:
      off = r.bits(c.width);
      break;
    case CWN_OCTET:
      r.align();
      off = r.bits(8);
      break;
    case CWN_TWO:
      r.align();
      off = r.bits(16);
      break;
    default: {
      const octets = r.bits(c.width) + 1;
      if (octets > 6) throw r.fail('BAD_LENGTH', `${octets} octets for a number up to ${c.ub}`);
      r.align();
      off = r.bits(8 * octets);
    }
  }
  if (off > c.span) throw r.fail('BAD_VALUE', `${c.lb + off} above ${c.ub}`);
  return c.lb + off;
}

/**
 * A constrained whole number of a range above 64K (X.691 11.5.7.4: the number of octets in a
 * bit-field of `width` bits, then that many aligned octets), as readCwnIn reads it, with the
 * octets taken from the buffer (the UE NGAP ids of nearly every message).
 */
export function readCwnLength(r: BitReader, lb: number, ub: number, width: number): number {
  const octets = r.bits(width) + 1;
  r.align();
  const n = octets * 8;
  if (n > 48) {
    // beyond 2^48: only a value above ub (the ranges read here are at most 2^48 wide)
    const v = lb + r.bits(n);
    if (v > ub) throw r.fail('BAD_VALUE', `${v} above ${ub}`);
    return v;
  }
  r.need(n);
  const buf = r.buf;
  let at = r.bit >> 3;
  let off = 0;
  for (let i = 0; i < octets; i++) off = off * 256 + buf[at++];
  r.bit += n;
  const v = lb + off;
  if (v > ub) throw r.fail('BAD_VALUE', `${v} above ${ub}`);
  return v;
}

/** A constrained whole number lb..ub (X.691 11.5.7) read without a Cwn decided beforehand. */
export function readCwnIn(r: BitReader, lb: number, ub: number): number {
  const range = ub - lb + 1;
  if (range === 1) return lb;
  if (range <= 255) {
    const off = r.bits(bitsFor(range));
    if (off >= range) throw r.fail('BAD_VALUE', `${lb + off} above ${ub}`);
    return lb + off;
  }
  if (range === 256) {
    r.align();
    return lb + r.bits(8);
  }
  if (range <= 65536) {
    r.align();
    const off = r.bits(16);
    if (off >= range) throw r.fail('BAD_VALUE', `${lb + off} above ${ub}`);
    return lb + off;
  }
  // X.691 11.5.7.4: the number of octets, then the octets
  return readCwnLength(r, lb, ub, bitsFor(Math.ceil(bitsFor(range) / 8)));
}

/**
 * A constrained whole number whose range needs more than 6 octets (NGAP: the 64-bit usage
 * counters of VolumeTimedReport-Item): values beyond 2^53 are bigints. The schema's upper bound
 * is a double there, so the value is also held to the octets the range allows.
 */
export function writeBigCwn(w: BitWriter, v: number | bigint, lb: number, ub: number): void {
  const maxOctets = Math.ceil(bitsFor(ub - lb + 1) / 8);
  const off = BigInt(v) - BigInt(lb);
  const max = BigInt(ub) - BigInt(lb);
  if (off < 0n || off > max || off >= 1n << BigInt(8 * maxOctets)) throw fail(`${v} outside ${lb}..${ub}`);
  let octets = 1;
  while (off >= 1n << BigInt(8 * octets)) octets++;
  w.bits(octets - 1, bitsFor(maxOctets));
  w.align();
  for (let i = octets - 1; i >= 0; i--) w.octet(Number((off >> BigInt(8 * i)) & 0xffn));
}

/** The decoding side of writeBigCwn: a number up to 2^53, a bigint above. */
export function readBigCwn(r: BitReader, lb: number, ub: number): number | bigint {
  const maxOctets = Math.ceil(bitsFor(ub - lb + 1) / 8);
  const octets = r.bits(bitsFor(maxOctets)) + 1;
  if (octets > maxOctets) throw r.fail('BAD_LENGTH', `${octets} octets for a ${maxOctets}-octet range`);
  r.align();
  let off = 0n;
  for (let i = 0; i < octets; i++) off = (off << 8n) | BigInt(r.bits(8));
  const v = BigInt(lb) + off;
  if (v > BigInt(ub)) throw r.fail('BAD_VALUE', `${v} above ${ub}`);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** X.691 11.6: a normally small non-negative whole number (an extension addition's or alternative's index). */
export function writeNsnnwn(w: BitWriter, n: number): void {
  if (n <= 63) w.bits(n, 7);
  else {
    w.bits(1, 1);
    let octets = 1;
    while (n >= 2 ** (8 * octets)) octets++;
    w.generalLength(octets);
    w.bits(n, 8 * octets);
  }
}

/** The decoding side of writeNsnnwn (X.691 11.6). */
export function readNsnnwn(r: BitReader): number {
  if (r.bits(1) === 0) return r.bits(6);
  const { n } = r.generalLength();
  if (n > 6) throw r.fail('BAD_LENGTH', `normally small number of ${n} octets`);
  return r.bits(8 * n);
}
