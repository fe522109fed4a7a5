// Registration with AMF re-allocation, TS 23.502 4.2.2.2.3, the initial AMF's side. The
// registration procedure (registration.ts) asks here, once it knows the SUPI, whether another AMF
// should serve the UE, and stops when this AMF handed the Registration Request on:
//   step 1    the Registration Request arrived (Initial UE Message, or Uplink NAS Transport of a
//             CM-CONNECTED UE);
//   step 2    the AMF authenticated the UE and set up NAS security where it needed to (steps 4-9b
//             of 4.2.2.2.2, tagged with those); with `amf.reallocation: ran` the AMF stops after 9a
//             (no NAS security mode, so no security association with the UE: 7(B) stays possible);
//   step 3    Nudm_SDM_Get of the slice selection subscription data;
//   step 4    Nnssf_NSSelection_Get: the Allowed NSSAI and the target AMF Set;
//   step 5    Namf_Communication_RegistrationStatusUpdate (NOT_TRANSFERRED) to the old AMF whose
//             UE context this AMF fetched (UEContextTransfer, context-from-old-amf.ts): the old
//             AMF keeps the UE as if the transfer never happened;
//   step 6    Nnrf_NFDiscovery of the target AMF Set (for 7(A); 7(B) names the Set only);
//   step 7(A) Namf_Communication_N1MessageNotify to the target AMF (its N1_MESSAGES default
//             notification URI from the NRF): the complete Registration Request in clear text, the
//             AN information, SUPI, MM context with the 5G security context (ue-context-sbi.ts);
//   step 7(B) NGAP Reroute NAS Request (TS 38.413 8.6.5): the Initial UE Message as received, the
//             AMF Set ID and the Allowed NSSAI; not for a CM-CONNECTED UE (NOTE 4) nor once a
//             security association exists, nor when the NSSF named candidate AMFs;
// then the initial AMF forgets the UE (its NG connection is the target AMF's now, no UE Context
// Release), having released whatever it held for it. Step 8 is the target AMF's
// (n1-message-notify.ts for 7(A); an ordinary Initial UE Message for 7(B)).

import { bits, ngapPdu, snssai as ngapSnssai } from '../../../codecs/ngap/index.ts';
import { encodeNasMessage, type NasMessage, type SNssai } from '../../../codecs/nas/index.ts';
import { SbiMultipart, N1_CONTENT_TYPE } from '../../common/sbi.ts';
import { nssfClient } from '../../common/sbi/client.ts';
import { discover } from '../../common/nrf-discovery.ts';
import type { NFProfile } from '../../common/nf-profile-type.ts';
import type { components as CommC } from '../../common/sbi-types/TS29518_Namf_Communication.ts';
import type { components as NssfC } from '../../common/sbi-types/TS29531_Nnssf_NSSelection.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import { sendNgap } from '../n2.ts';
import { ProcedureAborted, UeRejected } from '../gmm.ts';
import { ueContextSbi } from './ue-context-transfer.ts';
import { amfFqdn } from './n1-message-notify.ts';
import { snssaiEquals, undoRegistration } from './registration.ts';
import { notifyOldAmf } from './registration-status-update.ts';
import type { RegistrationKind } from './registration-update.ts';

/** How the initial AMF reroutes (config `amf.reallocation`): 7(A) directly, or 7(B) via the NG-RAN when allowed. */
export type ReallocationPath = 'direct' | 'ran';

const STEP = '4.2.2.2.3 step';
type WireSnssai = CommC['schemas']['Snssai'];

/** What steps 3-4 decided: the NSSF's Allowed NSSAI and target AMF Set, and what it rejected. */
interface SliceSelection {
  allowed: WireSnssai[];
  target: { regionId: number; setId: number; name: string };
  candidates: string[];
  /** Where the Set's AMFs are discovered (nrfAmfSet), else the AMF's own NRF. */
  nrfUri: string | undefined;
  configured: WireSnssai[];
  rejectedInPlmn: WireSnssai[];
  rejectedInTa: WireSnssai[];
}

