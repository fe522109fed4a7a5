// The PCF's shared state: the policy associations it holds (AM, UE, SM), the UDR subscriptions
// its SM policies share, and the per-SUPI serialisation of usage writes. The procedures are in
// am-policy.ts, ue-policy.ts and sm-policy.ts, the routes in service.ts.

import type { SbiClient } from '../common/sbi.ts';
import { udrClient } from '../common/sbi/client.ts';
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
  /** PCC rule ids installed for the session (removed at 4.16.6 step 3). */
  pccRules: string[];
}

export interface Pcf {
  cfg: PcfConfig;
  udr: SbiClient;
  /** The UDR's Nudr_DR, typed (nodes/common/sbi/operations.ts). */
  nudr: ReturnType<typeof udrClient>;
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
    amPolicies: new Map(),
    uePolicies: new Map(),
    smPolicies: new Map(),
    udrSubscriptions: new SharedSubscriptions(),
    usageWriters: new KeyedSerializer(),
    nextId: () => String(next++),
  };
}
