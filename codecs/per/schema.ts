// The schema an ASN.1 module compiles to for the aligned PER runtime: plain data, so the generator
// can emit it as a reviewable file and the runtime can interpret it. It covers what NGAP
// (TS 38.413) uses, including its information-object pattern (protocol IE containers keyed by id,
// elementary procedures keyed by procedure code), resolved by the generator.

/** A size or value range; `ub` undefined means unbounded. `ext` marks an extensible constraint. */
export interface Range {
  lb: number;
  ub?: number;
  ext?: boolean;
  /**
   * A root that is a union of values and ranges (`1..30 | 40 | 50`): its members. The encoding
   * uses the extent lb..ub (X.691 8.3), but only these values are in the root (13.1).
   */
  parts?: [number, number][];
}

export interface Field {
  name: string;
  type: AsnType;
  optional?: boolean;
  /** DEFAULT value (encoded absent when equal). */
  defaultValue?: unknown;
}

export type AsnType =
  | { k: 'seq'; ext: boolean; fields: Field[]; extFields: Field[] }
  | { k: 'seqof'; size?: Range; of: AsnType }
  | { k: 'choice'; ext: boolean; alts: Field[]; extAlts: Field[] }
  | { k: 'enum'; ext: boolean; items: string[]; extItems: string[] }
  | { k: 'int'; range?: Range }
  | { k: 'bits'; size?: Range }
  | { k: 'octets'; size?: Range; containing?: string }
  | { k: 'str'; kind: 'PrintableString' | 'VisibleString' | 'UTF8String'; size?: Range }
  | { k: 'bool' }
  | { k: 'null' }
  | { k: 'oid' }
  | { k: 'ref'; name: string }
  /** ProtocolIE-Container {{set}}: SEQUENCE (SIZE(0..maxProtocolIEs)) OF ProtocolIE-Field. */
  | { k: 'ies'; set: string }
  /** ProtocolIE-SingleContainer {{set}}: one ProtocolIE-Field. */
  | { k: 'iesingle'; set: string }
  /** ProtocolExtensionContainer {{set}}: SEQUENCE (SIZE(1..maxProtocolExtensions)) OF ProtocolExtensionField. */
  | { k: 'exts'; set: string }
  /** PrivateIE-Container {{set}}. */
  | { k: 'private' }
  /** InitiatingMessage / SuccessfulOutcome / UnsuccessfulOutcome: procedureCode, criticality, open-type value. */
  | { k: 'procedure'; which: 'initiating' | 'successful' | 'unsuccessful' };

/** One entry of an information object set (NGAP-PROTOCOL-IES or NGAP-PROTOCOL-EXTENSION). */
export interface IeClassEntry {
  id: number;
  /** The id constant without its 'id-' prefix, e.g. 'RAN-UE-NGAP-ID'. */
  name: string;
  criticality: 'reject' | 'ignore' | 'notify';
  type: AsnType;
  presence: 'mandatory' | 'optional' | 'conditional';
}

export interface Procedure {
  code: number;
  name: string;
  criticality: 'reject' | 'ignore' | 'notify';
  initiating: string;
  successful?: string;
  unsuccessful?: string;
}

export interface Schema {
  /** Spec and version the schema was generated from. */
  source: string;
  types: Record<string, AsnType>;
  sets: Record<string, { entries: IeClassEntry[]; ext: boolean }>;
  procedures: Procedure[];
  constants: Record<string, number>;
}
