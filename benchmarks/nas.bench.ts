// NAS-5GS codec (issue: NAS/crypto). Registration Request (the 34-byte SUCI vector) decode and
// encode against a baseline that only reads the message type; NIA2 MAC of a 100-byte PDU.
// free5gc/nas's figures for the same message, measured outside node, are in benchmarks/peers.json
// and copied into the notes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSuite, consume, peerNotes } from './lib.ts';
import { fromHex } from '../codecs/bytes/hex.ts';
import { ByteWriter } from '../codecs/bytes/writer.ts';
import { decodeNasMessage, encodeNasMessage, protectNas } from '../codecs/nas/index.ts';
import { nia2 } from '../crypto/nas-algorithms.ts';

const rr = fromHex(readFileSync(join(process.cwd(), 'test/vectors/shared/nas_registrationrequest.hex'), 'utf8'));
const msg = decodeNasMessage(rr);
const w = new ByteWriter(128);
const key = fromHex('daa5adbfc68d0928737ac8bf26f20a27');
const pdu100 = new Uint8Array(100).fill(0x42);
let count = 0;
const ctx = { ngKsi: 1, kNasInt: key, kNasEnc: key, integrityAlgorithm: 2, cipheringAlgorithm: 0, uplinkCount: 0, downlinkCount: 0, bearer: 1 };

await runSuite(
  'nas',
  [
    { name: 'baseline: read EPD and message type', fn: () => consume(rr[0] + rr[2]) },
    { name: 'decode Registration Request (34 B, SUCI)', fn: () => consume(decodeNasMessage(rr)) },
    {
      name: 'encode Registration Request (34 B, reused writer)',
      fn: () => {
        w.pos = 0;
        consume(encodeNasMessage(msg, w));
      },
    },
    { name: 'NIA2 MAC of a 100-byte PDU', fn: () => consume(nia2(key, count++, 1, 0, pdu100)) },
    { name: 'protectNas (NIA2, NEA0) of the Registration Request', fn: () => consume(protectNas(rr, ctx, 0, 1)) },
  ],
  {
    ratios: [['Registration Request decode vs baseline', 'decode Registration Request (34 B, SUCI)', 'baseline: read EPD and message type']],
    notes: { peers: peerNotes('nas ') },
  },
);
