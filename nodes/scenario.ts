// The default scenario (`npm start`): every NF on its own loopback address, NG Setup, then for each
// UE: Initial Registration (TS 23.502 4.2.2.2.2), PDU Session Establishment (4.3.2.2.1), three
// pings through the user plane, and UE-initiated Deregistration (4.2.2.3.2; switch off by
// default). It writes out/run.pcapng, out/ladder.md and out/summary.json, and fails when a
// procedure failed or a ledger did not return to where it started.

import { gnbAmfPeers } from './gnb/amf-links.ts';
import { join } from 'node:path';
import { connect } from 'node:net';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { Capture } from '../transport/capture/capture.ts';
import type { WireTap } from '../transport/tap.ts';
import { HaltableClock } from '../transport/clock.ts';
import { RunRecorder } from './common/run-report.ts';
import { ledgerDiff, type LedgerSnapshot } from './common/ledger.ts';
import type { NetworkConfig, SubscriberConfig } from './common/config.ts';
import { startCore, type Core } from './core.ts';
import { Gnb } from './gnb/gnb.ts';
import { Ue } from './ue/ue.ts';
import { gnbSnpnOption } from './gnb/snpn.ts';
import { ThreadedCore, type CoreThreadEntry } from './core-threads/threaded-core.ts';
import { mergeThreadCaptures } from './core-threads/capture.ts';

export interface ScenarioOptions {
  outDir?: string;
  /** Ladder lines as they happen (the console for `npm start`). */
  print?: (line: string) => void;
  log?: (line: string) => void;
  /** The core runs elsewhere (other processes): only the gNB and the UEs run here. */
  externalCore?: boolean;
  /** UE-initiated deregistration type (TS 24.501 9.11.3.20); 'mixed' alternates per UE. */
  deregistration?: 'switch-off' | 'normal' | 'mixed' | 'none';
  pings?: number;
  /** UEs run their procedures concurrently, this many at a time. */
  parallel?: number;
  /** UDR database override (':memory:' for tests). */
  database?: string;
  /** Write the pcapng (default true). */
  capture?: boolean;
  /** Stops the run early (Ctrl-C): no new UE starts, those under way finish, the outputs say "interrupted". */
  signal?: AbortSignal;
  /** Counters the scenario keeps up to date as UEs progress (for a progress line). */
  progress?: ScenarioProgress;
  /** How long each NF of the core waits for an SBI answer (default 15 s). */
  sbiTimeoutMs?: number;
  /** With an external core: how long to wait for its NFs and the NG Setup (default 120 s). */
  coreWaitMs?: number;
  /** What the run is waiting for (the core's NFs, an NG Setup retry). */
  status?: (line: string) => void;
  /** The core NFs on this many worker threads of this process (nodes/core-threads); 0 or absent: on this thread. */
  threads?: number;
  /** How those threads load the NFs (the `wire5g` command's entry script; default: the sources under tsx). */
  threadEntry?: CoreThreadEntry;
}

export interface ScenarioProgress {
  ues: number;
  registered: number;
  withSession: number;
  deregistered: number;
  /** UEs whose sequence stopped on a failure. */
  failed: number;
  /** UEs whose sequence is over, however it ended. */
  finished: number;
}

/** UEs drawn each with its own lifeline in ladder.md; they run one after another before the others start. */
export const LADDER_UES = 3;

export interface UeOutcome {
  supi: string;
  address?: string;
  rttsMs: number[];
  deregistration?: string;
  received: string[];
  error?: string;
}

export interface ScenarioResult {
  ok: boolean;
  summary: Record<string, unknown>;
  ues: UeOutcome[];
  /** Nothing written when the network could not even start (the previous outputs stay). */
  files: { capture?: string; ladder?: string; summary?: string };
  leftBehind: Record<string, unknown>;
  /** The NFs whose ledgers were compared (only the gNB's with an external core). */
  ledgersChecked: string[];
  interrupted: boolean;
}

