// One HTTP/2 connection read from its two byte streams, as a capture reader sees it (RFC 9113):
// the client preface (3.4), frames (4.1), header blocks across HEADERS + CONTINUATION decoded with
// each direction's HPACK state (4.3), and per stream the request (method, path) or the response
// (status) with its body once the stream half ends. Pure and incremental: bytes are pushed as
// the segments arrive and each push returns the frames it completed.

import { DecodeError } from '../bytes/errors.ts';
import type { JsonValue } from '../bytes/json.ts';
import { toJsonValue } from '../bytes/json.ts';
import { decodeMultipart } from '../bytes/multipart.ts';
import { HpackDecoder, type HeaderField } from './hpack.ts';
import {
  CONNECTION_PREFACE, FRAME_TYPE_NAMES, FrameType, FrameFlags, ERROR_CODE_NAMES, SETTINGS_NAMES,
  frameAt, frameContent, decodeSettings, decodeRstStream, decodeGoaway, decodeWindowUpdate,
} from './frame.ts';

/** One frame as a reader shows it: the frame type's name and what it says. */
export interface Http2FrameReport {
  /** 'Magic' for the connection preface, else the frame type (HEADERS, DATA, SETTINGS, ...). */
  message: string;
  fields: { [k: string]: JsonValue };
}

/** A binary part of a multipart body (N1/N2 information), for a caller that dissects it further. */
export interface BinaryPart {
  contentType: string;
  contentId?: string;
  body: Uint8Array;
  /** For N2 information: the NgapIeType the JSON part gives it (TS 29.518 6.1.6.3.x, TS 29.502), e.g. PDU_RES_SETUP_REQ. */
  ngapIeType?: string;
}

/**
 * The NgapIeType of each N2 part by Content-ID, from the JSON part: an N2InfoContent
 * ({ngapIeType, ngapData: {contentId}}) or an SmContext's {n2SmInfoType, n2SmInfo: {contentId}}.
 */
function ngapIeTypes(v: unknown, out: Map<string, string>, depth = 0): Map<string, string> {
  if (depth > 16 || v === null || typeof v !== 'object') return out;
  const o = v as Record<string, unknown>;
  const ref = (x: unknown) => (x && typeof x === 'object' ? (x as { contentId?: unknown }).contentId : undefined);
  const a = ref(o.ngapData), b = ref(o.n2SmInfo);
  if (typeof o.ngapIeType === 'string' && typeof a === 'string') out.set(a, o.ngapIeType);
  if (typeof o.n2SmInfoType === 'string' && typeof b === 'string') out.set(b, o.n2SmInfoType);
  for (const x of Object.values(o)) ngapIeTypes(x, out, depth + 1);
  return out;
}

interface StreamHalf {
  headers?: HeaderField[];
  data: Uint8Array[];
}

interface Direction {
  buf: Uint8Array;
  prefaceDone: boolean;
  hpack: HpackDecoder;
  /** A header block waiting for CONTINUATION frames. */
  pendingBlock?: { streamId: number; endStream: boolean; parts: Uint8Array[]; type: number };
  streams: Map<number, StreamHalf>;
  /** Octets of this direction consumed so far (offsets in errors). */
  consumed: number;
}

const text = new TextDecoder();
const MAX_BUFFER = 16 * 1024 * 1024;

function newDirection(isClient: boolean): Direction {
  return { buf: new Uint8Array(0), prefaceDone: !isClient, hpack: new HpackDecoder(), streams: new Map(), consumed: 0 };
}

function header(h: HeaderField[] | undefined, name: string): string | undefined {
  return h?.find((f) => f.name === name)?.value;
}

function isJson(ct: string): boolean {
  return /^application\/([\w.+-]*\+)?json\b/i.test(ct.trim());
}

