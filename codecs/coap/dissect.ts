// CoAP messages as `wire5g decode` prints them (UDP port 5683, RFC 7252 6.1): type, code, Message
// ID, token, the URI and Content-Format options, and a UTF-8 payload.

import type { DissectedMessage, JsonValue } from '../bytes/json.ts';
import { toHex } from '../bytes/hex.ts';
import { decodeCoap, uriOf, codeText, CoapOption } from './coap.ts';

const TYPES = ['CON', 'NON', 'ACK', 'RST'] as const;
const METHODS: Record<number, string> = { 1: 'GET', 2: 'POST', 3: 'PUT', 4: 'DELETE' };

export function dissectCoap(payload: Uint8Array): DissectedMessage[] {
  const m = decodeCoap(payload);
  const { path, query } = uriOf(m);
  const format = m.options.find((o) => o.number === CoapOption.CONTENT_FORMAT);
  const fields: Record<string, JsonValue> = { type: TYPES[m.type], code: codeText(m.code), messageId: m.messageId, token: toHex(m.token) };
  if (path) fields.uriPath = path;
  if (query.size) fields.uriQuery = Object.fromEntries(query);
  if (format) fields.contentFormat = format.value.reduce((n, b) => n * 256 + b, 0);
  if (m.payload.length) fields.payload = new TextDecoder().decode(m.payload);
  const name = METHODS[m.code] ?? codeText(m.code);
  return [{ protocol: 'coap', message: `${TYPES[m.type]} ${name}${path ? ` /${path}` : ''}`, fields }];
}
