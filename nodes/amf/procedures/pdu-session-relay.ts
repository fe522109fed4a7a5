// PDU Session Establishment relay, TS 23.502 4.3.2.2.1 (AMF side): step 1-3 the UE's N1 SM in UL
// NAS Transport goes to the SMF (Nsmf_PDUSession_CreateSMContext), steps 11-12 the SMF's
// N1N2MessageTransfer goes to the gNB and the UE, steps 13-15 the gNB's answer goes back to the
// SMF (Nsmf_PDUSession_UpdateSMContext).

import { unkeptSmContext } from '../late-answers.ts';
import { createSmContext } from '../sm-context-order.ts';
import { ngapPdu, snssai } from '../../../codecs/ngap/index.ts';
import { nasMessage, type NasMessage, type SNssai } from '../../../codecs/nas/index.ts';
import { SbiMultipart, SbiProblem, objectBody, binaryPart, N1_CONTENT_TYPE, N2_CONTENT_TYPE, type SbiResult } from '../../common/sbi.ts';
import { ok, type AnswerOf, type RequestOf } from '../../common/sbi/routes.ts';
import type { components as CommC } from '../../common/sbi-types/TS29518_Namf_Communication.ts';
import { SbiErrorReply, callbackUri, resourceUri } from '../../common/sbi/client.ts';
import { AMF, CALLBACKS } from '../../common/sbi/operations.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, PduSessionRef } from '../context.ts';
import { FiveGmmCause } from '../gmm.ts';
import { sendNas, nasBytes } from '../n1.ts';
import { sendNgap } from '../n2.ts';
import { n1SmToSmf, releaseCommandFromSmf } from './pdu-session-release.ts';
import { modifyRequestFromSmf } from './pdu-session-modification.ts';
import { onboardingAllows, defaultDnn } from './registration-onboarding-snpn.ts';
import { emergencyRequestAllowed, emergencySessionParameters, releaseForEmergencyException } from './emergency.ts';
import { ueAmbrNgap } from './registration.ts';
import { updateSmContext, relaySmAnswer } from './sm-context-answer.ts';
import { serverAddressingInfo } from '../../common/pvs-info.ts';

function sbiSnssai(s: SNssai): { sst: number; sd?: string } {
  return { sst: s.sst, ...(s.sd !== undefined ? { sd: s.sd.toString(16).padStart(6, '0') } : {}) };
}

/**
 * TS 29.502 SmContextCreateData pcfUeCallbackInfo (TS 23.502 4.16.14.2): the PCF for the UE's
 * callback, when its AM policy association asked for this (DNN, S-NSSAI) (matchPdus). Not for an
 * emergency session nor a home-routed one (its PCF is the H-PCF, in another PLMN); a local-breakout
 * one (roaming.localBreakout, its SMF and PCF in this PLMN) gets it.
 */
function pcfUeCallbackInfoFor(ue: AmfUe, dnn: string, s: SNssai, excluded: boolean): { pcfUeCallbackInfo?: { callbackUri: string } } {
  const ev = ue.pcfUeEvents;
  if (!ev || excluded) return {};
  const want = sbiSnssai(s);
  const match = ev.matchPdus.some((m) => m.dnn === dnn && m.snssai.sst === want.sst && (m.snssai.sd ?? '').toLowerCase() === (want.sd ?? ''));
  return match ? { pcfUeCallbackInfo: { callbackUri: ev.callbackUri } } : {};
}

