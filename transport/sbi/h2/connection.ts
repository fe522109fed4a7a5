// wire5g's own HTTP/2 connection (RFC 9113) over cleartext TCP with prior knowledge (3.3), only
// what the SBI needs (TS 29.500 5.2): the connection preface (3.4), SETTINGS and their
// acknowledgement (6.5), requests and responses as HEADERS + CONTINUATION (6.2, 6.10) and DATA
// (6.1), flow control (5.2, 6.9: we announce large windows and honour the peer's), RST_STREAM
// (6.4), GOAWAY (6.8), PING (6.7). No server push (ENABLE_PUSH 0), no priorities (PRIORITY is
// read and ignored, 5.3.2), unknown frame types ignored (5.5). HPACK (RFC 7541) by
// codecs/http2: our encoder with its dynamic table, our decoder.
//
// A peer's bad bytes never throw out of here: a connection error is answered with GOAWAY and the
// RFC 9113 7 code (PROTOCOL_ERROR, FRAME_SIZE_ERROR, FLOW_CONTROL_ERROR, COMPRESSION_ERROR for a
// header block that does not decode) and the socket is closed; a stream error with RST_STREAM.

import type net from 'node:net';
import { HpackDecoder, type HeaderField } from '../../../codecs/http2/hpack.ts';
import { HpackEncoder } from '../../../codecs/http2/hpack-encoder.ts';
import { CONNECTION_PREFACE, FrameType, FrameFlags, ERROR_CODE_NAMES } from '../../../codecs/http2/frame.ts';
import { DecodeError } from '../../../codecs/bytes/errors.ts';
import { H2Stream, type H2StreamObserver, STREAM_LOCAL_ENDED, STREAM_REMOTE_ENDED, STREAM_CLOSED } from './stream.ts';
import { FrameWriter } from './writer.ts';
import { FrameReader } from './reader.ts';
import { StreamTable } from './stream-table.ts';
import { H2Error, H2ProtocolError, H2ClosedError } from './errors.ts';
import { Settings, validateRequestHeaders, responseProblem, frameContent } from './rules.ts';

/** Our receive windows: 16 MiB per stream (SETTINGS_INITIAL_WINDOW_SIZE), 1 GiB per connection. */
const LOCAL_STREAM_WINDOW = 1 << 24;
const LOCAL_CONNECTION_WINDOW = 1 << 30;
/** RFC 9113 6.5.2: the initial value of a window and of SETTINGS_MAX_FRAME_SIZE. */
const DEFAULT_WINDOW = 65535;
const MAX_WINDOW = 0x7fffffff;

export interface H2ConnectionOptions {
  role: 'client' | 'server';
  socket: net.Socket;
  /** Server: a request whose END_STREAM has arrived (headers and body are on the stream). */
  onRequest?: (stream: H2Stream) => void;
  /** Every chunk written, with the capture comments of the requests whose HEADERS it carries. */
  onWrite?: (bytes: Uint8Array, note: string | undefined) => void;
  onRead?: (bytes: Uint8Array) => void;
  /** The peer's GOAWAY: no new stream may be opened on this connection. */
  onGoaway?: (lastStreamId: number, code: number) => void;
  onClose?: () => void;
  log?: (line: string) => void;
}

/** A client's request waiting for a stream (MAX_CONCURRENT_STREAMS). */
interface Waiting {
  s: H2Stream;
  fields: HeaderField[];
  body: Uint8Array | string | undefined;
  note: string | undefined;
}

export class H2Connection {
  readonly role: 'client' | 'server';
  readonly socket: net.Socket;
  private readonly o: H2ConnectionOptions;
  private readonly streams = new StreamTable();
  private readonly decoder = new HpackDecoder();
  private readonly encoder = new HpackEncoder();
  private nextStreamId: number;
  /** The highest stream identifier the peer opened (server) or we opened (client). */
  private highestPeerStream = 0;
  private firstFrame = true;
  private continuation: { id: number; flags: number; parts: Uint8Array[] } | undefined;
  private peer = new Settings();
  /** Send windows (5.2): the connection's, and each stream's on the stream. */
  private sendWindow = DEFAULT_WINDOW;
  private recvWindow = DEFAULT_WINDOW;
  private recvConsumed = 0;
  /** Streams whose DATA waits for the peer's WINDOW_UPDATE, with what is left to send. */
  private readonly blocked = new Map<H2Stream, { data: Uint8Array; end: boolean }>();
  /** Client: requests waiting for one of the peer's MAX_CONCURRENT_STREAMS (kept here, not on every stream). */
  private readonly waiting: Waiting[] = [];
  private activeLocal = 0;
  private readonly w: FrameWriter;
  private readonly reader: FrameReader;
  private goawaySent = false;
  goawayReceived = false;
  closed = false;

