// The registration update of a UE registered for onboarding (TS 23.502 4.2.2.2.4 step 1: "If the
// UE has registered in the ON-SNPN for onboarding, the UE can perform a Mobility Registration
// Update, or a Periodic Registration Update as specified in clause 4.2.2.2.2"), AMF side, with
// 4.2.2.2.4's changes. registration.ts comes here once the request is verified: with the UE
// context this AMF holds (registration-update.ts), or with the one an old AMF gave in
// Namf_Communication_UEContextTransfer with the indication that the UE is registered for
// onboarding (steps 4-5, context-from-old-amf.ts: TS 29.518 UeContext snpnOnboardInd):
//   step 10    Namf_Communication_RegistrationStatusUpdate TRANSFERRED to the old AMF (no
//              pcfReselectedInd: an onboarding registered UE has no policy association)
//   steps 11-12 the PEI (Identity Request when the context has none) and the EIR check, at a new AMF
//   steps 13-20 skipped (no UDM registration, subscription data nor AM policy), but for 4.2.2.2.2
//              step 17: the onboarding PDU sessions that came from the old AMF are moved to this
//              one at their SMF, or the SMF would signal to an AMF that forgot the UE
//   step 21    Registration Accept; the N2 message carries the Allowed NSSAI of the onboarding configuration
//   step 22    Registration Complete
// then, at a new AMF, step 5: "Once the registration is completed successfully, the new AMF may
// start an implementation specific deregistration timer" (the configured onboarding one, from the
// start: the old AMF's remaining time is not in the UE context). An update in the same AMF keeps
// the timer that runs (it moved with the context).

import { nasMessage, gprsTimer3, type NasMessage, type PsiBitmap } from '../../../codecs/nas/index.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import { FiveGmmCause } from '../gmm.ts';
import { registrationReject, deliverAccept } from './registration.ts';
import { reconcilePduSessions, type RegistrationKind } from './registration-update.ts';
import { takeOverSessions } from './context-from-old-amf.ts';
import { notifyOldAmf } from './registration-status-update.ts';
import { assignGuti, fiveGGutiOf } from './registration-guti.ts';
import { servesOnboarding, peiAndEquipmentCheck, startOnboardingDeregistrationTimer, onboardingAllowedNssai } from './registration-onboarding-snpn.ts';

/** What registration.ts knows of the request and hands on. */
export interface OnboardingUpdate {
  kind: RegistrationKind;
  /** The request opened this NG connection (5GMM-IDLE before). */
  fromIdle: boolean;
  followOn: boolean;
  progress: { updating: boolean; releaseAfter: boolean };
}

export async function onboardingRegistrationUpdate(amf: Amf, ue: AmfUe, full: NasMessage, o: OnboardingUpdate): Promise<void> {
  const snpn = amf.cfg.snpn;
  if (!snpn || !servesOnboarding(amf, ue)) {
    // the NG-RAN selects an AMF supporting onboarding for the SNPN (step 2, TS 23.501 6.3.5): this one has no AMF Onboarding Configuration Data for it
    amf.log(`UE ${ue.supi ?? ue.amfUeNgapId}: registered for onboarding, but this AMF has no onboarding configuration for SNPN ${ue.snpnNid ?? '(none)'} (TS 23.502 4.2.2.2.4 step 8)`);
    registrationReject(amf, ue, FiveGmmCause.ProtocolErrorUnspecified);
  }
  const changed = ue.oldAmf !== undefined;
  // step 10: the old AMF is told the UE context was taken
  await notifyOldAmf(amf, ue, 'TRANSFERRED', '4.2.2.2.4 step 10');
  o.progress.updating = true;
  // steps 11-12 at a new AMF (the old one checked the PEI at the onboarding registration)
  if (changed || !ue.pei) await peiAndEquipmentCheck(amf, ue);
  // 4.2.2.2.2 step 17 for the sessions that came with the context
  await takeOverSessions(amf, ue);
  // TS 24.501 5.5.1.3.4: the PDU session status; the sessions the UE no longer has go
  const status = full.ies.pduSessionStatus as PsiBitmap | undefined;
  const active = status ? await reconcilePduSessions(amf, ue, status) : undefined;

  // step 21: a new 5G-GUTI for a mobility update (and whenever this AMF assigned none), the old one kept for a periodic one
  const allowed = onboardingAllowedNssai(snpn);
  ue.allowedNssai = allowed;
  const newGuti = assignGuti(amf, ue, o.kind);
  const accept = nasMessage('Registration accept', {
    registrationResult: 1, // 3GPP access
    ...(newGuti ? { fiveGGuti: fiveGGutiOf(amf, ue.tmsi!) } : {}),
    taiList: [{ type: 0, plmn: amf.cfg.plmn, tacs: amf.cfg.tacs.map((tac) => ({ tac })) }],
    allowedNssai: allowed,
    ...(active ? { pduSessionStatus: { psis: active } } : {}),
    t3512Value: gprsTimer3(amf.cfg.t3512Seconds),
  });
  const step22 = deliverAccept(amf, ue, accept, allowed, newGuti, '4.2.2.2.4 step 21');
  await step22.contextSetUp;
  // step 22: Registration Complete
  await step22.complete;
  ue.state = '5GMM-REGISTERED';
  o.progress.releaseAfter = o.fromIdle && !o.followOn;
  // step 5: the new AMF's onboarding deregistration timer
  if (changed) startOnboardingDeregistrationTimer(amf, ue, snpn.onboarding.deregistrationTimerMs);
}
