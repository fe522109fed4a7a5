// What a scenario run leaves behind besides the capture: the ladder it printed as it went,
// out/ladder.md (a Mermaid sequence diagram), and out/summary.json (procedures with outcome and
// latency, message counts per interface, and every NF's resource ledger before and after).

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countTrace, subscribeTrace, ladderLine, mermaidLadder, type Interface, type TraceEvent } from './trace.ts';
import { ledgerDiff, type LedgerSnapshot } from './ledger.ts';

/** Characters of ladder.md's diagram: under Mermaid's default maxTextSize of 50,000. */
export const LADDER_CHARS = 45_000;

/** Writes `file` through a temporary file in the same directory, renamed over it when complete. */
export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export interface ProcedureRecord {
  name: string;
  /** Clause, e.g. 'TS 23.502 4.2.2.2.2'. */
  clause: string;
  ue?: string;
  outcome: 'success' | 'failure';
  latencyMs: number;
  detail?: string;
}

/** A count and the summary's name for it. */
interface Counter {
  readonly key: string;
  n: number;
}

/** What one message name on one interface and protocol counts into (RunRecorder.byName). */
interface NameCounters {
  readonly iface: Interface;
  readonly protocol: TraceEvent['protocol'];
  readonly perInterface: Counter;
  readonly message: Counter;
  /** The same name on another interface or protocol. */
  readonly next: NameCounters | undefined;
}

function counts(counters: Iterable<Counter>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of counters) out[c.key] = c.n;
  return out;
}

export class RunRecorder {
  /**
   * The traced messages ladder.md can draw: the first ones, until the diagram's budget
   * (LADDER_CHARS) is spent or the ladder's UEs are done (markLadderEnd). The rest are only
   * counted: a run of 100,000 UEs traces millions of messages, and keeping them all grew the heap
   * by about 100 KB per UE until, near 54,000 UEs, garbage collection starved every NF (issue 21).
   */
  readonly events: TraceEvent[] = [];
  /** Every traced message, counted: in all, per interface, per protocol and message. */
  private traced = 0;
  /**
   * Counters per interface and per protocol then message, in the order first seen. Found without
   * building the summary's key `protocol message` per event (the key is built once, with its
   * counter): counting into an object keyed by a string concatenated per event flattened and
   * hashed that string each time, about 1% of a 2,000-UE run's CPU (issue 21 goal 3).
   */
  private readonly perInterface = new Map<string, Counter>();
  private readonly perMessage = new Map<string, Map<string, Counter>>();
  private readonly messages: Counter[] = [];
  /**
   * By message name, the counters it counts into (its interface's and its own), one link per
   * interface and protocol it was traced on (nearly always one): one Map lookup per message where
   * there were three, ~270,000 of each in a 2,000-UE run (issue 21 goal 3).
   */
  private readonly byName = new Map<string, NameCounters>();
  /** Characters of the kept events as ladder() counts them before naming the UEs' lifelines (a lower bound of its own count). */
  private keptChars = 0;
  private keeping = true;
  readonly procedures: ProcedureRecord[] = [];
  private readonly uncount: () => void;
  /** Ends the subscription to the events, which the ladder's kept events and the printed lines need (the counts do not). */
  private readonly unsubscribe: () => void;
  private readonly print: ((line: string) => void) | undefined;
  private ledgersBefore: Record<string, LedgerSnapshot> = {};
  private ledgersAfter: Record<string, LedgerSnapshot> = {};
  private captured: Readonly<Record<string, number>> | undefined;

  /** `print` receives each ladder line as it happens (the console, in `wire5g run`). */
  constructor(print?: (line: string) => void) {
    this.print = print;
    this.uncount = countTrace((iface, protocol, message) => this.count(iface, protocol, message));
    this.unsubscribe = subscribeTrace((e) => {
      this.keep(e);
      this.print?.(ladderLine(e));
    });
  }

