// Issue 21: with the core NFs on two worker threads (`wire5g run --threads 2`), about one run in
// three of 10,000 UEs ended with a dozen consecutive UEs whose ping got no echo: their
// Nsmf_PDUSession_UpdateSMContext of TS 23.502 4.3.2.2.1 step 15 (the gNB's tunnel) was never sent,
// so the SMF never modified the N4 session and the UPF had no downlink tunnel. The SMF's
// N1N2MessageTransfer (step 11) and the 201 of its CreateSMContext (step 5) are two HTTP/2
// exchanges on two connections; nothing orders them, and the gNB's PDU Session Resource Setup
// Response could reach the AMF before the AMF had read the 201. The AMF dropped the gNB's answer
// because the session had no SM context URI yet. Now the Update waits for the creation in the
// session's SM context order (nodes/amf/sm-context-order.ts).
// Judged against a recording stand-in for the AMF's Nsmf client whose answers the test releases
// one by one, so the order is the one under test, not the machine's timing; no sockets.
import { describe, it, expect } from 'vitest';
import { createSmContext } from '../../nodes/amf/sm-context-order.ts';
import { n2SetupAnswersToSmf } from '../../nodes/amf/procedures/pdu-session-relay.ts';
import type { AmfUe, PduSessionRef } from '../../nodes/amf/context.ts';
import { fakeAmf, tick, answerCreationThen } from './fake-nsmf.ts';

const URI = 'http://127.0.0.4:8080/nsmf-pdusession/v1/sm-contexts/7';
const TRANSFER = Uint8Array.of(0x00, 0x03, 0xe0, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01);

describe("the gNB's PDU Session Resource Setup Response before the AMF has read the SMF's 201 (issue 21)", () => {
  it('the UpdateSMContext waits for the 201 and goes to the SM context it names; the session becomes active', async () => {
    const { amf, calls } = fakeAmf();
    const s: PduSessionRef = { pduSessionId: 5, snssai: { sst: 1 }, dnn: 'internet', state: 'creating' };
    const ue = { supi: 'imsi-001010000004377', amfUeNgapId: 1, sessions: new Map([[5, s]]) } as unknown as AmfUe;
    const created = createSmContext(amf, s, { pduSessionId: 5 } as never);
    await tick();
    expect(calls.map((c) => c.op)).toEqual(['create']); // the 201 not read yet
    const answered = n2SetupAnswersToSmf(amf, ue, [{ psi: 5, ok: true, transfer: TRANSFER }], '4.3.2.2.1 step 15');
    await tick();
    await answerCreationThen(calls, created, URI); // the Update waited for the creation
    await answered;
    expect(s.state).toBe('active');
  });

  it('a creation that fails leaves nothing to update: the Update is not sent', async () => {
    const { amf, calls } = fakeAmf();
    const s: PduSessionRef = { pduSessionId: 6, snssai: { sst: 1 }, dnn: 'internet', state: 'creating' };
    const ue = { supi: 'imsi-001010000000006', amfUeNgapId: 2, sessions: new Map([[6, s]]) } as unknown as AmfUe;
    const created = createSmContext(amf, s, { pduSessionId: 6 } as never);
    const answered = n2SetupAnswersToSmf(amf, ue, [{ psi: 6, ok: true, transfer: TRANSFER }], '4.3.2.2.1 step 15');
    await tick();
    calls[0].answer(403);
    await created;
    await answered;
    expect(calls.map((c) => c.op)).toEqual(['create']);
    expect(s.state).toBe('creating');
  });
});
