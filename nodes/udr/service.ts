// The UDR's Nudr_DataRepository service (TS 29.504 5.2, resources of TS 29.505 for subscription
// data and TS 29.519 for policy data) over the SQLite store. Context data (AMF and SMF
// registrations) and notification subscriptions are kept in memory: they describe the running
// network, not the subscriber, and the ledger counts them.

import { SbiProblem, created, undoable, ok, noContent, objectBody, type SbiRoute, type SbiRequest } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { snssaiKey, type UdrStore, type SubscriberRecord } from './store.ts';
import { sessionQosFor, type SessionQosConfig } from '../common/config.ts';

const API = '/nudr-dr/v1';

/** TS 29.571: "imsi-..." SUPIs; the UDR is also addressed by the bare ueId. */
function subscriber(store: UdrStore, ueId: string): SubscriberRecord {
  const s = store.get(ueId);
  if (!s) throw new SbiProblem(404, 'USER_NOT_FOUND', `no subscriber ${ueId}`);
  return s;
}

export interface UdrServiceState {
  amfRegistrations: Map<string, unknown>;
  smfRegistrations: Map<string, unknown>;
  subscriptionDataSubscriptions: Map<string, unknown>;
  policyDataSubscriptions: Map<string, unknown>;
  /**
   * The last authentication result per subscriber (TS 33.501 6.1.4.1a: the UDM stores it here;
   * TS 29.505 AuthEvent). Subscriber data, not a resource the network holds: not in the ledger.
   */
  authenticationStatus: Map<string, unknown>;
}

