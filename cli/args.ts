// The one option layer of every `wire5g` command: a command declares its options once (kind,
// argument name, default, help text) and this file parses them, refuses what it does not know,
// validates numbers and choices, and prints `--help` from the same declaration. Errors are one
// line: a UsageError exits 2 (the command line is wrong), any other error exits 1 (it failed);
// stack traces only with `--debug` or WIRE5G_DEBUG=1.
//
// Adding a command: declare it with `defineCommand({ name, summary, options, run })` in its own file
// and list it in cli/main.ts COMMANDS. A command with subcommands is `defineGroup({ name, summary,
// commands })`; a group may declare `options` every command under it takes (before or after the
// command's name: `ctl --out DIR status`) and a `parameter` before the command's name (`ctl ue
// <supi> register`). Option values are judged by nodes/common/options.ts, which the control API
// uses too.

import { parseArgs } from 'node:util';
import { ConfigError } from '../nodes/common/config.ts';
import { checkOptions, UsageError, type OptionSpec, type OptionSpecs, type OptionValues, type RawOptions } from '../nodes/common/options.ts';

export { UsageError, integerOption, type OptionSpec, type OptionSpecs, type OptionValues } from '../nodes/common/options.ts';

/** Something the user asked for failed (missing file, unreachable peer, ...): exit status 1. */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
}

export interface Parsed<O extends OptionSpecs> {
  values: OptionValues<O>;
  positionals: string[];
  /** Values of the groups' parameters on the way down, e.g. { supi: 'imsi-...' } for `ctl ue <supi> ...`. */
  params: Record<string, string>;
}

export interface LeafCommand<O extends OptionSpecs = OptionSpecs> {
  name: string;
  /** One line for the list of commands. */
  summary: string;
  /** Longer text for `wire5g <name> --help` (optional). */
  description?: string;
  /** Positional arguments: their syntax in the usage line and how many are allowed. */
  positionals?: { syntax: string; min: number; max: number };
  options: O;
  run(args: Parsed<O>): Promise<number> | number;
}

export interface CommandGroup {
  name: string;
  summary: string;
  description?: string;
  /**
   * Options of every command under this group (e.g. `ctl --out DIR`): accepted before the command's
   * name as well as after it, listed in each command's --help.
   */
  options?: OptionSpecs;
  /** A positional argument before the command's name (e.g. `ctl ue <supi> register`): its name and syntax. */
  parameter?: { name: string; syntax: string };
  commands: Command[];
}

export type Command = LeafCommand<OptionSpecs> | CommandGroup;

/** Declares a command; the `const` parameter keeps the choice lists literal for typed values. */
export function defineCommand<const O extends OptionSpecs>(c: LeafCommand<O>): Command {
  return c as unknown as Command;
}

export function defineGroup(g: CommandGroup): Command {
  return g;
}

/** Options every command takes. */
const COMMON: OptionSpecs = {
  debug: { kind: 'flag', help: 'print the stack trace of an error (same as WIRE5G_DEBUG=1)' },
  help: { kind: 'flag', help: 'print this help and exit' },
};

function optionSyntax(name: string, s: OptionSpec): string {
  if (s.kind === 'flag') return `--${name}`;
  if (s.kind === 'choice') return `--${name} ${s.choices.join('|')}`;
  return `--${name} ${s.arg}`;
}

function defaultText(s: OptionSpec): string {
  if (s.kind === 'flag') return 'off';
  return s.default;
}

function optionRows(all: OptionSpecs): string[] {
  const rows = Object.entries(all).map(([n, s]) => [optionSyntax(n, s), s.help + (s.kind === 'flag' && n in COMMON ? '' : ` (default: ${defaultText(s)})`)] as const);
  const width = Math.min(34, Math.max(...rows.map(([a]) => a.length)) + 2);
  return rows.map(([a, h]) => (a.length + 2 > width ? `  ${a}\n  ${''.padEnd(width)}${h}` : `  ${a.padEnd(width)}${h}`));
}

