// The commands of `wire5g ctl`, one registration each: the words that name it (with <supi> and
// <psi> placeholders), its options (node:util parseArgs form), one line of help, and what it does
// to a LiveNetwork. The CLI parses a command line against this table and sends the match to the
// control API; the API server looks the same entry up and runs it. A procedure issue adds its
// command with one more `registerControlCommand({...})` (here or in its own module imported by
// nodes/control/index.ts).

import type { ParseArgsConfig } from 'node:util';
import { ControlError, type LiveNetwork } from './live-network.ts';

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandArgs {
  supi?: string;
  psi?: number;
  options: OptionValues;
}

export interface ControlCommand {
  /** e.g. ['ue', '<supi>', 'pdu', 'release', '<psi>'] */
  words: readonly string[];
  options?: NonNullable<ParseArgsConfig['options']>;
  /** Option synopsis for the usage text, e.g. '--switch-off | --normal [--access 3gpp|non-3gpp|both]'. */
  synopsis?: string;
  summary: string;
  /** The UE the command acts on (its ladder leaves out messages of other UEs). */
  perUe?: boolean;
  /** Stops the network after answering. */
  stopsNetwork?: boolean;
  run(net: LiveNetwork, a: CommandArgs): Promise<unknown>;
}

const commands: ControlCommand[] = [];

export function registerControlCommand(c: ControlCommand): void {
  if (commands.some((x) => commandKey(x) === commandKey(c))) throw new Error(`control command '${commandKey(c)}' registered twice`);
  commands.push(c);
}

export function controlCommands(): readonly ControlCommand[] {
  return commands;
}

/** The words without placeholders: 'ue pdu release'. */
export function commandKey(c: Pick<ControlCommand, 'words'>): string {
  return c.words.filter((w) => !w.startsWith('<')).join(' ');
}

export function usageLine(c: ControlCommand): string {
  return [...c.words, ...(c.synopsis ? [c.synopsis] : [])].join(' ');
}

export function findCommand(key: string): ControlCommand | undefined {
  return commands.find((c) => commandKey(c) === key);
}

/** Matches positional words against the table: the command and its placeholders' values. */
export function matchCommand(words: string[]): { command: ControlCommand; supi?: string; psi?: number } | undefined {
  for (const c of commands) {
    if (c.words.length !== words.length) continue;
    let supi: string | undefined;
    let psi: number | undefined;
    let ok = true;
    for (let i = 0; i < words.length && ok; i++) {
      const w = c.words[i];
      if (w === '<supi>') supi = words[i];
      else if (w === '<psi>') {
        psi = Number(words[i]);
        if (!/^\d+$/.test(words[i])) throw new ControlError(400, `PDU session identity must be a number 1..15, got '${words[i]}'`);
      } else ok = w === words[i];
    }
    if (ok) return { command: c, ...(supi !== undefined ? { supi } : {}), ...(psi !== undefined ? { psi } : {}) };
  }
  return undefined;
}

/** Checks option names and types against the command (the server does this too: the CLI is not the only client). */
export function checkOptions(c: ControlCommand, options: OptionValues): void {
  for (const [k, v] of Object.entries(options)) {
    const spec = c.options?.[k];
    if (!spec) throw new ControlError(400, `'${commandKey(c)}' has no option --${k}`);
    if (v !== undefined && typeof v !== (spec.type === 'boolean' ? 'boolean' : 'string')) throw new ControlError(400, `--${k} ${spec.type === 'boolean' ? 'takes no value' : 'needs a value'}`);
  }
}

function positiveInteger(v: string | boolean | undefined, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || n < 1 || n > max) throw new ControlError(400, `--${name} must be an integer 1..${max}, got '${String(v)}'`);
  return n;
}

const need = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new ControlError(400, `${what} is missing`);
  return v;
};

// --- the commands of this issue ---------------------------------------------------------------------

registerControlCommand({
  words: ['status'],
  summary: 'NFs, gNBs, UEs (RM/CM state, 5G-GUTI, PDU sessions with PSI, DNN, S-NSSAI, address, TEIDs) and every NF ledger',
  run: async (net) => net.status(),
});

registerControlCommand({
  words: ['ue', '<supi>', 'add'],
  summary: 'bring a subscriber of the UDR into the running network as a new UE (deregistered)',
  perUe: true,
  run: async (net, a) => net.add(need(a.supi, 'SUPI')),
});

registerControlCommand({
  words: ['ue', '<supi>', 'register'],
  summary: 'Initial Registration (TS 23.502 4.2.2.2.2)',
  perUe: true,
  run: (net, a) => net.register(need(a.supi, 'SUPI')),
});

registerControlCommand({
  words: ['ue', '<supi>', 'deregister'],
  options: { 'switch-off': { type: 'boolean' }, normal: { type: 'boolean' }, access: { type: 'string' } },
  synopsis: '--switch-off | --normal [--access 3gpp|non-3gpp|both]',
  summary: 'UE-initiated Deregistration (TS 23.502 4.2.2.3.2)',
  perUe: true,
  run: (net, a) => {
    const switchOff = a.options['switch-off'] === true;
    if (switchOff === (a.options.normal === true)) throw new ControlError(400, 'deregister needs exactly one of --switch-off and --normal');
    const access = a.options.access ?? '3gpp';
    if (access !== '3gpp' && access !== 'non-3gpp' && access !== 'both') throw new ControlError(400, `--access must be 3gpp, non-3gpp or both, got '${String(access)}'`);
    return net.deregister(need(a.supi, 'SUPI'), { switchOff, access });
  },
});

