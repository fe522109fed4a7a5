// Nausf/Nudm 5G-AKA flow logic with a stand-in for the AKA math: values are hashes of their
// inputs, so every assertion below depends on the right inputs reaching the right function.
// The real crypto is exercised end to end in the registration tests.

import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { LocalSbi } from '../../nodes/common/sbi-local.ts';
import { UdrStore } from '../../nodes/udr/store.ts';
import { udrRoutes } from '../../nodes/udr/service.ts';
import { udmRoutes } from '../../nodes/udm/service.ts';
import { ausfRoutes } from '../../nodes/ausf/service.ts';
import { nextSqn, servingNetworkName, type HomeNetworkAka } from '../../nodes/common/aka.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';

const h = (...parts: string[]) => createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32);
const sn = servingNetworkName('001', '01');

const standIn: HomeNetworkAka = {
  generateVector: ({ k, opc, amf, sqn, rand, servingNetworkName }) => ({ autn: `${sqn}${amf}${h('mac', k, opc, sqn, rand).slice(0, 16)}`, xresStar: h('xres*', k, rand, servingNetworkName), kausf: h('kausf', k, sqn, servingNetworkName).repeat(2) }),
  resynchronise: ({ k, rand, auts }) => (auts.slice(12) === h('macs', k, rand).slice(0, 16) ? auts.slice(0, 12) : undefined),
  hxresStar: (rand, x) => h('hxres*', rand, x),
  kseaf: (kausf, s) => h('kseaf', kausf, s),
  deconcealSuci: (suci) => {
    const m = /^suci-0-(\d{3})-(\d{2,3})-[0-9a-f]{1,4}-0-0-(\d+)$/.exec(suci);
    return m ? `imsi-${m[1]}${m[2]}${m[3]}` : undefined;
  },
  randomRand: () => 'ab'.repeat(16),
};

function core() {
  const store = new UdrStore(':memory:');
  store.upsert(DEFAULT_SUBSCRIBER);
  const sbi = new LocalSbi();
  const UDR = 'http://127.0.27.20:8080', UDM = 'http://127.0.27.12:8080', AUSF = 'http://127.0.27.11:8080';
  const udr = udrRoutes(store, UDR);
  const udm = udmRoutes({ baseUri: UDM, udrUri: UDR, plmnId: '00101' }, sbi, standIn);
  const ausf = ausfRoutes({ baseUri: AUSF, udmUri: UDM, instanceId: '3e4a1c52-7d0b-4f6e-9a51-00000000000b', servingNetworkNames: [sn] }, sbi, standIn);
  sbi.serve(UDR, udr.routes).serve(UDM, udm.routes).serve(AUSF, ausf.routes);
  return { store, sbi, AUSF, UDM, udm, ausf, udr };
}

