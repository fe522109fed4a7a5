// Issue 23, callbacks that exist: a subscription change reaches the PDU session (TS 23.502 4.3.3.2
// step 1b) through three callbacks that answered 404 on commit 8c1eab1:
//   UDR -> UDM  Nudr_DM_Notify at the UDM's `/data-change/{subscriptionId}` (TS 29.504/29.505)
//   UDM -> SMF  Nudm_SDM_Notification of sm-data at the SMF's `/sdm-notify` (TS 29.503 5.2.2.5)
//   PCF -> SMF  Npcf_SMPolicyControl_UpdateNotify at `{notificationUri}/update` (TS 29.512 4.2.5.2)
// and the SMF applies the new Session-AMBR and 5QI: PDU SESSION MODIFICATION COMMAND to the UE
// (which answers COMPLETE) and N4 Session Modification with Update QER to the UPF. Over sockets
// (node:http2 SBI, NGAP over the SCTP shim, PFCP over UDP, the UPF judging the Update QER).

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestNetwork, type TestNetwork } from '../helpers/network.ts';
import { subscribeTrace } from '../../nodes/common/trace.ts';
import { inOrder } from '../helpers/steps.ts';
import { notifier, SbiErrorReply } from '../../nodes/common/sbi/client.ts';
import { smContextOf } from '../../nodes/smf/procedures/network-requested-release.ts';

const SUPI = 'imsi-001010000000743';
let net: TestNetwork;

beforeAll(async () => {
  net = await startTestNetwork(243, [SUPI]);
});
afterAll(async () => {
  await net?.stop();
});

async function recorded(fn: () => Promise<unknown>): Promise<string[]> {
  const steps: string[] = [];
  const off = subscribeTrace((e) => steps.push(`${e.from}>${e.to} ${e.message}${e.step ? ` [${e.step}]` : ''}`));
  try {
    await fn();
    await net.quiet();
  } finally {
    off();
  }
  return steps;
}

describe('PDU Session Modification on a subscription or policy change (issue 23)', () => {
  it('the UDR notifies the UDM, the UDM the SMF, the SMF asks the PCF and modifies the session at the UE and the UPF; the PCF\'s own update notification too', async () => {
    const before = net.ledgers();
    const u = net.ue(SUPI);
    await u.register(net.gnb);
    await u.establishPduSession(1);
    await net.quiet();
    const ambrBefore = u.sessions.get(1)!.sessionAmbr;
    const rec = net.core.store.get(SUPI)!;
    net.core.store.upsert({ ...rec, sessionQos: [{ fiveQi: 8, arpPriorityLevel: 7, ambrUplink: '20 Mbps', ambrDownlink: '30 Mbps' }] });
    let sent = 0;
    const steps = await recorded(async () => (sent = await net.core.udr.notifySubscriptionDataChange(SUPI)));
    expect(sent).toBe(2); // the AMF's am-data and the SMF's sm-data SDM subscriptions
    inOrder(steps, [
      'UDR>UDM Nudr_DM_Notify',
      'UDM>SMF Nudm_SDM_Notification [4.3.3.2 step 1b]',
      'SMF>PCF Npcf_SMPolicyControl_Update [4.3.3.2 step 1b (4.16.5.1)]',
      'SMF>AMF Namf_Communication_N1N2MessageTransfer [4.3.3.2 step 3b]',
      'UE>AMF UL NAS transport (PDU session modification complete) [4.3.3.2 step 9]',
    ]);
    inOrder(steps, ['SMF>UPF Session Modification Request (Update QER) [4.3.3.2 step 8a]', 'UPF>SMF Session Modification Response (cause 1)']);
    expect(steps.some((s) => s.startsWith('SMF>AMF 403') || s.includes('5GSM status'))).toBe(false);
    const ctx = smContextOf(net.core.smf, SUPI, 1)!;
    expect(ctx.qos).toMatchObject({ fiveQi: 8, ambrUplinkBps: 20_000_000, ambrDownlinkBps: 30_000_000 });
    expect(u.received).toContain('PDU session modification command');
    expect(u.sessions.get(1)!.sessionAmbr).not.toEqual(ambrBefore);
    expect(u.sessions.get(1)!.sessionAmbr).toMatchObject({ ul: 20_000, dl: 30_000 }) // kbps units (TS 24.501 9.11.4.14);

    // the PCF's own decision (4.16.5.2): Npcf_SMPolicyControl_UpdateNotify at {notificationUri}/update
    const pcf = notifier(net.core.nfs.get('pcf')!.sbi!.client);
    const uri = `${net.core.smf.cfg.baseUri}/nsmf-callback/v1/sm-policy-notify/${ctx.ref}`;
    const arp = { priorityLevel: 7, preemptCap: 'NOT_PREEMPT' as const, preemptVuln: 'PREEMPTABLE' as const };
    const decision = { sessRules: { 'sess-1': { sessRuleId: 'sess-1', authSessAmbr: { uplink: '5 Mbps', downlink: '6 Mbps' }, authDefQos: { '5qi': 8, arp } } } };
    const pcfSteps = await recorded(async () => expect((await pcf.smPolicyUpdateNotify(uri, { resourceUri: ctx.smPolicyUri!, smPolicyDecision: decision }, { step: '4.16.5.2' })).status).toBe(204));
    inOrder(pcfSteps, ['SMF>AMF Namf_Communication_N1N2MessageTransfer [4.3.3.2 step 3b]', 'UE>AMF UL NAS transport (PDU session modification complete)']);
    expect(ctx.qos).toMatchObject({ ambrUplinkBps: 5_000_000, ambrDownlinkBps: 6_000_000 });
    expect(u.sessions.get(1)!.sessionAmbr).toMatchObject({ ul: 5_000, dl: 6_000 });
    const refused = await pcf.smPolicyUpdateNotify(uri, { resourceUri: 'http://127.0.243.13:8080/npcf-smpolicycontrol/v1/sm-policies/nope', smPolicyDecision: decision }, { step: 'x' }).then(() => 0, (e: unknown) => (e instanceof SbiErrorReply ? e.reply.status : -1));
    expect(refused).toBe(404);

    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await net.quiet();
    expect(net.ledgers()).toEqual(before);
  });
});
