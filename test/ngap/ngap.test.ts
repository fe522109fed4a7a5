// NGAP (TS 38.413) codec: the public vectors decode to their stated values and re-encode
// byte-exact, our nodes' messages round-trip, and the generated schema is what the generator makes.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNgap, encodeNgap, ngapMessage, iesByName, ngapCodec } from '../../codecs/ngap/index.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';
import { bits, ngapPdu, protocolIes } from '../../codecs/ngap/build.ts';
import { EncodeError } from '../../codecs/bytes/errors.ts';
import { hexVector, messageVectors } from '../helpers/vectors.ts';
import { NODE_MESSAGES } from './node-messages.ts';
import { generate } from '../../tools/asn1-gen/main.ts';
import { VECTOR_FILES, VECTOR_EXPECTED, EXPECTED_IE, iesOf, withTransfers } from './public-vectors.ts';

describe('NGAP public vectors (TS 38.413): decode to the stated values, re-encode byte-exact', () => {
  for (const [message, file] of Object.entries(VECTOR_FILES) as [keyof typeof VECTOR_FILES, string][]) {
    it(`${file}: ${message}`, () => {
      const bytes = hexVector(file);
      const pdu = decodeNgap(bytes);
      const { kind, procedure, name } = ngapMessage(pdu);
      const exp = VECTOR_EXPECTED[message];
      expect([kind, name, procedure.procedureCode, procedure.criticality]).toEqual([exp.pdu, message, exp.procedureCode, exp.criticality]);
      expect(iesOf(pdu).map((ie) => [ie.id, ie.criticality])).toEqual(exp.ies.map(([id, , c]) => [id, c]));
      expect([...iesByName(procedure.value, name)]).toEqual(exp.ies.map(([, n, , v]) => [n, v]));
      expect(toHex(encodeNgap(pdu))).toBe(toHex(bytes));
    });
  }

  const vectors = messageVectors('ngap.');
  it('messages.json holds NGAP vectors', () => expect(vectors.length).toBeGreaterThanOrEqual(6));
  for (const v of vectors) {
    it(`${v.id}: ${String(v.expected.procedure)}`, () => {
      const bytes = fromHex(v.hex);
      expect(bytes.length).toBe(v.length);
      const pdu = decodeNgap(bytes);
      const { kind, procedure, name } = ngapMessage(pdu);
      const exp = v.expected as { pdu: string; procedureCode: number; procedure: string; criticality: string; ies: Record<string, unknown>[] };
      expect([kind, procedure.procedureCode, name, procedure.criticality]).toEqual([exp.pdu, exp.procedureCode, exp.procedure, exp.criticality]);
      const ies = iesOf(pdu);
      const byName = iesByName(procedure.value, name);
      expect(ies.map((ie) => ie.id)).toEqual(exp.ies.map((e) => e.id));
      expect([...byName.keys()]).toEqual(exp.ies.map((e) => e.name));
      exp.ies.forEach((e, i) => {
        const ours = byName.get(e.name as string);
        if (e.criticality !== undefined) expect(ies[i].criticality, `${e.name} criticality`).toBe(e.criticality);
        if (e.value_hex !== undefined) expect(toHex(ours as Uint8Array), `${e.name}`).toBe(e.value_hex);
        else if (typeof e.value === 'number') expect(ours, `${e.name}`).toBe(e.value);
        else {
          const convert = EXPECTED_IE[e.name as string];
          if (!convert) throw new Error(`no comparison for ${v.id} IE ${String(e.name)}: add one to EXPECTED_IE`);
          expect(withTransfers(ours), `${e.name}`).toEqual(convert(e));
        }
      });
      expect(toHex(encodeNgap(pdu))).toBe(v.hex);
    });
  }
});

