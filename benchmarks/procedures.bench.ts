// Procedures per second (issue 21): every NF in this process over loopback sockets, no capture
// except in the capture-on row.
//  - tinybench rows: N UEs each run Initial Registration (TS 23.502 4.2.2.2.2) then PDU Session
//    Establishment (4.3.2.2.1), at most WINDOW in flight; the UEs are switched off between samples
//    (not timed). Reported per UE.
//  - the capture-on row (WIRE5G_BENCH_CAPTURE_UES, default 1000, 0 skips it): the same as the
//    capture-off row of that size, against a second network (127.1.10.x) whose NFs and gNB write
//    every packet to a pcapng file (transport/capture), as `wire5g run` does; the file is deleted
//    after. Goal 3 of issue 21 asks at least 300/s with capture on; the ratio on / off is reported.
//  - burst rows (WIRE5G_BENCH_BURSTS, default 100,1000,10000): all N UEs start at once (the gNB's
//    admission queue paces them, nodes/gnb/admission.ts), then all N switch off at once
//    (4.2.2.3.2) and the time until the network is quiet is measured; each burst reports its
//    failures, the ledgers left behind (must be none), the SBI time-outs and the memory per UE.
//  - the core NFs on K worker threads of this process (WIRE5G_BENCH_THREADS, default 1,2: a row
//    per K, 0 or empty skips them; procedures-threads.ts, nodes/core-threads), the gNB and UEs on
//    the main thread, as `wire5g run --threads K`: the same UEs (WIRE5G_BENCH_THREAD_UES, default
//    1000; a size of SIZES is measured beside it) and window as the one-thread row, on a network of
//    its own (127.1.(11+K).x); its ledgers come back from the threads at the stop and must be back.
//  - two layouts in other processes (WIRE5G_BENCH_MP_UES UEs, default 1000, 0 skips both;
//    procedures-multiprocess.ts): one process per core NF (goal 5), and every core NF in one
//    process (`wire5g start core`) with the gNB and UEs, the load, here (goal 3: the core on a core
//    of its own, as a core under test sits beside its RAN simulator); each with its CPU per UE.
// Every figure is also given as a ratio to one SBI request/response over HTTP/2 on loopback
// measured in the same run (the unit every procedure step is made of): the machine is shared, so
// only same-run ratios compare from one run to the next. Nothing here asserts a speed.
// Reference: free5GC reports about 7.5 to 25 registrations per second for 3000 UEs.

import { Bench } from 'tinybench';
import { completedResults, failTask, writeReport, type BenchResult } from './lib.ts';
import { startCore, CORE_NFS } from '../nodes/core.ts';
import { availableParallelism } from 'node:os';
import { Gnb } from '../nodes/gnb/gnb.ts';
import { Ue } from '../nodes/ue/ue.ts';
import { DEFAULT_CONFIG, DEFAULT_SUBSCRIBER } from '../nodes/common/config.ts';
import { ledgerDiff, type LedgerSnapshot } from '../nodes/common/ledger.ts';
import { Http2SbiClient } from '../transport/sbi/client.ts';
import { measureMultiProcess, type MultiProcessFigures } from './procedures-multiprocess.ts';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Capture } from '../transport/capture/capture.ts';
import { startThreadedNetwork, type ThreadedNetwork } from './procedures-threads.ts';
import type { WireTap } from '../transport/tap.ts';

