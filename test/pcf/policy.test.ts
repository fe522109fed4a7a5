import { describe, it, expect } from 'vitest';
import { LocalSbi } from '../../nodes/common/sbi-local.ts';
import { UdrStore } from '../../nodes/udr/store.ts';
import { udrRoutes } from '../../nodes/udr/service.ts';
import { pcfRoutes } from '../../nodes/pcf/service.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { DEFAULT_CONFIG } from '../../nodes/common/config-types.ts';
import { bsfRoutes } from '../../nodes/bsf/service.ts';
import { chfRoutes } from '../../nodes/chf/service.ts';
import { nwdafRoutes } from '../../nodes/nwdaf/service.ts';

const UDR = 'http://127.0.21.20:8080';
const PCF = 'http://127.0.21.13:8080';
const supi = DEFAULT_SUBSCRIBER.supi;

function network() {
  const store = new UdrStore(':memory:');
  store.upsert({ ...DEFAULT_SUBSCRIBER, allowedUsageOctets: 10_000 });
  const sbi = new LocalSbi();
  const udr = udrRoutes(store, UDR);
  const pcf = pcfRoutes({ baseUri: PCF, udrUri: UDR }, sbi);
  sbi.serve(UDR, udr.routes).serve(PCF, pcf.routes);
  return { store, sbi, udr, pcf };
}

const ARP = { priorityLevel: 8, preemptCap: 'NOT_PREEMPT', preemptVuln: 'NOT_PREEMPTABLE' };
const smContext = (pduSessionId: number) => ({ supi, pduSessionId, dnn: 'internet', sliceInfo: { sst: 1 }, notificationUri: 'http://127.0.21.4:8080/nsmf-callback/v1/sm-policy-notify/1', subsDefQos: { '5qi': 9, arp: ARP }, subsSessAmbr: { uplink: '1 Gbps', downlink: '1 Gbps' } });

