// A parser for the ASN.1 (X.680/X.681/X.683) subset the NGAP modules of TS 38.413 use, producing
// the runtime schema of codecs/per/schema.ts. It reads type assignments, value assignments
// (constants and elementary procedure objects) and information object sets; the three container
// parameterizations of NGAP-Containers (ProtocolIE-Container, ProtocolIE-SingleContainer,
// ProtocolExtensionContainer) and the CLASS.&field references of the PDU descriptions are resolved
// to dedicated schema nodes rather than by a general parameterization engine.

import type { AsnType, Field, IeClassEntry, Procedure, Range, Schema } from '../../codecs/per/schema.ts';

type Tok = string;

function tokenize(text: string): Tok[] {
  // comments: "--" to the end of the line or to the next "--" on it (X.680 12.6.3)
  const clean = text
    .split('\n')
    .map((line) => {
      let out = '';
      let i = 0;
      while (i < line.length) {
        const j = line.indexOf('--', i);
        if (j < 0) {
          out += line.slice(i);
          break;
        }
        out += line.slice(i, j);
        const k = line.indexOf('--', j + 2);
        if (k < 0) break;
        i = k + 2;
      }
      return out;
    })
    .join('\n');
  const toks: Tok[] = [];
  const re = /::=|\.\.\.|\.\.|\[\[|\]\]|[{}(),|@.&;:!]|-?\d+|[A-Za-z][A-Za-z0-9-]*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(clean))) toks.push(m[0]);
  return toks;
}

class Parser {
  private i = 0;
  private readonly t: Tok[];
  constructor(t: Tok[]) {
    this.t = t;
  }
  peek(o = 0): Tok | undefined {
    return this.t[this.i + o];
  }
  next(): Tok {
    const x = this.t[this.i++];
    if (x === undefined) throw new Error('unexpected end of module');
    return x;
  }
  eat(x: Tok): void {
    const got = this.next();
    if (got !== x) throw new Error(`expected '${x}', got '${got}' near token ${this.i}: ${this.t.slice(this.i - 5, this.i + 5).join(' ')}`);
  }
  maybe(x: Tok): boolean {
    if (this.peek() === x) {
      this.i++;
      return true;
    }
    return false;
  }
  atEnd(): boolean {
    return this.i >= this.t.length;
  }
  /** "Name ::=", "name Class ::=" or "Name {params} ::=" starts here. */
  atAssignmentStart(): boolean {
    const word = (x: Tok | undefined) => !!x && /^[A-Za-z]/.test(x);
    if (!word(this.peek())) return false;
    if (this.peek(1) === '::=') return true;
    if (word(this.peek(1)) && this.peek(2) === '::=') return true;
    if (this.peek(1) !== '{') return false;
    let j = this.i + 2;
    for (let depth = 1; depth > 0 && j < this.t.length; j++) {
      if (this.t[j] === '{') depth++;
      else if (this.t[j] === '}') depth--;
    }
    return this.t[j] === '::=';
  }
  /** Skips a balanced {...} or (...) group starting at the current token. */
  skipGroup(): void {
    const open = this.next();
    const close = open === '{' ? '}' : ')';
    let depth = 1;
    while (depth > 0) {
      const x = this.next();
      if (x === open) depth++;
      else if (x === close) depth--;
    }
  }
}

const isUpper = (s: string | undefined) => !!s && /^[A-Z]/.test(s);

export interface ParsedModule {
  types: Record<string, AsnType>;
  sets: Record<string, { items: ({ obj: ObjectValue } | { ref: string })[]; ext: boolean }>;
  values: Record<string, { cls: string; value: number | ObjectValue }>;
}

/** Parses one module's assignments (between BEGIN and END). */
export function parseModule(text: string): ParsedModule {
  const p = new Parser(tokenize(text));
  const out: ParsedModule = { types: {}, sets: {}, values: {} };
  while (!p.atEnd() && p.peek() !== 'BEGIN') p.next();
  p.eat('BEGIN');
  while (!p.atEnd() && p.peek() !== 'END') {
    if (p.peek() === 'IMPORTS' || p.peek() === 'EXPORTS') {
      while (p.next() !== ';');
      continue;
    }
    const name = p.next();
    if (p.peek() === '{') {
      // a parameterized assignment (NGAP-Containers): resolved by name elsewhere
      p.skipGroup();
      p.eat('::=');
      skipTypeOrValue(p);
      continue;
    }
    if (p.peek() === '::=') {
      p.next();
      if (p.peek() === 'CLASS') {
        p.next();
        p.skipGroup();
        if (p.maybe('WITH')) {
          p.eat('SYNTAX');
          p.skipGroup();
        }
        continue;
      }
      out.types[name] = parseType(p);
      continue;
    }
    // "name Class ::= value" or "SetName CLASS ::= { set }"
    const cls = p.next();
    p.eat('::=');
    if (isUpper(name) && p.peek() === '{') {
      out.sets[name] = parseObjectSet(p);
    } else if (p.peek() === '{') {
      out.values[name] = { cls, value: parseObject(p) };
    } else {
      out.values[name] = { cls, value: Number(p.next()) };
    }
  }
  return out;
}

