// The emergency exception of TS 23.502 4.2.2.3.3: a UE with an emergency PDU session is not
// deregistered by the network; "the AMF performs network requested PDU Session Release for any PDU
// session associated with non-emergency service". The AMF released only the non-emergency sessions
// already active: one still being established (CreateSMContext or the step 15 Update of 4.3.2.2.1
// in flight) stayed once established. Now it is released (4.3.4.2 step 1f) as soon as its
// establishment ends; an emergency one in establishment is kept.
// Judged against a recording stand-in for the AMF's Nsmf client whose answers the test releases
// one by one, and a stand-in NG association; no sockets.
import { describe, it, expect } from 'vitest';
import { createSmContext } from '../../nodes/amf/sm-context-order.ts';
import { n2SetupAnswersToSmf } from '../../nodes/amf/procedures/pdu-session-relay.ts';
import { keepEmergencyRegistration } from '../../nodes/amf/procedures/emergency.ts';
import type { AmfUe, PduSessionRef } from '../../nodes/amf/context.ts';
import { fakeAmf, tick } from './fake-nsmf.ts';

const URI = 'http://127.0.0.4:8080/nsmf-pdusession/v1/sm-contexts/';
const TRANSFER = Uint8Array.of(0x00, 0x03, 0xe0, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01);

describe('the emergency exception (TS 23.502 4.2.2.3.3) while a PDU session is being established', () => {
  it('a non-emergency session in establishment is released (4.3.4.2 step 1f) once established; an emergency one is kept', async () => {
    const { amf, calls } = fakeAmf();
    const gnb = { assoc: { established: true, commented: false, send: () => undefined } };
    const internet: PduSessionRef = { pduSessionId: 5, snssai: { sst: 1 }, dnn: 'internet', state: 'creating' };
    const sos: PduSessionRef = { pduSessionId: 6, snssai: { sst: 1 }, dnn: 'sos', state: 'creating', emergency: true };
    const ue = {
      supi: 'imsi-001010000000012', amfUeNgapId: 9, ranUeNgapId: 10, stream: 1, gnb, state: '5GMM-REGISTERED', released: false,
      sessions: new Map([[5, internet], [6, sos]]),
    } as unknown as AmfUe;
    const created = [createSmContext(amf, internet, { pduSessionId: 5 } as never), createSmContext(amf, sos, { pduSessionId: 6 } as never)];
    await tick();
    await keepEmergencyRegistration(amf, ue, { udmWithdrew: false });
    expect(calls.map((c) => c.op)).toEqual(['create', 'create']); // nothing to release yet
    calls[0].answer(201, `${URI}5`);
    calls[1].answer(201, `${URI}6`);
    await Promise.all(created);
    // 4.3.2.2.1 steps 14-15: the gNB set both up
    const setUp = n2SetupAnswersToSmf(amf, ue, [{ psi: 5, ok: true, transfer: TRANSFER }, { psi: 6, ok: true, transfer: TRANSFER }], '4.3.2.2.1 step 15');
    await tick();
    expect(calls.slice(2).map((c) => [c.op, c.uri])).toEqual([['update', `${URI}5`], ['update', `${URI}6`]]);
    calls[2].answer(200);
    calls[3].answer(200);
    await tick();
    await tick();
    // step 1f for the non-emergency one, with the release indication (TS 29.502 SmContextUpdateData release)
    expect(calls.slice(4).map((c) => [c.op, c.uri])).toEqual([['update', `${URI}5`]]);
    expect(calls[4].body).toMatchObject({ release: true, cause: 'REL_DUE_TO_UNSPECIFIED_REASON' });
    expect(internet.state).toBe('releasing');
    calls[4].answer(500); // the SMF's answer is not what is under test: a failure is logged
    await setUp;
    expect(sos.state).toBe('active');
    expect(calls).toHaveLength(5);
  });
});
