// The encoder's output pinned: a digest of the encodings of seeded random values of every NGAP
// message and transfer type, recorded from an encoder whose output the public vectors and tshark
// vouch for. The round-trip property test cannot see an encoder change that still decodes to the
// same value (a two-octet length where one suffices, different padding); this one does, and names
// the message it shows in. After an intended change of the encoding:
//   npx vitest run test/ngap/encodings.test.ts -u
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { encodeNgap, encodeNgapType, ngapCodec, type NgapPdu } from '../../codecs/ngap/index.ts';
import { toHex } from '../../codecs/bytes/hex.ts';
import { Rng } from '../helpers/fuzz.ts';
import { randomValue } from './random.ts';

/** encodeNgapType for type names read from the schema at run time, which the compiler cannot check. */
const encodeByName = encodeNgapType as (typeName: string, value: unknown) => Uint8Array;

const KIND = { initiating: 'initiatingMessage', successful: 'successfulOutcome', unsuccessful: 'unsuccessfulOutcome' } as const;
const WHICH = ['initiating', 'successful', 'unsuccessful'] as const;

/** The first 16 hex digits of the SHA-256 of the encodings, one per line. */
function digest(encodings: Uint8Array[]): string {
  return createHash('sha256').update(encodings.map(toHex).join('\n')).digest('hex').slice(0, 16);
}

describe('NGAP encodings pinned', () => {
  it('seeded random values of every message and transfer encode to the recorded octets', async () => {
    const digests: Record<string, string> = {};
    for (const p of ngapCodec.schema.procedures) {
      for (const which of WHICH) {
        const name = p[which];
        if (!name) continue;
        const rng = new Rng(0xe4c0de00 + p.code * 4 + WHICH.indexOf(which));
        const encodings: Uint8Array[] = [];
        for (let i = 0; i < 8; i++) {
          const value = randomValue(ngapCodec, { k: 'ref', name }, rng);
          encodings.push(encodeNgap({ [KIND[which]]: { procedureCode: p.code, criticality: p.criticality, value } } as NgapPdu));
        }
        digests[`message ${name}`] = digest(encodings);
      }
    }
    const rng = new Rng(0x7a4f0e4c);
    for (const name of Object.keys(ngapCodec.schema.types).filter((n) => n.endsWith('Transfer'))) {
      const encodings: Uint8Array[] = [];
      for (let i = 0; i < 4; i++) encodings.push(encodeByName(name, randomValue(ngapCodec, { k: 'ref', name }, rng)));
      digests[`type ${name}`] = digest(encodings);
    }
    await expect(`${JSON.stringify(digests, null, 1)}\n`).toMatchFileSnapshot('./encodings.digests.json');
  });
});
