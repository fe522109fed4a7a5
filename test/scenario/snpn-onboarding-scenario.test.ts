// The built-in scenario `snpn-onboarding` (issue 19): one UE per DCS case (9-3 no DCS, 9-2 a DCS
// hosting AUSF/UDM, 9-1 a DCS hosting an AAA server: EAP-AKA' from the UE through AMF, AUSF and
// NSSAAF, RADIUS to the AAA server), each registered with Onboarding SNPN (TS 23.502 4.2.2.2.4), its onboarding
// PDU session established, provisioned by the PVS over it (CoAP), deregistered by the AMF's
// onboarding deregistration timer (4.2.2.3.3), then registered to the SNPN with the SO-SNPN
// credentials it obtained. The run exits clean only when every step succeeded and every ledger
// (the DCS's NFs and the PVS included) is back at its start; the per-UE step order is read from
// the trace; tshark (the independent peer) decodes the whole capture without a warning.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, runScenarioFile, parseScenario, ScenarioFileError } from '../../nodes/control/scenario-file.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { testConfig } from '../helpers/network.ts';
import { inOrder } from '../helpers/steps.ts';
import { stepOrder } from '../../nodes/control/step-order.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';
import { writeEapolPcap } from '../helpers/eapol-pcap.ts';

const THIRD = 173;
const CASE_9_3 = 'nai-onboard1@nid000007ed9d5.mnc001.mcc001.3gppnetwork.org';
const CASE_9_2 = 'nai-onboard2@dcs.example.org';
const CASE_9_1 = 'nai-onboard3@aaa.example.org';

