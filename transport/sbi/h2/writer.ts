// The writing side of wire5g's own HTTP/2 connection: frames (RFC 9113 4.1) appended to one
// buffer and written to the socket once per turn of the event loop (transport/turn.ts: one
// setImmediate for every connection and transport, in the order they first wrote), so that the frames of many streams leave in one write; each write goes to the
// capture hook with the comments of the requests whose HEADERS it carries.

import type net from 'node:net';
import { FrameType, FrameFlags } from '../../../codecs/http2/frame.ts';
import type { HpackEncoder } from '../../../codecs/http2/hpack-encoder.ts';
import type { HeaderField } from '../../../codecs/http2/hpack.ts';
import { turnEnd, type TurnWriter } from '../../turn.ts';

/** The 9-octet frame header (4.1) at `p`: length, type, flags, R bit 0 and the stream identifier. */
function frameHeader(b: Buffer, p: number, len: number, type: number, flags: number, id: number): void {
  b[p] = len >>> 16;
  b[p + 1] = (len >>> 8) & 0xff;
  b[p + 2] = len & 0xff;
  b[p + 3] = type;
  b[p + 4] = flags;
  b[p + 5] = (id >>> 24) & 0x7f;
  b[p + 6] = (id >>> 16) & 0xff;
  b[p + 7] = (id >>> 8) & 0xff;
  b[p + 8] = id & 0xff;
}

export class FrameWriter implements TurnWriter {
  private readonly socket: net.Socket;
  private readonly onWrite: ((bytes: Uint8Array, note: string | undefined) => void) | undefined;
  private wbuf: Buffer = Buffer.allocUnsafe(65536);
  private wstart = 0;
  private wpos = 0;
  /** Capture comments for the next write. */
  notes: string[] = [];
  private flushScheduled = false;

  constructor(socket: net.Socket, onWrite?: (bytes: Uint8Array, note: string | undefined) => void) {
    this.socket = socket;
    this.onWrite = onWrite;
  }

