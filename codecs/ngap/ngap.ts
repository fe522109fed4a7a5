// NGAP (TS 38.413) over the aligned PER runtime and the schema generated from the ASN.1.
//
//   NGAP-PDU ::= CHOICE { initiatingMessage, successfulOutcome, unsuccessfulOutcome, ... }
//   each: SEQUENCE { procedureCode, criticality, value (the message of that procedure, open type) }

import { AperCodec, type ProcedureValue, type ProtocolIe } from '../per/aper.ts';
import { BitReader, BitWriter } from '../per/bits.ts';
import { DecodeError, EncodeError, type DecodeWarning } from '../bytes/errors.ts';
import { NGAP_SCHEMA } from './generated/schema.ts';

/** Decoders without paths: a failure is decoded again by its twin that names them (see AperCodec `paths`). */
export const ngapCodec = new AperCodec(NGAP_SCHEMA, { paths: false });

export type NgapPdu = { initiatingMessage: ProcedureValue } | { successfulOutcome: ProcedureValue } | { unsuccessfulOutcome: ProcedureValue };

const WHICH = [
  ['initiatingMessage', 'initiating'],
  ['successfulOutcome', 'successful'],
  ['unsuccessfulOutcome', 'unsuccessful'],
] as const;

/**
 * Decodes an NGAP-PDU; throws DecodeError with the ASN.1 path on bad bytes. Zero octets after the
 * PDU (a sender padding it, as one core pads its NGSetupResponse to 552 octets) are accepted as
 * asn1c and Wireshark accept them, and reported in `warnings` when given; other trailing octets
 * are an error.
 */
/** The path of a decoded PDU (the reader's, never changed). */
const PDU_PATH = ['NGAP-PDU'] as const;

export function decodeNgap(bytes: Uint8Array, warnings?: DecodeWarning[]): NgapPdu {
  try {
    return decodeNgapWith(ngapCodec, bytes, warnings);
  } catch {
    // the codec keeps no path: the same octets decoded again by its twin that does give the same
    // failure with its path and IE id
    return decodeNgapWith(ngapCodec.withPaths(), bytes, warnings);
  }
}

function decodeNgapWith(codec: AperCodec, bytes: Uint8Array, warnings?: DecodeWarning[]): NgapPdu {
  const r = new BitReader(bytes, PDU_PATH);
  try {
    if (r.bits(1) === 1) throw r.fail('UNKNOWN_TYPE', 'an NGAP-PDU extension alternative');
    const idx = r.bits(2);
    const w = WHICH[idx];
    if (!w) throw r.fail('BAD_VALUE', `NGAP-PDU alternative ${idx}`);
    let p: ProcedureValue;
    try {
      p = codec.decodeProcedure(r, w[1]);
    } catch (e) {
      throw r.within(e, w[0]);
    }
    // the PDU ends in its last octet (X.691 11.1: padding bits only); more octets are not NGAP
    const used = (r.bit + 7) >> 3;
    if (used < bytes.length) {
      let zeros = true;
      for (let i = used; i < bytes.length && zeros; i++) zeros = bytes[i] === 0;
      if (!zeros) throw new DecodeError({ protocol: 'ngap', code: 'TRAILING_BYTES', offset: used, path: 'NGAP-PDU', reason: `${bytes.length - used} octet(s) after the NGAP-PDU` });
      warnings?.push({ protocol: 'ngap', code: 'TRAILING_PADDING', offset: used, path: 'NGAP-PDU', reason: `${bytes.length - used} zero octet(s) after the NGAP-PDU, ignored` });
    }
    // an object literal per alternative (a store to a computed key goes through the runtime)
    return idx === 0 ? { initiatingMessage: p } : idx === 1 ? { successfulOutcome: p } : { unsuccessfulOutcome: p };
  } catch (e) {
    if (e instanceof DecodeError) throw r.withPath(e);
    // the runtime throws only DecodeError on bad bytes; anything else is a bug, surfaced as one
    // with a reason the fuzz test looks for
    throw new DecodeError({ protocol: 'ngap', code: 'BAD_VALUE', offset: r.bit >> 3, path: r.pathText(), reason: `internal decoder fault: ${String(e)}` });
  }
}

