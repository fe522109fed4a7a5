// NGAP messages as `wire5g decode --json` prints them: the message name of the procedure, its IEs
// by the names of TS 38.413, and every NAS-PDU inside handed to the NAS dissector.

import type { DissectedMessage, JsonValue } from '../bytes/json.ts';
import { toJsonValue, warningsJson } from '../bytes/json.ts';
import { decodeNgap, ngapMessage, ngapCodec } from './ngap.ts';
import { DecodeError, type DecodeWarning } from '../bytes/errors.ts';
import type { ProtocolIe } from '../per/aper.ts';

const NAS_FIELDS = new Set(['nAS-PDU', 'pDUSessionNAS-PDU']);

function collectNas(v: unknown, out: Uint8Array[], depth = 0): void {
  if (depth > 24 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) collectNas(x, out, depth + 1);
    return;
  }
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (NAS_FIELDS.has(k) && x instanceof Uint8Array) out.push(x);
    else collectNas(x, out, depth + 1);
  }
}

/** TS 38.413 9.3.3.5 PLMN Identity (TS 24.008 10.5.1.13 layout) as MCC and MNC digits. */
function plmnOf(hex: string): JsonValue {
  const d = (i: number) => hex[i];
  const mcc = `${d(1)}${d(0)}${d(3)}`;
  const mnc = d(2) === 'f' ? `${d(5)}${d(4)}` : `${d(5)}${d(4)}${d(2)}`;
  return /^[0-9]{3}$/.test(mcc) && /^[0-9]{2,3}$/.test(mnc) ? { mcc, mnc } : hex;
}

/** Every pLMNIdentity in a decoded IE (TAI, NR-CGI, GUAMI, ...) shown as {mcc, mnc}. */
function withPlmns(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(withPlmns);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, JsonValue> = {};
  for (const [k, x] of Object.entries(v)) out[k] = /^pLMNIdentity$|^pLMN-Identity$/.test(k) && typeof x === 'string' && x.length === 6 ? plmnOf(x) : withPlmns(x);
  return out;
}

/** Which UE an NGAP message is about, for a NAS reader that keeps per-UE state. */
export interface NgapUeIds {
  ranUeNgapId?: number;
  amfUeNgapId?: number;
}

function ueIdsOf(ies: Record<string, JsonValue>): NgapUeIds {
  const ids: NgapUeIds = {};
  const pair = (ies['UE-NGAP-IDs'] as Record<string, JsonValue> | undefined)?.['uE-NGAP-ID-pair'] as Record<string, JsonValue> | undefined;
  const ran = ies['RAN-UE-NGAP-ID'] ?? pair?.['rAN-UE-NGAP-ID'];
  const amf = ies['AMF-UE-NGAP-ID'] ?? pair?.['aMF-UE-NGAP-ID'];
  if (typeof ran === 'number') ids.ranUeNgapId = ran;
  if (typeof amf === 'number') ids.amfUeNgapId = amf;
  return ids;
}

/** The NAS-PDUs an NGAP PDU carries (NAS-PDU IEs and pDUSessionNAS-PDU in lists), without making JSON. */
export function nasPdusOf(payload: Uint8Array): Uint8Array[] {
  const { procedure } = ngapMessage(decodeNgap(payload));
  const nas: Uint8Array[] = [];
  for (const ie of (procedure.value as { protocolIEs?: ProtocolIe[] } | undefined)?.protocolIEs ?? []) {
    if (ie.id === 38 && ie.value instanceof Uint8Array) nas.push(ie.value);
    else collectNas(ie.value, nas);
  }
  return nas;
}

/** The protocol IEs of a message or transfer type by their TS 38.413 names; NAS-PDUs collected. */
function iesJson(typeName: string, list: ProtocolIe[], nas: Uint8Array[]): Record<string, JsonValue> {
  const ies: Record<string, JsonValue> = {};
  const t = ngapCodec.schema.types[typeName];
  const container = t && t.k === 'seq' ? t.fields.find((x) => x.name === 'protocolIEs')?.type : undefined;
  const set = container && container.k === 'ies' ? container.set : `${typeName}-IEs`;
  for (const ie of list) {
    const e = ngapCodec.setEntry(set, ie.id);
    const key = e?.name ?? `id-${ie.id}`;
    ies[key] = withPlmns(toJsonValue(ie.raw ?? ie.value));
    if (ie.id === 38 && ie.value instanceof Uint8Array) nas.push(ie.value);
    else collectNas(ie.value, nas);
  }
  return ies;
}

