// Mobility registration update to another AMF (TS 23.502 4.2.2.2.2 steps 4-5, 10, 17; TS 24.501
// 5.5.1.3) over real sockets: two AMFs, AMF in TA 1 and AMF2 in TA 2, one gNB with a cell in each
// TA. A registered UE with a PDU session, idle, moves to the cell of TAC 2: outside its TAI list it
// makes a mobility registration update there, the gNB selects AMF2 (the UE's AMF does not serve TA
// 2), AMF2 fetches the UE context from AMF (Namf_Communication_UEContextTransfer with the
// Registration request), verifies the request with the transferred 5G NAS security context, tells
// AMF it took the context (RegistrationStatusUpdate TRANSFERRED), registers at the UDM and moves the
// PDU session to itself at the SMF (UpdateSMContext); the UDM, AMF2 registered, notifies AMF
// (Nudm_UECM_DeregistrationNotification, UE_REGISTRATION_AREA_CHANGE, step 14d), which cleans up
// (its policy associations, its SDM subscription, step 14e). A ping afterwards passes (a
// Service request to AMF2), a periodic update goes to AMF2, and after the de-registration every
// ledger, both AMFs' included, is back at its start. tshark (Wireshark) judges the NAS
// registration type (mobility registration updating), the HTTP/2 paths and the removal reason of
// step 14d; the JSON bodies are checked against the Rel-18 OpenAPI (TS29518_Namf_Communication.yaml,
// TS29503_Nudm_UECM.yaml) by Ajv in the schema setup.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DEFAULT_SUBSCRIBER, amfInstances, type NetworkConfig } from '../../nodes/common/config.ts';
import { startCore, type Core } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { gnbAmfPeers } from '../../nodes/gnb/amf-links.ts';
import { cellOf } from '../../nodes/gnb/cells.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { GmmState } from '../../nodes/ue/gmm-state.ts';
import { moveToCell, inTaiList } from '../../nodes/ue/procedures/mobility-registration.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import type { LedgerSnapshot } from '../../nodes/common/ledger.ts';
import { testConfig } from '../helpers/network.ts';
import { tempCapture } from '../helpers/capture.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';
import { inOrder } from '../helpers/steps.ts';
import { loadScenario } from '../../nodes/control/scenario-file.ts';
import { stepOrder } from '../../nodes/control/step-order.ts';

// the move's step order is stated once, in the built-in scenario mobility-registration (whose run checks it too)
const scenario = loadScenario('mobility-registration');

const THIRD = 196;
const a = (n: number) => `127.0.${THIRD}.${n}`;
const SUPI = 'imsi-001010000196001';
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
    amfs: [{ tacs: [1] }, { address: a(6), setId: 2, tacs: [2] }],
    subscribers: [{ ...DEFAULT_SUBSCRIBER, supi: SUPI }],
  };
  const c = tempCapture('mobility-registration');
  capturePath = c.path;
  closeCapture = () => c.capture.close();
  core = await startCore(cfg, { database: ':memory:', tap: c.capture });
  gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, ...gnbAmfPeers(cfg), plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: THIRD, name: `test-gnb-${THIRD}`, captureUserPlane: true, tap: c.capture });
  await quiet();
  before = ledgers();
  offTrace = subscribeTrace((e) => events.push(e));
  const s = DEFAULT_SUBSCRIBER;
  ue = new Ue({ supi: SUPI, k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930101' });
});
afterAll(async () => {
  offTrace?.();
  await gnb?.stop();
  await core?.stop();
  closeCapture?.();
});

