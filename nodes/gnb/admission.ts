// RRC connection admission: how many UEs the cell lets establish at once and how fast. A real cell
// admits RRC connections at a bounded rate (TS 38.331 5.3.3: a UE asks with RRCSetupRequest, the
// gNB answers RRCSetup, or RRCReject with a wait time when it is loaded); wire5g's gNB queues the
// requests it cannot admit yet instead of rejecting them, first come first served, so that a
// burst of any size is paced rather than failed. The UE's NAS timers do not run while it waits:
// its initial NAS message (in RRCSetupComplete) leaves only once the connection is set up.
//
// Two limits, both from the configuration (`gnb.admission`):
//   UEs establishing  between RRC set-up and the end of their establishment (the Initial Context
//                     Setup, TS 38.413 8.3.1, or the release of the context) at once: fixed at
//                     maxEstablishing, or (adaptive) a limit between minEstablishing and
//                     maxEstablishing that follows how fast the network completes establishments;
//   setupsPerSecond   RRC set-ups per second (a token bucket holding up to maxEstablishing).
//
// The adaptive limit (issue 21 goal 1, docs/decisions/21-adaptive-admission.md): a fixed number at
// once suits one machine speed only. When the machine is starved (other work on its cores) each
// establishment takes longer with the same number in flight, until T3510 (15 s, TS 24.501 Table
// 10.2.1) or an NF's SBI time-out fires and procedures fail. The gNB therefore measures each
// establishment's duration, from its admission to its end, and adjusts the limit by additive
// increase, multiplicative decrease, the way TCP adapts its window (RFC 5681 3.1):
//   - the limit starts at minEstablishing and, until the first slow establishment, each
//     establishment that took at most targetLatencyMs adds 1 (the limit doubles per round: slow
//     start), so a burst on a starved machine never starts with maxEstablishing in flight at
//     once, whose establishments could all outlast T3510 before the gNB learns anything;
//   - an establishment that took longer than targetLatencyMs halves the limit (not below
//     minEstablishing), once per round: only an establishment admitted after the last decrease
//     decreases it again, so one slow cohort counts once. Slow start ends there;
//   - after that, each one that took at most targetLatencyMs adds 1/limit (about one per round),
//     up to maxEstablishing;
//   - when no UE has been establishing for targetLatencyMs, what was learnt is stale (the machine
//     may be busier now): the next request restarts from minEstablishing in slow start (as TCP
//     restarts after an idle period, RFC 5681 4.1).
// With slow start the round in which establishments first outlast the target ran at most twice the
// limit of the round before, which took less than the target: its establishments take about twice
// the target at most, which is why the default target is a fifth of T3510.
// Fewer UEs at once on a slow network only makes the burst slower: the others wait in the queue,
// where no NAS timer runs. Timers and durations are on the gNB's injectable clock.

import type { Clock, TimerHandle } from '../../transport/clock.ts';

export interface AdmissionConfig {
  /** UEs establishing (RRC set up, Initial Context Setup not yet done) at once: the fixed limit, or the adaptive limit's ceiling. */
  maxEstablishing: number;
  /** The adaptive limit's floor, and where it starts. */
  minEstablishing: number;
  /** true: the limit adapts to the establishments' durations (AIMD); false: maxEstablishing at once, always. */
  adaptive: boolean;
  /** An establishment longer than this (ms, admission to Initial Context Setup or release) halves the adaptive limit. */
  targetLatencyMs: number;
  /** RRC connection set-ups per second. */
  setupsPerSecond: number;
}

/**
 * 64 at once at most, at least 4; 3 s is a fifth of T3510 (15 s, TS 24.501 Table 10.2.1) and of
 * the SBI time-out of `wire5g run` (15 s): a registration that takes 3 s leaves room for the
 * queueing still ahead of its last messages before either fires. 10,000 set-ups per second: ten
 * times issue 21's 1,000 registrations per second, so that the pacing never is what a load test
 * measures (at 1,000 it capped every run at 1,000/s, docs/decisions/21-admission-rate.md); the
 * number at once is what keeps a burst from failing.
 */
