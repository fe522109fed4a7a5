// The injectable clock every timer in wire5g runs on (SCTP RTO, PFCP T1, NAS T3510/T3521/T3522,
// heartbeats, the UPF's coarse clock). Tests use VirtualClock and advance time explicitly, so a
// retransmission test that spans minutes of protocol time runs in milliseconds.

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** `fn` called with `arg` (as Node's setTimeout): a method of an object per use instead of a closure. */
  setTimeout<A>(fn: (arg: A) => void, ms: number, arg: A): TimerHandle;
  clearTimeout(h: TimerHandle | undefined): void;
}

/** A real timer's handle: node's own, so that clearing it needs no lookup. */
class RealTimer implements TimerHandle {
  readonly id: number;
  readonly t: ReturnType<typeof setTimeout>;
  constructor(id: number, t: ReturnType<typeof setTimeout>) {
    this.id = id;
    this.t = t;
  }
}

class RealClock implements Clock {
  private next = 1;
  now(): number {
    return performance.now();
  }
  setTimeout<A>(fn: (arg: A) => void, ms: number, arg?: A): TimerHandle {
    const t = setTimeout(fn, ms, arg as A);
    // Protocol timers must not keep a finished process alive on their own.
    t.unref?.();
    return new RealTimer(this.next++, t);
  }
  clearTimeout(h: TimerHandle | undefined): void {
    // clearing a timer that has run or was cleared does nothing (as node's clearTimeout)
    if (h instanceof RealTimer) clearTimeout(h.t);
  }
}

export const realClock: Clock = new RealClock();

interface HaltableTimer<A> {
  owner: HaltableClock;
  fn: (arg: A) => void;
  arg: A;
}

function fireUnlessHalted<A>(t: HaltableTimer<A>): void {
  if (!t.owner.halted) t.fn(t.arg);
}

/**
 * Another clock's time and timers, until `halt`: from then on its timers fire into nothing. For
 * what is given up while its timers still run, e.g. the UEs of a run whose core thread died
 * (nodes/scenario.ts): their NAS timers would go on retransmitting to a gNB that has stopped.
 */
export class HaltableClock implements Clock {
  halted = false;
  private readonly base: Clock;

  constructor(base: Clock = realClock) {
    this.base = base;
  }

  now(): number {
    return this.base.now();
  }

  setTimeout<A>(fn: (arg: A) => void, ms: number, arg?: A): TimerHandle {
    return this.base.setTimeout(fireUnlessHalted<A>, ms, { owner: this, fn, arg: arg as A });
  }

  clearTimeout(h: TimerHandle | undefined): void {
    this.base.clearTimeout(h);
  }

  /** Every timer set on this clock, running or to come, does nothing when it fires. */
  halt(): void {
    this.halted = true;
  }
}

/** A clock that only moves when told to; due timers run in time order (ties in creation order). */
export class VirtualClock implements Clock {
  private time: number;
  private next = 1;
  private readonly timers = new Map<number, { at: number; fn: (arg: unknown) => void; arg: unknown; handle: TimerHandle }>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout<A>(fn: (arg: A) => void, ms: number, arg?: A): TimerHandle {
    const handle = { id: this.next++ };
    this.timers.set(handle.id, { at: this.time + Math.max(0, ms), fn: fn as (arg: unknown) => void, arg, handle });
    return handle;
  }

  clearTimeout(h: TimerHandle | undefined): void {
    // only a handle this clock gave out: another clock's (the real one's, another VirtualClock's)
    // may carry the same id, as the real clock ignores every handle but its own
    if (h && this.timers.get(h.id)?.handle === h) this.timers.delete(h.id);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Advances time by `ms`, running every timer that falls due, including ones set meanwhile. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let dueId = -1;
      let dueAt = Infinity;
      for (const [id, t] of this.timers) {
        if (t.at <= end && (t.at < dueAt || (t.at === dueAt && id < dueId))) {
          dueAt = t.at;
          dueId = id;
        }
      }
      if (dueId < 0) break;
      const t = this.timers.get(dueId)!;
      this.timers.delete(dueId);
      this.time = Math.max(this.time, t.at);
      t.fn(t.arg);
    }
    this.time = end;
  }

  /** Advances and lets promise continuations scheduled by the timers run in between. */
  async advanceAsync(ms: number, stepMs = ms): Promise<void> {
    let left = ms;
    while (left > 0) {
      const step = Math.min(stepMs, left);
      this.advance(step);
      left -= step;
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
  }
}

/** What a DeadlineQueue holds: the queue links its entries through these fields (no node of its own). */
export interface QueuedDeadline {
  /** The clock's time at which it expires. */
  dueAt: number;
  prevDue: QueuedDeadline | undefined;
  nextDue: QueuedDeadline | undefined;
  /** Its deadline passed; it has been taken off the queue. */
  expired(): void;
}

function fire(q: DeadlineQueue): void {
  q.fire();
}

/**
 * Time-outs of one length on one timer (issue 21 goal 3: a timer object per SBI request was ~30 MiB
 * of a 2,000-UE run, and each one lived as long as its request). Entries are added as time goes on,
 * so with one length they expire in the order they were added: a FIFO, linked through the entries
 * themselves, with one clock timer armed at its head's deadline. An entry is expired when the clock
 * has reached its deadline (`now() >= dueAt`), never before, as a timer of its own would be.
 */
export class DeadlineQueue {
  readonly ms: number;
  private readonly clock: Clock;
  private head: QueuedDeadline | undefined;
  private tail: QueuedDeadline | undefined;
  private timer: TimerHandle | undefined;

  constructor(clock: Clock, ms: number) {
    this.clock = clock;
    this.ms = ms;
  }

  /** Expires `e` `ms` from now, unless it is removed first. */
  add(e: QueuedDeadline): void {
    e.dueAt = this.clock.now() + this.ms;
    e.nextDue = undefined;
    e.prevDue = this.tail;
    if (this.tail) this.tail.nextDue = e;
    else this.head = e;
    this.tail = e;
    if (!this.timer) this.timer = this.clock.setTimeout(fire, this.ms, this);
  }

  /** Takes `e` off the queue (nothing if it is not on it). */
  remove(e: QueuedDeadline): void {
    const { prevDue, nextDue } = e;
    if (prevDue) prevDue.nextDue = nextDue;
    else if (this.head === e) this.head = nextDue;
    else return;
    if (nextDue) nextDue.prevDue = prevDue;
    else this.tail = prevDue;
    e.prevDue = e.nextDue = undefined;
    if (!this.head) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** The timer: every entry whose deadline has come expires, in order; the timer is armed again for the next. */
  fire(): void {
    this.timer = undefined;
    const now = this.clock.now();
    let e = this.head;
    while (e && e.dueAt <= now) {
      this.remove(e);
      e.expired();
      e = this.head;
    }
    // armed for the head: an entry added again by expired() (a retransmission) armed it a whole
    // length away, past the deadline of those already waiting; and a real timer may fire a
    // fraction of a millisecond early (the event loop's time is in whole ms)
    if (e) {
      this.clock.clearTimeout(this.timer);
      this.timer = this.clock.setTimeout(fire, Math.ceil(e.dueAt - now), this);
    }
  }

}
