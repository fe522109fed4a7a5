// Network-requested PDU Session Release, SMF-initiated (TS 23.502 4.3.4.2 step 1e, TS 24.501 6.3.3)
// end to end over real sockets: the steps in the clause's order, the UPF's usage reaching the PCF,
// the session gone at the UE, gNB, AMF, SMF, UPF, PCF and UDM, and every ledger back where it was
// before the session. Message names are judged by our own codecs here; the tshark check of the
// same messages is in test/control/network-release.test.ts.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { startTestNetwork, type TestNetwork } from '../helpers/network.ts';
import type { LedgerSnapshot } from '../../nodes/common/ledger.ts';
import { networkRequestedRelease, smContextOf, releaseBySupi } from '../../nodes/smf/procedures/network-requested-release.ts';
import { amfRequestedRelease } from '../../nodes/amf/procedures/amf-requested-release.ts';

let net: TestNetwork;
const supi = 'imsi-001010000000351';
const supi1f = 'imsi-001010000000352';

beforeAll(async () => {
  net = await startTestNetwork(151, [supi, supi1f]);
});

afterAll(async () => {
  await net?.stop();
});

function order(events: TraceEvent[]) {
  const steps = events.filter((e) => e.step?.startsWith('4.3.4.2')).map((e) => `${e.from}>${e.to} ${e.message} [${e.step}]`);
  return (s: string) => {
    const i = steps.findIndex((x) => x.includes(s));
    expect(i, `${s} in\n${steps.join('\n')}`).toBeGreaterThanOrEqual(0);
    return i;
  };
}

