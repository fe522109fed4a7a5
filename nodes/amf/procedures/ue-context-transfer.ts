// Namf_Communication_UEContextTransfer at the old AMF (TS 29.518 5.2.2.2.2; TS 23.502 4.2.2.2.2
// steps 4-5): a new AMF that received a Registration request with a 5G-GUTI this AMF assigned asks,
// by POST {apiRoot}/namf-comm/v1/ue-contexts/{ueContextId}/transfer, for the UE's SUPI and UE
// context, giving the complete Registration request as received (multipart/related, its NAS PDU
// in the binary part regRequest names). This AMF checks the request's integrity with the 5G NAS
// security context it holds for that 5G-GUTI (TS 24.501 4.4.4.3; a failure is 403
// INTEGRITY_CHECK_FAIL, TS 29.518 6.1.7.3) and answers UeContextTransferRspData: the SUPI, the MM
// context with the NAS security mode, NAS COUNTs and UE security capability, the SEAF data
// (ngKSI and KAMF: TS 33.501 6.9.3, the KAMF is handed over unchanged), the subscribed UE-AMBR,
// the AM and UE policy association URIs and, for a mobility registration, the PDU sessions with
// their SM context references (step 5). The context stays here until the new AMF's
// Namf_Communication_RegistrationStatusUpdate (registration-status-update.ts) says it was taken.

import { unprotectNas, NasMacFailure, NasReplay, decodeNasMessage, type UeSecurityCapability } from '../../../codecs/nas/index.ts';
import { DecodeError } from '../../../codecs/bytes/errors.ts';
import { SbiProblem, binaryPart, objectBody } from '../../common/sbi.ts';
import { ok, type AnswerOf, type RequestOf } from '../../common/sbi/routes.ts';
import type { AMF } from '../../common/sbi/operations.ts';
import type { components as CommC } from '../../common/sbi-types/TS29518_Namf_Communication.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import type { SNssai } from '../../../codecs/nas/index.ts';

type UeContext = CommC['schemas']['UeContext'];

/** TS 29.571 Snssai (the SD as 6 hex digits). */
export const sbiSnssai = (s: SNssai): { sst: number; sd?: string } => (s.sd !== undefined ? { sst: s.sst, sd: s.sd.toString(16).padStart(6, '0') } : { sst: s.sst });

/** TS 29.518 6.1.3.3.2 (the ueContextId of a 5G-GUTI): `5g-guti-{MCC}{MNC}{AMF ID (6 hex)}{5G-TMSI (8 hex)}`. */
export function gutiContextId(plmn: { mcc: string; mnc: string }, guami: { regionId: number; setId: number; pointer: number }, tmsi: number): string {
  const amfId = ((guami.regionId << 16) | (guami.setId << 6) | guami.pointer).toString(16).padStart(6, '0');
  return `5g-guti-${plmn.mcc}${plmn.mnc}${amfId}${(tmsi >>> 0).toString(16).padStart(8, '0')}`;
}

/** The registered UE a ueContextId names at this AMF: a 5G-GUTI it assigned, or a SUPI. */
export function ueOfContextId(amf: Amf, id: string): AmfUe | undefined {
  const supi = /^imsi-[0-9]{5,15}$/.test(id) ? id : undefined;
  if (supi) return amf.bySupi.get(supi);
  const m = /^5g-guti-([0-9]{5,6})([0-9a-fA-F]{6})([0-9a-fA-F]{8})$/.exec(id);
  if (!m) return undefined;
  const { mcc, mnc } = amf.cfg.plmn;
  const { regionId, setId, pointer } = amf.cfg.guami;
  if (m[1] !== `${mcc}${mnc}` || parseInt(m[2], 16) !== ((regionId << 16) | (setId << 6) | pointer)) return undefined;
  const ue = amf.byTmsi.get(parseInt(m[3], 16));
  return ue?.supi ? ue : undefined;
}

/** TS 29.518 UeSecurityCapability (simple data type): the value of the NAS IE (TS 24.501 9.11.3.54) as Bytes (base64). */
function capabilityBytes(c: UeSecurityCapability): string {
  const octets = [c.ea, c.ia, ...(c.eea !== undefined || c.eia !== undefined ? [c.eea ?? 0, c.eia ?? 0] : [])];
  return Buffer.from(octets).toString('base64');
}

const INTEGRITY = ['NIA0', 'NIA1', 'NIA2', 'NIA3'] as const;
const CIPHERING = ['NEA0', 'NEA1', 'NEA2', 'NEA3'] as const;

