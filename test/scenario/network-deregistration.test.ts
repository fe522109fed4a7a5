// Network-initiated Deregistration (TS 23.502 4.2.2.3.3; TS 24.501 5.5.2.3) end to end over real
// sockets, per trigger: the steps in the clause's order as the trace records them, the UE's
// handling of the de-registration type and cause, T3522's retransmissions and abort, the
// collision with a UE-initiated de-registration, and every ledger back at its start. Message
// names are judged by our own codecs here; tshark judges the same messages in
// test/control/network-deregistration.test.ts.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { startTestNetwork, type TestNetwork } from '../helpers/network.ts';
import { inOrder } from '../helpers/steps.ts';
import { loadScenario } from '../../nodes/control/scenario-file.ts';
import { stepOrder } from '../../nodes/control/step-order.ts';

// the step orders are stated once, in the built-in scenario network-deregistration (whose run checks them too)
const scenario = loadScenario('network-deregistration');
import { networkInitiatedDeregistration } from '../../nodes/amf/procedures/deregistration-network.ts';
import { GmmState } from '../../nodes/ue/gmm-state.ts';
import type { Ue } from '../../nodes/ue/ue.ts';

const SUPIS = ['imsi-001010000000401', 'imsi-001010000000402', 'imsi-001010000000403', 'imsi-001010000000404', 'imsi-001010000000405', 'imsi-001010000000406'];
let net: TestNetwork;
let slow: TestNetwork;
let idle: TestNetwork;

beforeAll(async () => {
  net = await startTestNetwork(154, SUPIS);
  // T3522 at 50 ms (the AMF's timers as test/scenario/abandoned.test.ts shortens them)
  slow = await startTestNetwork(155, SUPIS.slice(0, 1), { amfTimers: { t3522Ms: 50 } });
  // TS 24.501 5.3.7 timers at 1.5 s each (defaults T3512 + 4 min and 4 min)
  idle = await startTestNetwork(158, SUPIS.slice(0, 2), { amfTimers: { mobileReachableMs: 1500, implicitDeregistrationMs: 1500 } });
});

afterAll(async () => {
  await net?.stop();
  await slow?.stop();
  await idle?.stop();
});

