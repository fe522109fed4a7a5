// Registration, TS 23.502 4.2.2.2.2 (AMF side), step by step: identity (steps 4-7),
// authentication (8-9a, authentication.ts), NAS security mode (9b, security-mode.ts), UDM
// registration and subscription (14a-c), Allowed NSSAI, AM policy (16), Registration Accept in the
// Initial Context Setup or DL NAS transport (21), UE policy (21b), Registration Complete (22).
// The 5GS registration type decides (TS 24.501 5.5.1.2, 5.5.1.3): an initial registration starts
// afresh; a mobility or periodic registration update keeps the UE's context, its registration at
// the UDM, its policy associations and PDU sessions (registration-update.ts), and is
// authenticated again only when its integrity cannot be verified or `amf.authenticateUpdates` says so.
import { unkeptAmPolicy, unkeptSdmSubscription, unkeptUecmRegistration, unkeptUePolicy } from '../late-answers.ts';
import { networkFeatureSupport } from './emergency.ts';
import { EMERGENCY_REGISTERED, ignoredForEmergency, ngapAllowedForEmergency } from './emergency-registration.ts';
import { bits, ngapPdu, snssai } from '../../../codecs/ngap/index.ts';
import { decodeNasMessage, nasMessage, suciString, gprsTimer3, type NasMessage, type MobileIdentity, type SNssai, type UeSecurityCapability, type PsiBitmap } from '../../../codecs/nas/index.ts';
import { kgnb } from '../../../crypto/kdf.ts';
import { bitRateBps } from '../../smf/policy-decision.ts';
import { UDM, CALLBACKS } from '../../common/sbi/operations.ts';
import { callbackUri, operationUri } from '../../common/sbi/client.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, ReceivedNas } from '../context.ts';
import { FiveGmmCause, ProcedureAborted, UeRejected } from '../gmm.ts';
import { sendNas, nasBytes, exchange } from '../n1.ts';
import { sendNgap, awaitNgap, stopAwaitingNgap } from '../n2.ts';
import { authenticate, abandonAuthentication } from './authentication.ts';
import { securityModeControl } from './security-mode.ts';
import { releaseSessions, terminatePolicyAssociations, deregisterFromUdm, keepUePolicyAssociation } from './held-resources.ts';
import { releaseUeContext } from './ue-context-release.ts';
import { registrationWithOnboardingSnpn, servesOnboarding } from './registration-onboarding-snpn.ts';
import { onboardingRegistrationUpdate } from './registration-onboarding-update.ts';
import { registrationKind, requestNgKsi, contextByGuti, assignedHere, verifyWithStoredContext, takeOverContext, reconcilePduSessions } from './registration-update.ts';
import { reallocated, rerouteBeforeSecurity, rerouteAfterSecurity } from './amf-reallocation.ts';
import { takeOldAmf } from './n1-message-notify.ts';
import { contextFromOldAmf, takeOverSessions, abandonTransfer, sessionsFromOldAmf } from './context-from-old-amf.ts';
import { notifyOldAmf } from './registration-status-update.ts';
import { assignGuti, fiveGGutiOf } from './registration-guti.ts';

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
export async function registration(amf: Amf, ue: AmfUe, received: ReceivedNas): Promise<void> {
  const t0 = performance.now();
  const progress: RegistrationProgress = { updating: false, releaseAfter: false };
  try {
    await registrationSteps(amf, ue, received, progress);
    if (reallocated(ue)) return; // TS 23.502 4.2.2.2.3: the target AMF registers the UE
    amf.stats.registrations++;
    // TS 24.501 5.5.1.3.4 (TS 23.502 4.2.6): an update from 5GMM-IDLE without "follow-on request
    // pending" needs the NAS signalling connection no longer: the AMF releases it
    if (progress.releaseAfter && !ue.released) {
      amf.stats.releasesAfterUpdate++;
      await releaseUeContext(amf, ue, { nas: 'normal-release' }, 'TS 24.501 5.5.1.3.4');
    }
  } catch (e) {
    amf.log(`registration of UE ${ue.amfUeNgapId} (${ue.supi ?? ue.suci ?? '?'}) ended: ${e instanceof Error ? e.message : String(e)} after ${(performance.now() - t0).toFixed(1)} ms`);
    if (progress.updating && !(e instanceof UeRejected) && ue.sec && amf.bySupi.get(ue.supi ?? '') === ue) {
      // TS 24.501 5.5.1.3.7/5.5.1.3.8: an update that did not complete (lower layer failure, timer
      // expiry) leaves the UE registered with what it held; only the NG connection goes
      ue.state = '5GMM-REGISTERED';
      if (!ue.released) await releaseUeContext(amf, ue, { nas: 'normal-release' }, '4.2.2.2.2');
      return;
    }
    // a context fetched from the old AMF and not yet taken stays the old AMF's (step 10 NOT_TRANSFERRED)
    await abandonTransfer(amf, ue);
    // whatever the registration had established elsewhere is undone, even when the UE's
    // connection is already gone (e.g. the UE gave up at T3510 expiry)
    if (amf.bySupi.get(ue.supi ?? '') === ue || !ue.supi) await undoRegistration(amf, ue).catch((u: unknown) => amf.log(`undoing the registration of UE ${ue.amfUeNgapId} failed: ${u instanceof Error ? u.message : String(u)}`));
    if (!ue.released) await releaseUeContext(amf, ue, { nas: 'unspecified' }, '4.2.2.2.2');
    amf.forget(ue);
  }
}

