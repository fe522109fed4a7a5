// The shape of a wire5g network's configuration and its embedded defaults (PLMN 001/01, one TAC,
// S-NSSAI SST 1, DNN `internet`, UE pool 10.45.0.0/16, each NF on its own loopback address).
// Reading and checking a YAML file against this shape is nodes/common/config.ts.

import { DEFAULT_ROAMING, DEFAULT_HOME_SUBSCRIBER_SUPI, type RoamingConfig } from './roaming-config.ts';
import type { Http2Implementation } from '../../transport/sbi/http2-choice.ts';
import { DEFAULT_NRF, DEFAULT_NSSF, type NrfConfig, type NssfConfig } from './nrf-config.ts';
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
  /**
   * Remaining allowed usage (octets) per Monitoring Key, for each DNN and S-NSSAI of the subscriber
   * (TS 23.503 6.2.1.3, TS 29.519 UsageMonData at service level): the PCF monitors a key it has a
   * PCC rule for (`pcf.monitoringKeys`). Absent: no per-key limit.
   */
  monitoringKeys?: { key: string; octets: number }[];
  /**
   * Subscribed QoS of the PDU sessions (TS 29.503 DnnConfiguration 5gQosProfile and sessionAmbr):
   * the first entry whose dnn / sst / sd match (absent = any) applies to a (DNN, S-NSSAI).
   */
  sessionQos?: SessionQosConfig[];
  /**
   * Subscribed UE-AMBR (TS 29.503 AccessAndMobilitySubscriptionData subscribedUeAmbr, TS 23.501
   * 5.7.2.6), TS 29.571 BitRate strings: the AMF gives it to the NG-RAN (TS 38.413 9.3.1.58).
   */
  ueAmbr?: { uplink: string; downlink: string };
}

/** One subscribed QoS entry: default 5QI and ARP priority (TS 23.501 5.7.2.7), Session-AMBR as TS 29.571 BitRate strings. */
export interface SessionQosConfig {
  dnn?: string;
  sst?: number;
  sd?: string;
  fiveQi: number;
  arpPriorityLevel: number;
  ambrUplink: string;
  ambrDownlink: string;
}

/** The subscribed QoS of a subscriber for a DNN and S-NSSAI, or undefined when no entry matches. */
export function sessionQosFor(list: readonly SessionQosConfig[], dnn: string, snssai: Snssai): SessionQosConfig | undefined {
  return list.find((q) => (q.dnn === undefined || q.dnn === dnn) && (q.sst === undefined || q.sst === snssai.sst) && (q.sd === undefined || q.sd.toLowerCase() === (snssai.sd ?? '').toLowerCase()));
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
  // issue 16: the NFs around the PCF (SM Policy Association Termination, TS 23.502 4.16.6)
  bsf: string;
  chf: string;
  nwdaf: string;
  af: string;
  // issue 18: the NRF every NF registers with, and the NSSF
  nrf: string;
  nssf: string;
}

