import { describe, it, expect } from 'vitest';
import { VirtualClock, realClock } from '../../transport/clock.ts';

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
});
