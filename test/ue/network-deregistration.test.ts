// The UE's side of network-initiated de-registration (TS 24.501 5.5.2.3.2; TS 23.502 4.2.2.3.3 steps
// 2 and 6) against the scripted network of ./network.ts, on virtual time: every 5GMM cause the UE
// acts on (#3, #6, #7: USIM invalid for 5GS; #11: PLMN forbidden; #62: rejected NSSAI stored;
// #12: the TAI stored as forbidden for regional provision of service; #13, #15: forbidden for roaming;
// #22 with T3346: back-off, then a registration at its expiry; #27: 5GMM-NULL; #72: N1 mode off for
// non-3GPP access; #73: the PLMN forbidden; a forbidden TA, PLMN or T3346 leaves the emergency
// registration (type 4); another cause or none: stays deregistered), "re-registration required" (a new registration once
// the NAS signalling connection is released), and the collision with its own de-registration
// (5.5.2.2.6 c). The DEREGISTRATION ACCEPT's encoding is judged by our codec here and by tshark in
// test/control/network-deregistration.test.ts.

import { describe, it, expect } from 'vitest';
import { Ue, type UeConfig } from '../../nodes/ue/ue.ts';
import { GmmState } from '../../nodes/ue/gmm-state.ts';
import { T3521_MS } from '../../nodes/ue/deregistration.ts';
import { VirtualClock } from '../../transport/clock.ts';
import { nasMessage, gprsTimer2, type GprsTimer } from '../../codecs/nas/index.ts';
import { FakeNetwork, SUBSCRIBER, PLMN } from './network.ts';

async function registered(o: Partial<UeConfig> = {}) {
  const clock = new VirtualClock();
  const ue = new Ue({ ...SUBSCRIBER, plmn: PLMN, snssai: { sst: 1 }, dnn: 'internet', imeisv: '3560920407930101', clock, ...o });
  const net = new FakeNetwork();
  const done = ue.register(net);
  await net.next();
  net.authenticate(0x40);
  await net.next();
  net.securityModeCommand({ ciphering: 0 });
  await net.next();
  net.registrationAccept();
  await net.next();
  await done;
  return { ue, net, clock };
}

const request = (o: { reRegistrationRequired?: boolean; cause?: number; rejectedNssai?: { cause: number; sst: number }[]; t3346?: GprsTimer } = {}) =>
  nasMessage('Deregistration request (UE terminated)', {
    deregistrationType: { switchOff: false, reRegistrationRequired: o.reRegistrationRequired ?? false, accessType: 1 },
    ...(o.cause !== undefined ? { fiveGmmCause: o.cause } : {}),
    ...(o.t3346 ? { t3346Value: o.t3346 } : {}),
    ...(o.rejectedNssai ? { rejectedNssai: o.rejectedNssai } : {}),
  });

