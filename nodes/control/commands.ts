// The commands of `wire5g ctl`, one table: each entry names the words of its command line (with
// <supi>, <psi> and other <placeholders>), declares its options once (nodes/common/options.ts:
// kind, default, help), has one line of help, and says what it does to a LiveNetwork. The CLI
// builds its command tree, --help and option parsing from this table (cli/ctl.ts); the control
// API looks the same entry up and judges the options again with the same declaration (api.ts).
// A procedure issue adds its command with one more `registerControlCommand({...})`, here or in
// its own module imported by nodes/control/index.ts; a new first word (`amf`, `smf`, ...) becomes
// a new group of `wire5g ctl`, described by `describeControlGroup`.

import { checkOptions as judgeOptions, UsageError, type OptionSpecs, type OptionValues, type RawOptions } from '../common/options.ts';
import { ControlError, type LiveNetwork } from './live-network.ts';
import { t3346Refusal } from '../amf/procedures/deregistration-network.ts';

export type { RawOptions } from '../common/options.ts';

export interface CommandArgs<O extends OptionSpecs = OptionSpecs> {
  supi?: string;
  psi?: number;
  /** Every <placeholder> of the command's words by name ('supi', 'psi', ...), as typed. */
  params: Record<string, string>;
  options: OptionValues<O>;
}

export interface ControlCommand<O extends OptionSpecs = OptionSpecs> {
  /** e.g. ['ue', '<supi>', 'pdu', 'release', '<psi>'] */
  words: readonly string[];
  options: O;
  summary: string;
  /** The UE the command acts on (its ladder leaves out messages of other UEs). */
  perUe?: boolean;
  /** Stops the network after answering. */
  stopsNetwork?: boolean;
  /** Checks across options (`--sd` needs `--sst`), before anything is sent: throw ControlError 400. */
  check?(options: OptionValues<O>): void;
  run(net: LiveNetwork, a: CommandArgs<O>): Promise<unknown>;
}

const commands: ControlCommand[] = [];
const groups = new Map<string, string>();

/** Adds a command to the table; `const` keeps option choices literal for the typed values of `run`. */
export function registerControlCommand<const O extends OptionSpecs>(c: ControlCommand<O>): void {
  if (commands.some((x) => commandKey(x) === commandKey(c))) throw new Error(`control command '${commandKey(c)}' registered twice`);
  commands.push(c as unknown as ControlCommand);
}

/** One line of help for a group of commands, by its words without placeholders ('ue', 'ue pdu', 'amf'). */
export function describeControlGroup(key: string, summary: string): void {
  groups.set(key, summary);
}

export function controlGroupSummary(key: string): string | undefined {
  return groups.get(key);
}

export function controlCommands(): readonly ControlCommand[] {
  return commands;
}

/** The words without placeholders: 'ue pdu release'. */
export function commandKey(c: Pick<ControlCommand, 'words'>): string {
  return c.words.filter((w) => !w.startsWith('<')).join(' ');
}

export function findCommand(key: string): ControlCommand | undefined {
  return commands.find((c) => commandKey(c) === key);
}

/** The placeholders of a command's words, in order: ['supi', 'psi']. */
export function placeholders(c: Pick<ControlCommand, 'words'>): string[] {
  return c.words.filter((w) => w.startsWith('<')).map((w) => w.slice(1, -1));
}

/**
 * Judges a request for `c` (the CLI does the same before sending; the server does it again, since
 * the CLI is not the only client): every placeholder given, <psi> a number 1..15, the options as
 * declared. Throws ControlError 400 naming what is wrong.
 */
export function checkCommandArgs(c: ControlCommand, params: Record<string, unknown>, options: RawOptions): CommandArgs {
  const got: Record<string, string> = {};
  for (const name of placeholders(c)) {
    const v = params[name];
    if (typeof v !== 'string' || v === '') throw new ControlError(400, `<${name}> is missing`);
    got[name] = v;
  }
  if (got.psi !== undefined && !/^([1-9]|1[0-5])$/.test(got.psi)) throw new ControlError(400, `PDU session identity must be a number 1..15, got '${got.psi}'`);
  let values: OptionValues<OptionSpecs>;
  try {
    values = judgeOptions(c.options, options);
  } catch (e) {
    if (e instanceof UsageError) throw new ControlError(400, e.message);
    throw e;
  }
  c.check?.(values);
  return { ...(got.supi !== undefined ? { supi: got.supi } : {}), ...(got.psi !== undefined ? { psi: Number(got.psi) } : {}), params: got, options: values };
}

const need = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new ControlError(400, `${what} is missing`);
  return v;
};

// --- the commands of this issue ---------------------------------------------------------------------

