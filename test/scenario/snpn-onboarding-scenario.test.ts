// The built-in scenario `snpn-onboarding` (issue 19): one UE per DCS case (9-3 no DCS, 9-2 a DCS
// hosting AUSF/UDM), each registered with Onboarding SNPN (TS 23.502 4.2.2.2.4), its onboarding
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
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

const THIRD = 173;
const CASE_9_3 = 'nai-onboard1@nid000007ed9d5.mnc001.mcc001.3gppnetwork.org';
const CASE_9_2 = 'nai-onboard2@dcs.example.org';

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
    expect(r.ledgersChecked).toEqual(expect.arrayContaining(['PVS', 'DCS-UDR', 'DCS-UDM', 'DCS-AUSF']));
    expect(r.ok).toBe(true);
    const procedures = (r.summary.procedures as { name: string; count?: number }[]).map((p) => p.name);
    for (const n of ['Registration with Onboarding SNPN', 'UE provisioning (SO-SNPN credentials from the PVS)', 'Network-initiated Deregistration (onboarding deregistration timer)', 'Registration']) expect(procedures, n).toContain(n);

    const line = (e: TraceEvent) => `${e.from}>${e.to} ${e.message} [${e.step ?? ''}]`;
    const of = (supi: string) => events.filter((e) => e.ue === supi).map(line);
    for (const [supi, soSupi, auth] of [[CASE_9_3, 'imsi-001010000000101', 'AMF>AUSF Nausf_UEAuthentication_Authenticate [4.2.2.2.4 step 9-3]'], [CASE_9_2, 'imsi-001010000000102', 'AMF>DCS-AUSF Nausf_UEAuthentication_Authenticate [4.2.2.2.4 step 9-2]']] as const) {
      // the UE's NAS messages in order (N2 and SBI messages name no SUPI: RAN UE ids, the SUCI; read among all the run's)
      inOrder(of(supi), ['Registration request [4.2.2.2.4 step 1]', 'Registration accept [4.2.2.2.4 step 21]', 'Registration complete [4.2.2.2.4 step 22]', 'Deregistration request (UE terminated) [4.2.2.3.3 step 2]', 'Deregistration accept (UE terminated)']);
      inOrder(events.map(line), ['Registration request [4.2.2.2.4 step 1]', 'InitialUEMessage [4.2.2.2.4 step 3]', auth, 'Registration accept [4.2.2.2.4 step 21]', 'Registration complete [4.2.2.2.4 step 22]']);
      inOrder(of(soSupi), ['Registration request [4.2.2.2.2 step 1]', 'Registration complete']);
      const lastOnboarding = events.map((e) => e.ue).lastIndexOf(supi);
      const firstSo = events.findIndex((e) => e.ue === soSupi);
      expect(firstSo, `${soSupi} registers after ${supi} is gone`).toBeGreaterThan(lastOnboarding);
    }
    // case 9-3 authenticates at the ON-SNPN's own AUSF, 9-2 at the DCS's, nothing else
    const auth = events.filter((e) => e.message === 'Nausf_UEAuthentication_Authenticate' && e.step?.startsWith('4.2.2.2.4')).map(line);
    expect(new Set(auth)).toEqual(new Set(['AMF>AUSF Nausf_UEAuthentication_Authenticate [4.2.2.2.4 step 9-3]', 'AMF>DCS-AUSF Nausf_UEAuthentication_Authenticate [4.2.2.2.4 step 9-2]']));

    if (!tsharkAvailable()) return;
    const frames = dissect(r.files.capture!, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    const values = (f: string) => frames.flatMap((x) => x.fields.get(f) ?? []);
    expect(values('nas_5gs.mm.5gs_reg_type')).toContain('5'); // SNPN onboarding
    expect(values('coap.opt.uri_query')).toEqual(expect.arrayContaining([`id=${CASE_9_3}`, `id=${CASE_9_2}`]));
  }, 120_000);

  it('a config block that does not validate is refused with one line naming the key', () => {
    const text = 'description: x\nues: 1\nconfig:\n  snpn: { nid: 12 }\nsteps:\n  - register: all\n';
    expect(() => parseScenario(text, 'x.yaml')).toThrow(ScenarioFileError);
    expect(() => parseScenario(text, 'x.yaml')).toThrow(/^x\.yaml: config\.snpn\.nid: /);
    expect(() => parseScenario('description: x\nconfig: 3\nsteps:\n  - register: all\n', 'x.yaml')).toThrow('x.yaml: config: expected a mapping of configuration keys');
    expect(() => parseScenario('description: x\nsteps:\n  - provision: all\n    psi: 1\n', 'x.yaml')).toThrow(/steps\[0\]\.psi: unknown option for provision/);
  });
});
