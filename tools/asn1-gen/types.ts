// Emits codecs/ngap/generated/types.ts from the runtime schema: the TypeScript type of the value
// the aligned-PER runtime (codecs/per/aper.ts) reads and writes for every ASN.1 type, and, per
// NGAP message and IE-container transfer, an interface of its IEs by the names the information
// object sets give them. The mapping follows the runtime's value representation exactly:
//
//   SEQUENCE          interface; OPTIONAL/DEFAULT components optional; extension additions
//                     optional (absent in values decoded from older encoders); an extensible
//                     SEQUENCE may carry the additions it did not know as `$unknownExtensions`
//   SEQUENCE OF       array
//   CHOICE            union of single-key objects (plus { $unknownAlternative } when extensible)
//   ENUMERATED        union of its item names (plus `$ext:<index>` for unknown extension items)
//   INTEGER           number; number | bigint for ranges wider than 2^48 (the runtime's BIG_RANGE)
//   BIT STRING        BitStringValue { value, length }
//   OCTET STRING      Uint8Array (also OCTET STRING (CONTAINING ...): the runtime keeps the octets)
//   OBJECT IDENTIFIER Uint8Array (contents octets)
//   strings           string; BOOLEAN boolean; NULL null
//   containers        ProtocolIe[] (ProtocolIE-Container, ProtocolExtensionContainer),
//                     ProtocolIe (ProtocolIE-SingleContainer), PrivateIe[] (PrivateIE-Container)

import type { AsnType, Range, Schema } from '../../codecs/per/schema.ts';

/** The runtime switches to bigint above this range width (codecs/per/aper.ts BIG_RANGE). */
const BIG_RANGE = 2 ** 48;