describe('NGAP messages of our nodes: encode -> decode -> encode', () => {
  for (const [name, pdu] of NODE_MESSAGES) {
    it(name, () => {
      const bytes = encodeNgap(pdu);
      const back = decodeNgap(bytes);
      expect(ngapMessage(back).name).toBe(name);
      expect(back).toEqual(pdu);
      expect(toHex(encodeNgap(back))).toBe(toHex(bytes));
    });
  }
});


describe('NGAP building helpers (codecs/ngap/build.ts)', () => {
  it('bits(): the low `length` bits of the value, first bit in the high bit of the first octet, for any length and any integer a double holds', () => {
    expect(toHex(bits(0x123456789, 36).value)).toBe('1234567890'); // an NR Cell Identity (TS 38.413 9.3.1.7)
    expect(toHex(bits(0x3ff, 10).value)).toBe('ffc0'); // AMF Set ID
    expect(toHex(bits(0x1ff, 8).value)).toBe('ff'); // bits above the length are not written
    expect(toHex(bits(2 ** 52 + 1, 53).value)).toBe('80000000000008');
    expect(bits(0, 256).value).toEqual(new Uint8Array(32));
    // against the definition, bit by bit
    const bitwise = (v: number, n: number) => {
      const out = new Uint8Array(Math.ceil(n / 8));
      for (let i = 0; i < n; i++) if (Math.floor(v / 2 ** (n - 1 - i)) % 2) out[i >> 3] |= 0x80 >> (i & 7);
      return out;
    };
    for (let n = 1; n <= 64; n++) for (const v of [0, 1, 5, 2 ** Math.min(n, 53) - 1, Math.floor(2 ** Math.min(n, 53) / 3), 0xdeadbeef]) expect(bits(v, n)).toEqual({ value: bitwise(v, n), length: n });
  });

  it('ngapPdu and protocolIes: procedure and IE order from the schema, unknown and missing IEs refused', () => {
    const pdu = ngapPdu('UEContextReleaseComplete', { 'RAN-UE-NGAP-ID': 2, 'AMF-UE-NGAP-ID': 1 });
    expect(pdu).toEqual({ successfulOutcome: { procedureCode: 41, criticality: 'reject', value: { protocolIEs: [{ id: 10, criticality: 'ignore', value: 1 }, { id: 85, criticality: 'ignore', value: 2 }] } } });
    expect(() => protocolIes('UEContextReleaseComplete', { 'AMF-UE-NGAP-ID': 1 })).toThrow(/RAN-UE-NGAP-ID.*mandatory IE missing/);
    expect(() => protocolIes('UEContextReleaseComplete', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 2, Cause: 1 })).toThrow(EncodeError);
    expect(() => ngapPdu('NoSuchMessage' as 'UEContextReleaseComplete', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 2 })).toThrow(/not an NGAP message name/);
  });
});

describe('NGAP schema generator (npm run gen:ngap)', () => {
  it('regenerating codecs/ngap/generated/schema.ts and types.ts from spec/ngap-38413-h40 changes nothing', () => {
    const generated = generate();
    expect(Object.keys(generated).sort()).toEqual(['schema.ts', 'types.ts']);
    for (const [name, text] of Object.entries(generated)) {
      const committed = readFileSync(join(process.cwd(), 'codecs', 'ngap', 'generated', name), 'utf8');
      expect(text === committed, name).toBe(true);
    }
  });

  it('the schema has every elementary procedure of TS 38.413 V17.4.0 and its IE sets', () => {
    const codes = ngapCodec.schema.procedures.map((p) => p.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const p of ngapCodec.schema.procedures) {
      for (const m of [p.initiating, p.successful, p.unsuccessful]) if (m) expect(ngapCodec.schema.types[m], m).toBeDefined();
    }
    expect(ngapCodec.procedure(15)?.initiating).toBe('InitialUEMessage');
    expect(ngapCodec.setEntry('InitialUEMessage-IEs', 38)).toMatchObject({ name: 'NAS-PDU', criticality: 'reject', presence: 'mandatory' });
  });
});
