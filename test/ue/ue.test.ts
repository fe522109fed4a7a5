import { describe, it, expect } from 'vitest';
import { Ue, RegistrationRejected, PduSessionRejected, T3510_MS, T3580_MS, type UeConfig } from '../../nodes/ue/ue.ts';
import { GmmState } from '../../nodes/ue/gmm-state.ts';
import { T3521_MS } from '../../nodes/ue/deregistration.ts';
import { VirtualClock } from '../../transport/clock.ts';
import { resynchronise } from '../../crypto/aka.ts';
import { nasMessage, encodeNasMessage, decodeNasMessage, protectNas, type MobileIdentity } from '../../codecs/nas/index.ts';
import { fromHex } from '../../codecs/bytes/hex.ts';
import { publicKeyOf, deconcealSuci, bcdToMsin } from '../../crypto/suci.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { FakeNetwork, SUBSCRIBER, PLMN, GUTI } from './network.ts';

function newUe(o: Partial<UeConfig> = {}): Ue {
  return new Ue({ ...SUBSCRIBER, plmn: PLMN, snssai: { sst: 1 }, dnn: 'internet', imeisv: '3560920407930101', ...o });
}

/** Runs TS 23.502 4.2.2.2.2 steps 1-22 against the scripted network. */
async function registered(o: { ue?: Partial<UeConfig>; ciphering?: number } = {}) {
  const ue = newUe(o.ue);
  const net = new FakeNetwork();
  const done = ue.register(net);
  await net.next();
  net.authenticate(0x40);
  await net.next();
  net.securityModeCommand({ ciphering: o.ciphering ?? 0 });
  await net.next();
  net.registrationAccept();
  await net.next();
  const result = await done;
  return { ue, net, result };
}

async function withSession(o: Parameters<typeof registered>[0] = {}) {
  const r = await registered(o);
  const p = r.ue.establishPduSession(1);
  const ul = await r.net.next();
  const req = decodeNasMessage(ul.message.ies.payloadContainer as Uint8Array);
  r.net.send(nasMessage('DL NAS transport', {
    payloadContainerType: 1,
    pduSessionId: 1,
    payloadContainer: encodeNasMessage(nasMessage('PDU session establishment accept', {
      selectedPduSessionType: 1,
      selectedSscMode: 1,
      authorizedQosRules: [{ id: 1, operationCode: 1, dqr: true, packetFilters: [{ direction: 3, id: 1, contents: Uint8Array.of(0x01) }], precedence: 255, segregation: false, qfi: 9 }],
      sessionAmbr: { dlUnit: 6, dl: 1000, ulUnit: 6, ul: 1000 },
      pduAddress: { pduSessionType: 1, ipv4: '10.45.0.2' },
      sNssai: { sst: 1 },
      dnn: 'internet',
    }, { pduSessionId: 1, pti: req.pti ?? 0 })),
  }));
  const s = await p;
  return { ...r, address: s.address };
}

