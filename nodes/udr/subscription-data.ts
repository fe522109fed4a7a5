// Nudr_DR subscription data (TS 29.504 5.2, resources of TS 29.505): authentication data, the
// provisioned data sets (one at a time or several, `provisioned-data?dataset-names=`), the
// context data of the serving AMF and SMFs, and subscriptions to changes.

import { SbiProblem, objectBody, requireString, type SbiRoute } from '../common/sbi.ts';
import { serve, ok, created, noContent, undoable } from '../common/sbi/routes.ts';
import { sessionQosFor } from '../common/config.ts';
import { operationUri, resourceUri } from '../common/sbi/client.ts';
import { UDR } from '../common/sbi/operations.ts';
import type { components as UdrC } from '../common/sbi-types/TS29504_Nudr_DR.ts';
import { deepFreeze, type SubscriberRecord } from './store.ts';
import { subscriber, type Udr } from './context.ts';

type S = UdrC['schemas'];

/** TS 29.503 6.1.6.2.4 AccessAndMobilitySubscriptionData: the subscriber's own UE-AMBR (TS 23.501 5.7.2.6) and S-NSSAIs. */
export function amData(s: SubscriberRecord): S['AccessAndMobilitySubscriptionData'] {
  return { subscribedUeAmbr: { uplink: s.ueAmbr.uplink, downlink: s.ueAmbr.downlink }, nssai: { defaultSingleNssais: s.snssais } };
}

/**
 * SessionManagementSubscriptionData built, by the record's frozen lists it is made of (S-NSSAIs,
 * DNNs, QoS), which subscribers provisioned alike share (UdrStore.frozenJson): built once per
 * distinct triple and shared, frozen, instead of once per PDU session (the SMF's Nudm_SDM_Get,
 * TS 23.502 4.3.2.2.1 step 4; issue 21 goal 3).
 */
const smDataOf = new WeakMap<object, WeakMap<object, WeakMap<object, readonly S['SessionManagementSubscriptionData'][]>>>();

/** TS 29.503 6.1.6.2.8 SessionManagementSubscriptionData, one per subscribed S-NSSAI (frozen, shared: see smDataOf). */
export function smData(s: SubscriberRecord): S['SessionManagementSubscriptionData'][] {
  let byDnns = smDataOf.get(s.snssais);
  if (!byDnns) smDataOf.set(s.snssais, (byDnns = new WeakMap()));
  let byQos = byDnns.get(s.dnns);
  if (!byQos) byDnns.set(s.dnns, (byQos = new WeakMap()));
  let d = byQos.get(s.sessionQos);
  if (!d) {
    d = deepFreeze(s.snssais.map((n) => ({
      singleNssai: n,
      dnnConfigurations: Object.fromEntries(s.dnns.map((dnn) => [dnn, dnnConfiguration(s, dnn, n)])),
    })));
    byQos.set(s.sessionQos, d);
  }
  return d as S['SessionManagementSubscriptionData'][];
}

/**
 * TS 29.503 DnnConfiguration of a (DNN, S-NSSAI): IPv4, SSC mode 1, and the subscribed default QoS
 * (5gQosProfile: 5QI and ARP, TS 23.501 5.7.2.7) and Session-AMBR of the subscriber's first
 * matching QoS entry; a pair no entry matches has neither (the PCF then has nothing to authorize).
 */
function dnnConfiguration(s: SubscriberRecord, dnn: string, snssai: { sst: number; sd?: string }): S['DnnConfiguration'] {
  const q = sessionQosFor(s.sessionQos, dnn, snssai);
  return {
    pduSessionTypes: { defaultSessionType: 'IPV4', allowedSessionTypes: ['IPV4'] },
    sscModes: { defaultSscMode: 'SSC_MODE_1', allowedSscModes: ['SSC_MODE_1'] },
    ...(q ? {
      '5gQosProfile': { '5qi': q.fiveQi, arp: { priorityLevel: q.arpPriorityLevel, preemptCap: 'NOT_PREEMPT', preemptVuln: 'NOT_PREEMPTABLE' } },
      sessionAmbr: { uplink: q.ambrUplink, downlink: q.ambrDownlink },
    } : {}),
  };
}

