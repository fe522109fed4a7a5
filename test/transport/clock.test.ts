import { describe, it, expect } from 'vitest';
import { VirtualClock, HaltableClock, realClock, DeadlineQueue, type QueuedDeadline } from '../../transport/clock.ts';

describe('clock', () => {
  it('VirtualClock runs due timers in time order, including timers set by timers', () => {
    const c = new VirtualClock(1000);
    const seen: string[] = [];
    c.setTimeout(() => seen.push(`b@${c.now()}`), 20);
    const h = c.setTimeout(() => seen.push('cancelled'), 10);
    c.setTimeout(() => {
      seen.push(`a@${c.now()}`);
      c.setTimeout(() => seen.push(`c@${c.now()}`), 5);
    }, 10);
    c.clearTimeout(h);
    c.advance(14);
    expect(seen).toEqual(['a@1010']);
    c.advance(100);
    expect(seen).toEqual(['a@1010', 'c@1015', 'b@1020']);
    expect(c.now()).toBe(1114);
    expect(c.pending).toBe(0);
  });

  it('realClock fires and cancels', async () => {
    let fired = 0;
    realClock.setTimeout(() => fired++, 1);
    realClock.clearTimeout(realClock.setTimeout(() => (fired += 10), 1));
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(1);
  });

  it('hands a timer its argument (both clocks), and clearing a timer that ran does nothing', async () => {
    const c = new VirtualClock();
    const got: string[] = [];
    const seen = (who: { name: string }) => got.push(`${who.name}@${c.now()}`);
    c.setTimeout(seen, 5, { name: 'virtual' });
    c.advance(5);
    expect(got).toEqual(['virtual@5']);
    const ran = realClock.setTimeout((who: { name: string }) => got.push(who.name), 1, { name: 'real' });
    realClock.clearTimeout(realClock.setTimeout((who: string) => got.push(who), 1, 'cleared'));
    await new Promise((r) => setTimeout(r, 20));
    realClock.clearTimeout(ran);
    expect(got).toEqual(['virtual@5', 'real']);
  });

  it("a clock clears only its own timers: another clock's handle with the same id leaves them running", () => {
    const a = new VirtualClock();
    const b = new VirtualClock();
    const seen: string[] = [];
    const fromA = a.setTimeout(() => seen.push('a'), 5);
    const fromB = b.setTimeout(() => seen.push('b'), 5);
    expect(fromA.id).toBe(fromB.id); // both count from 1: an id alone cannot tell them apart
    b.clearTimeout(fromA);
    a.clearTimeout({ id: fromA.id }); // not a handle `a` gave out
    // a real timer's handle: its id is among the virtual clock's too
    const real = realClock.setTimeout(() => seen.push('real'), 60_000);
    realClock.clearTimeout(real);
    for (let i = 2; i <= real.id; i++) a.setTimeout(() => seen.push(`a${i}`), 5);
    a.clearTimeout(real);
    b.clearTimeout(real);
    a.advance(5);
    b.advance(5);
    expect(seen).toEqual(['a', ...Array.from({ length: real.id - 1 }, (_, k) => `a${k + 2}`), 'b']);
    // its own handles it still clears, once
    const own = a.setTimeout(() => seen.push('cleared'), 1);
    a.clearTimeout(own);
    a.clearTimeout(own);
    a.advance(1);
    expect(seen).not.toContain('cleared');
    expect(a.pending).toBe(0);
  });

  describe('DeadlineQueue', () => {
    /** An entry that records when it expired. */
    const entry = (name: string, c: VirtualClock, seen: string[]): QueuedDeadline => ({
      dueAt: 0,
      prevDue: undefined,
      nextDue: undefined,
      expired: () => seen.push(`${name}@${c.now()}`),
    });

    it('expires each entry its length after it was added, in order, on one timer', () => {
      const c = new VirtualClock(1000);
      const seen: string[] = [];
      const q = new DeadlineQueue(c, 100);
      const [a, b, d, e] = ['a', 'b', 'd', 'e'].map((n) => entry(n, c, seen));
      q.add(a);
      c.advance(30);
      q.add(b);
      q.add(d);
      expect(c.pending).toBe(1);
      c.advance(69);
      expect(seen).toEqual([]);
      c.advance(1);
      expect(seen).toEqual(['a@1100']);
      q.add(e);
      c.advance(29);
      expect(seen).toEqual(['a@1100']);
      c.advance(1);
      expect(seen).toEqual(['a@1100', 'b@1130', 'd@1130']);
      c.advance(1000);
      expect(seen).toEqual(['a@1100', 'b@1130', 'd@1130', 'e@1200']);
      expect(c.pending).toBe(0);
    });

    it('a removed entry never expires, wherever it was; an empty queue holds no timer', () => {
      const c = new VirtualClock();
      const seen: string[] = [];
      const q = new DeadlineQueue(c, 50);
      const [a, b, d, e] = ['a', 'b', 'd', 'e'].map((n) => entry(n, c, seen));
      q.add(a);
      c.advance(10);
      q.add(b);
      c.advance(10);
      q.add(d);
      q.add(e);
      q.remove(b); // in the middle
      q.remove(a); // the head: the timer armed for it finds d not due and waits for d
      q.remove(a); // twice: nothing
      c.advance(49);
      expect(seen).toEqual([]);
      expect(c.pending).toBe(1);
      c.advance(1);
      expect(seen).toEqual(['d@70', 'e@70']);
      q.add(a);
      q.remove(a); // the last: the timer goes too
      expect(c.pending).toBe(0);
      c.advance(100);
      expect(seen).toEqual(['d@70', 'e@70']);
    });

    it('an entry added again as it expires (a retransmission) does not delay the entries already waiting', () => {
      const c = new VirtualClock();
      const seen: string[] = [];
      const q = new DeadlineQueue(c, 100);
      let again = 2;
      const a: QueuedDeadline = {
        dueAt: 0,
        prevDue: undefined,
        nextDue: undefined,
        expired: () => {
          seen.push(`a@${c.now()}`);
          if (again-- > 0) q.add(a); // as PFCP T1: sent again, its next T1 starts
        },
      };
      const b = entry('b', c, seen);
      q.add(a);
      c.advance(50);
      q.add(b);
      c.advance(1000);
      expect(seen).toEqual(['a@100', 'b@150', 'a@200', 'a@300']);
      expect(c.pending).toBe(0);
    });

    it('on the real clock, expires no entry before its length has passed', async () => {
      const seen: number[] = [];
      const q = new DeadlineQueue(realClock, 15);
      const t0 = performance.now();
      for (let i = 0; i < 3; i++) q.add({ dueAt: 0, prevDue: undefined, nextDue: undefined, expired: () => seen.push(performance.now() - t0) });
      // bounded wait (a busy machine may fire late, never early)
      for (let waited = 0; seen.length < 3 && waited < 10_000; waited += 5) await new Promise((r) => setTimeout(r, 5));
      expect(seen).toHaveLength(3);
      for (const at of seen) expect(at).toBeGreaterThanOrEqual(15);
    });
  });

  it('HaltableClock: its timers run on the base clock until it is halted, then fire into nothing, those set after too', () => {
    const base = new VirtualClock(0);
    const c = new HaltableClock(base);
    const seen: string[] = [];
    c.setTimeout((what: string) => seen.push(`${what}@${c.now()}`), 10, 'first');
    const cleared = c.setTimeout(() => seen.push('cleared'), 15);
    c.setTimeout(() => seen.push('after the halt'), 30);
    c.clearTimeout(cleared);
    base.advance(20);
    expect(seen).toEqual(['first@10']);
    c.halt();
    c.setTimeout(() => seen.push('set after the halt'), 5);
    base.advance(100);
    expect(seen).toEqual(['first@10']);
    expect(base.pending).toBe(0); // they fired, doing nothing
  });
});