/** Whether the procedure updates a registration the UE already had (its failure then keeps it). */
interface RegistrationProgress {
  updating: boolean;
  /** An update on a new NG connection (from 5GMM-IDLE) without follow-on request: released after it. */
  releaseAfter: boolean;
}

/** TS 24.501 5.5.1.2.5 / 5.5.1.3.5: Registration reject with a 5GMM cause; the procedure ends. */
export function registrationReject(amf: Amf, ue: AmfUe, cause: number, extra: Record<string, unknown> = {}): never {
  amf.stats.registrationRejects++;
  sendNas(amf, ue, nasMessage('Registration reject', { fiveGmmCause: cause, ...extra }), '4.2.2.2.2 step 21 (reject)');
  throw new UeRejected(`Registration reject, 5GMM cause #${cause}`);
}

export async function registrationSteps(amf: Amf, ue: AmfUe, received: ReceivedNas, progress: RegistrationProgress = { updating: false, releaseAfter: false }): Promise<void> {
  let request = received.message;
  const kind = registrationKind(request);
  // the Registration request opened this NG connection: the UE was in 5GMM-IDLE (or not registered)
  const fromIdle = !ue.initialContextSetUp;
  const followOn = (request.ies.registrationType as { followOnRequest?: boolean } | undefined)?.followOnRequest === true;
  // TS 23.502 4.2.2.2.4: SNPN onboarding, where this AMF has the AMF Onboarding Configuration Data
  if (kind === 'snpn-onboarding' && servesOnboarding(amf, ue)) return registrationWithOnboardingSnpn(amf, ue, received);
  if ((kind === 'emergency' && !amf.cfg.emergencyDnn) || kind === 'snpn-onboarding' || kind === 'disaster-roaming') {
    // wire5g's AMF serves initial, mobility, periodic and (with emergency services) emergency
    // registration; TS 24.501 5.5.1.2.5 has no cause for a registration type an AMF does not
    // implement: #111, and the log says which
    amf.log(`UE ${ue.amfUeNgapId}: ${kind} registration is not ${kind === 'emergency' ? 'served: this AMF has no emergency services (config emergency.enabled false)' : 'implemented'} (TS 24.501 9.11.3.7)`);
    registrationReject(amf, ue, FiveGmmCause.ProtocolErrorUnspecified);
  }
  // an emergency registration (TS 23.502 4.2.2.2.2, emergency-registration.ts) is an initial one
  // with the differences the clause lists
  const emergency = kind === 'emergency';
  const initial = kind === 'initial' || emergency;
  // TS 24.501 5.5.1.2.8 e): an initial registration from a registered UE starts afresh
  if (initial && ue.state === '5GMM-REGISTERED') await undoRegistration(amf, ue);
  ue.state = '5GMM-COMMON-PROCEDURE-INITIATED';
  ue.ueSecurityCapability = (request.ies.ueSecurityCapability as UeSecurityCapability | undefined) ?? ue.ueSecurityCapability;

  // steps 4-7: the identity, and for an update the context it updates (registration-update.ts):
  // on this NG connection, or the one stored for the 5G-GUTI, whose 5G NAS security context
  // verifies the request (TS 24.501 5.5.1.3.2)
  let identity = request.ies.mobileIdentity as MobileIdentity;
  let verified = received.integrityVerified && ue.supi !== undefined;
  if (verified && !initial) progress.updating = true;
  const known = contextByGuti(amf, identity);
  // TS 24.501 5.5.1.3.5 #10: an update with a 5G-GUTI this AMF assigned but holds no context for
  // (the UE was implicitly deregistered, Annex A): the UE registers again (initial registration)
  if (!verified && !initial && !known && !received.securityFromInitialAmf && assignedHere(amf, identity)) registrationReject(amf, ue, FiveGmmCause.ImplicitlyDeregistered);
  if (!verified && !initial && known && known !== ue) {
    const full = verifyWithStoredContext(amf, known, received);
    if (full) {
      request = full;
      verified = true;
      progress.updating = known.state === '5GMM-REGISTERED';
      await takeOverContext(amf, ue, known);
    }
  }
  // steps 4-5: a 5G-GUTI of another AMF: the UE context from the old AMF (context-from-old-amf.ts)
  if (!verified && !initial && !known) {
    const transferred = await contextFromOldAmf(amf, ue, received);
    if (transferred) {
      request = transferred;
      verified = true;
    }
  }
  // TS 23.502 4.2.2.2.3 step 8: the UE context (its PDU sessions) from the old AMF of the 5G-GUTI
  if (received.securityFromInitialAmf && !initial) await sessionsFromOldAmf(amf, ue, request);
  // TS 23.502 4.2.2.2.4 step 1: the update of a UE registered for onboarding, in this AMF or an old one (steps 4-5)
  if (verified && !initial && ue.onboarding) return onboardingRegistrationUpdate(amf, ue, request, { kind, fromIdle, followOn, progress });
  if (!verified) {
    // a 5G-GUTI this AMF did not assign (or no longer knows) cannot be resolved: Identity Request
    // for the SUCI (TS 24.501 5.4.3); a known one is proven by the authentication that follows
    if (identity.type === '5g-guti' || identity.type === '5g-s-tmsi') {
      if (!known || known === ue) {
        const r = await exchange(amf, ue, ['Identity response'], amf.timers.t3560Ms, () => sendNas(amf, ue, nasMessage('Identity request', { identityType: 1 }), '4.2.2.2.2 step 6'));
        identity = r.message.ies.mobileIdentity as MobileIdentity;
      } else {
        identity = { type: 'no-identity' };
        ue.supi = known.supi;
      }
    }
  }
  const suci = identity.type === 'suci' ? suciString(identity) : undefined;
  if (suci) ue.suci = suci;
  if (!suci && !ue.supi) registrationReject(amf, ue, FiveGmmCause.UeIdentityCannotBeDerived);
  if (!ue.ueSecurityCapability) registrationReject(amf, ue, FiveGmmCause.InvalidMandatoryInformation);

  // steps 8-9: 5G AKA (TS 33.501 6.1.3.2) through the AUSF, then NAS security mode control; an
  // update whose integrity the stored context verified keeps that context unless configured
  // otherwise (TS 24.501 5.4.1.1: the network may authenticate at any time)
  let full = request;
  // TS 23.502 4.2.2.2.3 step 8: the initial AMF's 5G security context is used as it is
  if (!received.securityFromInitialAmf && (!verified || initial || amf.cfg.authenticateUpdates)) {
    const { supi, ngKsi } = await authenticate(amf, ue, suci ?? ue.supi!, requestNgKsi(received.message));
    ue.supi = supi;
    const older = amf.bySupi.get(supi);
    if (older && older !== ue) {
      if (initial) {
        // TS 23.502 4.2.2.2.2: an initial registration replaces the UE's old context in this AMF
        await undoRegistration(amf, older);
        await releaseUeContext(amf, older, { nas: 'unspecified' }, '4.2.2.2.2 step 1');
      } else {
        // TS 24.501 5.5.1.3.4: the authenticated UE's update keeps its registration
        progress.updating = older.state === '5GMM-REGISTERED';
        await takeOverContext(amf, ue, older);
      }
    }
    amf.bySupi.set(supi, ue);
    // TS 23.502 4.2.2.2.3 step 2 with `amf.reallocation: ran`: rerouted via the NG-RAN before NAS security
    if (await rerouteBeforeSecurity(amf, ue, kind, fromIdle)) return;
    // step 9b: NAS Security Mode Command (TS 24.501 5.4.2, TS 33.501 6.7.2)
    const complete = await securityModeControl(amf, ue, ngKsi);
    const container = complete.message.ies.nasMessageContainer as Uint8Array | undefined;
    if (container) full = decodeNasMessage(container);
    const imeisv = complete.message.ies.imeisv as MobileIdentity | undefined;
    if (imeisv && (imeisv.type === 'imeisv' || imeisv.type === 'imei')) ue.pei = `${imeisv.type}-${imeisv.digits}`;
  }
  const supi = ue.supi!;
  if (full.name === 'Registration request' && full.ies.requestedNssai) ue.requestedNssai = full.ies.requestedNssai as SNssai[];
  // TS 23.502 4.2.2.2.3 steps 3-7: a Requested NSSAI another AMF Set serves goes there (an old AMF is told NOT_TRANSFERRED, step 5)
  if (!received.securityFromInitialAmf && (await rerouteAfterSecurity(amf, ue, full, kind, fromIdle))) return;
  // step 10: the old AMF is told that the context was taken (registration-status-update.ts)
  await notifyOldAmf(amf, ue, 'TRANSFERRED', '4.2.2.2.2 step 10');

  // step 14a-c: UDM registration, subscription data, subscription to its changes; skipped for
  // what the kept context already holds (step 14: "if the AMF has changed ... or the UE provides
  // a SUPI which doesn't refer to a valid context in the AMF")
  const servingPlmn = { mcc: amf.cfg.plmn.mcc, mnc: amf.cfg.plmn.mnc };
  const home = amf.homeOf(supi);
  // (emergency: "the AMF shall ignore any unsuccessful registration response from UDM")
  if (!ue.uecmRegistered) await ignoredForEmergency(amf, ue, emergency, '14a', async () => {
    await home.nudm.uecm.registerAmf3gppAccess(supi, {
      amfInstanceId: amf.cfg.instanceId,
      deregCallbackUri: callbackUri(amf.cfg.baseUri, CALLBACKS.deregistrationNotify, { supi }),
      guami: amf.guamiSbi(),
      ratType: 'NR',
      // TS 29.503 Amf3GppAccessRegistration: set for an initial registration only
      initialRegistrationInd: initial,
      ...(ue.pei ? { pei: ue.pei } : {}),
    }, { step: '4.2.2.2.2 step 14a', lateAnswer: unkeptUecmRegistration(amf, supi) });
    ue.uecmRegistered = true;
  });
  if (!ue.subscribedNssai) await ignoredForEmergency(amf, ue, emergency, '14b', async () => {
    const am = (await home.nudm.sdm.getAmData(supi, { query: { 'plmn-id': amf.plmnIdQuery }, step: '4.2.2.2.2 step 14b' })).body;
    ue.subscribedNssai = [...(am.nssai?.defaultSingleNssais ?? []), ...(am.nssai?.singleNssais ?? [])];
    // TS 23.501 5.7.2.6: the UE-AMBR the NG-RAN enforces is the subscribed one (TS 29.503 subscribedUeAmbr)
    if (am.subscribedUeAmbr) ue.subscribedUeAmbr = { uplinkBps: bitRateBps(am.subscribedUeAmbr.uplink, 'subscribedUeAmbr.uplink'), downlinkBps: bitRateBps(am.subscribedUeAmbr.downlink, 'subscribedUeAmbr.downlink') };
  });
  if (!ue.sdmSubscriptionUri && ue.uecmRegistered) await ignoredForEmergency(amf, ue, emergency, '14c', async () => {
    const sub = await home.nudm.sdm.subscribe(supi, {
      nfInstanceId: amf.cfg.instanceId,
      callbackReference: callbackUri(amf.cfg.baseUri, CALLBACKS.sdmModificationNotify, { supi }),
      monitoredResourceUris: [operationUri(home.udmUri, UDM.sdm.getAmData, { supi })],
    }, { step: '4.2.2.2.2 step 14c', lateAnswer: unkeptSdmSubscription(amf, supi) });
    ue.sdmSubscriptionUri = sub.headers.location;
  });

  // Allowed NSSAI (TS 23.501 5.15.5.2.1): requested ∩ subscribed ∩ served, else the defaults
  const subscribed = ue.subscribedNssai ?? [];
  const served = (s: SNssai) => amf.cfg.snssais.some((n) => snssaiEquals(s, n));
  const isSubscribed = (s: SNssai) => subscribed.some((n) => snssaiEquals(s, n));
  const requested = ue.requestedNssai ?? [];
  let allowed = requested.filter((s) => served(s) && isSubscribed(s));
  if (requested.length === 0) allowed = subscribed.map((n) => ({ sst: n.sst, ...(n.sd ? { sd: parseInt(n.sd, 16) } : {}) })).filter(served);
  // an emergency registration: no subscription restrictions, no Allowed NSSAI (emergency-registration.ts)
  if (emergency) allowed = [];
  else if (allowed.length === 0) {
    // TS 24.501 5.5.1.2.5 #62, with the rejected S-NSSAIs (cause 0: not available in the current PLMN)
    const rejected = requested.map((s) => ({ cause: isSubscribed(s) ? 0 : 1, sst: s.sst, ...(s.sd !== undefined ? { sd: s.sd } : {}) }));
    registrationReject(amf, ue, FiveGmmCause.NoNetworkSlicesAvailable, rejected.length ? { rejectedNssai: rejected } : {});
  }
  ue.allowedNssai = allowed;

  ue.emergencyRegistered = emergency;
  // step 16: AM Policy Association Establishment (TS 23.502 4.16.1.2), unless the context has one;
  // "For an Emergency Registration, this step is skipped"
  if (!ue.amPolicyUri && !emergency) {
    const pol = await amf.npcf.amPolicyControl.create({
      notificationUri: callbackUri(amf.cfg.baseUri, CALLBACKS.amPolicyUpdateNotify, { supi }),
      supi,
      ...(ue.pei ? { pei: ue.pei } : {}),
      accessType: '3GPP_ACCESS',
      ratType: 'NR',
      servingPlmn,
      guami: amf.guamiSbi(),
      suppFeat: '0',
    }, { step: '4.2.2.2.2 step 16', lateAnswer: unkeptAmPolicy(amf, supi) });
    ue.amPolicyUri = pol.headers.location;
    // TS 29.507 PolicyAssociation pcfUeInfo, matchPdus: the PDU sessions the PCF for the UE wants to be told of (4.16.14.2)
    const info = pol.body.pcfUeInfo;
    ue.pcfUeEvents = info?.callbackUri ? { callbackUri: info.callbackUri, matchPdus: (pol.body.matchPdus ?? []).map((m) => ({ dnn: m.dnn, snssai: m.snssai })) } : undefined;
  }

  // step 17: the sessions that came from the old AMF are moved to this one at their SMF
  await takeOverSessions(amf, ue);
  // TS 24.501 5.5.1.3.4: the PDU session status of an update; the sessions the UE no longer has go
  const status = !initial ? (full.ies.pduSessionStatus as PsiBitmap | undefined) : undefined;
  const active = status ? await reconcilePduSessions(amf, ue, status) : undefined;

  // step 21: Registration Accept. A new 5G-GUTI for an initial registration and a mobility
  // update, the old one kept for a periodic update (TS 33.501 6.12.3); the Registration Complete
  // acknowledges a new one (TS 24.501 5.5.1.2.4, 5.5.1.3.4)
  const newGuti = assignGuti(amf, ue, kind);
  const accept = nasMessage('Registration accept', {
    // TS 24.501 9.11.3.6: 3GPP access, and bit 6 "registered for emergency services"
    registrationResult: emergency ? 1 | EMERGENCY_REGISTERED : 1,
    ...(newGuti ? { fiveGGuti: fiveGGutiOf(amf, ue.tmsi!) } : {}),
    taiList: [{ type: 0, plmn: amf.cfg.plmn, tacs: amf.cfg.tacs.map((tac) => ({ tac })) }],
    ...(emergency ? {} : { allowedNssai: allowed }),
    ...(active ? { pduSessionStatus: { psis: active } } : {}),
    t3512Value: gprsTimer3(amf.cfg.t3512Seconds),
    // TS 24.501 9.11.3.5: whether emergency services are supported (EMC; emergency.ts)
    fiveGsNetworkFeatureSupport: networkFeatureSupport(amf),
  });
  const complete22 = deliverAccept(amf, ue, accept, emergency ? ngapAllowedForEmergency(amf) : allowed, newGuti);
  await complete22.contextSetUp;
  // step 21b: UE Policy Association Establishment (TS 23.502 4.16.11), unless the context has one
  // (skipped for an emergency registration)
  if (!ue.uePolicyUri && !emergency) {
    const upol = await amf.npcf.uePolicyControl.create({
      notificationUri: callbackUri(amf.cfg.baseUri, CALLBACKS.uePolicyUpdateNotify, { supi }),
      supi,
      servingPlmn,
      suppFeat: '0',
    }, { step: '4.2.2.2.2 step 21b', lateAnswer: unkeptUePolicy(amf, ue, supi) });
    if (upol.headers.location) await keepUePolicyAssociation(amf, ue, supi, upol.headers.location);
  }
  // step 22: Registration Complete
  await complete22.complete;
  ue.state = '5GMM-REGISTERED';
  progress.releaseAfter = fromIdle && !initial && !followOn;
}

