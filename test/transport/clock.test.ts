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
});
