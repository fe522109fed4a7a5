// 5GMM states of the UE (TS 24.501 5.1.3.2.1) and the transitions wire5g's procedures make,
// as a table: a transition not in it is a programming error and throws, instead of leaving a
// UE in a state the spec does not know.

export const GmmState = {
  DEREGISTERED: '5GMM-DEREGISTERED',
  REGISTERED_INITIATED: '5GMM-REGISTERED-INITIATED',
  REGISTERED: '5GMM-REGISTERED',
  DEREGISTERED_INITIATED: '5GMM-DEREGISTERED-INITIATED',
  SERVICE_REQUEST_INITIATED: '5GMM-SERVICE-REQUEST-INITIATED',
  /** TS 24.501 5.1.3.2.1.1: N1 mode disabled (5.5.2.3.2 #27); no 5GMM procedure until it is enabled again. */
  NULL: '5GMM-NULL',
} as const;
export type GmmState = (typeof GmmState)[keyof typeof GmmState];

export type GmmEvent =
  | 'registration-requested' // TS 24.501 5.5.1.2.2: Registration Request sent
  | 'registration-accepted' // 5.5.1.2.4
  | 'registration-failed' // 5.5.1.2.5 reject, 5.5.1.2.7 abnormal
  | 'deregistration-requested' // 5.5.2.2.1, normal de-registration (T3521 runs)
  | 'switched-off' // 5.5.2.2.1, de-registration type "switch off": no answer awaited
  | 'deregistration-completed' // 5.5.2.2.2 accept, or 5.5.2.2.6 b) fifth T3521 expiry
  | 'deregistered-by-network' // 5.5.2.3.2
  | 'service-requested' // TS 24.501 5.6.1.2: Service request sent (T3517 runs)
  | 'service-accepted' // 5.6.1.4.1
  | 'service-rejected' // 5.6.1.5 (#9, #10: the UE is deregistered and registers again)
  | 'service-aborted' // 5.6.1.7 a) T3517 expiry: back to 5GMM-REGISTERED
  | 'n1-mode-disabled' // 5.5.2.3.2 #27 N1 mode not allowed: 5GMM-NULL
  | 'deregistered-locally'; // 5.3.7: T3512 expiry of a UE registered for emergency services

const TRANSITIONS: Record<GmmState, Partial<Record<GmmEvent, GmmState>>> = {
  [GmmState.DEREGISTERED]: { 'registration-requested': GmmState.REGISTERED_INITIATED, 'n1-mode-disabled': GmmState.NULL },
  [GmmState.REGISTERED_INITIATED]: {
    'registration-accepted': GmmState.REGISTERED,
    'registration-failed': GmmState.DEREGISTERED,
    'switched-off': GmmState.DEREGISTERED,
    'deregistration-requested': GmmState.DEREGISTERED_INITIATED,
  },
  [GmmState.REGISTERED]: {
    'deregistration-requested': GmmState.DEREGISTERED_INITIATED,
    'switched-off': GmmState.DEREGISTERED,
    'deregistered-by-network': GmmState.DEREGISTERED,
    'deregistered-locally': GmmState.DEREGISTERED,
    'registration-requested': GmmState.REGISTERED_INITIATED,
    'service-requested': GmmState.SERVICE_REQUEST_INITIATED,
  },
  [GmmState.DEREGISTERED_INITIATED]: {
    'deregistration-completed': GmmState.DEREGISTERED,
    'deregistered-by-network': GmmState.DEREGISTERED,
    'switched-off': GmmState.DEREGISTERED,
  },
  [GmmState.SERVICE_REQUEST_INITIATED]: {
    'deregistration-requested': GmmState.DEREGISTERED_INITIATED,
    'switched-off': GmmState.DEREGISTERED,
    'service-accepted': GmmState.REGISTERED,
    'service-rejected': GmmState.DEREGISTERED,
    'service-aborted': GmmState.REGISTERED,
    'deregistered-by-network': GmmState.DEREGISTERED,
  },
  [GmmState.NULL]: {},
};

export class InvalidGmmTransition extends Error {
  constructor(from: GmmState, event: GmmEvent) {
    super(`5GMM: '${event}' is not allowed in ${from}`);
    this.name = 'InvalidGmmTransition';
  }
}

export function gmmNext(from: GmmState, event: GmmEvent): GmmState {
  const to = TRANSITIONS[from][event];
  if (!to) throw new InvalidGmmTransition(from, event);
  return to;
}

export function gmmAllows(from: GmmState, event: GmmEvent): boolean {
  return TRANSITIONS[from][event] !== undefined;
}
