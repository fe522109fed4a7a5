// TS 23.502 4.2.2.2.3 step 5 over real sockets: three AMFs, AMF (Set 1) in TA 1 serving slice 1,
// AMF2 (Set 2) and AMF3 (Set 3) in TA 2, AMF2 serving slice 1 only and chosen first by the gNB
// (higher capacity), AMF3 serving slices 1 and 2. A UE registered at AMF with a PDU session on
// slice 1, idle, moves to TA 2 asking for slices 1 and 2: AMF2 is its initial AMF, fetches the UE
// context from AMF (4.2.2.2.2 step 4), cannot serve slice 2 and gets AMF Set 3 from the NSSF (step
// 4a): it tells AMF the registration did not complete there (RegistrationStatusUpdate
// NOT_TRANSFERRED, step 5: AMF keeps the context as if the transfer never happened), finds AMF3 at
// the NRF (6a) and forwards the request (7(A)). AMF3 takes the context from AMF (step 8), tells it
// TRANSFERRED (step 10), registers at the UDM (14a), which notifies AMF (14d), and keeps the session
// (17). Judges: the order from the trace of every message's step; tshark reads the HTTP/2 paths and
// the transferStatus values in that order, every frame without a warning; Ajv checks every SBI
// body (RegistrationStatusUpdate against TS29518_Namf_Communication.yaml) in the schema setup.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DEFAULT_SUBSCRIBER, type NetworkConfig } from '../../nodes/common/config.ts';
import { startCore, type Core } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { gnbAmfPeers } from '../../nodes/gnb/amf-links.ts';
import { cellOf } from '../../nodes/gnb/cells.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { moveToCell } from '../../nodes/ue/procedures/mobility-registration.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import type { LedgerSnapshot } from '../../nodes/common/ledger.ts';
import { testConfig } from '../helpers/network.ts';
import { tempCapture } from '../helpers/capture.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

const THIRD = 194;
const a = (n: number) => `127.0.${THIRD}.${n}`;
const SUPI = 'imsi-001010000194001';
let cfg: NetworkConfig;
let core: Core;
let gnb: Gnb;
let capturePath: string;
let closeCapture: () => void;
let before: Record<string, LedgerSnapshot>;
let ue: Ue;
const events: TraceEvent[] = [];
let offTrace: () => void;
const ledgers = () => ({ ...core.ledgers(), gNB: gnb.ledger.snapshot() });
const quiet = async () => {
  for (let i = 0; i < 3; i++) {
    await core.settled();
    await new Promise((r) => setTimeout(r, 30));
  }
};

beforeAll(async () => {
  const base = testConfig(THIRD);
  cfg = {
    ...base,
    amfs: [
      { tacs: [1], snssais: [{ sst: 1 }] },
      { address: a(6), setId: 2, tacs: [2], relativeCapacity: 200, snssais: [{ sst: 1 }] },
      { address: a(8), setId: 3, tacs: [2], relativeCapacity: 50, snssais: [{ sst: 1 }, { sst: 2 }] },
    ],
    subscribers: [{ ...DEFAULT_SUBSCRIBER, supi: SUPI, snssais: [{ sst: 1 }, { sst: 2 }] }],
  };
  const c = tempCapture('registration-status-update');
  capturePath = c.path;
  closeCapture = () => c.capture.close();
  core = await startCore(cfg, { database: ':memory:', tap: c.capture });
  gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, ...gnbAmfPeers(cfg), plmn: cfg.plmn, tac: cfg.tac, snssai: [{ sst: 1 }, { sst: 2 }], gnbId: THIRD, name: `test-gnb-${THIRD}`, tap: c.capture });
  await quiet();
  before = ledgers();
  offTrace = subscribeTrace((e) => events.push(e));
  const s = DEFAULT_SUBSCRIBER;
  ue = new Ue({ supi: SUPI, k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, snssai: { sst: 1 }, dnn: cfg.dnn, imeisv: '3560920407930101' });
});
afterAll(async () => {
  offTrace?.();
  await gnb?.stop();
  await core?.stop();
  closeCapture?.();
});

