// UE-initiated Deregistration end to end (TS 23.502 4.2.2.3.2) over real sockets: zero, one and
// several PDU sessions, a deregistration colliding with a PDU session still being established,
// the Loss of Connectivity report of step 7a, and 1,000 UEs through the whole life cycle with
// every NF's ledger back at its start.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCore, type Core } from '../../nodes/core.ts';
import { runScenario } from '../../nodes/scenario.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import type { Ue } from '../../nodes/ue/ue.ts';
import { SbiServer } from '../../transport/sbi/server.ts';
import { Http2SbiClient } from '../../transport/sbi/client.ts';
import { DEFAULT_SUBSCRIBER, type NetworkConfig } from '../../nodes/common/config.ts';
import type { LedgerSnapshot } from '../../nodes/common/ledger.ts';
import { testConfig, startTestNetwork, type TestNetwork } from '../helpers/network.ts';

let net: TestNetwork;
let cfg: NetworkConfig;
let core: Core;
let gnb: Gnb;
const supi = (i: number) => `imsi-0010100000002${String(i).padStart(2, '0')}`;
const ue = (i: number): Ue => net.ue(supi(i));
const quiet = (): Promise<void> => net.quiet();
const ledgers = (): Record<string, LedgerSnapshot> => net.ledgers();

beforeAll(async () => {
  net = await startTestNetwork(5, Array.from({ length: 10 }, (_, i) => supi(i)));
  ({ cfg, core, gnb } = net);
});

afterAll(async () => {
  await net?.stop();
});

