import { describe, it, expect } from 'vitest';
import { encodeMultipart, decodeMultipart } from '../../codecs/bytes/multipart.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { fuzzDecoder } from '../helpers/fuzz.ts';

describe('multipart/related (RFC 2387, TS 29.500 6.1.2.4)', () => {
  const parts = [
    { contentType: 'application/json', body: new TextEncoder().encode('{"n1SmMsg":{"contentId":"n1"}}') },
    { contentType: 'application/vnd.3gpp.5gnas', contentId: 'n1', body: Uint8Array.of(0x2e, 0x01, 0x01, 0xc1, 0xff, 0xff, 0x91, 0x0d, 0x0a) },
  ];
  it('a part read from a Buffer view owns its octets (a copy, not a view of the received chunk)', () => {
    const { contentType, body } = encodeMultipart(parts);
    const chunk = Buffer.alloc(body.length + 64);
    chunk.set(body, 32);
    const got = decodeMultipart(contentType, chunk.subarray(32, 32 + body.length));
    expect(got[1].body.buffer).not.toBe(chunk.buffer);
    expect(got[1].body.buffer.byteLength).toBe(parts[1].body.length);
    chunk.fill(0);
    expect([...got[1].body]).toEqual([...parts[1].body]);
  });
  it('round-trips binary parts, including CR LF inside a part', () => {
    const { contentType, body } = encodeMultipart(parts);
    expect(contentType).toBe('multipart/related; boundary=wire5g-boundary; type="application/json"');
    expect(decodeMultipart(contentType, body)).toEqual(parts);
  });
  it('rejects bodies without boundary or with a truncated part', () => {
    const { contentType, body } = encodeMultipart(parts);
    expect(() => decodeMultipart('multipart/related', body)).toThrowError(DecodeError);
    expect(() => decodeMultipart(contentType, body.subarray(0, 60))).toThrowError(DecodeError);
  });
  it('fuzz: only DecodeError or parts', () => {
    const { contentType, body } = encodeMultipart(parts);
    fuzzDecoder((b) => decodeMultipart(contentType, b), { seed: 5, cases: 20_000, corpus: [body] });
  });
});
