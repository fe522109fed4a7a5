// The PCF's shared state: the policy associations it holds (AM, UE, SM), the UDR subscriptions
// its SM policies share, and the per-SUPI serialisation of usage writes. The procedures are in
// am-policy.ts, ue-policy.ts and sm-policy.ts, the routes in service.ts.

import type { SbiClient } from '../common/sbi.ts';
import { udrClient, notifier } from '../common/sbi/client.ts';
import { KeyedSerializer, SharedSubscriptions } from '../common/concurrency.ts';

export interface PcfConfig {
  /** Our own API root, e.g. http://127.0.0.13:8080 */
  baseUri: string;
  /** The UDR's API root. */
  udrUri: string;
}

export interface SmPolicyAssociation {
  supi: string;
  pduSessionId: number;
  dnn: string;
  snssai: string;
  /** The usage monitoring data this session is accounted against (TS 29.519 limitId). */
  limitId?: string;
  /** A PDU session for UE onboarding (onboardInd): no policy data in the UDR to account usage to. */
  onboarding?: boolean;
  /** PCC rule ids installed for the session (removed at 4.16.6 step 3). */
  pccRules: string[];
  /** The SMF's notificationUri (TS 29.512 SmPolicyContextData): `/update` and `/terminate` go under it. */
  notificationUri: string;
  /** Set when the PCF requested the termination (4.16.6 case A step 1): the cause it gave. */
  terminationRequested?: string;
}

export interface Pcf {
  cfg: PcfConfig;
  udr: SbiClient;
  /** The UDR's Nudr_DR, typed (nodes/common/sbi/operations.ts). */
  nudr: ReturnType<typeof udrClient>;
  /** Notifications to the callback URIs consumers gave (the SMF's notificationUri, ...). */
  notify: ReturnType<typeof notifier>;
  amPolicies: Map<string, { supi: string }>;
  uePolicies: Map<string, { supi: string }>;
  smPolicies: Map<string, SmPolicyAssociation>;
  /** UDR policy-data subscriptions per (SUPI, DNN, S-NSSAI), shared by that couple's sessions. */
  udrSubscriptions: SharedSubscriptions;
  /** Read-modify-write of a subscriber's remaining usage is serialized per SUPI. */
  usageWriters: KeyedSerializer;
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
    smPolicies: new Map(),
    udrSubscriptions: new SharedSubscriptions(),
    usageWriters: new KeyedSerializer(),
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
