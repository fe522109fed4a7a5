// Registration with AMF re-allocation (TS 23.502 4.2.2.2.3), both reroute paths in one network of
// two AMFs (AMF: Set 1, slices 1 and 3; AMF2: Set 2, slices 1 and 2) with `amf.reallocation: ran`, the NRF and
// the NSSF (its slice data derived from the AMFs):
//   - 7(B): a UE subscribed to slice 2 only reaches AMF (the gNB's highest capacity); AMF
//     authenticates it (step 2, 9a only), reads its slice selection subscription data (3b), asks the
//     NSSF (4a), and sends the NG-RAN a Reroute NAS Request (7(B)a) with AMF Set 2 and the Allowed
//     NSSAI; the gNB's Initial UE Message (7(B)b) takes the request to AMF2, which registers the UE.
//   - 7(A): a UE subscribed to slices 1, 2 and 3 requesting slice 2: its subscription's default slices
//     keep AMF (the NSSF names AMF's own Set), NAS security comes up, then the Requested NSSAI is
//     known: steps 3b, 4a, the NRF discovery of Set 2 (6a) and N1MessageNotify to AMF2 (7(A)),
//     whose Initial Context Setup Request names AMF (Old AMF IE): the gNB moves the UE's N2
//     connection; AMF2 registers the UE with AMF's security context (no second authentication).
//   - 7(A) of a UE registered at AMF with a PDU session (a mobility registration update asking for
//     slices 1 and 2, or 2 only): AMF is also its old AMF; AMF2 fetches the UE context from it
//     (UEContextTransfer, MOBI_REG_UE_VALIDATED, step 8), tells it TRANSFERRED with the sessions it
//     cannot keep (step 10: released at AMF with REL_DUE_TO_SLICE_NOT_AVAILABLE), registers at the
//     UDM, which notifies AMF (step 14d; AMF removes the context), and moves the session it keeps to
//     itself at the SMF (step 17); a ping passes after it.
// The order of the steps is read from the capture's packet comments by tshark, which also judges
// every frame (no warning); the Reroute NAS Request is judged by Erlang/OTP asn1 (encodes our
// value to our octets, decodes them back). Every ledger, both AMFs' included, is back at its start.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { DEFAULT_SUBSCRIBER, amfInstances, type NetworkConfig } from '../../nodes/common/config.ts';
import { startCore, type Core } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { decodeNgap, ngapCodec, ngapMessage, type NgapPdu } from '../../codecs/ngap/index.ts';
import type { ProcedureValue } from '../../codecs/per/aper.ts';
import { toHex } from '../../codecs/bytes/hex.ts';
import type { LedgerSnapshot } from '../../nodes/common/ledger.ts';
import { testConfig } from '../helpers/network.ts';
import { tempCapture } from '../helpers/capture.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';
import { inOrder } from '../helpers/steps.ts';
import { loadScenario } from '../../nodes/control/scenario-file.ts';
import { stepOrder } from '../../nodes/control/step-order.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { erlangAsn1Available, pduToErlang, runPeer } from '../interop/erlang/peer.ts';

// each path's step order is stated once, in the built-in scenario amf-reallocation (whose run checks it too)
const scenario = loadScenario('amf-reallocation');
const THIRD = 198;
const a = (n: number) => `127.0.${THIRD}.${n}`;
const SUPI = (i: number) => `imsi-0010100001980${i}`;
let cfg: NetworkConfig;
let core: Core;
let gnb: Gnb;
let capturePath: string;
let closeCapture: () => void;
let flushCapture: () => void;
let before: Record<string, LedgerSnapshot>;
/** NGAP PDUs the gNB received, as octets. */
const received: Uint8Array[] = [];
const ues: Ue[] = [];
const events: TraceEvent[] = [];
let offTrace: () => void;
/** The trace from `from` on as `from>to message [step]` lines. */
const ladder = (from: number) => events.slice(from).map((e) => `${e.from}>${e.to} ${e.message} [${e.step}]`);
const ledgers = () => ({ ...core.ledgers(), gNB: gnb.ledger.snapshot() });
const quiet = async () => {
  for (let i = 0; i < 3; i++) {
    await core.settled();
    await new Promise((r) => setTimeout(r, 30));
  }
};
const ue = (i: number, sst: number) => {
  const s = DEFAULT_SUBSCRIBER;
  return new Ue({ supi: SUPI(i), k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, snssai: { sst }, dnn: cfg.dnn, imeisv: '3560920407930101' });
};
/** The packet comments of the capture (each message's TS 23.502 step), in capture order. */
const comments = () => execFileSync('tshark', ['-r', capturePath, '-T', 'fields', '-e', 'frame.comment'], { encoding: 'utf8' }).split('\n').filter((l) => l);

