// SM Policy Association Termination, case A (PCF-initiated, TS 23.502 4.16.6) by the operator
// (`wire5g ctl pcf terminate`), over real loopback sockets: step 1 (the PCF's POST
// {notificationUri}/terminate, TS 29.512 4.2.4.3) is acknowledged by the SMF before it releases
// the PDU session by network-requested PDU Session Release (4.3.4.2 steps 2a-13), whose SM policy
// step is 4.16.6 step 2; the PCF's steps 3 and 8 follow in that order. The other session keeps
// its association, the UDR is charged the usage, every ledger comes back. Message names are
// judged by our own codecs here; tshark judges the same run in the scenario test.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveNetwork, findCommand, checkCommandArgs } from '../../nodes/control/index.ts';
import { pcfTerminateOn, afCreateOn, afDeleteOn, udrNotifyOn } from '../../nodes/control/policy-commands.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { terminationOrderProblem } from '../../nodes/control/termination-order.ts';
import { testConfig } from '../helpers/network.ts';
import { loadScenario } from '../../nodes/control/scenario-file.ts';
import { stepOrder, traceLine, orderMismatch } from '../../nodes/control/step-order.ts';

// the step orders are stated once, in the built-in scenario sm-policy-termination (whose run checks them too)
const scenario = loadScenario('sm-policy-termination');
const followed = (events: TraceEvent[], action: string, ues: string | number) => orderMismatch(events.map(traceLine), stepOrder(scenario, action, ues));

function order(events: TraceEvent[]) {
  const steps = events.filter((e) => e.step && !e.response).map((e) => `${e.from}>${e.to} ${e.message} [${e.step}]`);
  return (s: string) => {
    const i = steps.findIndex((x) => x.includes(s));
    expect(i, `${s} in\n${steps.join('\n')}`).toBeGreaterThanOrEqual(0);
    return i;
  };
}

