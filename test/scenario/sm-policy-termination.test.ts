// The built-in scenario `sm-policy-termination` (issue 16): SM Policy Association Termination by
// every trigger and case B, run clean with every ledger (PCF, BSF, CHF, AF, NWDAF, UDR, SMF, UPF,
// AMF, ...) back at its start; Wireshark (tshark, the independent peer) decodes the whole capture
// without a warning and reads the PFCP usage monitoring as we meant it (URR with VOLTH and a
// Volume Threshold, a Session Report Request with a Usage Report, the Update URR re-arming it);
// every SBI request of the
// termination carries its 4.16.6 / 4.3.4.2 step in its packet comment.

import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, runScenarioFile } from '../../nodes/control/scenario-file.ts';
import { testConfig } from '../helpers/network.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

describe('scenario sm-policy-termination', () => {
  it('runs clean: every trigger terminates its session, every ledger is back, tshark reads every frame', async () => {
    const cfg = testConfig(220);
    const r = await runScenarioFile(cfg, loadScenario('sm-policy-termination'), { outDir: mkdtempSync(join(tmpdir(), 'wire5g-smpt-')), database: ':memory:' });
    expect(r.ues.filter((u) => u.error)).toEqual([]);
    expect(r.leftBehind).toEqual({});
    expect(r.orderErrors).toEqual([]);
    expect(r.ok).toBe(true);
    const names = (r.summary.procedures as { name: string }[]).map((p) => p.name);
    for (const n of ['SM Policy Association Termination (PCF-initiated)', 'AF application session ends (Npcf_PolicyAuthorization_Delete)', 'PDU session 1 released by the network', 'Policy data change notification (Nudr_DM_Notify)']) expect(names, n).toContain(n);
    if (!tsharkAvailable()) return;
    const frames = dissect(r.files.capture!, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    const values = (f: string) => frames.flatMap((x) => x.fields.get(f) ?? []);
    // TS 29.244: a Session Report Request (56) with a Usage Report whose trigger is VOLTH
    expect(values('pfcp.msg_type')).toContain('56');
    // the first threshold (pcf.usageThresholdOctets 3,000 of 6,000) and the re-armed one (Update URR, 2,316 left)
    expect(values('pfcp.volume_threshold.tovol')).toContain('3000');
    expect(values('pfcp.volume_threshold.tovol')).toContain('2316');
    // usage monitoring per Monitoring Key: URR 2 beside the session's URR 1, and one Session Report
    // Request (56) carrying both Usage Reports; the N4 deletion of UE 3's session reports both
    expect(values('pfcp.flow_desc')).toContain('permit out 1 from any to assigned');
    const pfcpOf = (type: string) => frames.filter((f) => f.fields.get('pfcp.msg_type')?.[0] === type);
    expect(pfcpOf('56').some((f) => f.fields.get('pfcp.urr_id')?.join() === '1,2')).toBe(true);
    expect(pfcpOf('55').some((f) => f.fields.get('pfcp.urr_id')?.join() === '1,2' && f.fields.get('pfcp.usage_report_trigger.term')?.join() === '1,1')).toBe(true);
    const comments = execFileSync('tshark', ['-r', r.files.capture!, '-T', 'fields', '-e', 'frame.comment'], { encoding: 'utf8' }).split('\n');
    for (const c of [
      'Npcf_SMPolicyControl_UpdateNotify [TS 23.502 4.16.6 step 1]',
      'Npcf_SMPolicyControl_Delete [TS 23.502 4.16.6 step 2]',
      'Nudr_DM_Update [TS 23.502 4.16.6 step 3]',
      'Npcf_PolicyAuthorization_Notify [TS 23.502 4.16.6 step 5]',
      'Nbsf_Management_Deregister [TS 23.502 4.16.6 step 5]',
      'Npcf_PolicyAuthorization_Notify [TS 23.502 4.16.6 step 5 (4.16.14.2)]',
      'Npcf_PolicyAuthorization_Notify [TS 23.502 4.16.14.2]',
      'Nnwdaf_EventsSubscription_Unsubscribe [TS 23.502 4.16.6 step 5]',
      'Nchf_SpendingLimitControl_Subscribe [TS 23.502 4.16.6 step 6]',
      'Nchf_SpendingLimitControl_Unsubscribe [TS 23.502 4.16.6 step 6]',
      'Nudr_DM_Unsubscribe [TS 23.502 4.16.6 step 8]',
      'Nudr_DM_Notify [TS 23.502 4.16.9 step 2]',
      'Npcf_SMPolicyControl_Update [TS 23.502 4.16.5.1 step 1]',
    ]) expect(comments, c).toContain(c);
  }, 180_000);
});
