// What the UE does with the 5GMM cause of a DEREGISTRATION REQUEST (UE terminated) whose
// de-registration type says "re-registration not required" (TS 24.501 5.5.2.3.2), and the lists
// and timers those causes leave behind, which later registrations obey:
//   #3 illegal UE, #6 illegal ME, #7 5GS services not allowed: 5U3 ROAMING NOT ALLOWED, the
//      5G-GUTI, last visited registered TAI, TAI list and ngKSI deleted; the USIM is invalid for
//      5GS services until switched off; 5GMM-DEREGISTERED
//   #11 PLMN not allowed, #73 serving network not authorized: the same deletions, the
//      registration attempt counter reset, the PLMN stored in the "forbidden PLMN list";
//      5GMM-DEREGISTERED.PLMN-SEARCH
//   #12 tracking area not allowed: the same deletions, the current TAI stored in the list of "5GS
//      forbidden tracking areas for regional provision of service"; 5GMM-DEREGISTERED.LIMITED-SERVICE
//   #13 roaming not allowed in this tracking area: the current TAI stored in the list of "5GS
//      forbidden tracking areas for roaming"; 5GMM-DEREGISTERED.PLMN-SEARCH
//   #15 no suitable cells in tracking area: the current TAI stored in the list of "5GS forbidden
//      tracking areas for roaming"; 5GMM-DEREGISTERED.LIMITED-SERVICE (the UE searches another TA)
//   #22 congestion, with a T3346 value neither zero nor deactivated: 5U2 NOT UPDATED,
//      5GMM-DEREGISTERED.ATTEMPTING-REGISTRATION, T3346 (re)started with the value received; at its
//      expiry the UE registers again (5.2.2.3.3). Without a usable T3346 value it is the abnormal
//      case of 5.5.2.3.4, handled as "other causes"
//   #27 N1 mode not allowed: the deletions, 5GMM-NULL, N1 mode disabled for both accesses (4.9)
//   #72 non-3GPP access to 5GCN not allowed: the deletions, N1 mode disabled for non-3GPP access
//      (4.9.3); 5GMM-DEREGISTERED over 3GPP access, which the UE may use again
//   #62 no network slices available: the rejected NSSAI stored (network-deregistration.ts)
// A UE in LIMITED-SERVICE or PLMN-SEARCH (a forbidden TA or PLMN) or with T3346 running registers
// only for emergency services (TS 23.122 limited service state, TS 24.501 5.5.1.2.2); `barred`
// says so before a registration starts.

import type { TimerHandle } from '../../../transport/clock.ts';
import type { UuCell } from '../../gnb/uu.ts';
import { GmmState } from '../gmm-state.ts';
import type { Ue } from '../ue.ts';

/** TS 24.501 9.11.3.2 causes with their own handling in 5.5.2.3.2. */
export const DeregistrationCause = {
  IllegalUe: 3,
  IllegalMe: 6,
  FiveGsServicesNotAllowed: 7,
  PlmnNotAllowed: 11,
  TrackingAreaNotAllowed: 12,
  RoamingNotAllowedInTa: 13,
  NoSuitableCellsInTa: 15,
  Congestion: 22,
  N1ModeNotAllowed: 27,
  NoNetworkSlicesAvailable: 62,
  Non3gppAccessNotAllowed: 72,
  ServingNetworkNotAuthorized: 73,
} as const;

export type CauseAction =
  | 'usim-invalid'
  | 'plmn-forbidden'
  | 'ta-forbidden-regional'
  | 'ta-forbidden-roaming'
  | 'congestion-backoff'
  | 'n1-mode-disabled'
  | 'non-3gpp-disabled'
  | 'stay-deregistered';

/** TS 24.501 5.2.2.2 substates of 5GMM-DEREGISTERED the causes lead to. */
export type DeregisteredSubstate = 'NORMAL-SERVICE' | 'LIMITED-SERVICE' | 'PLMN-SEARCH' | 'ATTEMPTING-REGISTRATION';

