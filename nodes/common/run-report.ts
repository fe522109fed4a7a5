// What a scenario run leaves behind besides the capture: the ladder it printed as it went,
// out/ladder.md (a Mermaid sequence diagram), and out/summary.json (procedures with outcome and
// latency, message counts per interface, and every NF's resource ledger before and after).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { subscribeTrace, ladderLine, mermaidLadder, type TraceEvent } from './trace.ts';
import { ledgerDiff, type LedgerSnapshot } from './ledger.ts';

/** Messages drawn in ladder.md. */
export const LADDER_LIMIT = 2000;

export interface ProcedureRecord {
  name: string;
  /** Clause, e.g. 'TS 23.502 4.2.2.2.2'. */
  clause: string;
  ue?: string;
  outcome: 'success' | 'failure';
  latencyMs: number;
  detail?: string;
}

export class RunRecorder {
  readonly events: TraceEvent[] = [];
  readonly procedures: ProcedureRecord[] = [];
  private readonly unsubscribe: () => void;
  private readonly print: ((line: string) => void) | undefined;
  private ledgersBefore: Record<string, LedgerSnapshot> = {};
  private ledgersAfter: Record<string, LedgerSnapshot> = {};
  private captured: Readonly<Record<string, number>> | undefined;

  /** `print` receives each ladder line as it happens (the console, in `wire5g run`). */
  constructor(print?: (line: string) => void) {
    this.print = print;
    this.unsubscribe = subscribeTrace((e) => {
      this.events.push(e);
      this.print?.(ladderLine(e));
    });
  }

  /** Times a procedure and records its outcome; rethrows its failure. */
  async procedure<T>(name: string, clause: string, ue: string | undefined, run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      const r = await run();
      this.procedures.push({ name, clause, ...(ue ? { ue } : {}), outcome: 'success', latencyMs: performance.now() - t0 });
      return r;
    } catch (e) {
      this.procedures.push({ name, clause, ...(ue ? { ue } : {}), outcome: 'failure', latencyMs: performance.now() - t0, detail: e instanceof Error ? e.message : String(e) });
      throw e;
    }
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
    const perInterface: Record<string, number> = {};
    const perMessage: Record<string, number> = {};
    for (const e of this.events) {
      perInterface[e.interface] = (perInterface[e.interface] ?? 0) + 1;
      const key = `${e.protocol} ${e.message}`;
      perMessage[key] = (perMessage[key] ?? 0) + 1;
    }
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
        ...(captured ? { in: 'capture', traced: { total: this.events.length, perInterface } } : { in: 'trace' }),
        perMessage,
      },
      ledgers: { before: this.ledgersBefore, after: this.ledgersAfter, leftBehind },
      ...extra,
    };
  }

  /** Writes ladder.md and summary.json into `dir`; returns their paths. */
  write(dir: string, extra: Record<string, unknown> = {}): { ladder: string; summary: string } {
    mkdirSync(dir, { recursive: true });
    const ladder = join(dir, 'ladder.md');
    const summary = join(dir, 'summary.json');
    // Mermaid renders a few thousand messages at most: a big run's ladder shows its beginning
    const shown = this.events.slice(0, LADDER_LIMIT);
    const more = this.events.length - shown.length;
    writeFileSync(ladder, `# wire5g run\n\n${mermaidLadder(shown)}${more > 0 ? `\n${more} more messages are not drawn (${this.events.length} in all); summary.json counts them all and run.pcapng holds them.\n` : ''}`);
    writeFileSync(summary, JSON.stringify(this.summary(extra), null, 2) + '\n');
    return { ladder, summary };
  }

  close(): void {
    this.unsubscribe();
  }
}
