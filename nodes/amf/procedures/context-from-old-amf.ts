// A registration update with a 5G-GUTI another AMF assigned (TS 23.502 4.2.2.2.2, "the serving AMF
// has changed since last Registration procedure"; TS 24.501 5.5.1.3), at the new AMF:
//   - steps 4-5: the old AMF is found by the 5G-GUTI's GUAMI (the configured AMFs, or with
//     nrf.discovery the NRF, TS 29.510 query `guami`) and asked for the UE context by
//     Namf_Communication_UEContextTransfer with the Registration request as received; its answer
//     gives the SUPI, the 5G NAS security context (KAMF, ngKSI, algorithms, NAS COUNTs) with which
//     this AMF then verifies the request and deciphers its NAS message container (TS 24.501
//     4.4.6), and the PDU sessions with their SM contexts. Without an answer (integrity check
//     failed at the old AMF, no such context, no such AMF) the registration goes on as for an
//     unknown 5G-GUTI: Identity request and authentication (step 6-9);
//   - step 17: each PDU session kept is handed to this AMF at its SMF
//     (Nsmf_PDUSession_UpdateSMContext with the serving NF, GUAMI, the new smContextStatusUri and
//     the UE's location, TS 29.502 5.2.2.3.1), so the SMF's later signalling comes here.
// Step 10 (RegistrationStatusUpdate) is registration-status-update.ts.

import { updateSmContext } from '../sm-context-order.ts';
import { SbiMultipart, SbiProblem } from '../../common/sbi.ts';
import { amfClient, callbackUri, resourceUri } from '../../common/sbi/client.ts';
import { AMF, CALLBACKS } from '../../common/sbi/operations.ts';
import type { components as CommC } from '../../common/sbi-types/TS29518_Namf_Communication.ts';
import type { components as SmfC } from '../../common/sbi-types/TS29502_Nsmf_PDUSession.ts';
import { discover, apiRootOf } from '../../common/nrf-discovery.ts';
import { nasKeys } from '../../../crypto/kdf.ts';
import { bitRateBps } from '../../smf/policy-decision.ts';
import type { NasMessage, MobileIdentity, SNssai } from '../../../codecs/nas/index.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, ReceivedNas } from '../context.ts';
import { gutiContextId } from './ue-context-transfer.ts';
import { verifyWithStoredContext } from './registration-update.ts';
import { notifyOldAmf } from './registration-status-update.ts';

type UeContext = CommC['schemas']['UeContext'];
type Guti = Extract<MobileIdentity, { type: '5g-guti' }>;

const INTEGRITY = ['NIA0', 'NIA1', 'NIA2', 'NIA3'];
const CIPHERING = ['NEA0', 'NEA1', 'NEA2', 'NEA3'];

/** Whether a 5G-GUTI was assigned by another AMF of this PLMN. */
function ofAnotherAmf(amf: Amf, g: Guti): boolean {
  const own = amf.cfg.guami;
  return g.plmn.mcc === amf.cfg.plmn.mcc && g.plmn.mnc === amf.cfg.plmn.mnc && !(g.amfRegionId === own.regionId && g.amfSetId === own.setId && g.amfPointer === own.pointer);
}

/** Step 4: "The new AMF determines the old AMF using the UE's 5G-GUTI": the apiRoot of the AMF serving its GUAMI. */
async function oldAmfApiRoot(amf: Amf, g: Guti): Promise<string | undefined> {
  const peer = amf.cfg.peerAmfs?.find((p) => p.guami.regionId === g.amfRegionId && p.guami.setId === g.amfSetId && p.guami.pointer === g.amfPointer);
  if (peer) return peer.uri;
  const nrfUri = amf.cfg.uris.nrf;
  if (!nrfUri) return undefined;
  const amfId = ((g.amfRegionId << 16) | (g.amfSetId << 6) | g.amfPointer).toString(16).padStart(6, '0');
  const found = await discover(amf.sbi, nrfUri, { target: 'AMF', requester: 'AMF', service: 'namf-comm', guami: { plmnId: g.plmn, amfId }, step: '4.2.2.2.2 step 4 (old AMF by GUAMI, TS 23.502 4.17.4)' }).catch(() => []);
  return found.map((p) => apiRootOf(p, 'namf-comm', amf.cfg.sbiPort)).find((x) => x !== undefined);
}