describe('Network-requested PDU Session Release by the SMF (TS 23.502 4.3.4.2)', () => {
  it('releases one of two sessions in the clause\'s order; the other keeps its user plane; ledgers as before the session', async () => {
    const u = net.ue(supi);
    await u.register(net.gnb);
    await u.establishPduSession(1);
    await net.quiet();
    const withOne: Record<string, LedgerSnapshot> = net.ledgers();
    await u.establishPduSession(2);
    await u.ping('10.45.255.254', 1, { psi: 2 });
    await net.quiet();
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    try {
      const ctx = smContextOf(net.core.smf, supi, 2);
      expect(ctx?.state).toBe('active');
      await networkRequestedRelease(net.core.smf, ctx!, { fiveGsmCause: 26 });
      await net.quiet();
    } finally {
      off();
    }
    expect([...u.sessions.keys()]).toEqual([1]);
    expect(smContextOf(net.core.smf, supi, 2)).toBeUndefined();
    expect(net.ledgers()).toEqual(withOne);
    const at = order(events);
    expect(at('Session Deletion Request [4.3.4.2 step 2a]')).toBeLessThan(at('Namf_Communication_N1N2MessageTransfer [4.3.4.2 step 3b]'));
    expect(at('Namf_Communication_N1N2MessageTransfer [4.3.4.2 step 3b]')).toBeLessThan(at('PDUSessionResourceReleaseCommand [4.3.4.2 step 4]'));
    expect(at('PDUSessionResourceReleaseCommand [4.3.4.2 step 4]')).toBeLessThan(at('PDUSessionResourceReleaseResponse'));
    expect(at('PDUSessionResourceReleaseResponse')).toBeLessThan(at('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 7]'));
    expect(at('PDUSessionResourceReleaseCommand [4.3.4.2 step 4]')).toBeLessThan(at('PDU session release complete) [4.3.4.2 step 8]'));
    expect(at('PDU session release complete) [4.3.4.2 step 8]')).toBeLessThan(at('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 10]'));
    expect(at('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 10]')).toBeLessThan(at('Nsmf_PDUSession_SMContextStatusNotify [4.3.4.2 step 11]'));
    expect(at('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 7]')).toBeLessThan(at('Nsmf_PDUSession_SMContextStatusNotify [4.3.4.2 step 11]'));
    expect(at('Nsmf_PDUSession_SMContextStatusNotify [4.3.4.2 step 11]')).toBeLessThan(at('Npcf_SMPolicyControl_Delete [4.3.4.2 step 12]'));
    expect(at('Npcf_SMPolicyControl_Delete [4.3.4.2 step 12]')).toBeLessThan(at('Nudm_UECM_Deregistration [4.3.4.2 step 13]'));
    // no UE-requested release: the UE sent no PDU SESSION RELEASE REQUEST
    expect(events.some((e) => e.message.includes('PDU session release request'))).toBe(false);
    expect(u.received).toContain('PDU session release command');
    // the UPF's usage of the released session reached the PCF and was charged to the UDR
    expect(net.core.store.usage(supi, 'internet', '1')?.remainingOctets).toBeLessThan(100_000_000);
    expect(await u.ping('10.45.255.254', 2, { psi: 1 })).toBeGreaterThanOrEqual(0);
    await u.deregister({ switchOff: true });
    await net.quiet();
  });

  it('a UE without an NG connection is not paged: the AMF answers N1_MSG_NOT_TRANSFERRED and the SMF releases without acknowledgements', async () => {
    const u = net.ue(supi);
    await u.register(net.gnb);
    await net.quiet();
    const registered = net.ledgers();
    await u.establishPduSession(1);
    await net.quiet();
    // the gNB loses the UE without signalling: the AMF keeps the registration (no NG connection)
    const amfUe = net.core.amf.bySupi.get(supi)!;
    net.core.amf.dropUe(amfUe);
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    try {
      await releaseBySupi(net.core.smf, supi, 1);
      await net.quiet();
    } finally {
      off();
    }
    const at = order(events);
    expect(events.some((e) => e.message === 'PDUSessionResourceReleaseCommand')).toBe(false);
    expect(at('Namf_Communication_N1N2MessageTransfer [4.3.4.2 step 3b]')).toBeLessThan(at('Nsmf_PDUSession_SMContextStatusNotify [4.3.4.2 step 11]'));
    expect(at('Nsmf_PDUSession_SMContextStatusNotify [4.3.4.2 step 11]')).toBeLessThan(at('Npcf_SMPolicyControl_Delete [4.3.4.2 step 12]'));
    expect(amfUe.sessions.size).toBe(0);
    const after = net.ledgers();
    expect(after.SMF).toEqual(registered.SMF);
    expect(after.UPF).toEqual(registered.UPF);
    expect(after.PCF).toEqual(registered.PCF);
    await expect(releaseBySupi(net.core.smf, supi, 1)).rejects.toThrow(/no PDU session 1/);
  });

  it('1f: the AMF asks for the release (UpdateSMContext with the release indication and its cause, the UE\'s location): steps 2-13 follow; ledgers as before the session', async () => {
    const u = net.ue(supi1f);
    await u.register(net.gnb);
    await net.quiet();
    const registered = net.ledgers();
    await u.establishPduSession(1);
    await net.quiet();
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    try {
      await amfRequestedRelease(net.core.amf, net.core.amf.bySupi.get(supi1f)!, 1, 'REL_DUE_TO_SUBSCRIPTION_CHANGE');
      await net.quiet();
    } finally {
      off();
    }
    const at = order(events);
    expect(at('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 1f]')).toBeLessThan(at('Session Deletion Request [4.3.4.2 step 2a]'));
    expect(at('Session Deletion Request [4.3.4.2 step 2a]')).toBeLessThan(at('PDUSessionResourceReleaseCommand [4.3.4.2 step 4]'));
    expect(at('PDUSessionResourceReleaseCommand [4.3.4.2 step 4]')).toBeLessThan(at('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 7]'));
    expect(at('PDU session release complete) [4.3.4.2 step 8]')).toBeLessThan(at('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 10]'));
    expect(at('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 10]')).toBeLessThan(at('Nsmf_PDUSession_SMContextStatusNotify [4.3.4.2 step 11]'));
    expect(at('Nsmf_PDUSession_SMContextStatusNotify [4.3.4.2 step 11]')).toBeLessThan(at('Npcf_SMPolicyControl_Delete [4.3.4.2 step 12]'));
    expect(at('Npcf_SMPolicyControl_Delete [4.3.4.2 step 12]')).toBeLessThan(at('Nudm_UECM_Deregistration [4.3.4.2 step 13]'));
    expect(u.received).toContain('PDU session release command');
    expect(u.sessions.size).toBe(0);
    expect(net.core.amf.bySupi.get(supi1f)?.sessions.size).toBe(0);
    expect(net.ledgers()).toEqual(registered);
    // a second request for the same session is refused before anything is sent
    await expect(amfRequestedRelease(net.core.amf, net.core.amf.bySupi.get(supi1f)!, 1, 'REL_DUE_TO_SUBSCRIPTION_CHANGE')).rejects.toThrow(/no SM context of PDU session 1/);
  });
});
