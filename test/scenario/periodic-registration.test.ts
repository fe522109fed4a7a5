// Periodic registration update on T3512 expiry (TS 24.501 5.3.7, 5.5.1.3; TS 23.502 4.2.2.2.2),
// over real sockets with the UE's timers on a VirtualClock: T3512 (from the Registration accept)
// starts when the UE goes idle and not before; on expiry the UE sends a Registration request of
// type "periodic registration updating" on a new connection; the AMF checks it with the stored
// context, accepts it without a new 5G-GUTI, releases the connection it no longer needs (TS 24.501
// 5.5.1.3.4, follow-on request not pending) and restarts its mobile reachable timer; T3512 starts
// again. A UE that goes connected meanwhile (a PDU session from idle: Service request "signalling")
// has its T3512 stopped. Every ledger is back at its start after the UE deregisters.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { VirtualClock } from '../../transport/clock.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import type { LedgerSnapshot } from '../../nodes/common/ledger.ts';
import { startTestNetwork, type TestNetwork } from '../helpers/network.ts';

const SUPI = 'imsi-001010000191001';
let net: TestNetwork;
let before: Record<string, LedgerSnapshot>;

beforeAll(async () => {
  net = await startTestNetwork(205, [SUPI]);
  await net.quiet();
  before = net.ledgers();
});
afterAll(async () => {
  await net?.stop();
});

/** Resolves at the UE's next RRC release. */
const nextRelease = (u: { once(e: 'rrcRelease', f: () => void): unknown }) => new Promise<void>((r) => u.once('rrcRelease', () => r()));

describe('periodic registration update (TS 24.501 5.3.7)', () => {
  it('T3512 runs in idle only; on expiry the update goes, the AMF accepts and releases, T3512 starts again', async () => {
    const clock = new VirtualClock();
    const u = net.ue(SUPI, { clock });
    const reg = await u.register(net.gnb);
    // default amf.t3512Seconds 3240, sent as GPRS timer 3 (5 x 10 min = 3000 s: the unit rounds down)
    const t3512 = reg.t3512Seconds!;
    expect(t3512).toBeGreaterThan(0);
    await net.quiet();
    // connected: no T3512
    clock.advance(t3512 * 1000 + 1000);
    expect(u.stats.t3512Expiries).toBe(0);
    await net.gnb.releaseAn(u.side);
    await net.quiet();
    expect(u.connected).toBe(false);
    const amfUe = () => net.core.amf.bySupi.get(SUPI)!;
    const reachable = amfUe().mobileReachableTimer;
    expect(reachable).toBeDefined();
    const guti = u.fiveGGuti;

    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    try {
      clock.advance(t3512 * 1000 - 1);
      expect(u.stats.t3512Expiries).toBe(0);
      const released = nextRelease(u);
      clock.advance(1);
      expect(u.stats.t3512Expiries).toBe(1);
      await released;
      await net.quiet();
    } finally {
      off();
    }
    const steps = events.filter((e) => e.interface === 'N1' || e.interface === 'N2').map((e) => `${e.from}>${e.to} ${e.message} [${e.step ?? ''}]`);
    const at = (re: RegExp) => steps.findIndex((s) => re.test(s));
    expect(at(/UE>AMF Registration request \[4\.2\.2\.2\.2 step 1 \(periodic registration update\)\]/)).toBe(0);
    expect(at(/gNB>AMF InitialUEMessage/)).toBeGreaterThan(0);
    expect(at(/AMF>UE Registration accept/)).toBeGreaterThan(at(/InitialUEMessage/));
    expect(at(/AMF>gNB UEContextReleaseCommand \[TS 24\.501 5\.5\.1\.3\.4\]/)).toBeGreaterThan(at(/Registration accept/));
    expect(steps.some((s) => /Authentication request|Identity request|Registration complete/.test(s))).toBe(false);
    expect(u.fiveGGuti).toEqual(guti); // TS 33.501 6.12.3: the periodic update keeps the 5G-GUTI
    expect(u.connected).toBe(false);
    expect(net.core.amf.stats.releasesAfterUpdate).toBe(1);
    // the AMF's mobile reachable timer runs again, a new one (TS 24.501 5.3.7)
    expect(amfUe().mobileReachableTimer).toBeDefined();
    expect(amfUe().mobileReachableTimer).not.toBe(reachable);
    expect(amfUe().state).toBe('5GMM-REGISTERED');

    // T3512 started again in idle: a second expiry, a second update
    const again = nextRelease(u);
    clock.advance(t3512 * 1000);
    await again;
    await net.quiet();
    expect(u.stats.t3512Expiries).toBe(2);
    expect(net.core.amf.stats.releasesAfterUpdate).toBe(2);

    // a PDU session from idle: Service request (signalling) first; connected, T3512 does not run
    await u.establishPduSession(1);
    expect(u.sent).toContain('Service request');
    clock.advance(t3512 * 1000 * 2);
    expect(u.stats.t3512Expiries).toBe(2);
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await net.quiet();
    clock.advance(t3512 * 1000 * 2);
    expect(u.stats.t3512Expiries).toBe(2);
    expect(net.ledgers()).toEqual(before);
  });

  it('the update from a connected UE keeps the connection (only an update from idle is released)', async () => {
    const u = net.ue(SUPI, { clock: new VirtualClock() });
    await u.register(net.gnb);
    await u.updateRegistration({ type: 'periodic' });
    await net.quiet();
    expect(u.connected).toBe(true);
    expect(net.core.amf.stats.releasesAfterUpdate).toBe(2);
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await net.quiet();
    expect(net.ledgers()).toEqual(before);
  });
});