/**
 * Steps 4-5. Returns the complete Registration request, verified with the transferred 5G NAS
 * security context, with `ue` holding the UE context; undefined when the old AMF gave none.
 */
export async function contextFromOldAmf(amf: Amf, ue: AmfUe, received: ReceivedNas): Promise<NasMessage | undefined> {
  const identity = received.message.ies.mobileIdentity as MobileIdentity | undefined;
  if (identity?.type !== '5g-guti' || !received.protectedPdu || !ofAnotherAmf(amf, identity)) return undefined;
  const apiRoot = await oldAmfApiRoot(amf, identity);
  if (!apiRoot) {
    amf.log(`UE ${ue.amfUeNgapId}: no AMF known for the GUAMI of 5G-GUTI ${identity.amfRegionId}/${identity.amfSetId}/${identity.amfPointer}; the UE is identified instead`);
    return undefined;
  }
  const ueContextId = gutiContextId(identity.plmn, { regionId: identity.amfRegionId, setId: identity.amfSetId, pointer: identity.amfPointer }, identity.tmsi);
  let context: UeContext;
  try {
    const r = await amfClient(amf.sbi, apiRoot).communication.ueContextTransfer(ueContextId, new SbiMultipart<CommC['schemas']['UeContextTransferReqData']>({
      reason: 'MOBI_REG',
      accessType: '3GPP_ACCESS',
      plmnId: { mcc: amf.cfg.plmn.mcc, mnc: amf.cfg.plmn.mnc },
      regRequest: { n1MessageClass: '5GMM', n1MessageContent: { contentId: 'regRequest' } },
    }, { regRequest: { contentType: 'application/vnd.3gpp.5gnas', data: received.protectedPdu } }), { step: '4.2.2.2.2 step 4', answerStep: onboardingAnswerStep });
    const body = r.body instanceof SbiMultipart ? (r.body.json as CommC['schemas']['UeContextTransferRspData']) : r.body;
    context = body.ueContext;
  } catch (e) {
    if (!(e instanceof SbiProblem)) throw e;
    amf.log(`UE ${ue.amfUeNgapId}: UEContextTransfer from the old AMF answered ${e.problem.status} ${e.problem.cause}; the UE is identified and authenticated instead (TS 23.502 4.2.2.2.2 step 5)`);
    return undefined;
  }
  const taken = adoptUeContext(amf, ue, context);
  if (!taken) {
    amf.log(`UE ${ue.amfUeNgapId}: the UE context from the old AMF has no usable 5G NAS security context; the UE is identified instead`);
    return undefined;
  }
  ue.oldAmf = { apiRoot, ueContextId, sessions: [...ue.sessions.keys()] };
  const full = verifyWithStoredContext(amf, ue, received);
  if (!full) {
    await notifyOldAmf(amf, ue, 'NOT_TRANSFERRED', '4.2.2.2.2 step 10 (reject indication)');
    forgetTransferred(ue);
    return undefined;
  }
  return full;
}

/**
 * TS 23.502 4.2.2.2.4 step 5: the answer of the old AMF with the indication that the UE is registered
 * for onboarding. The request goes before the new AMF can know (TS 38.413 carries no onboarding
 * indication; the NG-RAN used it to select this AMF), so it keeps its 4.2.2.2.2 step 4 tag.
 */
function onboardingAnswerStep(body: unknown): string | undefined {
  const json = body instanceof SbiMultipart ? body.json : body;
  return (json as Partial<CommC['schemas']['UeContextTransferRspData']> | undefined)?.ueContext?.snpnOnboardInd === true ? '4.2.2.2.4 step 5' : undefined;
}

