// HTTP/2 framing (RFC 9113) and TCP reassembly for the capture reader: frames split across
// segments, padding and priority removed, CONTINUATION joined, retransmitted and out-of-order
// segments; framing errors as DecodeError with offset and path.

import { describe, it, expect } from 'vitest';
import { encodeFrame, frameAt, frameContent, FrameType, FrameFlags, CONNECTION_PREFACE } from '../../codecs/http2/frame.ts';
import { encodeHeaderBlock } from '../../codecs/http2/hpack.ts';
import { Http2ConnectionReader } from '../../codecs/http2/connection.ts';
import { TcpReassembler, TcpFlag } from '../../codecs/capture/tcp-reassembly.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { fuzzDecoder } from '../helpers/fuzz.ts';

const enc = new TextEncoder();
const concat = (...p: Uint8Array[]) => {
  const out = new Uint8Array(p.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of p) {
    out.set(x, at);
    at += x.length;
  }
  return out;
};

function request(): Uint8Array {
  const block = encodeHeaderBlock([{ name: ':method', value: 'POST' }, { name: ':path', value: '/nsmf-pdusession/v1/sm-contexts' }, { name: ':scheme', value: 'http' }, { name: 'content-type', value: 'application/json' }]);
  const settings = encodeFrame({ type: FrameType.SETTINGS, flags: 0, streamId: 0, payload: Uint8Array.of(0, 4, 0, 0, 0xff, 0xff) });
  // HEADERS padded (pad length 3) and with priority, header block split into a CONTINUATION
  const headersPayload = concat(Uint8Array.of(3), Uint8Array.of(0, 0, 0, 0, 16), block.subarray(0, 5), new Uint8Array(3));
  const headers = encodeFrame({ type: FrameType.HEADERS, flags: FrameFlags.PADDED | FrameFlags.PRIORITY, streamId: 1, payload: headersPayload });
  const cont = encodeFrame({ type: FrameType.CONTINUATION, flags: FrameFlags.END_HEADERS, streamId: 1, payload: block.subarray(5) });
  const body = enc.encode('{"supi":"imsi-001010000000001","pduSessionId":1}');
  const data1 = encodeFrame({ type: FrameType.DATA, flags: 0, streamId: 1, payload: body.subarray(0, 10) });
  const data2 = encodeFrame({ type: FrameType.DATA, flags: FrameFlags.END_STREAM | FrameFlags.PADDED, streamId: 1, payload: concat(Uint8Array.of(2), body.subarray(10), new Uint8Array(2)) });
  return concat(CONNECTION_PREFACE, settings, headers, cont, data1, data2);
}

describe('HTTP/2 frames and the connection reader', () => {
  it('reads a request pushed one octet at a time: preface, SETTINGS, HEADERS+CONTINUATION, DATA', () => {
    const bytes = request();
    const r = new Http2ConnectionReader();
    const frames = [];
    for (let i = 0; i < bytes.length; i++) frames.push(...r.push(true, bytes.subarray(i, i + 1)).frames);
    expect(frames.map((f) => f.message)).toEqual(['Magic', 'SETTINGS', 'HEADERS', 'CONTINUATION', 'DATA', 'DATA']);
    expect(frames[1].fields.INITIAL_WINDOW_SIZE).toBe(65535);
    expect(frames[3].fields).toMatchObject({ streamId: 1, method: 'POST', path: '/nsmf-pdusession/v1/sm-contexts' });
    expect(frames[5].fields).toMatchObject({ endStream: true, of: 'POST /nsmf-pdusession/v1/sm-contexts', body: { supi: 'imsi-001010000000001', pduSessionId: 1 } });
  });

  it('frame header round trip, and padding longer than the payload is a DecodeError', () => {
    const f = { type: FrameType.DATA, flags: FrameFlags.PADDED, streamId: 0x7fffffff, payload: Uint8Array.of(9, 1, 2) };
    const got = frameAt(encodeFrame(f), 0)!;
    expect(got.frame).toEqual(f);
    expect(frameAt(encodeFrame(f).subarray(0, 10), 0)).toBeUndefined();
    expect(() => frameContent(f)).toThrow(DecodeError);
  });

  it('a client that does not start with the preface, and a CONTINUATION without HEADERS, are DecodeErrors', () => {
    expect(() => new Http2ConnectionReader().push(true, enc.encode('GET / HTTP/1.1\r\n'))).toThrow(/connection preface/);
    const stray = encodeFrame({ type: FrameType.CONTINUATION, flags: FrameFlags.END_HEADERS, streamId: 1, payload: Uint8Array.of(0x82) });
    expect(() => new Http2ConnectionReader().push(false, stray)).toThrow(/CONTINUATION without a HEADERS/);
  });

  it('fuzz: mutated connections end in frames or a DecodeError', () => {
    fuzzDecoder((b) => new Http2ConnectionReader().push(true, b), { seed: 9113, cases: 20_000, corpus: [request()] });
  });
});

describe('TCP reassembly', () => {
  it('delivers bytes in sequence order once, across retransmission, overlap and reordering', () => {
    const t = new TcpReassembler();
    const seg = (seq: number, s: string, flags = TcpFlag.ACK | TcpFlag.PSH) => t.push('a>b', { seq, flags, payload: enc.encode(s) });
    const text = (b: { bytes: Uint8Array }) => new TextDecoder().decode(b.bytes);
    expect(text(t.push('a>b', { seq: 99, flags: TcpFlag.SYN, payload: new Uint8Array(0) }))).toBe('');
    expect(text(seg(100, 'abc'))).toBe('abc');
    expect(text(seg(100, 'abc'))).toBe(''); // retransmission
    expect(text(seg(106, 'ghi'))).toBe(''); // beyond a gap
    expect(text(seg(102, 'cdef'))).toBe('defghi'); // overlap fills the gap
    expect(text(seg(0xffffffff - 1 + 112, 'x'))).toBe(''); // far ahead
  });
});
