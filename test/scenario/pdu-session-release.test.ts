// UE-requested PDU Session Release end to end (TS 23.502 4.3.4.2 non-roaming, TS 24.501 6.4.3)
// over real sockets: the ladder of the procedure in the clause's order, the UPF's usage report
// reaching the PCF, the session gone everywhere, every ledger back where it was before the
// session, and a second session of the same UE untouched. The message names and IEs are judged by
// our own codecs here; test/control judges the capture with tshark.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { startTestNetwork, type TestNetwork } from '../helpers/network.ts';
import type { LedgerSnapshot } from '../../nodes/common/ledger.ts';

let net: TestNetwork;
const supi = 'imsi-001010000000301';

beforeAll(async () => {
  net = await startTestNetwork(11, [supi]);
});

afterAll(async () => {
  await net?.stop();
});

describe('UE-requested PDU Session Release (TS 23.502 4.3.4.2)', () => {
  it('releases one session through AMF, SMF, UPF, PCF, UDM and gNB; the other session keeps its user plane', async () => {
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
      expect(await u.releasePduSession(2)).toBe('released');
      await net.quiet();
    } finally {
      off();
    }
    expect([...u.sessions.keys()]).toEqual([1]);
    expect(net.ledgers()).toEqual(withOne);
    const steps = events.filter((e) => e.step?.startsWith('4.3.4.2')).map((e) => `${e.from}>${e.to} ${e.message} [${e.step}]`);
    const at = (s: string) => {
      const i = steps.findIndex((x) => x.includes(s));
      expect(i, `${s} in\n${steps.join('\n')}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    // the clause's order; steps 8-10 may come before 6-7 (the gNB hands the NAS over first)
    expect(at('UL NAS transport (PDU session release request) [4.3.4.2 step 1a]')).toBeLessThan(at('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 1a]'));
    expect(at('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 1a]')).toBeLessThan(at('Session Deletion Request [4.3.4.2 step 2a]'));
    expect(at('Session Deletion Request [4.3.4.2 step 2a]')).toBeLessThan(at('PDUSessionResourceReleaseCommand [4.3.4.2 step 4]'));
    expect(at('PDUSessionResourceReleaseCommand [4.3.4.2 step 4]')).toBeLessThan(at('PDUSessionResourceReleaseResponse'));
    expect(at('PDUSessionResourceReleaseResponse')).toBeLessThan(at('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 7]'));
    expect(at('PDU session release complete) [4.3.4.2 step 8]')).toBeLessThan(at('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 10]'));
    expect(at('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 10]')).toBeLessThan(at('Nsmf_PDUSession_SMContextStatusNotify [4.3.4.2 step 11]'));
    expect(at('Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 7]')).toBeLessThan(at('Nsmf_PDUSession_SMContextStatusNotify [4.3.4.2 step 11]'));
    expect(at('Nsmf_PDUSession_SMContextStatusNotify [4.3.4.2 step 11]')).toBeLessThan(at('Npcf_SMPolicyControl_Delete [4.3.4.2 step 12]'));
    expect(at('Npcf_SMPolicyControl_Delete [4.3.4.2 step 12]')).toBeLessThan(at('Nudm_UECM_Deregistration [4.3.4.2 step 13]'));
    expect(u.received).toContain('PDU session release command');
    // the UPF's usage of the released session reached the PCF and was charged to the UDR
    expect(net.core.store.usage(supi, 'internet', '1')?.remainingOctets).toBeLessThan(100_000_000);
    // the first session still carries traffic
    expect(await u.ping('10.45.255.254', 2, { psi: 1 })).toBeGreaterThanOrEqual(0);
    await u.deregister({ switchOff: true });
    await net.quiet();
  });

  it('refuses a release of a session the UE does not have, sending nothing', async () => {
    const u = net.ue(supi);
    await expect(u.releasePduSession(5)).rejects.toThrow(/5GMM-REGISTERED/);
    await u.register(net.gnb);
    await expect(u.releasePduSession(5)).rejects.toThrow(/no PDU session 5/);
    await u.deregister({ switchOff: true });
    await net.quiet();
  });
});
