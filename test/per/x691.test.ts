// The aligned PER runtime, clause by clause of ITU-T X.691 (ALIGNED variant), on a small schema
// written here: each expected encoding is worked out by hand from the clause it names, at the
// lines the clause draws (8 and 16 bits, 2 octets, a range of 256, 64K, 16K fragments). Every
// type is put after a BOOLEAN, so a field that is octet-aligned shows its padding bits. The
// NGAP-wide check of the same rules is the differential test against Erlang/OTP asn1
// (test/interop/erlang/ngap-aper.test.ts).
import { describe, it, expect } from 'vitest';
import { AperCodec, type BitStringValue } from '../../codecs/per/aper.ts';
import type { AsnType, Schema } from '../../codecs/per/schema.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';
import { decodeNgapType, encodeNgapType } from '../../codecs/ngap/index.ts';

/** `SEQUENCE { flag BOOLEAN, x <t> }`: one bit before the value under test. */
function afterBit(t: AsnType): AsnType {
  return { k: 'seq', ext: false, fields: [{ name: 'flag', type: { k: 'bool' } }, { name: 'x', type: t }], extFields: [] };
}

const T: Record<string, AsnType> = {
  Bits8: afterBit({ k: 'bits', size: { lb: 8, ub: 8 } }),
  Bits16: afterBit({ k: 'bits', size: { lb: 16, ub: 16 } }),
  Bits16Ext: afterBit({ k: 'bits', size: { lb: 16, ub: 16, ext: true } }),
  Bits17: afterBit({ k: 'bits', size: { lb: 17, ub: 17 } }),
  Bits64K: afterBit({ k: 'bits', size: { lb: 65536, ub: 65536 } }),
  BitsVar: afterBit({ k: 'bits', size: { lb: 1, ub: 160, ext: true } }),
  Octets2: afterBit({ k: 'octets', size: { lb: 2, ub: 2 } }),
  Octets2Ext: afterBit({ k: 'octets', size: { lb: 2, ub: 2, ext: true } }),
  Octets3: afterBit({ k: 'octets', size: { lb: 3, ub: 3 } }),
  Octets: afterBit({ k: 'octets' }),
  Range255: afterBit({ k: 'int', range: { lb: 0, ub: 254 } }),
  Range256: afterBit({ k: 'int', range: { lb: 0, ub: 255 } }),
  Range257: afterBit({ k: 'int', range: { lb: 0, ub: 256 } }),
  Range64K: afterBit({ k: 'int', range: { lb: 0, ub: 65535 } }),
  Range64K1: afterBit({ k: 'int', range: { lb: 0, ub: 65536 } }),
  Union: afterBit({ k: 'int', range: { lb: 1, ub: 181, ext: true, parts: [[1, 30], [40, 40], [181, 181]] } }),
  Printable: afterBit({ k: 'str', kind: 'PrintableString', size: { lb: 1, ub: 150, ext: true } }),
  Printable2: afterBit({ k: 'str', kind: 'PrintableString', size: { lb: 2, ub: 2 } }),
  ListBig: afterBit({ k: 'seqof', size: { lb: 1, ub: 65536 }, of: { k: 'bool' } }),
  Additions: { k: 'seq', ext: true, fields: [{ name: 'flag', type: { k: 'bool' } }], extFields: Array.from({ length: 70 }, (_, i) => ({ name: `a${i}`, type: { k: 'bool' } as AsnType, optional: true })) },
};
const codec = new AperCodec({ source: 'test/per/x691.test.ts', types: T, sets: {}, procedures: [], constants: {} } as Schema);

const bits = (hex: string, length: number): BitStringValue => ({ value: fromHex(hex), length });
const enc = (type: string, x: unknown, flag = true) => toHex(codec.encode(type, { flag, x }));
const dec = (type: string, hex: string) => (codec.decode(type, fromHex(hex)) as { x: unknown }).x;

/** Round trip: our octets as worked out, and back to the value. */
function pins(type: string, x: unknown, hex: string): void {
  expect(enc(type, x)).toBe(hex);
  expect(dec(type, hex)).toEqual(x);
}