/** NAS integrity algorithms wire5g implements (TS 33.501 5.11.1.1, TS 33.401 Annex B). */
export const INTEGRITY_ALGORITHMS = ['NIA2'] as const;
export type IntegrityAlgorithm = (typeof INTEGRITY_ALGORITHMS)[number];
/** NAS ciphering algorithms wire5g implements: the null algorithm and AES-CTR. */
export const CIPHERING_ALGORITHMS = ['NEA0', 'NEA2'] as const;
export type CipheringAlgorithm = (typeof CIPHERING_ALGORITHMS)[number];

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
  /** authenticateUpdates: a mobility or periodic registration update whose integrity verified is authenticated again (TS 24.501 5.4.1.1: the network decides). */
  /** reallocation: the reroute of TS 23.502 4.2.2.2.3, direct (7(A)) or via the NG-RAN (7(B)) where allowed. */
  amf: { name: string; regionId: number; setId: number; pointer: number; t3512Seconds: number; relativeCapacity: number; authenticateUpdates: boolean; reallocation: 'direct' | 'ran' };
  /**
   * Several AMFs in one network (TS 23.501 5.21: AMF Sets; 6.3.5: the NG-RAN selects among them):
   * each with its GUAMI, the slices and TAs it serves. Absent: the one AMF of `amf` at
   * `addresses.amf` (amfInstances() gives the list either way).
   */
  amfs?: AmfInstanceConfig[];
  /** admission: RRC connections the gNB sets up at once and per second (nodes/gnb/admission.ts); more UEs wait in its queue. */
  gnb: { name: string; id: number; admission: { adaptive: boolean; minEstablishing: number; maxEstablishing: number; targetLatencyMs: number; setupsPerSecond: number } };
  security: { integrity: IntegrityAlgorithm; ciphering: CipheringAlgorithm };
  ue: { count: number; imeisvPrefix: string };
  udr: { database: string };
  subscribers: SubscriberConfig[];
  /** The ON-SNPN (TS 23.501 5.30.2.10): absent, the network is a PLMN only. */
  snpn?: SnpnConfig;
  /**
   * A 5G-EIR (nodes/eir, TS 29.511) on `address`: the AMF checks the PEI of an onboarding UE at it
   * (TS 23.502 4.2.2.2.4 step 12); `prohibited` and `tracking` PEIs, every other one permitted.
   */
  eir?: { address: string; prohibited?: string[]; tracking?: string[] };
  /** Where the run writes run.pcapng, ladder.md, summary.json. */
  outDir: string;
  /** Home-routed roaming (nodes/common/roaming-config.ts): a home PLMN and the two SEPPs. */
  roaming: RoamingConfig;
  /** The PCF's SM policy decisions (issue 16, nodes/pcf/sm-policy-termination.ts). */
  pcf: PcfPolicyConfig;
  /** The CHF's policy counters, per subscriber (TS 29.594; nodes/chf). */
  chf: {
    policyCounters: { id: string; status: string }[];
    /** The SMF charges each PDU session at the CHF (Nchf_ConvergedCharging, TS 32.291/TS 32.255); off: no charging session. */
    convergedCharging: boolean;
  };
  /** Emergency services (issue 15): the AMF's emergency DNN and the SMF's local QoS for it. */
  emergency: EmergencyConfig;
  /** The NRF (nodes/nrf): discovery on or off, its heart-beat (nodes/common/nrf-config.ts). */
  nrf: NrfConfig;
  /** The NSSF's slice selection data (nodes/nssf). */
  nssf: NssfConfig;
  /**
   * The SBI's transport: `http2` is the HTTP/2 of every cleartext SBI server and client the
   * command starts, node:http2 or wire5g's own (docs/decisions/21-own-http2.md); the SEPPs' N32
   * over TLS is always node:http2. WIRE5G_SBI_HTTP2, when set, wins over it.
   */
  sbi: { http2: Http2Implementation };
}

/**
 * Emergency Configuration Data (TS 23.501 5.16.4): the emergency DNN the AMF gives a PDU session of
 * request type "initial emergency request" (the UE names none, TS 24.501 6.4.1.2), on the S-NSSAI
 * it serves; the SMF sets such a session up without subscription data or PCF, with this local QoS
 * (TS 23.501 5.16.4: local configuration when dynamic PCC is not used). `enabled: false`: no
 * emergency services (the Registration accept says so and such requests are not forwarded, #90).
 */
export interface EmergencyConfig {
  enabled: boolean;
  dnn: string;
  fiveQi: number;
  arpPriorityLevel: number;
  ambrUplink: string;
  ambrDownlink: string;
}

/** One AMF of `amfs`; what an item leaves out comes from `amf`, `addresses.amf` (first item), `snssai` and `tac`. */
export interface AmfInstanceConfig {
  name?: string;
  address?: string;
  regionId?: number;
  setId?: number;
  pointer?: number;
  relativeCapacity?: number;
  snssais?: Snssai[];
  tacs?: number[];
}

