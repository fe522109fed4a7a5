// Configuration of a wire5g network, in YAML. Every field has a documented default, so
// an empty file, or none, is the embedded default network (config-types.ts). Every value is
// checked here, with its path, before anything starts: a wrong one is refused, never replaced by a
// default (a security algorithm least of all).

import { isPvsAddress } from './pvs-info.ts';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isIPv4 } from 'node:net';
import { DEFAULT_ROAMING } from './roaming-config.ts';
import { parseFlowDescription } from '../upf/sdf.ts';
import { HTTP2_IMPLEMENTATIONS } from '../../transport/sbi/http2-choice.ts';
export * from './config-types.ts';
import { amfInstances, DEFAULT_CONFIG, DEFAULT_SUBSCRIBER, INTEGRITY_ALGORITHMS, CIPHERING_ALGORITHMS, type NetworkConfig, type Snssai, type SubscriberConfig } from './config-types.ts';

/** A configuration that is unreadable, malformed or cannot work; the message names the key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Leaf = (v: unknown, path: string) => unknown;
interface MapSchema {
  fields: Record<string, Schema>;
  /** Keys that may be absent (their default is "absent"). */
  optional?: readonly string[];
}
interface ListSchema {
  item: Schema;
  /** An item's fields default to this (the embedded test subscriber). */
  itemDefaults?: Record<string, unknown>;
  required?: readonly string[];
  minItems?: number;
}
type Schema = Leaf | MapSchema | ListSchema;

