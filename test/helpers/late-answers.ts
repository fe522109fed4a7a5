// Issue 21 ("zero leaks"): a creation whose 201 reaches its consumer after the consumer's SBI
// time-out. The producer created the resource and counts its answer delivered (the stream closed
// cleanly), so only the consumer can end it (SbiCallOptions.lateAnswer,
// docs/decisions/21-late-answers.md). This runs the whole core on real loopback HTTP/2 (node:http2
// or wire5g's own), one UE and the gNB; the NFs' SBI time-outs run on a VirtualClock, so the
// consumer's call times out when the test says (the producer's answer is held until then), not
// when the machine is slow. The UE's timers run on another VirtualClock that is never advanced: a
// UE left waiting does not retry.
import { describe, expect, it } from 'vitest';
import { startCore, type Core, type CoreNf } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { GmmState } from '../../nodes/ue/gmm-state.ts';
import { VirtualClock } from '../../transport/clock.ts';
import { setSbiHttp2, type Http2Implementation } from '../../transport/sbi/http2-choice.ts';
import { DEFAULT_SUBSCRIBER, type NetworkConfig } from '../../nodes/common/config.ts';
import type { SbiRoute } from '../../nodes/common/sbi.ts';
import { testConfig } from './network.ts';
import { roamingTestConfig } from './roaming-network.ts';

const TIMEOUT_MS = 1000;

/** Event-loop turns until `cond` holds (no fixed delay). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

/** The creation whose answer is held, and the operation that ends its resource. */
export interface LateCase {
  name: string;
  /** The consumer, whose call times out and which undoes the late 201. */
  consumer: CoreNf;
  /** The producer (its SBI name, e.g. 'PCF') and its creating route. */
  producer: string;
  create: { method: string; path: string };
  /** The undo the consumer sends: a route of the same producer. */
  undo: { method: string; path: string };
  /**
   * The procedure during which the creation happens: the UE's registration, a PDU session of a
   * registered UE, the AF's app session on that PDU session, or the AF's PCF event subscription.
   */
  during: 'registration' | 'pdu session' | 'app session' | 'pc events';
  /**
   * A home-routed roaming network (test/helpers/roaming-network.ts): the UE a subscriber of the
   * home PLMN; `producer` may then be a home NF ('H-SMF').
   */
  roaming?: boolean;
  /** A change to the test configuration (e.g. chf.convergedCharging on). */
  configure?: (cfg: NetworkConfig) => void;
}

/**
 * One case: the producer creates the resource and holds its answer; the clock passes the
 * consumer's time-out; the answer goes; then the producer must have seen no reset, the consumer
 * one late answer and the undo route one call, and (after the UE, if registered, switched off)
 * every NF's ledger and the gNB's are back at their start. `third`: the test's 127.0.<third>.x.
 */
export async function lateAnswerIsUndone(http2: Http2Implementation, third: number, c: LateCase): Promise<void> {
  setSbiHttp2(http2);
  const sub = c.roaming ? { ...DEFAULT_SUBSCRIBER, supi: `imsi-20893000000${String(third).padStart(4, '0')}` } : DEFAULT_SUBSCRIBER;
  const cfg = c.roaming ? roamingTestConfig(third, [sub.supi]) : testConfig(third);
  c.configure?.(cfg);
  const clock = new VirtualClock();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const counts = { creates: 0, undos: 0 };
  let holding = false;
  const servedRoutes = (nf: string, routes: SbiRoute[]): SbiRoute[] => nf !== c.producer ? routes : routes.map((r) => {
    if (r.method === c.create.method && r.path === c.create.path) {
      return { ...r, handler: async (req) => {
        if (!holding) return r.handler(req);
        const res = await r.handler(req);
        // the producer holds the resource now (its own calls are done: the clock times every NF's out)
        counts.creates++;
        await held;
        return res;
      } };
    }
    if (r.method === c.undo.method && r.path === c.undo.path) return { ...r, handler: (req) => (counts.undos++, r.handler(req)) };
    return r;
  });
  let core: Core | undefined, gnb: Gnb | undefined;
  try {
    core = await startCore(c.roaming ? cfg : { ...cfg, subscribers: [DEFAULT_SUBSCRIBER] }, { database: ':memory:', sbiClock: clock, sbiTimeoutMs: TIMEOUT_MS, servedRoutes, log: (l) => { if (process.env.WIRE5G_TEST_LOG) console.log(l); } });
    gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: third, name: `test-gnb-${third}`, admission: cfg.gnb.admission });
    const s = sub;
    const ue = new Ue({ supi: s.supi, k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, ...(c.roaming ? { homePlmn: cfg.roaming.home.plmn } : {}), snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930101', clock: new VirtualClock() });
    const consumer = core.nfs.get(c.consumer)!.sbi!.http;
    const home = c.producer.startsWith('H-');
    const producer = (home ? core.home!.nfs : core.nfs).get(c.producer.replace(/^H-/, '').toLowerCase() as CoreNf)!.sbi!.server;
    const k = core, g = gnb;
    const ledgers = () => ({ ...k.ledgers(), gNB: g.ledger.snapshot() });
    const quiet = async () => {
      for (let i = 0; i < 3; i++) {
        await k.settled();
        await new Promise((r) => setTimeout(r, 30));
      }
    };
    await quiet();
    const before = ledgers();
    if (c.during === 'pdu session' || c.during === 'app session') await ue.register(gnb);
    const session = c.during === 'app session' ? await ue.establishPduSession(1) : undefined;
    holding = true;
    const procedure = c.during === 'registration' ? ue.register(gnb)
      : c.during === 'pdu session' ? ue.establishPduSession(1)
      : c.during === 'app session' ? core.af.createAppSession(s.supi, 1, session!.address, cfg.dnn, cfg.snssai)
      : core.af.subscribePcEvents({ events: ['AC_TY_CH', 'PLMN_CH'] });
    // the procedure fails or goes on without the resource: either way the UE leaves below
    procedure.catch(() => undefined);
    await until(() => counts.creates === 1);
    // the consumer's time-out
    clock.advance(TIMEOUT_MS);
    await until(() => consumer.stats.timeouts >= 1);
    // the producer answers now: its 201 is delivered (the stream was not reset), after the consumer gave up
    release();
    await quiet();
    expect(producer.stats.cancelled).toBe(0);
    expect(producer.stats.undelivered).toBe(0);
    expect(consumer.stats.lateAnswers).toBeGreaterThanOrEqual(1);
    expect(counts).toEqual({ creates: 1, undos: 1 });
    // a UE the AMF registered all the same switches off
    if (ue.gmm === GmmState.REGISTERED) await ue.deregister({ switchOff: true });
    await quiet();
    expect(ledgers()).toEqual(before);
  } finally {
    await gnb?.stop();
    await core?.stop();
    setSbiHttp2('own');
  }
}

/**
 * A consumer's cases, each over both HTTP/2s: node:http2 on the test's 127.0.<node>.x, wire5g's
 * own on 127.0.<own>.x. `title` names the consumer ("a creation whose 201 reaches the AMF ...").
 */
export function lateAnswerSuite(title: string, thirds: readonly [node: number, own: number], cases: LateCase[]): void {
  describe.each([['node', thirds[0]], ['own', thirds[1]]] as const)(`${title}, over %s HTTP/2`, (http2, third) => {
    it.each(cases)('$name: every ledger back at its start', (c) => lateAnswerIsUndone(http2, third, c));
  });
}
