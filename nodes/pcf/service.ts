// The PCF's policy services: Npcf_AMPolicyControl (TS 29.507, am-policy.ts), Npcf_UEPolicyControl
// (TS 29.525, ue-policy.ts) and Npcf_SMPolicyControl (TS 29.512, sm-policy.ts), with the UDR behind
// them over Nudr_DR (TS 29.519). This file holds the routes and the ledger.

import type { SbiRoute, SbiClient } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { serve } from '../common/sbi/routes.ts';
import { PCF } from '../common/sbi/operations.ts';
import { newPcf, type PcfConfig } from './context.ts';
import { createAmPolicy, deleteAmPolicy } from './am-policy.ts';
import { createUePolicy, deleteUePolicy } from './ue-policy.ts';
import { createSmPolicy } from './sm-policy.ts';
import { deleteSmPolicy } from './sm-policy-termination.ts';
import { policyAuthorizationRoutes } from './policy-authorization.ts';
import { bindingCallbackRoutes } from './sm-policy-bindings.ts';

export type { PcfConfig } from './context.ts';

export function pcfRoutes(cfg: PcfConfig, udr: SbiClient, ledger = new ResourceLedger('PCF')) {
  const pcf = newPcf(cfg, udr);
  ledger
    .gauge('AM policy associations', () => pcf.amPolicies.size)
    .gauge('UE policy associations', () => pcf.uePolicies.size)
    .gauge('SM policy associations', () => pcf.smPolicies.size)
    .gauge('UDR subscriptions held', () => pcf.udrSubscriptions.size)
    // issue 16 (sm-policy-bindings.ts, policy-authorization.ts)
    .gauge('BSF bindings held', () => [...pcf.smPolicies.values()].filter((a) => a.bsfBindingUri).length)
    .gauge('CHF subscriptions held', () => pcf.chfSubscriptions.size)
    .gauge('NWDAF subscriptions held', () => [...pcf.smPolicies.values()].filter((a) => a.nwdafSubscriptionUri).length)
    .gauge('AF app sessions', () => pcf.appSessions.size);

  const routes: SbiRoute[] = [
    serve(PCF.amPolicyControl.create, (req) => createAmPolicy(pcf, req)),
    serve(PCF.amPolicyControl.delete, (req) => deleteAmPolicy(pcf, req)),
    serve(PCF.uePolicyControl.create, (req) => createUePolicy(pcf, req)),
    serve(PCF.uePolicyControl.delete, (req) => deleteUePolicy(pcf, req)),
    serve(PCF.smPolicyControl.create, (req) => createSmPolicy(pcf, req)),
    serve(PCF.smPolicyControl.delete, (req) => deleteSmPolicy(pcf, req)),
    ...policyAuthorizationRoutes(pcf),
    ...bindingCallbackRoutes(pcf),
  ];
  return { routes, ledger, pcf };
}
