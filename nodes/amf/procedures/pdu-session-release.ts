// The AMF's part in UE-requested and network-requested PDU Session Release (TS 23.502 4.3.4.2,
// non-roaming): it relays.
//   step 1a  UL NAS TRANSPORT with a 5GSM message for an existing PDU session (no request type,
//            TS 24.501 5.4.5.2.2) -> Nsmf_PDUSession_UpdateSMContext with the N1 SM container
//   step 3a  the SMF's answer carries the PDU Session Release Command and the N2 SM resource
//            release request
//   step 1f  (AMF-initiated) Nsmf_PDUSession_UpdateSMContext with the release indication (TS 29.502
//            SmContextUpdateData release); its answer is step 3a's (amf-requested-release.ts)
//   step 3b  (SMF-initiated) Namf_Communication_N1N2MessageTransfer with the same two (the route
//            in pdu-session-relay.ts hands it to `releaseCommandFromSmf`)
//   step 4   N2 PDU SESSION RESOURCE RELEASE COMMAND (TS 38.413 8.2.2) with the NAS-PDU
//   step 7   the gNB's PDU SESSION RESOURCE RELEASE RESPONSE -> UpdateSMContext (N2 SM ack)
//   step 10  the UE's PDU Session Release Complete -> UpdateSMContext (N1 SM container)
//   step 11  the SMF's SM context status notification ends the AMF's record of the session
//            (the Namf callback route in amf.ts)

import { nasMessage } from '../../../codecs/nas/index.ts';
import { SbiMultipart, SbiProblem, N1_CONTENT_TYPE, N2_CONTENT_TYPE } from '../../common/sbi.ts';
import { ok, type AnswerOf } from '../../common/sbi/routes.ts';
import { AMF } from '../../common/sbi/operations.ts';
import { operationUri } from '../../common/sbi/client.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, PduSessionRef } from '../context.ts';
import { FiveGmmCause } from '../gmm.ts';
import { sendNas } from '../n1.ts';
import { updateSmContext, relaySmAnswer, sendReleaseCommand } from './sm-context-answer.ts';
import { page } from './paging.ts';

/**
 * Steps 1a and 10: a 5GSM message of an existing PDU session to its SMF. A release command in
 * the answer (step 3a) goes to the gNB with the N2 resource release request (step 4); an N1 SM
 * message in an error answer (5GSM STATUS, say) goes to the UE (sm-context-answer.ts).
 */
export async function n1SmToSmf(amf: Amf, ue: AmfUe, s: PduSessionRef, n1: Uint8Array): Promise<void> {
  const releaseComplete = s.state === 'releasing';
  const step = releaseComplete ? '4.3.4.2 step 10' : '4.3.4.2 step 1a';
  const notForwarded = () => sendNas(amf, ue, nasMessage('DL NAS transport', { payloadContainerType: 1, payloadContainer: n1, pduSessionId: s.pduSessionId, fiveGmmCause: FiveGmmCause.PayloadWasNotForwarded }), 'TS 24.501 5.4.5.2.5');
  // Not `!s.smContextUri`: the UE may answer the PDU Session Establishment Accept (a release or
  // modification request, a 5GSM STATUS) before the AMF has read the 201 of CreateSMContext (the
  // Accept came in the SMF's N1N2MessageTransfer, another HTTP/2 exchange). The AMF holds the
  // session's routing context, so the message is forwarded (TS 24.501 5.4.5.2.5: #90 only without
  // one): the Update waits for the creation in the session's SM context order, and is not sent
  // (undefined: not forwarded) when the creation fails.
  const a = await updateSmContext(amf, ue, s, new SbiMultipart(
    { n1SmMsg: { contentId: 'n1SmMsg' }, anType: '3GPP_ACCESS', ...(ue.location ? { ueLocation: ue.location } : {}) },
    { n1SmMsg: { contentType: N1_CONTENT_TYPE, data: n1 } },
  ), step);
  if (!a) return notForwarded();
  const success = relaySmAnswer(amf, ue, s, a, step);
  // TS 24.501 5.4.5.2.5: an SMF that refused without a word for the UE: the payload was not forwarded
  if (!success && !a.n1 && !releaseComplete) notForwarded();
}

let nextTransfer = 1;

