// `wire5g run`: the default scenario on the embedded defaults (or a YAML config), printing the
// ladder as it goes; exits non-zero when a procedure failed or something was left behind.

import { loadConfig } from '../nodes/common/config.ts';
import { runScenario } from '../nodes/scenario.ts';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function runCommand(args: string[]): Promise<number> {
  const cfg = loadConfig(option(args, '--config'));
  const ues = option(args, '--ues');
  if (ues) cfg.ue.count = Number(ues);
  const outDir = option(args, '--out') ?? cfg.outDir;
  const dereg = option(args, '--deregistration') as 'switch-off' | 'normal' | 'mixed' | 'none' | undefined;
  const verbose = args.includes('--verbose');
  console.log(`wire5g: ${cfg.ue.count} UE(s), PLMN ${cfg.plmn.mcc}/${cfg.plmn.mnc}, TAC ${cfg.tac}, S-NSSAI ${cfg.snssai.sst}${cfg.snssai.sd ? `/${cfg.snssai.sd}` : ''}, DNN ${cfg.dnn}; AMF ${cfg.addresses.amf}, SMF ${cfg.addresses.smf}, UPF ${cfg.addresses.upf}, gNB ${cfg.addresses.gnb}`);
  const quiet = cfg.ue.count > 5 && !verbose;
  const r = await runScenario(cfg, {
    outDir,
    ...(quiet ? {} : { print: (l: string) => console.log(l) }),
    ...(verbose ? { log: (l: string) => console.error(l) } : {}),
    externalCore: args.includes('--external-core'),
    ...(dereg ? { deregistration: dereg } : {}),
    parallel: Number(option(args, '--parallel') ?? (cfg.ue.count > 1 ? 50 : 1)),
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
