// One stream of wire5g's own HTTP/2 connection (RFC 9113 5.1): its windows, what has arrived
// (the header list, the body chunks), whether each side has ended, and how it closed.

import type { HeaderField } from '../../../codecs/http2/hpack.ts';
import type { H2Connection } from './connection.ts';

/** What the connection calls on a stream: the whole response (client) and the close (both). */
export interface H2StreamObserver {
  /** The whole response has arrived (END_STREAM). */
  response(s: H2Stream): void;
  /** The stream has closed (both sides ended, reset either way, or the connection closed). */
  closed(s: H2Stream): void;
}

const EMPTY = new Uint8Array(0);

/** H2Stream.state bits. */
export const STREAM_LOCAL_ENDED = 1;
export const STREAM_REMOTE_ENDED = 2;
export const STREAM_CLOSED = 4;

export class H2Stream {
  id: number;
  readonly conn: H2Connection;
  /** The request's (server) or final response's (client) header list, once received. */
  headers: HeaderField[] | undefined;
  /** The body's first DATA content, and the rest when there is more than one (an array only then). */
  private first: Uint8Array | undefined;
  private more: Uint8Array[] | undefined;
  sendWindow = 0;
  recvWindow = 0;
  /**
   * Where it is in its life (5.1), as bits (one field, not three, on an object of which every
   * request has two in flight): STREAM_LOCAL_ENDED, STREAM_REMOTE_ENDED, STREAM_CLOSED; set by
   * the connection only.
   */
  state = 0;
  /** The RST_STREAM code it closed with (sent or received, or CANCEL when the connection closed); undefined when both sides ended. */
  resetCode: number | undefined;
  /**
   * Who is told of the response (client) and of the close: the request (client) or the exchange
   * the server made of it, one object per request instead of closures.
   */
  observer: H2StreamObserver | undefined;

  constructor(conn: H2Connection, id: number, observer?: H2StreamObserver) {
    this.conn = conn;
    this.id = id;
    this.observer = observer;
  }

  /** We have sent END_STREAM (half-closed local, 5.1). */
  get localEnded(): boolean {
    return (this.state & STREAM_LOCAL_ENDED) !== 0;
  }

  /** The peer has sent END_STREAM (half-closed remote, 5.1). */
  get remoteEnded(): boolean {
    return (this.state & STREAM_REMOTE_ENDED) !== 0;
  }

  /** Closed: both sides ended, reset either way, or the connection closed. */
  get closed(): boolean {
    return (this.state & STREAM_CLOSED) !== 0;
  }

  /** The value of a received header field (the first, by its lowercase name). */
  header(name: string): string | undefined {
    const h = this.headers;
    if (!h) return undefined;
    for (let i = 0; i < h.length; i++) if (h[i].name === name) return h[i].value;
    return undefined;
  }

  /** A DATA frame's content (not empty). */
  received(data: Uint8Array): void {
    if (this.first === undefined) this.first = data;
    else (this.more ??= []).push(data);
  }

  /** The body received so far, in one piece. */
  body(): Uint8Array {
    if (this.first === undefined) return EMPTY;
    if (this.more === undefined) return this.first;
    return Buffer.concat([this.first, ...this.more]);
  }
}
