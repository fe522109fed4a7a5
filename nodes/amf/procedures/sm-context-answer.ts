// What the SMF answers to Nsmf_PDUSession_UpdateSMContext (TS 29.502 5.2.2.3), read the same way
// for every procedure that asks: a success (200 SmContextUpdatedData, 6.1.6.2.3) and an error
// (4xx/5xx SmContextUpdateError, 6.1.6.2.4) may both carry an N1 SM message for the UE and N2 SM
// information for the NG-RAN (TS 29.502 6.1.3.3.3: "the SMF may include N1 SM and N2 SM
// information" in the error too). The AMF relays them as the clauses say:
//   - N2 SM information of type PDU_RES_REL_CMD: N2 PDU SESSION RESOURCE RELEASE COMMAND (TS 38.413
//     8.2.2) with the N1 SM message in its NAS-PDU (TS 23.502 4.3.4.2 step 4);
//   - an N1 SM message alone: DL NAS TRANSPORT to the UE (TS 24.501 5.4.5.3), e.g. the PDU Session
//     Establishment Reject after the NG-RAN failed to set the session up, or 5GSM STATUS;
//   - an error is logged with its status and cause; 404 CONTEXT_NOT_FOUND (the SMF holds no SM
//     context) ends the AMF's record of the session, which would otherwise stay until deregistration.

import { updateSmContext as orderedUpdate } from '../sm-context-order.ts';
import { nasMessage } from '../../../codecs/nas/index.ts';
import { ngapPdu } from '../../../codecs/ngap/index.ts';
import { SbiMultipart, SbiProblem, N1_CONTENT_TYPE, N2_CONTENT_TYPE, type SbiResult } from '../../common/sbi.ts';
import { SbiErrorReply } from '../../common/sbi/client.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, PduSessionRef } from '../context.ts';
import { sendNas, nasBytes } from '../n1.ts';
import { sendNgap } from '../n2.ts';

/** The JSON and the binary parts of an UpdateSMContext answer. */
export interface SmAnswer {
  status: number;
  json: Record<string, unknown>;
  n1?: Uint8Array;
  n2?: Uint8Array;
}

export function smAnswerOf(r: SbiResult<unknown>): SmAnswer {
  if (!(r.body instanceof SbiMultipart)) return { status: r.status, json: (typeof r.body === 'object' && r.body !== null ? r.body : {}) as Record<string, unknown> };
  const bins = Object.values(r.body.binaries);
  const n1 = bins.find((b) => b.contentType === N1_CONTENT_TYPE)?.data;
  const n2 = bins.find((b) => b.contentType === N2_CONTENT_TYPE)?.data;
  return { status: r.status, json: r.body.json as Record<string, unknown>, ...(n1 ? { n1 } : {}), ...(n2 ? { n2 } : {}) };
}

/** The error's cause: SmContextUpdateError.error.cause (6.1.6.2.4) or a ProblemDetails cause. */
function causeOf(a: SmAnswer): string {
  const error = a.json.error as { cause?: unknown } | undefined;
  return String(error?.cause ?? a.json.cause ?? '');
}

/**
 * UpdateSMContext of session `s`: the SMF's answer, success or error; undefined when none came
 * (no answer in time, a transport failure), which is logged.
 */
export async function updateSmContext(amf: Amf, ue: AmfUe, s: PduSessionRef, body: Parameters<Amf['nsmf']['pduSession']['updateSmContext']>[1], step: string): Promise<SmAnswer | undefined> {
  // no SM context and none being created (a CreateSMContext in flight is in s.smOrder: the Update waits for its 201)
  if (!s.smContextUri && !s.smOrder) return undefined;
  try {
    // after the session's other SM context operations; not sent once its release is decided
    const r = await orderedUpdate(amf, s, body, { step });
    return r ? smAnswerOf(r) : undefined;
  } catch (e) {
    if (e instanceof SbiErrorReply) return smAnswerOf(e.reply);
    if (!(e instanceof SbiProblem) && !(e instanceof Error)) throw e;
    amf.log(`UE ${ue.supi ?? ue.amfUeNgapId}: UpdateSMContext of PDU session ${s.pduSessionId} [${step}] got no answer: ${e.message}`);
    return undefined;
  }
}

/** Relays what the answer carries for the UE and the NG-RAN; true when it was a success (2xx). */
export function relaySmAnswer(amf: Amf, ue: AmfUe, s: PduSessionRef, a: SmAnswer, step: string): boolean {
  const success = a.status >= 200 && a.status < 300;
  if (!success) {
    amf.log(`UE ${ue.supi ?? ue.amfUeNgapId}: UpdateSMContext of PDU session ${s.pduSessionId} [${step}] answered ${a.status} ${causeOf(a)}${a.n1 ? ' with an N1 SM message' : ''}${a.n2 ? ' with N2 SM information' : ''}`);
    // TS 29.502 5.2.2.3.1: 404 CONTEXT_NOT_FOUND, the SMF has no such SM context
    if (a.status === 404 && ue.sessions.get(s.pduSessionId) === s) ue.sessions.delete(s.pduSessionId);
  }
  if (a.n2 && a.json.n2SmInfoType === 'PDU_RES_REL_CMD') sendReleaseCommand(amf, ue, s, a.n1, a.n2);
  else if (a.n1) sendNas(amf, ue, nasMessage('DL NAS transport', { payloadContainerType: 1, payloadContainer: a.n1, pduSessionId: s.pduSessionId }), step);
  return success;
}

/** TS 23.502 4.3.4.2 step 4: N2 PDU Session Resource Release Command with the NAS PDU Session Release Command. */
export function sendReleaseCommand(amf: Amf, ue: AmfUe, s: PduSessionRef, n1: Uint8Array | undefined, n2: Uint8Array, step = '4.3.4.2 step 4'): void {
  s.state = 'releasing';
  const nas = n1 ? nasBytes(amf, ue, nasMessage('DL NAS transport', { payloadContainerType: 1, payloadContainer: n1, pduSessionId: s.pduSessionId }), step) : undefined;
  sendNgap(amf, ue.gnb, ue.stream, ngapPdu('PDUSessionResourceReleaseCommand', {
    'AMF-UE-NGAP-ID': ue.amfUeNgapId,
    'RAN-UE-NGAP-ID': ue.ranUeNgapId,
    ...(nas ? { 'NAS-PDU': nas } : {}),
    PDUSessionResourceToReleaseListRelCmd: [{ pDUSessionID: s.pduSessionId, pDUSessionResourceReleaseCommandTransfer: n2 }],
  }), step, ue);
}