const cfg = structuredClone(DEFAULT_CONFIG);
// The gNB's RRC set-ups per second (gnb.admission.setupsPerSecond, default 10,000): lower it to see
// a paced cell, e.g. 1000, the default until 2026-12-07, which capped every row at 1,000/s
// (docs/decisions/21-admission-rate.md).
if (process.env.WIRE5G_BENCH_SETUPS_PER_SECOND !== undefined) {
  const rate = Number(process.env.WIRE5G_BENCH_SETUPS_PER_SECOND);
  if (!Number.isInteger(rate) || rate < 1) {
    console.error(`WIRE5G_BENCH_SETUPS_PER_SECOND must be a whole number of set-ups per second, at least 1; got '${process.env.WIRE5G_BENCH_SETUPS_PER_SECOND}'`);
    process.exit(2);
  }
  cfg.gnb.admission.setupsPerSecond = rate;
}
const addressesOn = (prefix: string): typeof cfg.addresses => {
  const a = (n: number) => `${prefix}.${n}`;
  return { amf: a(5), smf: a(4), upf: a(7), ausf: a(11), udm: a(12), pcf: a(13), udr: a(20), gnb: a(100), bsf: a(15), chf: a(16), nwdaf: a(17), af: a(18), nrf: a(10), nssf: a(35) };
};
cfg.addresses = addressesOn('127.1.8');
const a = (n: number) => `127.1.8.${n}`;
const SIZES = (process.env.WIRE5G_BENCH_SIZES ?? '1,100,1000').split(',').filter(Boolean).map(Number);
/** UEs of the capture-on row; the capture-off row of the same size is measured too, for the ratio. */
const CAPTURE_UES = Number(process.env.WIRE5G_BENCH_CAPTURE_UES ?? 1000);
if (CAPTURE_UES > 0 && !SIZES.includes(CAPTURE_UES)) SIZES.push(CAPTURE_UES);
/** Worker threads of the threaded rows' core, one row per count; and their UE counts (each measured with one thread too). */
const THREADS = (process.env.WIRE5G_BENCH_THREADS ?? '1,2').split(',').filter(Boolean).map(Number).filter((k) => k > 0);
const THREAD_UES = THREADS.length ? (process.env.WIRE5G_BENCH_THREAD_UES ?? '1000').split(',').filter(Boolean).map(Number).filter((n) => n > 0) : [];
for (const n of THREAD_UES) if (!SIZES.includes(n)) SIZES.push(n);
const CORE_NFS_COUNT = CORE_NFS.length;
const BURSTS = (process.env.WIRE5G_BENCH_BURSTS ?? '100,1000,10000').split(',').filter(Boolean).map(Number);
/** UEs in flight at once in the tinybench rows (all of them by default; WIRE5G_BENCH_WINDOW lowers it). */
const WINDOW = Number(process.env.WIRE5G_BENCH_WINDOW ?? 1000);
const supi = (i: number) => `imsi-00101${String(1_000_000_000 + i).slice(1)}`;
const subscribers = Array.from({ length: Math.max(1, ...SIZES, ...BURSTS) }, (_, i) => ({ ...DEFAULT_SUBSCRIBER, supi: supi(i) }));

interface Network { core: Awaited<ReturnType<typeof startCore>>; gnb: Gnb }
async function startNetwork(addresses: typeof cfg.addresses, n: number, tap?: WireTap): Promise<Network> {
  const core = await startCore({ ...cfg, addresses, subscribers: subscribers.slice(0, n) }, { database: ':memory:', sbiTimeoutMs: 15_000, ...(tap ? { tap } : {}) });
  const gnb = await Gnb.start({ address: addresses.gnb, amfAddress: addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: 1, name: 'bench-gnb', admission: cfg.gnb.admission, ...(tap ? { tap } : {}) });
  return { core, gnb };
}
const net = await startNetwork(cfg.addresses, subscribers.length);
const { core, gnb } = net;
const sbi = new Http2SbiClient({ userAgent: 'bench', localAddress: a(200) });
const udrProbe = `http://${cfg.addresses.udr}:${cfg.ports.sbi}/nudr-dr/v1/policy-data/ues/${supi(0)}/am-data`;
const ledgers = (): Record<string, LedgerSnapshot> => ({ ...core.ledgers(), gNB: gnb.ledger.snapshot() });
const sbiTimeouts = () => [...core.nfs.values()].reduce((n, h) => n + (h.sbi?.http.stats.timeouts ?? 0), 0);