/** UL NAS TRANSPORT (TS 24.501 5.4.5.2): N1 SM to the SMF. */
export async function ulNasTransport(amf: Amf, ue: AmfUe, m: NasMessage): Promise<void> {
  if (ue.state !== '5GMM-REGISTERED' || !ue.supi) {
    sendNas(amf, ue, nasMessage('5GMM status', { fiveGmmCause: FiveGmmCause.MessageTypeNotCompatibleWithProtocolState }), 'TS 24.501 7.4');
    return;
  }
  const containerType = m.ies.payloadContainerType as number;
  const payload = m.ies.payloadContainer as Uint8Array;
  const psi = m.ies.pduSessionId as number | undefined;
  const notForwarded = () =>
    sendNas(amf, ue, nasMessage('DL NAS transport', { payloadContainerType: containerType, payloadContainer: payload, ...(psi !== undefined ? { pduSessionId: psi } : {}), fiveGmmCause: FiveGmmCause.PayloadWasNotForwarded }), 'TS 24.501 5.4.5.2.5');
  if (containerType !== 1 || psi === undefined) return notForwarded();
  const requestType = m.ies.requestType as number | undefined;
  // TS 24.501 5.4.5.2.2: no request type and an existing session: to that session's SMF (4.3.4.2)
  const existing = ue.sessions.get(psi);
  if (requestType === undefined && existing) return n1SmToSmf(amf, ue, existing, payload);
  // TS 24.501 9.11.3.47: 3 initial emergency request (emergency.ts), 4 existing emergency PDU session
  const emergency = requestType === 3 ? emergencyRequestAllowed(amf, ue, psi) : false;
  if (requestType === 4) amf.log(`UE ${ue.supi}: PDU session ${psi}: request type "existing emergency PDU session" (a handover from non-3GPP access) is not implemented by wire5g; 5GSM message not forwarded (TS 24.501 5.4.5.2.5, #90)`);
  if ((requestType !== 1 && !emergency) || ue.sessions.has(psi)) return notForwarded(); // only initial requests for new sessions
  // TS 23.501 5.16.4.1: a UE registered for emergency services gets emergency PDU sessions only
  if (ue.emergencyRegistered && !emergency) {
    amf.log(`UE ${ue.supi}: PDU session ${psi}: the UE is registered for emergency services; a non-emergency request is not forwarded (TS 24.501 5.4.5.2.5, #90)`);
    return notForwarded();
  }
  const requested = emergency ? emergencySessionParameters(amf) : { snssai: (m.ies.sNssai as SNssai | undefined) ?? ue.allowedNssai?.[0], dnn: (m.ies.dnn as string | undefined) ?? defaultDnn(amf, ue) };
  const { snssai, dnn } = requested;
  if (!snssai || (!emergency && !ue.allowedNssai?.some((a) => a.sst === snssai.sst && a.sd === snssai.sd))) return notForwarded();
  // an onboarding registered UE: the onboarding S-NSSAI and DNN only (TS 23.501 5.30.2.10.2.3)
  if (!emergency && !onboardingAllows(amf, ue, dnn, snssai)) return notForwarded();
  const session: PduSessionRef = { pduSessionId: psi, snssai, dnn, state: 'creating', ...(emergency ? { emergency } : {}) };
  ue.sessions.set(psi, session);
  // step 3: Nsmf_PDUSession_CreateSMContext
  let r: SbiResult<unknown>;
  try {
    r = await createSmContext(amf, session, new SbiMultipart({
      supi: ue.supi,
      ...(ue.pei ? { pei: ue.pei } : {}),
      pduSessionId: psi,
      dnn,
      sNssai: sbiSnssai(snssai),
      servingNfId: amf.cfg.instanceId,
      guami: amf.guamiSbi(),
      servingNetwork: { mcc: amf.cfg.plmn.mcc, mnc: amf.cfg.plmn.mnc },
      ...(emergency ? { requestType: 'INITIAL_EMERGENCY_REQUEST' } : {}),
      // TS 29.502 SmContextCreateData hSmfUri: a roaming UE's session is home-routed through its home PLMN's H-SMF (TS 23.502 4.3.2.2.2 step 3a); an emergency one, and one for a DNN in local breakout (roaming.localBreakout, 4.3.2.2.1 with the SMF in the VPLMN), stays in the serving PLMN
      ...(amf.homeSmfOf(ue.supi, dnn) && !emergency ? { hSmfUri: amf.homeSmfOf(ue.supi, dnn) } : {}),
      // TS 29.502 SmContextCreateData pcfUeCallbackInfo: the PCF for the UE asked for this (DNN, S-NSSAI)'s events (TS 23.502 4.16.14.2)
      ...pcfUeCallbackInfoFor(ue, dnn, snssai, emergency || amf.homeSmfOf(ue.supi, dnn) !== undefined),
      anType: '3GPP_ACCESS',
      ratType: 'NR',
      // TS 29.502 SmContextCreateData ueLocation: where the NG-RAN last reported the UE
      ...(ue.location ? { ueLocation: ue.location } : {}),
      smContextStatusUri: callbackUri(amf.cfg.baseUri, CALLBACKS.smContextStatusNotify, { supi: ue.supi, pduSessionId: psi }),
      ueContextUri: resourceUri(amf.cfg.baseUri, AMF.communication.n1n2MessageTransfer, { ueContextId: ue.supi }),
      n1SmMsg: { contentId: 'n1SmMsg' },
      // TS 29.502: the session of an onboarding registered UE is for onboarding, with the DCS's PVS addresses
      ...(ue.onboarding ? { onboardingInd: true, ...(ue.onboarding.pvsAddresses.length ? { pvsInfo: [serverAddressingInfo(ue.onboarding.pvsAddresses)] } : {}) } : {}),
    }, { n1SmMsg: { contentType: N1_CONTENT_TYPE, data: payload } }), { step: '4.3.2.2.1 step 3', lateAnswer: unkeptSmContext(amf, ue, psi) });
  } catch (e) {
    if (e instanceof SbiErrorReply) r = e.reply;
    else {
      ue.sessions.delete(psi);
      amf.log(`CreateSMContext failed: ${(e as Error).message}`);
      return notForwarded();
    }
  }
  // createSmContext set session.smContextUri from the Location
  if (r.status === 201 && r.headers.location) return;
  ue.sessions.delete(psi);
  // the SMF rejected: its N1 SM (PDU Session Establishment Reject) goes to the UE
  const n1 = r.body instanceof SbiMultipart ? Object.values(r.body.binaries).find((b) => b.contentType === N1_CONTENT_TYPE)?.data : undefined;
  if (n1) sendNas(amf, ue, nasMessage('DL NAS transport', { payloadContainerType: 1, payloadContainer: n1, pduSessionId: psi }), '4.3.2.2.1 step 5 (reject)');
  else notForwarded();
}

