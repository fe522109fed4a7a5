// NAS-5GS messages as `wire5g decode --json` prints them: the TS 24.501 message name, the security
// header when there is one, and the IEs by the names of the message table.

import type { DissectedMessage, JsonValue } from '../bytes/json.ts';
import { toJsonValue } from '../bytes/json.ts';
import { decodeNas, decodeNasMessage, type NasMessage } from './message.ts';
import { DecodeError } from '../bytes/errors.ts';

export function nasToJson(m: NasMessage): JsonValue {
  const out: Record<string, JsonValue> = { messageType: m.messageType };
  if (m.pduSessionId !== undefined) out.pduSessionId = m.pduSessionId;
  if (m.pti !== undefined) out.pti = m.pti;
  out.ies = toJsonValue(m.ies);
  if (m.unknownIes) out.unknownIes = m.unknownIes.map((b) => toJsonValue(b));
  return out;
}

/**
 * Dissects a NAS PDU. A security protected message with null ciphering shows its inner message;
 * a ciphered one shows the header and says so. Messages carried in payload containers (5GSM in
 * UL/DL NAS transport) are dissected too.
 */
export function dissectNas(payload: Uint8Array): DissectedMessage[] {
  const pdu = decodeNas(payload);
  const out: DissectedMessage[] = [];
  let inner: NasMessage | undefined;
  if (pdu.kind === 'plain') inner = pdu.message;
  else {
    const p = pdu.protected;
    try {
      inner = pdu.inner ?? decodeNasMessage(p.payload); // null ciphering: the payload is plain
    } catch {
      inner = undefined; // ciphered with a non-null algorithm
    }
    const header = { securityHeaderType: p.securityHeaderType, mac: toJsonValue(p.mac), sequenceNumber: p.sequenceNumber };
    if (!inner) {
      out.push({ protocol: 'nas-5gs', message: 'Security protected NAS message (ciphered)', fields: { ...header, payloadLength: p.payload.length } });
      return out;
    }
    out.push({ protocol: 'nas-5gs', message: inner.name, fields: { securityHeader: header, ...(nasToJson(inner) as Record<string, JsonValue>) } });
  }
  if (pdu.kind === 'plain') out.push({ protocol: 'nas-5gs', message: inner.name, fields: nasToJson(inner) });
  const container = inner.ies.payloadContainer;
  if (container instanceof Uint8Array && inner.ies.payloadContainerType === 1 && container[0] === 0x2e) {
    try {
      out.push(...dissectNas(container));
    } catch (e) {
      out.push({ protocol: 'nas-5gs', message: 'Malformed 5GSM message in payload container', fields: { error: e instanceof DecodeError ? (e.toJSON() as unknown as JsonValue) : String(e) } });
    }
  }
  return out;
}