let ues: Ue[] = [];
function newUes(n: number): Ue[] {
  return Array.from({ length: n }, (_, i) => new Ue({ supi: supi(i), k: DEFAULT_SUBSCRIBER.k, opc: DEFAULT_SUBSCRIBER.opc, amf: DEFAULT_SUBSCRIBER.amf, sqn: 'ffffff000000', plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930101' }));
}

async function inWindow(list: Ue[], width: number, run: (ue: Ue) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, list.length) }, async () => {
    while (next < list.length) await run(list[next++]);
  }));
}

/** Until the AMF and the gNB hold no UE context and every NF is settled (what a switch off leaves to the network). */
async function networkQuiet(n: Network = net): Promise<void> {
  while (n.core.amf.ledger.read('UE contexts')! + n.gnb.ledger.read('UE contexts')! > 0) await new Promise((r) => setTimeout(r, 5));
  await n.core.settled();
}

async function switchOffAll(n: Network = net): Promise<void> {
  await Promise.all(ues.map((ue) => ue.deregister({ switchOff: true }).catch(() => undefined)));
  await networkQuiet(n);
  ues = [];
}

/** The capture-on row's network, started at its first sample (not timed) and stopped after the rows. */
let captured: (Network & { capture: Capture; dir: string; file: string }) | undefined;
async function capturedNetwork(): Promise<Network> {
  if (captured) return captured;
  const dir = mkdtempSync(join(tmpdir(), 'wire5g-bench-capture-'));
  const file = join(dir, 'bench.pcapng');
  const capture = Capture.toFile(file);
  // the same subscribers as the capture-off network (whose UDR holds those of every row and
  // burst): the two rows compared read the same tables
  captured = { ...(await startNetwork(addressesOn('127.1.10'), subscribers.length, capture)), capture, dir, file };
  return captured;
}
let captureFigures: Record<string, number> | undefined;
async function stopCapturedNetwork(): Promise<void> {
  if (!captured) return;
  const c = captured;
  captured = undefined;
  await c.gnb.stop();
  await c.core.stop();
  c.capture.close();
  captureFigures = { fileBytes: statSync(c.file).size, packets: c.capture.packets, duplicatesSkipped: c.capture.duplicatesSkipped };
  rmSync(c.dir, { recursive: true, force: true });
}
const captureRow = `registration + PDU session, capture on, ${CAPTURE_UES} UE${CAPTURE_UES > 1 ? 's' : ''} (${Math.min(CAPTURE_UES, WINDOW)} in flight)`;

const bench = new Bench({ time: 0, iterations: 5, warmupIterations: 1 });
bench.add('baseline: one SBI request/response (HTTP/2, loopback, UDR query)', async () => {
  const r = await sbi.call('GET', udrProbe);
  if (r.status !== 200) throw new Error(`probe answered ${r.status}`);
}, {});
/**
 * The process's CPU time (user + system, every thread: the GC's helpers too) per UE of each UE row,
 * over its samples and warm-up: on a shared machine the wall time of a row moves with the load far
 * more than its CPU time does, so a small cost such as the capture's shows in the CPU first.
 */
