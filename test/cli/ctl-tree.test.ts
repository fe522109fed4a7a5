// `wire5g ctl`'s command tree is built from the table of control commands (cli/ctl.ts): a word
// followed by a placeholder and more words is a group with a parameter, placeholders at the end
// are the command's arguments, a new first word is a new group. Judged here on the shipped table,
// which has procedure issues' commands (`amf deregister <supi>`, `smf release <supi> <psi>`, `udm
// withdraw <supi>`), through the same dispatch the binary uses; no network, no socket.

import { describe, it, expect } from 'vitest';
import { dispatch, UsageError } from '../../cli/args.ts';
import { ctlCommand } from '../../cli/ctl.ts';
import { controlCommands, type ControlCommand } from '../../nodes/control/index.ts';


async function run(table: readonly ControlCommand[], argv: string[]): Promise<string> {
  let text = '';
  await dispatch('wire5g ctl', ctlCommand(table), argv, (t) => (text += t));
  return text;
}

describe('wire5g ctl command tree', () => {
  const table = controlCommands();
  it('new first words become groups; their commands list their options with defaults and take their placeholders as arguments', async () => {
    const top = await run(table, ['--help']);
    for (const c of ['status', 'ue <supi>', 'dump', 'down', 'amf', 'smf', 'udm']) expect(top).toMatch(new RegExp(`^ {2}${c} `, 'm'));
    expect(await run(table, ['amf', 'deregister', '--help'])).toMatch(/^usage: wire5g ctl amf deregister <supi> \[options\][\s\S]*--reregister +de-registration type "re-registration required"[^\n]*\(default: off\)/);
    expect(await run(table, ['smf', 'release', '--help'])).toMatch(/^usage: wire5g ctl smf release <supi> <psi> \[options\][\s\S]*--cause N +5GSM cause [^\n]*\(default: 36 \(regular deactivation\)\)/);
  });
  it('refuses what the declaration refuses, before anything is sent', async () => {
    await expect(run(table, ['smf', 'release', 'imsi-001010000000001'])).rejects.toThrow(new UsageError('missing <supi> <psi>'));
    await expect(run(table, ['smf', 'release', 'imsi-001010000000001', '1', '--cause', '300'])).rejects.toThrow(/--cause must be a whole number 1\.\.255, got '300'/);
    await expect(run(table, ['amf', 'deregister', 'imsi-001010000000001', 'x'])).rejects.toThrow(/unexpected argument 'x'/);
  });
  it('a command that does not fit the tree is refused when the tree is built', () => {
    const clash = { words: ['ue', '<supi>'], options: {}, summary: 'x', run: async () => ({}) } as unknown as ControlCommand;
    expect(() => ctlCommand([...controlCommands(), clash])).toThrow(/clashes with another under 'ue'/);
    const otherParameter = { words: ['ue', '<imsi>', 'wave'], options: {}, summary: 'x', run: async () => ({}) } as unknown as ControlCommand;
    expect(() => ctlCommand([...controlCommands(), otherParameter])).toThrow(/does not fit the commands already under 'ue'/);
  });
});
