// `wire5g run`: the default scenario on the embedded defaults (or a YAML config), printing the
// ladder (few UEs) or a progress line (many) as it goes; exits non-zero when a procedure failed or
// something was left behind, with FAILED on the last line.

import { loadConfig, checkUeCount, ConfigError, type NetworkConfig } from '../nodes/common/config.ts';
import { runScenario, type ScenarioProgress } from '../nodes/scenario.ts';
import { loadScenario, runScenarioFile, scenarioConfig, ScenarioFileError, type Scenario } from '../nodes/control/scenario-file.ts';
import { defineCommand, UsageError } from './args.ts';
import { claimRun, onInterrupt } from './run-lock.ts';
import { reportProgress } from './progress.ts';
import { reportRun, type RunOutcome } from './outcome.ts';
import { setSbiHttp2 } from '../transport/sbi/http2-choice.ts';
import { realpathSync } from 'node:fs';
import { MAX_CORE_THREADS } from '../nodes/core-threads/layout.ts';
import type { CoreThreadEntry } from '../nodes/core-threads/threaded-core.ts';

/** `--ues N` (or a scenario's `ues:`) into the configuration, refused when the subscribers or the UE pool cannot hold it. */
export function setUeCount(cfg: NetworkConfig, count: number, what: string): void {
  cfg.ue.count = count;
  try {
    checkUeCount(cfg, count);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`${what}: ${e.message.replace(/^ue\.count: /, '')}`);
    throw e;
  }
}

/** The scenario file (or built-in name) of --scenario; a file that does not validate is a usage error. */
function scenarioOf(fileOrName: string): Scenario {
  try {
    return loadScenario(fileOrName);
  } catch (e) {
    if (e instanceof ScenarioFileError) throw new UsageError(`--scenario ${e.message}`);
    throw e;
  }
}

/** --threads N (its range judged with the options): refused where the run would start more than the core NFs the threads run (CORE_NFS). */
function checkThreads(n: number, cfg: NetworkConfig, o: { scenario: boolean; external: boolean }): void {
  if (o.external) throw new UsageError(`--threads ${n} does not apply to --external-core (the core runs elsewhere)`);
  if (o.scenario) throw new UsageError(`--threads ${n} does not apply to --scenario (a scenario file runs its core on the main thread)`);
  const extra = [cfg.roaming.enabled && 'roaming.enabled', cfg.snpn && 'snpn', cfg.eir && 'eir', cfg.amfs && cfg.amfs.length > 1 && 'several amfs'].filter(Boolean);
  if (extra.length) throw new UsageError(`--threads ${n}: not with ${extra.join(', ')} in the configuration (those NFs run on the main thread only)`);
}

/**
 * How the threads load the NFs: this command's own entry (bin/wire5g.js and its bundle), or under
 * tsx when the command runs from the sources. The command may have been started through a link to
 * its entry (npm's node_modules/.bin/wire5g, npm link: no .js), which the thread loads as the file
 * it links to: the link's name would send it to tsx, absent from an installed package.
 */
export function threadEntry(started = process.argv[1] ?? ''): CoreThreadEntry {
  let script = started;
  try {
    script = realpathSync(started);
  } catch {
    // not a file (an eval'd entry): judged by its name
  }
  return /\.m?js$/.test(script) ? { script } : { tsx: true };
}