describe('5G AKA through AUSF and UDM (TS 33.501 6.1.3.2)', () => {
  it('authenticates a SUCI: SQN advances and is stored before the vector leaves, RES* confirms, KSEAF derived', async () => {
    const { store, sbi, AUSF, ausf } = core();
    const suci = 'suci-0-001-01-0000-0-0-0000000001';
    const r = await sbi.call<{ '5gAuthData': { rand: string; autn: string; hxresStar: string }; _links: { '5g-aka': { href: string } } }>('POST', `${AUSF}/nausf-auth/v1/ue-authentications`, { supiOrSuci: suci, servingNetworkName: sn });
    expect(r.status).toBe(201);
    const sqn = nextSqn(DEFAULT_SUBSCRIBER.sqn);
    expect(store.get(DEFAULT_SUBSCRIBER.supi)?.sqn).toBe(sqn);
    expect(r.body['5gAuthData'].autn.slice(0, 12)).toBe(sqn);
    const xresStar = h('xres*', DEFAULT_SUBSCRIBER.k, 'ab'.repeat(16), sn);
    expect(r.body['5gAuthData'].hxresStar).toBe(h('hxres*', 'ab'.repeat(16), xresStar));
    expect(ausf.ledger.snapshot()).toEqual({ 'authentication contexts': 1 });
    const c = await sbi.call('PUT', r.body._links['5g-aka'].href, { resStar: xresStar });
    expect(c.body).toEqual({ authResult: 'AUTHENTICATION_SUCCESS', supi: DEFAULT_SUBSCRIBER.supi, kseaf: h('kseaf', h('kausf', DEFAULT_SUBSCRIBER.k, sqn, sn).repeat(2), sn) });
    expect(ausf.ledger.snapshot()).toEqual({ 'authentication contexts': 0 });
    expect(sbi.calls.map((x) => x.operation)).toContain('Nudm_UEAuthentication_ResultConfirmation');
  });

  it('the result is kept (TS 33.501 6.1.4.1a): the UDM stores the AuthEvent in the UDR before it answers 201; a failure replaces it', async () => {
    const { sbi, AUSF, UDM, udr } = core();
    const supi = DEFAULT_SUBSCRIBER.supi;
    const status = () => sbi.call('GET', `http://127.0.27.20:8080/nudr-dr/v1/subscription-data/${supi}/authentication-data/authentication-status`);
    expect((await status()).status).toBe(404);
    const start = async () => (await sbi.call<{ '5gAuthData': { rand: string }; _links: { '5g-aka': { href: string } } }>('POST', `${AUSF}/nausf-auth/v1/ue-authentications`, { supiOrSuci: supi, servingNetworkName: sn })).body;
    const a = await start();
    await sbi.call('PUT', a._links['5g-aka'].href, { resStar: h('xres*', DEFAULT_SUBSCRIBER.k, 'ab'.repeat(16), sn) });
    expect((await status()).body).toMatchObject({ nfInstanceId: '3e4a1c52-7d0b-4f6e-9a51-00000000000b', success: true, authType: '5G_AKA', servingNetworkName: sn });
    expect(sbi.calls.filter((c) => c.operation === 'Nudr_DM_Create' && c.uri.endsWith('/authentication-status'))).toHaveLength(1);
    const b = await start();
    await sbi.call('PUT', b._links['5g-aka'].href, { resStar: '00'.repeat(16) });
    expect((await status()).body).toMatchObject({ success: false });
    expect(udr.state.authenticationStatus.size).toBe(1);
    // an AuthEvent without its mandatory members is refused and nothing is stored for an unknown SUPI
    expect((await sbi.call('POST', `${UDM}/nudm-ueau/v1/${supi}/auth-events`, { nfInstanceId: '3e4a1c52-7d0b-4f6e-9a51-00000000000b', success: true })).status).toBe(400);
    const unknown = await sbi.call('POST', `${UDM}/nudm-ueau/v1/imsi-001019999999999/auth-events`, { nfInstanceId: '3e4a1c52-7d0b-4f6e-9a51-00000000000b', success: true, timeStamp: new Date().toISOString(), authType: '5G_AKA', servingNetworkName: sn });
    expect(unknown.status).toBe(404);
  });

  it('a wrong RES* is AUTHENTICATION_FAILURE with no key, and the context is gone', async () => {
    const { sbi, AUSF, ausf } = core();
    const r = await sbi.call<{ _links: { '5g-aka': { href: string } } }>('POST', `${AUSF}/nausf-auth/v1/ue-authentications`, { supiOrSuci: DEFAULT_SUBSCRIBER.supi, servingNetworkName: sn });
    const c = await sbi.call('PUT', r.body._links['5g-aka'].href, { resStar: '00'.repeat(16) });
    expect(c.body).toEqual({ authResult: 'AUTHENTICATION_FAILURE' });
    expect(ausf.ledger.snapshot()['authentication contexts']).toBe(0);
    expect((await sbi.call('PUT', r.body._links['5g-aka'].href, { resStar: '00'.repeat(16) })).status).toBe(404);
  });

  it('resynchronises on AUTS: continues from SQN_MS; a bad MAC-S is rejected and SQN is untouched', async () => {
    const { store, sbi, AUSF } = core();
    const rand = 'ab'.repeat(16);
    const sqnMs = '000000000400';
    const auts = sqnMs + h('macs', DEFAULT_SUBSCRIBER.k, rand).slice(0, 16);
    const r = await sbi.call('POST', `${AUSF}/nausf-auth/v1/ue-authentications`, { supiOrSuci: DEFAULT_SUBSCRIBER.supi, servingNetworkName: sn, resynchronizationInfo: { rand, auts } });
    expect(r.status).toBe(201);
    expect(store.get(DEFAULT_SUBSCRIBER.supi)?.sqn).toBe(nextSqn(sqnMs));
    const bad = await sbi.call('POST', `${AUSF}/nausf-auth/v1/ue-authentications`, { supiOrSuci: DEFAULT_SUBSCRIBER.supi, servingNetworkName: sn, resynchronizationInfo: { rand, auts: sqnMs + '0'.repeat(16) } });
    expect(bad).toMatchObject({ status: 403, body: { cause: 'AUTHENTICATION_REJECTED' } });
    expect(store.get(DEFAULT_SUBSCRIBER.supi)?.sqn).toBe(nextSqn(sqnMs));
  });

  it('unknown subscriber, undecodable SUCI and a foreign serving network are rejected with TS 29.509/29.503 causes', async () => {
    const { sbi, AUSF } = core();
    expect(await sbi.call('POST', `${AUSF}/nausf-auth/v1/ue-authentications`, { supiOrSuci: 'imsi-001019999999999', servingNetworkName: sn })).toMatchObject({ status: 404, body: { cause: 'USER_NOT_FOUND' } });
    expect(await sbi.call('POST', `${AUSF}/nausf-auth/v1/ue-authentications`, { supiOrSuci: 'suci-0-001-01-0000-1-1-abcdef', servingNetworkName: sn })).toMatchObject({ status: 403, body: { cause: 'DE_CONCEALMENT_FAILURE' } });
    expect(await sbi.call('POST', `${AUSF}/nausf-auth/v1/ue-authentications`, { supiOrSuci: DEFAULT_SUBSCRIBER.supi, servingNetworkName: '5G:mnc093.mcc208.3gppnetwork.org' })).toMatchObject({ status: 403, body: { cause: 'SERVING_NETWORK_NOT_AUTHORIZED' } });
    expect(await sbi.call('POST', `${AUSF}/nausf-auth/v1/ue-authentications`, { servingNetworkName: sn })).toMatchObject({ status: 400, body: { cause: 'MANDATORY_IE_MISSING' } });
  });

  it('concurrent vectors for one subscriber never share a SQN', async () => {
    const { store, sbi, AUSF } = core();
    const rs = await Promise.all(Array.from({ length: 8 }, () => sbi.call<{ '5gAuthData': { autn: string } }>('POST', `${AUSF}/nausf-auth/v1/ue-authentications`, { supiOrSuci: DEFAULT_SUBSCRIBER.supi, servingNetworkName: sn })));
    const sqns = rs.map((r) => r.body['5gAuthData'].autn.slice(0, 12));
    expect(new Set(sqns).size).toBe(8);
    let s = DEFAULT_SUBSCRIBER.sqn;
    for (let i = 0; i < 8; i++) s = nextSqn(s);
    expect(store.get(DEFAULT_SUBSCRIBER.supi)?.sqn).toBe(s);
  });
});

