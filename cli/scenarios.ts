// `wire5g scenarios` lists the built-in scenario files, one line each; `wire5g run --scenario
// FILE|NAME` runs one (cli/run.ts, nodes/control/scenario-file.ts).

import { relative } from 'node:path';
import { builtInScenarios, BUILT_IN_DIR } from '../nodes/control/scenario-file.ts';
import { defineCommand } from './args.ts';

export const scenariosCommand = defineCommand({
  name: 'scenarios',
  summary: "list the built-in scenario files (run one with 'wire5g run --scenario NAME')",
  description: "Lists the scenario files shipped in scenarios/, one line each: its name and description. Run one with 'wire5g run --scenario NAME', or your own file with 'wire5g run --scenario my.yaml' (README 'Scenario files' gives the format).",
  options: {},
  run() {
    const list = builtInScenarios();
    const width = Math.max(0, ...list.map((s) => s.name.length));
    for (const s of list) console.log(`${s.name.padEnd(width)}  ${s.description}`);
    console.log(`\nrun one: npx wire5g run --scenario NAME (or a file: --scenario my.yaml); files in ${relative(process.cwd(), BUILT_IN_DIR) || '.'}/`);
    return 0;
  },
});