/** A TypeScript identifier for an ASN.1 type reference ('RAN-UE-NGAP-ID' -> RAN_UE_NGAP_ID). */
const tsName = (asn: string) => asn.replace(/-/g, '_');
const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`);

/** ' ' before a one-line type, nothing before one that starts on the next line (no trailing blanks). */
const sp = (body: string) => (body.startsWith('\n') ? '' : ' ');

const rangeText = (r: Range | undefined) => (r ? `${r.lb === r.ub ? r.lb : `${r.lb}..${r.ub ?? 'MAX'}`}${r.ext ? ', ...' : ''}` : '');

/** A one-line ASN.1 description of a type, for the comment above its TypeScript type. */
function describe(t: AsnType): string {
  switch (t.k) {
    case 'seq':
      return `SEQUENCE${t.ext ? ' (extensible)' : ''}`;
    case 'seqof':
      return `SEQUENCE${t.size ? ` (SIZE(${rangeText(t.size)}))` : ''} OF ${describe(t.of)}`;
    case 'choice':
      return `CHOICE${t.ext ? ' (extensible)' : ''}`;
    case 'enum':
      return `ENUMERATED${t.ext ? ' (extensible)' : ''}`;
    case 'int':
      return `INTEGER${t.range ? ` (${rangeText(t.range)})` : ''}`;
    case 'bits':
      return `BIT STRING${t.size ? ` (SIZE(${rangeText(t.size)}))` : ''}`;
    case 'octets':
      return `OCTET STRING${t.size ? ` (SIZE(${rangeText(t.size)}))` : ''}${t.containing ? ` (CONTAINING ${t.containing})` : ''}`;
    case 'str':
      return `${t.kind}${t.size ? ` (SIZE(${rangeText(t.size)}))` : ''}`;
    case 'bool':
      return 'BOOLEAN';
    case 'null':
      return 'NULL';
    case 'oid':
      return 'OBJECT IDENTIFIER';
    case 'ref':
      return t.name;
    case 'ies':
      return `ProtocolIE-Container {{${t.set}}}`;
    case 'iesingle':
      return `ProtocolIE-SingleContainer {{${t.set}}}`;
    case 'exts':
      return `ProtocolExtensionContainer {{${t.set}}}`;
    case 'private':
      return 'PrivateIE-Container';
    case 'procedure':
      return `NGAP-ELEMENTARY-PROCEDURE.&${t.which}`;
  }
}

/** The TypeScript type of a value of `t`; nested SEQUENCE/CHOICE bodies indented under `ind`. */
function tsType(t: AsnType, ind: string): string {
  switch (t.k) {
    case 'seq':
      return `${t.ext ? 'Extensible & ' : ''}${members(t, ind)}`;
    case 'seqof': {
      const of = tsType(t.of, ind);
      return /^[\w$]+$/.test(of) ? `${of}[]` : `Array<${of}>`;
    }
    case 'choice': {
      const alts = [...t.alts, ...t.extAlts].map((a) => `{ ${key(a.name)}: ${tsType(a.type, `${ind}  `)} }`);
      if (t.ext) alts.push('{ $unknownAlternative: UnknownAddition }');
      return alts.map((a) => `\n${ind}  | ${a}`).join('');
    }
    case 'enum': {
      const items = [...t.items, ...t.extItems].map((i) => `'${i}'`);
      if (t.ext) items.push('UnknownEnumerated');
      const line = items.join(' | ');
      return line.length <= 100 ? line : items.map((i) => `\n${ind}  | ${i}`).join('');
    }
    case 'int':
      return t.range && (t.range.ub === undefined ? false : t.range.ub - t.range.lb + 1 > BIG_RANGE) ? 'number | bigint' : 'number';
    case 'bits':
      return 'BitStringValue';
    case 'octets':
    case 'oid':
      return 'Uint8Array';
    case 'str':
      return 'string';
    case 'bool':
      return 'boolean';
    case 'null':
      return 'null';
    case 'ref':
      return tsName(t.name);
    case 'ies':
    case 'exts':
      return 'ProtocolIe[]';
    case 'iesingle':
      return 'ProtocolIe';
    case 'private':
      return 'PrivateIe[]';
    case 'procedure':
      return 'ProcedureValue';
  }
}

/** The `{ ... }` body of a SEQUENCE. */
function members(t: Extract<AsnType, { k: 'seq' }>, ind: string): string {
  const lines = [
    ...t.fields.map((f) => {
      const body = tsType(f.type, `${ind}  `);
      return `${ind}  ${key(f.name)}${f.optional ? '?' : ''}:${sp(body)}${body};`;
    }),
    // extension additions: optional, as values decoded from an encoder that predates them lack them
    ...t.extFields.map((f) => {
      const body = tsType(f.type, `${ind}  `);
      return `${ind}  ${key(f.name)}?:${sp(body)}${body}; // extension addition`;
    }),
  ];
  return lines.length ? `{\n${lines.join('\n')}\n${ind}}` : '{}';
}

/** The IE interface of a type whose protocolIEs component is a ProtocolIE-Container, or undefined. */
function ieSetOf(schema: Schema, typeName: string): string | undefined {
  const t = schema.types[typeName];
  const f = t && t.k === 'seq' ? t.fields.find((x) => x.name === 'protocolIEs') : undefined;
  return f && f.type.k === 'ies' ? f.type.set : undefined;
}

