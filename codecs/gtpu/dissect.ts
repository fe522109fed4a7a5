// GTP-U messages as `wire5g decode --json` prints them.

import type { DissectedMessage, JsonValue } from '../bytes/json.ts';
import type { DecodeWarning } from '../bytes/errors.ts';
import { toJsonValue, warningsJson } from '../bytes/json.ts';
import { decodeGtpu, EXTENSION_HEADER_NAMES, type ExtensionHeader, type GtpuMessage } from './gtpu.ts';
import { formatIPv4, formatIPv6 } from '../bytes/ip.ts';

function extensionJson(e: ExtensionHeader): JsonValue {
  const name = EXTENSION_HEADER_NAMES[e.type] ?? `Type 0x${e.type.toString(16)}`;
  if ('container' in e) {
    const c = e.container;
    return { type: e.type, name, pduType: c.pduType === 0 ? 'DL PDU SESSION INFORMATION' : 'UL PDU SESSION INFORMATION', ...(toJsonValue(c) as Record<string, JsonValue>) };
  }
  if (e.type === 0x40 && e.content.length === 2) return { type: e.type, name, udpPort: (e.content[0] << 8) | e.content[1] };
  if (e.type === 0xc0 && e.content.length === 2) return { type: e.type, name, pdcpPduNumber: (e.content[0] << 8) | e.content[1] };
  return { type: e.type, name, content: toJsonValue(e.content) };
}

export function gtpuToJson(m: GtpuMessage): JsonValue {
  const h = m.header;
  const header: Record<string, JsonValue> = { messageType: h.messageType, teid: h.teid };
  if (h.sequenceNumber !== undefined) header.sequenceNumber = h.sequenceNumber;
  if (h.nPduNumber !== undefined) header.nPduNumber = h.nPduNumber;
  if (h.extensionHeaders) header.extensionHeaders = h.extensionHeaders.map(extensionJson);
  const body: Record<string, JsonValue> = {};
  switch (m.type) {
    case 'G-PDU':
      body.tPduLength = m.tPdu.length;
      break;
    case 'Echo Response':
      body.recovery = m.recovery;
      break;
    case 'Error Indication':
      body.teidDataI = m.teidDataI;
      body.gtpuPeerAddress = m.gtpuPeerAddress.length === 4 ? formatIPv4(m.gtpuPeerAddress) : formatIPv6(m.gtpuPeerAddress);
      break;
    case 'Supported Extension Headers Notification':
      body.extensionHeaderTypeList = m.extensionHeaderTypeList;
      break;
    default:
      break;
  }
  if ('privateExtensions' in m && m.privateExtensions) body.privateExtensions = toJsonValue(m.privateExtensions);
  return { header, ...body };
}

export function dissectGtpu(payload: Uint8Array): DissectedMessage[] {
  const warnings: DecodeWarning[] = [];
  const m = decodeGtpu(payload, warnings);
  return [{ protocol: 'gtpu', message: m.type, fields: gtpuToJson(m), ...warningsJson(warnings) }];
}
