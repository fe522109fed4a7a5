// The end of a run on the console (wire5g up, wire5g run --scenario): procedures with their
// outcome and median latency, failures, what was left behind, and the files written.

interface Procedure {
  name: string;
  outcome: string;
  latencyMs: number;
  ue?: string;
  detail?: string;
}

export function printRunOutcome(r: { summary: Record<string, unknown>; leftBehind: Record<string, unknown>; files: { capture?: string; ladder: string; summary: string } }): void {
  const procs = (r.summary.procedures ?? []) as Procedure[];
  console.log('');
  for (const name of [...new Set(procs.map((p) => p.name))]) {
    const ps = procs.filter((p) => p.name === name);
    const ok = ps.filter((p) => p.outcome === 'success');
    const lat = ok.map((p) => p.latencyMs).sort((a, b) => a - b);
    console.log(`${name.padEnd(48)} ${ok.length}/${ps.length} ok${lat.length ? `  median ${lat[lat.length >> 1].toFixed(2)} ms` : ''}`);
    for (const f of ps.filter((p) => p.outcome !== 'success').slice(0, 5)) console.log(`  FAILED ${f.ue ?? ''}: ${f.detail ?? ''}`);
  }
  if (Object.keys(r.leftBehind).length) console.log(`left behind: ${JSON.stringify(r.leftBehind)}`);
  else console.log('every NF ledger is back where it started');
  console.log(`\nwrote ${[r.files.capture, r.files.ladder, r.files.summary].filter(Boolean).join(', ')}`);
  if (r.files.capture) console.log(`open it: wireshark ${r.files.capture}   (or: npx wire5g decode ${r.files.capture} --json)`);
}
