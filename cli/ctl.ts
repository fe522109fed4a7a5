// `wire5g ctl [--out DIR] <command> [--json]`: drives the network `wire5g up` runs with the same
// out directory, through its control API (nodes/control/api.ts). Prints the ladder of what the
// command caused and its result; exits 1 when the command was refused or its procedure failed,
// 2 on a usage error.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_CONFIG } from '../nodes/common/config.ts';
import { printRunOutcome } from './outcome.ts';
import { controlCommands, matchCommand, commandKey, usageLine, readEndpoint, callControl, NoNetwork, ControlError, type NetworkStatus, type OptionValues } from '../nodes/control/index.ts';

export function ctlUsage(): string {
  const lines = controlCommands().map((c) => `  ${usageLine(c).padEnd(62)} ${c.summary}`);
  return `usage: wire5g ctl [--out DIR] <command> [--json]\n${lines.join('\n')}\n`;
}

function printStatus(s: NetworkStatus): void {
  console.log(`network of pid ${s.pid}, out ${s.outDir}, up ${s.uptimeSeconds} s${s.externalCore ? ', core in other processes' : ''}`);
  for (const nf of s.nfs) console.log(`  ${nf.name.padEnd(5)} ${nf.address.padEnd(15)} ${nf.ledger ? JSON.stringify(nf.ledger) : '(external)'}`);
  for (const g of s.gnbs) console.log(`  gNB   ${g.address.padEnd(15)} ${g.name}, N2 to ${g.amf}, ${g.ueContexts} UE context(s) ${JSON.stringify(s.ledgers.gNB ?? {})}`);
  for (const u of s.ues) {
    console.log(`  UE ${u.supi}  ${u.rmState} ${u.cmState} (${u.gmmState})${u.guti ? `  ${u.guti}` : ''}${u.busy ? `  busy: ${u.busy}` : ''}`);
    for (const p of u.sessions) {
      const t = p.teids;
      console.log(`     PDU session ${p.psi}  DNN ${p.dnn}  S-NSSAI ${p.snssai.sst}${p.snssai.sd ? `/${p.snssai.sd}` : ''}  ${p.address}  TEID UL ${t.ul !== undefined ? `0x${t.ul.toString(16)}` : '-'} DL ${t.dl !== undefined ? `0x${t.dl.toString(16)}` : '-'}`);
    }
  }
}

export async function ctlCommand(args: string[]): Promise<number> {
  const options: NonNullable<ParseArgsConfig['options']> = { out: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
  for (const c of controlCommands()) Object.assign(options, c.options ?? {});
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`wire5g ctl: ${(e as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? process.stdout : process.stderr).write(ctlUsage());
    return values.help ? 0 : 2;
  }
  const outDir = typeof values.out === 'string' ? values.out : DEFAULT_CONFIG.outDir;
  const json = values.json === true;
  let match;
  try {
    match = matchCommand(positionals);
  } catch (e) {
    if (!(e instanceof ControlError)) throw e;
    process.stderr.write(`wire5g ctl: ${e.message}\n`);
    return 2;
  }
  if (!match) {
    process.stderr.write(`wire5g ctl: unknown command '${positionals.join(' ')}'\n${ctlUsage()}`);
    return 2;
  }
  const commandOptions: OptionValues = {};
  for (const [k, v] of Object.entries(values)) {
    if (k === 'out' || k === 'json' || k === 'help') continue;
    if (!match.command.options?.[k]) {
      process.stderr.write(`wire5g ctl: '${commandKey(match.command)}' has no option --${k}\n`);
      return 2;
    }
    commandOptions[k] = v as string | boolean;
  }
  let reply;
  try {
    const endpoint = readEndpoint(outDir);
    reply = await callControl(endpoint, { command: commandKey(match.command), ...(match.supi !== undefined ? { supi: match.supi } : {}), ...(match.psi !== undefined ? { psi: match.psi } : {}), options: commandOptions });
  } catch (e) {
    if (e instanceof NoNetwork || (e as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
      process.stderr.write(`wire5g ctl: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
  const { status, reply: r } = reply;
  if (json) console.log(JSON.stringify(r, null, 2));
  else {
    for (const l of r.ladder) console.log(l);
    if (r.ok && commandKey(match.command) === 'status') printStatus(r.result as NetworkStatus);
    else if (match.command.stopsNetwork && r.result !== undefined) printRunOutcome(r.result as Parameters<typeof printRunOutcome>[0]);
    else if (r.ok && r.result !== undefined) console.log(`${r.ladder.length ? '\n' : ''}ok ${JSON.stringify(r.result)}`);
  }
  if (status !== 200 || !r.ok) {
    process.stderr.write(`wire5g ctl: ${(r.error ?? `HTTP ${status}`).split('\n')[0]}\n`);
    return 1;
  }
  return 0;
}
