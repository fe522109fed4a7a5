// The resource ledger of a network function (ARCHITECTURE "Nothing left behind"): named gauges
// read from the NF's own tables and pools at snapshot time, so the ledger cannot drift from what
// is really allocated. After a deregistration every gauge must be back at its starting value.

export type LedgerSnapshot = Record<string, number>;

export class ResourceLedger {
  readonly nf: string;
  private readonly gauges = new Map<string, () => number>();

  constructor(nf: string) {
    this.nf = nf;
  }

  /** Registers a gauge, e.g. `ledger.gauge('TEIDs', () => teids.inUse)`. */
  gauge(name: string, read: () => number): this {
    this.gauges.set(name, read);
    return this;
  }

  /** The same gauges under another NF name (the home PLMN's 'H-UDR' beside the visited 'UDR'). */
  renamed(nf: string): ResourceLedger {
    const l = new ResourceLedger(nf);
    for (const [name, read] of this.gauges) l.gauge(name, read);
    return l;
  }

  /**
   * One gauge, read now (undefined if the ledger has none of that name). What polls a ledger until
   * a gauge is back (a run waiting for quiet) reads that gauge alone: a snapshot reads them all,
   * and an AMF's per-UE gauges walk every UE context (issue 21, docs/decisions/21-nf-cpu.md).
   */
  read(name: string): number | undefined {
    return this.gauges.get(name)?.();
  }

  snapshot(): LedgerSnapshot {
    const out: LedgerSnapshot = {};
    for (const [name, read] of this.gauges) out[name] = read();
    return out;
  }
}

/** Differences between two snapshots: the gauges that did not return to their start. */
export function ledgerDiff(before: LedgerSnapshot, after: LedgerSnapshot): Record<string, { before: number; after: number }> {
  const out: Record<string, { before: number; after: number }> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[k] ?? 0, a = after[k] ?? 0;
    if (a !== b) out[k] = { before: b, after: a };
  }
  return out;
}
