// Aligned PER (ITU-T X.691, ALIGNED variant) over a schema (codecs/per/schema.ts).
//
// Values: SEQUENCE -> object of its components (extension additions by name); SEQUENCE OF ->
// array; CHOICE -> { alternative: value }; ENUMERATED -> the item's name; INTEGER -> number;
// (a bigint above 2^53, only in the 64-bit ranges); BIT STRING -> { value, length };
// OCTET STRING -> Uint8Array (a copy); character strings -> string;
// BOOLEAN -> boolean; NULL -> null. Protocol IE containers -> arrays of { id, criticality,
// value } (IEs whose id the set does not define keep their open type octets as `raw`), and
// procedure values are decoded by procedure code. Unknown extension additions and alternatives are
// kept as their open-type octets, so decode -> encode is exact for values this schema predates.
//
// Each type is compiled on first use into a decoder and an encoder closure (constraints, names,
// indexes and component coders bound), so a message is coded without re-reading the schema.

import { BitReader, BitWriter, EncodeFailure, bitsFor } from './bits.ts';
import { DecodeError, EncodeError } from '../bytes/errors.ts';
import type { AsnType, IeClassEntry, Range, Schema } from './schema.ts';

const MAX_DEPTH = 64;

export interface BitStringValue {
  value: Uint8Array;
  length: number;
}

export interface ProtocolIe {
  id: number;
  criticality: 'reject' | 'ignore' | 'notify';
  /** The decoded value, for ids the set defines. */
  value?: unknown;
  /** The open type octets of an IE whose id the set does not define (kept for re-encoding). */
  raw?: Uint8Array;
}

/** One IE of a PrivateIE-Container: its id (local or global) and its value as open type octets. */
export interface PrivateIe {
  id: { local?: number; global?: Uint8Array };
  criticality: 'reject' | 'ignore' | 'notify';
  raw: Uint8Array;
}

export interface ProcedureValue {
  procedureCode: number;
  criticality: 'reject' | 'ignore' | 'notify';
  value?: unknown;
  raw?: Uint8Array;
}

const CRITICALITY = ['reject', 'ignore', 'notify'] as const;

/** A compiled decoder of one type: reads its value at the reader's position. */
type Dec = (r: BitReader) => unknown;
/**
 * A compiled encoder of one type: writes `v` at the writer's position. It keeps no path: a
 * failure is an EncodeFailure that each enclosing encoder adds its component name or list index
 * to on its way out (`within`), and the entry point turns into an EncodeError with the path.
 */
type Enc = (w: BitWriter, v: unknown) => void;

/** The value of InitiatingMessage / SuccessfulOutcome / UnsuccessfulOutcome (one object each: encoders are memoized by type object). */
const PROCEDURE_TYPES = {
  initiating: { k: 'procedure', which: 'initiating' },
  successful: { k: 'procedure', which: 'successful' },
  unsuccessful: { k: 'procedure', which: 'unsuccessful' },
} as const satisfies Record<string, AsnType>;

/** Ranges wider than this (2^48, 6 octets) are read and written through bigint. */
const BIG_RANGE = 2 ** 48;

/** Bits of a constrained index 0..ub that fits a bit-field (X.691 11.5.7.1, range < 256), else -1. */
function smallIndexBits(ub: number): number {
  return ub + 1 < 256 ? bitsFor(ub + 1) : -1;
}

function fail(reason: string): EncodeFailure {
  return new EncodeFailure('ngap', reason);
}

/** Adds the component name or list index a failure came out of (the catch of every component call). */
function within(e: unknown, step: string | number): unknown {
  if (e instanceof EncodeFailure) e.trail.push(step);
  return e;
}

/** The EncodeError for a failure below `prefix` (anything else thrown is passed on). */
function encodeError(e: unknown, prefix: readonly (string | number)[]): unknown {
  return e instanceof EncodeFailure ? e.toError(prefix) : e;
}

/**
 * How X.691 11.5.7 writes a constrained whole number lb..ub in the ALIGNED variant, decided once
 * per constraint: nothing for a single value (11.5.4); a bit-field of the minimum width for a
 * range up to 255 (11.5.7.1); one aligned octet for 256 (11.5.7.2) and two for up to 64K
 * (11.5.7.3); above, the number of octets as a bit-field, then the minimum number of aligned
 * octets (11.5.7.4).
 */
interface Cwn {
  lb: number;
  ub: number;
  /** ub - lb: the largest offset. */
  span: number;
  kind: typeof CWN_NONE | typeof CWN_BITS | typeof CWN_OCTET | typeof CWN_TWO | typeof CWN_LENGTH;
  /** Width of the bit-field (CWN_BITS) or of the octet count (CWN_LENGTH). */
  width: number;
}
const CWN_NONE = 0;
const CWN_BITS = 1;
const CWN_OCTET = 2;
const CWN_TWO = 3;
const CWN_LENGTH = 4;

function cwnOf(lb: number, ub: number): Cwn {
  const range = ub - lb + 1;
  if (range === 1) return { lb, ub, span: 0, kind: CWN_NONE, width: 0 };
  if (range <= 255) return { lb, ub, span: range - 1, kind: CWN_BITS, width: bitsFor(range) };
  if (range === 256) return { lb, ub, span: 255, kind: CWN_OCTET, width: 8 };
  if (range <= 65536) return { lb, ub, span: range - 1, kind: CWN_TWO, width: 16 };
  return { lb, ub, span: range - 1, kind: CWN_LENGTH, width: bitsFor(Math.ceil(bitsFor(range) / 8)) };
}

/** Octets of a whole number 0 <= off < 2^48 in its minimum form (at least one). */
function octetsOf(off: number): number {
  return off < 0x100 ? 1 : off < 0x10000 ? 2 : off < 0x1000000 ? 3 : off < 0x100000000 ? 4 : off < 0x10000000000 ? 5 : 6;
}

/** A constrained whole number (X.691 11.5.7, ALIGNED variant); ranges up to 2^48. */
function writeCwn(w: BitWriter, v: number, c: Cwn): void {
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
      w.align();
      w.uint(off, 2);
      return;
    default: {
      const octets = octetsOf(off);
      w.bits(octets - 1, c.width);
      w.align();
      w.uint(off, octets);
    }
  }
}