describe('UE initial registration (TS 24.501 5.5.1.2, TS 23.502 4.2.2.2.2)', () => {
  it('runs identification, 5G AKA, security mode control with NEA2 and the accept, with the spec\'s protection on every message', async () => {
    const traces: TraceEvent[] = [];
    const unsubscribe = subscribeTrace((e) => traces.push(e));
    const ue = newUe({ security: { ciphering: 'NEA2' } });
    const net = new FakeNetwork();
    const done = ue.register(net);
    expect(ue.state).toBe(GmmState.REGISTERED_INITIATED);

    // step 1: plain Registration request with only the cleartext IEs (TS 24.501 4.4.6)
    const req = await net.next();
    expect(req.securityHeaderType).toBe(0);
    expect(req.message.name).toBe('Registration request');
    expect(Object.keys(req.message.ies).sort()).toEqual(['mobileIdentity', 'ngKsi', 'registrationType', 'ueSecurityCapability']);
    expect(req.message.ies.registrationType).toEqual({ followOnRequest: true, value: 1 });
    expect(req.message.ies.ngKsi).toEqual({ tsc: 0, ksi: 7 });
    expect(req.message.ies.ueSecurityCapability).toEqual({ ea: 0xa0, ia: 0x20 });
    const suci = req.message.ies.mobileIdentity as MobileIdentity;
    expect(suci.type).toBe('suci');
    expect(net.connects[0].cause).toBe('mo-Signalling');

    // steps 6-7: Identity request -> Identity response with the SUCI
    net.sendPlain(nasMessage('Identity request', { identityType: 1 }));
    const idr = await net.next();
    expect(idr.message.name).toBe('Identity response');
    expect(idr.message.ies.mobileIdentity).toEqual(suci);

    // step 9: 5G AKA, RES* = XRES*
    const av = net.authenticate(0x40);
    const res = await net.next();
    expect(res.message.name).toBe('Authentication response');
    expect(res.message.ies.resStar).toEqual(av.xresStar);
    expect(ue.usim.sqnMsHex).toBe('000000000040');

    // step 9b: SMC with the new context (SHT 3), complete protected with SHT 4, ciphered with NEA2
    net.securityModeCommand({ ciphering: 2 });
    const smcComplete = await net.next();
    expect(smcComplete.securityHeaderType).toBe(4);
    expect(smcComplete.message.name).toBe('Security mode complete');
    expect(smcComplete.message.ies.imeisv).toEqual({ type: 'imeisv', digits: '3560920407930101' });
    const full = decodeNasMessage(smcComplete.message.ies.nasMessageContainer as Uint8Array);
    expect(full.name).toBe('Registration request');
    expect(full.ies.requestedNssai).toEqual([{ sst: 1 }]);
    expect(full.ies.mobileIdentity).toEqual(suci);
    // ciphered: the octets after the header are not the plain message
    expect(smcComplete.bytes[7]).not.toBe(0x7e);

    // step 21-22: Registration accept -> Registration complete
    net.registrationAccept();
    const complete = await net.next();
    expect(complete.securityHeaderType).toBe(2);
    expect(complete.message.name).toBe('Registration complete');
    const result = await done;
    unsubscribe();
    expect(result.guti).toEqual(GUTI);
    expect(result.allowedNssai).toEqual([{ sst: 1 }]);
    expect(result.taiList).toEqual([{ type: 0, plmn: PLMN, tacs: [{ tac: 1 }] }]);
    expect(result.t3512Seconds).toBe(30 * 60);
    expect(result.ciphering).toBe(2);
    expect(ue.state).toBe(GmmState.REGISTERED);
    expect(ue.received).toEqual(['Identity request', 'Authentication request', 'Security mode command', 'Registration accept']);
    expect(ue.discarded).toEqual([]);
    const mine = traces.filter((e) => e.ue === SUBSCRIBER.supi && e.from === 'UE');
    expect(mine.map((e) => e.message)).toEqual(['Registration request', 'Identity response', 'Authentication response', 'Security mode complete', 'Registration complete']);
    expect(mine.every((e) => e.to === 'AMF' && e.interface === 'N1' && e.protocol === 'NAS-5GS' && e.step)).toBe(true);
    expect(mine[0].step).toBe('4.2.2.2.2 step 1');
  });

  it('conceals the SUPI with ECIES profiles A and B so that only the home network key reveals it (TS 33.501 C.3)', async () => {
    for (const profile of ['A', 'B'] as const) {
      const hnPrivate = new Uint8Array(32).fill(profile === 'A' ? 0x11 : 0x22);
      const ue = newUe({ suci: { profile, hnPublicKey: Buffer.from(publicKeyOf(profile, hnPrivate)).toString('hex'), keyId: 3 } });
      const net = new FakeNetwork();
      void ue.register(net).catch(() => {});
      const id = (await net.next()).message.ies.mobileIdentity as Extract<MobileIdentity, { type: 'suci'; supiFormat: 'imsi' }>;
      expect(id.protectionScheme).toBe(profile === 'A' ? 1 : 2);
      expect(id.homeNetworkPublicKeyId).toBe(3);
      expect(bcdToMsin(deconcealSuci(profile, hnPrivate, id.schemeOutput))).toBe('0000000001');
    }
  });

  it('answers a SQN out of range with cause #21 and an AUTS the home network resynchronises from, then succeeds', async () => {
    const ue = newUe({ sqn: '000000000400' });
    const net = new FakeNetwork();
    const done = ue.register(net);
    await net.next();
    const av = net.authenticate(0x40); // older than SQN_MS 0x400
    const fail = await net.next();
    expect(fail.message.name).toBe('Authentication failure');
    expect(fail.message.ies.fiveGmmCause).toBe(21);
    const auts = fail.message.ies.auts as Uint8Array;
    expect(auts.length).toBe(14);
    const sqnMs = resynchronise(fromHex(SUBSCRIBER.k), fromHex(SUBSCRIBER.opc), av.rand, auts);
    expect(sqnMs && Buffer.from(sqnMs).toString('hex')).toBe('000000000400');
    net.authenticate(0x420, { rand: new Uint8Array(16).fill(9) });
    expect((await net.next()).message.name).toBe('Authentication response');
    net.securityModeCommand();
    await net.next();
    net.registrationAccept();
    await net.next();
    await done;
    expect(ue.usim.sqnMsHex).toBe('000000000420');
  });

  it('answers an AUTN whose MAC does not verify with cause #20 (TS 24.501 5.4.1.3.7 c)', async () => {
    const ue = newUe();
    const net = new FakeNetwork();
    const done = ue.register(net);
    await net.next();
    net.authenticate(0x40, { k: new Uint8Array(16).fill(1) });
    const fail = await net.next();
    expect(fail.message.name).toBe('Authentication failure');
    expect(fail.message.ies).toEqual({ fiveGmmCause: 20 });
    expect(ue.usim.sqnMsHex).toBe('000000000020');
    net.sendPlain(nasMessage('Authentication reject', {}));
    await expect(done).rejects.toBeInstanceOf(RegistrationRejected);
    expect(ue.state).toBe(GmmState.DEREGISTERED);
  });

  it('discards a Security mode command whose MAC does not verify and rejects replayed capabilities with #23', async () => {
    const ue = newUe();
    const net = new FakeNetwork();
    const done = ue.register(net);
    await net.next();
    net.authenticate(0x40);
    await net.next();
    net.securityModeCommand({ tamper: true });
    expect(ue.discarded.map((d) => d.name)).toEqual(['Security mode command']);
    expect(net.pendingUplink).toBe(0);
    net.securityModeCommand({ replayed: { ea: 0xf0, ia: 0x70 } });
    const rej = await net.next();
    expect(rej.message.name).toBe('Security mode reject');
    expect(rej.message.ies.fiveGmmCause).toBe(23);
    net.sendPlain(nasMessage('Registration reject', { fiveGmmCause: 23 }));
    await expect(done).rejects.toMatchObject({ fiveGmmCause: 23 });
  });

  it('rejects with the 5GMM cause of a Registration reject', async () => {
    const ue = newUe();
    const net = new FakeNetwork();
    const done = ue.register(net);
    await net.next();
    net.sendPlain(nasMessage('Registration reject', { fiveGmmCause: 3 }));
    const e = await done.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistrationRejected);
    expect((e as RegistrationRejected).fiveGmmCause).toBe(3);
    expect(ue.state).toBe(GmmState.DEREGISTERED);
  });

  it('aborts on T3510 expiry (15 s, virtual time) and releases the connection locally', async () => {
    const clock = new VirtualClock();
    const ue = newUe({ clock });
    const net = new FakeNetwork();
    const done = ue.register(net);
    await net.next();
    clock.advance(T3510_MS - 1);
    expect(ue.state).toBe(GmmState.REGISTERED_INITIATED);
    clock.advance(1);
    await expect(done).rejects.toThrow(/T3510/);
    expect(net.releasedByUe).toBe(1);
    expect(ue.state).toBe(GmmState.DEREGISTERED);
  });

  it('answers the AMF\'s retransmissions (T3560, T3550) without breaking SQN or NAS COUNTs (TS 24.501 5.4.1.3.4, 5.4.2.7, 5.5.1.2.8)', async () => {
    const ue = newUe();
    const net = new FakeNetwork();
    const done = ue.register(net);
    await net.next();
    const rand = new Uint8Array(16).fill(3);
    net.authenticate(0x40, { rand });
    const first = await net.next();
    net.authenticate(0x40, { rand }); // same RAND: the stored RES*, no synch failure
    const again = await net.next();
    expect(again.message.name).toBe('Authentication response');
    expect(again.message.ies.resStar).toEqual(first.message.ies.resStar);
    const ctx = net.securityModeCommand();
    const c1 = await net.next();
    expect(c1.bytes[6]).toBe(0);
    // the same command retransmitted with the next downlink COUNT: the complete goes again with COUNT 1
    const smc = nasMessage('Security mode command', { selectedNasSecurityAlgorithms: { ciphering: 0, integrity: 2 }, ngKsi: { tsc: 0, ksi: 1 }, replayedUeSecurityCapabilities: { ea: 0xa0, ia: 0x20 }, imeisvRequest: 1, abba: Uint8Array.of(0, 0) });
    ue['onDownlinkNas'](protectNas(encodeNasMessage(smc), ctx, 1, 3));
    const c2 = await net.next();
    expect(c2.message.name).toBe('Security mode complete');
    expect(c2.bytes[6]).toBe(1);
    net.registrationAccept();
    expect((await net.next()).message.name).toBe('Registration complete');
    await done;
    net.registrationAccept(); // T3550 expiry at the AMF: the complete is sent again
    expect((await net.next()).message.name).toBe('Registration complete');
    expect(ue.state).toBe(GmmState.REGISTERED);
    expect(ue.unexpected).toEqual([]);
  });

  it('after security is on, discards plain messages and messages with a wrong MAC (TS 24.501 4.4.4.2)', async () => {
    const { ue, net } = await registered();
    const before = ue.received.length;
    net.sendPlain(nasMessage('Configuration update command', { configurationUpdateIndication: 1 }));
    const bad = protectNas(encodeNasMessage(nasMessage('Configuration update command', { configurationUpdateIndication: 1 })), { ...net.ctx!, kNasInt: new Uint8Array(16) }, 1, 2);
    ue['onDownlinkNas'](bad);
    expect(ue.received.length).toBe(before);
    expect(ue.stats.macFailures).toBe(1);
    expect(ue.discarded.length).toBe(2);
    // a correctly protected one is still accepted
    net.send(nasMessage('Configuration update command', { configurationUpdateIndication: 1 }));
    expect((await net.next()).message.name).toBe('Configuration update complete');
  });
});

