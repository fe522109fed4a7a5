// Emergency PDU sessions and the emergency exception of network-initiated de-registration (TS
// 23.502 4.2.2.3.3: "If the UE has established PDU Session associated with emergency service, the
// AMF shall not initiate Deregistration procedure ... performs network requested PDU Session
// Release for any PDU session associated with non-emergency service"), end to end through the
// control plane. Our own decoders read the SBI bodies; tshark (the independent peer) reads the
// request type of the UL NAS TRANSPORT, the EMC bits of the Registration accept and the PTI 0
// release command in the capture.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveNetwork } from '../../nodes/control/live-network.ts';
import { findCommand, checkCommandArgs } from '../../nodes/control/commands.ts';
import { parseScenario } from '../../nodes/control/scenario-file.ts';
import '../../nodes/control/index.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { testConfig } from '../helpers/network.ts';
import { inOrder } from '../helpers/steps.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

describe('emergency PDU sessions and the emergency exception (TS 23.502 4.2.2.3.3)', () => {
  it('ctl and scenario forms: --emergency names no DNN nor S-NSSAI', () => {
    const c = findCommand('ue pdu establish')!;
    expect(checkCommandArgs(c, { supi: 'imsi-001010000000001' }, { emergency: true })).toMatchObject({ options: { emergency: true } });
    expect(() => checkCommandArgs(c, { supi: 'imsi-001010000000001' }, { emergency: true, dnn: 'internet' })).toThrow(/--emergency names no DNN/);
    expect(parseScenario('description: x\nsteps:\n  - pdu-establish: all\n    emergency: true\n', 'e.yaml').steps[0]).toMatchObject({ action: 'pdu-establish', emergency: true });
    expect(() => parseScenario('description: x\nsteps:\n  - pdu-establish: all\n    emergency: true\n    dnn: sos\n', 'e.yaml')).toThrow(/steps\[0\]\.emergency/);
  });

  it('an emergency session survives AMF O&M and UDM withdrawal; the others are released (4.3.4.2 step 1f); it needs no UDM nor PCF; ledgers back', async () => {
    const cfg = testConfig(192);
    const outDir = mkdtempSync(join(tmpdir(), 'wire5g-emergency-'));
    const net = await LiveNetwork.start({ ...cfg, ue: { ...cfg.ue, count: 2 } }, { outDir, database: ':memory:' });
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    let stopped;
    try {
      const [a, b] = net.addConfiguredUes();
      for (const supi of [a, b]) await net.register(supi);
      expect(net.ueOf(a).registration?.emergencyServicesSupported).toBe(true);
      await net.establishPduSession(a, { psi: 1 });
      expect(await net.establishPduSession(a, { psi: 5, emergency: true })).toMatchObject({ psi: 5 });
      await net.establishPduSession(a, { psi: 2 });
      const ue = net.ueOf(a);
      expect(ue.sessions.get(5)).toMatchObject({ dnn: 'sos', emergency: true });
      // the SMF: local QoS, no UDM registration, no SM policy association
      const smf = net.core!.smf;
      const ctx = [...smf.contexts.values()].find((c) => c.supi === a && c.pduSessionId === 5)!;
      expect(ctx).toMatchObject({ emergency: true, dnn: 'sos', qos: { fiveQi: 5, arp: { priorityLevel: 1, preemptCap: 'MAY_PREEMPT', preemptVuln: 'NOT_PREEMPTABLE' } } });
      expect(ctx.smPolicyUri).toBeUndefined();
      expect(ctx.udmRegistered).toBeFalsy();
      // a second emergency session is not forwarded (#90)
      await expect(net.establishPduSession(a, { psi: 6, emergency: true })).rejects.toThrow(/not forwarded/);

      // AMF O&M: not deregistered, sessions 1 and 2 released by the network
      const mark = events.length;
      expect(await net.amfDeregister(a, { reRegistrationRequired: false })).toEqual({ outcome: 'emergency-kept', sessions: [5] });
      const after = events.slice(mark).map((e) => `${e.message} [${e.step ?? ''}]`);
      expect(after.filter((m) => m.startsWith('Deregistration request'))).toEqual([]);
      expect(after.filter((m) => m.startsWith('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 1f'))).toHaveLength(2);
      inOrder(after, ['Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 1f', 'PDUSessionResourceReleaseCommand [4.3.4.2 step 4]', 'PDU session release complete', 'Nsmf_PDUSession_SMContextStatusNotify [4.3.4.2 step 11]']);
      expect(net.core!.amf.stateOf(a)).toBe('5GMM-REGISTERED');
      expect(await ue.ping('10.45.255.254', 1, { psi: 5 })).toBeGreaterThanOrEqual(0);

      // UDM withdrawal: still registered for the emergency session; no UDM registration, no SDM subscription
      await net.establishPduSession(a, { psi: 1 });
      expect(await net.udmWithdraw(a, { access: '3gpp' })).toEqual({ outcome: 'emergency session kept' });
      const amfUe = net.core!.amf.bySupi.get(a)!;
      expect(amfUe.uecmRegistered).toBe(false);
      expect(amfUe.sdmSubscriptionUri).toBeUndefined();
      expect([...ue.sessions.keys()]).toEqual([5]);

      // the SMF releases the emergency session like any other (no PCF, no UDM clean-up)
      expect(await net.smfRelease(a, 5)).toMatchObject({ outcome: 'released' });
      // without it, the UE is deregistered as usual
      expect((await net.amfDeregister(a, { reRegistrationRequired: false })).outcome).toBe('accepted');

      // UE b switches off with its emergency session when the network stops
      await net.establishPduSession(b, { emergency: true });
      expect(net.ueOf(b).sessions.size).toBe(1);
    } finally {
      off();
      stopped = await net.stop();
    }
    expect(stopped.leftBehind).toEqual({});
    // the one failure recorded is the refused second emergency session
    expect((stopped.summary.procedures as { outcome: string; detail?: string }[]).filter((p) => p.outcome === 'failure').map((p) => p.detail)).toEqual([expect.stringMatching(/not forwarded/)]);
    if (!tsharkAvailable()) return;
    const frames = dissect(stopped.files.capture!, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    // TS 24.501 9.11.3.47 request type 3 on the emergency requests (three: two set up, one refused)
    const requestTypes = frames.flatMap((f) => f.fields.get('nas_5gs.mm.req_type') ?? f.fields.get('nas_5gs.mm.request_type') ?? []);
    expect(requestTypes.filter((t) => t === '3')).toHaveLength(3);
    // TS 24.501 9.11.3.5 EMC: emergency services supported in NR connected to 5GCN, in every Registration accept
    const accepts = frames.filter((f) => (f.fields.get('nas_5gs.mm.message_type') ?? []).includes('0x42'));
    expect(accepts.length).toBeGreaterThanOrEqual(2);
    for (const f of accepts) expect(f.fields.get('nas_5gs.nw_feat_sup.emc') ?? f.fields.get('nas_5gs.emc'), [...f.fields.keys()].filter((k) => k.includes('feat') || k.includes('emc')).join(' ')).toEqual(['1']);
    // the network-requested release commands (TS 24.501 6.3.3.2: PTI 0)
    const commands = frames.filter((f) => (f.fields.get('nas_5gs.sm.message_type') ?? []).includes('0xd3'));
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const f of commands) expect(new Set(f.fields.get('nas_5gs.proc_trans_id'))).toEqual(new Set(['0']));
  }, 60_000);

  it('with emergency.enabled false the Registration accept says so and the UE does not ask', async () => {
    const cfg = testConfig(193);
    const net = await LiveNetwork.start({ ...cfg, emergency: { ...cfg.emergency, enabled: false }, ue: { ...cfg.ue, count: 1 } }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-emergency-off-')), database: ':memory:', capture: false });
    try {
      const [a] = net.addConfiguredUes();
      await net.register(a);
      expect(net.ueOf(a).registration?.emergencyServicesSupported).toBe(false);
      await expect(net.establishPduSession(a, { emergency: true })).rejects.toThrow(/does not support emergency services/);
    } finally {
      expect((await net.stop()).leftBehind).toEqual({});
    }
  }, 30_000);
});
