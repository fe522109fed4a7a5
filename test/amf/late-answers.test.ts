// Issue 21 ("zero leaks"): a creation the AMF asked for, whose 201 reaches it after its SBI
// time-out. The producer created the resource and counts its answer delivered (the stream closed
// cleanly), so only the AMF can end it: it does, with the spec's own operation for ending it, at
// the Location (or link) of the late answer (nodes/amf/late-answers.ts). The whole core runs on
// real loopback HTTP/2 (node:http2 and wire5g's own); the NFs' SBI time-outs run on a
// VirtualClock, so the AMF's call times out when the test says (the producer's answer is held
// until then), not when the machine is slow. The UE's timers run on another VirtualClock that is
// never advanced: a UE left waiting does not retry.
import { describe, it, expect, afterEach } from 'vitest';
import { startCore, type Core } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { GmmState } from '../../nodes/ue/gmm-state.ts';
import { VirtualClock } from '../../transport/clock.ts';
import { setSbiHttp2, type Http2Implementation } from '../../transport/sbi/http2-choice.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import type { SbiRoute } from '../../nodes/common/sbi.ts';
import { testConfig } from '../helpers/network.ts';

const TIMEOUT_MS = 1000;
const supi = DEFAULT_SUBSCRIBER.supi;

/** Event-loop turns until `cond` holds (no fixed delay). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

/** The creation whose answer is held, and the operation that ends its resource. */
interface Case {
  name: string;
  /** The producer (its SBI name) and the creating route. */
  nf: string;
  create: { method: string; path: string };
  /** The undo the AMF sends: a route of the same producer. */
  undo: { method: string; path: string };
  /** Before the creation: a registered UE (a PDU session's creation) or none. */
  registered: boolean;
}

const CASES: Case[] = [
  { name: 'Npcf_AMPolicyControl_Create (step 16), deleted at its Location', nf: 'PCF', create: { method: 'POST', path: '/npcf-am-policy-control/v1/policies' }, undo: { method: 'DELETE', path: '/npcf-am-policy-control/v1/policies/{polAssoId}' }, registered: false },
  { name: 'Npcf_UEPolicyControl_Create (step 21b), deleted at its Location', nf: 'PCF', create: { method: 'POST', path: '/npcf-ue-policy-control/v1/policies' }, undo: { method: 'DELETE', path: '/npcf-ue-policy-control/v1/policies/{polAssoId}' }, registered: false },
  { name: 'Nausf_UEAuthentication_Authenticate (step 8), deleted at its 5g-aka link', nf: 'AUSF', create: { method: 'POST', path: '/nausf-auth/v1/ue-authentications' }, undo: { method: 'DELETE', path: '/nausf-auth/v1/ue-authentications/{authCtxId}/5g-aka-confirmation' }, registered: false },
  { name: 'Nudm_SDM_Subscribe (step 14c), unsubscribed at its Location', nf: 'UDM', create: { method: 'POST', path: '/nudm-sdm/v2/{ueId}/sdm-subscriptions' }, undo: { method: 'DELETE', path: '/nudm-sdm/v2/{ueId}/sdm-subscriptions/{subscriptionId}' }, registered: false },
  { name: 'Nudm_UECM_Registration (step 14a), purged', nf: 'UDM', create: { method: 'PUT', path: '/nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access' }, undo: { method: 'PATCH', path: '/nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access' }, registered: false },
  // without the undo this one ends with the ledgers back too, later and by another path: the SMF's
  // N1N2MessageTransfer for the session is refused by the AMF (409) and the SMF releases it itself
  { name: 'Nsmf_PDUSession_CreateSMContext (4.3.2.2.1 step 3), released at its Location', nf: 'SMF', create: { method: 'POST', path: '/nsmf-pdusession/v1/sm-contexts' }, undo: { method: 'POST', path: '/nsmf-pdusession/v1/sm-contexts/{smContextRef}/release' }, registered: true },
];

let running: { core: Core; gnb: Gnb } | undefined;
afterEach(async () => {
  if (running) {
    await running.gnb.stop();
    await running.core.stop();
    running = undefined;
  }
  setSbiHttp2('own');
});

async function network(http2: Http2Implementation, c: Case) {
  setSbiHttp2(http2);
  const cfg = testConfig(http2 === 'node' ? 61 : 62);
  const clock = new VirtualClock();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const counts = { creates: 0, undos: 0 };
  let holding = false;
  const servedRoutes = (nf: string, routes: SbiRoute[]): SbiRoute[] => nf !== c.nf ? routes : routes.map((r) => {
    if (r.method === c.create.method && r.path === c.create.path) {
      return { ...r, handler: async (req) => {
        if (!holding) return r.handler(req);
        const res = await r.handler(req);
        counts.creates++; // the producer holds the resource now; its answer waits
        await held;
        return res;
      } };
    }
    if (r.method === c.undo.method && r.path === c.undo.path) return { ...r, handler: (req) => (counts.undos++, r.handler(req)) };
    return r;
  });
  const core = await startCore({ ...cfg, subscribers: [DEFAULT_SUBSCRIBER] }, { database: ':memory:', sbiClock: clock, sbiTimeoutMs: TIMEOUT_MS, servedRoutes, log: (l) => { if (process.env.LATE_LOG) console.log(l); } });
  const gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: 61, name: 'test-gnb-late', admission: cfg.gnb.admission });
  running = { core, gnb };
  const s = DEFAULT_SUBSCRIBER;
  const ue = new Ue({ supi, k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930101', clock: new VirtualClock() });
  const amfHttp = core.nfs.get('amf')!.sbi!.http;
  const producer = core.nfs.get(c.nf.toLowerCase() as 'pcf')!.sbi!.server;
  const ledgers = () => ({ ...core.ledgers(), gNB: gnb.ledger.snapshot() });
  const quiet = async () => {
    for (let i = 0; i < 3; i++) {
      await core.settled();
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  return { core, gnb, ue, clock, amfHttp, producer, ledgers, quiet, counts, release, hold: () => (holding = true) };
}

describe.each(['node', 'own'] as const)('a creation whose 201 reaches the AMF after its SBI time-out (issue 21), over %s HTTP/2', (http2) => {
  it.each(CASES)('$name: every ledger back at its start', async (c) => {
    const { ue, gnb, clock, amfHttp, producer, ledgers, quiet, counts, release, hold } = await network(http2, c);
    await quiet();
    const before = ledgers();
    if (c.registered) await ue.register(gnb);
    hold();
    const procedure = c.registered ? ue.establishPduSession(1) : ue.register(gnb);
    // the procedure fails or goes on without the resource: either way the UE leaves below
    procedure.catch(() => undefined);
    await until(() => counts.creates === 1);
    // the AMF's time-out: it goes on without the resource (or the procedure fails)
    clock.advance(TIMEOUT_MS);
    await until(() => amfHttp.stats.timeouts === 1);
    // the producer answers now: its 201 is delivered (the stream was not reset), after the AMF gave up
    release();
    await quiet();
    expect(producer.stats.cancelled).toBe(0);
    expect(producer.stats.undelivered).toBe(0);
    expect(amfHttp.stats.lateAnswers).toBe(1);
    expect(counts).toEqual({ creates: 1, undos: 1 });
    // a UE the AMF registered all the same switches off
    if (ue.gmm === GmmState.REGISTERED) await ue.deregister({ switchOff: true });
    await quiet();
    expect(ledgers()).toEqual(before);
  });
});
