// Mobility and periodic registration updates (TS 24.501 5.5.1.3; TS 23.502 4.2.2.2.2 for a UE the
// AMF knows) over real sockets: the AMF reads the 5GS registration type, keeps the UE's context
// (UDM registration, policies, PDU sessions) instead of tearing it down, checks an idle UE's
// request with the stored 5G NAS security context, allocates ngKSIs the UE does not hold and
// answers #71 with the same challenge under a new ngKSI (5.4.1.3.7), and registers at the UDM with
// initialRegistrationInd only for an initial registration. What the UDR stored is read back over
// node:http2 (TS 29.505 QueryAmfContext3gpp), not through wire5g's SBI client.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { connect } from 'node:http2';
import { DEFAULT_SUBSCRIBER, type NetworkConfig } from '../../nodes/common/config.ts';
import { startCore, type Core } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { GmmState } from '../../nodes/ue/gmm-state.ts';
import { sendNas } from '../../nodes/ue/n1.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import type { LedgerSnapshot } from '../../nodes/common/ledger.ts';
import { decodeNas, nasMessage } from '../../codecs/nas/index.ts';
import { testConfig } from '../helpers/network.ts';

interface Net {
  cfg: NetworkConfig;
  core: Core;
  gnb: Gnb;
  ue(i: number): Ue;
  ledgers(): Record<string, LedgerSnapshot>;
  quiet(): Promise<void>;
  stop(): Promise<void>;
  /** The core's log lines. */
  logs: string[];
}

const supi = (third: number, i: number) => `imsi-00101000${third}00${String(i).padStart(2, '0')}`;

