// Network-initiated de-registration, UE side (TS 24.501 5.5.2.3; TS 23.502 4.2.2.3.3 steps 2 and 6).
//
//   5.5.2.3.2 the UE answers DEREGISTRATION REQUEST (UE terminated) with DEREGISTRATION ACCEPT
//     (UE terminated) (step 6), releases its PDU sessions locally and enters 5GMM-DEREGISTERED.
//     "re-registration required": T3346 stops; once the NAS signalling connection is released, the
//     UE performs an initial registration and (wire5g's choice of what the user wants)
//     re-establishes the PDU sessions it had. "re-registration not required": the 5GMM cause
//     decides (deregistration-causes.ts: #3, #6, #7, #11, #12, #13, #15, #22, #27, #72, #73);
//     other causes, or none: the UE stays deregistered (it may register again when asked).
//     A rejected NSSAI in the request is stored in any case (TS 24.501 4.6.2.2; #62).
//   5.5.2.2.6 c) collision: a DEREGISTRATION REQUEST received while the UE's own de-registration
//     runs (5GMM-DEREGISTERED-INITIATED) is ignored; the UE-initiated procedure goes on.

import { nasMessage, gprsTimer2Seconds, type NasMessage, type GprsTimer } from '../../../codecs/nas/index.ts';
import { GmmState, gmmAllows } from '../gmm-state.ts';
import { sendNas } from '../n1.ts';
import type { Ue } from '../ue.ts';
import type { Snssai } from '../../common/config.ts';
import { actOnDeregistrationCause, stopT3346, type CauseAction } from './deregistration-causes.ts';

export { DeregistrationCause } from './deregistration-causes.ts';

export interface NetworkDeregistrationRecord {
  reRegistrationRequired: boolean;
  accessType: number;
  fiveGmmCause?: number;
  rejectedNssai?: { cause: number; sst: number; sd?: number }[];
  /** What the UE did about it. */
  action: 'ignored (own de-registration in progress)' | 're-register' | CauseAction;
  /** #22: the T3346 value received, in seconds (undefined when absent or deactivated). */
  t3346Seconds?: number;
}

/** What the UE keeps of the network's de-registrations and the re-registration that follows. */
export interface UeNetworkDeregistrationState {
  last?: NetworkDeregistrationRecord;
  /** Set by "re-registration required" until the connection release starts it. */
  reRegistrationPending: boolean;
  /** The sessions to re-establish after the re-registration (PSI, DNN, S-NSSAI). */
  sessionsToRestore: { psi: number; dnn: string; snssai: Snssai }[];
  /** Set while the re-registration (and re-establishment) runs; resolves when it ended. */
  reRegistration?: Promise<void>;
}

/** DEREGISTRATION REQUEST (UE terminated) received (after the 4.4.4 checks). */
export function onDeregistrationRequestUeTerminated(ue: Ue, m: NasMessage): void {
  const t = m.ies.deregistrationType as { reRegistrationRequired: boolean; accessType: number };
  const cause = m.ies.fiveGmmCause as number | undefined;
  const rejected = m.ies.rejectedNssai as NetworkDeregistrationRecord['rejectedNssai'];
  const t3346 = m.ies.t3346Value as GprsTimer | undefined;
  const t3346Seconds = t3346 ? gprsTimer2Seconds(t3346) : undefined;
  const base = { reRegistrationRequired: t.reRegistrationRequired, accessType: t.accessType, ...(cause !== undefined ? { fiveGmmCause: cause } : {}), ...(rejected ? { rejectedNssai: rejected } : {}), ...(t3346Seconds !== undefined ? { t3346Seconds } : {}) };
  if (ue.gmm === GmmState.DEREGISTERED_INITIATED) {
    // 5.5.2.2.6 c): the UE's own de-registration goes on
    ue.networkDeregistration.last = { ...base, action: 'ignored (own de-registration in progress)' };
    return;
  }
  // step 6: DEREGISTRATION ACCEPT (UE terminated)
  sendNas(ue, nasMessage('Deregistration accept (UE terminated)', {}), 'Deregistration accept (UE terminated)', '4.2.2.3.3 step 6');
  if (rejected?.length) ue.rejectedNssai = rejected;
  const sessions = [...ue.sessions.values()].map((s) => ({ psi: s.pduSessionId, dnn: s.dnn, snssai: s.snssai }));
  if (gmmAllows(ue.gmm, 'deregistered-by-network')) ue.transition('deregistered-by-network');
  ue.releaseSessionsLocally();
  let action: NetworkDeregistrationRecord['action'];
  if (t.reRegistrationRequired) {
    action = 're-register';
    stopT3346(ue);
    ue.networkDeregistration.reRegistrationPending = true;
    ue.networkDeregistration.sessionsToRestore = sessions;
  } else action = actOnDeregistrationCause(ue, cause, t3346Seconds);
  ue.registration = undefined;
  ue.networkDeregistration.last = { ...base, action };
  ue.log(`[UE ${ue.cfg.supi}] de-registered by the network${cause !== undefined ? `, 5GMM cause #${cause}` : ''}: ${action}`);
  // a UE-originating de-registration awaited by a caller ends here too
  if (ue.deregWaiter) ue.releaseLocally('deregistered-by-network');
}

/**
 * The NAS signalling connection is released (RRC release): a re-registration the network asked
 * for starts now (5.5.2.3.2), then the sessions the UE had are established again.
 */
export function afterConnectionRelease(ue: Ue): void {
  const state = ue.networkDeregistration;
  if (!state.reRegistrationPending || ue.gmm !== GmmState.DEREGISTERED || !ue.cell || state.reRegistration) return;
  const cell = ue.cell;
  const restore = state.sessionsToRestore;
  state.sessionsToRestore = [];
  state.reRegistrationPending = false;
  const run = (async () => {
    // after the gNB has finished releasing the RRC connection
    await new Promise<void>((r) => ue.clock.setTimeout(r, 0));
    await ue.register(cell);
    for (const s of restore) await ue.establishPduSession(s.psi, { dnn: s.dnn, snssai: s.snssai });
  })();
  ue.networkDeregistration.reRegistration = run.finally(() => (ue.networkDeregistration.reRegistration = undefined));
  ue.networkDeregistration.reRegistration.catch((e: unknown) => ue.log(`[UE ${ue.cfg.supi}] re-registration after network de-registration failed: ${e instanceof Error ? e.message : String(e)}`));
}