beforeAll(async () => {
  const base = testConfig(THIRD);
  cfg = {
    ...base,
    amf: { ...base.amf, reallocation: 'ran' },
    // AMF serves slices 1 and 3, AMF2 slices 1 and 2: a subscription to all three is served as much
    // by either Set, so the NSSF keeps such a UE at AMF until it asks for slice 2
    amfs: [{ snssais: [{ sst: 1 }, { sst: 3 }] }, { address: a(6), setId: 2, relativeCapacity: 100, snssais: [{ sst: 1 }, { sst: 2 }] }],
    subscribers: [
      { ...DEFAULT_SUBSCRIBER, supi: SUPI(1), snssais: [{ sst: 2 }] },
      ...[2, 3, 4].map((i) => ({ ...DEFAULT_SUBSCRIBER, supi: SUPI(i), snssais: [{ sst: 1 }, { sst: 2 }, { sst: 3 }] })),
    ],
  };
  const c = tempCapture('amf-reallocation');
  capturePath = c.path;
  closeCapture = () => c.capture.close();
  flushCapture = () => c.capture.flush();
  core = await startCore(cfg, { database: ':memory:', tap: c.capture });
  const amfs = amfInstances(cfg).map((x) => ({ address: x.address, nf: x.nf }));
  gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, amfs, plmn: cfg.plmn, tac: cfg.tac, snssai: [{ sst: 1 }, { sst: 2 }, { sst: 3 }], gnbId: THIRD, name: `test-gnb-${THIRD}`, tap: c.capture });
  const onSctp = gnb.onSctpMessage.bind(gnb);
  gnb.onSctpMessage = (link, stream, ppid, payload) => {
    received.push(Uint8Array.from(payload));
    onSctp(link, stream, ppid, payload);
  };
  await quiet();
  before = ledgers();
  offTrace = subscribeTrace((e) => events.push(e));
});
afterAll(async () => {
  offTrace?.();
  await gnb?.stop();
  await core?.stop();
  closeCapture?.();
});

