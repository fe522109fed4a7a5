// `wire5g subscriber add|update|show|list|remove`: the UDR's subscriber database. Every field is
// checked as the configuration file's subscribers are; `add` never replaces a subscriber (that is
// `update`, which changes only the fields given and prints each old -> new).

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readEndpoint, callControl, NoNetwork } from '../nodes/control/api.ts';
import { UdrStore, InvalidSubscriber, type SubscriberRecord, type MonitoringKeyUsage } from '../nodes/udr/store.ts';
import { checkSubscriber, ConfigError, DEFAULT_CONFIG, DEFAULT_SUBSCRIBER, loadConfig, type SubscriberConfig } from '../nodes/common/config.ts';
import { CommandFailed, defineCommand, defineGroup, UsageError, type OptionSpecs } from './args.ts';

const D = DEFAULT_SUBSCRIBER;

const DATABASE = {
  db: { kind: 'string', arg: 'FILE', default: `udr.database of --config, else ${DEFAULT_CONFIG.udr.database}`, help: "the UDR's SQLite database" },
  config: { kind: 'string', arg: 'FILE', default: 'the embedded defaults', help: 'take the database path from this network configuration (udr.database)' },
} as const satisfies OptionSpecs;

/** Field options; `add` shows the embedded test subscriber's values as defaults, `update` "unchanged". */
function fieldOptions(defaults: boolean) {
  const d = (v: string) => (defaults ? v : 'unchanged');
  return {
    supi: { kind: 'string', arg: 'imsi-DIGITS', default: defaults ? 'required (or as the argument)' : 'the argument', help: 'the subscriber, imsi- and 5 to 15 digits' },
    k: { kind: 'string', arg: 'HEX32', default: d(D.k), help: 'subscriber key K (32 hex digits)' },
    opc: { kind: 'string', arg: 'HEX32', default: d(D.opc), help: 'OPc (32 hex digits)' },
    amf: { kind: 'string', arg: 'HEX4', default: d(D.amf), help: 'authentication management field (4 hex digits)' },
    sqn: { kind: 'string', arg: 'HEX12', default: d(D.sqn), help: 'sequence number SQN (12 hex digits)' },
    sst: { kind: 'integer', arg: '0..255', min: 0, max: 255, default: d('1'), help: 'slice/service type of the subscribed S-NSSAI' },
    sd: { kind: 'string', arg: 'HEX6', default: d('none'), help: 'slice differentiator of the subscribed S-NSSAI' },
    dnn: { kind: 'string', arg: 'DNN[,DNN...]', default: d('internet'), help: 'the DNNs the subscriber may use, comma-separated' },
    usage: { kind: 'integer', arg: 'OCTETS', min: 0, default: d(String(D.allowedUsageOctets)), help: 'remaining allowed usage per DNN and S-NSSAI (TS 23.503 6.2.1.3)' },
    mk: { kind: 'string', arg: 'KEY=OCTETS[,KEY=OCTETS...]', default: d('none'), help: 'remaining allowed usage per Monitoring Key, per DNN and S-NSSAI (TS 23.503 6.2.2.3; the PCF monitors the keys of pcf.monitoringKeys)' },
    ...DATABASE,
  } as const satisfies OptionSpecs;
}

/** The option that sets each subscriber field, for error messages. */
const OPTION_OF: Record<string, string> = { supi: '--supi', k: '--k', opc: '--opc', amf: '--amf', sqn: '--sqn', snssais: '--sst/--sd', dnns: '--dnn', allowedUsageOctets: '--usage', monitoringKeys: '--mk' };

function databaseOf(values: { db?: string | undefined; config?: string | undefined }): string {
  if (values.db && values.config) throw new UsageError('give --db or --config, not both');
  return values.db ?? loadConfig(values.config).udr.database;
}