  private count(iface: Interface, protocol: TraceEvent['protocol'], message: string, n = 1): void {
    this.traced += n;
    let c = this.byName.get(message);
    while (c !== undefined && (c.iface !== iface || c.protocol !== protocol)) c = c.next;
    if (c === undefined) c = this.countersOf(iface, protocol, message);
    c.perInterface.n += n;
    c.message.n += n;
  }

  /** The counters of a message name on an interface and protocol not seen with it before. */
  private countersOf(iface: Interface, protocol: TraceEvent['protocol'], message: string): NameCounters {
    let i = this.perInterface.get(iface);
    if (!i) this.perInterface.set(iface, (i = { key: iface, n: 0 }));
    let byMessage = this.perMessage.get(protocol);
    if (!byMessage) this.perMessage.set(protocol, (byMessage = new Map()));
    let m = byMessage.get(message);
    if (!m) {
      byMessage.set(message, (m = { key: `${protocol} ${message}`, n: 0 }));
      this.messages.push(m);
    }
    const c: NameCounters = { iface, protocol, perInterface: i, message: m, next: this.byName.get(message) };
    this.byName.set(message, c);
    return c;
  }

  private keep(e: TraceEvent): void {
    if (!this.keeping) return;
    // ladder() stops drawing once its count passes LADDER_CHARS; its count of an event is at
    // least this one (a lifeline's name is longer than 'UE'), so what it draws is kept
    this.keptChars += e.from.length + e.to.length + e.message.length + (e.step?.length ?? 0) + 24;
    this.events.push(e);
    if (this.keptChars > LADDER_CHARS) this.stopKeeping();
  }

  /** No more events kept: without a printer, the events are no longer wanted, and trace() builds none for this recorder. */
  private stopKeeping(): void {
    this.keeping = false;
    if (!this.print) this.unsubscribe();
  }