function skipTypeOrValue(p: Parser): void {
  // skip tokens and balanced groups until the next assignment (or END)
  while (!p.atEnd() && p.peek() !== 'END' && !p.atAssignmentStart()) {
    if (p.peek() === '{' || p.peek() === '(') p.skipGroup();
    else p.next();
  }
}

/**
 * "{ ID id-X CRITICALITY reject TYPE T PRESENCE mandatory }" or an elementary procedure object:
 * keyword -> value, where TYPE and EXTENSION take a full type (it may be inline, e.g.
 * OCTET STRING (CONTAINING ...)) and every other keyword one token.
 */
type ObjectValue = Record<string, string | AsnType>;
function parseObject(p: Parser): ObjectValue {
  p.eat('{');
  const obj: ObjectValue = {};
  const twoWord = ['INITIATING MESSAGE', 'SUCCESSFUL OUTCOME', 'UNSUCCESSFUL OUTCOME', 'PROCEDURE CODE'];
  while (p.peek() !== '}') {
    let key = p.next();
    const two = `${key} ${p.peek() ?? ''}`;
    if (twoWord.includes(two)) {
      p.next();
      key = two;
    }
    if (key === 'TYPE' || key === 'EXTENSION') obj[key] = parseType(p);
    else if (['ID', 'CRITICALITY', 'PRESENCE', ...twoWord].includes(key)) obj[key] = p.next();
    else throw new Error(`unexpected '${key}' in an information object`);
  }
  p.eat('}');
  return obj;
}

function parseObjectSet(p: Parser): { items: ({ obj: ObjectValue } | { ref: string })[]; ext: boolean } {
  p.eat('{');
  const items: ({ obj: ObjectValue } | { ref: string })[] = [];
  let ext = false;
  while (p.peek() !== '}') {
    if (p.maybe('...')) {
      ext = true;
      continue;
    }
    if (p.maybe('|') || p.maybe(',')) continue;
    if (p.peek() === '{') items.push({ obj: parseObject(p) });
    else items.push({ ref: p.next() });
  }
  p.eat('}');
  return { items, ext };
}

function parseBound(p: Parser): number | string | undefined {
  const x = p.next();
  if (x === 'MIN' || x === 'MAX') return undefined;
  return /^-?\d+$/.test(x) ? Number(x) : x;
}

/** A constraint "(...)" after a type: value range or SIZE, with an optional extension marker. */
function parseConstraint(p: Parser): { range?: RangeRef; size?: RangeRef; containing?: string } {
  p.eat('(');
  const out: { range?: RangeRef; size?: RangeRef; containing?: string } = {};
  if (p.maybe('SIZE')) {
    p.eat('(');
    out.size = parseRange(p);
    p.eat(')');
    if (p.maybe(',')) {
      p.eat('...');
      out.size.ext = true;
    }
  } else if (p.maybe('CONTAINING')) {
    out.containing = p.next();
  } else {
    out.range = parseRange(p);
  }
  p.eat(')');
  return out;
}

interface RangeRef {
  lb: number | string | undefined;
  ub: number | string | undefined;
  ext?: boolean;
  /** The members of a union of numeric values and ranges. */
  parts?: [number, number][];
}

function parseRange(p: Parser): RangeRef {
  let lb = parseBound(p);
  let ub = lb;
  if (p.maybe('..')) ub = parseBound(p);
  // a union of values/ranges (e.g. 1..30 | 40 | 50): PER encodes in its extent (X.691 8.3), and
  // only the union's values are in the root (a value between them is an extension value, 13.1)
  const parts: [number, number][] = [];
  if (typeof lb === 'number' && typeof ub === 'number') parts.push([lb, ub]);
  let union = false;
  while (p.maybe('|')) {
    union = true;
    const a = parseBound(p);
    let b = a;
    if (p.maybe('..')) b = parseBound(p);
    if (typeof a === 'number' && typeof b === 'number') parts.push([a, b]);
    if (typeof lb === 'number' && typeof a === 'number') lb = Math.min(lb, a);
    if (typeof ub === 'number' && typeof b === 'number') ub = Math.max(ub, b);
  }
  const r: RangeRef = { lb, ub };
  if (union) r.parts = parts;
  if (p.peek() === ',' && p.peek(1) === '...') {
    p.next();
    p.next();
    r.ext = true;
    // extension additions of the constraint ("..., 4096..2000000") are not PER-visible
    while (p.peek() !== ')') p.next();
  }
  return r;
}

