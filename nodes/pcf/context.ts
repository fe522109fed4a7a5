// The PCF's shared state: the policy associations it holds (AM, UE, SM), the UDR subscriptions
// its SM policies share, and the per-SUPI serialisation of usage writes. The procedures are in
// am-policy.ts, ue-policy.ts, sm-policy.ts (establishment) and their -termination.ts files, the
// routes in service.ts.

import type { SbiClient } from '../common/sbi.ts';
import { udrClient, notifier } from '../common/sbi/client.ts';
import { KeyedSerializer, SharedSubscriptions } from '../common/concurrency.ts';
import type { PcfPolicyConfig } from '../common/config.ts';
import type { PcEventSubscription } from './event-exposure.ts';
import { IndexedMap } from '../common/indexed-map.ts';

export interface PcfConfig {
  /** Our own API root, e.g. http://127.0.0.13:8080 */
  baseUri: string;
  /** The UDR's API root. */
  udrUri: string;
  /**
   * Our PLMN's SUPI prefix ('imsi-00101'), given in a roaming run: a subscriber of another PLMN is
   * a roamer whose policy data is not in our UDR, and the visited PCF decides its AM and UE
   * policy on local policy (TS 23.503 6.1.2.1, TS 23.502 4.16.1.2: the V-PCF; the V-PCF's
   * exchange with the H-PCF for UE policy, 4.16.11 roaming, is not implemented).
   */
  supiPrefix?: string;
  /** Our PLMN: a session whose SmPolicyContextData servingNetwork is another one is roaming (home-routed, at the H-PCF). */
  plmn?: { mcc: string; mnc: string };
  /** Issue 16: the BSF, CHF and NWDAF the PCF works with around SM policies, and its decisions. */
  around?: PcfAroundConfig;
  /** Where the PCF says what it gave up on without failing the procedure around it (a report nobody took, a clean-up that failed). */
  log?: (line: string) => void;
}

/** The NFs around the SM policy association (TS 23.502 4.16.4, 4.16.6; sm-policy-bindings.ts). */
export interface PcfAroundConfig {
  bsfUri: string;
  chfUri: string;
  nwdafUri: string;
  /** Our own address and port, for the BSF binding's pcfIpEndPoints. */
  address: string;
  port: number;
  policy: PcfPolicyConfig;
}

/**
 * The volume threshold to install for `remaining` allowed octets (TS 23.503 6.2.2.3): all of it,
 * or at most `pcf.usageThresholdOctets` when configured (the rest is re-armed after each report).
 */
export function volumeThresholdFor(cfg: PcfConfig, remaining: number): number {
  const portion = cfg.around?.policy.usageThresholdOctets;
  return portion === undefined ? remaining : Math.min(portion, remaining);
}

/** Whether the PCF's UDR holds the subscriber's policy data (false for a roamer in a visited PCF). */
export function homeSubscriber(cfg: PcfConfig, supi: string): boolean {
  return cfg.supiPrefix === undefined || supi.startsWith(cfg.supiPrefix);
}

/**
 * Whether an SM policy association is of the non-roaming case of TS 23.502 4.16.4/4.16.6: our own
 * subscriber (not a roamer at a V-PCF, local breakout) served in our own PLMN (not a home-routed
 * session at the H-PCF, whose SmPolicyContextData servingNetwork is the visited PLMN).
 */
export function nonRoaming(cfg: PcfConfig, supi: string, servingNetwork: { mcc: string; mnc: string } | undefined): boolean {
  if (!homeSubscriber(cfg, supi)) return false;
  return !servingNetwork || !cfg.plmn || (servingNetwork.mcc === cfg.plmn.mcc && servingNetwork.mnc === cfg.plmn.mnc);
}

/** An AM policy association; as PCF for the UE, the PDU sessions reported to it (pdu-session-events.ts). */
export interface AmPolicyAssociation {
  supi: string;
  /** PDU sessions reported ESTABLISHED and not yet TERMINATED (TS 23.502 4.16.14.2), with their PCF's address. */
  pduSessions?: Map<string, { pcfInfo?: unknown }>;
}