/**
 * Step 21: the Registration Accept in the Initial Context Setup Request with KgNB (TS 38.413
 * 8.3.1) on a new NG connection, in DL NAS transport on one already set up; T3550 guards the
 * Registration Complete when a new 5G-GUTI was sent.
 */
export function deliverAccept(amf: Amf, ue: AmfUe, accept: NasMessage, allowed: SNssai[], newGuti: boolean, step = '4.2.2.2.2 step 21'): { contextSetUp: Promise<unknown>; complete: Promise<unknown> } {
  const first = (): void => {
    if (ue.initialContextSetUp) sendNas(amf, ue, accept, step);
    else sendNgap(amf, ue.gnb, ue.stream, initialContextSetupRequest(amf, ue, accept, allowed, step), step, ue);
  };
  const contextSetUp = ue.initialContextSetUp ? Promise.resolve() : initialContextSetup(amf, ue);
  if (!newGuti) {
    first();
    return { contextSetUp, complete: Promise.resolve() };
  }
  let sent = false;
  const complete = exchange(amf, ue, ['Registration complete'], amf.timers.t3550Ms, () => {
    if (!sent) {
      sent = true;
      first();
    } else sendNas(amf, ue, accept, `${step} (T3550 retransmission)`);
  });
  // a failed context setup ends the procedure; the answer it was waiting for is not awaited then
  complete.catch(() => undefined);
  return { contextSetUp, complete };
}

