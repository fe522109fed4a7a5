// The end of a run on the console, the same for `wire5g run` (with or without --scenario), `wire5g
// up` and `wire5g ctl down`: procedures with their outcome and median latency, failures, what was
// left behind (or which ledgers are back), the files written, and a last line OK / FAILED /
// INTERRUPTED that matches the exit status it returns (0 / 1 / 130).

interface Procedure {
  name: string;
  outcome: string;
  latencyMs: number;
  ue?: string;
  detail?: string;
}

export interface RunOutcome {
  ok: boolean;
  summary: Record<string, unknown>;
  ues?: { supi: string; error?: string }[];
  files: { capture?: string; ladder?: string; summary?: string };
  leftBehind: Record<string, unknown>;
  /** NFs whose ledgers were compared; only these are said to be back where they started. */
  ledgersChecked: string[];
  interrupted?: boolean;
  /** A scenario's steps whose `order:` was not followed, one line each (nodes/control/step-order.ts). */
  orderErrors?: string[];
}

/** Prints the outcome; returns the exit status: 0 OK, 1 FAILED, 130 INTERRUPTED. */
export function reportRun(r: RunOutcome, o: { external?: boolean; total?: number } = {}): number {
  const procs = (r.summary.procedures ?? []) as Procedure[];
  console.log('');
  for (const name of [...new Set(procs.map((p) => p.name))]) {
    const ps = procs.filter((p) => p.name === name);
    const ok = ps.filter((p) => p.outcome === 'success');
    const lat = ok.map((p) => p.latencyMs).sort((a, b) => a - b);
    console.log(`${name.padEnd(48)} ${ok.length}/${ps.length} ok${lat.length ? `  median ${lat[lat.length >> 1].toFixed(2)} ms` : ''}`);
    for (const f of ps.filter((p) => p.outcome !== 'success').slice(0, 5)) console.log(`  failed ${f.ue ?? ''}: ${f.detail ?? ''}`);
  }
  const ues = r.ues ?? [];
  const failedUes = ues.filter((x) => x.error);
  for (const u of failedUes.slice(0, 5)) console.log(`  ${u.supi}: ${u.error}`);
  const orderErrors = r.orderErrors ?? [];
  for (const l of orderErrors.slice(0, 5)) console.log(`  ${l}`);
  const left = Object.keys(r.leftBehind);
  if (left.length) console.log(`left behind: ${JSON.stringify(r.leftBehind)}`);
  else if (r.ledgersChecked.length === 1 && r.ledgersChecked[0] === 'gNB') console.log(`the gNB's ledger is back where it started${o.external ? ' (the core NFs run elsewhere: each prints its ledger when it stops)' : ''}`);
  else if (r.ledgersChecked.length > 1) console.log(`every NF ledger is back where it started (${r.ledgersChecked.join(', ')})`);
  const written = [r.files.capture, r.files.ladder, r.files.summary].filter(Boolean);
  console.log(written.length ? `\nwrote ${written.join(', ')}${r.interrupted ? ' (marked interrupted)' : ''}` : '\nnothing written: the network did not start (the previous outputs are untouched)');
  if (r.files.capture) console.log(`open it: wireshark ${r.files.capture}   (or: npx wire5g decode ${r.files.capture} --json)`);
  const failedProcs = procs.filter((p) => p.outcome !== 'success');
  if (r.interrupted) {
    console.log(`INTERRUPTED after ${ues.length}${o.total !== undefined ? ` of ${o.total}` : ''} UEs started`);
    return 130;
  }
  if (!r.ok) {
    const why = [failedProcs.length ? `${failedProcs.length} procedure(s) failed` : '', failedUes.length ? `${failedUes.length} UE(s) failed` : '', left.length ? `state left behind in ${left.join(', ')}` : '', orderErrors.length ? `${orderErrors.length} step order(s) not followed` : ''].filter(Boolean);
    console.log(`FAILED: ${why.join('; ') || 'see above'}`);
    return 1;
  }
  console.log(`OK: ${ues.length} UE(s), ${procs.length} procedures succeeded`);
  return 0;
}