/**
 * One writer used by every encodeNgap (the encoder calls nothing that could re-enter it); it
 * writes into a shared slab and each PDU is returned as a view of its own octets there.
 */
const writer = new BitWriter();
const PATHS = WHICH.map(([key]) => ['NGAP-PDU', key]);

export function encodeNgap(pdu: NgapPdu): Uint8Array {
  // NGAP-PDU ::= CHOICE { ..., ... }: the extension bit 0, then the index of 3 in 2 bits (X.691 23)
  const idx = 'initiatingMessage' in pdu ? 0 : 'successfulOutcome' in pdu ? 1 : 'unsuccessfulOutcome' in pdu ? 2 : -1;
  if (idx < 0) throw new EncodeError('ngap', 'NGAP-PDU', 'needs initiatingMessage, successfulOutcome or unsuccessfulOutcome');
  const o = pdu as { initiatingMessage?: ProcedureValue; successfulOutcome?: ProcedureValue; unsuccessfulOutcome?: ProcedureValue };
  // read by literal keys (a computed key is a keyed load)
  const p = (idx === 0 ? o.initiatingMessage : idx === 1 ? o.successfulOutcome : o.unsuccessfulOutcome) as ProcedureValue;
  const w = writer;
  w.begin();
  w.bits(idx, 3);
  ngapCodec.encodeProcedure(w, WHICH[idx as 0 | 1 | 2][1], p, PATHS[idx]);
  return w.finish();
}

/** The procedure and message of a PDU. */
export function ngapMessage(pdu: NgapPdu): { kind: 'initiatingMessage' | 'successfulOutcome' | 'unsuccessfulOutcome'; procedure: ProcedureValue; name: string } {
  // the alternative present, read by literal keys (as encodeNgap; no entries array per message)
  const o = pdu as { initiatingMessage?: ProcedureValue; successfulOutcome?: ProcedureValue; unsuccessfulOutcome?: ProcedureValue };
  const kind = o.initiatingMessage ? 'initiatingMessage' : o.successfulOutcome ? 'successfulOutcome' : o.unsuccessfulOutcome ? 'unsuccessfulOutcome' : undefined;
  if (!kind) throw new EncodeError('ngap', 'NGAP-PDU', 'needs initiatingMessage, successfulOutcome or unsuccessfulOutcome');
  const procedure = o[kind]!;
  const proc = ngapCodec.procedure(procedure.procedureCode);
  const name = (kind === 'initiatingMessage' ? proc?.initiating : kind === 'successfulOutcome' ? proc?.successful : proc?.unsuccessful) ?? `procedure ${procedure.procedureCode}`;
  return { kind, procedure, name };
}

/** The IE set (information object set) of each message's protocolIEs, looked up once per message name. */
const ieSets = new Map<string, string | undefined>();

function ieSetOf(messageName: string): string | undefined {
  if (ieSets.has(messageName)) return ieSets.get(messageName);
  const t = ngapCodec.schema.types[messageName];
  const f = t && t.k === 'seq' ? t.fields.find((x) => x.name === 'protocolIEs') : undefined;
  const set = f && f.type.k === 'ies' ? f.type.set : undefined;
  ieSets.set(messageName, set);
  return set;
}

/** The protocol IEs of a message value, by IE name (e.g. 'RAN-UE-NGAP-ID'). */
export function iesByName(messageValue: unknown, messageName: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const list = (messageValue as { protocolIEs?: ProtocolIe[] }).protocolIEs ?? [];
  if (list.length === 0) return out;
  const set = ieSetOf(messageName);
  for (const ie of list) {
    const e = set !== undefined ? ngapCodec.setEntry(set, ie.id) : undefined;
    out.set(e?.name ?? `id-${ie.id}`, ie.raw ?? ie.value);
  }
  return out;
}
