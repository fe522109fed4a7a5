// Requests shaped like the ones Open5GS's and free5GC's NFs send, replayed over node:http2 to our
// UDM, UDR, AUSF and PCF; each must get the status TS 29.5xx documents, and every answer must
// match the Rel-18 OpenAPI schema (test/helpers/sbi-schema.ts). The shapes were read from:
//   Open5GS (open5gs/open5gs 8f25f3be): src/amf/nudm-build.c (UECM registration, the purge PATCH,
//     SDM GET /{supi}?dataset-names=AM,SMF_SEL&plmn-id=, SDM GET ue-context-in-smf-data, the SDM
//     subscription with a relative monitored resource URI), src/udm/nudr-build.c (Nudr PUT
//     authentication-status with the AuthEvent, GET {servingPlmnId}/provisioned-data?dataset-names=,
//     PATCH of the SQN with application/json-patch+json), API versions nudr-dr v1, nudm-sdm v2;
//   free5GC (free5gc/amf e2813410, free5gc/openapi 7cb3c04): internal/sbi/consumer/udm_service.go
//     (Amf3GppAccessRegistration with imsVoPs and a deregistration callback of its own shape, the
//     SdmSubscription with nfInstanceId and plmnId only), openapi's query encoding (plmn-id as
//     JSON, dataset-names as CSV, keys in sorted order).

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { connect, type ClientHttp2Session } from 'node:http2';
import { DEFAULT_SUBSCRIBER, type NetworkConfig } from '../../nodes/common/config.ts';
import { startCore, type Core } from '../../nodes/core.ts';
import { UDM, UDR, AUSF, PCF } from '../../nodes/common/sbi/operations.ts';
import type { SbiOperation } from '../../nodes/common/sbi/operation.ts';
import { testConfig } from '../helpers/network.ts';
import { validateExchange, formatViolation } from '../helpers/sbi-schema.ts';

const supi = DEFAULT_SUBSCRIBER.supi;
const plmnId = { mcc: '001', mnc: '01' };
const guami = { plmnId, amfId: '020040' };
const amfId = 'c8d2b3a6-54f0-41ee-8b2e-1a2b3c4d5e6f';

let cfg: NetworkConfig;
let core: Core;
const sessions = new Map<string, ClientHttp2Session>();

interface Answer { status: number; body: unknown }

/** One request over node:http2 (prior knowledge), as the other core's client library sends it. */
function send(nf: 'udm' | 'udr' | 'ausf' | 'pcf', method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
  const origin = `http://${cfg.addresses[nf]}:${cfg.ports.sbi}`;
  let s = sessions.get(origin);
  if (!s) {
    s = connect(origin);
    sessions.set(origin, s);
  }
  return new Promise((resolve, reject) => {
    const req = s!.request({ ':method': method, ':path': path, accept: 'application/json, application/problem+json', ...(body !== undefined ? { 'content-type': contentType } : {}) }, { endStream: body === undefined });
    let status = 0;
    let text = '';
    req.on('response', (h) => (status = Number(h[':status'])));
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve({ status, body: text ? JSON.parse(text) : undefined }));
    req.on('error', reject);
    if (body !== undefined) req.end(JSON.stringify(body));
  });
}

/** Sends, checks the status, and checks both bodies against the operation's OpenAPI schemas. */
async function replay(op: SbiOperation, nf: 'udm' | 'udr' | 'ausf' | 'pcf', path: string, body: unknown, status: number, contentType?: string): Promise<Answer> {
  const a = await send(nf, op.method, path, body, contentType);
  expect(a.status, `${op.name} ${op.method} ${path}: ${JSON.stringify(a.body)}`).toBe(status);
  // a request the other core gets wrong is judged by our answer alone
  expect(validateExchange(op, status >= 400 ? undefined : body, a.status, a.body).map(formatViolation)).toEqual([]);
  return a;
}

const q = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');

beforeAll(async () => {
  cfg = { ...testConfig(93), subscribers: [DEFAULT_SUBSCRIBER] };
  core = await startCore(cfg, { database: ':memory:' });
});

afterAll(async () => {
  for (const s of sessions.values()) s.close();
  await core?.stop();
});

