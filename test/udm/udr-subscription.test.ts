// Issue 21 goal 3: the UDM holds one Nudr_DM subscription to the UDR per SUPI (TS 29.504 5.2.2.3),
// shared by that SUPI's Nudm_SDM subscriptions (TS 29.503 5.2.2.3: the AMF's at TS 23.502
// 4.2.2.2.2 step 14, the SMF's at 4.3.2.2.1 step 4) and ended with the last of them (5.2.2.4).
// A change of the subscriber's data in the UDR reaches every SDM subscriber that monitors it
// (5.2.2.5). docs/decisions/21-udm-udr-subscription.md.

import { describe, it, expect } from 'vitest';
import { LocalSbi } from '../../nodes/common/sbi-local.ts';
import { UdrStore } from '../../nodes/udr/store.ts';
import { udrRoutes } from '../../nodes/udr/service.ts';
import { subscriptionDataNotifier } from '../../nodes/udr/subscription-data-notify.ts';
import { udmRoutes } from '../../nodes/udm/service.ts';
import { serve, noContent } from '../../nodes/common/sbi/routes.ts';
import { callbackUri } from '../../nodes/common/sbi/client.ts';
import { CALLBACKS } from '../../nodes/common/sbi/operations.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { SbiProblem, type SbiClient } from '../../nodes/common/sbi.ts';
import type { HomeNetworkAka } from '../../nodes/common/aka.ts';

const SUPI = DEFAULT_SUBSCRIBER.supi;
const UDR = 'http://127.0.28.20:8080', UDM = 'http://127.0.28.12:8080', AMF = 'http://127.0.28.5:8080', SMF = 'http://127.0.28.4:8080';
type Notified = { nf: string; notifyItems: { resourceId: string; changes: { op: string; path: string; newValue?: unknown }[] }[] };

function core() {
  const store = new UdrStore(':memory:');
  store.upsert(DEFAULT_SUBSCRIBER);
  const sbi = new LocalSbi();
  // the UDR's Nudr_DM_Subscribe fails while `failSubscribe` is set (a time-out, an error answer)
  // and its Nudr_DM_Unsubscribe goes through `unsubscribe` when set (held, refused)
  const toUdr: { failSubscribe: boolean; unsubscribe?: () => Promise<void> } = { failSubscribe: false };
  const client: SbiClient = {
    call: (method, uri, body, opts) => {
      if (toUdr.failSubscribe && method === 'POST' && uri.endsWith('/subscription-data/subs-to-notify')) return Promise.reject(new Error('the SBI time-out'));
      if (toUdr.unsubscribe && method === 'DELETE' && uri.includes('/subscription-data/subs-to-notify/')) return toUdr.unsubscribe().then(() => sbi.call(method, uri, body, opts));
      return sbi.call(method, uri, body, opts);
    },
  };
  const udr = udrRoutes(store, UDR);
  const udm = udmRoutes({ baseUri: UDM, udrUri: UDR, plmnId: '00101' }, client, {} as HomeNetworkAka);
  const notified: Notified[] = [];
  const collector = (nf: string) => [serve(CALLBACKS.sdmModificationNotify, (req) => {
    notified.push({ nf, notifyItems: (req.body as Notified).notifyItems });
    return noContent();
  })];
  sbi.serve(UDR, udr.routes).serve(UDM, udm.routes).serve(AMF, collector('AMF')).serve(SMF, collector('SMF'));
  const subscribe = (nf: string, resource: 'am-data' | 'sm-data') => sbi.call('POST', `${UDM}/nudm-sdm/v2/${SUPI}/sdm-subscriptions`, {
    nfInstanceId: '3e4a1c52-7d0b-4f6e-9a51-000000000005',
    callbackReference: callbackUri(nf, CALLBACKS.sdmModificationNotify, { supi: SUPI }),
    monitoredResourceUris: [`${UDM}/nudm-sdm/v2/${SUPI}/${resource}`],
  });
  const notifyChange = subscriptionDataNotifier(udr.state, store, sbi);
  /** O&M changes the subscriber in the UDR (as `wire5g subscriber` does) and the UDR notifies; resolves with the UDR's notifications and what the subscribers got. */
  const change = async (ambr: string) => {
    store.upsert({ ...store.get(SUPI)!, ueAmbr: { uplink: ambr, downlink: ambr }, sessionQos: [{ fiveQi: 8, arpPriorityLevel: 7, ambrUplink: ambr, ambrDownlink: ambr }] });
    notified.length = 0;
    const sent = await notifyChange(SUPI);
    await sbi.settled();
    return { sent, notified: [...notified].sort((a, b) => a.nf.localeCompare(b.nf)) };
  };
  const udrSubscribes = () => sbi.calls.filter((c) => c.method === 'POST' && c.uri.endsWith('/subs-to-notify')).length;
  return { sbi, udr, udm, toUdr, subscribe, change, udrSubscribes };
}