/** An AMF of the network with every value resolved (amfInstances). */
export interface AmfInstance {
  /** Its name in the ladder, ledgers and logs: 'AMF' for the first, then 'AMF2', 'AMF3'... */
  nf: string;
  name: string;
  address: string;
  guami: { regionId: number; setId: number; pointer: number };
  relativeCapacity: number;
  snssais: Snssai[];
  tacs: number[];
}

/** The AMFs of the network: `amfs` resolved, or the one AMF of `amf` (TS 23.501 5.21). */
export function amfInstances(cfg: NetworkConfig): AmfInstance[] {
  const list = cfg.amfs && cfg.amfs.length ? cfg.amfs : [{}];
  return list.map((a, i) => ({
    nf: i === 0 ? 'AMF' : `AMF${i + 1}`,
    name: a.name ?? (i === 0 ? cfg.amf.name : `${cfg.amf.name}-${i + 1}`),
    address: a.address ?? cfg.addresses.amf,
    guami: { regionId: a.regionId ?? cfg.amf.regionId, setId: a.setId ?? cfg.amf.setId, pointer: a.pointer ?? cfg.amf.pointer },
    relativeCapacity: a.relativeCapacity ?? cfg.amf.relativeCapacity,
    snssais: a.snssais ?? [cfg.snssai],
    tacs: a.tacs ?? [cfg.tac],
  }));
}

/** What the PCF asks of the BSF, CHF, NWDAF and AF around an SM policy association (issue 16). */
export interface PcfPolicyConfig {
  /** The policy counters (TS 29.594) each PDU session needs status reporting for; none: no CHF subscription. */
  policyCounterIds: string[];
  /** The NWDAF analytics events (TS 29.520 NwdafEvent) subscribed to per PDU session; none: no NWDAF subscription. */
  nwdafEvents: string[];
  /** When an AF ends its app session, the PCF terminates the PDU session it was bound to (TS 23.502 4.16.6 case A). */
  terminateOnAfSessionEnd: boolean;
  /**
   * The largest volume threshold the PCF installs at once (TS 23.503 6.2.2.3, TS 29.512
   * UsageMonitoringData volumeThreshold): the remaining allowed usage is handed out in portions of
   * this size, each re-armed after the SMF reports it reached. Absent: the whole remaining usage.
   */
  usageThresholdOctets?: number;
  /**
   * Policy control request triggers the PCF subscribes to at the SMF for every SM policy
   * association (TS 29.512 PolicyControlRequestTrigger) besides US_RE (set with usage
   * monitoring): wire5g's SMF reports SUCC_RES_ALLO.
   */
  policyControlRequestTriggers: string[];
  /**
   * The PCF's PCC rules for usage monitoring per Monitoring Key (TS 23.503 6.2.2.3, TS 29.512
   * 4.2.2.4): a subscriber with a remaining allowed usage for `key` gets a PCC rule with this
   * flow description (TS 29.212 5.4.2 IPFilterRule) referencing the key's UsageMonitoringData.
   */
  monitoringKeys: { key: string; flowDescription: string }[];
  /**
   * The (DNN, S-NSSAI)s whose PDU sessions the PCF, as PCF for the UE, asks to be told of (TS 23.502
   * 4.16.14.2; TS 29.507 PolicyAssociation pcfUeInfo and matchPdus): the PCF for each such session
   * reports its establishment and, at 4.16.6 step 5, its termination. Empty: none asked.
   */
  pduSessionEvents: { dnn: string; sst: number; sd?: string }[];
}

/**
 * An onboarding SNPN (TS 23.501 5.30.2.10) beside the PLMN: the SNPN is the PLMN ID plus `nid`
 * (TS 23.003 12.7: 44 bits, 11 hex digits); the gNB broadcasts it, the AMF serves it with the AMF
 * Onboarding Configuration Data (TS 23.501 5.30.2.10.2.3): the S-NSSAI and DNN onboarding UEs are
 * restricted to and the deregistration timer of an onboarding registered UE.
 */
