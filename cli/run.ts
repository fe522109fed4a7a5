// `wire5g run`: the default scenario on the embedded defaults (or a YAML config), printing the
// ladder (few UEs) or a progress line (many) as it goes; exits non-zero when a procedure failed or
// something was left behind, with FAILED on the last line.

import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, checkUeCount, ConfigError } from '../nodes/common/config.ts';
import { runScenario, type ScenarioProgress, type ScenarioResult } from '../nodes/scenario.ts';
import { defineCommand, UsageError } from './args.ts';
import { acquireLocks, addressLockFile } from './run-lock.ts';
import { reportProgress } from './progress.ts';

export const runCommand = defineCommand({
  name: 'run',
  summary: 'run the default scenario (every NF here, or only the gNB and UEs with --external-core)',
  description: 'Runs the default scenario: NG Setup, then per UE Registration, PDU Session Establishment, pings through the user plane and Deregistration. Writes run.pcapng, ladder.md and summary.json to the out directory (all three replaced only when the run completes). Exits 0 when every procedure succeeded and every ledger is back where it started, 1 otherwise (last line FAILED), 130 when interrupted.',
  options: {
    scenario: { kind: 'string', arg: 'FILE|NAME', default: 'none: the per-UE sequence described above', help: "run a scenario file instead ('wire5g scenarios' lists the built-in ones; cli/scenarios.ts reads its options: --config --out --ues --external-core --verbose)" },
    config: { kind: 'string', arg: 'FILE', default: 'the embedded defaults (config/default.yaml)', help: 'network configuration (YAML): any key of config/default.yaml, the rest stays default' },
    out: { kind: 'string', arg: 'DIR', default: 'outDir of the config (out)', help: 'directory for run.pcapng, ladder.md, summary.json (the UDR database stays at udr.database)' },
    ues: { kind: 'integer', arg: 'N', default: 'ue.count of the config (1)', help: 'number of UEs; more than the configured subscribers are derived from the first (MSIN + n)' },
    parallel: { kind: 'integer', arg: 'N', default: '50 with several UEs, else 1', help: 'UEs running their procedures at the same time' },
    pings: { kind: 'integer', arg: 'N', default: '3', help: 'pings each UE sends through the user plane' },
    deregistration: { kind: 'choice', choices: ['switch-off', 'normal', 'mixed', 'none'], default: 'switch-off', help: 'UE-initiated deregistration type; mixed alternates per UE; none leaves the UEs registered' },
    'external-core': { kind: 'flag', help: "the core NFs run elsewhere ('wire5g start <nf>'): only the gNB and the UEs run here" },
    'core-wait': { kind: 'integer', arg: 'SECONDS', default: '120', help: 'with --external-core: how long to wait for the core NFs and the NG Setup' },
    quiet: { kind: 'flag', help: 'print neither the ladder nor the progress line, only the result' },
    verbose: { kind: 'flag', help: "print the NFs' logs on stderr" },
  },
  async run({ values }) {
    // cli/main.ts hands `run --scenario` to cli/scenarios.ts before options are parsed here
    if (values.scenario !== undefined) throw new UsageError('--scenario is handled by cli/scenarios.ts');
    const cfg = loadConfig(values.config);
    if (values.ues !== undefined) {
      cfg.ue.count = values.ues;
      try {
        checkUeCount(cfg, values.ues);
      } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(`--ues ${values.ues}: ${e.message.replace(/^ue\.count: /, '')}`);
        throw e;
      }
    }
    const outDir = values.out ?? cfg.outDir;
    const external = values['external-core'];
    if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new UsageError(`--out ${outDir} is a file, not a directory; give a directory (it is created if absent)`);
    // before anything is bound or written: nobody else runs in this directory or on these addresses
    const addresses = external ? [cfg.addresses.gnb] : Object.values(cfg.addresses);
    const release = acquireLocks([join(outDir, '.wire5g-run.lock'), ...addresses.map(addressLockFile)], { command: 'wire5g run', outDir, addresses }, 'wait for it to finish, or give this run its own --out and addresses (--config)');
    const temps = (): void => {
      for (const f of readdirSync(outDir)) if (f.endsWith(`.${process.pid}.tmp`)) rmSync(join(outDir, f), { force: true });
    };
    process.once('exit', temps);
    const stop = new AbortController();
    const onSigint = (): void => {
      if (stop.signal.aborted) {
        process.stderr.write('\nwire5g run: stopped at once; nothing written\n');
        process.exit(130);
      }
      process.stderr.write('\nwire5g run: interrupted; the UEs under way finish, then the outputs are written marked "interrupted" (Ctrl-C again to quit at once)\n');
      stop.abort();
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    console.log(`wire5g: ${cfg.ue.count} UE(s), PLMN ${cfg.plmn.mcc}/${cfg.plmn.mnc}, TAC ${cfg.tac}, S-NSSAI ${cfg.snssai.sst}${cfg.snssai.sd ? `/${cfg.snssai.sd}` : ''}, DNN ${cfg.dnn}, ciphering ${cfg.security.ciphering}; ${external ? `external core, AMF ${cfg.addresses.amf}` : `AMF ${cfg.addresses.amf}, SMF ${cfg.addresses.smf}, UPF ${cfg.addresses.upf}`}, gNB ${cfg.addresses.gnb}`);
    const ladder = cfg.ue.count <= 5 && !values.quiet;
    const progress: ScenarioProgress = { ues: cfg.ue.count, registered: 0, withSession: 0, deregistered: 0, failed: 0, finished: 0 };
    const stopProgress = ladder || values.quiet ? () => undefined : reportProgress(progress);
    let r: Awaited<ReturnType<typeof runScenario>>;
    try {
      r = await runScenario(cfg, {
        outDir,
        ...(ladder ? { print: (l: string) => console.log(l) } : {}),
        ...(values.verbose ? { log: (l: string) => console.error(l) } : {}),
        externalCore: external,
        ...(values.deregistration ? { deregistration: values.deregistration } : {}),
        ...(values.pings !== undefined ? { pings: values.pings } : {}),
        parallel: values.parallel ?? (cfg.ue.count > 1 ? 50 : 1),
        signal: stop.signal,
        progress,
        status: (l: string) => console.error(`wire5g run: ${l}`),
        ...(values['core-wait'] !== undefined ? { coreWaitMs: values['core-wait'] * 1000 } : {}),
      });
    } finally {
      stopProgress();
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      release();
    }
    return report(r, external, progress.ues);
  },
});

