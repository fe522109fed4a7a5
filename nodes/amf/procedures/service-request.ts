// UE Triggered Service Request from CM-IDLE, AMF side (TS 23.502 4.2.3.2; TS 24.501 5.6.1), also
// the answer to paging (4.2.3.3 step 6):
//   step 2    N2 INITIAL UE MESSAGE with the SERVICE REQUEST: the context is found by the
//             5G-S-TMSI (TS 23.003 2.11) and the request verified with its stored 5G NAS security
//             context (TS 24.501 4.4.4.3); the non-cleartext IEs come from the NAS message
//             container (4.4.6). An unknown 5G-S-TMSI or a request that does not verify is
//             answered with SERVICE REJECT #9 (5.6.1.5; wire5g does not authenticate here)
//   the context of the UE's new NG connection takes over the stored one (CM-CONNECTED again)
//   PDU session status: the sessions the UE no longer holds are released at their SMF (5.6.1.4.1)
//   step 4    Nsmf_PDUSession_UpdateSMContext (upCnxState ACTIVATING) for each PDU session of
//             the uplink data status; step 11 the SMF's N2 SM information
//   step 12   N2 INITIAL CONTEXT SETUP REQUEST with KgNB (TS 33.501 A.9, the Service request's
//             uplink NAS COUNT), the PDU sessions and the SERVICE ACCEPT (PDU session status,
//             PDU session reactivation result)
//   step 15   the gNB's INITIAL CONTEXT SETUP RESPONSE
//   step 16   Nsmf_PDUSession_UpdateSMContext with each N2 SM PDU Session Resource Setup Response
//             (the SMF's N4 Session Modification is step 17)
// A procedure that paged the UE (paging.ts) goes on with the new context once the context is set up.

import { updateSmContext } from '../sm-context-order.ts';
import {
  decodeNasMessage, nasMessage, unprotectNas, cipherNasMessageContainer, NasMacFailure, NasReplay,
  type MobileIdentity, type NasMessage, type PsiBitmap,
} from '../../../codecs/nas/index.ts';
import { snssai } from '../../../codecs/ngap/index.ts';
import { DecodeError } from '../../../codecs/bytes/errors.ts';
import { SbiMultipart, SbiProblem, N2_CONTENT_TYPE, type SbiResult } from '../../common/sbi.ts';
import { SbiErrorReply } from '../../common/sbi/client.ts';
import { n2SetupAnswersToSmf } from './pdu-session-relay.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, ReceivedNas } from '../context.ts';
import { FiveGmmCause, ProcedureAborted } from '../gmm.ts';
import { sendNas } from '../n1.ts';
import { sendNgap } from '../n2.ts';
import { requestNgKsi, takeOverContext, reconcilePduSessions } from './registration-update.ts';
import { initialContextSetup, initialContextSetupRequest, type CxtReqSession } from './registration.ts';
import { releaseUeContext } from './ue-context-release.ts';

/** TS 24.501 9.11.3.50 service type values wire5g's AMF reads. */
export const ServiceType = { Signalling: 0, Data: 1, MobileTerminatedServices: 2 } as const;

/** The stored context of a 5G-S-TMSI this AMF assigned (TS 23.003 2.11: AMF Set ID, AMF Pointer, 5G-TMSI). */
function contextByFiveGSTmsi(amf: Amf, id: MobileIdentity | undefined): AmfUe | undefined {
  if (id?.type !== '5g-s-tmsi' || id.amfSetId !== amf.cfg.guami.setId || id.amfPointer !== amf.cfg.guami.pointer) return undefined;
  const known = amf.byTmsi.get(id.tmsi);
  return known?.supi && known.state === '5GMM-REGISTERED' ? known : undefined;
}

/** The request verified with the stored context, with the NAS message container's IEs (4.4.6). */
function verified(amf: Amf, known: AmfUe, r: ReceivedNas): NasMessage | undefined {
  const sec = known.sec;
  if (!sec || !r.protectedPdu || requestNgKsi(r.message) !== sec.ngKsi) return undefined;
  try {
    const u = unprotectNas(r.protectedPdu, sec, 0);
    const message = decodeNasMessage(u.plain);
    const container = message.ies.nasMessageContainer as Uint8Array | undefined;
    if (!container) return message;
    const inner = decodeNasMessage(cipherNasMessageContainer(sec, u.count, 0, container));
    if (inner.name !== 'Service request') throw new DecodeError({ protocol: 'nas-5gs', code: 'BAD_VALUE', offset: 0, path: 'ServiceRequest.NASMessageContainer', reason: `${inner.name} in the NAS message container of a Service request` });
    return inner;
  } catch (e) {
    if (e instanceof NasMacFailure || e instanceof NasReplay || e instanceof DecodeError) {
      amf.log(`Service request for 5G-TMSI ${known.tmsi ?? '-'}: ${e.message}`);
      return undefined;
    }
    throw e;
  }
}

/** TS 24.501 5.6.1.5: SERVICE REJECT, then the NG connection goes (nothing is kept for it). */
async function serviceReject(amf: Amf, ue: AmfUe, cause: number): Promise<void> {
  sendNas(amf, ue, nasMessage('Service reject', { fiveGmmCause: cause }), 'TS 24.501 5.6.1.5');
  await releaseUeContext(amf, ue, { nas: 'normal-release' }, 'TS 24.501 5.6.1.5');
}

