// Information objects in aligned PER as NGAP uses them (TS 38.413 9.4, X.681 information object
// sets resolved by the generator): ProtocolIE-Container, ProtocolIE-SingleContainer and
// ProtocolExtensionContainer, whose fields' values are the type the object set gives for their
// id; PrivateIE-Container; and the messages of the elementary procedures (InitiatingMessage,
// SuccessfulOutcome, UnsuccessfulOutcome) keyed by procedure code. Every such value is an open
// type (X.691 11.2); an id the set does not define keeps its octets (`raw`), so decode -> encode
// is exact for values this schema predates.

import { DecodeError } from '../bytes/errors.ts';
import type { BitReader, BitWriter } from './bits.ts';
import type { AsnType, IeClassEntry, Schema } from './schema.ts';
import { MAX_DEPTH, CRITICALITY, fail, within, encodeError, criticalityIndex, type Dec, type Enc, type PrivateIe, type ProcedureValue, type ProtocolIe } from './coder.ts';
import { cwnOf, cwnWriter, writeCwn, readCwnIn } from './whole-numbers.ts';
import { writeOpenType, writeRawOpenType, readOpenType, readOpenTypeBytes } from './open-type.ts';

type Which = 'initiating' | 'successful' | 'unsuccessful';

/** What an IE id of a set encodes as: its name (for paths) and its value's encoder, compiled on first use. */
interface IeEncoder {
  name: string;
  type: AsnType;
  enc?: Enc;
}

/** What an IE id of a set decodes as: its entry and its value's decoder, compiled on first use. */
interface IeDecoder {
  entry: IeClassEntry;
  dec: Dec | undefined;
}
interface IeDecoderSet {
  byId: (IeDecoder | undefined)[];
  mandatory: IeClassEntry[];
}
/** The message of a procedure code of one kind, its coders compiled on first use. */
interface ProcedureCoders {
  name: string;
  enc?: Enc;
  dec?: Dec;
}

/** ProtocolIE-ID ::= INTEGER (0..maxProtocolIEs) and ProcedureCode ::= INTEGER (0..255). */
const IE_ID = cwnOf(0, 65535);
const writeProcedureCode = cwnWriter(cwnOf(0, 255));

/** The value of InitiatingMessage / SuccessfulOutcome / UnsuccessfulOutcome (one object each: encoders are memoized by type object). */
const PROCEDURE_TYPES = {
  initiating: { k: 'procedure', which: 'initiating' },
  successful: { k: 'procedure', which: 'successful' },
  unsuccessful: { k: 'procedure', which: 'unsuccessful' },
} as const satisfies Record<string, AsnType>;

/** The codec's compiled coders of the types the objects carry. */
export interface ComponentCoders {
  encoderOf(t: AsnType): Enc;
  refEncoder(name: string): Enc;
  decoderOf(t: AsnType): Dec;
  refDecoder(name: string): Dec;
}

/** The object sets and procedures of one schema, with their coders compiled on first use. */
export class InformationObjects {
  readonly schema: Schema;
  private readonly setIndex = new Map<string, Map<number, IeClassEntry>>();
  private readonly procByCode = new Map<number, Schema['procedures'][number]>();
  /** Per IE set, the entries with PRESENCE mandatory and CRITICALITY reject (checked after a container is decoded). */
  private readonly mandatory = new Map<string, IeClassEntry[]>();
  private readonly coders: ComponentCoders;

  /** Whether the decoders name the components a failure leaves (see AperCodec). */
  private readonly paths: boolean;

  constructor(schema: Schema, coders: ComponentCoders, paths = true) {
    this.schema = schema;
    this.paths = paths;
    this.coders = coders;
    for (const [name, s] of Object.entries(schema.sets)) {
      this.setIndex.set(name, new Map(s.entries.map((e) => [e.id, e])));
      // TS 38.413 10.3.5: only a missing mandatory IE of criticality reject fails the message;
      // one of criticality ignore (or ignore-and-notify) is ignored and the procedure goes on
      this.mandatory.set(name, s.entries.filter((e) => e.presence === 'mandatory' && e.criticality === 'reject'));
    }
    for (const p of schema.procedures) this.procByCode.set(p.code, p);
  }

