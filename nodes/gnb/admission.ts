// RRC connection admission: how many UEs the cell lets establish at once and how fast. A real cell
// admits RRC connections at a bounded rate (TS 38.331 5.3.3: a UE asks with RRCSetupRequest, the
// gNB answers RRCSetup, or RRCReject with a wait time when it is loaded); wire5g's gNB queues the
// requests it cannot admit yet instead of rejecting them, first come first served, so that a
// burst of any size is paced rather than failed. The UE's NAS timers do not run while it waits:
// its initial NAS message (in RRCSetupComplete) leaves only once the connection is set up.
//
// Two limits, both from the configuration (`gnb.admission`):
//   maxEstablishing  UEs between RRC set-up and the end of their establishment (the Initial
//                    Context Setup, TS 38.413 8.3.1, or the release of the context) at once;
//   setupsPerSecond  RRC set-ups per second (a token bucket holding up to maxEstablishing).
// Timers run on the gNB's injectable clock.

import type { Clock, TimerHandle } from '../../transport/clock.ts';

export interface AdmissionConfig {
  /** UEs establishing (RRC set up, Initial Context Setup not yet done) at once. */
  maxEstablishing: number;
  /** RRC connection set-ups per second. */
  setupsPerSecond: number;
}

export const DEFAULT_ADMISSION: AdmissionConfig = { maxEstablishing: 64, setupsPerSecond: 1000 };

/** One UE's place: in the queue until admitted, then holding a slot until `done`. */
export interface AdmissionTicket {
  /** The establishment is over (Initial Context Setup done, or the context released): frees the slot. */
  done(): void;
  /** The UE gave up before it was admitted (or after: same as done). */
  cancel(): void;
  readonly admitted: boolean;
}

interface Waiting {
  start: (ticket: AdmissionTicket) => void;
  ticket: Ticket;
}

class Ticket implements AdmissionTicket {
  admitted = false;
  over = false;
  private readonly owner: RrcAdmission;
  constructor(owner: RrcAdmission) {
    this.owner = owner;
  }
  done(): void {
    if (this.over) return;
    this.over = true;
    this.owner.finished(this);
  }
  cancel(): void {
    this.done();
  }
}

export class RrcAdmission {
  readonly cfg: AdmissionConfig;
  private readonly clock: Clock;
  private readonly queue: Waiting[] = [];
  private head = 0;
  private active = 0;
  /** Tickets in the queue that are not over (cancelled ones stay in the array until reached). */
  private waiting = 0;
  private tokens: number;
  private refilledAt: number;
  private timer: TimerHandle | undefined;
  private pumping = false;
  readonly stats = { admitted: 0, queuedAtMost: 0, cancelledWhileQueued: 0 };

  constructor(cfg: AdmissionConfig, clock: Clock) {
    if (!(cfg.maxEstablishing >= 1) || !(cfg.setupsPerSecond > 0)) throw new RangeError(`admission limits must be positive (maxEstablishing ${cfg.maxEstablishing}, setupsPerSecond ${cfg.setupsPerSecond})`);
    this.cfg = cfg;
    this.clock = clock;
    this.tokens = cfg.maxEstablishing;
    this.refilledAt = clock.now();
  }

  /** UEs admitted whose establishment is not over. */
  get establishing(): number {
    return this.active;
  }

  /** UEs waiting to be admitted. */
  get queued(): number {
    return this.waiting;
  }

  /** Asks for an RRC connection; `start` runs once it is admitted (maybe at once). */
  request(start: (ticket: AdmissionTicket) => void): AdmissionTicket {
    const ticket = new Ticket(this);
    this.queue.push({ start, ticket });
    this.waiting++;
    this.stats.queuedAtMost = Math.max(this.stats.queuedAtMost, this.queued);
    this.pump();
    return ticket;
  }

  /** Drops every queued request (the gNB stops); their `start` never runs. */
  clear(): void {
    for (let i = this.head; i < this.queue.length; i++) this.queue[i].ticket.over = true;
    this.queue.length = 0;
    this.head = 0;
    this.waiting = 0;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** @internal a ticket ended: a queued one leaves the queue, an admitted one frees its slot. */
  finished(t: Ticket): void {
    if (t.admitted) {
      this.active--;
      this.pump();
      return;
    }
    this.stats.cancelledWhileQueued++;
    this.waiting--;
    // removed lazily: pump() skips tickets that are over
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.cfg.maxEstablishing, this.tokens + ((now - this.refilledAt) * this.cfg.setupsPerSecond) / 1000);
    this.refilledAt = now;
  }

  private pump(): void {
    // a `start` that ends its own ticket at once comes back here: the running loop picks it up
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.admit();
    } finally {
      this.pumping = false;
    }
  }

  private admit(): void {
    this.refill();
    while (this.head < this.queue.length && this.active < this.cfg.maxEstablishing) {
      const w = this.queue[this.head];
      if (w.ticket.over) {
        this.head++;
        continue;
      }
      if (this.tokens < 1) {
        // the next set-up when the bucket holds a whole token again
        if (this.timer === undefined) {
          const waitMs = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.cfg.setupsPerSecond));
          this.timer = this.clock.setTimeout(() => {
            this.timer = undefined;
            this.pump();
          }, waitMs);
        }
        break;
      }
      this.tokens -= 1;
      this.head++;
      this.waiting--;
      this.active++;
      this.stats.admitted++;
      w.ticket.admitted = true;
      try {
        w.start(w.ticket);
      } catch (e) {
        w.ticket.done();
        throw e;
      }
    }
    // compact the queue once its consumed head is large
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
