// The gNB's RRC connection admission (nodes/gnb/admission.ts) on the virtual clock: at most
// maxEstablishing UEs establishing at once, set-ups paced at setupsPerSecond, first come first
// served, a UE that leaves the queue never set up, and nothing held once every UE is done.
import { describe, it, expect } from 'vitest';
import { RrcAdmission, type AdmissionTicket } from '../../nodes/gnb/admission.ts';
import { VirtualClock } from '../../transport/clock.ts';

function rig(maxEstablishing: number, setupsPerSecond: number) {
  const clock = new VirtualClock(0);
  const a = new RrcAdmission({ maxEstablishing, setupsPerSecond }, clock);
  const started: { ue: number; at: number; ticket: AdmissionTicket }[] = [];
  const ask = (ue: number) => a.request((ticket) => started.push({ ue, at: clock.now(), ticket }));
  return { clock, a, started, ask };
}

describe('RRC connection admission (issue 21)', () => {
  it('admits at most maxEstablishing at once; the next starts when one is done, in arrival order', () => {
    const { clock, a, started, ask } = rig(3, 1000);
    const tickets = Array.from({ length: 5 }, (_, i) => ask(i));
    expect(started.map((s) => s.ue)).toEqual([0, 1, 2]);
    expect([a.establishing, a.queued]).toEqual([3, 2]);
    clock.advance(5); // tokens for the rate, so only the slots limit
    expect(started.length).toBe(3);
    started[1].ticket.done();
    expect(started.map((s) => s.ue)).toEqual([0, 1, 2, 3]);
    started[1].ticket.done(); // twice is once
    expect([a.establishing, a.queued]).toEqual([3, 1]);
    for (const t of tickets) t.done();
    expect(started.map((s) => s.ue)).toEqual([0, 1, 2, 3, 4]);
    for (const s of started) s.ticket.done();
    expect([a.establishing, a.queued]).toEqual([0, 0]);
  });

  it('paces set-ups at setupsPerSecond once the burst allowance (maxEstablishing) is spent', () => {
    const { clock, a, started, ask } = rig(4, 100); // one set-up every 10 ms
    for (let i = 0; i < 10; i++) ask(i);
    expect(started.length).toBe(4);
    for (const s of started) s.ticket.done(); // slots free, but no token yet
    expect(started.length).toBe(4);
    clock.advance(10);
    expect(started.length).toBe(5);
    started[4].ticket.done();
    clock.advance(9);
    expect(started.length).toBe(5);
    clock.advance(1);
    expect(started.length).toBe(6);
    for (let t = 0; t < 100 && started.length < 10; t++) {
      for (const s of started) s.ticket.done();
      clock.advance(10);
    }
    expect(started.map((s) => s.at)).toEqual([0, 0, 0, 0, 10, 20, 30, 40, 50, 60]);
    expect(a.stats.admitted).toBe(10);
  });

  it('a UE that gives up while queued is never set up and frees nothing it did not hold', () => {
    const { clock, a, started, ask } = rig(1, 1000);
    ask(0);
    const second = ask(1);
    ask(2);
    second.cancel();
    expect(a.queued).toBe(1);
    clock.advance(5);
    started[0].ticket.done();
    expect(started.map((s) => s.ue)).toEqual([0, 2]);
    expect([a.establishing, a.queued]).toEqual([1, 0]);
    expect(a.stats.cancelledWhileQueued).toBe(1);
  });

  it('refuses limits that cannot admit anyone', () => {
    expect(() => new RrcAdmission({ maxEstablishing: 0, setupsPerSecond: 10 }, new VirtualClock())).toThrow(RangeError);
    expect(() => new RrcAdmission({ maxEstablishing: 4, setupsPerSecond: 0 }, new VirtualClock())).toThrow(RangeError);
  });
});
