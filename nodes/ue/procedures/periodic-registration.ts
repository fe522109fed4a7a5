// T3512 and the periodic registration update, UE side (TS 24.501 5.3.7, 5.5.1.3.2): T3512 (its value
// from the last Registration accept, GPRS timer 3, 9.11.2.5) starts when a registered UE leaves
// 5GMM-CONNECTED for 5GMM-IDLE and stops when it enters 5GMM-CONNECTED again or leaves
// 5GMM-REGISTERED; on expiry the UE starts a registration procedure for periodic registration
// updating (5.3.7 a). The timer runs on the UE's clock (a VirtualClock in tests). Out of coverage
// (5GMM-REGISTERED.NO-CELL-AVAILABLE) the update is delayed until the UE is back (5.3.7,
// `t3512ExpiredOutOfCoverage`); a UE registered for emergency services makes none: it deregisters
// locally at the expiry (5.3.7, 5.2.2.1).

import { GmmState } from '../gmm-state.ts';
import type { Ue } from '../ue.ts';
import { registrationUpdate } from './registration.ts';

/** TS 24.501 5.3.7: T3512 started on the change to 5GMM-IDLE (not when deactivated: value 0 or absent). */
export function startT3512(ue: Ue): void {
  stopT3512(ue);
  const seconds = ue.registration?.t3512Seconds;
  if (ue.gmm !== GmmState.REGISTERED || !seconds) return;
  ue.t3512 = ue.clock.setTimeout(() => {
    ue.t3512 = undefined;
    if (ue.gmm !== GmmState.REGISTERED || ue.conn) return;
    ue.stats.t3512Expiries++;
    if (ue.registration?.emergencyRegistered) {
      ue.log(`[UE ${ue.supi}] T3512 expired while registered for emergency services: deregistered locally (TS 24.501 5.3.7)`);
      ue.transition('deregistered-locally');
      ue.releaseSessionsLocally();
      ue.registration = undefined;
      return;
    }
    if (ue.outOfCoverage) {
      ue.t3512ExpiredOutOfCoverage = true;
      return;
    }
    // 5.3.7 a): periodic registration update; its outcome is the update's (T3510, reject causes)
    registrationUpdate(ue, 'periodic').catch((e: unknown) => ue.log(`[UE ${ue.supi}] periodic registration update on T3512 expiry failed: ${e instanceof Error ? e.message : String(e)}`));
  }, seconds * 1000);
}

/** TS 24.501 5.3.7: T3512 stops when the UE enters 5GMM-CONNECTED or 5GMM-DEREGISTERED. */
export function stopT3512(ue: Ue): void {
  if (ue.t3512 === undefined) return;
  ue.clock.clearTimeout(ue.t3512);
  ue.t3512 = undefined;
}