describe('scenario snpn-onboarding', () => {
  it('onboards, provisions, deregisters by the timer and registers with the new credentials, per DCS case; every ledger back; tshark reads every frame', async () => {
    const scenario = loadScenario('snpn-onboarding');
    // the scenario's PVS and DCS addresses moved beside the test network's (127.0.173.x)
    const config = JSON.parse(JSON.stringify(scenario.config).replaceAll('127.0.0.', `127.0.${THIRD}.`)) as { snpn: { onboarding: { deregistrationTimerSeconds: number } } };
    config.snpn.onboarding.deregistrationTimerSeconds = 2; // 4 in the file; the run waits for it
    const moved = { ...scenario, config };
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    let r;
    try {
      r = await runScenarioFile(testConfig(THIRD), moved, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-snpn-')), database: ':memory:' });
    } finally {
      off();
    }
    expect(r.ues.filter((u) => u.error)).toEqual([]);
    expect(r.leftBehind).toEqual({});
    expect(r.ledgersChecked).toEqual(expect.arrayContaining(['PVS', 'DCS-UDR', 'DCS-UDM', 'DCS-AUSF', 'DCS-AAA', 'NSSAAF']));
    expect(r.orderErrors).toEqual([]); // every step's `order:` was traced in that order (NAS per UE)
    expect(r.ok).toBe(true);
    const procedures = (r.summary.procedures as { name: string; count?: number }[]).map((p) => p.name);
    for (const n of ['Registration with Onboarding SNPN', 'UE provisioning (SO-SNPN credentials from the PVS)', 'Network-initiated Deregistration (onboarding deregistration timer)', 'Registration']) expect(procedures, n).toContain(n);

    const line = (e: TraceEvent) => `${e.from}>${e.to} ${e.message} [${e.step ?? ''}]`;
    const of = (supi: string) => events.filter((e) => e.ue === supi).map(line);
    // the orders are stated once, in the scenario (whose run checks them too); here also across its steps, and per UE where the run cannot
    const onboarding = stepOrder(scenario, 'register', 'all');
    // the timer may fire before the await-deregistration step starts (its run does not state this order)
    const deregistration = ['Deregistration request (UE terminated) [4.2.2.3.3 step 2]', 'Deregistration accept (UE terminated)'];
    const soSnpn = scenario.steps.filter((s) => s.action === 'register')[1];
    const soOrder = soSnpn.action === 'register' ? soSnpn.order ?? [] : [];
    expect(soOrder.length).toBeGreaterThan(0);
    for (const [supi, soSupi, auth] of [[CASE_9_3, 'imsi-001010000000101', 'AMF>AUSF Nausf_UEAuthentication_Authenticate [4.2.2.2.4 step 9-3]'], [CASE_9_2, 'imsi-001010000000102', 'AMF>DCS-AUSF Nausf_UEAuthentication_Authenticate [4.2.2.2.4 step 9-2]'], [CASE_9_1, 'imsi-001010000000103', 'AMF>AUSF Nausf_UEAuthentication_Authenticate [4.2.2.2.4 step 9-1]']] as const) {
      // the UE's NAS messages in order (N2 and SBI messages name no SUPI: RAN UE ids, the SUCI; read among all the run's)
      inOrder(of(supi), [...onboarding.filter((p) => p.startsWith('Registration ')), ...deregistration]);
      inOrder(events.map(line), onboarding.map((p) => (p.includes('Nausf_UEAuthentication_Authenticate') ? auth : p))); // the case's own step 9
      inOrder(of(soSupi), soOrder);
      const lastOnboarding = events.map((e) => e.ue).lastIndexOf(supi);
      const firstSo = events.findIndex((e) => e.ue === soSupi);
      expect(firstSo, `${soSupi} registers after ${supi} is gone`).toBeGreaterThan(lastOnboarding);
    }
    // case 9-3 authenticates at the ON-SNPN's own AUSF, 9-2 at the DCS's, 9-1 at the own AUSF, which goes to the AAA server
    const auth = events.filter((e) => e.message === 'Nausf_UEAuthentication_Authenticate' && e.step?.startsWith('4.2.2.2.4') && e.from === 'AMF').map(line);
    expect(new Set(auth)).toEqual(new Set(['AMF>AUSF Nausf_UEAuthentication_Authenticate [4.2.2.2.4 step 9-3]', 'AMF>DCS-AUSF Nausf_UEAuthentication_Authenticate [4.2.2.2.4 step 9-2]', 'AMF>AUSF Nausf_UEAuthentication_Authenticate [4.2.2.2.4 step 9-1]']));
    // 9-1: the EAP rounds in order, UE to AAA server and back (TS 33.501 I.2.2.2)
    // (the AMF's NAS before the SUCI is resolved names no SUPI: read among all the run's)
    inOrder(events.map(line), [
      'AMF>AUSF Nausf_UEAuthentication_Authenticate [4.2.2.2.4 step 9-1]', 'AUSF>NSSAAF Nnssaaf_AIW_Authenticate [4.2.2.2.4 step 9-1]', 'NSSAAF>DCS-AAA RADIUS Access-Request',
      "DCS-AAA>NSSAAF RADIUS Access-Challenge (EAP-Request/AKA'-Challenge)", 'AMF>UE Authentication request [4.2.2.2.4 step 9-1]', "UE>AMF Authentication response (EAP-Response/AKA'-Challenge) [4.2.2.2.4 step 9]",
      'AMF>AUSF Nausf_UEAuthentication_Authenticate [4.2.2.2.4 step 9-1]', 'AUSF>NSSAAF Nnssaaf_AIW_Authenticate [4.2.2.2.4 step 9-1]', 'NSSAAF>DCS-AAA RADIUS Access-Request', 'DCS-AAA>NSSAAF RADIUS Access-Accept (EAP-Success, MSK)',
      'AMF>UE Authentication result [4.2.2.2.4 step 9-1]', 'AMF>UE Security mode command [4.2.2.2.4 step 9-1 (NAS security mode control)]', 'Registration accept [4.2.2.2.4 step 21]',
    ]);

    // every message of the three onboarding registrations carries its 4.2.2.2.4 step, but for these
    // (answers are drawn as the answer of their request): the local AUSF's request to the UDM (9-3;
    // an AUSF does not know why it authenticates; the DCS's is 9-2), the UDMs' to their UDRs and
    // the AUSFs' result confirmations (storage and TS 33.501 6.1.4, untagged in every procedure)
    const first = events.findIndex((e) => e.step === '4.2.2.2.4 step 1');
    const last = events.map((e) => e.step).lastIndexOf('4.2.2.2.4 step 22');
    const other = events.slice(first, last + 1).filter((e) => !e.response && !e.step?.startsWith('4.2.2.2.4')).map(line);
    expect(new Set(other)).toEqual(new Set([
      'AUSF>UDM Nudm_UEAuthentication_Get [4.2.2.2.2 step 9]',
      ...['Nudr_DM_Query', 'Nudr_DM_Update', 'Nudr_DM_Create'].flatMap((op) => [`UDM>UDR ${op} []`, `UDM>DCS-UDR ${op} []`]),
      'AUSF>UDM Nudm_UEAuthentication_ResultConfirmation []', 'AUSF>DCS-UDM Nudm_UEAuthentication_ResultConfirmation []',
    ]));

    if (!tsharkAvailable()) return;
    const frames = dissect(r.files.capture!, { prefs: ['nas-5gs.null_decipher:TRUE', 'radius.shared_secret:wire5g-radius', 'radius.validate_authenticator:TRUE'] });
    expect(problems(frames)).toEqual([]);
    const values = (f: string) => frames.flatMap((x) => x.fields.get(f) ?? []);
    expect(values('nas_5gs.mm.5gs_reg_type')).toContain('5'); // SNPN onboarding
    expect(values('coap.opt.uri_query')).toEqual(expect.arrayContaining([`id=${CASE_9_3}`, `id=${CASE_9_2}`, `id=${CASE_9_1}`]));
    // the PVS information in the accepts' ePCO: IPv4 (0036H), IPv6 (0037H, the DCS's) and names (0038H); octets judged in snpn-onboarding.test.ts
    expect(new Set(values('gsm_a.gm.sm.pco_pid'))).toEqual(new Set(['0x0036', '0x0037', '0x0038']));
    // 9-1 on the wire: EAP-AKA' (type 50) in NAS and in RADIUS; every RADIUS answer's authenticator valid; the MSK's MS-MPPE keys
    const nasEap = frames.filter((f) => f.protocols.includes('nas-5gs') && f.protocols.includes('eap'));
    expect(nasEap.flatMap((f) => f.fields.get('eap.type') ?? [])).toContain('50');
    expect(nasEap.flatMap((f) => f.fields.get('eap.code') ?? [])).toEqual(expect.arrayContaining(['1', '2', '3']));
    const radius = frames.filter((f) => f.protocols.includes('radius'));
    expect(radius.map((f) => f.fields.get('radius.code')?.[0])).toEqual(expect.arrayContaining(['1', '11', '2']));
    for (const f of radius.filter((x) => ['2', '11'].includes(x.fields.get('radius.code')?.[0] ?? ''))) expect(f.fields.has('radius.authenticator.valid'), `frame ${f.frame}`).toBe(true);
    const accept = radius.find((f) => f.fields.get('radius.code')?.[0] === '2')!;
    for (const k of ['radius.MS_MPPE_Recv_Key', 'radius.MS_MPPE_Send_Key']) expect(accept.fields.has(k), `${k} in the Access-Accept`).toBe(true);
    // 9-1 on the SBI: Wireshark reads the JSON but has no EAP dissector for its base64 strings
    // (Nausf 5gAuthData/eapPayload, Nnssaaf eapIdRsp/eapMessage); the strings tshark extracted are
    // put back on a wire it dissects EAP from (802.1X EAPOL frames) and judged there, each packet once
    const eapStrings = [...new Set(values('json.member_with_value').filter((m) => /^(eapIdRsp|eapMessage|eapPayload|5gAuthData):/.test(m)).map((m) => m.slice(m.indexOf(':') + 1)).filter((v) => /^[A-Za-z0-9+/]+=*$/.test(v)))];
    const eapolPath = join(mkdtempSync(join(tmpdir(), 'wire5g-eapol-')), 'sbi-eap.pcap');
    writeEapolPcap(eapolPath, eapStrings.map((b) => Uint8Array.from(Buffer.from(b, 'base64'))));
    const sbiEap = dissect(eapolPath);
    expect(problems(sbiEap)).toEqual([]);
    const eapField = (f: string) => sbiEap.map((x) => x.fields.get(f)?.join() ?? '');
    // Response/Identity, Request and Response AKA'-Challenge (type 50, subtype 1), Success
    expect(eapField('eap.code')).toEqual(['2', '1', '2', '3']);
    expect(eapField('eap.type')).toEqual(['1', '50', '50', '']);
    expect(eapField('eap.aka.subtype')).toEqual(['', '1', '1', '']);
    // step 21: the N2 message's Allowed NSSAI (NGAP Initial Context Setup Request) is the onboarding
    // configuration's S-NSSAI (SST 2) for the three onboarding registrations, the SO-SNPN's (SST 1) after
    // (the Allowed NSSAI IE is in the Initial Context Setup Requests only, in this run)
    const ics = frames.filter((f) => f.fields.has('ngap.AllowedNSSAI'));
    let seen = 0;
    for (const f of ics) {
      const sst = [...new Set(f.fields.get('ngap.sST'))];
      expect(sst, `frame ${f.frame}`).toEqual([seen < 3 ? '02' : '01']);
      seen += f.fields.get('ngap.AllowedNSSAI')!.length;
    }
    expect(seen).toBe(6);
  }, 120_000);

  it('a config block that does not validate is refused with one line naming the key', () => {
    const text = 'description: x\nues: 1\nconfig:\n  snpn: { nid: 12 }\nsteps:\n  - register: all\n';
    expect(() => parseScenario(text, 'x.yaml')).toThrow(ScenarioFileError);
    expect(() => parseScenario(text, 'x.yaml')).toThrow(/^x\.yaml: config\.snpn\.nid: /);
    expect(() => parseScenario('description: x\nconfig: 3\nsteps:\n  - register: all\n', 'x.yaml')).toThrow('x.yaml: config: expected a mapping of configuration keys');
    expect(() => parseScenario('description: x\nsteps:\n  - provision: all\n    psi: 1\n', 'x.yaml')).toThrow(/steps\[0\]\.psi: unknown option for provision/);
  });
});
