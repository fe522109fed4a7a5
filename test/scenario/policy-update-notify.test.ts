// Issue 23: callbacks the AMF hands out are served. The PCF's Npcf_AMPolicyControl_UpdateNotify
// and Npcf_UEPolicyControl_UpdateNotify (TS 29.507 / TS 29.525 4.2.4.2) reach the AMF over the
// SBI (node:http2 on loopback) at the notificationUri it gave in the policy association's create;
// the AM policy's UE-AMBR replaces the subscribed one the AMF gives the NG-RAN (its NGAP IE
// value checked here through the AMF's builder, not on the wire). On commit 8c1eab1 both URIs answered 404.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestNetwork, type TestNetwork } from '../helpers/network.ts';
import { notifier, callbackUri, SbiErrorReply } from '../../nodes/common/sbi/client.ts';
import { CALLBACKS } from '../../nodes/common/sbi/operations.ts';
import { ueAmbrNgap } from '../../nodes/amf/procedures/registration.ts';

const SUPI = 'imsi-001010000000731';
let net: TestNetwork;

beforeAll(async () => {
  net = await startTestNetwork(213, [SUPI]);
});
afterAll(async () => {
  await net?.stop();
});

describe('the PCF\'s policy update notifications to the AMF (issue 23)', () => {
  it('AM policy update: 204, the UE-AMBR and RFSP applied; UE policy update: 204; an unknown association 404 and changes nothing', async () => {
    const u = net.ue(SUPI);
    await u.register(net.gnb);
    await net.quiet();
    const amf = net.core.amf;
    const ue = amf.bySupi.get(SUPI)!;
    const pcf = notifier(net.core.nfs.get('pcf')!.sbi!.client);
    const amUri = callbackUri(amf.cfg.baseUri, CALLBACKS.amPolicyUpdateNotify, { supi: SUPI });
    const ueUri = callbackUri(amf.cfg.baseUri, CALLBACKS.uePolicyUpdateNotify, { supi: SUPI });
    const r = await pcf.amPolicyUpdateNotify(amUri, { resourceUri: ue.amPolicyUri!, triggers: ['LOC_CH'], rfsp: 7, ueAmbr: { uplink: '5 Mbps', downlink: '7 Mbps' } }, { step: 'TS 23.502 4.16.2.2' });
    expect(r.status).toBe(204);
    expect(ue.subscribedUeAmbr).toEqual({ uplinkBps: 5_000_000, downlinkBps: 7_000_000 });
    expect(ue.amPolicy).toEqual({ rfsp: 7, triggers: ['LOC_CH'] });
    expect((await pcf.uePolicyUpdateNotify(ueUri, { resourceUri: ue.uePolicyUri!, triggers: ['PLMN_CH'] }, { step: 'TS 23.502 4.16.12.2' })).status).toBe(204);
    expect(ue.uePolicyTriggers).toEqual(['PLMN_CH']);
    const refused = (p: Promise<unknown>) => p.then(() => 0, (e: unknown) => (e instanceof SbiErrorReply ? e.reply.status : -1));
    expect(await refused(pcf.amPolicyUpdateNotify(amUri, { resourceUri: 'http://127.0.213.13:8080/npcf-am-policy-control/v1/policies/nope' }, { step: 'x' }))).toBe(404);
    expect(ue.amPolicy).toEqual({ rfsp: 7, triggers: ['LOC_CH'] });
    // the PCF's UE-AMBR is what the AMF gives the NG-RAN (TS 38.413 9.3.1.58) with the next session
    expect(ueAmbrNgap(ue)).toEqual({ uEAggregateMaximumBitRateDL: 7_000_000, uEAggregateMaximumBitRateUL: 5_000_000 });
    await u.establishPduSession(1);
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await net.quiet();
  });
});
