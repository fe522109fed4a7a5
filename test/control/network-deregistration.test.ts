// The built-in scenario `network-deregistration` (TS 23.502 4.2.2.3.3) through wire5g's control
// plane: AMF explicit de-registration with re-registration not required and required, UDM-initiated
// withdrawal, each with zero, one and two PDU sessions, a subscription change that leaves no allowed
// S-NSSAI (TS 23.502 4.5.1), the SMF's network-requested release of a re-established session,
// and (issue 15's completion) a CM-IDLE UE paged and answering with a Service Request, an implicit
// de-registration of a UE out of coverage, a UE out of coverage paged in vain (T3513), and the
// emergency exception (a UE with an emergency PDU session keeps it; its other session is released).
// It must end with every ledger at its start. Wireshark (tshark, the independent peer) decodes every message without a warning, reads DEREGISTRATION REQUEST (UE
// terminated, 0x47) with the de-registration type, cause and access type we meant, and the
// capture comments give each deregistration's steps in the clause's order.

import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, runScenarioFile } from '../../nodes/control/scenario-file.ts';
import { LiveNetwork } from '../../nodes/control/live-network.ts';
import { findCommand, checkCommandArgs } from '../../nodes/control/commands.ts';
import { testConfig } from '../helpers/network.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

/** Step numbers in the order the clause gives them; step 6 (the UE's answer) may come any time after step 2. */
const STEP_ORDER = ['1', '2', '3', '4', '5', '5a', '7'];

