// The built-in scenario `amf-reallocation` through wire5g's control plane (issue 18): two AMF Sets,
// AMF in TA 1 (slices 1, 3) and AMF2 in TAs 1 and 2 (slices 1, 2), `amf.reallocation: ran`, a
// short T3512. Registration with AMF re-allocation (TS 23.502 4.2.2.2.3) by 7(A) after NAS
// security, by 7(B) via the NG-RAN, and by 7(A) of a UE registered at AMF with a PDU session (AMF2
// takes the context from AMF, step 8; the session on a slice the UE no longer asks for is released,
// step 10); a mobility registration update into TA 2 with UE context transfer (4.2.2.2.2 steps 4-5,
// 10, 14a, 14d, 17) and a ping through AMF2; periodic registration updates by command and on T3512
// expiry in real time. The run must end with every ledger, both AMFs' included, at its start.
// Judges: tshark (Wireshark) decodes every frame without a warning, reads the 5GS registration
// types and the capture's comments give each path's steps in order; every SBI body is checked by
// Ajv against the Rel-18 OpenAPI (test/helpers/sbi-schema-setup.ts).

import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, runScenarioFile } from '../../nodes/control/scenario-file.ts';
import { testConfig } from '../helpers/network.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';
import { inOrder } from '../helpers/steps.ts';

describe('amf-reallocation scenario (TS 23.502 4.2.2.2.3, 4.2.2.2.2; TS 24.501 5.5.1.3)', () => {
  it('7(A), 7(B), 7(A) of a registered UE, a mobility registration to AMF2, periodic updates: every step in order, every ledger at its start', async () => {
    // AMF2 on this test's addresses (the file's 127.0.0.6 may be another test's at the same time)
    const sc = loadScenario('amf-reallocation');
    const amfs = (sc.config as { amfs: { address?: string }[] }).amfs;
    amfs[1] = { ...amfs[1], address: '127.0.195.6' };
    const r = await runScenarioFile(testConfig(195), sc, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-amf-realloc-')), database: ':memory:' });
    expect(r.ues.filter((u) => u.error)).toEqual([]);
    expect(r.leftBehind).toEqual({});
    expect(r.orderErrors).toEqual([]); // each step's order: in the scenario file
    expect(r.ok).toBe(true);
    const names = (r.summary.procedures as { name: string }[]).map((p) => p.name);
    expect(names.filter((n) => n.startsWith('Move to a cell of TAC'))).toHaveLength(1);
    expect(names.filter((n) => n === 'Registration (mobility update)')).toHaveLength(1);
    // by command (UE 4), and the other UEs' own on T3512 expiry while idle
    expect(names.filter((n) => n === 'Registration (periodic update)').length).toBeGreaterThanOrEqual(1);
    expect(names.filter((n) => n === 'Registration (periodic update on T3512 expiry)')).toHaveLength(1);
    if (!tsharkAvailable()) return;
    const frames = dissect(r.files.capture!, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    // 9.11.3.7: mobility registration updating (2) and periodic registration updating (3) on the wire
    const regTypes = frames.flatMap((f) => f.fields.get('nas_5gs.mm.5gs_reg_type') ?? []);
    expect(regTypes).toContain('2');
    expect(regTypes).toContain('3');
    const c = execFileSync('tshark', ['-r', r.files.capture!, '-T', 'fields', '-e', 'frame.comment'], { encoding: 'utf8' }).split('\n').filter((l) => l);
    const T = (m: string, step: string) => `${m} [TS 23.502 ${step}]`;
    // the reroutes, in the scenario's order: UE 1 by 7(A), UE 2 by 7(B), UE 3 (registered) by 7(A)
    inOrder(c, [
      T('Nnssf_NSSelection_Get', '4.2.2.2.3 step 4a'),
      T('Nnrf_NFDiscovery_Request', '4.2.2.2.3 step 6a'),
      T('Namf_Communication_N1MessageNotify', '4.2.2.2.3 step 7(A)'),
      T('RerouteNASRequest', '4.2.2.2.3 step 7(B)a'),
      T('InitialUEMessage (rerouted)', '4.2.2.2.3 step 7(B)b'),
      T('Namf_Communication_N1MessageNotify', '4.2.2.2.3 step 7(A)'),
      T('Namf_Communication_UEContextTransfer', '4.2.2.2.3 step 8 (4.2.2.2.2 step 4)'),
      T('Namf_Communication_RegistrationStatusUpdate', '4.2.2.2.2 step 10'),
      T('Nudm_UECM_Registration', '4.2.2.2.2 step 14a'),
      T('Nudm_UECM_DeregistrationNotification', '4.2.2.2.2 step 14d'),
      // UE 4's mobility registration update at AMF2
      T('Namf_Communication_UEContextTransfer', '4.2.2.2.2 step 4'),
      T('Namf_Communication_RegistrationStatusUpdate', '4.2.2.2.2 step 10'),
      T('Nudm_UECM_Registration', '4.2.2.2.2 step 14a'),
      T('Nsmf_PDUSession_UpdateSMContext', '4.2.2.2.2 step 17'),
    ]);
    // UE 3's session on slice 1 released by AMF at step 10; each old AMF told at step 14d after its successor's 14a
    const rerouted = c.findIndex((x) => x.includes('step 8 (4.2.2.2.2 step 4)'));
    const moved = c.findIndex((x) => x.startsWith(T('Namf_Communication_UEContextTransfer', '4.2.2.2.2 step 4')));
    expect(c.slice(rerouted, moved).filter((x) => x.startsWith(T('Nsmf_PDUSession_ReleaseSMContext', '4.2.2.2.2 step 10'))).length).toBeGreaterThan(0);
    inOrder(c.slice(moved), [T('Nudm_UECM_Registration', '4.2.2.2.2 step 14a'), T('Nudm_UECM_DeregistrationNotification', '4.2.2.2.2 step 14d'), T('Nudm_SDM_Unsubscribe', '4.2.2.2.2 step 14e')]);
  }, 90_000);
});