describe('UE-initiated Deregistration (TS 23.502 4.2.2.3.2)', () => {
  it('with no PDU session: steps 2-5 are skipped, the rest runs, nothing stays', async () => {
    const before = ledgers();
    const u = ue(0);
    await u.register(gnb);
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await quiet();
    expect(ledgers()).toEqual(before);
    expect(u.received.at(-1)).toBe('Deregistration accept (UE originating)');
  });

  it('with two PDU sessions: both released (two N4 deletions with usage), both answered, nothing stays', async () => {
    const before = ledgers();
    const u = ue(1);
    await u.register(gnb);
    const a = await u.establishPduSession(1);
    const b = await u.establishPduSession(2);
    expect(a.address).not.toBe(b.address);
    await u.ping(cfg.dataNetwork, 1, { psi: 1 });
    await u.ping(cfg.dataNetwork, 2, { psi: 2 });
    expect(core.upf.ledger.snapshot()['sessions (SEIDs)']).toBe(before.UPF['sessions (SEIDs)'] + 2);
    expect(gnb.camped.has(u.side)).toBe(true);
    expect(await u.deregister({ switchOff: true })).toBe('switched-off');
    await quiet();
    expect(ledgers()).toEqual(before);
    expect(u.received).not.toContain('Deregistration accept (UE originating)');
    // issue 21: a UE switched off no longer camps on the cell (the gNB kept every UE of a 100,000-UE run)
    expect(gnb.camped.has(u.side)).toBe(false);
  });

  it('colliding with a PDU session still being established: both procedures end cleanly, nothing stays', async () => {
    const before = ledgers();
    const u = ue(2);
    await u.register(gnb);
    const establishing = u.establishPduSession(1).then((s) => `established ${s.address}`, (e: Error) => `ended: ${e.message}`);
    const outcome = await u.deregister({ switchOff: false });
    expect(outcome).toBe('accepted');
    // either outcome is allowed by the spec, each with its consequences: an established session is
    // gone with the deregistration (TS 24.501 5.5.2.2.2: released locally), an establishment cut
    // short ends with the local release, never with a timer or a stray error
    const result = await establishing;
    if (result.startsWith('established')) expect(u.sessions.size).toBe(0);
    else expect(result).toBe('ended: PDU session 1 released locally');
    await quiet();
    expect(ledgers()).toEqual(before);
  });

  it('for non-3GPP access only: accepted, and the 3GPP registration, its PDU session and its N2 connection stay', async () => {
    const start = ledgers();
    const u = ue(5);
    await u.register(gnb);
    await u.establishPduSession(1);
    await quiet();
    const before = ledgers();
    expect(await u.deregister({ switchOff: false, accessType: 2 })).toBe('accepted');
    await quiet();
    expect(core.amf.stateOf(supi(5))).toBe('5GMM-REGISTERED');
    expect(ledgers()).toEqual(before);
    // the 3GPP registration then ends as usual
    const v = ue(5);
    await v.register(gnb);
    await v.deregister({ switchOff: true });
    await quiet();
    expect(core.amf.stateOf(supi(5))).toBeUndefined();
    // the first registration's PDU session and NG connection went when the second replaced it
    expect(ledgers()).toEqual(start);
  });

  it('a UE preferring NEA2 takes the NEA0 this AMF is configured for', async () => {
    const before = ledgers();
    const u = net.ue(supi(6), { security: { ciphering: 'NEA2' } });
    const r = await u.register(gnb);
    expect(r.ciphering).toBe(0); // this AMF is configured for NEA0: the UE takes what the AMF selects
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await quiet();
    expect(ledgers()).toEqual(before);
  });

  it('with NEA2 ciphering (an AMF configured for it) the whole life cycle works the same', async () => {
    const c = testConfig(128);
    c.security = { ...c.security, ciphering: 'NEA2' };
    const nea2Core = await startCore({ ...c, subscribers: [{ ...DEFAULT_SUBSCRIBER, supi: supi(7) }] }, { database: ':memory:' });
    const nea2Gnb = await Gnb.start({ address: c.addresses.gnb, amfAddress: c.addresses.amf, plmn: c.plmn, tac: c.tac, snssai: c.snssai, gnbId: 128, name: 'nea2-gnb' });
    try {
      const before = nea2Core.ledgers();
      const u = net.ue(supi(7), { security: { ciphering: 'NEA2' } });
      const r = await u.register(nea2Gnb);
      expect(r.ciphering).toBe(2); // 128-NEA2 selected (TS 33.501 6.7.2)
      expect(u.security?.cipheringAlgorithm).toBe(2);
      await u.establishPduSession(1);
      expect(await u.ping(c.dataNetwork, 1)).toBeGreaterThanOrEqual(0);
      expect(u.discarded).toEqual([]); // every ciphered downlink message deciphered and verified
      expect(await u.deregister({ switchOff: false })).toBe('accepted');
      for (let i = 0; i < 3; i++) {
        await nea2Core.settled();
        await new Promise((t) => setTimeout(t, 30));
      }
      expect(nea2Core.ledgers()).toEqual(before);
    } finally {
      await nea2Gnb.stop();
      await nea2Core.stop();
    }
  });

  it('with an Unavailability Period Duration: the NF subscribed to Loss of Connectivity is told the remaining duration (step 7a)', async () => {
    const notes: unknown[] = [];
    const nef = await SbiServer.listen({ address: '127.0.5.30', port: 8080, nfType: 'NEF', routes: [{ method: 'POST', path: '/nnef-callback/v1/loss', operation: 'Namf_EventExposure_Notify', handler: (req) => { notes.push(req.body); return { status: 204 }; } }] });
    const client = new Http2SbiClient({ userAgent: 'NEF', localAddress: '127.0.5.30' });
    try {
      const sub = await client.call('POST', `http://${cfg.addresses.amf}:${cfg.ports.sbi}/namf-evts/v1/subscriptions`, { subscription: { eventList: [{ type: 'LOSS_OF_CONNECTIVITY' }], eventNotifyUri: 'http://127.0.5.30:8080/nnef-callback/v1/loss', notifyCorrelationId: 'c-1', nfId: 'nef-1', supi: supi(3) } });
      expect(sub.status).toBe(201);
      const before = ledgers();
      const u = ue(3);
      await u.register(gnb);
      await u.establishPduSession(1);
      expect(await u.deregister({ switchOff: false, unavailabilitySeconds: 3600 })).toBe('accepted');
      await quiet();
      expect(notes).toHaveLength(1);
      const report = (notes[0] as { notifyCorrelationId: string; reportList: { type: string; supi: string; lossOfConnectReason: string; unavailabilityPeriod: number }[] });
      expect(report.notifyCorrelationId).toBe('c-1');
      expect(report.reportList[0]).toMatchObject({ type: 'LOSS_OF_CONNECTIVITY', supi: supi(3), lossOfConnectReason: 'DEREGISTERED' });
      expect(report.reportList[0].unavailabilityPeriod).toBeGreaterThanOrEqual(3599);
      expect(report.reportList[0].unavailabilityPeriod).toBeLessThanOrEqual(3600);
      expect(ledgers()).toEqual(before);
      expect((await client.call('DELETE', sub.headers.location!)).status).toBe(204);
      // a UE nobody subscribed for: no notification
      const other = ue(4);
      await other.register(gnb);
      await other.deregister({ switchOff: true, unavailabilitySeconds: 60 });
      await quiet();
      expect(notes).toHaveLength(1);
    } finally {
      await client.close();
      await nef.close();
    }
  });
});

describe('nothing left behind (issue: deregistration)', () => {
  it('1,000 UEs (250 at a time) register, establish a PDU session, ping, deregister (switch off and normal alternating): every ledger is back at its start', async () => {
    const big = testConfig(6);
    big.ue.count = 1000;
    const r = await runScenario(big, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-1000-')), database: ':memory:', deregistration: 'mixed', parallel: 250, pings: 1, capture: false });
    expect(r.ues.filter((u) => u.error).map((u) => `${u.supi}: ${u.error}`).slice(0, 5)).toEqual([]);
    expect(r.leftBehind).toEqual({});
    expect(r.ok).toBe(true);
    // addresses are reused once released (a UE done early frees its own for a later one)
    expect(r.ues.filter((u) => !/^10\.45\.\d+\.\d+$/.test(u.address ?? ''))).toEqual([]);
    r.ues.forEach((u, i) => {
      expect(u.rttsMs).toHaveLength(1);
      const accepted = u.received.includes('Deregistration accept (UE originating)');
      expect(`${u.supi} ${u.deregistration} accept:${accepted}`).toBe(`${u.supi} ${i % 2 === 0 ? 'switched-off' : 'accepted'} accept:${i % 2 !== 0}`);
    });
    // ~10 s on an idle 2-core machine; the bound only catches a hang (it took over 120 s at load 12)
  }, 600_000);
});
