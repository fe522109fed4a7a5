// The UDM's services: Nudm_UEAuthentication (TS 29.503 5.4; ARPF and SIDF, ueau.ts), Nudm_UECM
// (5.3, uecm.ts) and Nudm_SDM (5.2, sdm.ts), with the subscriber data kept in the UDR and
// reached over Nudr_DM; the shared state is in context.ts.

import type { SbiRoute, SbiClient } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import type { HomeNetworkAka } from '../common/aka.ts';
import { newUdm, type UdmConfig } from './context.ts';
import { ueauRoutes } from './ueau.ts';
import { uecmRoutes } from './uecm.ts';
import { sdmRoutes } from './sdm.ts';

export type { UdmConfig } from './context.ts';

export function udmRoutes(cfg: UdmConfig, udr: SbiClient, aka: HomeNetworkAka, ledger = new ResourceLedger('UDM')): { routes: SbiRoute[]; ledger: ResourceLedger } {
  const udm = newUdm(cfg, udr, aka);
  ledger
    .gauge('UECM AMF registrations', () => udm.amfRegistrations.size)
    .gauge('UECM SMF registrations', () => udm.smfRegistrations.size)
    .gauge('SDM subscriptions', () => udm.sdmSubscriptions.size);
  return { routes: [...ueauRoutes(udm), ...uecmRoutes(udm), ...sdmRoutes(udm)], ledger };
}