describeControlGroup('ue', "one UE, by SUPI: add, register, deregister, pdu establish|release, ping");
describeControlGroup('ue pdu', "the UE's PDU sessions: establish, release");

const PSI = { kind: 'integer', arg: 'N', min: 1, max: 15 } as const;

registerControlCommand({
  words: ['status'],
  options: {},
  summary: 'NFs, gNBs, UEs (RM/CM state, 5G-GUTI, PDU sessions with PSI, DNN, S-NSSAI, address, TEIDs) and every NF ledger',
  run: async (net) => net.status(),
});

registerControlCommand({
  words: ['ue', '<supi>', 'add'],
  options: {},
  summary: 'bring a subscriber of the UDR into the running network as a new UE (deregistered)',
  perUe: true,
  run: async (net, a) => net.add(need(a.supi, 'SUPI')),
});

registerControlCommand({
  words: ['ue', '<supi>', 'register'],
  options: {
    sst: { kind: 'integer', arg: 'N', min: 0, max: 255, default: "the UE's slice", help: 'request this S-NSSAI (Requested NSSAI); a registered UE asks by a mobility registration update, rerouted to another AMF when its AMF cannot serve it (TS 23.502 4.2.2.2.3)' },
    sd: { kind: 'string', arg: 'HEX6', default: 'none', pattern: /[0-9a-fA-F]{6}/, patternHelp: '6 hex digits', help: 'its slice differentiator (needs --sst)' },
    emergency: { kind: 'flag', help: 'emergency registration (5GS registration type 4, TS 24.501 5.5.1.2.2): registered for emergency services only, e.g. in a forbidden TA or PLMN' },
  },
  summary: 'Initial Registration (TS 23.502 4.2.2.2.2); with --sst a slice, from a registered UE by mobility update (4.2.2.2.3 when another AMF serves it); --emergency: Emergency Registration',
  perUe: true,
  check: (o) => {
    if (o.sd !== undefined && o.sst === undefined) throw new ControlError(400, '--sd needs --sst');
    if (o.emergency && o.sst !== undefined) throw new ControlError(400, '--emergency requests no S-NSSAI: --sst does not apply');
  },
  run: (net, a) => net.register(need(a.supi, 'SUPI'), a.options.sst !== undefined ? { snssai: { sst: a.options.sst, ...(a.options.sd ? { sd: a.options.sd.toLowerCase() } : {}) } } : a.options.emergency ? { emergency: true } : {}),
});

registerControlCommand({
  words: ['ue', '<supi>', 'update'],
  options: {
    type: { kind: 'choice', choices: ['mobility', 'periodic'], default: 'mobility', help: '5GS registration type of the update (TS 24.501 9.11.3.7)' },
  },
  summary: 'Mobility or periodic registration update (TS 24.501 5.5.1.3): the UE keeps its context; from idle after an-release',
  perUe: true,
  run: (net, a) => net.updateRegistration(need(a.supi, 'SUPI'), a.options.type ?? 'mobility'),
});

registerControlCommand({
  words: ['ue', '<supi>', 'an-release'],
  options: {},
  summary: 'AN release initiated by the gNB (TS 23.502 4.2.6, cause user inactivity): the UE goes CM-IDLE, still registered',
  perUe: true,
  run: (net, a) => net.anRelease(need(a.supi, 'SUPI')),
});

registerControlCommand({
  words: ['ue', '<supi>', 'deregister'],
  options: {
    'switch-off': { kind: 'flag', help: 'the UE is switched off: no Deregistration Accept (TS 24.501 5.5.2.2.1); give this or --normal' },
    normal: { kind: 'flag', help: 'normal de-registration: the network answers with Deregistration Accept; give this or --switch-off' },
    access: { kind: 'choice', choices: ['3gpp', 'non-3gpp', 'both'], default: '3gpp', help: 'access type of the de-registration (TS 24.501 9.11.3.20)' },
  },
  summary: 'UE-initiated Deregistration (TS 23.502 4.2.2.3.2)',
  perUe: true,
  check: (o) => {
    if (o['switch-off'] === o.normal) throw new ControlError(400, 'deregister needs exactly one of --switch-off and --normal');
  },
  run: (net, a) => net.deregister(need(a.supi, 'SUPI'), { switchOff: a.options['switch-off'], access: a.options.access ?? '3gpp' }),
});