/**
 * Steps 13-15: the gNB's answer goes to the SMF (Nsmf_PDUSession_UpdateSMContext): the sessions
 * set up with their Response Transfer (PDU_RES_SETUP_RSP), those the NG-RAN failed to set up with
 * their Unsuccessful Transfer (PDU_RES_SETUP_FAIL, TS 29.502 6.1.6.3.6); what the SMF answers for
 * the UE or the gNB is relayed (sm-context-answer.ts), e.g. the PDU Session Establishment Reject.
 */
export async function onPduSessionResourceSetupResponse(amf: Amf, ue: AmfUe, ies: Map<string, unknown>): Promise<void> {
  const done = (ies.get('PDUSessionResourceSetupListSURes') ?? []) as { pDUSessionID: number; pDUSessionResourceSetupResponseTransfer: Uint8Array }[];
  const failed = (ies.get('PDUSessionResourceFailedToSetupListSURes') ?? []) as { pDUSessionID: number; pDUSessionResourceSetupUnsuccessfulTransfer: Uint8Array }[];
  await n2SetupAnswersToSmf(amf, ue, done.map((d) => ({ psi: d.pDUSessionID, ok: true, transfer: d.pDUSessionResourceSetupResponseTransfer })), '4.3.2.2.1 step 15');
  await n2SetupAnswersToSmf(amf, ue, failed.map((f) => ({ psi: f.pDUSessionID, ok: false, transfer: f.pDUSessionResourceSetupUnsuccessfulTransfer })), '4.3.2.2.1 step 15 (N2 setup failed)');
}

/**
 * Each session's N2 SM information of a PDU Session Resource Setup Response or an Initial Context
 * Setup Response (TS 23.502 4.2.3.2 step 16) to its SMF, one UpdateSMContext each.
 */
export async function n2SetupAnswersToSmf(amf: Amf, ue: AmfUe, items: { psi: number; ok: boolean; transfer: Uint8Array }[], step: string): Promise<void> {
  await Promise.all(items.map(async (item) => {
    const s = ue.sessions.get(item.psi);
    // Not `!s.smContextUri`: the SMF's N1N2MessageTransfer (step 11) and the 201 of its
    // CreateSMContext (step 5) are two HTTP/2 exchanges on two connections, which nothing orders;
    // with the AMF and SMF on different threads the gNB's answer could come before the 201 was
    // read, and the session's Update was dropped (no N4 modification: its downlink went nowhere).
    // The Update waits for the creation in the session's SM context order (sm-context-order.ts).
    if (!s || s.state === 'releasing') return;
    if (!item.ok) amf.log(`UE ${ue.supi ?? ue.amfUeNgapId}: the gNB failed to set up PDU session ${item.psi}`);
    const a = await updateSmContext(amf, ue, s, new SbiMultipart(
      { n2SmInfo: { contentId: 'n2SmInfo' }, n2SmInfoType: item.ok ? 'PDU_RES_SETUP_RSP' : 'PDU_RES_SETUP_FAIL', anType: '3GPP_ACCESS', ...(ue.location ? { ueLocation: ue.location } : {}) },
      { n2SmInfo: { contentType: N2_CONTENT_TYPE, data: item.transfer } },
    ), step);
    if (!a) return;
    const success = relaySmAnswer(amf, ue, s, a, step);
    if (!success || !item.ok || s.state !== 'creating') return;
    s.state = 'active';
    // a release decided while it was being established (emergency.ts)
    const decided = s.releaseWhenEstablished;
    s.releaseWhenEstablished = undefined;
    if (decided) await releaseForEmergencyException(amf, ue, s.pduSessionId, decided.cause, decided.step);
  }));
}