describe('mobility registration update to another AMF (TS 23.502 4.2.2.2.2, TS 24.501 5.5.1.3)', () => {
  it('the gNB has a cell in each TA of the AMFs and sets up NG with both', () => {
    expect(gnb.cfg.cellTacs).toEqual([1, 2]);
    expect(gnb.links.map((l) => [l.nf, l.peer.tacs])).toEqual([['AMF', [1]], ['AMF2', [2]]]);
    expect(amfInstances(cfg).map((x) => x.nf)).toEqual(['AMF', 'AMF2']);
  });

  it('registered at AMF in TA 1 with a PDU session, idle, the UE moves to TA 2: AMF2 takes its context from AMF', async () => {
    await ue.register(gnb);
    await ue.establishPduSession(1);
    await quiet();
    expect(await ue.ping(cfg.dataNetwork, 1)).toBeGreaterThanOrEqual(0);
    await gnb.releaseAn(ue.side);
    await quiet();
    const [amf1, amf2] = core.amfs;
    expect(amf1.bySupi.has(SUPI)).toBe(true);
    // TS 24.501 5.5.1.3.2 a): TAC 2 is outside the TAI list of the accept (AMF serves TA 1)
    expect(inTaiList(ue.registration!.taiList, cfg.plmn, 2)).toBe(false);
    const from = events.length;
    const r = await moveToCell(ue, cellOf(gnb, 2), 2);
    await quiet();
    expect(r.registration).toBeDefined();
    expect(ue.state).toBe(GmmState.REGISTERED);
    // the new 5G-GUTI is AMF2's (AMF Set 2)
    expect(ue.fiveGGuti?.amfSetId).toBe(2);
    expect(amf2.bySupi.get(SUPI)?.state).toBe('5GMM-REGISTERED');
    expect([...amf2.bySupi.get(SUPI)!.sessions.keys()]).toEqual([1]);
    expect(amf1.bySupi.has(SUPI)).toBe(false);
    expect(core.ledgers().AMF).toEqual(before.AMF);
    // the SMF sends its signalling for the session to AMF2 now (step 17)
    const smCtx = [...core.smf!.contexts.values()].find((x) => x.supi === SUPI)!;
    expect(smCtx.amfCallback.startsWith(`http://${a(6)}:`)).toBe(true);
    const steps = events.slice(from).map((e) => `${e.from}>${e.to} ${e.message} [${e.step}]`);
    inOrder(steps, stepOrder(scenario, 'move', 'all'));
    // step 14d: AMF2's registration at the UDM makes the UDM notify AMF (a mobility registration:
    // UE_REGISTRATION_AREA_CHANGE), which then ends its policy associations and its SDM
    // subscription (14e); the body is judged by Ajv against TS29503_Nudm_UECM.yaml (sbi-schema-setup).
    // (Beside AMF2's step 17, so not in the scenario's one-list order.)
    inOrder(steps, [
      'AMF2>UDM Nudm_UECM_Registration [4.2.2.2.2 step 14a]',
      'UDM>AMF Nudm_UECM_DeregistrationNotification [4.2.2.2.2 step 14d]',
      'AMF>PCF Npcf_AMPolicyControl_Delete [4.2.2.2.2 step 14d]',
      'AMF>UDM Nudm_SDM_Unsubscribe [4.2.2.2.2 step 14e]',
    ]);
    // AMF2's Nudm_UECM_Registration stays the UE's registration at the UDM
    expect(steps.filter((x) => /^AMF>UDM Nudm_UECM_Deregistration /.test(x))).toEqual([]);
  });

  it('the user plane works after the move: a ping passes through a Service request to AMF2', async () => {
    expect(await ue.ping(cfg.dataNetwork, 2)).toBeGreaterThanOrEqual(0);
    await gnb.releaseAn(ue.side);
    await quiet();
  });

  it('a periodic registration update goes to AMF2, which keeps the 5G-GUTI', async () => {
    const guti = ue.fiveGGuti;
    await ue.updateRegistration({ type: 'periodic' });
    await quiet();
    expect(ue.fiveGGuti).toEqual(guti);
    expect(core.amfs[1].bySupi.get(SUPI)?.received).toContain('Registration request');
  });

  it('after the de-registration every ledger, both AMFs\' included, is back at its start', async () => {
    await ue.deregister({ switchOff: false });
    await quiet();
    expect(ledgers()).toEqual(before);
  });

  it.skipIf(!tsharkAvailable())('tshark reads the mobility registration updating and the Namf_Communication paths in order, with no warning', () => {
    closeCapture();
    const frames = dissect(capturePath, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    const seq: string[] = [];
    for (const f of frames) {
      for (const t of f.fields.get('nas_5gs.mm.5gs_reg_type') ?? []) seq.push(`reg-type ${t}`);
      // One TCP segment may carry a request's HEADERS and its DATA (the own HTTP/2 writes a turn's
      // frames at once), and tshark shows them as one frame: the paths first, since a request's
      // header block precedes its body (RFC 9113 8.1).
      for (const p of f.fields.get('http2.headers.path') ?? []) if (p.startsWith('/namf-comm/') || p.startsWith('/nudm-uecm/') || p.includes('/modify') || p.endsWith('/dereg-notify')) seq.push(`path ${p.replace(/\/sm-contexts\/[^/]+/, '/sm-contexts/*').replace(/5g-guti-[0-9a-f]+/, '5g-guti-*').replace(/imsi-[0-9]+/, 'imsi-*')}`);
      for (const v of f.fields.get('json.member_with_value') ?? []) if (v.startsWith('deregReason:')) seq.push(v);
    }
    const i = (s: string) => seq.indexOf(s);
    // 9.11.3.7: 1 initial, 2 mobility registration updating, 3 periodic
    expect(seq).toContain('reg-type 2');
    expect(i('reg-type 2')).toBeLessThan(i('path /namf-comm/v1/ue-contexts/5g-guti-*/transfer'));
    expect(i('path /namf-comm/v1/ue-contexts/5g-guti-*/transfer')).toBeLessThan(i('path /namf-comm/v1/ue-contexts/5g-guti-*/transfer-update'));
    expect(i('path /namf-comm/v1/ue-contexts/5g-guti-*/transfer-update')).toBeLessThan(seq.lastIndexOf('path /nsmf-pdusession/v1/sm-contexts/*/modify'));
    expect(seq).toContain('reg-type 3');
    // step 14d: the UDM's notification to AMF's deregCallbackUri after AMF2's registration, with the reason as Wireshark reads it
    const reg = seq.indexOf('path /nudm-uecm/v1/imsi-*/registrations/amf-3gpp-access', i('path /namf-comm/v1/ue-contexts/5g-guti-*/transfer-update'));
    expect(reg).toBeGreaterThan(0);
    expect(seq.slice(reg, reg + 3), seq.join('\n')).toEqual(['path /nudm-uecm/v1/imsi-*/registrations/amf-3gpp-access', 'path /namf-callback/v1/imsi-*/dereg-notify', 'deregReason:UE_REGISTRATION_AREA_CHANGE']);
  });
});
