// `wire5g up`: a network that stays up. The core (or, with --external-core, the NFs of `wire5g
// start` elsewhere), the gNB and N UEs, registered with a PDU session each; then it serves the
// control API for `wire5g ctl` until Ctrl-C or `wire5g ctl down`. Exits non-zero when a procedure
// failed or a ledger did not return to its start.

import { parseArgs } from 'node:util';
import { loadConfig } from '../nodes/common/config.ts';
import { LiveNetwork, claimOutDir, serveControl, OutDirInUse, type StopResult } from '../nodes/control/index.ts';
import { printRunOutcome } from './outcome.ts';

export const UP_USAGE = 'wire5g up [--config FILE] [--ues N] [--out DIR] [--external-core] [--parallel N] [--no-pdu] [--verbose]';

export async function upCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        config: { type: 'string' }, ues: { type: 'string' }, out: { type: 'string' }, 'external-core': { type: 'boolean' },
        parallel: { type: 'string' }, 'no-pdu': { type: 'boolean' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
    if (parsed.values.ues !== undefined && !/^\d+$/.test(parsed.values.ues)) throw new TypeError(`--ues must be a number, got '${parsed.values.ues}'`);
    if (parsed.values.parallel !== undefined && !/^[1-9]\d*$/.test(parsed.values.parallel)) throw new TypeError(`--parallel must be a positive number, got '${parsed.values.parallel}'`);
  } catch (e) {
    process.stderr.write(`wire5g up: ${(e as Error).message}\nusage: ${UP_USAGE}\n`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(`usage: ${UP_USAGE}\n`);
    return 0;
  }
  const cfg = loadConfig(values.config);
  if (values.ues !== undefined) cfg.ue.count = Number(values.ues);
  const parallel = Number(values.parallel ?? 50);
  const outDir = values.out ?? cfg.outDir;
  const verbose = values.verbose === true;
  let release: () => void;
  try {
    release = claimOutDir(outDir);
  } catch (e) {
    if (e instanceof OutDirInUse) {
      process.stderr.write(`wire5g up: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  try {
    const quiet = cfg.ue.count > 5 && !verbose;
    const net = await LiveNetwork.start(cfg, { outDir, externalCore: values['external-core'] === true, ...(quiet ? {} : { print: (l: string) => console.log(l) }), ...(verbose ? { log: (l: string) => console.error(l) } : {}) });
    const supis = cfg.ue.count > 0 ? net.addConfiguredUes() : [];
    let next = 0;
    let failures = 0;
    await Promise.all(Array.from({ length: Math.min(parallel, supis.length) }, async () => {
      while (next < supis.length) {
        const supi = supis[next++];
        try {
          await net.register(supi);
          if (values['no-pdu'] !== true) await net.establishPduSession(supi);
        } catch (e) {
          failures++;
          console.error(`wire5g up: ${supi}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }));
    let stopping: Promise<StopResult> | undefined;
    const stopped = new Promise<StopResult>((resolve) => {
      const stop = () => {
        stopping ??= net.stop();
        void stopping.then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      void serveControl(net, { outDir, onStopped: stop }).then((server) => {
        void stopped.then(() => server.close());
        console.log(`\nwire5g up: ${supis.length - failures}/${supis.length} UE(s) registered${values['no-pdu'] ? '' : ' with a PDU session'}; capture growing in ${outDir}/run.pcapng`);
        console.log(`ready: control it with 'npx wire5g ctl --out ${outDir} status' (ue <supi> register|deregister|pdu|ping|add, dump, down); stop with Ctrl-C or 'npx wire5g ctl --out ${outDir} down'`);
      }, (e: unknown) => {
        console.error(`wire5g up: control API: ${e instanceof Error ? e.message : String(e)}`);
        stop();
      });
    });
    const r = await stopped;
    printRunOutcome(r);
    return r.ok && failures === 0 ? 0 : 1;
  } finally {
    release();
  }
}
