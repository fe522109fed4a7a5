// The HPACK encoder with a dynamic table (codecs/http2/hpack-encoder.ts), judged by RFC 7541
// Appendix C: with every literal indexed its output must be the appendix's bytes exactly, for
// requests (C.3 plain, C.4 Huffman) and for responses in a 256-octet table with evictions (C.5,
// C.6). Its default policy (volatile fields not indexed, size updates) round-trips through our
// decoder here and through nghttp2 (node:http2) in test/http2/own-interop.test.ts.

import { describe, it, expect } from 'vitest';
import { HpackEncoder } from '../../codecs/http2/hpack-encoder.ts';
import { HpackDecoder, type HeaderField } from '../../codecs/http2/hpack.ts';
import { toHex } from '../../codecs/bytes/hex.ts';

const h = (pairs: [string, string][]): HeaderField[] => pairs.map(([name, value]) => ({ name, value }));
const REQ = [
  h([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']]),
  h([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']]),
  h([[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']]),
];
const date1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const RES = [
  h([[':status', '302'], ['cache-control', 'private'], ['date', date1], ['location', 'https://www.example.com']]),
  h([[':status', '307'], ['cache-control', 'private'], ['date', date1], ['location', 'https://www.example.com']]),
  h([[':status', '200'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'], ['location', 'https://www.example.com'], ['content-encoding', 'gzip'], ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1']]),
];

describe('HPACK encoder: RFC 7541 Appendix C as its expected output', () => {
  it('C.3 (plain) and C.4 (Huffman): three requests on one connection', () => {
    const plain = new HpackEncoder({ indexAll: true });
    expect(REQ.map((r) => toHex(plain.encode(r)))).toEqual([
      '828684410f7777772e6578616d706c652e636f6d', '828684be58086e6f2d6361636865', '828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565',
    ]);
    expect(plain.tableSize).toBe(164);
    const huff = new HpackEncoder({ indexAll: true, huffman: true });
    expect(REQ.map((r) => toHex(huff.encode(r)))).toEqual(['828684418cf1e3c2e5f23a6ba0ab90f4ff', '828684be5886a8eb10649cbf', '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf']);
  });

  it('C.5 (plain) and C.6 (Huffman): three responses, 256-octet table, evictions', () => {
    const plain = new HpackEncoder({ indexAll: true, maxTableSize: 256 });
    expect(RES.map((r) => toHex(plain.encode(r)))).toEqual([
      '4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d',
      '4803333037c1c0bf',
      '88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31',
    ]);
    expect(plain.tableSize).toBe(215);
    const huff = new HpackEncoder({ indexAll: true, huffman: true, maxTableSize: 256 });
    expect(RES.map((r) => toHex(huff.encode(r)))).toEqual([
      '488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3',
      '4883640effc1c0bf',
      '88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007',
    ]);
  });
});

describe('HPACK encoder: default policy', () => {
  it('indexes repeating fields, not :path; shrinks on a smaller peer setting; decodes back', () => {
    const enc = new HpackEncoder();
    const dec = new HpackDecoder();
    const req = (i: number) => h([[':method', 'POST'], [':scheme', 'http'], [':authority', '127.0.0.12:8080'], [':path', `/nudm-ueau/v1/imsi-00101000000000${i}/security-information/generate-auth-data`], ['user-agent', 'AUSF'], ['content-type', 'application/json'], ['authorization', 'Bearer x'], ['x-\u00e9', '\u00e9t\u00e9']]);
    const first = enc.encode(req(1));
    expect(dec.decode(first)).toEqual(req(1));
    const second = enc.encode(req(2));
    expect(second.length).toBeLessThan(first.length - 40); // only :path and the never-indexed field are literals
    expect(dec.decode(second)).toEqual(req(2));
    expect(dec.dynamicTable.map((f) => f.name)).toEqual(['x-\u00e9', 'content-type', 'user-agent', ':authority']);
    expect(dec.tableSize).toBe(enc.tableSize);
    enc.setPeerMaxTableSize(100);
    const third = enc.encode(req(3));
    expect(third[0]).toBe(0x3f); // 6.3 size update first (100 = 31 + 69)
    expect(dec.decode(third)).toEqual(req(3));
    expect(dec.tableSize).toBe(enc.tableSize);
    expect(enc.tableSize).toBeLessThanOrEqual(100);
  });
});

describe('HPACK encoder: string literals', () => {
  it('writes a literal as its UTF-8 octets after their count, ASCII or not, short or long (5.2)', () => {
    const enc = new HpackEncoder();
    // location: static name index 46, 6.2.2 without indexing (4-bit prefix: 15, then 31)
    expect(toHex(enc.encode(h([['location', '/a']])))).toBe('0f1f022f61');
    // "/\u00e9" is 3 octets: 2f c3 a9 (an ASCII start written, then the whole literal again as UTF-8)
    expect(toHex(enc.encode(h([['location', '/\u00e9']])))).toBe('0f1f032fc3a9');
    // 127 ASCII octets: the length no longer fits the 7-bit prefix (127 = 127 + 0)
    const long = 'a'.repeat(127);
    expect(toHex(enc.encode(h([['location', long]])))).toBe(`0f1f7f00${'61'.repeat(127)}`);
    const short = 'b'.repeat(126);
    expect(toHex(enc.encode(h([['location', short]])))).toBe(`0f1f7e${'62'.repeat(126)}`);
  });

  it('writes the same octets for literals longer than the character loop takes, ASCII or not, flat, concatenated or sliced (5.2)', () => {
    const enc = new HpackEncoder();
    const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
    const uri = `http://127.0.0.13:8080/npcf-smpolicycontrol/v1/sm-policies/${String(Date.now() % 10)}imsi-001010000000001`;
    const cases = [
      'c'.repeat(25),
      'x'.repeat(59) + '\u00e9', // 61 octets: 60 characters, not ASCII
      '\u00e9' + 'y'.repeat(40),
      'z'.repeat(30) + '\ud800', // a lone surrogate: U+FFFD, 3 octets
      'w'.repeat(30) + '\u20ac' + 'w'.repeat(30),
      uri, // concatenated
      uri.slice(22), // sliced
    ];
    for (const v of cases) {
      const n = Buffer.byteLength(v, 'utf8');
      const length = n < 127 ? n.toString(16).padStart(2, '0') : `7f${(n - 127).toString(16).padStart(2, '0')}`;
      expect(toHex(enc.encode(h([['location', v]])))).toBe(`0f1f${length}${hex(v)}`);
    }
  });
});

describe('HPACK encoder: field objects sent again', () => {
  it('encodes a field object it has sent before as it encodes a new object with the same name and value, through evictions and size updates', () => {
    // two encoders on the same input: one given the same field objects again (its memo), one fresh copies
    const shared = h([[':status', '200'], ['server', 'UDM'], ['content-type', 'application/json'], ['user-agent', 'AMF'], [':authority', '127.0.0.12:8080']]);
    const again = new HpackEncoder({ maxTableSize: 160 });
    const fresh = new HpackEncoder({ maxTableSize: 160 });
    const dec = new HpackDecoder(4096);
    for (let i = 0; i < 200; i++) {
      // a field inserted every few messages pushes the shared ones out of the small table now and then
      const extra = i % 3 === 0 ? h([[`x-${i}`, `v${i}`]]) : [];
      const pick = shared.filter((_, k) => (i + k) % 4 !== 0);
      if (i === 120) {
        again.setPeerMaxTableSize(64);
        fresh.setPeerMaxTableSize(64);
      }
      if (i === 150) shared[1].value = 'UDR'; // a field object changed in place is looked up again
      const a = again.encode([...pick, ...extra]);
      const b = fresh.encode([...pick, ...extra].map((f) => ({ ...f })));
      expect(toHex(a)).toBe(toHex(b));
      expect(dec.decode(a)).toEqual([...pick, ...extra]);
    }
    expect(again.tableSize).toBe(fresh.tableSize);
  });
});