/** The subscribers of a run: those configured, then more derived from the first (MSIN + n). */
export function subscribersFor(cfg: NetworkConfig): SubscriberConfig[] {
  const out = [...cfg.subscribers];
  const base = cfg.subscribers[0];
  const prefix = `imsi-${cfg.plmn.mcc}${cfg.plmn.mnc}`;
  const msinLength = base.supi.length - prefix.length;
  const firstMsin = Number(base.supi.slice(prefix.length));
  for (let i = out.length; i < cfg.ue.count; i++) out.push({ ...base, supi: `${prefix}${String(firstMsin + i).padStart(msinLength, '0')}` });
  return out.slice(0, Math.max(cfg.ue.count, 1));
}

async function pool<T>(items: T[], first: number, width: number, run: (item: T, index: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = first;
  await Promise.all(Array.from({ length: Math.min(width, items.length - first) }, async () => {
    while (next < items.length && !signal?.aborted) {
      const i = next++;
      await run(items[i], i);
    }
  }));
}

export async function runScenario(cfg: NetworkConfig, o: ScenarioOptions = {}): Promise<ScenarioResult> {
  const outDir = o.outDir ?? cfg.outDir;
  mkdirSync(outDir, { recursive: true });
  const capturePath = join(outDir, 'run.pcapng');
  // written beside the previous capture and renamed over it only when the run is over
  const captureTemp = `${capturePath}.${process.pid}.tmp`;
  const capture = o.capture === false ? undefined : Capture.toFile(captureTemp);
  let started = false;
  const progress = o.progress ?? { ues: 0, registered: 0, withSession: 0, deregistered: 0, failed: 0, finished: 0 };
  const tap: WireTap | undefined = capture;
  const recorder = new RunRecorder(o.print);
  const subscribers = subscribersFor(cfg);
  progress.ues = subscribers.length;
  recorder.drawUes(subscribers.slice(0, LADDER_UES).map((s) => s.supi));
  const runCfg: NetworkConfig = { ...cfg, subscribers };
  let core: Core | undefined;
  let threaded: ThreadedCore | undefined;
  // a core thread that dies stops the run: no UE starts after it, the UEs under way are given up
  // at once (their NAS timers would wait for NFs that are gone: up to ~80 s, T3580 x 5), and the
  // run fails saying which
  let death: string | undefined;
  const dead = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, dead.signal]) : dead.signal;
  const died = new Promise<void>((resolve) => dead.signal.addEventListener('abort', () => resolve(), { once: true }));
  /** UEs started and not finished (their index), given up when a core thread dies. */
  const underWay = new Set<number>();
  // the UEs' timers when the core is on threads: halted when the UEs under way are given up, so that
  // none of them retransmits to the stopped gNB later (an uncaught "gNB is stopped" from a T3580)
  const ueClock = o.threads ? new HaltableClock() : undefined;
  const threadCaptures: string[] = [];
  let gnb: Gnb | undefined;
  const outcomes: UeOutcome[] = [];
  let ledgersBefore: Record<string, LedgerSnapshot> = {};
  let ledgersAfter: Record<string, LedgerSnapshot> = {};
  try {
    // SBI answers may take seconds when hundreds of UEs run on a loaded machine: 15 s, not the client's 5 s
    if (!o.externalCore && o.threads) {
      const captureOf = (i: number) => {
        // named as the run's temporary files (*.<pid>.tmp), which go when the process exits, however
        threadCaptures[i] = `${capturePath}.thread${i + 1}.${process.pid}.tmp`;
        return threadCaptures[i];
      };
      threaded = await ThreadedCore.start(runCfg, { threads: o.threads, entry: o.threadEntry ?? { tsx: true }, trace: true, sbiTimeoutMs: o.sbiTimeoutMs ?? 15_000, ...(capture ? { capture: captureOf } : {}), ...(o.log ? { log: o.log } : {}), ...(o.database ? { database: o.database } : {}), onDeath: (line) => {
        death ??= line;
        dead.abort();
      } });
      await threaded.seed(subscribers);
    } else if (!o.externalCore) core = await startCore(runCfg, { sbiTimeoutMs: o.sbiTimeoutMs ?? 15_000, ...(tap ? { tap } : {}), ...(o.log ? { log: o.log } : {}), ...(o.database ? { database: o.database } : {}) });
    if (core) for (const s of subscribers) core.store.seed([s]);
    const deadline = Date.now() + (o.coreWaitMs ?? 120_000);
    if (o.externalCore) await waitForCore(cfg, deadline, o.status ?? (() => {}), o.signal);
    started = true;
    const startGnb = () => Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, amfUdpPort: cfg.ports.ngapUdp, plmn: cfg.plmn, tac: cfg.tac, gnbId: cfg.gnb.id, name: cfg.gnb.name, admission: cfg.gnb.admission, captureUserPlane: true, ...gnbSnpnOption(cfg), ...gnbAmfPeers(cfg), ...(tap ? { tap } : {}), ...(o.log ? { log: o.log } : {}) });
    gnb = await recorder.procedure('NG Setup', 'TS 38.413 8.7.1', undefined, () => (o.externalCore ? retried(startGnb, deadline, (e, ms) => o.status?.(`NG Setup with the AMF ${cfg.addresses.amf}: ${e}; trying again in ${ms / 1000} s`), o.signal) : startGnb()));
    const ledgers = async (): Promise<Record<string, LedgerSnapshot>> => ({ ...(core?.ledgers() ?? (threaded ? await threaded.ledgers() : {})), [gnb!.ledger.nf]: gnb!.ledger.snapshot() });
    ledgersBefore = await ledgers();
    recorder.ledgers('before', ledgersBefore);
    const mode = o.deregistration ?? 'switch-off';
    const runUe = async (s: SubscriberConfig, i: number): Promise<void> => {
      const outcome: UeOutcome = { supi: s.supi, rttsMs: [], received: [] };
      outcomes[i] = outcome;
      underWay.add(i);
      const ue = new Ue({ supi: s.supi, k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: `${cfg.ue.imeisvPrefix}${String(i % 100).padStart(2, '0')}`, security: { ciphering: cfg.security.ciphering }, ...(o.log ? { log: o.log } : {}), ...(ueClock ? { clock: ueClock } : {}) });
      let registered = false;
      try {
        await recorder.procedure('Registration', 'TS 23.502 4.2.2.2.2', s.supi, () => ue.register(gnb!));
        if (!underWay.has(i)) return; // given up (a core thread died): counted then
        registered = true;
        progress.registered++;
        const session = await recorder.procedure('PDU Session Establishment', 'TS 23.502 4.3.2.2.1', s.supi, () => ue.establishPduSession(1));
        if (!underWay.has(i)) return;
        progress.withSession++;
        outcome.address = session.address;
        for (let p = 1; p <= (o.pings ?? 3); p++) {
          const rttMs = await recorder.procedure('Ping over the user plane', 'TS 23.501 5.8 (N3/N6)', s.supi, () => pingOnce(ue, cfg.dataNetwork, p));
          if (!underWay.has(i)) return; // a reply after the give-up: neither kept nor followed by the next ping
          outcome.rttsMs.push(rttMs);
        }
      } catch (e) {
        if (!underWay.has(i)) return;
        outcome.error = e instanceof Error ? e.message : String(e);
        progress.failed++;
      }
      // a registered UE deregisters even when its session or a ping failed, so that no NF keeps its state
      if (registered && mode !== 'none' && underWay.has(i)) {
        const switchOff = mode === 'switch-off' || (mode === 'mixed' && i % 2 === 0);
        try {
          const deregistration = await recorder.procedure(`UE-initiated Deregistration (${switchOff ? 'switch off' : 'normal'})`, 'TS 23.502 4.2.2.3.2', s.supi, () => ue.deregister({ switchOff }));
          if (!underWay.has(i)) return; // ended after the give-up: not counted
          outcome.deregistration = deregistration;
          progress.deregistered++;
        } catch (e) {
          if (!underWay.has(i)) return;
          if (!outcome.error) progress.failed++;
          outcome.error ??= e instanceof Error ? e.message : String(e);
        }
      }
      if (!underWay.has(i)) return;
      underWay.delete(i);
      outcome.received = [...ue.received];
      // the run is done with this UE: it no longer camps on the cell (with --deregistration none or
      // normal it would stay there, deregistered or idle, for the rest of the run)
      ue.leaveCell();
      progress.finished++;
    };
    // the first UEs alone, one after another: ladder.md draws their complete exchanges, uninterleaved
    const alone = Math.min(LADDER_UES, subscribers.length);
    for (let i = 0; i < alone && !signal.aborted; i++) await Promise.race([runUe(subscribers[i], i), died]);
    // the threads' messages of the ladder's UEs are all here; unless each is printed, the threads count the rest themselves
    if (!o.print) await threaded?.countTraceInThreads();
    recorder.markLadderEnd();
    await Promise.race([pool(subscribers, alone, o.parallel ?? 1, runUe, signal), died]);
    if (death) throw new Error(death);
    // the network finishes what the UEs' last messages started (e.g. 4.2.2.3.2 step 8 after a switch off)
    await waitForQuiet(core ?? threaded, gnb);
    ledgersAfter = await ledgers();
    recorder.ledgers('after', ledgersAfter);
  } catch (e) {
    recorder.procedures.push({ name: 'scenario', clause: '', outcome: 'failure', latencyMs: 0, detail: e instanceof Error ? e.message : String(e) });
  } finally {
    // the UEs under way when a core thread died end here, failed, instead of on their NAS timers
    if (death) {
      ueClock?.halt();
      for (const i of underWay) {
        const outcome = outcomes[i];
        if (!outcome.error) progress.failed++;
        outcome.error ??= `given up: ${death}`;
        progress.finished++;
      }
      underWay.clear();
    }
    await gnb?.stop().catch((e: unknown) => (o.log ?? console.error)(`[gNB] stopping failed: ${e instanceof Error ? e.message : String(e)}`));
    await core?.stop();
    if (threaded) {
      // the threads' counts of the messages they traced after the ladder
      const stopped = await threaded.stop().catch((e: unknown) => {
        recorder.procedures.push({ name: 'core threads', clause: '', outcome: 'failure', latencyMs: 0, detail: e instanceof Error ? e.message : String(e) });
        return undefined;
      });
      for (const t of stopped?.threads ?? []) recorder.addCounts(t.counts);
    }
    if (death && !recorder.procedures.some((p) => p.detail === death)) recorder.procedures.push({ name: 'core threads', clause: '', outcome: 'failure', latencyMs: 0, detail: death });
    capture?.close();
    // the threads' captures merged into the run's, as `wire5g capture merge` merges a multi-process run's
    // (not the file of a thread that died: it never wrote what it held, often not even the file's header)
    if (capture && threaded) recorder.countCaptured(mergeThreadCaptures(captureTemp, [captureTemp, ...threadCaptures.filter((f, i) => threaded!.closedCapture(i) && existsSync(f))]).messagesPerInterface);
    else if (capture) recorder.countCaptured(capture.messagesPerInterface);
    // the files of threads whose core did not start (merged and gone otherwise)
    for (const f of threadCaptures) rmSync(f, { force: true });
  }
  const leftBehind: Record<string, unknown> = {};
  // a core thread that died took its NFs' state with it: no ledger of the run is compared
  if (death) {
    ledgersBefore = {};
    recorder.ledgers('before', {});
  }
  for (const nf of Object.keys(ledgersBefore)) {
    const d = ledgerDiff(ledgersBefore[nf], ledgersAfter[nf] ?? {});
    if (Object.keys(d).length) leftBehind[nf] = d;
  }
  const interrupted = o.signal?.aborted === true;
  let files: ScenarioResult['files'] = {};
  if (started) {
    if (capture) {
      renameSync(captureTemp, capturePath);
      files.capture = capturePath;
    }
    files = { ...files, ...recorder.write(outDir, { ues: outcomes.filter(Boolean), config: { plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, dnn: cfg.dnn, ues: subscribers.length }, ...(gnb ? { gnbAdmission: { ...gnb.admission.cfg, ...gnb.admission.stats, limitAtEnd: gnb.admission.limit } } : {}) }, { interrupted }) };
  } else if (capture) {
    rmSync(captureTemp, { force: true });
  }
  const summary = recorder.summary();
  recorder.close();
  const ok = !interrupted && !recorder.failed && outcomes.every((u) => !u.error) && Object.keys(leftBehind).length === 0;
  return { ok, summary, ues: outcomes.filter(Boolean), files, leftBehind, ledgersChecked: Object.keys(ledgersBefore), interrupted };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One ping as ping(8) counts it: an echo request that gets no reply within 10 s is sent once more
 * (a new sequence number); only two unanswered requests fail. The user plane is UDP on loopback: on
 * a machine starved of CPU a datagram can be dropped from a full socket buffer, or the reply wait
 * behind a session modification, without anything being wrong with the network.
 */