const bad = (path: string, what: string): never => {
  throw new ConfigError(`${path}: ${what}`);
};
const typeName = (v: unknown): string => (Array.isArray(v) ? 'a list' : v === null ? 'nothing' : typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`);

function integer(min: number, max: number): Leaf {
  return (v, path) => {
    if (typeof v !== 'number') return bad(path, `expected number, got ${typeName(v)}`);
    if (!Number.isInteger(v) || v < min || v > max) return bad(path, `expected a whole number ${min}..${max}, got ${v}`);
    return v;
  };
}
function text(re: RegExp, what: string, lower = false): Leaf {
  return (v, path) => {
    if (typeof v !== 'string') return bad(path, `expected ${what}${typeof v === 'number' ? ' (in quotes)' : ''}, got ${typeName(v)}`);
    if (!re.test(v)) return bad(path, `expected ${what}, got '${v}'`);
    return lower ? v.toLowerCase() : v;
  };
}
/** Case-insensitive match against the names wire5g implements; anything else is refused. */
function oneOf(names: readonly string[], what: string): Leaf {
  return (v, path) => {
    const hit = typeof v === 'string' ? names.find((n) => n === v.toUpperCase()) : undefined;
    return hit ?? bad(path, `unknown ${what} ${typeof v === 'string' ? `'${v}'` : typeName(v)}; wire5g implements ${names.join(', ')}`);
  };
}
const ipv4: Leaf = (v, path) => (typeof v === 'string' && isIPv4(v) ? v : bad(path, `expected an IPv4 address, got ${typeName(v)}`));
const ipv4Prefix: Leaf = (v, path) => {
  const m = typeof v === 'string' ? /^([0-9.]+)\/([0-9]{1,2})$/.exec(v) : null;
  return m && isIPv4(m[1]) && Number(m[2]) >= 8 && Number(m[2]) <= 30 ? v : bad(path, `expected an IPv4 prefix a.b.c.d/8..30, got ${typeName(v)}`);
};
const nonEmpty: Leaf = text(/^\S.*$/, 'a non-empty string');
/** A PVS address or name (TS 29.571 ServerAddressingInfo): IPv4, IPv6 or an FQDN. */
const pvsAddress: Leaf = (v, path) => (typeof v === 'string' && isPvsAddress(v) ? v : bad(path, `expected an IPv4 address, an IPv6 address or an FQDN, got ${JSON.stringify(v)}`));
const hex = (n: number) => text(new RegExp(`^[0-9a-fA-F]{${n}}$`), `${n} hex digits`, true);
const port = integer(1, 65535);
const flag: Leaf = (v, path) => (typeof v === 'boolean' ? v : bad(path, `expected true or false, got ${typeName(v)}`));
/** A DNN is an APN-style name: labels of letters, digits and '-' (TS 23.003 9.1). */
const dnnName = text(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/, 'a DNN (labels of letters, digits and -)');
/** TS 29.571 BitRate: '<number> bps|Kbps|Mbps|Gbps|Tbps'. */
const bitRate = text(/^\d+(\.\d+)? (bps|Kbps|Mbps|Gbps|Tbps)$/, "a bit rate such as '1 Gbps' (TS 29.571 BitRate)");
/** A Monitoring Key (TS 29.512 umId, TS 29.519 limitId): letters, digits, '-' and '_'. */
const monitoringKey = text(/^[A-Za-z0-9_-]{1,64}$/, "a monitoring key (letters, digits, '-', '_')");
/** A PCC rule's flow description as the UPF matches it (TS 29.212 5.4.2 IPFilterRule; nodes/upf/sdf.ts). */
const flowDescription: Leaf = (v, path) => {
  if (typeof v !== 'string') return bad(path, `expected a flow description such as 'permit out 1 from any to assigned', got ${typeName(v)}`);
  try {
    parseFlowDescription(v);
  } catch (e) {
    return bad(path, `not a flow description the UPF matches: ${e instanceof Error ? e.message : String(e)}`);
  }
  return v;
};
const snssaiSchema: MapSchema = { fields: { sst: integer(0, 255), sd: hex(6) }, optional: ['sd'] };

const SUBSCRIBER_SCHEMA: MapSchema = {
  fields: {
    supi: text(/^(imsi-[0-9]{5,15}|nai-[^@\s]+@[^@\s]+)$/, 'imsi-<5..15 digits> or nai-<username>@<realm>'),
    k: hex(32),
    opc: hex(32),
    amf: hex(4),
    sqn: hex(12),
    snssais: { item: snssaiSchema, required: ['sst'], minItems: 1 },
    dnns: { item: dnnName, minItems: 1 },
    allowedUsageOctets: integer(0, Number.MAX_SAFE_INTEGER),
    monitoringKeys: { item: { fields: { key: monitoringKey, octets: integer(0, Number.MAX_SAFE_INTEGER) } }, required: ['key', 'octets'] },
    sessionQos: {
      item: {
        fields: { dnn: dnnName, sst: integer(0, 255), sd: hex(6), fiveQi: integer(1, 255), arpPriorityLevel: integer(1, 15), ambrUplink: bitRate, ambrDownlink: bitRate },
        optional: ['dnn', 'sst', 'sd'],
      },
      required: ['fiveQi', 'arpPriorityLevel', 'ambrUplink', 'ambrDownlink'],
      minItems: 1,
    },
    ueAmbr: { fields: { uplink: bitRate, downlink: bitRate } },
  },
  optional: ['allowedUsageOctets', 'monitoringKeys', 'sessionQos', 'ueAmbr'],
};

const addressFields = Object.fromEntries(Object.keys(DEFAULT_CONFIG.addresses).map((k) => [k, ipv4]));

const SCHEMA: MapSchema = {
  fields: {
    plmn: { fields: { mcc: text(/^[0-9]{3}$/, "3 digits, e.g. '001'"), mnc: text(/^[0-9]{2,3}$/, "2 or 3 digits, e.g. '01'") } },
    tac: integer(0, 0xffffff),
    snssai: snssaiSchema,
    dnn: dnnName,
    uePool: ipv4Prefix,
    dataNetwork: ipv4,
    addresses: { fields: addressFields },
    ports: { fields: { sbi: port, ngapUdp: port, pfcp: port, gtpu: port } },
    amf: { fields: { name: nonEmpty, regionId: integer(0, 255), setId: integer(0, 1023), pointer: integer(0, 63), t3512Seconds: integer(0, 0x7fffffff), relativeCapacity: integer(0, 255), authenticateUpdates: flag, reallocation: (v, path) => (v === 'direct' || v === 'ran' ? v : bad(path, `expected direct or ran (TS 23.502 4.2.2.2.3 step 7(A) or 7(B)), got ${typeName(v)}`)) } },
    amfs: {
      item: {
        fields: { name: nonEmpty, address: ipv4, regionId: integer(0, 255), setId: integer(0, 1023), pointer: integer(0, 63), relativeCapacity: integer(0, 255), snssais: { item: snssaiSchema, required: ['sst'], minItems: 1 }, tacs: { item: integer(0, 0xffffff), minItems: 1 } },
        optional: ['name', 'address', 'regionId', 'setId', 'pointer', 'relativeCapacity', 'snssais', 'tacs'],
      },
      minItems: 1,
    },
    gnb: { fields: { name: nonEmpty, id: integer(0, 2 ** 22 - 1), admission: { fields: { adaptive: flag, minEstablishing: integer(1, 1_000_000), maxEstablishing: integer(1, 1_000_000), targetLatencyMs: integer(1, 3_600_000), setupsPerSecond: integer(1, 1_000_000) } } } },
    security: { fields: { integrity: oneOf(INTEGRITY_ALGORITHMS, 'integrity algorithm'), ciphering: oneOf(CIPHERING_ALGORITHMS, 'ciphering algorithm') } },
    ue: { fields: { count: integer(1, 1_000_000), imeisvPrefix: text(/^[0-9]{14}$/, "14 digits (TAC + SNR), in quotes") } },
    udr: { fields: { database: nonEmpty } },
    subscribers: { item: SUBSCRIBER_SCHEMA, itemDefaults: { ...DEFAULT_SUBSCRIBER }, required: ['supi'], minItems: 1 },
    snpn: {
      fields: {
        nid: hex(11),
        onboarding: { fields: { snssai: snssaiSchema, dnn: dnnName, deregistrationTimerSeconds: integer(1, 86_400), imeisvRequest: flag } },
        pvs: {
          fields: {
            address: ipv4,
            dnAddress: ipv4,
            fqdn: text(/^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/, 'an FQDN (labels of letters, digits, -)'),
            credentials: { item: { fields: { onboardingSupi: text(/^nai-[^@\s]+@[^@\s]+$/, 'nai-<username>@<realm>'), supi: text(/^(imsi-[0-9]{5,15}|nai-[^@\s]+@[^@\s]+)$/, 'imsi-<5..15 digits> or nai-<username>@<realm>') } }, required: ['onboardingSupi', 'supi'] },
          },
          optional: ['fqdn'],
        },
        dcs: {
          fields: {
            realm: text(/^[A-Za-z0-9.-]+$/, 'a realm (letters, digits, dots, -)'),
            addresses: { fields: { ausf: ipv4, udm: ipv4, udr: ipv4 } },
            pvsAddresses: { item: pvsAddress, minItems: 1 },
          },
        },
        aaa: { fields: { realm: text(/^[A-Za-z0-9.-]+$/, 'a realm (letters, digits, dots, -)'), nssaafAddress: ipv4, address: ipv4, secret: nonEmpty } },
      },
      optional: ['pvs', 'dcs', 'aaa'],
    },
    eir: { fields: { address: ipv4, prohibited: { item: text(/^(imei-[0-9]{15}|imeisv-[0-9]{16})$/, 'imei-<15 digits> or imeisv-<16 digits> (TS 29.571 Pei)') }, tracking: { item: text(/^(imei-[0-9]{15}|imeisv-[0-9]{16})$/, 'imei-<15 digits> or imeisv-<16 digits> (TS 29.571 Pei)') } } },
    outDir: nonEmpty,
    pcf: { fields: { policyCounterIds: { item: nonEmpty }, nwdafEvents: { item: text(/^[A-Z][A-Z0-9_]*$/, 'a TS 29.520 NwdafEvent such as SERVICE_EXPERIENCE') }, terminateOnAfSessionEnd: flag, usageThresholdOctets: integer(1, Number.MAX_SAFE_INTEGER), policyControlRequestTriggers: { item: oneOf(['SUCC_RES_ALLO'], 'policy control request trigger') }, monitoringKeys: { item: { fields: { key: monitoringKey, flowDescription } }, required: ['key', 'flowDescription'] }, pduSessionEvents: { item: { fields: { dnn: dnnName, sst: integer(0, 255), sd: hex(6) }, optional: ['sd'] }, required: ['dnn', 'sst'] } }, optional: ['usageThresholdOctets'] },
    chf: { fields: { policyCounters: { item: { fields: { id: nonEmpty, status: nonEmpty } }, required: ['id', 'status'] }, convergedCharging: flag } },
    emergency: { fields: { enabled: flag, dnn: dnnName, fiveQi: integer(1, 255), arpPriorityLevel: integer(1, 15), ambrUplink: bitRate, ambrDownlink: bitRate } },
    nrf: { fields: { discovery: flag, heartBeatSeconds: integer(1, 86_400), validitySeconds: integer(1, 86_400) } },
    nssf: {
      fields: {
        trackingAreas: { item: { fields: { tac: integer(0, 0xffffff), snssais: { item: snssaiSchema, required: ['sst'], minItems: 1 } } }, required: ['tac', 'snssais'] },
        amfSets: { item: { fields: { regionId: integer(0, 255), setId: integer(0, 1023), snssais: { item: snssaiSchema, required: ['sst'], minItems: 1 }, amfs: { item: ipv4 } } }, itemDefaults: { amfs: [] }, required: ['regionId', 'setId', 'snssais'] },
      },
    },
    sbi: { fields: { http2: (v, path) => (typeof v === 'string' && (HTTP2_IMPLEMENTATIONS as readonly string[]).includes(v) ? v : bad(path, `expected ${HTTP2_IMPLEMENTATIONS.join(' or ')} (node:http2, or wire5g's own HTTP/2), got ${typeName(v)}`)) } },
    roaming: {
      fields: {
        enabled: flag,
        vsepp: ipv4,
        n32Port: port,
        localBreakout: { item: dnnName },
        home: {
          fields: {
            plmn: { fields: { mcc: text(/^[0-9]{3}$/, "3 digits, e.g. '208'"), mnc: text(/^[0-9]{2,3}$/, "2 or 3 digits, e.g. '93'") } },
            uePool: ipv4Prefix,
            dataNetwork: ipv4,
            addresses: { fields: Object.fromEntries(Object.keys(DEFAULT_ROAMING.home.addresses).map((k) => [k, ipv4])) },
            database: nonEmpty,
            subscribers: { item: SUBSCRIBER_SCHEMA, itemDefaults: { ...DEFAULT_SUBSCRIBER }, required: ['supi'], minItems: 1 },
          },
        },
      },
    },
  },
  optional: ['snpn', 'amfs', 'eir'],
};

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, k: string | number) => (typeof k === 'number' ? `${path}[${k}]` : path ? `${path}.${k}` : k);

