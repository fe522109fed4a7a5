// The UDR's data (TS 23.502 5.2.12, TS 29.504/29.505/29.519): subscribers' authentication
// subscription (K, OPc, AMF, SQN), subscribed S-NSSAIs and DNNs, and policy data (remaining
// allowed usage per DNN and S-NSSAI), in an embedded SQLite database (better-sqlite3). A file
// under out/ by default, ':memory:' for tests. SQN is written through on every update, so it
// survives a restart (TS 33.102 C.2: the network must never reuse a sequence number).

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_SUBSCRIBER, type Snssai, type SubscriberConfig, type SessionQosConfig } from '../common/config.ts';

export interface SubscriberRecord {
  supi: string;
  k: string;
  opc: string;
  amf: string;
  /** 48-bit sequence number as 12 hex digits. */
  sqn: string;
  snssais: Snssai[];
  dnns: string[];
  /** Subscribed QoS entries (TS 29.503 DnnConfiguration), first match per DNN and S-NSSAI. */
  sessionQos: SessionQosConfig[];
  /** Subscribed UE-AMBR (TS 29.503 subscribedUeAmbr), TS 29.571 BitRate strings. */
  ueAmbr: { uplink: string; downlink: string };
}

/**
 * The subscribed QoS of a subscriber stored before it had one (a database from before issue 23):
 * the embedded test subscriber's, as config/default.yaml documents it.
 */
const SESSION_QOS_OF_OLDER_RECORDS: SessionQosConfig[] = DEFAULT_SUBSCRIBER.sessionQos ?? [];
/** Likewise the subscribed UE-AMBR of a subscriber stored before it had one: the embedded test subscriber's. */
const UE_AMBR_OF_OLDER_RECORDS = DEFAULT_SUBSCRIBER.ueAmbr ?? { uplink: '1 Gbps', downlink: '2 Gbps' };

export interface UsageRecord {
  supi: string;
  dnn: string;
  /** S-NSSAI in the TS 29.571 string form "sst" or "sst-sd". */
  snssai: string;
  /** Remaining allowed usage in octets; null when unlimited. */
  remainingOctets: number | null;
}

/** Remaining allowed usage of one Monitoring Key on a DNN and S-NSSAI (TS 29.519 UsageMonData, service level). */
export interface MonitoringKeyUsage {
  dnn: string;
  snssai: string;
  key: string;
  remainingOctets: number;
}

const HEX = /^[0-9a-f]+$/;

export class InvalidSubscriber extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidSubscriber';
  }
}

function check(s: SubscriberConfig): SubscriberRecord {
  if (!/^(imsi-\d{5,15}|nai-[^@\s]+@[^@\s]+)$/.test(s.supi)) throw new InvalidSubscriber(`SUPI ${s.supi} is not imsi-<5..15 digits> or nai-<username>@<realm>`);
  const k = s.k.toLowerCase(), opc = s.opc.toLowerCase(), amf = s.amf.toLowerCase(), sqn = s.sqn.toLowerCase();
  if (k.length !== 32 || !HEX.test(k)) throw new InvalidSubscriber('K must be 32 hex digits');
  if (opc.length !== 32 || !HEX.test(opc)) throw new InvalidSubscriber('OPc must be 32 hex digits');
  if (amf.length !== 4 || !HEX.test(amf)) throw new InvalidSubscriber('AMF must be 4 hex digits');
  if (sqn.length !== 12 || !HEX.test(sqn)) throw new InvalidSubscriber('SQN must be 12 hex digits');
  if (s.snssais.length === 0) throw new InvalidSubscriber('at least one S-NSSAI');
  return { supi: s.supi, k, opc, amf, sqn, snssais: s.snssais, dnns: s.dnns, sessionQos: s.sessionQos ?? SESSION_QOS_OF_OLDER_RECORDS, ueAmbr: s.ueAmbr ?? UE_AMBR_OF_OLDER_RECORDS };
}

/** TS 29.571 5.4.4.2 style S-NSSAI key: "1" or "1-010203". */
export function snssaiKey(s: Snssai): string {
  return s.sd ? `${s.sst}-${s.sd.toLowerCase()}` : String(s.sst);
}

/** Subscriber records kept parsed (UdrStore.records): more than the UEs a burst has in flight. */
const RECORDS_KEPT = 4096;

/** Freezes a value parsed from JSON, with everything in it. */
export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Distinct JSON column texts kept parsed (UdrStore.parsed); past it the kept ones are dropped. */
const PARSED_KEPT = 1024;

