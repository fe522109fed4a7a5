// Transport throughput (issue: transport), all over loopback on this machine:
//   - SCTP-over-UDP shim messages per second from another process, against raw node:dgram
//     datagrams per second from another process measured in the same run (ratio);
//   - PFCP request/response round trips per second (64 in flight);
//   - HTTP/2 SBI requests per second for a small JSON POST (32 in flight).
// Reference: on this kind of machine node:dgram receives about 0.3 million datagrams per second on
// one core. Every measurement is bounded to a few seconds.

import dgram from 'node:dgram';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { writeReport, type BenchResult } from './lib.ts';
import { SctpUdpEndpoint } from '../transport/sctp-udp/endpoint.ts';
import { PfcpEndpoint } from '../transport/udp/pfcp-endpoint.ts';
import { SbiServer } from '../transport/sbi/server.ts';
import { Http2SbiClient } from '../transport/sbi/client.ts';
import * as P from '../codecs/pfcp/index.ts';

const SECONDS = 2;
const peer = join(process.cwd(), 'benchmarks', 'transport-peer.ts');

function runPeer(mode: 'dgram' | 'sctp', port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', peer, mode, '127.1.0.91', String(port), String(SECONDS)], { stdio: 'inherit' });
    c.on('exit', () => resolve());
    c.on('error', reject);
  });
}

function rate(name: string, count: number, ms: number): BenchResult {
  const perSec = (count * 1000) / ms;
  return { name, nsPerOp: 1e9 / perSec, opsPerSec: perSec, samples: count, rme: null };
}

async function dgramRate(): Promise<BenchResult> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.1.0.91', () => r()));
  let n = 0, first = 0, last = 0;
  s.on('message', () => {
    if (n++ === 0) first = performance.now();
    last = performance.now();
  });
  await runPeer('dgram', s.address().port);
  await new Promise((r) => setTimeout(r, 100));
  s.close();
  return rate('raw node:dgram datagrams received per second (100 B, other process)', n, last - first);
}

async function sctpRate(): Promise<BenchResult> {
  const ep = await SctpUdpEndpoint.open({ address: '127.1.0.91', udpPort: 0, timers: { rtoMinMs: 50, rtoInitialMs: 100, sackDelayMs: 5 } });
  let n = 0, first = 0, last = 0;
  ep.on('association', (a) =>
    a.on('message', () => {
      if (n++ === 0) first = performance.now();
      last = performance.now();
    }),
  );
  await runPeer('sctp', ep.local.port);
  await ep.close();
  return rate('SCTP-over-UDP shim messages received per second (100 B, other process)', n, last - first);
}

async function pfcpRate(): Promise<BenchResult> {
  const upf = await PfcpEndpoint.open({ address: '127.1.0.93', port: 0, recoveryTimeStamp: 1 });
  const smf = await PfcpEndpoint.open({ address: '127.1.0.94', port: 0, recoveryTimeStamp: 2 });
  const rsp = (seq: number) => P.encodePfcp(P.sessionDeletionResponse(seq, 1n, 1));
  upf.onRequest(async ({ header }) => ({ response: rsp(header.sequenceNumber) }));
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  const worker = async () => {
    while (performance.now() < end) {
      await smf.request(upf.local, (seq) => P.encodePfcp(P.sessionDeletionRequest(seq, 1n)));
      n++;
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  const ms = performance.now() - t0;
  await Promise.all([upf.close(), smf.close()]);
  return rate('PFCP Session Deletion request/response round trips per second (64 in flight)', n, ms);
}

async function http2Rate(): Promise<BenchResult> {
  const server = await SbiServer.listen({ address: '127.1.0.95', port: 0, nfType: 'PCF', routes: [{ method: 'POST', path: '/npcf-smpolicycontrol/v1/sm-policies', operation: 'Create', handler: () => ({ status: 201, headers: { location: 'x' }, body: { ok: true } }) }] });
  const client = new Http2SbiClient({ userAgent: 'SMF' });
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  const body = { supi: 'imsi-001010000000001', pduSessionId: 1, dnn: 'internet', sliceInfo: { sst: 1 }, notificationUri: 'http://127.1.0.4/cb' };
  const worker = async () => {
    while (performance.now() < end) {
      await client.call('POST', `${server.uri}/npcf-smpolicycontrol/v1/sm-policies`, body);
      n++;
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  const ms = performance.now() - t0;
  await client.close();
  await server.close();
  return rate('HTTP/2 SBI JSON POST requests per second (32 in flight)', n, ms);
}

const results = [await dgramRate(), await sctpRate(), await pfcpRate(), await http2Rate()];
writeReport('transport', results, {
  ratios: [['SCTP shim throughput cost vs raw dgram (ns per message ratio)', results[1].name, results[0].name]],
  notes: { reference: { 'node:dgram receive rate on one core (datagrams/s)': 300_000 }, secondsPerMeasurement: SECONDS },
});
