// A local-breakout PDU session of a roaming UE (issue 16; TS 23.501 4.2.4 and 5.6.1, TS 23.502
// 4.3.2.2.1 with the SMF in the VPLMN): with `roaming.localBreakout: [internet]` the AMF names no
// H-SMF, the visited SMF anchors the session itself: it registers (Nudm_UECM_Registration) and reads
// the SM subscription data (Nudm_SDM_Get sm-data) at the roamer's HOME UDM through vSEPP and hSEPP
// (N32-f), takes the SM policy of the V-PCF (local configuration, no UDR read: 4.16.6 step 3 NOTE)
// and makes the V-UPF the PDU Session Anchor, N6 to the visited data network; the address is the
// visited PLMN's. Released by the UE (4.3.4.2) and again at its deregistration (4.3.2.2.1 then
// 4.3.4.2 via 4.2.2.3.2), every ledger of both PLMNs back. The H-SMF and the H-PCF see nothing.
// Judges: the trace for the step tags and order; Ajv on the Rel-18 OpenAPI (the global SBI setup,
// test/helpers/sbi-schema-setup.ts) for every SBI body, the UECM SmfRegistration and the SDM
// SessionManagementSubscriptionData at the home UDM included; tshark for the capture (the UDM
// requests decrypted inside N32's TLS, the ICMP echo on N3 only, no expert warning).
// The V-PCF, as PCF for the UE, asks for the events of the UE's sessions (TS 23.502 4.16.14.2,
// TS 29.507 pcfUeInfo/matchPdus): the AMF hands pcfUeCallbackInfo to the V-SMF of the local-breakout
// session (TS 29.502 SmContextCreateData), which the V-PCF then reports ESTABLISHED. Before
// review-2026-12-06 the AMF asked homeSmfOf without the DNN, took the session for home-routed and
// sent no pcfUeCallbackInfo.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { Capture } from '../../transport/capture/capture.ts';
import { startRoamingTestNetwork, type RoamingTestNetwork } from '../helpers/roaming-network.ts';
import { tsharkAvailable, dissect } from '../helpers/tshark.ts';

let net: RoamingTestNetwork;
const supi = 'imsi-208930000000031';
const file = join(mkdtempSync(join(tmpdir(), 'wire5g-lbo-')), 'lbo.pcapng');
const capture = Capture.toFile(file);

beforeAll(async () => {
  net = await startRoamingTestNetwork(108, [supi], { tap: capture, localBreakout: ['internet'], pduSessionEvents: true });
}, 30_000);

afterAll(async () => {
  await net?.stop();
  capture.close();
});

const line = (e: TraceEvent) => `${e.from}>${e.to} ${e.message}${e.step ? ` [${e.step}]` : ''}`;

function inOrder(lines: string[], order: string[]): void {
  let last = -1;
  for (const s of order) {
    const i = lines.findIndex((x, k) => k > last && x.includes(s));
    expect(i, `'${s}' after position ${last} in\n${lines.join('\n')}`).toBeGreaterThan(last);
    last = i;
  }
}

