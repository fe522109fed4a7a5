// The UDM's services: Nudm_UEAuthentication (TS 29.503 5.4; ARPF and SIDF), Nudm_UECM (5.3) and
// Nudm_SDM (5.2), with the subscriber data kept in the UDR and reached over Nudr_DM.

import { SbiProblem, created, undoable, ok, noContent, objectBody, requireString, type SbiRoute, type SbiClient } from '../common/sbi.ts';
import { udrClient, callbackUri, notifier } from '../common/sbi/client.ts';
import { CALLBACKS } from '../common/sbi/operations.ts';
import type { components as UdrC } from '../common/sbi-types/TS29504_Nudr_DR.ts';

type SmData = UdrC['schemas']['SessionManagementSubscriptionData'];
/** TS 29.505 SmSubsData: the list of SessionManagementSubscriptionData (or the extended form). */
function smDataList(d: UdrC['schemas']['SmSubsData']): SmData[] {
  return Array.isArray(d) ? d : (d.individualSmSubsData ?? []);
}
import { ResourceLedger } from '../common/ledger.ts';
import { nextSqn, type HomeNetworkAka } from '../common/aka.ts';
import { KeyedSerializer } from '../common/concurrency.ts';
import { deregistrationNotification, type DeregistrationReason } from './procedures/deregistration-notification.ts';
import { notifyAmDataChange } from './procedures/sdm-notification.ts';

export interface UdmConfig {
  baseUri: string;
  udrUri: string;
  /** Serving PLMN id for Nudr provisioned-data paths, e.g. '00101'. */
  plmnId: string;
}