const INITIAL_CONTEXT_SETUP_OUTCOMES = ['InitialContextSetupResponse', 'InitialContextSetupFailure'] as const;

/**
 * TS 38.413 8.3.1.2 / 8.3.1.3: the Initial Context Setup's outcome. A failure ends the procedure
 * at once (the registration is undone and the UE context released) instead of waiting for an
 * answer that will not come while T3550 resends the accept.
 */
export async function initialContextSetup(amf: Amf, ue: AmfUe): Promise<Map<string, unknown>> {
  const response = awaitNgap(amf, ue, 'InitialContextSetupResponse');
  const failure = awaitNgap(amf, ue, 'InitialContextSetupFailure').then((ies) => {
    throw new ProcedureAborted(`Initial Context Setup Failure, cause ${JSON.stringify(ies.get('Cause'))} (TS 38.413 8.3.1.3)`);
  });
  try {
    const ies = await Promise.race([response, failure]);
    ue.initialContextSetUp = true;
    return ies;
  } finally {
    // the other outcome is not awaited any more
    stopAwaitingNgap(ue, INITIAL_CONTEXT_SETUP_OUTCOMES);
    response.catch(() => undefined);
    failure.catch(() => undefined);
  }
}

/** An item of PDUSessionResourceSetupListCxtReq (TS 38.413 9.2.2.1). */
export interface CxtReqSession {
  pDUSessionID: number;
  's-NSSAI': ReturnType<typeof snssai>;
  pDUSessionResourceSetupRequestTransfer: Uint8Array;
}