  setEntry(set: string, id: number): IeClassEntry | undefined {
    return this.setIndex.get(set)?.get(id);
  }

  procedure(code: number) {
    return this.procByCode.get(code);
  }

  private readonly ieTables = new Map<string, { set: string; byId: (IeEncoder | undefined)[] }>();
  /** By kind: initiating, successful, unsuccessful (an array, as procedureEncoders). */
  private readonly procedureTables: ((ProcedureCoders | undefined)[] | undefined)[] = [undefined, undefined, undefined];
  /** By kind: initiating, successful, unsuccessful (an array: a keyed load by a varying name is slower). */
  private readonly procedureEncoders: (Enc | undefined)[] = [undefined, undefined, undefined];
  private readonly ieSets = new Map<string, IeDecoderSet>();

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
  private procedureTable(which: Which) {
    const k = which === 'initiating' ? 0 : which === 'successful' ? 1 : 2;
    let table = this.procedureTables[k];
    if (!table) {
      table = new Array<ProcedureCoders | undefined>(256).fill(undefined);
      for (const p of this.schema.procedures) {
        const name = p[which];
        if (name && p.code >= 0 && p.code < 256) table[p.code] = { name };
      }
      this.procedureTables[k] = table;
    }
    return table;
  }

  /** The IEs of a set by id for decoding (an array: ids are small), decoders compiled on first use. */
  private ieSet(set: string): IeDecoderSet {
    let s = this.ieSets.get(set);
    if (!s) {
      const entries = this.schema.sets[set]?.entries ?? [];
      const byId = new Array<IeDecoder | undefined>(entries.reduce((m, e) => Math.max(m, e.id + 1), 0)).fill(undefined);
      for (const e of entries) byId[e.id] = { entry: e, dec: undefined };
      s = { byId, mandatory: this.mandatory.get(set) ?? [] };
      this.ieSets.set(set, s);
    }
    return s;
  }

  /** ProtocolIE-Container and ProtocolExtensionContainer: the count, then each ProtocolIE-Field. */
  containerEncoder(t: Extract<AsnType, { k: 'ies' | 'exts' }>): Enc {
    const table = this.ieTable(t.set);
    // ProtocolIE-Container SIZE(0..maxProtocolIEs), ProtocolExtensionContainer
    // SIZE(1..maxProtocolExtensions): the count in two aligned octets (X.691 11.5.7.3)
    const writeCount = cwnWriter(cwnOf(t.k === 'ies' ? 0 : 1, 65535));
    return (w, v) => {
      const list = v as ProtocolIe[];
      if (!Array.isArray(list)) throw fail('a protocol IE container needs an array');
      writeCount(w, list.length);
      for (let i = 0; i < list.length; i++) {
        try {
          this.ieField(w, table, list[i]);
        } catch (e) {
          throw within(e, i);
        }
      }
    };
  }

  /** ProtocolIE-SingleContainer: one ProtocolIE-Field. */
  singleContainerEncoder(t: Extract<AsnType, { k: 'iesingle' }>): Enc {
    const table = this.ieTable(t.set);
    return (w, v) => this.ieField(w, table, v as ProtocolIe);
  }

  /** PrivateIE-Container: each PrivateIE-Field with its value kept as open type octets. */
  privateEncoder(): Enc {
    return (w, v) => {
      const list = v as PrivateIe[];
      if (!Array.isArray(list)) throw fail('a private IE container needs an array');
      writeCwn(w, list.length, cwnOf(1, 65535));
      for (const p of list) {
        if (p.id.global) {
          w.bits(1, 1); // PrivateIE-ID: global (OBJECT IDENTIFIER contents octets)
          w.generalLength(p.id.global.length);
          w.octets(p.id.global);
        } else {
          w.bits(0, 1); // PrivateIE-ID: local
          writeCwn(w, p.id.local ?? 0, cwnOf(0, 65535));
        }
        writeCwn(w, criticalityIndex(p.criticality), cwnOf(0, 2));
        writeRawOpenType(w, p.raw);
      }
    };
  }

