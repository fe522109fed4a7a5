// The SBI client's capture of node:http2 (transport/sbi/client.ts): Node's http2 reads and writes
// a net.Socket's handle natively, bypassing JS, so the client hands http2 a Duplex that forwards
// to the socket and reports every chunk each way to a TcpStreamRecorder; a request's capture
// comment goes on the chunk that carries its HEADERS frame.

import type net from 'node:net';
import { Duplex } from 'node:stream';
import type { TcpStreamRecorder } from '../capture/tcp-stream.ts';
import { FrameHeaderWalker, FrameType } from '../../codecs/http2/frame.ts';

/** A Duplex over a socket that reports each chunk it passes to a recorder. */
export class TappedConnection extends Duplex {
  private readonly socket: net.Socket;
  private readonly rec: TcpStreamRecorder;
  /**
   * The capture comments of the requests in the order they were made (undefined for a request
   * without a step): each goes on the chunk that carries its HEADERS frame, i.e. the frame that
   * opens the next new stream, not on whatever the session writes first (the preface).
   */
  private readonly comments: (string | undefined)[] = [];
  private readonly frames = new FrameHeaderWalker(true);
  private lastStream = 0;
  /** TLS records pass here, not HTTP/2 frames: a comment goes on the next chunk written. */
  private readonly encrypted: boolean;

  /**
   * A TLS connection's chunks until its handshake is done: the key log lines (Decryption Secrets
   * Blocks) must precede the records they decrypt in the capture, since Wireshark reads a pcapng
   * front to back, and TLS derives them only after the records that carry the handshake.
   */
  private held: [boolean, Uint8Array, string | undefined][] | undefined;

  constructor(socket: net.Socket, rec: TcpStreamRecorder, encrypted = false) {
    super();
    this.socket = socket;
    this.rec = rec;
    this.encrypted = encrypted;
    if (encrypted) this.held = [];
    socket.on('data', (b: Buffer) => {
      this.record(false, Uint8Array.from(b));
      if (!this.push(b)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('close', () => {
      this.release();
      rec.close();
      this.destroy();
    });
    socket.on('error', (e) => this.destroy(e));
  }

  override _read(): void {
    this.socket.resume();
  }

  private record(outgoing: boolean, bytes: Uint8Array, note?: string): void {
    if (this.held) this.held.push([outgoing, bytes, note]);
    else this.rec.data(outgoing, bytes, note);
  }

  /** The TLS handshake is done and its secrets logged: what was held goes to the capture, in order. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const [outgoing, bytes, note] of held) this.rec.data(outgoing, bytes, note);
  }

  /** Queues the comment of the request about to be made on this connection. */
  requestComment(comment: string | undefined): void {
    this.comments.push(comment);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    const notes: string[] = [];
    if (this.encrypted) {
      const c = this.comments.shift();
      if (c) notes.push(c);
    } else for (const f of this.frames.push(bytes)) {
      if (f.type !== FrameType.HEADERS || f.streamId <= this.lastStream) continue;
      this.lastStream = f.streamId;
      const c = this.comments.shift();
      if (c) notes.push(c);
    }
    this.record(true, this.held ? Uint8Array.from(bytes) : bytes, notes.length ? notes.join('; ') : undefined);
    this.socket.write(chunk, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.socket.end(cb);
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }
}