type Procedure = { name: string; outcome: string; latencyMs: number; ue?: string; detail?: string };

/** Prints the outcome; the last line says FAILED or INTERRUPTED when the run is not a success. */
function report(r: ScenarioResult, external: boolean, total: number): number {
  const procs = (r.summary.procedures ?? []) as Procedure[];
  console.log('');
  for (const name of [...new Set(procs.map((p) => p.name))]) {
    const ps = procs.filter((p) => p.name === name);
    const ok = ps.filter((p) => p.outcome === 'success');
    const lat = ok.map((p) => p.latencyMs).sort((a, b) => a - b);
    console.log(`${name.padEnd(48)} ${ok.length}/${ps.length} ok${lat.length ? `  median ${lat[lat.length >> 1].toFixed(2)} ms` : ''}`);
    for (const f of ps.filter((p) => p.outcome !== 'success').slice(0, 5)) console.log(`  failed ${f.ue ?? ''}: ${f.detail ?? ''}`);
  }
  const failedUes = r.ues.filter((x) => x.error);
  for (const u of failedUes.slice(0, 5)) console.log(`  ${u.supi}: ${u.error}`);
  const left = Object.keys(r.leftBehind);
  if (left.length) console.log(`left behind: ${JSON.stringify(r.leftBehind)}`);
  else if (r.ledgersChecked.length === 1 && r.ledgersChecked[0] === 'gNB') console.log(`the gNB's ledger is back where it started${external ? " (the core NFs run elsewhere: each prints its ledger when it stops)" : ''}`);
  else if (r.ledgersChecked.length > 1) console.log(`every NF ledger is back where it started (${r.ledgersChecked.join(', ')})`);
  const written = [r.files.capture, r.files.ladder, r.files.summary].filter(Boolean);
  console.log(written.length ? `\nwrote ${written.join(', ')}${r.interrupted ? ' (marked interrupted)' : ''}` : '\nnothing written: the network did not start (the previous outputs are untouched)');
  if (r.files.capture) console.log(`open it: wireshark ${r.files.capture}   (or: npx wire5g decode ${r.files.capture} --json)`);
  const failedProcs = procs.filter((p) => p.outcome !== 'success');
  if (r.interrupted) {
    console.log(`INTERRUPTED after ${r.ues.length} of ${total} UEs started`);
    return 130;
  }
  if (!r.ok) {
    const why = [failedProcs.length ? `${failedProcs.length} procedure(s) failed` : '', failedUes.length ? `${failedUes.length} UE(s) failed` : '', left.length ? `state left behind in ${left.join(', ')}` : ''].filter(Boolean);
    console.log(`FAILED: ${why.join('; ') || 'see above'}`);
    return 1;
  }
  console.log(`OK: ${r.ues.length} UE(s), ${procs.length} procedures succeeded`);
  return 0;
}
