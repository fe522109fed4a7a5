// multipart/related bodies (RFC 2387, RFC 2046 5.1) as TS 29.500 6.1.2.4 uses them to carry
// binary N1/N2 information next to JSON: the first part is application/json and refers to the
// others by Content-ID (e.g. "n1SmMsg" with Content-Type application/vnd.3gpp.5gnas, "n2SmInfo"
// with application/vnd.3gpp.ngap). Pure; a malformed body is a DecodeError.

import { DecodeError } from './errors.ts';

export interface MultipartPart {
  contentType: string;
  contentId?: string;
  body: Uint8Array;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export const MULTIPART_RELATED = 'multipart/related';

/** Builds a multipart/related body; returns it with the Content-Type header value to send. */
export function encodeMultipart(parts: MultipartPart[], boundary = 'wire5g-boundary'): { contentType: string; body: Uint8Array } {
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    const head = `--${boundary}\r\nContent-Type: ${p.contentType}\r\n${p.contentId ? `Content-Id: ${p.contentId}\r\n` : ''}\r\n`;
    chunks.push(enc.encode(head), p.body, enc.encode('\r\n'));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  const size = chunks.reduce((n, c) => n + c.length, 0);
  const body = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  const first = parts[0]?.contentType ?? 'application/json';
  return { contentType: `${MULTIPART_RELATED}; boundary=${boundary}; type="${first}"`, body };
}

function fail(offset: number, reason: string): DecodeError {
  return new DecodeError({ protocol: 'multipart', code: 'BAD_VALUE', offset, path: 'multipart/related', reason });
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/** Splits a multipart body by the boundary from its Content-Type header value. */
export function decodeMultipart(contentType: string, body: Uint8Array): MultipartPart[] {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!m) throw fail(0, 'Content-Type has no boundary parameter');
  const delim = enc.encode(`--${m[1] ?? m[2]}`);
  const parts: MultipartPart[] = [];
  let at = indexOf(body, delim, 0);
  if (at < 0) throw fail(0, 'no boundary delimiter in the body');
  for (;;) {
    at += delim.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts; // close delimiter
    const headStart = indexOf(body, enc.encode('\r\n'), at);
    if (headStart < 0) throw fail(at, 'truncated part');
    const headEnd = indexOf(body, enc.encode('\r\n\r\n'), headStart);
    if (headEnd < 0) throw fail(headStart, 'part headers not terminated');
    const headers = dec.decode(body.subarray(headStart + 2, headEnd)).split('\r\n');
    const next = indexOf(body, enc.encode(`\r\n--${m[1] ?? m[2]}`), headEnd + 4);
    if (next < 0) throw fail(headEnd, 'part not followed by a boundary');
    const part: MultipartPart = { contentType: 'text/plain', body: body.slice(headEnd + 4, next) };
    for (const h of headers) {
      const colon = h.indexOf(':');
      if (colon < 0) continue;
      const name = h.slice(0, colon).trim().toLowerCase();
      const value = h.slice(colon + 1).trim();
      if (name === 'content-type') part.contentType = value;
      else if (name === 'content-id') part.contentId = value.replace(/^<|>$/g, '');
    }
    parts.push(part);
    at = next + 2;
  }
}