  constructor(o: H2ConnectionOptions) {
    this.o = o;
    this.role = o.role;
    this.socket = o.socket;
    this.nextStreamId = o.role === 'client' ? 1 : 2;
    this.reader = new FrameReader(this, o.role === 'server');
    this.w = new FrameWriter(o.socket, o.onWrite);
    o.socket.setNoDelay(true);
    o.socket.on('data', (b: Buffer) => this.onData(b));
    o.socket.on('error', (e) => this.log(`socket: ${e.message}`));
    o.socket.on('close', () => this.onSocketClose());
    if (o.role === 'client') this.w.raw(CONNECTION_PREFACE);
    // 6.5.2: no push to a client; 16 MiB stream windows; then the connection window to 1 GiB (6.9.2)
    this.w.settings(o.role === 'client' ? [[2, 0], [4, LOCAL_STREAM_WINDOW]] : [[4, LOCAL_STREAM_WINDOW]]);
    this.w.windowUpdate(0, LOCAL_CONNECTION_WINDOW - DEFAULT_WINDOW);
    this.recvWindow = LOCAL_CONNECTION_WINDOW;
  }

  /** Streams open or waiting to open. */
  get busy(): number {
    return this.streams.size + this.waiting.length;
  }

  /** A new stream can be opened (no GOAWAY either way, identifiers left). */
  get usable(): boolean {
    return !this.closed && !this.goawaySent && !this.goawayReceived && this.nextStreamId <= MAX_WINDOW;
  }

  private log(line: string): void {
    this.o.log?.(`[http2 ${this.role} ${this.socket.remoteAddress ?? ''}:${this.socket.remotePort ?? ''}] ${line}`);
  }

  // --- sending --------------------------------------------------------------------------------------

  /** DATA frames within the peer's frame size and both send windows (the rest waits for WINDOW_UPDATE); a text fitting one frame is encoded in place. */
  private sendData(s: H2Stream, data: Uint8Array | string, end: boolean): void {
    if (typeof data === 'string') {
      const n = this.w.textData(s.id, end ? FrameFlags.END_STREAM : 0, data, Math.min(this.peer.maxFrameSize, this.sendWindow, s.sendWindow));
      if (n < 0) return this.sendData(s, Buffer.from(data, 'utf8'), end);
      this.sendWindow -= n;
      s.sendWindow -= n;
      if (end) this.localEnd(s);
      return;
    }
    let off = 0;
    for (;;) {
      const left = data.length - off;
      const n = Math.min(left, this.peer.maxFrameSize, this.sendWindow, s.sendWindow);
      if (left > 0 && n <= 0) {
        this.blocked.set(s, { data: data.subarray(off), end });
        return;
      }
      const last = n === left;
      this.w.frame(FrameType.DATA, last && end ? FrameFlags.END_STREAM : 0, s.id, data, off, n);
      this.sendWindow -= n;
      s.sendWindow -= n;
      off += n;
      if (last) {
        if (end) this.localEnd(s);
        return;
      }
    }
  }

  private resumeBlocked(): void {
    for (const [s, p] of [...this.blocked]) {
      if (this.sendWindow <= 0) return;
      if (s.sendWindow <= 0) continue;
      if (this.blocked.size) this.blocked.delete(s);
      this.sendData(s, p.data, p.end);
    }
  }

  // --- streams ------------------------------------------------------------------------------------

  /** Client: opens a stream with a request (8.3.1); it waits while the peer's MAX_CONCURRENT_STREAMS are in use. */
  request(fields: HeaderField[], body: Uint8Array | string | undefined, note: string | undefined, observer: H2StreamObserver): H2Stream {
    if (!this.usable) throw new H2ClosedError('the HTTP/2 connection is closing (GOAWAY) or closed');
    const s = new H2Stream(this, 0, observer);
    if (this.activeLocal >= this.peer.maxConcurrentStreams) this.waiting.push({ s, fields, body, note });
    else this.open(s, fields, body, note);
    return s;
  }

