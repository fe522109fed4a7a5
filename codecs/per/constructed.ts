// SEQUENCE, SEQUENCE OF and CHOICE in aligned PER (ITU-T X.691 19, 20 and 23): the preamble of
// extension and presence bits (19.1-19.3), extension additions as open types after their bitmap
// (19.7-19.9), the count of a SEQUENCE OF as its SIZE gives it (20.6), and a CHOICE's index
// (23.6-23.8). The component coders come from the codec (`encoderOf`, `decoderOf`), which
// compiles each type once.

import type { BitReader, BitWriter } from './bits.ts';
import type { AsnType } from './schema.ts';
import { MAX_DEPTH, fail, within, indexIn, type Dec, type Enc } from './coder.ts';
import { CWN_BITS, CWN_NONE, cwnOf, writeCwn, readCwnIn, writeNsnnwn, readNsnnwn, smallIndexBits } from './whole-numbers.ts';
import { sizeRuleOf, writeSizeHead, readSizeHead, SIZE_GENERAL } from './lengths.ts';
import { writeOpenType, writeRawOpenType, readOpenType, readOpenTypeBytes } from './open-type.ts';

type EncoderOf = (t: AsnType) => Enc;
type DecoderOf = (t: AsnType) => Dec;

/** X.691 19: a SEQUENCE, given as an object of its components (extension additions by name). */
export function sequenceEncoder(t: Extract<AsnType, { k: 'seq' }>, encoderOf: EncoderOf): Enc {
  const names = t.fields.map((f) => f.name);
  const optional = t.fields.map((f) => f.optional === true);
  const encs = t.fields.map((f) => encoderOf(f.type));
  const extNames = t.extFields.map((f) => f.name);
  const extEncs = t.extFields.map((f) => encoderOf(f.type));
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
      if (extNames.length > 0 || o.$unknownExtensions !== undefined) writeSequenceExtensions(w, o, pre, extNames, extEncs);
    } else if (o.$unknownExtensions !== undefined) throw fail('extension additions in a SEQUENCE without an extension marker');
  };
}

/** A SEQUENCE's extension additions (X.691 19.7-19.9), its extension bit at `pre` set when there are any. */
export function writeSequenceExtensions(w: BitWriter, o: Record<string, unknown>, pre: number, extNames: string[], extEncs: Enc[]): void {
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
    if (u) writeRawOpenType(w, u.raw);
    else {
      try {
        writeOpenType(w, extEncs[i], o[extNames[i]]);
      } catch (e) {
        throw within(e, extNames[i]);
      }
    }
  }
}

/** The decoding side of sequenceEncoder (X.691 19); unknown extension additions kept as open type octets. */
export function sequenceDecoder(t: Extract<AsnType, { k: 'seq' }>, decoderOf: DecoderOf): Dec {
  const names = t.fields.map((f) => f.name);
  const optional = t.fields.map((f) => f.optional === true);
  const nOpt = optional.filter(Boolean).length;
  const decs = t.fields.map((f) => decoderOf(f.type));
  const extNames = t.extFields.map((f) => f.name);
  const extDecs = t.extFields.map((f) => decoderOf(f.type));
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
          o[extNames[i]] = readOpenType(r, extDecs[i]);
          r.path.pop();
        } else {
          ((o.$unknownExtensions ??= []) as { index: number; raw: Uint8Array }[]).push({ index: i, raw: readOpenTypeBytes(r) });
        }
      }
    }
    r.depth--;
    return o;
  };
}

/** X.691 20: a SEQUENCE OF, given as an array. */
export function sequenceOfEncoder(t: Extract<AsnType, { k: 'seqof' }>, encoderOf: EncoderOf): Enc {
  const size = sizeRuleOf(t.size);
  const enc = encoderOf(t.of);
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

/** The decoding side of sequenceOfEncoder (X.691 20). */
export function sequenceOfDecoder(t: Extract<AsnType, { k: 'seqof' }>, decoderOf: DecoderOf): Dec {
  const size = sizeRuleOf(t.size);
  const dec = decoderOf(t.of);
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

/** X.691 23: a CHOICE, given as { alternative: value }. */
export function choiceEncoder(t: Extract<AsnType, { k: 'choice' }>, encoderOf: EncoderOf): Enc {
  const names = t.alts.map((a) => a.name);
  const encs = t.alts.map((a) => encoderOf(a.type));
  const extNames = t.extAlts.map((a) => a.name);
  const extEncs = t.extAlts.map((a) => encoderOf(a.type));
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
      writeChoiceExtension(w, hasExt, extNames, extEncs, name, cv);
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

/** A CHOICE value that is not a root alternative: an extension alternative or one kept unknown (X.691 23.8). */
export function writeChoiceExtension(w: BitWriter, hasExt: boolean, extNames: string[], extEncs: Enc[], name: string, cv: unknown): void {
  if (name === '$unknownAlternative') {
    const u = cv as { index: number; raw: Uint8Array };
    if (!hasExt) throw fail('an unknown alternative of a CHOICE without an extension marker');
    w.bits(1, 1);
    writeNsnnwn(w, u.index);
    writeRawOpenType(w, u.raw);
    return;
  }
  const ei = indexIn(extNames, name);
  if (ei < 0 || !hasExt) throw fail(`no alternative ${name}`);
  w.bits(1, 1);
  writeNsnnwn(w, ei);
  try {
    writeOpenType(w, extEncs[ei], cv);
  } catch (e) {
    throw within(e, name);
  }
}

/** The decoding side of choiceEncoder (X.691 23); an unknown extension alternative kept as open type octets. */
export function choiceDecoder(t: Extract<AsnType, { k: 'choice' }>, decoderOf: DecoderOf): Dec {
  const names = t.alts.map((a) => a.name);
  const decs = t.alts.map((a) => decoderOf(a.type));
  const extNames = t.extAlts.map((a) => a.name);
  const extDecs = t.extAlts.map((a) => decoderOf(a.type));
  const hasExt = t.ext;
  const ub = names.length - 1;
  const nb = smallIndexBits(ub);
  return (r) => {
    if (++r.depth > MAX_DEPTH) throw r.fail('TOO_DEEP', `nesting deeper than ${MAX_DEPTH}`);
    let out: Record<string, unknown>;
    if (hasExt && r.bits(1) === 1) {
      const idx = readNsnnwn(r);
      if (idx >= extDecs.length) out = { $unknownAlternative: { index: idx, raw: readOpenTypeBytes(r) } };
      else {
        r.path.push(extNames[idx]);
        out = {};
        out[extNames[idx]] = readOpenType(r, extDecs[idx]);
        r.path.pop();
      }
    } else {
      const idx = nb >= 0 ? r.bits(nb) : readCwnIn(r, 0, ub);
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
