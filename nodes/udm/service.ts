// The UDM's services: Nudm_UEAuthentication (TS 29.503 5.4; ARPF and SIDF, ueau.ts), Nudm_UECM
// (5.3, uecm.ts) and Nudm_SDM (5.2, sdm.ts), with the subscriber data kept in the UDR and
// reached over Nudr_DM; the shared state is in context.ts.

import type { SbiRoute, SbiClient } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { notifier } from '../common/sbi/client.ts';
import { deregistrationNotification, type DeregistrationReason } from './procedures/deregistration-notification.ts';
import { notifyAmDataChange } from './procedures/sdm-notification.ts';
import type { HomeNetworkAka } from '../common/aka.ts';
import { newUdm, type UdmConfig } from './context.ts';
import { serve } from '../common/sbi/routes.ts';
import { CALLBACKS } from '../common/sbi/operations.ts';
import { subscriptionDataChange } from './procedures/data-change.ts';
import { ueauRoutes } from './ueau.ts';
import { uecmRoutes } from './uecm.ts';
import { sdmRoutes } from './sdm.ts';

export type { UdmConfig } from './context.ts';

export function udmRoutes(cfg: UdmConfig, udr: SbiClient, aka: HomeNetworkAka, ledger = new ResourceLedger('UDM')) {
  const udm = newUdm(cfg, udr, aka);
  ledger
    .gauge('UECM AMF registrations', () => udm.amfRegistrations.size)
    .gauge('UECM SMF registrations', () => udm.smfRegistrations.size)
    .gauge('SDM subscriptions', () => udm.sdmSubscriptions.size);
  const routes: SbiRoute[] = [
    ...ueauRoutes(udm), ...uecmRoutes(udm, notifier(udr)), ...sdmRoutes(udm),
    // the UDR's Nudr_DM_Notify, relayed to the SDM subscriber (procedures/data-change.ts)
    serve(CALLBACKS.subscriptionDataChangeNotify, (req) => subscriptionDataChange(udm, udr, req)),
  ];
  /** TS 23.502 4.2.2.3.3 step 1: Nudm_UECM_DeregistrationNotification to the AMF registered for `supi` (O&M). */
  const notifyDeregistration = (supi: string, reason: DeregistrationReason) => deregistrationNotification({ notify: notifier(udr), nudr: udm.nudr, amfRegistrations: udm.amfRegistrations }, supi, reason);
  /** TS 23.502 4.5.1: Nudm_SDM_Notification of changed access and mobility data (O&M changed the UDR). */
  const notifySubscriptionChange = (supi: string) => notifyAmDataChange({ baseUri: cfg.baseUri, plmnId: cfg.plmnId, notify: notifier(udr), nudr: udm.nudr, sdmSubscriptions: udm.sdmSubscriptions }, supi);
  return { routes, ledger, notifyDeregistration, notifySubscriptionChange };
}
