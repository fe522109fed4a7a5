// SEQUENCE, SEQUENCE OF and CHOICE in aligned PER (ITU-T X.691 19, 20 and 23): the preamble of
// extension and presence bits (19.1-19.3), extension additions as open types after their bitmap
// (19.7-19.9), the count of a SEQUENCE OF as its SIZE gives it (20.6), and a CHOICE's index
// (23.6-23.8). The component coders come from the codec (`encoderOf`, `decoderOf`), which
// compiles each type once.

import type { BitReader, BitWriter } from './bits.ts';
import type { AsnType } from './schema.ts';
import { MAX_DEPTH, fail, within, indexIn, type Dec, type Enc } from './coder.ts';
import { CWN_BITS, CWN_NONE, cwnOf, writeCwn, readCwnIn, writeNsnnwn, readNsnnwn, smallIndexBits } from './whole-numbers.ts';
import { sizeRuleOf, sizeWriter, sizeReader, SIZE_GENERAL } from './lengths.ts';
import { writeOpenType, writeRawOpenType, readOpenType, readOpenTypeBytes } from './open-type.ts';

type EncoderOf = (t: AsnType) => Enc;
type DecoderOf = (t: AsnType) => Dec;

/**
 * X.691 19: a SEQUENCE, given as an object of its components (extension additions by name).
 *
 * The encoder of each SEQUENCE type is a function of its own, made from source text when the type
 * is compiled (`new Function`), with the component names as literal keys and each component's
 * encoder as its own call site. A closure shared by all SEQUENCE types would share V8's inline
 * caches among them: the keyed read `o[names[i]]` and the call `encs[i](w, fv)` went megamorphic
 * (a third of an NGAP encode). The rules stay here, once: the text only unrolls the component
 * loop. Names come from the schema and are quoted with JSON.stringify.
 */