/** The body as JSON when it is JSON, the parts of a multipart/related body, else its octets. */
function bodyJson(contentType: string | undefined, raw: Uint8Array, binaries: BinaryPart[]): JsonValue {
  const ct = contentType ?? '';
  if (isJson(ct)) {
    try {
      return JSON.parse(text.decode(raw)) as JsonValue;
    } catch {
      return { notJson: text.decode(raw) };
    }
  }
  if (/^multipart\/related/i.test(ct)) {
    const parts = decodeMultipart(ct, raw);
    const types = new Map<string, string>();
    for (const p of parts) {
      if (!isJson(p.contentType)) continue;
      try {
        ngapIeTypes(JSON.parse(text.decode(p.body)), types);
      } catch {
        // not JSON: shown as notJson below
      }
    }
    return parts.map((p): JsonValue => {
      if (isJson(p.contentType)) {
        try {
          return { contentType: p.contentType, json: JSON.parse(text.decode(p.body)) as JsonValue };
        } catch {
          return { contentType: p.contentType, notJson: text.decode(p.body) };
        }
      }
      const ieType = p.contentId !== undefined ? types.get(p.contentId) : undefined;
      binaries.push({ contentType: p.contentType, body: p.body, ...(p.contentId !== undefined ? { contentId: p.contentId } : {}), ...(ieType ? { ngapIeType: ieType } : {}) });
      return { contentType: p.contentType, ...(p.contentId !== undefined ? { contentId: p.contentId } : {}), octets: toJsonValue(p.body) };
    });
  }
  return { contentType: ct, octets: toJsonValue(raw) };
}

export class Http2ConnectionReader {
  private readonly client = newDirection(true);
  private readonly server = newDirection(false);

  /**
   * Feeds bytes of one direction (in order); returns the frames they complete, and the binary
   * parts of bodies that ended (for NAS/NGAP dissection). Throws DecodeError on a framing or
   * HPACK error (the connection cannot be read further: HPACK state is lost).
   */
  push(fromClient: boolean, bytes: Uint8Array): { frames: Http2FrameReport[]; binaries: BinaryPart[] } {
    const d = fromClient ? this.client : this.server;
    const joined = new Uint8Array(d.buf.length + bytes.length);
    joined.set(d.buf);
    joined.set(bytes, d.buf.length);
    if (joined.length > MAX_BUFFER) throw new DecodeError({ protocol: 'http2', code: 'BAD_LENGTH', offset: d.consumed, path: 'Frame', reason: `more than ${MAX_BUFFER} octets without a complete frame` });
    const frames: Http2FrameReport[] = [];
    const binaries: BinaryPart[] = [];
    let at = 0;
    if (!d.prefaceDone) {
      const n = Math.min(joined.length, CONNECTION_PREFACE.length);
      for (let i = 0; i < n; i++) {
        if (joined[i] !== CONNECTION_PREFACE[i]) throw new DecodeError({ protocol: 'http2', code: 'BAD_VALUE', offset: d.consumed + i, path: 'ConnectionPreface', reason: 'the client did not start with the HTTP/2 connection preface (RFC 9113 3.4)' });
      }
      if (joined.length < CONNECTION_PREFACE.length) {
        d.buf = joined;
        return { frames, binaries };
      }
      d.prefaceDone = true;
      at = CONNECTION_PREFACE.length;
      frames.push({ message: 'Magic', fields: { preface: 'PRI * HTTP/2.0' } });
    }
    for (;;) {
      const got = frameAt(joined, at);
      if (!got) break;
      const offset = d.consumed + at;
      frames.push(this.frame(d, fromClient, got.frame, offset, binaries));
      at = got.next;
    }
    d.consumed += at;
    d.buf = joined.slice(at);
    return { frames, binaries };
  }

