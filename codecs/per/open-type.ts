// Open types in aligned PER (ITU-T X.691 11.2): a value preceded by the length of its octets,
// as extension additions (19.9), extension alternatives (23.8) and the values of information
// objects (a ProtocolIE-Field's value, a procedure's message) are coded.

import { BitReader, type BitWriter } from './bits.ts';
import { concat, type Dec, type Enc } from './coder.ts';

/**
 * An open type (X.691 11.2) encoded in place: one length octet is reserved, the value is
 * encoded right after it (octet-aligned, so its own alignments are unchanged), padded to an
 * octet, and the length patched; a length of 128 or more moves the value one octet up for the
 * two-octet form (11.9.3.7). No intermediate writer or copy per IE.
 */
export function writeOpenType(w: BitWriter, enc: Enc, v: unknown): void {
  w.align();
  w.ensure(8);
  const lenAt = w.bit >> 3;
  const start = lenAt + 1;
  w.bit = start * 8;
  enc(w, v);
  let n = ((w.bit + 7) >> 3) - start;
  if (n === 0) {
    // X.691 11.2: an empty encoding is one zero octet
    w.ensure(8);
    w.buf[start] = 0;
    n = 1;
  }
  if (n < 128) {
    w.buf[lenAt] = n;
    w.bit = (start + n) * 8;
    return;
  }
  if (n >= 16384) {
    // X.691 11.9.3.8: rewritten in fragments from the length's place
    const value = w.buf.slice(start, start + n);
    w.bit = lenAt * 8;
    w.fragments(n, (from, count) => w.octets(value.subarray(from, from + count)));
    return;
  }
  w.bit = (start + n) * 8;
  w.ensure(8);
  const buf = w.buf;
  buf.copyWithin(start + 1, start, start + n);
  buf[lenAt] = 0x80 | (n >> 8);
  buf[start] = n & 0xff;
  w.bit = (start + n + 1) * 8;
}

/** Open type octets kept as they came (an unknown IE, extension or alternative), re-encoded unchanged. */
export function writeRawOpenType(w: BitWriter, bytes: Uint8Array): void {
  w.fragments(bytes.length, (from, count) => w.octets(bytes.subarray(from, from + count)));
}

/** An open type's octets, not decoded (joined when fragmented). */
export function readOpenTypeBytes(r: BitReader): Uint8Array {
  let { n, fragmented } = r.generalLength();
  const parts: Uint8Array[] = [r.octets(n)];
  while (fragmented) {
    ({ n, fragmented } = r.generalLength());
    parts.push(r.octets(n));
  }
  return parts.length === 1 ? parts[0] : concat(parts);
}

/**
 * An open type decoded in place: the same reader, its end moved to the end of the length
 * determinant's octets for the value and put back after, so nothing is copied and offsets in
 * errors stay absolute. Only a fragmented (>= 16K) open type is joined into a copy first.
 */
export function readOpenType(r: BitReader, dec: Dec): unknown {
  // the one-octet length (< 128 octets) read inline: most open types are short
  r.align();
  if (r.bit + 8 <= r.endBit && r.buf[r.bit >> 3] < 0x80) {
    const n = r.buf[r.bit >> 3];
    r.bit += 8;
    return decodeWithin(r, n, dec);
  }
  const { n, fragmented } = r.generalLength();
  if (!fragmented) return decodeWithin(r, n, dec);
  const parts: Uint8Array[] = [r.octets(n)];
  for (let more = true; more; ) {
    const g = r.generalLength();
    parts.push(r.octets(g.n));
    more = g.fragmented;
  }
  const sub = new BitReader(concat(parts), r.path);
  sub.depth = r.depth;
  try {
    return dec(sub);
  } catch (e) {
    // the components the failure left inside, named as if decoded in place
    if (sub.trail) for (const step of sub.trail) r.within(e, step);
    throw e;
  }
}

/** The `n` octets at the reader's position decoded by `dec`, the reader's end moved to them and put back after. */
function decodeWithin(r: BitReader, n: number, dec: Dec): unknown {
  r.need(n * 8);
  const end = r.bit + n * 8;
  const outerEnd = r.endBit;
  r.endBit = end;
  const v = dec(r);
  r.bit = end;
  r.endBit = outerEnd;
  return v;
}
