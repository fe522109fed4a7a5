// `wire5g run`: the default scenario on the embedded defaults (or a YAML config), printing the
// ladder (few UEs) or a progress line (many) as it goes; exits non-zero when a procedure failed or
// something was left behind, with FAILED on the last line.

import { loadConfig, checkUeCount, ConfigError } from '../nodes/common/config.ts';
import { runScenario } from '../nodes/scenario.ts';
import { defineCommand, UsageError } from './args.ts';

export const runCommand = defineCommand({
  name: 'run',
  summary: 'run the default scenario (every NF here, or only the gNB and UEs with --external-core)',
  description: 'Runs the default scenario: NG Setup, then per UE Registration, PDU Session Establishment, pings through the user plane and Deregistration. Writes run.pcapng, ladder.md and summary.json to the out directory (all three replaced only when the run completes). Exits 0 when every procedure succeeded and every ledger is back where it started, 1 otherwise (last line FAILED), 130 when interrupted.',
  options: {
    config: { kind: 'string', arg: 'FILE', default: 'the embedded defaults (config/default.yaml)', help: 'network configuration (YAML): any key of config/default.yaml, the rest stays default' },
    out: { kind: 'string', arg: 'DIR', default: 'outDir of the config (out)', help: 'directory for run.pcapng, ladder.md, summary.json (the UDR database stays at udr.database)' },
    ues: { kind: 'integer', arg: 'N', default: 'ue.count of the config (1)', help: 'number of UEs; more than the configured subscribers are derived from the first (MSIN + n)' },
    parallel: { kind: 'integer', arg: 'N', default: '50 with several UEs, else 1', help: 'UEs running their procedures at the same time' },
    pings: { kind: 'integer', arg: 'N', default: '3', help: 'pings each UE sends through the user plane' },
    deregistration: { kind: 'choice', choices: ['switch-off', 'normal', 'mixed', 'none'], default: 'switch-off', help: 'UE-initiated deregistration type; mixed alternates per UE; none leaves the UEs registered' },
    'external-core': { kind: 'flag', help: "the core NFs run elsewhere ('wire5g start <nf>'): only the gNB and the UEs run here" },
    quiet: { kind: 'flag', help: 'print neither the ladder nor the progress line, only the result' },
    verbose: { kind: 'flag', help: "print the NFs' logs on stderr" },
  },
  async run({ values }) {
    const cfg = loadConfig(values.config);
    if (values.ues !== undefined) {
      cfg.ue.count = values.ues;
      try {
        checkUeCount(cfg, values.ues);
      } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(`--ues ${values.ues}: ${e.message}`);
        throw e;
      }
    }
    const outDir = values.out ?? cfg.outDir;
    console.log(`wire5g: ${cfg.ue.count} UE(s), PLMN ${cfg.plmn.mcc}/${cfg.plmn.mnc}, TAC ${cfg.tac}, S-NSSAI ${cfg.snssai.sst}${cfg.snssai.sd ? `/${cfg.snssai.sd}` : ''}, DNN ${cfg.dnn}; AMF ${cfg.addresses.amf}, SMF ${cfg.addresses.smf}, UPF ${cfg.addresses.upf}, gNB ${cfg.addresses.gnb}`);
    const ladder = cfg.ue.count <= 5 && !values.quiet;
    const r = await runScenario(cfg, {
      outDir,
      ...(ladder ? { print: (l: string) => console.log(l) } : {}),
      ...(values.verbose ? { log: (l: string) => console.error(l) } : {}),
      externalCore: values['external-core'],
      ...(values.deregistration ? { deregistration: values.deregistration } : {}),
      ...(values.pings !== undefined ? { pings: values.pings } : {}),
      parallel: values.parallel ?? (cfg.ue.count > 1 ? 50 : 1),
    });
    const procs = (r.summary.procedures ?? []) as { name: string; outcome: string; latencyMs: number; ue?: string; detail?: string }[];
    console.log('');
    for (const name of [...new Set(procs.map((p) => p.name))]) {
      const ps = procs.filter((p) => p.name === name);
      const ok = ps.filter((p) => p.outcome === 'success');
      const lat = ok.map((p) => p.latencyMs).sort((a, b) => a - b);
      console.log(`${name.padEnd(48)} ${ok.length}/${ps.length} ok${lat.length ? `  median ${lat[lat.length >> 1].toFixed(2)} ms` : ''}`);
      for (const f of ps.filter((p) => p.outcome !== 'success').slice(0, 5)) console.log(`  FAILED ${f.ue ?? ''}: ${f.detail ?? ''}`);
    }
    for (const u of r.ues.filter((x) => x.error).slice(0, 5)) console.log(`  ${u.supi}: ${u.error}`);
    if (Object.keys(r.leftBehind).length) console.log(`left behind: ${JSON.stringify(r.leftBehind)}`);
    else console.log('every NF ledger is back where it started');
    console.log(`\nwrote ${[r.files.capture, r.files.ladder, r.files.summary].filter(Boolean).join(', ')}`);
    if (r.files.capture) console.log(`open it: wireshark ${r.files.capture}   (or: npx wire5g decode ${r.files.capture} --json)`);
    return r.ok ? 0 : 1;
  },
});
