// Every release trigger of TS 23.502 4.3.4.3 that wire5g implements, each on its own roaming UE in
// one network of two PLMNs (issue 17): 1a (the UE's release request), 1c in UE-initiated and in
// network-initiated deregistration and when the UE's slice is no longer available, 1e by the H-SMF's operator, by the H-PCF (SM Policy Association
// Termination case A) and with network slice replacement. For each, the trace must show the steps
// in the clause's order (the seed text, /work/shared/seeds 003), pings over N9 before and the UE
// holding no session after; the network stops with every ledger of both PLMNs back at its start.
// The built-in scenario `home-routed-release` runs the same triggers and must exit OK; tshark reads
// its capture without a warning.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { LiveNetwork } from '../../nodes/control/live-network.ts';
import { pcfTerminateOn } from '../../nodes/control/policy-commands.ts';
import { runScenarioFile, loadScenario } from '../../nodes/control/scenario-file.ts';
import { roamingTestConfig } from '../helpers/roaming-network.ts';
import { tsharkAvailable, dissect } from '../helpers/tshark.ts';

const supis = [1, 2, 3, 4, 5, 6, 7].map((i) => `imsi-20893000000010${i}`);
const cfg = roamingTestConfig(76, supis);
let net: LiveNetwork;

beforeAll(async () => {
  net = await LiveNetwork.start(cfg, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-hrr-')), database: ':memory:' });
  for (const s of supis) net.add(s);
  for (const s of supis) {
    await net.register(s);
    await net.establishPduSession(s, { psi: 1 });
  }
}, 60_000);

afterAll(async () => {
  await net?.stop();
});

const line = (e: TraceEvent) => `${e.from}>${e.to} ${e.message}${e.step ? ` [${e.step}]` : ''}`;

/** Runs `trigger` and returns what was traced meanwhile, one line per event. */
async function traced(trigger: () => Promise<unknown>): Promise<string[]> {
  const events: TraceEvent[] = [];
  const off = subscribeTrace((e) => events.push(e));
  try {
    await trigger();
    await net.settle();
  } finally {
    off();
  }
  return events.map(line);
}

/** Each of `order` is traced, in that order. */
function inOrder(lines: string[], order: string[]): void {
  let last = -1;
  for (const s of order) {
    const i = lines.findIndex((x, k) => k > last && x.includes(s));
    expect(i, `'${s}' after position ${last} in\n${lines.join('\n')}`).toBeGreaterThan(last);
    last = i;
  }
}

const H_SIDE_END = ['H-SMF>H-PCF Npcf_SMPolicyControl_Delete [4.3.4.3 step 6', 'H-SMF>H-UDM Nudm_UECM_Deregistration'];

describe('home-routed PDU Session Release, every trigger (TS 23.502 4.3.4.3)', () => {
  it('carries pings over N9 before any release', async () => {
    for (const s of supis) expect((await net.ping(s, { count: 1 })).rttsMs.length).toBe(1);
  });

  it('1a: UE-initiated', async () => {
    const l = await traced(() => net.releasePduSession(supis[0], 1));
    inOrder(l, ['UE>AMF UL NAS transport (PDU session release request)', 'AMF>SMF Nsmf_PDUSession_UpdateSMContext', 'SMF>UPF Session Modification Request (uplink drop) [4.3.4.3 step 1a]', 'SMF>H-SMF Nsmf_PDUSession_Update [4.3.4.3 step 1a]', 'H-SMF>H-UPF Session Deletion Request [4.3.4.3 step 2]', 'H-SMF>SMF Nsmf_PDUSession_Update [4.3.4.3 step 3a]', 'AMF>gNB PDUSessionResourceReleaseCommand', 'UE>AMF UL NAS transport (PDU session release complete)', 'SMF>UPF Session Deletion Request', 'SMF>AMF Nsmf_PDUSession_SMContextStatusNotify [4.3.4.3 step 8]', ...H_SIDE_END]);
    // step 5 (the V-SMF's answer) before step 6 (the H-SMF's policy termination)
    inOrder(l, ['SMF>H-SMF 200 (Nsmf_PDUSession_Update)', 'H-SMF>H-PCF Npcf_SMPolicyControl_Delete']);
    expect(net.ueOf(supis[0]).sessions.size).toBe(0);
  });

  it('1c: during UE-initiated deregistration (no NAS SM message; 2 and 6 before 3b)', async () => {
    const l = await traced(() => net.deregister(supis[1], { switchOff: true }));
    inOrder(l, ['AMF>SMF Nsmf_PDUSession_ReleaseSMContext', 'SMF>UPF Session Modification Request (uplink drop) [4.3.4.3 step 1c]', 'SMF>H-SMF Nsmf_PDUSession_Release [4.3.4.3 step 1c]', 'H-SMF>H-UPF Session Deletion Request [4.3.4.3 step 2]', 'H-SMF>H-PCF Npcf_SMPolicyControl_Delete [4.3.4.3 step 6]', 'H-SMF>SMF 204 (Nsmf_PDUSession_Release)', 'SMF>UPF Session Deletion Request', 'SMF>AMF 204 (Nsmf_PDUSession_ReleaseSMContext)']);
    expect(l.filter((x) => /PDU session release (command|complete)/.test(x))).toEqual([]);
  });

  it('1c: during network-initiated deregistration', async () => {
    const l = await traced(() => net.amfDeregister(supis[2], { reRegistrationRequired: false }));
    inOrder(l, ['AMF>UE Deregistration request (UE terminated)', 'AMF>SMF Nsmf_PDUSession_ReleaseSMContext', 'SMF>UPF Session Modification Request (uplink drop) [4.3.4.3 step 1c]', 'SMF>H-SMF Nsmf_PDUSession_Release [4.3.4.3 step 1c]', 'H-SMF>H-UPF Session Deletion Request [4.3.4.3 step 2]', 'H-SMF>H-PCF Npcf_SMPolicyControl_Delete [4.3.4.3 step 6]', 'H-SMF>SMF 204 (Nsmf_PDUSession_Release)']);
  });

  const hplmn = ['H-SMF>H-UPF Session Modification Request [4.3.4.3 step 1e]', 'H-SMF>H-UPF Session Deletion Request [4.3.4.3 step 7]', 'H-SMF>SMF Nsmf_PDUSession_Update [4.3.4.3 step 3a]', 'SMF>AMF Namf_Communication_N1N2MessageTransfer [4.3.4.3 step 4 (4.3.4.2 step 3b)]', 'AMF>gNB PDUSessionResourceReleaseCommand', 'UE>AMF UL NAS transport (PDU session release complete)', 'SMF>UPF Session Deletion Request', 'SMF>AMF Nsmf_PDUSession_SMContextStatusNotify [4.3.4.3 step 8]'];

  it('1e: by the H-SMF\'s operator (ctl smf release --plmn home)', async () => {
    const l = await traced(() => net.hsmfRelease(supis[3], 1));
    inOrder(l, [...hplmn, ...H_SIDE_END]);
    expect(net.ueOf(supis[3]).sessions.size).toBe(0);
  });

  it('1e: PCF-initiated, the H-PCF\'s SM Policy Association Termination (4.16.6 case A)', async () => {
    const l = await traced(() => pcfTerminateOn(net, supis[4], 1, 'UNSPECIFIED', 'home'));
    inOrder(l, ['H-PCF>H-SMF Npcf_SMPolicyControl_UpdateNotify', ...hplmn, 'H-SMF>H-PCF Npcf_SMPolicyControl_Delete [4.3.4.3 step 6 (4.16.6 step 2)]']);
    expect(net.ueOf(supis[4]).sessions.size).toBe(0);
  });

  it('1e: network slice replacement, the Alternative HPLMN S-NSSAI and cause #39 reach the V-SMF', async () => {
    const l = await traced(() => net.hsmfRelease(supis[5], 1, { altHplmnSnssai: { sst: 1, sd: 'a1b2c3' } }));
    inOrder(l, [...hplmn, ...H_SIDE_END]);
    // the UE's Release Command carries #39 "reactivation requested" (TS 24.501 9.11.4.2)
    expect(net.ueOf(supis[5]).received).toContain('PDU session release command');
    expect(net.ueOf(supis[5]).sessions.size).toBe(0);
  });

  it('1c: the UE\'s slice is no longer available (the home UDM removes it; no N1/N2 SM signalling)', async () => {
    const l = await traced(() => net.udmUpdateSnssai(supis[6], { sst: 2 }));
    inOrder(l, ['H-UDM>AMF Nudm_SDM_Notification', 'AMF>SMF Nsmf_PDUSession_ReleaseSMContext', 'SMF>UPF Session Modification Request (uplink drop) [4.3.4.3 step 1c]', 'SMF>H-SMF Nsmf_PDUSession_Release [4.3.4.3 step 1c]', 'H-SMF>H-UPF Session Deletion Request [4.3.4.3 step 2]', 'H-SMF>H-PCF Npcf_SMPolicyControl_Delete [4.3.4.3 step 6]', 'H-SMF>SMF 204 (Nsmf_PDUSession_Release)']);
    expect(l.filter((x) => /PDU session release (command|complete)|PDUSessionResourceRelease/.test(x))).toEqual([]);
  });

  it('stops with every ledger of both PLMNs and both SEPPs back at its start', async () => {
    const r = await net.stop();
    expect(r.leftBehind).toEqual({});
    expect(r.ledgersChecked).toEqual(expect.arrayContaining(['H-SMF', 'H-UPF', 'H-PCF', 'H-UDM', 'H-UDR', 'H-AUSF', 'hSEPP', 'vSEPP', 'SMF', 'UPF', 'AMF']));
    expect(r.ok).toBe(true);
  }, 30_000);

  it('the built-in scenario home-routed-release runs every trigger and exits OK; tshark reads its capture without a warning', async () => {
    const out = mkdtempSync(join(tmpdir(), 'wire5g-hrs-'));
    const scfg = roamingTestConfig(78, []);
    scfg.roaming.home.subscribers = [{ ...cfg.roaming.home.subscribers[0], supi: 'imsi-208930000000201' }];
    const r = await runScenarioFile(scfg, loadScenario('home-routed-release'), { outDir: out, database: ':memory:' });
    expect(r.ues.filter((u) => u.error)).toEqual([]);
    expect(r.leftBehind).toEqual({});
    expect(r.ok).toBe(true);
    if (!tsharkAvailable()) return;
    const frames = dissect(join(out, 'run.pcapng'), { prefs: ['nas-5gs.null_decipher:TRUE'] });
    const bad = frames.filter((f) => f.malformed || f.expert.some((e) => e.severity === 'warning' || e.severity === 'error'));
    expect(bad.map((f) => `${f.frame}: ${f.expert.map((e) => e.message).join('; ')}`)).toEqual([]);
    // N16 inside N32, decrypted with the capture's key log
    const n16 = frames.filter((f) => f.protocols.includes('tls')).flatMap((f) => f.fields.get('http2.headers.path') ?? []).filter((p) => p.startsWith('/nsmf-pdusession/v1/'));
    expect(n16).toContain('/nsmf-pdusession/v1/pdu-sessions'); // Create (4.3.2.2.2 step 6)
    expect(n16.some((p) => /^\/nsmf-pdusession\/v1\/pdu-sessions\/\d+\/modify$/.test(p)), 'Update, V-SMF -> H-SMF (1a)').toBe(true);
    expect(n16.some((p) => /^\/nsmf-pdusession\/v1\/pdu-sessions\/\d+\/release$/.test(p)), 'Release (1c)').toBe(true);
    expect(n16.some((p) => /^\/nsmf-pdusession\/v1\/vsmf-pdu-sessions\/\d+\/modify$/.test(p)), 'Update, H-SMF -> V-SMF (3a)').toBe(true);
  }, 90_000);
});