const cpuPerUe = new Map<string, { us: number; ues: number }>();
function cpuTimed(row: string, n: number, fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    const c0 = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(c0);
    const e = cpuPerUe.get(row) ?? { us: 0, ues: 0 };
    e.us += d.user + d.system;
    e.ues += n;
    cpuPerUe.set(row, e);
  };
}
const cpuMsPerUe = (row: string) => {
  const e = cpuPerUe.get(row);
  return e && e.ues ? e.us / 1000 / e.ues : undefined;
};
const offRow = (n: number) => `registration + PDU session, ${n} UE${n > 1 ? 's' : ''} (${Math.min(n, WINDOW)} in flight)`;
for (const n of SIZES) {
  bench.add(offRow(n), cpuTimed(offRow(n), n, async () => {
    await inWindow(ues, WINDOW, async (ue) => {
      await ue.register(gnb);
      await ue.establishPduSession(1);
    });
  }), { beforeEach: () => void (ues = newUes(n)), afterEach: () => switchOffAll() });
}
if (CAPTURE_UES > 0) {
  let cn: Network | undefined;
  bench.add(captureRow, cpuTimed(captureRow, CAPTURE_UES, async () => {
    await inWindow(ues, WINDOW, async (ue) => {
      await ue.register(cn!.gnb);
      await ue.establishPduSession(1);
    });
  }), {
    beforeEach: async () => {
      cn = await capturedNetwork();
      ues = newUes(CAPTURE_UES);
    },
    afterEach: () => switchOffAll(cn),
  });
}
// the threaded rows: each K's network started at its first sample, stopped after the rows
const threaded = new Map<number, ThreadedNetwork>();
const threadRow = (k: number, n: number) => `registration + PDU session, core NFs on ${k} worker thread${k > 1 ? 's' : ''}, gNB and UEs on the main thread, ${n} UE${n > 1 ? 's' : ''} (${Math.min(n, WINDOW)} in flight)`;
const threadLeftBehind: Record<string, Record<string, unknown>> = {};
const threadLayouts: Record<string, string> = {};
for (const k of THREADS) {
  for (const n of THREAD_UES) {
    let tn: ThreadedNetwork | undefined;
    bench.add(threadRow(k, n), cpuTimed(threadRow(k, n), n, async () => {
      const before = threadsUtilization(tn!);
      await inWindow(ues, WINDOW, async (ue) => {
        await ue.register(tn!.gnb);
        await ue.establishPduSession(1);
      });
      addUtilization(threadRow(k, n), before, threadsUtilization(tn!));
    }), {
      beforeEach: async () => {
        tn = threaded.get(k);
        if (!tn) {
          threaded.set(k, (tn = await startThreadedNetwork({ ...cfg, addresses: addressesOn(`127.1.${11 + k}`), subscribers: subscribers.slice(0, Math.max(...THREAD_UES)) }, k)));
          threadLayouts[k] = tn.core.layout;
        }
        ues = newUes(n);
      },
      afterEach: async () => {
        await Promise.all(ues.map((ue) => ue.deregister({ switchOff: true }).catch(() => undefined)));
        await tn!.quiet();
        ues = [];
      },
    });
  }
}
/** The event loop utilization of the main thread and of each core thread: which thread is the wall. */
const threadsUtilization = (tn: ThreadedNetwork) => new Map([['main (gNB, UEs)', performance.eventLoopUtilization()], ...tn.core.eventLoopUtilization()]);
const utilization = new Map<string, Map<string, { active: number; idle: number }>>();
function addUtilization(row: string, before: ReturnType<typeof threadsUtilization>, after: ReturnType<typeof threadsUtilization>): void {
  const byThread = utilization.get(row) ?? new Map<string, { active: number; idle: number }>();
  utilization.set(row, byThread);
  for (const [name, a] of after) {
    const b = before.get(name)!;
    const u = byThread.get(name) ?? { active: 0, idle: 0 };
    u.active += a.active - b.active;
    u.idle += a.idle - b.idle;
    byThread.set(name, u);
  }
}
const utilizationOf = (row: string) => Object.fromEntries([...(utilization.get(row) ?? [])].map(([name, u]) => [name, Number((u.active / (u.active + u.idle)).toFixed(3))]));
async function stopThreadedNetworks(): Promise<void> {
  for (const [k, tn] of threaded) {
    threaded.delete(k);
    const left = await tn.stop();
    if (Object.keys(left).length) threadLeftBehind[`${k} threads`] = left;
  }
}
// the capture-on row is compared with the capture-off row run before it: the code both run is
// made warm first (untimed, one round of their UEs through each network), so that the one run
// second is not the cheaper for coming after the JIT's work (seen: 20-30% less CPU per UE at 100 UEs)
async function warmUp(n: Network): Promise<void> {
  ues = newUes(CAPTURE_UES);
  await inWindow(ues, WINDOW, async (ue) => {
    await ue.register(n.gnb);
    await ue.establishPduSession(1);
  });
  await switchOffAll(n);
}
try {
  if (CAPTURE_UES > 0) {
    await warmUp(net);
    await warmUp(await capturedNetwork());
  }
  await bench.run();
} finally {
  await stopCapturedNetwork();
  await stopThreadedNetworks();
}
for (const row of cpuPerUe.keys()) console.log(`  CPU per UE (user + system, every thread): ${cpuMsPerUe(row)!.toFixed(2)} ms  ${row}`);

