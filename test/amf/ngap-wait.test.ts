// The AMF's guard on an awaited NGAP answer (nodes/amf/n2.ts awaitNgap; TS 38.413 gives the AMF no
// timer for it). A second wait for the same answer of a UE takes the slot; the first wait's guard
// expiring must not remove the second's entry, or the answer that arrives for it is dropped as
// "not handled" and its procedure waits out its own guard. Virtual clock: no real time involved.

import { describe, it, expect } from 'vitest';
import { awaitNgap } from '../../nodes/amf/n2.ts';
import { VirtualClock } from '../../transport/clock.ts';
import type { Amf } from '../../nodes/amf/amf.ts';
import type { AmfUe } from '../../nodes/amf/context.ts';

function setUp() {
  const clock = new VirtualClock();
  const amf = { clock, timers: { ngapAnswerMs: 1_000 } } as unknown as Amf;
  const ue = { released: false, ngapWaiters: new Map() } as unknown as AmfUe;
  return { clock, amf, ue };
}

describe('awaitNgap guard (nodes/amf/n2.ts)', () => {
  it("the first wait's expiry leaves a later wait for the same answer in place; the answer reaches the later one", async () => {
    const { clock, amf, ue } = setUp();
    const first = awaitNgap(amf, ue, 'UEContextReleaseComplete');
    const firstOutcome = first.then(() => 'resolved', (e: Error) => e.message);
    clock.advance(500);
    const second = awaitNgap(amf, ue, 'UEContextReleaseComplete');
    clock.advance(500); // the first wait's guard: 1,000 ms after it began
    expect(await firstOutcome).toBe('no UEContextReleaseComplete within 1000 ms');
    const entry = ue.ngapWaiters.get('UEContextReleaseComplete');
    expect(entry).toBeDefined();
    const ies = new Map<string, unknown>([['AMF-UE-NGAP-ID', 1]]);
    entry!.resolve(ies);
    await expect(second).resolves.toBe(ies);
  });

  it('a wait alone is removed by its own expiry and rejected', async () => {
    const { clock, amf, ue } = setUp();
    const only = awaitNgap(amf, ue, 'InitialContextSetupResponse');
    const outcome = only.then(() => 'resolved', (e: Error) => e.message);
    clock.advance(1_000);
    expect(await outcome).toBe('no InitialContextSetupResponse within 1000 ms');
    expect(ue.ngapWaiters.size).toBe(0);
  });
});
