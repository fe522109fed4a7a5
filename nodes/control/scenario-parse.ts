// Scenario files: timed actions over groups of UEs, run on a LiveNetwork (`wire5g run --scenario
// FILE.yaml`). The format (README "Scenario files"):
//
//   description: one line for `wire5g scenarios`
//   ues: 10                      # UEs of the run (subscribers as `wire5g run` derives them)
//   steps:
//     - register: all            # all | N (the first N) | "a-b" (UEs a..b, from 1); emergency: true for an emergency registration
//                                # sst, sd: request that S-NSSAI (a registered UE: mobility update, TS 23.502 4.2.2.2.3)
//       rate: 5                  # UEs started per second (default: as fast as `parallel` allows)
//     - pdu-establish: all       # options: psi, dnn, sst, sd
//     - ping: "1-5"              # options: count (3), interval (ms), psi
//       background: true         # the next step starts at once; the run waits for it at the end
//     - pdu-release: "6-10"      # option: psi (required)
//     - smf-release: all         # network-requested release by the SMF (TS 23.502 4.3.4.2):
//                                # psi (required), cause (5GSM cause, default 36)
//     - deregister: "6-10"       # options: mode switch-off | normal | mixed, access 3gpp | non-3gpp | both
//     - amf-deregister: all      # network-initiated deregistration by the AMF (TS 23.502 4.2.2.3.3):
//                                # reregister (true|false), cause (5GMM cause), t3346 (seconds, with cause 22)
//     - udm-withdraw: all        # UDM-initiated (subscription withdrawn): access 3gpp | both
//     - udm-update: all          # the subscribed S-NSSAI changes (ctl udm update): sst (required), sd
//     - amf-release: 1           # AMF-initiated release with N1/N2 signalling (TS 23.502 4.3.4.2/4.3.4.3 step 1f): psi, cause (TS 29.502)
//     - pcf-terminate: 1         # SM Policy Association Termination by the PCF (TS 23.502 4.16.6 case A): psi, cause
//     - af-create: 1             # the AF's app session on a PDU session (ctl af create): psi; af-delete ends it
//     - policy-update: 2         # the UDR's policy data changes and the PCF is notified: usage (octets), dnn (list), mk (key: octets)
//     - await-release: 2         # the PDU session psi ends within seconds (10), e.g. its usage ran out
//     - an-release: 3            # the gNB releases the AN (TS 23.502 4.2.6): CM-IDLE, still registered
//     - out-of-coverage: 3       # the UE leaves coverage: answers no paging, makes no periodic update
//     - await-implicit: 3        # the AMF deregisters it implicitly within seconds (10) (TS 24.501 5.3.7)
//     - in-coverage: 3           # back in coverage; type: periodic | mobility (a registration update on return)
//     - move: 1                  # to the cell of TA `tac` (required): a mobility registration update outside the TAI list (issue 18)
//     - update: 1                # registration update (ctl ue update): type mobility | periodic (mobility)
//     - await-periodic: 1        # the UE's T3512 expires and it makes its periodic update within seconds (10)
//     - provision: all           # SNPN onboarding (issue 19): SO-SNPN credentials from the PVS over the onboarding PDU session
//     - await-deregistration: all # the AMF's onboarding deregistration timer deregisters the UE within seconds (60)
//     - wait: 1.5                # seconds
//   any action's step may add   # order: trace patterns ('SMF>H-SMF Nsmf_PDUSession_Update [4.3.4.3 step 1a]')
//       order: [...]             # traced in that order while the step runs, else the run is not OK (step-order.ts)
//   timers:                      # the AMF's timers in seconds (TS 24.501 defaults when absent):
//     mobile-reachable: 1        # implicit-deregistration, t3513, t3522 likewise
//   config: { snpn: ... }        # configuration keys merged over the run's configuration (as --config's)
//
// Every action of every UE is a procedure of the run's summary; a UE whose action failed takes no
// part in later steps. A file that does not validate is refused with one line naming the field.

