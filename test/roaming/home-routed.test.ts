// Home-routed PDU sessions over two PLMNs (issue 17, TS 23.502 4.3.2.2.2 and 4.3.4.3 step 1c):
// a roaming UE's session is created by the V-SMF at the H-SMF over N16 through vSEPP and hSEPP,
// with the V-UPF's intermediate session and the H-UPF's anchor joined by an N9 GTP-U tunnel;
// pings go UE -> gNB -> V-UPF -> N9 -> H-UPF -> DN and back. The UE then switches off: the V-SMF
// stops the uplink at the V-UPF and releases the session at the H-SMF (4.3.4.3 step 1c), which
// releases the H-UPF's session (step 2) and terminates the SM policy (step 6) before its answer
// (step 3b). The step order is judged by the trace; tshark (the independent judge) reads the
// capture: N16 inside N32's TLS decrypted with the capture's own key log, N9 GTP-U between the
// two UPFs carrying the ICMP echo, no expert warning. Every ledger of both PLMNs is back at its start.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { Capture } from '../../transport/capture/capture.ts';
import { startRoamingTestNetwork, type RoamingTestNetwork } from '../helpers/roaming-network.ts';
import { tsharkAvailable, dissect } from '../helpers/tshark.ts';

let net: RoamingTestNetwork;
const supi = 'imsi-208930000000021';
const file = join(mkdtempSync(join(tmpdir(), 'wire5g-hr-')), 'hr.pcapng');
const capture = Capture.toFile(file);

beforeAll(async () => {
  net = await startRoamingTestNetwork(74, [supi], { tap: capture });
}, 30_000);

afterAll(async () => {
  await net?.stop();
  capture.close();
});

const line = (e: TraceEvent) => `${e.from}>${e.to} ${e.message}${e.step ? ` [${e.step}]` : ''}`;