/** A SIZE constraint as X.691 11.9.4.1 writes its lengths, decided once per constraint. */
interface SizeRule {
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

function sizeRuleOf(size: Range | undefined): SizeRule {
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
function writeSizeHead(w: BitWriter, n: number, s: SizeRule): number {
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
const SIZE_FIXED = 0;
const SIZE_CWN = 1;
const SIZE_GENERAL = 2;

/** The decoding side of writeSizeHead: the length of a value in the root, or -1 when general length determinants follow. */
function readSizeHead(r: BitReader, s: SizeRule): number {
  if (s.ext && r.bits(1) === 1) return -1;
  if (s.fixed) return s.lb;
  if (s.cwn) return readCwn(r, s.cwn);
  return -1;
}

/** A constrained whole number (X.691 11.5.7, ALIGNED variant) as writeCwn writes it, held to lb..ub. */
function readCwn(r: BitReader, c: Cwn): number {
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

/** Octets after general length determinants (X.691 11.9.3.6-8), joined when fragmented. */
function readGeneralOctets(r: BitReader): Uint8Array {
  const { n, fragmented } = r.generalLength();
  if (!fragmented) return r.octets(n);
  const parts: Uint8Array[] = [r.octets(n)];
  r.fragments((count) => parts.push(r.octets(count)));
  return concat(parts);
}

/** Bits after general length determinants, joined when fragmented (each fragment's bits start aligned). */
function readGeneralBits(r: BitReader): BitStringValue {
  const { n, fragmented } = r.generalLength();
  if (!fragmented) return { value: r.bitString(n), length: n };
  // fragments are multiples of 16K bits, so whole octets until the last one
  const parts: Uint8Array[] = [r.bitString(n)];
  let length = n;
  length += r.fragments((count) => parts.push(r.bitString(count)));
  return { value: concat(parts), length };
}

/** `n` bits of `b` from bit `from` (a multiple of 8) into the writer, unaligned. */
function putBits(w: BitWriter, b: Uint8Array, from: number, n: number): void {
  w.bitString(from === 0 ? b : b.subarray(from >> 3), n);
}

/** Index of `name` in a short list of names (the strings are mostly the schema's own, so === is a pointer compare). */
function indexIn(names: readonly string[], name: string): number {
  for (let i = 0; i < names.length; i++) if (names[i] === name) return i;
  return -1;
}

/** Criticality ::= ENUMERATED { reject, ignore, notify }: its index, -1 for anything else. */
function criticalityIndex(c: unknown): number {
  return c === 'reject' ? 0 : c === 'ignore' ? 1 : c === 'notify' ? 2 : -1;
}

/** What an IE id of a set encodes as: its name (for paths) and its value's encoder, compiled on first use. */
interface IeEncoder {
  name: string;
  type: AsnType;
  enc?: Enc;
}

/** ProtocolIE-ID ::= INTEGER (0..maxProtocolIEs) and ProcedureCode ::= INTEGER (0..255). */
const IE_ID = cwnOf(0, 65535);
const PROCEDURE_CODE = cwnOf(0, 255);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export class AperCodec {
  readonly schema: Schema;
  private readonly setIndex = new Map<string, Map<number, IeClassEntry>>();
  private readonly procByCode = new Map<number, Schema['procedures'][number]>();
  /** Per IE set, the entries with PRESENCE mandatory and CRITICALITY reject (checked after a container is decoded). */
  private readonly mandatory = new Map<string, IeClassEntry[]>();

  constructor(schema: Schema) {
    this.schema = schema;
    for (const [name, s] of Object.entries(schema.sets)) {
      this.setIndex.set(name, new Map(s.entries.map((e) => [e.id, e])));
      // TS 38.413 10.3.5: only a missing mandatory IE of criticality reject fails the message;
      // one of criticality ignore (or ignore-and-notify) is ignored and the procedure goes on
      this.mandatory.set(name, s.entries.filter((e) => e.presence === 'mandatory' && e.criticality === 'reject'));
    }
    for (const p of schema.procedures) this.procByCode.set(p.code, p);
  }

  private readonly resolved = new Map<string, AsnType>();

  resolve(t: AsnType): AsnType {
    if (t.k !== 'ref') return t;
    const hit = this.resolved.get(t.name);
    if (hit) return hit;
    let x: AsnType = t;
    for (let i = 0; x.k === 'ref'; i++) {
      const next: AsnType | undefined = this.schema.types[x.name];
      if (!next) throw new EncodeError('ngap', x.name, 'unknown type');
      if (i > 32) throw new EncodeError('ngap', x.name, 'circular type reference');
      x = next;
    }
    this.resolved.set(t.name, x);
    return x;
  }

  setEntry(set: string, id: number): IeClassEntry | undefined {
    return this.setIndex.get(set)?.get(id);
  }

  procedure(code: number) {
    return this.procByCode.get(code);
  }

  // --- encoding --------------------------------------------------------------------------------
  //
  // Each type is compiled on first use into an encoder closure with its constraints (decided
  // once: see Cwn and SizeRule), component names and component encoders bound. Values are read
  // once each: a SEQUENCE reserves its preamble and sets the presence bits as it meets the
  // components. Output goes straight into the writer's slab (bits.ts), open types in place.

  /** The writer of encode(): one, reused (nothing an encoder calls re-enters it). */
  private readonly writer = new BitWriter();

  /** Encodes a value of a named type on its own (a transfer); an empty encoding is one zero octet. */
  encode(typeName: string, value: unknown): Uint8Array {
    const w = this.writer;
    w.begin();
    try {
      this.refEncoder(typeName)(w, value);
    } catch (e) {
      throw encodeError(e, [typeName]);
    }
    const out = w.finish();
    return out.length ? out : new Uint8Array(1);
  }

  private cwn(w: BitWriter, v: number, lb: number, ub: number): void {
    writeCwn(w, v, cwnOf(lb, ub));
  }

  /**
   * A constrained whole number whose range needs more than 6 octets (NGAP: the 64-bit usage
   * counters of VolumeTimedReport-Item): values beyond 2^53 are bigints. The schema's upper bound
   * is a double there, so the value is also held to the octets the range allows.
   */
  private cwnBig(w: BitWriter, v: number | bigint, lb: number, ub: number): void {
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

  private nsnnwn(w: BitWriter, n: number): void {
    // X.691 11.6: normally small non-negative whole number
    if (n <= 63) w.bits(n, 7);
    else {
      w.bits(1, 1);
      let octets = 1;
      while (n >= 2 ** (8 * octets)) octets++;
      w.generalLength(octets);
      w.bits(n, 8 * octets);
    }
  }

  /**
   * An INTEGER other than a plain constrained number (those are written by writeCwn directly):
   * bigints, an extensible range (X.691 13.1), semi-constrained (13.2.6b) and unconstrained
   * (13.2.6c) values; `c` is the root's constrained form when it has one.
   */
  private encInteger(w: BitWriter, r: Range | undefined, c: Cwn | undefined, v: unknown): void {
    if (typeof v === 'bigint') {
      // beyond 2^53 only in a range that needs it (decoding gives numbers up to 2^53)
      if (r && r.ub !== undefined && r.ub - r.lb + 1 > BIG_RANGE && !r.ext) {
        this.cwnBig(w, v, r.lb, r.ub);
        return;
      }
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw fail(`INTEGER ${v} beyond 2^53 outside a 64-bit range`);
      v = Number(v);
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) throw fail(`INTEGER needs an integer, got ${String(v)}`);
    const inRoot = r && v >= r.lb && (r.ub === undefined || v <= r.ub) && (!r.parts || r.parts.some(([a, b]) => v >= a && v <= b));
    if (r?.ext) w.bits(inRoot ? 0 : 1, 1);
    else if (r && !inRoot) throw fail(`${v} outside ${r.lb}..${r.ub}`);
    if (r && inRoot && r.ub !== undefined) {
      if (c) writeCwn(w, v, c);
      else this.cwnBig(w, v, r.lb, r.ub);
    } else if (r && inRoot) {
      let octets = 1;
      while (v - r.lb >= 2 ** (8 * octets)) octets++;
      w.generalLength(octets);
      w.bits(v - r.lb, 8 * octets);
    } else {
      // unconstrained (or outside an extensible root): two's complement, minimal octets
      let octets = 1;
      while (v >= 2 ** (8 * octets - 1) || v < -(2 ** (8 * octets - 1))) octets++;
      w.generalLength(octets);
      w.bits(v < 0 ? 2 ** (8 * octets) + v : v, 8 * octets);
    }
  }

  /**
   * An open type (X.691 11.2) encoded in place: one length octet is reserved, the value is
   * encoded right after it (octet-aligned, so its own alignments are unchanged), padded to an
   * octet, and the length patched; a length of 128 or more moves the value one octet up for the
   * two-octet form (11.9.3.7). No intermediate writer or copy per IE.
   */
  private openType(w: BitWriter, enc: Enc, v: unknown): void {
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

  private rawOpenType(w: BitWriter, bytes: Uint8Array): void {
    w.fragments(bytes.length, (from, count) => w.octets(bytes.subarray(from, from + count)));
  }

  private readonly encoders = new Map<AsnType, Enc>();
  private readonly refEncoders = new Map<string, Enc>();
  private readonly ieTables = new Map<string, { set: string; byId: (IeEncoder | undefined)[] }>();
  private readonly procedureTables = new Map<string, ({ name: string; enc?: Enc } | undefined)[]>();
  private readonly procedureEncoders: Partial<Record<'initiating' | 'successful' | 'unsuccessful', Enc>> = {};

  private refEncoder(name: string): Enc {
    let e = this.refEncoders.get(name);
    if (!e) {
      e = this.encoder(this.resolve({ k: 'ref', name }));
      this.refEncoders.set(name, e);
    }
    return e;
  }

  /** The compiled encoder of a type (a forwarder stands in while a recursive type compiles). */
  private encoder(t: AsnType): Enc {
    if (t.k === 'ref') return this.refEncoder(t.name);
    const e = this.encoders.get(t);
    if (e) return e;
    // compileEnc() only builds closures, so `real` is set before the forwarder can run
    this.encoders.set(t, (w, v) => real(w, v));
    const real = this.compileEnc(t);
    this.encoders.set(t, real);
    return real;
  }

  /** The IEs of an information object set by id (an array: ids are small), encoders compiled on first use. */
  private ieTable(set: string) {
    let table = this.ieTables.get(set);
    if (!table) {
      const entries = this.schema.sets[set]?.entries ?? [];
      const byId = new Array<IeEncoder | undefined>(entries.reduce((m, e) => Math.max(m, e.id + 1), 0)).fill(undefined);
      for (const e of entries) byId[e.id] = { name: e.name, type: e.type };
      table = { set, byId };
      this.ieTables.set(set, table);
    }
    return table;
  }

  /** The messages of one kind (initiating, successful, unsuccessful) by procedure code. */
  private procedureTable(which: 'initiating' | 'successful' | 'unsuccessful') {
    let table = this.procedureTables.get(which);
    if (!table) {
      table = new Array<{ name: string; enc?: Enc } | undefined>(256).fill(undefined);
      for (const p of this.schema.procedures) {
        const name = p[which];
        if (name && p.code >= 0 && p.code < 256) table[p.code] = { name };
      }
      this.procedureTables.set(which, table);
    }
    return table;
  }

  private compileEnc(t: AsnType): Enc {
    switch (t.k) {
      case 'seq': {
        const names = t.fields.map((f) => f.name);
        const optional = t.fields.map((f) => f.optional === true);
        const encs = t.fields.map((f) => this.encoder(f.type));
        const extNames = t.extFields.map((f) => f.name);
        const extEncs = t.extFields.map((f) => this.encoder(f.type));
        const hasExt = t.ext;
        const n = names.length;
        // X.691 19.1-19.3: the extension bit, then a presence bit per OPTIONAL component
        const preamble = (hasExt ? 1 : 0) + optional.filter(Boolean).length;
        return (w, v) => {
          if (typeof v !== 'object' || v === null) throw fail('a SEQUENCE needs an object');
          const o = v as Record<string, unknown>;
          // the preamble is reserved (cleared) and its bits set in place as the components are
          // met, so each component is looked up once
          const pre = w.bit;
          if (preamble > 0) w.zeros(preamble);
          let p = hasExt ? pre + 1 : pre;
          for (let i = 0; i < n; i++) {
            const fv = o[names[i]];
            if (optional[i]) {
              if (fv === undefined) {
                p++;
                continue;
              }
              w.buf[p >> 3] |= 0x80 >> (p & 7);
              p++;
            } else if (fv === undefined) throw fail(`mandatory component ${names[i]} missing`);
            try {
              encs[i](w, fv);
            } catch (e) {
              throw within(e, names[i]);
            }
          }
          if (hasExt) {
            if (extNames.length > 0 || o.$unknownExtensions !== undefined) this.seqExtensions(w, o, pre, extNames, extEncs);
          } else if (o.$unknownExtensions !== undefined) throw fail('extension additions in a SEQUENCE without an extension marker');
        };
      }
      case 'seqof': {
        const size = sizeRuleOf(t.size);
        const enc = this.encoder(t.of);
        const put = (w: BitWriter, v: unknown[], from: number, count: number) => {
          for (let i = from; i < from + count; i++) {
            try {
              enc(w, v[i]);
            } catch (e) {
              throw within(e, i);
            }
          }
        };
        return (w, v) => {
          if (!Array.isArray(v)) throw fail('a SEQUENCE OF needs an array');
          // X.691 20.6: a general length counts components, in fragments of 16K components
          if (writeSizeHead(w, v.length, size) === SIZE_GENERAL) {
            w.fragments(v.length, (from, count) => put(w, v, from, count));
            return;
          }
          for (let i = 0; i < v.length; i++) {
            try {
              enc(w, v[i]);
            } catch (e) {
              throw within(e, i);
            }
          }
        };
      }
      case 'choice': {
        const names = t.alts.map((a) => a.name);
        const encs = t.alts.map((a) => this.encoder(a.type));
        const extNames = t.extAlts.map((a) => a.name);
        const extEncs = t.extAlts.map((a) => this.encoder(a.type));
        const hasExt = t.ext;
        // X.691 23.6-23.7: the extension bit (0 for a root alternative), then the index as a
        // constrained whole number 0..ub; one bit-field when the index is one (< 256 alternatives)
        const index = cwnOf(0, names.length - 1);
        const head = index.kind === CWN_BITS || index.kind === CWN_NONE ? index.width + (hasExt ? 1 : 0) : -1;
        return (w, v) => {
          if (typeof v !== 'object' || v === null) throw fail('a CHOICE needs { alternative: value }');
          let name: string | undefined;
          for (const k in v) {
            name = k;
            break;
          }
          if (name === undefined) throw fail('a CHOICE needs { alternative: value }, got {}');
          const cv = (v as Record<string, unknown>)[name];
          const ri = indexIn(names, name);
          if (ri < 0) {
            this.choiceExtension(w, hasExt, extNames, extEncs, name, cv);
            return;
          }
          if (head >= 0) w.bits(ri, head);
          else {
            if (hasExt) w.bits(0, 1);
            writeCwn(w, ri, index);
          }
          try {
            encs[ri](w, cv);
          } catch (e) {
            throw within(e, name);
          }
        };
      }
      case 'enum': {
        const { items, extItems } = t;
        const hasExt = t.ext;
        // X.691 14.2-14.3: the extension bit (0 in the root), then the index 0..ub
        const index = cwnOf(0, items.length - 1);
        const head = index.kind === CWN_BITS || index.kind === CWN_NONE ? index.width + (hasExt ? 1 : 0) : -1;
        // a long list (CauseRadioNetwork has 40-odd items) is searched by hash, a short one by ===
        const byName = items.length > 16 ? new Map(items.map((x, i) => [x, i])) : undefined;
        return (w, v) => {
          const name = typeof v === 'string' ? v : String(v);
          const ri = byName ? (byName.get(name) ?? -1) : indexIn(items, name);
          if (ri >= 0) {
            if (head >= 0) w.bits(ri, head);
            else {
              if (hasExt) w.bits(0, 1);
              writeCwn(w, ri, index);
            }
            return;
          }
          const ei = name.startsWith('$ext:') ? Number(name.slice(5)) : indexIn(extItems, name);
          if (ei < 0 || !hasExt) throw fail(`'${name}' is not a value of this ENUMERATED`);
          w.bits(1, 1);
          this.nsnnwn(w, ei);
        };
      }
      case 'int': {
        const r = t.range;
        const c = r && r.ub !== undefined && r.ub - r.lb + 1 <= BIG_RANGE ? cwnOf(r.lb, r.ub) : undefined;
        if (c && !r!.ext && !r!.parts)
          return (w, v) => {
            if (typeof v === 'number' && Number.isInteger(v)) writeCwn(w, v, c);
            else this.encInteger(w, r, c, v);
          };
        return (w, v) => this.encInteger(w, r, c, v);
      }
      case 'bits': {
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
        return (w, v) => {
          const b = v as BitStringValue;
          if (!b || !(b.value instanceof Uint8Array)) throw fail('BIT STRING needs { value, length }');
          const n = b.length;
          if (!Number.isInteger(n) || n < 0 || b.value.length * 8 < n) throw fail(`BIT STRING length ${n} with ${b.value.length} octets`);
          switch (writeSizeHead(w, n, size)) {
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
      case 'octets': {
        const size = sizeRuleOf(t.size);
        if (size.fixed && !size.ext) {
          // PLMNIdentity, TAC, GTP-TEID: no length, not aligned up to two octets (X.691 17.6-17.7)
          const fixed = size.lb;
          return (w, v) => {
            if (!(v instanceof Uint8Array)) throw fail('OCTET STRING needs a Uint8Array');
            if (v.length !== fixed) throw fail(`OCTET STRING of ${v.length} octets, ${fixed} required`);
            if (fixed <= 2) w.bitString(v, fixed * 8);
            else w.octets(v);
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
        return (w, v) => {
          if (!(v instanceof Uint8Array)) throw fail('OCTET STRING needs a Uint8Array');
          const n = v.length;
          const head = writeSizeHead(w, n, size);
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
      case 'str': {
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
            for (let i = 0; i < n; i++) {
              const c = v.charCodeAt(from + i);
              if (c > 0x7f) throw fail(`character ${JSON.stringify(v[from + i])} outside a ${t.kind}`);
              buf[at + i] = c;
            }
            w.bit += n * 8;
          } else
            for (let i = 0; i < n; i++) {
              const c = v.charCodeAt(from + i);
              if (c > 0x7f) throw fail(`character ${JSON.stringify(v[from + i])} outside a ${t.kind}`);
              w.bits(c, 8);
            }
        };
        return (w, v) => {
          if (typeof v !== 'string') throw fail('a character string needs a string');
          const n = v.length;
          if (writeSizeHead(w, n, size) === SIZE_GENERAL) w.fragments(n, (from, count) => put(w, v, from, count));
          else {
            if (aligned) w.align();
            put(w, v, 0, n);
          }
        };
      }
      case 'bool':
        return (w, v) => w.bits(v ? 1 : 0, 1);
      case 'null':
        return () => {};
      case 'oid':
        return (w, v) => {
          const b = v as Uint8Array;
          w.generalLength(b.length);
          w.octets(b);
        };
      case 'ies':
      case 'exts': {
        const table = this.ieTable(t.set);
        // ProtocolIE-Container SIZE(0..maxProtocolIEs), ProtocolExtensionContainer
        // SIZE(1..maxProtocolExtensions): the count in two aligned octets (X.691 11.5.7.3)
        const count = cwnOf(t.k === 'ies' ? 0 : 1, 65535);
        return (w, v) => {
          const list = v as ProtocolIe[];
          if (!Array.isArray(list)) throw fail('a protocol IE container needs an array');
          writeCwn(w, list.length, count);
          for (let i = 0; i < list.length; i++) {
            try {
              this.ieField(w, table, list[i]);
            } catch (e) {
              throw within(e, i);
            }
          }
        };
      }
      case 'iesingle': {
        const table = this.ieTable(t.set);
        return (w, v) => this.ieField(w, table, v as ProtocolIe);
      }
      case 'private':
        return (w, v) => {
          const list = v as PrivateIe[];
          if (!Array.isArray(list)) throw fail('a private IE container needs an array');
          this.cwn(w, list.length, 1, 65535);
          for (const p of list) {
            if (p.id.global) {
              w.bits(1, 1); // PrivateIE-ID: global (OBJECT IDENTIFIER contents octets)
              w.generalLength(p.id.global.length);
              w.octets(p.id.global);
            } else {
              w.bits(0, 1); // PrivateIE-ID: local
              this.cwn(w, p.id.local ?? 0, 0, 65535);
            }
            this.cwn(w, criticalityIndex(p.criticality), 0, 2);
            this.rawOpenType(w, p.raw);
          }
        };
      case 'procedure': {
        // the 'value' of InitiatingMessage etc.: the message of the procedure named by procedureCode
        const which = t.which;
        const table = this.procedureTable(which);
        return (w, v) => {
          const pv = v as ProcedureValue;
          if (pv.raw) {
            this.rawOpenType(w, pv.raw);
            return;
          }
          const m = table[pv.procedureCode];
          if (!m) throw fail(`procedure code ${pv.procedureCode} has no ${which} message`);
          try {
            this.openType(w, (m.enc ??= this.refEncoder(m.name)), pv.value);
          } catch (e) {
            throw within(e, m.name);
          }
        };
      }
      case 'ref':
        return this.refEncoder(t.name);
    }
  }

  /** A SEQUENCE's extension additions (X.691 19.7-19.9), its extension bit at `pre` set when there are any. */
  private seqExtensions(w: BitWriter, o: Record<string, unknown>, pre: number, extNames: string[], extEncs: Enc[]): void {
    const unknownExt = o.$unknownExtensions as { index: number; raw: Uint8Array }[] | undefined;
    // additions present: one past the last known one given, or unknown one kept
    let extCount = 0;
    for (let i = extNames.length - 1; i >= 0; i--) {
      if (o[extNames[i]] !== undefined) {
        extCount = i + 1;
        break;
      }
    }
    if (unknownExt) for (const u of unknownExt) if (u.index + 1 > extCount) extCount = u.index + 1;
    if (extCount === 0) return;
    w.buf[pre >> 3] |= 0x80 >> (pre & 7);
    // X.691 19.8: the bitmap's length as a normally small length (11.9.3.4): up to 64 additions
    // a 0 bit and n - 1 in 6 bits, more a 1 bit and a general length n
    if (extCount <= 64) w.bits(extCount - 1, 7);
    else {
      w.bits(1, 1);
      w.generalLength(extCount);
    }
    const present: boolean[] = [];
    for (let i = 0; i < extCount; i++) present.push((i < extNames.length && o[extNames[i]] !== undefined) || (unknownExt ?? []).some((u) => u.index === i));
    for (const p of present) w.bits(p ? 1 : 0, 1);
    for (let i = 0; i < extCount; i++) {
      if (!present[i]) continue;
      const u = (unknownExt ?? []).find((x) => x.index === i);
      if (u) this.rawOpenType(w, u.raw);
      else {
        try {
          this.openType(w, extEncs[i], o[extNames[i]]);
        } catch (e) {
          throw within(e, extNames[i]);
        }
      }
    }
  }

  /** A CHOICE value that is not a root alternative: an extension alternative or one kept unknown (X.691 23.8). */
  private choiceExtension(w: BitWriter, hasExt: boolean, extNames: string[], extEncs: Enc[], name: string, cv: unknown): void {
    if (name === '$unknownAlternative') {
      const u = cv as { index: number; raw: Uint8Array };
      if (!hasExt) throw fail('an unknown alternative of a CHOICE without an extension marker');
      w.bits(1, 1);
      this.nsnnwn(w, u.index);
      this.rawOpenType(w, u.raw);
      return;
    }
    const ei = indexIn(extNames, name);
    if (ei < 0 || !hasExt) throw fail(`no alternative ${name}`);
    w.bits(1, 1);
    this.nsnnwn(w, ei);
    try {
      this.openType(w, extEncs[ei], cv);
    } catch (e) {
      throw within(e, name);
    }
  }

  /** ProtocolIE-Field: id (0..65535: two aligned octets), criticality (2 bits), value (an open type). */
  private ieField(w: BitWriter, table: { set: string; byId: (IeEncoder | undefined)[] }, ie: ProtocolIe): void {
    const id = ie.id;
    writeCwn(w, id, IE_ID);
    const c = criticalityIndex(ie.criticality);
    if (c < 0) throw fail(`criticality ${String(ie.criticality)}: not reject, ignore or notify`);
    w.bits(c, 2);
    if (ie.raw) {
      this.rawOpenType(w, ie.raw);
      return;
    }
    const entry = table.byId[id];
    if (!entry) throw fail(`IE id ${id} is not in ${table.set}; give its open type as raw`);
    try {
      this.openType(w, (entry.enc ??= this.encoder(entry.type)), ie.value);
    } catch (e) {
      throw within(e, entry.name);
    }
  }

  // --- decoding --------------------------------------------------------------------------------

  decode(typeName: string, bytes: Uint8Array): unknown {
    const r = new BitReader(bytes, [typeName]);
    return this.refDecoder(typeName)(r);
  }

  private dcwn(r: BitReader, lb: number, ub: number): number {
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
    const maxOctets = Math.ceil(bitsFor(range) / 8);
    const octets = r.bits(bitsFor(maxOctets)) + 1;
    r.align();
    const v = lb + r.bits(8 * octets);
    if (v > ub) throw r.fail('BAD_VALUE', `${v} above ${ub}`);
    return v;
  }

  /** The decoding side of cwnBig: a number up to 2^53, a bigint above. */
  private dcwnBig(r: BitReader, lb: number, ub: number): number | bigint {
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

  private dnsnnwn(r: BitReader): number {
    if (r.bits(1) === 0) return r.bits(6);
    const { n } = r.generalLength();
    if (n > 6) throw r.fail('BAD_LENGTH', `normally small number of ${n} octets`);
    return r.bits(8 * n);
  }

  private dOpenTypeBytes(r: BitReader): Uint8Array {
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
  private dOpenType(r: BitReader, dec: Dec): unknown {
    // the one-octet length (< 128 octets) read inline: most open types are short
    r.align();
    if (r.bit + 8 <= r.endBit && r.buf[r.bit >> 3] < 0x80) {
      const n = r.buf[r.bit >> 3];
      r.bit += 8;
      r.need(n * 8);
      const end = r.bit + n * 8;
      const outerEnd = r.endBit;
      r.endBit = end;
      const v = dec(r);
      r.bit = end;
      r.endBit = outerEnd;
      return v;
    }
    const { n, fragmented } = r.generalLength();
    if (!fragmented) {
      r.need(n * 8);
      const end = r.bit + n * 8;
      const outerEnd = r.endBit;
      r.endBit = end;
      const v = dec(r);
      r.bit = end;
      r.endBit = outerEnd;
      return v;
    }
    const parts: Uint8Array[] = [r.octets(n)];
    for (let more = true; more; ) {
      const g = r.generalLength();
      parts.push(r.octets(g.n));
      more = g.fragmented;
    }
    const sub = new BitReader(concat(parts), r.path);
    sub.depth = r.depth;
    return dec(sub);
  }

  // Decoding runs compiled decoders: each type of the schema becomes, on first use, a closure
  // with its constraints, component names and component decoders bound, so a decode walks the
  // bytes without re-reading the schema (no switch on the kind, no name lookups of references).

  private readonly decoders = new Map<AsnType, Dec>();
  private readonly refDecoders = new Map<string, Dec>();
  private readonly ieSets = new Map<string, { index: Map<number, IeClassEntry>; decs: Map<number, Dec>; mandatory: IeClassEntry[] }>();

  /** The decoder of a type reference by name (memoized by name, not by reference object). */
  private refDecoder(name: string): Dec {
    let d = this.refDecoders.get(name);
    if (d) return d;
    let t: AsnType;
    try {
      t = this.resolve({ k: 'ref', name });
    } catch (e) {
      const reason = (e as Error).message;
      d = (r) => {
        throw r.fail('UNKNOWN_TYPE', reason);
      };
      this.refDecoders.set(name, d);
      return d;
    }
    d = this.decoder(t);
    this.refDecoders.set(name, d);
    return d;
  }

  /** The compiled decoder of a type (a forwarder stands in while a recursive type compiles). */
  private decoder(t: AsnType): Dec {
    if (t.k === 'ref') return this.refDecoder(t.name);
    const d = this.decoders.get(t);
    if (d) return d;
    // compile() only builds closures, so `real` is set before the forwarder can run
    this.decoders.set(t, (r) => real(r));
    const real = this.compile(t);
    this.decoders.set(t, real);
    return real;
  }

  private ieSet(set: string) {
    let s = this.ieSets.get(set);
    if (!s) {
      s = { index: this.setIndex.get(set) ?? new Map(), decs: new Map(), mandatory: this.mandatory.get(set) ?? [] };
      this.ieSets.set(set, s);
    }
    return s;
  }

  private compile(t: AsnType): Dec {
    switch (t.k) {
      case 'seq': {
        const names = t.fields.map((f) => f.name);
        const optional = t.fields.map((f) => f.optional === true);
        const nOpt = optional.filter(Boolean).length;
        const decs = t.fields.map((f) => this.decoder(f.type));
        const extNames = t.extFields.map((f) => f.name);
        const extDecs = t.extFields.map((f) => this.decoder(f.type));
        const hasExt = t.ext;
        const n = names.length;
        return (r) => {
          if (++r.depth > MAX_DEPTH) throw r.fail('TOO_DEEP', `nesting deeper than ${MAX_DEPTH}`);
          const ext = hasExt ? r.bits(1) === 1 : false;
          // the preamble's presence bits are read in place as the components are reached
          r.need(nOpt);
          let pbit = r.bit;
          r.bit += nOpt;
          const buf = r.buf;
          const o: Record<string, unknown> = {};
          for (let i = 0; i < n; i++) {
            if (optional[i]) {
              const present = (buf[pbit >> 3] >> (7 - (pbit & 7))) & 1;
              pbit++;
              if (!present) continue;
            }
            r.path.push(names[i]);
            o[names[i]] = decs[i](r);
            r.path.pop();
          }
          if (ext) {
            // X.691 19.8: the bitmap's length, a normally small length (11.9.3.4)
            const count = r.bits(1) === 0 ? r.bits(6) + 1 : r.generalLength().n;
            const bitmap: boolean[] = [];
            for (let i = 0; i < count; i++) bitmap.push(r.bits(1) === 1);
            for (let i = 0; i < count; i++) {
              if (!bitmap[i]) continue;
              if (i < extDecs.length) {
                r.path.push(extNames[i]);
                o[extNames[i]] = this.dOpenType(r, extDecs[i]);
                r.path.pop();
              } else {
                ((o.$unknownExtensions ??= []) as { index: number; raw: Uint8Array }[]).push({ index: i, raw: this.dOpenTypeBytes(r) });
              }
            }
          }
          r.depth--;
          return o;
        };
      }
      case 'seqof': {
        const size = sizeRuleOf(t.size);
        const dec = this.decoder(t.of);
        const take = (r: BitReader, out: unknown[], n: number) => {
          if (n > r.endBit - r.bit + 1) throw r.fail('BAD_LENGTH', `${n} elements cannot fit in ${r.endBit - r.bit} bits`);
          for (let i = out.length, end = out.length + n; i < end; i++) {
            r.path.push(i);
            out.push(dec(r));
            r.path.pop();
          }
        };
        return (r) => {
          if (++r.depth > MAX_DEPTH) throw r.fail('TOO_DEEP', `nesting deeper than ${MAX_DEPTH}`);
          const n = readSizeHead(r, size);
          const out: unknown[] = [];
          // a general length (X.691 20.6) counts components, in fragments of 16K components
          if (n < 0) r.fragments((count) => take(r, out, count));
          else take(r, out, n);
          r.depth--;
          return out;
        };
      }
      case 'choice': {
        const names = t.alts.map((a) => a.name);
        const decs = t.alts.map((a) => this.decoder(a.type));
        const extNames = t.extAlts.map((a) => a.name);
        const extDecs = t.extAlts.map((a) => this.decoder(a.type));
        const hasExt = t.ext;
        const ub = names.length - 1;
        const nb = smallIndexBits(ub);
        return (r) => {
          if (++r.depth > MAX_DEPTH) throw r.fail('TOO_DEEP', `nesting deeper than ${MAX_DEPTH}`);
          let out: Record<string, unknown>;
          if (hasExt && r.bits(1) === 1) {
            const idx = this.dnsnnwn(r);
            if (idx >= extDecs.length) out = { $unknownAlternative: { index: idx, raw: this.dOpenTypeBytes(r) } };
            else {
              r.path.push(extNames[idx]);
              out = {};
              out[extNames[idx]] = this.dOpenType(r, extDecs[idx]);
              r.path.pop();
            }
          } else {
            const idx = nb >= 0 ? r.bits(nb) : this.dcwn(r, 0, ub);
            if (idx > ub) throw r.fail('BAD_VALUE', `CHOICE index ${idx} of ${ub + 1}`);
            r.path.push(names[idx]);
            // a keyed store into {}: a computed key in the literal goes through the runtime
            out = {};
            out[names[idx]] = decs[idx](r);
            r.path.pop();
          }
          r.depth--;
          return out;
        };
      }
      case 'enum': {
        const { items, extItems, ext } = t;
        const ub = items.length - 1;
        const nb = smallIndexBits(ub);
        return (r) => {
          if (ext && r.bits(1) === 1) {
            const idx = this.dnsnnwn(r);
            return extItems[idx] ?? `$ext:${idx}`;
          }
          const idx = nb >= 0 ? r.bits(nb) : this.dcwn(r, 0, ub);
          if (idx > ub) throw r.fail('BAD_VALUE', `ENUMERATED index ${idx} of ${ub + 1}`);
          return items[idx];
        };
      }
      case 'int': {
        const rg = t.range;
        if (rg && !rg.ext && rg.ub !== undefined) {
          const { lb, ub } = rg;
          return ub - lb + 1 > BIG_RANGE ? (r) => this.dcwnBig(r, lb, ub) : (r) => this.dcwn(r, lb, ub);
        }
        return (r) => {
          const inRoot = rg?.ext ? r.bits(1) === 0 : true;
          if (rg && inRoot && rg.ub !== undefined) return rg.ub - rg.lb + 1 > BIG_RANGE ? this.dcwnBig(r, rg.lb, rg.ub) : this.dcwn(r, rg.lb, rg.ub);
          const { n } = r.generalLength();
          if (n < 1 || n > 6) throw r.fail('BAD_LENGTH', `INTEGER of ${n} octets`);
          const raw = r.bits(8 * n);
          if (rg && inRoot) return rg.lb + raw;
          return raw >= 2 ** (8 * n - 1) ? raw - 2 ** (8 * n) : raw;
        };
      }
      case 'bits': {
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
        return (r) => {
          const n = readSizeHead(r, size);
          if (n < 0) return readGeneralBits(r);
          if (n !== fixed || n > 16) r.align();
          return { value: r.bitString(n), length: n };
        };
      }
      case 'octets': {
        // as the encoder: X.691 17.3, 17.6-17.8
        const size = sizeRuleOf(t.size);
        const fixed = size.fixed ? size.lb : -1;
        if (fixed >= 0 && !size.ext) return fixed <= 2 ? (r) => r.bitString(fixed * 8) : (r) => r.octets(fixed);
        return (r) => {
          const n = readSizeHead(r, size);
          if (n < 0) return readGeneralOctets(r);
          return n === fixed && n <= 2 ? r.bitString(n * 8) : r.octets(n);
        };
      }
      case 'str': {
        if (t.kind === 'UTF8String') return (r) => new TextDecoder().decode(readGeneralOctets(r));
        const size = sizeRuleOf(t.size);
        const aligned = t.size?.ub === undefined || t.size.ub * 8 > 16;
        return (r) => {
          const n = readSizeHead(r, size);
          if (n < 0) {
            const b = readGeneralOctets(r);
            let s = '';
            for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
            return s;
          }
          if (aligned) r.align();
          let s = '';
          if ((r.bit & 7) === 0) {
            // octet-aligned characters read straight from the buffer
            r.need(n * 8);
            const at = r.bit >> 3;
            for (let i = 0; i < n; i++) s += String.fromCharCode(r.buf[at + i]);
            r.bit += n * 8;
            return s;
          }
          const b = r.bitString(n * 8);
          for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
          return s;
        };
      }
      case 'bool':
        return (r) => r.bits(1) === 1;
      case 'null':
        return () => null;
      case 'oid':
        return (r) => {
          const { n } = r.generalLength();
          return r.octets(n);
        };
      case 'ies':
      case 'exts': {
        const set = this.ieSet(t.set);
        const lb = t.k === 'ies' ? 0 : 1;
        const checkMandatory = t.k === 'ies' && set.mandatory.length > 0;
        return (r) => {
          if (++r.depth > MAX_DEPTH) throw r.fail('TOO_DEEP', `nesting deeper than ${MAX_DEPTH}`);
          const n = this.dcwn(r, lb, 65535);
          const out: ProtocolIe[] = [];
          for (let i = 0; i < n; i++) {
            r.path.push(i);
            out.push(this.dIeField(r, set));
            r.path.pop();
          }
          // TS 38.413 10.3.5: an absent mandatory IE is an abstract syntax error the receiver
          // answers with Criticality Diagnostics naming that IE (type of error 'missing')
          if (checkMandatory) {
            for (const e of set.mandatory) {
              let found = false;
              for (let i = 0; i < out.length && !found; i++) found = out[i].id === e.id;
              if (!found) throw r.fail('MISSING_IE', `mandatory IE ${e.name} (id ${e.id}) absent`, e.id);
            }
          }
          r.depth--;
          return out;
        };
      }
      case 'iesingle': {
        const set = this.ieSet(t.set);
        return (r) => this.dIeField(r, set);
      }
      case 'private':
        return (r) => {
          const n = this.dcwn(r, 1, 65535);
          const out: unknown[] = [];
          for (let i = 0; i < n; i++) {
            const global = r.bits(1) === 1;
            let id: { global: Uint8Array } | { local: number };
            if (global) {
              const { n: l } = r.generalLength();
              id = { global: r.octets(l) };
            } else id = { local: this.dcwn(r, 0, 65535) };
            const c = this.dcwn(r, 0, 2);
            const criticality = CRITICALITY[c];
            if (!criticality) throw r.fail('BAD_VALUE', `criticality ${c}`);
            out.push({ id, criticality, raw: this.dOpenTypeBytes(r) });
          }
          return out;
        };
      case 'procedure':
        return (r) => {
          throw r.fail('BAD_VALUE', 'a procedure value is decoded with its procedure code');
        };
      case 'ref':
        return this.refDecoder(t.name);
    }
  }

  private dIeField(r: BitReader, set: { index: Map<number, IeClassEntry>; decs: Map<number, Dec> }): ProtocolIe {
    // id INTEGER (0..65535): aligned 16 bits; criticality ENUMERATED of 3: 2 bits
    r.align();
    const id = r.bits(16);
    const c = r.bits(2);
    const criticality = CRITICALITY[c];
    if (!criticality) throw r.fail('BAD_VALUE', `criticality ${c}`, id);
    const e = set.index.get(id);
    if (!e) return { id, criticality, raw: this.dOpenTypeBytes(r) };
    let dec = set.decs.get(id);
    if (!dec) {
      dec = this.decoder(e.type);
      set.decs.set(id, dec);
    }
    r.path.push(e.name);
    try {
      const value = this.dOpenType(r, dec);
      r.path.pop();
      return { id, criticality, value };
    } catch (err) {
      // carry the IE id for criticality handling (TS 38.413 10.3.4)
      if (err instanceof DecodeError && err.ie === undefined) throw new DecodeError({ ...err.toJSON(), ie: id });
      throw err;
    }
  }

  /** Decodes InitiatingMessage / SuccessfulOutcome / UnsuccessfulOutcome with its procedure. */
  decodeProcedure(r: BitReader, which: 'initiating' | 'successful' | 'unsuccessful'): ProcedureValue {
    const procedureCode = this.dcwn(r, 0, 255);
    const criticality = CRITICALITY[this.dcwn(r, 0, 2)];
    if (!criticality) throw r.fail('BAD_VALUE', 'criticality 3');
    const proc = this.procByCode.get(procedureCode);
    const msg = proc ? (which === 'initiating' ? proc.initiating : which === 'successful' ? proc.successful : proc.unsuccessful) : undefined;
    if (!msg) return { procedureCode, criticality, raw: this.dOpenTypeBytes(r) };
    r.path.push(msg);
    const value = this.dOpenType(r, this.refDecoder(msg));
    r.path.pop();
    return { procedureCode, criticality, value };
  }

  /**
   * Encodes InitiatingMessage / SuccessfulOutcome / UnsuccessfulOutcome: procedure code,
   * criticality, the message; `prefix` is the path of the value, for errors.
   */
  encodeProcedure(w: BitWriter, which: 'initiating' | 'successful' | 'unsuccessful', p: ProcedureValue, prefix: readonly (string | number)[]): void {
    try {
      writeCwn(w, p.procedureCode, PROCEDURE_CODE);
      const c = criticalityIndex(p.criticality);
      if (c < 0) throw fail(`criticality ${String(p.criticality)}: not reject, ignore or notify`);
      w.bits(c, 2);
      (this.procedureEncoders[which] ??= this.encoder(PROCEDURE_TYPES[which]))(w, p);
    } catch (e) {
      throw encodeError(e, prefix);
    }
  }
}