/** Checks `over` against the schema and merges it over `base`: mappings merge, lists replace. */
function merge(schema: Schema, base: unknown, over: unknown, path: string): unknown {
  if (typeof schema === 'function') return schema(over, path || '(root)');
  if ('fields' in schema) {
    if (!isMapping(over)) return bad(path || '(root)', `expected a mapping, got ${typeName(over)}`);
    const out: Record<string, unknown> = isMapping(base) ? { ...base } : {};
    for (const [k, v] of Object.entries(over)) {
      const field = schema.fields[k];
      if (!field) bad(join(path, k), `unknown key (known here: ${Object.keys(schema.fields).join(', ')})`);
      if (v === null || v === undefined) {
        if (schema.optional?.includes(k)) delete out[k];
        else bad(join(path, k), 'has no value');
      } else out[k] = merge(field, out[k], v, join(path, k));
    }
    return out;
  }
  if (!Array.isArray(over)) return bad(path, `expected a list, got ${typeName(over)}`);
  if (over.length < (schema.minItems ?? 0)) bad(path, `expected at least ${schema.minItems} item(s)`);
  return over.map((item, i) => {
    const at = join(path, i);
    if (isMapping(item)) for (const r of schema.required ?? []) if (!(r in item)) bad(at, `${r} is required`);
    return merge(schema.item, schema.itemDefaults ?? {}, item, at);
  });
}