/**
 * TS 23.502 4.2.2.2.3 step 8 at the target AMF of a 7(A) reroute: the registration continues from
 * step 4 of 4.2.2.2.2, "which includes the UE context retrieved from old AMF", while the 5G security
 * context stays the initial AMF's. For an update whose 5G-GUTI another AMF assigned (the initial
 * AMF itself when the UE was registered there, or the old AMF the initial AMF told NOT_TRANSFERRED,
 * 4.2.2.2.3 step 5), the old AMF is asked by UEContextTransfer with reason MOBI_REG_UE_VALIDATED
 * and the SUPI (TS 29.518 5.2.2.2.2: the initial AMF verified the request) for the PDU sessions;
 * step 10 then tells it TRANSFERRED and step 17 moves the sessions kept to this AMF at their SMF.
 */
export async function sessionsFromOldAmf(amf: Amf, ue: AmfUe, request: NasMessage): Promise<void> {
  const identity = request.ies.mobileIdentity as MobileIdentity | undefined;
  if (identity?.type !== '5g-guti' || !ue.supi || !ofAnotherAmf(amf, identity)) return;
  const apiRoot = await oldAmfApiRoot(amf, identity);
  if (!apiRoot) return;
  const ueContextId = ue.supi;
  let context: UeContext;
  try {
    const r = await amfClient(amf.sbi, apiRoot).communication.ueContextTransfer(ueContextId, new SbiMultipart<CommC['schemas']['UeContextTransferReqData']>({
      reason: 'MOBI_REG_UE_VALIDATED',
      accessType: '3GPP_ACCESS',
      plmnId: { mcc: amf.cfg.plmn.mcc, mnc: amf.cfg.plmn.mnc },
    }, {}), { step: '4.2.2.2.3 step 8 (4.2.2.2.2 step 4)' });
    context = (r.body instanceof SbiMultipart ? (r.body.json as CommC['schemas']['UeContextTransferRspData']) : r.body).ueContext;
  } catch (e) {
    if (!(e instanceof SbiProblem)) throw e;
    amf.log(`UE ${ue.supi}: UEContextTransfer from the old AMF answered ${e.problem.status} ${e.problem.cause}; no PDU session comes with the UE`);
    return;
  }
  ue.oldAmf = { apiRoot, ueContextId, sessions: adoptSessions(ue, context) };
}

/** The PDU sessions of a UE context (TS 29.518 UeContext sessionContextList) on `ue`; their PSIs. */
function adoptSessions(ue: AmfUe, c: UeContext): number[] {
  const list = c.sessionContextList ?? [];
  for (const s of list) {
    const snssai: SNssai = s.sNssai.sd !== undefined ? { sst: s.sNssai.sst, sd: parseInt(s.sNssai.sd, 16) } : { sst: s.sNssai.sst };
    ue.sessions.set(s.pduSessionId, { pduSessionId: s.pduSessionId, smContextUri: s.smContextRef, snssai, dnn: s.dnn, state: 'active' });
  }
  return list.map((s) => s.pduSessionId);
}

/** The UE context of the answer (TS 29.518 UeContext) on `ue`; false when it lacks the security context. */
export function adoptUeContext(amf: Amf, ue: AmfUe, c: UeContext): boolean {
  const mm = c.mmContextList?.find((m) => m.accessType === '3GPP_ACCESS');
  const seaf = c.seafData;
  const integrity = INTEGRITY.indexOf(String(mm?.nasSecurityMode?.integrityAlgorithm));
  const ciphering = CIPHERING.indexOf(String(mm?.nasSecurityMode?.cipheringAlgorithm));
  if (!c.supi || !mm || !seaf || seaf.keyAmf.keyType !== 'KAMF' || !/^[0-9a-fA-F]{64}$/.test(seaf.keyAmf.keyVal) || integrity < 0 || ciphering < 0 || typeof mm.nasUplinkCount !== 'number' || typeof mm.nasDownlinkCount !== 'number') return false;
  const kamf = Uint8Array.from(Buffer.from(seaf.keyAmf.keyVal, 'hex'));
  ue.supi = c.supi;
  ue.kamf = kamf;
  ue.sec = { ngKsi: seaf.ngKsi.ksi, ...nasKeys(kamf, integrity, ciphering), integrityAlgorithm: integrity, cipheringAlgorithm: ciphering, uplinkCount: mm.nasUplinkCount, downlinkCount: mm.nasDownlinkCount, bearer: 1 };
  if (c.pei) ue.pei = c.pei;
  // TS 23.502 4.2.2.2.4 step 5: registered for onboarding (its registration update: registration-onboarding-update.ts)
  if (c.snpnOnboardInd === true) ue.onboarding = { pvsAddresses: [] };
  if (c.subUeAmbr) ue.subscribedUeAmbr = { uplinkBps: bitRateBps(c.subUeAmbr.uplink, 'subUeAmbr.uplink'), downlinkBps: bitRateBps(c.subUeAmbr.downlink, 'subUeAmbr.downlink') };
  adoptSessions(ue, c);
  amf.bySupi.set(c.supi, ue);
  return true;
}