export interface SmPolicyAssociation {
  supi: string;
  pduSessionId: number;
  dnn: string;
  snssai: string;
  /** The session-level usage monitoring data this session is accounted against (TS 29.519 limitId). */
  limitId?: string;
  /** The Monitoring Keys' usage monitoring data (limitIds) monitored for this session (usage-monitoring.ts). */
  monitoringKeys?: string[];
  /** The PCF for the UE that asked for this session's events (SmPolicyContextData pcfUeInfo, TS 23.502 4.16.14.2). */
  pcfUeInfo?: { callbackUri: string };
  /** A roaming session (nonRoaming() false): no NWDAF analytics subscription (4.16.6 step 5: "in the non-roaming case"). */
  roaming?: boolean;
  /** The volume threshold last installed per UsageMonitoringData (umId; undefined: unlimited), to tell a policy data change that changes the decision. */
  thresholds?: Record<string, number | undefined>;
  /**
   * Why the UDR holds no policy data for this session, which the PCF then neither reads, subscribes
   * to nor charges usage to: a PDU session for UE onboarding (onboardInd), or a roamer's session at
   * a V-PCF, local breakout (TS 23.502 4.16.6 step 3 NOTE: not available in the V-UDR; the V-PCF
   * uses locally configured information).
   */
  noPolicyData?: 'onboarding' | 'local breakout';
  /** PCC rule ids installed for the session (removed at 4.16.6 step 3). */
  pccRules: string[];
  /** The SMF's notificationUri (TS 29.512 SmPolicyContextData): `/update` and `/terminate` go under it. */
  notificationUri: string;
  /** Set when the PCF requested the termination (4.16.6 case A step 1): the cause it gave. */
  terminationRequested?: string;
  /** The UE's IPv4 address (SmPolicyContextData ipv4Address): the BSF binding and the AF's sessions find the association by it. */
  ipv4Address?: string;
  /** Issue 16: what the association holds elsewhere (sm-policy-bindings.ts), released at 4.16.6 steps 5-6. */
  bsfBindingUri?: string;
  nwdafSubscriptionUri?: string;
  /** The policy counters this session needs status reporting for (4.16.8). */
  policyCounterIds?: string[];
  /** Policy control request triggers the SMF reported met, with how often (TS 29.512 4.2.4, policy-control-triggers.ts). */
  reportedTriggers?: Record<string, number>;
  /** PCC rules the SMF reported active (ruleReports of SUCC_RES_ALLO). */
  activeRules?: string[];
  /** AF app sessions bound to this PDU session (Npcf_PolicyAuthorization, policy-authorization.ts). */
  appSessions: Set<string>;
  /** What SmPolicyContextData said of the access (TS 29.512), for event exposure (event-exposure.ts). */
  accessType?: '3GPP_ACCESS' | 'NON_3GPP_ACCESS';
  ratType?: string;
  servingNetwork?: { mcc: string; mnc: string; nid?: string };
}

/** An AF's app session (TS 29.514 AppSessionContext) and the SM policy association it is bound to. */
export interface AppSession {
  smPolicyId: string;
  notifUri: string;
  /** Set once the PCF told the AF the PDU session ended (4.16.6 step 5): the AF's delete then terminates nothing. */
  sessionGone?: boolean;
}

/** The CHF subscription of one subscriber (TS 29.594): its URI and the SM policies that need it (4.16.8). */
export interface ChfSubscription {
  uri: string;
  counterIds: string[];
  smPolicies: Set<string>;
}

export interface Pcf {
  cfg: PcfConfig;
  udr: SbiClient;
  /** The UDR's Nudr_DR, typed (nodes/common/sbi/operations.ts). */
  nudr: ReturnType<typeof udrClient>;
  /** Notifications to the callback URIs consumers gave (the SMF's notificationUri, ...). */
  notify: ReturnType<typeof notifier>;
  amPolicies: Map<string, AmPolicyAssociation>;
  uePolicies: Map<string, { supi: string }>;
  /** By SM policy id; also by SUPI (`entriesWith(supi)`). */
  smPolicies: IndexedMap<string, SmPolicyAssociation, string>;
  /** UDR policy-data subscriptions per (SUPI, DNN, S-NSSAI), shared by that couple's sessions. */
  udrSubscriptions: SharedSubscriptions;
  /** Read-modify-write of a subscriber's remaining usage is serialized per SUPI. */
  usageWriters: KeyedSerializer;
  /** Issue 16: AF app sessions, CHF subscriptions per SUPI (changes serialized per SUPI). */
  appSessions: Map<string, AppSession>;
  chfSubscriptions: Map<string, ChfSubscription>;
  chfWriters: KeyedSerializer;
  /** Policy counter statuses last reported by the CHF, per SUPI (TS 29.594 SpendingLimitStatus). */
  policyCounterStatus: Map<string, Record<string, string>>;
  /** NWDAF notifications received (TS 29.520), per SM policy id. */
  analyticsNotifications: Map<string, number>;
  /** Npcf_EventExposure subscriptions (TS 29.523, event-exposure.ts). */
  pcEventSubscriptions: Map<string, PcEventSubscription>;
  nextId(): string;
}

export function newPcf(cfg: PcfConfig, udr: SbiClient): Pcf {
  let next = 1;
  return {
    cfg, udr,
    nudr: udrClient(udr, cfg.udrUri),
    notify: notifier(udr),
    amPolicies: new Map(),
    uePolicies: new Map(),
    smPolicies: new IndexedMap((a: SmPolicyAssociation) => a.supi),
    udrSubscriptions: new SharedSubscriptions(),
    usageWriters: new KeyedSerializer(),
    appSessions: new Map(),
    chfSubscriptions: new Map(),
    chfWriters: new KeyedSerializer(),
    policyCounterStatus: new Map(),
    analyticsNotifications: new Map(),
    pcEventSubscriptions: new Map(),
    nextId: () => String(next++),
  };
}

/**
 * The optional features this PCF implements, per service (TS 29.507 5.8, TS 29.525 5.8, TS 29.512
 * 5.8): none yet, so every negotiation ends with "0".
 */
export const PCF_SUPPORTED_FEATURES = { amPolicy: '', uePolicy: '', smPolicy: '' } as const;

/**
 * TS 29.500 6.6.2 feature negotiation: the features both the consumer offered (`suppFeat`, TS
 * 29.571 SupportedFeatures hex, least significant digit last) and the producer supports.
 */
export function commonFeatures(offered: unknown, supported: string): string {
  const a = typeof offered === 'string' && /^[A-Fa-f0-9]*$/.test(offered) ? offered : '';
  let out = '';
  for (let i = 1; i <= Math.min(a.length, supported.length); i++) out = (parseInt(a[a.length - i], 16) & parseInt(supported[supported.length - i], 16)).toString(16) + out;
  return out.replace(/^0+(?=.)/, '') || '0';
}