/** The settings of one network, checked and merged over the defaults; throws ConfigError. */
export function configFromYaml(text: string, source = 'config'): NetworkConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ConfigError(`${source}: not valid YAML: ${(e instanceof Error ? e.message : String(e)).split('\n')[0].replace(/:$/, '')}`);
  }
  if (doc === null || doc === undefined) return structuredClone(DEFAULT_CONFIG);
  try {
    const cfg = merge(SCHEMA, structuredClone(DEFAULT_CONFIG), doc, '') as NetworkConfig;
    checkNetwork(cfg);
    return cfg;
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${source}: ${e.message}`);
    throw e;
  }
}

/**
 * `over` (a mapping of configuration keys, as a --config file holds) checked and merged over
 * `base`: mappings merge, lists replace. A scenario file's `config` block (issue 19). Throws
 * ConfigError naming the key.
 */
export function overlayConfig(base: NetworkConfig, over: unknown): NetworkConfig {
  const cfg = merge(SCHEMA, structuredClone(base), over, '') as NetworkConfig;
  checkNetwork(cfg);
  return cfg;
}

export function loadConfig(file?: string): NetworkConfig {
  if (!file) return structuredClone(DEFAULT_CONFIG);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a YAML file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ConfigError(`config ${file}: cannot read it: ${why}`);
  }
  return configFromYaml(text, `config ${file}`);
}

/** The number of UE addresses an IPv4 prefix holds (network and broadcast excluded). */
function poolSize(prefix: string): number {
  return 2 ** (32 - Number(prefix.split('/')[1])) - 2;
}

/**
 * What the schema cannot see: settings that are each valid but together cannot work. Checked
 * before a run starts, so the run does not fail (and leave state in the NFs) half way.
 */
export function checkNetwork(cfg: NetworkConfig): void {
  if (cfg.nrf.discovery && cfg.roaming.enabled) bad('nrf.discovery', 'not with roaming.enabled: the home PLMN has no NRF in wire5g (README, NRF and NSSF)');
  const seen = new Map<string, string>();
  for (const [nf, a] of Object.entries(cfg.addresses)) {
    const other = seen.get(a);
    if (other) bad(`addresses.${nf}`, `${a} is also addresses.${other}; each NF needs its own address`);
    seen.set(a, nf);
  }
  if (cfg.amfs) checkAmfs(cfg, seen);
  const adm = cfg.gnb.admission;
  if (adm.adaptive && adm.minEstablishing > adm.maxEstablishing) bad('gnb.admission.minEstablishing', `${adm.minEstablishing} is more than gnb.admission.maxEstablishing (${adm.maxEstablishing})`);
  if (cfg.roaming.enabled) checkRoaming(cfg, seen);
  checkUeCount(cfg, cfg.ue.count);
  // the PVS hands out subscriptions of the SNPN: each must be one of the subscribers
  cfg.snpn?.pvs?.credentials.forEach((c, i) => {
    if (!cfg.subscribers.some((s) => s.supi === c.supi)) bad(`snpn.pvs.credentials[${i}].supi`, `${c.supi} is not one of the subscribers`);
  });
  if (cfg.snpn?.pvs && Object.values(cfg.addresses).includes(cfg.snpn.pvs.address)) bad('snpn.pvs.address', `${cfg.snpn.pvs.address} is also an NF's address`);
  for (const [nf, a] of Object.entries(cfg.snpn?.dcs?.addresses ?? {})) if (seen.has(a) || a === cfg.snpn?.pvs?.address) bad(`snpn.dcs.addresses.${nf}`, `${a} is also another NF's address`);
  const aaa = cfg.snpn?.aaa;
  if (aaa) {
    const others = [...seen.keys(), cfg.snpn?.pvs?.address, ...Object.values(cfg.snpn?.dcs?.addresses ?? {}), cfg.eir?.address];
    for (const k of ['nssaafAddress', 'address'] as const) if (others.includes(aaa[k])) bad(`snpn.aaa.${k}`, `${aaa[k]} is also another NF's address`);
    if (aaa.nssaafAddress === aaa.address) bad('snpn.aaa.address', `${aaa.address} is also snpn.aaa.nssaafAddress`);
    if (aaa.realm === cfg.snpn?.dcs?.realm) bad('snpn.aaa.realm', `${aaa.realm} is also snpn.dcs.realm; one DCS per realm`);
  }
  if (cfg.eir && (seen.has(cfg.eir.address) || cfg.eir.address === cfg.snpn?.pvs?.address || Object.values(cfg.snpn?.dcs?.addresses ?? {}).includes(cfg.eir.address))) bad('eir.address', `${cfg.eir.address} is also another NF's address`);
}