export class UdrStore {
  private readonly db: Database.Database;
  readonly path: string;
  /** Each SQL text prepared once (preparing parses and plans the SQL: 2.7% of the CPU of a run when done per call, issue 21). */
  private readonly statements = new Map<string, Database.Statement>();
  /**
   * Subscriber records read and parsed, by SUPI (a UE's registration and PDU session read its
   * record about ten times: the row and four JSON columns parsed each time were 2% of the CPU of a
   * run, issue 21). Frozen, shared by every reader. Valid while SQLite's `data_version` is
   * `recordsVersion` (it changes when another connection, e.g. `wire5g subscriber update` on the
   * same file, commits); this connection's own writes of a subscriber row drop its record (setSqn
   * keeps it, with the SQN it wrote). At most RECORDS_KEPT, the one read from the table first
   * dropped first.
   */
  private readonly records = new Map<string, SubscriberRecord>();
  private recordsVersion: unknown;
  /**
   * The JSON columns of the subscriber table (S-NSSAIs, DNNs, QoS, UE-AMBR), parsed and frozen, by
   * their text: subscribers provisioned alike have the same texts, and each record read parsed and
   * froze its own copy of the same values (the first read of every UE; issue 21 goal 3). A frozen
   * value read from the same text is the same value, so records share it. At most PARSED_KEPT texts.
   */
  private readonly parsed = new Map<string, unknown>();
  /**
   * The remaining allowed usage of subscribers as read (usageOf, monitoringKeyUsageOf), frozen: the
   * PCF reads a subscriber's SmPolicyData at each SM policy association's start and end (TS 23.502
   * 4.16.4 step 3, 4.16.6 step 3), two SELECTs each, the same rows while nothing wrote them (issue
   * 21 goal 3). A write of a subscriber's usage through this store drops its entry; another
   * connection's commit drops them all, as it does `records`. At most RECORDS_KEPT subscribers.
   */
  private readonly usages = new Map<string, { rows?: readonly UsageRecord[]; keys?: readonly MonitoringKeyUsage[] }>();
  /**
   * `PRAGMA data_version`, prepared and plucked once; none for ':memory:', a database private to
   * this connection that no other can commit to (each read asked SQLite for it: about 0.5% of a
   * 2,000-UE run's CPU, issue 21 goal 3).
   */
  private readonly dataVersion: Database.Statement | undefined;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.path = path;
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS subscriber (
        supi TEXT PRIMARY KEY, k TEXT NOT NULL, opc TEXT NOT NULL, amf TEXT NOT NULL, sqn TEXT NOT NULL,
        snssais TEXT NOT NULL, dnns TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS usage (
        supi TEXT NOT NULL REFERENCES subscriber(supi) ON DELETE CASCADE, dnn TEXT NOT NULL, snssai TEXT NOT NULL,
        remaining INTEGER, PRIMARY KEY (supi, dnn, snssai));
      CREATE TABLE IF NOT EXISTS usage_mk (
        supi TEXT NOT NULL REFERENCES subscriber(supi) ON DELETE CASCADE, dnn TEXT NOT NULL, snssai TEXT NOT NULL, mk TEXT NOT NULL,
        remaining INTEGER NOT NULL, PRIMARY KEY (supi, dnn, snssai, mk));
    `);
    // the subscribed QoS column came with issue 23: older databases get it, empty
    const columns = this.db.prepare('PRAGMA table_info(subscriber)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'qos')) this.db.exec('ALTER TABLE subscriber ADD COLUMN qos TEXT');
    if (!columns.some((c) => c.name === 'ue_ambr')) this.db.exec('ALTER TABLE subscriber ADD COLUMN ue_ambr TEXT');
    this.db.pragma('foreign_keys = ON');
    this.dataVersion = path === ':memory:' ? undefined : this.db.prepare('PRAGMA data_version').pluck();
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** Adds or replaces a subscriber and its policy data (remaining allowed usage per DNN/S-NSSAI). */
  upsert(s: SubscriberConfig): SubscriberRecord {
    const r = check(s);
    this.records.delete(r.supi);
    this.usages.delete(r.supi);
    const tx = this.db.transaction(() => {
      this.statement('INSERT INTO subscriber (supi,k,opc,amf,sqn,snssais,dnns,qos,ue_ambr) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(supi) DO UPDATE SET k=excluded.k, opc=excluded.opc, amf=excluded.amf, sqn=excluded.sqn, snssais=excluded.snssais, dnns=excluded.dnns, qos=excluded.qos, ue_ambr=excluded.ue_ambr')
        .run(r.supi, r.k, r.opc, r.amf, r.sqn, JSON.stringify(r.snssais), JSON.stringify(r.dnns), JSON.stringify(r.sessionQos), JSON.stringify(r.ueAmbr));
      this.statement('DELETE FROM usage WHERE supi = ?').run(r.supi);
      const ins = this.statement('INSERT INTO usage (supi,dnn,snssai,remaining) VALUES (?,?,?,?)');
      for (const dnn of r.dnns) for (const n of r.snssais) ins.run(r.supi, dnn, snssaiKey(n), s.allowedUsageOctets ?? null);
      // the remaining allowed usage per Monitoring Key, for each DNN and S-NSSAI
      this.statement('DELETE FROM usage_mk WHERE supi = ?').run(r.supi);
      const mk = this.statement('INSERT INTO usage_mk (supi,dnn,snssai,mk,remaining) VALUES (?,?,?,?,?)');
      for (const m of s.monitoringKeys ?? []) for (const dnn of r.dnns) for (const n of r.snssais) mk.run(r.supi, dnn, snssaiKey(n), m.key, m.octets);
    });
    tx();
    return r;
  }

  /** Adds the subscribers that are not in the database yet (never overwrites a stored SQN). */
  seed(list: SubscriberConfig[]): number {
    let added = 0;
    for (const s of list) {
      if (!this.get(s.supi)) {
        this.upsert(s);
        added++;
      }
    }
    return added;
  }

  /** Drops what is kept read (`records`, `usages`) when another connection has committed since it was read. */
  private current(): void {
    if (this.dataVersion) {
      const version = this.dataVersion.get();
      if (version !== this.recordsVersion) {
        this.records.clear();
        this.usages.clear();
        this.recordsVersion = version;
      }
    }
  }

  /** The subscriber's kept usage entry, made when absent (at most RECORDS_KEPT, the oldest dropped first). */
  private usagesOf(supi: string): { rows?: readonly UsageRecord[]; keys?: readonly MonitoringKeyUsage[] } {
    this.current();
    let u = this.usages.get(supi);
    if (!u) {
      if (this.usages.size >= RECORDS_KEPT) this.usages.delete(this.usages.keys().next().value!);
      this.usages.set(supi, (u = {}));
    }
    return u;
  }

  /** The subscriber's record (frozen: it is shared, see `records`), or undefined. */
  get(supi: string): SubscriberRecord | undefined {
    this.current();
    const kept = this.records.get(supi);
    if (kept) return kept;
    const row = this.statement('SELECT * FROM subscriber WHERE supi = ?').get(supi) as
      | { supi: string; k: string; opc: string; amf: string; sqn: string; snssais: string; dnns: string; qos: string | null; ue_ambr: string | null }
      | undefined;
    if (!row) return undefined;
    const { qos, ue_ambr: ueAmbr, ...rest } = row;
    // what was parsed here is frozen with the record; the defaults of older rows are shared constants
    const record = Object.freeze({
      ...rest,
      snssais: this.frozenJson<Snssai[]>(row.snssais),
      dnns: this.frozenJson<string[]>(row.dnns),
      sessionQos: qos ? this.frozenJson<SessionQosConfig[]>(qos) : SESSION_QOS_OF_OLDER_RECORDS,
      ueAmbr: ueAmbr ? this.frozenJson<SubscriberRecord['ueAmbr']>(ueAmbr) : UE_AMBR_OF_OLDER_RECORDS,
    });
    if (this.records.size >= RECORDS_KEPT) this.records.delete(this.records.keys().next().value!);
    this.records.set(supi, record);
    return record;
  }

  /** A JSON column's value, parsed and frozen once per distinct text (`parsed`). */
  private frozenJson<T>(text: string): T {
    let v = this.parsed.get(text);
    if (v === undefined) {
      if (this.parsed.size >= PARSED_KEPT) this.parsed.clear();
      this.parsed.set(text, (v = deepFreeze(JSON.parse(text) as unknown)));
    }
    return v as T;
  }

  list(): SubscriberRecord[] {
    return (this.statement('SELECT supi FROM subscriber ORDER BY supi').all() as { supi: string }[]).map((r) => this.get(r.supi)!);
  }

  remove(supi: string): boolean {
    this.records.delete(supi);
    this.usages.delete(supi);
    return this.statement('DELETE FROM subscriber WHERE supi = ?').run(supi).changes > 0;
  }

  /** Stores a new SQN (12 hex digits); false if the subscriber is unknown. */
  setSqn(supi: string, sqn: string): boolean {
    if (sqn.length !== 12 || !HEX.test(sqn)) throw new InvalidSubscriber('SQN must be 12 hex digits');
    const kept = this.records.get(supi);
    this.records.delete(supi);
    const changed = this.statement('UPDATE subscriber SET sqn = ? WHERE supi = ?').run(sqn, supi).changes > 0;
    // the record read before, with the SQN as stored now (each authentication writes the SQN, and
    // the UE's next reads follow at once): only the SQN column changed
    if (changed && kept) this.records.set(supi, Object.freeze({ ...kept, sqn }));
    return changed;
  }

  usage(supi: string, dnn: string, snssai: string): UsageRecord | undefined {
    const row = this.statement('SELECT supi, dnn, snssai, remaining FROM usage WHERE supi = ? AND dnn = ? AND snssai = ?').get(supi, dnn, snssai) as
      | { supi: string; dnn: string; snssai: string; remaining: number | null }
      | undefined;
    return row ? { supi: row.supi, dnn: row.dnn, snssai: row.snssai, remainingOctets: row.remaining } : undefined;
  }

  /** Sets the remaining allowed usage (Nudr_DM_Update of UsageMonData); false if absent. */
  setUsage(supi: string, dnn: string, snssai: string, remainingOctets: number | null): boolean {
    this.usages.delete(supi);
    return this.statement('UPDATE usage SET remaining = ? WHERE supi = ? AND dnn = ? AND snssai = ?').run(remainingOctets, supi, dnn, snssai).changes > 0;
  }

  /** The subscriber's remaining allowed usage per DNN and S-NSSAI (a new list of the kept, frozen rows, see `usages`). */
  usageOf(supi: string): UsageRecord[] {
    const u = this.usagesOf(supi);
    return (u.rows ??= Object.freeze((this.statement('SELECT supi, dnn, snssai, remaining FROM usage WHERE supi = ? ORDER BY dnn, snssai').all(supi) as { supi: string; dnn: string; snssai: string; remaining: number | null }[]).map((r) => Object.freeze({
      supi: r.supi,
      dnn: r.dnn,
      snssai: r.snssai,
      remainingOctets: r.remaining,
    })))).slice();
  }

  /** The remaining allowed usage per Monitoring Key of a subscriber, per DNN and S-NSSAI (a new list of the kept, frozen rows, see `usages`). */
  monitoringKeyUsageOf(supi: string): MonitoringKeyUsage[] {
    const u = this.usagesOf(supi);
    return (u.keys ??= Object.freeze((this.statement('SELECT dnn, snssai, mk, remaining FROM usage_mk WHERE supi = ? ORDER BY dnn, snssai, mk').all(supi) as { dnn: string; snssai: string; mk: string; remaining: number }[]).map((r) => Object.freeze({ dnn: r.dnn, snssai: r.snssai, key: r.mk, remainingOctets: r.remaining })))).slice();
  }

  /** Sets a Monitoring Key's remaining allowed usage (Nudr_DM_Update of its UsageMonData); false if absent. */
  setMonitoringKeyUsage(supi: string, dnn: string, snssai: string, key: string, remainingOctets: number): boolean {
    this.usages.delete(supi);
    return this.statement('UPDATE usage_mk SET remaining = ? WHERE supi = ? AND dnn = ? AND snssai = ? AND mk = ?').run(remainingOctets, supi, dnn, snssai, key).changes > 0;
  }

  /**
   * Deducts used octets from the remaining allowed usage (TS 23.502 4.16.6 step 3, never below
   * zero); returns the new remaining value, or undefined when there is no such policy data.
   */
  deductUsage(supi: string, dnn: string, snssai: string, usedOctets: number): number | null | undefined {
    const u = this.usage(supi, dnn, snssai);
    if (!u) return undefined;
    if (u.remainingOctets === null) return null;
    const remaining = Math.max(0, u.remainingOctets - usedOctets);
    this.usages.delete(supi);
    this.statement('UPDATE usage SET remaining = ? WHERE supi = ? AND dnn = ? AND snssai = ?').run(remaining, supi, dnn, snssai);
    return remaining;
  }
}