// Constraints refer to constants by name; they are resolved after all modules are read.
const unresolvedRanges: { target: Range; ref: RangeRef }[] = [];
function toRange(ref: RangeRef): Range {
  const target: Range = { lb: 0 };
  unresolvedRanges.push({ target, ref });
  return target;
}

function parseFields(p: Parser, kind: 'seq' | 'choice'): { fields: Field[]; extFields: Field[]; ext: boolean } {
  p.eat('{');
  const fields: Field[] = [];
  const extFields: Field[] = [];
  let ext = false;
  while (p.peek() !== '}') {
    if (p.maybe(',')) continue;
    if (p.maybe('...')) {
      ext = true;
      continue;
    }
    if (p.maybe('[[') || p.maybe(']]')) continue;
    const name = p.next();
    const type = parseType(p);
    const f: Field = { name, type };
    if (p.maybe('OPTIONAL')) f.optional = true;
    else if (p.maybe('DEFAULT')) {
      f.optional = true;
      f.defaultValue = p.next();
    }
    (ext ? extFields : fields).push(f);
  }
  p.eat('}');
  void kind;
  return { fields, extFields, ext };
}

function parseType(p: Parser): AsnType {
  const x = p.next();
  let t: AsnType;
  switch (x) {
    case 'SEQUENCE': {
      if (p.peek() === '{') {
        const { fields, extFields, ext } = parseFields(p, 'seq');
        return { k: 'seq', ext, fields, extFields };
      }
      let size: RangeRef | undefined;
      if (p.peek() === '(') size = parseConstraint(p).size;
      else if (p.peek() === 'SIZE') {
        p.next();
        p.eat('(');
        size = parseRange(p);
        p.eat(')');
      }
      p.eat('OF');
      const of = parseType(p);
      return size ? { k: 'seqof', size: toRange(size), of } : { k: 'seqof', of };
    }
    case 'CHOICE': {
      const { fields, extFields, ext } = parseFields(p, 'choice');
      return { k: 'choice', ext, alts: fields, extAlts: extFields };
    }
    case 'ENUMERATED': {
      p.eat('{');
      const items: string[] = [];
      const extItems: string[] = [];
      let ext = false;
      while (p.peek() !== '}') {
        if (p.maybe(',')) continue;
        if (p.maybe('...')) {
          ext = true;
          continue;
        }
        (ext ? extItems : items).push(p.next());
      }
      p.eat('}');
      return { k: 'enum', ext, items, extItems };
    }
    case 'INTEGER':
      t = { k: 'int' };
      if (p.peek() === '(') {
        const c = parseConstraint(p);
        if (c.range) t = { k: 'int', range: toRange(c.range) };
      }
      return t;
    case 'BIT':
    case 'OCTET': {
      p.eat('STRING');
      const c = p.peek() === '(' ? parseConstraint(p) : {};
      if (x === 'BIT') return c.size ? { k: 'bits', size: toRange(c.size) } : { k: 'bits' };
      return { k: 'octets', ...(c.size ? { size: toRange(c.size) } : {}), ...(c.containing ? { containing: c.containing } : {}) };
    }
    case 'PrintableString':
    case 'VisibleString':
    case 'UTF8String': {
      const c = p.peek() === '(' ? parseConstraint(p) : {};
      return c.size ? { k: 'str', kind: x, size: toRange(c.size) } : { k: 'str', kind: x };
    }
    case 'BOOLEAN':
      return { k: 'bool' };
    case 'NULL':
      return { k: 'null' };
    case 'OBJECT':
      p.eat('IDENTIFIER');
      return { k: 'oid' };
    default: {
      // CLASS.&field ({Set}{@id}) in the PDU descriptions and containers
      if (p.peek() === '.') {
        p.next();
        p.eat('&');
        const f = p.next();
        if (p.peek() === '(') p.skipGroup();
        if (f === 'procedureCode') return { k: 'ref', name: 'ProcedureCode' };
        if (f === 'criticality') return { k: 'ref', name: 'Criticality' };
        if (f === 'InitiatingMessage') return { k: 'procedure', which: 'initiating' };
        if (f === 'SuccessfulOutcome') return { k: 'procedure', which: 'successful' };
        if (f === 'UnsuccessfulOutcome') return { k: 'procedure', which: 'unsuccessful' };
        throw new Error(`unsupported class field reference ${x}.&${f}`);
      }
      if (p.peek() === '{') {
        // Container {{Set}}
        p.eat('{');
        p.eat('{');
        const set = p.next();
        p.eat('}');
        p.eat('}');
        if (x === 'ProtocolIE-Container') return { k: 'ies', set };
        if (x === 'ProtocolIE-SingleContainer') return { k: 'iesingle', set };
        if (x === 'ProtocolExtensionContainer') return { k: 'exts', set };
        if (x === 'PrivateIE-Container') return { k: 'private' };
        throw new Error(`unsupported parameterized type ${x}`);
      }
      t = { k: 'ref', name: x };
      if (p.peek() === '(') p.skipGroup(); // constraints on references are not used by PER here
      return t;
    }
  }
}