/** The UEs this AMF handed to another (registration.ts ends the procedure for them without more). */
const handedOver = new WeakSet<AmfUe>();
export function reallocated(ue: AmfUe): boolean {
  return handedOver.has(ue);
}

const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');
/** A NAS S-NSSAI (SD a number) in TS 29.571 form (SD 6 hex digits), and back. */
const snssaiSbi = (s: SNssai): WireSnssai => ({ sst: s.sst, ...(s.sd !== undefined ? { sd: hex(s.sd, 6) } : {}) });
const snssaiNas = (s: WireSnssai): SNssai => ({ sst: s.sst, ...(s.sd !== undefined ? { sd: parseInt(s.sd, 16) } : {}) });

/**
 * Step 2 with `amf.reallocation: ran`, after the authentication (9a) and before NAS security mode
 * control: a UE in CM-IDLE (its request came in an Initial UE Message) whose subscription this AMF
 * cannot serve is rerouted via the NG-RAN (7(B)). The Requested NSSAI is not among the cleartext
 * IEs (TS 24.501 4.4.6), so the decision is on the subscription (step 2: "needs the SUPI and/or UE's
 * subscription information to decide"). True when the UE was handed on.
 */
export async function rerouteBeforeSecurity(amf: Amf, ue: AmfUe, kind: RegistrationKind, fromIdle: boolean): Promise<boolean> {
  // an onboarding registered UE stays with the AMF that has the onboarding configuration (TS 23.502 4.2.2.2.4 step 2)
  if (ue.onboarding || amf.cfg.reallocation !== 'ran' || !amf.cfg.uris.nssf || !fromIdle || ue.sec || !ue.initialUeMessage || (kind !== 'initial' && kind !== 'mobility')) return false;
  const sel = await sliceSelectionOrHere(amf, ue, undefined);
  // 7(B) "unless the target AMF(s) are returned from the NSSF and identified by a list of candidate AMF(s)": then 7(A), after NAS security
  if (!sel || sel.candidates.length) return false;
  await notifyOldAmf(amf, ue, 'NOT_TRANSFERRED', `${STEP} 5`);
  await rerouteViaRan(amf, ue, sel);
  return true;
}

/**
 * Steps 3-7 once the complete Registration Request is known (after NAS security mode control, or
 * verified with the security context this AMF holds): a Requested NSSAI (permitted by the
 * subscription) this AMF cannot serve all of goes to the AMF Set the NSSF names. A security
 * association exists now, so the reroute is 7(A). True when the UE was handed on.
 */
export async function rerouteAfterSecurity(amf: Amf, ue: AmfUe, full: NasMessage, kind: RegistrationKind, fromIdle: boolean): Promise<boolean> {
  if (ue.onboarding || !amf.cfg.uris.nssf || (kind !== 'initial' && kind !== 'mobility') || full.name !== 'Registration request') return false;
  const sel = await sliceSelectionOrHere(amf, ue, ue.requestedNssai);
  if (!sel) return false;
  // step 5: a UE context fetched from an old AMF (UEContextTransfer) stays the old AMF's
  await notifyOldAmf(amf, ue, 'NOT_TRANSFERRED', `${STEP} 5`);
  // step 6: the AMFs of the target Set at the NRF, with their N1_MESSAGES notification endpoint
  const target = await targetAmf(amf, sel);
  if (target) {
    await forwardDirect(amf, ue, full, sel, target);
    return true;
  }
  // without a target AMF's address: 7(B) when no security association exists (never here once NAS security is up)
  if (!ue.sec && fromIdle && ue.initialUeMessage) {
    await rerouteViaRan(amf, ue, sel);
    return true;
  }
  amf.log(`UE ${ue.supi}: no AMF of AMF Set ${sel.target.name} found at the NRF; the registration continues here (TS 23.502 4.2.2.2.3 step 6b)`);
  return false;
}

