// `wire5g run`: the default scenario on the embedded defaults (or a YAML config), printing the
// ladder as it goes; exits non-zero when a procedure failed or something was left behind.

import { parseArgs } from 'node:util';
import { loadConfig } from '../nodes/common/config.ts';
import { runScenario } from '../nodes/scenario.ts';

const DEREGISTRATION = ['switch-off', 'normal', 'mixed', 'none'] as const;

export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' }, out: { type: 'string' }, ues: { type: 'string' }, parallel: { type: 'string' },
      deregistration: { type: 'string' }, 'external-core': { type: 'boolean' }, verbose: { type: 'boolean' },
    },
  });
  const dereg = values.deregistration as (typeof DEREGISTRATION)[number] | undefined;
  if (dereg !== undefined && !DEREGISTRATION.includes(dereg)) throw new TypeError(`--deregistration must be one of ${DEREGISTRATION.join(', ')}`);
  const cfg = loadConfig(values.config);
  if (values.ues) cfg.ue.count = Number(values.ues);
  const outDir = values.out ?? cfg.outDir;
  const verbose = values.verbose === true;
  console.log(`wire5g: ${cfg.ue.count} UE(s), PLMN ${cfg.plmn.mcc}/${cfg.plmn.mnc}, TAC ${cfg.tac}, S-NSSAI ${cfg.snssai.sst}${cfg.snssai.sd ? `/${cfg.snssai.sd}` : ''}, DNN ${cfg.dnn}; AMF ${cfg.addresses.amf}, SMF ${cfg.addresses.smf}, UPF ${cfg.addresses.upf}, gNB ${cfg.addresses.gnb}`);
  const quiet = cfg.ue.count > 5 && !verbose;
  const r = await runScenario(cfg, {
    outDir,
    ...(quiet ? {} : { print: (l: string) => console.log(l) }),
    ...(verbose ? { log: (l: string) => console.error(l) } : {}),
    externalCore: values['external-core'] === true,
    ...(dereg ? { deregistration: dereg } : {}),
    parallel: Number(values.parallel ?? (cfg.ue.count > 1 ? 50 : 1)),
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
}
