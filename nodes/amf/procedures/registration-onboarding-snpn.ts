// Registration with Onboarding SNPN, TS 23.502 4.2.2.2.4 (AMF side): 4.2.2.2.2 with these changes.
//   steps 1-3  the Registration request with 5GS registration type "SNPN onboarding" (TS 24.501
//              9.11.3.7) and the SUCI of the Default UE Credentials' SUPI, through an NG-RAN that
//              selected this AMF for the onboarding indication (nodes/gnb/snpn.ts)
//   steps 4-5  context transfer from an old AMF: for the registration update of a UE registered for
//              onboarding (step 1's second paragraph), registration-onboarding-update.ts; the
//              onboarding registration itself names the UE by the SUCI of its Default UE Credentials
//   steps 6-7  skipped
//   step 8     the AMF applies its AMF Onboarding Configuration Data (the S-NSSAI and DNN onboarding
//              is restricted to), stores that the UE is registered for onboarding, selects the AUSF
//   step 9     primary authentication with the Default UE Credentials:
//              9-1, a DCS hosting an AAA server (snpn.aaa): the local AUSF, which relays EAP-AKA'
//              (RFC 9048) to the AAA server through the NSSAAF (nodes/ausf/eap-aaa.ts); the AMF
//              passes the EAP in the NAS authentication messages (authentication-eap.ts);
//              9-2, a DCS hosting AUSF/UDM: the SUCI goes to the DCS's AUSF (by its realm), which
//              returns the PVS addresses with the result (5G AKA, TS 33.501 6.1.3.2);
//              9-3, no DCS: the local AUSF (5G AKA). Then NAS security mode control
//   step 10    RegistrationStatusUpdate to an old AMF: with steps 4-5 (registration-onboarding-update.ts)
//   step 11    Identity Request for the PEI when the UE did not give it (in the Security mode complete;
//              the Security Mode Command asks for the IMEISV unless snpn.onboarding.imeisvRequest is false)
//   step 12    with an EIR (config eir): N5g-eir_EquipmentIdentityCheck_Get (TS 29.511); a prohibited
//              (BLACKLISTED) PEI ends the registration with Registration reject, 5GMM cause #6
//              (Illegal ME, TS 24.501 Annex A: "the ME used is not acceptable to the network")
//   steps 13-20 skipped: no UDM registration, no subscription data, no AM policy
//   step 21    Registration Accept; the N2 message carries the Allowed NSSAI = the onboarding S-NSSAI
//   step 22    Registration Complete
// then the onboarding deregistration timer (step 8: "the AMF may start an implementation specific
// deregistration timer"), whose expiry is a network-initiated deregistration (4.2.2.3.3). An
// onboarding registered UE may use the onboarding S-NSSAI and DNN only (onboardingAllows).

import { decodeNasMessage, nasMessage, suciString, supiOfNaiSuciString, gprsTimer3, type MobileIdentity, type SNssai, type UeSecurityCapability } from '../../../codecs/nas/index.ts';
import { ausfClient } from '../../common/sbi/client.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, ReceivedNas } from '../context.ts';
import { FiveGmmCause } from '../gmm.ts';
import { sendNas, exchange } from '../n1.ts';
import { authenticate, type AuthenticationSteps } from './authentication.ts';
import { securityModeControl } from './security-mode.ts';
import { registrationReject, undoRegistration, deliverAccept } from './registration.ts';
import { requestNgKsi } from './registration-update.ts';
import { releaseUeContext } from './ue-context-release.ts';
import { networkInitiatedDeregistration } from './deregistration-network.ts';
import { pvsAddressesOf } from '../../common/pvs-info.ts';
import { assignGuti, fiveGGutiOf } from './registration-guti.ts';

const ONBOARDING_AUTHENTICATION: AuthenticationSteps = { request: '4.2.2.2.4 step 9-3', challenge: '4.2.2.2.4 step 9-3' };
const DCS_AUTHENTICATION: AuthenticationSteps = { request: '4.2.2.2.4 step 9-2', challenge: '4.2.2.2.4 step 9-2' };
const AAA_AUTHENTICATION: AuthenticationSteps = { request: '4.2.2.2.4 step 9-1', challenge: '4.2.2.2.4 step 9-1' };

/** Whether this AMF serves onboarding for the SNPN the UE accessed (AMF Onboarding Configuration Data present). */
export function servesOnboarding(amf: Amf, ue: AmfUe): boolean {
  return amf.cfg.snpn !== undefined && ue.snpnNid === amf.cfg.snpn.nid;
}

/**
 * TS 23.501 5.30.2.10.2.3 / TS 24.501 5.4.5.2.5: an onboarding registered UE may establish PDU
 * sessions only for the onboarding S-NSSAI and DNN; every other UE is not restricted here.
 */