  private openWaiting(w: Waiting): void {
    this.open(w.s, w.fields, w.body, w.note);
  }

  private open(s: H2Stream, fields: HeaderField[], body: Uint8Array | string | undefined, note: string | undefined): void {
    s.id = this.nextStreamId;
    this.nextStreamId += 2;
    s.sendWindow = this.peer.initialWindowSize;
    s.recvWindow = LOCAL_STREAM_WINDOW;
    this.streams.add(s);
    this.activeLocal++;
    if (note) this.w.notes.push(note);
    this.w.headerList(s.id, this.encoder, fields, body === undefined, this.peer.maxFrameSize);
    if (body === undefined) this.localEnd(s);
    else this.sendData(s, body, true);
  }

  /** Server: the response (8.3.2) to a request, status first, then the body in DATA frames. */
  respond(s: H2Stream, fields: HeaderField[], body: Uint8Array | string | undefined): void {
    if (s.closed || s.localEnded) throw new H2ClosedError(`stream ${s.id} is closed`);
    this.w.headerList(s.id, this.encoder, fields, body === undefined, this.peer.maxFrameSize);
    if (body === undefined) this.localEnd(s);
    else this.sendData(s, body, true);
  }

  /** Resets a stream (6.4): a client's cancelled request, a server's refused one. */
  reset(s: H2Stream, code: number): void {
    if (s.closed) return;
    const w = this.waiting.findIndex((x) => x.s === s);
    if (w >= 0) this.waiting.splice(w, 1);
    else if (!this.socket.destroyed) this.w.u32(FrameType.RST_STREAM, s.id, code);
    this.closeStream(s, code);
  }

  private localEnd(s: H2Stream): void {
    s.state |= STREAM_LOCAL_ENDED;
    if (s.remoteEnded) this.closeStream(s, undefined);
  }

  private remoteEnd(s: H2Stream): void {
    s.state |= STREAM_REMOTE_ENDED;
    if (this.role === 'server') this.o.onRequest?.(s);
    else s.observer?.response(s);
    if (s.localEnded) this.closeStream(s, undefined);
  }

  private closeStream(s: H2Stream, code: number | undefined): void {
    if (s.closed) return;
    s.state |= STREAM_CLOSED;
    s.resetCode = code;
    if (s.id) this.streams.delete(s);
    if (this.blocked.size) this.blocked.delete(s);
    const local = (s.id & 1) === (this.role === 'client' ? 1 : 0);
    if (local && s.id) {
      this.activeLocal--;
      const next = this.waiting.shift();
      if (next) this.openWaiting(next);
    }
    s.observer?.closed(s);
    if ((this.goawaySent || this.goawayReceived) && this.streams.size === 0 && this.waiting.length === 0) this.end();
  }

