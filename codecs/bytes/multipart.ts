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

const dec = new TextDecoder();

export const MULTIPART_RELATED = 'multipart/related';

/** Builds a multipart/related body; returns it with the Content-Type header value to send. */
export function encodeMultipart(parts: MultipartPart[], boundary = 'wire5g-boundary'): { contentType: string; body: Uint8Array } {
  // the part heads as text, measured, then written with the parts into one array (UTF-8)
  const heads: string[] = [];
  let size = 0;
  for (const p of parts) {
    const head = `--${boundary}\r\nContent-Type: ${p.contentType}\r\n${p.contentId ? `Content-Id: ${p.contentId}\r\n` : ''}\r\n`;
    heads.push(head);
    size += Buffer.byteLength(head, 'utf8') + p.body.length + 2;
  }
  const close = `--${boundary}--\r\n`;
  size += Buffer.byteLength(close, 'utf8');
  const body = new Uint8Array(size);
  const out = Buffer.from(body.buffer, 0, size);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    at += out.write(heads[i], at, 'utf8');
    body.set(parts[i].body, at);
    at += parts[i].body.length;
    body[at++] = 0x0d;
    body[at++] = 0x0a;
  }
  out.write(close, at, 'utf8');
  return { contentType: contentTypeOf(boundary, parts[0]?.contentType ?? 'application/json'), body };
}

/** Content-Type values made, by boundary and first part's type (a few: one string each, not one per body). */
const contentTypes = new Map<string, Map<string, string>>();
function contentTypeOf(boundary: string, first: string): string {
  let byFirst = contentTypes.get(boundary);
  if (!byFirst) {
    if (contentTypes.size >= 16) contentTypes.clear();
    contentTypes.set(boundary, (byFirst = new Map()));
  }
  let ct = byFirst.get(first);
  if (ct === undefined) {
    if (byFirst.size >= 16) byFirst.clear();
    byFirst.set(first, (ct = `${MULTIPART_RELATED}; boundary=${boundary}; type="${first}"`));
  }
  return ct;
}

function fail(offset: number, reason: string): DecodeError {
  return new DecodeError({ protocol: 'multipart', code: 'BAD_VALUE', offset, path: 'multipart/related', reason });
}

/**
 * The delimiters of a Content-Type's boundary (RFC 2046 5.1.1), as UTF-8: `--boundary` and
 * `CRLF--boundary`, or undefined without a boundary parameter; by Content-Type value (a few).
 */
const delimiters = new Map<string, { first: Buffer; next: Buffer } | undefined>();
function delimitersOf(contentType: string): { first: Buffer; next: Buffer } | undefined {
  if (delimiters.has(contentType)) return delimiters.get(contentType);
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m ? (m[1] ?? m[2]) : undefined;
  const d = boundary === undefined ? undefined : { first: Buffer.from(`--${boundary}`, 'utf8'), next: Buffer.from(`\r\n--${boundary}`, 'utf8') };
  if (delimiters.size >= 64) delimiters.clear(); // a peer inventing boundaries does not grow it
  delimiters.set(contentType, d);
  return d;
}

const CRLF = Buffer.from('\r\n', 'latin1');
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

/** Splits a multipart body by the boundary from its Content-Type header value. */
export function decodeMultipart(contentType: string, body: Uint8Array): MultipartPart[] {
  const d = delimitersOf(contentType);
  if (!d) throw fail(0, 'Content-Type has no boundary parameter');
  const { first: delim, next: nextDelim } = d;
  // Buffer's indexOf: the first occurrence at or after the offset, searched natively
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const parts: MultipartPart[] = [];
  let at = b.indexOf(delim, 0);
  if (at < 0) throw fail(0, 'no boundary delimiter in the body');
  for (;;) {
    at += delim.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts; // close delimiter
    const headStart = at > b.length ? -1 : b.indexOf(CRLF, at);
    if (headStart < 0) throw fail(at, 'truncated part');
    const headEnd = b.indexOf(CRLFCRLF, headStart);
    if (headEnd < 0) throw fail(headStart, 'part headers not terminated');
    const headers = dec.decode(body.subarray(headStart + 2, headEnd)).split('\r\n');
    const next = headEnd + 4 > b.length ? -1 : b.indexOf(nextDelim, headEnd + 4);
    if (next < 0) throw fail(headEnd, 'part not followed by a boundary');
    // a copy of its own (Uint8Array's slice: a Buffer's is a view): a part a handler keeps (an N1 or
    // N2 container) holds neither the received chunk's memory nor octets a reader may reuse
    const part: MultipartPart = { contentType: 'text/plain', body: Uint8Array.prototype.slice.call(body, headEnd + 4, next) };
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
