// Network-requested PDU Session Release by the SMF (TS 23.502 4.3.4.2) through the emulator's
// control plane: the shipped scenario `network-release` (scenario step `smf-release`) runs clean
// with every ledger back at its start, and Wireshark (tshark, the independent peer) decodes every
// message of the release with no warning: the PDU SESSION RELEASE COMMAND (0xd3) and COMPLETE
// (0xd4) but no RELEASE REQUEST (0xd1, the UE asked for nothing), NGAP PDU Session Resource
// Release (procedure code 28), PFCP Session Deletion (type 54/55), and each SBI request's packet
// comment in the one format '<message> [TS 23.502 4.3.4.2 step N]'. The ctl command's refusals
// (`wire5g ctl smf release`) come from LiveNetwork and are checked here on one.

import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, runScenarioFile } from '../../nodes/control/scenario-file.ts';
import { LiveNetwork, ControlError } from '../../nodes/control/live-network.ts';
import { findCommand, checkCommandArgs } from '../../nodes/control/commands.ts';
import { testConfig } from '../helpers/network.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

describe('network-requested PDU Session Release through wire5g (ctl smf release, scenario smf-release)', () => {
  it('the network-release scenario runs clean and tshark decodes every message of it without a warning', async () => {
    const cfg = testConfig(152);
    const r = await runScenarioFile(cfg, loadScenario('network-release'), { outDir: mkdtempSync(join(tmpdir(), 'wire5g-nrel-')), database: ':memory:' });
    expect(r.ues.filter((u) => u.error)).toEqual([]);
    expect(r.leftBehind).toEqual({});
    expect(r.ok).toBe(true);
    const names = (r.summary.procedures as { name: string }[]).map((p) => p.name);
    expect(names.filter((n) => n === 'Network-requested PDU Session Release (SMF)')).toHaveLength(3);
    if (!tsharkAvailable()) return;
    const frames = dissect(r.files.capture!, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    const values = (f: string, proto?: string) => frames.filter((x) => !proto || x.protocols.includes(proto)).flatMap((x) => x.fields.get(f) ?? []);
    // on N2 (the NAS in NGAP); the SBI's N1 parts carry each once more
    const smTypes = values('nas_5gs.sm.message_type', 'sctp');
    expect(values('nas_5gs.sm.message_type', 'http2').filter((t) => t === '0xd3')).toHaveLength(3);
    expect(smTypes.filter((t) => t === '0xd3')).toHaveLength(3);
    expect(smTypes.filter((t) => t === '0xd4')).toHaveLength(3);
    expect(smTypes).not.toContain('0xd1');
    // TS 24.501 9.11.4.2: the cause given to the third release (#26 insufficient resources)
    expect(values('nas_5gs.sm.5gsm_cause')).toEqual(expect.arrayContaining(['36', '26']));
    expect(values('ngap.procedureCode')).toContain('28');
    // a frame's comment lists the labels of the messages it carries, '; ' between them: one TCP
    // segment may hold two SBI messages (the own HTTP/2 writes a turn's frames at once)
    const comments = execFileSync('tshark', ['-r', r.files.capture!, '-T', 'fields', '-e', 'frame.comment'], { encoding: 'utf8' }).split('\n').flatMap((l) => l.split('; ')).filter((l) => l.includes('4.3.4.2'));
    for (const c of comments) expect(c).toMatch(/^[^[\]]+ \[TS 23\.502 4\.3\.4\.2 step \d+[a-z]?( \([^()]+\))?\]$/);
    for (const step of ['N4 Session Release [TS 23.502 4.3.4.2 step 2a]', 'PDUSessionResourceReleaseCommand [TS 23.502 4.3.4.2 step 4]', 'UplinkNASTransport (UL NAS transport, PDU session release complete) [TS 23.502 4.3.4.2 step 8]', 'Namf_Communication_N1N2MessageTransfer [TS 23.502 4.3.4.2 step 3b]', 'Nsmf_PDUSession_UpdateSMContext [TS 23.502 4.3.4.2 step 7]', 'Nsmf_PDUSession_UpdateSMContext [TS 23.502 4.3.4.2 step 10]', 'Nsmf_PDUSession_SMContextStatusNotify [TS 23.502 4.3.4.2 step 11]', 'Npcf_SMPolicyControl_Delete [TS 23.502 4.3.4.2 step 12]', 'Nudm_UECM_Deregistration [TS 23.502 4.3.4.2 step 13]']) {
      expect(comments, step).toContain(step);
    }
  }, 120_000);

  it('ctl smf release: the command line matches; an unknown session, a bad PSI and a UE without it are refused before anything is sent', async () => {
    const cmd = findCommand('smf release')!;
    expect(checkCommandArgs(cmd, { supi: 'imsi-001010000000001', psi: '2' }, { cause: '26' })).toMatchObject({ supi: 'imsi-001010000000001', psi: 2, options: { cause: 26 } });
    expect(() => checkCommandArgs(cmd, { supi: 'imsi-001010000000001', psi: '16' }, {})).toThrow(/1\.\.15/);
    const cfg = testConfig(153);
    const net = await LiveNetwork.start({ ...cfg, ue: { ...cfg.ue, count: 1 } }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-nrel-ctl-')), database: ':memory:', capture: false });
    try {
      const [supi] = net.addConfiguredUes();
      await expect(net.smfRelease('imsi-001019999999999', 1)).rejects.toThrow(/unknown UE/);
      await net.register(supi);
      await expect(net.smfRelease(supi, 1)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/the SMF has no PDU session 1/) });
      await net.establishPduSession(supi, { psi: 1 });
      const r = await net.smfRelease(supi, 1, { fiveGsmCause: 39 });
      expect(r).toEqual({ psi: 1, outcome: 'released' });
      expect(net.ueOf(supi).sessions.size).toBe(0);
      await expect(net.smfRelease(supi, 1)).rejects.toBeInstanceOf(ControlError);
    } finally {
      const s = await net.stop();
      expect(s.leftBehind).toEqual({});
    }
  }, 60_000);
});