/** The UEs of a run: their SUPIs must fit the MSIN, their addresses the pool, and some must be allowed the DNN and slice. */
export function checkUeCount(cfg: NetworkConfig, count: number): void {
  const base = cfg.subscribers[0];
  const prefix = `imsi-${cfg.plmn.mcc}${cfg.plmn.mnc}`;
  if (count > cfg.subscribers.length) {
    if (!base.supi.startsWith(prefix)) bad('subscribers[0].supi', `${base.supi} is not in PLMN ${cfg.plmn.mcc}/${cfg.plmn.mnc}, so no more SUPIs can be derived from it for ${count} UEs`);
    const msin = base.supi.slice(prefix.length);
    if (Number(msin) + count - 1 >= 10 ** msin.length) bad('ue.count', `${count} UEs do not fit: SUPIs derived from ${base.supi} would need more than ${msin.length} MSIN digits`);
  }
  if (count > poolSize(cfg.uePool)) bad('ue.count', `${count} UEs do not fit the UE pool ${cfg.uePool} (${poolSize(cfg.uePool)} addresses)`);
  const used = cfg.subscribers.slice(0, Math.max(1, Math.min(count, cfg.subscribers.length)));
  const slice = (s: Snssai) => (s.sd ? `${s.sst}/${s.sd}` : String(s.sst));
  const may = (s: SubscriberConfig, dnn: string, want: Snssai) => s.dnns.includes(dnn) && s.snssais.some((n) => n.sst === want.sst && (n.sd ?? '') === (want.sd ?? ''));
  // an onboarding SNPN's UE with Default UE Credentials (a NAI SUPI) uses the onboarding DNN and S-NSSAI (TS 23.501 5.30.2.10.2.3)
  const onboarding = cfg.snpn?.onboarding;
  const allowed = used.filter((s) => may(s, cfg.dnn, cfg.snssai) || (onboarding !== undefined && s.supi.startsWith('nai-') && may(s, onboarding.dnn, onboarding.snssai)));
  if (allowed.length === 0) {
    bad('dnn', `no subscriber of this run may use DNN '${cfg.dnn}' on S-NSSAI ${slice(cfg.snssai)} (subscribers[0] has DNNs ${base.dnns.join(', ')} and S-NSSAIs ${base.snssais.map(slice).join(', ')}); change dnn/snssai or the subscribers' dnns/snssais`);
  }
}

