import { describe, it, expect } from 'vitest';
import { encodeMultipart, decodeMultipart } from '../../codecs/bytes/multipart.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { fuzzDecoder } from '../helpers/fuzz.ts';

describe('multipart/related (RFC 2387, TS 29.500 6.1.2.4)', () => {
  const parts = [
    { contentType: 'application/json', body: new TextEncoder().encode('{"n1SmMsg":{"contentId":"n1"}}') },
    { contentType: 'application/vnd.3gpp.5gnas', contentId: 'n1', body: Uint8Array.of(0x2e, 0x01, 0x01, 0xc1, 0xff, 0xff, 0x91, 0x0d, 0x0a) },
  ];
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