describe('X.691 11.5.7: constrained whole numbers (ALIGNED)', () => {
  it('range 255 (< 256): a bit-field of 8 bits, not aligned (11.5.7.1)', () => {
    // 1 | 11111110 -> 1111 1111 0(000 0000)
    pins('Range255', 254, 'ff00');
  });
  it('range 256: one octet, octet-aligned (11.5.7.2)', () => {
    // 1(0000000) | 11111111
    pins('Range256', 255, '80ff');
  });
  it('range 257 up to 64K: two octets, octet-aligned (11.5.7.3)', () => {
    pins('Range257', 256, '800100');
    pins('Range64K', 65535, '80ffff');
  });
  it('range above 64K: the octet count as a bit-field, then the octets aligned (11.5.7.4)', () => {
    // 0..65536 needs 3 octets: count-1 in 2 bits. 1 | 00 (00000) | 05  ;  1 | 10 (00000) | 01 00 00
    pins('Range64K1', 5, '8005');
    pins('Range64K1', 65536, 'c0010000');
  });
  it('a union root (1..30 | 40 | 181, ...) is coded in its extent, and a value between its members is an extension value (13.1)', () => {
    // in the root: 1 | 0 | 40-1 = 39 in 8 bits (range 181) -> 1 0 00100111 -> 1000 1001 11(00 0000)
    pins('Union', 40, '89c0');
    // 35 is inside the extent but not in the root: 1 | 1 (000000) | length 1 | 35 as unconstrained
    pins('Union', 35, 'c00123');
  });
});

describe('X.691 16: BIT STRING', () => {
  it('a fixed size of up to 16 bits is not octet-aligned (16.9)', () => {
    pins('Bits8', bits('a5', 8), 'd280');
    // 1 | 1110000000000000 -> 1111 0000 0000 0000 0(000 0000)
    pins('Bits16', bits('e000', 16), 'f00000');
  });
  it('an extensible SIZE(16, ...) in its root: the extension bit 0, then 16 bits not aligned (16.6, 16.9)', () => {
    // 1 | 0 | 1110000000000000 -> 1011 1000 0000 0000 00(00 0000)
    pins('Bits16Ext', bits('e000', 16), 'b80000');
    // outside the root: 1 | 1 (000000) | length 17 | 17 bits aligned
    pins('Bits16Ext', bits('e00080', 17), 'c011e00080');
  });
  it('a fixed size above 16 bits and below 64K is octet-aligned, no length (16.10)', () => {
    pins('Bits17', bits('e00080', 17), '80e00080');
  });
  it('a fixed size of 64K bits takes a length determinant, in fragments (16.11, 11.9.3.8)', () => {
    // 1(0000000) | C4 | 8192 octets | 00 (the final, empty fragment)
    const x = bits('5a'.repeat(8192), 65536);
    const hex = enc('Bits64K', x);
    expect(hex.slice(0, 4)).toBe('80c4');
    expect(hex.length / 2).toBe(2 + 8192 + 1);
    expect(hex.slice(-2)).toBe('00');
    expect(dec('Bits64K', hex)).toEqual(x);
  });
  it('a variable size: the length as a constrained whole number, then the bits octet-aligned (16.11)', () => {
    // SIZE(1..160, ...): 1 | 0 | 8-1 in 8 bits (range 160) -> 1000 0001 11(00 0000) | a5
    pins('BitsVar', bits('a5', 8), '81c0a5');
  });
});

describe('X.691 17: OCTET STRING', () => {
  it('a fixed size of up to two octets is not aligned (17.6), in the root of an extensible constraint too (17.3)', () => {
    pins('Octets2', Uint8Array.of(0xab, 0xcd), 'd5e680');
    // 1 | 0 | abcd -> 1010 1010 1111 0011 01(00 0000)
    pins('Octets2Ext', Uint8Array.of(0xab, 0xcd), 'aaf340');
  });
  it('a fixed size of three octets is octet-aligned, no length (17.7)', () => {
    pins('Octets3', Uint8Array.of(1, 2, 3), '80010203');
  });
  it('lengths 127, 128 and 16383 in one and two octets (11.9.3.6-7)', () => {
    expect(enc('Octets', new Uint8Array(127)).slice(0, 4)).toBe('807f');
    expect(enc('Octets', new Uint8Array(128)).slice(0, 6)).toBe('808080');
    expect(enc('Octets', new Uint8Array(16383)).slice(0, 6)).toBe('80bfff');
  });
  it('16K octets and more in fragments of 16K-64K, the rest after an ordinary length, an empty last fragment after an exact multiple (11.9.3.8)', () => {
    const cases: [number, string[]][] = [
      [16384, ['c1', '00']],
      [16385, ['c1', '01']],
      [49152, ['c3', '00']],
      [65536, ['c4', '00']],
      [65537 + 16384, ['c4', 'c1', '01']],
    ];
    for (const [n, heads] of cases) {
      const v = Uint8Array.from({ length: n }, (_, i) => i & 0xff);
      const out = codec.encode('Octets', { flag: true, x: v });
      // the fragment headers where X.691 puts them: after the flag's octet, then after each fragment
      let at = 1;
      const seen: string[] = [];
      for (let i = 0; i < heads.length; i++) {
        seen.push(toHex(out.subarray(at, at + 1)));
        const m = out[at] & 0x3f;
        at += 1 + (out[at] >= 0xc0 ? m * 16384 : out[at]);
      }
      expect(seen).toEqual(heads);
      expect(at).toBe(out.length);
      expect(dec('Octets', toHex(out))).toEqual(v);
    }
  });
});