export const runCommand = defineCommand({
  name: 'run',
  summary: 'run the default scenario, or a scenario file (every NF here, or only the gNB and UEs with --external-core)',
  description: "Runs the default scenario: NG Setup, then per UE Registration, PDU Session Establishment, pings through the user plane and Deregistration; or, with --scenario, a scenario file ('wire5g scenarios' lists the built-in ones; README 'Scenario files' gives the format). Writes run.pcapng, ladder.md and summary.json to the out directory (all three replaced only when the run completes). Exits 0 when every procedure succeeded and every ledger is back where it started, 1 otherwise (last line FAILED), 130 when interrupted (last line INTERRUPTED).",
  options: {
    scenario: { kind: 'string', arg: 'FILE|NAME', default: 'none: the per-UE sequence described above', help: "run a scenario file, or a built-in scenario by name ('wire5g scenarios' lists them); --parallel, --pings and --deregistration do not apply" },
    config: { kind: 'string', arg: 'FILE', default: 'the embedded defaults (config/default.yaml)', help: 'network configuration (YAML): any key of config/default.yaml, the rest stays default' },
    out: { kind: 'string', arg: 'DIR', default: 'outDir of the config (out)', help: 'directory for run.pcapng, ladder.md, summary.json (the UDR database stays at udr.database)' },
    ues: { kind: 'integer', arg: 'N', default: "the scenario file's ues, else ue.count of the config (1)", help: 'number of UEs; more than the configured subscribers are derived from the first (MSIN + n)' },
    parallel: { kind: 'integer', arg: 'N', default: '50 with several UEs, else 1', help: 'UEs running their procedures at the same time' },
    pings: { kind: 'integer', arg: 'N', default: '3', help: 'pings each UE sends through the user plane' },
    deregistration: { kind: 'choice', choices: ['switch-off', 'normal', 'mixed', 'none'], default: 'switch-off', help: 'UE-initiated deregistration type; mixed alternates per UE; none leaves the UEs registered' },
    'external-core': { kind: 'flag', help: "the core NFs run elsewhere ('wire5g start <nf>'): only the gNB and the UEs run here" },
    'core-wait': { kind: 'integer', arg: 'SECONDS', default: '120', help: 'with --external-core: how long to wait for the core NFs and the NG Setup' },
    quiet: { kind: 'flag', help: 'print neither the ladder nor the progress line, only the result' },
    'no-capture': { kind: 'flag', help: 'write no run.pcapng (runs of many thousand UEs: a capture of 100,000 is several GB); ladder.md and summary.json are written' },
    verbose: { kind: 'flag', help: "print the NFs' logs on stderr" },
    threads: { kind: 'integer', arg: 'N', min: 0, max: MAX_CORE_THREADS, default: '0: every NF on the main thread', help: `the core NFs on N worker threads of this process (1-${MAX_CORE_THREADS}; groups in nodes/core-threads/layout.ts), the gNB and UEs on the main thread; nothing changes on the wire` },
  },
  async run({ values }) {
    // judged before anything is read, bound or written
    const scenario = values.scenario !== undefined ? scenarioOf(values.scenario) : undefined;
    if (scenario) {
      for (const o of ['parallel', 'pings', 'deregistration'] as const) {
        if (values[o] !== undefined) throw new UsageError(`--${o} does not apply to --scenario (the scenario file says what each UE does)`);
      }
    }
    const cfg = scenario ? scenarioConfig(loadConfig(values.config), scenario) : loadConfig(values.config);
    const threads = values.threads ?? 0;
    if (threads) checkThreads(threads, cfg, { scenario: scenario !== undefined, external: values['external-core'] === true });
    setSbiHttp2(cfg.sbi.http2); // the configuration's sbi.http2 (a scenario's config block included); WIRE5G_SBI_HTTP2, when set, wins
    if (values.ues !== undefined) setUeCount(cfg, values.ues, `--ues ${values.ues}`);
    else if (scenario?.ues !== undefined) setUeCount(cfg, scenario.ues, `scenario ${scenario.name}: ues ${scenario.ues}`);
    const outDir = values.out ?? cfg.outDir;
    const external = values['external-core'];
    // before anything is bound or written: nobody else runs in this directory or on these addresses
    const release = claimRun('wire5g run', outDir, external ? [cfg.addresses.gnb] : Object.values(cfg.addresses));
    const interrupt = onInterrupt('wire5g run', 'interrupted; the UEs under way finish, then the outputs are written marked "interrupted" (Ctrl-C again to quit at once)', `stopped at once; nothing written (the previous outputs in ${outDir} are untouched)`);
    const what = scenario ? `scenario ${scenario.name} (${scenario.description}); ` : '';
    console.log(`wire5g: ${what}${cfg.ue.count} UE(s), PLMN ${cfg.plmn.mcc}/${cfg.plmn.mnc}, TAC ${cfg.tac}, S-NSSAI ${cfg.snssai.sst}${cfg.snssai.sd ? `/${cfg.snssai.sd}` : ''}, DNN ${cfg.dnn}, ciphering ${cfg.security.ciphering}; ${external ? `external core, AMF ${cfg.addresses.amf}` : `AMF ${cfg.addresses.amf}, SMF ${cfg.addresses.smf}, UPF ${cfg.addresses.upf}`}, gNB ${cfg.addresses.gnb}`);
    const ladder = cfg.ue.count <= 5 && !values.quiet;
    const progress: ScenarioProgress = { ues: cfg.ue.count, registered: 0, withSession: 0, deregistered: 0, failed: 0, finished: 0 };
    const stopProgress = ladder || values.quiet ? () => undefined : reportProgress(progress);
    const common = {
      outDir,
      externalCore: external,
      ...(ladder ? { print: (l: string) => console.log(l) } : {}),
      ...(values.verbose ? { log: (l: string) => console.error(l) } : {}),
      signal: interrupt.signal,
      progress,
      ...(values['no-capture'] ? { capture: false } : {}),
      status: (l: string) => console.error(`wire5g run: ${l}`),
      ...(values['core-wait'] !== undefined ? { coreWaitMs: values['core-wait'] * 1000 } : {}),
    };
    let r: RunOutcome;
    try {
      if (scenario) {
        try {
          r = await runScenarioFile(cfg, scenario, { ...common, atomic: true, forceUes: true });
        } catch (e) {
          // the network did not start (an external core that never answered, an address in use): nothing was written
          r = { ok: false, summary: { procedures: [{ name: 'scenario', outcome: 'failure', latencyMs: 0, detail: e instanceof Error ? e.message : String(e) }] }, ues: [], files: {}, leftBehind: {}, ledgersChecked: [], interrupted: interrupt.signal.aborted };
        }
      } else {
        r = await runScenario(cfg, {
          ...common,
          ...(values.deregistration ? { deregistration: values.deregistration } : {}),
          ...(values.pings !== undefined ? { pings: values.pings } : {}),
          parallel: values.parallel ?? (cfg.ue.count > 1 ? 50 : 1),
          ...(threads ? { threads, threadEntry: threadEntry() } : {}),
        });
      }
    } finally {
      stopProgress();
      interrupt.dispose();
      release();
    }
    return reportRun(r, { external, total: progress.ues });
  },
});
