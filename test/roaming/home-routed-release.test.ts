// Every release trigger of TS 23.502 4.3.4.3 that wire5g implements, each on its own roaming UE in
// one network of two PLMNs (issue 17): 1a (the UE's release request), 1c in UE-initiated and in
// network-initiated deregistration and when the UE's slice is no longer available, 1e by the H-SMF's operator, by the H-PCF (SM Policy Association
// Termination case A) and with network slice replacement, 1f by the AMF (UpdateSMContext with the release indication); the scenario adds 1c for one slice
// of two while the UE stays registered (test/roaming/slice-no-longer-available.test.ts judges its step order). For each, the trace must show the steps
// in the clause's order (the seed text, /work/shared/seeds 003), pings over N9 before and the UE
// holding no session after; the network stops with every ledger of both PLMNs back at its start.
// The built-in scenario `home-routed-release` runs the same triggers and must exit OK; tshark reads
// its capture without a warning, and judges the N16 messages (N32-f, decrypted with the capture's key
// log): what each trigger's request and the V-SMF's step 5 carry.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { LiveNetwork } from '../../nodes/control/live-network.ts';
import { pcfTerminateOn } from '../../nodes/control/policy-commands.ts';
import { amfReleaseOn } from '../../nodes/control/amf-release-command.ts';
import { runScenarioFile, loadScenario } from '../../nodes/control/scenario-file.ts';
import { stepOrder } from '../../nodes/control/step-order.ts';
import { roamingTestConfig } from '../helpers/roaming-network.ts';
import { tsharkAvailable, dissect } from '../helpers/tshark.ts';

const supis = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `imsi-20893000000010${i}`);
const cfg = roamingTestConfig(230, supis);
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

// each trigger's step order is stated once, in the built-in scenario's `order:` (which its run checks too)
const scenario = loadScenario('home-routed-release');
const orderOf = (action: string, ues: string): string[] => stepOrder(scenario, action, ues);

