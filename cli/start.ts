// `wire5g start <nf> --config FILE`: one core NF in this process, on the address the config gives
// it, until SIGINT/SIGTERM. Several of these (one per NF) and `wire5g run --external-core` make the
// same network as `wire5g run`, with every NF in its own process.

import { loadConfig } from '../nodes/common/config.ts';
import { startNf, CORE_NFS, type CoreNf } from '../nodes/core.ts';
import { Capture } from '../transport/capture/capture.ts';
import { subscribeTrace, ladderLine } from '../nodes/common/trace.ts';
import { defineCommand, UsageError } from './args.ts';
import { acquireLocks, addressLockFile } from './run-lock.ts';

export const startCommand = defineCommand({
  name: 'start',
  summary: `run one core NF (${CORE_NFS.join(', ')}) in this process until Ctrl-C`,
  description: `Runs one core NF (${CORE_NFS.join(', ')}) on the address the configuration gives it, printing 'wire5g <nf> ready on <address>' once it serves, until SIGINT/SIGTERM. Start nrf, then udr udm ausf pcf upf bsf chf nwdaf af, then smf, then amf, then 'wire5g run --external-core' with the same --config (see README).`,
  positionals: { syntax: '<nf>', min: 1, max: 1 },
  options: {
    config: { kind: 'string', arg: 'FILE', default: 'the embedded defaults (config/default.yaml)', help: 'network configuration (YAML); every process of one network must use the same file' },
    capture: { kind: 'string', arg: 'FILE', default: 'none', help: "write this NF's traffic to a pcapng file (merge several with mergecap)" },
    ladder: { kind: 'flag', help: 'print each message this NF sends or receives as a ladder line' },
    verbose: { kind: 'flag', help: "print the NF's log (peers, retries, errors) on stderr" },
  },
  async run({ values, positionals }) {
    const nf = positionals[0] as CoreNf;
    if (!CORE_NFS.includes(nf)) throw new UsageError(`unknown NF '${positionals[0]}'; one of ${CORE_NFS.join(', ')} (the gNB and UEs run with 'wire5g run --external-core')`);
    const cfg = loadConfig(values.config);
    // issue 17: the two PLMNs and their SEPPs start together in one process only
    if (cfg.roaming.enabled) throw new UsageError(`roaming.enabled: the home PLMN and the SEPPs run in one process only ('wire5g run' or 'wire5g up'); 'wire5g start' does not start them`);
    const capture = values.capture ? Capture.toFile(values.capture) : undefined;
    if (values.ladder) subscribeTrace((e) => console.log(ladderLine(e)));
    acquireLocks([addressLockFile(cfg.addresses[nf])], { command: `wire5g start ${nf}`, addresses: [cfg.addresses[nf]] }, `stop it first, or give this NF another address (--config)`);
    // without --verbose, only what needs the user: a peer that cannot be reached, a retry, a failure
    const log = values.verbose ? (l: string) => console.error(l) : (l: string) => {
      if (/unreachable|unanswered|no answer|failed|ECONNREFUSED|trying again/i.test(l)) console.error(l);
    };
    if (nf === 'smf') console.log(`wire5g smf: setting up the PFCP association with the UPF ${cfg.addresses.upf}:${cfg.ports.pfcp} before serving`);
    const h = await startNf(nf, cfg, { ...(capture ? { tap: capture } : {}), log });
    console.log(`wire5g ${nf} ready on ${cfg.addresses[nf]}${nf === 'smf' ? ` (PFCP association with the UPF ${cfg.addresses.upf} up)` : ''}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    console.log(`wire5g ${nf} stopping; ledger ${JSON.stringify(h.ledger.snapshot())}`);
    await h.stop();
    capture?.close();
    return 0;
  },
});
