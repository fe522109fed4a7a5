// Configuration of a wire5g network, in YAML. Every field has a documented default (below), so
// an empty file, or none, is the embedded default network: PLMN 001/01, one TAC, S-NSSAI SST 1,
// DNN `internet`, UE pool 10.45.0.0/16, each NF on its own loopback address.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Plmn {
  mcc: string;
  mnc: string;
}

export interface Snssai {
  sst: number;
  /** Slice differentiator as 6 hex digits, absent for "no SD". */
  sd?: string;
}

export interface SubscriberConfig {
  supi: string;
  /** Subscriber key K, 32 hex digits. */
  k: string;
  /** OPc, 32 hex digits. */
  opc: string;
  /** Authentication management field, 4 hex digits. */
  amf: string;
  /** Initial SQN, 12 hex digits. */
  sqn: string;
  snssais: Snssai[];
  dnns: string[];
  /** Remaining allowed usage (octets) per DNN for policy control (TS 23.503 6.2.1.3). */
  allowedUsageOctets?: number;
}

export interface NfAddresses {
  amf: string;
  smf: string;
  upf: string;
  ausf: string;
  udm: string;
  udr: string;
  pcf: string;
  gnb: string;
}

export interface NetworkConfig {
  plmn: Plmn;
  tac: number;
  snssai: Snssai;
  dnn: string;
  uePool: string;
  /** N6 data network: the address the UPF's built-in responder answers for (ICMP and UDP echo). */
  dataNetwork: string;
  addresses: NfAddresses;
  ports: { sbi: number; ngapUdp: number; pfcp: number; gtpu: number };
  amf: { name: string; regionId: number; setId: number; pointer: number; t3512Seconds: number; relativeCapacity: number };
  gnb: { name: string; id: number };
  security: { integrity: 'NIA2'; ciphering: 'NEA0' | 'NEA2' };
  ue: { count: number; imeisvPrefix: string };
  udr: { database: string };
  subscribers: SubscriberConfig[];
  /** Where the run writes run.pcapng, ladder.md, summary.json. */
  outDir: string;
}

/** Test subscriber values as in TS 35.208 set 1 style: not a real operator's keys. */
export const DEFAULT_SUBSCRIBER: SubscriberConfig = {
  supi: 'imsi-001010000000001',
  k: '465b5ce8b199b49faa5f0a2ee238a6bc',
  opc: 'e8ed289deba952e4283b54e88e6183ca',
  amf: '8000',
  sqn: '000000000020',
  snssais: [{ sst: 1 }],
  dnns: ['internet'],
  allowedUsageOctets: 100_000_000,
};

export const DEFAULT_CONFIG: NetworkConfig = {
  plmn: { mcc: '001', mnc: '01' },
  tac: 1,
  snssai: { sst: 1 },
  dnn: 'internet',
  uePool: '10.45.0.0/16',
  dataNetwork: '10.45.255.254',
  addresses: {
    amf: '127.0.0.5',
    smf: '127.0.0.4',
    upf: '127.0.0.7',
    ausf: '127.0.0.11',
    udm: '127.0.0.12',
    pcf: '127.0.0.13',
    udr: '127.0.0.20',
    gnb: '127.0.0.100',
  },
  ports: { sbi: 8080, ngapUdp: 9899, pfcp: 8805, gtpu: 2152 },
  amf: { name: 'wire5g-amf', regionId: 2, setId: 1, pointer: 0, t3512Seconds: 3240, relativeCapacity: 255 },
  gnb: { name: 'wire5g-gnb', id: 1 },
  security: { integrity: 'NIA2', ciphering: 'NEA0' },
  ue: { count: 1, imeisvPrefix: '35609204079301' },
  udr: { database: 'out/udr.sqlite' },
  subscribers: [DEFAULT_SUBSCRIBER],
  outDir: 'out',
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges a partial config over the defaults; arrays replace, objects merge. */
function merge<T>(base: T, over: unknown, path: string): T {
  if (over === undefined || over === null) return base;
  if (isObject(base)) {
    if (!isObject(over)) throw new TypeError(`config ${path || '(root)'}: expected a mapping`);
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over)) {
      if (!(k in out)) throw new TypeError(`config ${path ? path + '.' : ''}${k}: unknown key`);
      out[k] = merge(out[k], v, path ? `${path}.${k}` : k);
    }
    return out as T;
  }
  if (Array.isArray(base)) {
    if (!Array.isArray(over)) throw new TypeError(`config ${path}: expected a list`);
    return over as T;
  }
  if (base !== undefined && typeof base !== typeof over) throw new TypeError(`config ${path}: expected ${typeof base}, got ${typeof over}`);
  return over as T;
}

export function configFromYaml(text: string): NetworkConfig {
  return merge(DEFAULT_CONFIG, parse(text) as unknown, '');
}

export function loadConfig(file?: string): NetworkConfig {
  return file ? configFromYaml(readFileSync(file, 'utf8')) : structuredClone(DEFAULT_CONFIG);
}
