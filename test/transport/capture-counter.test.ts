// The SBI messages a capture counts (transport/capture/counter.ts) walk each TCP direction's
// HTTP/2 frames. A connection that ends and a new one on the same addresses and ports (a client
// port the kernel reuses) must each be counted from their own first byte (RFC 9293 3.5, 3.6).

import { describe, it, expect } from 'vitest';
import { Capture } from '../../transport/capture/capture.ts';
import { TcpStreamRecorder } from '../../transport/capture/tcp-stream.ts';
import { InterfaceCounter, MAX_TCP_DIRECTIONS } from '../../transport/capture/counter.ts';
import { TcpFlags, type Endpoint } from '../../transport/capture/synth.ts';
import { concatBytes } from '../../codecs/bytes/concat.ts';
import { CONNECTION_PREFACE, FrameType } from '../../codecs/http2/frame.ts';

const frame = (type: number, streamId: number, length: number) => {
  const f = new Uint8Array(9 + length);
  f.set([length >> 16, (length >> 8) & 0xff, length & 0xff, type, 0x04, 0, 0, 0, streamId]);
  return f;
};
const SETTINGS = frame(FrameType.SETTINGS, 0, 0);
/** A request (HEADERS) and its answer (HEADERS), each a message. */
const request = (streamId: number) => frame(FrameType.HEADERS, streamId, 7);
// fresh endpoint objects per connection, as each TcpStreamRecorder gets from its socket
const client = (): Endpoint => ({ address: '127.1.41.1', port: 40_000 });
const server = (): Endpoint => ({ address: '127.1.41.2', port: 7777 });

describe('the SBI messages a capture counts, per TCP connection', () => {
  it('counts a new connection on a reused client port from its own preface, after one that ended within a frame header', () => {
    const capture = new Capture(() => {}, { dedupeWindowMs: 0 });
    const first = new TcpStreamRecorder(capture, client(), server(), 1);
    first.data(true, concatBytes([CONNECTION_PREFACE, SETTINGS, request(1), request(3).subarray(0, 2)]));
    first.data(false, concatBytes([SETTINGS, request(1).subarray(0, 5)]));
    first.close();
    expect(capture.messagesPerInterface.SBI).toBe(1);

    const second = new TcpStreamRecorder(capture, client(), server(), 2);
    second.data(true, concatBytes([CONNECTION_PREFACE, SETTINGS, request(1)]));
    second.data(false, concatBytes([SETTINGS, request(1)]));
    expect(capture.messagesPerInterface.SBI).toBe(3);
  });

  it('starts afresh at the SYN of a connection on the same 4-tuple even when the end of the earlier one was not seen', () => {
    const capture = new Capture(() => {}, { dedupeWindowMs: 0 });
    const first = new TcpStreamRecorder(capture, client(), server(), 1);
    first.data(true, concatBytes([CONNECTION_PREFACE, request(1)]));
    // no FIN: the next connection's SYN ends this one's state
    const second = new TcpStreamRecorder(capture, client(), server(), 2);
    second.data(true, concatBytes([CONNECTION_PREFACE, request(1), request(3)]));
    expect(capture.messagesPerInterface.SBI).toBe(3);
  });

  it('forgets the directions of the connections that ended, and keeps at most MAX_TCP_DIRECTIONS of those whose end it never saw', () => {
    const counter = new InterfaceCounter();
    const data = (src: Endpoint, dst: Endpoint, payload: Uint8Array) => counter.tcpSegment(src, dst, { flags: TcpFlags.PSH | TcpFlags.ACK, payload });
    for (let port = 1; port <= 100; port++) {
      const c = { address: '127.1.41.1', port }, s = server();
      counter.tcpSegment(c, s, { flags: TcpFlags.SYN });
      data(c, s, concatBytes([CONNECTION_PREFACE, request(1)]));
      data(s, c, request(1));
      counter.tcpSegment(c, s, { flags: TcpFlags.FIN | TcpFlags.ACK });
      counter.tcpSegment(s, c, { flags: TcpFlags.FIN | TcpFlags.ACK });
    }
    expect(counter.counts.SBI).toBe(200);
    expect(counter.tcpDirections).toBe(0);

    for (let port = 1; port <= MAX_TCP_DIRECTIONS + 500; port++) data({ address: '127.1.41.3', port }, server(), concatBytes([CONNECTION_PREFACE, request(1)]));
    expect(counter.counts.SBI).toBe(200 + MAX_TCP_DIRECTIONS + 500);
    expect(counter.tcpDirections).toBe(MAX_TCP_DIRECTIONS);

    // an RST forgets both directions of its connection
    const c = { address: '127.1.41.1', port: 1 }, s = server();
    data(c, s, concatBytes([CONNECTION_PREFACE, request(1).subarray(0, 3)]));
    data(s, c, request(1).subarray(0, 3));
    const before = counter.tcpDirections;
    counter.tcpSegment(s, c, { flags: TcpFlags.RST });
    expect(counter.tcpDirections).toBe(before - 2);
  });
});