/** Steps 3-4; an error answer of the UDM or NSSF (or none) leaves the UE with this AMF, which serves what it can. */
async function sliceSelectionOrHere(amf: Amf, ue: AmfUe, requested: SNssai[] | undefined): Promise<SliceSelection | undefined> {
  try {
    return await sliceSelection(amf, ue, requested);
  } catch (e) {
    if (e instanceof ProcedureAborted || e instanceof UeRejected) throw e;
    amf.log(`UE ${ue.supi ?? ue.amfUeNgapId}: slice selection for the AMF re-allocation failed (${e instanceof Error ? e.message : String(e)}); the registration continues here`);
    return undefined;
  }
}

/** Steps 3a-4b: the slice selection subscription data, then the NSSF; undefined when this AMF serves the UE. */
async function sliceSelection(amf: Amf, ue: AmfUe, requested: SNssai[] | undefined): Promise<SliceSelection | undefined> {
  const served = (s: SNssai) => amf.cfg.snssais.some((n) => snssaiEquals(s, n));
  if (requested?.length && requested.every(served)) return undefined;
  const supi = ue.supi!;
  const plmnId = { mcc: amf.cfg.plmn.mcc, mnc: amf.cfg.plmn.mnc };
  // step 3a-3c: Nudm_SDM_Get (SUPI, Slice Selection Subscription data) at the UE's home UDM
  const home = amf.homeOf(supi);
  const nssai = (await home.nudm.sdm.getNssai(supi, { query: { 'plmn-id': JSON.stringify(plmnId) }, step: `${STEP} 3b` })).body;
  const defaults = nssai?.defaultSingleNssais ?? [];
  const others = nssai?.singleNssais ?? [];
  const subscribed = [...defaults, ...others];
  // the S-NSSAIs of the Requested NSSAI the subscription permits, or with none requested the default ones
  const permitted = requested?.length ? requested.filter((s) => subscribed.some((n) => snssaiEquals(s, n))) : defaults.map(snssaiNas);
  if (!permitted.length || permitted.every(served)) return undefined;
  // step 4a: Nnssf_NSSelection_Get (Requested NSSAI, Subscribed S-NSSAIs with the default indication, TAI)
  const info: NssfC['schemas']['SliceInfoForRegistration'] = {
    subscribedNssai: [...defaults.map((s) => ({ subscribedSnssai: s, defaultIndication: true })), ...others.map((s) => ({ subscribedSnssai: s }))],
    ...(requested?.length ? { requestedNssai: requested.map(snssaiSbi) } : {}),
  };
  const tai = ue.location?.nrLocation.tai;
  const answer = (await nssfClient(amf.sbi, amf.cfg.uris.nssf!).nsSelection.get({
    query: { 'nf-type': 'AMF', 'nf-id': amf.cfg.instanceId, 'slice-info-request-for-registration': JSON.stringify(info), ...(tai ? { tai: JSON.stringify(tai) } : {}), 'home-plmn-id': JSON.stringify(plmnId) },
    step: `${STEP} 4a`,
  })).body;
  // step 4b: the target AMF Set (TS 29.531 <MCC>-<MNC>-<AMF Region ID>-<AMF Set ID>)
  const set = /^\d{3}-\d{2,3}-([0-9a-fA-F]{2})-([0-9a-fA-F]{3})$/.exec(answer.targetAmfSet ?? '');
  if (!set) {
    amf.log(`UE ${supi}: the NSSF named no AMF Set for ${JSON.stringify(permitted)}; the registration continues here`);
    return undefined;
  }
  const target = { regionId: parseInt(set[1], 16), setId: parseInt(set[2], 16), name: answer.targetAmfSet! };
  // the initial AMF is of the target Set: no re-allocation
  if (target.regionId === amf.cfg.guami.regionId && target.setId === amf.cfg.guami.setId) return undefined;
  const allowed = answer.allowedNssaiList?.find((a) => a.accessType === '3GPP_ACCESS')?.allowedSnssaiList.map((a) => a.allowedSnssai) ?? [];
  return {
    allowed,
    target,
    candidates: answer.candidateAmfList ?? [],
    nrfUri: answer.nrfAmfSet?.replace(/\/nnrf-disc\/v1\/?$/, ''),
    configured: answer.configuredNssai?.map((c) => c.configuredSnssai) ?? [],
    rejectedInPlmn: answer.rejectedNssaiInPlmn ?? [],
    rejectedInTa: answer.rejectedNssaiInTa ?? [],
  };
}

