// UE-initiated de-registration, UE side (TS 24.501 5.5.2.2; TS 23.502 4.2.2.3.2 step 1 and 7).
//
//   normal de-registration: send DEREGISTRATION REQUEST, start T3521, enter
//     5GMM-DEREGISTERED-INITIATED; DEREGISTRATION ACCEPT stops T3521 (5.5.2.2.2).
//   switch off: send DEREGISTRATION REQUEST, start no timer, release locally at once.
//   5.5.2.2.6 b) T3521 expiry: on the first four expiries retransmit and restart T3521; on the
//     fifth, abort the procedure and release locally.

import type { Clock, TimerHandle } from '../../transport/clock.ts';
import { gmmNext, type GmmState } from './gmm-state.ts';

/** TS 24.501 Table 10.2.1: T3521 = 15 s. */
export const T3521_MS = 15_000;
/** TS 24.501 5.5.2.2.6 b): retransmissions before the fifth expiry aborts. */
export const T3521_MAX_RETRANSMISSIONS = 4;

export type AccessType = '3GPP' | 'non-3GPP' | 'both';

export interface DeregistrationType {
  switchOff: boolean;
  reRegistrationRequired: boolean;
  accessType: AccessType;
}

export type DeregistrationOutcome = 'accepted' | 'switched-off' | 'aborted-after-t3521' | 'deregistered-by-network';

export interface UeDeregistrationContext {
  state: GmmState;
  clock: Clock;
  /** Sends the (integrity-protected) DEREGISTRATION REQUEST; `attempt` is 0 for the first. */
  sendDeregistrationRequest(type: DeregistrationType, attempt: number): void;
  /** Local release of the 5GMM context and the PDU sessions (5.5.2.2.2, 5.5.2.2.6). */
  releaseLocally(outcome: DeregistrationOutcome): void;
}

export class UeDeregistration {
  private readonly ctx: UeDeregistrationContext;
  private t3521: TimerHandle | undefined;
  private attempts = 0;
  private type: DeregistrationType | undefined;
  retransmissions = 0;

  constructor(ctx: UeDeregistrationContext) {
    this.ctx = ctx;
  }

  get t3521Running(): boolean {
    return this.t3521 !== undefined;
  }

  start(type: DeregistrationType): void {
    this.type = type;
    if (type.switchOff) {
      this.ctx.sendDeregistrationRequest(type, 0);
      this.ctx.state = gmmNext(this.ctx.state, 'switched-off');
      this.ctx.releaseLocally('switched-off');
      return;
    }
    this.ctx.state = gmmNext(this.ctx.state, 'deregistration-requested');
    this.ctx.sendDeregistrationRequest(type, 0);
    this.arm();
  }

  private arm(): void {
    this.t3521 = this.ctx.clock.setTimeout(() => this.onT3521Expiry(), T3521_MS);
  }

  private onT3521Expiry(): void {
    this.t3521 = undefined;
    this.attempts++;
    if (this.attempts <= T3521_MAX_RETRANSMISSIONS && this.type) {
      this.retransmissions++;
      this.ctx.sendDeregistrationRequest(this.type, this.attempts);
      this.arm();
      return;
    }
    this.ctx.state = gmmNext(this.ctx.state, 'deregistration-completed');
    this.ctx.releaseLocally('aborted-after-t3521');
  }

  /** DEREGISTRATION ACCEPT (UE originating) received: 5.5.2.2.2. Ignored unless awaited. */
  onDeregistrationAccept(): boolean {
    if (this.t3521 === undefined) return false;
    this.ctx.clock.clearTimeout(this.t3521);
    this.t3521 = undefined;
    this.ctx.state = gmmNext(this.ctx.state, 'deregistration-completed');
    this.ctx.releaseLocally('accepted');
    return true;
  }
}
