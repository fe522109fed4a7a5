// Registration with Onboarding SNPN, steps 4-5 and 10 (TS 23.502 4.2.2.2.4): a UE registered for
// onboarding at AMF (TA 1) with its onboarding PDU session goes idle and moves to TA 2, which
// only AMF2 serves. Its mobility registration update (5G-GUTI of AMF, the onboarding indication
// in the AN parameters: step 1's second paragraph) reaches AMF2 (step 2: an AMF supporting
// onboarding), which takes the UE context from AMF by Namf_Communication_UEContextTransfer
// (steps 4-5; the answer's UeContext has snpnOnboardInd), tells AMF RegistrationStatusUpdate
// TRANSFERRED (step 10), skips steps 13-20 (no UDM, no PCF), moves the onboarding PDU session to
// itself at the SMF (4.2.2.2.2 step 17), accepts with the onboarding Allowed NSSAI (step 21), and
// once Registration Complete (step 22) came starts its own onboarding deregistration timer
// (step 5). On the AMFs' virtual clock the timer fires at its configured value, not a moment
// before, and ends in 4.2.2.3.3 (the idle UE is paged first); every ledger, both AMFs' included,
// is back at its start. Judges: tshark (Wireshark) reads the NAS registration types, the
// Namf_Communication paths and every frame without a warning; the SBI bodies (snpnOnboardInd in
// the UeContext included) are checked against the Rel-18 OpenAPI by the schema setup.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DEFAULT_SUBSCRIBER, type NetworkConfig } from '../../nodes/common/config.ts';
import { startCore, type Core } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { gnbAmfPeers } from '../../nodes/gnb/amf-links.ts';
import { cellOf } from '../../nodes/gnb/cells.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { GmmState } from '../../nodes/ue/gmm-state.ts';
import { moveToCell } from '../../nodes/ue/procedures/mobility-registration.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import type { LedgerSnapshot } from '../../nodes/common/ledger.ts';
import { VirtualClock } from '../../transport/clock.ts';
import { testConfig } from '../helpers/network.ts';
import { tempCapture } from '../helpers/capture.ts';
import { inOrder } from '../helpers/steps.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

const THIRD = 134;
const NID = '000007ed9d5';
const SUPI = `nai-onboard1@nid${NID}.mnc001.mcc001.3gppnetwork.org`;
/** The onboarding deregistration timer, on the AMFs' virtual clock (below the NRF's and PFCP's 60 s heartbeats). */
const TIMER_MS = 20_000;
const clock = new VirtualClock();
let cfg: NetworkConfig;
let core: Core;
let gnb: Gnb;
let capturePath: string;
let closeCapture: () => void;
let before: Record<string, LedgerSnapshot>;
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
  cfg = testConfig(THIRD, {
    amfs: [{ tacs: [1] }, { address: `127.0.${THIRD}.6`, setId: 2, tacs: [2] }],
    snpn: { nid: NID, onboarding: { snssai: { sst: 2 }, dnn: 'onboarding', deregistrationTimerSeconds: 600 } },
  });
  cfg.subscribers = [{ ...DEFAULT_SUBSCRIBER, supi: 'imsi-001010000134001' }, { ...DEFAULT_SUBSCRIBER, supi: SUPI, snssais: [{ sst: 2 }], dnns: ['onboarding'] }];
  const c = tempCapture('snpn-onboarding-mobility');
  capturePath = c.path;
  closeCapture = () => c.capture.close();
  core = await startCore(cfg, { database: ':memory:', tap: c.capture, clock, amfTimers: { onboardingDeregistrationMs: TIMER_MS } });
  gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, ...gnbAmfPeers(cfg), plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: THIRD, name: `test-gnb-${THIRD}`, tap: c.capture, snpn: { nid: NID, snssais: [cfg.snssai, { sst: 2 }] } });
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

