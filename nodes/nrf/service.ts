// The NRF (TS 23.501 6.2.6, TS 29.510): the NF profiles every NF registers at start and keeps
// alive with heart-beats (Nnrf_NFManagement), and the discovery of them (Nnrf_NFDiscovery).

import type { SbiClient, SbiRoute } from '../common/sbi.ts';
import type { Plmn } from '../common/config.ts';
import { NrfRegistry, type NrfOptions } from './registry.ts';
import { nfManagementRoutes } from './nf-management.ts';
import { nfDiscoveryRoutes } from './nf-discovery.ts';

export function nrfRoutes(o: NrfOptions & { plmn: Plmn }, sbi: SbiClient): { routes: SbiRoute[]; registry: NrfRegistry } {
  const registry = new NrfRegistry(o, sbi);
  return { routes: [...nfManagementRoutes(registry), ...nfDiscoveryRoutes(registry, o.plmn)], registry };
}
