// The default scenario over real loopback sockets, every NF on its own address in this process:
// NG Setup, Registration, PDU session, pings through N3/N6, UE-initiated Deregistration; the
// run's capture judged by tshark, and every NF's ledger back where it started.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario, LADDER_UES } from '../../nodes/scenario.ts';
import { testConfig } from '../helpers/network.ts';
import { dissect, problems, tsharkAvailable } from '../helpers/tshark.ts';

const NULL_CIPHER = ['nas-5gs.null_decipher:TRUE'];

describe('default scenario, one process, real sockets', () => {
  it('registers, establishes a PDU session, pings 3 times, switches off; tshark finds every step and nothing wrong', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'wire5g-run-'));
    const r = await runScenario(testConfig(1), { outDir, database: ':memory:' });
    expect(r.ues[0].error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.leftBehind).toEqual({});
    const ue = r.ues[0];
    expect(ue.address).toBe('10.45.0.1');
    expect(ue.rttsMs).toHaveLength(3);
    expect(ue.deregistration).toBe('switched-off');
    // switch off: no Deregistration Accept (TS 24.501 5.5.2.2.2)
    expect(ue.received).not.toContain('Deregistration accept (UE originating)');
    expect(ue.received).toEqual(expect.arrayContaining(['Authentication request', 'Security mode command', 'Registration accept', 'PDU session establishment accept']));
    const summary = JSON.parse(readFileSync(r.files.summary!, 'utf8')) as { procedures: { name: string; outcome: string }[]; ledgers: { before: Record<string, Record<string, number>>; after: Record<string, Record<string, number>> } };
    expect(summary.procedures.map((p) => `${p.name}: ${p.outcome}`)).toEqual([
      'NG Setup: success',
      'Registration: success',
      'PDU Session Establishment: success',
      'Ping over the user plane: success',
      'Ping over the user plane: success',
      'Ping over the user plane: success',
      'UE-initiated Deregistration (switch off): success',
    ]);
    expect(Object.keys(summary.ledgers.before).sort()).toEqual(['AF', 'AMF', 'AUSF', 'BSF', 'CHF', 'NRF', 'NSSF', 'NWDAF', 'PCF', 'SMF', 'UDM', 'UDR', 'UPF', 'gNB']);
    expect(readFileSync(r.files.ladder!, 'utf8')).toContain('sequenceDiagram');

    if (!tsharkAvailable()) return;
    const frames = dissect(r.files.capture!, { prefs: NULL_CIPHER });
    expect(problems(frames)).toEqual([]);
    const sequence: string[] = [];
    for (const f of frames) {
      for (const m of f.fields.get('nas_5gs.mm.message_type') ?? []) sequence.push(`nas ${m}`);
      for (const m of f.fields.get('ngap.procedureCode') ?? []) sequence.push(`ngap ${m}`);
      for (const m of f.fields.get('pfcp.msg_type') ?? []) sequence.push(`pfcp ${m}`);
      for (const p of f.fields.get('http2.header.value') ?? []) if (p.startsWith('/n')) sequence.push(`sbi ${p.split('?')[0]}`);
    }
    const at = (s: string) => {
      const i = sequence.findIndex((x) => x === s || x.startsWith(s));
      expect(i, `${s} in ${sequence.join(' | ')}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    // Registration (TS 23.502 4.2.2.2.2) in order
    expect(at('ngap 21')).toBeLessThan(at('nas 0x41')); // NG Setup, then Registration request
    expect(at('nas 0x41')).toBeLessThan(at('sbi /nausf-auth/v1/ue-authentications'));
    expect(at('nas 0x56')).toBeLessThan(at('nas 0x5d')); // authentication before security mode
    expect(at('nas 0x5d')).toBeLessThan(at('sbi /nudm-uecm/v1/imsi-001010000000001/registrations/amf-3gpp-access'));
    expect(at('sbi /npcf-am-policy-control/v1/policies')).toBeLessThan(at('nas 0x42'));
    // PDU session (4.3.2.2.1): CreateSMContext, N4 establishment, N2 setup, N4 modification
    expect(at('sbi /nsmf-pdusession/v1/sm-contexts')).toBeLessThan(at('pfcp 50'));
    expect(at('pfcp 50')).toBeLessThan(at('ngap 29'));
    expect(at('ngap 29')).toBeLessThan(at('pfcp 52'));
    // Deregistration (4.2.2.3.2): request, ReleaseSMContext, N4 deletion, policy termination, release
    const dereg = at('nas 0x45');
    expect(dereg).toBeLessThan(at('pfcp 54'));
    expect(at('pfcp 54')).toBeLessThan(at('pfcp 55'));
    expect(at('pfcp 55')).toBeLessThan(at('ngap 41'));
    expect(sequence.slice(dereg)).not.toContain('nas 0x46');
    // ... and the SBI requests of steps 2, 5a-c, 6 and 6a, as HTTP/2, after the request
    const after = (s: string) => {
      const i = sequence.findIndex((x, k) => k > dereg && x.startsWith(s));
      expect(i, `${s} after the Deregistration request in ${sequence.slice(dereg).join(' | ')}`).toBeGreaterThan(dereg);
      return i;
    };
    const step2 = after('sbi /nsmf-pdusession/v1/sm-contexts/1/release');
    expect(step2).toBeLessThan(at('pfcp 54'));
    after('sbi /npcf-smpolicycontrol/v1/sm-policies/'); // 5a (POST .../delete)
    after('sbi /nudm-sdm/v2/imsi-001010000000001/sdm-subscriptions/'); // 5b (and the AMF's own)
    after('sbi /nudm-uecm/v1/imsi-001010000000001/registrations/smf-registrations/1'); // 5c
    after('sbi /npcf-am-policy-control/v1/policies/'); // 6
    after('sbi /npcf-ue-policy-control/v1/policies/'); // 6a
    expect(sequence.slice(dereg).filter((x) => x === 'ngap 41')).toHaveLength(2); // UE Context Release Command + Complete
    // the Session Deletion Response carries the final usage report with the pings' octets
    const deletion = frames.find((f) => (f.fields.get('pfcp.msg_type') ?? []).includes('55'))!;
    expect(Number(deletion.fields.get('pfcp.volume_measurement.tonum')?.[0] ?? deletion.fields.get('pfcp.volume_measurement.tovol')?.[0] ?? 0)).toBeGreaterThan(0);
    // the pings crossed N3 as G-PDUs in both directions
    expect(frames.some((f) => (f.fields.get('icmp.type') ?? []).includes('0') && f.protocols.includes('gtp'))).toBe(true);
  }, 30_000);

  it('runs 20 UEs concurrently, alternating switch off and normal deregistration; only normal ones get the Accept', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'wire5g-run-'));
    const cfg = testConfig(2);
    cfg.ue.count = 20;
    const r = await runScenario(cfg, { outDir, database: ':memory:', deregistration: 'mixed', parallel: 20, pings: 1, capture: false });
    expect(r.ues.filter((u) => u.error)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.leftBehind).toEqual({});
    // the first LADDER_UES run alone, one after the other (ladder.md draws them whole), so they may
    // reuse one address; the other 17 hold theirs at the same time
    expect(r.ues.every((u) => u.address)).toBe(true);
    expect(new Set(r.ues.slice(LADDER_UES).map((u) => u.address)).size).toBe(20 - LADDER_UES);
    r.ues.forEach((u, i) => {
      if (i % 2 === 0) {
        expect(u.deregistration).toBe('switched-off');
        expect(u.received).not.toContain('Deregistration accept (UE originating)');
      } else {
        expect(u.deregistration).toBe('accepted');
        expect(u.received).toContain('Deregistration accept (UE originating)');
      }
    });
  }, 30_000);
});