/** TS 29.518 6.1.6.3.x NgapIeType of an N2 SM information part -> the TS 38.413 transfer it holds. */
export const NGAP_IE_TYPE_TRANSFERS: Readonly<Record<string, string>> = {
  PDU_RES_SETUP_REQ: 'PDUSessionResourceSetupRequestTransfer',
  PDU_RES_SETUP_RSP: 'PDUSessionResourceSetupResponseTransfer',
  PDU_RES_SETUP_FAIL: 'PDUSessionResourceSetupUnsuccessfulTransfer',
  PDU_RES_REL_CMD: 'PDUSessionResourceReleaseCommandTransfer',
  PDU_RES_REL_RSP: 'PDUSessionResourceReleaseResponseTransfer',
  PDU_RES_MOD_REQ: 'PDUSessionResourceModifyRequestTransfer',
  PDU_RES_MOD_RSP: 'PDUSessionResourceModifyResponseTransfer',
  PDU_RES_MOD_FAIL: 'PDUSessionResourceModifyUnsuccessfulTransfer',
  PDU_RES_NTY: 'PDUSessionResourceNotifyTransfer',
  PDU_RES_NTY_REL: 'PDUSessionResourceNotifyReleasedTransfer',
  PDU_RES_MOD_IND: 'PDUSessionResourceModifyIndicationTransfer',
  PDU_RES_MOD_CFM: 'PDUSessionResourceModifyConfirmTransfer',
  PATH_SWITCH_REQ: 'PathSwitchRequestTransfer',
  PATH_SWITCH_SETUP_FAIL: 'PathSwitchRequestSetupFailedTransfer',
  PATH_SWITCH_REQ_ACK: 'PathSwitchRequestAcknowledgeTransfer',
  PATH_SWITCH_REQ_FAIL: 'PathSwitchRequestUnsuccessfulTransfer',
  HANDOVER_REQUIRED: 'HandoverRequiredTransfer',
  HANDOVER_CMD: 'HandoverCommandTransfer',
  HANDOVER_PREP_FAIL: 'HandoverPreparationUnsuccessfulTransfer',
  HANDOVER_REQ_ACK: 'HandoverRequestAcknowledgeTransfer',
  HANDOVER_RES_ALLOC_FAIL: 'HandoverResourceAllocationUnsuccessfulTransfer',
  SECONDARY_RAT_USAGE: 'SecondaryRATDataUsageReportTransfer',
};

/** An NGAP transfer (an OCTET STRING IE's content, e.g. N2 SM information) by its type name. */
export function dissectNgapTransfer(typeName: string, payload: Uint8Array): DissectedMessage[] {
  const value = ngapCodec.decode(typeName, payload) as { protocolIEs?: ProtocolIe[] } | undefined;
  const fields = value && Array.isArray(value.protocolIEs) ? { ies: iesJson(typeName, value.protocolIEs, []) } : withPlmns(toJsonValue(value));
  return [{ protocol: 'ngap', message: typeName, fields }];
}

/**
 * Dissects an NGAP PDU and hands each NAS-PDU in it to `inner`, with the state `stateOf` keeps for
 * the UE the message is about (the NAS reader's ciphering knowledge).
 */
export function dissectNgap<S>(payload: Uint8Array, inner?: (nasPdu: Uint8Array, state?: S) => DissectedMessage[], stateOf?: (ue: NgapUeIds) => S | undefined): DissectedMessage[] {
  const warnings: DecodeWarning[] = [];
  const pdu = decodeNgap(payload, warnings);
  const { kind, procedure, name } = ngapMessage(pdu);
  const nas: Uint8Array[] = [];
  const ies = iesJson(name, (procedure.value as { protocolIEs?: ProtocolIe[] } | undefined)?.protocolIEs ?? [], nas);
  const out: DissectedMessage[] = [{ protocol: 'ngap', message: name, fields: { pdu: kind, procedureCode: procedure.procedureCode, criticality: procedure.criticality, ies }, ...warningsJson(warnings) }];
  if (inner) {
    const state = nas.length && stateOf ? stateOf(ueIdsOf(ies)) : undefined;
    for (const n of nas) {
      try {
        out.push(...inner(n, state));
      } catch (e) {
        out.push({ protocol: 'nas-5gs', message: 'Undecodable NAS-PDU', fields: { octets: toJsonValue(n) }, error: e instanceof DecodeError ? (e.toJSON() as unknown as JsonValue) : { reason: String(e) } });
      }
    }
  }
  return out;
}
