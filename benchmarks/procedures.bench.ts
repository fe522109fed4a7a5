// Registrations plus PDU Session Establishments per second (issue: network functions, "Benchmark"):
// every NF in this process over loopback sockets, no capture; N UEs each run Initial Registration
// (TS 23.502 4.2.2.2.2) then PDU Session Establishment (4.3.2.2.1); the UEs are switched off
// between samples (not timed). Reported per UE, and as a ratio to one SBI request/response over
// HTTP/2 on loopback measured in the same run (the unit every procedure step is made of).
// Reference: free5GC reports about 7.5 to 25 registrations per second for 3000 UEs.

import { Bench } from 'tinybench';
import { completedResults, writeReport, type BenchResult } from './lib.ts';
import { startCore } from '../nodes/core.ts';
import { Gnb } from '../nodes/gnb/gnb.ts';
import { Ue } from '../nodes/ue/ue.ts';
import { DEFAULT_CONFIG, DEFAULT_SUBSCRIBER } from '../nodes/common/config.ts';
import { Http2SbiClient } from '../transport/sbi/client.ts';

const cfg = structuredClone(DEFAULT_CONFIG);
const a = (n: number) => `127.0.8.${n}`;
cfg.addresses = { amf: a(5), smf: a(4), upf: a(7), ausf: a(11), udm: a(12), pcf: a(13), udr: a(20), gnb: a(100) };
const SIZES = [1, 100, 1000];
/** UEs in flight at once (all of them by default; WIRE5G_BENCH_WINDOW lowers it). */
const WINDOW = Number(process.env.WIRE5G_BENCH_WINDOW ?? 1000);
const supi = (i: number) => `imsi-00101${String(1_000_000_000 + i).slice(1)}`;
const subscribers = Array.from({ length: Math.max(...SIZES) }, (_, i) => ({ ...DEFAULT_SUBSCRIBER, supi: supi(i) }));

const core = await startCore({ ...cfg, subscribers }, { database: ':memory:' });
const gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: 1, name: 'bench-gnb' });
const sbi = new Http2SbiClient({ userAgent: 'bench', localAddress: a(200) });
const udrProbe = `http://${cfg.addresses.udr}:${cfg.ports.sbi}/nudr-dr/v1/policy-data/ues/${supi(0)}/am-data`;

let ues: Ue[] = [];
function newUes(n: number): Ue[] {
  return Array.from({ length: n }, (_, i) => new Ue({ supi: supi(i), k: DEFAULT_SUBSCRIBER.k, opc: DEFAULT_SUBSCRIBER.opc, amf: DEFAULT_SUBSCRIBER.amf, sqn: 'ffffff000000', plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930101' }));
}

async function inWindow(list: Ue[], run: (ue: Ue) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(WINDOW, list.length) }, async () => {
    while (next < list.length) await run(list[next++]);
  }));
}

async function switchOffAll(): Promise<void> {
  await inWindow(ues, async (ue) => void (await ue.deregister({ switchOff: true }).catch(() => undefined)));
  for (let i = 0; i < 200 && core.amf.ledger.snapshot()['UE contexts'] + gnb.ledger.snapshot()['UE contexts'] > 0; i++) await new Promise((r) => setTimeout(r, 10));
  await core.settled();
  ues = [];
}

const bench = new Bench({ time: 0, iterations: 5, warmupIterations: 1 });
bench.add('baseline: one SBI request/response (HTTP/2, loopback, UDR query)', async () => {
  const r = await sbi.call('GET', udrProbe);
  if (r.status !== 200) throw new Error(`probe answered ${r.status}`);
}, {});
for (const n of SIZES) {
  bench.add(`registration + PDU session, ${n} UE${n > 1 ? 's' : ''} (${Math.min(n, WINDOW)} in flight)`, async () => {
    await inWindow(ues, async (ue) => {
      await ue.register(gnb);
      await ue.establishPduSession(1);
    });
  }, { beforeEach: () => void (ues = newUes(n)), afterEach: switchOffAll });
}
await bench.run();

const perUe = (name: string) => Number(/(\d+) UEs? \(/.exec(name)?.[1] ?? 1);
const results: BenchResult[] = completedResults('procedures', bench, perUe).map((r) => (/UEs? \(/.test(r.name) ? { ...r, name: `${r.name}, per UE` } : r));
const baseline = results.find((r) => r.name.startsWith('baseline'))?.name ?? '';
writeReport('procedures', results, {
  ratios: results.filter((r) => r.name !== baseline).map((x) => [`${x.name} vs one SBI round trip`, x.name, baseline] as [string, string, string]),
  notes: {
    unit: 'opsPerSec of the UE rows = registrations + PDU session establishments completed per second',
    window: WINDOW,
    reference: { 'free5GC registrations per second (3000 UEs)': [7.5, 25] },
    sbiRequestsPerUe: 'about 30 SBI requests, 14 NGAP and 10 NAS messages, 4 PFCP messages per UE',
  },
});
await gnb.stop();
await sbi.close();
await core.stop();