export function udrRoutes(store: UdrStore, baseUri: string, ledger = new ResourceLedger('UDR')): { routes: SbiRoute[]; state: UdrServiceState; ledger: ResourceLedger } {
  const state: UdrServiceState = { amfRegistrations: new Map(), smfRegistrations: new Map(), subscriptionDataSubscriptions: new Map(), policyDataSubscriptions: new Map(), authenticationStatus: new Map() };
  ledger
    .gauge('AMF registrations (context-data)', () => state.amfRegistrations.size)
    .gauge('SMF registrations (context-data)', () => state.smfRegistrations.size)
    .gauge('UDR subscriptions (subscription-data)', () => state.subscriptionDataSubscriptions.size)
    .gauge('UDR subscriptions (policy-data)', () => state.policyDataSubscriptions.size);
  let nextId = 1;

  const authenticationSubscription = (req: SbiRequest) => {
    const s = subscriber(store, req.params.ueId);
    // TS 29.505 5.4.2.3 AuthenticationSubscription
    return ok({
      authenticationMethod: '5G_AKA',
      encPermanentKey: s.k,
      protectionParameterId: 'none',
      sequenceNumber: { sqnScheme: 'NON_TIME_BASED', sqn: s.sqn, lastIndexes: {} },
      authenticationManagementField: s.amf,
      algorithmId: 'milenage',
      encOpcKey: s.opc,
    });
  };

  const routes: SbiRoute[] = [
    { method: 'GET', path: `${API}/subscription-data/{ueId}/authentication-data/authentication-subscription`, operation: 'Nudr_DM_Query', handler: authenticationSubscription },
    {
      // TS 29.505 (OpenAPI CreateAuthenticationStatus): the UDM stores the AuthEvent of an
      // authentication result confirmation (TS 33.501 6.1.4.1a), replacing the previous one
      method: 'PUT',
      path: `${API}/subscription-data/{ueId}/authentication-data/authentication-status`,
      operation: 'Nudr_DM_Create',
      handler: (req) => {
        subscriber(store, req.params.ueId);
        const body = objectBody(req);
        if (typeof body.nfInstanceId !== 'string' || typeof body.success !== 'boolean' || typeof body.timeStamp !== 'string' || typeof body.authType !== 'string' || typeof body.servingNetworkName !== 'string') {
          throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'AuthEvent needs nfInstanceId, success, timeStamp, authType and servingNetworkName');
        }
        state.authenticationStatus.set(req.params.ueId, body);
        return noContent;
      },
    },
    {
      // TS 29.505 (OpenAPI QueryAuthenticationStatus)
      method: 'GET',
      path: `${API}/subscription-data/{ueId}/authentication-data/authentication-status`,
      operation: 'Nudr_DM_Query',
      handler: (req) => {
        subscriber(store, req.params.ueId);
        const s = state.authenticationStatus.get(req.params.ueId);
        if (!s) throw new SbiProblem(404, 'DATA_NOT_FOUND', `no authentication status for ${req.params.ueId}`);
        return ok(s);
      },
    },
    {
      // TS 29.505 5.2.2.2.2: PATCH with JSON Patch items; the UDM writes the new SQN here.
      method: 'PATCH',
      path: `${API}/subscription-data/{ueId}/authentication-data/authentication-subscription`,
      operation: 'Nudr_DM_Update',
      handler: (req) => {
        subscriber(store, req.params.ueId);
        if (!Array.isArray(req.body)) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', 'a JSON Patch array is required');
        for (const item of req.body as { op?: string; path?: string; value?: unknown }[]) {
          if (item.op !== 'replace' || item.path !== '/sequenceNumber/sqn' || typeof item.value !== 'string') {
            throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `unsupported patch ${JSON.stringify(item)}: only replace /sequenceNumber/sqn`);
          }
          try {
            store.setSqn(req.params.ueId, item.value.toLowerCase());
          } catch (e) {
            throw new SbiProblem(400, 'INVALID_MSG_FORMAT', (e as Error).message);
          }
        }
        return noContent;
      },
    },
    {
      method: 'GET',
      path: `${API}/subscription-data/{ueId}/{servingPlmnId}/provisioned-data/am-data`,
      operation: 'Nudr_DM_Query',
      // TS 29.505 (OpenAPI QueryAmData): TS 29.503 AccessAndMobilitySubscriptionData
      handler: (req) => {
        const s = subscriber(store, req.params.ueId);
        return ok({ subscribedUeAmbr: { uplink: '1 Gbps', downlink: '2 Gbps' }, nssai: { defaultSingleNssais: s.snssais } });
      },
    },
    {
      method: 'GET',
      path: `${API}/subscription-data/{ueId}/{servingPlmnId}/provisioned-data/sm-data`,
      operation: 'Nudr_DM_Query',
      // TS 29.503 SessionManagementSubscriptionData, one per subscribed S-NSSAI
      handler: (req) => {
        const s = subscriber(store, req.params.ueId);
        return ok(
          s.snssais.map((n) => ({
            singleNssai: n,
            dnnConfigurations: Object.fromEntries(
              s.dnns.map((dnn) => [
                dnn,
                dnnConfiguration(s.sessionQos, dnn, n),
              ]),
            ),
          })),
        );
      },
    },
    {
      method: 'PUT',
      path: `${API}/subscription-data/{ueId}/context-data/amf-3gpp-access`,
      operation: 'Nudr_DM_Create',
      handler: (req) => {
        subscriber(store, req.params.ueId);
        const existed = state.amfRegistrations.has(req.params.ueId);
        const body = objectBody(req);
        state.amfRegistrations.set(req.params.ueId, body);
        if (existed) return noContent;
        return undoable(created(`${baseUri}${API}/subscription-data/${req.params.ueId}/context-data/amf-3gpp-access`, req.body), () => {
          if (state.amfRegistrations.get(req.params.ueId) === body) state.amfRegistrations.delete(req.params.ueId);
        });
      },
    },
    {
      // TS 29.505 (OpenAPI QueryAmfContext3gpp), Nudr_DM_Query: the Amf3GppAccessRegistration the UDM stored
      method: 'GET',
      path: `${API}/subscription-data/{ueId}/context-data/amf-3gpp-access`,
      operation: 'Nudr_DM_Query',
      handler: (req) => {
        const r = state.amfRegistrations.get(req.params.ueId);
        if (!r) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no AMF registration for ${req.params.ueId}`);
        return ok(r);
      },
    },
    {
      // TS 29.505 (OpenAPI AmfContext3gpp, PATCH with JSON Patch): the UDM records the AMF's purge
      // (TS 29.503 5.3.2.4.2 step 2); a purged registration holds nothing for the running network,
      // so it leaves the context data.
      method: 'PATCH',
      path: `${API}/subscription-data/{ueId}/context-data/amf-3gpp-access`,
      operation: 'Nudr_DM_Update',
      handler: (req) => {
        const reg = state.amfRegistrations.get(req.params.ueId) as Record<string, unknown> | undefined;
        if (!reg) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
        if (!Array.isArray(req.body)) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', 'a JSON Patch array is required');
        for (const item of req.body as { op?: string; path?: string; value?: unknown }[]) {
          const member = item.path?.startsWith('/') && !item.path.slice(1).includes('/') ? item.path.slice(1) : undefined;
          if ((item.op !== 'add' && item.op !== 'replace') || !member) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `unsupported patch ${JSON.stringify(item)}: only add/replace of a top-level member`);
          reg[member] = item.value;
        }
        if (reg.purgeFlag === true) state.amfRegistrations.delete(req.params.ueId);
        return noContent;
      },
    },
    {
      method: 'PUT',
      path: `${API}/subscription-data/{ueId}/context-data/smf-registrations/{pduSessionId}`,
      operation: 'Nudr_DM_Create',
      handler: (req) => {
        subscriber(store, req.params.ueId);
        const key = `${req.params.ueId}/${req.params.pduSessionId}`;
        const existed = state.smfRegistrations.has(key);
        const body = objectBody(req);
        state.smfRegistrations.set(key, body);
        if (existed) return noContent;
        return undoable(created(`${baseUri}${API}/subscription-data/${key.replace('/', '/context-data/smf-registrations/')}`, req.body), () => {
          if (state.smfRegistrations.get(key) === body) state.smfRegistrations.delete(key);
        });
      },
    },
    {
      method: 'DELETE',
      path: `${API}/subscription-data/{ueId}/context-data/smf-registrations/{pduSessionId}`,
      operation: 'Nudr_DM_Delete',
      handler: (req) => {
        if (!state.smfRegistrations.delete(`${req.params.ueId}/${req.params.pduSessionId}`)) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
        return noContent;
      },
    },
    {
      method: 'POST',
      path: `${API}/subscription-data/subs-to-notify`,
      operation: 'Nudr_DM_Subscribe',
      handler: (req) => {
        const body = objectBody(req);
        const id = String(nextId++);
        state.subscriptionDataSubscriptions.set(id, body);
        return undoable(created(`${baseUri}${API}/subscription-data/subs-to-notify/${id}`, body), () => void state.subscriptionDataSubscriptions.delete(id));
      },
    },
    {
      method: 'DELETE',
      path: `${API}/subscription-data/subs-to-notify/{subsId}`,
      operation: 'Nudr_DM_Unsubscribe',
      handler: (req) => {
        if (!state.subscriptionDataSubscriptions.delete(req.params.subsId)) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND');
        return noContent;
      },
    },
    {
      method: 'GET',
      path: `${API}/policy-data/ues/{ueId}/am-data`,
      operation: 'Nudr_DM_Query',
      handler: (req) => {
        subscriber(store, req.params.ueId);
        return ok({ subscCats: ['wire5g'] }); // TS 29.519 AmPolicyData
      },
    },
    {
      method: 'GET',
      path: `${API}/policy-data/ues/{ueId}/ue-policy-set`,
      operation: 'Nudr_DM_Query',
      handler: (req) => {
        subscriber(store, req.params.ueId);
        return ok({ subscCats: ['wire5g'], uePolicySections: {} }); // TS 29.519 UePolicySet
      },
    },
    {
      method: 'GET',
      path: `${API}/policy-data/ues/{ueId}/sm-data`,
      operation: 'Nudr_DM_Query',
      // TS 29.519 SmPolicyData with one UsageMonData per (DNN, S-NSSAI): the remaining allowed usage
      handler: (req) => {
        const s = subscriber(store, req.params.ueId);
        const umData: Record<string, unknown> = {};
        for (const u of store.usageOf(s.supi)) {
          const limitId = `${u.dnn}:${u.snssai}`;
          umData[limitId] = { limitId, umLevel: 'SESSION_LEVEL', scopes: { [u.snssai]: { snssai: parseSnssaiKey(u.snssai), dnn: [u.dnn] } }, ...(u.remainingOctets === null ? {} : { allowedUsage: { totalVolume: u.remainingOctets } }) };
        }
        return ok({
          smPolicySnssaiData: Object.fromEntries(s.snssais.map((n) => [snssaiKey(n), { snssai: n, smPolicyDnnData: Object.fromEntries(s.dnns.map((d) => [d, { dnn: d }])) }])),
          umData,
        });
      },
    },
    {
      // TS 29.519: UsageMonData resource; the PCF writes the remaining allowed usage after
      // deducting the accumulated usage (TS 23.502 4.16.6 step 3, Nudr_DM_Update).
      method: 'PUT',
      path: `${API}/policy-data/ues/{ueId}/sm-data/{usageMonId}`,
      operation: 'Nudr_DM_Update',
      handler: (req) => {
        const s = subscriber(store, req.params.ueId);
        const body = objectBody(req) as { allowedUsage?: { totalVolume?: unknown } };
        const [dnn, key] = req.params.usageMonId.split(':');
        const total = body.allowedUsage?.totalVolume;
        if (typeof total !== 'number' || total < 0) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'allowedUsage.totalVolume must be a non-negative number');
        if (!store.setUsage(s.supi, dnn ?? '', key ?? '', total)) throw new SbiProblem(404, 'DATA_NOT_FOUND', `no usage monitoring data ${req.params.usageMonId}`);
        // TS 29.519 CreateUsageMonitoringResource answers 201 with the UsageMonData written
        return created(`${baseUri}${API}/policy-data/ues/${req.params.ueId}/sm-data/${encodeURIComponent(req.params.usageMonId)}`, body);
      },
    },
    {
      method: 'POST',
      path: `${API}/policy-data/subs-to-notify`,
      operation: 'Nudr_DM_Subscribe',
      handler: (req) => {
        const body = objectBody(req);
        const id = String(nextId++);
        state.policyDataSubscriptions.set(id, body);
        return undoable(created(`${baseUri}${API}/policy-data/subs-to-notify/${id}`, body), () => void state.policyDataSubscriptions.delete(id));
      },
    },
    {
      method: 'DELETE',
      path: `${API}/policy-data/subs-to-notify/{subsId}`,
      operation: 'Nudr_DM_Unsubscribe',
      handler: (req) => {
        if (!state.policyDataSubscriptions.delete(req.params.subsId)) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND');
        return noContent;
      },
    },
  ];
  return { routes, state, ledger };
}

/**
 * TS 29.503 DnnConfiguration of a (DNN, S-NSSAI): IPv4, SSC mode 1, and the subscribed default QoS
 * (5gQosProfile: 5QI and ARP, TS 23.501 5.7.2.7) and Session-AMBR of the subscriber's first
 * matching QoS entry; a pair no entry matches has neither (the PCF then has nothing to authorize).
 */
function dnnConfiguration(qos: readonly SessionQosConfig[], dnn: string, snssai: { sst: number; sd?: string }) {
  const q = sessionQosFor(qos, dnn, snssai);
  return {
    pduSessionTypes: { defaultSessionType: 'IPV4', allowedSessionTypes: ['IPV4'] },
    sscModes: { defaultSscMode: 'SSC_MODE_1', allowedSscModes: ['SSC_MODE_1'] },
    ...(q ? {
      '5gQosProfile': { '5qi': q.fiveQi, arp: { priorityLevel: q.arpPriorityLevel, preemptCap: 'NOT_PREEMPT', preemptVuln: 'NOT_PREEMPTABLE' } },
      sessionAmbr: { uplink: q.ambrUplink, downlink: q.ambrDownlink },
    } : {}),
  };
}

function parseSnssaiKey(k: string): { sst: number; sd?: string } {
  const [sst, sd] = k.split('-');
  return sd ? { sst: Number(sst), sd } : { sst: Number(sst) };
}