/**
 * TS 38.413 8.3.1 Initial Context Setup Request with the NAS-PDU and KgNB (TS 33.501 A.9, uplink
 * NAS COUNT of the last message); with PDU sessions to set up (a Service request, TS 23.502
 * 4.2.3.2 step 12) also the UE-AMBR, which 9.2.2.1 requires then.
 */
export function initialContextSetupRequest(amf: Amf, ue: AmfUe, accept: NasMessage, allowed: SNssai[], step = '4.2.2.2.2 step 21', sessions: CxtReqSession[] = []) {
  const sec = ue.sec!;
  const keyGnb = kgnb(ue.kamf!, (sec.uplinkCount - 1) >>> 0);
  const caps = ue.ueSecurityCapability!;
  return ngapPdu('InitialContextSetupRequest', {
    'AMF-UE-NGAP-ID': ue.amfUeNgapId,
    'RAN-UE-NGAP-ID': ue.ranUeNgapId,
    ...takeOldAmf(ue),
    GUAMI: amf.guamiNgap(),
    AllowedNSSAI: allowed.map((s) => ({ 's-NSSAI': snssai(s) })),
    UESecurityCapabilities: { nRencryptionAlgorithms: ngapAlgorithms(caps.ea), nRintegrityProtectionAlgorithms: ngapAlgorithms(caps.ia), eUTRAencryptionAlgorithms: ngapAlgorithms(caps.eea ?? 0), eUTRAintegrityProtectionAlgorithms: ngapAlgorithms(caps.eia ?? 0) },
    SecurityKey: { value: keyGnb, length: 256 },
    'NAS-PDU': nasBytes(amf, ue, accept, step),
    ...(sessions.length ? { PDUSessionResourceSetupListCxtReq: sessions, UEAggregateMaximumBitRate: ueAmbrNgap(ue) } : {}),
    // TS 38.413 9.3.1.61: the RFSP index the PCF's AM policy gave (TS 23.503 6.1.2.1)
    ...(ue.amPolicy?.rfsp !== undefined ? { IndexToRFSP: ue.amPolicy.rfsp } : {}),
  });
}

