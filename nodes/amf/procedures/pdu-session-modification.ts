// SMF-requested PDU Session Modification (TS 23.502 4.3.3.2, non-roaming), the AMF's part: it relays.
//   step 3b  Namf_Communication_N1N2MessageTransfer with the PDU SESSION MODIFICATION COMMAND and
//            the N2 SM information PDU_RES_MOD_REQ (the route in pdu-session-relay.ts hands it here)
//   step 4   N2 PDU SESSION RESOURCE MODIFY REQUEST (TS 38.413 8.2.3.1) with the command as the
//            session's NAS-PDU
//   step 7   the NG-RAN's PDU SESSION RESOURCE MODIFY RESPONSE: each session's Modify Response
//            Transfer (PDU_RES_MOD_RSP) or Unsuccessful Transfer (PDU_RES_MOD_FAIL, TS 29.502
//            6.1.6.3.6) to its SMF in Nsmf_PDUSession_UpdateSMContext
// Steps 9-10 (the UE's COMPLETE in UL NAS TRANSPORT) go through pdu-session-release.ts's n1SmToSmf.

import { ngapPdu } from '../../../codecs/ngap/index.ts';
import { nasMessage } from '../../../codecs/nas/index.ts';
import { SbiMultipart, SbiProblem, N2_CONTENT_TYPE } from '../../common/sbi.ts';
import { ok, type AnswerOf } from '../../common/sbi/routes.ts';
import type { AMF } from '../../common/sbi/operations.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, PduSessionRef } from '../context.ts';
import { nasBytes } from '../n1.ts';
import { sendNgap } from '../n2.ts';
import { updateSmContext, relaySmAnswer } from './sm-context-answer.ts';

/** Step 4: the N2 PDU Session Resource Modify Request to the NG-RAN of a connected UE. */
export function modifyRequestFromSmf(amf: Amf, ue: AmfUe, s: PduSessionRef, n1: Uint8Array | undefined, n2: Uint8Array): AnswerOf<typeof AMF.communication.n1n2MessageTransfer> {
  // TS 29.518 5.2.2.3.1: a UE in CM-IDLE would be paged first; wire5g's SMF does not ask it for a modification (not implemented)
  if (ue.released || s.state !== 'active') throw new SbiProblem(409, 'UE_IN_NON_ALLOWED_STATE', `PDU session ${s.pduSessionId} cannot be modified now (the UE is ${ue.released ? 'CM-IDLE' : 'connected'}, the session ${s.state})`);
  const step = '4.3.3.2 step 4';
  const nas = n1 ? nasBytes(amf, ue, nasMessage('DL NAS transport', { payloadContainerType: 1, payloadContainer: n1, pduSessionId: s.pduSessionId }), step) : undefined;
  sendNgap(amf, ue.gnb, ue.stream, ngapPdu('PDUSessionResourceModifyRequest', {
    'AMF-UE-NGAP-ID': ue.amfUeNgapId,
    'RAN-UE-NGAP-ID': ue.ranUeNgapId,
    PDUSessionResourceModifyListModReq: [{ pDUSessionID: s.pduSessionId, ...(nas ? { 'nAS-PDU': nas } : {}), pDUSessionResourceModifyRequestTransfer: n2 }],
  }), step, ue);
  return ok({ cause: 'N1_N2_TRANSFER_INITIATED' });
}

/** Step 7: each session of the PDU Session Resource Modify Response to its SMF. */
export async function onPduSessionResourceModifyResponse(amf: Amf, ue: AmfUe, ies: Map<string, unknown>): Promise<void> {
  const done = (ies.get('PDUSessionResourceModifyListModRes') ?? []) as { pDUSessionID: number; pDUSessionResourceModifyResponseTransfer: Uint8Array }[];
  const failed = (ies.get('PDUSessionResourceFailedToModifyListModRes') ?? []) as { pDUSessionID: number; pDUSessionResourceModifyUnsuccessfulTransfer: Uint8Array }[];
  const items = [
    ...done.map((d) => ({ psi: d.pDUSessionID, type: 'PDU_RES_MOD_RSP' as const, transfer: d.pDUSessionResourceModifyResponseTransfer })),
    ...failed.map((f) => ({ psi: f.pDUSessionID, type: 'PDU_RES_MOD_FAIL' as const, transfer: f.pDUSessionResourceModifyUnsuccessfulTransfer })),
  ];
  await Promise.all(items.map(async (item) => {
    const s = ue.sessions.get(item.psi);
    if (!s?.smContextUri) return;
    const step = '4.3.3.2 step 7';
    const a = await updateSmContext(amf, ue, s, new SbiMultipart(
      { n2SmInfo: { contentId: 'n2SmInfo' }, n2SmInfoType: item.type, anType: '3GPP_ACCESS', ...(ue.location ? { ueLocation: ue.location } : {}) },
      { n2SmInfo: { contentType: N2_CONTENT_TYPE, data: item.transfer } },
    ), step);
    if (a) relaySmAnswer(amf, ue, s, a, step);
  }));
}
