// A benchmark suite with one task that throws, for test/benchmarks/lib.test.ts.
import { runSuite } from '../../benchmarks/lib.ts';

let n = 0;
await runSuite('failing', [
  { name: 'adds', fn: () => (n += 1) },
  { name: 'throws', fn: () => { throw new Error('the UPF is not there'); } },
], { time: 20, warmupTime: 5, ratios: [['throws vs adds', 'throws', 'adds']] });