describe('PCF SM policy decision (TS 23.502 4.16.4, TS 29.512 5.6.2.4)', () => {
  it('authorizes the subscribed default QoS and Session-AMBR the SMF sends, not constants', async () => {
    const { sbi } = network();
    const arp = { priorityLevel: 3, preemptCap: 'MAY_PREEMPT', preemptVuln: 'PREEMPTABLE' };
    const r = await sbi.call('POST', `${PCF}/npcf-smpolicycontrol/v1/sm-policies`, { ...smContext(1), subsDefQos: { '5qi': 7, arp }, subsSessAmbr: { uplink: '100 Mbps', downlink: '250 Mbps' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ sessRules: { 'sess-1': { authDefQos: { '5qi': 7, arp }, authSessAmbr: { uplink: '100 Mbps', downlink: '250 Mbps' } } }, qosDecs: { 'qos-1': { '5qi': 7, arp, defQosFlowIndication: true } }, suppFeat: '0' });
  });

  it('without the subscribed QoS there is nothing to authorize: 400 MANDATORY_IE_MISSING, no association', async () => {
    const { sbi, pcf } = network();
    const { subsDefQos: _q, ...noQos } = smContext(1);
    const r = await sbi.call('POST', `${PCF}/npcf-smpolicycontrol/v1/sm-policies`, noQos);
    expect(r).toMatchObject({ status: 400, body: { cause: 'MANDATORY_IE_MISSING' } });
    expect(pcf.ledger.snapshot()['SM policy associations']).toBe(0);
  });
});

describe('PCF SM Policy Association Termination (TS 23.502 4.16.6 case B)', () => {
  it('deducts the accumulated usage in the UDR, acknowledges, then unsubscribes after the last session', async () => {
    const { store, sbi, udr, pcf } = network();
    const before = { udr: udr.ledger.snapshot(), pcf: pcf.ledger.snapshot() };
    const a = await sbi.call('POST', `${PCF}/npcf-smpolicycontrol/v1/sm-policies`, smContext(1));
    const b = await sbi.call('POST', `${PCF}/npcf-smpolicycontrol/v1/sm-policies`, smContext(2));
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ umDecs: { 'internet:1': { volumeThreshold: 10_000 } }, sessRules: { 'sess-1': { refUmData: 'internet:1' } } });
    expect(udr.state.policyDataSubscriptions.size).toBe(1); // one subscription per (SUPI, DNN, S-NSSAI)
    const del = (loc: string, used: number) => sbi.call('POST', `${loc}/delete`, { accuUsageReports: [{ refUmIds: 'internet:1', volUsage: used, volUsageUplink: used / 2, volUsageDownlink: used / 2 }] });
    expect((await del(a.headers.location!, 3000)).status).toBe(204);
    await sbi.settled();
    expect(store.usage(supi, 'internet', '1')?.remainingOctets).toBe(7000);
    expect(udr.state.policyDataSubscriptions.size).toBe(1); // session 2 still uses it
    expect((await del(b.headers.location!, 9000)).status).toBe(204);
    await sbi.settled();
    expect(store.usage(supi, 'internet', '1')?.remainingOctets).toBe(0); // never below zero
    expect(udr.ledger.snapshot()).toEqual(before.udr);
    expect(pcf.ledger.snapshot()).toEqual(before.pcf);
    const ops = sbi.calls.map((c) => c.operation).filter(Boolean);
    expect(ops.slice(-3)).toEqual(['Nudr_DM_Query', 'Nudr_DM_Update', 'Nudr_DM_Unsubscribe']);
    expect(sbi.calls.at(-1)?.step).toBe('4.16.6 step 8');
  });

  it('answers a delete for an unknown association with 404 ProblemDetails and changes nothing', async () => {
    const { sbi, store } = network();
    const r = await sbi.call('POST', `${PCF}/npcf-smpolicycontrol/v1/sm-policies/99/delete`, {});
    expect(r).toMatchObject({ status: 404, body: { cause: 'POLICY_CONTEXT_NOT_FOUND' } });
    expect(store.usage(supi, 'internet', '1')?.remainingOctets).toBe(10_000);
  });

  it('rejects a create for an unknown subscriber with the UDR\'s USER_NOT_FOUND', async () => {
    const { sbi } = network();
    const r = await sbi.call('POST', `${PCF}/npcf-smpolicycontrol/v1/sm-policies`, { ...smContext(1), supi: 'imsi-001019999999999' });
    expect(r).toMatchObject({ status: 404, body: { cause: 'USER_NOT_FOUND' } });
  });

  it('AM and UE policy associations are created and deleted (TS 23.502 4.16.1.2, 4.16.11, 4.16.3.2, 4.16.13.2)', async () => {
    const { sbi, pcf } = network();
    const am = await sbi.call('POST', `${PCF}/npcf-am-policy-control/v1/policies`, { supi, notificationUri: 'http://127.0.21.5:8080/namf-callback/v1/am-policy/1', suppFeat: '' });
    const ue = await sbi.call('POST', `${PCF}/npcf-ue-policy-control/v1/policies`, { supi, notificationUri: 'http://127.0.21.5:8080/namf-callback/v1/ue-policy/1', suppFeat: '' });
    expect([am.status, ue.status]).toEqual([201, 201]);
    // TS 29.507 PolicyAssociation: no empty triggers (minItems 1), suppFeat the common features (TS 29.500 6.6.2)
    expect(am.body).not.toHaveProperty('triggers');
    expect((am.body as { suppFeat: string }).suppFeat).toBe('0');
    const offered = await sbi.call('POST', `${PCF}/npcf-ue-policy-control/v1/policies`, { supi, notificationUri: 'http://127.0.21.5:8080/namf-callback/v1/ue-policy/2', suppFeat: 'ff3' });
    expect((offered.body as { suppFeat: string }).suppFeat).toBe('0'); // not echoed: this PCF supports none of them
    expect((await sbi.call('DELETE', offered.headers.location!)).status).toBe(204);
    expect(pcf.ledger.snapshot()).toMatchObject({ 'AM policy associations': 1, 'UE policy associations': 1 });
    expect((await sbi.call('DELETE', am.headers.location!)).status).toBe(204);
    expect((await sbi.call('DELETE', ue.headers.location!)).status).toBe(204);
    expect((await sbi.call('DELETE', ue.headers.location!)).status).toBe(404);
    expect(pcf.ledger.snapshot()).toMatchObject({ 'AM policy associations': 0, 'UE policy associations': 0 });
  });
});

