// Usage monitoring per Monitoring Key (TS 23.503 6.2.2.3, TS 29.512 4.2.2.4 / 5.6.2.12, TS 29.519
// UsageMonData per key): the subscriber has a remaining allowed usage for its DNN and S-NSSAI and
// one for the Monitoring Key `icmp`, whose PCC rule (pcf.monitoringKeys) covers ICMP. The PCF
// installs one UsageMonitoringData for the session (the session rule's refUmData) and one for the
// key (its PCC rule's refUmData); the SMF makes each a PFCP URR, the key's linked to PDRs with the
// rule's SDF filter; pings cross both thresholds on the same packet, so the UPF sends one Session
// Report Request with two Usage Reports; the SMF reports both keys in one
// Npcf_SMPolicyControl_Update; the PCF deducts each in the UDR and re-arms both (one Session
// Modification Request with two Update URRs) or, nothing being left for the session, terminates;
// the N4 Session Deletion Response carries the final report of both URRs and the Delete both
// keys. A key whose allowance runs out alone is no longer monitored (its UsageMonitoringData
// null: VOLTH off in its URR) and the session goes on. tshark judges the PFCP (URR IDs, PDR IDs,
// the SDF filter, several Usage Report IEs in one message); the Rel-18 OpenAPI schema (Ajv,
// test/helpers/sbi-schema-setup.ts) every SBI body.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { LiveNetwork } from '../../nodes/control/index.ts';
import { pollUntil } from '../../nodes/control/network-commands.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import type { SbiExchange } from '../../nodes/common/sbi/client.ts';
import { testConfig } from '../helpers/network.ts';
import { tsharkAvailable, dissect, problems, type DissectedFrame } from '../helpers/tshark.ts';

const BOTH = 'imsi-001010000000241';
const KEY_ONLY = 'imsi-001010000000242';
let net: LiveNetwork;
const bodies: { op: string; body: unknown; response: unknown }[] = [];
const record = (m: unknown) => {
  const e = m as SbiExchange;
  if (e.op.name.startsWith('Npcf_SMPolicyControl')) bodies.push({ op: e.op.name, body: JSON.parse(JSON.stringify(e.requestBody ?? null)), response: JSON.parse(JSON.stringify(e.responseBody ?? null)) });
};

