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
// This file holds the codec (the schema, the compiled coders by type, the entry points); the
// coders are in the files of the clauses they follow:
//   whole-numbers.ts        X.691 11.5-11.6   constrained, big and normally small whole numbers
//   lengths.ts              X.691 11.9        length determinants of SIZE-constrained values
//   open-type.ts            X.691 11.2        open types
//   integers.ts             X.691 13, 14      INTEGER, ENUMERATED
//   strings.ts              X.691 16, 17, 30  BIT STRING, OCTET STRING, character strings
//   constructed.ts          X.691 19, 20, 23  SEQUENCE, SEQUENCE OF, CHOICE
//   information-objects.ts  TS 38.413 9.4     protocol IE containers, private IEs, procedures

import { BitReader, BitWriter } from './bits.ts';
import { EncodeError } from '../bytes/errors.ts';
import type { AsnType, IeClassEntry, Schema } from './schema.ts';
import { encodeError, type Dec, type Enc, type ProcedureValue } from './coder.ts';
import { integerEncoder, integerDecoder, enumeratedEncoder, enumeratedDecoder } from './integers.ts';
import { bitStringEncoder, bitStringDecoder, octetStringEncoder, octetStringDecoder, characterStringEncoder, characterStringDecoder } from './strings.ts';
import { sequenceEncoder, sequenceDecoder, sequenceOfEncoder, sequenceOfDecoder, choiceEncoder, choiceDecoder } from './constructed.ts';
import { InformationObjects } from './information-objects.ts';

export type { BitStringValue, ProtocolIe, PrivateIe, ProcedureValue } from './coder.ts';

export class AperCodec {
  readonly schema: Schema;
  private readonly objects: InformationObjects;

  /**
   * Whether the decoders name the components a failure leaves (a try per SEQUENCE, list, CHOICE
   * alternative, IE). A codec made with `{ paths: false }` decodes with none (they cost about a
   * sixteenth of a decode) and, when a decode fails, decodes the same octets again with a twin
   * that has them (`withPaths()`): the same failure, now with its path and IE id. A failure is
   * rare and costs two decodes.
   */
  readonly paths: boolean;
  private pathTwin: AperCodec | undefined;

  constructor(schema: Schema, options: { paths?: boolean } = {}) {
    this.schema = schema;
    this.paths = options.paths !== false;
    this.objects = new InformationObjects(
      schema,
      {
        encoderOf: (t) => this.encoder(t),
        refEncoder: (name) => this.refEncoder(name),
        decoderOf: (t) => this.decoder(t),
        refDecoder: (name) => this.refDecoder(name),
      },
      this.paths,
    );
  }

  /** This codec if it names failures' paths, else its twin that does (made on first use). */
  withPaths(): AperCodec {
    return this.paths ? this : (this.pathTwin ??= new AperCodec(this.schema, { paths: true }));
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
    return this.objects.setEntry(set, id);
  }

  procedure(code: number) {
    return this.objects.procedure(code);
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

  private readonly encoders = new Map<AsnType, Enc>();
  private readonly refEncoders = new Map<string, Enc>();

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

  private compileEnc(t: AsnType): Enc {
    const encoderOf = (c: AsnType) => this.encoder(c);
    switch (t.k) {
      case 'seq':
        return sequenceEncoder(t, encoderOf);
      case 'seqof':
        return sequenceOfEncoder(t, encoderOf);
      case 'choice':
        return choiceEncoder(t, encoderOf);
      case 'enum':
        return enumeratedEncoder(t);
      case 'int':
        return integerEncoder(t);
      case 'bits':
        return bitStringEncoder(t);
      case 'octets':
        return octetStringEncoder(t);
      case 'str':
        return characterStringEncoder(t);
      case 'bool':
        // X.691 12: one bit
        return (w, v) => w.bits(v ? 1 : 0, 1);
      case 'null':
        // X.691 18: nothing
        return () => {};
      case 'oid':
        // OBJECT IDENTIFIER (X.691 24): its contents octets after a general length
        return (w, v) => {
          const b = v as Uint8Array;
          w.generalLength(b.length);
          w.octets(b);
        };
      case 'ies':
      case 'exts':
        return this.objects.containerEncoder(t);
      case 'iesingle':
        return this.objects.singleContainerEncoder(t);
      case 'private':
        return this.objects.privateEncoder();
      case 'procedure':
        return this.objects.procedureEncoder(t);
      case 'ref':
        return this.refEncoder(t.name);
    }
  }

  // --- decoding --------------------------------------------------------------------------------

  decode(typeName: string, bytes: Uint8Array): unknown {
    const r = new BitReader(bytes, [typeName]);
    try {
      return this.refDecoder(typeName)(r);
    } catch (e) {
      if (this.paths) throw r.withPath(e);
      // the same octets again, naming the path of the same failure (see `paths`)
      this.withPaths().decode(typeName, bytes);
      throw e;
    }
  }

  // Decoding runs compiled decoders: each type of the schema becomes, on first use, a closure
  // with its constraints, component names and component decoders bound, so a decode walks the
  // bytes without re-reading the schema (no switch on the kind, no name lookups of references).

  private readonly decoders = new Map<AsnType, Dec>();
  private readonly refDecoders = new Map<string, Dec>();

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

  private compile(t: AsnType): Dec {
    const decoderOf = (c: AsnType) => this.decoder(c);
    switch (t.k) {
      case 'seq':
        return sequenceDecoder(t, decoderOf, this.paths);
      case 'seqof':
        return sequenceOfDecoder(t, decoderOf, this.paths);
      case 'choice':
        return choiceDecoder(t, decoderOf, this.paths);
      case 'enum':
        return enumeratedDecoder(t);
      case 'int':
        return integerDecoder(t);
      case 'bits':
        return bitStringDecoder(t);
      case 'octets':
        return octetStringDecoder(t);
      case 'str':
        return characterStringDecoder(t);
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
      case 'exts':
        return this.objects.containerDecoder(t);
      case 'iesingle':
        return this.objects.singleContainerDecoder(t);
      case 'private':
        return this.objects.privateDecoder();
      case 'procedure':
        return (r) => {
          throw r.fail('BAD_VALUE', 'a procedure value is decoded with its procedure code');
        };
      case 'ref':
        return this.refDecoder(t.name);
    }
  }

  /** Decodes InitiatingMessage / SuccessfulOutcome / UnsuccessfulOutcome with its procedure. */
  decodeProcedure(r: BitReader, which: 'initiating' | 'successful' | 'unsuccessful'): ProcedureValue {
    return this.objects.decodeProcedure(r, which);
  }

  /**
   * Encodes InitiatingMessage / SuccessfulOutcome / UnsuccessfulOutcome: procedure code,
   * criticality, the message; `prefix` is the path of the value, for errors.
   */
  encodeProcedure(w: BitWriter, which: 'initiating' | 'successful' | 'unsuccessful', p: ProcedureValue, prefix: readonly (string | number)[]): void {
    this.objects.encodeProcedure(w, which, p, prefix);
  }
}
