// The two ends of a dynamic table kept in step (RFC 7541 2.3.2, 4): the encoder signals the
// smallest table size the peer set between two header blocks (4.2), and the decoder counts an
// entry's size in the octets of its string literals as received (4.1, 5.2), whatever those octets
// decode to, and keeps a field value's octets (a leading U+FEFF is part of the value).

import { describe, it, expect } from 'vitest';
import { HpackEncoder } from '../../codecs/http2/hpack-encoder.ts';
import { HpackDecoder } from '../../codecs/http2/hpack.ts';
import { toHex } from '../../codecs/bytes/hex.ts';

describe('HPACK encoder: size updates (RFC 7541 4.2)', () => {
  it('signals the smallest size set since the last block, then the size now (0 then 4096)', () => {
    const enc = new HpackEncoder();
    enc.encode([{ name: 'x-a', value: 'b' }]);
    enc.setPeerMaxTableSize(0);
    enc.setPeerMaxTableSize(4096);
    // 001 00000 (size 0), 001 11111 + 4065 (4096), then the field
    expect(toHex(enc.encode([{ name: 'x-a', value: 'b' }])).slice(0, 8)).toBe('203fe11f');
    // signalled once: the next block has no update
    expect(enc.encode([{ name: 'x-a', value: 'b' }])[0] & 0xe0).not.toBe(0x20);
  });
  it('signals one update when the size only went down, or came back above its lowest', () => {
    const enc = new HpackEncoder();
    enc.setPeerMaxTableSize(1000);
    enc.setPeerMaxTableSize(200);
    expect(toHex(enc.encode([{ name: ':method', value: 'GET' }]))).toBe('3fa90182'); // 200 = 31 + 169
    enc.setPeerMaxTableSize(100);
    enc.setPeerMaxTableSize(300);
    expect(toHex(enc.encode([{ name: ':method', value: 'GET' }]))).toBe('3f453f8d0282'); // 100, then 300
  });
  it('a decoder that acts on each update stays in step: the entries indexed after are the ones sent', () => {
    const enc = new HpackEncoder();
    const dec = new HpackDecoder(4096);
    const fields = [{ name: 'x-one', value: '1' }, { name: 'x-two', value: '2' }];
    expect(dec.decode(enc.encode(fields))).toEqual(fields);
    enc.setPeerMaxTableSize(0);
    enc.setPeerMaxTableSize(4096);
    expect(dec.decode(enc.encode(fields))).toEqual(fields);
    expect(dec.tableSize).toBe(enc.tableSize);
    expect(dec.dynamicTable).toEqual([...fields].reverse());
  });
});

describe('HPACK decoder: entry sizes in received octets (RFC 7541 4.1)', () => {
  it('a value whose octets are not UTF-8 counts its octets, not its decoded text', () => {
    const dec = new HpackDecoder();
    // 6.2.1 literal with incremental indexing, new name "x", value one octet 0xe9 (Latin-1 é)
    dec.decode(Uint8Array.from([0x40, 1, 0x78, 1, 0xe9]));
    expect(dec.tableSize).toBe(32 + 1 + 1);
  });
  it('so an entry the peer keeps is not evicted: a 70-octet table holding two such entries', () => {
    // the peer's accounting: each entry is 32 + 1 + 1 = 34, two fit in 70 (decoding as U+FFFD, 36 each, would not)
    const dec = new HpackDecoder(70);
    dec.decode(Uint8Array.from([0x40, 1, 0x78, 1, 0xe9])); // x: 0xe9
    const second = dec.decode(Uint8Array.from([0x40, 1, 0x79, 1, 0xea, 0xbf, 0xbe])); // y: 0xea, then indexes 63 and 62
    expect(second.map((f) => f.name)).toEqual(['y', 'x', 'y']);
    expect(dec.tableSize).toBe(68);
  });
  it('a name taken from a dynamic entry counts that entry\'s name octets', () => {
    const dec = new HpackDecoder();
    dec.decode(Uint8Array.from([0x40, 1, 0xff, 1, 0x61])); // name one octet 0xff, value "a": 34
    dec.decode(Uint8Array.from([0x7e, 1, 0x62])); // 6.2.1 name index 62 (that name), value "b": 34 more
    expect(dec.tableSize).toBe(68);
  });
  it('keeps a leading U+FEFF of a field value (the value\'s octets, not a byte order mark to drop)', () => {
    const dec = new HpackDecoder();
    const fields = dec.decode(Uint8Array.from([0x40, 1, 0x78, 4, 0xef, 0xbb, 0xbf, 0x61]));
    expect(fields).toEqual([{ name: 'x', value: '\ufeffa' }]);
    expect(dec.tableSize).toBe(32 + 1 + 4);
  });
});