async function pingOnce(ue: Ue, dst: string, seq: number): Promise<number> {
  try {
    return await ue.ping(dst, seq, { timeoutMs: 10_000 });
  } catch (e) {
    if (!(e instanceof Error) || !e.message.startsWith('no echo reply')) throw e;
    return ue.ping(dst, seq + 0x8000, { timeoutMs: 10_000 });
  }
}

/** Whether something accepts TCP connections at host:port: undefined if so, else why not (ECONNREFUSED, ...). */
function probe(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (why: string | undefined) => {
      s.destroy();
      resolve(why);
    };
    s.setTimeout(1000, () => done('no answer'));
    s.once('connect', () => done(undefined));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}

/**
 * The core runs in other processes (`wire5g start <nf>`), perhaps still starting: waits until every
 * SBI NF accepts connections (the SMF serves only once its PFCP association with the UPF is up),
 * saying which are missing and why, with back-off, until `deadline`.
 */
export async function waitForCore(cfg: NetworkConfig, deadline: number, status: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const peers = (['udr', 'udm', 'ausf', 'pcf', 'smf', 'amf', 'bsf', 'chf', 'nwdaf', 'af'] as const).map((nf) => ({ name: nf.toUpperCase(), host: cfg.addresses[nf], port: cfg.ports.sbi }));
  // roaming (issue 17): the home PLMN's NFs and both SEPPs (`wire5g start <nf> --plmn home`, `wire5g start sepp`)
  if (cfg.roaming.enabled) {
    const h = cfg.roaming.home.addresses;
    peers.push(...(['udr', 'udm', 'ausf', 'pcf', 'smf', 'bsf', 'chf', 'nwdaf', 'af'] as const).map((nf) => ({ name: `H-${nf.toUpperCase()}`, host: h[nf], port: cfg.ports.sbi })));
    peers.push({ name: 'vSEPP', host: cfg.roaming.vsepp, port: cfg.ports.sbi }, { name: 'hSEPP', host: h.sepp, port: cfg.ports.sbi });
  }
  let delay = 250;
  let said = '';
  for (;;) {
    const why = await Promise.all(peers.map((p) => probe(p.host, p.port)));
    const missing = peers.flatMap((p, i) => (why[i] ? [`${p.name} ${p.host}:${p.port}: ${why[i]}`] : []));
    if (missing.length === 0) return;
    const line = `waiting for the core: ${missing.join(', ')}`;
    if (Date.now() > deadline || signal?.aborted) throw new Error(`the core is not reachable: ${missing.join(', ')} (start it with 'wire5g start <nf>', see README)`);
    if (line !== said) status((said = line));
    await sleep(delay);
    delay = Math.min(delay * 2, 2000);
  }
}