describe('Registration with Onboarding SNPN to a new AMF: steps 4-5 and 10 (TS 23.502 4.2.2.2.4)', () => {
  it('AMF2 takes the onboarding registered UE from AMF, and its own onboarding deregistration timer ends the registration', async () => {
    const s = DEFAULT_SUBSCRIBER;
    const ue = new Ue({ supi: SUPI, k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, snssai: { sst: 2 }, dnn: 'onboarding', imeisv: '3560920407930134', snpn: { nid: NID, onboarding: true } });
    const [amf1, amf2] = core.amfs;
    await ue.register(gnb);
    // idle without a PDU session, the UE stays registered for onboarding at AMF: it holds nothing
    // at the UDM or PCF (steps 13-20 skipped), which is not a reason to forget it
    await gnb.releaseAn(ue.side);
    await quiet();
    expect(amf1.bySupi.get(SUPI)?.state).toBe('5GMM-REGISTERED');
    await ue.establishPduSession(1, { dnn: 'onboarding', snssai: { sst: 2 } });
    await gnb.releaseAn(ue.side);
    await quiet();
    expect(amf1.bySupi.get(SUPI)?.onboarding?.deregistrationTimer, 'registered for onboarding at AMF, idle, its timer running').toBeDefined();

    const from = events.length;
    await moveToCell(ue, cellOf(gnb, 2), 2);
    await quiet();
    expect(ue.state).toBe(GmmState.REGISTERED);
    expect(ue.fiveGGuti?.amfSetId).toBe(2);
    expect(ue.registration?.allowedNssai).toEqual([{ sst: 2 }]);
    const at2 = amf2.bySupi.get(SUPI)!;
    expect([at2.state, [...at2.sessions.keys()], at2.uecmRegistered ?? false, at2.amPolicyUri]).toEqual(['5GMM-REGISTERED', [1], false, undefined]);
    expect(at2.onboarding?.deregistrationTimer).toBeDefined();
    // the old AMF stopped its timer; it keeps the context until its step 5 guard timer (no step 14d
    // comes: the new AMF does not register at the UDM, steps 13-20 skipped)
    expect(amf1.bySupi.get(SUPI)?.onboarding?.deregistrationTimer).toBeUndefined();
    const line = (e: TraceEvent) => `${e.from}>${e.to} ${e.message} [${e.step ?? ''}]`;
    const update = events.slice(from).map(line);
    inOrder(update, [
      'UE>AMF Registration request [4.2.2.2.4 step 1 (mobility registration update)]',
      'gNB>AMF2 InitialUEMessage [4.2.2.2.4 step 3]',
      'AMF2>AMF Namf_Communication_UEContextTransfer [4.2.2.2.2 step 4]',
      'AMF>AMF2 200 (Namf_Communication_UEContextTransfer) [4.2.2.2.4 step 5]',
      'AMF2>AMF Namf_Communication_RegistrationStatusUpdate [4.2.2.2.4 step 10]',
      'AMF2>SMF Nsmf_PDUSession_UpdateSMContext [4.2.2.2.2 step 17]',
      'AMF2>UE Registration accept [4.2.2.2.4 step 21]',
      'UE>AMF Registration complete [4.2.2.2.4 step 22]',
    ]);
    // steps 13-20 skipped: nothing to the UDM or the PCF
    expect(update.filter((x) => /^AMF2>(UDM|PCF) /.test(x))).toEqual([]);

    // step 5: the new AMF's timer, from Registration Complete; a moment before it nothing happens
    await clock.advanceAsync(TIMER_MS - 10);
    await quiet();
    expect(ue.state).toBe(GmmState.REGISTERED);
    expect(amf1.bySupi.has(SUPI), 'removed at AMF by its guard timer').toBe(false);
    expect(core.ledgers().AMF).toEqual(before.AMF);
    const expiry = events.length;
    await clock.advanceAsync(10);
    for (let i = 0; i < 200 && ue.state !== GmmState.DEREGISTERED; i++) await new Promise((r) => setTimeout(r, 20));
    expect(ue.state).toBe(GmmState.DEREGISTERED);
    await quiet();
    for (let i = 0; i < 100 && gnb.ueCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    const expired = events.slice(expiry).map(line);
    inOrder(expired, ['AMF2>gNB Paging', 'UE>AMF Service request', 'AMF2>UE Deregistration request (UE terminated) [4.2.2.3.3 step 2]', 'UE>AMF Deregistration accept (UE terminated)', 'AMF2>gNB UEContextReleaseCommand [4.2.2.3.3 step 7]']);
    inOrder(expired, ['AMF2>UE Deregistration request (UE terminated) [4.2.2.3.3 step 2]', 'AMF2>SMF Nsmf_PDUSession_ReleaseSMContext [4.2.2.3.3 step 4]']);
    expect(ledgers()).toEqual(before);
  });

  it.skipIf(!tsharkAvailable())('tshark reads the mobility registration updating and the Namf_Communication paths in order, with no warning', () => {
    closeCapture();
    const frames = dissect(capturePath, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    const seq: string[] = [];
    for (const f of frames) {
      for (const t of f.fields.get('nas_5gs.mm.5gs_reg_type') ?? []) seq.push(`reg-type ${t}`);
      for (const p of f.fields.get('http2.headers.path') ?? []) if (p.startsWith('/namf-comm/')) seq.push(`path ${p.replace(/5g-guti-[0-9a-f]+/, '5g-guti-*')}`);
    }
    // 9.11.3.7: 5 SNPN onboarding, then 2 mobility registration updating
    inOrder(seq, ['reg-type 5', 'reg-type 2', 'path /namf-comm/v1/ue-contexts/5g-guti-*/transfer', 'path /namf-comm/v1/ue-contexts/5g-guti-*/transfer-update']);
  });
});