/** Step 6a-6b: an AMF of the target Set (a candidate of the NSSF first) and its N1_MESSAGES notification URI. */
async function targetAmf(amf: Amf, sel: SliceSelection): Promise<{ instanceId: string; n1NotifyUri: string } | undefined> {
  const nrfUri = sel.nrfUri ?? amf.cfg.uris.nrf;
  if (!nrfUri) return undefined;
  const profiles = await discover(amf.sbi, nrfUri, {
    target: 'AMF',
    requester: 'AMF',
    service: 'namf-comm',
    plmn: amf.cfg.plmn,
    amfRegionId: hex(sel.target.regionId, 2),
    amfSetId: hex(sel.target.setId, 3),
    step: `${STEP} 6a`,
  }).catch((e: unknown) => {
    amf.log(`Nnrf_NFDiscovery of AMF Set ${sel.target.name} failed: ${e instanceof Error ? e.message : String(e)}`);
    return [] as NFProfile[];
  });
  const ranked = [...profiles.filter((p) => sel.candidates.includes(p.nfInstanceId)), ...profiles.filter((p) => !sel.candidates.includes(p.nfInstanceId))];
  for (const p of ranked) {
    if (p.nfInstanceId === amf.cfg.instanceId) continue;
    // TS 29.510 DefaultNotificationSubscription: the AMF's endpoint for N1 messages of class 5GMM
    const subs = (p.defaultNotificationSubscriptions ?? []) as { notificationType?: string; n1MessageClass?: string; callbackUri?: string }[];
    const n1 = subs.find((d) => d.notificationType === 'N1_MESSAGES' && (d.n1MessageClass ?? '5GMM') === '5GMM' && typeof d.callbackUri === 'string');
    if (n1?.callbackUri) return { instanceId: p.nfInstanceId, n1NotifyUri: n1.callbackUri };
  }
  return undefined;
}

/**
 * Step 7(A): Namf_Communication_N1MessageNotify (TS 29.518 5.2.2.4.2) with the N1MessageNotification
 * (RegistrationContextContainer: the UE context, the AN's N2 termination point, the initial AMF's
 * name and the NSSF's answer but the AMF Set) and the complete Registration Request as the binary
 * part. What this AMF held for the UE elsewhere is released first, so that the target AMF's
 * registration at the UDM is the only one, and the UE is forgotten here; unless the UE was
 * registered here: then this AMF is also the old AMF of 4.2.2.2.2 and keeps the UE context (its PDU
 * sessions, policy associations, UDM registration) for the target AMF to take (step 8).
 */