describe('Registration with AMF re-allocation, step 5: RegistrationStatusUpdate NOT_TRANSFERRED to the old AMF (TS 23.502 4.2.2.2.3)', () => {
  it('the UE from AMF reaches AMF2, which reroutes it to AMF3 after telling AMF NOT_TRANSFERRED; AMF3 takes the context and the session from AMF', async () => {
    await ue.register(gnb);
    await ue.establishPduSession(1);
    await quiet();
    await gnb.releaseAn(ue.side);
    await quiet();
    const [amf1, amf2, amf3] = core.amfs;
    expect(amf1.bySupi.has(SUPI)).toBe(true);
    ue.cfg.requestedNssai = [{ sst: 1 }, { sst: 2 }];
    const from = events.length;
    const r = await moveToCell(ue, cellOf(gnb, 2), 2);
    await quiet();
    expect(r.registration?.allowedNssai).toEqual([{ sst: 1 }, { sst: 2 }]);
    expect(ue.fiveGGuti?.amfSetId).toBe(3);
    expect(amf3.stateOf(SUPI)).toBe('5GMM-REGISTERED');
    expect([...amf3.bySupi.get(SUPI)!.sessions.keys()]).toEqual([1]);
    expect(amf2.bySupi.has(SUPI)).toBe(false);
    expect(amf1.bySupi.has(SUPI)).toBe(false);
    const sm = [...core.smf!.contexts.values()].find((x) => x.supi === SUPI)!;
    expect(sm.amfCallback.startsWith(`http://${a(8)}:`)).toBe(true);
    const steps = events.slice(from).map((e) => `${e.from}>${e.to} ${e.message} [${e.step}]`);
    const at = (re: RegExp) => steps.findIndex((s) => re.test(s));
    const order = [
      /^gNB>AMF2 InitialUEMessage/,
      /^AMF2>AMF Namf_Communication_UEContextTransfer \[4\.2\.2\.2\.2 step 4\]/,
      /^AMF2>NSSF Nnssf_NSSelection_Get \[4\.2\.2\.2\.3 step 4a\]/,
      /^AMF2>AMF Namf_Communication_RegistrationStatusUpdate \[4\.2\.2\.2\.3 step 5\]/,
      /^AMF2>NRF Nnrf_NFDiscovery_Request \[4\.2\.2\.2\.3 step 6a\]/,
      /^AMF2>AMF3 Namf_Communication_N1MessageNotify \[4\.2\.2\.2\.3 step 7\(A\)\]/,
      /^AMF3>AMF Namf_Communication_UEContextTransfer \[4\.2\.2\.2\.3 step 8 \(4\.2\.2\.2\.2 step 4\)\]/,
      /^AMF3>AMF Namf_Communication_RegistrationStatusUpdate \[4\.2\.2\.2\.2 step 10\]/,
      /^AMF3>UDM Nudm_UECM_Registration \[4\.2\.2\.2\.2 step 14a\]/,
      /^UDM>AMF Nudm_UECM_DeregistrationNotification \[4\.2\.2\.2\.2 step 14d\]/,
    ].map(at);
    expect(order.every((i) => i >= 0), steps.join('\n')).toBe(true);
    expect([...order].sort((x, y) => x - y), steps.join('\n')).toEqual(order);
    expect(at(/^AMF3>SMF Nsmf_PDUSession_UpdateSMContext \[4\.2\.2\.2\.2 step 17\]/)).toBeGreaterThan(order[8]);
    // AMF2 held no registration of its own (no UDM registration, no policy association)
    expect(steps.filter((s) => /^AMF2>(UDM Nudm_UECM_Registration|PCF)/.test(s))).toEqual([]);
  });

  it('after the de-registration every ledger, the three AMFs\' included, is back at its start', async () => {
    await ue.deregister({ switchOff: false });
    await quiet();
    expect(ledgers()).toEqual(before);
  });

  it.skipIf(!tsharkAvailable())('tshark reads the transfer, NOT_TRANSFERRED, the second transfer and TRANSFERRED in order, with no warning', () => {
    closeCapture();
    const frames = dissect(capturePath, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    const seq: string[] = [];
    for (const f of frames) {
      for (const p of f.fields.get('http2.headers.path') ?? []) if (/\/transfer(-update)?$/.test(p)) seq.push(p.replace(/[0-9a-f]{14,}$/, '*').replace(/imsi-[0-9]+/, 'imsi-*').replace(/5g-guti-[0-9a-f]+/, '5g-guti-*'));
      for (const v of f.fields.get('json.member_with_value') ?? []) if (v.startsWith('transferStatus:')) seq.push(v);
    }
    expect(seq).toEqual([
      '/namf-comm/v1/ue-contexts/5g-guti-*/transfer',
      '/namf-comm/v1/ue-contexts/5g-guti-*/transfer-update',
      'transferStatus:NOT_TRANSFERRED',
      '/namf-comm/v1/ue-contexts/imsi-*/transfer',
      '/namf-comm/v1/ue-contexts/imsi-*/transfer-update',
      'transferStatus:TRANSFERRED',
    ]);
  });
});