describe('UE PDU session and user plane (TS 24.501 6.4.1)', () => {
  it('establishes a PDU session with the right UL NAS transport and pings and UDP-echoes over it', async () => {
    const { ue, net } = await registered();
    const p = ue.establishPduSession(1);
    const ul = await net.next();
    expect(ul.securityHeaderType).toBe(2);
    expect(ul.message.name).toBe('UL NAS transport');
    expect(ul.message.ies).toMatchObject({ payloadContainerType: 1, pduSessionId: 1, requestType: 1, sNssai: { sst: 1 }, dnn: 'internet' });
    const sm = decodeNasMessage(ul.message.ies.payloadContainer as Uint8Array);
    expect(sm.name).toBe('PDU session establishment request');
    expect(sm.pduSessionId).toBe(1);
    expect(sm.pti).toBeGreaterThan(0);
    expect(sm.ies).toEqual({ integrityProtectionMaximumDataRate: Uint8Array.of(0xff, 0xff), pduSessionType: 1, sscMode: 1 });
    net.send(nasMessage('DL NAS transport', {
      payloadContainerType: 1,
      pduSessionId: 1,
      payloadContainer: encodeNasMessage(nasMessage('PDU session establishment accept', {
        selectedPduSessionType: 1, selectedSscMode: 1, authorizedQosRules: [], sessionAmbr: { dlUnit: 6, dl: 1000, ulUnit: 6, ul: 1000 }, pduAddress: { pduSessionType: 1, ipv4: '10.45.0.7' },
      }, { pduSessionId: 1, pti: sm.pti ?? 0 })),
    }));
    expect(await p).toEqual({ address: '10.45.0.7' });
    expect(ue.received.slice(-2)).toEqual(['DL NAS transport', 'PDU session establishment accept']);

    const rtt = await ue.ping('10.45.255.254', 1);
    expect(rtt).toBeGreaterThanOrEqual(0);
    const icmp = net.uplink[0];
    expect(icmp.psi).toBe(1);
    expect(Array.from(icmp.packet.subarray(12, 20))).toEqual([10, 45, 0, 7, 10, 45, 255, 254]);
    const echoed = await ue.udpEcho(new TextEncoder().encode('hello N6'));
    expect(new TextDecoder().decode(echoed)).toBe('hello N6');
    expect(ue.stats.dlPackets).toBe(2);
  });

  it('rejects with the 5GSM cause of a PDU session establishment reject', async () => {
    const { ue, net } = await registered();
    const p = ue.establishPduSession(2);
    const ul = await net.next();
    const sm = decodeNasMessage(ul.message.ies.payloadContainer as Uint8Array);
    net.send(nasMessage('DL NAS transport', { payloadContainerType: 1, pduSessionId: 2, payloadContainer: encodeNasMessage(nasMessage('PDU session establishment reject', { fiveGsmCause: 27 }, { pduSessionId: 2, pti: sm.pti ?? 0 })) }));
    const e = await p.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PduSessionRejected);
    expect((e as PduSessionRejected).fiveGsmCause).toBe(27);
  });

  it('retransmits on T3580 expiry four times, then aborts (TS 24.501 6.4.1.6 a)', async () => {
    const clock = new VirtualClock();
    const { ue, net } = await registered({ ue: { clock } });
    const p = ue.establishPduSession(1);
    const caught = p.catch((x: unknown) => x);
    await net.next();
    for (let i = 0; i < 4; i++) {
      clock.advance(T3580_MS);
      expect((await net.next()).message.name).toBe('UL NAS transport');
    }
    clock.advance(T3580_MS);
    expect(await caught).toBeInstanceOf(PduSessionRejected);
    expect(net.pendingUplink).toBe(0);
  });
});

