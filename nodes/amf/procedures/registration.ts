// Registration, TS 23.502 4.2.2.2.2 (initial registration, AMF side), step by step: identity
// (steps 4-7), authentication (8-9a, authentication.ts), NAS security mode (9b,
// security-mode.ts), UDM registration and subscription (14a-c), Allowed NSSAI, AM policy (16),
// Registration Accept in the Initial Context Setup (21), UE policy (21b), Registration Complete (22).

import { bits, ngapPdu, snssai } from '../../../codecs/ngap/index.ts';
import { decodeNasMessage, nasMessage, suciString, gprsTimer3, type NasMessage, type MobileIdentity, type SNssai, type UeSecurityCapability } from '../../../codecs/nas/index.ts';
import { kgnb } from '../../../crypto/kdf.ts';
import { UDM, CALLBACKS } from '../../common/sbi/operations.ts';
import { callbackUri, operationUri } from '../../common/sbi/client.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import { FiveGmmCause, ProcedureAborted } from '../gmm.ts';
import { sendNas, nasBytes, exchange } from '../n1.ts';
import { sendNgap, awaitNgap } from '../n2.ts';
import { authenticate, abandonAuthentication } from './authentication.ts';
import { securityModeControl } from './security-mode.ts';
import { releaseSessions, terminatePolicyAssociations, deregisterFromUdm } from './held-resources.ts';
import { releaseUeContext } from './ue-context-release.ts';

export function snssaiEquals(a: SNssai, b: { sst: number; sd?: string | number }): boolean {
  const bsd = typeof b.sd === 'string' ? parseInt(b.sd, 16) : b.sd;
  return a.sst === b.sst && (a.sd ?? -1) === (bsd ?? -1);
}

/**
 * NGAP security algorithm bitmaps (TS 38.413 9.3.1.86, first bit = algorithm 1) from the NAS UE
 * security capability octets (TS 24.501 9.11.3.54, bit 8 = algorithm 0): the same shift for the
 * NR (5G-EA/IA) and the E-UTRA (EEA/EIA) octets.
 */
function ngapAlgorithms(octet: number): { value: Uint8Array; length: number } {
  return bits(((octet & 0x7f) << 9) & 0xffff, 16);
}

/** The procedure, and the undoing of what it established when it fails. */
export async function registration(amf: Amf, ue: AmfUe, request: NasMessage): Promise<void> {
  const t0 = performance.now();
  try {
    await registrationSteps(amf, ue, request);
    amf.stats.registrations++;
  } catch (e) {
    amf.log(`registration of UE ${ue.amfUeNgapId} (${ue.supi ?? ue.suci ?? '?'}) ended: ${e instanceof Error ? e.message : String(e)} after ${(performance.now() - t0).toFixed(1)} ms`);
    // whatever the registration had established elsewhere is undone, even when the UE's
    // connection is already gone (e.g. the UE gave up at T3510 expiry)
    if (amf.bySupi.get(ue.supi ?? '') === ue || !ue.supi) await undoRegistration(amf, ue).catch((u: unknown) => amf.log(`undoing the registration of UE ${ue.amfUeNgapId} failed: ${u instanceof Error ? u.message : String(u)}`));
    if (!ue.released) await releaseUeContext(amf, ue, { nas: 'unspecified' }, '4.2.2.2.2');
    amf.forget(ue);
  }
}


/** TS 24.501 5.5.1.2.5: Registration reject with a 5GMM cause; the procedure ends. */
export function registrationReject(amf: Amf, ue: AmfUe, cause: number, extra: Record<string, unknown> = {}): never {
  amf.stats.registrationRejects++;
  sendNas(amf, ue, nasMessage('Registration reject', { fiveGmmCause: cause, ...extra }), '4.2.2.2.2 step 21 (reject)');
  throw new ProcedureAborted(`Registration reject, 5GMM cause #${cause}`);
}

