// What the AMF's 5GMM procedures share: the 5GMM causes it sends, the NAS guard timers and the
// error that ends a procedure (TS 24.501 5.1.3.2.1 from the network side).

/** TS 24.501 9.11.3.2 5GMM causes the AMF sends. */
export const FiveGmmCause = {
  IllegalUe: 3,
  IllegalMe: 6,
  FiveGsServicesNotAllowed: 7,
  UeIdentityCannotBeDerived: 9,
  ImplicitlyDeregistered: 10,
  PlmnNotAllowed: 11,
  MacFailure: 20,
  Congestion: 22,
  SynchFailure: 21,
  UeSecurityCapabilitiesMismatch: 23,
  SecurityModeRejectedUnspecified: 24,
  Non5gAuthenticationUnacceptable: 26,
  NoNetworkSlicesAvailable: 62,
  NgKsiAlreadyInUse: 71,
  PayloadWasNotForwarded: 90,
  SemanticallyIncorrectMessage: 95,
  InvalidMandatoryInformation: 96,
  MessageTypeNotCompatibleWithProtocolState: 98,
  ProtocolErrorUnspecified: 111,
} as const;

/** TS 24.501 Table 10.2.2: T3560 (authentication, security mode) and T3550 (registration accept), 6 s. */
export const T3560_MS = 6_000;
export const T3550_MS = 6_000;
/** TS 24.501 Table 10.2.2: T3522 (network-initiated de-registration), 6 s. */
export const T3522_MS = 6_000;
/** Retransmissions before the procedure is aborted (TS 24.501 5.4.1.3.7 f, 5.4.2.7, 5.5.1.2.8). */
export const NAS_RETRANSMISSIONS = 4;
/**
 * How long the AMF waits for an NGAP answer (UE Context Release Complete, ICS Response). TS 38.413
 * defines no timer for these; the guard is as long as the UE's own T3510 (15 s) plus margin, so a
 * burst that slows every answer down does not turn into registrations the AMF gave up on.
 */
export const NGAP_ANSWER_MS = 20_000;

/**
 * TS 24.501 Table 10.2.2: T3513 (paging) is network dependent. wire5g pages, waits 5 s and pages
 * again, T3513_RETRANSMISSIONS times, before the UE counts as unreachable (TS 24.501 5.6.2.2.1).
 */
export const T3513_MS = 5_000;
export const T3513_RETRANSMISSIONS = 2;

export interface AmfTimers {
  /** T3513, paging (procedures/paging.ts); default T3513_MS. */
  t3513Ms?: number;
  t3560Ms: number;
  t3550Ms: number;
  t3522Ms: number;
  /** TS 24.501 5.3.7 mobile reachable timer (default T3512 + 4 min) and implicit de-registration timer (default 4 min). */
  mobileReachableMs?: number;
  implicitDeregistrationMs?: number;
  /** TS 23.502 4.2.2.2.4 step 8: the onboarding deregistration timer (default: config snpn.onboarding.deregistrationTimerSeconds). */
  onboardingDeregistrationMs?: number;
  ngapAnswerMs: number;
  /** TS 23.502 4.2.2.2.2 step 5: the old AMF's guard timer for a transferred UE context (default TRANSFER_GUARD_MS). */
  transferGuardMs?: number;
}

/** A procedure that ends before its last step (reject, timer expiry, lost connection). */
export class ProcedureAborted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ProcedureAborted';
  }
}

/** A procedure that ended with a reject the UE acts on (Registration reject, Authentication reject): the UE is deregistered. */
export class UeRejected extends ProcedureAborted {
  constructor(reason: string) {
    super(reason);
    this.name = 'UeRejected';
  }
}
