// A worker thread running a group of core NFs (issue 21 goals 3 and 5): the NFs are started with
// nodes/core.ts startNf as in one thread and talk to the others, wherever they run, only over
// loopback sockets. The main thread (threaded-core.ts) drives the thread over its MessagePort:
// start an NF, seed the UDR, settle, read the ledgers, stop. What the main thread's run report
// needs travels back the same way: log lines, the traced messages while the ladder is drawn, and
// afterwards their counts; each thread writes its own capture file, merged by the main thread.

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { NetworkConfig, SubscriberConfig } from '../common/config.ts';
import type { LedgerSnapshot } from '../common/ledger.ts';
import type { Interface, TraceEvent } from '../common/trace.ts';
import type { CoreNf } from '../core-nfs.ts';
import type { Http2Implementation } from '../../transport/sbi/http2-choice.ts';
import type { CapturedInterface } from '../../transport/capture/counter.ts';

/** What a core thread is started with (its workerData). */
export interface CoreThreadData {
  wire5gCoreThread: true;
  /** The group's NFs, and the network they belong to. */
  group: CoreNf[];
  cfg: NetworkConfig;
  http2: Http2Implementation;
  database?: string;
  sbiTimeoutMs?: number;
  /** Forward the NFs' log lines. */
  log: boolean;
  /** Write this thread's traffic to this pcapng file. */
  capture?: string;
  /** Forward the traced messages (until told to count them instead); false: trace nothing. */
  trace: boolean;
}

/** A traced message's count: interface, protocol, message, how many. */
export type TraceCount = [Interface, TraceEvent['protocol'], string, number];

/** What a thread answers at its close. */
export interface CoreThreadClosed {
  counts: TraceCount[];
  capture?: { packets: number; messagesPerInterface: Readonly<Record<CapturedInterface, number>> };
}

export type CoreThreadRequest =
  | { id: number; op: 'start'; nf: CoreNf }
  | { id: number; op: 'seed'; subscribers: SubscriberConfig[] }
  | { id: number; op: 'settled' }
  | { id: number; op: 'ledgers' }
  | { id: number; op: 'count-trace' }
  | { id: number; op: 'stop'; nf: CoreNf }
  | { id: number; op: 'close' };

export type CoreThreadMessage =
  | { id: number; value?: unknown; error?: string }
  | { op: 'log'; line: string }
  /** A traced message, its time on the shared clock (performance.timeOrigin + now, ms). */
  | { op: 'trace'; event: TraceEvent };

export const isCoreThreadData = (d: unknown): d is CoreThreadData => typeof d === 'object' && d !== null && (d as CoreThreadData).wire5gCoreThread === true;

async function runCoreThread(d: CoreThreadData): Promise<void> {
  const port = parentPort!;
  const [{ startNf }, { Capture }, trace, { setSbiHttp2 }] = await Promise.all([import('../core.ts'), import('../../transport/capture/capture.ts'), import('../common/trace.ts'), import('../../transport/sbi/http2-choice.ts')]);
  setSbiHttp2(d.http2);
  const post = (m: CoreThreadMessage) => port.postMessage(m);
  const capture = d.capture ? Capture.toFile(d.capture) : undefined;
  const log = d.log ? (line: string) => post({ op: 'log', line }) : undefined;
  const nfs = new Map<CoreNf, Awaited<ReturnType<typeof startNf>>>();
  // while the main thread draws the ladder, every traced message goes to it (it counts them too);
  // then only counted here, and the counts sent at the close
  const counts = new Map<string, TraceCount>();
  let unsubscribe = d.trace ? trace.subscribeTrace((e) => post({ op: 'trace', event: { ...e, time: e.time + performance.timeOrigin } })) : () => {};
  let uncount = () => {};
  const handle = async (r: CoreThreadRequest): Promise<unknown> => {
    switch (r.op) {
      case 'start': {
        nfs.set(r.nf, await startNf(r.nf, d.cfg, { sbiTimeoutMs: d.sbiTimeoutMs ?? 15_000, ...(capture ? { tap: capture } : {}), ...(log ? { log } : {}), ...(d.database ? { database: d.database } : {}) }));
        return undefined;
      }
      case 'seed':
        nfs.get('udr')?.store?.seed(r.subscribers);
        return undefined;
      case 'settled':
        for (const h of nfs.values()) await h.settled();
        return nfs.get('amf')?.ledger.read('UE contexts');
      case 'ledgers':
        return Object.fromEntries([...nfs.values()].map((h) => [h.ledger.nf, h.ledger.snapshot()])) as Record<string, LedgerSnapshot>;
      case 'count-trace':
        if (!d.trace) return undefined;
        unsubscribe();
        unsubscribe = () => {};
        uncount();
        uncount = trace.countTrace((iface, protocol, message) => {
          const key = `${iface} ${protocol} ${message}`;
          const c = counts.get(key);
          if (c) c[3]++;
          else counts.set(key, [iface, protocol, message, 1]);
        });
        return undefined;
      case 'stop': {
        const h = nfs.get(r.nf);
        nfs.delete(r.nf);
        await h?.stop();
        return undefined;
      }
      case 'close': {
        unsubscribe();
        uncount();
        capture?.close();
        const closed: CoreThreadClosed = { counts: [...counts.values()], ...(capture ? { capture: { packets: capture.packets, messagesPerInterface: capture.messagesPerInterface } } : {}) };
        return closed;
      }
    }
  };
  port.on('message', (r: CoreThreadRequest) => {
    handle(r).then(
      (value) => post({ id: r.id, value }),
      (e: unknown) => post({ id: r.id, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}

// loaded as a thread's entry (directly, or through the CLI's bundle in cli/main.ts): run the group
if (!isMainThread && isCoreThreadData(workerData)) void runCoreThread(workerData);