export const DEFAULT_ADMISSION: AdmissionConfig = { maxEstablishing: 64, minEstablishing: 4, adaptive: true, targetLatencyMs: 3000, setupsPerSecond: 10_000 };

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
  /** When it was admitted (the owner's clock), and its rank among the admitted (stats.admitted before it). */
  admittedAt = 0;
  rank = 0;
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
  /** The adaptive limit, fractional (additive increase adds 1/limit per establishment). */
  private window: number;
  /** Establishments admitted from this rank on may decrease the limit (those before belong to a cohort already counted). */
  private decreaseFrom = 0;
  /** Slow start: each quick establishment adds 1 to the limit instead of 1/limit. */
  private slowStart = true;
  /** When the last admitted establishment ended (idle since then while none is establishing). */
  private lastEndedAt: number;
  readonly stats = {
    admitted: 0,
    queuedAtMost: 0,
    cancelledWhileQueued: 0,
    /** Establishments over (admitted, then done), and those that took longer than targetLatencyMs. */
    completed: 0,
    slow: 0,
    /** The longest establishment (ms). */
    longestMs: 0,
    /** Times the adaptive limit was halved, and the lowest it went. */
    decreases: 0,
    lowestLimit: 0,
  };

  constructor(cfg: AdmissionConfig, clock: Clock) {
    if (!(cfg.maxEstablishing >= 1) || !(cfg.setupsPerSecond > 0)) throw new RangeError(`admission limits must be positive (maxEstablishing ${cfg.maxEstablishing}, setupsPerSecond ${cfg.setupsPerSecond})`);
    if (cfg.adaptive && !(cfg.minEstablishing >= 1 && cfg.minEstablishing <= cfg.maxEstablishing)) throw new RangeError(`admission: minEstablishing ${cfg.minEstablishing} must be from 1 to maxEstablishing ${cfg.maxEstablishing}`);
    if (cfg.adaptive && !(cfg.targetLatencyMs > 0)) throw new RangeError(`admission: targetLatencyMs must be positive, got ${cfg.targetLatencyMs}`);
    this.cfg = cfg;
    this.clock = clock;
    this.tokens = cfg.maxEstablishing;
    this.refilledAt = clock.now();
    this.window = cfg.adaptive ? cfg.minEstablishing : cfg.maxEstablishing;
    this.stats.lowestLimit = this.limit;
    this.lastEndedAt = clock.now();
  }

  /** UEs admitted at once now: maxEstablishing, or the adaptive limit. */
  get limit(): number {
    return this.cfg.adaptive ? Math.floor(this.window) : this.cfg.maxEstablishing;
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
    if (this.cfg.adaptive && this.active === 0 && this.waiting === 0 && this.clock.now() - this.lastEndedAt > this.cfg.targetLatencyMs) {
      // idle for longer than the target: start again from the floor (head of this file)
      this.window = this.cfg.minEstablishing;
      this.slowStart = true;
      this.decreaseFrom = this.stats.admitted;
    }
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
      this.completed(t);
      this.pump();
      return;
    }
    this.stats.cancelledWhileQueued++;
    this.waiting--;
    // removed lazily: pump() skips tickets that are over
  }

  /** An admitted establishment is over: its duration adapts the limit (AIMD, see the head of this file). */
  private completed(t: Ticket): void {
    this.lastEndedAt = this.clock.now();
    const ms = this.lastEndedAt - t.admittedAt;
    this.stats.completed++;
    this.stats.longestMs = Math.max(this.stats.longestMs, ms);
    const slow = ms > this.cfg.targetLatencyMs;
    if (slow) this.stats.slow++;
    if (!this.cfg.adaptive) return;
    if (slow) {
      if (t.rank < this.decreaseFrom) return; // its cohort already halved the limit
      this.window = Math.max(this.cfg.minEstablishing, this.window / 2);
      this.decreaseFrom = this.stats.admitted;
      this.slowStart = false;
      this.stats.decreases++;
      this.stats.lowestLimit = Math.min(this.stats.lowestLimit, this.limit);
    } else {
      this.window = Math.min(this.cfg.maxEstablishing, this.window + (this.slowStart ? 1 : 1 / this.window));
    }
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
    while (this.head < this.queue.length && this.active < this.limit) {
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
      w.ticket.rank = this.stats.admitted++;
      w.ticket.admittedAt = this.clock.now();
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
