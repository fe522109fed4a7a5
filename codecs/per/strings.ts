// BIT STRING, OCTET STRING and the character strings in aligned PER (ITU-T X.691 16, 17 and 30):
// a fixed size below 64K has no length (16.9-16.10, 17.6-17.7, up to 16 bits not octet-aligned),
// a constrained size a constrained whole number before aligned contents (16.11, 17.8), the rest
// general length determinants (11.9); known-multiplier strings 8 bits per character in the
// ALIGNED variant (30.5.3), UTF8String as an unconstrained octet string (30.6).

import { COPY_OF_LENGTH, STORE_OF_LENGTH, type BitWriter } from './bits.ts';
import type { AsnType } from './schema.ts';
import { fail, type BitStringValue, type Dec, type Enc } from './coder.ts';
import { sizeRuleOf, sizeWriter, sizeReader, readGeneralBits, readGeneralOctets, SIZE_FIXED, SIZE_CWN, SIZE_GENERAL } from './lengths.ts';

/** `n` bits of `b` from bit `from` (a multiple of 8) into the writer, unaligned. */
export function putBits(w: BitWriter, b: Uint8Array, from: number, n: number): void {
  w.bitString(from === 0 ? b : b.subarray(from >> 3), n);
}

/** X.691 16: a BIT STRING, given as { value, length }. */
export function bitStringEncoder(t: Extract<AsnType, { k: 'bits' }>): Enc {
  const size = sizeRuleOf(t.size);
  if (size.fixed && !size.ext) {
    // the usual NGAP bit strings (SecurityKey, NRCellIdentity, AMFSetID): no length, no
    // extension bit (X.691 16.9-16.10)
    const fixed = size.lb;
    return (w, v) => {
      const b = v as BitStringValue;
      if (!b || !(b.value instanceof Uint8Array)) throw fail('BIT STRING needs { value, length }');
      if (b.length !== fixed || b.value.length * 8 < fixed) throw fail(`BIT STRING of ${b.length} bits, ${fixed} required`);
      if (fixed > 16) w.align();
      w.bitString(b.value, fixed);
    };
  }
  const writeSize = sizeWriter(size);
  return (w, v) => {
    const b = v as BitStringValue;
    if (!b || !(b.value instanceof Uint8Array)) throw fail('BIT STRING needs { value, length }');
    const n = b.length;
    if (!Number.isInteger(n) || n < 0 || b.value.length * 8 < n) throw fail(`BIT STRING length ${n} with ${b.value.length} octets`);
    switch (writeSize(w, n)) {
      case SIZE_FIXED:
        // X.691 16.9-16.10: a fixed size (in the root of an extensible constraint too, 16.6)
        // up to 16 bits is not octet-aligned, a longer one below 64K is
        if (n > 16) w.align();
        w.bitString(b.value, n);
        return;
      case SIZE_CWN:
        // 16.11: after its length the bits are octet-aligned in the ALIGNED variant
        w.align();
        w.bitString(b.value, n);
        return;
      default:
        w.fragments(n, (from, count) => putBits(w, b.value, from, count));
    }
  };
}

/** The decoding side of bitStringEncoder (X.691 16.6, 16.9-16.11). */
export function bitStringDecoder(t: Extract<AsnType, { k: 'bits' }>): Dec {
  // as the encoder: X.691 16.6, 16.9-16.11
  const size = sizeRuleOf(t.size);
  const fixed = size.fixed ? size.lb : -1;
  if (fixed >= 0 && !size.ext) {
    if (fixed <= 16) return (r) => ({ value: r.bitString(fixed), length: fixed });
    return (r) => {
      r.align();
      return { value: r.bitString(fixed), length: fixed };
    };
  }
  const readSize = sizeReader(size);
  return (r) => {
    const n = readSize(r);
    if (n < 0) return readGeneralBits(r);
    if (n !== fixed || n > 16) r.align();
    return { value: r.bitString(n), length: n };
  };
}