/**
 * One subscriber, checked field by field as the configuration file's are, its absent fields taken
 * from `base` (the embedded test subscriber unless given). Throws ConfigError naming the field.
 */
export function checkSubscriber(fields: Record<string, unknown>, base: SubscriberConfig = DEFAULT_SUBSCRIBER): SubscriberConfig {
  return merge(SUBSCRIBER_SCHEMA, structuredClone(base), fields, '') as SubscriberConfig;
}

/** Home-routed roaming: every NF of both PLMNs on its own address, two different PLMNs, home subscribers of the home PLMN. */
function checkRoaming(cfg: NetworkConfig, seen: Map<string, string>): void {
  const r = cfg.roaming;
  const all: [string, string][] = [['roaming.vsepp', r.vsepp], ...Object.entries(r.home.addresses).map(([nf, a]): [string, string] => [`roaming.home.addresses.${nf}`, a])];
  for (const [path, a] of all) {
    const other = seen.get(a);
    if (other) bad(path, `${a} is also ${other.includes('.') ? other : `addresses.${other}`}; each NF needs its own address`);
    seen.set(a, path);
  }
  const h = r.home.plmn;
  if (h.mcc === cfg.plmn.mcc && h.mnc === cfg.plmn.mnc) bad('roaming.home.plmn', `${h.mcc}/${h.mnc} is the serving PLMN too; the home PLMN of roaming UEs is another one`);
  // local breakout: the visited SMF anchors the session, so it must serve the DNN (TS 23.502 4.3.2.2.1 step 3)
  r.localBreakout.forEach((d, i) => {
    if (d !== cfg.dnn) bad(`roaming.localBreakout[${i}]`, `${d} is not a DNN the visited SMF serves (dnn: ${cfg.dnn})`);
  });
  r.home.subscribers.forEach((s, i) => {
    if (!s.supi.startsWith(`imsi-${h.mcc}${h.mnc}`)) bad(`roaming.home.subscribers[${i}].supi`, `${s.supi} is not a subscriber of the home PLMN ${h.mcc}/${h.mnc}`);
  });
}

