// The UDR's Nudr_DataRepository service (TS 29.504 5.2) over the SQLite store: subscription data
// (TS 29.505, subscription-data.ts) and policy data (TS 29.519, policy-data.ts). Context data and
// notification subscriptions are in memory (context.ts) and the ledger counts them.

import type { SbiRoute } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import type { UdrStore } from './store.ts';
import type { Udr, UdrServiceState } from './context.ts';
import { subscriptionDataRoutes } from './subscription-data.ts';
import { policyDataRoutes } from './policy-data.ts';

export type { UdrServiceState } from './context.ts';

export function udrRoutes(store: UdrStore, baseUri: string, ledger = new ResourceLedger('UDR')): { routes: SbiRoute[]; state: UdrServiceState; ledger: ResourceLedger } {
  let next = 1;
  const udr: Udr = {
    store,
    baseUri,
    state: { amfRegistrations: new Map(), smfRegistrations: new Map(), subscriptionDataSubscriptions: new Map(), policyDataSubscriptions: new Map(), authenticationStatus: new Map() },
    nextId: () => String(next++),
  };
  ledger
    .gauge('AMF registrations (context-data)', () => udr.state.amfRegistrations.size)
    .gauge('SMF registrations (context-data)', () => udr.state.smfRegistrations.size)
    .gauge('UDR subscriptions (subscription-data)', () => udr.state.subscriptionDataSubscriptions.size)
    .gauge('UDR subscriptions (policy-data)', () => udr.state.policyDataSubscriptions.size);
  return { routes: [...subscriptionDataRoutes(udr), ...policyDataRoutes(udr)], state: udr.state, ledger };
}
