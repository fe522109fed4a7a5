// Declared options: an option is declared once (kind, argument name, default, help text) and its
// values are checked by one function, whoever receives them: the `wire5g` command line (cli/args.ts
// tokenizes argv and prints --help from the same declaration) and the control API of a running
// network (nodes/control/api.ts receives a `wire5g ctl` command's options as typed and judges them
// again, since the CLI is not its only client). A value that does not fit is refused with one line
// naming the option, never rounded, clamped or replaced by a default.

/** The command line (or a control request) is wrong: nothing was done. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
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
  /** The value must match this (whole); `patternHelp` says what is expected, e.g. '6 hex digits'. */
  pattern?: RegExp;
  patternHelp?: string;
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

/** Options as typed: `--name VALUE` gives a string, a flag `true`. */
export type RawOptions = Record<string, string | boolean | undefined>;

/** `--ues 12` -> 12; `abc`, `0`, `-5`, `2.5`, `1e3`, `0x10` refused with the option's name. */
export function integerOption(name: string, raw: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const range = min === 1 && max === Number.MAX_SAFE_INTEGER ? 'a whole number of 1 or more' : max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number ${min}..${max}`;
  if (!/^-?[0-9]+$/.test(raw)) throw new UsageError(`--${name} must be ${range}, got '${raw}'`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name} must be ${range}, got '${raw}'`);
  return n;
}

/**
 * Judges options as typed against their declaration: unknown names, a flag given a value, a value
 * missing, numbers and choices. Absent options are `undefined` (flags `false`).
 */
export function checkOptions<O extends OptionSpecs>(specs: O, raw: RawOptions): OptionValues<O> {
  for (const n of Object.keys(raw)) if (!Object.hasOwn(specs, n)) throw new UsageError(`unknown option --${n}`);
  const values: Record<string, string | number | boolean | undefined> = {};
  for (const [n, s] of Object.entries(specs)) {
    const v = raw[n];
    if (s.kind === 'flag') {
      if (v !== undefined && typeof v !== 'boolean') throw new UsageError(`--${n} takes no value`);
      values[n] = v === true;
    } else if (v === undefined) values[n] = undefined;
    else if (typeof v !== 'string' || v === '') throw new UsageError(`--${n} needs a value`);
    else if (s.kind === 'integer') values[n] = integerOption(n, v, s.min ?? 1, s.max);
    else if (s.kind === 'choice') {
      if (!s.choices.includes(v)) throw new UsageError(`--${n} must be one of ${s.choices.join(', ')}, got '${v}'`);
      values[n] = v;
    } else {
      if (s.pattern && !new RegExp(`^(?:${s.pattern.source})$`, s.pattern.flags).test(v)) throw new UsageError(`--${n} must be ${s.patternHelp ?? `like ${s.arg}`}, got '${v}'`);
      values[n] = v;
    }
  }
  return values as OptionValues<O>;
}
