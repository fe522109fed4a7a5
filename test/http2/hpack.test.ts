// HPACK (RFC 7541) against the worked examples of its Appendix C, used as vectors: integers (C.1),
// header field representations (C.2), requests without and with Huffman coding on one connection
// (C.3, C.4: the dynamic table grows), responses with a 256-octet table (C.5, C.6: evictions).
// Bad header blocks end in a DecodeError.

import { describe, it, expect } from 'vitest';
import { HpackDecoder, huffmanDecode, huffmanEncode, encodeHeaderBlock, type HeaderField } from '../../codecs/http2/hpack.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { fuzzDecoder } from '../helpers/fuzz.ts';

const h = (pairs: [string, string][]): HeaderField[] => pairs.map(([name, value]) => ({ name, value }));
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

const REQ1 = h([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']]);
const REQ2 = h([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']]);
const REQ3 = h([[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']]);
const RES1 = h([[':status', '302'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']]);
const RES2 = h([[':status', '307'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']]);
const RES3 = h([[':status', '200'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'], ['location', 'https://www.example.com'], ['content-encoding', 'gzip'], ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1']]);

describe('HPACK decoder: RFC 7541 Appendix C', () => {
  it('C.1: integers with a 5-bit prefix (10 in one octet, 1337 in three), as dynamic table size updates', () => {
    const small = new HpackDecoder();
    expect(small.decode(fromHex('2a400a637573746f6d2d6b65790d637573746f6d2d686561646572'))).toEqual(h([['custom-key', 'custom-header']]));
    expect(small.dynamicTable).toEqual([]); // 55 octets do not fit a 10-octet table
    const big = new HpackDecoder();
    expect(big.decode(fromHex('3f9a0a400a637573746f6d2d6b65790d637573746f6d2d686561646572'))).toHaveLength(1);
    expect(big.tableSize).toBe(55);
  });

  it('C.2.1-C.2.4: literal with indexing, without indexing, never indexed; indexed', () => {
    const d = new HpackDecoder();
    expect(d.decode(fromHex('400a637573746f6d2d6b65790d637573746f6d2d686561646572'))).toEqual(h([['custom-key', 'custom-header']]));
    expect(d.tableSize).toBe(55);
    const d2 = new HpackDecoder();
    expect(d2.decode(fromHex('040c2f73616d706c652f70617468'))).toEqual(h([[':path', '/sample/path']]));
    expect(d2.dynamicTable).toEqual([]);
    expect(d2.decode(fromHex('100870617373776f726406736563726574'))).toEqual(h([['password', 'secret']]));
    expect(d2.dynamicTable).toEqual([]);
    expect(d2.decode(fromHex('82'))).toEqual(h([[':method', 'GET']]));
  });

  it('C.3: three requests without Huffman on one connection (table 57, 110, 164 octets)', () => {
    const d = new HpackDecoder();
    expect(d.decode(fromHex('828684410f7777772e6578616d706c652e636f6d'))).toEqual(REQ1);
    expect(d.tableSize).toBe(57);
    expect(d.decode(fromHex('828684be58086e6f2d6361636865'))).toEqual(REQ2);
    expect(d.tableSize).toBe(110);
    expect(d.decode(fromHex('828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565'))).toEqual(REQ3);
    expect(d.tableSize).toBe(164);
    expect(d.dynamicTable.map((f) => f.name)).toEqual(['custom-key', 'cache-control', ':authority']);
  });

  it('C.4: the same requests with Huffman coding', () => {
    const d = new HpackDecoder();
    expect(d.decode(fromHex('828684418cf1e3c2e5f23a6ba0ab90f4ff'))).toEqual(REQ1);
    expect(d.decode(fromHex('828684be5886a8eb10649cbf'))).toEqual(REQ2);
    expect(d.decode(fromHex('828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf'))).toEqual(REQ3);
    expect(d.tableSize).toBe(164);
  });

  it('C.5: three responses without Huffman, 256-octet table: evictions (222, 222, 215 octets)', () => {
    const d = new HpackDecoder(256);
    expect(d.decode(fromHex('4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d'))).toEqual(RES1);
    expect(d.tableSize).toBe(222);
    expect(d.decode(fromHex('4803333037c1c0bf'))).toEqual(RES2);
    expect(d.tableSize).toBe(222);
    expect(d.decode(fromHex('88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31'))).toEqual(RES3);
    expect(d.tableSize).toBe(215);
    expect(d.dynamicTable.map((f) => f.name)).toEqual(['set-cookie', 'content-encoding', 'date']);
  });

  it('C.6: the same responses with Huffman coding', () => {
    const d = new HpackDecoder(256);
    expect(d.decode(fromHex('488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3'))).toEqual(RES1);
    expect(d.decode(fromHex('4883640effc1c0bf'))).toEqual(RES2);
    expect(d.decode(fromHex('88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007'))).toEqual(RES3);
    expect(d.tableSize).toBe(215);
  });
});

describe('HPACK Huffman code (Appendix B) and encoder', () => {
  it('encodes the Appendix C strings to their vectors and back', () => {
    const vectors: [string, string][] = [
      ['www.example.com', 'f1e3c2e5f23a6ba0ab90f4ff'], ['no-cache', 'a8eb10649cbf'], ['custom-key', '25a849e95ba97d7f'],
      ['custom-value', '25a849e95bb8e8b4bf'], ['302', '6402'], ['307', '640eff'], ['private', 'aec3771a4b'], ['gzip', '9bd9ab'],
      ['Mon, 21 Oct 2013 20:13:21 GMT', 'd07abe941054d444a8200595040b8166e082a62d1bff'], ['https://www.example.com', '9d29ad171863c78f0b97c8e9ae82ae43d3'],
    ];
    for (const [s, hex] of vectors) {
      expect(toHex(huffmanEncode(bytes(s))), s).toBe(hex);
      expect(text(huffmanDecode(fromHex(hex))), hex).toBe(s);
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(huffmanDecode(huffmanEncode(all))).toEqual(all);
  });

  it('the encoder\'s blocks decode to the same header list (static index, literal name, Huffman or not)', () => {
    const list = h([[':method', 'POST'], [':path', '/nausf-auth/v1/ue-authentications'], [':scheme', 'http'], ['content-type', 'application/json'], ['x-custom', '\u00e9t\u00e9 1'], [':status', '201']]);
    expect(new HpackDecoder().decode(encodeHeaderBlock(list))).toEqual(list);
    expect(encodeHeaderBlock(h([[':method', 'GET']]))).toEqual(Uint8Array.of(0x82));
  });
});

describe('HPACK bad input', () => {
  const bad: [string, string, RegExp][] = [
    ['index 0', '80', /index 0/],
    ['index beyond both tables', 'be', /beyond/],
    ['string longer than the block', '4105616263', /TRUNCATED|string of 5/],
    ['Huffman padding of 8 bits', '4181ff', /padding/],
    ['Huffman padding not EOS bits', '418100', /padding|no Huffman/],
    ['EOS inside a string', '4184ffffffff', /EOS|padding/],
    ['table size update after a field', '8220', /after a header field/],
    ['table size update above the setting', '3fe21f', /above SETTINGS_HEADER_TABLE_SIZE/],
    ['integer continuation missing', '7f', /TRUNCATED|continuation/],
  ];
  for (const [what, hex, why] of bad) {
    it(what, () => {
      let err: unknown;
      try {
        new HpackDecoder().decode(fromHex(hex));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DecodeError);
      expect(String(err)).toMatch(why);
      expect((err as DecodeError).protocol).toBe('hpack');
    });
  }

  it('fuzz: mutated Appendix C blocks end in a header list or a DecodeError', () => {
    const corpus = ['828684418cf1e3c2e5f23a6ba0ab90f4ff', '488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3', '400a637573746f6d2d6b65790d637573746f6d2d686561646572'].map(fromHex);
    const res = fuzzDecoder((b) => new HpackDecoder(256).decode(b), { seed: 7541, cases: 20_000, corpus });
    expect(res.rejected).toBeGreaterThan(1000);
    expect(res.decoded).toBeGreaterThan(1000);
  });
});
