// The reading side of wire5g's own HTTP/2 connection: the client connection preface checked
// (RFC 9113 3.4), then the byte stream cut into frames (4.1) handed on as offsets into the chunk
// read, no view per frame; a frame split across reads waits for its rest.

import { CONNECTION_PREFACE } from '../../../codecs/http2/frame.ts';
import { H2Error, H2ProtocolError } from './errors.ts';

/** RFC 9113 6.5.2: the initial SETTINGS_MAX_FRAME_SIZE, which we never raise. */
const DEFAULT_MAX_FRAME = 16384;
const MAX_ID = 0x7fffffff;

/** What the reader hands frames to. */
export interface FrameSink {
  /** The frame whose payload is `start`..`end` of `buf` (valid only during the call). */
  onFrame(type: number, flags: number, id: number, buf: Buffer, start: number, end: number): void;
  /** No more frames are wanted (the connection failed or closed). */
  readonly closed: boolean;
}

export class FrameReader {
  private readonly sink: FrameSink;
  private prefaceLeft: number;
  private rest: Buffer | undefined;

  /** `preface`: a server's reader, whose peer starts with the client connection preface. */
  constructor(sink: FrameSink, preface: boolean) {
    this.sink = sink;
    this.prefaceLeft = preface ? CONNECTION_PREFACE.length : 0;
  }

  /** One chunk read from the socket; an H2ProtocolError (or a sink's error) is thrown out. */
  push(chunk: Buffer): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    let pos = 0;
    if (this.prefaceLeft) {
      const at = CONNECTION_PREFACE.length - this.prefaceLeft;
      const n = Math.min(this.prefaceLeft, buf.length);
      for (let i = 0; i < n; i++) {
        if (buf[i] !== CONNECTION_PREFACE[at + i]) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, `not the HTTP/2 connection preface at octet ${at + i} (RFC 9113 3.4)`);
      }
      this.prefaceLeft -= n;
      pos = n;
    }
    while (buf.length - pos >= 9) {
      const len = (buf[pos] << 16) | (buf[pos + 1] << 8) | buf[pos + 2];
      if (len > DEFAULT_MAX_FRAME) throw new H2ProtocolError(H2Error.FRAME_SIZE_ERROR, `frame of ${len} octets above our SETTINGS_MAX_FRAME_SIZE ${DEFAULT_MAX_FRAME} (RFC 9113 4.2)`);
      if (buf.length - pos < 9 + len) break;
      const type = buf[pos + 3];
      const flags = buf[pos + 4];
      const id = ((buf[pos + 5] << 24) | (buf[pos + 6] << 16) | (buf[pos + 7] << 8) | buf[pos + 8]) & MAX_ID;
      pos += 9 + len;
      this.sink.onFrame(type, flags, id, buf, pos - len, pos);
      if (this.sink.closed) return;
    }
    if (pos < buf.length) this.rest = buf.subarray(pos);
  }
}