describe('network-initiated de-registration, UE side (TS 24.501 5.5.2.3.2), virtual time', () => {
  for (const cause of [3, 6, 7]) {
    it(`#${cause}: DEREGISTRATION ACCEPT, then the 5G-GUTI and the security context are deleted and the USIM is invalid for 5GS until switched off`, async () => {
      const { ue, net, clock } = await registered();
      net.send(request({ cause }));
      expect((await net.next()).message.name).toBe('Deregistration accept (UE terminated)');
      expect(ue.state).toBe(GmmState.DEREGISTERED);
      expect(ue.networkDeregistration.last).toMatchObject({ fiveGmmCause: cause, action: 'usim-invalid' });
      expect(ue.fiveGGuti).toBeUndefined();
      expect(ue.security).toBeUndefined();
      net.rrcRelease();
      clock.advance(10 * T3521_MS); // no timer of the UE acts: it does not register again by itself
      expect(net.pendingUplink).toBe(0);
      await expect(ue.register(net)).rejects.toThrow(/USIM is invalid for 5GS/);
    });
  }

  it('#11: the 5G-GUTI is deleted and the PLMN stored as forbidden; a registration on it is refused by the UE', async () => {
    const { ue, net } = await registered();
    net.send(request({ cause: 11 }));
    expect((await net.next()).message.name).toBe('Deregistration accept (UE terminated)');
    expect(ue.networkDeregistration.last?.action).toBe('plmn-forbidden');
    expect(ue.fiveGGuti).toBeUndefined();
    expect(ue.forbiddenPlmns.has('00101')).toBe(true);
    net.rrcRelease();
    await expect(ue.register(net)).rejects.toThrow(/PLMN 00101 is forbidden/);
  });

  it('#73 serving network not authorized: as #11, the PLMN stored as forbidden; only an emergency registration (type 4) may start', async () => {
    const { ue, net } = await registered();
    net.send(request({ cause: 73 }));
    expect((await net.next()).message.name).toBe('Deregistration accept (UE terminated)');
    expect(ue.networkDeregistration.last?.action).toBe('plmn-forbidden');
    expect(ue.restrictions).toMatchObject({ updateStatus: '5U3', substate: 'PLMN-SEARCH' });
    expect(ue.fiveGGuti).toBeUndefined();
    expect(ue.security).toBeUndefined();
    net.rrcRelease();
    await expect(ue.register(net)).rejects.toThrow(/PLMN 00101 is forbidden .*#73/);
    void ue.register(net, { emergency: true }).catch(() => {});
    const r = (await net.next()).message;
    expect(r.ies.registrationType).toEqual({ followOnRequest: true, value: 4 });
    expect(r.ies.requestedNssai).toBeUndefined();
  });

  it('#12 tracking area not allowed: the TAI in the 5GS forbidden tracking areas for regional provision of service, LIMITED-SERVICE; emergency registration only', async () => {
    const { ue, net } = await registered();
    net.send(request({ cause: 12 }));
    expect((await net.next()).message.name).toBe('Deregistration accept (UE terminated)');
    expect(ue.networkDeregistration.last?.action).toBe('ta-forbidden-regional');
    expect([...ue.restrictions.forbiddenTaisForRegionalProvision]).toEqual(['00101-1']);
    expect([...ue.restrictions.forbiddenTaisForRoaming]).toEqual([]);
    expect(ue.restrictions).toMatchObject({ updateStatus: '5U3', substate: 'LIMITED-SERVICE' });
    expect(ue.fiveGGuti).toBeUndefined();
    expect(ue.forbiddenPlmns.size).toBe(0);
    net.rrcRelease();
    await expect(ue.register(net)).rejects.toThrow(/TAI 00101-1 is in the 5GS forbidden tracking areas for regional provision of service/);
    void ue.register(net, { emergency: true }).catch(() => {});
    expect((await net.next()).message.ies.registrationType).toEqual({ followOnRequest: true, value: 4 });
  });

  for (const [cause, substate] of [[13, 'PLMN-SEARCH'], [15, 'LIMITED-SERVICE']] as const) {
    it(`#${cause}: the TAI in the 5GS forbidden tracking areas for roaming, ${substate}; no registration in that TA`, async () => {
      const { ue, net } = await registered();
      net.send(request({ cause }));
      expect((await net.next()).message.name).toBe('Deregistration accept (UE terminated)');
      expect(ue.networkDeregistration.last?.action).toBe('ta-forbidden-roaming');
      expect([...ue.restrictions.forbiddenTaisForRoaming]).toEqual(['00101-1']);
      expect(ue.restrictions).toMatchObject({ updateStatus: '5U3', substate });
      expect(ue.security).toBeUndefined();
      net.rrcRelease();
      await expect(ue.register(net)).rejects.toThrow(/forbidden tracking areas for roaming/);
    });
  }

  it('#22 with T3346 (2 min, GPRS timer 2): back-off in ATTEMPTING-REGISTRATION; no registration before its expiry, one at it (TS 24.501 5.2.2.3.3)', async () => {
    const { ue, net, clock } = await registered();
    expect(gprsTimer2(120)).toEqual({ unit: 1, value: 2 });
    net.send(request({ cause: 22, t3346: gprsTimer2(120) }));
    expect((await net.next()).message.name).toBe('Deregistration accept (UE terminated)');
    expect(ue.networkDeregistration.last).toMatchObject({ action: 'congestion-backoff', t3346Seconds: 120 });
    expect(ue.restrictions).toMatchObject({ updateStatus: '5U2', substate: 'ATTEMPTING-REGISTRATION', t3346: { seconds: 120 } });
    // not a roaming restriction: the 5G-GUTI stays
    expect(ue.fiveGGuti).toBeDefined();
    net.rrcRelease();
    await expect(ue.register(net)).rejects.toThrow(/T3346 is running \(120 s/);
    clock.advance(119_999);
    expect(net.pendingUplink).toBe(0);
    clock.advance(1);
    const r = (await net.next()).message;
    expect(r.name).toBe('Registration request');
    expect(r.ies.registrationType).toEqual({ followOnRequest: true, value: 1 });
    expect(ue.restrictions.t3346).toBeUndefined();
  });

  it('#22 with T3346 deactivated: the abnormal case (TS 24.501 5.5.2.3.4), no back-off', async () => {
    const { ue, net } = await registered();
    net.send(request({ cause: 22, t3346: { unit: 7, value: 1 } }));
    expect((await net.next()).message.name).toBe('Deregistration accept (UE terminated)');
    expect(ue.networkDeregistration.last?.action).toBe('stay-deregistered');
    expect(ue.restrictions.t3346).toBeUndefined();
  });

  it('#27 N1 mode not allowed: 5GMM-NULL, no registration at all, not even for emergency', async () => {
    const { ue, net, clock } = await registered();
    net.send(request({ cause: 27 }));
    expect((await net.next()).message.name).toBe('Deregistration accept (UE terminated)');
    expect(ue.networkDeregistration.last?.action).toBe('n1-mode-disabled');
    expect(ue.state).toBe(GmmState.NULL);
    expect(ue.fiveGGuti).toBeUndefined();
    net.rrcRelease();
    clock.advance(60_000);
    expect(net.pendingUplink).toBe(0);
    await expect(ue.register(net)).rejects.toThrow(/N1 mode is disabled/);
    await expect(ue.register(net, { emergency: true })).rejects.toThrow(/N1 mode is disabled/);
  });

  it('#72 non-3GPP access to 5GCN not allowed: N1 mode disabled for non-3GPP access, the 5G-GUTI deleted; 3GPP access still usable', async () => {
    const { ue, net } = await registered();
    net.send(request({ cause: 72 }));
    expect((await net.next()).message.name).toBe('Deregistration accept (UE terminated)');
    expect(ue.networkDeregistration.last?.action).toBe('non-3gpp-disabled');
    expect(ue.restrictions).toMatchObject({ n1ModeDisabledForNon3gpp: true, updateStatus: '5U3' });
    expect(ue.fiveGGuti).toBeUndefined();
    expect(ue.state).toBe(GmmState.DEREGISTERED);
    net.rrcRelease();
    void ue.register(net).catch(() => {});
    expect((await net.next()).message.ies.registrationType).toEqual({ followOnRequest: true, value: 1 });
  });

  it('#62 with the rejected NSSAI: stored (TS 24.501 4.6.2.2); the UE stays deregistered and may register again', async () => {
    const { ue, net, clock } = await registered();
    net.send(request({ cause: 62, rejectedNssai: [{ cause: 1, sst: 1 }] }));
    expect((await net.next()).message.name).toBe('Deregistration accept (UE terminated)');
    expect(ue.rejectedNssai).toEqual([{ cause: 1, sst: 1 }]);
    expect(ue.networkDeregistration.last).toMatchObject({ fiveGmmCause: 62, action: 'stay-deregistered' });
    net.rrcRelease();
    clock.advance(60_000);
    expect(net.pendingUplink).toBe(0);
    const again = ue.register(net);
    expect((await net.next()).message.name).toBe('Registration request');
    void again.catch(() => {});
  });

  it('another cause (#22) or none: stays deregistered, keeps its USIM valid', async () => {
    for (const cause of [22, undefined]) {
      const { ue, net } = await registered();
      net.send(request(cause !== undefined ? { cause } : {}));
      expect((await net.next()).message.name).toBe('Deregistration accept (UE terminated)');
      expect(ue.networkDeregistration.last?.action).toBe('stay-deregistered');
      expect(ue.usimInvalidFor5gs).toBe(false);
      expect(ue.state).toBe(GmmState.DEREGISTERED);
    }
  });

  it('re-registration required: the UE registers again once the NAS signalling connection is released, not before', async () => {
    const { ue, net, clock } = await registered();
    net.send(request({ reRegistrationRequired: true }));
    expect((await net.next()).message.name).toBe('Deregistration accept (UE terminated)');
    expect(ue.networkDeregistration.reRegistrationPending).toBe(true);
    clock.advance(60_000);
    expect(net.pendingUplink).toBe(0);
    net.rrcRelease();
    clock.advance(0);
    expect((await net.next()).message.name).toBe('Registration request');
  });

  it('collision (TS 24.501 5.5.2.2.6 c): a request received while the UE\'s own de-registration runs is ignored; T3521 goes on', async () => {
    const { ue, net, clock } = await registered();
    const own = ue.deregister({ switchOff: false });
    expect((await net.next()).message.name).toBe('Deregistration request (UE originating)');
    net.send(request({ cause: 7 }));
    expect(ue.networkDeregistration.last?.action).toBe('ignored (own de-registration in progress)');
    expect(ue.usimInvalidFor5gs).toBe(false);
    clock.advance(T3521_MS);
    expect((await net.next()).message.name).toBe('Deregistration request (UE originating)');
    net.send(nasMessage('Deregistration accept (UE originating)', {}));
    expect(await own).toBe('accepted');
  });
});