import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { overlayConfig, ConfigError, DEFAULT_CONFIG, type Snssai } from '../common/config.ts';
import { SM_POLICY_RELEASE_CAUSES, type SmPolicyReleaseCause } from '../pcf/sm-policy-termination.ts';
import { scenarioAmfTimers } from './coverage-commands.ts';
import type { AmfTimers } from '../amf/gmm.ts';
import { AMF_RELEASE_CAUSES, type AmfReleaseCause } from '../amf/procedures/amf-requested-release.ts';
import { t3346Refusal } from '../amf/procedures/deregistration-network.ts';

export type UeGroup = { kind: 'all' } | { kind: 'first'; count: number } | { kind: 'range'; from: number; to: number };

export type ScenarioStep =
  | { action: 'wait'; seconds: number }
  | ({ group: UeGroup; rate?: number; parallel?: number; background: boolean; /** Trace patterns traced in this order while the step runs (step-order.ts). */ order?: string[] } & (
    | { action: 'register'; snssai?: Snssai; emergency?: boolean }
    | { action: 'in-coverage'; update?: 'periodic' | 'mobility' }
    | { action: 'pdu-establish'; psi?: number; dnn?: string; snssai?: Snssai; emergency?: boolean }
    | { action: 'pdu-release'; psi: number }
    | { action: 'smf-release'; psi: number; cause?: number; plmn?: 'visited' | 'home'; replaceSnssai?: Snssai }
    | { action: 'pcf-terminate'; psi: number; cause?: SmPolicyReleaseCause; plmn?: 'visited' | 'home' }
    | { action: 'amf-deregister'; reregister: boolean; cause?: number; t3346?: number }
    | { action: 'amf-release'; psi: number; cause?: AmfReleaseCause }
    | { action: 'udm-withdraw'; access: '3gpp' | 'non-3gpp' | 'both' }
    | { action: 'udm-update'; snssai: Snssai }
    | { action: 'ping'; count: number; intervalMs?: number; psi?: number; size?: number }
    | { action: 'deregister'; mode: 'switch-off' | 'normal' | 'mixed'; access: '3gpp' | 'non-3gpp' | 'both' }
    // issue 16 (policy-commands.ts)
    | { action: 'af-create'; psi: number }
    | { action: 'af-delete'; psi: number }
    | { action: 'policy-update'; usage?: number; dnns?: string[]; monitoringKeys?: { key: string; octets: number }[] }
    | { action: 'await-release'; psi: number; seconds: number }
    // issue 15 (coverage-commands.ts)
    | { action: 'an-release' }
    | { action: 'out-of-coverage' }
    | { action: 'await-implicit'; seconds: number }
    // issue 18 (mobility-commands.ts)
    | { action: 'move'; tac: number }
    | { action: 'update'; type: 'mobility' | 'periodic' }
    | { action: 'await-periodic'; seconds: number }
    // issue 19 (snpn-commands.ts)
    | { action: 'provision' }
    | { action: 'await-deregistration'; seconds: number }
  ));

export interface Scenario {
  name: string;
  description: string;
  ues?: number;
  /** Home-routed roaming (issue 17): the run's UEs are the home PLMN's subscribers, roaming in the serving PLMN. */
  roaming?: boolean;
  /** The AMF's timers for this run (`timers:` in seconds), e.g. short reachability timers. */
  amfTimers?: Partial<AmfTimers>;
  /** Configuration keys merged over the run's configuration (issue 19: the onboarding SNPN's `snpn` and its subscribers). */
  config?: Record<string, unknown>;
  steps: ScenarioStep[];
}

export class ScenarioFileError extends Error {
  /** `path` is the field ('steps[2].count'); empty when the file as a whole is wrong. */
  constructor(file: string, path: string, what: string) {
    super(path ? `${file}: ${path}: ${what}` : `${file}: ${what}`);
    this.name = 'ScenarioFileError';
  }
}

