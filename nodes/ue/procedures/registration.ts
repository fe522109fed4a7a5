// Initial registration, UE side: TS 24.501 5.5.1.2 (TS 23.502 4.2.2.2.2), and the mobility and
// periodic registration update (5.5.1.3). Step 1 the Registration request with the cleartext IEs
// (4.4.6) under T3510; step 7 the Identity response (5.4.3);
// steps 8-9 are authentication.ts and security-mode.ts; step 21 the Registration accept, step 22
// the Registration complete; or the Registration reject. The Configuration update command
// (5.4.4) that may follow updates the 5G-GUTI.

import {
  nasMessage, encodeNasMessage, cipherNasMessageContainer, GPRS_TIMER3_UNIT_SECONDS,
  type NasMessage, type MobileIdentity, type SNssai, type TaiPartialList, type GprsTimer, type PsiBitmap,
} from '../../../codecs/nas/index.ts';
import type { UuCell } from '../../gnb/uu.ts';
import { GmmState, gmmAllows } from '../gmm-state.ts';
import { T3510_MS, UE_SECURITY_CAPABILITY, RegistrationRejected, type Ue, type RegistrationResult } from '../ue.ts';
import { sendNas, sendPlain, sendProtected } from '../n1.ts';
import { registrationStep } from './onboarding-steps.ts';

/**
 * Initial registration on `cell`, or an emergency registration (`emergency`, TS 24.501 5.5.1.2.2:
 * registration type 4, follow-on request, no Requested NSSAI: the UE asks for emergency services
 * only); resolves on Registration accept (after sending Registration complete).
 */
export function initialRegistration(ue: Ue, cell: UuCell, emergency = false): Promise<RegistrationResult> {
  if (ue.regWaiter) return Promise.reject(new Error('a registration is already in progress'));
  if (!gmmAllows(ue.gmm, 'registration-requested')) return Promise.reject(new Error(`registration not possible in ${ue.gmm}`));
  ue.cell = cell;
  // 4.4.6: the initial NAS message without a valid context carries only the cleartext IEs; the
  // complete message goes in the Security mode complete's NAS message container (5.4.2.3).
  // TS 24.501 9.11.3.7: 5GS registration type 1 initial registration, 5 SNPN onboarding
  // (TS 23.502 4.2.2.2.4 step 1, with the SUCI of the Default UE Credentials' SUPI)
  const onboarding = ue.cfg.snpn?.onboarding === true && !emergency;
  const cleartext = {
    registrationType: { followOnRequest: true, value: emergency ? 4 : onboarding ? 5 : 1 },
    ngKsi: { tsc: 0, ksi: 7 },
    mobileIdentity: ue.suci,
    ueSecurityCapability: UE_SECURITY_CAPABILITY,
  };
  // 4.2.2.2.4 step 1 NOTE: no Requested NSSAI for onboarding (the UE has no onboarding S-NSSAI)
  ue.fullRegistrationRequest = encodeNasMessage(nasMessage('Registration request', onboarding || emergency ? cleartext : { ...cleartext, requestedNssai: requestedNssai(ue) }));
  const initial = encodeNasMessage(nasMessage('Registration request', cleartext));
  ue.security = undefined;
  ue.auth = undefined;
  ue.lastChallenge = undefined;
  const p = new Promise<RegistrationResult>((resolve, reject) => {
    ue.regWaiter = { resolve, reject };
  });
  ue.transition('registration-requested');
  try {
    sendPlain(ue, initial, 'Registration request', onboarding ? '4.2.2.2.4 step 1' : emergency ? '4.2.2.2.2 step 1 (emergency registration)' : '4.2.2.2.2 step 1');
  } catch (e) {
    // the cell refused the RRC connection (e.g. no AMF supporting onboarding, TS 23.501 6.3.5)
    failRegistration(ue, new RegistrationRejected(e instanceof Error ? e.message : String(e)));
    return p;
  }
  // 5.5.1.2.7 c): T3510 timeout: abort the registration; the UE releases the connection locally.
  startT3510(ue, 'TS 24.501 5.5.1.2.7 c');
  return p;
}

/**
 * TS 24.501 5.5.1.3.2: a mobility or periodic registration update of a registered UE, with its
 * 5G-GUTI, the ngKSI of its current 5G NAS security context and the PDU session status. Without a
 * context, the cleartext IEs go plain (the rest follows in the Security mode complete). Connected,
 * the request goes integrity protected and ciphered; idle, it is the initial NAS message of a new
 * connection (4.4.6): the cleartext IEs, integrity protected, and the whole message in the NAS
 * message container, its value part ciphered with the NAS COUNT of the message.
 */
