// Issue 23, failures that reach the UE: the Service Request of a UE whose context the network no
// longer holds (here: the AMF deregistered it implicitly while it was CM-IDLE, TS 24.501 5.3.7,
// which sends no NAS message) is answered with SERVICE REJECT #9 "UE identity cannot be derived by
// the network" (TS 24.501 5.6.1.5), and the UE reacts as 5.6.1.5 says: it deletes its 5G-GUTI and
// ngKSI, enters 5GMM-DEREGISTERED and automatically initiates an initial registration (with its
// SUCI: no 5G-GUTI is left), after which its PDU session is established again and carries data.
// End to end over sockets (NGAP over the SCTP shim, SBI over node:http2, GTP-U through the UPF).
// Before, the UE kept its 5G-GUTI and security context and stayed deregistered without registering.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestNetwork, type TestNetwork } from '../helpers/network.ts';
import { subscribeTrace } from '../../nodes/common/trace.ts';
import { inOrder } from '../helpers/steps.ts';
import { networkInitiatedDeregistration } from '../../nodes/amf/procedures/deregistration-network.ts';
import { ServiceRequestFailed } from '../../nodes/ue/procedures/service-request.ts';
import { GmmState } from '../../nodes/ue/gmm-state.ts';

const SUPI = 'imsi-001010000000742';
let net: TestNetwork;

beforeAll(async () => {
  net = await startTestNetwork(211, [SUPI]);
});
afterAll(async () => {
  await net?.stop();
});

describe('Service Request for a UE the network no longer holds (issue 23)', () => {
  it('SERVICE REJECT #9; the UE deletes its 5G-GUTI and ngKSI and registers again by itself; its session comes back; ledgers back', async () => {
    const before = net.ledgers();
    const u = net.ue(SUPI);
    await u.register(net.gnb);
    await u.establishPduSession(1);
    await net.quiet();
    await net.gnb.releaseAn(u.side);
    await net.quiet();
    expect(u.connected).toBe(false);
    // the implicit de-registration timer's expiry (implicit-deregistration.ts), without waiting for it
    const amf = net.core.amf;
    expect(await networkInitiatedDeregistration(amf, amf.bySupi.get(SUPI)!, { trigger: 'implicit', accessType: 1, reRegistrationRequired: false })).toBeDefined();
    await net.quiet();
    expect(amf.bySupi.has(SUPI)).toBe(false);
    expect(u.state).toBe(GmmState.REGISTERED); // the UE was not told (no NAS for an implicit de-registration)

    const steps: string[] = [];
    // what the UE holds when its Registration request leaves
    const held: { guti: boolean; security: boolean }[] = [];
    const off = subscribeTrace((e) => {
      steps.push(`${e.from}>${e.to} ${e.message}${e.step ? ` [${e.step}]` : ''}`);
      if (e.from === 'UE' && e.message.startsWith('Registration request')) held.push({ guti: u.guti !== undefined, security: u.nasCounts !== undefined });
    });
    let failure: unknown;
    try {
      failure = await u.ping('10.45.255.254', 1).then(() => undefined, (e: unknown) => e);
      expect(failure).toBeInstanceOf(ServiceRequestFailed);
      expect((failure as ServiceRequestFailed).fiveGmmCause).toBe(9);
      // TS 24.501 5.6.1.5 #9: 5G-GUTI and ngKSI deleted, 5GMM-DEREGISTERED (before the registration it starts)
      await u.networkDeregistration.reRegistration;
      await net.quiet();
    } finally {
      off();
    }
    inOrder(steps, [
      'UE>AMF Service request [4.2.3.2 step 1]',
      'AMF>UE Service reject [TS 24.501 5.6.1.5]',
      'AMF>gNB UEContextReleaseCommand [TS 24.501 5.6.1.5]',
      'UE>AMF Registration request',
      'AMF>AUSF Nausf_UEAuthentication_Authenticate',
      'UE>AMF Registration complete',
      'UE>AMF UL NAS transport (PDU session establishment request)',
    ]);
    // the initial registration identified the UE by its SUCI: no 5G-GUTI was left (and no ngKSI: authenticated afresh)
    const registrations = steps.filter((s) => s.startsWith('UE>AMF Registration request'));
    expect(registrations).toHaveLength(1);
    expect(u.state).toBe(GmmState.REGISTERED);
    expect(held).toEqual([{ guti: false, security: false }]);
    expect(amf.bySupi.get(SUPI)?.sessions.size).toBe(1);
    expect(await u.ping('10.45.255.254', 2)).toBeGreaterThanOrEqual(0);
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await net.quiet();
    expect(net.ledgers()).toEqual(before);
  });
});