  // --- reading ------------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.o.onRead?.(chunk);
    try {
      this.reader.push(chunk);
    } catch (e) {
      this.fail(e);
    }
  }

  /** The frame whose payload is `start`..`end` of `buf` (from the reader): DATA and HEADERS read it in place, the others get a view. */
  onFrame(type: number, flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (this.firstFrame) {
      this.firstFrame = false;
      if (type !== FrameType.SETTINGS || flags & FrameFlags.ACK) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, 'the first frame of the peer is not SETTINGS (RFC 9113 3.4)');
    }
    if (this.continuation && type !== FrameType.CONTINUATION) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, `frame type ${type} inside the header block of stream ${this.continuation.id} (RFC 9113 6.10)`);
    if (type === FrameType.DATA) return this.onDataFrame(flags, id, buf, start, end);
    if (type === FrameType.HEADERS) return this.onHeadersFrame(flags, id, buf, start, end);
    const p = buf.subarray(start, end);
    switch (type) {
      case FrameType.PRIORITY:
        if (id === 0) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, 'PRIORITY on stream 0 (RFC 9113 6.3)');
        if (p.length !== 5) this.streamError(id, H2Error.FRAME_SIZE_ERROR, 'PRIORITY not 5 octets');
        return;
      case FrameType.RST_STREAM: return this.onRstStream(id, p);
      case FrameType.SETTINGS: return this.onSettings(flags, id, p);
      case FrameType.PUSH_PROMISE: throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, 'PUSH_PROMISE received, push was disabled (RFC 9113 6.6, 8.4)');
      case FrameType.PING:
        if (id !== 0) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, `PING on stream ${id} (RFC 9113 6.7)`);
        if (p.length !== 8) throw new H2ProtocolError(H2Error.FRAME_SIZE_ERROR, `PING of ${p.length} octets (RFC 9113 6.7)`);
        if (!(flags & FrameFlags.ACK)) this.w.frame(FrameType.PING, FrameFlags.ACK, 0, Uint8Array.from(p));
        return;
      case FrameType.GOAWAY: return this.onGoaway(id, p);
      case FrameType.WINDOW_UPDATE: return this.onWindowUpdate(id, p);
      case FrameType.CONTINUATION: return this.onContinuation(flags, id, p);
      default: return; // 5.5: unknown frame types are ignored
    }
  }

  /** The stream is idle: never opened by the side that may open it (5.1). */
  private idle(id: number): boolean {
    const peerOpens = (id & 1) === (this.role === 'server' ? 1 : 0);
    return peerOpens ? id > this.highestPeerStream : id >= this.nextStreamId;
  }

  private onDataFrame(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    const length = end - start;
    if (id === 0) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, 'DATA on stream 0 (RFC 9113 6.1)');
    if (length > this.recvWindow) throw new H2ProtocolError(H2Error.FLOW_CONTROL_ERROR, `DATA of ${length} octets beyond the connection window ${this.recvWindow} (RFC 9113 6.9)`);
    this.recvWindow -= length;
    this.recvConsumed += length;
    if (this.recvConsumed >= LOCAL_CONNECTION_WINDOW / 2) {
      this.w.windowUpdate(0, this.recvConsumed);
      this.recvWindow += this.recvConsumed;
      this.recvConsumed = 0;
    }
    const s = this.streams.get(id);
    if (!s) {
      if (this.idle(id)) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, `DATA on idle stream ${id} (RFC 9113 5.1)`);
      return; // a stream we reset or closed: its frames in flight are ignored (5.1 "closed")
    }
    if (s.remoteEnded || !s.headers) return this.streamError(id, s.remoteEnded ? H2Error.STREAM_CLOSED : H2Error.PROTOCOL_ERROR, 'DATA after END_STREAM or before HEADERS');
    if (length > s.recvWindow) return this.streamError(id, H2Error.FLOW_CONTROL_ERROR, `DATA beyond the stream window ${s.recvWindow}`);
    s.recvWindow -= length;
    if (flags & FrameFlags.PADDED) {
      const data = frameContent(FrameType.DATA, flags, buf.subarray(start, end));
      if (data.length) s.received(data);
    } else if (length) {
      s.received(new Uint8Array(buf.buffer, buf.byteOffset + start, length)); // a plain view: no Buffer subclass to construct
    }
    if (flags & FrameFlags.END_STREAM) this.remoteEnd(s);
    else if (s.recvWindow < LOCAL_STREAM_WINDOW / 2) {
      this.w.windowUpdate(id, LOCAL_STREAM_WINDOW - s.recvWindow);
      s.recvWindow = LOCAL_STREAM_WINDOW;
    }
  }

  private onHeadersFrame(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (id === 0) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, 'HEADERS on stream 0 (RFC 9113 6.2)');
    if (flags & (FrameFlags.PADDED | FrameFlags.PRIORITY)) {
      const fragment = frameContent(FrameType.HEADERS, flags, buf.subarray(start, end));
      buf = Buffer.from(fragment.buffer, fragment.byteOffset, fragment.byteLength);
      start = 0;
      end = fragment.length;
    }
    if (flags & FrameFlags.END_HEADERS) this.onHeaderBlock(id, flags, buf, start, end);
    else this.continuation = { id, flags, parts: [Uint8Array.from(buf.subarray(start, end))] };
  }

  private onContinuation(flags: number, id: number, p: Buffer): void {
    const c = this.continuation;
    if (!c || c.id !== id) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, `CONTINUATION on stream ${id} without a header block open on it (RFC 9113 6.10)`);
    c.parts.push(Uint8Array.from(p));
    if (c.parts.length > 64) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, 'a header block of more than 64 CONTINUATION frames');
    if (!(flags & FrameFlags.END_HEADERS)) return;
    this.continuation = undefined;
    const block = Buffer.concat(c.parts);
    this.onHeaderBlock(id, c.flags, block, 0, block.length);
  }

  /** The header block `start`..`stop` of `block`. */
  private onHeaderBlock(id: number, flags: number, block: Uint8Array, start: number, stop: number): void {
    let fields: HeaderField[];
    try {
      fields = this.decoder.decode(block, start, stop); // always: the table is the connection's (4.3)
    } catch (e) {
      if (e instanceof DecodeError) throw new H2ProtocolError(H2Error.COMPRESSION_ERROR, `header block of stream ${id}: ${e.message}`);
      throw e;
    }
    const end = (flags & FrameFlags.END_STREAM) !== 0;
    let s = this.streams.get(id);
    if (!s && this.role === 'server' && this.idle(id)) {
      if ((id & 1) === 0) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, `client opened even stream ${id} (RFC 9113 5.1.1)`);
      this.highestPeerStream = id;
      if (this.goawaySent) return; // 6.8: streams after our GOAWAY are not processed
      if (this.streams.size >= Settings.ourMaxConcurrentStreams) return this.streamError(id, H2Error.REFUSED_STREAM, 'too many streams');
      s = new H2Stream(this, id);
      s.sendWindow = this.peer.initialWindowSize;
      s.recvWindow = LOCAL_STREAM_WINDOW;
      this.streams.add(s);
      const bad = validateRequestHeaders(fields);
      if (bad) return this.streamError(id, H2Error.PROTOCOL_ERROR, `malformed request: ${bad} (RFC 9113 8.1.1)`);
      s.headers = fields;
    } else if (!s) {
      if (this.idle(id)) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, `HEADERS on idle stream ${id} (RFC 9113 5.1)`);
      return; // closed (we reset it): ignored
    } else if (s.remoteEnded) {
      return this.streamError(id, H2Error.STREAM_CLOSED, 'HEADERS after END_STREAM');
    } else if (!s.headers) {
      const bad = responseProblem(fields, end);
      if (bad === 'interim') return; // 1xx: informational, the final response follows
      if (bad) return this.streamError(id, H2Error.PROTOCOL_ERROR, bad);
      s.headers = fields;
    } else if (!end) {
      return this.streamError(id, H2Error.PROTOCOL_ERROR, 'trailers without END_STREAM (RFC 9113 8.1)');
    }
    if (end) this.remoteEnd(s);
  }

  private onRstStream(id: number, p: Buffer): void {
    if (id === 0) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, 'RST_STREAM on stream 0 (RFC 9113 6.4)');
    if (p.length !== 4) throw new H2ProtocolError(H2Error.FRAME_SIZE_ERROR, `RST_STREAM of ${p.length} octets (RFC 9113 6.4)`);
    if (this.idle(id)) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, `RST_STREAM on idle stream ${id} (RFC 9113 6.4)`);
    const s = this.streams.get(id);
    if (s) this.closeStream(s, p.readUInt32BE(0));
  }

  private onSettings(flags: number, id: number, p: Buffer): void {
    if (id !== 0) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, `SETTINGS on stream ${id} (RFC 9113 6.5)`);
    if (flags & FrameFlags.ACK) {
      if (p.length) throw new H2ProtocolError(H2Error.FRAME_SIZE_ERROR, 'SETTINGS ACK with a payload (RFC 9113 6.5)');
      return;
    }
    const before = this.peer.initialWindowSize;
    this.peer.applyPayload(p, this.role);
    this.encoder.setPeerMaxTableSize(this.peer.headerTableSize);
    const delta = this.peer.initialWindowSize - before;
    if (delta) {
      // 6.9.2: a new SETTINGS_INITIAL_WINDOW_SIZE moves every stream's send window by the difference
      for (const s of this.streams.values()) {
        s.sendWindow += delta;
        if (s.sendWindow > MAX_WINDOW) throw new H2ProtocolError(H2Error.FLOW_CONTROL_ERROR, 'a stream window above 2^31-1 (RFC 9113 6.9.2)');
      }
    }
    this.w.frame(FrameType.SETTINGS, FrameFlags.ACK, 0);
    while (this.waiting.length && this.activeLocal < this.peer.maxConcurrentStreams) this.openWaiting(this.waiting.shift()!);
    this.resumeBlocked();
  }

  private onGoaway(id: number, p: Buffer): void {
    if (id !== 0) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, `GOAWAY on stream ${id} (RFC 9113 6.8)`);
    if (p.length < 8) throw new H2ProtocolError(H2Error.FRAME_SIZE_ERROR, `GOAWAY of ${p.length} octets (RFC 9113 6.8)`);
    const last = p.readUInt32BE(0) & MAX_WINDOW;
    const code = p.readUInt32BE(4);
    this.goawayReceived = true;
    if (code !== H2Error.NO_ERROR) this.log(`GOAWAY ${ERROR_CODE_NAMES[code] ?? code}: ${p.subarray(8).toString('latin1')}`);
    this.o.onGoaway?.(last, code);
    // streams we opened above the last one the peer processed were not: they may be retried (6.8)
    for (const s of this.streams.values()) if ((s.id & 1) === (this.role === 'client' ? 1 : 0) && s.id > last) this.closeStream(s, H2Error.REFUSED_STREAM);
    for (const w of this.waiting.splice(0)) this.closeStream(w.s, H2Error.REFUSED_STREAM);
    if (this.streams.size === 0) this.end();
  }

  private onWindowUpdate(id: number, p: Buffer): void {
    if (p.length !== 4) throw new H2ProtocolError(H2Error.FRAME_SIZE_ERROR, `WINDOW_UPDATE of ${p.length} octets (RFC 9113 6.9)`);
    const inc = p.readUInt32BE(0) & MAX_WINDOW;
    if (id === 0) {
      if (inc === 0) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0 on the connection (RFC 9113 6.9)');
      this.sendWindow += inc;
      if (this.sendWindow > MAX_WINDOW) throw new H2ProtocolError(H2Error.FLOW_CONTROL_ERROR, 'connection window above 2^31-1 (RFC 9113 6.9.1)');
    } else {
      const s = this.streams.get(id);
      if (!s) {
        if (this.idle(id)) throw new H2ProtocolError(H2Error.PROTOCOL_ERROR, `WINDOW_UPDATE on idle stream ${id} (RFC 9113 5.1)`);
        return;
      }
      if (inc === 0) return this.streamError(id, H2Error.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0');
      s.sendWindow += inc;
      if (s.sendWindow > MAX_WINDOW) return this.streamError(id, H2Error.FLOW_CONTROL_ERROR, 'stream window above 2^31-1 (RFC 9113 6.9.1)');
    }
    this.resumeBlocked();
  }

  // --- errors and closing -------------------------------------------------------------------------

  private streamError(id: number, code: number, reason: string): void {
    this.log(`stream ${id}: ${ERROR_CODE_NAMES[code]}: ${reason}`);
    const s = this.streams.get(id);
    if (s) this.reset(s, code);
    else this.w.u32(FrameType.RST_STREAM, id, code);
  }

  private fail(e: unknown): void {
    const code = e instanceof H2ProtocolError ? e.code : H2Error.INTERNAL_ERROR;
    const reason = e instanceof Error ? e.message : String(e);
    this.log(`connection error ${ERROR_CODE_NAMES[code]}: ${reason}`);
    this.goaway(code, reason);
    this.w.flush();
    this.closed = true;
    this.socket.end();
    this.abortStreams(code);
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private goaway(code: number, debug = ''): void {
    if (this.goawaySent && code === H2Error.NO_ERROR) return;
    this.goawaySent = true;
    this.w.goaway(this.highestPeerStream, code, debug.slice(0, 256));
  }

  /** Graceful close (6.8): GOAWAY NO_ERROR, the open streams finish, then the socket ends. */
  close(): void {
    if (this.closed) return;
    this.goaway(H2Error.NO_ERROR);
    for (const w of this.waiting.splice(0)) this.closeStream(w.s, H2Error.REFUSED_STREAM);
    if (this.streams.size === 0) this.end();
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    this.w.flush();
    this.socket.end();
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private abortStreams(code: number): void {
    for (const s of [...this.streams.values(), ...this.waiting.splice(0).map((w) => w.s)]) this.closeStream(s, code);
  }

  private onSocketClose(): void {
    this.closed = true;
    this.abortStreams(H2Error.CANCEL);
    this.o.onClose?.();
  }
}
