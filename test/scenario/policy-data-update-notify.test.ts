// Issue 23, callbacks that exist: the PCF sends Npcf_SMPolicyControl_UpdateNotify on its own
// (TS 23.502 4.16.5.2, TS 29.512 4.2.5.2) when the UDR tells it that a subscriber's policy data
// changed and its decision no longer holds: the remaining allowed usage of a PDU session went from
// 100,000,000 to 3,000 octets (O&M, what `wire5g subscriber update --usage` writes), so the volume
// threshold the PCF installed is lowered in an SmPolicyNotification's umDecs, the SMF enforces it
// with a PFCP Update URR, and the UPF then reports usage after 3,000 octets instead of 100 MB: the
// usage is deducted and, nothing being left, the session terminated (4.16.6 case A). On commit
// 8c1eab1 the PCF sent no update notification (its only reaction to policy data was a termination
// for a withdrawn DNN) and the SMF's `/update` callback answered 404; on main before this change the
// callback was served but no NF sent to it. Judges: the Rel-18 OpenAPI schema (Ajv,
// test/helpers/sbi-schema-setup.ts) every SBI body, the UPF (our own) enforcing the threshold it
// was given, which the usage report proves.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { startTestNetwork, type TestNetwork } from '../helpers/network.ts';
import { subscribeTrace } from '../../nodes/common/trace.ts';
import { inOrder } from '../helpers/steps.ts';
import { pollUntil } from '../../nodes/control/network-commands.ts';
import type { SbiExchange } from '../../nodes/common/sbi/client.ts';
import { smContextOf } from '../../nodes/smf/procedures/network-requested-release.ts';

const SUPI = 'imsi-001010000000745';
let net: TestNetwork;
const notifications: unknown[] = [];
const record = (m: unknown) => {
  const e = m as SbiExchange;
  if (e.op.name === 'Npcf_SMPolicyControl_UpdateNotify') notifications.push(JSON.parse(JSON.stringify(e.requestBody ?? null)));
};

beforeAll(async () => {
  net = await startTestNetwork(245, [SUPI]);
  subscribe('wire5g:sbi-exchange', record);
});
afterAll(async () => {
  unsubscribe('wire5g:sbi-exchange', record);
  await net?.stop();
});

describe('the PCF\'s own SM policy update notification on a policy data change (issue 23)', () => {
  it('a lowered allowance: UpdateNotify with the new threshold, Update URR, the UPF reports at it, the session ends', async () => {
    const u = net.ue(SUPI);
    await u.register(net.gnb);
    await u.establishPduSession(1);
    await net.quiet();
    const ctx = smContextOf(net.core.smf, SUPI, 1)!;
    expect(ctx.usageMonitoring?.map((m) => m.volumeThresholdOctets)).toEqual([100_000_000]);
    // nothing changed: the PCF has nothing to tell
    await net.core.udr.notifyPolicyDataChange(SUPI);
    await net.quiet();
    expect(notifications).toEqual([]);

    net.core.store.setUsage(SUPI, 'internet', '1', 3000);
    const steps: string[] = [];
    const off = subscribeTrace((e) => steps.push(`${e.from}>${e.to} ${e.message}`));
    await net.core.udr.notifyPolicyDataChange(SUPI);
    await net.quiet();
    off();
    inOrder(steps, ['UDR>PCF Nudr_DM_Notify', 'PCF>SMF Npcf_SMPolicyControl_UpdateNotify', 'SMF>UPF Session Modification Request (Update URR)', 'UPF>SMF Session Modification Response (cause 1)']);
    expect(steps).toContain('SMF>PCF 204 (Npcf_SMPolicyControl_UpdateNotify)');
    expect(notifications).toEqual([{ resourceUri: ctx.smPolicyUri, smPolicyDecision: { umDecs: { 'internet:1': { umId: 'internet:1', volumeThreshold: 3000 } } } }]);
    expect(ctx.usageMonitoring?.map((m) => m.volumeThresholdOctets)).toEqual([3000]);

    // the UPF enforces the new threshold: an echo is 1,228 octets each way, the second request crosses 3,000
    for (let i = 1; i <= 2 && u.sessions.has(1); i++) await u.ping(undefined, i, { psi: 1, payload: new Uint8Array(1200), timeoutMs: 1000 }).catch(() => -1);
    await pollUntil(() => !u.sessions.has(1));
    expect(net.core.store.usage(SUPI, 'internet', '1')?.remainingOctets).toBe(0);
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await net.quiet();
  }, 60_000);
});