/** TS 29.503 6.1.6.2.5 SmfSelectionSubscriptionData: per subscribed S-NSSAI (JSON key), its DNNs. */
function smfSelData(s: SubscriberRecord): S['SmfSelectionSubscriptionData'] {
  return { subscribedSnssaiInfos: Object.fromEntries(s.snssais.map((n) => [JSON.stringify(n), { dnnInfos: s.dnns.map((dnn) => ({ dnn })) }])) };
}

/** TS 29.505 JSON Patch of top-level members (add/replace), as the UDM sends them. */
function applyPatch(target: Record<string, unknown>, patch: unknown): void {
  if (!Array.isArray(patch)) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', 'a JSON Patch array is required');
  for (const item of patch as { op?: string; path?: string; value?: unknown }[]) {
    const member = item.path?.startsWith('/') && !item.path.slice(1).includes('/') ? item.path.slice(1) : undefined;
    if ((item.op !== 'add' && item.op !== 'replace') || !member) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `unsupported patch ${JSON.stringify(item)}: only add/replace of a top-level member`);
    target[member] = item.value;
  }
}

export function subscriptionDataRoutes(udr: Udr): SbiRoute[] {
  const { store, state } = udr;
  return [
    // TS 29.505 (OpenAPI QueryAuthSubscription) AuthenticationSubscription (TS 33.501 6.1.3.2 step 2: the ARPF's keys)
    serve(UDR.dr.queryAuthSubscription, (req) => {
      const s = subscriber(store, req.params.ueId);
      return ok({
        authenticationMethod: '5G_AKA' as const,
        encPermanentKey: s.k,
        protectionParameterId: 'none',
        sequenceNumber: { sqnScheme: 'NON_TIME_BASED' as const, sqn: s.sqn, lastIndexes: {} },
        authenticationManagementField: s.amf,
        algorithmId: 'milenage',
        encOpcKey: s.opc,
      });
    }),
    // PATCH with JSON Patch items; the UDM writes the new SQN here
    serve(UDR.dr.modifyAuthSubscription, (req) => {
      subscriber(store, req.params.ueId);
      if (!Array.isArray(req.body)) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', 'a JSON Patch array is required');
      for (const item of req.body as { op?: string; path?: string; value?: unknown }[]) {
        if (item.op !== 'replace' || item.path !== '/sequenceNumber/sqn' || typeof item.value !== 'string') throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `unsupported patch ${JSON.stringify(item)}: only replace /sequenceNumber/sqn`);
        try {
          store.setSqn(req.params.ueId, item.value.toLowerCase());
        } catch (e) {
          throw new SbiProblem(400, 'INVALID_MSG_FORMAT', (e as Error).message);
        }
      }
      return noContent();
    }),
    // TS 29.505 AuthEvent: the UDM stores the result of an authentication (TS 33.501 6.1.4.1a)
    serve(UDR.dr.createAuthStatus, (req) => {
      subscriber(store, req.params.ueId);
      const body = objectBody(req);
      requireString(body, 'nfInstanceId');
      requireString(body, 'timeStamp');
      requireString(body, 'authType');
      requireString(body, 'servingNetworkName');
      if (typeof body.success !== 'boolean') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'success is required');
      state.authenticationStatus.set(req.params.ueId, body as S['AuthEvent']);
      return noContent();
    }),
    serve(UDR.dr.queryAuthStatus, (req) => {
      subscriber(store, req.params.ueId);
      const e = state.authenticationStatus.get(req.params.ueId);
      if (!e) throw new SbiProblem(404, 'DATA_NOT_FOUND', `no authentication status for ${req.params.ueId}`);
      return ok(e);
    }),
    serve(UDR.dr.deleteAuthStatus, (req) => {
      if (!state.authenticationStatus.delete(req.params.ueId)) throw new SbiProblem(404, 'DATA_NOT_FOUND', `no authentication status for ${req.params.ueId}`);
      return noContent();
    }),
    // TS 29.505 ProvisionedDataSets: several data sets in one query (Open5GS's UDM asks for AM and SMF_SEL)
    serve(UDR.dr.queryProvisionedData, (req) => {
      const s = subscriber(store, req.params.ueId);
      const names = new Set((req.query['dataset-names'] ?? 'AM,SMF_SEL,SM').split(','));
      return ok({
        ...(names.has('AM') ? { amData: amData(s) } : {}),
        ...(names.has('SMF_SEL') ? { smfSelData: smfSelData(s) } : {}),
        ...(names.has('SM') ? { smData: smData(s) } : {}),
      });
    }),
    serve(UDR.dr.queryAmData, (req) => ok(amData(subscriber(store, req.params.ueId)))),
    serve(UDR.dr.querySmData, (req) => ok(smData(subscriber(store, req.params.ueId)))),
    serve(UDR.dr.querySmfSelectData, (req) => ok(smfSelData(subscriber(store, req.params.ueId)))),
    // TS 29.505 context data: the serving AMF's registration (Nudm_UECM behind it)
    serve(UDR.dr.createAmfContext3gpp, (req) => {
      subscriber(store, req.params.ueId);
      const reg = objectBody(req) as S['Amf3GppAccessRegistration'];
      const existed = state.amfRegistrations.has(req.params.ueId);
      state.amfRegistrations.set(req.params.ueId, reg);
      if (existed) return noContent();
      // a registration whose 201 never reached the UDM is undone (issue 21)
      return undoable(created(operationUri(udr.baseUri, UDR.dr.createAmfContext3gpp, { ueId: req.params.ueId }), reg), () => {
        if (state.amfRegistrations.get(req.params.ueId) === reg) state.amfRegistrations.delete(req.params.ueId);
      });
    }),
    // QueryAmfContext3gpp, Nudr_DM_Query: the Amf3GppAccessRegistration the UDM stored
    serve(UDR.dr.queryAmfContext3gpp, (req) => {
      const r = state.amfRegistrations.get(req.params.ueId);
      if (!r) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no AMF registration for ${req.params.ueId}`);
      return ok(r);
    }),
    // AmfContext3gpp PATCH: the UDM records the AMF's purge (TS 29.503 5.3.2.4.2 step 2); a purged
    // registration holds nothing for the running network, so it leaves the context data
    serve(UDR.dr.modifyAmfContext3gpp, (req) => {
      const reg = state.amfRegistrations.get(req.params.ueId) as Record<string, unknown> | undefined;
      if (!reg) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
      applyPatch(reg, req.body);
      if (reg.purgeFlag === true) state.amfRegistrations.delete(req.params.ueId);
      return noContent();
    }),
    serve(UDR.dr.createSmfRegistration, (req) => {
      subscriber(store, req.params.ueId);
      const key = `${req.params.ueId}/${req.params.pduSessionId}`;
      const reg = objectBody(req) as S['SmfRegistration'];
      const existed = state.smfRegistrations.has(key);
      state.smfRegistrations.set(key, reg);
      if (existed) return noContent();
      return undoable(created(operationUri(udr.baseUri, UDR.dr.createSmfRegistration, { ueId: req.params.ueId, pduSessionId: req.params.pduSessionId }), reg), () => {
        if (state.smfRegistrations.get(key) === reg) state.smfRegistrations.delete(key);
      });
    }),
    serve(UDR.dr.querySmfRegList, (req) => {
      subscriber(store, req.params.ueId);
      return ok([...state.smfRegistrations].filter(([k]) => k.startsWith(`${req.params.ueId}/`)).map(([, r]) => r));
    }),
    serve(UDR.dr.deleteSmfRegistration, (req) => {
      if (!state.smfRegistrations.delete(`${req.params.ueId}/${req.params.pduSessionId}`)) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
      return noContent();
    }),
    // TS 29.505 SubscriptionDataSubscriptions (the UDM's, behind Nudm_SDM_Subscribe)
    serve(UDR.dr.subscribeSubscriptionData, (req) => {
      const body = objectBody(req) as S['SubscriptionDataSubscriptions'];
      const subsId = udr.nextId();
      state.subscriptionDataSubscriptions.set(subsId, body);
      return undoable(created(resourceUri(udr.baseUri, UDR.dr.unsubscribeSubscriptionData, { subsId }), body), () => void state.subscriptionDataSubscriptions.delete(subsId));
    }),
    serve(UDR.dr.unsubscribeSubscriptionData, (req) => {
      if (!state.subscriptionDataSubscriptions.delete(req.params.subsId)) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND');
      return noContent();
    }),
  ];
}
