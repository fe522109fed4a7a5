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

import { BitReader, BitWriter, bitsFor, pathText, type FieldPath } from './bits.ts';
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

export interface ProcedureValue {
  procedureCode: number;
  criticality: 'reject' | 'ignore' | 'notify';
  value?: unknown;
  raw?: Uint8Array;
}

const CRITICALITY = ['reject', 'ignore', 'notify'] as const;

/** A compiled decoder of one type: reads its value at the reader's position. */
type Dec = (r: BitReader) => unknown;
/** A compiled encoder of one type: writes `v` (at `path`, for errors) at the writer's position. */
type Enc = (w: BitWriter, v: unknown, path: FieldPath) => void;

/** The value of InitiatingMessage / SuccessfulOutcome / UnsuccessfulOutcome (one object each: encoders are memoized by type object). */
const PROCEDURE_TYPES = {
  initiating: { k: 'procedure', which: 'initiating' },
  successful: { k: 'procedure', which: 'successful' },
  unsuccessful: { k: 'procedure', which: 'unsuccessful' },
} as const satisfies Record<string, AsnType>;

/** Ranges wider than this (2^48, 6 octets) are read and written through bigint. */
const BIG_RANGE = 2 ** 48;

/** Bits of a constrained index 0..ub that fits a bit-field (X.691 11.5.7.2, range < 256), else -1. */
function smallIndexBits(ub: number): number {
  return ub + 1 < 256 ? bitsFor(ub + 1) : -1;
}