describe('X.691 20: SEQUENCE OF with an upper bound of 64K: general lengths, 16K components per fragment', () => {
  it('16384 and 16385 components', () => {
    for (const n of [16384, 16385]) {
      const v = Array.from({ length: n }, (_, i) => i % 3 === 0);
      const out = codec.encode('ListBig', { flag: true, x: v });
      expect(out[1]).toBe(0xc1);
      expect(out[2 + 2048]).toBe(n - 16384);
      expect(dec('ListBig', toHex(out))).toEqual(v);
    }
  });
});

describe('X.691 30.5: known-multiplier character strings', () => {
  it('PrintableString (SIZE(1..150, ...)): extension bit, length in 8 bits, characters octet-aligned; outside the root a general length', () => {
    // 1 | 0 | 3-1 in 8 bits -> 1000 0000 10(00 0000) | 'abc'
    pins('Printable', 'abc', '8080616263');
    const long = 'x'.repeat(151);
    expect(enc('Printable', long).slice(0, 6)).toBe('c08097');
    expect(dec('Printable', enc('Printable', long))).toBe(long);
  });
  it('a fixed size of 2 characters (16 bits) is not aligned', () => {
    // 1 | 'a' 'b' -> 1011 0000 1011 0001 0(000 0000)
    pins('Printable2', 'ab', 'b0b100');
  });
});

describe('X.691 19.8: the extension additions bitmap length is a normally small length', () => {
  it('up to 64 additions: a 0 bit and n-1 in 6 bits', () => {
    // ext 1 | flag 0 | 0 000000 (1 addition) | bitmap 1 | open type: length 1, BOOLEAN true padded 80
    expect(toHex(codec.encode('Additions', { flag: false, a0: true }))).toBe('8040' + '0180');
    expect(codec.decode('Additions', fromHex('80400180'))).toEqual({ flag: false, a0: true });
  });
  it('65 and more: a 1 bit, then a general length of n', () => {
    const v = { flag: false, a69: true };
    const hex = toHex(codec.encode('Additions', v));
    // 1 | 0 | 1 (00000) | 46 (70) | 69 zero bits and a 1 | 01 80
    expect(hex.slice(0, 4)).toBe('a046');
    expect(hex.slice(-4)).toBe('0180');
    expect(codec.decode('Additions', fromHex(hex))).toEqual(v);
  });
});

describe('decoding refuses what lies outside a constraint', () => {
  it('a bit-field number above the upper bound (SIZE(1..160): 200 in the length field)', () => {
    // 1 | 0 | 11000111 (199 + 1 = 200 bits) -> 1011 0001 11
    let error: unknown;
    try {
      dec('BitsVar', 'b1c0' + '00'.repeat(30));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).path).toBe('BitsVar.x');
    expect((error as DecodeError).reason).toMatch(/200 above 160/);
  });

  it('a codec without paths fails with the same error, its path named by its twin', () => {
    const bare = new AperCodec(codec.schema, { paths: false });
    const failure = (c: AperCodec) => {
      try {
        c.decode('BitsVar', fromHex('b1c0' + '00'.repeat(30)));
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const e = failure(bare);
    expect(e).toBeInstanceOf(DecodeError);
    expect((e as DecodeError).toJSON()).toEqual((failure(codec) as DecodeError).toJSON());
    expect((e as DecodeError).path).toBe('BitsVar.x');
  });
});

describe('NGAP UESecurityCapabilities (TS 38.413 9.3.1.86): four BIT STRING (SIZE(16, ...)) in 9 octets, as asn1c, free5GC and Wireshark code it', () => {
  const caps = { nRencryptionAlgorithms: bits('e000', 16), nRintegrityProtectionAlgorithms: bits('e000', 16), eUTRAencryptionAlgorithms: bits('c000', 16), eUTRAintegrityProtectionAlgorithms: bits('c000', 16) };
  it('encodes to 9 octets and decodes them back', () => {
    // ext 0 | iE-Extensions absent 0 | (0 + 16 bits) x 4 = 70 bits
    const out = encodeNgapType('UESecurityCapabilities', caps);
    expect(toHex(out)).toBe('1c000e000600030000');
    expect(decodeNgapType('UESecurityCapabilities', out)).toEqual(caps);
  });
});