export function emitTypes(schema: Schema): string {
  const out: string[] = [
    '// GENERATED by tools/asn1-gen (npm run gen:ngap) from 3GPP TS 38.413 V17.4.0, spec/ngap-38413-h40.',
    '// Do not edit: change the generator or the ASN.1 and regenerate.',
    '//',
    '// The TypeScript types of the values the aligned-PER runtime (codecs/per/aper.ts) reads and',
    '// writes for each NGAP ASN.1 type, and the IEs of each message and IE-container transfer by',
    '// name, for ngapPdu(), transfer() and encodeNgapType() (codecs/ngap/build.ts).',
    "import type { BitStringValue, PrivateIe, ProcedureValue, ProtocolIe } from '../../per/aper.ts';",
    '',
    '/** An extension addition or alternative this schema predates, kept as its open type octets. */',
    'export interface UnknownAddition {',
    '  index: number;',
    '  raw: Uint8Array;',
    '}',
    '',
    '/** An extensible SEQUENCE: additions unknown to this schema, kept by the decoder for re-encoding. */',
    'export interface Extensible {',
    '  $unknownExtensions?: UnknownAddition[];',
    '}',
    '',
    '/** An extension item of an ENUMERATED this schema predates, by its extension index. */',
    'export type UnknownEnumerated = `$ext:${number}`;',
    '',
  ];
  const used = new Set(['UnknownAddition', 'Extensible', 'UnknownEnumerated', 'BitStringValue', 'PrivateIe', 'ProcedureValue', 'ProtocolIe', 'NgapTypes', 'NgapMessageIes', 'NgapTransferIes']);
  const claim = (ts: string, asn: string) => {
    if (used.has(ts)) throw new Error(`${asn}: TypeScript name ${ts} is taken`);
    used.add(ts);
    return ts;
  };

  out.push('// ---- ASN.1 types ----', '');
  const names = Object.keys(schema.types);
  for (const name of names) {
    const t = schema.types[name];
    const ts = claim(tsName(name), name);
    out.push(`/** ${name} ::= ${describe(t)} */`);
    if (t.k === 'seq') out.push(`export interface ${ts} ${t.ext ? 'extends Extensible ' : ''}${members(t, '')}`);
    else {
      const body = tsType(t, '');
      out.push(`export type ${ts} =${sp(body)}${body};`);
    }
    out.push('');
  }

  // messages and transfers: the IEs of their ProtocolIE-Container by name, in the set's order
  const messages = new Set(schema.procedures.flatMap((p) => [p.initiating, p.successful, p.unsuccessful].filter((m): m is string => !!m)));
  const ieInterface = (typeName: string, set: string, what: string): string => {
    const ts = claim(`${tsName(typeName)}Ies`, typeName);
    const entries = schema.sets[set]?.entries ?? [];
    out.push(`/** The IEs of ${typeName} (${what}), from ${set}. */`);
    out.push(`export interface ${ts} {`);
    for (const e of entries) {
      const body = tsType(e.type, '  ');
      out.push(`  ${key(e.name)}${e.presence === 'mandatory' ? '' : '?'}:${sp(body)}${body}; // id ${e.id}, ${e.criticality}, ${e.presence}`);
    }
    out.push('}', '');
    return ts;
  };
  out.push('// ---- IEs of each message (TS 38.413 clause 9.2 tables) ----', '');
  const messageMap: string[] = [];
  for (const p of schema.procedures) {
    for (const [m, what] of [
      [p.initiating, 'initiating message'],
      [p.successful, 'successful outcome'],
      [p.unsuccessful, 'unsuccessful outcome'],
    ] as const) {
      // PrivateMessage has a PrivateIE-Container, not IEs by name: not built with ngapPdu
      const set = m ? ieSetOf(schema, m) : undefined;
      if (!m || !set) continue;
      messageMap.push(`  ${key(m)}: ${ieInterface(m, set, `${what} of ${p.name}`)};`);
    }
  }
  out.push('// ---- IEs of each transfer built from a ProtocolIE-Container ----', '');
  const transferMap: string[] = [];
  for (const name of names) {
    const set = ieSetOf(schema, name);
    if (!set || messages.has(name)) continue;
    transferMap.push(`  ${key(name)}: ${ieInterface(name, set, 'transfer')};`);
  }

  out.push('/** Message name -> its IEs by name (ngapPdu). */', 'export interface NgapMessageIes {', ...messageMap, '}', '');
  out.push('/** Transfer type name -> its IEs by name (transfer). */', 'export interface NgapTransferIes {', ...transferMap, '}', '');
  out.push('/** ASN.1 type name -> the value type (encodeNgapType, decodeNgapType). */', 'export interface NgapTypes {');
  for (const name of names) out.push(`  '${name}': ${tsName(name)};`);
  out.push('}', '');
  return out.join('\n');
}
