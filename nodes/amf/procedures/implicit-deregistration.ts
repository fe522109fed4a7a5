// Implicit deregistration (TS 24.501 5.3.7; TS 23.502 4.2.2.3.3 "implicit (e.g. expiring of
// Implicit Deregistration timer)"): when a registered UE's NG connection over 3GPP access is
// released (CM-IDLE), the AMF starts the mobile reachable timer (by default 4 minutes longer than
// T3512). If the UE makes no contact before it expires, the implicit de-registration timer starts;
// when that one expires the AMF deregisters the UE without any NAS message (steps 4, 5, 5a and
// the UDM clean-up of 4.2.2.3.3; deregistration-network.ts). A UE that comes back (a registration
// update takes its context over) stops both.

import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import { networkInitiatedDeregistration } from './deregistration-network.ts';

/** TS 24.501 5.3.7: the mobile reachable timer is by default 4 minutes greater than T3512. */
export const MOBILE_REACHABLE_MARGIN_MS = 4 * 60_000;
/** TS 24.501 5.3.7 leaves the implicit de-registration timer to the network; wire5g's default. */
export const IMPLICIT_DEREGISTRATION_MS = 4 * 60_000;

/** Entering CM-IDLE: the mobile reachable timer starts (only for a UE registered over 3GPP access). */
export function startMobileReachableTimer(amf: Amf, ue: AmfUe): void {
  if (ue.state !== '5GMM-REGISTERED' || !ue.supi || amf.bySupi.get(ue.supi) !== ue) return;
  stopReachabilityTimers(amf, ue);
  // TS 24.501 5.3.7: for a UE registered for emergency services the mobile reachable timer is T3512,
  // and at its expiry the AMF deregisters the UE locally (no implicit de-registration timer)
  const emergency = ue.emergencyRegistered === true;
  const mobileReachableMs = amf.timers.mobileReachableMs ?? amf.cfg.t3512Seconds * 1000 + (emergency ? 0 : MOBILE_REACHABLE_MARGIN_MS);
  ue.mobileReachableTimer = amf.clock.setTimeout(() => {
    ue.mobileReachableTimer = undefined;
    if (emergency) {
      if (!ue.released || amf.bySupi.get(ue.supi ?? '') !== ue) return;
      amf.log(`UE ${ue.supi ?? ''} (registered for emergency services): mobile reachable timer expired: deregistered locally (TS 24.501 5.3.7)`);
      void networkInitiatedDeregistration(amf, ue, { trigger: 'implicit', accessType: 1, reRegistrationRequired: false });
      return;
    }
    amf.log(`UE ${ue.supi ?? ''}: mobile reachable timer expired; implicit de-registration timer started (TS 24.501 5.3.7)`);
    ue.implicitDeregistrationTimer = amf.clock.setTimeout(() => {
      ue.implicitDeregistrationTimer = undefined;
      if (!ue.released || amf.bySupi.get(ue.supi ?? '') !== ue) return;
      amf.log(`UE ${ue.supi ?? ''}: implicit de-registration timer expired: implicitly deregistered (TS 24.501 5.3.7)`);
      void networkInitiatedDeregistration(amf, ue, { trigger: 'implicit', accessType: 1, reRegistrationRequired: false });
    }, amf.timers.implicitDeregistrationMs ?? IMPLICIT_DEREGISTRATION_MS);
  }, mobileReachableMs);
}

/** The UE made contact (or its context goes): both timers stop. */
export function stopReachabilityTimers(amf: Amf, ue: AmfUe): void {
  amf.clock.clearTimeout(ue.mobileReachableTimer);
  amf.clock.clearTimeout(ue.implicitDeregistrationTimer);
  ue.mobileReachableTimer = undefined;
  ue.implicitDeregistrationTimer = undefined;
}
