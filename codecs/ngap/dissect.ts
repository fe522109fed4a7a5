// NGAP messages as `wire5g decode --json` prints them: the message name of the procedure, its IEs
// by the names of TS 38.413, and every NAS-PDU inside handed to the NAS dissector.

import type { DissectedMessage, JsonValue } from '../bytes/json.ts';
import { toJsonValue } from '../bytes/json.ts';
import { decodeNgap, ngapMessage, ngapCodec } from './ngap.ts';
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

export function dissectNgap(payload: Uint8Array, inner?: (nasPdu: Uint8Array) => DissectedMessage[]): DissectedMessage[] {
  const pdu = decodeNgap(payload);
  const { kind, procedure, name } = ngapMessage(pdu);
  const ies: Record<string, JsonValue> = {};
  const nas: Uint8Array[] = [];
  const t = ngapCodec.schema.types[name];
  const container = t && t.k === 'seq' ? t.fields.find((x) => x.name === 'protocolIEs')?.type : undefined;
  const set = container && container.k === 'ies' ? container.set : `${name}-IEs`;
  for (const ie of ((procedure.value as { protocolIEs?: ProtocolIe[] } | undefined)?.protocolIEs ?? [])) {
    const e = ngapCodec.setEntry(set, ie.id);
    const key = e?.name ?? `id-${ie.id}`;
    ies[key] = toJsonValue(ie.raw ?? ie.value);
    if (ie.id === 38 && ie.value instanceof Uint8Array) nas.push(ie.value);
    else collectNas(ie.value, nas);
  }
  const out: DissectedMessage[] = [{ protocol: 'ngap', message: name, fields: { pdu: kind, procedureCode: procedure.procedureCode, criticality: procedure.criticality, ies } }];
  if (inner) {
    for (const n of nas) {
      try {
        out.push(...inner(n));
      } catch (e) {
        out.push({ protocol: 'nas-5gs', message: 'Undecodable NAS-PDU', fields: { error: e instanceof Error ? e.message : String(e), octets: toJsonValue(n) } });
      }
    }
  }
  return out;
}
