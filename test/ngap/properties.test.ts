// NGAP codec properties: random values of every message round-trip, and mutated PDUs end in a
// value or a DecodeError.

import { describe, it, expect } from 'vitest';
import { decodeNgap, encodeNgap, ngapCodec, type NgapPdu } from '../../codecs/ngap/index.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';
import { hexVector, messageVectors } from '../helpers/vectors.ts';
import { fuzzDecoder, Rng } from '../helpers/fuzz.ts';
import { randomValue } from './random.ts';
import { NODE_MESSAGES } from './node-messages.ts';
import { VECTOR_FILES, encodeByName, decodeByName } from './public-vectors.ts';

const KIND = { initiating: 'initiatingMessage', successful: 'successfulOutcome', unsuccessful: 'unsuccessfulOutcome' } as const;

describe('NGAP round trip of random values of every message (property)', () => {
  const messages = ngapCodec.schema.procedures.flatMap((p) =>
    (['initiating', 'successful', 'unsuccessful'] as const).flatMap((which) => {
      const name = p[which];
      return name ? [{ p, which, name }] : [];
    }),
  );
  it('covers every elementary procedure', () => {
    expect(new Set(messages.map((m) => m.p.code)).size).toBe(ngapCodec.schema.procedures.length);
    expect(messages.length).toBeGreaterThan(100);
  });
  for (const { p, which, name } of messages) {
    it(`${name} (procedure ${p.code}, ${which})`, () => {
      const rng = new Rng(0x5eed0000 + p.code * 4 + ['initiating', 'successful', 'unsuccessful'].indexOf(which));
      for (let i = 0; i < 6; i++) {
        const value = randomValue(ngapCodec, { k: 'ref', name }, rng);
        const pdu = { [KIND[which]]: { procedureCode: p.code, criticality: p.criticality, value } } as NgapPdu;
        const bytes = encodeNgap(pdu);
        const back = decodeNgap(bytes);
        expect(back).toEqual(pdu);
        expect(toHex(encodeNgap(back))).toBe(toHex(bytes));
      }
    });
  }
  it('every OCTET STRING (CONTAINING ...) transfer type round-trips on its own', () => {
    const rng = new Rng(0x7a4f);
    const transfers = Object.keys(ngapCodec.schema.types).filter((n) => n.endsWith('Transfer'));
    expect(transfers.length).toBeGreaterThan(40);
    for (const name of transfers) {
      for (let i = 0; i < 4; i++) {
        const value = randomValue(ngapCodec, { k: 'ref', name }, rng);
        const bytes = encodeByName(name, value);
        const back = decodeByName(name, bytes);
        expect(back, name).toEqual(value);
        expect(toHex(encodeByName(name, back)), name).toBe(toHex(bytes));
      }
    }
  });
});

describe('NGAP decoder fuzz', () => {
  it('100k mutated PDUs end in a value or a DecodeError, never an internal fault or a hang', () => {
    const corpus = [...Object.values(VECTOR_FILES).map(hexVector), ...messageVectors('ngap.').map((v) => fromHex(v.hex)), ...NODE_MESSAGES.map(([, p]) => encodeNgap(p))];
    const faults: string[] = [];
    const res = fuzzDecoder(
      (b) => {
        try {
          return decodeNgap(b);
        } catch (e) {
          // decodeNgap turns a stray exception into a DecodeError marked as an internal fault
          if (e instanceof DecodeError && e.reason.startsWith('internal decoder fault')) faults.push(`${e.message} for ${toHex(b)}`);
          throw e;
        }
      },
      { seed: 0x4e474150, cases: 100_000, corpus },
    );
    expect(faults.slice(0, 5)).toEqual([]);
    expect(res.decoded).toBeGreaterThan(1000);
    expect(res.rejected).toBeGreaterThan(10_000);
    expect(Object.keys(res.codes)).toEqual(expect.arrayContaining(['TRUNCATED', 'TRAILING_BYTES']));
  });
});