  /** The 'value' of InitiatingMessage, SuccessfulOutcome or UnsuccessfulOutcome: the message of the procedure its procedureCode names. */
  procedureEncoder(t: Extract<AsnType, { k: 'procedure' }>): Enc {
    // the 'value' of InitiatingMessage etc.: the message of the procedure named by procedureCode
    const which = t.which;
    const table = this.procedureTable(which);
    return (w, v) => {
      const pv = v as ProcedureValue;
      if (pv.raw) {
        writeRawOpenType(w, pv.raw);
        return;
      }
      const m = table[pv.procedureCode];
      if (!m) throw fail(`procedure code ${pv.procedureCode} has no ${which} message`);
      try {
        writeOpenType(w, (m.enc ??= this.coders.refEncoder(m.name)), pv.value);
      } catch (e) {
        throw within(e, m.name);
      }
    };
  }

  /** ProtocolIE-Field: id (0..65535: two aligned octets), criticality (2 bits), value (an open type). */
  private ieField(w: BitWriter, table: { set: string; byId: (IeEncoder | undefined)[] }, ie: ProtocolIe): void {
    const id = ie.id;
    const c = criticalityIndex(ie.criticality);
    if (typeof id === 'number' && id >= 0 && id <= 65535 && (id | 0) === id && c >= 0) {
      // id INTEGER (0..65535): two aligned octets (X.691 11.5.7.3); criticality: 2 bits after
      // them; stored as three octets (the bits after the position are zero, see BitWriter)
      w.align();
      w.ensure(24);
      const buf = w.buf;
      const at = w.bit >> 3;
      buf[at] = id >> 8;
      buf[at + 1] = id;
      buf[at + 2] = c << 6;
      w.bit += 18;
    } else {
      writeCwn(w, id, IE_ID);
      if (c < 0) throw fail(`criticality ${String(ie.criticality)}: not reject, ignore or notify`);
      w.bits(c, 2);
    }
    if (ie.raw) {
      writeRawOpenType(w, ie.raw);
      return;
    }
    const entry = table.byId[id];
    if (!entry) throw fail(`IE id ${id} is not in ${table.set}; give its open type as raw`);
    try {
      writeOpenType(w, (entry.enc ??= this.coders.encoderOf(entry.type)), ie.value);
    } catch (e) {
      throw within(e, entry.name);
    }
  }