export function onboardingAllows(amf: Amf, ue: AmfUe, dnn: string, snssai: SNssai): boolean {
  const o = amf.cfg.snpn?.onboarding;
  if (!ue.onboarding || !o) return true;
  return dnn === o.dnn && snssai.sst === o.snssai.sst && (snssai.sd ?? -1) === (o.snssai.sd !== undefined ? parseInt(o.snssai.sd, 16) : -1);
}

/** The DNN of an onboarding registered UE's PDU session when it names none: the onboarding DNN. */
export function defaultDnn(amf: Amf, ue: AmfUe): string {
  return ue.onboarding && amf.cfg.snpn ? amf.cfg.snpn.onboarding.dnn : amf.cfg.dnn;
}

/** The procedure's steps; registration.ts runs it (and undoes what it established on failure). */
export async function registrationWithOnboardingSnpn(amf: Amf, ue: AmfUe, received: ReceivedNas): Promise<void> {
  const snpn = amf.cfg.snpn!;
  const request = received.message;
  ue.state = '5GMM-COMMON-PROCEDURE-INITIATED';
  ue.ueSecurityCapability = (request.ies.ueSecurityCapability as UeSecurityCapability | undefined) ?? ue.ueSecurityCapability;
  if (!ue.ueSecurityCapability) registrationReject(amf, ue, FiveGmmCause.InvalidMandatoryInformation);
  // step 1: "a SUCI generated from a SUPI derived from Default UE Credentials shall be included"
  const identity = request.ies.mobileIdentity as MobileIdentity;
  const suci = identity.type === 'suci' ? suciString(identity) : undefined;
  if (!suci) {
    amf.log(`UE ${ue.amfUeNgapId}: SNPN onboarding registration without a SUCI (TS 23.502 4.2.2.2.4 step 1)`);
    registrationReject(amf, ue, FiveGmmCause.UeIdentityCannotBeDerived);
  }
  ue.suci = suci;

  // step 8: the AMF Onboarding Configuration Data apply; the UE is registered for onboarding. The
  // AUSF (TS 23.501 5.30.2.10.2.6): by the realm of the SUCI, a DCS's AUSF (9-2), else the local
  // one (9-3, and 9-1: the local AUSF reaches the DCS's AAA server through the NSSAAF)
  ue.onboarding = { pvsAddresses: [] };
  const realm = supiOfNaiSuciString(suci)?.split('@')[1];
  const dcs = snpn.dcs && realm === snpn.dcs.realm ? snpn.dcs : undefined;

  // step 9: primary authentication with the Default UE Credentials; 9-2: the DCS's AUSF
  // authenticates with its UDM's data and gives the PVS addresses (TS 29.509 ConfirmationDataResponse pvsInfo)
  const steps = dcs ? DCS_AUTHENTICATION : snpn.aaaRealm !== undefined && realm === snpn.aaaRealm ? AAA_AUTHENTICATION : ONBOARDING_AUTHENTICATION;
  const { supi, ngKsi, pvsInfo } = await authenticate(amf, ue, suci, requestNgKsi(request), steps, dcs ? ausfClient(amf.sbi, dcs.ausfUri) : amf.nausf);
  ue.onboarding.pvsAddresses = pvsAddressesOf(pvsInfo); // TS 29.571 ServerAddressingInfo: IPv4, IPv6 addresses, FQDNs
  ue.supi = supi;
  const older = amf.bySupi.get(supi);
  if (older && older !== ue) {
    // as an initial registration (4.2.2.2.2): this registration replaces the UE's old context
    await undoRegistration(amf, older);
    await releaseUeContext(amf, older, { nas: 'unspecified' }, '4.2.2.2.4 step 3');
    stopOnboardingDeregistrationTimer(amf, older);
  }
  amf.bySupi.set(supi, ue);
  const complete = await securityModeControl(amf, ue, ngKsi, `${steps.challenge} (NAS security mode control)`, { imeisvRequest: snpn.onboarding.imeisvRequest !== false });
  const container = complete.message.ies.nasMessageContainer as Uint8Array | undefined;
  const full = container ? decodeNasMessage(container) : request;
  if (full.name === 'Registration request' && full.ies.requestedNssai) amf.log(`UE ${supi}: Requested NSSAI in an SNPN onboarding registration ignored (TS 23.502 4.2.2.2.4 step 1 NOTE)`);
  const imeisv = complete.message.ies.imeisv as MobileIdentity | undefined;
  if (imeisv && (imeisv.type === 'imeisv' || imeisv.type === 'imei')) ue.pei = `${imeisv.type}-${imeisv.digits}`;

  await peiAndEquipmentCheck(amf, ue);

  // step 21: Registration Accept; Allowed NSSAI = the S-NSSAI of the onboarding configuration
  const allowed = onboardingAllowedNssai(snpn);
  ue.allowedNssai = allowed;
  assignGuti(amf, ue, 'snpn-onboarding');
  const accept = nasMessage('Registration accept', {
    registrationResult: 1, // 3GPP access
    fiveGGuti: fiveGGutiOf(amf, ue.tmsi!),
    taiList: [{ type: 0, plmn: amf.cfg.plmn, tacs: amf.cfg.tacs.map((tac) => ({ tac })) }],
    allowedNssai: allowed,
    t3512Value: gprsTimer3(amf.cfg.t3512Seconds),
  });
  const step22 = deliverAccept(amf, ue, accept, allowed, true, '4.2.2.2.4 step 21');
  await step22.contextSetUp;
  // step 22: Registration Complete
  await step22.complete;
  ue.state = '5GMM-REGISTERED';
  amf.stats.registrations++;
  startOnboardingDeregistrationTimer(amf, ue, snpn.onboarding.deregistrationTimerMs);
}

