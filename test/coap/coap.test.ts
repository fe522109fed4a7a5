// CoAP (RFC 7252 clause 3) as the PVS and the UE speak it: round trips, the option delta/length
// extensions (3.1), and bad bytes ending in a DecodeError with offset and path. tshark judges
// the same messages on the wire in test/scenario/snpn-onboarding.test.ts.
import { describe, it, expect } from 'vitest';
import { decodeCoap, encodeCoap, stringOption, uintOption, uriOf, codeText, CoapType, CoapCode, CoapOption, type CoapMessage } from '../../codecs/coap/coap.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { dissectCoap } from '../../codecs/coap/dissect.ts';

const get: CoapMessage = {
  type: CoapType.CON,
  code: CoapCode.GET,
  messageId: 0x1234,
  token: Uint8Array.of(0xde, 0xad, 0xbe, 0xef),
  options: [stringOption(CoapOption.URI_PATH, 'so-snpn-credentials'), stringOption(CoapOption.URI_QUERY, 'id=nai-a@b')],
  payload: new Uint8Array(0),
};

describe('CoAP codec (RFC 7252 3)', () => {
  it('encodes the header, token and options as clause 3 lays them out', () => {
    const b = encodeCoap(get);
    // Ver 1, T 0 (CON), TKL 4; code 0.01; Message ID 0x1234; the token
    expect([...b.subarray(0, 8)]).toEqual([0x44, 0x01, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef]);
    // Uri-Path (11): delta 11, length 19 -> nibble 13 + one octet 6
    expect([...b.subarray(8, 10)]).toEqual([0xbd, 19 - 13]);
    // Uri-Query (15): delta 4, length 10
    expect(b[10 + 19]).toBe(0x4a);
    expect(decodeCoap(b)).toEqual(get);
    expect(uriOf(get)).toEqual({ path: 'so-snpn-credentials', query: new Map([['id', 'nai-a@b']]) });
  });

  it('round-trips a piggybacked 2.05 with Content-Format and a payload, and a two-octet delta extension', () => {
    const m: CoapMessage = { type: CoapType.ACK, code: CoapCode.CONTENT, messageId: 7, token: new Uint8Array(0), options: [uintOption(CoapOption.CONTENT_FORMAT, 50), { number: 2048, value: Uint8Array.of(1) }], payload: new TextEncoder().encode('{"a":1}') };
    const b = encodeCoap(m);
    expect(b[0]).toBe(0x60);
    expect(codeText(b[1])).toBe('2.05');
    expect(decodeCoap(b)).toEqual(m);
    expect(uintOption(CoapOption.CONTENT_FORMAT, 0).value).toEqual(new Uint8Array(0));
  });

  it.each([
    ['a short header', Uint8Array.of(0x40, 0x01), 'TRUNCATED', 'Header'],
    ['version 2', Uint8Array.of(0x80, 0x01, 0, 1), 'BAD_VALUE', 'Header.Ver'],
    ['token length 9', Uint8Array.of(0x49, 0x01, 0, 1), 'BAD_VALUE', 'Header.TKL'],
    ['a payload marker and no payload', Uint8Array.of(0x40, 0x01, 0, 1, 0xff), 'TRUNCATED', 'Payload'],
    ['option delta nibble 15', Uint8Array.of(0x40, 0x01, 0, 1, 0xf1, 0), 'BAD_VALUE', 'Options[0].Delta'],
    ['an option value past the end', Uint8Array.of(0x40, 0x01, 0, 1, 0xb5, 0x61), 'TRUNCATED', 'Options[0].Value'],
  ])('%s is a DecodeError %s at %s', (_what, bytes, code, path) => {
    let err: unknown;
    try {
      decodeCoap(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    expect(err).toMatchObject({ protocol: 'coap', code, path });
  });

  it('wire5g decode shows a request by method and path, with its query', () => {
    expect(dissectCoap(encodeCoap(get))).toEqual([{ protocol: 'coap', message: 'CON GET /so-snpn-credentials', fields: { type: 'CON', code: '0.01', messageId: 0x1234, token: 'deadbeef', uriPath: 'so-snpn-credentials', uriQuery: { id: 'nai-a@b' } } }]);
  });

  it('random bytes end in a message or a DecodeError', () => {
    let seed = 19;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 20_000; i++) {
      const b = Uint8Array.from({ length: rnd() % 40 }, rnd);
      if (b.length) b[0] = (b[0] & 0x3f) | 0x40;
      try {
        decodeCoap(b);
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
      }
    }
  });
});