/** What the causes leave with the UE (TS 24.501 5.5.2.3.2, 4.9). */
export interface UeServiceRestrictions {
  /** 5.1.3.2.2: 5U1 UPDATED, 5U2 NOT UPDATED, 5U3 ROAMING NOT ALLOWED. */
  updateStatus: '5U1' | '5U2' | '5U3';
  substate: DeregisteredSubstate;
  /** #12: "5GS forbidden tracking areas for regional provision of service", as 'MCCMNC-TAC'. */
  readonly forbiddenTaisForRegionalProvision: Set<string>;
  /** #13, #15: "5GS forbidden tracking areas for roaming", as 'MCCMNC-TAC'. */
  readonly forbiddenTaisForRoaming: Set<string>;
  /** #72: N1 mode disabled for non-3GPP access (4.9.3). */
  n1ModeDisabledForNon3gpp: boolean;
  /** #22: the back-off timer T3346 while it runs, with its value in seconds. */
  t3346?: { timer: TimerHandle; seconds: number };
}

export function newServiceRestrictions(): UeServiceRestrictions {
  return { updateStatus: '5U2', substate: 'NORMAL-SERVICE', forbiddenTaisForRegionalProvision: new Set(), forbiddenTaisForRoaming: new Set(), n1ModeDisabledForNon3gpp: false };
}

export const taiKey = (t: { plmn: { mcc: string; mnc: string }; tac: number }): string => `${t.plmn.mcc}${t.plmn.mnc}-${t.tac}`;

/** The UE's current TAI: the one its cell broadcasts, else the first of its last TAI list. */
function currentTai(ue: Ue): string | undefined {
  if (ue.cell?.tai) return taiKey(ue.cell.tai);
  const l = ue.registration?.taiList[0];
  const tac = l?.tacs[0]?.tac;
  return l && tac !== undefined ? taiKey({ plmn: l.plmn ?? ue.cfg.plmn, tac }) : undefined;
}

/** 5U3, and the 5G-GUTI, last visited registered TAI, TAI list and ngKSI deleted (every listed cause but #22 and #62). */
function roamingNotAllowed(ue: Ue): void {
  ue.restrictions.updateStatus = '5U3';
  ue.guti = undefined;
  ue.security = undefined;
}

/** Acts on `cause` (re-registration not required; the UE is already 5GMM-DEREGISTERED); returns what it did. */
export function actOnDeregistrationCause(ue: Ue, cause: number | undefined, t3346Seconds: number | undefined): CauseAction {
  const r = ue.restrictions;
  const plmn = `${ue.cfg.plmn.mcc}${ue.cfg.plmn.mnc}`;
  const tai = currentTai(ue);
  switch (cause) {
    case DeregistrationCause.IllegalUe:
    case DeregistrationCause.IllegalMe:
    case DeregistrationCause.FiveGsServicesNotAllowed:
      roamingNotAllowed(ue);
      ue.usimInvalidFor5gs = true;
      return 'usim-invalid';
    case DeregistrationCause.PlmnNotAllowed:
    case DeregistrationCause.ServingNetworkNotAuthorized:
      roamingNotAllowed(ue);
      ue.forbiddenPlmns.add(plmn);
      r.substate = 'PLMN-SEARCH';
      return 'plmn-forbidden';
    case DeregistrationCause.TrackingAreaNotAllowed:
      roamingNotAllowed(ue);
      if (tai) r.forbiddenTaisForRegionalProvision.add(tai);
      r.substate = 'LIMITED-SERVICE';
      return 'ta-forbidden-regional';
    case DeregistrationCause.RoamingNotAllowedInTa:
    case DeregistrationCause.NoSuitableCellsInTa:
      roamingNotAllowed(ue);
      if (tai) r.forbiddenTaisForRoaming.add(tai);
      r.substate = cause === DeregistrationCause.RoamingNotAllowedInTa ? 'PLMN-SEARCH' : 'LIMITED-SERVICE';
      return 'ta-forbidden-roaming';
    case DeregistrationCause.Congestion:
      // without a T3346 value (or zero, or deactivated) it is 5.5.2.3.4's abnormal case
      if (!t3346Seconds) return 'stay-deregistered';
      r.updateStatus = '5U2';
      r.substate = 'ATTEMPTING-REGISTRATION';
      startT3346(ue, t3346Seconds);
      return 'congestion-backoff';
    case DeregistrationCause.N1ModeNotAllowed:
      roamingNotAllowed(ue);
      ue.transition('n1-mode-disabled');
      return 'n1-mode-disabled';
    case DeregistrationCause.Non3gppAccessNotAllowed:
      roamingNotAllowed(ue);
      r.n1ModeDisabledForNon3gpp = true;
      return 'non-3gpp-disabled';
    default:
      return 'stay-deregistered';
  }
}