/** TS 38.413 9.3.1.58 UE Aggregate Maximum Bit Rate: the subscribed UE-AMBR (TS 23.501 5.7.2.6). */
export function ueAmbrNgap(ue: AmfUe): { uEAggregateMaximumBitRateDL: number; uEAggregateMaximumBitRateUL: number } {
  const a = ue.subscribedUeAmbr;
  if (!a) throw new ProcedureAborted(`UE ${ue.supi ?? ue.amfUeNgapId}: no subscribed UE-AMBR (TS 29.503 subscribedUeAmbr) for the NG-RAN`);
  return { uEAggregateMaximumBitRateDL: a.downlinkBps, uEAggregateMaximumBitRateUL: a.uplinkBps };
}

/** Undoes what a registration established at the UDM and the PCF (used on failure and replacement). */
export async function undoRegistration(amf: Amf, ue: AmfUe): Promise<void> {
  await abandonAuthentication(amf, ue).catch((e: unknown) => amf.log(`Nausf_UEAuthentication_Deregister for UE ${ue.amfUeNgapId} failed: ${e instanceof Error ? e.message : String(e)}`));
  await releaseSessions(amf, ue, '4.2.2.2.2');
  await terminatePolicyAssociations(amf, ue, '4.2.2.2.2');
  await deregisterFromUdm(amf, ue, '4.2.2.2.2');
}