/** A transfer not taken: the sessions and keys stay the old AMF's. */
export function forgetTransferred(ue: AmfUe): void {
  for (const psi of ue.oldAmf?.sessions ?? []) ue.sessions.delete(psi);
  ue.onboarding = undefined;
  ue.sec = undefined;
  ue.kamf = undefined;
}

/**
 * Step 17: "When the serving AMF has changed, the new serving AMF notifies the SMF for each PDU
 * Session that it has taken over the responsibility of the signalling path towards the UE".
 * SmContextUpdateData (TS 29.502 6.1.6.2.3): servingNfId, guami, servingNetwork, anType, the
 * UE's location and the new smContextStatusUri; wire5g's SMF also takes `ueContextUri` as at
 * creation (pdu-session-relay.ts), where it sends N1N2MessageTransfer. A session its SMF no
 * longer knows is dropped.
 */
export async function takeOverSessions(amf: Amf, ue: AmfUe): Promise<void> {
  const old = ue.oldAmf;
  if (!old || old.notified !== 'TRANSFERRED' || old.sessionsTaken || !ue.supi) return;
  old.sessionsTaken = true;
  const supi = ue.supi;
  await Promise.all([...ue.sessions.values()].filter((s) => old.sessions.includes(s.pduSessionId) && s.smContextUri).map(async (s) => {
    const update: SmfC['schemas']['SmContextUpdateData'] & { ueContextUri: string } = {
      servingNfId: amf.cfg.instanceId,
      guami: amf.guamiSbi(),
      servingNetwork: { mcc: amf.cfg.plmn.mcc, mnc: amf.cfg.plmn.mnc },
      anType: '3GPP_ACCESS',
      ...(ue.location ? { ueLocation: ue.location } : {}),
      smContextStatusUri: callbackUri(amf.cfg.baseUri, CALLBACKS.smContextStatusNotify, { supi, pduSessionId: s.pduSessionId }),
      ueContextUri: resourceUri(amf.cfg.baseUri, AMF.communication.n1n2MessageTransfer, { ueContextId: supi }),
    };
    try {
      await updateSmContext(amf, s, update, { step: '4.2.2.2.2 step 17' });
    } catch (e) {
      if (!(e instanceof SbiProblem)) throw e;
      amf.log(`UE ${supi}: UpdateSMContext of PDU session ${s.pduSessionId} (serving AMF change) answered ${e.problem.status} ${e.problem.cause}; the session is dropped`);
      ue.sessions.delete(s.pduSessionId);
    }
  }));
}

/** A registration that failed before step 10: the old AMF keeps the UE context (NOT_TRANSFERRED). */
export async function abandonTransfer(amf: Amf, ue: AmfUe): Promise<void> {
  if (!ue.oldAmf || ue.oldAmf.notified) return;
  await notifyOldAmf(amf, ue, 'NOT_TRANSFERRED', '4.2.2.2.2 step 10 (reject indication)');
  forgetTransferred(ue);
  if (ue.supi && amf.bySupi.get(ue.supi) === ue) amf.bySupi.delete(ue.supi);
}
