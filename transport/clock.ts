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