export function udmRoutes(cfg: UdmConfig, udr: SbiClient, aka: HomeNetworkAka, ledger = new ResourceLedger('UDM')) {
  const amfRegistrations = new Map<string, unknown>();
  const smfRegistrations = new Map<string, unknown>();
  /** SDM subscriptions, each backed by one UDR subscription (Nudr_DM_Subscribe). */
  const sdmSubscriptions = new Map<string, { ueId: string; udrSubscription: string; callbackReference: string; monitoredResourceUris: string[] }>();
  /** SQN allocation is serialized per SUPI so concurrent requests never share a sequence number. */
  const sqnWriters = new KeyedSerializer();
  let next = 1;
  ledger
    .gauge('UECM AMF registrations', () => amfRegistrations.size)
    .gauge('UECM SMF registrations', () => smfRegistrations.size)
    .gauge('SDM subscriptions', () => sdmSubscriptions.size);

  const nudr = udrClient(udr, cfg.udrUri).dr;
  /** The UDR's 404 for a subscriber it does not know is the UDM's USER_NOT_FOUND (TS 29.503 6.1.7.3). */
  const userNotFound = (e: unknown): never => {
    if (e instanceof SbiProblem && e.problem.status === 404) throw new SbiProblem(404, 'USER_NOT_FOUND');
    throw e;
  };

  function resolveSupi(supiOrSuci: string): string {
    if (supiOrSuci.startsWith('imsi-')) return supiOrSuci;
    if (supiOrSuci.startsWith('suci-')) {
      const supi = aka.deconcealSuci(supiOrSuci);
      if (!supi) throw new SbiProblem(403, 'DE_CONCEALMENT_FAILURE', `cannot de-conceal ${supiOrSuci}`);
      return supi;
    }
    throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', `not a SUPI or SUCI: ${supiOrSuci}`);
  }

  const routes: SbiRoute[] = [
    {
      // TS 33.501 6.1.3.2 step 1-2, TS 29.503 5.4.2.2: Nudm_UEAuthentication_Get
      method: 'POST',
      path: '/nudm-ueau/v1/{supiOrSuci}/security-information/generate-auth-data',
      operation: 'Nudm_UEAuthentication_Get',
      handler: async (req) => {
        const body = objectBody(req);
        const snName = requireString(body, 'servingNetworkName');
        requireString(body, 'ausfInstanceId');
        const supi = resolveSupi(req.params.supiOrSuci);
        const resync = body.resynchronizationInfo as { rand?: unknown; auts?: unknown } | undefined;
        return sqnWriters.run(supi, async () => {
          const sub = (await nudr.queryAuthSubscription(supi).catch(userNotFound)).body;
          const k = sub.encPermanentKey, opc = sub.encOpcKey, sqnNow = sub.sequenceNumber?.sqn;
          if (!k || !opc || !sub.authenticationManagementField || !sqnNow) throw new SbiProblem(500, 'SYSTEM_FAILURE', `incomplete authentication subscription for ${supi}`);
          let sqn = sqnNow;
          if (resync) {
            // TS 33.102 6.3.5: verify MAC-S, then continue from SQN_MS.
            if (typeof resync.rand !== 'string' || typeof resync.auts !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'resynchronizationInfo needs rand and auts');
            const sqnMs = aka.resynchronise({ k, opc, rand: resync.rand, auts: resync.auts });
            if (sqnMs === undefined) throw new SbiProblem(403, 'AUTHENTICATION_REJECTED', 'AUTS MAC-S verification failed');
            sqn = sqnMs;
          }
          sqn = nextSqn(sqn);
          // The new SQN is stored before the vector leaves the UDM: a crash can skip, never reuse.
          await nudr.modifyAuthSubscription(supi, [{ op: 'replace', path: '/sequenceNumber/sqn', value: sqn }]);
          const rand = aka.randomRand();
          const av = aka.generateVector({ k, opc, amf: sub.authenticationManagementField, sqn, rand, servingNetworkName: snName });
          // TS 29.503 Nudm_UEAU data model (OpenAPI AuthenticationInfoResult) with a 5G HE AV
          return ok({ authType: '5G_AKA', authenticationVector: { avType: '5G_HE_AKA', rand, xresStar: av.xresStar, autn: av.autn, kausf: av.kausf }, supi });
        });
      },
    },
    {
      // TS 33.501 6.1.4.1a, TS 29.503 5.4.2.3: Nudm_UEAuthentication_ResultConfirmation
      method: 'POST',
      path: '/nudm-ueau/v1/{supi}/auth-events',
      operation: 'Nudm_UEAuthentication_ResultConfirmation',
      // the UDM stores the result in the UDR (Nudr_DM, authentication status) before it answers
      handler: async (req) => {
        const body = objectBody(req);
        requireString(body, 'nfInstanceId');
        requireString(body, 'timeStamp');
        requireString(body, 'authType');
        requireString(body, 'servingNetworkName');
        if (typeof body.success !== 'boolean') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'success is required');
        await nudr.createAuthStatus(req.params.supi, body as UdrC['schemas']['AuthEvent']).catch(userNotFound);
        return created(`${cfg.baseUri}/nudm-ueau/v1/${req.params.supi}/auth-events/${next++}`, body);
      },
    },
    {
      // TS 23.502 4.2.2.2.2 step 14a, TS 29.503 5.3.2.2.2: Nudm_UECM_Registration (AMF, 3GPP access)
      method: 'PUT',
      path: '/nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access',
      operation: 'Nudm_UECM_Registration',
      handler: async (req) => {
        const body = objectBody(req);
        requireString(body, 'amfInstanceId');
        requireString(body, 'deregCallbackUri');
        await nudr.createAmfContext3gpp(req.params.ueId, body as UdrC['schemas']['Amf3GppAccessRegistration']).catch(userNotFound);
        const existed = amfRegistrations.has(req.params.ueId);
        amfRegistrations.set(req.params.ueId, body);
        if (existed) return ok(body);
        // an AMF that never got the 201 does not know it is registered and never deregisters (issue 21)
        return undoable(created(`${cfg.baseUri}/nudm-uecm/v1/${req.params.ueId}/registrations/amf-3gpp-access`, body), async () => {
          if (amfRegistrations.get(req.params.ueId) !== body) return;
          amfRegistrations.delete(req.params.ueId);
          await nudr.modifyAmfContext3gpp(req.params.ueId, [{ op: 'add', path: '/purgeFlag', value: true }]);
        });
      },
    },
    {
      // TS 29.503 5.3.2.4.2: the AMF deregisters by PATCH with purgeFlag (Nudm_UECM_Deregistration)
      method: 'PATCH',
      path: '/nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access',
      operation: 'Nudm_UECM_Deregistration',
      handler: async (req) => {
        const body = objectBody(req);
        if (!amfRegistrations.has(req.params.ueId)) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
        if (body.purgeFlag !== true) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'only purgeFlag: true is supported');
        // TS 29.503 5.3.2.4.2 step 2: the purge is recorded in the UDR (Nudr_DM_Update, JSON Patch)
        await nudr.modifyAmfContext3gpp(req.params.ueId, [{ op: 'add', path: '/purgeFlag', value: true }]);
        amfRegistrations.delete(req.params.ueId);
        return noContent;
      },
    },
    {
      // TS 23.502 4.3.2.2.1 step 4, TS 29.503 5.3.2.2.3: Nudm_UECM_Registration (SMF)
      method: 'PUT',
      path: '/nudm-uecm/v1/{ueId}/registrations/smf-registrations/{pduSessionId}',
      operation: 'Nudm_UECM_Registration',
      handler: async (req) => {
        const body = objectBody(req);
        requireString(body, 'smfInstanceId');
        const key = `${req.params.ueId}/${req.params.pduSessionId}`;
        await nudr.createSmfRegistration(req.params.ueId, req.params.pduSessionId, body as UdrC['schemas']['SmfRegistration']).catch(userNotFound);
        const existed = smfRegistrations.has(key);
        smfRegistrations.set(key, body);
        if (existed) return ok(body);
        return undoable(created(`${cfg.baseUri}/nudm-uecm/v1/${key.replace('/', '/registrations/smf-registrations/')}`, body), async () => {
          if (smfRegistrations.get(key) !== body) return;
          smfRegistrations.delete(key);
          await nudr.deleteSmfRegistration(req.params.ueId, req.params.pduSessionId);
        });
      },
    },
    {
      // TS 23.502 4.2.2.3.2 step 5c / 4.3.4: Nudm_UECM_Deregistration (SMF)
      method: 'DELETE',
      path: '/nudm-uecm/v1/{ueId}/registrations/smf-registrations/{pduSessionId}',
      operation: 'Nudm_UECM_Deregistration',
      handler: async (req) => {
        const key = `${req.params.ueId}/${req.params.pduSessionId}`;
        if (!smfRegistrations.has(key)) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
        await nudr.deleteSmfRegistration(req.params.ueId, req.params.pduSessionId);
        smfRegistrations.delete(key);
        return noContent;
      },
    },
    {
      method: 'GET',
      path: '/nudm-sdm/v2/{supi}/am-data',
      operation: 'Nudm_SDM_Get',
      handler: async (req) => {
        return ok((await nudr.queryAmData(req.params.supi, cfg.plmnId).catch(userNotFound)).body);
      },
    },
    {
      method: 'GET',
      path: '/nudm-sdm/v2/{supi}/nssai',
      operation: 'Nudm_SDM_Get',
      handler: async (req) => {
        return ok((await nudr.queryAmData(req.params.supi, cfg.plmnId).catch(userNotFound)).body.nssai);
      },
    },
    {
      method: 'GET',
      path: '/nudm-sdm/v2/{supi}/smf-select-data',
      operation: 'Nudm_SDM_Get',
      handler: async (req) => {
        const sm = smDataList((await nudr.querySmData(req.params.supi, cfg.plmnId).catch(userNotFound)).body);
        // TS 29.503 SmfSelectionSubscriptionData
        return ok({ subscribedSnssaiInfos: Object.fromEntries(sm.map((s) => [JSON.stringify(s.singleNssai), { dnnInfos: Object.keys(s.dnnConfigurations ?? {}).map((dnn) => ({ dnn })) }])) });
      },
    },
    {
      method: 'GET',
      path: '/nudm-sdm/v2/{supi}/sm-data',
      operation: 'Nudm_SDM_Get',
      handler: async (req) => {
        let sm = smDataList((await nudr.querySmData(req.params.supi, cfg.plmnId).catch(userNotFound)).body);
        const dnn = req.query.dnn;
        if (req.query['single-nssai']) {
          const want = JSON.parse(req.query['single-nssai']) as { sst: number; sd?: string };
          sm = sm.filter((s) => s.singleNssai.sst === want.sst && (s.singleNssai.sd ?? '') === (want.sd ?? ''));
        }
        if (dnn) sm = sm.filter((s) => s.dnnConfigurations?.[dnn]).map((s) => ({ ...s, dnnConfigurations: { [dnn]: s.dnnConfigurations![dnn] } }));
        return ok(sm);
      },
    },
    {
      // TS 29.503 5.2.2.3.2: Nudm_SDM_Subscribe; the UDM subscribes to the UDR for it.
      method: 'POST',
      path: '/nudm-sdm/v2/{ueId}/sdm-subscriptions',
      operation: 'Nudm_SDM_Subscribe',
      handler: async (req) => {
        const body = objectBody(req);
        requireString(body, 'nfInstanceId');
        requireString(body, 'callbackReference');
        const r = await nudr.subscribeSubscriptionData({ ueId: req.params.ueId, callbackReference: callbackUri(cfg.baseUri, CALLBACKS.subscriptionDataChangeNotify), monitoredResourceUris: (body.monitoredResourceUris ?? []) as string[] });
        const id = String(next++);
        const sub = { ueId: req.params.ueId, udrSubscription: r.headers.location ?? '', callbackReference: String(body.callbackReference), monitoredResourceUris: (body.monitoredResourceUris ?? []) as string[] };
        sdmSubscriptions.set(id, sub);
        return undoable(created(`${cfg.baseUri}/nudm-sdm/v2/${req.params.ueId}/sdm-subscriptions/${id}`, { ...body, subscriptionId: id }), async () => {
          if (!sdmSubscriptions.delete(id)) return;
          await nudr.unsubscribeSubscriptionData(sub.udrSubscription);
        });
      },
    },
    {
      // TS 29.503 5.2.2.4.2: Nudm_SDM_Unsubscribe
      method: 'DELETE',
      path: '/nudm-sdm/v2/{ueId}/sdm-subscriptions/{subscriptionId}',
      operation: 'Nudm_SDM_Unsubscribe',
      handler: async (req) => {
        const sub = sdmSubscriptions.get(req.params.subscriptionId);
        if (!sub || sub.ueId !== req.params.ueId) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND');
        await nudr.unsubscribeSubscriptionData(sub.udrSubscription);
        sdmSubscriptions.delete(req.params.subscriptionId);
        return noContent;
      },
    },
  ];
  /** TS 23.502 4.2.2.3.3 step 1: Nudm_UECM_DeregistrationNotification to the AMF registered for `supi` (O&M). */
  const notifyDeregistration = (supi: string, reason: DeregistrationReason) => deregistrationNotification({ notify: notifier(udr), nudr, amfRegistrations }, supi, reason);
  /** TS 23.502 4.5.1: Nudm_SDM_Notification of changed access and mobility data (O&M changed the UDR). */
  const notifySubscriptionChange = (supi: string) => notifyAmDataChange({ baseUri: cfg.baseUri, plmnId: cfg.plmnId, notify: notifier(udr), nudr, sdmSubscriptions }, supi);
  return { routes, ledger, notifyDeregistration, notifySubscriptionChange };
}
