// Issue 21, the same race as test/amf/n2-answer-before-201.test.ts in the AMF's other relays: the
// SMF's N1N2MessageTransfer (TS 23.502 4.3.2.2.1 step 11: the PDU Session Establishment Accept,
// or 4.3.4.2 step 3b: a release) and the 201 of its CreateSMContext (step 5) are two HTTP/2
// exchanges that nothing orders, so what the UE or the gNB answers to the first can reach the AMF
// before it has read the second. The AMF dropped them for want of an SM context URI:
//   - the UE's 5GSM message (TS 23.502 4.3.4.2 step 1a, a release request answering the Accept)
//     came back "payload was not forwarded" (#90), though the AMF holds the session's routing
//     context (TS 24.501 5.4.5.2.5 keeps #90 for a PDU session ID without one);
//   - the gNB's PDU Session Resource Release Response (4.3.4.2 step 7) never reached the SMF.
// Both now wait for the creation in the session's SM context order (nodes/amf/sm-context-order.ts).
// Judged against a recording stand-in for the AMF's Nsmf client whose answers the test releases
// one by one, and a stand-in NG association that records what the AMF sends; no sockets.
import { describe, it, expect } from 'vitest';
import { createSmContext } from '../../nodes/amf/sm-context-order.ts';
import { n1SmToSmf, onPduSessionResourceReleaseResponse } from '../../nodes/amf/procedures/pdu-session-release.ts';
import type { AmfUe, PduSessionRef } from '../../nodes/amf/context.ts';
import { decodeNgap, iesByName, ngapMessage } from '../../codecs/ngap/index.ts';
import { decodeNasMessage } from '../../codecs/nas/index.ts';
import { FiveGmmCause } from '../../nodes/amf/gmm.ts';
import { fakeAmf, tick, answerCreationThen } from './fake-nsmf.ts';

const URI = 'http://127.0.0.4:8080/nsmf-pdusession/v1/sm-contexts/9';
// TS 24.501 8.3.12: PDU SESSION RELEASE REQUEST (5GSM, PSI 5, PTI 1, message type 0xd1)
const RELEASE_REQUEST = Uint8Array.of(0x2e, 0x05, 0x01, 0xd1);
// a PDU Session Resource Release Response Transfer as the gNB sends it (TS 38.413 9.3.4.21, empty)
const RELEASE_RESPONSE_TRANSFER = Uint8Array.of(0x00);

/** A UE with PDU session 5 whose CreateSMContext is on its way, on a gNB whose NG messages are recorded. */
function rig(state: PduSessionRef['state']) {
  const { amf, calls } = fakeAmf();
  const sent: Uint8Array[] = [];
  const gnb = { assoc: { established: true, commented: false, send: (_stream: number, _ppid: number, bytes: Uint8Array) => sent.push(bytes) } };
  const s: PduSessionRef = { pduSessionId: 5, snssai: { sst: 1 }, dnn: 'internet', state };
  const ue = { supi: 'imsi-001010000000005', amfUeNgapId: 3, ranUeNgapId: 4, stream: 1, gnb, sessions: new Map([[5, s]]) } as unknown as AmfUe;
  const created = createSmContext(amf, s, { pduSessionId: 5 } as never);
  /** The 5GMM causes of the DL NAS TRANSPORTs sent to the UE. */
  const causesToUe = () => sent.map((b) => {
    const { procedure, name } = ngapMessage(decodeNgap(b));
    expect(name).toBe('DownlinkNASTransport');
    return decodeNasMessage(iesByName(procedure.value, name).get('NAS-PDU') as Uint8Array).ies.fiveGmmCause;
  });
  return { amf, calls, s, ue, created, causesToUe };
}

describe("the UE's and the gNB's answers before the AMF has read the SMF's 201 (issue 21)", () => {
  it("the UE's 5GSM message waits for the 201 and goes to the SM context it names, not back as #90", async () => {
    const { amf, calls, s, ue, created, causesToUe } = rig('creating');
    await tick();
    const forwarded = n1SmToSmf(amf, ue, s, RELEASE_REQUEST);
    await tick();
    expect(causesToUe()).toEqual([]);
    await answerCreationThen(calls, created, URI); // the Update waited for the creation
    await forwarded;
    expect(causesToUe()).toEqual([]);
  });

  it('a creation that fails: no SM context, so the 5GSM message comes back not forwarded (#90)', async () => {
    const { amf, calls, s, ue, created, causesToUe } = rig('creating');
    const forwarded = n1SmToSmf(amf, ue, s, RELEASE_REQUEST);
    await tick();
    calls[0].answer(403);
    await created;
    await forwarded;
    expect(calls.map((c) => c.op)).toEqual(['create']);
    expect(causesToUe()).toEqual([FiveGmmCause.PayloadWasNotForwarded]);
  });

  it("the gNB's PDU Session Resource Release Response waits for the 201 and goes to the SMF (4.3.4.2 step 7)", async () => {
    const { amf, calls, ue, created } = rig('releasing');
    await tick();
    const answered = onPduSessionResourceReleaseResponse(amf, ue, new Map<string, unknown>([
      ['PDUSessionResourceReleasedListRelRes', [{ pDUSessionID: 5, pDUSessionResourceReleaseResponseTransfer: RELEASE_RESPONSE_TRANSFER }]],
    ]));
    await tick();
    await answerCreationThen(calls, created, URI);
    await answered;
  });
});
