// Policy control request triggers (TS 29.512 4.2.4, TS 23.502 4.16.5.1), over real loopback
// sockets: with pcf.policyControlRequestTriggers [SUCC_RES_ALLO] the PCF's decision subscribes
// to successful resource allocation for the session's PCC rule (policyCtrlReqTriggers,
// lastReqRuleData); the SMF reports it (Npcf_SMPolicyControl_Update with ruleReports ACTIVE)
// once the NG-RAN has set the session up (TS 23.502 4.3.2.2.1 after step 16a) and again when a
// Service Request brings the user plane back from CM-IDLE (4.2.3.2 after step 17). Without the
// subscription nothing is reported. The bodies are judged by the Rel-18 OpenAPI schema (setup).

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveNetwork } from '../../nodes/control/index.ts';
import { pollUntil } from '../../nodes/control/network-commands.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { testConfig } from '../helpers/network.ts';

describe('policy control request triggers: the SMF reports what the PCF subscribed to (SUCC_RES_ALLO)', () => {
  it('reported after the N2 setup and after a Service Request; not reported for a session whose PCF did not subscribe', async () => {
    const cfg = testConfig(222);
    const net = await LiveNetwork.start({ ...cfg, pcf: { ...cfg.pcf, policyControlRequestTriggers: ['SUCC_RES_ALLO'] }, ue: { ...cfg.ue, count: 1 } }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-triggers-')), database: ':memory:', capture: false });
    try {
      const [supi] = net.addConfiguredUes();
      await net.register(supi);
      const events: TraceEvent[] = [];
      const off = subscribeTrace((e) => events.push(e));
      const assoc = () => [...net.core!.pcf.smPolicies.values()].find((a) => a.supi === supi && a.pduSessionId === 1);
      try {
        await net.establishPduSession(supi, { psi: 1 });
        await pollUntil(() => assoc()?.reportedTriggers?.SUCC_RES_ALLO === 1);
        expect(assoc()!.activeRules).toEqual(assoc()!.pccRules);
        // CM-IDLE, then a ping's Service Request sets the user plane up again: reported again
        await net.anRelease(supi);
        await net.ping(supi, { count: 1 });
        await pollUntil(() => assoc()?.reportedTriggers?.SUCC_RES_ALLO === 2);
      } finally {
        off();
      }
      expect(assoc()!.reportedTriggers).toEqual({ SUCC_RES_ALLO: 2 });
      const steps = events.filter((e) => !e.response).map((e) => `${e.from}>${e.to} ${e.message}${e.step ? ` [${e.step}]` : ''}`);
      const all = (s: string) => steps.flatMap((x, i) => (x.includes(s) ? [i] : []));
      const reports = all('SMF>PCF Npcf_SMPolicyControl_Update [4.16.5.1 step 1]');
      expect(reports, steps.join('\n')).toHaveLength(2);
      expect(all('Session Modification Request [4.3.2.2.1 step 16a]')[0]).toBeLessThan(reports[0]);
      expect(all('Session Modification Request [4.2.3.2 step 17]')[0]).toBeLessThan(reports[1]);
    } finally {
      const s = await net.stop();
      expect(s.leftBehind).toEqual({});
    }
  }, 60_000);

  it('the default configuration subscribes to none: no Npcf_SMPolicyControl_Update at establishment', async () => {
    const cfg = testConfig(223);
    const net = await LiveNetwork.start({ ...cfg, ue: { ...cfg.ue, count: 1 } }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-triggers-')), database: ':memory:', capture: false });
    try {
      const [supi] = net.addConfiguredUes();
      await net.register(supi);
      const events: TraceEvent[] = [];
      const off = subscribeTrace((e) => events.push(e));
      try {
        await net.establishPduSession(supi, { psi: 1 });
        await net.settle();
      } finally {
        off();
      }
      expect(events.filter((e) => e.message === 'Npcf_SMPolicyControl_Update')).toEqual([]);
      expect([...net.core!.pcf.smPolicies.values()][0].reportedTriggers).toBeUndefined();
    } finally {
      const s = await net.stop();
      expect(s.leftBehind).toEqual({});
    }
  }, 60_000);
});