registerControlCommand({
  words: ['ue', '<supi>', 'pdu', 'establish'],
  options: {
    dnn: { kind: 'string', arg: 'DNN', default: 'dnn of the config (internet)', help: 'data network name to request' },
    sst: { kind: 'integer', arg: 'N', min: 0, max: 255, default: 'snssai of the config', help: 'S-NSSAI slice/service type to request' },
    sd: { kind: 'string', arg: 'HEX6', default: 'none', pattern: /[0-9a-fA-F]{6}/, patternHelp: '6 hex digits', help: 'S-NSSAI slice differentiator (needs --sst)' },
    psi: { ...PSI, default: 'the lowest free one', help: 'PDU session identity to use' },
    emergency: { kind: 'flag', help: 'request type "initial emergency request" (TS 24.501 9.11.3.47): no DNN nor S-NSSAI, the AMF gives the emergency DNN; not with --dnn/--sst' },
  },
  summary: 'UE-requested PDU Session Establishment (TS 23.502 4.3.2.2.1)',
  perUe: true,
  check: (o) => {
    if (o.sd !== undefined && o.sst === undefined) throw new ControlError(400, '--sd needs --sst');
    if (o.emergency && (o.dnn !== undefined || o.sst !== undefined)) throw new ControlError(400, '--emergency names no DNN nor S-NSSAI (TS 24.501 6.4.1.2): leave out --dnn, --sst and --sd');
  },
  run: (net, a) => {
    const { sst, sd, dnn, psi, emergency } = a.options;
    return net.establishPduSession(need(a.supi, 'SUPI'), {
      ...(emergency ? { emergency } : {}),
      ...(dnn !== undefined ? { dnn } : {}),
      ...(sst !== undefined ? { snssai: { sst, ...(sd ? { sd: sd.toLowerCase() } : {}) } } : {}),
      ...(psi !== undefined ? { psi } : {}),
    });
  },
});

registerControlCommand({
  words: ['ue', '<supi>', 'pdu', 'release', '<psi>'],
  options: {},
  summary: 'UE-requested PDU Session Release (TS 23.502 4.3.4.2)',
  perUe: true,
  run: (net, a) => net.releasePduSession(need(a.supi, 'SUPI'), need(a.psi, 'PDU session identity')),
});

describeControlGroup('smf', 'the SMF: network-requested PDU Session Release');
describeControlGroup('amf', 'the AMF: network-initiated Deregistration');
describeControlGroup('udm', 'the UDM: subscription withdrawal and change (UDM-initiated Deregistration, subscriber data update)');

registerControlCommand({
  words: ['smf', 'release', '<supi>', '<psi>'],
  options: {
    cause: { kind: 'integer', arg: 'N', min: 1, max: 255, default: '36 (regular deactivation); 39 with --replace-sst', help: '5GSM cause of the PDU SESSION RELEASE COMMAND (TS 24.501 9.11.4.2)' },
    'skip-paging': { kind: 'flag', help: 'set the skip indicator (TS 29.518): a CM-IDLE UE is not paged, the AMF answers N1_MSG_NOT_TRANSFERRED' },
    // --- issue 17: home-routed roaming ---
    plmn: { kind: 'choice', choices: ['visited', 'home'], default: 'visited', help: 'home: the H-SMF of a roaming UE\'s home-routed session releases it (TS 23.502 4.3.4.3 step 1e)' },
    'replace-sst': { kind: 'integer', arg: 'N', min: 0, max: 255, default: 'none', help: 'with --plmn home: network slice replacement, the Alternative HPLMN S-NSSAI the UE is to re-establish on (TS 23.501 5.15.19)' },
    'replace-sd': { kind: 'string', arg: 'HEX6', default: 'none', pattern: /[0-9a-fA-F]{6}/, patternHelp: '6 hex digits', help: 'its slice differentiator (needs --replace-sst)' },
  },
  summary: 'network-requested PDU Session Release by the SMF (TS 23.502 4.3.4.2 step 1e; --plmn home: 4.3.4.3 step 1e); a CM-IDLE UE is paged',
  perUe: true,
  run: (net, a) => {
    const cause = a.options.cause;
    const supi = need(a.supi, 'SUPI'), psi = need(a.psi, 'PDU session identity');
    const sst = a.options['replace-sst'], sd = a.options['replace-sd'];
    if (a.options.plmn === 'home') return net.hsmfRelease(supi, psi, { ...(cause !== undefined ? { fiveGsmCause: cause } : {}), ...(sst !== undefined ? { altHplmnSnssai: { sst, ...(sd ? { sd: sd.toLowerCase() } : {}) } } : {}) });
    if (sst !== undefined || sd !== undefined) throw new UsageError('--replace-sst and --replace-sd go with --plmn home (a home-routed session\'s slice replacement)');
    return net.smfRelease(supi, psi, { ...(cause !== undefined ? { fiveGsmCause: cause } : {}), ...(a.options['skip-paging'] ? { skipPaging: true } : {}) });
  },
});