beforeAll(async () => {
  const cfg = testConfig(209);
  net = await LiveNetwork.start({
    ...cfg,
    pcf: { ...cfg.pcf, usageThresholdOctets: 3000 },
    ue: { ...cfg.ue, count: 2 },
    subscribers: [
      // both allowances 6,000 in portions of 3,000: the two thresholds fall on the same packet
      { ...DEFAULT_SUBSCRIBER, supi: BOTH, allowedUsageOctets: 6000, monitoringKeys: [{ key: 'icmp', octets: 6000 }] },
      // the key's 2,000 runs out long before the session's 100,000
      { ...DEFAULT_SUBSCRIBER, supi: KEY_ONLY, allowedUsageOctets: 100_000, monitoringKeys: [{ key: 'icmp', octets: 2000 }] },
    ],
  }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-mk-')), database: ':memory:' });
  net.addConfiguredUes();
  subscribe('wire5g:sbi-exchange', record);
});

afterAll(() => unsubscribe('wire5g:sbi-exchange', record));

const ctxOf = (supi: string) => [...net.core!.smf.contexts.values()].find((c) => c.supi === supi && c.state !== 'released');
const sent = (op: string) => bodies.filter((b) => b.op === op);

describe('usage monitoring per Monitoring Key (TS 23.503 6.2.2.3, TS 29.512 UsageMonitoringData per key)', () => {
  it('session and key thresholds reached together: one report with both, both deducted and re-armed, then the termination with both final reports', async () => {
    await net.register(BOTH);
    await net.establishPduSession(BOTH, { psi: 1 });
    // the PCF's decision: the session rule references the session's data, a PCC rule with the key's flow the key's
    const create = sent('Npcf_SMPolicyControl_Create').at(-1)!.response as { sessRules: Record<string, { refUmData?: string }>; pccRules: Record<string, { refUmData?: string[]; flowInfos?: { flowDescription: string }[]; precedence?: number }>; umDecs: Record<string, { volumeThreshold?: number }> };
    expect(Object.values(create.sessRules)[0].refUmData).toBe('internet:1');
    const keyRule = Object.values(create.pccRules).find((r) => r.refUmData?.[0] === 'internet:1:icmp');
    expect(keyRule?.flowInfos?.[0].flowDescription).toBe('permit out 1 from any to assigned');
    expect(create.umDecs).toEqual({ 'internet:1': { umId: 'internet:1', volumeThreshold: 3000 }, 'internet:1:icmp': { umId: 'internet:1:icmp', volumeThreshold: 3000 } });
    expect(ctxOf(BOTH)?.usageMonitoring?.map((u) => [u.umId, u.urrId, u.volumeThresholdOctets])).toEqual([['internet:1', 1, 3000], ['internet:1:icmp', 2, 3000]]);
    const mk = () => net.core!.store.monitoringKeyUsageOf(BOTH)[0]?.remainingOctets;
    const session = () => net.core!.store.usage(BOTH, 'internet', '1')?.remainingOctets;
    // an echo is 1,228 octets each way, all ICMP: both URRs measure the same
    await net.ping(BOTH, { count: 1, size: 1200 }); // 2,456
    await net.ping(BOTH, { count: 1, size: 1200 }); // the request crosses 3,000 on both: 3,684 reported per key
    await pollUntil(() => session() === 2316 && mk() === 2316);
    const update = sent('Npcf_SMPolicyControl_Update').at(-1)!;
    expect((update.body as { accuUsageReports: { refUmIds: string; volUsage: number }[] }).accuUsageReports).toEqual([
      expect.objectContaining({ refUmIds: 'internet:1', volUsage: 3684 }),
      expect.objectContaining({ refUmIds: 'internet:1:icmp', volUsage: 3684 }),
    ]);
    expect(update.response).toEqual({ umDecs: { 'internet:1': { umId: 'internet:1', volumeThreshold: 2316 }, 'internet:1:icmp': { umId: 'internet:1:icmp', volumeThreshold: 2316 } } });
    await pollUntil(() => ctxOf(BOTH)?.usageMonitoring?.every((u) => u.volumeThresholdOctets === 2316) === true);
    // the next crosses 2,316 on both: nothing left for the session, the PCF terminates
    await net.ping(BOTH, { count: 1, size: 1200 });
    await pollUntil(() => net.ueOf(BOTH).sessions.size === 0 && sent('Npcf_SMPolicyControl_Delete').length > 0);
    expect(session()).toBe(0);
    expect(mk()).toBe(0);
    // 4.16.6 step 2: the final usage of both URRs, per key
    const del = sent('Npcf_SMPolicyControl_Delete').at(-1)!.body as { accuUsageReports?: { refUmIds: string }[] };
    expect(del.accuUsageReports?.map((r) => r.refUmIds)).toEqual(['internet:1', 'internet:1:icmp']);
  }, 60_000);

  it('a key whose allowance runs out alone: reported alone, no longer monitored (null, VOLTH off), the session goes on', async () => {
    await net.register(KEY_ONLY);
    await net.establishPduSession(KEY_ONLY, { psi: 1 });
    expect(ctxOf(KEY_ONLY)?.usageMonitoring?.map((u) => [u.umId, u.volumeThresholdOctets])).toEqual([['internet:1', 3000], ['internet:1:icmp', 2000]]);
    const updatesBefore = sent('Npcf_SMPolicyControl_Update').length;
    await net.ping(KEY_ONLY, { count: 1, size: 1200 }); // 1,228 then 2,456: the reply crosses the key's 2,000 only
    // the PCF deducts before its answer reaches the SMF's client, which records the exchange: wait for both
    await pollUntil(() => net.core!.store.monitoringKeyUsageOf(KEY_ONLY)[0]?.remainingOctets === 0 && sent('Npcf_SMPolicyControl_Update').length > updatesBefore);
    const update = sent('Npcf_SMPolicyControl_Update').at(-1)!;
    expect((update.body as { accuUsageReports: { refUmIds: string }[] }).accuUsageReports.map((r) => r.refUmIds)).toEqual(['internet:1:icmp']);
    expect(update.response).toEqual({ umDecs: { 'internet:1:icmp': null } });
    await pollUntil(() => ctxOf(KEY_ONLY)?.usageMonitoring?.[1]?.volumeThresholdOctets === undefined);
    expect(net.core!.store.usage(KEY_ONLY, 'internet', '1')?.remainingOctets).toBe(100_000);
    expect(net.ueOf(KEY_ONLY).sessions.size).toBe(1);
    // case B: the UE switches off; the deletion reports both URRs (the session's 2,456 since it
    // began, nothing on the key since its report), the PCF deducts the session's
    const deletes = sent('Npcf_SMPolicyControl_Delete').length;
    await net.deregister(KEY_ONLY, { switchOff: true });
    await pollUntil(() => sent('Npcf_SMPolicyControl_Delete').length > deletes);
    const del = sent('Npcf_SMPolicyControl_Delete').at(-1)!.body as { accuUsageReports?: { refUmIds: string; volUsage: number }[] };
    expect(del.accuUsageReports?.map((r) => [r.refUmIds, r.volUsage])).toEqual([['internet:1', 2456], ['internet:1:icmp', 0]]);
    expect(net.core!.store.usage(KEY_ONLY, 'internet', '1')?.remainingOctets).toBe(100_000 - 2456);
    expect(net.core!.store.monitoringKeyUsageOf(KEY_ONLY)[0]?.remainingOctets).toBe(0);
  }, 60_000);

  it('every ledger is back; tshark reads the URRs, the key\'s PDRs and several Usage Reports in one message', async () => {
    await net.deregister(BOTH, { switchOff: true });
    const s = await net.stop();
    expect(s.leftBehind).toEqual({});
    if (!tsharkAvailable()) return;
    const frames = dissect(s.files.capture!, { filter: 'pfcp' });
    expect(problems(frames)).toEqual([]);
    const of = (type: string) => frames.filter((f) => f.fields.get('pfcp.msg_type')?.[0] === type);
    const values = (f: DissectedFrame, name: string) => f.fields.get(name) ?? [];
    // Session Establishment Request (50): PDRs 1-4, the key's two with the SDF filter, CHOOSE ID shared, URRs 1 and 2
    const est = of('50')[0];
    expect(values(est, 'pfcp.pdr_id')).toEqual(['1', '2', '3', '4']);
    expect(values(est, 'pfcp.flow_desc')).toEqual(['permit out 1 from any to assigned', 'permit out 1 from any to assigned']);
    expect(values(est, 'pfcp.f_teid_flags.ch_id')).toEqual(['1', '1']);
    expect(values(est, 'pfcp.urr_id')).toEqual(['1', '1', '1', '2', '1', '2', '1', '2']);
    expect(values(est, 'pfcp.volume_threshold.tovol')).toEqual(['3000', '3000']);
    // Session Report Request (56) with two Usage Reports (URR 1 and 2, VOLTH)
    const both = of('56').find((f) => values(f, 'pfcp.urr_id').length === 2);
    expect(both, 'a Session Report Request with two Usage Reports').toBeDefined();
    expect(values(both!, 'pfcp.urr_id')).toEqual(['1', '2']);
    expect(values(both!, 'pfcp.usage_report_trigger_flags.volth')).toEqual(['1', '1']);
    // Session Modification Request (52) re-arming both: two Update URRs with 2,316
    const rearm = of('52').find((f) => values(f, 'pfcp.volume_threshold.tovol').length === 2);
    expect(values(rearm!, 'pfcp.urr_id')).toEqual(['1', '2']);
    expect(values(rearm!, 'pfcp.volume_threshold.tovol')).toEqual(['2316', '2316']);
    // the key run out alone: Update URR 2 with VOLTH off and no threshold
    const off = of('52').find((f) => values(f, 'pfcp.urr_id').join() === '2' && values(f, 'pfcp.reporting_triggers_flags.volth').join() === '0');
    expect(off, 'an Update URR of URR 2 with VOLTH off').toBeDefined();
    expect(values(off!, 'pfcp.volume_threshold.tovol')).toEqual([]);
    // Session Deletion Response (55): the final (TERMR) report of both URRs in one message
    const deletions = of('55').filter((f) => values(f, 'pfcp.urr_id').length === 2);
    expect(deletions).toHaveLength(2);
    for (const d of deletions) expect(values(d, 'pfcp.usage_report_trigger.term')).toEqual(['1', '1']);
  }, 60_000);
});
