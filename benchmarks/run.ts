// `npm run bench`: runs every benchmarks/*.bench.ts (or those named on the command line) in turn,
// each in its own process so one suite's JIT state and garbage do not colour the next.

import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const suites = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
const failed: string[] = [];
for (const s of suites) {
  // --expose-gc: suites that report memory per UE collect garbage before they read it
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, s)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed.push(s);
    console.error(`bench: ${s} FAILED (${r.status === null ? `killed by ${r.signal}` : `exit ${r.status}`}${r.error ? `: ${r.error.message}` : ''}); its failing tasks are named above and have no row in out/bench`);
  }
}
if (suites.length === 0) console.error(`bench: no benchmark suite matched ${wanted.join(' ')}`);
else if (failed.length) console.error(`bench: FAILED: ${failed.length} of ${suites.length} suites (${failed.join(', ')})`);
process.exit(failed.length || suites.length === 0 ? 1 : 0);
