// Length determinants of SIZE-constrained values in aligned PER (ITU-T X.691 11.9): the rule a
// SIZE constraint gives (11.9.4.1: none for a fixed size, a constrained whole number below 64K,
// else general length determinants, 11.9.3.6-8, fragmented from 16K), and reading the values
// that come after general length determinants.

import type { BitReader, BitWriter } from './bits.ts';
import type { Range } from './schema.ts';
import { fail, concat, type BitStringValue } from './coder.ts';
import { cwnOf, writeCwn, readCwn, CWN_BITS, type Cwn } from './whole-numbers.ts';

/** A SIZE constraint as X.691 11.9.4.1 writes its lengths, decided once per constraint. */
export interface SizeRule {
  ext: boolean;
  lb: number;
  /** Infinity when unbounded. */
  ub: number;
  /** A constrained length (upper bound below 64K, lb < ub): a constrained whole number. */
  cwn?: Cwn;
  /** A fixed size below 64K: no length at all. */
  fixed: boolean;
  /** The constraint as written, for errors. */
  text: string;
}

export function sizeRuleOf(size: Range | undefined): SizeRule {
  const lb = size?.lb ?? 0;
  const ub = size?.ub ?? Infinity;
  const bounded = size !== undefined && size.ub !== undefined && size.ub < 65536;
  return { ext: size?.ext === true, lb, ub, cwn: bounded && lb !== ub ? cwnOf(lb, ub) : undefined, fixed: bounded && lb === ub, text: `${size?.lb}..${size?.ub}` };
}

/**
 * What precedes a SIZE-constrained value of `n` units: the extension bit of an extensible
 * constraint (X.691 11.9.3.x via 16.6, 17.3, 20.4, 30.5.5: 0 in the root, and then the value is
 * coded as if the constraint had no extension marker), and the length as a constrained whole
 * number for an upper bound below 64K (11.9.4.1). Returns SIZE_FIXED for a fixed size below 64K
 * in the root (no length), SIZE_CWN when the length was written, SIZE_GENERAL when the caller
 * writes the value after general length determinants (outside the root, or an upper bound of
 * 64K or more or none: 11.9.4.2, in fragments from 16K on).
 */
export function writeSizeHead(w: BitWriter, n: number, s: SizeRule): number {
  const inRoot = n >= s.lb && n <= s.ub;
  if (s.ext) w.bits(inRoot ? 0 : 1, 1);
  else if (!inRoot) throw fail(`size ${n} outside ${s.text}`);
  if (!inRoot) return SIZE_GENERAL;
  if (s.fixed) return SIZE_FIXED;
  if (s.cwn) {
    writeCwn(w, n, s.cwn);
    return SIZE_CWN;
  }
  return SIZE_GENERAL;
}

/**
 * writeSizeHead decided once per SIZE rule (as sizeReader): a length in the root written with no
 * branch on the rule's kind (a fixed size: nothing; a bit-field: its bits, after the extension
 * bit 0 of an extensible constraint); any other through writeSizeHead (the same bits and failures).
 */
export function sizeWriter(s: SizeRule): (w: BitWriter, n: number) => number {
  const { lb, ub } = s;
  if (s.fixed) return s.ext ? (w, n) => (n === lb ? (w.bits(0, 1), SIZE_FIXED) : writeSizeHead(w, n, s)) : (w, n) => (n === lb ? SIZE_FIXED : writeSizeHead(w, n, s));
  const c = s.cwn;
  if (c === undefined || c.kind !== CWN_BITS) return (w, n) => writeSizeHead(w, n, s);
  // the extension bit 0 and the length in one bit-field
  const width = c.width + (s.ext ? 1 : 0);
  return (w, n) => {
    if (n >= lb && n <= ub) {
      w.bits(n - lb, width);
      return SIZE_CWN;
    }
    return writeSizeHead(w, n, s);
  };
}
export const SIZE_FIXED = 0;
export const SIZE_CWN = 1;
export const SIZE_GENERAL = 2;

/** The decoding side of writeSizeHead: the length of a value in the root, or -1 when general length determinants follow. */
export function readSizeHead(r: BitReader, s: SizeRule): number {
  if (s.ext && r.bits(1) === 1) return -1;
  if (s.fixed) return s.lb;
  if (s.cwn) return readCwn(r, s.cwn);
  return -1;
}

/**
 * readSizeHead decided once per SIZE rule: a reader of its own per rule (bound to one type's
 * decoder), with no branch on the rule's kind per call. The same lengths and the same failures.
 */
export function sizeReader(s: SizeRule): (r: BitReader) => number {
  const lb = s.lb;
  if (s.fixed) return s.ext ? (r) => (r.bits(1) === 1 ? -1 : lb) : () => lb;
  const c = s.cwn;
  if (c === undefined) return (r) => readSizeHead(r, s);
  if (c.kind === CWN_BITS) {
    // X.691 11.5.7.1: a bit-field (a SEQUENCE OF count up to maxnoofX, a short string's length)
    const { width, span, ub } = c;
    const read = (r: BitReader): number => {
      const off = r.bits(width);
      if (off > span) throw r.fail('BAD_VALUE', `${lb + off} above ${ub}`);
      return lb + off;
    };
    return s.ext ? (r) => (r.bits(1) === 1 ? -1 : read(r)) : read;
  }
  return s.ext ? (r) => (r.bits(1) === 1 ? -1 : readCwn(r, c)) : (r) => readCwn(r, c);
}


/** Octets after general length determinants (X.691 11.9.3.6-8), joined when fragmented. */
export function readGeneralOctets(r: BitReader): Uint8Array {
  const { n, fragmented } = r.generalLength();
  if (!fragmented) return r.octets(n);
  const parts: Uint8Array[] = [r.octets(n)];
  r.fragments((count) => parts.push(r.octets(count)));
  return concat(parts);
}

/** Bits after general length determinants, joined when fragmented (each fragment's bits start aligned). */
export function readGeneralBits(r: BitReader): BitStringValue {
  const { n, fragmented } = r.generalLength();
  if (!fragmented) return { value: r.bitString(n), length: n };
  // fragments are multiples of 16K bits, so whole octets until the last one
  const parts: Uint8Array[] = [r.bitString(n)];
  let length = n;
  length += r.fragments((count) => parts.push(r.bitString(count)));
  return { value: concat(parts), length };
}
