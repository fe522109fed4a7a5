// The one option layer of every `wire5g` command: a command declares its options once (kind,
// argument name, default, help text) and this file parses them, refuses what it does not know,
// validates numbers and choices, and prints `--help` from the same declaration. Errors are one
// line: a UsageError exits 2 (the command line is wrong), any other error exits 1 (it failed);
// stack traces only with `--debug` or WIRE5G_DEBUG=1.
//
// Adding a command: declare it with `defineCommand({ name, summary, options, run })` in its own file
// and list it in cli/main.ts COMMANDS. A command with subcommands is `defineGroup({ name, summary,
// commands })`.

import { parseArgs } from 'node:util';
import { ConfigError } from '../nodes/common/config.ts';

/** The command line is wrong: exit status 2, one line, and a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Something the user asked for failed (missing file, unreachable peer, ...): exit status 1. */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
}

interface OptionBase {
  /** One line: what the option does. */
  help: string;
}
/** `--name`, off unless given. */
export interface FlagOption extends OptionBase {
  kind: 'flag';
}
/** `--name VALUE`; `default` is what the help shows when the option is absent. */
export interface StringOption extends OptionBase {
  kind: 'string';
  arg: string;
  default: string;
}
/** `--name N`: a whole number in decimal digits, `min` (default 1) .. `max`; `abc`, `2.5`, `-5` refused. */
export interface IntegerOption extends OptionBase {
  kind: 'integer';
  arg: string;
  default: string;
  min?: number;
  max?: number;
}
/** `--name VALUE` where VALUE is one of `choices` (exact match). */
export interface ChoiceOption<C extends string = string> extends OptionBase {
  kind: 'choice';
  choices: readonly C[];
  default: string;
}
export type OptionSpec = FlagOption | StringOption | IntegerOption | ChoiceOption;
export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S extends FlagOption ? boolean : S extends IntegerOption ? number | undefined : S extends ChoiceOption<infer C> ? C | undefined : string | undefined;
export type OptionValues<O extends OptionSpecs> = { [K in keyof O]: ValueOf<O[K]> };

export interface Parsed<O extends OptionSpecs> {
  values: OptionValues<O>;
  positionals: string[];
}

export interface LeafCommand<O extends OptionSpecs = OptionSpecs> {
  name: string;
  /** One line for `wire5g --help`. */
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
  commands: Command[];
}

/**
 * A command that reads its own arguments (given as typed, `--help` included) and prints its own
 * usage; errors it throws still become one line through the top-level handler.
 */
export interface RawCommand {
  name: string;
  summary: string;
  raw: (argv: string[]) => Promise<number> | number;
}

export type Command = LeafCommand<OptionSpecs> | CommandGroup | RawCommand;

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

/** The text `wire5g <path> --help` prints: usage, description, every option with its default. */
export function helpText(path: string, c: Exclude<Command, RawCommand>): string {
  if ('commands' in c) {
    const width = Math.max(...c.commands.map((s) => s.name.length)) + 2;
    return [
      `usage: ${path} <command> [options]`,
      '',
      c.description ?? c.summary,
      '',
      'commands:',
      ...c.commands.map((s) => `  ${s.name.padEnd(width)}${s.summary}`),
      '',
      `'${path} <command> --help' lists a command's options.`,
      '',
    ].join('\n');
  }
  const all = { ...c.options, ...COMMON };
  const rows = Object.entries(all).map(([n, s]) => [optionSyntax(n, s), s.help + (s.kind === 'flag' && n in COMMON ? '' : ` (default: ${defaultText(s)})`)] as const);
  const width = Math.min(34, Math.max(...rows.map(([a]) => a.length)) + 2);
  return [
    `usage: ${path}${c.positionals ? ` ${c.positionals.syntax}` : ''} [options]`,
    '',
    c.description ?? c.summary,
    '',
    'options:',
    ...rows.map(([a, h]) => (a.length + 2 > width ? `  ${a}\n  ${''.padEnd(width)}${h}` : `  ${a.padEnd(width)}${h}`)),
    '',
  ].join('\n');
}