/** The UE context of Table 5.2.2.2.2-1 that wire5g's AMF holds, in TS 29.518 UeContext form. */
export function ueContextSbi(amf: Amf, ue: AmfUe, withSessions: boolean): UeContext {
  const sec = ue.sec!;
  const sessions = withSessions ? [...ue.sessions.values()].filter((s) => s.state === 'active' && s.smContextUri) : [];
  const a = ue.subscribedUeAmbr;
  return {
    supi: ue.supi!,
    ...(ue.pei ? { pei: ue.pei } : {}),
    ...(a ? { subUeAmbr: { uplink: `${a.uplinkBps} bps`, downlink: `${a.downlinkBps} bps` } } : {}),
    seafData: { ngKsi: { tsc: 'NATIVE', ksi: sec.ngKsi }, keyAmf: { keyType: 'KAMF', keyVal: Buffer.from(ue.kamf!).toString('hex') } },
    ...(ue.amPolicyUri ? { pcfAmPolicyUri: ue.amPolicyUri } : {}),
    ...(ue.uePolicyUri ? { pcfUePolicyUri: ue.uePolicyUri } : {}),
    mmContextList: [{
      accessType: '3GPP_ACCESS',
      nasSecurityMode: { integrityAlgorithm: INTEGRITY[sec.integrityAlgorithm], cipheringAlgorithm: CIPHERING[sec.cipheringAlgorithm] },
      nasDownlinkCount: sec.downlinkCount,
      nasUplinkCount: sec.uplinkCount,
      ...(ue.ueSecurityCapability ? { ueSecurityCapability: capabilityBytes(ue.ueSecurityCapability) } : {}),
      ...(ue.allowedNssai?.length ? { allowedNssai: ue.allowedNssai.map(sbiSnssai) } : {}),
    }],
    ...(sessions.length ? { sessionContextList: sessions.map((s) => ({ pduSessionId: s.pduSessionId, smContextRef: s.smContextUri!, sNssai: sbiSnssai(s.snssai), dnn: s.dnn, accessType: '3GPP_ACCESS' as const })) } : {}),
    // TS 23.502 4.2.2.2.4 step 5: "if the UE context contains the indication that the UE is registered for onboarding"
    ...(ue.onboarding ? { snpnOnboardInd: true } : {}),
  };
}

/** Steps 4-5 at the old AMF. */
export function ueContextTransfer(amf: Amf, req: RequestOf<typeof AMF.communication.ueContextTransfer>): AnswerOf<typeof AMF.communication.ueContextTransfer> {
  const body = objectBody(req) as Partial<CommC['schemas']['UeContextTransferReqData']>;
  if (typeof body.reason !== 'string' || typeof body.accessType !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'reason and accessType are required');
  if (body.accessType !== '3GPP_ACCESS') throw new SbiProblem(403, 'CONTEXT_NOT_FOUND', `no UE context for ${body.accessType}`);
  const ue = ueOfContextId(amf, req.params.ueContextId);
  if (!ue || ue.state !== '5GMM-REGISTERED' || !ue.sec || !ue.kamf) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no registered UE context ${req.params.ueContextId}`);
  // MOBI_REG_UE_VALIDATED (TS 29.518 enumeration TransferReason): the new AMF authenticated the UE
  // and names it by SUPI; otherwise the Registration request is checked here (step 4)
  if (body.reason !== 'MOBI_REG_UE_VALIDATED') {
    const pdu = binaryPart(req, body.regRequest?.n1MessageContent);
    if (!pdu) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'regRequest with the Registration request NAS PDU is required');
    const protectedHeader = pdu.length > 6 && pdu[0] === 0x7e && (pdu[1] & 0x0f) !== 0;
    try {
      if (!protectedHeader) throw new NasMacFailure(0);
      // a copy: the context's own COUNT moves only if it is kept (registration-status-update.ts)
      const u = unprotectNas(pdu, { ...ue.sec }, 0);
      if (decodeNasMessage(u.plain).name !== 'Registration request') throw new SbiProblem(400, 'INVALID_MSG_FORMAT', 'regRequest is not a Registration request');
    } catch (e) {
      if (e instanceof NasMacFailure || e instanceof NasReplay || e instanceof DecodeError) {
        amf.log(`UEContextTransfer for ${req.params.ueContextId}: the Registration request failed the integrity check (${e.message})`);
        throw new SbiProblem(403, 'INTEGRITY_CHECK_FAIL', 'the Registration request failed the integrity check with the stored 5G NAS security context');
      }
      throw e;
    }
  }
  // step 5: "If old AMF holds information about established PDU Session(s) and it is not an
  // Initial Registration, the old AMF includes SMF information, DNN(s), S-NSSAI(s) and PDU Session ID(s)"
  return ok({ ueContext: ueContextSbi(amf, ue, body.reason !== 'INIT_REG') });
}
