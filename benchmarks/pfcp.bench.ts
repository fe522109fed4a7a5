// PFCP codec (issue: PFCP). Encode and decode of the go-pfcp Session Establishment Request with
// 2 PDRs, 2 FARs, 1 QER (325 bytes), the Session Deletion Request (16 bytes) and a Session
// Deletion Response with Cause and one Usage Report; a baseline that reads only the header fields;
// and buffer-layout (as the user asked) against our hand-written reader on a fixed IE body (F-SEID).
// go-pfcp's figures for the same messages, measured outside node, are in benchmarks/peers.json
// (copied into the notes); benchmarks/codec-speed.bench.ts sets them side by side.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import lo from 'buffer-layout';
import { runSuite, consume, peerNotes } from './lib.ts';
import { fromHex } from '../codecs/bytes/hex.ts';
import { ByteReader } from '../codecs/bytes/reader.ts';
import { ByteWriter } from '../codecs/bytes/writer.ts';
import * as P from '../codecs/pfcp/index.ts';

const vec = (f: string) => fromHex(readFileSync(join(process.cwd(), 'test/vectors/shared', f), 'utf8'));
const est = vec('pfcp_sessionestablishmentrequest.hex');
const delReq = vec('pfcp_sessiondeletionrequest.hex');
const delRsp = P.encodePfcp(P.sessionDeletionResponse(7, 5n, P.PfcpCause.RequestAccepted, { urSeqn: 3, trigger: P.UsageReportTrigger.TERMR, startTime: 1, endTime: 6, volume: { total: 3000n, uplink: 1000n, downlink: 2000n, totalPackets: 6n, uplinkPackets: 3n, downlinkPackets: 3n }, durationSeconds: 5 }));
const estMsg = P.decodePfcp(est), delReqMsg = P.decodePfcp(delReq), delRspMsg = P.decodePfcp(delRsp);
const w = new ByteWriter(1024);
const encodeInto = (m: P.PfcpMessage) => {
  w.pos = 0;
  return P.encodePfcp(m, w);
};

// F-SEID value (TS 29.244 8.2.37) with V4: flags (1) | SEID (8) | IPv4 (4)
const fseidBody = fromHex('02ffde7210bf97810aac120101');
const fseidBuf = Buffer.from(fseidBody);
const fseidLayout = lo.struct<{ flags: number; seid: number; ipv4: Buffer }>([lo.u8('flags'), lo.nu64be('seid'), lo.blob(4, 'ipv4')]);

await runSuite(
  'pfcp',
  [
    { name: 'baseline: read header (type, length, SEID, sequence) of the Establishment Request', fn: () => consume(new ByteReader(est, 'pfcp').u8('f') + est[1] + ((est[2] << 8) | est[3]) + est[15]) },
    { name: 'decode Session Establishment Request (325 B)', fn: () => consume(P.decodePfcp(est)) },
    { name: 'encode Session Establishment Request (325 B, reused writer)', fn: () => consume(encodeInto(estMsg)) },
    { name: 'decode Session Deletion Request (16 B)', fn: () => consume(P.decodePfcp(delReq)) },
    { name: 'encode Session Deletion Request (16 B, reused writer)', fn: () => consume(encodeInto(delReqMsg)) },
    { name: 'writePfcp Session Deletion Request (16 B, reused writer, no view)', fn: () => { w.pos = 0; consume(P.writePfcp(w, delReqMsg)); } },
    { name: 'encodePfcp Session Deletion Request (16 B, no writer: slab view)', fn: () => consume(P.encodePfcp(delReqMsg)) },
    { name: 'decode Session Deletion Response with Usage Report', fn: () => consume(P.decodePfcp(delRsp)) },
    { name: 'encode Session Deletion Response with Usage Report (reused writer)', fn: () => consume(encodeInto(delRspMsg)) },
    { name: 'F-SEID body: hand-written ByteReader', fn: () => { const r = new ByteReader(fseidBody, 'pfcp'); consume([r.u8('f'), r.u64('s'), r.bytes(4, 'a')]); } },
    { name: 'F-SEID body: buffer-layout struct', fn: () => consume(fseidLayout.decode(fseidBuf, 0)) },
  ],
  {
    ratios: [
      ['Establishment Request decode vs header baseline', 'decode Session Establishment Request (325 B)', 'baseline: read header (type, length, SEID, sequence) of the Establishment Request'],
      ['buffer-layout vs hand-written F-SEID read', 'F-SEID body: buffer-layout struct', 'F-SEID body: hand-written ByteReader'],
    ],
    notes: { peers: peerNotes('pfcp ') },
  },
);
