// CoAP, RFC 7252 clause 3: the message format the PVS speaks over the UE's user plane (UDP port
// 5683, clause 6.1). wire5g encodes and decodes what SNPN provisioning needs and keeps whatever
// else is in a message:
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   |Ver| T |  TKL  |      Code     |          Message ID           |
//   |   Token (if any, TKL bytes) ...
//   |   Options (if any) ...
//   |1 1 1 1 1 1 1 1|    Payload (if any) ...
//
// An option (3.1) is a delta from the previous option number and a length, each a nibble with
// 13 (one more byte, minus 13) and 14 (two more bytes, minus 269) as extensions; 15 is reserved
// except in the 0xFF payload marker. Options are kept in the order of their numbers.

import { DecodeError, EncodeError, type DecodeErrorCode } from '../bytes/errors.ts';

/** 3: Confirmable, Non-confirmable, Acknowledgement, Reset. */
export const CoapType = { CON: 0, NON: 1, ACK: 2, RST: 3 } as const;
export type CoapType = (typeof CoapType)[keyof typeof CoapType];

/** 12.1: codes as class.detail, e.g. GET 0.01 = 1, 2.05 Content = 69, 4.04 Not Found = 132. */
export const CoapCode = { EMPTY: 0, GET: 1, POST: 2, CONTENT: 69, BAD_REQUEST: 128, NOT_FOUND: 132 } as const;

/** 5.10: option numbers used here (Uri-Path 11, Content-Format 12, Uri-Query 15). */
export const CoapOption = { URI_PATH: 11, CONTENT_FORMAT: 12, URI_QUERY: 15 } as const;

/** 12.3: Content-Format application/json. */
export const CONTENT_FORMAT_JSON = 50;

export interface CoapMessage {
  type: CoapType;
  code: number;
  messageId: number;
  token: Uint8Array;
  options: { number: number; value: Uint8Array }[];
  payload: Uint8Array;
}

/** "class.detail" of a code, e.g. 69 -> '2.05'. */
export function codeText(code: number): string {
  return `${code >> 5}.${String(code & 31).padStart(2, '0')}`;
}

function fail(code: DecodeErrorCode, offset: number, path: string, reason: string): DecodeError {
  return new DecodeError({ protocol: 'coap', code, offset, path, reason });
}

/** 3: decodes one CoAP message (a whole UDP payload). */
export function decodeCoap(b: Uint8Array): CoapMessage {
  if (b.length < 4) throw fail('TRUNCATED', b.length, 'Header', `4 octets needed, ${b.length} present`);
  const version = b[0] >> 6;
  if (version !== 1) throw fail('BAD_VALUE', 0, 'Header.Ver', `version ${version} (3: must be 1)`);
  const tkl = b[0] & 15;
  if (tkl > 8) throw fail('BAD_VALUE', 0, 'Header.TKL', `token length ${tkl} (3: 9-15 are reserved)`);
  if (4 + tkl > b.length) throw fail('TRUNCATED', b.length, 'Token', `${tkl} octets needed`);
  const msg: CoapMessage = { type: ((b[0] >> 4) & 3) as CoapType, code: b[1], messageId: (b[2] << 8) | b[3], token: b.slice(4, 4 + tkl), options: [], payload: new Uint8Array(0) };
  let at = 4 + tkl;
  let number = 0;
  while (at < b.length) {
    if (b[at] === 0xff) {
      // 3: a payload marker followed by a zero-length payload is a format error
      if (at + 1 === b.length) throw fail('TRUNCATED', at + 1, 'Payload', 'payload marker without a payload');
      msg.payload = b.slice(at + 1);
      return msg;
    }
    const path = `Options[${msg.options.length}]`;
    const first = at++;
    const ext = (nibble: number, what: string): number => {
      if (nibble === 15) throw fail('BAD_VALUE', first, `${path}.${what}`, 'nibble 15 is reserved (3.1)');
      if (nibble === 13) {
        if (at + 1 > b.length) throw fail('TRUNCATED', at, `${path}.${what}`, 'extended value needs 1 octet');
        return b[at++] + 13;
      }
      if (nibble === 14) {
        if (at + 2 > b.length) throw fail('TRUNCATED', at, `${path}.${what}`, 'extended value needs 2 octets');
        const v = ((b[at] << 8) | b[at + 1]) + 269;
        at += 2;
        return v;
      }
      return nibble;
    };
    number += ext(b[first] >> 4, 'Delta');
    const length = ext(b[first] & 15, 'Length');
    if (at + length > b.length) throw fail('TRUNCATED', b.length, `${path}.Value`, `${length} octets needed, ${b.length - at} left`);
    msg.options.push({ number, value: b.slice(at, at + length) });
    at += length;
  }
  return msg;
}

/** 3: encodes a message; options are written in the order of their numbers (stable for equal ones). */
export function encodeCoap(m: CoapMessage): Uint8Array {
  if (m.token.length > 8) throw new EncodeError('coap', 'Token', `${m.token.length} octets (3: at most 8)`);
  const out: number[] = [0x40 | (m.type << 4) | m.token.length, m.code & 0xff, (m.messageId >> 8) & 0xff, m.messageId & 0xff, ...m.token];
  const nibble = (v: number): [number, number[]] => (v < 13 ? [v, []] : v < 269 ? [13, [v - 13]] : [14, [(v - 269) >> 8, (v - 269) & 0xff]]);
  let previous = 0;
  for (const o of [...m.options].sort((a, b) => a.number - b.number)) {
    if (o.value.length > 65535 + 269) throw new EncodeError('coap', `Options(${o.number})`, 'value too long');
    const [d, dx] = nibble(o.number - previous);
    const [l, lx] = nibble(o.value.length);
    out.push((d << 4) | l, ...dx, ...lx, ...o.value);
    previous = o.number;
  }
  if (m.payload.length) out.push(0xff, ...m.payload);
  return Uint8Array.from(out);
}

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A string option (Uri-Path, Uri-Query: UTF-8, 5.10.1). */
export function stringOption(number: number, value: string): { number: number; value: Uint8Array } {
  return { number, value: utf8.encode(value) };
}

/** 5.10.1 / 6.5: the Uri-Path segments joined with '/' and the Uri-Query arguments. */
export function uriOf(m: CoapMessage): { path: string; query: Map<string, string> } {
  const path = m.options.filter((o) => o.number === CoapOption.URI_PATH).map((o) => text.decode(o.value)).join('/');
  const query = new Map<string, string>();
  for (const o of m.options.filter((x) => x.number === CoapOption.URI_QUERY)) {
    const s = text.decode(o.value);
    const eq = s.indexOf('=');
    query.set(eq < 0 ? s : s.slice(0, eq), eq < 0 ? '' : s.slice(eq + 1));
  }
  return { path, query };
}

/** 3.2 uint option value (Content-Format): the shortest big-endian form, zero as no octets. */
export function uintOption(number: number, v: number): { number: number; value: Uint8Array } {
  const bytes: number[] = [];
  for (let x = v; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return { number, value: Uint8Array.from(bytes) };
}