describe('local breakout PDU session of a roaming UE (TS 23.502 4.3.2.2.1 in the VPLMN)', () => {
  it('is anchored at the V-SMF and V-UPF with the home UDM through the SEPPs and the V-PCF, and releases with every ledger back', async () => {
    await net.quiet();
    const before = net.ledgers();
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    const u = net.ue(supi);
    let est: string[], rel: string[], dereg: string[];
    try {
      await u.register(net.gnb);
      let mark = events.length;
      await u.establishPduSession(1);
      await net.quiet();
      est = events.slice(mark).map(line);
      // the visited PLMN's address (testConfig's uePool 10.45.0.0/16), not the home one (10.46)
      expect(u.sessions.get(1)?.address).toMatch(/^10\.45\./);
      const during = net.ledgers();
      expect(during.SMF['SM contexts']).toBe(1);
      expect(during.SMF['UE addresses']).toBe(1);
      expect(during['H-SMF']['SM contexts']).toBe(0);
      expect(during.UPF['sessions (SEIDs)']).toBe(1);
      expect(during['H-UPF']['sessions (SEIDs)']).toBe(0);
      // the V-PCF holds the association (local configuration, 0ac705e), the H-PCF nothing
      expect(during.PCF['SM policy associations']).toBe(1);
      expect(during['H-PCF']['SM policy associations']).toBe(0);
      // 4.16.14.2: pcfUeCallbackInfo reached the V-SMF, and the V-PCF reported the session to itself as PCF for the UE
      expect([...net.core.smf.contexts.values()].map((c) => c.pcfUeInfo?.callbackUri)).toEqual([expect.stringMatching(/^http:\/\//)]);
      expect([...net.core.pcf.amPolicies.values()].flatMap((a) => [...(a.pduSessions?.values() ?? [])])).toHaveLength(1);
      // N6 of the V-UPF: the visited data network answers
      expect(await u.ping(net.cfg.dataNetwork, 1)).toBeGreaterThanOrEqual(0);
      mark = events.length;
      await u.releasePduSession(1);
      await net.quiet();
      rel = events.slice(mark).map(line);
      expect(u.sessions.size).toBe(0);
      // again, then released at the UE's switch-off deregistration
      await u.establishPduSession(1);
      await net.quiet();
      mark = events.length;
      await u.deregister({ switchOff: true });
      await net.quiet();
      dereg = events.slice(mark).map(line);
    } finally {
      off();
    }
    inOrder(est, [
      'AMF>SMF Nsmf_PDUSession_CreateSMContext [4.3.2.2.1 step 3]',
      'SMF>H-UDM Nudm_UECM_Registration [4.3.2.2.1 step 4]',
      'SMF>H-UDM Nudm_SDM_Get [4.3.2.2.1 step 4]',
      'SMF>H-UDM Nudm_SDM_Subscribe [4.3.2.2.1 step 4]',
      'SMF>PCF Npcf_SMPolicyControl_Create [4.3.2.2.1 step 7b]',
      'SMF>UPF Session Establishment Request [4.3.2.2.1 step 10a]',
      'SMF>AMF Namf_Communication_N1N2MessageTransfer [4.3.2.2.1 step 11]',
    ]);
    // the UDM requests cross N32: vSEPP to hSEPP
    expect(est.filter((x) => x.startsWith('vSEPP>hSEPP') && /nudm-(uecm|sdm)/.test(x)).length).toBeGreaterThanOrEqual(3);
    // no home-routed step: no N16, no hSmfUri
    expect(est.filter((x) => x.includes('4.3.2.2.2'))).toEqual([]);
    inOrder(rel, ['UE>AMF UL NAS transport (PDU session release request)', 'AMF>SMF Nsmf_PDUSession_UpdateSMContext', 'SMF>UPF Session Deletion Request', 'SMF>PCF Npcf_SMPolicyControl_Delete', 'SMF>H-UDM Nudm_SDM_Unsubscribe', 'SMF>H-UDM Nudm_UECM_Deregistration']);
    inOrder(dereg, ['AMF>SMF Nsmf_PDUSession_ReleaseSMContext', 'SMF>UPF Session Deletion Request', 'SMF>PCF Npcf_SMPolicyControl_Delete', 'SMF>H-UDM Nudm_UECM_Deregistration']);
    // the V-PCF read nothing at any UDR for the roamer (TS 23.502 4.16.6 step 3 NOTE)
    const all = events.map(line);
    expect(all.filter((x) => /^PCF>H?-?UDR/.test(x))).toEqual([]);
    // the H-SMF and the H-PCF saw nothing
    expect(events.filter((e) => ['H-SMF', 'H-PCF', 'H-UPF'].includes(e.from) || ['H-SMF', 'H-PCF', 'H-UPF'].includes(e.to)).map(line)).toEqual([]);
    expect(net.ledgers()).toEqual(before);
  }, 40_000);

  it.runIf(tsharkAvailable())('tshark reads the home UDM requests inside N32 (TLS, key log in the capture), the echo on N3 only, without warnings', () => {
    capture.flush();
    const frames = dissect(file, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    const tlsPaths = frames.filter((x) => x.protocols.includes('tls')).flatMap((x) => x.fields.get('http2.headers.path') ?? []).map((p) => p.replace(/\?.*/, ''));
    expect(tlsPaths).toEqual(expect.arrayContaining([`/nudm-uecm/v1/${supi}/registrations/smf-registrations/1`, `/nudm-sdm/v2/${supi}/sm-data`]));
    expect(tlsPaths.filter((p) => p.startsWith('/nsmf-pdusession'))).toEqual([]);
    const cfg = net.cfg;
    const echo = frames.filter((f) => (f.fields.get('icmp.type') ?? []).includes('8'));
    expect(echo.length).toBeGreaterThanOrEqual(1);
    // GTP-U only between the gNB and the V-UPF (N3): no N9 to the H-UPF
    expect(frames.filter((f) => f.protocols.includes('gtp') && (f.fields.get('ip.addr') ?? []).includes(cfg.roaming.home.addresses.upf))).toEqual([]);
    const bad = frames.filter((f) => f.malformed || f.expert.some((e) => e.severity === 'warning' || e.severity === 'error'));
    expect(bad.map((f) => `${f.frame}: ${f.expert.map((e) => e.message).join('; ')}`)).toEqual([]);
  });
});
