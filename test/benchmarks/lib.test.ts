// `npm run bench` never writes a number it did not measure (issue 13): a task that throws makes
// the suite exit non-zero with the task's error on stderr, and has no row (no NaN, no null) in the
// JSON. Judged from a real suite process's exit status, stderr and the file it wrote.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('benchmark runner', () => {
  it('a failing task: exit 1, its error printed, no NaN or null written', () => {
    const out = mkdtempSync(join(tmpdir(), 'wire5g-bench-'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/benchmarks/failing-suite.ts'], { cwd: root, env: { ...process.env, WIRE5G_BENCH_OUT: out }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain("bench failing: task 'throws' FAILED: the UPF is not there");
    const text = readFileSync(join(out, 'failing.json'), 'utf8');
    expect(text).not.toMatch(/null|NaN/);
    const report = JSON.parse(text) as { results: { name: string }[]; ratios: unknown[] };
    expect(report.results.map((x) => x.name)).toEqual(['adds']);
    expect(report.ratios).toEqual([]);
  }, 60_000);
});
