// The PCF's policy services: Npcf_AMPolicyControl (TS 29.507, am-policy.ts and
// am-policy-termination.ts), Npcf_UEPolicyControl (TS 29.525, ue-policy.ts and
// ue-policy-termination.ts) and Npcf_SMPolicyControl (TS 29.512, sm-policy.ts and
// sm-policy-termination.ts), Npcf_EventExposure (TS 29.523, event-exposure.ts), with the UDR behind
// them over Nudr_DR (TS 29.519). This file holds the routes and the ledger.

import type { SbiRoute, SbiClient } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { serve } from '../common/sbi/routes.ts';
import { PCF } from '../common/sbi/operations.ts';
import { newPcf, type PcfConfig } from './context.ts';
import { createAmPolicy } from './am-policy.ts';
import { deleteAmPolicy } from './am-policy-termination.ts';
import { createUePolicy } from './ue-policy.ts';
import { deleteUePolicy } from './ue-policy-termination.ts';
import { createSmPolicy } from './sm-policy.ts';
import { deleteSmPolicy } from './sm-policy-termination.ts';
import { policyAuthorizationRoutes } from './policy-authorization.ts';
import { updateSmPolicy } from './usage-monitoring.ts';
import { policyDataChangeRoutes } from './policy-data-change.ts';
import { bindingCallbackRoutes } from './sm-policy-bindings.ts';
import { eventExposureRoutes } from './event-exposure.ts';
import { pduSessionEventRoutes } from './pdu-session-events.ts';

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
    .gauge('AF app sessions', () => pcf.appSessions.size)
    .gauge('event exposure subscriptions', () => pcf.pcEventSubscriptions.size)
    // TS 23.502 4.16.14.2: PDU sessions reported to this PCF as PCF for the UE (pdu-session-events.ts)
    .gauge('PDU sessions reported (PCF for the UE)', () => [...pcf.amPolicies.values()].reduce((n, a) => n + (a.pduSessions?.size ?? 0), 0));

  const routes: SbiRoute[] = [
    serve(PCF.amPolicyControl.create, (req) => createAmPolicy(pcf, req)),
    serve(PCF.amPolicyControl.delete, (req) => deleteAmPolicy(pcf, req)),
    serve(PCF.uePolicyControl.create, (req) => createUePolicy(pcf, req)),
    serve(PCF.uePolicyControl.delete, (req) => deleteUePolicy(pcf, req)),
    serve(PCF.smPolicyControl.create, (req) => createSmPolicy(pcf, req)),
    serve(PCF.smPolicyControl.delete, (req) => deleteSmPolicy(pcf, req)),
    serve(PCF.smPolicyControl.update, (req) => updateSmPolicy(pcf, req)),
    ...policyAuthorizationRoutes(pcf),
    ...bindingCallbackRoutes(pcf),
    ...policyDataChangeRoutes(pcf),
    ...eventExposureRoutes(pcf),
    ...pduSessionEventRoutes(pcf),
  ];
  return { routes, ledger, pcf };
}
