// PFCP messages as `wire5g decode --json` prints them: IE names as TS 29.244 gives them, in wire
// order, grouped IEs nested; unmodelled IEs as hex. Captures from other implementations are
// decoded leniently and the mandatory IEs they lack are listed.

import type { DissectedMessage, JsonValue } from '../bytes/json.ts';
import type { DecodeWarning } from '../bytes/errors.ts';
import { toJsonValue, warningsJson } from '../bytes/json.ts';
import { decodePfcp, missingMandatory, ieName, type PfcpIe, type PfcpMessage } from './message.ts';
import { GROUPED_IES, PFCP_CAUSE_NAMES, PFCP_MESSAGE_NAMES } from './types.ts';

function ieJson(x: PfcpIe): JsonValue {
  const base: Record<string, JsonValue> = { type: x.type, name: ieName(x.type) };
  if (x.enterpriseId !== undefined) base.enterpriseId = x.enterpriseId;
  if (GROUPED_IES.has(x.type) && Array.isArray(x.value)) base.ies = (x.value as PfcpIe[]).map(ieJson);
  else base.value = toJsonValue(x.value);
  if (x.type === 19 && typeof x.value === 'number') base.meaning = `${PFCP_CAUSE_NAMES[x.value] ?? 'Spare'} (${x.value})`;
  if (x.trailing) base.trailing = toJsonValue(x.trailing);
  return base;
}

export function pfcpToJson(m: PfcpMessage): JsonValue {
  const out: Record<string, JsonValue> = { messageType: m.type, sequenceNumber: m.sequenceNumber };
  if (m.seid !== undefined) out.seid = `0x${m.seid.toString(16).padStart(16, '0')}`;
  if (m.priority !== undefined) out.priority = m.priority;
  out.ies = m.ies.map(ieJson);
  const missing = missingMandatory(m);
  if (missing.length) out.missingMandatoryIes = missing;
  return out;
}

export function dissectPfcp(payload: Uint8Array): DissectedMessage[] {
  const warnings: DecodeWarning[] = [];
  const m = decodePfcp(payload, { checkMandatory: false, warnings });
  return [{ protocol: 'pfcp', message: PFCP_MESSAGE_NAMES[m.type] ?? `Type ${m.type}`, fields: pfcpToJson(m), ...warningsJson(warnings) }];
}