/** Step 4 and 11: the user plane of one PDU session is activated at its SMF; the N2 SM information, or undefined. */
async function activate(amf: Amf, ue: AmfUe, psi: number): Promise<CxtReqSession | undefined> {
  const s = ue.sessions.get(psi);
  if (!s?.smContextUri || s.state !== 'active') return undefined;
  let r: SbiResult<unknown> | undefined;
  try {
    r = await updateSmContext(amf, s, { upCnxState: 'ACTIVATING', anType: '3GPP_ACCESS', ...(ue.location ? { ueLocation: ue.location } : {}) }, { step: '4.2.3.2 step 4' });
  } catch (e) {
    if (!(e instanceof SbiErrorReply) && !(e instanceof SbiProblem)) throw e;
    amf.log(`UE ${ue.supi ?? ''}: UpdateSMContext (ACTIVATING) of PDU session ${psi} refused: ${e.message}`);
    return undefined;
  }
  if (!r) return undefined; // the session's release came first
  const body = r.body instanceof SbiMultipart ? r.body : undefined;
  const n2 = body ? Object.values(body.binaries).find((b) => b.contentType === N2_CONTENT_TYPE)?.data : undefined;
  if (!n2 || (body?.json as { n2SmInfoType?: string }).n2SmInfoType !== 'PDU_RES_SETUP_REQ') return undefined;
  return { pDUSessionID: psi, 's-NSSAI': snssai(s.snssai), pDUSessionResourceSetupRequestTransfer: n2 };
}

/** A SERVICE REQUEST on a new NG connection (TS 23.502 4.2.3.2 from step 2). */
export async function serviceRequest(amf: Amf, ue: AmfUe, r: ReceivedNas): Promise<void> {
  const known = contextByFiveGSTmsi(amf, r.message.ies.fiveGSTmsi as MobileIdentity | undefined);
  const request = known && known !== ue ? verified(amf, known, r) : undefined;
  if (!known || !request) {
    amf.log(`UE ${ue.amfUeNgapId}: Service request ${known ? 'does not verify with the stored 5G NAS security context' : 'for a 5G-S-TMSI this AMF holds no registration of'}: Service reject #9`);
    return serviceReject(amf, ue, FiveGmmCause.UeIdentityCannotBeDerived);
  }
  const paging = known.paging;
  await takeOverContext(amf, ue, known);
  ue.state = '5GMM-REGISTERED';
  // TS 24.501 5.6.1.4.1: PDU sessions the UE no longer holds are released in the network
  const status = request.ies.pduSessionStatus as PsiBitmap | undefined;
  if (status) await reconcilePduSessions(amf, ue, status);
  // steps 4-11: the user plane of the sessions with uplink data pending
  const uplink = ((request.ies.uplinkDataStatus as PsiBitmap | undefined)?.psis ?? []).filter((p) => ue.sessions.has(p));
  const sessions = (await Promise.all(uplink.map((psi) => activate(amf, ue, psi)))).filter((s): s is CxtReqSession => s !== undefined);
  const notActivated = uplink.filter((p) => !sessions.some((s) => s.pDUSessionID === p));
  const accept = nasMessage('Service accept', {
    pduSessionStatus: { psis: [...ue.sessions.keys()].sort((a, b) => a - b) },
    // TS 24.501 9.11.3.42: a bit set to 1 says the user plane of that session was not re-established
    ...(uplink.length ? { pduSessionReactivationResult: { psis: notActivated } } : {}),
  });
  // step 12: Initial Context Setup Request with the Service accept and the PDU sessions
  const setUp = initialContextSetup(amf, ue);
  sendNgap(amf, ue.gnb, ue.stream, initialContextSetupRequest(amf, ue, accept, ue.allowedNssai ?? [], '4.2.3.2 step 12', sessions), '4.2.3.2 step 12', ue);
  let ies: Map<string, unknown>;
  try {
    ies = await setUp;
  } catch (e) {
    if (!(e instanceof ProcedureAborted)) throw e;
    amf.log(`UE ${ue.supi ?? ''}: Service request: ${e.message}`);
    await releaseUeContext(amf, ue, { radioNetwork: 'unspecified' }, 'TS 38.413 8.3.1.3');
    return;
  }
  // steps 15-16: each N2 SM PDU Session Resource Setup Response (or the NG-RAN's failure) to its SMF (step 17, N4, follows there)
  const done = (ies.get('PDUSessionResourceSetupListCxtRes') ?? []) as { pDUSessionID: number; pDUSessionResourceSetupResponseTransfer: Uint8Array }[];
  const failed = (ies.get('PDUSessionResourceFailedToSetupListCxtRes') ?? []) as { pDUSessionID: number; pDUSessionResourceSetupUnsuccessfulTransfer: Uint8Array }[];
  await n2SetupAnswersToSmf(amf, ue, [
    ...done.map((d) => ({ psi: d.pDUSessionID, ok: true, transfer: d.pDUSessionResourceSetupResponseTransfer })),
    ...failed.map((f) => ({ psi: f.pDUSessionID, ok: false, transfer: f.pDUSessionResourceSetupUnsuccessfulTransfer })),
  ], '4.2.3.2 step 16');
  // 4.2.3.3 step 6: the procedure that paged the UE goes on over this connection
  paging?.answered(ue);
}
