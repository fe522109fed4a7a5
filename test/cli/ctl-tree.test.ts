// `wire5g ctl`'s command tree is built from the table of control commands (cli/ctl.ts): a word
// followed by a placeholder and more words is a group with a parameter, placeholders at the end
// are the command's arguments, a new first word is a new group. Judged here on the shipped table
// plus made-up commands of the kind the procedure issues add (`xnf deregister <supi>`, `ynf release
// <supi> <psi>`, as `amf deregister` and `smf release` are), through the same dispatch the binary
// uses; no network, no socket.

import { describe, it, expect } from 'vitest';
import { dispatch, UsageError } from '../../cli/args.ts';
import { ctlCommand } from '../../cli/ctl.ts';
import { controlCommands, type ControlCommand } from '../../nodes/control/index.ts';

const extra = [
  { words: ['xnf', 'deregister', '<supi>'], options: { 'reregistration-required': { kind: 'flag', help: 're-registration required' } }, summary: 'network-initiated deregistration', run: async () => ({}) },
  { words: ['ynf', 'release', '<supi>', '<psi>'], options: { cause: { kind: 'integer', arg: 'N', min: 0, max: 255, default: '36', help: '5GSM cause' } }, summary: 'network-requested PDU session release', run: async () => ({}) },
] as unknown as ControlCommand[];

async function run(table: readonly ControlCommand[], argv: string[]): Promise<string> {
  let text = '';
  await dispatch('wire5g ctl', ctlCommand(table), argv, (t) => (text += t));
  return text;
}

describe('wire5g ctl command tree', () => {
  const table = [...controlCommands(), ...extra];
  it('new first words become groups; their commands list their options with defaults and take their placeholders as arguments', async () => {
    const top = await run(table, ['--help']);
    for (const c of ['status', 'ue <supi>', 'dump', 'down', 'xnf', 'ynf']) expect(top).toMatch(new RegExp(`^ {2}${c} `, 'm'));
    expect(await run(table, ['xnf', 'deregister', '--help'])).toMatch(/^usage: wire5g ctl xnf deregister <supi> \[options\][\s\S]*--reregistration-required +re-registration required \(default: off\)/);
    expect(await run(table, ['ynf', 'release', '--help'])).toMatch(/^usage: wire5g ctl ynf release <supi> <psi> \[options\][\s\S]*--cause N +5GSM cause \(default: 36\)/);
  });
  it('refuses what the declaration refuses, before anything is sent', async () => {
    await expect(run(table, ['ynf', 'release', 'imsi-001010000000001'])).rejects.toThrow(new UsageError('missing <supi> <psi>'));
    await expect(run(table, ['ynf', 'release', 'imsi-001010000000001', '1', '--cause', '300'])).rejects.toThrow(/--cause must be a whole number 0\.\.255, got '300'/);
    await expect(run(table, ['xnf', 'deregister', 'imsi-001010000000001', 'x'])).rejects.toThrow(/unexpected argument 'x'/);
  });
  it('a command that does not fit the tree is refused when the tree is built', () => {
    const clash = { words: ['ue', '<supi>'], options: {}, summary: 'x', run: async () => ({}) } as unknown as ControlCommand;
    expect(() => ctlCommand([...controlCommands(), clash])).toThrow(/clashes with another under 'ue'/);
    const otherParameter = { words: ['ue', '<imsi>', 'wave'], options: {}, summary: 'x', run: async () => ({}) } as unknown as ControlCommand;
    expect(() => ctlCommand([...controlCommands(), otherParameter])).toThrow(/does not fit the commands already under 'ue'/);
  });
});