export function sequenceEncoder(t: Extract<AsnType, { k: 'seq' }>, encoderOf: EncoderOf): Enc {
  const encs = t.fields.map((f) => encoderOf(f.type));
  const extNames = t.extFields.map((f) => f.name);
  const extEncs = t.extFields.map((f) => encoderOf(f.type));
  const hasExt = t.ext;
  // X.691 19.1-19.3: the extension bit, then a presence bit per OPTIONAL component; the
  // preamble is reserved (cleared) and its bits set in place as the components are met, so each
  // component is looked up once
  const preamble = (hasExt ? 1 : 0) + t.fields.filter((f) => f.optional === true).length;
  let src = `if (typeof v !== 'object' || v === null) throw fail('a SEQUENCE needs an object');\nconst pre = w.bit;\n`;
  if (preamble > 0) src += `w.zeros(${preamble});\n`;
  // one try for the components, the one being written in `at` (a try per component cost more
  // than the rest of a short component's encoding); -1 for the SEQUENCE's own failures
  src += 'let fv, p, at = -1;\ntry {\n';
  let bit = hasExt ? 1 : 0;
  t.fields.forEach((f, i) => {
    const key = JSON.stringify(f.name);
    const call = `at = ${i}; e${i}(w, fv);`;
    src += `fv = v[${key}];\n`;
    if (f.optional === true) {
      src += `if (fv !== undefined) { p = pre + ${bit}; w.buf[p >> 3] |= 0x80 >> (p & 7); ${call} }\n`;
      bit++;
    } else src += `if (fv === undefined) { at = -1; throw fail(${JSON.stringify(`mandatory component ${f.name} missing`)}); }\n${call}\n`;
  });
  src += '} catch (e) {\n  throw at >= 0 ? within(e, names[at]) : e;\n}\n';
  if (hasExt) {
    src += extNames.length > 0 ? 'writeSequenceExtensions(w, v, pre, extNames, extEncs);\n' : 'if (v.$unknownExtensions !== undefined) writeSequenceExtensions(w, v, pre, extNames, extEncs);\n';
  } else src += `if (v.$unknownExtensions !== undefined) throw fail('extension additions in a SEQUENCE without an extension marker');\n`;
  const bind = encs.map((_, i) => `const e${i} = encs[${i}];`).join('\n');
  const make = new Function('encs', 'names', 'extNames', 'extEncs', 'fail', 'within', 'writeSequenceExtensions', `'use strict';\n${bind}\nreturn function sequenceEncoder(w, v) {\n${src}};`) as (
    encs: Enc[],
    names: string[],
    extNames: string[],
    extEncs: Enc[],
    f: typeof fail,
    wi: typeof within,
    wse: typeof writeSequenceExtensions,
  ) => Enc;
  return make(
    encs,
    t.fields.map((f) => f.name),
    extNames,
    extEncs,
    fail,
    within,
    writeSequenceExtensions,
  );
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

/**
 * The decoding side of sequenceEncoder (X.691 19); unknown extension additions kept as open type
 * octets. A function of its own per SEQUENCE type, as the encoder and for the same reason: the
 * value object is built with literal keys, by one object literal of the components present (up to
 * MAX_SHAPES optional components) or else by stores, each site with its own inline cache (one
 * shared `o[names[i]] = ...` was V8's megamorphic keyed store, the largest line of a decode).
 */
export function sequenceDecoder(t: Extract<AsnType, { k: 'seq' }>, decoderOf: DecoderOf, paths = true): Dec {
  const decs = t.fields.map((f) => decoderOf(f.type));
  const extNames = t.extFields.map((f) => f.name);
  const extDecs = t.extFields.map((f) => decoderOf(f.type));
  const nOpt = t.fields.filter((f) => f.optional === true).length;
  let src = `if (++r.depth > ${MAX_DEPTH}) throw r.fail('TOO_DEEP', 'nesting deeper than ${MAX_DEPTH}');\n`;
  src += t.ext ? 'const ext = r.bits(1) === 1;\n' : '';
  // the preamble's presence bits are read in place as the components are reached
  src += `r.need(${nOpt});\nconst p0 = r.bit;\nr.bit += ${nOpt};\nconst buf = r.buf;\n`;
  // the components read in order into locals (an absent one stays undefined: no decoded value
  // is), then the value made by one object literal of the components present, so it has its
  // final shape at once (stores after a literal of fewer properties moved them out of the
  // object); more than MAX_SHAPES optional components: stores in order
  const opt: number[] = [];
  t.fields.forEach((f, i) => {
    if (f.optional === true) opt.push(i);
  });
  if (t.fields.length > 0) src += `let ${t.fields.map((_, i) => `c${i}`).join(', ')};\n`;
  // one try for the components, the one being read in `at` (as the encoder); none in a codec
  // without paths (see AperCodec)
  if (paths) src += 'let at = 0;\ntry {\n';
  let k = 0;
  t.fields.forEach((f, i) => {
    const get = paths ? `at = ${i}; c${i} = d${i}(r);` : `c${i} = d${i}(r);`;
    if (f.optional === true) {
      src += `if ((buf[(p0 + ${k}) >> 3] >> (7 - ((p0 + ${k}) & 7))) & 1) { ${get} }\n`;
      k++;
    } else src += `${get}\n`;
  });
  if (paths) src += '} catch (e) {\n  throw r.within(e, names[at]);\n}\n';
  const literal = (present: Set<number>) => `{ ${t.fields.flatMap((f, i) => (f.optional !== true || present.has(i) ? [`${JSON.stringify(f.name)}: c${i}`] : [])).join(', ')} }`;
  const shapes = (j: number, present: Set<number>): string =>
    j === opt.length ? literal(present) : `c${opt[j]} !== undefined ? ${shapes(j + 1, new Set([...present, opt[j]]))} : ${shapes(j + 1, present)}`;
  if (opt.length <= MAX_SHAPES) src += `const o = ${shapes(0, new Set())};\n`;
  else src += `const o = {};\n${t.fields.map((f, i) => (f.optional === true ? `if (c${i} !== undefined) ` : '') + `o[${JSON.stringify(f.name)}] = c${i};`).join('\n')}\n`;
  if (t.ext) src += 'if (ext) readSequenceExtensions(r, o, extNames, extDecs);\n';
  src += 'r.depth--;\nreturn o;\n';
  const bind = decs.map((_, i) => `const d${i} = decs[${i}];`).join('\n');
  const make = new Function('decs', 'names', 'extNames', 'extDecs', 'readSequenceExtensions', `'use strict';\n${bind}\nreturn function sequenceDecoder(r) {\n${src}};`) as (
    decs: Dec[],
    names: string[],
    extNames: string[],
    extDecs: Dec[],
    rse: typeof readSequenceExtensions,
  ) => Dec;
  return make(
    decs,
    t.fields.map((f) => f.name),
    extNames,
    extDecs,
    readSequenceExtensions,
  );
}

/** Optional components up to which a SEQUENCE's value is made by one literal per set present (2^n literals). */
const MAX_SHAPES = 3;

/** A SEQUENCE's extension additions after its root (X.691 19.8-19.9), into `o`. */
function readSequenceExtensions(r: BitReader, o: Record<string, unknown>, extNames: string[], extDecs: Dec[]): void {
  // X.691 19.8: the bitmap's length, a normally small length (11.9.3.4)
  const count = r.bits(1) === 0 ? r.bits(6) + 1 : r.generalLength().n;
  const bitmap: boolean[] = [];
  for (let i = 0; i < count; i++) bitmap.push(r.bits(1) === 1);
  for (let i = 0; i < count; i++) {
    if (!bitmap[i]) continue;
    if (i < extDecs.length) {
      try {
        o[extNames[i]] = readOpenType(r, extDecs[i]);
      } catch (e) {
        throw r.within(e, extNames[i]);
      }
    } else {
      ((o.$unknownExtensions ??= []) as { index: number; raw: Uint8Array }[]).push({ index: i, raw: readOpenTypeBytes(r) });
    }
  }
}

/**
 * X.691 20: a SEQUENCE OF, given as an array. A function of its own per SEQUENCE OF type (see
 * sequenceEncoder): its component encoder called from a site of its own, its SIZE rule bound to
 * it alone (a closure shared by all of them called every component type from one site).
 */
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
  // X.691 20.6: a general length counts components, in fragments of 16K components
  const src = `'use strict';
return function sequenceOfEncoder(w, v) {
  if (!Array.isArray(v)) throw fail('a SEQUENCE OF needs an array');
  const n = v.length;
  if (writeSize(w, n) === SIZE_GENERAL) {
    w.fragments(n, (from, count) => put(w, v, from, count));
    return;
  }
  // one try for the loop (the index is the failed component's)
  let i = 0;
  try {
    for (; i < n; i++) enc(w, v[i]);
  } catch (e) {
    throw within(e, i);
  }
};`;
  const make = new Function('writeSize', 'enc', 'put', 'fail', 'within', 'SIZE_GENERAL', src) as (
    writeSize: (w: BitWriter, n: number) => number,
    enc: Enc,
    put: (w: BitWriter, v: unknown[], from: number, count: number) => void,
    f: typeof fail,
    wi: typeof within,
    g: typeof SIZE_GENERAL,
  ) => Enc;
  return make(sizeWriter(size), enc, put, fail, within, SIZE_GENERAL);
}

