// Codec speed against the peer implementations (issue 22): every shared vector decoded and
// encoded by wire5g, each figure the best round of CPU time per call with the tasks taking turns
// (the method of benchmarks/ngap.bench.ts), set against the same figure of the best peer:
// wmnsk/go-pfcp, wmnsk/go-gtp, free5gc/nas (Go) and asn1c APER (C) for NGAP.
//
// The peers run outside node. With WIRE5G_PEER_CMD set (a shell command printing one JSON object
// of peer name -> ns per call, e.g. the driver described in docs/decisions/codec-speed.md), this
// suite runs it between its own passes, so both sides share the machine's fast and slow phases,
// and the report says "measured in this run". Without it, the figures recorded in
// benchmarks/peers.json (with their date and recipe) are used and the report says so.

import { readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { writeReport, consume, recordedPeers, type BenchResult } from './lib.ts';
import { fromHex } from '../codecs/bytes/hex.ts';
import { ByteWriter } from '../codecs/bytes/writer.ts';
import * as P from '../codecs/pfcp/index.ts';
import { decodeGtpu, encodeGtpu, writeGtpu, gtpuSize, GpduFrame, decodeGpduInto, tPduOf, writeGpduFrom, writeGpduHeader } from '../codecs/gtpu/index.ts';
import { decodeNasMessage, encodeNasMessage } from '../codecs/nas/index.ts';
import { decodeNgap, encodeNgap } from '../codecs/ngap/index.ts';

const vec = (f: string) => fromHex(readFileSync(join(process.cwd(), 'test/vectors/shared', f), 'utf8'));

// The Deletion Response with a Usage Report is not a shared vector: it is built here, and the
// peers read the same octets (the driver writes them out from this builder).
export const deletionResponseWithUsageReport = () =>
  P.encodePfcp(
    P.sessionDeletionResponse(7, 5n, P.PfcpCause.RequestAccepted, {
      urSeqn: 3,
      trigger: P.UsageReportTrigger.TERMR,
      startTime: 1,
      endTime: 6,
      volume: { total: 3000n, uplink: 1000n, downlink: 2000n, totalPackets: 6n, uplinkPackets: 3n, downlinkPackets: 3n },
      durationSeconds: 5,
    }),
  ).slice();

interface Row {
  /** Vector name as in the decisions table. */
  vector: string;
  op: 'decode' | 'encode';
  fn: () => unknown;
  /** Names of the peer figures for this row (the smallest is the best peer). */
  peers: string[];
  /** Goal: ours / best peer at or below this. */
  goal: number;
  /** A second form of the same operation, reported but not the compared one. */
  form?: string;
}

const pfcpWriter = new ByteWriter(2048);
const rows: Row[] = [];
// Two encode forms: writePfcp leaves the octets in the reused writer, as go-pfcp's MarshalTo
// does in a reused buffer (the row compared); encodePfcp also returns a view of them, one typed
// array object more (about 30 ns), reported beside it.
// The compared encode takes the SEID as a number (PfcpMessageToEncode: an integer below 2^53, as
// go-pfcp's struct holds a uint64); the message as decoded, its SEID a bigint, is reported beside it.
function pfcp(vector: string, bytes: Uint8Array, peerName: string): void {
  const m = P.decodePfcp(bytes);
  const mNumber: P.PfcpMessageToEncode = m.seid === undefined ? m : { ...m, seid: Number(m.seid) };
  rows.push({ vector, op: 'decode', fn: () => P.decodePfcp(bytes), peers: [`pfcp decode ${peerName}`, `pfcp decode ${peerName} (typed struct)`], goal: 1 });
  rows.push({
    vector,
    op: 'encode',
    fn: () => {
      pfcpWriter.pos = 0;
      return P.writePfcp(pfcpWriter, mNumber);
    },
    peers: [`pfcp encode ${peerName}`],
    goal: 1,
  });
  if (m.seid !== undefined)
    rows.push({
      vector,
      op: 'encode',
      form: 'writePfcp, the SEID a bigint as decoded',
      fn: () => {
        pfcpWriter.pos = 0;
        return P.writePfcp(pfcpWriter, m);
      },
      peers: [`pfcp encode ${peerName}`],
      goal: 1,
    });
  rows.push({
    vector,
    op: 'encode',
    form: 'encodePfcp: a view of the octets returned',
    fn: () => {
      pfcpWriter.pos = 0;
      return P.encodePfcp(mNumber, pfcpWriter);
    },
    peers: [`pfcp encode ${peerName}`],
    goal: 1,
  });
}
pfcp('PFCP Session Establishment Request (325 B)', vec('pfcp_sessionestablishmentrequest.hex'), 'SessionEstablishmentRequest');
pfcp('PFCP Session Deletion Request (16 B)', vec('pfcp_sessiondeletionrequest.hex'), 'SessionDeletionRequest');
pfcp('PFCP Session Deletion Response, Cause only (21 B)', vec('pfcp_sessiondeletionresponse.hex'), 'SessionDeletionResponse');
const delRsp = deletionResponseWithUsageReport();
pfcp(`PFCP Session Deletion Response with Usage Report (${delRsp.length} B)`, delRsp, 'SessionDeletionResponse with Usage Report');

const gpdu = vec('gtpu_gpdu_pdusc_1400.hex');
const gpduMsg = decodeGtpu(gpdu);
const gtpuOut = new Uint8Array(gtpuSize(gpduMsg));
// The compared rows have go-gtp's shape: UnmarshalBinary fills a reused header and gives the
// payload as a slice of the input (here an offset and a length: a view would be an object);
// MarshalTo writes the header and copies the payload into a reused buffer (writeGpduFrom copies
// the T-PDU too). The message-object API and the zero-copy header are reported beside them.
const GTPU = 'GTP-U G-PDU 1400 B with PDU Session Container (typed API)';
const gtpuPeerDecode = ['gtpu decode G-PDU 1400 B (UnmarshalBinary, reused header)'];
const gtpuPeerEncode = ['gtpu encode G-PDU 1400 B (MarshalTo, reused buffer)'];
const gpduFrame = new GpduFrame();
decodeGpduInto(gpdu, gpduFrame);
const gpduTPdu = tPduOf(gpdu, gpduFrame);
const gpduHeader = new GpduFrame();
decodeGpduInto(gpdu, gpduHeader);
rows.push({ vector: GTPU, op: 'decode', fn: () => decodeGpduInto(gpdu, gpduFrame), peers: gtpuPeerDecode, goal: 1 });
rows.push({ vector: GTPU, op: 'decode', form: 'decodeGtpu: a new message object and a view of the T-PDU', fn: () => decodeGtpu(gpdu), peers: gtpuPeerDecode, goal: 1 });
rows.push({ vector: GTPU, op: 'encode', fn: () => writeGpduFrom(gpduHeader, gpduTPdu, gtpuOut, 0), peers: gtpuPeerEncode, goal: 1 });
rows.push({ vector: GTPU, op: 'encode', form: 'writeGtpu of the message object', fn: () => writeGtpu(gpduMsg, gtpuOut, 0), peers: gtpuPeerEncode, goal: 1 });
rows.push({ vector: GTPU, op: 'encode', form: 'encodeGtpu: a view of the octets returned', fn: () => encodeGtpu(gpduMsg, gtpuOut, 0), peers: gtpuPeerEncode, goal: 1 });
rows.push({ vector: GTPU, op: 'encode', form: 'writeGpduHeader: zero-copy, the T-PDU already in the buffer (not the comparison)', fn: () => writeGpduHeader(gpduHeader, gpduHeader.tPduLength, gtpuOut, 0), peers: gtpuPeerEncode, goal: 1 });
// The floor of the encode row on each side: the T-PDU copy alone, Uint8Array.prototype.set
// against Go's copy (the last statement of MarshalTo), into the same place of the same buffers.
rows.push({
  vector: GTPU,
  op: 'encode',
  form: 'the T-PDU copy alone: Uint8Array.prototype.set against Go copy (not the comparison)',
  fn: () => gtpuOut.set(gpduTPdu, 16),
  peers: ['gtpu copy G-PDU 1400 B T-PDU alone (copy into reused buffer)'],
  goal: 1,
});

const rr = vec('nas_registrationrequest.hex');
const rrMsg = decodeNasMessage(rr);
const nasWriter = new ByteWriter(128);
rows.push({ vector: 'NAS Registration Request (34 B)', op: 'decode', fn: () => decodeNasMessage(rr), peers: ['nas decode RegistrationRequest'], goal: 0.5 });
rows.push({
  vector: 'NAS Registration Request (34 B)',
  op: 'encode',
  fn: () => {
    nasWriter.pos = 0;
    return encodeNasMessage(rrMsg, nasWriter);
  },
  peers: ['nas encode RegistrationRequest'],
  goal: 0.5,
});

for (const [name, file] of [
  ['NGSetupRequest', 'ngap_ngsetuprequest.hex'],
  ['InitialUEMessage', 'ngap_initialuemessage_regreq.hex'],
  ['UEContextReleaseCommand', 'ngap_uecontextreleasecommand.hex'],
] as const) {
  const bytes = vec(file);
  const pdu = decodeNgap(bytes);
  rows.push({ vector: `NGAP ${name} (${bytes.length} B)`, op: 'decode', fn: () => decodeNgap(bytes), peers: [`ngap decode ${name}`], goal: 0.5 });
  rows.push({ vector: `NGAP ${name} (${bytes.length} B)`, op: 'encode', fn: () => encodeNgap(pdu), peers: [`ngap encode ${name}`], goal: 0.5 });
}

// --- measurement -------------------------------------------------------------------------------

const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
const ROUNDS = Number(process.env.WIRE5G_BENCH_ROUNDS ?? 15);
const CALLS = 20_000;
const best = rows.map(() => Infinity);
function pass(rounds: number): void {
  for (let k = 0; k < rounds; k++) {
    rows.forEach((row, j) => {
      const fn = row.fn;
      const t0 = cpuNs();
      for (let i = 0; i < CALLS; i++) consume(fn());
      best[j] = Math.min(best[j], (cpuNs() - t0) / CALLS);
    });
  }
}

const recorded = recordedPeers();
const peerCmd = process.env.WIRE5G_PEER_CMD;
const peerBest: Record<string, number> = {};
function runPeers(): void {
  if (!peerCmd) return;
  const got = JSON.parse(execSync(peerCmd, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    shell: '/bin/sh',
    // the peers read the same vector files as this run (a driver built in another checkout would
    // otherwise read that checkout's, or fail once it is removed)
    env: { ...process.env, WIRE5G_PEER_VECTORS: join(process.cwd(), 'test', 'vectors', 'shared') },
  })) as Record<string, number>;
  for (const [k, v] of Object.entries(got)) peerBest[k] = Math.min(peerBest[k] ?? Infinity, v);
}

