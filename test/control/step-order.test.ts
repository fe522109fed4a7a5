// A scenario step's `order:` (nodes/control/step-order.ts) judged on trace events published here:
// the first pattern missing or out of order is named with the one it should have followed; with
// several UEs, NAS/NGAP patterns per UE (by SUPI), SBI/PFCP ones on the step as a whole. The real
// runs: test/cli/scenario-run.test.ts (a reversed order through bin/wire5g.js) and the built-in
// scenarios' tests (r.ok and r.orderErrors).

import { describe, it, expect } from 'vitest';
import { trace } from '../../nodes/common/trace.ts';
import { orderMismatch, watchStepOrder } from '../../nodes/control/step-order.ts';

const A = 'imsi-001010000000001', B = 'imsi-001010000000002';
const nas = (ue: string, from: string, to: string, message: string, step: string) => trace({ from, to, interface: 'N1', protocol: 'NAS-5GS', message, step, ue });
const sbi = (from: string, to: string, message: string, step: string) => trace({ from, to, interface: 'SBI', protocol: 'HTTP/2', message, step });

describe('step order', () => {
  it('names the first pattern not found in order and what it should have followed', () => {
    const lines = ['UE>AMF Registration request [4.2.2.2.2 step 1]', 'AMF>UE Registration accept [4.2.2.2.2 step 21]'];
    expect(orderMismatch(lines, ['UE>AMF Registration request', 'AMF>UE Registration accept'])).toBeUndefined();
    expect(orderMismatch(lines, ['AMF>UE Registration accept', 'UE>AMF Registration request'])).toBe("'UE>AMF Registration request' was not traced after 'AMF>UE Registration accept' (only before it)");
    expect(orderMismatch(lines, ['UE>AMF Registration request', 'UE>AMF Registration complete'])).toBe("'UE>AMF Registration complete' was not traced after 'UE>AMF Registration request'");
    expect(orderMismatch(lines, ['SMF>UPF'])).toBe("'SMF>UPF' was not traced");
    // each pattern needs an event of its own
    expect(orderMismatch(lines.slice(0, 1), ['UE>AMF', 'UE>AMF'])).toBe("'UE>AMF' was not traced after 'UE>AMF' (only before it)");
  });

  it('several UEs: NAS patterns per UE, SBI ones on the whole step; a failed UE is not judged', () => {
    const order = ['UE>AMF UL NAS transport (PDU session release request)', 'AMF>SMF Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 1a]', 'AMF>UE DL NAS transport [4.3.4.2 step 4]'];
    const w = watchStepOrder('steps[5] (pdu-release)', order, [A, B]);
    nas(A, 'UE', 'AMF', 'UL NAS transport (PDU session release request)', '4.3.4.2 step 1a');
    nas(B, 'AMF', 'UE', 'DL NAS transport', '4.3.4.2 step 4'); // B's command before its request
    nas(B, 'UE', 'AMF', 'UL NAS transport (PDU session release request)', '4.3.4.2 step 1a');
    sbi('AMF', 'SMF', 'Nsmf_PDUSession_UpdateSMContext', '4.3.4.2 step 1a');
    nas(A, 'AMF', 'UE', 'DL NAS transport', '4.3.4.2 step 4');
    expect(w.check(new Map())).toEqual(["steps[5] (pdu-release) UE imsi-001010000000002: order not followed: 'AMF>UE DL NAS transport [4.3.4.2 step 4]' was not traced after 'UE>AMF UL NAS transport (PDU session release request)' (only before it)"]);
    expect(w.finish(new Map([[B, 'pdu-release: refused']]))).toEqual([]);
    sbi('SMF', 'AMF', 'late', 'x'); // after finish: not recorded
    const v = watchStepOrder('steps[1] (smf-release)', ['SMF>UPF Session Deletion Request', 'SMF>AMF Namf_Communication_N1N2MessageTransfer'], [A, B]);
    sbi('SMF', 'AMF', 'Namf_Communication_N1N2MessageTransfer', '4.3.4.2 step 3b');
    sbi('SMF', 'UPF', 'Session Deletion Request', '4.3.4.2 step 2a');
    expect(v.finish(new Map())).toEqual(["steps[1] (smf-release) UEs imsi-001010000000001..imsi-001010000000002 (events of no one UE): order not followed: 'SMF>AMF Namf_Communication_N1N2MessageTransfer' was not traced after 'SMF>UPF Session Deletion Request' (only before it)"]);
  });
});