/** The decoding side of sequenceOfEncoder (X.691 20). */
export function sequenceOfDecoder(t: Extract<AsnType, { k: 'seqof' }>, decoderOf: DecoderOf, paths = true): Dec {
  const size = sizeRuleOf(t.size);
  const dec = decoderOf(t.of);
  const take = (r: BitReader, out: unknown[], n: number) => {
    if (n > r.endBit - r.bit + 1) throw r.fail('BAD_LENGTH', `${n} elements cannot fit in ${r.endBit - r.bit} bits`);
    for (let i = out.length, end = out.length + n; i < end; i++) {
      try {
        out.push(dec(r));
      } catch (e) {
        throw r.within(e, i);
      }
    }
  };
  // a function of its own per type, as the encoder
  const src = `'use strict';
return function sequenceOfDecoder(r) {
  if (++r.depth > ${MAX_DEPTH}) throw r.fail('TOO_DEEP', 'nesting deeper than ${MAX_DEPTH}');
  const n = readSize(r);
  const out = [];
  // a general length (X.691 20.6) counts components, in fragments of 16K components
  if (n < 0) r.fragments((count) => take(r, out, count));
  else {
    if (n > r.endBit - r.bit + 1) throw r.fail('BAD_LENGTH', n + ' elements cannot fit in ' + (r.endBit - r.bit) + ' bits');
    ${paths ? 'let i = 0;\n    try {\n      for (; i < n; i++) out.push(dec(r));\n    } catch (e) {\n      throw r.within(e, i);\n    }' : 'for (let i = 0; i < n; i++) out.push(dec(r));'}
  }
  r.depth--;
  return out;
};`;
  const make = new Function('readSize', 'dec', 'take', src) as (readSize: (r: BitReader) => number, dec: Dec, take: (r: BitReader, out: unknown[], n: number) => void) => Dec;
  return make(sizeReader(size), dec, take);
}

/**
 * X.691 23: a CHOICE, given as { alternative: value }. A function of its own per CHOICE type
 * (see sequenceEncoder): the alternative's value read by a literal key and its encoder called
 * from a site of its own.
 */