/** X.691 17: an OCTET STRING, given as a Uint8Array. */
export function octetStringEncoder(t: Extract<AsnType, { k: 'octets' }>): Enc {
  const size = sizeRuleOf(t.size);
  if (size.fixed && !size.ext) {
    // PLMNIdentity, TAC, GTP-TEID: no length, not aligned up to two octets (X.691 17.6-17.7)
    const fixed = size.lb;
    const check = (v: unknown): Uint8Array => {
      if (!(v instanceof Uint8Array)) throw fail('OCTET STRING needs a Uint8Array');
      if (v.length !== fixed) throw fail(`OCTET STRING of ${v.length} octets, ${fixed} required`);
      return v;
    };
    // none: nothing written (X.691 17.5); one or two octets (SST) as one bit-field, not aligned
    if (fixed === 0) return (_w, v) => void check(v);
    if (fixed === 1)
      return (w, v) => {
        const b = check(v);
        w.bits(b[0], 8);
      };
    if (fixed === 2)
      return (w, v) => {
        const b = check(v);
        w.bits((b[0] << 8) | b[1], 16);
      };
    if (fixed >= STORE_OF_LENGTH.length) return (w, v) => w.octets(check(v));
    // aligned (X.691 17.7) and stored by unrolled stores (a PLMN identity, a TAC, an SD)
    const store = STORE_OF_LENGTH[fixed];
    return (w, v) => {
      const b = check(v);
      w.align();
      w.ensure(fixed * 8);
      store(w.buf, w.bit >> 3, b);
      w.bit += fixed * 8;
    };
  }
  if (t.size === undefined)
    // NAS-PDU, transfers: a general length (11.9.4.2), in fragments from 16K
    return (w, v) => {
      if (!(v instanceof Uint8Array)) throw fail('OCTET STRING needs a Uint8Array');
      if (v.length < 16384) {
        w.generalLength(v.length);
        w.octets(v);
      } else w.fragments(v.length, (from, count) => w.octets(v.subarray(from, from + count)));
    };
  const writeSize = sizeWriter(size);
  return (w, v) => {
    if (!(v instanceof Uint8Array)) throw fail('OCTET STRING needs a Uint8Array');
    const n = v.length;
    const head = writeSize(w, n);
    // X.691 17.6-17.7: a fixed size (in the root of an extensible constraint too, 17.3) of
    // up to two octets is not octet-aligned, a longer one below 64K is; 17.8: after a
    // length the octets are aligned
    if (head === SIZE_FIXED && n <= 2) w.bitString(v, n * 8);
    else if (head !== SIZE_GENERAL) w.octets(v);
    else if (n < 16384) {
      w.generalLength(n);
      w.octets(v);
    } else w.fragments(n, (from, count) => w.octets(v.subarray(from, from + count)));
  };
}

/** The decoding side of octetStringEncoder (X.691 17.3, 17.6-17.8). */
export function octetStringDecoder(t: Extract<AsnType, { k: 'octets' }>): Dec {
  // as the encoder: X.691 17.3, 17.6-17.8
  const size = sizeRuleOf(t.size);
  const fixed = size.fixed ? size.lb : -1;
  if (fixed >= 0 && !size.ext) return fixedOctetStringDecoder(fixed);
  const readSize = sizeReader(size);
  return (r) => {
    const n = readSize(r);
    if (n < 0) return readGeneralOctets(r);
    return n === fixed && n <= 2 ? r.bitString(n * 8) : r.octets(n);
  };
}

/**
 * An OCTET STRING of a fixed size below 64K (X.691 17.6-17.7), as r.bitString (up to two octets,
 * not aligned) and r.octets (longer, aligned) read it, the value made with its size a constant
 * (COPY_OF_LENGTH): SST, PLMN identity, TAC, SD. The same values and failures (a Buffer's octets
 * through r.bitString and r.octets, which give them as before).
 */
function fixedOctetStringDecoder(fixed: number): Dec {
  if (fixed === 1)
    return (r) => {
      if (r.buf.constructor !== Uint8Array) return r.bitString(8);
      const v = r.bits(8);
      const o = new Uint8Array(1);
      o[0] = v;
      return o;
    };
  if (fixed === 2)
    return (r) => {
      if (r.buf.constructor !== Uint8Array) return r.bitString(16);
      const v = r.bits(16);
      const o = new Uint8Array(2);
      o[0] = v >> 8;
      o[1] = v;
      return o;
    };
  if (fixed < 3 || fixed >= COPY_OF_LENGTH.length) return fixed < 3 ? (r) => r.bitString(fixed * 8) : (r) => r.octets(fixed);
  const copy = COPY_OF_LENGTH[fixed];
  return (r) => {
    const at = r.octetsAt(fixed);
    const buf = r.buf;
    // a Buffer's octets as r.octets gives them (its own slice)
    return buf.constructor === Uint8Array ? copy(buf, at) : buf.slice(at, at + fixed);
  };
}