/**
 * Steps 11-12: Namf_Communication_N1N2MessageTransfer (TS 29.518 5.2.2.3.1) from the SMF: the N2
 * PDU Session Request (TS 38.413 8.2.1) with the N1 SM container, or the N1 alone in DL NAS
 * Transport.
 */
export function n1n2MessageTransfer(amf: Amf, req: RequestOf<typeof AMF.communication.n1n2MessageTransfer>): AnswerOf<typeof AMF.communication.n1n2MessageTransfer> {
  // TS 29.518 6.1.6.2.17 N1N2MessageTransferReqData: no member is mandatory
  const body = objectBody(req) as CommC['schemas']['N1N2MessageTransferReqData'];
  const ue = amf.bySupi.get(req.params.ueContextId);
  if (!ue || (ue.released && ue.state !== '5GMM-REGISTERED')) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no UE context for ${req.params.ueContextId}`);
  const psi = body.pduSessionId ?? body.n2InfoContainer?.smInfo?.pduSessionId;
  const s = psi !== undefined ? ue.sessions.get(psi) : undefined;
  const n1 = binaryPart(req, body.n1MessageContainer?.n1MessageContent);
  const n2 = binaryPart(req, body.n2InfoContainer?.smInfo?.n2InfoContent?.ngapData);
  // TS 23.502 4.3.4.2 step 3b: a network-requested release (pdu-session-release.ts)
  if (s && body.n2InfoContainer?.smInfo?.n2InfoContent?.ngapIeType === 'PDU_RES_REL_CMD') return releaseCommandFromSmf(amf, ue, s, { ...(n1 ? { n1 } : {}), ...(n2 ? { n2 } : {}), skipInd: body.skipInd === true, ...(typeof body.n1n2FailureTxfNotifURI === 'string' ? { failureUri: body.n1n2FailureTxfNotifURI } : {}) });
  // TS 23.502 4.3.3.2 step 3b: an SMF-requested modification (pdu-session-modification.ts)
  if (s && n2 && body.n2InfoContainer?.smInfo?.n2InfoContent?.ngapIeType === 'PDU_RES_MOD_REQ') return modifyRequestFromSmf(amf, ue, s, n1, n2);
  // TS 29.518 6.1.3.5.3.1 (Table 6.1.3.5.3.1-3): a 409 carries N1N2MessageTransferError, its
  // ProblemDetails in `error` (application/json), not a bare application/problem+json
  if (psi === undefined || !s || s.state === 'releasing' || ue.state !== '5GMM-REGISTERED' || ue.released) {
    return { status: 409, body: { error: { status: 409, cause: 'UE_IN_NON_ALLOWED_STATE', detail: `PDU session ${String(psi)} is not being established` } } };
  }
  const nas = n1 ? nasBytes(amf, ue, nasMessage('DL NAS transport', { payloadContainerType: 1, payloadContainer: n1, pduSessionId: psi }), '4.3.2.2.1 step 12') : undefined;
  if (n2 && body.n2InfoContainer?.smInfo?.n2InfoContent?.ngapIeType === 'PDU_RES_SETUP_REQ') {
    // step 12: N2 PDU Session Request (TS 38.413 8.2.1)
    sendNgap(amf, ue.gnb, ue.stream, ngapPdu('PDUSessionResourceSetupRequest', {
      'AMF-UE-NGAP-ID': ue.amfUeNgapId,
      'RAN-UE-NGAP-ID': ue.ranUeNgapId,
      PDUSessionResourceSetupListSUReq: [{ pDUSessionID: psi, ...(nas ? { 'pDUSessionNAS-PDU': nas } : {}), 's-NSSAI': snssai(s.snssai), pDUSessionResourceSetupRequestTransfer: n2 }],
      // TS 38.413 8.2.1.2: the NG-RAN stores the UE-AMBR it is given here; the subscribed one
      // (TS 23.501 5.7.2.6), which the Initial Context Setup of a registration did not carry
      ...(ue.subscribedUeAmbr ? { UEAggregateMaximumBitRate: ueAmbrNgap(ue) } : {}),
    }), '4.3.2.2.1 step 12', ue);
  } else if (nas) {
    sendNgap(amf, ue.gnb, ue.stream, ngapPdu('DownlinkNASTransport', { 'AMF-UE-NGAP-ID': ue.amfUeNgapId, 'RAN-UE-NGAP-ID': ue.ranUeNgapId, 'NAS-PDU': nas }), '4.3.2.2.1 step 12', ue);
  } else throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'neither N1 nor N2 information');
  return ok({ cause: 'N1_N2_TRANSFER_INITIATED' });
}