describe('the PCF with its BSF, CHF and NWDAF: case B in order, and a roamer at the V-PCF in local breakout (TS 23.502 4.16.6: "In the local breakout roaming case, the H-PCF is not involved")', () => {
  // the PLMN 001/01: its UDR holds its own subscriber only; a roamer of 208/93 has none
  const [BSF, CHF, NWDAF] = ['http://127.0.21.15:8080', 'http://127.0.21.16:8080', 'http://127.0.21.17:8080'];
  function visited() {
    const store = new UdrStore(':memory:');
    store.upsert({ ...DEFAULT_SUBSCRIBER, allowedUsageOctets: 10_000 });
    const sbi = new LocalSbi();
    const udr = udrRoutes(store, UDR);
    const pcf = pcfRoutes({ baseUri: PCF, udrUri: UDR, supiPrefix: 'imsi-00101', plmn: { mcc: '001', mnc: '01' }, around: { bsfUri: BSF, chfUri: CHF, nwdafUri: NWDAF, address: '127.0.21.13', port: 8080, policy: DEFAULT_CONFIG.pcf } }, sbi);
    sbi.serve(UDR, udr.routes).serve(PCF, pcf.routes).serve(BSF, bsfRoutes(BSF).routes).serve(CHF, chfRoutes(CHF, DEFAULT_CONFIG.chf.policyCounters, sbi).routes).serve(NWDAF, nwdafRoutes(NWDAF, sbi).routes);
    return { sbi, udr, pcf };
  }
  const roamer = 'imsi-208930000000001';

  it('case B for our own subscriber with every NF around: steps 3, 5 (BSF, NWDAF), 6 (CHF modify, then unsubscribe with the last session), 8 (last on the couple), in that order', async () => {
    const { sbi, udr, pcf } = visited();
    const before = { udr: udr.ledger.snapshot(), pcf: pcf.ledger.snapshot() };
    const a = await sbi.call('POST', `${PCF}/npcf-smpolicycontrol/v1/sm-policies`, { ...smContext(1), ipv4Address: '10.45.0.1', servingNetwork: { mcc: '001', mnc: '01' } });
    const b = await sbi.call('POST', `${PCF}/npcf-smpolicycontrol/v1/sm-policies`, { ...smContext(2), ipv4Address: '10.45.0.2', servingNetwork: { mcc: '001', mnc: '01' } });
    await sbi.settled();
    expect(pcf.ledger.snapshot()).toMatchObject({ 'SM policy associations': 2, 'BSF bindings held': 2, 'CHF subscriptions held': 1, 'NWDAF subscriptions held': 2, 'UDR subscriptions held': 1 });
    const steps = (from: number) => sbi.calls.slice(from).filter((c) => c.step?.startsWith('4.16.6')).map((c) => `${c.operation} [${c.step}]`);
    let mark = sbi.calls.length;
    expect((await sbi.call('POST', `${a.headers.location!}/delete`, { accuUsageReports: [{ refUmIds: 'internet:1', volUsage: 1000 }] })).status).toBe(204);
    await sbi.settled();
    // not the last session: the CHF subscription is modified (PUT, "Subscribe"), the UDR subscription stays
    expect(steps(mark)).toEqual(['Nudr_DM_Query [4.16.6 step 3]', 'Nudr_DM_Update [4.16.6 step 3]', 'Nbsf_Management_Deregister [4.16.6 step 5]', 'Nnwdaf_EventsSubscription_Unsubscribe [4.16.6 step 5]', 'Nchf_SpendingLimitControl_Subscribe [4.16.6 step 6]']);
    mark = sbi.calls.length;
    expect((await sbi.call('POST', `${b.headers.location!}/delete`, {})).status).toBe(204);
    await sbi.settled();
    expect(steps(mark)).toEqual(['Nbsf_Management_Deregister [4.16.6 step 5]', 'Nnwdaf_EventsSubscription_Unsubscribe [4.16.6 step 5]', 'Nchf_SpendingLimitControl_Unsubscribe [4.16.6 step 6]', 'Nudr_DM_Unsubscribe [4.16.6 step 8]']);
    expect(udr.ledger.snapshot()).toEqual(before.udr);
    expect(pcf.ledger.snapshot()).toEqual(before.pcf);
  });

  it('decides a roamer\'s SM policy from local configuration: no policy data read, no UDR, CHF or NWDAF; its termination likewise', async () => {
    const { sbi, udr, pcf } = visited();
    const before = { udr: udr.ledger.snapshot(), pcf: pcf.ledger.snapshot() };
    const r = await sbi.call('POST', `${PCF}/npcf-smpolicycontrol/v1/sm-policies`, { ...smContext(1), supi: roamer, ipv4Address: '10.45.0.9', servingNetwork: { mcc: '001', mnc: '01' } });
    expect(r.status).toBe(201);
    // the subscribed QoS the V-SMF got from the home UDM is authorized; no usage monitoring (no remaining allowed usage in the V-UDR)
    expect(r.body).toMatchObject({ sessRules: { 'sess-1': { authDefQos: { '5qi': 9 } } } });
    expect(r.body).not.toHaveProperty('umDecs');
    await sbi.settled();
    const hosts = () => new Set(sbi.calls.map((c) => new URL(c.uri).origin));
    // the V-PCF's peers: the BSF binding only (the CHF is the HPLMN's business, 4.16.6 step 6 "not used"; analytics only non-roaming)
    expect(hosts()).toEqual(new Set([PCF, BSF]));
    expect(pcf.ledger.snapshot()).toMatchObject({ 'SM policy associations': 1, 'BSF bindings held': 1, 'CHF subscriptions held': 0, 'NWDAF subscriptions held': 0, 'UDR subscriptions held': 0 });
    const del = await sbi.call('POST', `${r.headers.location!}/delete`, { accuUsageReports: [{ refUmIds: 'internet:1', volUsage: 500 }] });
    expect(del.status).toBe(204);
    await sbi.settled();
    expect(hosts()).toEqual(new Set([PCF, BSF]));
    expect(sbi.calls.filter((c) => c.step?.startsWith('4.16.6')).map((c) => `${c.operation} [${c.step}]`)).toEqual(['Nbsf_Management_Deregister [4.16.6 step 5]']);
    expect(udr.ledger.snapshot()).toEqual(before.udr);
    expect(pcf.ledger.snapshot()).toEqual(before.pcf);
  });
});

