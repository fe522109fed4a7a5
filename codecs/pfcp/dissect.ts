// PFCP messages as `wire5g decode --json` prints them: IE names as TS 29.244 gives them, in wire
// order, grouped IEs nested; unmodelled IEs as hex. Captures from other implementations are
// decoded leniently and the mandatory IEs they lack are listed.

import type { DissectedMessage, JsonValue } from '../bytes/json.ts';
import type { DecodeWarning } from '../bytes/errors.ts';
import { toJsonValue, warningsJson } from '../bytes/json.ts';
import { decodePfcp, missingMandatory, ieName, type PfcpIe, type PfcpMessage } from './message.ts';
import { GROUPED_IES, PFCP_CAUSE_NAMES, PFCP_MESSAGE_NAMES } from './types.ts';
import { splitPfcpBundle, PFCP_FO_FLAG } from './bundle.ts';

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

function dissectOne(payload: Uint8Array): DissectedMessage {
  const warnings: DecodeWarning[] = [];
  const m = decodePfcp(payload, { checkMandatory: false, warnings });
  return { protocol: 'pfcp', message: PFCP_MESSAGE_NAMES[m.type] ?? `Type ${m.type}`, fields: pfcpToJson(m), ...warningsJson(warnings) };
}

/**
 * The PFCP messages of a datagram: one, or a bundle split on the FO flag (TS 29.244 7.2.2.1). A
 * bundle whose follower is truncated, or whose last message has octets after it, is the decode
 * error of that message, as a single message with those octets would be.
 */
export function dissectPfcp(payload: Uint8Array): DissectedMessage[] {
  if (payload.length < 4 || (payload[0] & PFCP_FO_FLAG) === 0) return [dissectOne(payload)];
  const { messages, dropped } = splitPfcpBundle(payload);
  if (dropped > 0) {
    const last = messages[messages.length - 1];
    // a last message without FO followed by octets: that message with them; else what follows FO
    const bad = last !== undefined && (last[0] & PFCP_FO_FLAG) === 0 ? last.byteOffset - payload.byteOffset : payload.length - dropped;
    dissectOne(payload.subarray(bad)); // throws the DecodeError that says what is wrong
  }
  return messages.map(dissectOne);
}