/**
 * `String.fromCharCode(b[at], ..., b[at + n - 1])` for n = 0..16, one function per length (made
 * from source text): the string is made in one call, where a `+=` per character (or per few)
 * made a new string each time (the gNB's 15-character name was a tenth of an NGSetupRequest
 * decode).
 */
const CHARACTERS = Array.from(
  { length: 17 },
  (_, n) => new Function('b', 'at', `return String.fromCharCode(${Array.from({ length: n }, (_, i) => `b[at + ${i}]`).join(', ')});`) as (b: Uint8Array, at: number) => string,
);

/** The `n` octets of `b` from `at` as characters of one octet each (X.691 30.5.3: 8 bits a character). */
export function charactersOf(b: Uint8Array, at: number, n: number): string {
  if (n <= 16) return CHARACTERS[n](b, at);
  let s = '';
  for (let i = 0; i < n; i += 16) s += CHARACTERS[Math.min(16, n - i)](b, at + i);
  return s;
}

/** The failure for the first character of `v` from `from` above 0x7F (there is one). */
function outside(v: string, from: number, kind: string): Error {
  let i = from;
  while (v.charCodeAt(i) <= 0x7f) i++;
  return fail(`character ${JSON.stringify(v[i])} outside a ${kind}`);
}

/** X.691 30: PrintableString, VisibleString (known-multiplier) and UTF8String. */
export function characterStringEncoder(t: Extract<AsnType, { k: 'str' }>): Enc {
  if (t.kind === 'UTF8String')
    return (w, v) => {
      if (typeof v !== 'string') throw fail('a character string needs a string');
      // X.691 30.6: not a known-multiplier type, its size constraint is not PER-visible
      const bytes = new TextEncoder().encode(v);
      w.fragments(bytes.length, (from, count) => w.octets(bytes.subarray(from, from + count)));
    };
  const size = sizeRuleOf(t.size);
  // known-multiplier strings, 8 bits per character in the ALIGNED variant (X.691 30.5.3);
  // 30.5.7: octet-aligned unless the upper bound times 8 is 16 bits or less
  const aligned = t.size?.ub === undefined || t.size.ub * 8 > 16;
  const put = (w: BitWriter, v: string, from: number, n: number) => {
    if ((w.bit & 7) === 0) {
      w.ensure(n * 8);
      const at = w.bit >> 3;
      const buf = w.buf;
      // stored, then checked once for all (a failure leaves octets after the position only,
      // which the writer stores over; see BitWriter), the first character outside named
      let all = 0;
      for (let i = 0; i < n; i++) {
        const c = v.charCodeAt(from + i);
        all |= c;
        buf[at + i] = c;
      }
      if (all > 0x7f) throw outside(v, from, t.kind);
      w.bit += n * 8;
    } else
      for (let i = 0; i < n; i++) {
        const c = v.charCodeAt(from + i);
        if (c > 0x7f) throw fail(`character ${JSON.stringify(v[from + i])} outside a ${t.kind}`);
        w.bits(c, 8);
      }
  };
  const writeSize = sizeWriter(size);
  return (w, v) => {
    if (typeof v !== 'string') throw fail('a character string needs a string');
    const n = v.length;
    if (writeSize(w, n) === SIZE_GENERAL) w.fragments(n, (from, count) => put(w, v, from, count));
    else {
      if (aligned) w.align();
      put(w, v, 0, n);
    }
  };
}

/** The decoding side of characterStringEncoder (X.691 30.5-30.6). */
export function characterStringDecoder(t: Extract<AsnType, { k: 'str' }>): Dec {
  if (t.kind === 'UTF8String') return (r) => new TextDecoder().decode(readGeneralOctets(r));
  const size = sizeRuleOf(t.size);
  const aligned = t.size?.ub === undefined || t.size.ub * 8 > 16;
  const readSize = sizeReader(size);
  return (r) => {
    const n = readSize(r);
    if (n < 0) {
      const b = readGeneralOctets(r);
      return charactersOf(b, 0, b.length);
    }
    if (aligned) r.align();
    if ((r.bit & 7) === 0) {
      // octet-aligned characters read straight from the buffer
      r.need(n * 8);
      const at = r.bit >> 3;
      r.bit += n * 8;
      return charactersOf(r.buf, at, n);
    }
    const b = r.bitString(n * 8);
    return charactersOf(b, 0, b.length);
  };
}