describe('requests shaped like Open5GS and free5GC, over node:http2', () => {
  it('Open5GS AMF: UECM registration, SDM multi-dataset get in either parameter order, ue-context-in-smf-data, SDM subscription, purge', async () => {
    // nudm-build.c amf_nudm_uecm_build_registration
    await replay(UDM.uecm.registerAmf3gppAccess, 'udm', `/nudm-uecm/v1/${supi}/registrations/amf-3gpp-access`, { amfInstanceId: amfId, deregCallbackUri: `http://127.0.93.200:7777/namf-callback/v1/${supi}/dereg-notify`, guami, ratType: 'NR', initialRegistrationInd: true }, 201);
    // amf_nudm_sdm_build_get_datasets: GET /nudm-sdm/v2/{supi}?dataset-names=AM,SMF_SEL&plmn-id=...
    for (const query of [q({ 'dataset-names': 'AM,SMF_SEL', 'plmn-id': JSON.stringify(plmnId) }), q({ 'plmn-id': JSON.stringify(plmnId), 'dataset-names': 'AM,SMF_SEL' })]) {
      const a = await replay(UDM.sdm.getDataSets, 'udm', `/nudm-sdm/v2/${supi}?${query}`, undefined, 200);
      expect(a.body).toMatchObject({ amData: { nssai: { defaultSingleNssais: [{ sst: 1 }] } }, smfSelData: { subscribedSnssaiInfos: expect.any(Object) } });
    }
    // amf_nudm_sdm_build_get with OGS_SBI_RESOURCE_NAME_UE_CONTEXT_IN_SMF_DATA
    await replay(UDM.sdm.getUeContextInSmfData, 'udm', `/nudm-sdm/v2/${supi}/ue-context-in-smf-data?${q({ 'plmn-id': JSON.stringify(plmnId) })}`, undefined, 200);
    await replay(UDM.sdm.getAmData, 'udm', `/nudm-sdm/v2/${supi}/am-data?${q({ 'plmn-id': JSON.stringify(plmnId) })}`, undefined, 200);
    await replay(UDM.sdm.getSmfSelectData, 'udm', `/nudm-sdm/v2/${supi}/smf-select-data?${q({ 'plmn-id': JSON.stringify(plmnId) })}`, undefined, 200);
    // amf_nudm_sdm_build_subscription: a monitored resource URI relative to the API, implicit unsubscribe
    const sub = await replay(UDM.sdm.subscribe, 'udm', `/nudm-sdm/v2/${supi}/sdm-subscriptions`, { nfInstanceId: amfId, callbackReference: `http://127.0.93.200:7777/namf-callback/v1/${supi}/sdm-subscription-notify`, monitoredResourceUris: [`${supi}/am-data`], implicitUnsubscribe: true, supportedFeatures: '40', uniqueSubscription: true }, 201);
    await replay(UDM.sdm.unsubscribe, 'udm', `/nudm-sdm/v2/${supi}/sdm-subscriptions/${(sub.body as { subscriptionId: string }).subscriptionId}`, undefined, 204);
    // amf_nudm_uecm_build_registration_delete: the purge
    await replay(UDM.uecm.updateAmf3gppAccess, 'udm', `/nudm-uecm/v1/${supi}/registrations/amf-3gpp-access`, { guami, purgeFlag: true }, 204, 'application/merge-patch+json');
  });

  it('Open5GS UDM towards our UDR: authentication subscription and status, provisioned-data sets, SQN patch', async () => {
    const base = `/nudr-dr/v1/subscription-data/${supi}`;
    const sub = await replay(UDR.dr.queryAuthSubscription, 'udr', `${base}/authentication-data/authentication-subscription`, undefined, 200);
    const sqn = (sub.body as { sequenceNumber: { sqn: string } }).sequenceNumber.sqn;
    await replay(UDR.dr.modifyAuthSubscription, 'udr', `${base}/authentication-data/authentication-subscription`, [{ op: 'replace', path: '/sequenceNumber/sqn', value: sqn }], 204, 'application/json-patch+json');
    // udm_nudr_dr_build_update_authentication_status: PUT with the AuthEvent
    await replay(UDR.dr.createAuthStatus, 'udr', `${base}/authentication-data/authentication-status`, { nfInstanceId: '0d9cc0c6-6cbd-41ee-a41a-7f1e2d3c4b5a', success: true, timeStamp: '2026-12-05T08:00:00.000Z', authType: '5G_AKA', servingNetworkName: '5G:mnc001.mcc001.3gppnetwork.org' }, 204);
    await replay(UDR.dr.queryAuthStatus, 'udr', `${base}/authentication-data/authentication-status`, undefined, 200);
    // udm_nudr_dr_build_query_subscription_provisioned: {servingPlmnId}/provisioned-data?dataset-names=
    const p = await replay(UDR.dr.queryProvisionedData, 'udr', `${base}/00101/provisioned-data?${q({ 'dataset-names': 'AM,SMF_SEL' })}`, undefined, 200);
    expect(Object.keys(p.body as object).sort()).toEqual(['amData', 'smfSelData']);
    await replay(UDR.dr.querySmfSelectData, 'udr', `${base}/00101/provisioned-data/smf-selection-subscription-data`, undefined, 200);
    await replay(UDR.dr.querySmData, 'udr', `${base}/00101/provisioned-data/sm-data?${q({ dnn: 'internet', 'single-nssai': JSON.stringify({ sst: 1 }) })}`, undefined, 200);
    await replay(UDR.dr.deleteAuthStatus, 'udr', `${base}/authentication-data/authentication-status`, undefined, 204);
  });

  it('free5GC AMF: UECM registration with imsVoPs, SDM get with sorted query keys, an SDM subscription missing its mandatory callbackReference is 400', async () => {
    // udm_service.go UeCmRegistration
    await replay(UDM.uecm.registerAmf3gppAccess, 'udm', `/nudm-uecm/v1/${supi}/registrations/amf-3gpp-access`, { amfInstanceId: amfId, initialRegistrationInd: true, guami, ratType: 'NR', deregCallbackUri: `http://127.0.93.201:8000/namf-callback/v1/deregistration/${supi}`, imsVoPs: 'HOMOGENEOUS_NON_SUPPORT' }, 201);
    await replay(UDM.sdm.getDataSets, 'udm', `/nudm-sdm/v2/${supi}?${q({ 'dataset-names': 'AM,SMF_SEL,UEC_SMF', 'plmn-id': JSON.stringify(plmnId) })}`, undefined, 200);
    await replay(UDM.sdm.getNssai, 'udm', `/nudm-sdm/v2/${supi}/nssai?${q({ 'plmn-id': JSON.stringify(plmnId) })}`, undefined, 200);
    // udm_service.go SDMSubscribe: SdmSubscription{NfInstanceId, PlmnId}; TS 29.503 6.1.6.2.3 makes
    // callbackReference and monitoredResourceUris mandatory: TS 29.500 5.2.7.2 400 MANDATORY_IE_MISSING
    const bad = await replay(UDM.sdm.subscribe, 'udm', `/nudm-sdm/v2/${supi}/sdm-subscriptions`, { nfInstanceId: amfId, plmnId }, 400);
    expect(bad.body).toMatchObject({ status: 400, cause: 'MANDATORY_IE_MISSING' });
    await replay(UDM.uecm.updateAmf3gppAccess, 'udm', `/nudm-uecm/v1/${supi}/registrations/amf-3gpp-access`, { guami, purgeFlag: true }, 204, 'application/merge-patch+json');
  });

  it('UE authentication and AM/SM policy creation as Open5GS and free5GC send them', async () => {
    const a = await replay(AUSF.ueAuthentication.authenticate, 'ausf', '/nausf-auth/v1/ue-authentications', { supiOrSuci: supi, servingNetworkName: '5G:mnc001.mcc001.3gppnetwork.org' }, 201);
    const href = (a.body as { _links: { '5g-aka': { href: string } } })._links['5g-aka'].href;
    await replay(AUSF.ueAuthentication.deregister, 'ausf', new URL(href).pathname, undefined, 204);
    const am = await replay(PCF.amPolicyControl.create, 'pcf', '/npcf-am-policy-control/v1/policies', { notificationUri: 'http://127.0.93.200:7777/namf-callback/v1/am-policy-notify', supi, accessType: '3GPP_ACCESS', ratType: 'NR', servingPlmn: plmnId, guami, suppFeat: '4000000' }, 201);
    // TS 29.500 6.6.2: the features both sides support; our PCF implements none of TS 29.507's yet
    expect(am.body).toMatchObject({ suppFeat: '0' });
    // Open5GS's SMF sends the subscribed default QoS and Session-AMBR (src/smf/npcf-build.c: subs_def_qos, subs_sess_ambr)
    const sm = await replay(PCF.smPolicyControl.create, 'pcf', '/npcf-smpolicycontrol/v1/sm-policies', { supi, pduSessionId: 1, pduSessionType: 'IPV4', dnn: 'internet', notificationUri: 'http://127.0.93.199:7777/nsmf-callback/v1/sm-policy-notify/1', ipv4Address: '10.45.0.2', servingNetwork: plmnId, ratType: 'NR', sliceInfo: { sst: 1 }, subsSessAmbr: { uplink: '1 Gbps', downlink: '1 Gbps' }, subsDefQos: { '5qi': 9, arp: { priorityLevel: 8, preemptCap: 'NOT_PREEMPT', preemptVuln: 'NOT_PREEMPTABLE' }, priorityLevel: 8 }, suppFeat: '4000000' }, 201);
    expect(sm.body).toMatchObject({ sessRules: expect.any(Object) });
  });
});
