// DATA and HEADERS payloads without padding (RFC 9113 6.1, 6.2) as connection errors; the peer's SETTINGS (RFC 9113 6.5.2) with their ranges, and the checks of a request's header
// list (8.1.1, 8.2, 8.3.1) that make it malformed: a stream error, never a crash.

import type { HeaderField } from '../../../codecs/http2/hpack.ts';
import { H2Error, H2ProtocolError } from './errors.ts';
import { frameContent as payloadContent, FrameType, FrameFlags } from '../../../codecs/http2/frame.ts';
import { DecodeError } from '../../../codecs/bytes/errors.ts';

export class Settings {
  /** What we allow a client at once: no limit announced (6.5.2 initial value "unlimited"). */
  static readonly ourMaxConcurrentStreams = 1 << 20;
  headerTableSize = 4096;
  enablePush = 1;
  maxConcurrentStreams = Infinity;
  initialWindowSize = 65535;
  maxFrameSize = 16384;
  maxHeaderListSize = Infinity;

  /** A SETTINGS payload (6.5): six octets per setting, identifier and value. */
  applyPayload(p: Buffer, role: 'client' | 'server'): void {
    if (p.length % 6) throw new H2ProtocolError(H2Error.FRAME_SIZE_ERROR, `SETTINGS of ${p.length} octets, not a multiple of 6 (RFC 9113 6.5)`);
    for (let i = 0; i < p.length; i += 6) this.apply(p.readUInt16BE(i), p.readUInt32BE(i + 2), role);
  }