  /** The decoding side of containerEncoder; a missing mandatory IE of criticality reject fails (TS 38.413 10.3.5). */
  containerDecoder(t: Extract<AsnType, { k: 'ies' | 'exts' }>): Dec {
    const set = this.ieSet(t.set);
    const lb = t.k === 'ies' ? 0 : 1;
    const checkMandatory = t.k === 'ies' && set.mandatory.length > 0;
    const paths = this.paths;
    return (r) => {
      if (++r.depth > MAX_DEPTH) throw r.fail('TOO_DEEP', `nesting deeper than ${MAX_DEPTH}`);
      const n = readCwnIn(r, lb, 65535);
      const out: ProtocolIe[] = [];
      if (paths)
        for (let i = 0; i < n; i++) {
          try {
            out.push(this.readIeField(r, set));
          } catch (e) {
            throw r.within(e, i);
          }
        }
      else for (let i = 0; i < n; i++) out.push(this.readIeField(r, set));
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

  /** The decoding side of singleContainerEncoder. */
  singleContainerDecoder(t: Extract<AsnType, { k: 'iesingle' }>): Dec {
    const set = this.ieSet(t.set);
    return (r) => this.readIeField(r, set);
  }

  /** The decoding side of privateEncoder. */
  privateDecoder(): Dec {
    return (r) => {
      const n = readCwnIn(r, 1, 65535);
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const global = r.bits(1) === 1;
        let id: { global: Uint8Array } | { local: number };
        if (global) {
          const { n: l } = r.generalLength();
          id = { global: r.octets(l) };
        } else id = { local: readCwnIn(r, 0, 65535) };
        const c = readCwnIn(r, 0, 2);
        const criticality = CRITICALITY[c];
        if (!criticality) throw r.fail('BAD_VALUE', `criticality ${c}`);
        out.push({ id, criticality, raw: readOpenTypeBytes(r) });
      }
      return out;
    };
  }

  /** ProtocolIE-Field: id, criticality and the value of the type the set gives for the id (an open type). */
  private readIeField(r: BitReader, set: IeDecoderSet): ProtocolIe {
    // id INTEGER (0..65535): aligned 16 bits; criticality ENUMERATED of 3: 2 bits; read from
    // the octets when all three are there (else through the reader, which reports the shortfall)
    let id: number;
    let c: number;
    const at = (r.bit + 7) >> 3;
    if (at * 8 + 24 <= r.endBit) {
      const buf = r.buf;
      id = (buf[at] << 8) | buf[at + 1];
      c = buf[at + 2] >> 6;
      r.bit = at * 8 + 18;
    } else {
      r.align();
      id = r.bits(16);
      c = r.bits(2);
    }
    const criticality = CRITICALITY[c];
    if (!criticality) throw r.fail('BAD_VALUE', `criticality ${c}`, id);
    const ied = id < set.byId.length ? set.byId[id] : undefined;
    if (!ied) return { id, criticality, raw: readOpenTypeBytes(r) };
    const dec = (ied.dec ??= this.coders.decoderOf(ied.entry.type));
    if (!this.paths) return { id, criticality, value: readOpenType(r, dec) };
    try {
      const value = readOpenType(r, dec);
      return { id, criticality, value };
    } catch (err) {
      r.within(err, ied.entry.name);
      // carry the IE id for criticality handling (TS 38.413 10.3.4)
      if (err instanceof DecodeError && err.ie === undefined) throw new DecodeError({ ...err.toJSON(), ie: id });
      throw err;
    }
  }

  /** Decodes InitiatingMessage / SuccessfulOutcome / UnsuccessfulOutcome with its procedure. */
  decodeProcedure(r: BitReader, which: Which): ProcedureValue {
    const procedureCode = readCwnIn(r, 0, 255);
    const criticality = CRITICALITY[readCwnIn(r, 0, 2)];
    if (!criticality) throw r.fail('BAD_VALUE', 'criticality 3');
    const m = this.procedureTable(which)[procedureCode];
    if (!m) return { procedureCode, criticality, raw: readOpenTypeBytes(r) };
    if (!this.paths) return { procedureCode, criticality, value: readOpenType(r, (m.dec ??= this.coders.refDecoder(m.name))) };
    try {
      const value = readOpenType(r, (m.dec ??= this.coders.refDecoder(m.name)));
      return { procedureCode, criticality, value };
    } catch (e) {
      throw r.within(e, m.name);
    }
  }

  /**
   * Encodes InitiatingMessage / SuccessfulOutcome / UnsuccessfulOutcome: procedure code,
   * criticality, the message; `prefix` is the path of the value, for errors.
   */
  encodeProcedure(w: BitWriter, which: Which, p: ProcedureValue, prefix: readonly (string | number)[]): void {
    try {
      writeProcedureCode(w, p.procedureCode);
      const c = criticalityIndex(p.criticality);
      if (c < 0) throw fail(`criticality ${String(p.criticality)}: not reject, ignore or notify`);
      w.bits(c, 2);
      const k = which === 'initiating' ? 0 : which === 'successful' ? 1 : 2;
      (this.procedureEncoders[k] ??= this.coders.encoderOf(PROCEDURE_TYPES[which]))(w, p);
    } catch (e) {
      throw encodeError(e, prefix);
    }
  }
}