describe('Registration with AMF re-allocation (TS 23.502 4.2.2.2.3)', () => {
  it('7(B): AMF reroutes a UE of slice 2 via the NG-RAN; the gNB sends its Initial UE Message to AMF2, which registers it', async () => {
    const u = ue(1, 2);
    ues.push(u);
    const from = events.length;
    const r = await u.register(gnb);
    await quiet();
    inOrder(ladder(from), stepOrder(scenario, 'register', '2-2'));
    expect(r.allowedNssai).toEqual([{ sst: 2 }]);
    expect(u.guti?.amfSetId).toBe(2);
    expect(core.amfs[1].stateOf(SUPI(1))).toBe('5GMM-REGISTERED');
    expect(core.amfs[0].stateOf(SUPI(1))).toBeUndefined();
    // the Reroute NAS Request as the gNB received it, judged by Erlang's asn1 (TS 38.413 9.2.5.5)
    const reroute = received.find((b) => ngapMessage(decodeNgap(b)).name === 'RerouteNASRequest');
    expect(reroute).toBeDefined();
    if (erlangAsn1Available()) {
      const pdu = decodeNgap(reroute!) as NgapPdu;
      const [answer] = await runPeer([{ type: 'NGAP-PDU', ours: reroute!, term: pduToErlang(ngapCodec, pdu as unknown as Record<string, ProcedureValue>) }]);
      expect(answer).toEqual({ theirs: toHex(reroute!), decoded: 'ok', reencoded: 'ok' });
    }
  }, 60_000);

  it('7(A): NAS security at AMF, then the Requested NSSAI goes to AMF2 by N1MessageNotify; AMF2 uses the security context it was given', async () => {
    const u = ue(2, 2);
    ues.push(u);
    const from = events.length;
    const r = await u.register(gnb);
    await quiet();
    inOrder(ladder(from), stepOrder(scenario, 'register', '1-1'));
    expect(r.allowedNssai).toEqual([{ sst: 2 }]);
    expect(u.guti?.amfSetId).toBe(2);
    expect(core.amfs[1].stateOf(SUPI(2))).toBe('5GMM-REGISTERED');
    expect(core.amfs[0].stateOf(SUPI(2))).toBeUndefined();
    // the gNB's UE context is AMF2's now
    expect(gnb.links[1].byAmfId.size).toBe(2);
    expect(gnb.links[0].byAmfId.size).toBe(0);
  }, 60_000);

  // a UE registered at AMF (slice 1) with a PDU session asks for slices 1 and 2 by a mobility
  // registration update over its NG connection: AMF is its initial AMF and its old AMF at once
  it('7(A) of a registered UE with a PDU session: AMF2 takes the UE context from AMF (step 8), keeps the session at its SMF (step 17); AMF removes its context on the UDM\'s notification (step 14d)', async () => {
    const u = ue(3, 1);
    ues.push(u);
    await u.register(gnb);
    await u.establishPduSession(1);
    await quiet();
    expect(core.amfs[0].bySupi.get(SUPI(3))?.sessions.size).toBe(1);
    u.cfg.requestedNssai = [{ sst: 1 }, { sst: 2 }];
    const from = events.length;
    const r = await u.updateRegistration({ type: 'mobility' });
    await quiet();
    expect(r.allowedNssai).toEqual([{ sst: 1 }, { sst: 2 }]);
    expect(u.guti?.amfSetId).toBe(2);
    expect(core.amfs[1].stateOf(SUPI(3))).toBe('5GMM-REGISTERED');
    expect([...core.amfs[1].bySupi.get(SUPI(3))!.sessions.keys()]).toEqual([1]);
    expect(core.amfs[0].bySupi.has(SUPI(3))).toBe(false);
    expect([...u.sessions.keys()]).toEqual([1]);
    // the SMF's signalling for the session goes to AMF2 now
    const sm = [...core.smf!.contexts.values()].find((x) => x.supi === SUPI(3))!;
    expect(sm.amfCallback.startsWith(`http://${a(6)}:`)).toBe(true);
    // the scenario's UE 3 asks for slice 2 only and loses its session at step 10; this one keeps it (step 17)
    inOrder(ladder(from), stepOrder(scenario, 'register', '3-3').filter((p) => !p.includes('ReleaseSMContext')));
    inOrder(ladder(from), ['AMF2>UDM Nudm_UECM_Registration [4.2.2.2.2 step 14a]', 'AMF2>SMF Nsmf_PDUSession_UpdateSMContext [4.2.2.2.2 step 17]']);
    // the session is not released anywhere
    expect(ladder(from).filter((l) => l.includes('ReleaseSMContext'))).toEqual([]);
    expect(await u.ping(cfg.dataNetwork, 1)).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('7(A) of a registered UE asking for slice 2 only: its session on slice 1 is released by AMF (toReleaseSessionList of step 10) and by the UE (PDU session status)', async () => {
    const u = ue(4, 1);
    ues.push(u);
    await u.register(gnb);
    await u.establishPduSession(1);
    await quiet();
    u.cfg.requestedNssai = [{ sst: 2 }];
    const from = events.length;
    const r = await u.updateRegistration({ type: 'mobility' });
    await quiet();
    expect(r.allowedNssai).toEqual([{ sst: 2 }]);
    expect(core.amfs[1].bySupi.get(SUPI(4))?.sessions.size).toBe(0);
    expect(core.amfs[0].bySupi.has(SUPI(4))).toBe(false);
    expect(u.sessions.size).toBe(0);
    expect([...core.smf!.contexts.values()].filter((x) => x.supi === SUPI(4))).toEqual([]);
    // the scenario's UE 3 does the same: steps 7(A), 8, 10 with the release, 14a, 14d-14e
    inOrder(ladder(from), stepOrder(scenario, 'register', '3-3'));
  }, 60_000);

  it('the UEs deregister from AMF2; every ledger, both AMFs\' included, is back at its start', async () => {
    for (const u of ues) await u.deregister({ switchOff: false });
    await quiet();
    expect(ledgers()).toEqual(before);
  });

  it.skipIf(!tsharkAvailable())('the capture: each path\'s steps in order, every frame decoded without warning', () => {
    flushCapture();
    const c = comments();
    // 7(B): step 1 at AMF, 2 (9a), 3b, 4a, 7(B)a, 7(B)b to AMF2, and AMF2's registration from its step 8
    inOrder(c, [
      'InitialUEMessage [TS 23.502 4.2.2.2.2 step 2]',
      'Nausf_UEAuthentication_Authenticate [TS 23.502 4.2.2.2.2 step 8]',
      'Nudm_SDM_Get [TS 23.502 4.2.2.2.3 step 3b]',
      'Nnssf_NSSelection_Get [TS 23.502 4.2.2.2.3 step 4a]',
      'RerouteNASRequest [TS 23.502 4.2.2.2.3 step 7(B)a]',
      'InitialUEMessage (rerouted) [TS 23.502 4.2.2.2.3 step 7(B)b]',
      'Nausf_UEAuthentication_Authenticate [TS 23.502 4.2.2.2.2 step 8]',
      'Nudm_UECM_Registration [TS 23.502 4.2.2.2.2 step 14a]',
      'InitialContextSetupRequest [TS 23.502 4.2.2.2.2 step 21]',
    ]);
    // 7(A): after NAS security at AMF, steps 3b, 4a, 6a, 7(A), and AMF2 from step 14a without authenticating
    const from = c.findIndex((x) => x.includes('step 7(B)b'));
    const later = c.slice(from + 1);
    inOrder(later, [
      'DownlinkNASTransport [TS 23.502 4.2.2.2.2 step 9b]',
      'Nudm_SDM_Get [TS 23.502 4.2.2.2.3 step 3b]',
      'Nnssf_NSSelection_Get [TS 23.502 4.2.2.2.3 step 4a]',
      'Nnrf_NFDiscovery_Request [TS 23.502 4.2.2.2.3 step 6a]',
      'Namf_Communication_N1MessageNotify [TS 23.502 4.2.2.2.3 step 7(A)]',
      'Nudm_UECM_Registration [TS 23.502 4.2.2.2.2 step 14a]',
      'InitialContextSetupRequest [TS 23.502 4.2.2.2.2 step 21]',
    ]);
    const n1 = later.findIndex((x) => x.includes('step 7(A)'));
    // (until AMF2's UDM registration of that UE: the UEs after it authenticate as usual)
    const n14a = later.findIndex((x, k) => k > n1 && x.includes('Nudm_UECM_Registration [TS 23.502 4.2.2.2.2 step 14a]'));
    expect(n14a).toBeGreaterThan(n1);
    expect(later.slice(n1, n14a).filter((x) => x.includes('Nausf_UEAuthentication_Authenticate') && !x.includes('step 8]'))).toEqual([]);
    expect(problems(dissect(capturePath, { prefs: ['nas-5gs.null_decipher:TRUE'] }))).toEqual([]);
  });
});