/**
 * Several AMFs: the first is the one at addresses.amf, each other on an address of its own, each
 * GUAMI once (TS 23.003 2.10.1), and some AMF serving the gNB's TAC (else NG Setup has none).
 */
function checkAmfs(cfg: NetworkConfig, seen: Map<string, string>): void {
  const list = cfg.amfs ?? [];
  if (list[0]?.address !== undefined && list[0].address !== cfg.addresses.amf) bad('amfs[0].address', `the first AMF is the one at addresses.amf (${cfg.addresses.amf}); leave the address out or make them equal`);
  list.forEach((a, i) => {
    if (i === 0) return;
    if (a.address === undefined) bad(`amfs[${i}]`, 'address is required (only the first AMF takes addresses.amf)');
    const other = seen.get(a.address!);
    if (other) bad(`amfs[${i}].address`, `${a.address} is also ${other.includes('.') ? other : `addresses.${other}`}; each NF needs its own address`);
    seen.set(a.address!, `amfs[${i}].address`);
  });
  const guamis = new Map<string, number>();
  amfInstances(cfg).forEach((a, i) => {
    const key = `${a.guami.regionId}/${a.guami.setId}/${a.guami.pointer}`;
    const j = guamis.get(key);
    if (j !== undefined) bad(`amfs[${i}]`, `GUAMI region ${a.guami.regionId} set ${a.guami.setId} pointer ${a.guami.pointer} is also amfs[${j}]'s; each AMF has its own (TS 23.003 2.10.1)`);
    guamis.set(key, i);
  });
  if (!amfInstances(cfg).some((a) => a.tacs.includes(cfg.tac))) bad('amfs', `no AMF serves the gNB's TAC ${cfg.tac} (add it to some AMF's tacs)`);
}
