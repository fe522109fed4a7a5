// `wire5g up`: a network that stays up. The core (or, with --external-core, the NFs of `wire5g
// start` elsewhere), the gNB and N UEs, registered with a PDU session each; then it serves the
// control API for `wire5g ctl` until Ctrl-C or `wire5g ctl down`. It takes the same out-directory
// and address locks as `wire5g run`, so a run and an up never write into each other's outputs.
// Exits 0 when every procedure succeeded and every ledger returned to its start, 1 otherwise,
// 130 when Ctrl-C came before the network was ready.

import { loadConfig } from '../nodes/common/config.ts';
import type { ScenarioProgress } from '../nodes/scenario.ts';
import { LiveNetwork, claimOutDir, serveControl, OutDirInUse } from '../nodes/control/index.ts';
import { CommandFailed, defineCommand } from './args.ts';
import { claimRun, onInterrupt } from './run-lock.ts';
import { reportProgress } from './progress.ts';
import { reportRun } from './outcome.ts';
import { setUeCount } from './run.ts';
import { setSbiHttp2 } from '../transport/sbi/http2-choice.ts';

export const upCommand = defineCommand({
  name: 'up',
  summary: "start a network that stays up, driven with 'wire5g ctl' until Ctrl-C or 'wire5g ctl down'",
  description: "Starts the core (or, with --external-core, uses the NFs of 'wire5g start'), the gNB and N UEs, registers them and establishes a PDU session each, prints a ready line, and serves 'wire5g ctl' (control API on 127.0.0.1, token in <out>/control.json, mode 0600) until Ctrl-C or 'wire5g ctl down'. The capture grows in <out>/run.pcapng as it runs (readable at any moment); ladder.md and summary.json are written at exit and on 'wire5g ctl dump'. One run or up per out directory and per address.",
  options: {
    config: { kind: 'string', arg: 'FILE', default: 'the embedded defaults (config/default.yaml)', help: 'network configuration (YAML): any key of config/default.yaml, the rest stays default' },
    out: { kind: 'string', arg: 'DIR', default: 'outDir of the config (out)', help: "directory for run.pcapng, ladder.md, summary.json and control.json; 'wire5g ctl --out DIR' finds the network by it" },
    ues: { kind: 'integer', arg: 'N', min: 0, default: 'ue.count of the config (1)', help: "UEs registered at start (0: none; bring them in later with 'wire5g ctl ue <supi> add')" },
    parallel: { kind: 'integer', arg: 'N', default: '50', help: 'UEs registering at the same time at start' },
    'no-pdu': { kind: 'flag', help: 'register the UEs without establishing a PDU session' },
    'external-core': { kind: 'flag', help: "the core NFs run elsewhere ('wire5g start <nf>'): only the gNB and the UEs run here" },
    'core-wait': { kind: 'integer', arg: 'SECONDS', default: '120', help: 'with --external-core: how long to wait for the core NFs and the NG Setup' },
    quiet: { kind: 'flag', help: 'print neither the ladder nor the progress line at start, only the ready line and the result' },
    verbose: { kind: 'flag', help: "print the NFs' logs on stderr" },
  },
  async run({ values }) {
    const cfg = loadConfig(values.config);
    setSbiHttp2(cfg.sbi.http2); // the configuration's sbi.http2; WIRE5G_SBI_HTTP2, when set, wins
    if (values.ues !== undefined) setUeCount(cfg, values.ues, `--ues ${values.ues}`);
    const outDir = values.out ?? cfg.outDir;
    const external = values['external-core'];
    const release = claimRun('wire5g up', outDir, external ? [cfg.addresses.gnb] : Object.values(cfg.addresses));
    let releaseControl: () => void = () => undefined;
    const interrupt = onInterrupt('wire5g up', 'stopping: registered UEs switch off, then ladder.md and summary.json are written (Ctrl-C again to quit at once)', `stopped at once; ladder.md and summary.json not written (${outDir}/run.pcapng holds the capture so far)`);
    try {
      try {
        releaseControl = claimOutDir(outDir);
      } catch (e) {
        if (e instanceof OutDirInUse) throw new CommandFailed(e.message);
        throw e;
      }
      const ladder = cfg.ue.count <= 5 && !values.quiet;
      const progress: ScenarioProgress = { ues: cfg.ue.count, registered: 0, withSession: 0, deregistered: 0, failed: 0, finished: 0 };
      const net = await LiveNetwork.start(cfg, {
        outDir,
        externalCore: external,
        ...(ladder ? { print: (l: string) => console.log(l) } : {}),
        ...(values.verbose ? { log: (l: string) => console.error(l) } : {}),
        signal: interrupt.signal,
        status: (l: string) => console.error(`wire5g up: ${l}`),
        ...(values['core-wait'] !== undefined ? { coreWaitMs: values['core-wait'] * 1000 } : {}),
      });
      const supis = cfg.ue.count > 0 ? net.addConfiguredUes() : [];
      const stopProgress = ladder || values.quiet ? () => undefined : reportProgress(progress);
      let next = 0;
      const failures = new Map<string, string>();
      await Promise.all(Array.from({ length: Math.min(values.parallel ?? 50, supis.length) }, async () => {
        while (next < supis.length && !interrupt.signal.aborted) {
          const supi = supis[next++];
          try {
            await net.register(supi);
            progress.registered++;
            if (!values['no-pdu']) {
              await net.establishPduSession(supi);
              progress.withSession++;
            }
          } catch (e) {
            progress.failed++;
            failures.set(supi, e instanceof Error ? e.message : String(e));
            console.error(`wire5g up: ${supi}: ${failures.get(supi)}`);
          } finally {
            progress.finished++;
          }
        }
      }));
      stopProgress();
      // Ctrl-C before the network was ready interrupts it; after, Ctrl-C is how it stops
      const interruptedAtStart = interrupt.signal.aborted;
      if (!interruptedAtStart) {
        let asked: () => void = () => undefined;
        const askedToStop = new Promise<void>((resolve) => (asked = resolve));
        interrupt.signal.addEventListener('abort', () => asked(), { once: true });
        // `ctl down` stops the network itself (nodes/control/commands.ts), then this
        const server = await serveControl(net, { outDir, onStopped: () => asked() }).catch((e: unknown) => {
          console.error(`wire5g up: control API: ${e instanceof Error ? e.message : String(e)}`);
          return undefined;
        });
        if (server) {
          const ok = supis.length - progress.failed;
          console.log(`\nwire5g up: ${ok}/${supis.length} UE(s) registered${values['no-pdu'] ? '' : ' with a PDU session'}; capture growing in ${outDir}/run.pcapng`);
          console.log(`ready: control it with 'npx wire5g ctl --out ${outDir} status' (ue <supi> register|deregister|pdu|ping|add, dump, down; 'npx wire5g ctl --help'); stop with Ctrl-C or 'npx wire5g ctl --out ${outDir} down'`);
          await askedToStop;
          await net.stop();
          await server.close();
        }
      }
      const r = await net.stop({ interrupted: interruptedAtStart });
      // interrupted at start: only the UEs that started count
      const started = supis.slice(0, interruptedAtStart ? Math.min(next, supis.length) : supis.length);
      return reportRun({ ...r, ues: started.map((supi) => ({ supi, ...(failures.has(supi) ? { error: failures.get(supi) } : {}) })) }, { external, total: supis.length });
    } finally {
      interrupt.dispose();
      releaseControl();
      release();
    }
  },
});