describe('UDM UECM and SDM (TS 29.503)', () => {
  it('registers and deregisters the AMF and SMF, and each SDM subscription holds exactly one UDR subscription', async () => {
    const { sbi, UDM, udm, udr } = core();
    const supi = DEFAULT_SUBSCRIBER.supi;
    const before = { udm: udm.ledger.snapshot(), udr: udr.ledger.snapshot() };
    expect((await sbi.call('PUT', `${UDM}/nudm-uecm/v1/${supi}/registrations/amf-3gpp-access`, { amfInstanceId: '3e4a1c52-7d0b-4f6e-9a51-000000000005', deregCallbackUri: 'http://127.0.27.5:8080/x', guami: { plmnId: { mcc: '001', mnc: '01' }, amfId: '020040' }, ratType: 'NR' })).status).toBe(201);
    expect((await sbi.call('PUT', `${UDM}/nudm-uecm/v1/${supi}/registrations/smf-registrations/1`, { smfInstanceId: '3e4a1c52-7d0b-4f6e-9a51-000000000004', pduSessionId: 1, dnn: 'internet', singleNssai: { sst: 1 }, plmnId: { mcc: '001', mnc: '01' } })).status).toBe(201);
    const sub = await sbi.call('POST', `${UDM}/nudm-sdm/v2/${supi}/sdm-subscriptions`, { nfInstanceId: '3e4a1c52-7d0b-4f6e-9a51-000000000005', callbackReference: 'http://127.0.27.5:8080/cb', monitoredResourceUris: [`${UDM}/nudm-sdm/v2/${supi}/am-data`] });
    expect(sub.status).toBe(201);
    expect(udr.state.subscriptionDataSubscriptions.size).toBe(1);
    expect((await sbi.call('GET', `${UDM}/nudm-sdm/v2/${supi}/am-data`)).body).toMatchObject({ nssai: { defaultSingleNssais: [{ sst: 1 }] } });
    expect((await sbi.call('GET', `${UDM}/nudm-sdm/v2/${supi}/sm-data?single-nssai=${encodeURIComponent('{"sst":1}')}&dnn=internet`)).body).toMatchObject([{ dnnConfigurations: { internet: { sscModes: { defaultSscMode: 'SSC_MODE_1' } } } }]);
    expect((await sbi.call('DELETE', sub.headers.location!)).status).toBe(204);
    expect((await sbi.call('DELETE', `${UDM}/nudm-uecm/v1/${supi}/registrations/smf-registrations/1`)).status).toBe(204);
    expect((await sbi.call('PATCH', `${UDM}/nudm-uecm/v1/${supi}/registrations/amf-3gpp-access`, { purgeFlag: true })).status).toBe(204);
    expect(udm.ledger.snapshot()).toEqual(before.udm);
    expect(udr.ledger.snapshot()).toEqual(before.udr);
    expect((await sbi.call('DELETE', sub.headers.location!)).status).toBe(404);
  });
});

