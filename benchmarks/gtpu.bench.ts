// GTP-U codec and hot-path read (issue: foundation). The 1400-byte G-PDU with a PDU Session
// Container (shared vector) is decoded/encoded, and the UPF's in-place read (TEID + QFI +
// payload offset) is compared with a minimal baseline that only reads the TEID at offset 4.
// go-gtp's figures for the same packet (UnmarshalBinary into a reused header, MarshalTo a reused
// buffer), measured outside node, are in benchmarks/peers.json and copied into the notes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSuite, consume, peerNotes } from './lib.ts';
import { fromHex } from '../codecs/bytes/hex.ts';
import { decodeGtpu, encodeGtpu, writeGtpu, readGpdu, newGpduView, gtpuSize } from '../codecs/gtpu/index.ts';

const vector = fromHex(readFileSync(join(process.cwd(), 'test/vectors/shared/gtpu_gpdu_pdusc_1400.hex'), 'utf8'));
// 256 buffers with distinct TEIDs so reads are not constant-folded.
const packets = Array.from({ length: 256 }, (_, i) => {
  const b = Uint8Array.from(vector);
  b[7] = i;
  return b;
});
const decoded = decodeGtpu(vector);
const out = new Uint8Array(gtpuSize(decoded));
const view = newGpduView();
let i = 0;

await runSuite(
  'gtpu',
  [
    {
      name: 'baseline: read TEID at offset 4',
      fn: () => {
        let acc = 0;
        for (let k = 0; k < 256; k++) {
          const b = packets[k];
          acc ^= ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0;
        }
        consume(acc);
      },
    },
    {
      name: 'hot path: readGpdu (TEID + QFI + payload offset)',
      fn: () => {
        let acc = 0;
        for (let k = 0; k < 256; k++) {
          const b = packets[k];
          readGpdu(b, 0, b.length, view);
          acc ^= view.teid ^ view.qfi ^ view.payloadOffset;
        }
        consume(acc);
      },
    },
    { name: 'decodeGtpu 1400-byte G-PDU (typed)', fn: () => consume(decodeGtpu(packets[i++ & 255])) },
    { name: 'encodeGtpu 1400-byte G-PDU into a reused buffer', fn: () => consume(encodeGtpu(decoded, out, 0)) },
    { name: 'writeGtpu 1400-byte G-PDU into a reused buffer (no view)', fn: () => consume(writeGtpu(decoded, out, 0)) },
    { name: 'encodeGtpu 1400-byte G-PDU (allocating)', fn: () => consume(encodeGtpu(decoded)) },
  ],
  {
    ratios: [['hot-path read per packet vs baseline TEID read', 'hot path: readGpdu (TEID + QFI + payload offset)', 'baseline: read TEID at offset 4']],
    notes: {
      perOpUnit: 'the baseline and hot-path tasks process 256 packets per op; divide nsPerOp by 256 for per-packet cost',
      peers: peerNotes('gtpu '),
    },
  },
);
