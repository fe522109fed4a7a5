// `wire5g start core` (every core NF in one process) and `wire5g run --external-core` beside it:
// the run waits for the core, succeeds, and the core stops with every NF's ledger at 0 but the
// node-level ones (the 3 UEs are the config's ue.count, so both processes derive the same
// subscribers). Judged from the real bin/wire5g.js processes' exit status and output, on
// addresses 127.0.248.x of this test alone.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startWire5g, lastLine } from '../helpers/wire5g.ts';
import { testConfig } from '../helpers/network.ts';

describe('wire5g start core', () => {
  it('serves a run --external-core of 3 UEs from one process and stops with every per-UE ledger at 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-start-core-'));
    const config = join(dir, 'net.yaml');
    writeFileSync(config, stringify({ addresses: testConfig(248).addresses, udr: { database: ':memory:' }, ue: { count: 3 } }));
    const core = startWire5g(['start', 'core', '--config', config]);
    try {
      const run = await startWire5g(['run', '--external-core', '--config', config, '--out', join(dir, 'out')]).done;
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(lastLine(run.stdout)).toMatch(/^OK: 3 UE\(s\)/);
      expect(core.stdout()).toContain('wire5g core ready on 127.0.248.5');
    } finally {
      core.child.kill('SIGTERM');
    }
    const r = await core.done;
    const line = /wire5g core stopping; ledgers (\{.*\})/.exec(r.stdout);
    expect(line, r.stdout + r.stderr).not.toBeNull();
    const ledgers = JSON.parse(line![1]) as Record<string, Record<string, number>>;
    expect(Object.keys(ledgers)).toEqual(expect.arrayContaining(['AMF', 'SMF', 'UPF', 'AUSF', 'UDM', 'UDR', 'PCF', 'NRF']));
    for (const [nf, l] of Object.entries(ledgers)) {
      for (const [k, v] of Object.entries(l)) if (!['PFCP associations', 'NG associations', 'subscribers', 'NF instances'].includes(k)) expect(`${nf} ${k}=${v}`).toBe(`${nf} ${k}=0`);
    }
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it('refuses --plmn home for core with one line and exit 2', async () => {
    const r = await startWire5g(['start', 'core', '--plmn', 'home']).done;
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("'core' starts both PLMNs of a roaming run already");
  });
});
