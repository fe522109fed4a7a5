// Issue 23: the UPF refuses the N4 Session Modification that installs the gNB's tunnel (TS 23.502
// 4.3.2.2.1 step 16a). On commit 8c1eab1 the PfcpCauseError escaped as a plain 500 and the session
// stayed at the SMF, the UPF, the AMF and the UE. Now the SMF answers 500 SmContextUpdateError
// (ProblemDetails SYSTEM_FAILURE with the PFCP cause) carrying the PDU SESSION RELEASE COMMAND (#38)
// and the N2 release, the AMF relays them, the session is released everywhere (4.3.4.2 steps 2-13).
// Over sockets: the real UPF refuses (it is asked to modify a session it does not hold, PFCP cause 65
// "Session context not found", TS 29.244 8.2.1), the AMF's UpdateSMContext client reads the answer.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestNetwork, type TestNetwork } from '../helpers/network.ts';
import { subscribeTrace } from '../../nodes/common/trace.ts';
import { inOrder } from '../helpers/steps.ts';

const SUPI = 'imsi-001010000000741';
let net: TestNetwork;

beforeAll(async () => {
  net = await startTestNetwork(210, [SUPI]);
});
afterAll(async () => {
  await net?.stop();
});

describe('N4 Session Modification refused at step 16a (issue 23)', () => {
  it('the session is released toward the UE (#38) and the AMF; the SBI answer is a ProblemDetails; ledgers back', async () => {
    const before = net.ledgers();
    const u = net.ue(SUPI);
    await u.register(net.gnb);
    const n4 = net.core.smf.n4;
    const modify = n4.modify.bind(n4);
    // the next modification names a session the UPF does not hold: the UPF itself refuses it
    n4.modify = (seid, change, step) => {
      n4.modify = modify;
      return modify(seid + 0x1000n, change, step);
    };
    const steps: string[] = [];
    const log: string[] = [];
    const off = subscribeTrace((e) => steps.push(`${e.from}>${e.to} ${e.message}${e.step ? ` [${e.step}]` : ''}`));
    const amfLog = net.core.amf.log.bind(net.core.amf);
    net.core.amf.log = (l: string) => {
      log.push(l);
      amfLog(l);
    };
    try {
      await u.establishPduSession(1);
      await net.quiet();
    } finally {
      off();
      Reflect.deleteProperty(net.core.amf, 'log');
    }
    inOrder(steps, [
      'SMF>UPF Session Modification Request [4.3.2.2.1 step 16a]',
      'UPF>SMF Session Modification Response (cause 65)',
      'SMF>UPF Session Deletion Request [4.3.4.2 step 2a]',
      'SMF>AMF 500 (Nsmf_PDUSession_UpdateSMContext)',
      'AMF>gNB PDUSessionResourceReleaseCommand [4.3.4.2 step 4]',
      'UE>AMF UL NAS transport (PDU session release complete) [4.3.4.2 step 8]',
      'Nsmf_PDUSession_SMContextStatusNotify [4.3.4.2 step 11]',
    ]);
    // the AMF read the SmContextUpdateError's ProblemDetails
    expect(log.some((l) => /PDU session 1 \[4\.3\.2\.2\.1 step 15\] answered 500 SYSTEM_FAILURE with an N1 SM message with N2 SM information/.test(l))).toBe(true);
    expect(u.received).toContain('PDU session release command');
    expect(u.sessions.size).toBe(0);
    expect(net.core.amf.bySupi.get(SUPI)?.sessions.size).toBe(0);
    expect(net.core.smf.contexts.size).toBe(0);
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await net.quiet();
    expect(net.ledgers()).toEqual(before);
  });
});
