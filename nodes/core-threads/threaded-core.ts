// The core NFs on worker threads of this process (issue 21 goals 3 and 5): one Worker per group of
// layout.ts, each running its NFs with nodes/core.ts startNf (worker.ts), started one NF at a
// time in startCore's order (START_ORDER) whichever thread holds it. Nothing changes on the wire:
// the NFs talked to each other only over loopback sockets in one thread too. This side loads none
// of the NFs' code; it asks the threads, over their MessagePorts, to seed, settle, report their
// ledgers and stop, and hears back their log lines, traced messages and trace counts.

import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { EventLoopUtilization } from 'node:perf_hooks';
import type { NetworkConfig, SubscriberConfig } from '../common/config.ts';
import type { LedgerSnapshot } from '../common/ledger.ts';
import { traceForeign } from '../common/trace.ts';
import { START_ORDER, type CoreNf } from '../core-nfs.ts';
import { sbiHttp2 } from '../../transport/sbi/http2-choice.ts';
import { coreThreadGroups, groupName } from './layout.ts';
import type { CoreThreadClosed, CoreThreadData, CoreThreadMessage, CoreThreadRequest, TraceCount } from './worker.ts';

/** How a thread loads worker.ts: through the `wire5g` command's entry (cli/main.ts runs the thread), or the TypeScript sources under tsx (benchmarks). */
export type CoreThreadEntry = { script: string } | { tsx: true };

export interface ThreadedCoreOptions {
  threads: number;
  entry: CoreThreadEntry;
  database?: string;
  sbiTimeoutMs?: number;
  /** The NFs' log lines. */
  log?: (line: string) => void;
  /** Each thread writes its traffic to a pcapng file of its own: `capture(i)` names thread i's. */
  capture?: (thread: number) => string;
  /** The traced messages of the threads are published on this thread's trace channel (a run's ladder and counts). */
  trace?: boolean;
  /** A thread died (threw, exited): one line naming its NFs. */
  onDeath?: (line: string) => void;
  /** The threads' V8 limits (Worker resourceLimits), e.g. their young generation. */
  resourceLimits?: ResourceLimits;
}

export interface ThreadedCoreStopped {
  /** Every NF's ledger, read just before the NFs stopped. */
  ledgers: Record<string, LedgerSnapshot>;
  /** Per thread, what it answered at its close (trace counts, its capture's figures). */
  threads: CoreThreadClosed[];
}

/** A request as the caller gives it: each kind without the identifier `call` numbers it with. */
type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;

class CoreThread {
  readonly worker: Worker;
  readonly name: string;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** Why the thread is gone, once it is. */
  dead: string | undefined;
  closing = false;
  /** The thread closed its capture file (answered 'close'); one that died never did, its file empty or cut short. */
  closed = false;

  readonly group: readonly CoreNf[];

  constructor(group: readonly CoreNf[], data: CoreThreadData, o: ThreadedCoreOptions, onDeath: (t: CoreThread, why: string) => void) {
    this.group = group;
    this.name = groupName(group);
    this.worker = 'script' in o.entry
      ? new Worker(o.entry.script, { workerData: data, ...(o.resourceLimits ? { resourceLimits: o.resourceLimits } : {}) })
      : new Worker(tsxBootstrap(), { eval: true, workerData: data, ...(o.resourceLimits ? { resourceLimits: o.resourceLimits } : {}) });
    this.worker.on('message', (m: CoreThreadMessage) => {
      if ('id' in m) {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(`core thread ${this.name}: ${m.error}`));
        else p?.resolve(m.value);
      } else if (m.op === 'log') o.log?.(m.line);
      else traceForeign({ ...m.event, time: m.event.time - performance.timeOrigin }, true);
    });
    this.worker.on('error', (e) => onDeath(this, `threw ${e instanceof Error ? e.message : String(e)}`));
    this.worker.on('exit', (code) => {
      if (!this.closing) onDeath(this, `exited (code ${code})`);
    });
  }

  /** Rejects whatever is pending: the thread will not answer. */
  died(why: string): void {
    this.dead ??= why;
    for (const p of this.pending.values()) p.reject(new Error(`core thread ${this.name} ${why}`));
    this.pending.clear();
  }

  call<T>(r: WithoutId<CoreThreadRequest>): Promise<T> {
    if (this.dead) return Promise.reject(new Error(`core thread ${this.name} ${this.dead}`));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...r, id });
    });
  }
}

/** An eval'd thread entry registering tsx's loader, then loading worker.ts (benchmarks run the sources; Node 20 threads do not inherit `--import tsx`). */
function tsxBootstrap(): string {
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
}

export class ThreadedCore {
  private readonly threads: CoreThread[];
  private readonly of: Map<CoreNf, CoreThread>;

  private constructor(threads: CoreThread[], of: Map<CoreNf, CoreThread>) {
    this.threads = threads;
    this.of = of;
  }

