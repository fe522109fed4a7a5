// Building NGAP messages as TS 38.413 tabulates them: the message by name and its IEs by name;
// ids, criticalities and the IE order come from the generated information object sets, the
// procedure code and criticality from the elementary procedure.
//
//   ngapPdu('InitialUEMessage', { 'RAN-UE-NGAP-ID': 1, 'NAS-PDU': nas, 'UserLocationInformation': uli,
//                                 'RRCEstablishmentCause': 'mo-Signalling' })
//
// The message, transfer and type names and the IEs' names, presence and value types are checked
// at compile time against the types generated from the ASN.1 (generated/types.ts); the run-time
// checks stay for callers that build names or values dynamically.

import { EncodeError, DecodeError } from '../bytes/errors.ts';
import { parseIPv4, formatIPv4 } from '../bytes/ip.ts';
import type { BitStringValue, ProtocolIe } from '../per/aper.ts';
import type { IeClassEntry } from '../per/schema.ts';
import { ngapCodec, type NgapPdu } from './ngap.ts';
import type { NgapMessageIes, NgapTransferIes, NgapTypes } from './generated/types.ts';

type Procedure = { code: number; criticality: 'reject' | 'ignore' | 'notify'; kind: 'initiatingMessage' | 'successfulOutcome' | 'unsuccessfulOutcome' };

/** Each message name's elementary procedure (TS 38.413 9.4.3), built once from the schema. */
let procedures: Map<string, Procedure> | undefined;

function findProcedure(message: string): Procedure {
  if (!procedures) {
    procedures = new Map();
    for (const p of ngapCodec.schema.procedures) {
      if (p.initiating) procedures.set(p.initiating, { code: p.code, criticality: p.criticality, kind: 'initiatingMessage' });
      if (p.successful) procedures.set(p.successful, { code: p.code, criticality: p.criticality, kind: 'successfulOutcome' });
      if (p.unsuccessful) procedures.set(p.unsuccessful, { code: p.code, criticality: p.criticality, kind: 'unsuccessfulOutcome' });
    }
  }
  const p = procedures.get(message);
  if (!p) throw new EncodeError('ngap', message, 'not an NGAP message name');
  return p;
}

/** The IE set of a message or transfer type: the set its protocolIEs container names. */
function ieSetOf(typeName: string): string {
  const t = ngapCodec.schema.types[typeName];
  const f = t && t.k === 'seq' ? t.fields.find((x) => x.name === 'protocolIEs') : undefined;
  if (!f || f.type.k !== 'ies') throw new EncodeError('ngap', typeName, 'has no protocol IE container');
  return f.type.set;
}

/** Each message's IE table (in the spec's order) and its IE names, looked up once per message. */
const ieTables = new Map<string, { entries: readonly IeClassEntry[]; names: ReadonlySet<string> }>();

function ieTableOf(message: string): { entries: readonly IeClassEntry[]; names: ReadonlySet<string> } {
  let t = ieTables.get(message);
  if (!t) {
    const set = ngapCodec.schema.sets[ieSetOf(message)];
    if (!set) throw new EncodeError('ngap', message, 'no IE set for this message');
    t = { entries: set.entries, names: new Set(set.entries.map((e) => e.name)) };
    ieTables.set(message, t);
  }
  return t;
}

/** Protocol IEs of `message` from values by IE name, in the order of the spec's IE table. */
export function protocolIes(message: string, ies: object): ProtocolIe[] {
  const values = ies as Record<string, unknown>;
  const { entries, names } = ieTableOf(message);
  for (const name in values) if (!names.has(name)) throw new EncodeError('ngap', `${message}.${name}`, 'not an IE of this message');
  const out: ProtocolIe[] = [];
  for (const e of entries) {
    const v = values[e.name];
    if (v === undefined) {
      if (e.presence === 'mandatory') throw new EncodeError('ngap', `${message}.${e.name}`, 'mandatory IE missing');
      continue;
    }
    out.push({ id: e.id, criticality: e.criticality, value: v });
  }
  return out;
}

/** A complete NGAP-PDU for a message and its IEs. */
export function ngapPdu<M extends keyof NgapMessageIes>(message: M, ies: NgapMessageIes[M]): NgapPdu {
  const p = findProcedure(message);
  const v = { procedureCode: p.code, criticality: p.criticality, value: { protocolIEs: protocolIes(message, ies) } };
  // an object literal per alternative, as decodeNgap builds them (a computed key goes through the runtime)
  return (p.kind === 'initiatingMessage' ? { initiatingMessage: v } : p.kind === 'successfulOutcome' ? { successfulOutcome: v } : { unsuccessfulOutcome: v }) as NgapPdu;
}