  /**
   * Times a procedure and records its outcome; rethrows its failure. Each record is one literal of
   * one shape (`ue` and `detail` undefined when absent, which summary.json's JSON leaves out as the
   * spread of a conditional `{ ue }` did): the spread cost a copy per procedure (issue 21 goal 3).
   */
  async procedure<T>(name: string, clause: string, ue: string | undefined, run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      const r = await run();
      this.procedures.push({ name, clause, ue: ue || undefined, outcome: 'success', latencyMs: performance.now() - t0, detail: undefined });
      return r;
    } catch (e) {
      this.procedures.push({ name, clause, ue: ue || undefined, outcome: 'failure', latencyMs: performance.now() - t0, detail: e instanceof Error ? e.message : String(e) });
      throw e;
    }
  }

  /** Messages traced and counted in another thread (nodes/core-threads), added to the counts. */
  addCounts(list: Iterable<readonly [Interface, TraceEvent['protocol'], string, number]>): void {
    for (const [iface, protocol, message, n] of list) this.count(iface, protocol, message, n);
  }

  ledgers(when: 'before' | 'after', snapshots: Record<string, LedgerSnapshot>): void {
    if (when === 'before') this.ledgersBefore = snapshots;
    else this.ledgersAfter = snapshots;
  }

  /**
   * The messages per interface the run's capture holds (Capture.messagesPerInterface): the
   * summary then counts what the pcapng holds, both directions, responses and retransmissions
   * included, which is what a reader of the file (tshark) counts. Without a capture the summary
   * counts the traced messages (what each NF reported sending).
   */
  countCaptured(perInterface: Readonly<Record<string, number>>): void {
    this.captured = perInterface;
  }

  get failed(): boolean {
    return this.procedures.some((p) => p.outcome === 'failure');
  }

  summary(extra: Record<string, unknown> = {}): Record<string, unknown> {
    const perInterface = counts(this.perInterface.values());
    const perMessage = counts(this.messages);
    const leftBehind: Record<string, unknown> = {};
    for (const nf of Object.keys(this.ledgersBefore)) {
      const d = ledgerDiff(this.ledgersBefore[nf], this.ledgersAfter[nf] ?? {});
      if (Object.keys(d).length) leftBehind[nf] = d;
    }
    const captured = this.captured ? Object.fromEntries(Object.entries(this.captured).filter(([, n]) => n > 0)) : undefined;
    const counted = captured ?? perInterface;
    return {
      procedures: this.procedures,
      messages: {
        total: Object.values(counted).reduce((a, b) => a + b, 0),
        perInterface: counted,
        ...(captured ? { in: 'capture', traced: { total: this.traced, perInterface } } : { in: 'trace' }),
        perMessage,
      },
      ledgers: { before: this.ledgersBefore, after: this.ledgersAfter, leftBehind },
      ...extra,
    };
  }

  /** The UEs drawn with their own lifeline (UE1, UE2, ...), in order; events of the others are summarized. */
  private lifelines: string[] = [];
  /** Events up to here are drawn in ladder.md (the first UEs ran alone before the others started). */
  private ladderEnd: number | undefined;

  /** Draws these UEs' lifelines; `markLadderEnd` once they are done. */
  drawUes(supis: string[]): void {
    this.lifelines = supis;
  }

  markLadderEnd(): void {
    this.ladderEnd = this.events.length;
    this.stopKeeping();
  }

  /** The Mermaid ladder: the first UEs' messages, each UE its lifeline, then a note on the rest, under LADDER_CHARS. */
  ladder(title: string): string {
    const names = new Map(this.lifelines.map((s, i) => [s, this.lifelines.length > 1 ? `UE${i + 1}` : 'UE']));
    // in time order: events of other threads (nodes/core-threads) arrive after their time
    this.events.sort((a, b) => a.time - b.time);
    const window = this.events.slice(0, this.ladderEnd ?? this.events.length);
    const drawn: TraceEvent[] = [];
    let chars = 0;
    for (const e of window) {
      const ueName = e.ue !== undefined ? names.get(e.ue) : undefined;
      const d = ueName ? { ...e, from: e.from === 'UE' ? ueName : e.from, to: e.to === 'UE' ? ueName : e.to } : e;
      chars += d.from.length + d.to.length + d.message.length + (d.step?.length ?? 0) + 24;
      if (chars > LADDER_CHARS) break;
      drawn.push(d);
    }
    const rest = this.traced - drawn.length;
    const ues = new Set(this.procedures.map((p) => p.ue).filter((u) => u !== undefined));
    const notDrawn = [...ues].filter((u) => !names.has(u)).length;
    const byName = new Map<string, { ok: number; all: number }>();
    for (const p of this.procedures) {
      const c = byName.get(p.name) ?? { ok: 0, all: 0 };
      c.all++;
      if (p.outcome === 'success') c.ok++;
      byName.set(p.name, c);
    }
    let note = '';
    if (rest > 0) {
      const stats = [...byName].map(([n, c]) => `${n} ${c.ok}/${c.all} ok`).join(', ');
      note = `\n${rest} more messages are not drawn (${this.traced} in all)${notDrawn ? `, those of ${notDrawn} more UEs` : ''}. All UEs: ${stats}. summary.json counts every message and run.pcapng holds them.\n`;
    }
    return `# ${title}\n\n${mermaidLadder(drawn)}${note}`;
  }

  /**
   * Writes ladder.md and summary.json into `dir`, each to a temporary file renamed over the old one
   * when complete; `interrupted` marks both as the record of a run stopped before its end.
   */
  write(dir: string, extra: Record<string, unknown> = {}, o: { interrupted?: boolean } = {}): { ladder: string; summary: string } {
    mkdirSync(dir, { recursive: true });
    const ladder = join(dir, 'ladder.md');
    const summary = join(dir, 'summary.json');
    writeAtomically(ladder, this.ladder(o.interrupted ? 'wire5g run (INTERRUPTED: stopped before its end)' : 'wire5g run'));
    writeAtomically(summary, JSON.stringify(this.summary({ ...(o.interrupted ? { interrupted: true } : {}), ...extra }), null, 2) + '\n');
    return { ladder, summary };
  }

  close(): void {
    this.uncount();
    this.unsubscribe();
  }
}
