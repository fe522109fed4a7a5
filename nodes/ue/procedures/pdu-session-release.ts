// UE-requested PDU session release, UE side (TS 24.501 6.4.3; TS 23.502 4.3.4.2 steps 1a, 5, 8).
//
//   initiation (6.4.3.2): PDU SESSION RELEASE REQUEST with a fresh PTI, in UL NAS TRANSPORT with
//     the PDU session ID; T3582 starts.
//   accepted by the network (6.4.3.3): PDU SESSION RELEASE COMMAND with the same PTI stops T3582;
//     the UE releases the session locally and answers PDU SESSION RELEASE COMPLETE (step 8).
//   rejected (6.4.3.4): PDU SESSION RELEASE REJECT with the same PTI; the session stays.
//   abnormal (6.4.3.6 a): T3582 expiry retransmits the request four times; on the fifth expiry
//     the procedure is aborted and the UE releases the session locally.

import type { Clock, TimerHandle } from '../../../transport/clock.ts';

/** TS 24.501 Table 10.3.1: T3582 = 16 s. */
export const T3582_MS = 16_000;
export const T3582_MAX_RETRANSMISSIONS = 4;
/** TS 24.501 9.11.4.2: #36 regular deactivation. */
export const REGULAR_DEACTIVATION = 36;

export type PduSessionReleaseOutcome = 'released' | 'released-locally-after-t3582';

export class PduSessionReleaseRejected extends Error {
  readonly fiveGsmCause: number;
  constructor(psi: number, cause: number) {
    super(`PDU session release reject for PDU session ${psi}, 5GSM cause #${cause} (TS 24.501 6.4.3.4)`);
    this.name = 'PduSessionReleaseRejected';
    this.fiveGsmCause = cause;
  }
}

/** What the procedure needs of its UE. */
export interface UePduSessionReleasePort {
  clock: Clock;
  allocatePti(): number;
  /** Sends PDU SESSION RELEASE REQUEST in UL NAS TRANSPORT; `attempt` is 0 for the first. */
  sendReleaseRequest(psi: number, pti: number, attempt: number): void;
  /** Sends PDU SESSION RELEASE COMPLETE in UL NAS TRANSPORT. */
  sendReleaseComplete(psi: number, pti: number): void;
  /** The session and its user plane go (the UE's side of the release). */
  releaseLocally(psi: number): void;
}

interface Pending {
  psi: number;
  pti: number;
  attempts: number;
  timer: TimerHandle | undefined;
  resolve(o: PduSessionReleaseOutcome): void;
  reject(e: Error): void;
}

export class UePduSessionRelease {
  private readonly port: UePduSessionReleasePort;
  private readonly pending = new Map<number, Pending>();

  constructor(port: UePduSessionReleasePort) {
    this.port = port;
  }

  isReleasing(psi: number): boolean {
    return this.pending.has(psi);
  }

  /** 6.4.3.2: starts the release of `psi` (the caller checked the session exists). */
  start(psi: number): Promise<PduSessionReleaseOutcome> {
    if (this.pending.has(psi)) return Promise.reject(new Error(`PDU session ${psi} is already being released`));
    return new Promise((resolve, reject) => {
      const p: Pending = { psi, pti: this.port.allocatePti(), attempts: 0, timer: undefined, resolve, reject };
      this.pending.set(psi, p);
      this.send(p);
    });
  }

  private send(p: Pending): void {
    this.port.sendReleaseRequest(p.psi, p.pti, p.attempts);
    p.timer = this.port.clock.setTimeout(() => {
      p.timer = undefined;
      if (this.pending.get(p.psi) !== p) return;
      if (p.attempts < T3582_MAX_RETRANSMISSIONS) {
        p.attempts++;
        this.send(p);
        return;
      }
      // 6.4.3.6 a): fifth expiry: abort, release locally
      this.pending.delete(p.psi);
      this.port.releaseLocally(p.psi);
      p.resolve('released-locally-after-t3582');
    }, T3582_MS);
  }

  /**
   * 6.4.3.3: a PDU SESSION RELEASE COMMAND. Returns true when it answers this UE's request (same
   * PTI); a command with another PTI is a network-requested release (6.3.3) for the caller.
   */
  onReleaseCommand(psi: number, pti: number): boolean {
    const p = this.pending.get(psi);
    if (!p || p.pti !== pti) return false;
    this.finish(p);
    this.port.releaseLocally(psi);
    this.port.sendReleaseComplete(psi, pti);
    p.resolve('released');
    return true;
  }

  /** 6.4.3.4: PDU SESSION RELEASE REJECT; returns true when it answers this UE's request. */
  onReleaseReject(psi: number, pti: number, cause: number): boolean {
    const p = this.pending.get(psi);
    if (!p || p.pti !== pti) return false;
    this.finish(p);
    p.reject(new PduSessionReleaseRejected(psi, cause));
    return true;
  }

  /** The UE lost its sessions another way (de-registration, RRC release): pending releases end. */
  abortAll(): void {
    for (const p of [...this.pending.values()]) {
      this.finish(p);
      p.resolve('released');
    }
  }

  private finish(p: Pending): void {
    this.port.clock.clearTimeout(p.timer);
    p.timer = undefined;
    this.pending.delete(p.psi);
  }
}