/** The name of a command in a list, with its group's parameter: `ue <supi>`. */
function listedName(c: Command): string {
  return 'commands' in c && c.parameter ? `${c.name} ${c.parameter.syntax}` : c.name;
}

/**
 * The text `<path> --help` prints: usage, description, every option with its default (a group:
 * its commands and the options they all take). `inherited` are the options of the groups above.
 */
export function helpText(path: string, c: Command, inherited: OptionSpecs = {}): string {
  if ('commands' in c) {
    const names = c.commands.map(listedName);
    const width = Math.max(...names.map((n) => n.length)) + 2;
    const shared = { ...inherited, ...(c.options ?? {}) };
    return [
      `usage: ${path}${c.parameter ? ` ${c.parameter.syntax}` : ''} <command> [options]`,
      '',
      c.description ?? c.summary,
      '',
      'commands:',
      ...c.commands.map((s, i) => `  ${names[i].padEnd(width)}${s.summary}`),
      ...(Object.keys(shared).length ? ['', 'options of every command here:', ...optionRows(shared)] : []),
      '',
      `'${path}${c.parameter ? ` ${c.parameter.syntax}` : ''} <command> --help' lists a command's options.`,
      '',
    ].join('\n');
  }
  return [
    `usage: ${path}${c.positionals ? ` ${c.positionals.syntax}` : ''} [options]`,
    '',
    c.description ?? c.summary,
    '',
    'options:',
    ...optionRows({ ...c.options, ...inherited, ...COMMON }),
    '',
  ].join('\n');
}

/** node:util parseArgs' messages, made one short line in our words. */
function parseArgsError(e: unknown): UsageError | undefined {
  if (!(e instanceof TypeError)) return undefined;
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (!code.startsWith('ERR_PARSE_ARGS')) return undefined;
  const opt = /'(-[^' ]+)/.exec(e.message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${opt ?? e.message}`);
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError(`unexpected argument ${/'([^']+)'/.exec(e.message)?.[1] ?? ''}`.trim());
  if (/argument missing/.test(e.message)) return new UsageError(`${opt ?? 'option'} needs a value`);
  if (/ambiguous/.test(e.message)) return new UsageError(`${opt ?? 'option'} needs a value; to give one starting with '-', write ${opt ?? '--option'}=VALUE`);
  if (/does not take an argument/.test(e.message)) return new UsageError(`${opt ?? 'option'} takes no value`);
  return new UsageError(e.message.split('\n')[0]);
}

/** `--ues -5` is a value that looks like an option: handed over as `--ues=-5` so that the number check judges it. */
function joinNegativeValues(argv: string[], all: OptionSpecs): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const opt = /^--([\w-]+)$/.exec(argv[i])?.[1];
    if (opt && all[opt] && all[opt].kind !== 'flag' && /^-[0-9.]/.test(argv[i + 1] ?? '')) args.push(`${argv[i]}=${argv[++i]}`);
    else args.push(argv[i]);
  }
  return args;
}

/**
 * Parses `argv` against a command's options (and `inherited`, its groups' options); `help: true` in
 * the result means print help.
 */
export function parseOptions<O extends OptionSpecs>(c: LeafCommand<O>, argv: string[], inherited: OptionSpecs = {}): Parsed<O> & { help: boolean } {
  const specs: OptionSpecs = { ...inherited, ...c.options };
  const all: OptionSpecs = { ...specs, ...COMMON };
  const config: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [n, s] of Object.entries(all)) config[n] = { type: s.kind === 'flag' ? 'boolean' : 'string' };
  let parsed: { values: RawOptions; positionals: string[] };
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, all), options: config, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    throw parseArgsError(e) ?? e;
  }
  if (parsed.values.help === true) return { values: {} as OptionValues<O>, positionals: [], params: {}, help: true };
  const { help: _help, debug: _debug, ...given } = parsed.values;
  const values = checkOptions(specs, given) as OptionValues<O>;
  const p = c.positionals ?? { syntax: '', min: 0, max: 0 };
  if (parsed.positionals.length > p.max) {
    const extra = parsed.positionals.slice(p.max);
    throw new UsageError(p.max === 0 ? `unexpected argument '${extra[0]}' (this command takes options only)` : `unexpected argument '${extra[0]}' (usage: ${p.syntax})`);
  }
  if (parsed.positionals.length < p.min) throw new UsageError(`missing ${p.syntax}`);
  return { values, positionals: parsed.positionals, params: {}, help: false };
}