/** Encodes a value of a named NGAP type on its own (e.g. a PDUSessionResourceSetupRequestTransfer). */
export function encodeNgapType<T extends keyof NgapTypes>(typeName: T, value: NgapTypes[T]): Uint8Array {
  return ngapCodec.encode(typeName, value);
}

export function decodeNgapType<T extends keyof NgapTypes>(typeName: T, bytes: Uint8Array): NgapTypes[T] {
  try {
    return ngapCodec.decode(typeName, bytes) as NgapTypes[T];
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError({ protocol: 'ngap', code: 'BAD_VALUE', offset: 0, path: typeName, reason: String(e) });
  }
}

/** Transfer IEs by name, for the SEQUENCE-with-protocolIEs transfers (e.g. PDUSessionResourceSetupRequestTransfer). */
export function transfer<T extends keyof NgapTransferIes>(typeName: T, ies: NgapTransferIes[T]): Uint8Array {
  return ngapCodec.encode(typeName, { protocolIEs: protocolIes(typeName, ies) });
}

/**
 * A BIT STRING of `length` bits holding the low `length` bits of `value`, first bit in the most
 * significant bit of the first octet (X.691 11.9 order). The value is scaled by a power of two to
 * end on an octet boundary and taken apart octet by octet: exact for any integer a double holds.
 */
export function bits(value: number, length: number): BitStringValue {
  const n = (length + 7) >> 3;
  const bytes = new Uint8Array(n);
  let v = value * 2 ** (8 * n - length);
  for (let k = n - 1; k >= 0; k--) {
    bytes[k] = v % 256;
    v = Math.floor(v / 256);
  }
  return { value: bytes, length };
}

/** TS 38.413 9.3.3.5 PLMN Identity (TS 24.008 BCD layout) from MCC/MNC. */
export function plmnIdentity(mcc: string, mnc: string): Uint8Array {
  const d = (c: string | undefined) => (c === undefined ? 15 : +c);
  return Uint8Array.of((d(mcc[1]) << 4) | d(mcc[0]), ((mnc.length === 3 ? d(mnc[2]) : 15) << 4) | d(mcc[2]), (d(mnc[1]) << 4) | d(mnc[0]));
}

/** A TAC (3 octets). */
export function tac(n: number): Uint8Array {
  return Uint8Array.of(n >> 16, (n >> 8) & 0xff, n & 0xff);
}

/** TS 38.413 9.3.1.24 S-NSSAI: SST octet and the optional 3-octet SD (a number, or 6 hex digits as in the config). */
export function snssai(s: { sst: number; sd?: number | string }): { sST: Uint8Array; sD?: Uint8Array } {
  if (s.sd === undefined) return { sST: Uint8Array.of(s.sst) };
  const sd = typeof s.sd === 'string' ? parseInt(s.sd, 16) : s.sd;
  return { sST: Uint8Array.of(s.sst), sD: Uint8Array.of((sd >> 16) & 0xff, (sd >> 8) & 0xff, sd & 0xff) };
}

/** TS 38.413 9.3.2.4 Transport Layer Address of an IPv4 address (32 bits, TS 38.414 5.1). */
export function ipv4TransportLayerAddress(address: string): { value: Uint8Array; length: number } {
  return { value: parseIPv4(address), length: 32 };
}

/** The IPv4 address of a Transport Layer Address (32 bits, or 160 bits IPv4+IPv6); undefined otherwise. */
export function ipv4OfTransportLayerAddress(t: { value: Uint8Array; length: number } | undefined): string | undefined {
  if (!t || !(t.value instanceof Uint8Array) || (t.length !== 32 && t.length !== 160) || t.value.length < 4) return undefined;
  return formatIPv4(t.value);
}

/** TS 38.413 9.3.2.5 GTP-TEID (4 octets) of a TEID. */
export function gtpTeid(teid: number): Uint8Array {
  return Uint8Array.of(teid >>> 24, (teid >>> 16) & 0xff, (teid >>> 8) & 0xff, teid & 0xff);
}

/** The TEID of a GTP-TEID; undefined when it is not 4 octets. */
export function teidOfGtpTeid(b: Uint8Array | undefined): number | undefined {
  if (!(b instanceof Uint8Array) || b.length !== 4) return undefined;
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}