/** #22: T3346 stopped if running, started with the value received; at its expiry the UE registers again (5.2.2.3.3). */
function startT3346(ue: Ue, seconds: number): void {
  stopT3346(ue);
  const timer = ue.clock.setTimeout(() => {
    ue.restrictions.t3346 = undefined;
    const cell = ue.cell;
    if (ue.gmm !== GmmState.DEREGISTERED || ue.restrictions.substate !== 'ATTEMPTING-REGISTRATION' || !cell) return;
    ue.log(`[UE ${ue.supi}] T3346 expired: registration again (TS 24.501 5.2.2.3.3)`);
    ue.register(cell).catch((e: unknown) => ue.log(`[UE ${ue.supi}] registration after T3346 failed: ${e instanceof Error ? e.message : String(e)}`));
  }, seconds * 1000);
  ue.restrictions.t3346 = { timer, seconds };
}

export function stopT3346(ue: Ue): void {
  if (ue.restrictions.t3346) ue.clock.clearTimeout(ue.restrictions.t3346.timer);
  ue.restrictions.t3346 = undefined;
}

/**
 * Why the UE may not start a registration on `cell` now (TS 24.501 5.5.1.2.2, 5.5.2.3.2), or
 * undefined. An emergency registration is allowed in a forbidden PLMN or TA and while T3346 runs
 * (limited service state); a USIM invalid for 5GS would need emergency services for an
 * unauthenticated UE, which wire5g does not implement.
 */
export function registrationBarred(ue: Ue, cell: UuCell, emergency: boolean): string | undefined {
  const r = ue.restrictions;
  if (ue.gmm === GmmState.NULL) return 'N1 mode is disabled (5GMM-NULL, TS 24.501 5.5.2.3.2 #27)';
  if (ue.usimInvalidFor5gs) return 'the USIM is invalid for 5GS services (TS 24.501 5.5.2.3.2)';
  if (emergency) return undefined;
  const plmn = `${ue.cfg.plmn.mcc}${ue.cfg.plmn.mnc}`;
  if (ue.forbiddenPlmns.has(plmn)) return `PLMN ${plmn} is forbidden (TS 24.501 5.5.2.3.2 #11, #73): emergency registration only`;
  const tai = cell.tai ? taiKey(cell.tai) : undefined;
  if (tai && r.forbiddenTaisForRegionalProvision.has(tai)) return `TAI ${tai} is in the 5GS forbidden tracking areas for regional provision of service (TS 24.501 5.5.2.3.2 #12): emergency registration only`;
  if (tai && r.forbiddenTaisForRoaming.has(tai)) return `TAI ${tai} is in the 5GS forbidden tracking areas for roaming (TS 24.501 5.5.2.3.2 #13, #15): emergency registration only`;
  if (r.t3346) return `T3346 is running (${r.t3346.seconds} s, TS 24.501 5.5.2.3.2 #22): emergency registration only`;
  return undefined;
}