registerControlCommand({
  words: ['ue', '<supi>', 'pdu', 'establish'],
  options: { dnn: { type: 'string' }, sst: { type: 'string' }, sd: { type: 'string' }, psi: { type: 'string' } },
  synopsis: '[--dnn D] [--sst N [--sd X]] [--psi N]',
  summary: 'UE-requested PDU Session Establishment (TS 23.502 4.3.2.2.1)',
  perUe: true,
  run: (net, a) => {
    const sst = a.options.sst === undefined ? undefined : positiveInteger(a.options.sst, 'sst', 255);
    const sd = a.options.sd;
    if (sd !== undefined && (typeof sd !== 'string' || !/^[0-9a-fA-F]{6}$/.test(sd))) throw new ControlError(400, `--sd must be 6 hex digits, got '${String(sd)}'`);
    if (sd !== undefined && sst === undefined) throw new ControlError(400, '--sd needs --sst');
    const dnn = a.options.dnn;
    const psi = positiveInteger(a.options.psi, 'psi', 15);
    return net.establishPduSession(need(a.supi, 'SUPI'), {
      ...(typeof dnn === 'string' ? { dnn } : {}),
      ...(sst !== undefined ? { snssai: { sst, ...(sd ? { sd: sd.toLowerCase() } : {}) } } : {}),
      ...(psi !== undefined ? { psi } : {}),
    });
  },
});

registerControlCommand({
  words: ['ue', '<supi>', 'pdu', 'release', '<psi>'],
  summary: 'UE-requested PDU Session Release (TS 23.502 4.3.4.2)',
  perUe: true,
  run: (net, a) => {
    const psi = need(a.psi, 'PDU session identity');
    if (psi < 1 || psi > 15) throw new ControlError(400, `PDU session identity ${psi} is not 1..15`);
    return net.releasePduSession(need(a.supi, 'SUPI'), psi);
  },
});

registerControlCommand({
  words: ['smf', 'release', '<supi>', '<psi>'],
  options: { cause: { type: 'string' } },
  synopsis: '[--cause N]',
  summary: 'network-requested PDU Session Release by the SMF (TS 23.502 4.3.4.2), 5GSM cause N (TS 24.501 9.11.4.2, default 36)',
  perUe: true,
  run: (net, a) => {
    const psi = need(a.psi, 'PDU session identity');
    if (psi < 1 || psi > 15) throw new ControlError(400, `PDU session identity ${psi} is not 1..15`);
    const cause = positiveInteger(a.options.cause, 'cause', 255);
    return net.smfRelease(need(a.supi, 'SUPI'), psi, cause !== undefined ? { fiveGsmCause: cause } : {});
  },
});

registerControlCommand({
  words: ['amf', 'deregister', '<supi>'],
  options: { reregister: { type: 'boolean' }, cause: { type: 'string' } },
  synopsis: '[--reregister] [--cause N]',
  summary: 'network-initiated Deregistration by the AMF (TS 23.502 4.2.2.3.3): re-registration required or not, 5GMM cause N (TS 24.501 9.11.3.2)',
  perUe: true,
  run: (net, a) => {
    const cause = positiveInteger(a.options.cause, 'cause', 255);
    return net.amfDeregister(need(a.supi, 'SUPI'), { reRegistrationRequired: a.options.reregister === true, ...(cause !== undefined ? { fiveGmmCause: cause } : {}) });
  },
});

registerControlCommand({
  words: ['udm', 'withdraw', '<supi>'],
  options: { access: { type: 'string' } },
  synopsis: '[--access 3gpp|non-3gpp|both]',
  summary: 'UDM-initiated Deregistration (TS 23.502 4.2.2.3.3 step 1): Nudm_UECM_DeregistrationNotification, subscription withdrawn',
  perUe: true,
  run: (net, a) => {
    const access = a.options.access ?? '3gpp';
    if (access !== '3gpp' && access !== 'non-3gpp' && access !== 'both') throw new ControlError(400, `--access must be 3gpp, non-3gpp or both, got '${String(access)}'`);
    return net.udmWithdraw(need(a.supi, 'SUPI'), { access });
  },
});

registerControlCommand({
  words: ['ue', '<supi>', 'ping'],
  options: { count: { type: 'string' }, psi: { type: 'string' }, interval: { type: 'string' } },
  synopsis: '[--count N] [--psi N] [--interval MS]',
  summary: 'ICMP echo to the data network over a PDU session (3 by default)',
  perUe: true,
  run: (net, a) => {
    const count = positiveInteger(a.options.count, 'count', 100_000) ?? 3;
    const psi = positiveInteger(a.options.psi, 'psi', 15);
    const interval = a.options.interval === undefined ? 0 : positiveInteger(a.options.interval, 'interval', 60_000);
    return net.ping(need(a.supi, 'SUPI'), { count, ...(psi !== undefined ? { psi } : {}), ...(interval ? { intervalMs: interval } : {}) });
  },
});

registerControlCommand({
  words: ['dump'],
  summary: 'write ladder.md and summary.json as they are now (the capture is always readable)',
  run: async (net) => net.dump(),
});

registerControlCommand({
  words: ['down'],
  summary: 'stop the network: registered UEs switch off, ledgers compared, outputs written',
  stopsNetwork: true,
  run: (net) => net.stop(),
});