const toCriticality = (s: string) => s as 'reject' | 'ignore' | 'notify';

/** Builds the runtime schema from all parsed modules. */
export function buildSchema(modules: ParsedModule[], source: string): Schema {
  const types: Record<string, AsnType> = {};
  const rawSets: ParsedModule['sets'] = {};
  const values: ParsedModule['values'] = {};
  for (const m of modules) {
    Object.assign(types, m.types);
    Object.assign(rawSets, m.sets);
    Object.assign(values, m.values);
  }
  const constants: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v.value === 'number') constants[k] = v.value;
  const num = (x: number | string | undefined): number | undefined => {
    if (x === undefined) return undefined;
    if (typeof x === 'number') return x;
    const v = constants[x];
    if (v === undefined) throw new Error(`unknown constant ${x}`);
    return v;
  };
  for (const { target, ref } of unresolvedRanges.splice(0)) {
    target.lb = num(ref.lb) ?? 0;
    const ub = num(ref.ub);
    if (ub !== undefined) target.ub = ub;
    if (ref.ext) target.ext = true;
    if (ref.parts) target.parts = ref.parts;
  }
  const typeOf = (name: string): AsnType => ({ k: 'ref', name });
  const sets: Schema['sets'] = {};
  const expand = (name: string, seen = new Set<string>()): { entries: IeClassEntry[]; ext: boolean } => {
    const s = rawSets[name];
    if (!s) throw new Error(`unknown object set ${name}`);
    if (seen.has(name)) return { entries: [], ext: s.ext };
    seen.add(name);
    const entries: IeClassEntry[] = [];
    for (const it of s.items) {
      if ('ref' in it) {
        if (rawSets[it.ref]) entries.push(...expand(it.ref, seen).entries);
        continue;
      }
      const o = it.obj;
      if (typeof o.ID !== 'string') continue;
      const t = o.TYPE ?? o.EXTENSION;
      entries.push({
        id: num(o.ID)!,
        name: o.ID.replace(/^id-/, ''),
        criticality: toCriticality(String(o.CRITICALITY)),
        type: typeof t === 'string' ? typeOf(t) : (t as AsnType),
        presence: String(o.PRESENCE) as IeClassEntry['presence'],
      });
    }
    return { entries, ext: s.ext };
  };
  for (const name of Object.keys(rawSets)) {
    if (rawSets[name].items.some((i) => 'obj' in i && typeof i.obj.ID === 'string') || rawSets[name].items.length === 0) sets[name] = expand(name);
  }
  const procedures: Procedure[] = [];
  for (const [name, v] of Object.entries(values)) {
    if (v.cls !== 'NGAP-ELEMENTARY-PROCEDURE' || typeof v.value === 'number') continue;
    const o = v.value as Record<string, string>;
    procedures.push({
      code: num(o['PROCEDURE CODE'])!,
      name,
      criticality: toCriticality(o.CRITICALITY ?? 'ignore'),
      initiating: o['INITIATING MESSAGE'],
      ...(o['SUCCESSFUL OUTCOME'] ? { successful: o['SUCCESSFUL OUTCOME'] } : {}),
      ...(o['UNSUCCESSFUL OUTCOME'] ? { unsuccessful: o['UNSUCCESSFUL OUTCOME'] } : {}),
    });
  }
  procedures.sort((a, b) => a.code - b.code);
  return { source, types, sets, procedures, constants };
}