/** `--ues 12` -> 12; `abc`, `0`, `-5`, `2.5`, `1e3`, `0x10` refused with the option's name. */
export function integerOption(name: string, raw: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?[0-9]+$/.test(raw)) throw new UsageError(`--${name} must be a whole number${min === 1 ? ' of 1 or more' : ` >= ${min}`}, got '${raw}'`);
  const n = Number(raw);
  if (n < min) throw new UsageError(`--${name} must be ${min === 1 ? 'a whole number of 1 or more' : `>= ${min}`}, got '${raw}'`);
  if (n > max) throw new UsageError(`--${name} must be at most ${max}, got '${raw}'`);
  return n;
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

/** Parses `argv` against a command's options; `help: true` in the result means print help. */
export function parseOptions<O extends OptionSpecs>(c: LeafCommand<O>, argv: string[]): Parsed<O> & { help: boolean } {
  const all: OptionSpecs = { ...c.options, ...COMMON };
  const config: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [n, s] of Object.entries(all)) config[n] = { type: s.kind === 'flag' ? 'boolean' : 'string' };
  // `--ues -5` is a value that looks like an option: hand it over as `--ues=-5` so that the number check judges it
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const opt = /^--([\w-]+)$/.exec(argv[i])?.[1];
    if (opt && all[opt] && all[opt].kind !== 'flag' && /^-[0-9.]/.test(argv[i + 1] ?? '')) args.push(`${argv[i]}=${argv[++i]}`);
    else args.push(argv[i]);
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: config, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    throw parseArgsError(e) ?? e;
  }
  if (parsed.values.help === true) return { values: {} as OptionValues<O>, positionals: [], help: true };
  const values: Record<string, string | number | boolean | undefined> = {};
  for (const [n, s] of Object.entries(c.options)) {
    const raw = parsed.values[n];
    if (s.kind === 'flag') values[n] = raw === true;
    else if (raw === undefined) values[n] = undefined;
    else if (typeof raw !== 'string') throw new UsageError(`--${n} needs a value`);
    else if (s.kind === 'integer') values[n] = integerOption(n, raw, s.min ?? 1, s.max);
    else if (s.kind === 'choice') {
      if (!s.choices.includes(raw)) throw new UsageError(`--${n} must be one of ${s.choices.join(', ')}, got '${raw}'`);
      values[n] = raw;
    } else {
      if (raw === '') throw new UsageError(`--${n} needs a value`);
      values[n] = raw;
    }
  }
  const p = c.positionals ?? { syntax: '', min: 0, max: 0 };
  if (parsed.positionals.length > p.max) {
    const extra = parsed.positionals.slice(p.max);
    throw new UsageError(p.max === 0 ? `unexpected argument '${extra[0]}' (this command takes options only)` : `unexpected argument '${extra[0]}' (usage: ${p.syntax})`);
  }
  if (parsed.positionals.length < p.min) throw new UsageError(`missing ${p.syntax}`);
  return { values: values as OptionValues<O>, positionals: parsed.positionals, help: false };
}

/** Whether errors print their stack: `--debug` anywhere before `--`, or WIRE5G_DEBUG=1. */
export function debugRequested(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--debug') || ['1', 'true', 'yes'].includes((process.env.WIRE5G_DEBUG ?? '').toLowerCase());
}

/** Finds the command `argv` names (descending into groups) and runs it; errors propagate. */
export async function dispatch(path: string, c: Command, argv: string[], out: (text: string) => void, where: { path: string } = { path }): Promise<number> {
  where.path = path;
  if ('raw' in c) return c.raw(argv);
  if ('commands' in c) {
    const [sub, ...rest] = argv;
    if (sub === undefined) throw new UsageError(`which one? ${c.commands.map((s) => s.name).join(', ')}`);
    if (sub === '--help' || sub === '-h' || sub === 'help') {
      out(helpText(path, c));
      return 0;
    }
    if (sub === '--debug') return dispatch(path, c, rest, out, where);
    const next = c.commands.find((s) => s.name === sub);
    if (!next) throw new UsageError(sub.startsWith('-') ? `unknown option ${sub}` : `unknown command '${sub}'; commands: ${c.commands.map((s) => s.name).join(', ')}`);
    return dispatch(`${path} ${sub}`, next, rest, out, where);
  }
  const parsed = parseOptions(c, argv);
  if (parsed.help) {
    out(helpText(path, c));
    return 0;
  }
  return c.run(parsed);
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