/** Runs `f` until it succeeds or `deadline` passes, waiting 0.5, 1, 2, 4, 5, 5 ... s between attempts. */
export async function retried<T>(f: () => Promise<T>, deadline: number, report: (why: string, waitMs: number) => void, signal?: AbortSignal): Promise<T> {
  for (let wait = 500; ; wait = Math.min(wait * 2, 5000)) {
    try {
      return await f();
    } catch (e) {
      if (Date.now() + wait > deadline || signal?.aborted) throw e;
      report(e instanceof Error ? e.message : String(e), wait);
      await sleep(wait);
    }
  }
}

/** Waits until the core and the gNB have nothing in flight, and the gNB holds no UE the AMF released. */
export async function waitForQuiet(core: Core | ThreadedCore | undefined, gnb: Gnb): Promise<void> {
  const t0 = Date.now();
  let quiet = 0;
  // the AMF's UE contexts: a threaded core's settled() answers them from the AMF's thread
  const amfContexts = async () => (core instanceof ThreadedCore ? await core.settled() : core ? core.amf.ledger.read('UE contexts') : 0);
  // quiet twice in a row with a settle between: a message in flight on a socket is not "in flight" in any NF
  while (quiet < 2 && Date.now() - t0 < 30_000) {
    await core?.settled();
    await new Promise((r) => setTimeout(r, 20));
    const idle = !gnb.ledger.read('UE contexts') && (await amfContexts()) === 0;
    quiet = idle ? quiet + 1 : 0;
  }
  await core?.settled();
}