describe('UDR Nudr_DR', () => {
  it('serves the authentication subscription and updates SQN with JSON Patch', async () => {
    const { sbi, store } = network();
    const r = await sbi.call('GET', `${UDR}/nudr-dr/v1/subscription-data/${supi}/authentication-data/authentication-subscription`);
    expect(r.body).toMatchObject({ authenticationMethod: '5G_AKA', encPermanentKey: DEFAULT_SUBSCRIBER.k, sequenceNumber: { sqn: DEFAULT_SUBSCRIBER.sqn } });
    const p = await sbi.call('PATCH', `${UDR}/nudr-dr/v1/subscription-data/${supi}/authentication-data/authentication-subscription`, [{ op: 'replace', path: '/sequenceNumber/sqn', value: '000000000041' }]);
    expect(p.status).toBe(204);
    expect(store.get(supi)?.sqn).toBe('000000000041');
    const bad = await sbi.call('PATCH', `${UDR}/nudr-dr/v1/subscription-data/${supi}/authentication-data/authentication-subscription`, [{ op: 'remove', path: '/k' }]);
    expect(bad).toMatchObject({ status: 400, body: { cause: 'INVALID_MSG_FORMAT' } });
    expect((await sbi.call('GET', `${UDR}/nudr-dr/v1/subscription-data/imsi-001019999999999/authentication-data/authentication-subscription`)).status).toBe(404);
    expect((await sbi.call('DELETE', `${UDR}/nudr-dr/v1/subscription-data/${supi}/authentication-data/authentication-subscription`)).status).toBe(405);
  });
});

describe('PCF SM Policy Association Establishment that fails at a peer around it (TS 23.502 4.16.4)', () => {
  it('the NWDAF refuses the analytics subscription: the SMF gets the error, and the association, its BSF binding, CHF and UDR subscriptions are undone (issue 21)', async () => {
    const { sbi, udr } = network();
    const BSF = 'http://127.0.21.15:8080', CHF = 'http://127.0.21.16:8080', NWDAF = 'http://127.0.21.17:8080';
    const bsf = bsfRoutes(BSF);
    const chf = chfRoutes(CHF, DEFAULT_CONFIG.chf.policyCounters, sbi);
    const pcf = pcfRoutes({ baseUri: 'http://127.0.21.113:8080', udrUri: UDR, around: { bsfUri: BSF, chfUri: CHF, nwdafUri: NWDAF, address: '127.0.21.113', port: 8080, policy: DEFAULT_CONFIG.pcf } }, sbi);
    // an NWDAF that fails every subscription (as one that timed out would, seen from the PCF)
    sbi.serve(BSF, bsf.routes).serve(CHF, chf.routes).serve('http://127.0.21.113:8080', pcf.routes).serve(NWDAF, [{ method: 'POST', path: '/nnwdaf-eventssubscription/v1/subscriptions', operation: 'Nnwdaf_EventsSubscription_Subscribe', handler: () => ({ status: 500, body: { status: 500, cause: 'SYSTEM_FAILURE' } }) }]);
    expect(DEFAULT_CONFIG.pcf.nwdafEvents.length).toBeGreaterThan(0);
    const before = { pcf: pcf.ledger.snapshot(), bsf: bsf.ledger.snapshot(), chf: chf.ledger.snapshot(), udr: udr.ledger.snapshot() };
    const r = await sbi.call('POST', 'http://127.0.21.113:8080/npcf-smpolicycontrol/v1/sm-policies', { ...smContext(1), ipv4Address: '10.45.0.1' });
    expect(r.status).toBe(500);
    await sbi.settled();
    // the binding and the CHF subscription were made before the NWDAF refused: both given back
    expect(sbi.calls.map((c) => `${c.method} ${new URL(c.uri).pathname.split('/')[1]} ${c.status}`)).toEqual(expect.arrayContaining(['POST nbsf-management 201', 'DELETE nbsf-management 204', 'POST nchf-spendinglimitcontrol 201', 'DELETE nchf-spendinglimitcontrol 204']));
    expect({ pcf: pcf.ledger.snapshot(), bsf: bsf.ledger.snapshot(), chf: chf.ledger.snapshot(), udr: udr.ledger.snapshot() }).toEqual(before);
  });
});
