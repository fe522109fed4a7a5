// The UE's side of network-initiated de-registration (TS 24.501 5.5.2.3.2; TS 23.502 4.2.2.3.3 steps
// 2 and 6) against the scripted network of ./network.ts, on virtual time: every 5GMM cause the UE
// acts on (#3, #6, #7: USIM invalid for 5GS; #11: PLMN forbidden; #62: rejected NSSAI stored;
// another cause or none: stays deregistered), "re-registration required" (a new registration once
// the NAS signalling connection is released), and the collision with its own de-registration
// (5.5.2.2.6 c). The DEREGISTRATION ACCEPT's encoding is judged by our codec here and by tshark in
// test/control/network-deregistration.test.ts.

import { describe, it, expect } from 'vitest';
import { Ue, type UeConfig } from '../../nodes/ue/ue.ts';
import { GmmState } from '../../nodes/ue/gmm-state.ts';
import { T3521_MS } from '../../nodes/ue/deregistration.ts';
import { VirtualClock } from '../../transport/clock.ts';
import { nasMessage } from '../../codecs/nas/index.ts';
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

const request = (o: { reRegistrationRequired?: boolean; cause?: number; rejectedNssai?: { cause: number; sst: number }[] } = {}) =>
  nasMessage('Deregistration request (UE terminated)', {
    deregistrationType: { switchOff: false, reRegistrationRequired: o.reRegistrationRequired ?? false, accessType: 1 },
    ...(o.cause !== undefined ? { fiveGmmCause: o.cause } : {}),
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