registerControlCommand({
  words: ['amf', 'deregister', '<supi>'],
  options: {
    reregister: { kind: 'flag', help: 'de-registration type "re-registration required" (TS 24.501 9.11.3.20): the UE registers again and re-establishes its PDU sessions' },
    cause: { kind: 'integer', arg: 'N', min: 1, max: 255, default: 'none', help: '5GMM cause of the DEREGISTRATION REQUEST (TS 24.501 9.11.3.2), e.g. 3, 6, 7, 11, 12, 13, 15, 22, 27, 62, 72, 73' },
    t3346: { kind: 'integer', arg: 'SECONDS', min: 1, max: 11160, default: 'none; required with --cause 22', help: 'T3346 back-off value (GPRS timer 2, TS 24.501 9.11.2.4) sent with cause 22 (congestion)' },
  },
  summary: 'network-initiated Deregistration by the AMF (TS 23.502 4.2.2.3.3), explicit (O&M)',
  perUe: true,
  check: (o) => {
    const refusal = t3346Refusal(o.cause, o.t3346);
    if (refusal) throw new ControlError(400, refusal);
  },
  run: (net, a) => {
    const { cause, t3346 } = a.options;
    return net.amfDeregister(need(a.supi, 'SUPI'), { reRegistrationRequired: a.options.reregister, ...(cause !== undefined ? { fiveGmmCause: cause } : {}), ...(t3346 !== undefined ? { t3346Seconds: t3346 } : {}) });
  },
});

registerControlCommand({
  words: ['udm', 'withdraw', '<supi>'],
  options: {
    access: { kind: 'choice', choices: ['3gpp', 'non-3gpp', 'both'], default: '3gpp', help: 'the access(es) the subscription is withdrawn over' },
  },
  summary: 'UDM-initiated Deregistration (TS 23.502 4.2.2.3.3 step 1): Nudm_UECM_DeregistrationNotification, subscription withdrawn',
  perUe: true,
  run: (net, a) => net.udmWithdraw(need(a.supi, 'SUPI'), { access: a.options.access ?? '3gpp' }),
});

registerControlCommand({
  words: ['udm', 'update', '<supi>'],
  options: {
    sst: { kind: 'integer', arg: 'N', min: 0, max: 255, default: 'none: required', help: 'the S-NSSAI now subscribed: slice/service type' },
    sd: { kind: 'string', arg: 'HEX6', default: 'none', pattern: /[0-9a-fA-F]{6}/, patternHelp: '6 hex digits', help: 'its slice differentiator' },
  },
  summary: 'change the subscribed S-NSSAI in the UDR; the UDM notifies the AMF (TS 23.502 4.5.1), which deregisters a UE left with no allowed S-NSSAI (4.2.2.3.3)',
  perUe: true,
  check: (o) => {
    if (o.sst === undefined) throw new ControlError(400, 'udm update needs --sst');
  },
  run: (net, a) => net.udmUpdateSnssai(need(a.supi, 'SUPI'), { sst: need(a.options.sst, '--sst'), ...(a.options.sd ? { sd: a.options.sd.toLowerCase() } : {}) }),
});

registerControlCommand({
  words: ['udm', 'remove', '<supi>'],
  options: {},
  summary: 'the subscriber leaves the UDR: a registered UE is first deregistered as by udm withdraw (TS 23.502 4.2.2.3.3); what wire5g subscriber remove does on a running network',
  perUe: true,
  run: (net, a) => net.udmRemove(need(a.supi, 'SUPI')),
});

registerControlCommand({
  words: ['ue', '<supi>', 'ping'],
  options: {
    count: { kind: 'integer', arg: 'N', max: 100_000, default: '3', help: 'echo requests to send' },
    psi: { ...PSI, default: 'the first PDU session', help: 'PDU session to ping over' },
    interval: { kind: 'integer', arg: 'MS', min: 0, max: 60_000, default: '0 (each request after the previous reply)', help: 'pause between requests' },
    size: { kind: 'integer', arg: 'OCTETS', min: 1, max: 1400, default: "11 ('wire5g ping')", help: 'ICMP payload size (a large one uses up allowed usage faster)' },
  },
  summary: 'ICMP echo to the data network over a PDU session (TS 23.501 5.8)',
  perUe: true,
  run: (net, a) => {
    const { count, psi, interval, size } = a.options;
    return net.ping(need(a.supi, 'SUPI'), { count: count ?? 3, ...(psi !== undefined ? { psi } : {}), ...(interval ? { intervalMs: interval } : {}), ...(size !== undefined ? { size } : {}) });
  },
});

registerControlCommand({
  words: ['dump'],
  options: {},
  summary: 'write ladder.md and summary.json as they are now (the capture is always readable)',
  run: async (net) => net.dump(),
});

registerControlCommand({
  words: ['down'],
  options: {},
  summary: 'stop the network: registered UEs switch off, ledgers compared, outputs written',
  stopsNetwork: true,
  run: (net) => net.stop(),
});
