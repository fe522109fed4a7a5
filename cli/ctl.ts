// `wire5g ctl [--out DIR] <command> [--json]`: drives the network `wire5g up` runs with the same
// out directory, through its control API (nodes/control/api.ts). The command tree, each command's
// --help and its option parsing are built from the one table of control commands
// (nodes/control/commands.ts), so the CLI, its help and the server agree: a word followed by a
// placeholder and more words is a group with a parameter (`ue <supi> ...`), placeholders at the end
// are the command's arguments (`pdu release <psi>`). Prints the ladder of what the command caused
// and its result; exits 1 when the command was refused or its procedure failed, 2 on a usage error.

import { DEFAULT_CONFIG } from '../nodes/common/config.ts';
import { reportRun, type RunOutcome } from './outcome.ts';
import { CommandFailed, defineCommand, defineGroup, UsageError, type Command, type OptionSpecs } from './args.ts';
import { controlCommands, controlGroupSummary, checkCommandArgs, commandKey, readEndpoint, callControl, NoNetwork, ControlError, type ControlCommand, type NetworkStatus, type RawOptions } from '../nodes/control/index.ts';

/** Options of every `wire5g ctl` command. */
const CTL_OPTIONS: OptionSpecs = {
  out: { kind: 'string', arg: 'DIR', default: DEFAULT_CONFIG.outDir, help: "out directory of the network ('wire5g up --out DIR'): its control.json says where the control API listens" },
  json: { kind: 'flag', help: "print the control API's reply as JSON instead of the ladder and a summary" },
};

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

/** Sends one command of the table to the network of `--out` and prints what it did. */
async function send(c: ControlCommand, params: Record<string, string>, values: Record<string, unknown>): Promise<number> {
  const outDir = typeof values.out === 'string' ? values.out : DEFAULT_CONFIG.outDir;
  const json = values.json === true;
  // the options as typed, for the server to judge with the same declaration
  const options: RawOptions = {};
  for (const name of Object.keys(c.options)) {
    const v = values[name];
    if (typeof v === 'number' || (typeof v === 'string' && v !== '')) options[name] = String(v);
    else if (v === true) options[name] = true;
  }
  try {
    checkCommandArgs(c, params, options);
  } catch (e) {
    if (e instanceof ControlError) throw new UsageError(e.message);
    throw e;
  }
  let reply;
  try {
    reply = await callControl(readEndpoint(outDir), { command: commandKey(c), params, options });
  } catch (e) {
    if (e instanceof NoNetwork) throw new CommandFailed(e.message);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET') throw new CommandFailed(`the network of ${outDir} does not answer (${code}); is 'wire5g up --out ${outDir}' still running?`);
    throw e;
  }
  const { status, reply: r } = reply;
  if (json) console.log(JSON.stringify(r, null, 2));
  else {
    for (const l of r.ladder) console.log(l);
    if (r.ok && commandKey(c) === 'status') printStatus(r.result as NetworkStatus);
    else if (c.stopsNetwork && r.result !== undefined) reportRun(r.result as RunOutcome);
    else if (r.ok && r.result !== undefined) console.log(`${r.ladder.length ? '\n' : ''}ok ${JSON.stringify(r.result)}`);
  }
  if (status !== 200 || !r.ok) throw new CommandFailed((r.error ?? `HTTP ${status}`).split('\n')[0]);
  return 0;
}

interface Node {
  name: string;
  parameter?: string;
  children: Node[];
  command?: ControlCommand;
  /** The placeholders after the command's last word. */
  args: string[];
}

/** The tree of the table's words: `ue <supi> pdu release <psi>` is ue(<supi>) > pdu > release <psi>. */
function tree(table: readonly ControlCommand[]): Node {
  const root: Node = { name: 'ctl', children: [], args: [] };
  for (const c of table) {
    let node = root;
    let i = 0;
    while (i < c.words.length) {
      const word = c.words[i++];
      if (word.startsWith('<')) throw new Error(`control command '${c.words.join(' ')}': a placeholder must follow a word`);
      const held: string[] = [];
      while (i < c.words.length && c.words[i].startsWith('<')) held.push(c.words[i++].slice(1, -1));
      let child = node.children.find((n) => n.name === word);
      if (!child) node.children.push((child = { name: word, children: [], args: [] }));
      if (i < c.words.length) {
        // a group: at most one parameter, the same for every command under it
        if (child.command || held.length > 1 || (child.children.length > 0 && child.parameter !== held[0])) {
          throw new Error(`control command '${c.words.join(' ')}' does not fit the commands already under '${word}'`);
        }
        child.parameter = held[0];
      } else {
        if (child.children.length || child.command) throw new Error(`control command '${c.words.join(' ')}' clashes with another under '${word}'`);
        child.command = c;
        child.args = held;
      }
      node = child;
    }
  }
  return root;
}

function toCommand(n: Node, key: string[]): Command {
  const c = n.command;
  if (c) {
    return defineCommand({
      name: n.name,
      summary: c.summary,
      ...(n.args.length ? { positionals: { syntax: n.args.map((a) => `<${a}>`).join(' '), min: n.args.length, max: n.args.length } } : {}),
      options: c.options,
      run: ({ values, positionals, params }) => {
        const all: Record<string, string> = { ...params };
        n.args.forEach((name, i) => (all[name] = positionals[i]));
        return send(c, all, values as Record<string, unknown>);
      },
    });
  }
  const path = [...key, n.name];
  return defineGroup({
    name: n.name,
    summary: controlGroupSummary(path.join(' ')) ?? n.children.map((x) => x.name).join(', '),
    ...(n.parameter ? { parameter: { name: n.parameter, syntax: `<${n.parameter}>` } } : {}),
    commands: n.children.map((x) => toCommand(x, path)),
  });
}

/** `wire5g ctl`, built from the table of control commands (another table in tests). */
export function ctlCommand(table: readonly ControlCommand[] = controlCommands()): Command {
  const root = tree(table);
  return defineGroup({
    name: 'ctl',
    summary: "drive a network started with 'wire5g up': status, ue <supi> register|deregister|pdu|ping|add, dump, down",
    description: "Drives the network 'wire5g up' runs with the same out directory, through its control API (127.0.0.1 only, token in <out>/control.json, mode 0600). Each command prints the ladder of what it caused; it exits 1 when the command was refused or its procedure failed (one line on stderr), 2 when the command line is wrong.",
    options: CTL_OPTIONS,
    commands: root.children.map((x) => toCommand(x, [])),
  });
}
