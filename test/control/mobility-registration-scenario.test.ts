// The built-in scenario `mobility-registration` through wire5g's control plane: two AMFs in TAs 1
// and 2, the UEs move to TA 2 and back (ctl ue move), each time a mobility registration update at
// the other AMF with UE context transfer (TS 23.502 4.2.2.2.2 steps 4-5, 10, 17), pings through
// the new AMF, periodic registration updates by command and on T3512 expiry (TS 24.501 5.3.7). It
// must end with every ledger, both AMFs' included, at its start. Wireshark (tshark) decodes every
// message without a warning, reads the 5GS registration types (mobility 2, periodic 3) and the
// Namf_Communication paths, and the capture comments give each transfer's steps in order.

import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, runScenarioFile } from '../../nodes/control/scenario-file.ts';
import { testConfig } from '../helpers/network.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

describe('mobility-registration scenario (TS 23.502 4.2.2.2.2, TS 24.501 5.5.1.3)', () => {
  it('runs clean with every ledger at its start; tshark reads the registration types, the transfer paths and the steps in order', async () => {
    // AMF2 on this test's addresses (the file's 127.0.0.6 is also amf-reallocation's, whose test may run at the same time)
    const sc = loadScenario('mobility-registration');
    const amfs = (sc.config as { amfs: { address?: string }[] }).amfs;
    amfs[1] = { ...amfs[1], address: '127.0.197.6' };
    const r = await runScenarioFile(testConfig(197), sc, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-mobility-')), database: ':memory:' });
    expect(r.ues.filter((u) => u.error)).toEqual([]);
    expect(r.leftBehind).toEqual({});
    expect(r.orderErrors).toEqual([]); // each step's order: in the scenario file
    expect(r.ok).toBe(true);
    const names = (r.summary.procedures as { name: string }[]).map((p) => p.name);
    expect(names.filter((n) => n.startsWith('Move to a cell of TAC'))).toHaveLength(3);
    expect(names.filter((n) => n === 'Registration (periodic update on T3512 expiry)')).toHaveLength(2);
    expect(names.filter((n) => n === 'Registration (periodic update)')).toHaveLength(1);
    if (!tsharkAvailable()) return;
    const frames = dissect(r.files.capture!, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    // each request's type twice: in the request and again in the NAS message container that
    // repeats it (the Security mode complete's, or the request's own from idle, TS 24.501 4.4.6)
    const regTypes = frames.flatMap((f) => f.fields.get('nas_5gs.mm.5gs_reg_type') ?? []);
    const requests = (t: string) => regTypes.filter((x) => x === t).length / 2;
    // 9.11.3.7: two initial (1), three mobility registration updating (2), three periodic (3)
    expect(requests('1')).toBe(2);
    expect(requests('2')).toBe(3);
    expect(requests('3')).toBeGreaterThanOrEqual(3);
    const paths = frames.flatMap((f) => f.fields.get('http2.headers.path') ?? []);
    expect(paths.filter((p) => /^\/namf-comm\/v1\/ue-contexts\/5g-guti-[0-9a-f]+\/transfer$/.test(p))).toHaveLength(3);
    expect(paths.filter((p) => /^\/namf-comm\/v1\/ue-contexts\/5g-guti-[0-9a-f]+\/transfer-update$/.test(p))).toHaveLength(3);
    // the capture's comments: each mobility update's steps in the clause's order
    const comments = execFileSync('tshark', ['-r', r.files.capture!, '-T', 'fields', '-e', 'frame.comment'], { encoding: 'utf8' }).split('\n');
    // (InitialUEMessage of a Registration request is step 2; UEContextTransfer step 4)
    const tagged = comments.map((c) => (c.startsWith('InitialUEMessage [') ? '2' : /TS 23\.502 4\.2\.2\.2\.2 step (\d+[a-c]?)\]/.exec(c)?.[1] ?? ''));
    // the two moves to TA 2 at once and the move back (frames may carry two HTTP/2 messages: the paths above count them)
    const starts = comments.flatMap((c, i) => (c.startsWith('Namf_Communication_UEContextTransfer [') ? [i] : []));
    expect(starts.length).toBeGreaterThanOrEqual(2);
    for (const s of starts) expect(tagged.slice(0, s).lastIndexOf('2')).toBeGreaterThan(tagged.slice(0, s).lastIndexOf('21'));
    for (const s of starts) {
      const next = tagged.slice(s);
      const at = (step: string) => next.indexOf(step);
      expect(at('4')).toBe(0);
      expect(at('4')).toBeLessThan(at('10'));
      expect(at('10')).toBeLessThan(at('14a'));
      expect(at('14a')).toBeLessThan(at('17'));
      expect(at('17')).toBeLessThan(at('21'));
    }
  });
});