/** Whether errors print their stack: `--debug` anywhere before `--`, or WIRE5G_DEBUG=1. */
export function debugRequested(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--debug') || ['1', 'true', 'yes'].includes((process.env.WIRE5G_DEBUG ?? '').toLowerCase());
}

/** What the groups on the way down hand to the command: their options (and the values given before the command's name), their parameters. */
interface Inherited {
  options: OptionSpecs;
  argv: string[];
  params: Record<string, string>;
}

/**
 * Finds the command `argv` names (descending into groups) and runs it; errors propagate.
 * `where.path` is the command's path as its help names it (for the one-line error).
 */
export async function dispatch(path: string, c: Command, argv: string[], out: (text: string) => void, where: { path: string } = { path }, inherited: Inherited = { options: {}, argv: [], params: {} }): Promise<number> {
  where.path = path;
  if ('commands' in c) {
    const options = { ...inherited.options, ...(c.options ?? {}) };
    const carried = [...inherited.argv];
    const rest = [...argv];
    const help = () => {
      out(helpText(path, c, inherited.options));
      return 0;
    };
    // the group's options may come before the command's name: `ctl --out DIR status`
    for (;;) {
      const m = /^--([\w-]+)(=.*)?$/.exec(rest[0] ?? '');
      if (!m || !(m[1] in options || m[1] === 'debug')) break;
      carried.push(rest.shift()!);
      if (m[1] !== 'debug' && m[2] === undefined && options[m[1]].kind !== 'flag') {
        if (rest[0] === undefined) throw new UsageError(`--${m[1]} needs a value`);
        carried.push(rest.shift()!);
      }
    }
    const params = { ...inherited.params };
    if (c.parameter) {
      const value = rest[0];
      if (value === '--help' || value === '-h' || value === 'help') return help();
      if (value === undefined || value.startsWith('-')) throw new UsageError(`missing ${c.parameter.syntax}: '${path} ${c.parameter.syntax} <command>'`);
      params[c.parameter.name] = rest.shift()!;
    }
    const [sub, ...subArgs] = rest;
    if (sub === undefined) throw new UsageError(`which one? ${c.commands.map((s) => s.name).join(', ')}`);
    if (sub === '--help' || sub === '-h' || sub === 'help') return help();
    const next = c.commands.find((s) => s.name === sub);
    if (!next) throw new UsageError(sub.startsWith('-') ? `unknown option ${sub}` : `unknown command '${sub}'; commands: ${c.commands.map((s) => s.name).join(', ')}`);
    // the path names the value given (`wire5g ctl ue imsi-001010000000001 ping`): an error's `see ... --help` can be pasted as is
    return dispatch(`${path}${c.parameter ? ` ${params[c.parameter.name]}` : ''} ${sub}`, next, subArgs, out, where, { options, argv: carried, params });
  }
  const parsed = parseOptions(c, [...argv, ...inherited.argv], inherited.options);
  if (parsed.help) {
    out(helpText(path, c, inherited.options));
    return 0;
  }
  return c.run({ ...parsed, params: inherited.params });
}

/** One line for any error: its message's first line, plus `(see --help)` for usage errors. */
export function errorLine(path: string, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const first = message.split('\n').find((l) => l.trim() !== '') ?? String(e);
  return e instanceof UsageError ? `${path}: ${first} (see '${path} --help')` : `${path}: ${first}`;
}

/** Exit status for an error: 2 for a wrong command line or configuration, 1 otherwise. */
export function exitStatus(e: unknown): number {
  return e instanceof UsageError || e instanceof ConfigError ? 2 : 1;
}