async function forwardDirect(amf: Amf, ue: AmfUe, full: NasMessage, sel: SliceSelection, target: { instanceId: string; n1NotifyUri: string }): Promise<void> {
  // a UE registered here (an update) makes this AMF its old AMF too: it keeps the context for the
  // target AMF's UEContextTransfer (step 8), RegistrationStatusUpdate and the UDM's step 14d
  const oldAmfToo = ue.uecmRegistered === true;
  if (oldAmfToo) ue.state = '5GMM-REGISTERED';
  else await undoRegistration(amf, ue);
  const plmnId = { mcc: amf.cfg.plmn.mcc, mnc: amf.cfg.plmn.mnc };
  const container: CommC['schemas']['RegistrationContextContainer'] = {
    ueContext: ueContextSbi(amf, ue, false),
    anType: '3GPP_ACCESS',
    anN2ApId: ue.ranUeNgapId,
    ranNodeId: { plmnId, gNbId: { bitLength: 22, gNBValue: hex(ue.gnb.gnbId ?? 0, 6) } },
    initialAmfName: amfFqdn(amf.cfg.name, amf.cfg.plmn),
    userLocation: ue.location ?? {},
    // TS 38.413 UE Context Request of the Initial UE Message: a CM-CONNECTED UE's NG-RAN context is set up already
    ueContextRequest: !ue.initialContextSetUp,
    initialAmfN2ApId: ue.amfUeNgapId,
    ...(sel.allowed.length ? { allowedNssai: { allowedSnssaiList: sel.allowed.map((s) => ({ allowedSnssai: s })), accessType: '3GPP_ACCESS' } } : {}),
    ...(sel.configured.length ? { configuredNssai: sel.configured.map((s) => ({ configuredSnssai: s })) } : {}),
    ...(sel.rejectedInPlmn.length ? { rejectedNssaiInPlmn: sel.rejectedInPlmn } : {}),
    ...(sel.rejectedInTa.length ? { rejectedNssaiInTa: sel.rejectedInTa } : {}),
    authenticatedInd: true,
  };
  await amf.notify.n1MessageNotify(target.n1NotifyUri, new SbiMultipart<CommC['schemas']['N1MessageNotification']>({
    n1MessageContainer: { n1MessageClass: '5GMM', n1MessageContent: { contentId: 'n1msg' } },
    registrationCtxtContainer: container,
    ...(ue.supi ? { supi: ue.supi } : {}),
  }, { n1msg: { contentType: N1_CONTENT_TYPE, data: encodeNasMessage(full) } }), { step: `${STEP} 7(A)` });
  amf.log(`UE ${ue.supi}: Registration Request forwarded to AMF ${target.instanceId} of AMF Set ${sel.target.name} (TS 23.502 4.2.2.2.3 step 7(A))`);
  if (!oldAmfToo) return handOver(amf, ue);
  // the NG connection is the target AMF's now (Old AMF IE); the context waits for it (old-amf-removal.ts)
  handedOver.add(ue);
  amf.dropUe(ue);
}

/**
 * Step 7(B)a: NGAP Reroute NAS Request (TS 38.413 8.6.5.2, 9.2.5.5): the RAN and AMF UE NGAP IDs,
 * the Initial UE Message as this AMF received it, the target AMF Set ID and the Allowed NSSAI. The
 * SourceToTarget-AMFInformationReroute IE (Configured NSSAI, rejected NSSAIs, TS 38.413 9.3.1.x in
 * fixed-size octet strings) is not sent: wire5g does not encode it.
 */
async function rerouteViaRan(amf: Amf, ue: AmfUe, sel: SliceSelection): Promise<void> {
  await undoRegistration(amf, ue);
  sendNgap(amf, ue.gnb, ue.stream, ngapPdu('RerouteNASRequest', {
    'RAN-UE-NGAP-ID': ue.ranUeNgapId,
    'AMF-UE-NGAP-ID': ue.amfUeNgapId,
    'NGAP-Message': ue.initialUeMessage!,
    AMFSetID: bits(sel.target.setId, 10),
    ...(sel.allowed.length ? { AllowedNSSAI: sel.allowed.map((s) => ({ 's-NSSAI': ngapSnssai(s) })) } : {}),
  }), `${STEP} 7(B)a`, ue);
  amf.log(`UE ${ue.supi}: Reroute NAS Request to the NG-RAN for AMF Set ${sel.target.name} (TS 23.502 4.2.2.2.3 step 7(B))`);
  handOver(amf, ue);
}

/** The UE is the target AMF's now: this AMF forgets it without releasing the NG-RAN's context. */
function handOver(amf: Amf, ue: AmfUe): void {
  handedOver.add(ue);
  amf.forget(ue);
}