export async function registrationSteps(amf: Amf, ue: AmfUe, request: NasMessage): Promise<void> {
  ue.state = '5GMM-COMMON-PROCEDURE-INITIATED';
  ue.ueSecurityCapability = request.ies.ueSecurityCapability as UeSecurityCapability | undefined;
  ue.requestedNssai = request.ies.requestedNssai as SNssai[] | undefined;
  // steps 4-7: the identity. A SUCI is resolved by the AUSF/UDM; a 5G-GUTI this AMF did not
  // assign (or no longer knows) cannot be: Identity Request for the SUCI (TS 24.501 5.4.3).
  let identity = request.ies.mobileIdentity as MobileIdentity;
  if (identity.type === '5g-guti' || identity.type === '5g-s-tmsi') {
    const known = amf.byTmsi.get(identity.tmsi);
    if (!known || known === ue || !known.supi) {
      const r = await exchange(amf, ue, ['Identity response'], amf.timers.t3560Ms, () => sendNas(amf, ue, nasMessage('Identity request', { identityType: 1 }), '4.2.2.2.2 step 6'));
      identity = r.message.ies.mobileIdentity as MobileIdentity;
    } else {
      identity = { type: 'no-identity' };
      ue.supi = known.supi;
    }
  }
  const suci = identity.type === 'suci' ? suciString(identity) : undefined;
  if (!suci && !ue.supi) registrationReject(amf, ue, FiveGmmCause.UeIdentityCannotBeDerived);
  ue.suci = suci;
  if (!ue.ueSecurityCapability) registrationReject(amf, ue, FiveGmmCause.InvalidMandatoryInformation);

  // steps 8-9: 5G AKA (TS 33.501 6.1.3.2) through the AUSF
  const supi = await authenticate(amf, ue, suci ?? ue.supi!);
  ue.supi = supi;
  const older = amf.bySupi.get(supi);
  if (older && older !== ue) {
    // TS 23.502 4.2.2.2.2: a new registration replaces the UE's old context in this AMF
    await undoRegistration(amf, older);
    await releaseUeContext(amf, older, { nas: 'unspecified' }, '4.2.2.2.2 step 1');
  }
  amf.bySupi.set(supi, ue);

  // step 9b: NAS Security Mode Command (TS 24.501 5.4.2, TS 33.501 6.7.2)
  const complete = await securityModeControl(amf, ue);
  const container = complete.message.ies.nasMessageContainer as Uint8Array | undefined;
  const full = container ? decodeNasMessage(container) : request;
  if (full.name === 'Registration request' && full.ies.requestedNssai) ue.requestedNssai = full.ies.requestedNssai as SNssai[];
  const imeisv = complete.message.ies.imeisv as MobileIdentity | undefined;
  if (imeisv && (imeisv.type === 'imeisv' || imeisv.type === 'imei')) ue.pei = `${imeisv.type}-${imeisv.digits}`;

  // step 14a-c: UDM registration, subscription data, subscription to its changes
  const servingPlmn = { mcc: amf.cfg.plmn.mcc, mnc: amf.cfg.plmn.mnc };
  await amf.nudm.uecm.registerAmf3gppAccess(supi, {
    amfInstanceId: amf.cfg.instanceId,
    deregCallbackUri: callbackUri(amf.cfg.baseUri, CALLBACKS.deregistrationNotify, { supi }),
    guami: amf.guamiSbi(),
    ratType: 'NR',
    initialRegistrationInd: true,
    ...(ue.pei ? { pei: ue.pei } : {}),
  }, { step: '4.2.2.2.2 step 14a' });
  ue.uecmRegistered = true;
  const am = (await amf.nudm.sdm.getAmData(supi, { query: { 'plmn-id': JSON.stringify(servingPlmn) }, step: '4.2.2.2.2 step 14b' })).body;
  const sub = await amf.nudm.sdm.subscribe(supi, {
    nfInstanceId: amf.cfg.instanceId,
    callbackReference: callbackUri(amf.cfg.baseUri, CALLBACKS.sdmModificationNotify, { supi }),
    monitoredResourceUris: [operationUri(amf.cfg.uris.udm, UDM.sdm.getAmData, { supi })],
  }, { step: '4.2.2.2.2 step 14c' });
  ue.sdmSubscriptionUri = sub.headers.location;

  // Allowed NSSAI (TS 23.501 5.15.5.2.1): requested ∩ subscribed ∩ served, else the defaults
  const subscribed = [...(am.nssai?.defaultSingleNssais ?? []), ...(am.nssai?.singleNssais ?? [])];
  const served = (s: SNssai) => amf.cfg.snssais.some((n) => snssaiEquals(s, n));
  const isSubscribed = (s: SNssai) => subscribed.some((n) => snssaiEquals(s, n));
  const requested = ue.requestedNssai ?? [];
  let allowed = requested.filter((s) => served(s) && isSubscribed(s));
  if (requested.length === 0) allowed = subscribed.map((n) => ({ sst: n.sst, ...(n.sd ? { sd: parseInt(n.sd, 16) } : {}) })).filter(served);
  if (allowed.length === 0) {
    // TS 24.501 5.5.1.2.5 #62, with the rejected S-NSSAIs (cause 0: not available in the current PLMN)
    const rejected = requested.map((s) => ({ cause: isSubscribed(s) ? 0 : 1, sst: s.sst, ...(s.sd !== undefined ? { sd: s.sd } : {}) }));
    registrationReject(amf, ue, FiveGmmCause.NoNetworkSlicesAvailable, rejected.length ? { rejectedNssai: rejected } : {});
  }
  ue.allowedNssai = allowed;

  // step 16: AM Policy Association Establishment (TS 23.502 4.16.1.2)
  const pol = await amf.npcf.amPolicyControl.create({
    notificationUri: callbackUri(amf.cfg.baseUri, CALLBACKS.amPolicyUpdateNotify, { supi }),
    supi,
    ...(ue.pei ? { pei: ue.pei } : {}),
    accessType: '3GPP_ACCESS',
    ratType: 'NR',
    servingPlmn,
    guami: amf.guamiSbi(),
    suppFeat: '0',
  }, { step: '4.2.2.2.2 step 16' });
  ue.amPolicyUri = pol.headers.location;

  // step 21: Registration Accept, carried in the Initial Context Setup Request with KgNB
  ue.tmsi = amf.tmsis.allocate();
  amf.byTmsi.set(ue.tmsi, ue);
  const accept = nasMessage('Registration accept', {
    registrationResult: 1, // 3GPP access
    fiveGGuti: { type: '5g-guti', plmn: amf.cfg.plmn, amfRegionId: amf.cfg.guami.regionId, amfSetId: amf.cfg.guami.setId, amfPointer: amf.cfg.guami.pointer, tmsi: ue.tmsi },
    taiList: [{ type: 0, plmn: amf.cfg.plmn, tacs: [{ tac: amf.cfg.tac }] }],
    allowedNssai: allowed,
    t3512Value: gprsTimer3(amf.cfg.t3512Seconds),
  });
  const sec = ue.sec!;
  const keyGnb = kgnb(ue.kamf!, (sec.uplinkCount - 1) >>> 0);
  const caps = ue.ueSecurityCapability!;
  let acceptBytes: Uint8Array | undefined;
  const ics = () => {
    acceptBytes ??= nasBytes(amf, ue, accept, '4.2.2.2.2 step 21');
    return ngapPdu('InitialContextSetupRequest', {
      'AMF-UE-NGAP-ID': ue.amfUeNgapId,
      'RAN-UE-NGAP-ID': ue.ranUeNgapId,
      GUAMI: amf.guamiNgap(),
      AllowedNSSAI: allowed.map((s) => ({ 's-NSSAI': snssai(s) })),
      UESecurityCapabilities: { nRencryptionAlgorithms: ngapAlgorithms(caps.ea), nRintegrityProtectionAlgorithms: ngapAlgorithms(caps.ia), eUTRAencryptionAlgorithms: ngapAlgorithms(caps.eea ?? 0), eUTRAintegrityProtectionAlgorithms: ngapAlgorithms(caps.eia ?? 0) },
      SecurityKey: { value: keyGnb, length: 256 },
      'NAS-PDU': acceptBytes,
    });
  };
  const icsAnswer = awaitNgap(amf, ue, 'InitialContextSetupResponse');
  const complete22 = exchange(amf, ue, ['Registration complete'], amf.timers.t3550Ms, (() => {
    let first = true;
    return () => {
      if (first) {
        first = false;
        sendNgap(amf, ue.gnb, ue.stream, ics(), '4.2.2.2.2 step 21', ue);
      } else sendNas(amf, ue, accept, '4.2.2.2.2 step 21 (T3550 retransmission)');
    };
  })());
  await icsAnswer;
  // step 21b: UE Policy Association Establishment (TS 23.502 4.16.11)
  const upol = await amf.npcf.uePolicyControl.create({
    notificationUri: callbackUri(amf.cfg.baseUri, CALLBACKS.uePolicyUpdateNotify, { supi }),
    supi,
    servingPlmn,
    suppFeat: '0',
  }, { step: '4.2.2.2.2 step 21b' });
  ue.uePolicyUri = upol.headers.location;
  // step 22: Registration Complete
  await complete22;
  ue.state = '5GMM-REGISTERED';
}

/** Undoes what a registration established at the UDM and the PCF (used on failure and replacement). */
export async function undoRegistration(amf: Amf, ue: AmfUe): Promise<void> {
  await abandonAuthentication(amf, ue).catch((e: unknown) => amf.log(`Nausf_UEAuthentication_Deregister for UE ${ue.amfUeNgapId} failed: ${e instanceof Error ? e.message : String(e)}`));
  await releaseSessions(amf, ue, '4.2.2.2.2');
  await terminatePolicyAssociations(amf, ue, '4.2.2.2.2');
  await deregisterFromUdm(amf, ue, '4.2.2.2.2');
}