  /** The NFs of each thread, e.g. 'NRF+NSSF+AMF+AUSF+UDM | UDR+PCF+...'. */
  get layout(): string {
    return this.threads.map((t) => t.name).join(' | ');
  }

  /** Starts the threads and, in START_ORDER, each NF in its thread; a failure stops what started and rejects. */
  static async start(cfg: NetworkConfig, o: ThreadedCoreOptions): Promise<ThreadedCore> {
    const groups = coreThreadGroups(o.threads);
    const onDeath = (t: CoreThread, why: string) => {
      if (t.dead) return;
      t.died(why);
      o.onDeath?.(`core thread ${t.name} ${why}`);
    };
    const threads = groups.map((group, i) => new CoreThread(group, {
      wire5gCoreThread: true, group: [...group], cfg, http2: sbiHttp2(), log: o.log !== undefined, trace: o.trace === true,
      ...(o.database ? { database: o.database } : {}), ...(o.sbiTimeoutMs ? { sbiTimeoutMs: o.sbiTimeoutMs } : {}), ...(o.capture ? { capture: o.capture(i) } : {}),
    }, o, onDeath));
    const of = new Map(threads.flatMap((t) => t.group.map((nf) => [nf, t] as const)));
    const core = new ThreadedCore(threads, of);
    const started: CoreNf[] = [];
    try {
      for (const nf of START_ORDER) {
        const t = of.get(nf);
        if (!t) continue;
        await t.call({ op: 'start', nf });
        started.push(nf);
      }
    } catch (e) {
      await core.stopThreads(started).catch(() => undefined);
      throw e;
    }
    return core;
  }

  /** Seeds the UDR's store (the thread holding the UDR). */
  seed(subscribers: SubscriberConfig[]): Promise<void> {
    return this.of.get('udr')!.call({ op: 'seed', subscribers });
  }

  /** Every NF's ledger, by NF name. */
  async ledgers(): Promise<Record<string, LedgerSnapshot>> {
    const all = Object.assign({}, ...await Promise.all(this.threads.map((t) => t.call<Record<string, LedgerSnapshot>>({ op: 'ledgers' })))) as Record<string, LedgerSnapshot>;
    // in startCore's order, as a one-thread core lists them
    const rank = (nf: string) => START_ORDER.indexOf(nf.toLowerCase() as CoreNf);
    return Object.fromEntries(Object.entries(all).sort(([a], [b]) => rank(a) - rank(b)));
  }

  /** Waits until no NF has work in flight, twice round (a settled NF may have started work on one in another thread); resolves with the AMF's UE contexts. */
  async settled(): Promise<number> {
    let contexts = 0;
    for (let i = 0; i < 2; i++) {
      for (const t of this.threads) {
        const n = await t.call<number | undefined>({ op: 'settled' });
        if (n !== undefined) contexts = n;
      }
    }
    return contexts;
  }

  /** From now on the threads count their traced messages themselves (sent at the stop) instead of sending each; resolves once every message traced before is here. */
  async countTraceInThreads(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.call({ op: 'count-trace' })));
  }

  /** Each thread's event loop utilization so far (Worker.performance; the busy share of its loop), by its NFs' names. */
  eventLoopUtilization(): Map<string, EventLoopUtilization> {
    return new Map(this.threads.map((t) => [t.name, t.worker.performance.eventLoopUtilization()]));
  }

  /** Whether thread `i` (in the layout's order) closed its capture at the stop: a thread that died left its file unfinished, not to be read. */
  closedCapture(i: number): boolean {
    return this.threads[i]?.closed === true;
  }

  /** The thread that died first and why, if one did. */
  get death(): string | undefined {
    const t = this.threads.find((x) => x.dead);
    return t ? `core thread ${t.name} ${t.dead}` : undefined;
  }

  /** Reads the ledgers, stops every NF (reverse START_ORDER), closes the threads and ends them. */
  async stop(): Promise<ThreadedCoreStopped> {
    const ledgers = await this.ledgers().catch(() => ({}));
    const threads = await this.stopThreads(START_ORDER.filter((nf) => this.of.has(nf)));
    return { ledgers, threads };
  }

  private async stopThreads(nfs: readonly CoreNf[]): Promise<CoreThreadClosed[]> {
    const errors: string[] = [];
    // a thread that died was reported then (onDeath); its NFs are gone with it
    for (const nf of [...nfs].reverse()) {
      const t = this.of.get(nf)!;
      if (!t.dead) await t.call({ op: 'stop', nf }).catch((e: unknown) => errors.push(e instanceof Error ? e.message : String(e)));
    }
    const closed = await Promise.all(this.threads.map(async (t) => {
      const c = t.dead ? { counts: [] as TraceCount[] } : await t.call<CoreThreadClosed>({ op: 'close' }).then((x) => ((t.closed = true), x), () => ({ counts: [] as TraceCount[] }));
      t.closing = true;
      await t.worker.terminate();
      return c;
    }));
    if (errors.length) throw new Error(`stopping the core threads: ${[...new Set(errors)].join('; ')}`);
    return closed;
  }
}