describe('SM Policy Association Termination, PCF-initiated (TS 23.502 4.16.6 case A), ctl pcf terminate', () => {
  it('the command line matches; its cause is one of TS 29.512 SmPolicyAssociationReleaseCause', () => {
    const cmd = findCommand('pcf terminate')!;
    expect(checkCommandArgs(cmd, { supi: 'imsi-001010000000001', psi: '2' }, { cause: 'INSUFFICIENT_RES' })).toMatchObject({ psi: 2, options: { cause: 'INSUFFICIENT_RES' } });
    expect(() => checkCommandArgs(cmd, { supi: 'imsi-001010000000001', psi: '2' }, { cause: 'BORED' })).toThrow(/cause/);
  });

  it('terminates one of two sessions in the clauses\' order: step 1 acknowledged, 4.3.4.2, then 4.16.6 steps 2, 3 and 8', async () => {
    const cfg = testConfig(216);
    // the PCF, as PCF for the UE, asks for the events of the UE's PDU sessions (TS 23.502 4.16.14.2)
    const pcfCfg = { ...cfg.pcf, pduSessionEvents: [{ dnn: cfg.dnn, sst: cfg.snssai.sst, ...(cfg.snssai.sd ? { sd: cfg.snssai.sd } : {}) }] };
    const net = await LiveNetwork.start({ ...cfg, pcf: pcfCfg, ue: { ...cfg.ue, count: 1 } }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-pcf-term-')), database: ':memory:', capture: false });
    try {
      const [supi] = net.addConfiguredUes();
      await net.register(supi);
      await expect(pcfTerminateOn(net, supi, 1)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/holds no SM policy association/) });
      await net.establishPduSession(supi, { psi: 1 });
      await net.establishPduSession(supi, { psi: 2 });
      await net.ping(supi, { psi: 1, count: 2 });
      // an AF app session on session 1, its PCF found at the BSF
      expect(await afCreateOn(net, supi, 1)).toMatchObject({ psi: 1 });
      expect(net.core!.pcf.appSessions.size).toBe(1);
      // the NWDAF answered each analytics subscription at once (immediate report, no data)
      expect([...net.core!.pcf.analyticsNotifications.values()]).toEqual([1, 1]);
      expect(net.core!.pcf.policyCounterStatus.get(supi)).toEqual({ 'data-volume': 'valid' });
      // 4.16.14.2: the PCF for each session reported it ESTABLISHED to the PCF for the UE, with its address
      const reported = () => [...net.core!.pcf.amPolicies.values()].flatMap((a) => [...(a.pduSessions?.values() ?? [])]);
      expect(reported()).toEqual([1, 2].map(() => ({ pcfInfo: { pcfIpEndPoints: [{ ipv4Address: cfg.addresses.pcf, port: cfg.ports.sbi }] } })));
      const before = net.core!.store.usage(supi, 'internet', '1')!.remainingOctets!;
      const events: TraceEvent[] = [];
      const off = subscribeTrace((e) => events.push(e));
      let r;
      try {
        r = await pcfTerminateOn(net, supi, 1, 'REACTIVATION_REQUESTED');
      } finally {
        off();
      }
      expect(r).toEqual({ psi: 1, outcome: 'terminated' });
      expect([...net.ueOf(supi).sessions.keys()]).toEqual([2]);
      expect([...net.core!.pcf.smPolicies.values()].map((a) => a.pduSessionId)).toEqual([2]);
      // the pings' octets were deducted at step 3
      expect(net.core!.store.usage(supi, 'internet', '1')!.remainingOctets).toBeLessThan(before);
      const at = order(events);
      // the judge the command ran on the same window (termination-order.ts) found it in order, and judged it
      expect(terminationOrderProblem(events)).toBe('');
      // step 1, 4.3.4.2 steps 2a-11, then 4.16.6 steps 2, 3, 5 (AF, BSF, the PCF for the UE (4.16.14.2), NWDAF), 6 (the CHF, modified: session 2 remains)
      expect(followed(events, 'pcf-terminate', 1)).toBeUndefined();
      expect(at('Npcf_SMPolicyControl_Delete [4.16.6 step 2]')).toBeLessThan(at('Nudm_UECM_Deregistration [4.3.4.2 step 13]'));
      // step 5: the AF (which then deletes its app session), the BSF, the NWDAF; step 6: the CHF, modified (session 2 remains)
      expect(at('PCF>AF Npcf_PolicyAuthorization_Notify [4.16.6 step 5]')).toBeLessThan(at('AF>PCF Npcf_PolicyAuthorization_Delete [4.16.6 step 5]'));
      expect(reported()).toHaveLength(1);
      expect(net.ledgers().PCF['PDU sessions reported (PCF for the UE)']).toBe(1);
      expect(events.some((e) => e.message === 'Nchf_SpendingLimitControl_Unsubscribe')).toBe(false);
      expect(net.core!.pcf.appSessions.size).toBe(0);
      // step 8 is not taken: session 2 still uses the (DNN, S-NSSAI)
      expect(events.some((e) => e.step === '4.16.6 step 8')).toBe(false);
      // TS 24.501 9.11.4.2 #39 for REACTIVATION_REQUESTED
      expect(net.ueOf(supi).received).toContain('PDU session release command');
      await expect(pcfTerminateOn(net, supi, 1)).rejects.toMatchObject({ status: 409 });
      // the last session on the (DNN, S-NSSAI): step 8 unsubscribes from the UDR
      const last: TraceEvent[] = [];
      const off2 = subscribeTrace((e) => last.push(e));
      try {
        await pcfTerminateOn(net, supi, 2);
      } finally {
        off2();
      }
      const at2 = order(last);
      expect(at2('Npcf_SMPolicyControl_Delete [4.16.6 step 2]')).toBeLessThan(at2('PCF>CHF Nchf_SpendingLimitControl_Unsubscribe [4.16.6 step 6]'));
      expect(at2('PCF>CHF Nchf_SpendingLimitControl_Unsubscribe [4.16.6 step 6]')).toBeLessThan(at2('PCF>UDR Nudr_DM_Unsubscribe [4.16.6 step 8]'));
      expect(net.core!.pcf.chfSubscriptions.size).toBe(0);
      expect(net.ueOf(supi).sessions.size).toBe(0);
    } finally {
      const s = await net.stop();
      expect(s.leftBehind).toEqual({});
    }
  }, 60_000);

  it('AF-triggered: the AF ends its app session and the PCF terminates the PDU session it was bound to', async () => {
    const cfg = testConfig(217);
    const net = await LiveNetwork.start({ ...cfg, ue: { ...cfg.ue, count: 1 } }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-af-term-')), database: ':memory:', capture: false });
    try {
      const [supi] = net.addConfiguredUes();
      await net.register(supi);
      await net.establishPduSession(supi, { psi: 1 });
      await expect(afDeleteOn(net, supi, 1)).rejects.toMatchObject({ status: 409 });
      await afCreateOn(net, supi, 1);
      const events: TraceEvent[] = [];
      const off = subscribeTrace((e) => events.push(e));
      try {
        expect(await afDeleteOn(net, supi, 1)).toEqual({ psi: 1, outcome: 'app session deleted; PDU session terminated by the PCF' });
      } finally {
        off();
      }
      expect(events.find((e) => e.message === 'Npcf_PolicyAuthorization_Delete')).toMatchObject({ from: 'AF', to: 'PCF' });
      // the AF's delete, then 4.16.6 steps 1, 2, 6 and 8 (the last session)
      expect(followed(events, 'af-delete', '2-2')).toBeUndefined();
      // the app session is gone already: no step 5 notification to the AF
      expect(events.some((e) => e.message === 'Npcf_PolicyAuthorization_Notify')).toBe(false);
      expect(net.ueOf(supi).sessions.size).toBe(0);
    } finally {
      const s = await net.stop();
      expect(s.leftBehind).toEqual({});
    }
  }, 60_000);

  it('policy data change: the UDR notifies the PCF (Nudr_DM_Notify) and the session on a DNN no longer subscribed is terminated', async () => {
    const cfg = testConfig(237);
    const net = await LiveNetwork.start({ ...cfg, ue: { ...cfg.ue, count: 1 } }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-pdc-')), database: ':memory:', capture: false });
    try {
      const [supi] = net.addConfiguredUes();
      await net.register(supi);
      await net.establishPduSession(supi, { psi: 1 });
      // nothing changed: notified, nothing terminated
      expect(await udrNotifyOn(net, supi)).toEqual({ notified: 1, terminated: [] });
      // O&M: the subscriber may no longer use 'internet' (what wire5g subscriber update --dnn does to the database)
      const store = net.core!.store;
      const rec = store.get(supi)!;
      store.upsert({ supi, k: rec.k, opc: rec.opc, amf: rec.amf, sqn: rec.sqn, snssais: rec.snssais, dnns: ['ims'], sessionQos: rec.sessionQos });
      const events: TraceEvent[] = [];
      const off = subscribeTrace((e) => events.push(e));
      try {
        expect(await udrNotifyOn(net, supi)).toEqual({ notified: 1, terminated: [1] });
      } finally {
        off();
      }
      // the notification (TS 23.502 4.16.9 step 2) comes before step 1, then step 2
      expect(followed(events, 'policy-update', '4-4')).toBeUndefined();
      expect(net.ueOf(supi).sessions.size).toBe(0);
    } finally {
      const s = await net.stop();
      expect(s.leftBehind).toEqual({});
    }
  }, 60_000);
});