describe('UE-originating de-registration (TS 24.501 5.5.2.2, TS 23.502 4.2.2.3.2)', () => {
  it('normal: integrity-protected request with the 5G-GUTI, resolves on the accept; RRC release ends the sessions', async () => {
    const { ue, net } = await withSession();
    const p = ue.deregister({ switchOff: false });
    expect(ue.state).toBe(GmmState.DEREGISTERED_INITIATED);
    const req = await net.next();
    expect(req.securityHeaderType).toBe(2);
    expect(req.message.name).toBe('Deregistration request (UE originating)');
    expect(req.message.ies.deregistrationType).toEqual({ switchOff: false, reRegistrationRequired: false, accessType: 1 });
    expect(req.message.ies.mobileIdentity).toEqual(GUTI);
    expect(req.message.ies.ngKsi).toEqual({ tsc: 0, ksi: 1 });
    net.send(nasMessage('Deregistration accept (UE originating)', {}));
    expect(await p).toBe('accepted');
    expect(ue.state).toBe(GmmState.DEREGISTERED);
    expect(ue.sessions.size).toBe(0);
    net.rrcRelease();
    expect(ue.connected).toBe(false);
    expect(ue.unexpected).toEqual([]);
  });

  it('switch off: resolves at once with the unavailability period, and records an Accept the network should not send', async () => {
    const { ue, net } = await withSession();
    const outcome = await ue.deregister({ switchOff: true, unavailabilitySeconds: 3600 });
    expect(outcome).toBe('switched-off');
    expect(ue.state).toBe(GmmState.DEREGISTERED);
    const req = await net.next();
    expect(req.message.ies.deregistrationType).toEqual({ switchOff: true, reRegistrationRequired: false, accessType: 1 });
    expect(req.message.ies.unavailabilityInformation).toEqual({ type: 0, periodDurationSeconds: 3600 });
    expect(ue.received).not.toContain('Deregistration accept (UE originating)');
    net.send(nasMessage('Deregistration accept (UE originating)', {}));
    expect(ue.received).toContain('Deregistration accept (UE originating)');
    expect(ue.unexpected).toEqual(['Deregistration accept (UE originating)']);
    net.rrcRelease();
    expect(ue.connected).toBe(false);
  });

  it('a de-registration colliding with a PDU session establishment ends it locally; a late accept is only recorded', async () => {
    const { ue, net } = await registered();
    const pdu = ue.establishPduSession(1).catch((x: unknown) => x);
    const ul = await net.next();
    const sm = decodeNasMessage(ul.message.ies.payloadContainer as Uint8Array);
    const dereg = ue.deregister({ switchOff: false });
    expect((await net.next()).message.name).toBe('Deregistration request (UE originating)');
    net.send(nasMessage('Deregistration accept (UE originating)', {}));
    expect(await dereg).toBe('accepted');
    expect(await pdu).toBeInstanceOf(PduSessionRejected);
    net.send(nasMessage('DL NAS transport', { payloadContainerType: 1, pduSessionId: 1, payloadContainer: encodeNasMessage(nasMessage('PDU session establishment accept', { selectedPduSessionType: 1, selectedSscMode: 1, authorizedQosRules: [], sessionAmbr: { dlUnit: 6, dl: 1, ulUnit: 6, ul: 1 }, pduAddress: { pduSessionType: 1, ipv4: '10.45.0.9' } }, { pduSessionId: 1, pti: sm.pti ?? 0 })) }));
    expect(ue.sessions.size).toBe(0);
    expect(ue.unexpected).toEqual(['PDU session establishment accept']);
  });

  it('network-requested PDU session release is completed and the session is gone (TS 24.501 6.3.3)', async () => {
    const { ue, net } = await withSession();
    net.send(nasMessage('DL NAS transport', { payloadContainerType: 1, pduSessionId: 1, payloadContainer: encodeNasMessage(nasMessage('PDU session release command', { fiveGsmCause: 36 }, { pduSessionId: 1, pti: 0 })) }));
    const ul = await net.next();
    expect(ul.message.ies.pduSessionId).toBe(1);
    const sm = decodeNasMessage(ul.message.ies.payloadContainer as Uint8Array);
    expect(sm.name).toBe('PDU session release complete');
    expect(ue.sessions.size).toBe(0);
    await expect(ue.ping()).rejects.toThrow(/no PDU session/);
  });

  it('T3521: four retransmissions 15 s apart, then local release on the fifth expiry (virtual time)', async () => {
    const clock = new VirtualClock();
    const { ue, net } = await registered({ ue: { clock } });
    let outcome: string | undefined;
    void ue.deregister({ switchOff: false }).then((o) => (outcome = o));
    const counts: number[] = [];
    counts.push((await net.next()).bytes[6]);
    for (let i = 0; i < 4; i++) {
      clock.advance(T3521_MS);
      const m = await net.next();
      expect(m.message.name).toBe('Deregistration request (UE originating)');
      counts.push(m.bytes[6]);
    }
    expect(new Set(counts).size).toBe(5); // each retransmission is a new NAS COUNT
    expect(outcome).toBeUndefined();
    clock.advance(T3521_MS);
    await Promise.resolve();
    expect(outcome).toBe('aborted-after-t3521');
    expect(ue.state).toBe(GmmState.DEREGISTERED);
    expect(ue.connected).toBe(false);
    expect(net.releasedByUe).toBe(1);
    expect(net.pendingUplink).toBe(0);
  });
});