/**
 * Step 3b (SMF-initiated release): N1N2MessageTransfer with the PDU Session Release Command and
 * the N2 resource release request (TS 29.518 5.2.2.3.1). With the UE connected, step 4 goes to
 * the gNB at once. A UE without an NG connection (CM-IDLE) is not paged when the SMF set the
 * skip indicator: 200 N1_MSG_NOT_TRANSFERRED (TS 29.518 6.1.6.3.5), and the SMF completes the
 * release without acknowledgements. Without it the AMF answers 202 ATTEMPTING_TO_REACH_UE with the
 * transfer's Location and pages the UE (TS 23.502 4.2.3.3 steps 3b-4b, paging.ts); once its Service
 * Request set up the new NG connection, step 4 goes over it; a UE that does not answer is reported
 * to the SMF's n1n2FailureTxfNotifURI with UE_NOT_RESPONDING (4.2.3.3 step 5).
 */
export function releaseCommandFromSmf(amf: Amf, ue: AmfUe, s: PduSessionRef, m: { n1?: Uint8Array; n2?: Uint8Array; skipInd: boolean; failureUri?: string }): AnswerOf<typeof AMF.communication.n1n2MessageTransfer> {
  const n2 = m.n2;
  if (!n2) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'PDU_RES_REL_CMD without its N2 information');
  if (s.state === 'releasing') throw new SbiProblem(409, 'UE_IN_NON_ALLOWED_STATE', `PDU session ${s.pduSessionId} is already being released`);
  if (!ue.released) {
    sendReleaseCommand(amf, ue, s, m.n1, n2);
    return ok({ cause: 'N1_N2_TRANSFER_INITIATED' });
  }
  if (m.skipInd) return ok({ cause: 'N1_MSG_NOT_TRANSFERRED' });
  // TS 29.518 6.1.3.5.3: {apiRoot}/namf-comm/v1/ue-contexts/{ueContextId}/n1-n2-messages/{n1N2MessageId}
  const location = `${operationUri(amf.cfg.baseUri, AMF.communication.n1n2MessageTransfer, { ueContextId: ue.supi ?? '' })}/${nextTransfer++}`;
  return {
    status: 202,
    headers: { location },
    body: { cause: 'ATTEMPTING_TO_REACH_UE' },
    after: async () => {
      const connected = await page(amf, ue, `the release of PDU session ${s.pduSessionId} (TS 23.502 4.3.4.2 step 3b)`);
      const session = connected?.sessions.get(s.pduSessionId);
      if (connected && session) return sendReleaseCommand(amf, connected, session, m.n1, n2);
      if (m.failureUri) await amf.notify.n1n2TransferFailureNotify(m.failureUri, { cause: 'UE_NOT_RESPONDING', n1n2MsgDataUri: location }, { step: '4.2.3.3 step 5' });
    },
  };
}

/** Step 7: the gNB's PDU SESSION RESOURCE RELEASE RESPONSE, per session, to the SMF. */
export async function onPduSessionResourceReleaseResponse(amf: Amf, ue: AmfUe, ies: Map<string, unknown>): Promise<void> {
  const released = (ies.get('PDUSessionResourceReleasedListRelRes') ?? []) as { pDUSessionID: number; pDUSessionResourceReleaseResponseTransfer: Uint8Array }[];
  for (const item of released) {
    const s = ue.sessions.get(item.pDUSessionID);
    // not `!s.smContextUri`: a release the SMF asked for (step 3b) while the AMF had not yet read
    // the 201 of its CreateSMContext; the acknowledgement waits for the creation (sm-context-order.ts)
    if (!s) continue;
    const a = await updateSmContext(amf, ue, s, new SbiMultipart(
      { n2SmInfo: { contentId: 'n2SmInfo' }, n2SmInfoType: 'PDU_RES_REL_RSP', anType: '3GPP_ACCESS', ...(ue.location ? { ueLocation: ue.location } : {}) },
      { n2SmInfo: { contentType: N2_CONTENT_TYPE, data: item.pDUSessionResourceReleaseResponseTransfer } },
    ), '4.3.4.2 step 7');
    if (a) relaySmAnswer(amf, ue, s, a, '4.3.4.2 step 7');
  }
}