describe('the UDM\'s one UDR subscription per SUPI (issue 21)', () => {
  it('the AMF\'s and the SMF\'s SDM subscriptions share one; a change reaches both, then the SMF alone; the last unsubscription ends it', async () => {
    const { sbi, udr, udm, subscribe, change, udrSubscribes } = core();
    const before = { udm: udm.ledger.snapshot(), udr: udr.ledger.snapshot() };
    const amf = await subscribe(AMF, 'am-data');
    const smf = await subscribe(SMF, 'sm-data');
    expect([amf.status, smf.status]).toEqual([201, 201]);
    expect(udrSubscribes()).toBe(1);
    expect(udr.state.subscriptionDataSubscriptions.size).toBe(1);
    expect(udm.ledger.snapshot()['UDR subscriptions']).toBe(1);

    const both = await change('7 Mbps');
    expect(both.sent).toBe(1); // one Nudr_DM_Notify, relayed to both subscribers
    expect(both.notified).toEqual([
      { nf: 'AMF', notifyItems: [{ resourceId: `${UDM}/nudm-sdm/v2/${SUPI}/am-data`, changes: [{ op: 'REPLACE', path: '/nssai', newValue: { defaultSingleNssais: DEFAULT_SUBSCRIBER.snssais } }] }] },
      { nf: 'SMF', notifyItems: [{ resourceId: `${UDM}/nudm-sdm/v2/${SUPI}/sm-data`, changes: [{ op: 'REPLACE', path: '', newValue: expect.arrayContaining([expect.objectContaining({ dnnConfigurations: expect.objectContaining({ internet: expect.objectContaining({ sessionAmbr: { uplink: '7 Mbps', downlink: '7 Mbps' } }) }) })]) }] }] },
    ]);

    expect((await sbi.call('DELETE', amf.headers.location!)).status).toBe(204);
    expect(udr.state.subscriptionDataSubscriptions.size).toBe(1);
    const smfOnly = await change('9 Mbps');
    expect(smfOnly.sent).toBe(1);
    expect(smfOnly.notified.map((n) => n.nf)).toEqual(['SMF']);
    expect(JSON.stringify(smfOnly.notified[0].notifyItems)).toContain('9 Mbps');

    expect((await sbi.call('DELETE', smf.headers.location!)).status).toBe(204);
    expect(udr.state.subscriptionDataSubscriptions.size).toBe(0);
    expect(await change('11 Mbps')).toEqual({ sent: 0, notified: [] });
    expect(udm.ledger.snapshot()).toEqual(before.udm);
    expect(udr.ledger.snapshot()).toEqual(before.udr);
    expect((await sbi.call('DELETE', smf.headers.location!)).status).toBe(404);
  });

  it('SDM subscriptions arriving together wait for one Nudr_DM_Subscribe; a new one after the last unsubscription makes a new one', async () => {
    const { sbi, udr, subscribe, change, udrSubscribes } = core();
    const [a, b] = await Promise.all([subscribe(AMF, 'am-data'), subscribe(SMF, 'sm-data')]);
    expect([a.status, b.status, udrSubscribes()]).toEqual([201, 201, 1]);
    expect((await change('7 Mbps')).notified.map((n) => n.nf)).toEqual(['AMF', 'SMF']);
    expect((await sbi.call('DELETE', a.headers.location!)).status).toBe(204);
    expect((await sbi.call('DELETE', b.headers.location!)).status).toBe(204);
    const c = await subscribe(AMF, 'am-data');
    expect([c.status, udrSubscribes(), udr.state.subscriptionDataSubscriptions.size]).toEqual([201, 2, 1]);
    expect((await change('8 Mbps')).notified.map((n) => n.nf)).toEqual(['AMF']);
    expect((await sbi.call('DELETE', c.headers.location!)).status).toBe(204);
    expect(udr.state.subscriptionDataSubscriptions.size).toBe(0);
  });

  it('a failed Nudr_DM_Subscribe fails every SDM subscription waiting on it and is held by none; the next tries anew', async () => {
    const { sbi, udr, udm, toUdr, subscribe, udrSubscribes } = core();
    const before = udm.ledger.snapshot();
    toUdr.failSubscribe = true;
    const failed = await Promise.allSettled([subscribe(AMF, 'am-data'), subscribe(SMF, 'sm-data')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(udm.ledger.snapshot()).toEqual(before);
    toUdr.failSubscribe = false;
    const ok = await subscribe(SMF, 'sm-data');
    expect([ok.status, udrSubscribes(), udr.state.subscriptionDataSubscriptions.size]).toEqual([201, 1, 1]);
    expect((await sbi.call('DELETE', ok.headers.location!)).status).toBe(204);
    expect(udm.ledger.snapshot()).toEqual(before);
  });

  it('a UDR that no longer holds it (restarted) answers the last unsubscription 404: ended all the same, and the next SDM subscription makes a new one', async () => {
    const { sbi, udr, udm, subscribe, change, udrSubscribes } = core();
    const before = udm.ledger.snapshot();
    const amf = await subscribe(AMF, 'am-data');
    udr.state.subscriptionDataSubscriptions.clear(); // the UDR restarted
    expect((await sbi.call('DELETE', amf.headers.location!)).status).toBe(204);
    expect(udm.ledger.snapshot()).toEqual(before);
    const smf = await subscribe(SMF, 'sm-data');
    expect([smf.status, udrSubscribes(), udr.state.subscriptionDataSubscriptions.size]).toEqual([201, 2, 1]);
    expect((await change('7 Mbps')).notified.map((n) => n.nf)).toEqual(['SMF']);
    expect((await sbi.call('DELETE', smf.headers.location!)).status).toBe(204);
    expect(udm.ledger.snapshot()).toEqual(before);
  });

  it('an SDM subscription arriving while the last one\'s Nudr_DM_Unsubscribe is refused shares the UDR subscription it kept; both are notified, then both end it', async () => {
    const { sbi, udr, udm, toUdr, subscribe, change, udrSubscribes } = core();
    const before = { udm: udm.ledger.snapshot(), udr: udr.ledger.snapshot() };
    const amf = await subscribe(AMF, 'am-data');
    let refuse!: () => void;
    const refused = new Promise<void>((r) => (refuse = r));
    toUdr.unsubscribe = async () => {
      await refused;
      throw new SbiProblem(500, 'SYSTEM_FAILURE');
    };
    const leaving = sbi.call('DELETE', amf.headers.location!);
    await new Promise((r) => setImmediate(r));
    const coming = subscribe(SMF, 'sm-data');
    await new Promise((r) => setImmediate(r));
    refuse();
    expect((await leaving).status).toBe(500);
    toUdr.unsubscribe = undefined;
    expect((await coming).status).toBe(201);
    expect([udrSubscribes(), udr.state.subscriptionDataSubscriptions.size]).toEqual([1, 1]);
    expect((await change('7 Mbps')).notified.map((n) => n.nf)).toEqual(['AMF', 'SMF']);
    expect((await sbi.call('DELETE', amf.headers.location!)).status).toBe(204);
    expect((await sbi.call('DELETE', (await coming).headers.location!)).status).toBe(204);
    expect(udr.state.subscriptionDataSubscriptions.size).toBe(0);
    expect({ udm: udm.ledger.snapshot(), udr: udr.ledger.snapshot() }).toEqual(before);
  });
});
