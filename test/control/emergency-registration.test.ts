// Emergency Registration (TS 23.502 4.2.2.2.2, TS 24.501 5.5.1.2: 5GS registration type 4) and a UE
// coming back into coverage after the AMF deregistered it implicitly (TS 24.501 5.3.7, 5.5.1.3.5
// #10), end to end over real sockets through the control plane:
//   - `ctl ue <supi> register --emergency`: authenticated, registered at the UDM, no AM or UE policy
//     association, no Allowed NSSAI, "registered for emergency services" in the accept; the UE then
//     has only emergency PDU sessions; neither the AMF's O&M nor the UDM's withdrawal deregisters
//     it (the emergency exception of TS 23.502 4.2.2.3.3);
//   - `ctl ue <supi> in-coverage --type periodic`: the periodic registration update of a UE the
//     AMF implicitly deregistered is rejected with #10; the UE registers again (initial).
// tshark (the independent peer) reads the registration type 4, the registration result's emergency
// bit and the #10 of the Registration reject in the capture.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveNetwork } from '../../nodes/control/live-network.ts';
import { findCommand, checkCommandArgs } from '../../nodes/control/commands.ts';
import { parseScenario } from '../../nodes/control/scenario-file.ts';
import { outOfCoverageOn, awaitImplicitOn, inCoverageOn } from '../../nodes/control/coverage-commands.ts';
import '../../nodes/control/index.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { testConfig } from '../helpers/network.ts';
import { inOrder } from '../helpers/steps.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

describe('emergency registration and the way back into coverage', () => {
  it('command lines and scenario keys', () => {
    const supi = { supi: 'imsi-001010000000001' };
    expect(checkCommandArgs(findCommand('ue register')!, supi, { emergency: true })).toMatchObject({ options: { emergency: true } });
    expect(checkCommandArgs(findCommand('ue in-coverage')!, supi, { type: 'periodic' })).toMatchObject({ options: { type: 'periodic' } });
    expect(() => checkCommandArgs(findCommand('ue in-coverage')!, supi, { type: 'initial' })).toThrow(/type/);
    const s = parseScenario('description: x\nsteps:\n  - register: 1\n    emergency: true\n  - in-coverage: 1\n    type: periodic\n', 'e.yaml');
    expect(s.steps.map((x) => x)).toMatchObject([{ action: 'register', emergency: true }, { action: 'in-coverage', update: 'periodic' }]);
    expect(() => parseScenario('description: x\nsteps:\n  - in-coverage: 1\n    type: initial\n', 'e.yaml')).toThrow(/steps\[0\]\.type: expected periodic or mobility/);
  });

  it('type 4 registered for emergency services only, kept by the AMF and the UDM; #10 on return after implicit de-registration, then registered again; ledgers back', async () => {
    const cfg = testConfig(242);
    const net = await LiveNetwork.start({ ...cfg, ue: { ...cfg.ue, count: 2 } }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-emreg-')), database: ':memory:', amfTimers: { mobileReachableMs: 200, implicitDeregistrationMs: 200 } });
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    let stopped;
    try {
      const [a, b] = net.addConfiguredUes();
      expect(await net.register(a, { emergency: true })).toMatchObject({ emergencyRegistered: true });
      const ua = net.ueOf(a);
      expect(ua.registration).toMatchObject({ emergencyRegistered: true, allowedNssai: [] });
      const amfUe = net.core!.amf.bySupi.get(a)!;
      expect(amfUe).toMatchObject({ emergencyRegistered: true, uecmRegistered: true });
      expect(amfUe.amPolicyUri).toBeUndefined();
      expect(amfUe.uePolicyUri).toBeUndefined();
      const steps = events.filter((e) => e.ue === a || !e.ue).map((e) => `${e.message} [${e.step ?? ''}]`);
      expect(steps.filter((m) => m.startsWith('Npcf_AMPolicyControl_Create') || m.startsWith('Npcf_UEPolicyControl_Create'))).toEqual([]);
      inOrder(steps, ['Registration request [4.2.2.2.2 step 1 (emergency registration)]', 'Nudm_UECM_Registration [4.2.2.2.2 step 14a]', 'Registration accept', 'Registration complete']);
      // only emergency PDU sessions
      await expect(net.establishPduSession(a, { psi: 1 })).rejects.toThrow(/registered for emergency services/);
      expect(await net.establishPduSession(a, { psi: 5, emergency: true })).toMatchObject({ psi: 5 });
      expect(await ua.ping('10.45.255.254', 1, { psi: 5 })).toBeGreaterThanOrEqual(0);
      // the emergency exception: neither O&M nor the UDM deregisters it
      expect(await net.amfDeregister(a, { reRegistrationRequired: false })).toEqual({ outcome: 'emergency-kept', sessions: [5] });
      expect(await net.udmWithdraw(a, { access: '3gpp' })).toEqual({ outcome: 'emergency session kept' });
      expect(net.core!.amf.stateOf(a)).toBe('5GMM-REGISTERED');

      // UE b: out of coverage, implicitly deregistered, back: #10, then an initial registration
      await net.register(b);
      await net.establishPduSession(b, { psi: 1 });
      await outOfCoverageOn(net, b);
      await awaitImplicitOn(net, b, 5);
      const mark = events.length;
      expect(await inCoverageOn(net, b, 'periodic')).toEqual({ update: 'periodic', outcome: 'implicitly-deregistered, registered again', registered: true });
      const back = events.slice(mark).filter((e) => e.ue === b || !e.ue).map((e) => `${e.message} [${e.step ?? ''}]`);
      inOrder(back, ['Registration request [4.2.2.2.2 step 1 (periodic registration update)]', 'Registration reject [4.2.2.2.2 step 21 (reject)]', 'UEContextReleaseCommand', 'Registration request [4.2.2.2.2 step 1]', 'Nudm_UECM_Registration [4.2.2.2.2 step 14a]', 'Registration complete']);
      expect(net.ueOf(b).sessions.size).toBe(0);
      expect(net.core!.amf.stateOf(b)).toBe('5GMM-REGISTERED');
      await expect(inCoverageOn(net, b)).rejects.toMatchObject({ status: 409 });
    } finally {
      off();
      stopped = await net.stop();
    }
    expect(stopped.leftBehind).toEqual({});
    if (!tsharkAvailable()) return;
    const frames = dissect(stopped.files.capture!, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    // TS 24.501 9.11.3.7: 5GS registration type 4 "emergency registration"
    const types = frames.flatMap((f) => f.fields.get('nas_5gs.mm.5gs_reg_type') ?? []);
    // (the request, and again the whole request in the Security mode complete's NAS message container, TS 24.501 4.4.6)
    expect(types.filter((t) => t === '4')).toHaveLength(2);
    // TS 24.501 9.11.3.6: the accept's "registered for emergency services" bit, once
    const emergencyBits = frames.flatMap((f) => [...f.fields.entries()].filter(([k]) => k.startsWith('nas_5gs.mm.reg_res') && /emergency|emc/i.test(k)).flatMap(([, v]) => v));
    expect(emergencyBits.filter((v) => v === '1' || v === 'True')).toHaveLength(1);
    // TS 24.501 5.5.1.3.5: Registration reject (0x44) with #10
    const rejects = frames.filter((f) => (f.fields.get('nas_5gs.mm.message_type') ?? []).includes('0x44'));
    expect(rejects.map((f) => f.fields.get('nas_5gs.mm.5gmm_cause')?.[0])).toEqual(['10']);
  }, 60_000);
});