async function startNet(third: number, authenticateUpdates: boolean): Promise<Net> {
  const base = testConfig(third);
  const cfg: NetworkConfig = { ...base, amf: { ...base.amf, authenticateUpdates }, subscribers: Array.from({ length: 6 }, (_, i) => ({ ...DEFAULT_SUBSCRIBER, supi: supi(third, i) })) };
  const logs: string[] = [];
  const core = await startCore(cfg, { database: ':memory:', log: (l) => logs.push(l) });
  const gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: third, name: `test-gnb-${third}` });
  const s = DEFAULT_SUBSCRIBER;
  return {
    logs,
    cfg,
    core,
    gnb,
    ue: (i) => new Ue({ supi: supi(third, i), k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930101' }),
    ledgers: () => ({ ...core.ledgers(), gNB: gnb.ledger.snapshot() }),
    quiet: async () => {
      for (let i = 0; i < 3; i++) {
        await core.settled();
        await new Promise((r) => setTimeout(r, 30));
      }
    },
    stop: async () => {
      await gnb.stop();
      await core.stop();
    },
  };
}

/** The UDR's Amf3GppAccessRegistration of `ue`, over node:http2 (TS 29.505 QueryAmfContext3gpp). */
function udrAmfRegistration(cfg: NetworkConfig, ueId: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://${cfg.addresses.udr}:${cfg.ports.sbi}`);
    session.on('error', reject);
    const req = session.request({ ':method': 'GET', ':path': `/nudr-dr/v1/subscription-data/${ueId}/context-data/amf-3gpp-access`, accept: 'application/json' });
    let status = 0;
    let text = '';
    req.on('response', (h) => (status = Number(h[':status'])));
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      session.close();
      resolve({ status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Trace events while `fn` runs. */
async function traced<T>(fn: () => Promise<T>): Promise<{ result: T; events: TraceEvent[] }> {
  const events: TraceEvent[] = [];
  const off = subscribeTrace((e) => events.push(e));
  try {
    return { result: await fn(), events };
  } finally {
    off();
  }
}

let keep: Net;
let reauth: Net;

beforeAll(async () => {
  keep = await startNet(123, false);
  reauth = await startNet(124, true);
});

afterAll(async () => {
  await keep?.stop();
  await reauth?.stop();
});

describe('registration update, context kept (TS 24.501 5.5.1.3)', () => {
  it('mobility update while connected: no new authentication, UDM registration and PDU session kept, a new 5G-GUTI acknowledged', async () => {
    const before = keep.ledgers();
    const u = keep.ue(0);
    await u.register(keep.gnb);
    const ngKsi = u.security!.ngKsi;
    await u.establishPduSession(1);
    const oldGuti = u.fiveGGuti!;
    const amfBefore = keep.core.amf.ledger.snapshot();
    const { events } = await traced(() => u.updateRegistration({ type: 'mobility' }));
    expect(u.state).toBe(GmmState.REGISTERED);
    expect(u.fiveGGuti!.tmsi).not.toBe(oldGuti.tmsi); // TS 33.501 6.12.3: a new 5G-GUTI on a mobility update
    expect(u.sent.at(-1)).toBe('Registration complete');
    expect(u.security!.ngKsi).toBe(ngKsi);
    const names = events.map((e) => e.message);
    expect(names).not.toContain('Authentication request');
    expect(names).not.toContain('Nudm_UECM_Registration');
    expect(names).not.toContain('Npcf_AMPolicyControl_Create');
    expect(names).not.toContain('Nsmf_PDUSession_ReleaseSMContext');
    expect(keep.core.amf.ledger.snapshot()).toEqual(amfBefore);
    // the user plane of the kept session still works
    expect(await u.ping(keep.cfg.dataNetwork, 1)).toBeGreaterThanOrEqual(0);
    const udr = await udrAmfRegistration(keep.cfg, u.supi);
    expect(udr.status).toBe(200);
    expect(udr.body.initialRegistrationInd).toBe(true); // from the initial registration
    expect(await u.deregister({ switchOff: true })).toBe('switched-off');
    await keep.quiet();
    expect(keep.ledgers()).toEqual(before);
  });

  it('periodic update from idle: checked with the stored context, the sessions the UE dropped released at the SMF, the 5G-GUTI kept', async () => {
    const before = keep.ledgers();
    const u = keep.ue(1);
    await u.register(keep.gnb);
    await u.establishPduSession(1);
    const guti = u.fiveGGuti!;
    // AN release (TS 23.502 4.2.6) with the gNB's cause: the UE goes idle, the AMF keeps its registration
    const { events: release } = await traced(() => keep.gnb.releaseAn(u.side, { radioNetwork: 'radio-connection-with-ue-lost' }));
    expect(u.connected).toBe(false);
    expect(release.find((e) => e.message === 'UEContextReleaseCommand')).toBeDefined();
    await keep.quiet();
    expect(keep.core.amf.stateOf(u.supi)).toBe('5GMM-REGISTERED');
    expect(keep.core.amf.ledger.snapshot()['PDU sessions']).toBe(before.AMF['PDU sessions'] + 1);
    // CM-IDLE keeps the PDU session in the UE (issue 15); a UE that released it locally meanwhile
    // (TS 24.501 6.4.3.5, say) tells the network with its PDU session status
    expect([...u.sessions.keys()]).toEqual([1]);
    u.sessions.delete(1);
    const { events } = await traced(() => u.updateRegistration({ type: 'periodic' }));
    await keep.quiet();
    expect(u.state).toBe(GmmState.REGISTERED);
    expect(u.fiveGGuti).toEqual(guti);
    expect(u.sent.at(-1)).toBe('Registration request'); // no new 5G-GUTI: no Registration complete
    const names = events.map((e) => e.message);
    expect(names).not.toContain('Authentication request');
    expect(names).not.toContain('Identity request');
    expect(names).toContain('Nsmf_PDUSession_ReleaseSMContext'); // PDU session status: none active in the UE
    const amf = keep.core.amf.ledger.snapshot();
    expect(amf['PDU sessions']).toBe(before.AMF['PDU sessions']);
    expect(amf['UDM registrations']).toBe(before.AMF['UDM registrations'] + 1);
    expect(keep.core.ledgers().SMF['SM contexts']).toBe(before.SMF['SM contexts']);
    expect(await u.establishPduSession(2).then((s) => s.address)).toMatch(/^10\.45\./);
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await keep.quiet();
    expect(keep.ledgers()).toEqual(before);
  });

  it('mobility update from a UE whose 5G-GUTI another AMF assigned: identified, authenticated, registered at the UDM with initialRegistrationInd false', async () => {
    const before = keep.ledgers();
    const u = keep.ue(2);
    // the UE comes from AMF 9/9/9 without a valid 5G NAS security context (ngKSI 7)
    u.guti = { type: '5g-guti', plmn: keep.cfg.plmn, amfRegionId: 9, amfSetId: 9, amfPointer: 9, tmsi: 0x1234 };
    u.gmm = GmmState.REGISTERED;
    u.cell = keep.gnb;
    const r = await u.updateRegistration({ type: 'mobility' });
    expect(u.received).toContain('Identity request');
    expect(u.security!.ngKsi).toBeLessThan(7);
    expect(r.guti?.amfRegionId).toBe(keep.cfg.amf.regionId);
    const udr = await udrAmfRegistration(keep.cfg, u.supi);
    expect(udr.status).toBe(200);
    expect(udr.body.initialRegistrationInd).toBe(false);
    // the update came from idle: the AMF releases the connection after it (TS 24.501 5.5.1.3.4)
    await keep.quiet();
    expect(u.connected).toBe(false);
    expect(await u.deregister({ switchOff: true })).toBe('switched-off');
    await keep.quiet();
    expect(keep.ledgers()).toEqual(before);
    expect((await udrAmfRegistration(keep.cfg, u.supi)).status).toBe(404);
  });
});

describe('registration update, authenticated again (amf.authenticateUpdates)', () => {
  it('allocates an ngKSI the UE does not hold: the UE takes the new context, no #71, no Authentication reject', async () => {
    const before = reauth.ledgers();
    const u = reauth.ue(0);
    await u.register(reauth.gnb);
    const first = u.security!.ngKsi;
    const { events } = await traced(() => u.updateRegistration({ type: 'mobility' }));
    expect(u.state).toBe(GmmState.REGISTERED);
    expect(u.security!.ngKsi).not.toBe(first);
    const names = events.map((e) => e.message);
    expect(names).toContain('Authentication request');
    expect(names).toContain('Security mode command');
    expect(u.sent).not.toContain('Authentication failure');
    expect(u.received).not.toContain('Authentication reject');
    expect(events.filter((e) => e.message === 'Nudm_UECM_Registration')).toHaveLength(0);
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await reauth.quiet();
    expect(reauth.ledgers()).toEqual(before);
  });

  it('#71 "ngKSI already in use": the same challenge again with another ngKSI, and the registration completes', async () => {
    const before = reauth.ledgers();
    const u = reauth.ue(1);
    await u.register(reauth.gnb);
    // a UE that answers the first challenge of the update with #71 (as one holding that ngKSI in another context would)
    const challenges: { ngKsi: number; rand: string; autn: string }[] = [];
    const deliver = u.side.onDownlinkNas;
    u.side.onDownlinkNas = (bytes) => {
      const pdu = decodeNas(bytes);
      const m = pdu.kind === 'plain' ? pdu.message : undefined;
      if (m?.name === 'Authentication request') {
        challenges.push({ ngKsi: (m.ies.ngKsi as { ksi: number }).ksi, rand: Buffer.from(m.ies.rand as Uint8Array).toString('hex'), autn: Buffer.from(m.ies.autn as Uint8Array).toString('hex') });
        if (challenges.length === 1) {
          sendNas(u, nasMessage('Authentication failure', { fiveGmmCause: 71 }), 'Authentication failure', '4.2.2.2.2 step 9 (test: #71)');
          return;
        }
      }
      deliver(bytes);
    };
    await u.updateRegistration({ type: 'periodic' });
    u.side.onDownlinkNas = deliver;
    expect(challenges).toHaveLength(2);
    expect(challenges[1].ngKsi).not.toBe(challenges[0].ngKsi);
    expect(challenges[1].rand).toBe(challenges[0].rand);
    expect(challenges[1].autn).toBe(challenges[0].autn);
    expect(u.security!.ngKsi).toBe(challenges[1].ngKsi);
    expect(u.received).not.toContain('Authentication reject');
    expect(await u.deregister({ switchOff: true })).toBe('switched-off');
    await reauth.quiet();
    expect(reauth.ledgers()).toEqual(before);
  });
});

describe('Initial Context Setup Failure (TS 38.413 8.3.1.3)', () => {
  it('a UE that leaves before its context is set up: the gNB answers with the failure, the AMF ends the registration at once and keeps nothing', async () => {
    const before = keep.ledgers();
    const u = keep.ue(3);
    // the UE leaves the cell right after its Security mode complete, before the Initial Context Setup
    u.on('nas', (name) => {
      if (name === 'Security mode command') setImmediate(() => u.releaseConnectionLocally());
    });
    const { events } = await traced(async () => {
      // the UE itself gives up at T3510 (15 s, TS 24.501 5.5.1.2.7 c): not awaited here
      void u.register(keep.gnb).catch(() => undefined);
      // the registration ends well within T3550 (6 s): no Registration accept is resent
      for (let i = 0; i < 200 && keep.core.amf.ledger.snapshot()['UE contexts'] !== before.AMF['UE contexts']; i++) await new Promise((r) => setTimeout(r, 25));
      await keep.quiet();
      u.removeAllListeners('nas');
    });
    const names = events.map((e) => `${e.message} ${e.step ?? ''}`);
    expect(names.some((n) => n.startsWith('InitialContextSetupFailure'))).toBe(true);
    expect(names.filter((n) => n.includes('T3550 retransmission'))).toEqual([]);
    expect(names.some((n) => n.startsWith('UEContextReleaseCommand'))).toBe(true);
    expect(keep.ledgers()).toEqual(before);
  });
});

describe('releases the peer refuses are logged (issue 23: the AMF ignored non-2xx answers)', () => {
  it('an AM policy association the PCF no longer has: the deregistration goes on, the 404 is logged and counted', async () => {
    const before = keep.ledgers();
    const u = keep.ue(4);
    await u.register(keep.gnb);
    const uri = new URL(keep.core.amf.bySupi.get(u.supi)!.amPolicyUri!);
    // the association disappears at the PCF behind the AMF's back (a test client over node:http2)
    const status = await new Promise<number>((resolve, reject) => {
      const s = connect(uri.origin);
      s.on('error', reject);
      const r = s.request({ ':method': 'DELETE', ':path': uri.pathname });
      r.on('response', (h) => resolve(Number(h[':status'])));
      r.on('close', () => s.close());
      r.end();
    });
    expect(status).toBe(204);
    const refusals = keep.core.amf.stats.releaseRefusals;
    expect(await u.deregister({ switchOff: false })).toBe('accepted');
    await keep.quiet();
    expect(keep.core.amf.stats.releaseRefusals).toBe(refusals + 1);
    expect(keep.logs.filter((l) => l.includes(`UE ${u.supi}: Npcf_AMPolicyControl_Delete answered 404`))).toHaveLength(1);
    expect(keep.ledgers()).toEqual(before);
  });
});