export function registrationUpdate(ue: Ue, type: 'mobility' | 'periodic'): Promise<RegistrationResult> {
  if (ue.regWaiter) return Promise.reject(new Error('a registration is already in progress'));
  if (ue.gmm !== GmmState.REGISTERED || !gmmAllows(ue.gmm, 'registration-requested')) return Promise.reject(new Error(`a registration update needs 5GMM-REGISTERED, the UE is ${ue.gmm}`));
  const sec = ue.security;
  if (!ue.guti || !ue.cell) return Promise.reject(new Error('a registration update needs a 5G-GUTI and a cell'));
  const cell = ue.cell;
  const cleartext = {
    registrationType: { followOnRequest: false, value: type === 'mobility' ? 2 : 3 },
    ngKsi: { tsc: 0, ksi: sec?.ngKsi ?? 7 },
    mobileIdentity: ue.guti,
    ueSecurityCapability: UE_SECURITY_CAPABILITY,
  };
  // non-cleartext IEs: the Requested NSSAI of a mobility update, the PDU sessions the UE holds. A UE
  // registered for onboarding (TS 23.502 4.2.2.2.4 step 1) has no S-NSSAI of its own to request: its
  // AN parameters carry the onboarding indication again (n1.ts), its Allowed NSSAI is the network's
  const onboarding = ue.cfg.snpn?.onboarding === true;
  const full = nasMessage('Registration request', { ...cleartext, ...(type === 'mobility' && !onboarding ? { requestedNssai: requestedNssai(ue) } : {}), pduSessionStatus: { psis: [...ue.sessions.keys()].sort((a, b) => a - b) } });
  ue.fullRegistrationRequest = encodeNasMessage(full);
  const p = new Promise<RegistrationResult>((resolve, reject) => {
    ue.regWaiter = { resolve, reject };
  });
  updating.add(ue.regWaiter!);
  ue.transition('registration-requested');
  const step = `${onboarding ? '4.2.2.2.4' : '4.2.2.2.2'} step 1 (${type} registration update)`;
  if (!sec) sendPlain(ue, encodeNasMessage(nasMessage('Registration request', cleartext)), 'Registration request', step); // 4.4.6: no context, cleartext IEs only
  else if (ue.conn) sendNas(ue, full, 'Registration request', step);
  else {
    ue.cell = cell;
    const container = cipherNasMessageContainer(sec, sec.uplinkCount, 0, ue.fullRegistrationRequest);
    sendProtected(ue, encodeNasMessage(nasMessage('Registration request', { ...cleartext, nasMessageContainer: container })), 1, 'Registration request', step);
  }
  // 5.5.1.3.7 c): T3510 timeout: the procedure is aborted and the connection released locally
  startT3510(ue, 'TS 24.501 5.5.1.3.7 c');
  return p;
}

/**
 * T3510 runs from the moment the Registration request is sent (TS 24.501 5.5.1.2.2, 5.5.1.3.2): at
 * once on a connection that is up; on a new one, once the cell has admitted it and the request
 * left in RRCSetupComplete (a cell at its limits queues the UE, nodes/gnb/admission.ts).
 * On expiry the registration is aborted and the connection released locally (`clause` c).
 */
function startT3510(ue: Ue, clause: string): void {
  const waiter = ue.regWaiter;
  const start = () => {
    if (waiter === undefined || ue.regWaiter !== waiter) return; // over while the UE waited for its connection
    ue.t3510 = ue.clock.setTimeout(() => {
      ue.t3510 = undefined;
      ue.stats.t3510Expiries++;
      failRegistration(ue, new RegistrationRejected(`T3510 expired: no answer to the Registration request (${clause})`));
      ue.releaseConnectionLocally();
    }, T3510_MS);
  };
  const admitted = ue.conn?.admitted;
  if (admitted) void admitted.then(start);
  else start();
}

export function failRegistration(ue: Ue, e: Error): void {
  ue.clock.clearTimeout(ue.t3510);
  ue.t3510 = undefined;
  if (gmmAllows(ue.gmm, 'registration-failed') && ue.gmm === GmmState.REGISTERED_INITIATED) ue.transition('registration-failed');
  const w = ue.regWaiter;
  ue.regWaiter = undefined;
  w?.reject(e);
}

export function onIdentityRequest(ue: Ue, m: NasMessage): void {
  // 5.4.3.3: answer with the identity asked for (SUCI, IMEI or IMEISV).
  const type = Number(m.ies.identityType) & 7;
  const identity: MobileIdentity =
    type === 1 ? ue.suci : type === 3 ? { type: 'imei', digits: ue.cfg.imeisv.slice(0, 14) + '0' } : type === 5 ? { type: 'imeisv', digits: ue.cfg.imeisv } : { type: 'no-identity' };
  sendNas(ue, nasMessage('Identity response', { mobileIdentity: identity }), 'Identity response', registrationStep(ue, '4.2.2.2.2 step 7'));
}

