// HTTP/2 frames (RFC 9113 4.1, 6): the 9-octet header (length 24 bits, type, flags, R bit and
// 31-bit stream identifier) and the payload of each frame type: padding and priority removed from
// DATA and HEADERS, SETTINGS as (identifier, value) pairs, GOAWAY, RST_STREAM, WINDOW_UPDATE, PING.
// Pure; a frame that breaks the framing rules is a DecodeError with offset and field path.

import { DecodeError } from '../bytes/errors.ts';

const PROTOCOL = 'http2';

/** RFC 9113 3.4: the client connection preface, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n". */
export const CONNECTION_PREFACE = new TextEncoder().encode('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export const FrameType = {
  DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9,
} as const;

export const FRAME_TYPE_NAMES: Record<number, string> = {
  0: 'DATA', 1: 'HEADERS', 2: 'PRIORITY', 3: 'RST_STREAM', 4: 'SETTINGS', 5: 'PUSH_PROMISE', 6: 'PING', 7: 'GOAWAY', 8: 'WINDOW_UPDATE', 9: 'CONTINUATION',
};

export const FrameFlags = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

/** RFC 9113 6.5.2 setting identifiers. */
export const SETTINGS_NAMES: Record<number, string> = {
  1: 'HEADER_TABLE_SIZE', 2: 'ENABLE_PUSH', 3: 'MAX_CONCURRENT_STREAMS', 4: 'INITIAL_WINDOW_SIZE', 5: 'MAX_FRAME_SIZE', 6: 'MAX_HEADER_LIST_SIZE', 8: 'ENABLE_CONNECT_PROTOCOL',
};

/** RFC 9113 7 error codes. */
export const ERROR_CODE_NAMES: Record<number, string> = {
  0: 'NO_ERROR', 1: 'PROTOCOL_ERROR', 2: 'INTERNAL_ERROR', 3: 'FLOW_CONTROL_ERROR', 4: 'SETTINGS_TIMEOUT', 5: 'STREAM_CLOSED', 6: 'FRAME_SIZE_ERROR',
  7: 'REFUSED_STREAM', 8: 'CANCEL', 9: 'COMPRESSION_ERROR', 10: 'CONNECT_ERROR', 11: 'ENHANCE_YOUR_CALM', 12: 'INADEQUATE_SECURITY', 13: 'HTTP_1_1_REQUIRED',
};

export interface Http2Frame {
  type: number;
  flags: number;
  streamId: number;
  /** The payload as sent (padding and priority fields included). */
  payload: Uint8Array;
}

/** The frame header's length: 9 octets (RFC 9113 4.1). */
export const FRAME_HEADER_LENGTH = 9;

function fail(offset: number, path: string, reason: string, code: 'TRUNCATED' | 'BAD_LENGTH' | 'BAD_VALUE' = 'BAD_LENGTH'): DecodeError {
  return new DecodeError({ protocol: PROTOCOL, code, offset, path, reason });
}

/**
 * The frame starting at `offset` of `buf`, or undefined when `buf` does not yet hold all of it
 * (a byte-stream reader then waits for more). `maxFrameSize` is the receiver's
 * SETTINGS_MAX_FRAME_SIZE (4.2; at most 2^24 - 1).
 */
export function frameAt(buf: Uint8Array, offset: number, maxFrameSize = 0xffffff): { frame: Http2Frame; next: number } | undefined {
  if (buf.length - offset < FRAME_HEADER_LENGTH) return undefined;
  const length = (buf[offset] << 16) | (buf[offset + 1] << 8) | buf[offset + 2];
  if (length > maxFrameSize) throw fail(offset, 'Frame.Length', `frame of ${length} octets above SETTINGS_MAX_FRAME_SIZE ${maxFrameSize} (RFC 9113 4.2)`);
  if (buf.length - offset < FRAME_HEADER_LENGTH + length) return undefined;
  const type = buf[offset + 3];
  const flags = buf[offset + 4];
  const streamId = ((buf[offset + 5] & 0x7f) << 24 | (buf[offset + 6] << 16) | (buf[offset + 7] << 8) | buf[offset + 8]) >>> 0;
  const payload = buf.subarray(offset + FRAME_HEADER_LENGTH, offset + FRAME_HEADER_LENGTH + length);
  return { frame: { type, flags, streamId, payload }, next: offset + FRAME_HEADER_LENGTH + length };
}

/** Encodes one frame (header + payload). */
export function encodeFrame(f: Http2Frame): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_LENGTH + f.payload.length);
  const n = f.payload.length;
  out[0] = n >> 16;
  out[1] = (n >> 8) & 0xff;
  out[2] = n & 0xff;
  out[3] = f.type;
  out[4] = f.flags;
  out[5] = (f.streamId >>> 24) & 0x7f;
  out[6] = (f.streamId >>> 16) & 0xff;
  out[7] = (f.streamId >>> 8) & 0xff;
  out[8] = f.streamId & 0xff;
  out.set(f.payload, FRAME_HEADER_LENGTH);
  return out;
}

/**
 * The content of a DATA (6.1), HEADERS (6.2) or PUSH_PROMISE (6.6) payload without its padding
 * and priority fields: the data, or the header block fragment. `at` is the payload's offset in
 * the stream, for error offsets.
 */