const UE_ACTIONS = ['register', 'pdu-establish', 'pdu-release', 'smf-release', 'ping', 'deregister', 'amf-deregister', 'amf-release', 'udm-withdraw', 'udm-update', 'pcf-terminate', 'af-create', 'af-delete', 'policy-update', 'await-release', 'an-release', 'out-of-coverage', 'in-coverage', 'await-implicit', 'move', 'update', 'await-periodic', 'provision', 'await-deregistration'] as const;
const COMMON_KEYS = ['rate', 'parallel', 'background', 'order'];
const OPTION_KEYS: Record<(typeof UE_ACTIONS)[number], string[]> = {
  register: ['sst', 'sd', 'emergency'],
  'pdu-establish': ['psi', 'dnn', 'sst', 'sd', 'emergency'],
  'pdu-release': ['psi'],
  'smf-release': ['psi', 'cause', 'plmn', 'replace-sst', 'replace-sd'],
  'pcf-terminate': ['psi', 'cause', 'plmn'],
  'amf-deregister': ['reregister', 'cause', 't3346'],
  'amf-release': ['psi', 'cause'],
  'udm-withdraw': ['access'],
  'udm-update': ['sst', 'sd'],
  ping: ['count', 'interval', 'psi', 'size'],
  deregister: ['mode', 'access'],
  'af-create': ['psi'],
  'af-delete': ['psi'],
  'policy-update': ['usage', 'dnn', 'mk'],
  'await-release': ['psi', 'seconds'],
  'an-release': [],
  'out-of-coverage': [],
  'in-coverage': ['type'],
  'await-implicit': ['seconds'],
  move: ['tac'],
  update: ['type'],
  'await-periodic': ['seconds'],
  provision: [],
  'await-deregistration': ['seconds'],
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and validates a scenario; throws ScenarioFileError naming the field. */
export function parseScenario(text: string, file: string): Scenario {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ScenarioFileError(file, '(yaml)', (e as Error).message.split('\n')[0]);
  }
  const fail = (path: string, what: string): never => {
    throw new ScenarioFileError(file, path, what);
  };
  if (!isObject(doc)) return fail('(root)', 'expected a mapping with description, ues and steps');
  for (const k of Object.keys(doc)) if (!['description', 'ues', 'steps', 'roaming', 'timers', 'config'].includes(k)) fail(k, 'unknown key (description, ues, roaming, timers, config, steps)');
  if (doc.roaming !== undefined && typeof doc.roaming !== 'boolean') fail('roaming', 'expected true or false');
  if (doc.config !== undefined) {
    if (!isObject(doc.config)) fail('config', 'expected a mapping of configuration keys');
    // judged here, over the defaults, so that a wrong key is refused before anything starts
    try {
      overlayConfig(DEFAULT_CONFIG, doc.config);
    } catch (e) {
      if (e instanceof ConfigError) {
        const i = e.message.indexOf(': ');
        fail(`config.${e.message.slice(0, i)}`.replace(/^config\.\(root\)$/, 'config'), e.message.slice(i + 2));
      }
      throw e;
    }
  }
  if (typeof doc.description !== 'string' || !doc.description.trim()) fail('description', 'one line of text is required');
  const description = String(doc.description).trim().split('\n')[0];
  const int = (v: unknown, path: string, min: number, max = 1_000_000): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return fail(path, `expected an integer ${min}..${max}, got ${JSON.stringify(v)}`);
    return v;
  };
  const num = (v: unknown, path: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return fail(path, `expected a positive number, got ${JSON.stringify(v)}`);
    return v;
  };
  const ues = doc.ues === undefined ? undefined : int(doc.ues, 'ues', 0);
  const amfTimers = doc.timers === undefined ? undefined : scenarioAmfTimers(doc.timers, fail);
  if (!Array.isArray(doc.steps) || doc.steps.length === 0) fail('steps', 'expected a non-empty list of steps');
  const group = (v: unknown, path: string): UeGroup => {
    if (v === 'all') return { kind: 'all' };
    if (typeof v === 'number') return { kind: 'first', count: int(v, path, 1) };
    const m = typeof v === 'string' ? /^(\d+)-(\d+)$/.exec(v) : null;
    if (!m) return fail(path, `expected all, a number of UEs or a range "a-b", got ${JSON.stringify(v)}`);
    const from = Number(m[1]), to = Number(m[2]);
    if (from < 1 || to < from) fail(path, `range "${String(v)}" must go from 1 up`);
    if (ues !== undefined && to > ues) fail(path, `range "${String(v)}" goes beyond the ${ues} UE(s) of the scenario`);
    return { kind: 'range', from, to };
  };
  const steps = (doc.steps as unknown[]).map((raw, i): ScenarioStep => {
    const at = `steps[${i}]`;
    if (!isObject(raw)) return fail(at, 'expected a mapping such as { register: all }');
    const actions = Object.keys(raw).filter((k) => k === 'wait' || (UE_ACTIONS as readonly string[]).includes(k));
    if (actions.length !== 1) return fail(at, `expected exactly one action of wait, ${UE_ACTIONS.join(', ')}; got ${actions.length ? actions.join(', ') : 'none'}`);
    const action = actions[0];
    if (action === 'wait') {
      for (const k of Object.keys(raw)) if (k !== 'wait') fail(`${at}.${k}`, 'wait takes no options');
      return { action: 'wait', seconds: num(raw.wait, `${at}.wait`) };
    }
    const a = action as (typeof UE_ACTIONS)[number];
    for (const k of Object.keys(raw)) if (k !== a && !COMMON_KEYS.includes(k) && !OPTION_KEYS[a].includes(k)) fail(`${at}.${k}`, `unknown option for ${a} (${[...OPTION_KEYS[a], ...COMMON_KEYS].join(', ')})`);
    if (raw.background !== undefined && typeof raw.background !== 'boolean') fail(`${at}.background`, 'expected true or false');
    const common = {
      group: group(raw[a], `${at}.${a}`),
      background: raw.background === true,
      ...(raw.rate !== undefined ? { rate: num(raw.rate, `${at}.rate`) } : {}),
      ...(raw.parallel !== undefined ? { parallel: int(raw.parallel, `${at}.parallel`, 1) } : {}),
      ...(raw.order !== undefined ? { order: orderOption(raw.order, `${at}.order`, fail) } : {}),
    };
    const psi = raw.psi === undefined ? undefined : int(raw.psi, `${at}.psi`, 1, 15);
    switch (a) {
      case 'register': {
        if (raw.emergency !== undefined && typeof raw.emergency !== 'boolean') fail(`${at}.emergency`, 'expected true or false');
        if (raw.sd !== undefined && (typeof raw.sd !== 'string' || !/^[0-9a-fA-F]{6}$/.test(raw.sd))) fail(`${at}.sd`, 'expected 6 hex digits as a string');
        if (raw.sd !== undefined && raw.sst === undefined) fail(`${at}.sd`, 'needs sst');
        if (raw.emergency === true && raw.sst !== undefined) fail(`${at}.sst`, 'an emergency registration requests no S-NSSAI');
        const sst = raw.sst === undefined ? undefined : int(raw.sst, `${at}.sst`, 0, 255);
        return { action: a, ...common, ...(sst !== undefined ? { snssai: { sst, ...(typeof raw.sd === 'string' ? { sd: raw.sd.toLowerCase() } : {}) } } : {}), ...(raw.emergency === true ? { emergency: true } : {}) };
      }
      case 'in-coverage':
        if (raw.type !== undefined && raw.type !== 'periodic' && raw.type !== 'mobility') fail(`${at}.type`, 'expected periodic or mobility');
        return { action: a, ...common, ...(raw.type !== undefined ? { update: raw.type as 'periodic' | 'mobility' } : {}) };
      case 'provision':
        return { action: a, ...common };
      case 'await-deregistration':
        return { action: a, ...common, seconds: raw.seconds === undefined ? 60 : num(raw.seconds, `${at}.seconds`) };
      case 'an-release':
      case 'out-of-coverage':
        return { action: a, ...common };
      case 'await-implicit':
      case 'await-periodic':
        return { action: a, ...common, seconds: raw.seconds === undefined ? 10 : num(raw.seconds, `${at}.seconds`) };
      case 'move':
        if (raw.tac === undefined) return fail(`${at}.tac`, 'the TAC of the cell to move to is required');
        return { action: a, ...common, tac: int(raw.tac, `${at}.tac`, 0, 0xffffff) };
      case 'update': {
        const type = raw.type ?? 'mobility';
        if (type !== 'mobility' && type !== 'periodic') return fail(`${at}.type`, `expected mobility or periodic, got ${JSON.stringify(type)}`);
        return { action: a, ...common, type };
      }
      case 'pdu-establish': {
        if (raw.dnn !== undefined && (typeof raw.dnn !== 'string' || !raw.dnn)) fail(`${at}.dnn`, 'expected a DNN');
        if (raw.sd !== undefined && (typeof raw.sd !== 'string' || !/^[0-9a-fA-F]{6}$/.test(raw.sd))) fail(`${at}.sd`, 'expected 6 hex digits as a string');
        if (raw.sd !== undefined && raw.sst === undefined) fail(`${at}.sd`, 'needs sst');
        const sst = raw.sst === undefined ? undefined : int(raw.sst, `${at}.sst`, 0, 255);
        if (raw.emergency !== undefined && (raw.emergency !== true || raw.dnn !== undefined || sst !== undefined)) fail(`${at}.emergency`, 'expected true, without dnn and sst (TS 24.501 6.4.1.2)');
        return { action: a, ...common, ...(raw.emergency === true ? { emergency: true } : {}), ...(psi !== undefined ? { psi } : {}), ...(typeof raw.dnn === 'string' ? { dnn: raw.dnn } : {}), ...(sst !== undefined ? { snssai: { sst, ...(typeof raw.sd === 'string' ? { sd: raw.sd.toLowerCase() } : {}) } } : {}) };
      }
      case 'pdu-release':
        if (psi === undefined) return fail(`${at}.psi`, 'the PDU session identity to release is required');
        return { action: a, ...common, psi };
      case 'smf-release': {
        if (psi === undefined) return fail(`${at}.psi`, 'the PDU session identity to release is required');
        const plmn = plmnOption(raw.plmn, `${at}.plmn`, fail);
        if (raw['replace-sd'] !== undefined && (typeof raw['replace-sd'] !== 'string' || !/^[0-9a-fA-F]{6}$/.test(raw['replace-sd']))) fail(`${at}.replace-sd`, 'expected 6 hex digits as a string');
        if (raw['replace-sd'] !== undefined && raw['replace-sst'] === undefined) fail(`${at}.replace-sd`, 'needs replace-sst');
        if (raw['replace-sst'] !== undefined && plmn !== 'home') fail(`${at}.replace-sst`, 'slice replacement is the H-SMF\'s: needs plmn: home');
        const replaceSnssai = raw['replace-sst'] === undefined ? undefined : { sst: int(raw['replace-sst'], `${at}.replace-sst`, 0, 255), ...(typeof raw['replace-sd'] === 'string' ? { sd: raw['replace-sd'].toLowerCase() } : {}) };
        return { action: a, ...common, psi, ...(raw.cause !== undefined ? { cause: int(raw.cause, `${at}.cause`, 1, 255) } : {}), ...(plmn ? { plmn } : {}), ...(replaceSnssai ? { replaceSnssai } : {}) };
      }
      case 'pcf-terminate': {
        if (psi === undefined) return fail(`${at}.psi`, 'the PDU session identity is required');
        const plmn = plmnOption(raw.plmn, `${at}.plmn`, fail);
        if (raw.cause !== undefined && !(SM_POLICY_RELEASE_CAUSES as readonly unknown[]).includes(raw.cause)) fail(`${at}.cause`, `expected one of ${SM_POLICY_RELEASE_CAUSES.join(', ')}`);
        return { action: a, ...common, psi, ...(raw.cause !== undefined ? { cause: raw.cause as SmPolicyReleaseCause } : {}), ...(plmn ? { plmn } : {}) };
      }
      case 'amf-release':
        if (psi === undefined) return fail(`${at}.psi`, 'the PDU session identity is required');
        if (raw.cause !== undefined && !(AMF_RELEASE_CAUSES as readonly unknown[]).includes(raw.cause)) fail(`${at}.cause`, `expected one of ${AMF_RELEASE_CAUSES.join(', ')}`);
        return { action: a, ...common, psi, ...(raw.cause !== undefined ? { cause: raw.cause as AmfReleaseCause } : {}) };
      case 'amf-deregister':
        if (raw.reregister !== undefined && typeof raw.reregister !== 'boolean') fail(`${at}.reregister`, 'expected true or false');
      {
        const cause = raw.cause !== undefined ? int(raw.cause, `${at}.cause`, 1, 255) : undefined;
        const t3346 = raw.t3346 !== undefined ? int(raw.t3346, `${at}.t3346`, 1, 11160) : undefined;
        const refusal = t3346Refusal(cause, t3346);
        if (refusal) fail(`${at}.${t3346 === undefined ? 'cause' : 't3346'}`, refusal.replace(': give --t3346 SECONDS', ': give t3346 (seconds)'));
        return { action: a, ...common, reregister: raw.reregister === true, ...(cause !== undefined ? { cause } : {}), ...(t3346 !== undefined ? { t3346 } : {}) };
      }
      case 'udm-update': {
        if (raw.sst === undefined) return fail(`${at}.sst`, 'the S-NSSAI now subscribed is required');
        if (raw.sd !== undefined && (typeof raw.sd !== 'string' || !/^[0-9a-fA-F]{6}$/.test(raw.sd))) fail(`${at}.sd`, 'expected 6 hex digits as a string');
        return { action: a, ...common, snssai: { sst: int(raw.sst, `${at}.sst`, 0, 255), ...(typeof raw.sd === 'string' ? { sd: raw.sd.toLowerCase() } : {}) } };
      }
      case 'udm-withdraw': {
        const access = raw.access ?? '3gpp';
        if (access !== '3gpp' && access !== 'non-3gpp' && access !== 'both') return fail(`${at}.access`, `expected 3gpp, non-3gpp or both, got ${JSON.stringify(access)}`);
        return { action: a, ...common, access };
      }
      case 'ping':
        return { action: a, ...common, count: raw.count === undefined ? 3 : int(raw.count, `${at}.count`, 1), ...(raw.interval !== undefined ? { intervalMs: int(raw.interval, `${at}.interval`, 0, 60_000) } : {}), ...(psi !== undefined ? { psi } : {}), ...(raw.size !== undefined ? { size: int(raw.size, `${at}.size`, 1, 1400) } : {}) };
      case 'af-create':
      case 'af-delete':
        if (psi === undefined) return fail(`${at}.psi`, 'the PDU session identity is required');
        return { action: a, ...common, psi };
      case 'await-release':
        if (psi === undefined) return fail(`${at}.psi`, 'the PDU session identity is required');
        return { action: a, ...common, psi, seconds: raw.seconds === undefined ? 10 : num(raw.seconds, `${at}.seconds`) };
      case 'policy-update': {
        const dnn = raw.dnn;
        if (dnn !== undefined && !(Array.isArray(dnn) && dnn.length && dnn.every((d) => typeof d === 'string' && d))) fail(`${at}.dnn`, 'expected a list of DNNs');
        if (raw.usage === undefined && dnn === undefined && raw.mk === undefined) fail(at, 'policy-update needs usage, dnn or mk');
        // mk: the remaining allowed usage per Monitoring Key, e.g. { icmp: 6000 }
        const mk = raw.mk;
        if (mk !== undefined && (typeof mk !== 'object' || mk === null || Array.isArray(mk) || !Object.keys(mk).every((k) => /^[A-Za-z0-9_-]{1,64}$/.test(k)))) fail(`${at}.mk`, "expected a mapping of monitoring keys (letters, digits, '-', '_') to octets, e.g. { icmp: 6000 }");
        const monitoringKeys = mk === undefined ? undefined : Object.entries(mk as Record<string, unknown>).map(([key, v]) => ({ key, octets: int(v, `${at}.mk.${key}`, 0, Number.MAX_SAFE_INTEGER) }));
        return { action: a, ...common, ...(raw.usage !== undefined ? { usage: int(raw.usage, `${at}.usage`, 0, Number.MAX_SAFE_INTEGER) } : {}), ...(dnn !== undefined ? { dnns: dnn as string[] } : {}), ...(monitoringKeys ? { monitoringKeys } : {}) };
      }
      case 'deregister': {
        const mode = raw.mode ?? 'switch-off';
        if (mode !== 'switch-off' && mode !== 'normal' && mode !== 'mixed') return fail(`${at}.mode`, `expected switch-off, normal or mixed, got ${JSON.stringify(mode)}`);
        const access = raw.access ?? '3gpp';
        if (access !== '3gpp' && access !== 'non-3gpp' && access !== 'both') return fail(`${at}.access`, `expected 3gpp, non-3gpp or both, got ${JSON.stringify(access)}`);
        return { action: a, ...common, mode, access };
      }
    }
  });
  return { name: basename(file).replace(/\.ya?ml$/, ''), description, ...(ues !== undefined ? { ues } : {}), ...(doc.roaming === true ? { roaming: true } : {}), ...(amfTimers ? { amfTimers } : {}), ...(isObject(doc.config) ? { config: doc.config } : {}), steps };
}

