// Issue 21: AN Release (TS 23.502 4.2.6) while a PDU session is still 'creating' at the AMF, its
// gNB's PDU Session Resource Setup Response already in (4.3.2.2.1 step 14) and the step 15
// UpdateSMContext (the gNB's tunnel) waiting for the SMF's 201 or for its answer. Step 5 deactivates
// "each of the PDU Sessions in the N2 UE Context Release Complete"; the AMF deactivated only the
// sessions it held as active, so this one's user plane stayed up at the SMF and the UPF, towards a
// tunnel the gNB had released. Now the sessions the gNB lists are deactivated too, after the step 15
// Update in the session's SM context order (nodes/amf/sm-context-order.ts).
// Judged against a recording stand-in for the AMF's Nsmf client whose answers the test releases
// one by one, and a stand-in NG association; the gNB's UE CONTEXT RELEASE COMPLETE is handed to the
// AMF's wait for it. No sockets.
import { describe, it, expect } from 'vitest';
import { createSmContext } from '../../nodes/amf/sm-context-order.ts';
import { n2SetupAnswersToSmf } from '../../nodes/amf/procedures/pdu-session-relay.ts';
import { anRelease } from '../../nodes/amf/procedures/an-release.ts';
import type { AmfUe, PduSessionRef } from '../../nodes/amf/context.ts';
import { decodeNgap, ngapMessage } from '../../codecs/ngap/index.ts';
import { VirtualClock } from '../../transport/clock.ts';
import { fakeAmf, tick, answerCreationThen } from './fake-nsmf.ts';

const URI = 'http://127.0.0.4:8080/nsmf-pdusession/v1/sm-contexts/11';
const TRANSFER = Uint8Array.of(0x00, 0x03, 0xe0, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01);

function rig() {
  const { amf, calls } = fakeAmf();
  Object.assign(amf, { clock: new VirtualClock(0), timers: { ngapAnswerMs: 5000 }, dropUe: (u: AmfUe) => { u.released = true; } });
  const sent: string[] = [];
  const gnb = { assoc: { established: true, commented: false, send: (_stream: number, _ppid: number, bytes: Uint8Array) => sent.push(ngapMessage(decodeNgap(bytes)).name) } };
  const s: PduSessionRef = { pduSessionId: 5, snssai: { sst: 1 }, dnn: 'internet', state: 'creating' };
  const ue = {
    supi: 'imsi-001010000000011', amfUeNgapId: 7, ranUeNgapId: 8, stream: 1, gnb, state: '5GMM-REGISTERED', released: false,
    uecmRegistered: true, ngapWaiters: new Map(), sessions: new Map([[5, s]]),
  } as unknown as AmfUe;
  /** The gNB's UE CONTEXT RELEASE COMPLETE with its PDU Session Resource List (TS 38.413 8.3.3). */
  const complete = (psis: number[]) => {
    expect(sent.at(-1)).toBe('UEContextReleaseCommand');
    ue.ngapWaiters.get('UEContextReleaseComplete')!.resolve(new Map<string, unknown>(psis.length ? [['PDUSessionResourceListCxtRelCpl', psis.map((p) => ({ pDUSessionID: p }))]] : []));
  };
  return { amf, calls, s, ue, complete };
}

describe("AN release while a PDU session's creation is still in flight at the AMF (TS 23.502 4.2.6 step 5)", () => {
  it('the session the gNB lists is deactivated after its step 15 Update, which waited for the 201', async () => {
    const { amf, calls, s, ue, complete } = rig();
    const created = createSmContext(amf, s, { pduSessionId: 5 } as never);
    await tick();
    const setUp = n2SetupAnswersToSmf(amf, ue, [{ psi: 5, ok: true, transfer: TRANSFER }], '4.3.2.2.1 step 15');
    const released = anRelease(amf, ue, { radioNetwork: 'user-inactivity' } as never);
    await tick();
    complete([5]);
    await tick();
    const update = await answerCreationThen(calls, created, URI);
    expect(update.body).toMatchObject({ json: { n2SmInfoType: 'PDU_RES_SETUP_RSP' } });
    await setUp;
    await tick();
    expect(calls.map((c) => c.op)).toEqual(['create', 'update', 'update']);
    expect(calls[2].uri).toBe(URI);
    expect(calls[2].body).toMatchObject({ upCnxState: 'DEACTIVATED' });
    calls[2].answer(200);
    await released;
    expect(ue.released).toBe(true);
  });

  it('a session still creating that the gNB does not list (no resources there yet) is not deactivated', async () => {
    const { amf, calls, s, ue, complete } = rig();
    const created = createSmContext(amf, s, { pduSessionId: 5 } as never);
    const released = anRelease(amf, ue, { radioNetwork: 'user-inactivity' } as never);
    await tick();
    complete([]);
    await released;
    calls[0].answer(201, URI);
    await created;
    await tick();
    expect(calls.map((c) => c.op)).toEqual(['create']);
  });
});