  apply(id: number, value: number, role: 'client' | 'server'): void {
    switch (id) {
      case 1: this.headerTableSize = value; break;
      case 2:
        if (value > 1 || (role === 'client' && value === 1)) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, `SETTINGS_ENABLE_PUSH ${value} (RFC 9113 6.5.2)`);
        this.enablePush = value;
        break;
      case 3: this.maxConcurrentStreams = value; break;
      case 4:
        if (value > 0x7fffffff) throw new H2ProtocolError(H2Error.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE ${value} above 2^31-1 (RFC 9113 6.5.2)`);
        this.initialWindowSize = value;
        break;
      case 5:
        if (value < 16384 || value > 0xffffff) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, `SETTINGS_MAX_FRAME_SIZE ${value} outside 2^14..2^24-1 (RFC 9113 6.5.2)`);
        this.maxFrameSize = value;
        break;
      case 6: this.maxHeaderListSize = value; break;
      default: break; // unknown settings are ignored (6.5.2)
    }
  }
}

/**
 * Fields whose value is a single value, not a list (RFC 9110: e.g. 8.3 Content-Type, 10.2.2
 * Location, 10.1.5 User-Agent): repeated, they cannot be joined into a meaningful value, and the
 * record keeps the first, as node:http2 does (the same names; test/http2/repeated-fields-interop).
 */
const SINGLE_VALUE_FIELDS = new Set([
  'access-control-allow-credentials', 'access-control-max-age', 'access-control-request-method', 'age', 'authorization',
  'content-encoding', 'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type',
  'date', 'dnt', 'etag', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'tk', 'upgrade-insecure-requests', 'user-agent', 'x-content-type-options',
]);

/**
 * An empty header record without a prototype, as node:http2's: a peer's field named `constructor`
 * or `__proto__` is a field like any other, not Object.prototype's member.
 */
export function headerRecord(): Record<string, string | undefined> {
  return Object.create(null) as Record<string, string | undefined>;
}

/**
 * One record's value of a field name seen more than once in a header list: joined with ", " (RFC
 * 9110 5.3), except `cookie`, which HTTP/2 lets a client split into one field per cookie pair and
 * whose pieces are joined with "; " (RFC 9113 8.2.3), and a single-value field, whose first value
 * stays (SINGLE_VALUE_FIELDS); as node:http2 builds its header objects.
 */
export function joinedField(name: string, before: string | undefined, value: string): string {
  if (before === undefined) return value;
  if (name === 'cookie') return `${before}; ${value}`;
  return SINGLE_VALUE_FIELDS.has(name) ? before : `${before}, ${value}`;
}

const CONNECTION_SPECIFIC = new Set(['connection', 'proxy-connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

/** A field name with an uppercase letter (8.2.1), by character codes: toLowerCase makes a string per call. */
function hasUppercase(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return true;
  }
  return false;
}

/**
 * Names found without uppercase: the names of a connection's header lists are nearly always the
 * same few string objects (the HPACK tables' entries), so each is scanned once, not per request.
 */
const lowercaseNames = new Set<string>();

/** Why a request's header list is malformed (8.1.1), or undefined when it is well formed. */
export function validateRequestHeaders(fields: readonly HeaderField[]): string | undefined {
  let regular = false;
  let method = 0, scheme = 0, path = 0;
  for (let i = 0; i < fields.length; i++) {
    const { name, value } = fields[i];
    if (!lowercaseNames.has(name)) {
      if (hasUppercase(name)) return `uppercase field name ${name} (8.2.1)`;
      if (lowercaseNames.size >= 1024) lowercaseNames.clear(); // a peer inventing names does not grow it
      lowercaseNames.add(name);
    }
    if (name.startsWith(':')) {
      if (regular) return `pseudo-header ${name} after a regular field (8.3)`;
      if (name === ':method') method++;
      else if (name === ':scheme') scheme++;
      else if (name === ':path') {
        path++;
        if (value === '') return 'empty :path (8.3.1)';
      } else if (name !== ':authority') return `pseudo-header ${name} in a request (8.3)`;
    } else {
      regular = true;
      if (CONNECTION_SPECIFIC.has(name)) return `connection-specific field ${name} (8.2.2)`;
      if (name === 'te' && value !== 'trailers') return 'te other than "trailers" (8.2.2)';
    }
  }
  if (method !== 1 || scheme !== 1 || path !== 1) return 'not exactly one :method, :scheme and :path (8.3.1)';
  return undefined;
}

/** 1xx..5xx: three digits, the first 1 to 5 (RFC 9110 15), by character codes (no regular expression run per response). */
function threeDigitStatus(v: string): boolean {
  if (v.length !== 3) return false;
  const a = v.charCodeAt(0), b = v.charCodeAt(1), c = v.charCodeAt(2);
  return a >= 0x31 && a <= 0x35 && b >= 0x30 && b <= 0x39 && c >= 0x30 && c <= 0x39;
}

/**
 * What a response's header list is (8.3.2, 8.1): 'interim' for a 1xx without END_STREAM, the reason
 * it is malformed (no valid :status, an interim response ending the stream), undefined for a final one.
 */
export function responseProblem(fields: readonly HeaderField[], end: boolean): string | undefined {
  let status: string | undefined;
  for (let i = 0; i < fields.length && status === undefined; i++) if (fields[i].name === ':status') status = fields[i].value;
  if (status === undefined || !threeDigitStatus(status)) return 'response without a valid :status (RFC 9113 8.3.2)';
  if (status[0] !== '1') return undefined;
  return end ? 'interim response with END_STREAM (RFC 9113 8.1)' : 'interim';
}

/**
 * The data or header block fragment of a DATA or HEADERS payload (6.1, 6.2), by the codec's
 * frameContent; its DecodeError becomes the connection error: a PADDED frame without its Pad
 * Length is FRAME_SIZE_ERROR, padding beyond the payload PROTOCOL_ERROR (6.1).
 */
export function frameContent(type: number, flags: number, payload: Uint8Array): Uint8Array {
  // neither padding nor (HEADERS) priority fields: the payload is the content, as the codec would find
  if (!(flags & FrameFlags.PADDED) && (type !== FrameType.HEADERS || !(flags & FrameFlags.PRIORITY))) return payload;
  try {
    return payloadContent({ type, flags, streamId: 0, payload });
  } catch (e) {
    if (e instanceof DecodeError) throw new H2ProtocolError(e.code === 'TRUNCATED' ? H2Error.FRAME_SIZE_ERROR : H2Error.PROTOCOL_ERROR, e.message);
    throw e;
  }
}