async function recorded<T>(n: TestNetwork, fn: () => Promise<T>): Promise<{ result: T; steps: string[]; events: TraceEvent[] }> {
  const events: TraceEvent[] = [];
  const off = subscribeTrace((e) => events.push(e));
  try {
    const result = await fn();
    await n.quiet();
    for (let i = 0; i < 100 && n.gnb.ueCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    return { result, events, steps: events.filter((e) => e.step?.includes('4.2.2.3')).map((e) => `${e.from}>${e.to} ${e.message} [${e.step}]`) };
  } finally {
    off();
  }
}

async function registeredWith(n: TestNetwork, supi: string, sessions: number): Promise<Ue> {
  const u = n.ue(supi);
  await u.register(n.gnb);
  for (let psi = 1; psi <= sessions; psi++) await u.establishPduSession(psi);
  await n.quiet();
  return u;
}

describe('Network-initiated Deregistration (TS 23.502 4.2.2.3.3)', () => {
  it('AMF explicit (O&M), two PDU sessions: steps 2, 4 (4.2.2.3.2 steps 2-5 at the SMF), 5, 5a, 6, 7 in order; the UE stays deregistered; ledgers back', async () => {
    const before = net.ledgers();
    const u = await registeredWith(net, SUPIS[0], 2);
    const { result, steps } = await recorded(net, () => networkInitiatedDeregistration(net.core.amf, net.core.amf.bySupi.get(SUPIS[0])!, { trigger: 'o&m', accessType: 1, reRegistrationRequired: false }));
    expect(result).toBe('accepted');
    inOrder(steps, stepOrder(scenario, 'amf-deregister', '7-7')); // O&M, two PDU sessions
    expect(steps.filter((s) => s.includes('Nsmf_PDUSession_ReleaseSMContext [4.2.2.3.3 step 4]'))).toHaveLength(2);
    expect(steps.some((s) => s.startsWith('UE>AMF Deregistration accept (UE terminated) [4.2.2.3.3 step 6]'))).toBe(true);
    expect(u.state).toBe(GmmState.DEREGISTERED);
    expect(u.sessions.size).toBe(0);
    expect(u.networkDeregistration.last).toMatchObject({ reRegistrationRequired: false, action: 'stay-deregistered' });
    expect(net.core.amf.bySupi.has(SUPIS[0])).toBe(false);
    expect(net.ledgers()).toEqual(before);
  });

  it('re-registration required, one PDU session: the UE registers again after the connection release and re-establishes its session', async () => {
    const before = net.ledgers();
    const u = await registeredWith(net, SUPIS[1], 1);
    const oldAddress = u.sessions.get(1)!.address;
    const { result } = await recorded(net, () => networkInitiatedDeregistration(net.core.amf, net.core.amf.bySupi.get(SUPIS[1])!, { trigger: 'o&m', accessType: 1, reRegistrationRequired: true }));
    expect(result).toBe('accepted');
    for (let i = 0; i < 100 && !u.networkDeregistration.reRegistration && u.state !== GmmState.REGISTERED; i++) await new Promise((r) => setTimeout(r, 20));
    await u.networkDeregistration.reRegistration;
    expect(u.networkDeregistration.last?.action).toBe('re-register');
    expect(u.state).toBe(GmmState.REGISTERED);
    expect([...u.sessions.keys()]).toEqual([1]);
    expect(typeof oldAddress).toBe('string');
    expect(await u.ping('10.45.255.254', 1, { psi: 1 })).toBeGreaterThanOrEqual(0);
    expect(net.core.amf.stateOf(SUPIS[1])).toBe('5GMM-REGISTERED');
    await u.deregister({ switchOff: true });
    await net.quiet();
    expect(net.ledgers()).toEqual(before);
  });

  it('re-registration not required with cause #7, no PDU session: the USIM is invalid for 5GS and a new registration is refused by the UE itself', async () => {
    const u = await registeredWith(net, SUPIS[2], 0);
    const { result, steps } = await recorded(net, () => networkInitiatedDeregistration(net.core.amf, net.core.amf.bySupi.get(SUPIS[2])!, { trigger: 'o&m', accessType: 1, reRegistrationRequired: false, fiveGmmCause: 7 }));
    expect(result).toBe('accepted');
    expect(steps.some((s) => s.includes('ReleaseSMContext'))).toBe(false);
    expect(u.networkDeregistration.last).toMatchObject({ fiveGmmCause: 7, action: 'usim-invalid' });
    await expect(u.register(net.gnb)).rejects.toThrow(/USIM is invalid for 5GS/);
  });

  it('no allowed S-NSSAI: the request carries the rejected NSSAI with its cause, and the UE stores it', async () => {
    const u = await registeredWith(net, SUPIS[3], 1);
    const { result } = await recorded(net, () => networkInitiatedDeregistration(net.core.amf, net.core.amf.bySupi.get(SUPIS[3])!, { trigger: 'no-allowed-nssai', accessType: 1, reRegistrationRequired: false, fiveGmmCause: 62, rejectedNssai: [{ cause: 1, sst: 1 }] }));
    expect(result).toBe('accepted');
    expect(u.rejectedNssai).toEqual([{ cause: 1, sst: 1 }]);
    expect(u.networkDeregistration.last).toMatchObject({ fiveGmmCause: 62, action: 'stay-deregistered' });
  });

  it('no allowed S-NSSAI after a subscription change (TS 23.502 4.5.1 -> 4.2.2.3.3): the UDM notifies the AMF, which deregisters the UE with the rejected NSSAI and cause #62', async () => {
    const supi = SUPIS[3];
    const u = await registeredWith(net, supi, 1);
    const rec = net.core.store.get(supi)!;
    net.core.store.upsert({ supi, k: rec.k, opc: rec.opc, amf: rec.amf, sqn: rec.sqn, dnns: rec.dnns, sessionQos: rec.sessionQos, snssais: [{ sst: 2 }] });
    try {
      const { steps } = await recorded(net, async () => {
        expect(await net.core.udm.notifySubscriptionChange(supi)).toBe(1);
        for (let i = 0; i < 200 && net.core.amf.bySupi.has(supi); i++) await new Promise((r) => setTimeout(r, 20));
      });
      inOrder(steps, stepOrder(scenario, 'udm-update', '10-10'));
      expect(u.rejectedNssai).toEqual([{ cause: 0, sst: 1 }]);
      expect(u.networkDeregistration.last).toMatchObject({ fiveGmmCause: 62, reRegistrationRequired: false });
    } finally {
      net.core.store.upsert({ supi, k: rec.k, opc: rec.opc, amf: rec.amf, sqn: rec.sqn, dnns: rec.dnns, sessionQos: rec.sessionQos, snssais: rec.snssais });
    }
  });

  it('collision: the UE\'s own de-registration crosses the network\'s; the UE ignores the network\'s request, the AMF accepts the UE\'s, both end once', async () => {
    const before = net.ledgers();
    const u = await registeredWith(net, SUPIS[4], 1);
    const amfUe = net.core.amf.bySupi.get(SUPIS[4])!;
    const { result, steps } = await recorded(net, async () => {
      const network = networkInitiatedDeregistration(net.core.amf, amfUe, { trigger: 'o&m', accessType: 1, reRegistrationRequired: false });
      const own = u.deregister({ switchOff: false });
      return Promise.all([network, own]);
    });
    expect(result).toEqual(['ue-deregistered', 'accepted']);
    expect(u.networkDeregistration.last?.action).toBe('ignored (own de-registration in progress)');
    inOrder(steps, ['Deregistration request (UE terminated) [4.2.2.3.3 step 2]', 'Deregistration accept (UE originating) [4.2.2.3.3 step 6 (collision, TS 24.501 5.5.2.3.5)]', 'UEContextReleaseCommand [4.2.2.3.3 step 7]']);
    expect(u.state).toBe(GmmState.DEREGISTERED);
    expect(net.ledgers()).toEqual(before);
  });

  it('UDM-initiated (subscription withdrawn), one PDU session: steps 1-7 in order, the AMF does not deregister from the UDM itself; cause #7 at the UE', async () => {
    const before = net.ledgers();
    const u = await registeredWith(net, SUPIS[5], 1);
    const { steps } = await recorded(net, async () => {
      await net.core.udm.notifyDeregistration(SUPIS[5], 'SUBSCRIPTION_WITHDRAWN');
      for (let i = 0; i < 200 && net.core.amf.bySupi.has(SUPIS[5]); i++) await new Promise((r) => setTimeout(r, 20));
    });
    inOrder(steps, stepOrder(scenario, 'udm-withdraw', '6-6')); // subscription withdrawn, one PDU session
    expect(steps.some((s) => s.startsWith('UE>AMF Deregistration accept (UE terminated) [4.2.2.3.3 step 6]'))).toBe(true);
    expect(steps.some((s) => s.startsWith('AMF>UDM Nudm_UECM_Deregistration'))).toBe(false);
    expect(u.networkDeregistration.last).toMatchObject({ reRegistrationRequired: false, fiveGmmCause: 7, action: 'usim-invalid' });
    expect(net.ledgers()).toEqual(before);
    await expect(net.core.udm.notifyDeregistration(SUPIS[5], 'SUBSCRIPTION_WITHDRAWN')).rejects.toThrow(/no AMF is registered/);
  });

  it('T3522: a UE that never answers gets the request five times (four retransmissions), then the AMF aborts and releases the context', async () => {
    const before = slow.ledgers();
    const u = await registeredWith(slow, SUPIS[0], 1);
    const ignored: string[] = [];
    u.onNetworkDeregistration = (m) => void ignored.push(m.name); // a UE that hears nothing
    const { result, steps } = await recorded(slow, () => networkInitiatedDeregistration(slow.core.amf, slow.core.amf.bySupi.get(SUPIS[0])!, { trigger: 'o&m', accessType: 1, reRegistrationRequired: false }));
    expect(result).toBe('aborted-after-t3522');
    expect(ignored).toHaveLength(5);
    const requests = steps.filter((s) => s.startsWith('AMF>UE Deregistration request (UE terminated)'));
    expect(requests).toEqual([
      'AMF>UE Deregistration request (UE terminated) [4.2.2.3.3 step 2]',
      ...[1, 2, 3, 4].map((n) => `AMF>UE Deregistration request (UE terminated) [4.2.2.3.3 step 2 (T3522 retransmission ${n}, TS 24.501 5.5.2.3.5)]`),
    ]);
    inOrder(steps, ['T3522 retransmission 4', 'UEContextReleaseCommand [4.2.2.3.3 step 7]', 'Nudm_UECM_Deregistration [4.2.2.3.3 step 7]']);
    expect(slow.ledgers()).toEqual(before);
  });

  it('implicit: a UE in CM-IDLE that makes no contact is deregistered when the mobile reachable and implicit de-registration timers expire, without any NAS message', async () => {
    const before = idle.ledgers();
    const u = await registeredWith(idle, SUPIS[0], 1);
    let idleAt = '';
    const { steps, events } = await recorded(idle, async () => {
      await idle.gnb.releaseAn(u.side); // AN release (TS 23.502 4.2.6): CM-IDLE, the AMF keeps the registration
      idleAt = idle.core.amf.stateOf(SUPIS[0]) ?? 'gone';
      for (let i = 0; i < 300 && idle.core.amf.bySupi.has(SUPIS[0]); i++) await new Promise((r) => setTimeout(r, 20));
    });
    expect(idleAt).toBe('5GMM-REGISTERED');
    expect(idle.core.amf.bySupi.has(SUPIS[0])).toBe(false);
    inOrder(steps, stepOrder(scenario, 'await-implicit', '12-12'));
    // after the AN release, nothing more to the UE or the gNB
    const lastRelease = events.map((e) => e.message).lastIndexOf('UEContextReleaseComplete');
    expect(events.slice(lastRelease + 1).filter((e) => e.interface === 'N1' || e.interface === 'N2').map((e) => e.message)).toEqual([]);
    expect(idle.ledgers()).toEqual(before);
  });

  it('implicit: a UE that comes back before the timers expire (periodic registration update) stays registered', async () => {
    const before = idle.ledgers();
    const u = await registeredWith(idle, SUPIS[1], 0);
    await idle.gnb.releaseAn(u.side);
    const first = idle.core.amf.bySupi.get(SUPIS[1])!.mobileReachableTimer;
    expect(first).toBeDefined();
    await u.updateRegistration({ type: 'periodic' });
    await idle.quiet();
    // the update stopped the timers; the AMF released the connection after it (TS 24.501
    // 5.5.1.3.4), so the mobile reachable timer runs again: a new one, not the first
    expect(idle.core.amf.stateOf(SUPIS[1])).toBe('5GMM-REGISTERED');
    expect(u.connected).toBe(false);
    const again = idle.core.amf.bySupi.get(SUPIS[1])!.mobileReachableTimer;
    expect(again).toBeDefined();
    expect(again).not.toBe(first);
    expect(u.state).toBe(GmmState.REGISTERED);
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await idle.quiet();
    expect(idle.ledgers()).toEqual(before);
  });
});