  private room(n: number): void {
    if (this.wpos + n <= this.wbuf.length) return;
    const size = Math.max(65536, (this.wpos - this.wstart + n) * 2);
    const next = Buffer.allocUnsafe(size);
    this.wbuf.copy(next, 0, this.wstart, this.wpos);
    this.wpos -= this.wstart;
    this.wstart = 0;
    this.wbuf = next;
  }

  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.wbuf.set(bytes, this.wpos);
    this.wpos += bytes.length;
    this.scheduleFlush();
  }

  /** Appends one frame (4.1): length, type, flags, stream identifier, payload. */
  frame(type: number, flags: number, id: number, payload?: Uint8Array, off = 0, len = payload ? payload.length - off : 0): void {
    this.room(9 + len);
    const b = this.wbuf;
    const p = this.wpos;
    frameHeader(b, p, len, type, flags, id);
    // part of a payload (DATA beyond a frame, CONTINUATION): a plain view, not a Buffer subarray
    if (len) b.set(off === 0 && len === payload!.length ? payload! : new Uint8Array(payload!.buffer, payload!.byteOffset + off, len), p + 9);
    this.wpos = p + 9 + len;
    this.scheduleFlush();
  }

  /**
   * A DATA frame (6.1) carrying the UTF-8 encoding of `text`, written in place; returns its length,
   * or -1 with nothing written when that is more than `max` octets.
   */
  textData(id: number, flags: number, text: string, max: number): number {
    // a UTF-16 code unit is at least one octet of UTF-8 and at most three
    if (text.length > max) return -1;
    this.room(9 + 3 * text.length);
    const b = this.wbuf;
    const p = this.wpos;
    const len = b.write(text, p + 9);
    if (len > max) return -1;
    frameHeader(b, p, len, FrameType.DATA, flags, id);
    this.wpos = p + 9 + len;
    this.scheduleFlush();
    return len;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    turnEnd(this);
  }

  /** The flush of this turn, unless the connection flushed already (closing). */
  flushTurn(): void {
    if (this.flushScheduled) this.flush();
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.wpos === this.wstart || !this.socket.writable) return;
    const chunk = this.wbuf.subarray(this.wstart, this.wpos);
    this.wstart = this.wpos;
    const note = this.notes.length ? this.notes.join('; ') : undefined;
    this.notes = [];
    this.onWrite?.(chunk, note);
    this.socket.write(chunk);
    if (this.onWrite === undefined && this.socket.writableLength === 0) {
      // written at once (the socket queued nothing, and no capture has the octets): nobody holds
      // the chunk any more, so the buffer is free again from its start; a new 64 KiB buffer every
      // ~60 kB written was most of the run's external memory churn (docs/decisions/21-sbi-4.md)
      this.wstart = this.wpos = 0;
    } else if (this.wbuf.length - this.wpos < 4096) {
      this.wbuf = Buffer.allocUnsafe(65536);
      this.wstart = this.wpos = 0;
    }
  }

  settings(list: [number, number][]): void {
    const p = Buffer.allocUnsafe(6 * list.length);
    list.forEach(([id, v], i) => {
      p.writeUInt16BE(id, 6 * i);
      p.writeUInt32BE(v, 6 * i + 2);
    });
    this.frame(FrameType.SETTINGS, 0, 0, p);
  }

  u32(type: number, id: number, value: number): void {
    const p = Buffer.allocUnsafe(4);
    p.writeUInt32BE(value >>> 0, 0);
    this.frame(type, 0, id, p);
  }

  /** GOAWAY (6.8): the last stream processed, the error code, the debug text in UTF-8. */
  goaway(lastStreamId: number, code: number, debug: string): void {
    const d = Buffer.from(debug, 'utf8');
    const p = Buffer.allocUnsafe(8 + d.length);
    p.writeUInt32BE(lastStreamId, 0);
    p.writeUInt32BE(code, 4);
    d.copy(p, 8);
    this.frame(FrameType.GOAWAY, 0, 0, p);
  }

  windowUpdate(id: number, increment: number): void {
    this.u32(FrameType.WINDOW_UPDATE, id, increment);
  }

  /**
   * A header list in HEADERS (6.2), its block encoded by `encoder` in place after the frame
   * header's room; a block longer than `max` (the peer's SETTINGS_MAX_FRAME_SIZE) is copied out
   * and sent in HEADERS and CONTINUATION frames (6.10).
   */
  headerList(id: number, encoder: HpackEncoder, fields: readonly HeaderField[], endStream: boolean, max: number): void {
    this.room(9 + 256);
    const start = this.wpos + 9;
    const end = encoder.encodeAt(fields, this.wbuf, start);
    this.wbuf = encoder.target; // the same buffer, or a bigger copy holding the frames before the block too
    const len = end - start;
    if (len > max) {
      const block = Buffer.from(this.wbuf.subarray(start, end));
      this.headers(id, block, len, endStream, max);
      return;
    }
    frameHeader(this.wbuf, this.wpos, len, FrameType.HEADERS, FrameFlags.END_HEADERS | (endStream ? FrameFlags.END_STREAM : 0), id);
    this.wpos = end;
    this.scheduleFlush();
  }

  /**
   * A header block (the first `length` octets of `block`) in HEADERS and as many CONTINUATION
   * frames as the peer's SETTINGS_MAX_FRAME_SIZE needs (6.10).
   */
  headers(id: number, block: Uint8Array, length: number, endStream: boolean, max: number): void {
    const first = Math.min(length, max);
    this.frame(FrameType.HEADERS, (endStream ? FrameFlags.END_STREAM : 0) | (first === length ? FrameFlags.END_HEADERS : 0), id, block, 0, first);
    for (let off = first; off < length; off += max) {
      const n = Math.min(max, length - off);
      this.frame(FrameType.CONTINUATION, off + n === length ? FrameFlags.END_HEADERS : 0, id, block, off, n);
    }
  }
}
