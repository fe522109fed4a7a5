// The default scenario (`npm start`): every NF on its own loopback address, NG Setup, then for each
// UE: Initial Registration (TS 23.502 4.2.2.2.2), PDU Session Establishment (4.3.2.2.1), three
// pings through the user plane, and UE-initiated Deregistration (4.2.2.3.2; switch off by
// default). It writes out/run.pcapng, out/ladder.md and out/summary.json, and fails when a
// procedure failed or a ledger did not return to where it started.

import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { Capture } from '../transport/capture/capture.ts';
import type { WireTap } from '../transport/tap.ts';
import { RunRecorder } from './common/run-report.ts';
import { ledgerDiff, type LedgerSnapshot } from './common/ledger.ts';
import type { NetworkConfig, SubscriberConfig } from './common/config.ts';
import { startCore, type Core } from './core.ts';
import { Gnb } from './gnb/gnb.ts';
import { Ue } from './ue/ue.ts';

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
}

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
  files: { capture?: string; ladder: string; summary: string };
  leftBehind: Record<string, unknown>;
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

async function pool<T>(items: T[], width: number, run: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await run(items[i], i);
    }
  }));
}

export async function runScenario(cfg: NetworkConfig, o: ScenarioOptions = {}): Promise<ScenarioResult> {
  const outDir = o.outDir ?? cfg.outDir;
  mkdirSync(outDir, { recursive: true });
  const capturePath = join(outDir, 'run.pcapng');
  const capture = o.capture === false ? undefined : Capture.toFile(capturePath);
  const tap: WireTap | undefined = capture;
  const recorder = new RunRecorder(o.print);
  const subscribers = subscribersFor(cfg);
  const runCfg: NetworkConfig = { ...cfg, subscribers };
  let core: Core | undefined;
  let gnb: Gnb | undefined;
  const outcomes: UeOutcome[] = [];
  let ledgersBefore: Record<string, LedgerSnapshot> = {};
  let ledgersAfter: Record<string, LedgerSnapshot> = {};
  try {
    if (!o.externalCore) core = await startCore(runCfg, { ...(tap ? { tap } : {}), ...(o.log ? { log: o.log } : {}), ...(o.database ? { database: o.database } : {}) });
    if (core) for (const s of subscribers) core.store.seed([s]);
    gnb = await recorder.procedure('NG Setup', 'TS 38.413 8.7.1', undefined, () =>
      Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, amfUdpPort: cfg.ports.ngapUdp, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: cfg.gnb.id, name: cfg.gnb.name, captureUserPlane: true, ...(tap ? { tap } : {}), ...(o.log ? { log: o.log } : {}) }));
    const ledgers = (): Record<string, LedgerSnapshot> => ({ ...(core?.ledgers() ?? {}), [gnb!.ledger.nf]: gnb!.ledger.snapshot() });
    ledgersBefore = ledgers();
    recorder.ledgers('before', ledgersBefore);
    const mode = o.deregistration ?? 'switch-off';
    await pool(subscribers, o.parallel ?? 1, async (s, i) => {
      const outcome: UeOutcome = { supi: s.supi, rttsMs: [], received: [] };
      outcomes[i] = outcome;
      const ue = new Ue({ supi: s.supi, k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: `${cfg.ue.imeisvPrefix}${String(i % 100).padStart(2, '0')}`, security: { ciphering: cfg.security.ciphering }, ...(o.log ? { log: o.log } : {}) });
      try {
        await recorder.procedure('Registration', 'TS 23.502 4.2.2.2.2', s.supi, () => ue.register(gnb!));
        const session = await recorder.procedure('PDU Session Establishment', 'TS 23.502 4.3.2.2.1', s.supi, () => ue.establishPduSession(1));
        outcome.address = session.address;
        for (let p = 1; p <= (o.pings ?? 3); p++) outcome.rttsMs.push(await recorder.procedure('Ping over the user plane', 'TS 23.501 5.8 (N3/N6)', s.supi, () => ue.ping(cfg.dataNetwork, p)));
        if (mode !== 'none') {
          const switchOff = mode === 'switch-off' || (mode === 'mixed' && i % 2 === 0);
          outcome.deregistration = await recorder.procedure(`UE-initiated Deregistration (${switchOff ? 'switch off' : 'normal'})`, 'TS 23.502 4.2.2.3.2', s.supi, () => ue.deregister({ switchOff }));
        }
      } catch (e) {
        outcome.error = e instanceof Error ? e.message : String(e);
      } finally {
        outcome.received = [...ue.received];
      }
    });
    // the network finishes what the UEs' last messages started (e.g. 4.2.2.3.2 step 8 after a switch off)
    await waitForQuiet(core, gnb);
    ledgersAfter = ledgers();
    recorder.ledgers('after', ledgersAfter);
  } catch (e) {
    recorder.procedures.push({ name: 'scenario', clause: '', outcome: 'failure', latencyMs: 0, detail: e instanceof Error ? e.message : String(e) });
  } finally {
    await gnb?.stop().catch((e: unknown) => (o.log ?? console.error)(`[gNB] stopping failed: ${e instanceof Error ? e.message : String(e)}`));
    await core?.stop();
    capture?.close();
    if (capture) recorder.countCaptured(capture.messagesPerInterface);
  }
  const leftBehind: Record<string, unknown> = {};
  for (const nf of Object.keys(ledgersBefore)) {
    const d = ledgerDiff(ledgersBefore[nf], ledgersAfter[nf] ?? {});
    if (Object.keys(d).length) leftBehind[nf] = d;
  }
  const files = recorder.write(outDir, { ues: outcomes, config: { plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, dnn: cfg.dnn, ues: subscribers.length } });
  const summary = recorder.summary();
  recorder.close();
  const ok = !recorder.failed && outcomes.every((u) => !u.error) && Object.keys(leftBehind).length === 0;
  return { ok, summary, ues: outcomes, files: { ...(capture ? { capture: capturePath } : {}), ...files }, leftBehind };
}

/** Waits until the core and the gNB have nothing in flight, and the gNB holds no UE the AMF released. */
export async function waitForQuiet(core: Core | undefined, gnb: Gnb): Promise<void> {
  const t0 = Date.now();
  let quiet = 0;
  // quiet twice in a row with a settle between: a message in flight on a socket is not "in flight" in any NF
  while (quiet < 2 && Date.now() - t0 < 10_000) {
    await core?.settled();
    await new Promise((r) => setTimeout(r, 20));
    const idle = !gnb.ledger.snapshot()['UE contexts'] && (!core || core.amf.ledger.snapshot()['UE contexts'] === 0);
    quiet = idle ? quiet + 1 : 0;
  }
  await core?.settled();
}
