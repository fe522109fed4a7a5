// SBI message bodies (TS 29.500 6.1.2, 5.2.7.2): JSON, problem+json and multipart/related, from
// the octets of a request or response and back. On wire5g's own HTTP/2 a JSON body leaves as its
// text, which the frame writer encodes as UTF-8 straight into the DATA frame (issue 21 goal 3:
// a Buffer per body, then a copy of it into the frame, was a share of the SBI's CPU and bytes).

import { SbiProblem, SbiMultipart } from './api.ts';
import { decodeMultipart, encodeMultipart, type MultipartPart } from '../../codecs/bytes/multipart.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import type { HeaderField } from '../../codecs/http2/hpack.ts';

/**
 * A body as it goes to an HTTP/2 connection: its octets, or a JSON text whose UTF-8 encoding
 * (RFC 8259 8.1) is the octets.
 */
export type SbiBodyBytes = Uint8Array | string;

/** isJson's answers by Content-Type (a few distinct values; multipart boundaries bounded by the clear). */
const jsonTypes = new Map<string, boolean>();

function isJson(ct: string): boolean {
  let json = jsonTypes.get(ct);
  if (json === undefined) {
    const base = ct.split(';')[0].trim().toLowerCase();
    json = base === 'application/json' || base.endsWith('+json');
    if (jsonTypes.size >= 256) jsonTypes.clear();
    jsonTypes.set(ct, json);
  }
  return json;
}

/**
 * UTF-8 (RFC 8259 8.1): malformed sequences read as U+FFFD, a leading byte order mark is dropped
 * (8.1 lets a parser ignore it). TextDecoder, not Buffer's toString: measured no faster
 * (docs/decisions/21-sbi-cpu-2.md).
 */
const dec = new TextDecoder();

/** Parses a request body by Content-Type; throws SbiProblem 400/415. */
export function parseSbiBody(contentType: string | undefined, raw: Uint8Array): unknown {
  if (raw.length === 0) return undefined;
  const ct = contentType ?? '';
  if (isJson(ct)) {
    try {
      return JSON.parse(dec.decode(raw));
    } catch (e) {
      throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `body is not JSON: ${(e as Error).message}`);
    }
  }
  if (ct.toLowerCase().startsWith('multipart/related')) {
    let parts: MultipartPart[];
    try {
      parts = decodeMultipart(ct, raw);
    } catch (e) {
      if (e instanceof DecodeError) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', e.message);
      throw e;
    }
    const jsonPart = parts.find((p) => isJson(p.contentType));
    let json: unknown;
    try {
      json = jsonPart ? JSON.parse(dec.decode(jsonPart.body)) : undefined;
    } catch (e) {
      throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `JSON part does not parse: ${(e as Error).message}`);
    }
    const binaries: Record<string, { contentType: string; data: Uint8Array }> = {};
    for (const p of parts) if (p !== jsonPart && p.contentId) binaries[p.contentId] = { contentType: p.contentType, data: p.body };
    return new SbiMultipart(json, binaries);
  }
  throw new SbiProblem(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type ${ct || '(none)'} is not supported`);
}

/** A body to send: its Content-Type and its octets (a JSON body as its text, see SbiBodyBytes). */
export interface SbiBodyOut {
  contentType?: string;
  data?: SbiBodyBytes;
}

const NO_BODY: SbiBodyOut = {};

/** Serializes a body: JSON (as its text), problem+json, or multipart/related. */
export function sbiBodyOut(body: unknown, problem: boolean): SbiBodyOut {
  if (body === undefined) return NO_BODY;
  if (body instanceof SbiMultipart) {
    const parts: MultipartPart[] = [{ contentType: 'application/json', body: Buffer.from(JSON.stringify(body.json), 'utf8') }];
    for (const id in body.binaries) {
      if (!Object.hasOwn(body.binaries, id)) continue;
      const b = body.binaries[id];
      parts.push({ contentType: b.contentType, contentId: id, body: b.data });
    }
    const m = encodeMultipart(parts);
    return { contentType: m.contentType, data: m.body };
  }
  return { contentType: problem ? 'application/problem+json' : 'application/json', data: JSON.stringify(body) };
}

/** Content-Type header fields by value, made once (the HPACK encoder knows a field object it has sent). */
const contentTypes = new Map<string, HeaderField>();

/** The content-type header field with `value`. */
export function contentTypeField(value: string): HeaderField {
  let f = contentTypes.get(value);
  if (!f) {
    if (contentTypes.size >= 256) contentTypes.clear(); // a few media types (and multipart boundaries)
    contentTypes.set(value, (f = { name: 'content-type', value }));
  }
  return f;
}

/** The octets of a body to send (node:http2 and the SEPP take octets). */
export function bodyOctets(data: SbiBodyBytes): Uint8Array;
export function bodyOctets(data: SbiBodyBytes | undefined): Uint8Array | undefined;
export function bodyOctets(data: SbiBodyBytes | undefined): Uint8Array | undefined {
  // Buffer.from: a small body is a view of node's shared pool, not an ArrayBuffer of its own as
  // TextEncoder's; the same UTF-8 octets (a lone surrogate is U+FFFD in both)
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** Serializes a body: JSON, problem+json, or multipart/related, as octets. */
export function serializeSbiBody(body: unknown, problem: boolean): { contentType?: string; data?: Uint8Array } {
  const { contentType, data } = sbiBodyOut(body, problem);
  return data === undefined ? {} : { ...(contentType !== undefined ? { contentType } : {}), data: bodyOctets(data) };
}
