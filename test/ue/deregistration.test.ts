import { describe, it, expect } from 'vitest';
import { VirtualClock } from '../../transport/clock.ts';
import { UeDeregistration, T3521_MS, type DeregistrationOutcome, type UeDeregistrationContext } from '../../nodes/ue/deregistration.ts';
import { GmmState, gmmNext, InvalidGmmTransition } from '../../nodes/ue/gmm-state.ts';

function ue() {
  const clock = new VirtualClock();
  const sent: number[] = [];
  const released: DeregistrationOutcome[] = [];
  const ctx: UeDeregistrationContext = { state: GmmState.REGISTERED, clock, sendDeregistrationRequest: (_t, attempt) => sent.push(attempt), releaseLocally: (o) => released.push(o) };
  return { clock, sent, released, ctx, proc: new UeDeregistration(ctx) };
}

const normal = { switchOff: false, reRegistrationRequired: false, accessType: '3GPP' as const };

describe('UE-initiated de-registration, UE side (TS 24.501 5.5.2.2)', () => {
  it('normal: T3521 runs until the DEREGISTRATION ACCEPT, which releases locally', () => {
    const { clock, sent, released, ctx, proc } = ue();
    proc.start(normal);
    expect(ctx.state).toBe(GmmState.DEREGISTERED_INITIATED);
    expect(proc.t3521Running).toBe(true);
    clock.advance(T3521_MS - 1);
    expect(sent).toEqual([0]);
    expect(proc.onDeregistrationAccept()).toBe(true);
    expect(proc.t3521Running).toBe(false);
    expect(ctx.state).toBe(GmmState.DEREGISTERED);
    expect(released).toEqual(['accepted']);
    clock.advance(10 * T3521_MS);
    expect(sent).toEqual([0]); // nothing more after the accept
  });

  it('5.5.2.2.6 b): four retransmissions at 15 s intervals, abort on the fifth expiry (75 s of virtual time)', () => {
    const { clock, sent, released, ctx, proc } = ue();
    const t0 = performance.now();
    proc.start(normal);
    clock.advance(4 * T3521_MS);
    expect(sent).toEqual([0, 1, 2, 3, 4]);
    expect(released).toEqual([]);
    clock.advance(T3521_MS);
    expect(released).toEqual(['aborted-after-t3521']);
    expect(ctx.state).toBe(GmmState.DEREGISTERED);
    expect(clock.pending).toBe(0);
    expect(proc.onDeregistrationAccept()).toBe(false); // a late accept is ignored
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('switch off: one request, no timer, released at once', () => {
    const { clock, sent, released, ctx, proc } = ue();
    proc.start({ ...normal, switchOff: true });
    expect(sent).toEqual([0]);
    expect(clock.pending).toBe(0);
    expect(released).toEqual(['switched-off']);
    expect(ctx.state).toBe(GmmState.DEREGISTERED);
  });

  it('the 5GMM table refuses transitions the spec does not have', () => {
    expect(() => gmmNext(GmmState.DEREGISTERED, 'deregistration-requested')).toThrowError(InvalidGmmTransition);
    expect(gmmNext(GmmState.REGISTERED_INITIATED, 'registration-accepted')).toBe(GmmState.REGISTERED);
  });
});
