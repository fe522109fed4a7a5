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
let failed = 0;
for (const s of suites) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, s)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
if (suites.length === 0) console.error('no benchmark suite matched');
process.exit(failed || suites.length === 0 ? 1 : 0);
