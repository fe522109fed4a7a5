// INTEGER and ENUMERATED in aligned PER (ITU-T X.691 13 and 14): constrained (13.2.5, as a
// constrained whole number), extensible (13.1: an extension bit), semi-constrained (13.2.6b) and
// unconstrained (13.2.6c) integers, and ENUMERATED as the index of its item (14.2-14.3), an
// extension item as a normally small number (14.3).

import type { BitWriter } from './bits.ts';
import type { AsnType, Range } from './schema.ts';
import { fail, indexIn, type Dec, type Enc } from './coder.ts';
import { BIG_RANGE, CWN_BITS, CWN_NONE, CWN_LENGTH, cwnOf, writeCwn, cwnWriter, readCwn, readCwnIn, readCwnLength, writeBigCwn, readBigCwn, writeNsnnwn, readNsnnwn, smallIndexBits, type Cwn } from './whole-numbers.ts';

/**
 * An INTEGER other than a plain constrained number (those are written by writeCwn directly):
 * bigints, an extensible range (X.691 13.1), semi-constrained (13.2.6b) and unconstrained
 * (13.2.6c) values; `c` is the root's constrained form when it has one.
 */
export function writeInteger(w: BitWriter, r: Range | undefined, c: Cwn | undefined, v: unknown): void {
  if (typeof v === 'bigint') {
    // beyond 2^53 only in a range that needs it (decoding gives numbers up to 2^53)
    if (r && r.ub !== undefined && r.ub - r.lb + 1 > BIG_RANGE && !r.ext) {
      writeBigCwn(w, v, r.lb, r.ub);
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
    else writeBigCwn(w, v, r.lb, r.ub);
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

/** X.691 13: an INTEGER, constrained values written directly. */
export function integerEncoder(t: Extract<AsnType, { k: 'int' }>): Enc {
  const r = t.range;
  const c = r && r.ub !== undefined && r.ub - r.lb + 1 <= BIG_RANGE ? cwnOf(r.lb, r.ub) : undefined;
  if (c && !r!.ext && !r!.parts) {
    const put = cwnWriter(c);
    return (w, v) => {
      if (typeof v === 'number' && Number.isInteger(v)) put(w, v);
      else writeInteger(w, r, c, v);
    };
  }
  return (w, v) => writeInteger(w, r, c, v);
}

/** The decoding side of integerEncoder (X.691 13). */
export function integerDecoder(t: Extract<AsnType, { k: 'int' }>): Dec {
  const rg = t.range;
  if (rg && !rg.ext && rg.ub !== undefined) {
    const { lb, ub } = rg;
    if (ub - lb + 1 > BIG_RANGE) return (r) => readBigCwn(r, lb, ub);
    // a range of up to 64K decided once (a bit-field, one or two octets); wider ones as before
    const c = cwnOf(lb, ub);
    if (c.kind === CWN_LENGTH) {
      const width = c.width;
      return (r) => readCwnLength(r, lb, ub, width);
    }
    return (r) => readCwn(r, c);
  }
  return (r) => {
    const inRoot = rg?.ext ? r.bits(1) === 0 : true;
    if (rg && inRoot && rg.ub !== undefined) return rg.ub - rg.lb + 1 > BIG_RANGE ? readBigCwn(r, rg.lb, rg.ub) : readCwnIn(r, rg.lb, rg.ub);
    const { n } = r.generalLength();
    if (n < 1 || n > 6) throw r.fail('BAD_LENGTH', `INTEGER of ${n} octets`);
    const raw = r.bits(8 * n);
    if (rg && inRoot) return rg.lb + raw;
    return raw >= 2 ** (8 * n - 1) ? raw - 2 ** (8 * n) : raw;
  };
}

/** X.691 14: an ENUMERATED value, given as the name of its item (`$ext:n` for an unknown extension item). */
export function enumeratedEncoder(t: Extract<AsnType, { k: 'enum' }>): Enc {
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
    writeNsnnwn(w, ei);
  };
}

/** The decoding side of enumeratedEncoder (X.691 14). */
export function enumeratedDecoder(t: Extract<AsnType, { k: 'enum' }>): Dec {
  const { items, extItems, ext } = t;
  const ub = items.length - 1;
  const nb = smallIndexBits(ub);
  return (r) => {
    if (ext && r.bits(1) === 1) {
      const idx = readNsnnwn(r);
      return extItems[idx] ?? `$ext:${idx}`;
    }
    const idx = nb >= 0 ? r.bits(nb) : readCwnIn(r, 0, ub);
    if (idx > ub) throw r.fail('BAD_VALUE', `ENUMERATED index ${idx} of ${ub + 1}`);
    return items[idx];
  };
}