export function choiceEncoder(t: Extract<AsnType, { k: 'choice' }>, encoderOf: EncoderOf): Enc {
  const encs = t.alts.map((a) => encoderOf(a.type));
  const extNames = t.extAlts.map((a) => a.name);
  const extEncs = t.extAlts.map((a) => encoderOf(a.type));
  const hasExt = t.ext;
  // X.691 23.6-23.7: the extension bit (0 for a root alternative), then the index as a
  // constrained whole number 0..ub; one bit-field when the index is one (< 256 alternatives)
  const index = cwnOf(0, t.alts.length - 1);
  const head = index.kind === CWN_BITS || index.kind === CWN_NONE ? index.width + (hasExt ? 1 : 0) : -1;
  let src = `if (typeof v !== 'object' || v === null) throw fail('a CHOICE needs { alternative: value }');
let name;
for (const k in v) { name = k; break; }
if (name === undefined) throw fail('a CHOICE needs { alternative: value }, got {}');
switch (name) {
`;
  t.alts.forEach((a, i) => {
    const key = JSON.stringify(a.name);
    const put = head >= 0 ? `w.bits(${i}, ${head});` : `${hasExt ? 'w.bits(0, 1); ' : ''}writeCwn(w, ${i}, index);`;
    src += `case ${key}: { const cv = v[${key}]; ${put} try { e${i}(w, cv); } catch (e) { throw within(e, ${key}); } return; }\n`;
  });
  src += 'default: writeChoiceExtension(w, hasExt, extNames, extEncs, name, v[name]);\n}\n';
  const bind = encs.map((_, i) => `const e${i} = encs[${i}];`).join('\n');
  const make = new Function('encs', 'extNames', 'extEncs', 'hasExt', 'index', 'fail', 'within', 'writeCwn', 'writeChoiceExtension', `'use strict';\n${bind}\nreturn function choiceEncoder(w, v) {\n${src}};`) as (
    encs: Enc[],
    extNames: string[],
    extEncs: Enc[],
    hasExt: boolean,
    index: ReturnType<typeof cwnOf>,
    f: typeof fail,
    wi: typeof within,
    wc: typeof writeCwn,
    wce: typeof writeChoiceExtension,
  ) => Enc;
  return make(encs, extNames, extEncs, hasExt, index, fail, within, writeCwn, writeChoiceExtension);
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

/**
 * The decoding side of choiceEncoder (X.691 23); an unknown extension alternative kept as open type
 * octets. A function of its own per CHOICE type: each alternative's value object is a literal with
 * its key (a keyed store of a name from a shared list was megamorphic).
 */
export function choiceDecoder(t: Extract<AsnType, { k: 'choice' }>, decoderOf: DecoderOf, paths = true): Dec {
  const decs = t.alts.map((a) => decoderOf(a.type));
  const extNames = t.extAlts.map((a) => a.name);
  const extDecs = t.extAlts.map((a) => decoderOf(a.type));
  const ub = t.alts.length - 1;
  const nb = smallIndexBits(ub);
  let src = `if (++r.depth > ${MAX_DEPTH}) throw r.fail('TOO_DEEP', 'nesting deeper than ${MAX_DEPTH}');\nlet out;\n`;
  if (t.ext) src += 'if (r.bits(1) === 1) out = readChoiceExtension(r, extNames, extDecs);\nelse {\n';
  src += `const idx = ${nb >= 0 ? `r.bits(${nb})` : `readCwnIn(r, 0, ${ub})`};\nswitch (idx) {\n`;
  t.alts.forEach((a, i) => {
    const key = JSON.stringify(a.name);
    src += paths ? `case ${i}: try { out = { ${key}: d${i}(r) }; } catch (e) { throw r.within(e, ${key}); } break;\n` : `case ${i}: out = { ${key}: d${i}(r) }; break;\n`;
  });
  src += `default: throw r.fail('BAD_VALUE', 'CHOICE index ' + idx + ' of ${ub + 1}');\n}\n`;
  if (t.ext) src += '}\n';
  src += 'r.depth--;\nreturn out;\n';
  const bind = decs.map((_, i) => `const d${i} = decs[${i}];`).join('\n');
  const make = new Function('decs', 'extNames', 'extDecs', 'readCwnIn', 'readChoiceExtension', `'use strict';\n${bind}\nreturn function choiceDecoder(r) {\n${src}};`) as (
    decs: Dec[],
    extNames: string[],
    extDecs: Dec[],
    rc: typeof readCwnIn,
    rce: typeof readChoiceExtension,
  ) => Dec;
  return make(decs, extNames, extDecs, readCwnIn, readChoiceExtension);
}

/** A CHOICE's extension alternative (X.691 23.8), or one kept unknown as its open type octets. */
function readChoiceExtension(r: BitReader, extNames: string[], extDecs: Dec[]): Record<string, unknown> {
  const idx = readNsnnwn(r);
  if (idx >= extDecs.length) return { $unknownAlternative: { index: idx, raw: readOpenTypeBytes(r) } };
  const out: Record<string, unknown> = {};
  try {
    out[extNames[idx]] = readOpenType(r, extDecs[idx]);
  } catch (e) {
    throw r.within(e, extNames[idx]);
  }
  return out;
}
