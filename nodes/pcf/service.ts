// The PCF's policy services: Npcf_AMPolicyControl (TS 29.507, am-policy.ts), Npcf_UEPolicyControl
// (TS 29.525, ue-policy.ts) and Npcf_SMPolicyControl (TS 29.512, sm-policy.ts), with the UDR behind
// them over Nudr_DR (TS 29.519). This file holds the routes and the ledger.

import type { SbiRoute, SbiClient } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { newPcf, type PcfConfig } from './context.ts';
import { createAmPolicy, deleteAmPolicy } from './am-policy.ts';
import { createUePolicy, deleteUePolicy } from './ue-policy.ts';
import { createSmPolicy, deleteSmPolicy } from './sm-policy.ts';

export type { PcfConfig } from './context.ts';

export function pcfRoutes(cfg: PcfConfig, udr: SbiClient, ledger = new ResourceLedger('PCF')) {
  const pcf = newPcf(cfg, udr);
  ledger
    .gauge('AM policy associations', () => pcf.amPolicies.size)
    .gauge('UE policy associations', () => pcf.uePolicies.size)
    .gauge('SM policy associations', () => pcf.smPolicies.size)
    .gauge('UDR subscriptions held', () => pcf.udrSubscriptions.size);

  const routes: SbiRoute[] = [
    { method: 'POST', path: '/npcf-am-policy-control/v1/policies', operation: 'Npcf_AMPolicyControl_Create', handler: (req) => createAmPolicy(pcf, req) },
    { method: 'DELETE', path: '/npcf-am-policy-control/v1/policies/{polAssoId}', operation: 'Npcf_AMPolicyControl_Delete', handler: (req) => deleteAmPolicy(pcf, req) },
    { method: 'POST', path: '/npcf-ue-policy-control/v1/policies', operation: 'Npcf_UEPolicyControl_Create', handler: (req) => createUePolicy(pcf, req) },
    { method: 'DELETE', path: '/npcf-ue-policy-control/v1/policies/{polAssoId}', operation: 'Npcf_UEPolicyControl_Delete', handler: (req) => deleteUePolicy(pcf, req) },
    { method: 'POST', path: '/npcf-smpolicycontrol/v1/sm-policies', operation: 'Npcf_SMPolicyControl_Create', handler: (req) => createSmPolicy(pcf, req) },
    { method: 'POST', path: '/npcf-smpolicycontrol/v1/sm-policies/{smPolicyId}/delete', operation: 'Npcf_SMPolicyControl_Delete', handler: (req) => deleteSmPolicy(pcf, req) },
  ];
  return { routes, ledger };
}