export function onRegistrationAccept(ue: Ue, m: NasMessage): void {
  if (!ue.regWaiter) {
    // T3550 retransmission (5.5.1.2.8): the accept came again, so the complete was lost: resend it.
    if (ue.gmm === GmmState.REGISTERED && m.ies.fiveGGuti) {
      const guti = m.ies.fiveGGuti as MobileIdentity;
      if (guti.type === '5g-guti') ue.guti = guti;
      sendNas(ue, nasMessage('Registration complete', {}), 'Registration complete', registrationStep(ue, '4.2.2.2.2 step 22'));
    } else ue.unexpected.push(m.name);
    return;
  }
  ue.clock.clearTimeout(ue.t3510);
  ue.t3510 = undefined;
  const guti = m.ies.fiveGGuti as MobileIdentity | undefined;
  if (guti && guti.type === '5g-guti') ue.guti = guti;
  // 5.5.1.3.4: the PDU sessions the network does not hold are released locally
  const status = m.ies.pduSessionStatus as PsiBitmap | undefined;
  if (status) for (const psi of [...ue.sessions.keys()]) if (!status.psis.includes(psi)) ue.sessions.delete(psi);
  const t3512 = m.ies.t3512Value as GprsTimer | undefined;
  const unit = t3512 ? GPRS_TIMER3_UNIT_SECONDS[t3512.unit] : undefined;
  ue.registration = {
    guti: ue.guti,
    taiList: (m.ies.taiList as TaiPartialList[] | undefined) ?? [],
    allowedNssai: (m.ies.allowedNssai as SNssai[] | undefined) ?? [],
    t3512Seconds: t3512 && unit !== undefined ? t3512.value * unit : undefined,
    integrity: ue.security?.integrityAlgorithm ?? 0,
    ciphering: ue.security?.cipheringAlgorithm ?? 0,
    // TS 24.501 9.11.3.5 5GS network feature support, EMC (octet 3 bits 3-4): emergency services in NR
    emergencyServicesSupported: (((m.ies.fiveGsNetworkFeatureSupport as Uint8Array | undefined)?.[0] ?? 0) & 0x0c) !== 0,
    // TS 24.501 9.11.3.6 5GS registration result, bit 6: registered for emergency services
    emergencyRegistered: (Number(m.ies.registrationResult ?? 0) & 0x20) !== 0,
  };
  // 5.5.1.2.4: 5GS update status 5U1 UPDATED, 5GMM-REGISTERED.NORMAL-SERVICE
  ue.restrictions.updateStatus = '5U1';
  ue.restrictions.substate = 'NORMAL-SERVICE';
  ue.transition('registration-accepted');
  // 5.5.1.2.4: Registration complete acknowledges the new 5G-GUTI.
  if (guti) sendNas(ue, nasMessage('Registration complete', {}), 'Registration complete', registrationStep(ue, '4.2.2.2.2 step 22'));
  const w = ue.regWaiter;
  ue.regWaiter = undefined;
  w.resolve(ue.registration);
}

/** The registrations under way that are updates (5.5.1.3), by their waiter. */
const updating = new WeakSet<object>();

export function onRegistrationReject(ue: Ue, m: NasMessage): void {
  const cause = Number(m.ies.fiveGmmCause);
  const update = ue.regWaiter !== undefined && updating.has(ue.regWaiter);
  failRegistration(ue, new RegistrationRejected(`Registration reject, 5GMM cause #${cause} (TS 24.501 ${update ? '5.5.1.3.5' : '5.5.1.2.5'})`, cause));
  // 5.5.1.3.5 #10 implicitly de-registered: 5GMM-DEREGISTERED.NORMAL-SERVICE, the PDU sessions
  // released locally, then a registration procedure for initial registration (once the network
  // has released the NAS signalling connection: network-deregistration.ts afterConnectionRelease)
  if (update && cause === IMPLICITLY_DEREGISTERED && ue.gmm === GmmState.DEREGISTERED) {
    ue.log(`[UE ${ue.supi}] registration update rejected, #10 implicitly de-registered: initial registration (TS 24.501 5.5.1.3.5)`);
    ue.releaseSessionsLocally();
    ue.registration = undefined;
    ue.networkDeregistration.reRegistrationPending = true;
    ue.networkDeregistration.sessionsToRestore = [];
  }
}

/** TS 24.501 9.11.3.2 #10. */
const IMPLICITLY_DEREGISTERED = 10;

/** TS 24.501 4.6.2.3: the Requested NSSAI, the configured S-NSSAIs of `requestedNssai` (default the UE's one S-NSSAI). */
function requestedNssai(ue: Ue): SNssai[] {
  return (ue.cfg.requestedNssai ?? [ue.cfg.snssai]).map((s) => ue.nasSnssai(s));
}

export function onConfigurationUpdateCommand(ue: Ue, m: NasMessage): void {
  const guti = m.ies.fiveGGuti as MobileIdentity | undefined;
  if (guti && guti.type === '5g-guti') ue.guti = guti;
  // 5.4.4.3: a new Allowed NSSAI replaces the stored one
  const allowed = m.ies.allowedNssai as SNssai[] | undefined;
  if (allowed && ue.registration) ue.registration = { ...ue.registration, allowedNssai: allowed };
  // 5.4.4.2: acknowledgement requested (bit 1 of the Configuration update indication) or a new 5G-GUTI.
  const ack = (Number(m.ies.configurationUpdateIndication ?? 0) & 1) === 1;
  if (ack || guti) sendNas(ue, nasMessage('Configuration update complete', {}), 'Configuration update complete', 'TS 24.501 5.4.4.3');
}