  private frame(d: Direction, fromClient: boolean, f: { type: number; flags: number; streamId: number; payload: Uint8Array }, offset: number, binaries: BinaryPart[]): Http2FrameReport {
    const name = FRAME_TYPE_NAMES[f.type] ?? `unknown type ${f.type}`;
    const fields: { [k: string]: JsonValue } = { streamId: f.streamId };
    const endStream = (f.flags & FrameFlags.END_STREAM) !== 0;
    switch (f.type) {
      case FrameType.HEADERS:
      case FrameType.CONTINUATION: {
        if (f.type === FrameType.HEADERS) {
          if (d.pendingBlock) throw new DecodeError({ protocol: 'http2', code: 'BAD_VALUE', offset, path: 'HEADERS', reason: 'HEADERS while a header block awaits CONTINUATION (RFC 9113 6.10)' });
          d.pendingBlock = { streamId: f.streamId, endStream, parts: [], type: f.type };
        } else if (!d.pendingBlock || d.pendingBlock.streamId !== f.streamId) {
          throw new DecodeError({ protocol: 'http2', code: 'BAD_VALUE', offset, path: 'CONTINUATION', reason: 'CONTINUATION without a HEADERS frame before it on the same stream (RFC 9113 6.10)' });
        }
        d.pendingBlock.parts.push(frameContent(f, offset + 9));
        if (!(f.flags & FrameFlags.END_HEADERS)) {
          fields.headerBlockContinues = true;
          return { message: name, fields };
        }
        const block = d.pendingBlock;
        d.pendingBlock = undefined;
        const all = new Uint8Array(block.parts.reduce((n, p) => n + p.length, 0));
        let k = 0;
        for (const p of block.parts) {
          all.set(p, k);
          k += p.length;
        }
        const headers = d.hpack.decode(all);
        const half = d.streams.get(block.streamId) ?? { data: [] };
        half.headers = half.headers ? [...half.headers, ...headers] : headers; // trailers follow the first block
        d.streams.set(block.streamId, half);
        const method = header(headers, ':method');
        const path = header(headers, ':path');
        const status = header(headers, ':status');
        if (method !== undefined) fields.method = method;
        if (path !== undefined) fields.path = path;
        if (status !== undefined) fields.status = Number(status);
        fields.headers = headers.map((h) => `${h.name}: ${h.value}`);
        if (block.endStream) {
          fields.endStream = true;
          d.streams.delete(block.streamId);
        }
        return { message: name, fields };
      }
      case FrameType.DATA: {
        const data = frameContent(f, offset + 9);
        fields.length = data.length;
        const half = d.streams.get(f.streamId) ?? { data: [] };
        half.data.push(data);
        d.streams.set(f.streamId, half);
        if (endStream) {
          fields.endStream = true;
          d.streams.delete(f.streamId);
          const raw = new Uint8Array(half.data.reduce((n, p) => n + p.length, 0));
          let k = 0;
          for (const p of half.data) {
            raw.set(p, k);
            k += p.length;
          }
          const method = header(half.headers, ':method');
          const status = header(half.headers, ':status');
          if (method !== undefined) fields.of = `${method} ${header(half.headers, ':path') ?? ''}`;
          else if (status !== undefined) fields.of = `status ${status}`;
          fields.direction = fromClient ? 'request' : 'response';
          if (raw.length) fields.body = bodyJson(header(half.headers, 'content-type'), raw, binaries);
        }
        return { message: name, fields };
      }
      case FrameType.SETTINGS: {
        if (f.flags & FrameFlags.ACK) {
          fields.ack = true;
          return { message: name, fields };
        }
        const settings = decodeSettings(f, offset);
        for (const s of settings) {
          fields[SETTINGS_NAMES[s.id] ?? `setting ${s.id}`] = s.value;
          // the peer's decoder may use up to this table size for what we send it (6.5.2)
          if (s.id === 1) (fromClient ? this.server : this.client).hpack.setMaxTableSize(s.value);
        }
        return { message: name, fields };
      }
      case FrameType.RST_STREAM: {
        const code = decodeRstStream(f, offset);
        fields.errorCode = ERROR_CODE_NAMES[code] ?? code;
        d.streams.delete(f.streamId);
        return { message: name, fields };
      }
      case FrameType.GOAWAY: {
        const g = decodeGoaway(f, offset);
        fields.lastStreamId = g.lastStreamId;
        fields.errorCode = ERROR_CODE_NAMES[g.errorCode] ?? g.errorCode;
        return { message: name, fields };
      }
      case FrameType.WINDOW_UPDATE:
        fields.windowSizeIncrement = decodeWindowUpdate(f, offset);
        return { message: name, fields };
      case FrameType.PING:
        if (f.flags & FrameFlags.ACK) fields.ack = true;
        return { message: name, fields };
      default:
        fields.length = f.payload.length;
        return { message: name, fields };
    }
  }
}