// Warm-up: the rows taking turns as in the timed rounds, so a closure shared by several vectors
// (the PFCP encode) is compiled with the feedback of all of them, not of the first one alone.
for (let k = 0; k < 5; k++) for (const row of rows) for (let i = 0; i < CALLS; i++) consume(row.fn());
const passes = peerCmd ? 3 : 1;
for (let p = 0; p < passes; p++) {
  runPeers();
  pass(Math.ceil(ROUNDS / passes));
}
const live = peerCmd !== undefined;
const peers = live ? peerBest : recorded.figures;
// WIRE5G_RECORD_PEERS=1 with WIRE5G_PEER_CMD: keep this run's peer figures as the recorded ones
if (live && process.env.WIRE5G_RECORD_PEERS === '1') {
  const file = join(process.cwd(), 'benchmarks', 'peers.json');
  const sorted = Object.fromEntries(Object.entries(peerBest).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, round1(v)]));
  writeFileSync(file, JSON.stringify({ ...recorded, measured: new Date().toISOString(), figures: sorted }, null, 2) + '\n');
}

const results: BenchResult[] = rows.map((row, j) => ({ name: `${row.op} ${row.vector}${row.form ? ` [${row.form}]` : ''}`, nsPerOp: best[j], opsPerSec: 1e9 / best[j], samples: ROUNDS, rme: null }));
const comparison = rows.map((row, j) => {
  const candidates = row.peers.filter((n) => peers[n] !== undefined);
  const peer = candidates.reduce<string | undefined>((a, n) => (a === undefined || peers[n] < peers[a] ? n : a), undefined);
  const peerNs = peer !== undefined ? peers[peer] : NaN;
  return { vector: row.vector, op: row.op, ...(row.form ? { form: row.form } : {}), oursNs: round1(best[j]), peer: peer ?? 'none', peerNs: round1(peerNs), ratio: Math.round((best[j] / peerNs) * 100) / 100, goal: row.goal };
});
function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