export function frameContent(f: Http2Frame, at = 0): Uint8Array {
  const name = FRAME_TYPE_NAMES[f.type] ?? `type ${f.type}`;
  let p = f.payload;
  let start = 0;
  let padLength = 0;
  if (f.type === FrameType.DATA || f.type === FrameType.HEADERS || f.type === FrameType.PUSH_PROMISE) {
    if (f.flags & FrameFlags.PADDED) {
      if (p.length < 1) throw fail(at, `${name}.PadLength`, 'PADDED frame without a Pad Length', 'TRUNCATED');
      padLength = p[0];
      start = 1;
    }
  }
  if (f.type === FrameType.HEADERS && f.flags & FrameFlags.PRIORITY) start += 5; // 6.2: Exclusive, Stream Dependency, Weight
  if (f.type === FrameType.PUSH_PROMISE) start += 4; // Promised Stream ID
  if (start + padLength > p.length) throw fail(at, `${name}.PadLength`, `padding and fixed fields of ${start + padLength} octets exceed the ${p.length}-octet payload (RFC 9113 6.1)`);
  p = p.subarray(start, p.length - padLength);
  return p;
}

/** SETTINGS (6.5): identifier/value pairs; the length must be a multiple of 6. */
export function decodeSettings(f: Http2Frame, at = 0): { id: number; value: number }[] {
  if (f.streamId !== 0) throw fail(at, 'SETTINGS.StreamIdentifier', `SETTINGS on stream ${f.streamId} (RFC 9113 6.5)`, 'BAD_VALUE');
  if (f.payload.length % 6 !== 0) throw fail(at, 'SETTINGS.Length', `SETTINGS payload of ${f.payload.length} octets is not a multiple of 6 (RFC 9113 6.5)`);
  const out: { id: number; value: number }[] = [];
  const p = f.payload;
  for (let i = 0; i < p.length; i += 6) out.push({ id: (p[i] << 8) | p[i + 1], value: ((p[i + 2] << 24) | (p[i + 3] << 16) | (p[i + 4] << 8) | p[i + 5]) >>> 0 });
  return out;
}

function u32(p: Uint8Array, i: number): number {
  return ((p[i] << 24) | (p[i + 1] << 16) | (p[i + 2] << 8) | p[i + 3]) >>> 0;
}

/** RST_STREAM (6.4): the error code. */
export function decodeRstStream(f: Http2Frame, at = 0): number {
  if (f.payload.length !== 4) throw fail(at, 'RST_STREAM.Length', `RST_STREAM of ${f.payload.length} octets (must be 4, RFC 9113 6.4)`);
  return u32(f.payload, 0);
}

/** GOAWAY (6.8): last stream identifier and error code. */
export function decodeGoaway(f: Http2Frame, at = 0): { lastStreamId: number; errorCode: number } {
  if (f.payload.length < 8) throw fail(at, 'GOAWAY.Length', `GOAWAY of ${f.payload.length} octets (at least 8, RFC 9113 6.8)`, 'TRUNCATED');
  return { lastStreamId: u32(f.payload, 0) & 0x7fffffff, errorCode: u32(f.payload, 4) };
}

/** WINDOW_UPDATE (6.9): the window size increment. */
export function decodeWindowUpdate(f: Http2Frame, at = 0): number {
  if (f.payload.length !== 4) throw fail(at, 'WINDOW_UPDATE.Length', `WINDOW_UPDATE of ${f.payload.length} octets (must be 4, RFC 9113 6.9)`);
  return u32(f.payload, 0) & 0x7fffffff;
}

/**
 * Walks one direction of a connection chunk by chunk and reports the frame headers each chunk
 * holds (type and stream), without keeping payloads: for a writer that tags the chunk carrying a
 * given frame, or counts frames. The client's direction starts with the connection preface.
 */
export class FrameHeaderWalker {
  private skip: number;
  private partial: number[] = [];

  constructor(clientSide: boolean) {
    this.skip = clientSide ? CONNECTION_PREFACE.length : 0;
  }

  /** The frames whose 9-octet header ends in `chunk`. */
  push(chunk: Uint8Array): { type: number; flags: number; streamId: number }[] {
    const out: { type: number; flags: number; streamId: number }[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      if (this.partial.length === 0 && i + FRAME_HEADER_LENGTH <= chunk.length) {
        // the whole header is in this chunk (nearly always): read in place
        this.skip = (chunk[i] << 16) | (chunk[i + 1] << 8) | chunk[i + 2];
        out.push({ type: chunk[i + 3], flags: chunk[i + 4], streamId: (((chunk[i + 5] & 0x7f) << 24) | (chunk[i + 6] << 16) | (chunk[i + 7] << 8) | chunk[i + 8]) >>> 0 });
        i += FRAME_HEADER_LENGTH;
        continue;
      }
      this.partial.push(chunk[i++]);
      if (this.partial.length < FRAME_HEADER_LENGTH) continue;
      const h = this.partial;
      this.partial = [];
      this.skip = (h[0] << 16) | (h[1] << 8) | h[2];
      out.push({ type: h[3], flags: h[4], streamId: (((h[5] & 0x7f) << 24) | (h[6] << 16) | (h[7] << 8) | h[8]) >>> 0 });
    }
    return out;
  }
}
