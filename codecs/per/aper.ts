// Aligned PER (ITU-T X.691, ALIGNED variant) over a schema (codecs/per/schema.ts).
//
// Values: SEQUENCE -> object of its components (extension additions by name); SEQUENCE OF ->
// array; CHOICE -> { alternative: value }; ENUMERATED -> the item's name; INTEGER -> number;
// BIT STRING -> { value, length }; OCTET STRING -> Uint8Array; character strings -> string;
// BOOLEAN -> boolean; NULL -> null. Protocol IE containers -> arrays of { id, criticality,
// value } (IEs whose id the set does not define keep their open type octets as `raw`), and
// procedure values are decoded by procedure code. Unknown extension additions and alternatives are
// kept as their open-type octets, so decode -> encode is exact for values this schema predates.

import { BitReader, BitWriter, bitsFor } from './bits.ts';
import { DecodeError, EncodeError } from '../bytes/errors.ts';
import type { AsnType, Field, IeClassEntry, Range, Schema } from './schema.ts';

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

/** Ranges wider than this (2^48, 6 octets) are read and written through bigint. */
const BIG_RANGE = 2 ** 48;

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
  /** Per IE set, the entries with PRESENCE mandatory (checked after a container is decoded). */
  private readonly mandatory = new Map<string, IeClassEntry[]>();

  constructor(schema: Schema) {
    this.schema = schema;
    for (const [name, s] of Object.entries(schema.sets)) {
      this.setIndex.set(name, new Map(s.entries.map((e) => [e.id, e])));
      this.mandatory.set(name, s.entries.filter((e) => e.presence === 'mandatory'));
    }
    for (const p of schema.procedures) this.procByCode.set(p.code, p);
  }

  resolve(t: AsnType): AsnType {
    let x = t;
    for (let i = 0; x.k === 'ref'; i++) {
      const next = this.schema.types[x.name];
      if (!next) throw new EncodeError('ngap', x.name, 'unknown type');
      if (i > 32) throw new EncodeError('ngap', x.name, 'circular type reference');
      x = next;
    }
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

  private cwn(w: BitWriter, v: number, lb: number, ub: number, path: string[]): void {
    // X.691 11.5.7: constrained whole number, ALIGNED variant
    const range = ub - lb + 1;
    const off = v - lb;
    if (!(off >= 0 && off < range) || !Number.isInteger(off)) throw new EncodeError('ngap', path.join('.'), `${v} outside ${lb}..${ub}`);
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
  private cwnBig(w: BitWriter, v: number | bigint, lb: number, ub: number, path: string[]): void {
    const maxOctets = Math.ceil(bitsFor(ub - lb + 1) / 8);
    const off = BigInt(v) - BigInt(lb);
    const max = BigInt(ub) - BigInt(lb);
    if (off < 0n || off > max || off >= 1n << BigInt(8 * maxOctets)) throw new EncodeError('ngap', path.join('.'), `${v} outside ${lb}..${ub}`);
    let octets = 1;
    while (off >= 1n << BigInt(8 * octets)) octets++;
    w.bits(octets - 1, bitsFor(maxOctets));
    w.align();
    for (let i = octets - 1; i >= 0; i--) w.bits(Number((off >> BigInt(8 * i)) & 0xffn), 8);
  }

  private nsnnwn(w: BitWriter, n: number, path: string[]): void {
    // X.691 11.6: normally small non-negative whole number
    if (n <= 63) w.bits(n, 7);
    else {
      w.bits(1, 1);
      let octets = 1;
      while (n >= 2 ** (8 * octets)) octets++;
      w.generalLength(octets, path.join('.'));
      w.bits(n, 8 * octets);
    }
  }

  /** Length of a SIZE-constrained value (X.691 11.9.4.1): returns whether it was in the root. */
  private sizeLength(w: BitWriter, n: number, size: Range | undefined, path: string[]): void {
    const inRoot = !size || (n >= size.lb && (size.ub === undefined || n <= size.ub));
    if (size?.ext) w.bits(inRoot ? 0 : 1, 1);
    else if (!inRoot) throw new EncodeError('ngap', path.join('.'), `size ${n} outside ${size!.lb}..${size!.ub}`);
    if (inRoot && size && size.ub !== undefined && size.ub < 65536) {
      if (size.lb !== size.ub) this.cwn(w, n, size.lb, size.ub, path);
      return;
    }
    w.generalLength(n, path.join('.'));
  }

  private openType(w: BitWriter, t: AsnType, v: unknown, path: string[]): void {
    const inner = new BitWriter(64);
    this.enc(inner, t, v, path);
    let bytes = inner.finish();
    if (bytes.length === 0) bytes = new Uint8Array(1); // X.691 11.2: an empty encoding is one zero octet
    w.generalLength(bytes.length, path.join('.'));
    w.octets(bytes);
  }

  private rawOpenType(w: BitWriter, bytes: Uint8Array, path: string[]): void {
    w.generalLength(bytes.length, path.join('.'));
    w.octets(bytes);
  }

  private enc(w: BitWriter, t0: AsnType, v: unknown, path: string[]): void {
    const t = t0.k === 'ref' ? this.resolve(t0) : t0;
    const fail = (reason: string) => new EncodeError('ngap', path.join('.'), reason);
    switch (t.k) {
      case 'seq': {
        const o = (v ?? {}) as Record<string, unknown>;
        if (typeof v !== 'object' || v === null) throw fail('a SEQUENCE needs an object');
        const unknownExt = o.$unknownExtensions as { index: number; raw: Uint8Array }[] | undefined;
        const presentExt = t.extFields.map((f) => o[f.name] !== undefined);
        const extCount = Math.max(presentExt.lastIndexOf(true) + 1, ...(unknownExt ?? []).map((u) => u.index + 1), 0);
        if (extCount > 0 && !t.ext) throw fail('extension additions in a SEQUENCE without an extension marker');
        if (t.ext) w.bits(extCount > 0 ? 1 : 0, 1);
        for (const f of t.fields) if (f.optional) w.bits(o[f.name] !== undefined ? 1 : 0, 1);
        for (const f of t.fields) {
          const fv = o[f.name];
          if (fv === undefined) {
            if (!f.optional) throw fail(`mandatory component ${f.name} missing`);
            continue;
          }
          path.push(f.name);
          this.enc(w, f.type, fv, path);
          path.pop();
        }
        if (extCount > 0) {
          this.nsnnwn(w, extCount - 1, path);
          const present: boolean[] = [];
          for (let i = 0; i < extCount; i++) present.push(presentExt[i] === true || (unknownExt ?? []).some((u) => u.index === i));
          for (const p of present) w.bits(p ? 1 : 0, 1);
          for (let i = 0; i < extCount; i++) {
            if (!present[i]) continue;
            const f = t.extFields[i];
            const u = (unknownExt ?? []).find((x) => x.index === i);
            if (u) this.rawOpenType(w, u.raw, path);
            else {
              path.push(f.name);
              this.openType(w, f.type, o[f.name], path);
              path.pop();
            }
          }
        }
        return;
      }
      case 'seqof': {
        if (!Array.isArray(v)) throw fail('a SEQUENCE OF needs an array');
        this.sizeLength(w, v.length, t.size, path);
        v.forEach((x, i) => {
          path.push(`[${i}]`);
          this.enc(w, t.of, x, path);
          path.pop();
        });
        return;
      }
      case 'choice': {
        if (typeof v !== 'object' || v === null) throw fail('a CHOICE needs { alternative: value }');
        const [name, cv] = Object.entries(v as Record<string, unknown>)[0] ?? [];
        if (name === '$unknownAlternative') {
          const u = cv as { index: number; raw: Uint8Array };
          if (!t.ext) throw fail('an unknown alternative of a CHOICE without an extension marker');
          w.bits(1, 1);
          this.nsnnwn(w, u.index, path);
          this.rawOpenType(w, u.raw, path);
          return;
        }
        const ri = t.alts.findIndex((a) => a.name === name);
        if (ri >= 0) {
          if (t.ext) w.bits(0, 1);
          this.cwn(w, ri, 0, t.alts.length - 1, path);
          path.push(name!);
          this.enc(w, t.alts[ri].type, cv, path);
          path.pop();
          return;
        }
        const ei = t.extAlts.findIndex((a) => a.name === name);
        if (ei < 0 || !t.ext) throw fail(`no alternative ${String(name)}`);
        w.bits(1, 1);
        this.nsnnwn(w, ei, path);
        path.push(name!);
        this.openType(w, t.extAlts[ei].type, cv, path);
        path.pop();
        return;
      }
      case 'enum': {
        const name = String(v);
        const ri = t.items.indexOf(name);
        if (ri >= 0) {
          if (t.ext) w.bits(0, 1);
          this.cwn(w, ri, 0, t.items.length - 1, path);
          return;
        }
        const ei = name.startsWith('$ext:') ? Number(name.slice(5)) : t.extItems.indexOf(name);
        if (ei < 0 || !t.ext) throw fail(`'${name}' is not a value of this ENUMERATED`);
        w.bits(1, 1);
        this.nsnnwn(w, ei, path);
        return;
      }
      case 'int': {
        const r = t.range;
        if (typeof v === 'bigint') {
          // beyond 2^53 only in a range that needs it (decoding gives numbers up to 2^53)
          if (r && r.ub !== undefined && r.ub - r.lb + 1 > BIG_RANGE && !r.ext) {
            this.cwnBig(w, v, r.lb, r.ub, path);
            return;
          }
          if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw fail(`INTEGER ${v} beyond 2^53 outside a 64-bit range`);
          v = Number(v);
        }
        if (typeof v !== 'number' || !Number.isInteger(v)) throw fail(`INTEGER needs an integer, got ${String(v)}`);
        const inRoot = r && v >= r.lb && (r.ub === undefined || v <= r.ub);
        if (r?.ext) w.bits(inRoot ? 0 : 1, 1);
        else if (r && !inRoot) throw fail(`${v} outside ${r.lb}..${r.ub}`);
        if (r && inRoot && r.ub !== undefined) {
          if (r.ub - r.lb + 1 > BIG_RANGE) this.cwnBig(w, v, r.lb, r.ub, path);
          else this.cwn(w, v, r.lb, r.ub, path);
        } else if (r && inRoot) {
          let octets = 1;
          while (v - r.lb >= 2 ** (8 * octets)) octets++;
          w.generalLength(octets, path.join('.'));
          w.bits(v - r.lb, 8 * octets);
        } else {
          // unconstrained (or outside an extensible root): two's complement, minimal octets
          let octets = 1;
          while (v >= 2 ** (8 * octets - 1) || v < -(2 ** (8 * octets - 1))) octets++;
          w.generalLength(octets, path.join('.'));
          w.bits(v < 0 ? 2 ** (8 * octets) + v : v, 8 * octets);
        }
        return;
      }
      case 'bits': {
        const b = v as BitStringValue;
        if (!b || !(b.value instanceof Uint8Array)) throw fail('BIT STRING needs { value, length }');
        const s = t.size;
        const fixed = s && s.lb === s.ub && !s.ext;
        if (fixed && s.ub! <= 16) {
          if (b.length !== s.ub) throw fail(`BIT STRING of ${b.length} bits, ${s.ub} required`);
          w.bitString(b.value, b.length);
          return;
        }
        if (fixed && s.ub! <= 65536) {
          if (b.length !== s.ub) throw fail(`BIT STRING of ${b.length} bits, ${s.ub} required`);
          w.align();
          w.bitString(b.value, b.length);
          return;
        }
        this.sizeLength(w, b.length, s, path);
        w.align();
        w.bitString(b.value, b.length);
        return;
      }
      case 'octets': {
        if (!(v instanceof Uint8Array)) throw fail('OCTET STRING needs a Uint8Array');
        const s = t.size;
        const fixed = s && s.lb === s.ub && !s.ext;
        if (fixed) {
          if (v.length !== s.ub) throw fail(`OCTET STRING of ${v.length} octets, ${s.ub} required`);
          if (s.ub! <= 2) w.bitString(v, v.length * 8);
          else w.octets(v);
          return;
        }
        this.sizeLength(w, v.length, s, path);
        w.octets(v);
        return;
      }
      case 'str': {
        if (typeof v !== 'string') throw fail('a character string needs a string');
        const bytes = t.kind === 'UTF8String' ? new TextEncoder().encode(v) : Uint8Array.from(v, (c) => c.charCodeAt(0));
        if (t.kind === 'UTF8String') {
          w.generalLength(bytes.length, path.join('.'));
          w.octets(bytes);
          return;
        }
        // known-multiplier strings, 8 bits per character in the ALIGNED variant (X.691 30.5)
        this.sizeLength(w, bytes.length, t.size, path);
        if (t.size?.ub === undefined || t.size.ub * 8 > 16) w.align();
        w.bitString(bytes, bytes.length * 8);
        return;
      }
      case 'bool':
        w.bits(v ? 1 : 0, 1);
        return;
      case 'null':
        return;
      case 'oid': {
        const b = v as Uint8Array;
        w.generalLength(b.length, path.join('.'));
        w.octets(b);
        return;
      }
      case 'ies':
      case 'exts': {
        const list = v as ProtocolIe[];
        if (!Array.isArray(list)) throw fail('a protocol IE container needs an array');
        // ProtocolIE-Container SIZE(0..maxProtocolIEs), ProtocolExtensionContainer SIZE(1..maxProtocolExtensions)
        this.cwn(w, list.length, t.k === 'ies' ? 0 : 1, 65535, path);
        list.forEach((ie, i) => {
          path.push(`[${i}]`);
          this.ieField(w, t.set, ie, path);
          path.pop();
        });
        return;
      }
      case 'iesingle':
        this.ieField(w, t.set, v as ProtocolIe, path);
        return;
      case 'private': {
        const list = v as { id: { local?: number; global?: Uint8Array }; criticality: string; raw: Uint8Array }[];
        if (!Array.isArray(list)) throw fail('a private IE container needs an array');
        this.cwn(w, list.length, 1, 65535, path);
        for (const p of list) {
          if (p.id.global) {
            w.bits(1, 1); // PrivateIE-ID: global (OBJECT IDENTIFIER contents octets)
            w.generalLength(p.id.global.length, path.join('.'));
            w.octets(p.id.global);
          } else {
            w.bits(0, 1); // PrivateIE-ID: local
            this.cwn(w, p.id.local ?? 0, 0, 65535, path);
          }
          this.cwn(w, CRITICALITY.indexOf(p.criticality as 'reject'), 0, 2, path);
          this.rawOpenType(w, p.raw, path);
        }
        return;
      }
      case 'procedure': {
        // the 'value' of InitiatingMessage etc.: the message of the procedure named by procedureCode
        const pv = v as ProcedureValue & { $code: number };
        const proc = this.procByCode.get(pv.$code);
        const msg = proc ? (t.which === 'initiating' ? proc.initiating : t.which === 'successful' ? proc.successful : proc.unsuccessful) : undefined;
        if (pv.raw) this.rawOpenType(w, pv.raw, path);
        else if (!msg) throw fail(`procedure code ${pv.$code} has no ${t.which} message`);
        else this.openType(w, { k: 'ref', name: msg }, pv.value, path);
        return;
      }
    }
  }

  private ieField(w: BitWriter, set: string, ie: ProtocolIe, path: string[]): void {
    this.cwn(w, ie.id, 0, 65535, path);
    this.cwn(w, CRITICALITY.indexOf(ie.criticality), 0, 2, path);
    if (ie.raw) {
      this.rawOpenType(w, ie.raw, path);
      return;
    }
    const e = this.setEntry(set, ie.id);
    if (!e) throw new EncodeError('ngap', path.join('.'), `IE id ${ie.id} is not in ${set}; give its open type as raw`);
    path.push(e.name);
    this.openType(w, e.type, ie.value, path);
    path.pop();
  }

  // --- decoding --------------------------------------------------------------------------------

  decode(typeName: string, bytes: Uint8Array): unknown {
    const r = new BitReader(bytes, [typeName]);
    return this.dec(r, { k: 'ref', name: typeName });
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
   * An open type decoded in place: a reader over the same buffer bounded by the length
   * determinant, so offsets in errors stay absolute. Only a fragmented (>= 16K) open type is
   * joined into a copy first.
   */
  private dOpenType(r: BitReader, t: AsnType): unknown {
    const { n, fragmented } = r.generalLength();
    let sub: BitReader;
    if (!fragmented) {
      r.need(n * 8);
      const start = r.bit;
      r.bit += n * 8;
      sub = new BitReader(r.buf, r.path, start, start + n * 8);
    } else {
      const parts: Uint8Array[] = [r.octets(n)];
      for (let more = true; more; ) {
        const g = r.generalLength();
        parts.push(r.octets(g.n));
        more = g.fragmented;
      }
      sub = new BitReader(concat(parts), r.path);
    }
    sub.depth = r.depth;
    return this.dec(sub, t);
  }

  private dec(r: BitReader, t0: AsnType): unknown {
    if (++r.depth > MAX_DEPTH) throw r.fail('TOO_DEEP', `nesting deeper than ${MAX_DEPTH}`);
    try {
      return this.decInner(r, t0.k === 'ref' ? this.resolveForDecode(r, t0) : t0);
    } finally {
      r.depth--;
    }
  }

  private resolveForDecode(r: BitReader, t: AsnType): AsnType {
    try {
      return this.resolve(t);
    } catch (e) {
      throw r.fail('UNKNOWN_TYPE', (e as Error).message);
    }
  }

  private decInner(r: BitReader, t: AsnType): unknown {
    switch (t.k) {
      case 'seq': {
        const ext = t.ext ? r.bits(1) === 1 : false;
        const present = t.fields.map((f) => (f.optional ? r.bits(1) === 1 : true));
        const o: Record<string, unknown> = {};
        t.fields.forEach((f: Field, i) => {
          if (!present[i]) return;
          r.path.push(f.name);
          o[f.name] = this.dec(r, f.type);
          r.path.pop();
        });
        if (ext) {
          const count = this.dnsnnwn(r) + 1;
          const bitmap: boolean[] = [];
          for (let i = 0; i < count; i++) bitmap.push(r.bits(1) === 1);
          for (let i = 0; i < count; i++) {
            if (!bitmap[i]) continue;
            const f = t.extFields[i];
            if (f) {
              r.path.push(f.name);
              o[f.name] = this.dOpenType(r, f.type);
              r.path.pop();
            } else {
              ((o.$unknownExtensions ??= []) as { index: number; raw: Uint8Array }[]).push({ index: i, raw: this.dOpenTypeBytes(r) });
            }
          }
        }
        return o;
      }
      case 'seqof': {
        const n = this.dSizeLength(r, t.size);
        if (n > r.endBit - r.bit + 1) throw r.fail('BAD_LENGTH', `${n} elements cannot fit in ${r.endBit - r.bit} bits`);
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) {
          r.path.push(i);
          out.push(this.dec(r, t.of));
          r.path.pop();
        }
        return out;
      }
      case 'choice': {
        if (t.ext && r.bits(1) === 1) {
          const idx = this.dnsnnwn(r);
          const a = t.extAlts[idx];
          if (!a) return { $unknownAlternative: { index: idx, raw: this.dOpenTypeBytes(r) } };
          r.path.push(a.name);
          const v = this.dOpenType(r, a.type);
          r.path.pop();
          return { [a.name]: v };
        }
        const idx = this.dcwn(r, 0, t.alts.length - 1);
        const a = t.alts[idx];
        if (!a) throw r.fail('BAD_VALUE', `CHOICE index ${idx} of ${t.alts.length}`);
        r.path.push(a.name);
        const v = this.dec(r, a.type);
        r.path.pop();
        return { [a.name]: v };
      }
      case 'enum': {
        if (t.ext && r.bits(1) === 1) {
          const idx = this.dnsnnwn(r);
          return t.extItems[idx] ?? `$ext:${idx}`;
        }
        const idx = this.dcwn(r, 0, t.items.length - 1);
        const v = t.items[idx];
        if (v === undefined) throw r.fail('BAD_VALUE', `ENUMERATED index ${idx} of ${t.items.length}`);
        return v;
      }
      case 'int': {
        const rg = t.range;
        const inRoot = rg?.ext ? r.bits(1) === 0 : true;
        if (rg && inRoot && rg.ub !== undefined) return rg.ub - rg.lb + 1 > BIG_RANGE ? this.dcwnBig(r, rg.lb, rg.ub) : this.dcwn(r, rg.lb, rg.ub);
        const { n } = r.generalLength();
        if (n < 1 || n > 6) throw r.fail('BAD_LENGTH', `INTEGER of ${n} octets`);
        const raw = r.bits(8 * n);
        if (rg && inRoot) return rg.lb + raw;
        return raw >= 2 ** (8 * n - 1) ? raw - 2 ** (8 * n) : raw;
      }
      case 'bits': {
        const s = t.size;
        const fixed = s && s.lb === s.ub && !s.ext;
        if (fixed && s.ub! <= 16) return { value: r.bitString(s.ub!), length: s.ub! };
        if (fixed && s.ub! <= 65536) {
          r.align();
          return { value: r.bitString(s.ub!), length: s.ub! };
        }
        const n = this.dSizeLength(r, s);
        r.align();
        return { value: r.bitString(n), length: n };
      }
      case 'octets': {
        const s = t.size;
        const fixed = s && s.lb === s.ub && !s.ext;
        if (fixed) return s.ub! <= 2 ? r.bitString(s.ub! * 8) : r.octets(s.ub!);
        const n = this.dSizeLength(r, s);
        return r.octets(n);
      }
      case 'str': {
        if (t.kind === 'UTF8String') {
          const { n } = r.generalLength();
          return new TextDecoder().decode(r.octets(n));
        }
        const n = this.dSizeLength(r, t.size);
        if (t.size?.ub === undefined || t.size.ub * 8 > 16) r.align();
        const b = r.bitString(n * 8);
        let s = '';
        for (const c of b) s += String.fromCharCode(c);
        return s;
      }
      case 'bool':
        return r.bits(1) === 1;
      case 'null':
        return null;
      case 'oid': {
        const { n } = r.generalLength();
        return r.octets(n);
      }
      case 'ies':
      case 'exts': {
        const n = this.dcwn(r, t.k === 'ies' ? 0 : 1, 65535);
        const out: ProtocolIe[] = [];
        for (let i = 0; i < n; i++) {
          r.path.push(i);
          out.push(this.dIeField(r, t.set));
          r.path.pop();
        }
        // TS 38.413 10.3.5: an absent mandatory IE is an abstract syntax error the receiver
        // answers with Criticality Diagnostics naming that IE (type of error 'missing')
        if (t.k === 'ies') {
          for (const e of this.mandatory.get(t.set) ?? []) {
            if (!out.some((ie) => ie.id === e.id)) throw r.fail('MISSING_IE', `mandatory IE ${e.name} (id ${e.id}) absent`, e.id);
          }
        }
        return out;
      }
      case 'iesingle':
        return this.dIeField(r, t.set);
      case 'private': {
        const n = this.dcwn(r, 1, 65535);
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) {
          const global = r.bits(1) === 1;
          const id = global ? { global: (() => { const { n: l } = r.generalLength(); return r.octets(l); })() } : { local: this.dcwn(r, 0, 65535) };
          const c = this.dcwn(r, 0, 2);
          const criticality = CRITICALITY[c];
          if (!criticality) throw r.fail('BAD_VALUE', `criticality ${c}`);
          out.push({ id, criticality, raw: this.dOpenTypeBytes(r) });
        }
        return out;
      }
      case 'procedure':
        throw r.fail('BAD_VALUE', 'a procedure value is decoded with its procedure code');
      case 'ref':
        return this.dec(r, t);
    }
  }

  private dIeField(r: BitReader, set: string): ProtocolIe {
    const id = this.dcwn(r, 0, 65535);
    const c = this.dcwn(r, 0, 2);
    const criticality = CRITICALITY[c];
    if (!criticality) throw r.fail('BAD_VALUE', `criticality ${c}`, id);
    const e = this.setEntry(set, id);
    if (!e) return { id, criticality, raw: this.dOpenTypeBytes(r) };
    r.path.push(e.name);
    try {
      return { id, criticality, value: this.dOpenType(r, e.type) };
    } catch (err) {
      // carry the IE id for criticality handling (TS 38.413 10.3.4)
      if (err instanceof DecodeError && err.ie === undefined) throw new DecodeError({ ...err.toJSON(), ie: id });
      throw err;
    } finally {
      r.path.pop();
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
    const value = this.dOpenType(r, { k: 'ref', name: msg });
    r.path.pop();
    return { procedureCode, criticality, value };
  }

  encodeProcedure(w: BitWriter, which: 'initiating' | 'successful' | 'unsuccessful', p: ProcedureValue, path: string[]): void {
    this.cwn(w, p.procedureCode, 0, 255, path);
    this.cwn(w, CRITICALITY.indexOf(p.criticality), 0, 2, path);
    this.enc(w, { k: 'procedure', which }, { ...p, $code: p.procedureCode }, path);
  }
}
