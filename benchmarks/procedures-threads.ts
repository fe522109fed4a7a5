// Issue 21 goals 3 and 5: the network of procedures.bench.ts with its core NFs on K worker threads
// of the bench process (nodes/core-threads, the layouts of layout.ts) and the gNB and UEs on the
// main thread, as `wire5g run --threads K` runs it. Started at its row's first sample (not timed);
// at its stop every NF's ledger comes back from its thread and is compared with the ledgers read
// after the start: a row whose ledgers are not back is refused.

import { fileURLToPath } from 'node:url';
import { Gnb } from '../nodes/gnb/gnb.ts';
import { ledgerDiff, type LedgerSnapshot } from '../nodes/common/ledger.ts';
import type { NetworkConfig } from '../nodes/common/config.ts';
import { ThreadedCore } from '../nodes/core-threads/threaded-core.ts';

export interface ThreadedNetwork {
  core: ThreadedCore;
  gnb: Gnb;
  threads: number;
  /** Until the gNB and the AMF hold no UE context and every NF is settled. */
  quiet(): Promise<void>;
  /** Stops the gNB and the core; resolves with what is not back where it was after the start (nothing, when all is well). */
  stop(): Promise<Record<string, unknown>>;
}

/**
 * How the bench's threads load the NFs: the sources under tsx, as this process loads those of the
 * one-thread rows (the same code, compared); WIRE5G_BENCH_THREAD_ENTRY=bundle: as the `wire5g`
 * command does (bin/wire5g.js, the esbuild bundle of the sources).
 */
const entry = process.env.WIRE5G_BENCH_THREAD_ENTRY === 'bundle' ? { script: fileURLToPath(new URL('../bin/wire5g.js', import.meta.url)) } : { tsx: true as const };

export async function startThreadedNetwork(cfg: NetworkConfig, threads: number): Promise<ThreadedNetwork> {
  let died: string | undefined;
  const core = await ThreadedCore.start(cfg, { threads, entry, database: ':memory:', sbiTimeoutMs: 15_000, onDeath: (line) => (died = line) });
  const gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: 1, name: 'bench-gnb-threads', admission: cfg.gnb.admission }).catch(async (e: unknown) => {
    await core.stop();
    throw e;
  });
  const ledgers = async (): Promise<Record<string, LedgerSnapshot>> => ({ ...(await core.ledgers()), gNB: gnb.ledger.snapshot() });
  const atStart = await ledgers();
  const sleep = () => new Promise((r) => setTimeout(r, 5));
  return {
    core, gnb, threads,
    quiet: async () => {
      while (gnb.ledger.read('UE contexts')! > 0) await sleep();
      while ((await core.settled()) > 0) await sleep();
      if (died) throw new Error(died);
    },
    stop: async () => {
      // read before the gNB stops (the AMF's NG association ends with it)
      const end = await ledgers();
      await gnb.stop();
      await core.stop();
      return Object.fromEntries(Object.keys(atStart).map((nf) => [nf, end[nf] ? ledgerDiff(atStart[nf], end[nf]) : 'no ledger at the stop']).filter(([, d]) => typeof d === 'string' || Object.keys(d as object).length));
    },
  };
}