/** Step 21: the Allowed NSSAI of an onboarding registered UE, the S-NSSAI of the AMF Onboarding Configuration Data (step 8). */
export function onboardingAllowedNssai(snpn: NonNullable<Amf['cfg']['snpn']>): SNssai[] {
  const o = snpn.onboarding.snssai;
  return [{ sst: o.sst, ...(o.sd !== undefined ? { sd: parseInt(o.sd, 16) } : {}) }];
}

/** Steps 11-12: the PEI by Identity Request when the UE did not give it, then (optionally) its check at the EIR. */
export async function peiAndEquipmentCheck(amf: Amf, ue: AmfUe): Promise<void> {
  // step 11: Identity Request for the PEI (TS 24.501 5.4.3, identity type IMEI) if the UE gave none
  if (!ue.pei) {
    const r = await exchange(amf, ue, ['Identity response'], amf.timers.t3560Ms, () => sendNas(amf, ue, nasMessage('Identity request', { identityType: 3 }), '4.2.2.2.4 step 11'));
    const pei = r.message.ies.mobileIdentity as MobileIdentity;
    if (pei.type === 'imei' || pei.type === 'imeisv') ue.pei = `${pei.type}-${pei.digits}`;
  }
  // step 12 (optional): the PEI check at the EIR
  if (amf.neir && ue.pei) await checkEquipmentIdentity(amf, ue, amf.neir);
}

/**
 * Step 12: N5g-eir_EquipmentIdentityCheck_Get (TS 29.511 5.2.2.2) with the PEI and the SUPI. A
 * prohibited PEI (BLACKLISTED) is rejected with #6 Illegal ME; a tracked one (GREYLISTED) goes on
 * and is logged.
 */
async function checkEquipmentIdentity(amf: Amf, ue: AmfUe, eir: NonNullable<Amf['neir']>): Promise<void> {
  const r = await eir.equipmentIdentityCheck.get({ query: { pei: ue.pei!, ...(ue.supi ? { supi: ue.supi } : {}) }, step: '4.2.2.2.4 step 12' });
  if (r.body.status === 'BLACKLISTED') {
    amf.log(`UE ${ue.supi ?? ''}: PEI ${ue.pei!} is prohibited at the EIR (TS 23.502 4.2.2.2.4 step 12): Registration reject #6`);
    registrationReject(amf, ue, FiveGmmCause.IllegalMe);
  }
  if (r.body.status === 'GREYLISTED') amf.log(`UE ${ue.supi ?? ''}: PEI ${ue.pei!} is tracked at the EIR (GREYLISTED); registration goes on`);
}

/**
 * Step 8 (TS 23.501 5.30.2.10.2.3), and step 5 at a new AMF: the onboarding deregistration timer,
 * on the AMF's clock. Its expiry deregisters the UE (4.2.2.3.3, re-registration not required): the
 * UE is to register with the SO-SNPN credentials it obtained meanwhile. The timer belongs to the
 * registration, not to one NG connection: it fires on whichever context holds the SUPI then (a
 * registration update on a new NG connection takes the context over, registration-update.ts).
 */
export function startOnboardingDeregistrationTimer(amf: Amf, ue: AmfUe, ms: number): void {
  if (!ue.onboarding || !ue.supi) return;
  const supi = ue.supi;
  stopOnboardingDeregistrationTimer(amf, ue);
  ue.onboarding.deregistrationTimer = amf.clock.setTimeout(() => {
    const current = amf.bySupi.get(supi);
    if (!current?.onboarding) return;
    current.onboarding.deregistrationTimer = undefined;
    amf.log(`UE ${supi}: onboarding deregistration timer expired (TS 23.502 4.2.2.2.4 step 8): network-initiated deregistration`);
    void networkInitiatedDeregistration(amf, current, { trigger: 'onboarding-timer', accessType: 1, reRegistrationRequired: false });
  }, ms);
}

/** The UE's context goes (deregistration, replacement): its onboarding timer stops. */
export function stopOnboardingDeregistrationTimer(amf: Amf, ue: AmfUe): void {
  amf.clock.clearTimeout(ue.onboarding?.deregistrationTimer);
  if (ue.onboarding) ue.onboarding.deregistrationTimer = undefined;
}
