// UE-requested PDU session release, UE side (TS 24.501 6.4.3) on the virtual clock: the request
// and T3582, the command with the same PTI completing it, a command with another PTI left to the
// network-requested path (6.3.3), the reject (6.4.3.4), and the fifth T3582 expiry (6.4.3.6 a).

import { describe, it, expect } from 'vitest';
import { VirtualClock } from '../../transport/clock.ts';
import { UePduSessionRelease, T3582_MS, PduSessionReleaseRejected, type PduSessionReleaseOutcome } from '../../nodes/ue/procedures/pdu-session-release.ts';

function ue() {
  const clock = new VirtualClock();
  const log: string[] = [];
  let pti = 10;
  const proc = new UePduSessionRelease({
    clock,
    allocatePti: () => pti++,
    sendReleaseRequest: (psi, p, attempt) => log.push(`request ${psi} pti ${p} attempt ${attempt}`),
    sendReleaseComplete: (psi, p) => log.push(`complete ${psi} pti ${p}`),
    releaseLocally: (psi) => log.push(`released ${psi}`),
  });
  return { clock, log, proc };
}

describe('UE-requested PDU session release, UE side (TS 24.501 6.4.3)', () => {
  it('the command with the request\'s PTI stops T3582, releases the session and is completed', async () => {
    const { clock, log, proc } = ue();
    const done = proc.start(2);
    expect(proc.isReleasing(2)).toBe(true);
    clock.advance(T3582_MS - 1);
    expect(proc.onReleaseCommand(2, 99)).toBe(false); // another PTI: a network-requested release
    expect(proc.onReleaseCommand(2, 10)).toBe(true);
    expect(await done).toBe<PduSessionReleaseOutcome>('released');
    expect(log).toEqual(['request 2 pti 10 attempt 0', 'released 2', 'complete 2 pti 10']);
    clock.advance(10 * T3582_MS);
    expect(log).toHaveLength(3);
    expect(proc.isReleasing(2)).toBe(false);
  });

  it('T3582 retransmits four times; the fifth expiry releases the session locally', async () => {
    const { clock, log, proc } = ue();
    const done = proc.start(1);
    for (let i = 0; i < 5; i++) clock.advance(T3582_MS);
    expect(await done).toBe('released-locally-after-t3582');
    expect(log).toEqual([0, 1, 2, 3, 4].map((a) => `request 1 pti 10 attempt ${a}`).concat('released 1'));
  });

  it('a reject with the PTI ends the procedure with the 5GSM cause; the session stays', async () => {
    const { log, proc } = ue();
    const done = proc.start(3);
    expect(proc.onReleaseReject(3, 10, 43)).toBe(true);
    await expect(done).rejects.toBeInstanceOf(PduSessionReleaseRejected);
    await expect(done).rejects.toThrow(/#43/);
    expect(log).toEqual(['request 3 pti 10 attempt 0']);
  });

  it('a second release of the same session while one runs is refused', async () => {
    const { proc } = ue();
    void proc.start(4);
    await expect(proc.start(4)).rejects.toThrow(/already being released/);
  });
});