describe('home-routed PDU session (TS 23.502 4.3.2.2.2) and its release on deregistration (4.3.4.3 step 1c)', () => {
  it('establishes through the SEPPs, carries pings over N9, and releases in the clause order with every ledger back', async () => {
    await net.quiet();
    const before = net.ledgers();
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    const u = net.ue(supi);
    let released: TraceEvent[];
    try {
      await u.register(net.gnb);
      await u.establishPduSession(1);
      await net.quiet();
      // the address is the home PLMN's (H-SMF pool 10.46.0.0/16)
      expect(u.sessions.get(1)?.address).toMatch(/^10\.46\./);
      const during = net.ledgers();
      expect(during.SMF['SM contexts']).toBe(1);
      expect(during['H-SMF']['SM contexts']).toBe(1);
      expect(during['H-SMF']['UE addresses']).toBe(1);
      expect(during.SMF['UE addresses']).toBe(0);
      expect(during.UPF['sessions (SEIDs)']).toBe(1);
      expect(during['H-UPF']['sessions (SEIDs)']).toBe(1);
      // TS 23.502 4.16.6 (issue 16): home-routed, the V-PCF is not involved and the H-PCF holds the
      // association, told by the H-SMF that the UE is in the visited PLMN (servingNetwork); a
      // roaming session gets no NWDAF analytics subscription ("in the non-roaming case")
      expect(during.PCF['SM policy associations']).toBe(0);
      expect(during['H-PCF']['SM policy associations']).toBe(1);
      expect(during['H-PCF']['BSF bindings held']).toBe(1);
      expect(during['H-PCF']['NWDAF subscriptions held']).toBe(0);
      expect([...net.core.home!.pcf.smPolicies.values()].map((a) => a.servingNetwork)).toEqual([net.cfg.plmn]);
      expect(await u.ping(net.cfg.roaming.home.dataNetwork, 3)).toBeGreaterThanOrEqual(0);
      const mark = events.length;
      await u.deregister({ switchOff: true });
      await net.quiet();
      released = events.slice(mark);
    } finally {
      off();
    }
    const est = events.map(line);
    const at = (list: string[], s: string) => {
      const i = list.findIndex((x) => x.includes(s));
      expect(i, `${s} in\n${list.join('\n')}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    // 4.3.2.2.2: 3a, 5a (V-UPF), 6 (N16 over N32), 7, 9b, 12a (H-UPF), 13, 14
    const order = ['AMF>SMF Nsmf_PDUSession_CreateSMContext', 'SMF>UPF Session Establishment Request [4.3.2.2.2 step 5a]', 'SMF>H-SMF Nsmf_PDUSession_Create [4.3.2.2.2 step 6]', 'vSEPP>hSEPP POST /nsmf-pdusession/v1/pdu-sessions (N32-f)', 'H-SMF>H-UDM Nudm_UECM_Registration [4.3.2.2.2 step 7]', 'H-SMF>H-PCF Npcf_SMPolicyControl_Create [4.3.2.2.2 step 9b]', 'H-SMF>H-UPF Session Establishment Request [4.3.2.2.2 step 12a]', 'SMF>UPF Session Modification Request (uplink forward) [4.3.2.2.2 step 13]', 'SMF>AMF Namf_Communication_N1N2MessageTransfer [4.3.2.2.2 step 14]'];
    for (let i = 1; i < order.length; i++) expect(at(est, order[i - 1]), order[i]).toBeLessThan(at(est, order[i]));
    // 4.3.4.3 step 1c: uplink stopped at the V-UPF, Release at the H-SMF; 2 and 6 before 3b; then the V-UPF's session
    const rel = released.map(line);
    const relOrder = ['AMF>SMF Nsmf_PDUSession_ReleaseSMContext', 'SMF>UPF Session Modification Request (uplink drop) [4.3.4.3 step 1c]', 'SMF>H-SMF Nsmf_PDUSession_Release [4.3.4.3 step 1c]', 'H-SMF>H-UPF Session Deletion Request [4.3.4.3 step 2]', 'H-SMF>H-PCF Npcf_SMPolicyControl_Delete [4.3.4.3 step 6]', 'H-SMF>SMF 204 (Nsmf_PDUSession_Release)', 'SMF>UPF Session Deletion Request', 'SMF>AMF 204 (Nsmf_PDUSession_ReleaseSMContext)'];
    for (let i = 1; i < relOrder.length; i++) expect(at(rel, relOrder[i - 1]), relOrder[i]).toBeLessThan(at(rel, relOrder[i]));
    // 4.16.6: "the H-PCF interacts only with the H-SMF": its peers are the H-SMF and its own PLMN's UDR, BSF and CHF
    const hpcfPeers = new Set(events.filter((e) => e.from === 'H-PCF' || e.to === 'H-PCF').map((e) => (e.from === 'H-PCF' ? e.to : e.from)));
    expect([...hpcfPeers].sort()).toEqual(['H-BSF', 'H-CHF', 'H-SMF', 'H-UDR']);
    // no NAS SM message in a serving-network-initiated release (4.3.4.3 step 1c)
    expect(rel.filter((x) => /PDU session release (command|complete)/.test(x))).toEqual([]);
    // no traffic is forwarded after the release: every UPF session is gone
    expect(net.ledgers()).toEqual(before);
  }, 40_000);

  it.runIf(tsharkAvailable())('tshark reads N16 inside N32 (TLS, key log in the capture) and the ICMP echo on N9 between the UPFs, without warnings', () => {
    capture.flush();
    const frames = dissect(file, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    const paths = frames.flatMap((f) => f.fields.get('http2.headers.path') ?? []);
    const n32 = frames.filter((f) => f.protocols.includes('tls') && (f.fields.get('http2.headers.path') ?? []).some((p) => p.startsWith('/nsmf-pdusession/v1/pdu-sessions')));
    expect(n32.length, 'Nsmf_PDUSession_Create/Release decrypted inside N32').toBeGreaterThanOrEqual(2);
    expect(paths).toContain('/n32c-handshake/v1/exchange-capability');
    // both PLMNs in the capture (Wireshark's E.212 MCC/MNC: the visited 001/01 and the home 208/93),
    // and the inter-PLMN requests inside N32's TLS: 5G AKA at the home AUSF, UECM and SDM at the
    // home UDM (the registration through the SEPPs), N16 Create and Release
    const values = (n: string) => new Set(frames.flatMap((x) => x.fields.get(n) ?? []));
    expect([[...values('e212.mcc')].sort(), [...values('e212.mnc')].sort()]).toEqual([['1', '208'], ['1', '93']]);
    const tlsPaths = frames.filter((x) => x.protocols.includes('tls')).flatMap((x) => x.fields.get('http2.headers.path') ?? []).map((p) => p.replace(/\?.*/, ''));
    expect(tlsPaths).toEqual(expect.arrayContaining(['/n32c-handshake/v1/exchange-capability', '/nausf-auth/v1/ue-authentications', `/nudm-uecm/v1/${supi}/registrations/amf-3gpp-access`, `/nudm-sdm/v2/${supi}/am-data`, '/nsmf-pdusession/v1/pdu-sessions', '/nsmf-pdusession/v1/pdu-sessions/1/release']));
    const cfg = net.cfg;
    const n9 = frames.filter((f) => f.protocols.includes('gtp') && [cfg.addresses.upf, cfg.roaming.home.addresses.upf].every((a) => (f.fields.get('ip.addr') ?? []).includes(a)));
    expect(n9.some((f) => (f.fields.get('icmp.type') ?? []).includes('8')), 'echo request on N9').toBe(true);
    expect(n9.some((f) => (f.fields.get('icmp.type') ?? []).includes('0')), 'echo reply on N9').toBe(true);
    const bad = frames.filter((f) => f.malformed || f.expert.some((e) => e.severity === 'warning' || e.severity === 'error'));
    expect(bad.map((f) => `${f.frame}: ${f.expert.map((e) => e.message).join('; ')}`)).toEqual([]);
  });
});