describe('home-routed PDU Session Release, every trigger (TS 23.502 4.3.4.3)', () => {
  it('carries pings over N9 before any release', async () => {
    for (const s of supis) expect((await net.ping(s, { count: 1 })).rttsMs.length).toBe(1);
  });

  it('1a: UE-initiated', async () => {
    const l = await traced(() => net.releasePduSession(supis[0], 1));
    inOrder(l, orderOf('pdu-release', '1-1'));
    // step 5 (the V-SMF's answer) before step 6 (the H-SMF's policy termination)
    inOrder(l, ['SMF>H-SMF 200 (Nsmf_PDUSession_Update)', 'H-SMF>H-PCF Npcf_SMPolicyControl_Delete']);
    expect(net.ueOf(supis[0]).sessions.size).toBe(0);
  });

  it('1c: during UE-initiated deregistration (no NAS SM message; 2 and 6 before 3b)', async () => {
    const l = await traced(() => net.deregister(supis[1], { switchOff: true }));
    inOrder(l, orderOf('deregister', '2-2'));
    expect(l.filter((x) => /PDU session release (command|complete)/.test(x))).toEqual([]);
  });

  it('1c: during network-initiated deregistration', async () => {
    const l = await traced(() => net.amfDeregister(supis[2], { reRegistrationRequired: false }));
    inOrder(l, orderOf('amf-deregister', '3-3'));
  });


  it('1e: by the H-SMF\'s operator (ctl smf release --plmn home)', async () => {
    const l = await traced(() => net.hsmfRelease(supis[3], 1));
    inOrder(l, orderOf('smf-release', '4-4'));
    expect(net.ueOf(supis[3]).sessions.size).toBe(0);
  });

  it('1e: PCF-initiated, the H-PCF\'s SM Policy Association Termination (4.16.6 case A)', async () => {
    const l = await traced(() => pcfTerminateOn(net, supis[4], 1, 'UNSPECIFIED', 'home'));
    inOrder(l, orderOf('pcf-terminate', '5-5'));
    expect(net.ueOf(supis[4]).sessions.size).toBe(0);
  });

  it('1e: network slice replacement, the Alternative HPLMN S-NSSAI and cause #39 reach the V-SMF', async () => {
    const l = await traced(() => net.hsmfRelease(supis[5], 1, { altHplmnSnssai: { sst: 1, sd: 'a1b2c3' } }));
    inOrder(l, orderOf('smf-release', '6-6'));
    // the UE's Release Command carries #39 "reactivation requested" (TS 24.501 9.11.4.2)
    expect(net.ueOf(supis[5]).received).toContain('PDU session release command');
    expect(net.ueOf(supis[5]).sessions.size).toBe(0);
    // the V-SMF put the Alternative S-NSSAI IE (TS 24.501 8.3.14, IEI 5A) in the command and the UE
    // decoded it: the serving PLMN's S-NSSAI and the mapped HPLMN one (test/nas/alternative-snssai.test.ts judges the bytes)
    expect(net.ueOf(supis[5]).alternativeSnssais.get(1)).toEqual({ fiveGsmCause: 39, snssai: { sst: 1, sd: 0xa1b2c3, mappedSst: 1, mappedSd: 0xa1b2c3 } });
  });

  it('1c: the UE\'s slice is no longer available (the home UDM removes it; no N1/N2 SM signalling)', async () => {
    const l = await traced(() => net.udmUpdateSnssai(supis[6], { sst: 2 }));
    inOrder(l, orderOf('udm-update', '7-7'));
    expect(l.filter((x) => /PDU session release (command|complete)|PDUSessionResourceRelease/.test(x))).toEqual([]);
  });

  it('1f: AMF-initiated (release indication, V-SMF -> N16 -> H-SMF; the H-SMF builds the command)', async () => {
    const l = await traced(() => amfReleaseOn(net, supis[7], 1, 'REL_DUE_TO_SLICE_NOT_AVAILABLE'));
    inOrder(l, orderOf('amf-release', '8-8'));
    // step 5 (the V-SMF's answer, after the UE's Release Complete) before step 6
    inOrder(l, ['UE>AMF UL NAS transport (PDU session release complete)', 'SMF>H-SMF 200 (Nsmf_PDUSession_Update)', 'H-SMF>H-PCF Npcf_SMPolicyControl_Delete']);
    expect(net.ueOf(supis[7]).sessions.size).toBe(0);
    expect(net.ueOf(supis[7]).received).toContain('PDU session release command');
  });

  it('stops with every ledger of both PLMNs and both SEPPs back at its start', async () => {
    const r = await net.stop();
    expect(r.leftBehind).toEqual({});
    expect(r.ledgersChecked).toEqual(expect.arrayContaining(['H-SMF', 'H-UPF', 'H-PCF', 'H-UDM', 'H-UDR', 'H-AUSF', 'hSEPP', 'vSEPP', 'SMF', 'UPF', 'AMF']));
    expect(r.ok).toBe(true);
  }, 30_000);

  it('the built-in scenario home-routed-release runs every trigger and exits OK; tshark reads its capture without a warning and the N16 messages carry what 4.3.4.3 lists', async () => {
    const out = mkdtempSync(join(tmpdir(), 'wire5g-hrs-'));
    const scfg = roamingTestConfig(232, []);
    scfg.roaming.home.subscribers = [{ ...cfg.roaming.home.subscribers[0], supi: 'imsi-208930000000201' }];
    const r = await runScenarioFile(scfg, loadScenario('home-routed-release'), { outDir: out, database: ':memory:' });
    expect(r.ues.filter((u) => u.error)).toEqual([]);
    expect(r.leftBehind).toEqual({});
    expect(r.orderErrors).toEqual([]); // every step's `order:` was traced in that order
    expect(r.ok).toBe(true);
    if (!tsharkAvailable()) return;
    const frames = dissect(join(out, 'run.pcapng'), { prefs: ['nas-5gs.null_decipher:TRUE'] });
    const bad = frames.filter((f) => f.malformed || f.expert.some((e) => e.severity === 'warning' || e.severity === 'error'));
    expect(bad.map((f) => `${f.frame}: ${f.expert.map((e) => e.message).join('; ')}`)).toEqual([]);
    const n16 = frames.filter((f) => f.protocols.includes('tls')).flatMap((f) => f.fields.get('http2.headers.path') ?? []).filter((p) => p.startsWith('/nsmf-pdusession/v1/'));
    expect(n16).toContain('/nsmf-pdusession/v1/pdu-sessions'); // Create (4.3.2.2.2 step 6)
    // N32-f between the SEPPs: Wireshark's JSON members of each HTTP/2 message, by path (answers: by status)
    const n32 = frames.filter((f) => f.protocols.includes('tls') && f.fields.has('json.member_with_value'));
    const members = (f: (typeof frames)[number]) => f.fields.get('json.member_with_value') ?? [];
    const requests = (re: RegExp) => n32.filter((f) => (f.fields.get('http2.headers.path') ?? []).some((p) => re.test(p))).map(members);
    const hsmfUpdates = requests(/^\/nsmf-pdusession\/v1\/pdu-sessions\/\d+\/modify$/);
    // 1a: "Trigger PDU Session Release" with the UE's message, ULI and time zone (4.3.4.3 step 1a)
    expect(hsmfUpdates.some((m) => m.includes('requestIndication:UE_REQ_PDU_SES_REL') && m.includes('contentId:n1msg') && m.some((x) => x.startsWith('nrCellId:')) && m.some((x) => x.startsWith('ueTimeZone:')))).toBe(true);
    // 1f: network-requested, the AMF's cause, ULI and time zone
    expect(hsmfUpdates.some((m) => m.includes('requestIndication:NW_REQ_PDU_SES_REL') && m.includes('cause:REL_DUE_TO_SLICE_NOT_AVAILABLE') && m.some((x) => x.startsWith('nrCellId:')) && m.some((x) => x.startsWith('ueTimeZone:')))).toBe(true);
    // 1c when the slice is no longer available: Nsmf_PDUSession_Release with the AMF's cause, for UE 7
    // (deregistered, no slice left) and for UE 9's session on S-NSSAI 2 (it stays registered on S-NSSAI 1)
    expect(requests(/^\/nsmf-pdusession\/v1\/pdu-sessions\/\d+\/release$/).filter((m) => m.includes('cause:REL_DUE_TO_SLICE_NOT_AVAILABLE'))).toHaveLength(2);
    // UE 9's new Allowed NSSAI (TS 23.502 4.2.4.2): SST 1 allowed, SST 2 rejected (cause 0), acknowledgement requested
    const cuc = frames.filter((f) => (f.fields.get('nas_5gs.mm.message_type') ?? []).includes('0x54'));
    expect(cuc.map((f) => [f.fields.get('nas_5gs.mm.sst'), f.fields.get('nas_5gs.mm.rej_s_nssai.cause'), f.fields.get('nas_5gs.mm.conf_upd_ind.ack')])).toEqual([[['1', '2'], ['0'], ['1']]]);
    // 4.3.4.2 step 5c: the slice replacement's Release Command, #39, with the Alternative S-NSSAI
    // after the cause, which Wireshark 4.0.17 does not know in this message: a note, and its octets
    const replacement = frames.filter((f) => (f.fields.get('nas_5gs.sm.message_type') ?? []).includes('0xd3') && (f.fields.get('nas_5gs.sm.5gsm_cause') ?? []).includes('39'));
    // the V-SMF's N1N2MessageTransfer (N11, h2c) and the AMF's NGAP PDU Session Resource Release Command carry it
    expect(replacement.map((f) => [f.fields.get('ip.src')?.[0], f.protocols.includes('sctp') ? 'ngap' : 'http2', f.expert.filter((e) => e.severity === 'note').map((e) => e.message.replace(/,.*/, ''))])).toEqual([[scfg.addresses.smf, 'http2', ['Extraneous Data']], [scfg.addresses.amf, 'ngap', ['Extraneous Data']]]);
    const vsmfUpdates = requests(/^\/nsmf-pdusession\/v1\/vsmf-pdu-sessions\/\d+\/modify$/);
    // 3a: the command for the UE (#36 as n1smCause 24 hex); slice replacement: #39 (27 hex) and the Alternative HPLMN S-NSSAI
    expect(vsmfUpdates.some((m) => m.includes('requestIndication:UE_REQ_PDU_SES_REL') && m.includes('n1smCause:24'))).toBe(true);
    expect(vsmfUpdates.some((m) => m.includes('requestIndication:NW_REQ_PDU_SES_REL') && m.includes('n1smCause:27') && m.includes('sst:1') && m.includes('sd:a1b2c3'))).toBe(true);
    // step 5: the V-SMF's 200 with the UE's Release Complete, where the UE is and its time zone
    const step5 = n32.filter((f) => (f.fields.get('http2.headers.status') ?? []).includes('200')).map(members).filter((m) => m.includes('contentId:n1msg') && m.some((x) => x.startsWith('nrCellId:')) && m.some((x) => x.startsWith('ueTimeZone:')));
    expect(step5.length).toBeGreaterThanOrEqual(5); // 1a, 1e operator, 1e H-PCF, 1e slice replacement, 1f
    // traffic on N9 before each release and none after (the issue's check), judged per session from
    // tshark's fields: the H-UPF's PFCP establishment names the UE address and the CP SEID, its
    // response the UP SEID, the deletion that UP SEID; the N9 G-PDUs (V-UPF <-> H-UPF) carry the
    // UE's address inside
    const hUpf = scfg.roaming.home.addresses.upf;
    const vUpf = scfg.addresses.upf;
    const cpToUe = new Map<string, string>();
    const upToUe = new Map<string, string>();
    const live = new Map<string, number>(); // UE address -> N9 G-PDUs of its current session
    const deleted = new Set<string>();
    let deletions = 0; // H-UPF Session Deletion Requests for a session of the capture
    const afterRelease: string[] = [];
    const withoutTraffic: string[] = [];
    for (const f of frames) {
      const ip = f.fields.get('ip.dst') ?? [];
      const src = f.fields.get('ip.src') ?? [];
      // each PFCP message of the datagram on its own: the SMFs and UPFs bundle them (FO flag, TS 29.244 7.2.2.1)
      for (const m of f.messages('pfcp')) {
        const type = m.get('pfcp.msg_type')?.[0];
        const seid = m.get('pfcp.seid') ?? [];
        if (type === '50' && ip[0] === hUpf) cpToUe.set(seid[1], m.get('pfcp.ue_ip_addr_ipv4')?.[0] ?? '');
        if (type === '51' && src[0] === hUpf && cpToUe.has(seid[0])) {
          const ue = cpToUe.get(seid[0])!;
          upToUe.set(seid[1], ue);
          live.set(ue, 0);
          deleted.delete(ue);
        }
        if (type === '54' && ip[0] === hUpf && upToUe.has(seid[0])) {
          const ue = upToUe.get(seid[0])!;
          if (!live.get(ue)) withoutTraffic.push(ue);
          deleted.add(ue);
          deletions += 1;
        }
      }
      if ((f.fields.get('gtp.message') ?? []).includes('0xff') && [src[0], ip[0]].sort().join() === [hUpf, vUpf].sort().join()) {
        const ue = [src[1], ip[1]].find((a) => live.has(a));
        if (ue && deleted.has(ue)) afterRelease.push(`frame ${f.frame}: ${ue}`);
        else if (ue) live.set(ue, live.get(ue)! + 1);
      }
    }
    // ten home-routed sessions, each released: one per UE on S-NSSAI 1 (UE 9's when the run ends)
    // and UE 9's on S-NSSAI 2; the SMF gives each its own address (it reuses a released address
    // only after the whole pool, least recently released first), so ten addresses
    expect(deletions).toBe(10);
    expect(deleted.size).toBe(10);
    expect(afterRelease).toEqual([]);
    expect(withoutTraffic).toEqual([]);
  }, 90_000);
});