writeReport('codec-speed', results, {
  notes: {
    method: `best of ${ROUNDS} rounds of ${CALLS} calls, process CPU time per call, tasks taking turns`,
    peers: {
      source: live ? `measured in this run by \`${peerCmd}\`, outside node, between this suite's passes` : `recorded in benchmarks/peers.json on ${recorded.measured}, outside node (not re-run: set WIRE5G_PEER_CMD)`,
      machine: recorded.machine,
      method: recorded.method,
      recipe: recorded.recipe,
      figures: peers,
    },
    comparison,
  },
});
console.log(`  ours / best peer (${live ? 'peers measured in this run' : `peers recorded ${recorded.measured}`}):`);
for (const c of comparison) {
  // a row without a peer figure (its peer not in the recorded ones) has no ratio: said so, not judged
  const verdict = c.peer === 'none' ? 'no peer figure' : c.ratio <= c.goal ? 'ok' : `ABOVE ${c.goal}`;
  const flag = verdict + (c.form ? ` (${c.form})` : '');
  console.log(`    ${c.op} ${c.vector.padEnd(60)} ${c.oursNs.toFixed(1).padStart(8)} ns / ${c.peerNs.toFixed(1).padStart(8)} ns = ${c.ratio.toFixed(2).padStart(5)}  ${flag}`);
}
