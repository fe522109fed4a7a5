// A synthesized TCP connection for the capture, built from the bytes an HTTP/2 client really
// wrote and read (RFC 793): SYN, SYN-ACK, ACK at the start, data segments with sequence and
// acknowledgement numbers that follow the byte counts of each direction, and FIN/ACK exchanges at
// the end. Wireshark reassembles the stream and dissects HTTP/2, HPACK and the JSON bodies.

import type { WireTap, Endpoint } from '../tap.ts';
import { TcpFlags } from './synth.ts';

/** Largest payload per synthesized segment (keeps IPv4 total length < 65535). */
const MAX_SEGMENT = 32_768;

export class TcpStreamRecorder {
  private readonly tap: WireTap;
  private readonly client: Endpoint;
  private readonly server: Endpoint;
  /** Next sequence number of each side. */
  private clientSeq: number;
  private serverSeq: number;
  private opened = false;
  private closed = false;

  constructor(tap: WireTap, client: Endpoint, server: Endpoint, isn = 1000) {
    this.tap = tap;
    this.client = client;
    this.server = server;
    this.clientSeq = isn >>> 0;
    this.serverSeq = (isn * 7 + 5000) >>> 0;
  }

  /** The three-way handshake. */
  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.tap.tcp(this.client, this.server, { seq: this.clientSeq, ack: 0, flags: TcpFlags.SYN });
    this.clientSeq = (this.clientSeq + 1) >>> 0;
    this.tap.tcp(this.server, this.client, { seq: this.serverSeq, ack: this.clientSeq, flags: TcpFlags.SYN | TcpFlags.ACK });
    this.serverSeq = (this.serverSeq + 1) >>> 0;
    this.tap.tcp(this.client, this.server, { seq: this.clientSeq, ack: this.serverSeq, flags: TcpFlags.ACK });
  }

  /** Bytes the client wrote (`fromClient`) or read from the server. */
  data(fromClient: boolean, bytes: Uint8Array, comment?: string): void {
    if (this.closed || bytes.length === 0) return;
    this.open();
    for (let at = 0; at < bytes.length; at += MAX_SEGMENT) {
      const payload = bytes.subarray(at, Math.min(bytes.length, at + MAX_SEGMENT));
      const note = at === 0 ? comment : undefined;
      if (fromClient) {
        this.tap.tcp(this.client, this.server, { seq: this.clientSeq, ack: this.serverSeq, flags: TcpFlags.PSH | TcpFlags.ACK, payload }, note);
        this.clientSeq = (this.clientSeq + payload.length) >>> 0;
      } else {
        this.tap.tcp(this.server, this.client, { seq: this.serverSeq, ack: this.clientSeq, flags: TcpFlags.PSH | TcpFlags.ACK, payload }, note);
        this.serverSeq = (this.serverSeq + payload.length) >>> 0;
      }
    }
  }

  /** FIN from the client, FIN-ACK from the server, last ACK. */
  close(): void {
    if (this.closed || !this.opened) return;
    this.closed = true;
    this.tap.tcp(this.client, this.server, { seq: this.clientSeq, ack: this.serverSeq, flags: TcpFlags.FIN | TcpFlags.ACK });
    this.clientSeq = (this.clientSeq + 1) >>> 0;
    this.tap.tcp(this.server, this.client, { seq: this.serverSeq, ack: this.clientSeq, flags: TcpFlags.FIN | TcpFlags.ACK });
    this.serverSeq = (this.serverSeq + 1) >>> 0;
    this.tap.tcp(this.client, this.server, { seq: this.clientSeq, ack: this.serverSeq, flags: TcpFlags.ACK });
  }
}