function openStore(db: string, mustExist: boolean): UdrStore {
  if (mustExist && db !== ':memory:' && !existsSync(db)) throw new CommandFailed(`no subscriber database at ${db} (add a subscriber first, or give --db/--config)`);
  try {
    return new UdrStore(db);
  } catch (e) {
    throw new CommandFailed(`cannot open the subscriber database ${db}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function supiOf(values: { supi?: string | undefined }, positionals: string[]): string {
  if (values.supi && positionals[0] && values.supi !== positionals[0]) throw new UsageError(`two SUPIs given: ${positionals[0]} and --supi ${values.supi}`);
  const supi = positionals[0] ?? values.supi;
  if (!supi) throw new UsageError('which subscriber? give its SUPI, e.g. imsi-001010000000002');
  return supi;
}

/** The subscriber the options describe, over `base`; a wrong field is a usage error naming its option. */
function subscriberFrom(supi: string, v: Record<string, string | number | boolean | undefined>, base: SubscriberConfig): SubscriberConfig {
  const fields: Record<string, unknown> = { supi };
  for (const k of ['k', 'opc', 'amf', 'sqn'] as const) if (v[k] !== undefined) fields[k] = v[k];
  if (v.sst !== undefined || v.sd !== undefined) {
    const sst = v.sst ?? base.snssais[0]?.sst ?? 1;
    const sd = v.sd ?? (v.sst === undefined ? base.snssais[0]?.sd : undefined);
    fields.snssais = [{ sst, ...(sd !== undefined ? { sd } : {}) }];
  }
  if (v.dnn !== undefined) fields.dnns = String(v.dnn).split(',');
  if (v.usage !== undefined) fields.allowedUsageOctets = v.usage;
  if (v.mk !== undefined) fields.monitoringKeys = monitoringKeysOf(String(v.mk));
  try {
    return checkSubscriber(fields, base);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const field = /^(\w+)/.exec(e.message)?.[1] ?? '';
    throw new UsageError(`${OPTION_OF[field] ?? field}: ${e.message.replace(/^[\w.[\]]+: /, '')}`);
  }
}

/** `--mk icmp=5000,video=0`: the Monitoring Keys' allowances (checked as the configuration's). */
function monitoringKeysOf(text: string): { key: string; octets: number }[] {
  return text.split(',').map((item) => {
    const m = /^([^=]+)=(\d+)$/.exec(item.trim());
    if (!m) throw new UsageError(`--mk: expected KEY=OCTETS[,KEY=OCTETS...], got '${item}'`);
    return { key: m[1], octets: Number(m[2]) };
  });
}

function describe(s: SubscriberRecord, usage: string, keys: MonitoringKeyUsage[] = []): string {
  return `${s.supi}  k ${s.k}  opc ${s.opc}  amf ${s.amf}  sqn ${s.sqn}  s-nssai ${s.snssais.map((n) => (n.sd ? `${n.sst}/${n.sd}` : n.sst)).join(',')}  dnn ${s.dnns.join(',')}  usage ${usage}${keys.length ? `  mk ${keysText(keys)}` : ''}`;
}

/** The Monitoring Keys' remaining usage: `icmp=5000`, per DNN and S-NSSAI when they differ. */
function keysText(keys: MonitoringKeyUsage[]): string {
  const byKey = new Map<string, MonitoringKeyUsage[]>();
  for (const m of keys) byKey.set(m.key, [...(byKey.get(m.key) ?? []), m]);
  return [...byKey].map(([k, rows]) => (new Set(rows.map((r) => r.remainingOctets)).size === 1 ? `${k}=${rows[0].remainingOctets}` : rows.map((r) => `${k}@${r.dnn}/${r.snssai}=${r.remainingOctets}`).join(','))).join(',') || 'none';
}

function usageText(store: UdrStore, supi: string): string {
  const rows = store.usageOf(supi);
  const values = [...new Set(rows.map((r) => (r.remainingOctets === null ? 'unlimited' : String(r.remainingOctets))))];
  return values.length === 1 ? values[0] : rows.map((r) => `${r.dnn}/${r.snssai}=${r.remainingOctets ?? 'unlimited'}`).join(',') || 'none';
}

function withStore<T>(db: string, mustExist: boolean, f: (s: UdrStore) => T): T {
  const store = openStore(db, mustExist);
  try {
    return f(store);
  } catch (e) {
    if (e instanceof InvalidSubscriber) throw new UsageError(e.message);
    throw e;
  } finally {
    store.close();
  }
}

const add = defineCommand({
  name: 'add',
  summary: 'add a subscriber (refused if the SUPI exists: use update)',
  positionals: { syntax: '[SUPI]', min: 0, max: 1 },
  options: fieldOptions(true),
  run({ values, positionals }) {
    const supi = supiOf(values, positionals);
    const s = subscriberFrom(supi, values, DEFAULT_SUBSCRIBER);
    const db = databaseOf(values);
    return withStore(db, false, (store) => {
      if (store.get(supi)) throw new CommandFailed(`${supi} is already in ${db}; change it with 'wire5g subscriber update ${supi} --k ...' or remove it first`);
      store.upsert(s);
      console.log(`added ${supi} to ${db}`);
      return 0;
    });
  },
});

const update = defineCommand({
  name: 'update',
  summary: 'change only the given fields of a subscriber, printing old -> new (on a running network: the UDR then notifies the PCF)',
  positionals: { syntax: 'SUPI', min: 0, max: 1 },
  options: {
    ...fieldOptions(false),
    out: { kind: 'string', arg: 'DIR', default: DEFAULT_CONFIG.outDir, help: "out directory of a running network ('wire5g up --out DIR'): when its UDR uses this database, the UDR notifies the PCF of the change (ctl udr notify; TS 23.502 4.16.6 case A for sessions no longer allowed)" },
  },
  async run({ values, positionals }) {
    const supi = supiOf(values, positionals);
    const db = databaseOf(values);
    const code = updateStore(supi, db, values);
    await notifyRunningNetwork(supi, db, typeof values.out === 'string' ? values.out : DEFAULT_CONFIG.outDir);
    return code;
  },
});

function updateStore(supi: string, db: string, values: Parameters<typeof subscriberFrom>[1]): number {
    return withStore(db, true, (store) => {
      const old = store.get(supi);
      if (!old) throw new CommandFailed(`no subscriber ${supi} in ${db}; add it with 'wire5g subscriber add ${supi}'`);
      const oldUsage = store.usageOf(supi);
      const oldUsageText = usageText(store, supi);
      const oldKeys = store.monitoringKeyUsageOf(supi);
      const keys = [...new Map(oldKeys.map((m) => [m.key, { key: m.key, octets: m.remainingOctets }])).values()];
      const next = subscriberFrom(supi, values, { ...old, ...(oldUsage[0]?.remainingOctets != null ? { allowedUsageOctets: oldUsage[0].remainingOctets } : {}), ...(keys.length ? { monitoringKeys: keys } : {}) });
      if ((['k', 'opc', 'amf', 'sqn', 'sst', 'sd', 'dnn', 'usage', 'mk'] as const).every((k) => values[k] === undefined)) {
        throw new UsageError('nothing to change: give at least one of --k --opc --amf --sqn --sst --sd --dnn --usage --mk');
      }
      store.upsert(next);
      // the remaining usage is kept per DNN and slice unless --usage sets it, per Monitoring Key unless --mk does
      if (values.usage === undefined) for (const u of oldUsage) store.setUsage(supi, u.dnn, u.snssai, u.remainingOctets);
      if (values.mk === undefined) for (const m of oldKeys) store.setMonitoringKeyUsage(supi, m.dnn, m.snssai, m.key, m.remainingOctets);
      const now = store.get(supi)!;
      const show = (r: SubscriberRecord): Record<string, string> => ({ k: r.k, opc: r.opc, amf: r.amf, sqn: r.sqn, 's-nssai': r.snssais.map((n) => (n.sd ? `${n.sst}/${n.sd}` : String(n.sst))).join(','), dnn: r.dnns.join(',') });
      const a: Record<string, string> = { ...show(old), usage: oldUsageText, mk: keysText(oldKeys) };
      const b: Record<string, string> = { ...show(now), usage: usageText(store, supi), mk: keysText(store.monitoringKeyUsageOf(supi)) };
      const changes = Object.keys(a).filter((k) => a[k] !== b[k]);
      console.log(`updated ${supi} in ${db}${changes.length ? '' : ' (no field changed)'}`);
      for (const k of changes) console.log(`  ${k}: ${a[k]} -> ${b[k]}`);
      return 0;
    });
}

/**
 * Policy data changed while a network (`wire5g up`) serves this database: its UDR notifies the
 * PCF (Nudr_DM_Notify, `ctl udr notify`), which terminates sessions no longer allowed. Nothing
 * when no network runs with the out directory, or it serves another database.
 */
async function notifyRunningNetwork(supi: string, db: string, outDir: string): Promise<void> {
  const ask = await runningNetworkServing(db, outDir);
  if (!ask) return;
  const r = await ask('udr notify', { supi });
  if (!r) return;
  for (const l of r.reply.ladder) console.log(l);
  // a UE the network does not know: its PCF holds nothing for it
  if (!r.reply.ok && r.status === 404) return;
  if (!r.reply.ok) throw new CommandFailed((r.reply.error ?? `HTTP ${r.status}`).split('\n')[0]);
  const result = r.reply.result as { notified: number; terminated: number[] };
  console.log(`the running network of ${outDir} was told: ${result.notified} notification(s) to the PCF${result.terminated.length ? `, PDU session(s) ${result.terminated.join(', ')} terminated (TS 23.502 4.16.6)` : ''}`);
}

const show = defineCommand({
  name: 'show',
  summary: "print one subscriber's fields",
  positionals: { syntax: 'SUPI', min: 1, max: 1 },
  options: DATABASE,
  run({ values, positionals }) {
    const db = databaseOf(values);
    return withStore(db, true, (store) => {
      const s = store.get(positionals[0]);
      if (!s) throw new CommandFailed(`no subscriber ${positionals[0]} in ${db}`);
      console.log(describe(s, usageText(store, s.supi), store.monitoringKeyUsageOf(s.supi)));
      return 0;
    });
  },
});

const list = defineCommand({
  name: 'list',
  summary: 'print every subscriber, one per line',
  options: DATABASE,
  run({ values }) {
    const db = databaseOf(values);
    if (db !== ':memory:' && !existsSync(db)) return 0;
    return withStore(db, true, (store) => {
      for (const s of store.list()) console.log(describe(s, usageText(store, s.supi), store.monitoringKeyUsageOf(s.supi)));
      return 0;
    });
  },
});

const remove = defineCommand({
  name: 'remove',
  summary: 'remove a subscriber and its policy data (on a running network: the UDM withdraws its registration first)',
  positionals: { syntax: 'SUPI', min: 1, max: 1 },
  options: {
    ...DATABASE,
    out: { kind: 'string', arg: 'DIR', default: DEFAULT_CONFIG.outDir, help: "out directory of a running network ('wire5g up --out DIR'): when its UDR uses this database, the removal goes through it (ctl udm remove)" },
  },
  async run({ values, positionals }) {
    const db = databaseOf(values);
    const viaNetwork = await removeOnRunningNetwork(positionals[0], db, typeof values.out === 'string' ? values.out : DEFAULT_CONFIG.outDir);
    if (viaNetwork) return 0;
    return withStore(db, true, (store) => {
      if (!store.remove(positionals[0])) throw new CommandFailed(`no subscriber ${positionals[0]} in ${db}`);
      console.log(`removed ${positionals[0]} from ${db}`);
      return 0;
    });
  },
});

/**
 * TS 23.502 4.2.2.3.3 step 1: a subscriber removed while a network serves it is withdrawn by the
 * UDM first (Nudm_UECM_DeregistrationNotification, SUBSCRIPTION_WITHDRAWN), so a registered UE is
 * deregistered before its data goes. That happens when a network (`wire5g up`) runs with the
 * out directory and its embedded UDR uses `db`; false when there is none (the database is changed
 * directly, as without a network).
 */
async function removeOnRunningNetwork(supi: string, db: string, outDir: string): Promise<boolean> {
  const ask = await runningNetworkServing(db, outDir);
  if (!ask) return false;
  const r = await ask('udm remove', { supi });
  if (!r) return false;
  for (const l of r.reply.ladder) console.log(l);
  if (!r.reply.ok) throw new CommandFailed((r.reply.error ?? `HTTP ${r.status}`).split('\n')[0]);
  const result = r.reply.result as { deregistered: boolean };
  console.log(`removed ${supi} from ${db} through the running network of ${outDir}${result.deregistered ? ' (the UDM withdrew the subscription: network-initiated deregistration, TS 23.502 4.2.2.3.3)' : ' (it was not registered)'}`);
  return true;
}

/** The control API of a network (`wire5g up`) of `outDir` whose UDR uses `db`, or undefined. */
async function runningNetworkServing(db: string, outDir: string) {
  let endpoint: ReturnType<typeof readEndpoint>;
  try {
    endpoint = readEndpoint(outDir);
  } catch (e) {
    if (e instanceof NoNetwork) return undefined;
    throw e;
  }
  const ask = (command: string, params: Record<string, string>) => callControl(endpoint, { command, params, options: {} }).catch((e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return undefined; // the network is gone
    throw e;
  });
  const status = await ask('status', {});
  const served = status?.reply.ok ? (status.reply.result as { udrDatabase?: string }).udrDatabase : undefined;
  return db === ':memory:' || served !== resolve(db) ? undefined : ask;
}

export const subscriberCommand = defineGroup({
  name: 'subscriber',
  summary: "manage the UDR's subscribers (add, update, show, list, remove)",
  description: `Manages the UDR's subscribers in its SQLite database (${DEFAULT_CONFIG.udr.database} unless --db or --config says otherwise). A run seeds the configuration's subscribers only when absent, so what is stored here wins.`,
  commands: [add, update, show, list, remove],
});
