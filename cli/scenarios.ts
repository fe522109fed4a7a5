// `wire5g scenarios` lists the built-in scenario files; `wire5g run --scenario FILE|NAME` runs one
// (nodes/control/scenario-file.ts) with the outputs and exit rules of `wire5g run`.

import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { loadConfig } from '../nodes/common/config.ts';
import { builtInScenarios, loadScenario, runScenarioFile, ScenarioFileError, type Scenario } from '../nodes/control/scenario-file.ts';
import { claimOutDir, OutDirInUse } from '../nodes/control/api.ts';
import { printRunOutcome } from './outcome.ts';

export function scenariosCommand(): number {
  const list = builtInScenarios();
  const width = Math.max(0, ...list.map((s) => s.name.length));
  for (const s of list) console.log(`${s.name.padEnd(width)}  ${s.description}`);
  console.log(`\nrun one: npx wire5g run --scenario NAME (or a file: --scenario my.yaml); files in ${relative(process.cwd(), list[0]?.path ?? 'scenarios/x').replace(/[^/]*$/, '') || './'}`);
  return 0;
}

export async function runScenarioCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { scenario: { type: 'string' }, config: { type: 'string' }, out: { type: 'string' }, ues: { type: 'string' }, 'external-core': { type: 'boolean' }, verbose: { type: 'boolean' } },
    });
    if (parsed.values.ues !== undefined && !/^\d+$/.test(parsed.values.ues)) throw new TypeError(`--ues must be a number, got '${parsed.values.ues}'`);
  } catch (e) {
    process.stderr.write(`wire5g run: ${(e as Error).message}\n`);
    return 2;
  }
  const { values } = parsed;
  let scenario: Scenario;
  try {
    scenario = loadScenario(values.scenario ?? 'default');
  } catch (e) {
    if (e instanceof ScenarioFileError) {
      process.stderr.write(`wire5g run: scenario ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const cfg = loadConfig(values.config);
  if (values.ues !== undefined) cfg.ue.count = Number(values.ues);
  const ues = values.ues !== undefined ? cfg.ue.count : (scenario.ues ?? cfg.ue.count);
  const outDir = values.out ?? cfg.outDir;
  const verbose = values.verbose === true;
  let release: () => void;
  try {
    release = claimOutDir(outDir);
  } catch (e) {
    if (e instanceof OutDirInUse) {
      process.stderr.write(`wire5g run: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  try {
    console.log(`wire5g: scenario ${scenario.name} (${scenario.description}); ${ues} UE(s), PLMN ${cfg.plmn.mcc}/${cfg.plmn.mnc}, TAC ${cfg.tac}, S-NSSAI ${cfg.snssai.sst}${cfg.snssai.sd ? `/${cfg.snssai.sd}` : ''}, DNN ${cfg.dnn}; AMF ${cfg.addresses.amf}, SMF ${cfg.addresses.smf}, UPF ${cfg.addresses.upf}, gNB ${cfg.addresses.gnb}`);
    const quiet = ues > 5 && !verbose;
    const r = await runScenarioFile(cfg, scenario, {
      outDir,
      forceUes: values.ues !== undefined,
      externalCore: values['external-core'] === true,
      ...(quiet ? {} : { print: (l: string) => console.log(l) }),
      ...(verbose ? { log: (l: string) => console.error(l) } : {}),
    });
    printRunOutcome(r);
    for (const u of r.ues.filter((x) => x.error).slice(0, 5)) console.log(`  ${u.supi}: ${u.error}`);
    return r.ok ? 0 : 1;
  } finally {
    release();
  }
}
