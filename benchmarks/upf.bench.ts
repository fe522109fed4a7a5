// UPF teardown hot path (issue: UE-initiated deregistration). In-memory N3 uplink path (parse +
// TEID lookup + FAR + count) with 1k, 100k and 1M sessions, each reported as a ratio to a
// baseline measured in the same run that only reads the TEID and indexes a typed array; the drop
// path after teardown; and session deletion time per session at each table size (the target is
// the same per-session cost at every size). On this kind of machine a socket costs about 3 us
// per packet, so the in-memory path must stay far below that.

import { runSuite, writeReport, consume, type BenchResult } from './lib.ts';
import { UpfDatapath } from '../nodes/upf/datapath.ts';
import { multiPdrSession } from '../test/helpers/upf-rules.ts';
import { encodeGtpu, gPdu } from '../codecs/gtpu/index.ts';
import { udpPacket } from '../transport/capture/synth.ts';
import { Rng } from '../test/helpers/fuzz.ts';
import { Upf } from '../nodes/upf/upf.ts';
import { SmfN4 } from '../nodes/smf/n4.ts';
import { PfcpEndpoint } from '../transport/udp/pfcp-endpoint.ts';
import { encodePfcp, heartbeatRequest } from '../codecs/pfcp/index.ts';

const SIZES = [1_000, 100_000, 1_000_000];
const BATCH = 4096;
const peer = { address: '127.0.0.100', port: 2152 };
const payload = udpPacket({ address: '10.45.0.2', port: 40000 }, { address: '10.45.255.254', port: 7 }, new Uint8Array(64));

function build(n: number) {
  let forwarded = 0;
  const dp = new UpfDatapath({ capacity: n }, { toN6: () => void forwarded++, toN3: () => {}, errorIndication: () => {} });
  const teids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    teids[i] = dp.establish(multiPdrSession(0x0a000000 + i + 1, 1)).created[0].teid;
  }
  const rng = new Rng(n);
  const packets = Array.from({ length: BATCH }, () => encodeGtpu(gPdu(teids[rng.int(n)], payload, { pduType: 1, qfi: 9 })));
  return { dp, teids, packets, forwarded: () => forwarded };
}

const results: BenchResult[] = [];
const ratios: [string, string, string][] = [];
for (const n of SIZES) {
  const t0 = performance.now();
  const { dp, packets } = build(n);
  const setupMs = performance.now() - t0;
  const index = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) index[i] = i;
  const r = await runSuite(`upf-${n}`, [
    {
      name: `baseline: read TEID + index typed array (${n} sessions, ${BATCH} packets/op)`,
      fn: () => {
        let acc = 0;
        for (let k = 0; k < BATCH; k++) {
          const b = packets[k];
          const teid = ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0;
          acc += index[teid];
        }
        consume(acc);
      },
    },
    {
      name: `N3 uplink: parse + lookup + FAR + count (${n} sessions, ${BATCH} packets/op)`,
      fn: () => {
        for (let k = 0; k < BATCH; k++) {
          const b = packets[k];
          dp.uplink(b, 0, b.length, peer);
        }
      },
    },
  ], { time: 400, warmupTime: 100 });
  results.push(...r.results);
  ratios.push([`uplink path vs baseline at ${n} sessions`, r.results[1].name, r.results[0].name]);
  console.log(`  (setup of ${n} sessions: ${setupMs.toFixed(0)} ms)`);

  // Session deletion: delete every session, time per session.
  const d0 = performance.now();
  for (let i = 1; i <= n; i++) dp.delete(BigInt(i));
  const perSessionNs = ((performance.now() - d0) * 1e6) / n;
  results.push({ name: `session deletion per session (${n} sessions)`, nsPerOp: perSessionNs, opsPerSec: 1e9 / perSessionNs, samples: n, rme: 0 });

  // After teardown every packet hits a freed TEID: the drop path (Error Indications rate-limited).
  const dr = await runSuite(`upf-${n}-drop`, [
    {
      name: `drop after teardown (${n} freed TEIDs, ${BATCH} packets/op)`,
      fn: () => {
        for (let k = 0; k < BATCH; k++) {
          const b = packets[k];
          dp.uplink(b, 0, b.length, peer);
        }
      },
    },
  ], { time: 300, warmupTime: 50 });
  results.push(...dr.results);
  ratios.push([`drop path vs uplink path at ${n} sessions`, dr.results[0].name, r.results[1].name]);
}

// PFCP Session Deletions per second over loopback (TS 23.502 4.2.2.3.2 steps 3a/3b): the SMF's
// PFCP endpoint against the UPF node on real UDP sockets, 64 requests in flight, each answered
// with its final Usage Report; compared with PFCP Heartbeat round trips measured the same way.
async function pfcpOverLoopback(): Promise<void> {
  const upf = await Upf.start({ address: '127.0.8.57', pfcpPort: 8805, gtpuPort: 2152, capacity: 1 << 16 });
  const smf = await PfcpEndpoint.open({ address: '127.0.8.54', recoveryTimeStamp: 1 });
  const n4 = new SmfN4({ endpoint: smf, upf: upf.pfcpEndpoint, smfAddress: '127.0.8.54', recoveryTimeStamp: 1 });
  await n4.associate();
  const N = 20_000, WINDOW = 64;
  const windowed = async (count: number, op: (i: number) => Promise<unknown>) => {
    let next = 0;
    await Promise.all(Array.from({ length: WINDOW }, async () => {
      while (next < count) await op(next++);
    }));
  };
  const h0 = performance.now();
  await windowed(N, () => smf.request(upf.pfcpEndpoint, (seq) => encodePfcp(heartbeatRequest(seq, 1)), 'Heartbeat'));
  const heartbeatNs = ((performance.now() - h0) * 1e6) / N;
  const seids: bigint[] = [];
  await windowed(N, async (i) => {
    const s = await n4.establish({ cpSeid: BigInt(i + 1), ueAddress: `10.46.${(i >> 8) & 255}.${i & 255}`, qfi: 9, dnn: 'internet', step: 'bench' });
    seids.push(s.upSeid);
  });
  let reports = 0;
  const d0 = performance.now();
  await windowed(N, async (i) => {
    if (await n4.delete(seids[i], 'bench')) reports++;
  });
  const deletionNs = ((performance.now() - d0) * 1e6) / N;
  if (reports !== N) throw new Error(`only ${reports} of ${N} deletions carried a usage report`);
  results.push({ name: `baseline: PFCP Heartbeat request/response over loopback (${WINDOW} in flight)`, nsPerOp: heartbeatNs, opsPerSec: 1e9 / heartbeatNs, samples: N, rme: 0 });
  results.push({ name: `PFCP Session Deletion request/response with usage report over loopback (${WINDOW} in flight)`, nsPerOp: deletionNs, opsPerSec: 1e9 / deletionNs, samples: N, rme: 0 });
  ratios.push(['PFCP session deletion vs heartbeat round trip', results.at(-1)!.name, results.at(-2)!.name]);
  await smf.close();
  await upf.stop();
}
await pfcpOverLoopback();

const perPacket = results.filter((r) => r.name.includes('packets/op')).map((r) => ({ name: r.name, nsPerPacket: r.nsPerOp / BATCH, packetsPerSec: (r.opsPerSec * BATCH) }));
writeReport('upf', results, {
  ratios,
  notes: {
    perPacket,
    deletionCostFlatness: 'compare "session deletion per session" across sizes: the same cost at every size is the target',
    reference: { 'socket cost per packet (us)': 3, 'baseline loop on this kind of machine (Mpps)': '20-50' },
  },
});
