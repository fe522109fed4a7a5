// Shared benchmark runner: tinybench tasks -> one JSON file per suite under out/bench/,
// in the format {"suite","node","date","results":[{name,nsPerOp,opsPerSec,samples,rme}],
// "ratios":[{name,of,to,value}]}, so runs can be compared. Figures are reported as ratios
// against a baseline measured in the same run; nothing here asserts a speed.

import { Bench } from 'tinybench';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchTask {
  name: string;
  fn: () => unknown;
}

export interface BenchResult {
  name: string;
  nsPerOp: number;
  opsPerSec: number;
  samples: number;
  /**
   * tinybench's relative margin of error of the mean, in percent; null where the figure is not a
   * mean of samples (the best round of CPU time, or one timed run), so it has no margin to give.
   */
  rme: number | null;
}

export interface BenchRatio {
  name: string;
  /** Task whose cost is measured. */
  of: string;
  /** Task it is compared to (the baseline or a reference). */
  to: string;
  /** nsPerOp(of) / nsPerOp(to). */
  value: number;
}

export interface SuiteReport {
  suite: string;
  node: string;
  date: string;
  results: BenchResult[];
  ratios: BenchRatio[];
  /** Free-form extra figures (e.g. reference numbers from other implementations). */
  notes?: Record<string, unknown>;
}

export interface SuiteOptions {
  time?: number;
  warmupTime?: number;
  /** Pairs [name, of, to] to report as ratios. */
  ratios?: [string, string, string][];
  notes?: Record<string, unknown>;
  /** Extra results measured outside tinybench (e.g. loopback throughput), merged into the file. */
  extraResults?: BenchResult[];
}

/** Where suites write their JSON: out/bench, or WIRE5G_BENCH_OUT. */
export const outDir = process.env.WIRE5G_BENCH_OUT ?? join(process.cwd(), 'out', 'bench');

export async function runSuite(suite: string, tasks: BenchTask[], opts: SuiteOptions = {}): Promise<SuiteReport> {
  const bench = new Bench({ time: opts.time ?? 500, warmupTime: opts.warmupTime ?? 100 });
  for (const t of tasks) bench.add(t.name, t.fn);
  await bench.run();
  const results = completedResults(suite, bench);
  if (opts.extraResults) results.push(...opts.extraResults);
  return writeReport(suite, results, opts);
}

/**
 * The results of a tinybench run's completed tasks. A task that threw (or never completed) is
 * reported on stderr with its error and makes the process exit non-zero; it has no row, so no NaN
 * or null is ever written for it.
 */
export function completedResults(suite: string, bench: Bench, perOp: (name: string) => number = () => 1): BenchResult[] {
  const results: BenchResult[] = [];
  for (const t of bench.tasks) {
    const r = t.result as unknown as { state?: string; error?: Error; latency?: { mean: number; rme: number; samples?: number[]; samplesCount?: number } } | undefined;
    if (!r || r.state !== 'completed' || !r.latency) {
      failTask(suite, t.name, r?.error ?? new Error(`did not complete (state ${r?.state ?? 'unknown'})`));
      continue;
    }
    const meanMs = r.latency.mean / perOp(t.name);
    results.push({ name: t.name, nsPerOp: meanMs * 1e6, opsPerSec: meanMs > 0 ? 1000 / meanMs : 0, samples: r.latency.samplesCount ?? r.latency.samples?.length ?? 0, rme: r.latency.rme });
  }
  return results;
}

/** Reports a failed task (its error, first line and where) and marks the run failed. */
export function failTask(suite: string, task: string, e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  console.error(`bench ${suite}: task '${task}' FAILED: ${err.message}${err.stack ? `\n${err.stack.split('\n').slice(1, 4).join('\n')}` : ''}`);
  process.exitCode = 1;
}

export function writeReport(suite: string, all: BenchResult[], opts: Pick<SuiteOptions, 'ratios' | 'notes'> = {}): SuiteReport {
  // a figure that is not a number is a failure, never a row (JSON would write it as null)
  const results = all.filter((r) => {
    const ok = [r.nsPerOp, r.opsPerSec, r.samples].every(Number.isFinite) && (r.rme === null || Number.isFinite(r.rme)) && r.samples > 0;
    if (!ok) failTask(suite, r.name, new Error(`no valid measurement (nsPerOp ${r.nsPerOp}, samples ${r.samples}, rme ${r.rme})`));
    return ok;
  });
  const byName = new Map(results.map((r) => [r.name, r]));
  const ratios: BenchRatio[] = (opts.ratios ?? []).flatMap(([name, of, to]) => {
    const a = byName.get(of), b = byName.get(to);
    return a && b && b.nsPerOp > 0 ? [{ name, of, to, value: a.nsPerOp / b.nsPerOp }] : [];
  });
  const report: SuiteReport = { suite, node: process.version, date: new Date().toISOString(), results, ratios, ...(opts.notes ? { notes: opts.notes } : {}) };
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${suite}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  printReport(report, file);
  return report;
}

function printReport(r: SuiteReport, file: string): void {
  console.log(`\n## ${r.suite} (${r.node})`);
  for (const x of r.results) console.log(`  ${x.name.padEnd(56)} ${x.nsPerOp.toFixed(1).padStart(12)} ns/op ${x.opsPerSec.toFixed(0).padStart(12)} op/s  ${x.rme === null ? '(min or single run)' : `±${x.rme.toFixed(2)}%`}`);
  for (const x of r.ratios) console.log(`  ratio ${x.name}: ${x.value.toFixed(3)} (${x.of} / ${x.to})`);
  console.log(`  -> ${file}`);
}

/** Keeps a value alive so the JIT cannot drop the work that produced it. */
export let sink: unknown;
export function consume(v: unknown): void {
  sink = v;
}

/** Peer figures recorded in benchmarks/peers.json (measured outside node; see that file's recipe). */
export interface PeerFigures {
  measured: string;
  machine: string;
  method: string;
  recipe: string;
  figures: Record<string, number>;
}

export function recordedPeers(): PeerFigures {
  return JSON.parse(readFileSync(join(process.cwd(), 'benchmarks', 'peers.json'), 'utf8')) as PeerFigures;
}

/**
 * The recorded peer figures whose names start with `prefix` ('pfcp ', 'gtpu ', 'nas ', 'ngap '),
 * for a suite's notes: ns per call, best round of CPU time, measured outside node on the date
 * given. benchmarks/codec-speed.bench.ts compares against them (or re-measures them in its run).
 */
export function peerNotes(prefix: string): Record<string, unknown> {
  const p = recordedPeers();
  const figures = Object.fromEntries(Object.entries(p.figures).filter(([k]) => k.startsWith(prefix)));
  return { measuredOutsideNode: p.measured, machine: p.machine, method: p.method, unit: 'ns per call', figures };
}