describe('network-deregistration scenario (TS 23.502 4.2.2.3.3)', () => {
  it('runs clean with every ledger at its start; tshark decodes it all and the capture gives each deregistration in the clause\'s order', async () => {
    const r = await runScenarioFile(testConfig(156), loadScenario('network-deregistration'), { outDir: mkdtempSync(join(tmpdir(), 'wire5g-ndereg-')), database: ':memory:' });
    expect(r.ues.filter((u) => u.error)).toEqual([]);
    expect(r.leftBehind).toEqual({});
    expect(r.orderErrors).toEqual([]); // each trigger's step order, as the scenario states it
    expect(r.ok).toBe(true);
    const names = (r.summary.procedures as { name: string }[]).map((p) => p.name);
    // UEs 1, 4, 7, the CM-IDLE ones (11, 17, 18), the unreachable ones (13, 21, 22) and the emergency one (kept)
    expect(names.filter((n) => n === 'Network-initiated Deregistration (AMF)')).toHaveLength(10);
    expect(names.filter((n) => n === 'Network-initiated Deregistration (AMF, re-registration required)')).toHaveLength(3);
    expect(names.filter((n) => n === 'Network-initiated Deregistration (UDM, subscription withdrawn)')).toHaveLength(4);
    expect(names.filter((n) => n === 'Network-requested PDU Session Release (SMF)')).toHaveLength(1);
    expect(names.filter((n) => n === 'Subscriber Data Update Notification to AMF')).toHaveLength(3);
    expect(names.filter((n) => n.startsWith('Implicit Deregistration'))).toHaveLength(3);
    expect(names.filter((n) => n === 'PDU Session Establishment (emergency)')).toHaveLength(1);
    if (!tsharkAvailable()) return;
    const frames = dissect(r.files.capture!, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    const onN2 = frames.filter((f) => f.protocols.includes('sctp'));
    const mm = onN2.flatMap((f) => f.fields.get('nas_5gs.mm.message_type') ?? []);
    // 12 with the UE connected, the three CM-IDLE UEs after their Service Request (0x4c); none for the implicit, unreachable and emergency UEs
    expect(mm.filter((t) => t === '0x47')).toHaveLength(15);
    expect(mm.filter((t) => t === '0x48')).toHaveLength(15);
    // (one frame: the Service request repeats itself in its NAS message container, TS 24.501 4.4.6)
    expect(onN2.filter((f) => (f.fields.get('nas_5gs.mm.message_type') ?? []).includes('0x4c'))).toHaveLength(3);
    // NGAP Paging (procedure code 24): once for each CM-IDLE UE, 1 + two T3513 repetitions for each one out of coverage
    expect(onN2.filter((f) => (f.fields.get('ngap.procedureCode') ?? []).includes('24'))).toHaveLength(3 + 3 * 3);
    // TS 38.413 9.3.1.2 radioNetwork radio-connection-with-ue-lost (21) in the UE Context Release Requests of the six UEs out of coverage
    expect(onN2.filter((f) => (f.fields.get('ngap.procedureCode') ?? []).includes('42') && (f.fields.get('ngap.radioNetwork') ?? []).includes('21'))).toHaveLength(6);
    // the emergency UE: request type 3 (TS 24.501 9.11.3.47), and its other session released with PTI 0
    expect(onN2.flatMap((f) => f.fields.get('nas_5gs.mm.req_type') ?? []).filter((t) => t === '3')).toHaveLength(1);
    // TS 24.501 9.11.3.20: re-registration required on three requests; 9.11.3.2: cause #7 on the three withdrawals
    const requests = onN2.filter((f) => (f.fields.get('nas_5gs.mm.message_type') ?? []).includes('0x47'));
    expect(requests.filter((f) => f.fields.get('nas_5gs.mm.re_reg_req')?.[0] === '1' || f.fields.get('nas_5gs.mm.re_reg_req')?.[0] === 'True')).toHaveLength(3);
    expect(requests.filter((f) => f.fields.get('nas_5gs.mm.5gmm_cause')?.[0] === '7')).toHaveLength(3);
    // the subscription change: cause #62 and the rejected S-NSSAI (TS 24.501 9.11.3.46)
    const noSlice = requests.filter((f) => f.fields.get('nas_5gs.mm.5gmm_cause')?.[0] === '62');
    expect(noSlice).toHaveLength(3);
    expect([...noSlice[0].fields.keys()].some((k) => k.startsWith('nas_5gs.mm.rejected_s_nssai') || k.includes('rej_s_nssai') || k.includes('rejected_nssai'))).toBe(true);
    // the capture's comments: one format, and each deregistration's steps in order
    // a frame's comment lists the labels of the messages it carries, '; ' between them: one TCP
    // segment may hold two SBI messages (the own HTTP/2 writes a turn's frames at once)
    const comments = execFileSync('tshark', ['-r', r.files.capture!, '-T', 'fields', '-e', 'frame.comment'], { encoding: 'utf8' }).split('\n').flatMap((l) => l.split('; ')).filter((l) => l.includes('TS 23.502 4.2.2.3.3'));
    for (const c of comments) expect(c).toMatch(/^[^[\]]+ \[TS 23\.502 4\.2\.2\.3\.3 step \d+a?( \([^()]+\))?\]$/);
    const segments: string[][] = [];
    for (const c of comments) {
      const step = /step (\d+a?)/.exec(c)![1];
      const last = segments.at(-1)?.at(-1);
      // a deregistration starts with step 1 (UDM), step 2, or (implicit, unreachable: no NAS) step 4 after the previous one's 7
      if (step === '1' || (step === '2' && last !== '1') || (step !== '7' && last === '7')) segments.push([]);
      segments.at(-1)!.push(step);
    }
    // the emergency exception: steps 1 and 3 only (no de-registration; its other session goes by 4.3.4.2)
    expect(segments.filter((s) => !s.includes('7'))).toEqual([['1', '3', '3']]); // 3: SDM unsubscribe, the UDM's purge
    expect(segments.filter((s) => s.includes('7'))).toHaveLength(21);
    for (const s of segments.filter((x) => x.includes('7'))) {
      const ordered = s.filter((x) => x !== '6').map((x) => STEP_ORDER.indexOf(x));
      expect(ordered, s.join(' ')).toEqual([...ordered].sort((a, b) => a - b));
      if (s.includes('2')) expect(s.indexOf('6'), s.join(' ')).toBeGreaterThan(s.indexOf('2'));
      else expect(s.includes('6'), s.join(' ')).toBe(false);
      expect(s.at(-1), s.join(' ')).toBe('7');
    }
    expect(segments.filter((s) => s[0] === '1')).toHaveLength(4);
    // implicit (UEs 12, 19, 20) and unreachable (13, 21, 22): no NAS; steps 4-7 with sessions, 5-7 without
    expect(segments.filter((s) => s[0] !== '1' && !s.includes('2')).map((s) => s[0])).toEqual(['4', '5', '4', '5', '5', '4']);
  }, 180_000);

  it('ctl amf deregister / udm withdraw: the command lines match; refusals come before anything is sent; --reregister gives a registered UE with its sessions back', async () => {
    const amfDereg = findCommand('amf deregister')!;
    expect(checkCommandArgs(amfDereg, { supi: 'imsi-001010000000001' }, { reregister: true, cause: '7' })).toMatchObject({ supi: 'imsi-001010000000001', options: { reregister: true, cause: 7 } });
    expect(() => checkCommandArgs(amfDereg, { supi: 'imsi-001010000000001' }, { cause: '300' })).toThrow(/cause/);
    expect(() => checkCommandArgs(findCommand('udm withdraw')!, { supi: 'imsi-001010000000001' }, { access: 'wifi' })).toThrow(/access/);
    const cfg = testConfig(157);
    const net = await LiveNetwork.start({ ...cfg, ue: { ...cfg.ue, count: 1 } }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-ndereg-ctl-')), database: ':memory:', capture: false });
    try {
      const [supi] = net.addConfiguredUes();
      await expect(net.amfDeregister(supi, { reRegistrationRequired: false })).rejects.toMatchObject({ status: 409 });
      await expect(net.udmWithdraw(supi, { access: 'non-3gpp' })).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/non-3GPP/) });
      await net.register(supi);
      await net.establishPduSession(supi, { psi: 3 });
      const r = await net.amfDeregister(supi, { reRegistrationRequired: true });
      expect(r).toEqual({ outcome: 'accepted', reRegistered: true, sessions: [3] });
      expect((await net.udmWithdraw(supi, { access: 'both' })).outcome).toBe('usim-invalid');
      await expect(net.register(supi)).rejects.toThrow(/USIM is invalid/);
    } finally {
      const s = await net.stop();
      expect(s.leftBehind).toEqual({});
    }
  }, 60_000);
});