function encFail(path: FieldPath, reason: string): EncodeError {
  return new EncodeError('ngap', pathText(path), reason);
}

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

  encode(typeName: string, value: unknown): Uint8Array {
    const w = new BitWriter(128);
    this.enc(w, { k: 'ref', name: typeName }, value, [typeName]);
    const out = w.finish();
    return out.length ? out : new Uint8Array(1);
  }

  private cwn(w: BitWriter, v: number, lb: number, ub: number, path: FieldPath): void {
    // X.691 11.5.7: constrained whole number, ALIGNED variant
    const range = ub - lb + 1;
    const off = v - lb;
    if (!(off >= 0 && off < range) || !Number.isInteger(off)) throw new EncodeError('ngap', pathText(path), `${v} outside ${lb}..${ub}`);
    if (range === 1) return;
    if (range <= 255) w.bits(off, bitsFor(range));
    else if (range === 256) {
      w.align();
      w.bits(off, 8);
    } else if (range <= 65536) {
      w.align();
      w.bits(off, 16);
    } else {
      const maxOctets = Math.ceil(bitsFor(range) / 8);
      let octets = 1;
      while (off >= 2 ** (8 * octets)) octets++;
      w.bits(octets - 1, bitsFor(maxOctets));
      w.align();
      w.bits(off, 8 * octets);
    }
  }

  /**
   * A constrained whole number whose range needs more than 6 octets (NGAP: the 64-bit usage
   * counters of VolumeTimedReport-Item): values beyond 2^53 are bigints. The schema's upper bound
   * is a double there, so the value is also held to the octets the range allows.
   */
  private cwnBig(w: BitWriter, v: number | bigint, lb: number, ub: number, path: FieldPath): void {
    const maxOctets = Math.ceil(bitsFor(ub - lb + 1) / 8);
    const off = BigInt(v) - BigInt(lb);
    const max = BigInt(ub) - BigInt(lb);
    if (off < 0n || off > max || off >= 1n << BigInt(8 * maxOctets)) throw new EncodeError('ngap', pathText(path), `${v} outside ${lb}..${ub}`);
    let octets = 1;
    while (off >= 1n << BigInt(8 * octets)) octets++;
    w.bits(octets - 1, bitsFor(maxOctets));
    w.align();
    for (let i = octets - 1; i >= 0; i--) w.bits(Number((off >> BigInt(8 * i)) & 0xffn), 8);
  }

  private nsnnwn(w: BitWriter, n: number, path: FieldPath): void {
    // X.691 11.6: normally small non-negative whole number
    if (n <= 63) w.bits(n, 7);
    else {
      w.bits(1, 1);
      let octets = 1;
      while (n >= 2 ** (8 * octets)) octets++;
      w.generalLength(octets, path);
      w.bits(n, 8 * octets);
    }
  }

  /** Length of a SIZE-constrained value (X.691 11.9.4.1): returns whether it was in the root. */
  private sizeLength(w: BitWriter, n: number, size: Range | undefined, path: FieldPath): void {
    const inRoot = !size || (n >= size.lb && (size.ub === undefined || n <= size.ub));
    if (size?.ext) w.bits(inRoot ? 0 : 1, 1);
    else if (!inRoot) throw new EncodeError('ngap', pathText(path), `size ${n} outside ${size!.lb}..${size!.ub}`);
    if (inRoot && size && size.ub !== undefined && size.ub < 65536) {
      if (size.lb !== size.ub) this.cwn(w, n, size.lb, size.ub, path);
      return;
    }
    w.generalLength(n, path);
  }

  /**
   * An open type (X.691 11.2) encoded in place: one length octet is reserved, the value is
   * encoded right after it (octet-aligned, so its own alignments are unchanged), padded to an
   * octet, and the length patched; a length of 128 or more moves the value one octet up for the
   * two-octet form. No intermediate writer or copy per IE.
   */
  private openType(w: BitWriter, enc: Enc, v: unknown, path: FieldPath): void {
    w.align();
    w.ensure(8);
    const lenAt = w.bit >> 3;
    w.bit += 8;
    const start = lenAt + 1;
    enc(w, v, path);
    let n = ((w.bit + 7) >> 3) - start;
    if (n === 0) n = 1; // X.691 11.2: an empty encoding is one zero octet
    if (n >= 16384) throw new EncodeError('ngap', pathText(path), `open type of ${n} octets needs fragmentation`);
    if (n < 128) w.buf[lenAt] = n;
    else {
      w.bit = (start + n) * 8;
      w.ensure(8);
      w.buf.copyWithin(start + 1, start, start + n);
      w.buf[lenAt] = 0x80 | (n >> 8);
      w.buf[start] = n & 0xff;
    }
    w.bit = (start + n + (n >= 128 ? 1 : 0)) * 8;
    w.ensure(0);
  }

  private rawOpenType(w: BitWriter, bytes: Uint8Array, path: FieldPath): void {
    w.generalLength(bytes.length, path);
    w.octets(bytes);
  }

  // Encoding runs compiled encoders, like decoding: each type becomes, on first use, a closure
  // with its constraints, component names, alternative and item indexes and component encoders
  // bound.

  private readonly encoders = new Map<AsnType, Enc>();
  private readonly refEncoders = new Map<string, Enc>();
  private readonly ieEncoders = new Map<string, Map<number, Enc>>();

  private enc(w: BitWriter, t: AsnType, v: unknown, path: FieldPath): void {
    this.encoder(t)(w, v, path);
  }

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
    this.encoders.set(t, (w, v, path) => real(w, v, path));
    const real = this.compileEnc(t);
    this.encoders.set(t, real);
    return real;
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
        return (w, v, path) => {
          if (typeof v !== 'object' || v === null) throw encFail(path, 'a SEQUENCE needs an object');
          const o = v as Record<string, unknown>;
          const unknownExt = o.$unknownExtensions as { index: number; raw: Uint8Array }[] | undefined;
          // extension additions present: one past the last known one given, or unknown one kept
          let extCount = 0;
          for (let i = extNames.length - 1; i >= 0; i--) {
            if (o[extNames[i]] !== undefined) {
              extCount = i + 1;
              break;
            }
          }
          if (unknownExt) for (const u of unknownExt) if (u.index + 1 > extCount) extCount = u.index + 1;
          if (extCount > 0 && !hasExt) throw encFail(path, 'extension additions in a SEQUENCE without an extension marker');
          if (hasExt) w.bits(extCount > 0 ? 1 : 0, 1);
          for (let i = 0; i < n; i++) if (optional[i]) w.bits(o[names[i]] !== undefined ? 1 : 0, 1);
          for (let i = 0; i < n; i++) {
            const fv = o[names[i]];
            if (fv === undefined) {
              if (!optional[i]) throw encFail(path, `mandatory component ${names[i]} missing`);
              continue;
            }
            path.push(names[i]);
            encs[i](w, fv, path);
            path.pop();
          }
          if (extCount > 0) {
            this.nsnnwn(w, extCount - 1, path);
            const present: boolean[] = [];
            for (let i = 0; i < extCount; i++) present.push((i < extNames.length && o[extNames[i]] !== undefined) || (unknownExt ?? []).some((u) => u.index === i));
            for (const p of present) w.bits(p ? 1 : 0, 1);
            for (let i = 0; i < extCount; i++) {
              if (!present[i]) continue;
              const u = (unknownExt ?? []).find((x) => x.index === i);
              if (u) this.rawOpenType(w, u.raw, path);
              else {
                path.push(extNames[i]);
                this.openType(w, extEncs[i], o[extNames[i]], path);
                path.pop();
              }
            }
          }
        };
      }
      case 'seqof': {
        const size = t.size;
        const enc = this.encoder(t.of);
        return (w, v, path) => {
          if (!Array.isArray(v)) throw encFail(path, 'a SEQUENCE OF needs an array');
          this.sizeLength(w, v.length, size, path);
          for (let i = 0; i < v.length; i++) {
            path.push(i);
            enc(w, v[i], path);
            path.pop();
          }
        };
      }
      case 'choice': {
        const index = new Map(t.alts.map((a, i) => [a.name, i]));
        const encs = t.alts.map((a) => this.encoder(a.type));
        const extIndex = new Map(t.extAlts.map((a, i) => [a.name, i]));
        const extEncs = t.extAlts.map((a) => this.encoder(a.type));
        const hasExt = t.ext;
        const ub = t.alts.length - 1;
        return (w, v, path) => {
          if (typeof v !== 'object' || v === null) throw encFail(path, 'a CHOICE needs { alternative: value }');
          let name: string | undefined;
          for (const k in v) {
            name = k;
            break;
          }
          const cv = name === undefined ? undefined : (v as Record<string, unknown>)[name];
          if (name === '$unknownAlternative') {
            const u = cv as { index: number; raw: Uint8Array };
            if (!hasExt) throw encFail(path, 'an unknown alternative of a CHOICE without an extension marker');
            w.bits(1, 1);
            this.nsnnwn(w, u.index, path);
            this.rawOpenType(w, u.raw, path);
            return;
          }
          const ri = name === undefined ? undefined : index.get(name);
          if (ri !== undefined) {
            if (hasExt) w.bits(0, 1);
            this.cwn(w, ri, 0, ub, path);
            path.push(name!);
            encs[ri](w, cv, path);
            path.pop();
            return;
          }
          const ei = name === undefined ? undefined : extIndex.get(name);
          if (ei === undefined || !hasExt) throw encFail(path, `no alternative ${String(name)}`);
          w.bits(1, 1);
          this.nsnnwn(w, ei, path);
          path.push(name!);
          this.openType(w, extEncs[ei], cv, path);
          path.pop();
        };
      }
      case 'enum': {
        const index = new Map(t.items.map((x, i) => [x, i]));
        const extIndex = new Map(t.extItems.map((x, i) => [x, i]));
        const hasExt = t.ext;
        const ub = t.items.length - 1;
        return (w, v, path) => {
          const name = String(v);
          const ri = index.get(name);
          if (ri !== undefined) {
            if (hasExt) w.bits(0, 1);
            this.cwn(w, ri, 0, ub, path);
            return;
          }
          const ei = name.startsWith('$ext:') ? Number(name.slice(5)) : (extIndex.get(name) ?? -1);
          if (ei < 0 || !hasExt) throw encFail(path, `'${name}' is not a value of this ENUMERATED`);
          w.bits(1, 1);
          this.nsnnwn(w, ei, path);
        };
      }
      case 'int': {
        const r = t.range;
        return (w, v, path) => {
          if (typeof v === 'bigint') {
            // beyond 2^53 only in a range that needs it (decoding gives numbers up to 2^53)
            if (r && r.ub !== undefined && r.ub - r.lb + 1 > BIG_RANGE && !r.ext) {
              this.cwnBig(w, v, r.lb, r.ub, path);
              return;
            }
            if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw encFail(path, `INTEGER ${v} beyond 2^53 outside a 64-bit range`);
            v = Number(v);
          }
          if (typeof v !== 'number' || !Number.isInteger(v)) throw encFail(path, `INTEGER needs an integer, got ${String(v)}`);
          const inRoot = r && v >= r.lb && (r.ub === undefined || v <= r.ub);
          if (r?.ext) w.bits(inRoot ? 0 : 1, 1);
          else if (r && !inRoot) throw encFail(path, `${v} outside ${r.lb}..${r.ub}`);
          if (r && inRoot && r.ub !== undefined) {
            if (r.ub - r.lb + 1 > BIG_RANGE) this.cwnBig(w, v, r.lb, r.ub, path);
            else this.cwn(w, v, r.lb, r.ub, path);
          } else if (r && inRoot) {
            let octets = 1;
            while (v - r.lb >= 2 ** (8 * octets)) octets++;
            w.generalLength(octets, path);
            w.bits(v - r.lb, 8 * octets);
          } else {
            // unconstrained (or outside an extensible root): two's complement, minimal octets
            let octets = 1;
            while (v >= 2 ** (8 * octets - 1) || v < -(2 ** (8 * octets - 1))) octets++;
            w.generalLength(octets, path);
            w.bits(v < 0 ? 2 ** (8 * octets) + v : v, 8 * octets);
          }
        };
      }
      case 'bits': {
        const s = t.size;
        const fixed = s && s.lb === s.ub && !s.ext ? s.lb : undefined;
        return (w, v, path) => {
          const b = v as BitStringValue;
          if (!b || !(b.value instanceof Uint8Array)) throw encFail(path, 'BIT STRING needs { value, length }');
          if (fixed !== undefined && fixed <= 65536) {
            if (b.length !== fixed) throw encFail(path, `BIT STRING of ${b.length} bits, ${fixed} required`);
            if (fixed > 16) w.align();
            w.bitString(b.value, b.length);
            return;
          }
          this.sizeLength(w, b.length, s, path);
          w.align();
          w.bitString(b.value, b.length);
        };
      }
      case 'octets': {
        const s = t.size;
        const fixed = s && s.lb === s.ub && !s.ext ? s.lb : undefined;
        return (w, v, path) => {
          if (!(v instanceof Uint8Array)) throw encFail(path, 'OCTET STRING needs a Uint8Array');
          if (fixed !== undefined) {
            if (v.length !== fixed) throw encFail(path, `OCTET STRING of ${v.length} octets, ${fixed} required`);
            if (fixed <= 2) w.bitString(v, v.length * 8);
            else w.octets(v);
            return;
          }
          this.sizeLength(w, v.length, s, path);
          w.octets(v);
        };
      }
      case 'str': {
        if (t.kind === 'UTF8String')
          return (w, v, path) => {
            if (typeof v !== 'string') throw encFail(path, 'a character string needs a string');
            const bytes = new TextEncoder().encode(v);
            w.generalLength(bytes.length, path);
            w.octets(bytes);
          };
        const size = t.size;
        const aligned = size?.ub === undefined || size.ub * 8 > 16;
        return (w, v, path) => {
          if (typeof v !== 'string') throw encFail(path, 'a character string needs a string');
          // known-multiplier strings, 8 bits per character in the ALIGNED variant (X.691 30.5)
          this.sizeLength(w, v.length, size, path);
          if (aligned) w.align();
          for (let i = 0; i < v.length; i++) w.bits(v.charCodeAt(i) & 0xff, 8);
        };
      }
      case 'bool':
        return (w, v) => w.bits(v ? 1 : 0, 1);
      case 'null':
        return () => {};
      case 'oid':
        return (w, v, path) => {
          const b = v as Uint8Array;
          w.generalLength(b.length, path);
          w.octets(b);
        };
      case 'ies':
      case 'exts': {
        const set = t.set;
        const lb = t.k === 'ies' ? 0 : 1;
        return (w, v, path) => {
          const list = v as ProtocolIe[];
          if (!Array.isArray(list)) throw encFail(path, 'a protocol IE container needs an array');
          // ProtocolIE-Container SIZE(0..maxProtocolIEs), ProtocolExtensionContainer SIZE(1..maxProtocolExtensions)
          this.cwn(w, list.length, lb, 65535, path);
          for (let i = 0; i < list.length; i++) {
            path.push(i);
            this.ieField(w, set, list[i], path);
            path.pop();
          }
        };
      }
      case 'iesingle': {
        const set = t.set;
        return (w, v, path) => this.ieField(w, set, v as ProtocolIe, path);
      }
      case 'private':
        return (w, v, path) => {
          const list = v as { id: { local?: number; global?: Uint8Array }; criticality: string; raw: Uint8Array }[];
          if (!Array.isArray(list)) throw encFail(path, 'a private IE container needs an array');
          this.cwn(w, list.length, 1, 65535, path);
          for (const p of list) {
            if (p.id.global) {
              w.bits(1, 1); // PrivateIE-ID: global (OBJECT IDENTIFIER contents octets)
              w.generalLength(p.id.global.length, path);
              w.octets(p.id.global);
            } else {
              w.bits(0, 1); // PrivateIE-ID: local
              this.cwn(w, p.id.local ?? 0, 0, 65535, path);
            }
            this.cwn(w, CRITICALITY.indexOf(p.criticality as 'reject'), 0, 2, path);
            this.rawOpenType(w, p.raw, path);
          }
        };
      case 'procedure': {
        // the 'value' of InitiatingMessage etc.: the message of the procedure named by procedureCode
        const which = t.which;
        return (w, v, path) => {
          const pv = v as ProcedureValue;
          const proc = this.procByCode.get(pv.procedureCode);
          const msg = proc ? (which === 'initiating' ? proc.initiating : which === 'successful' ? proc.successful : proc.unsuccessful) : undefined;
          if (pv.raw) this.rawOpenType(w, pv.raw, path);
          else if (!msg) throw encFail(path, `procedure code ${pv.procedureCode} has no ${which} message`);
          else {
            path.push(msg);
            this.openType(w, this.refEncoder(msg), pv.value, path);
            path.pop();
          }
        };
      }
      case 'ref':
        return this.refEncoder(t.name);
    }
  }

  private ieField(w: BitWriter, set: string, ie: ProtocolIe, path: FieldPath): void {
    this.cwn(w, ie.id, 0, 65535, path);
    this.cwn(w, CRITICALITY.indexOf(ie.criticality), 0, 2, path);
    if (ie.raw) {
      this.rawOpenType(w, ie.raw, path);
      return;
    }
    let encs = this.ieEncoders.get(set);
    if (!encs) this.ieEncoders.set(set, (encs = new Map()));
    let enc = encs.get(ie.id);
    const e = this.setEntry(set, ie.id);
    if (!e) throw new EncodeError('ngap', pathText(path), `IE id ${ie.id} is not in ${set}; give its open type as raw`);
    if (!enc) {
      enc = this.encoder(e.type);
      encs.set(ie.id, enc);
    }
    path.push(e.name);
    this.openType(w, enc, ie.value, path);
    path.pop();
  }

  // --- decoding --------------------------------------------------------------------------------

  decode(typeName: string, bytes: Uint8Array): unknown {
    const r = new BitReader(bytes, [typeName]);
    return this.refDecoder(typeName)(r);
  }

  private dcwn(r: BitReader, lb: number, ub: number): number {
    const range = ub - lb + 1;
    if (range === 1) return lb;
    if (range <= 255) return lb + r.bits(bitsFor(range));
    if (range === 256) {
      r.align();
      return lb + r.bits(8);
    }
    if (range <= 65536) {
      r.align();
      return lb + r.bits(16);
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

  private dSizeLength(r: BitReader, size: Range | undefined): number {
    let inRoot = true;
    if (size?.ext) inRoot = r.bits(1) === 0;
    if (inRoot && size && size.ub !== undefined && size.ub < 65536) return size.lb === size.ub ? size.lb : this.dcwn(r, size.lb, size.ub);
    const { n, fragmented } = r.generalLength();
    if (fragmented) throw r.fail('BAD_LENGTH', 'fragmented lengths are not supported for this type');
    return n;
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
            const count = this.dnsnnwn(r) + 1;
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
        const size = t.size;
        const dec = this.decoder(t.of);
        return (r) => {
          if (++r.depth > MAX_DEPTH) throw r.fail('TOO_DEEP', `nesting deeper than ${MAX_DEPTH}`);
          const n = this.dSizeLength(r, size);
          if (n > r.endBit - r.bit + 1) throw r.fail('BAD_LENGTH', `${n} elements cannot fit in ${r.endBit - r.bit} bits`);
          const out: unknown[] = [];
          for (let i = 0; i < n; i++) {
            r.path.push(i);
            out.push(dec(r));
            r.path.pop();
          }
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
        const s = t.size;
        const fixed = s && s.lb === s.ub && !s.ext ? s.lb : undefined;
        if (fixed !== undefined && fixed <= 16) return (r) => ({ value: r.bitString(fixed), length: fixed });
        if (fixed !== undefined && fixed <= 65536)
          return (r) => {
            r.align();
            return { value: r.bitString(fixed), length: fixed };
          };
        return (r) => {
          const n = this.dSizeLength(r, s);
          r.align();
          return { value: r.bitString(n), length: n };
        };
      }
      case 'octets': {
        const s = t.size;
        const fixed = s && s.lb === s.ub && !s.ext ? s.lb : undefined;
        if (fixed !== undefined) return fixed <= 2 ? (r) => r.bitString(fixed * 8) : (r) => r.octets(fixed);
        return (r) => r.octets(this.dSizeLength(r, s));
      }
      case 'str': {
        if (t.kind === 'UTF8String')
          return (r) => {
            const { n } = r.generalLength();
            return new TextDecoder().decode(r.octets(n));
          };
        const size = t.size;
        const aligned = size?.ub === undefined || size.ub * 8 > 16;
        return (r) => {
          const n = this.dSizeLength(r, size);
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

  encodeProcedure(w: BitWriter, which: 'initiating' | 'successful' | 'unsuccessful', p: ProcedureValue, path: FieldPath): void {
    this.cwn(w, p.procedureCode, 0, 255, path);
    this.cwn(w, CRITICALITY.indexOf(p.criticality), 0, 2, path);
    this.encoder(PROCEDURE_TYPES[which])(w, p, path);
  }
}