export interface SnpnConfig {
  nid: string;
  /** imeisvRequest (default true): the Security Mode Command asks for the IMEISV; false, the PEI comes by Identity Request (step 11). */
  onboarding: { snssai: Snssai; dnn: string; deregistrationTimerSeconds: number; imeisvRequest?: boolean };
  /**
   * The PVS (nodes/pvs): its own address (CoAP on 5683), the address the UEs reach it at in the
   * data network (the UPF relays it on N6), and the SO-SNPN credentials it hands out: for the UE
   * with Default UE Credentials `onboardingSupi`, the subscriber `supi` of `subscribers`. `fqdn`:
   * its name, which the SMF gives the UE as well (ePCO 0038H PVS name).
   */
  pvs?: { address: string; dnAddress: string; fqdn?: string; credentials: { onboardingSupi: string; supi: string }[] };
  /**
   * A DCS hosting AUSF/UDM (TS 23.502 4.2.2.2.4 step 9-2): its own AUSF, UDM and UDR on these
   * addresses, holding the subscribers whose SUPI realm is `realm`; the AMF sends the SUCIs of that
   * realm to its AUSF, and its UDM gives `pvsAddresses` (IPv4, IPv6 addresses or FQDNs) with the authentication data.
   */
  dcs?: { realm: string; addresses: { ausf: string; udm: string; udr: string }; pvsAddresses: string[] };
  /**
   * A DCS hosting an AAA server (TS 23.502 4.2.2.2.4 step 9-1): the AUSF sends the SUCIs of `realm`
   * to the AAA server (nodes/aaa, RADIUS on `address`:1812 with `secret`) through the ON-SNPN's
   * NSSAAF (nodes/nssaaf, SBI on `nssaafAddress`); the AAA server holds the subscribers of that realm.
   */
  aaa?: { realm: string; nssaafAddress: string; address: string; secret: string };
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
  sessionQos: [{ fiveQi: 9, arpPriorityLevel: 8, ambrUplink: '1 Gbps', ambrDownlink: '1 Gbps' }],
  ueAmbr: { uplink: '1 Gbps', downlink: '2 Gbps' },
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
    bsf: '127.0.0.15',
    chf: '127.0.0.16',
    nwdaf: '127.0.0.17',
    af: '127.0.0.18',
    nrf: '127.0.0.10',
    nssf: '127.0.0.35',
  },
  ports: { sbi: 8080, ngapUdp: 9899, pfcp: 8805, gtpu: 2152 },
  amf: { name: 'wire5g-amf', regionId: 2, setId: 1, pointer: 0, t3512Seconds: 3240, relativeCapacity: 255, authenticateUpdates: false, reallocation: 'direct' },
  gnb: { name: 'wire5g-gnb', id: 1, admission: { adaptive: true, minEstablishing: 4, maxEstablishing: 64, targetLatencyMs: 3000, setupsPerSecond: 10_000 } },
  security: { integrity: 'NIA2', ciphering: 'NEA0' },
  ue: { count: 1, imeisvPrefix: '35609204079301' },
  udr: { database: 'out/udr.sqlite' },
  subscribers: [DEFAULT_SUBSCRIBER],
  outDir: 'out',
  pcf: { policyCounterIds: ['data-volume'], nwdafEvents: ['SERVICE_EXPERIENCE'], terminateOnAfSessionEnd: true, policyControlRequestTriggers: [], monitoringKeys: [{ key: 'icmp', flowDescription: 'permit out 1 from any to assigned' }], pduSessionEvents: [] },
  chf: { policyCounters: [{ id: 'data-volume', status: 'valid' }], convergedCharging: false },
  emergency: { enabled: true, dnn: 'sos', fiveQi: 5, arpPriorityLevel: 1, ambrUplink: '10 Mbps', ambrDownlink: '10 Mbps' },
  nrf: DEFAULT_NRF,
  nssf: DEFAULT_NSSF,
  sbi: { http2: 'own' },
  roaming: { ...DEFAULT_ROAMING, home: { ...DEFAULT_ROAMING.home, subscribers: [{ ...DEFAULT_SUBSCRIBER, supi: DEFAULT_HOME_SUBSCRIBER_SUPI }] } },
};
