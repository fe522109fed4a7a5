// The SBI's HTTP/2 (issue 21 goal 3, docs/decisions/21-own-http2.md): one SBI request/response
// (a JSON POST answered 201 with a JSON body, as an SM policy creation) on node:http2 and on
// wire5g's own HTTP/2, server and client in this process over loopback, in one run:
//  - tinybench rows: a batch of 64 requests in flight on one connection, per request, for each
//    pair client -> server (own -> own, node -> node, and the two mixed pairs);
//  - CPU per round trip (process.cpuUsage, user + system, both ends) over the same batches, in
//    notes.cpuMicrosPerRoundTrip, and its ratio own/node.
// The machine is shared, so only the same-run ratios compare from one run to the next.
// Loopback addresses 127.1.0.x, apart from those the tests use (127.0.x.y), so a run beside the suite cannot collide.

import { Bench } from 'tinybench';
import { completedResults, writeReport } from './lib.ts';
import { SbiServer } from '../transport/sbi/server.ts';
import { Http2SbiClient } from '../transport/sbi/client.ts';
import type { Http2Implementation } from '../transport/sbi/http2-choice.ts';

const BATCH = 64;
const PAIRS: [Http2Implementation, Http2Implementation][] = [['node', 'node'], ['own', 'own'], ['own', 'node'], ['node', 'own']];
const body = { supi: 'imsi-001010000000001', pduSessionId: 1, dnn: 'internet', sliceInfo: { sst: 1 }, notificationUri: 'http://127.0.0.4:8080/npcf-smpolicycontrol/v1/notify', servingNetwork: { mcc: '001', mnc: '01' } };
const path = '/npcf-smpolicycontrol/v1/sm-policies';
const name = (c: Http2Implementation, s: Http2Implementation) => `SBI JSON POST -> 201, client ${c} -> server ${s}, ${BATCH} in flight, per request`;

const ends = await Promise.all(PAIRS.map(async ([c, s], i) => {
  const server = await SbiServer.listen({ address: `127.1.0.${96 + i}`, port: 0, nfType: 'PCF', http2: s, routes: [{ method: 'POST', path, operation: 'Npcf_SMPolicyControl_Create', handler: (r) => ({ status: 201, headers: { location: `${path}/1` }, body: { request: r.body, policyCtrlReqTriggers: ['PLMN_CH', 'RES_MO_RE'] } }) }] });
  const client = new Http2SbiClient({ userAgent: 'SMF', http2: c });
  return { c, s, server, client };
}));

async function batch(e: (typeof ends)[number]): Promise<void> {
  const rs = await Promise.all(Array.from({ length: BATCH }, () => e.client.call('POST', `${e.server.uri}${path}`, body)));
  if (rs.some((r) => r.status !== 201)) throw new Error('not 201');
}

const bench = new Bench({ time: 1500, warmupTime: 300 });
for (const e of ends) bench.add(name(e.c, e.s), () => batch(e));
await bench.run();
const results = completedResults('http2', bench, () => BATCH);

// CPU per round trip: interleaved rounds of batches, the best round of each pair
const cpu: Record<string, number> = {};
for (let round = 0; round < 5; round++) {
  for (const e of ends) {
    const before = process.cpuUsage();
    for (let i = 0; i < 20; i++) await batch(e);
    const d = process.cpuUsage(before);
    const us = (d.user + d.system) / (20 * BATCH);
    const key = `client ${e.c} -> server ${e.s}`;
    cpu[key] = Math.min(cpu[key] ?? Infinity, us);
  }
}
for (const e of ends) {
  await e.client.close();
  await e.server.close();
}
writeReport('http2', results, {
  ratios: [['own/node time per request (both ends own vs both node:http2)', name('own', 'own'), name('node', 'node')]],
  notes: {
    cpuMicrosPerRoundTrip: cpu,
    cpuRatioOwnToNode: cpu['client own -> server own'] / cpu['client node -> server node'],
    method: 'process.cpuUsage (user + system) over 20 batches of 64 requests, best of 5 interleaved rounds; client and server in this process',
  },
});
console.log(JSON.stringify(cpu), 'own/node CPU', (cpu['client own -> server own'] / cpu['client node -> server node']).toFixed(2));