const perUe = (name: string) => Number(/(\d+) UEs? \(/.exec(name)?.[1] ?? 1);
const results: BenchResult[] = completedResults('procedures', bench, perUe).map((r) => (/UEs? \(/.test(r.name) ? { ...r, name: `${r.name}, per UE` } : r));
// a threaded row whose network left something behind is no figure
for (const k of THREADS) {
  const left = threadLeftBehind[`${k} threads`];
  if (!left) continue;
  for (const n of THREAD_UES) {
    const i = results.findIndex((r) => r.name.startsWith(threadRow(k, n)));
    if (i >= 0) results.splice(i, 1);
    failTask('procedures', threadRow(k, n), new Error(`ledgers not back at the stop: ${JSON.stringify(left)}`));
  }
}
for (const k of THREADS) if (threadLayouts[k]) console.log(`  core on ${k} worker thread${k > 1 ? 's' : ''}: ${threadLayouts[k]}; ledgers ${threadLeftBehind[`${k} threads`] ? 'NOT back' : 'back'} at the stop`);
for (const row of utilization.keys()) console.log(`  event loop utilization: ${Object.entries(utilizationOf(row)).map(([t, u]) => `${t} ${u}`).join(', ')}  ${row}`);

// --- bursts: every UE in flight at once -----------------------------------------------------------
const bursts: Record<string, unknown>[] = [];
const row = (name: string, ms: number, n: number): BenchResult => ({ name, nsPerOp: (ms * 1e6) / n, opsPerSec: (n * 1000) / ms, samples: 1, rme: null });
for (const n of BURSTS) {
  const name = `burst of ${n}`;
  try {
    global.gc?.();
    const start = ledgers();
    const memBefore = process.memoryUsage();
    const timeoutsBefore = sbiTimeouts();
    ues = newUes(n);
    const failures = new Map<string, number>();
    const fail = (e: unknown) => {
      const m = (e instanceof Error ? e.message : String(e)).replace(/\d+/g, '#');
      failures.set(m, (failures.get(m) ?? 0) + 1);
    };
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
    const t0 = performance.now();
    await Promise.all(ues.map(async (ue) => {
      try {
        await ue.register(gnb);
        await ue.establishPduSession(1);
      } catch (e) {
        fail(e);
      }
    }));
    const registered = performance.now() - t0;
    global.gc?.();
    const memUp = process.memoryUsage();
    const t1 = performance.now();
    await Promise.all(ues.map((ue) => ue.deregister({ switchOff: true }).catch(fail)));
    await networkQuiet();
    const deregistered = performance.now() - t1;
    clearInterval(sampler);
    ues = [];
    const end = ledgers();
    const left = Object.fromEntries(Object.keys(start).map((nf) => [nf, ledgerDiff(start[nf], end[nf] ?? {})]).filter(([, d]) => Object.keys(d as object).length));
    const failed = [...failures.values()].reduce((x, y) => x + y, 0);
    bursts.push({
      ues: n, failed, failures: Object.fromEntries(failures), leftBehind: left, sbiTimeouts: sbiTimeouts() - timeoutsBefore,
      registrationAndPduSessionSeconds: registered / 1000, deregistrationSeconds: deregistered / 1000,
      admission: { ...gnb.admission.cfg, ...gnb.admission.stats, limitAtEnd: gnb.admission.limit }, // stats counted since the gNB started (every burst so far)
      memory: { rssPeakMiB: peakRss / 2 ** 20, heapUsedPerRegisteredUeBytes: Math.round((memUp.heapUsed - memBefore.heapUsed) / n), rssPerRegisteredUeBytes: Math.round((memUp.rss - memBefore.rss) / n), gcExposed: typeof global.gc === 'function' },
    });
    if (failed || Object.keys(left).length) failTask('procedures', name, new Error(`${failed} failed procedures, left behind: ${JSON.stringify(left)}`));
    else {
      results.push(row(`${name}: registration + PDU session, all in flight, per UE`, registered, n));
      results.push(row(`${name}: deregistration (switch off) until the network is quiet, per UE`, deregistered, n));
    }
    console.log(`  ${name}: ${failed} failed, registration + PDU session ${(registered / 1000).toFixed(1)} s (${((n * 1000) / registered).toFixed(0)}/s), deregistration ${(deregistered / 1000).toFixed(1)} s (${((n * 1000) / deregistered).toFixed(0)}/s), ledgers ${Object.keys(left).length ? 'NOT back' : 'back'}`);
  } catch (e) {
    failTask('procedures', name, e);
  }
}

// --- one process per NF (issue 21 goal 5), and the core in one process with the gNB and UEs in this
// one (goal 3: the core under load from a RAN simulator of its own), beside the one-process row ---
const MP_UES = Number(process.env.WIRE5G_BENCH_MP_UES ?? 1000);
let multiProcess: MultiProcessFigures | undefined;
let coreProcess: MultiProcessFigures | undefined;
async function measureLayout(layout: 'per-nf' | 'core', name: string): Promise<MultiProcessFigures | undefined> {
  try {
    const f = await measureMultiProcess({ ues: MP_UES, window: WINDOW, layout, bin: fileURLToPath(new URL('../bin/wire5g.js', import.meta.url)) });
    if (f.failed || Object.keys(f.leftBehind).length) failTask('procedures', name, new Error(`${f.failed} failed procedures, left behind: ${JSON.stringify(f.leftBehind)}`));
    else {
      results.push(row(`${name}: registration + PDU session, per UE`, f.registrationAndPduSessionMs, MP_UES));
      results.push(row(`${name}: deregistration (switch off) until the gNB is quiet, per UE`, f.deregistrationMs, MP_UES));
    }
    const cpu = f.cpuMsPerUe ? `; CPU per UE: core ${f.cpuMsPerUe.core.toFixed(2)} ms, gNB and UEs ${f.cpuMsPerUe.gnbAndUes.toFixed(2)} ms` : '';
    console.log(`  ${name}: ${f.failed} failed, registration + PDU session ${(f.registrationAndPduSessionMs / 1000).toFixed(1)} s (${((MP_UES * 1000) / f.registrationAndPduSessionMs).toFixed(0)}/s), deregistration ${(f.deregistrationMs / 1000).toFixed(1)} s, ledgers ${Object.keys(f.leftBehind).length ? 'NOT back' : 'back'}${cpu}`);
    return f;
  } catch (e) {
    failTask('procedures', name, e);
    return undefined;
  }
}
const PER_NF_NAME = `one process per NF (${CORE_NFS_COUNT} processes), ${MP_UES} UEs (${Math.min(MP_UES, WINDOW)} in flight)`;
const CORE_NAME = `core NFs in one process (wire5g start core), gNB and UEs in another, ${MP_UES} UEs (${Math.min(MP_UES, WINDOW)} in flight)`;
if (MP_UES > 0) {
  multiProcess = await measureLayout('per-nf', PER_NF_NAME);
  coreProcess = await measureLayout('core', CORE_NAME);
}

const baseline = results.find((r) => r.name.startsWith('baseline'))?.name ?? '';
writeReport('procedures', results, {
  ratios: [
    ...results.filter((r) => r.name !== baseline).map((x) => [`${x.name} vs one SBI round trip`, x.name, baseline] as [string, string, string]),
    ...multiProcessRatio(),
    ...captureRatio(),
    ...threadRatio(),
  ],
  notes: {
    unit: 'opsPerSec of the UE rows = procedures completed per second (registration + PDU session establishment, or deregistrations); burst rows are one sample each (samples 1, rme null)',
    window: WINDOW,
    // the gNB's RRC admission of every row (WIRE5G_BENCH_SETUPS_PER_SECOND sets its rate): a rate at or
    // under the rows' own figures means the rows measured the pacing (docs/decisions/21-admission-rate.md)
    gnbAdmission: cfg.gnb.admission,
    bursts,
    multiProcess,
    coreProcess,
    multiProcessMachine: `${availableParallelism()} cores: one process per NF can only be faster than one process when the NFs get cores of their own (docs/performance.md)`,
    machine: 'figures depend on the load of the machine (2 cores shared with other work when recorded): compare ratios from one run, not absolute figures across runs',
    reference: { 'free5GC registrations per second (3000 UEs)': [7.5, 25] },
    threads: THREADS.length ? { layouts: threadLayouts, eventLoopUtilization: Object.fromEntries([...utilization.keys()].map((row) => [row, utilizationOf(row)])), leftBehind: threadLeftBehind, entry: process.env.WIRE5G_BENCH_THREAD_ENTRY === 'bundle' ? 'bin/wire5g.js (bundle)' : 'tsx (the sources, as this process)', cpuThreadedVsOneThread: Object.fromEntries(THREADS.flatMap((k) => THREAD_UES.map((n) => [threadRow(k, n), cpuRatio(threadRow(k, n), offRow(n))]))) } : undefined,
    capture: captureFigures && { ...captureFigures, ues: CAPTURE_UES, samples: 'every sample of the row and its warm-up, plus the network start', file: 'a temporary pcapng, deleted after the row', cpuOnVsOff: cpuRatio(captureRow, offRow(CAPTURE_UES)) },
    cpuMsPerUe: Object.fromEntries([...cpuPerUe.keys()].map((row) => [row, cpuMsPerUe(row)])),
    sbiRequestsPerUe: 'about 30 SBI requests, 14 NGAP and 10 NAS messages, 4 PFCP messages per UE',
  },
});
/** The per-UE cost with one process per NF, and with the core in one process and the RAN in another, against all in one process; same UEs, same run. */
function multiProcessRatio(): [string, string, string][] {
  const single = results.find((r) => r.name.startsWith(`registration + PDU session, ${MP_UES} UE`));
  const out: [string, string, string][] = [];
  for (const [what, prefix] of [['one process per NF', PER_NF_NAME], ['core in one process, gNB and UEs in another', CORE_NAME]] as const) {
    const other = results.find((r) => r.name.startsWith(prefix) && r.name.includes('registration'));
    if (other && single) out.push([`registration + PDU session: ${what} vs all in one process (same UEs, same run)`, other.name, single.name]);
  }
  return out;
}

/** The core on K threads against every NF on the main thread: same UEs, same window, same run. */
function threadRatio(): [string, string, string][] {
  return THREADS.flatMap((k) => THREAD_UES.flatMap((n): [string, string, string][] => {
    const t = results.find((r) => r.name.startsWith(threadRow(k, n)));
    const one = results.find((r) => r.name.startsWith(`${offRow(n)}, per UE`));
    return t && one ? [[`registration + PDU session: core NFs on ${k} worker thread${k > 1 ? 's' : ''} vs all on one thread, ${n} UEs (same UEs, same run)`, t.name, one.name]] : [];
  }));
}

/** The CPU time per UE of one row against another's, same run. */
function cpuRatio(of: string, to: string): number | undefined {
  const a = cpuMsPerUe(of), b = cpuMsPerUe(to);
  return a !== undefined && b ? a / b : undefined;
}
/** The per-UE cost with capture on against capture off, same UE count, same run (goal 3: >= 300/s with capture on). */
function captureRatio(): [string, string, string][] {
  const on = results.find((r) => r.name.startsWith(captureRow));
  const off = results.find((r) => r.name.startsWith(offRow(CAPTURE_UES)));
  return on && off ? [['registration + PDU session: capture on vs capture off (same UEs, same run)', on.name, off.name]] : [];
}

await gnb.stop();
await sbi.close();
await core.stop();
