// SM Policy Association Termination, case A, "usage exhausted" (TS 23.502 4.16.6 with TS 23.503
// 6.2.2.3 usage monitoring), driven by real user-plane traffic over loopback: the PCF installs a
// volume threshold from the subscriber's remaining allowed usage, the SMF turns it into the
// session's PFCP URR (VOLTH with a Volume Threshold), pings with a large payload cross it, the
// UPF sends a Session Report Request with a Usage Report, the SMF reports it to the PCF
// (Npcf_SMPolicyControl_Update, US_RE), the PCF deducts it in the UDR and, nothing being left,
// requests the termination; the session is released and every ledger comes back. The PFCP
// bytes are our codec's here; tshark judges them in the scenario test.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveNetwork } from '../../nodes/control/index.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { pollUntil } from '../../nodes/control/network-commands.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { testConfig } from '../helpers/network.ts';
import { loadScenario } from '../../nodes/control/scenario-file.ts';
import { stepOrder, traceLine, orderMismatch } from '../../nodes/control/step-order.ts';

describe('usage exhausted: the PCF terminates when the UPF-reported usage leaves nothing (TS 23.502 4.16.6 case A)', () => {
  it('two 1,200-octet pings use up 4,000 octets: URR report, Update, UDR at 0, termination, release', async () => {
    const cfg = testConfig(218);
    const supi = 'imsi-001010000000218';
    const net = await LiveNetwork.start({ ...cfg, ue: { ...cfg.ue, count: 1 }, subscribers: [{ ...DEFAULT_SUBSCRIBER, supi, allowedUsageOctets: 4000 }] }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-usage-')), database: ':memory:', capture: false });
    try {
      net.addConfiguredUes();
      await net.register(supi);
      await net.establishPduSession(supi, { psi: 1 });
      const events: TraceEvent[] = [];
      const off = subscribeTrace((e) => events.push(e));
      try {
        // one echo is about 2 x 1,228 octets on N3/N6: below the threshold, then across it
        await net.ping(supi, { count: 1, size: 1200 });
        expect(net.ueOf(supi).sessions.size).toBe(1);
        await net.ping(supi, { count: 1, size: 1200 });
        await pollUntil(() => net.ueOf(supi).sessions.size === 0 && net.core!.pcf.smPolicies.size === 0);
      } finally {
        off();
      }
      expect(net.ueOf(supi).sessions.size).toBe(0);
      expect(net.core!.store.usage(supi, 'internet', '1')?.remainingOctets).toBe(0);
      const steps = events.filter((e) => !e.response).map((e) => `${e.from}>${e.to} ${e.message}${e.step ? ` [${e.step}]` : ''}`);
      // the order stated once, in the built-in scenario sm-policy-termination (UE 3's pings; its run checks it too)
      expect(orderMismatch(events.map(traceLine), stepOrder(loadScenario('sm-policy-termination'), 'ping', '3-3'))).toBeUndefined();
      // one report: the threshold is crossed once
      expect(steps.filter((s) => s.includes('Npcf_SMPolicyControl_Update ['))).toHaveLength(1);
    } finally {
      const s = await net.stop();
      expect(s.leftBehind).toEqual({});
    }
  }, 60_000);

  it('re-armed after a partial report: with pcf.usageThresholdOctets 3,000 of 8,000, each report installs a new threshold (Update URR) until nothing is left', async () => {
    const cfg = testConfig(219);
    const supi = 'imsi-001010000000219';
    const net = await LiveNetwork.start({ ...cfg, pcf: { ...cfg.pcf, usageThresholdOctets: 3000 }, ue: { ...cfg.ue, count: 1 }, subscribers: [{ ...DEFAULT_SUBSCRIBER, supi, allowedUsageOctets: 8000 }] }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-usage-')), database: ':memory:', capture: false });
    try {
      net.addConfiguredUes();
      await net.register(supi);
      await net.establishPduSession(supi, { psi: 1 });
      const ctx = () => [...net.core!.smf.contexts.values()].find((c) => c.supi === supi && c.state !== 'released');
      const remaining = () => net.core!.store.usage(supi, 'internet', '1')?.remainingOctets;
      // the PCF installed a portion, not the whole 8,000
      expect(ctx()?.usageMonitoring?.[0]?.volumeThresholdOctets).toBe(3000);
      const events: TraceEvent[] = [];
      const off = subscribeTrace((e) => events.push(e));
      try {
        // an echo is 1,228 octets each way (1,200 + ICMP 8 + IPv4 20); the URR measures both
        await net.ping(supi, { count: 1, size: 1200 }); // 2,456: below 3,000
        expect(remaining()).toBe(8000);
        await net.ping(supi, { count: 1, size: 1200 }); // the request crosses 3,000: report 3,684, 4,316 left
        await pollUntil(() => remaining() === 4316);
        await net.ping(supi, { count: 1, size: 1200 }); // 1,228 + 2,456: the reply crosses: report 3,684, 632 left
        await pollUntil(() => remaining() === 632 && ctx()?.usageMonitoring?.[0]?.volumeThresholdOctets === 632);
        expect(net.ueOf(supi).sessions.size).toBe(1);
        await net.ping(supi, { count: 1, size: 1200 }); // 1,228 crosses 632: nothing left, the PCF terminates (the reply may report again)
        await pollUntil(() => net.ueOf(supi).sessions.size === 0 && net.core!.pcf.smPolicies.size === 0);
      } finally {
        off();
      }
      expect(remaining()).toBe(0);
      const steps = events.filter((e) => !e.response).map((e) => `${e.from}>${e.to} ${e.message}${e.step ? ` [${e.step}]` : ''}`);
      const all = (s: string) => steps.flatMap((x, i) => (x.includes(s) ? [i] : []));
      const reports = all('SMF>PCF Npcf_SMPolicyControl_Update [4.16.5.1 step 1]');
      const rearms = all('SMF>UPF Session Modification Request (Update URR) [4.16.5.1 step 2]');
      // three reports, or four: the reply of the last echo may cross 632 again before the release
      // (the URR keeps its threshold and measures anew after each report, TS 29.244 5.2.2.3.1)
      expect(reports.length, steps.join('\n')).toBeGreaterThanOrEqual(3);
      // two re-arms (3,000 then 632), each after the report it answers; none after the last
      expect(rearms).toHaveLength(2);
      expect(reports[0]).toBeLessThan(rearms[0]);
      expect(rearms[0]).toBeLessThan(reports[1]);
      expect(reports[1]).toBeLessThan(rearms[1]);
      expect(rearms[1]).toBeLessThan(reports[2]);
      expect(reports[2]).toBeLessThan(all('PCF>SMF Npcf_SMPolicyControl_UpdateNotify [4.16.6 step 1]')[0]);
    } finally {
      const s = await net.stop();
      expect(s.leftBehind).toEqual({});
    }
  }, 60_000);
});