/** The scenarios shipped with wire5g (scenarios/*.yaml at the package root). */
export const BUILT_IN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scenarios');

export function builtInScenarios(): { name: string; description: string; path: string }[] {
  if (!existsSync(BUILT_IN_DIR)) return [];
  return readdirSync(BUILT_IN_DIR).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => {
    const path = join(BUILT_IN_DIR, f);
    return { ...parseScenario(readFileSync(path, 'utf8'), path), path };
  }).map(({ name, description, path }) => ({ name, description, path }));
}

/** A file path, or the name of a built-in scenario ('default'). */
export function loadScenario(fileOrName: string): Scenario {
  const builtIn = join(BUILT_IN_DIR, `${fileOrName}.yaml`);
  const path = existsSync(fileOrName) ? fileOrName : existsSync(builtIn) ? builtIn : undefined;
  if (!path) throw new ScenarioFileError(fileOrName, '', `no such file, and no built-in scenario of that name ('wire5g scenarios' lists them)`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioFileError(fileOrName, '', code === 'EISDIR' ? 'is a directory, not a scenario file' : `cannot read it: ${code ?? (e as Error).message}`);
  }
  return parseScenario(text, path);
}

function plmnOption(v: unknown, path: string, fail: (path: string, what: string) => never): 'visited' | 'home' | undefined {
  if (v === undefined) return undefined;
  if (v !== 'visited' && v !== 'home') return fail(path, `expected visited or home, got ${JSON.stringify(v)}`);
  return v;
}

/** `order:` a non-empty list of non-empty trace patterns (step-order.ts). */
function orderOption(v: unknown, path: string, fail: (path: string, what: string) => never): string[] {
  if (!Array.isArray(v) || v.length === 0) return fail(path, "expected a non-empty list of trace patterns such as 'AMF>SMF Nsmf_PDUSession_UpdateSMContext'");
  v.forEach((x, k) => {
    if (typeof x !== 'string' || !x.trim()) fail(`${path}[${k}]`, `expected a non-empty trace pattern, got ${JSON.stringify(x)}`);
  });
  return v as string[];
}
