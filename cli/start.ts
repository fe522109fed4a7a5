// `wire5g start <nf> --config FILE`: one core NF in this process, on the address the config gives
// it, until SIGINT/SIGTERM. Several of these (one per NF) and `wire5g run --external-core` make the
// same network as `wire5g run`, with every NF in its own process.

import { parseArgs } from 'node:util';
import { loadConfig } from '../nodes/common/config.ts';
import { startNf, CORE_NFS, type CoreNf } from '../nodes/core.ts';
import { Capture } from '../transport/capture/capture.ts';
import { subscribeTrace, ladderLine } from '../nodes/common/trace.ts';

export async function startCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string' }, capture: { type: 'string' }, ladder: { type: 'boolean' }, verbose: { type: 'boolean' } } });
  const nf = positionals[0] as CoreNf;
  if (!CORE_NFS.includes(nf)) {
    process.stderr.write(`wire5g start: NF must be one of ${CORE_NFS.join(', ')} (the gNB and UEs run with 'wire5g run --external-core')\n`);
    return 2;
  }
  const cfg = loadConfig(values.config);
  const capturePath = values.capture;
  const capture = capturePath ? Capture.toFile(capturePath) : undefined;
  const verbose = values.verbose === true;
  if (values.ladder) subscribeTrace((e) => console.log(ladderLine(e)));
  const h = await startNf(nf, cfg, { ...(capture ? { tap: capture } : {}), ...(verbose ? { log: (l: string) => console.error(l) } : {}) });
  console.log(`wire5g ${nf} ready on ${cfg.addresses[nf]}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  console.log(`wire5g ${nf} stopping; ledger ${JSON.stringify(h.ledger.snapshot())}`);
  await h.stop();
  capture?.close();
  return 0;
}