describe('5G AKA through AUSF and UDM with the real crypto', () => {
  it('a UE-side USIM computing RES* from the AUTN the network sent is authenticated, KSEAF agrees', async () => {
    const { homeNetworkAka } = await import('../../nodes/common/home-network-aka.ts');
    const { verifyAutn } = await import('../../crypto/aka.ts');
    const { kseaf } = await import('../../crypto/kdf.ts');
    const { concealSuci, msinToBcd, publicKeyOf } = await import('../../crypto/suci.ts');
    const { fromHex, toHex } = await import('../../codecs/bytes/hex.ts');
    const hnPriv = 'c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d';
    const aka = homeNetworkAka([{ id: 1, profile: 'A', privateKey: hnPriv }]);
    const store = new UdrStore(':memory:');
    store.upsert(DEFAULT_SUBSCRIBER);
    const sbi = new LocalSbi();
    const UDR = 'http://127.0.27.20:8080', UDM = 'http://127.0.27.12:8080', AUSF = 'http://127.0.27.11:8080';
    sbi.serve(UDR, udrRoutes(store, UDR).routes).serve(UDM, udmRoutes({ baseUri: UDM, udrUri: UDR, plmnId: '00101' }, sbi, aka).routes).serve(AUSF, ausfRoutes({ baseUri: AUSF, udmUri: UDM, instanceId: '3e4a1c52-7d0b-4f6e-9a51-00000000000b', servingNetworkNames: [sn] }, sbi, aka).routes);
    // The UE conceals its MSIN with profile A under the home network key 1.
    const output = concealSuci('A', publicKeyOf('A', fromHex(hnPriv)), msinToBcd('0000000001'), fromHex('c80949f13ebe61af4ebdbd293ea4f942696b9e815d7e8f0096bbf6ed7de62256'));
    const suci = `suci-0-001-01-0000-1-1-${toHex(output)}`;
    const r = await sbi.call<{ '5gAuthData': { rand: string; autn: string; hxresStar: string }; _links: { '5g-aka': { href: string } } }>('POST', `${AUSF}/nausf-auth/v1/ue-authentications`, { supiOrSuci: suci, servingNetworkName: sn });
    expect(r.status).toBe(201);
    const ue = verifyAutn(fromHex(DEFAULT_SUBSCRIBER.k), fromHex(DEFAULT_SUBSCRIBER.opc), fromHex(r.body['5gAuthData'].rand), fromHex(r.body['5gAuthData'].autn), sn, () => true);
    expect(ue.result).toBe('ok');
    if (ue.result !== 'ok') return;
    expect(toHex(ue.sqn)).toBe(nextSqn(DEFAULT_SUBSCRIBER.sqn));
    expect(aka.hxresStar(r.body['5gAuthData'].rand, toHex(ue.resStar))).toBe(r.body['5gAuthData'].hxresStar); // the SEAF's check
    const c = await sbi.call<{ authResult: string; supi: string; kseaf: string }>('PUT', r.body._links['5g-aka'].href, { resStar: toHex(ue.resStar) });
    expect(c.body.authResult).toBe('AUTHENTICATION_SUCCESS');
    expect(c.body.supi).toBe(DEFAULT_SUBSCRIBER.supi);
    expect(c.body.kseaf).toBe(toHex(kseaf(ue.kausf, sn)));
  });
});
