// `wire5g up` interrupted while it is still registering its UEs (the real bin/wire5g.js, addresses
// 127.0.59.x of this test alone): no new UE starts, those under way finish, the registered ones
// switch off, and the outputs are written marked interrupted; the last line says how many UEs
// had started (exit 130), every ledger is back, and neither control.json nor the lock is left.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startWire5g, lastLine } from '../helpers/wire5g.ts';
import { testConfig } from '../helpers/network.ts';

describe('wire5g up', () => {
  it('Ctrl-C before the ready line: INTERRUPTED after the UEs that started, every ledger back, outputs marked interrupted (exit 130)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-up59-'));
    const config = join(dir, 'net.yaml');
    writeFileSync(config, stringify({ addresses: testConfig(59).addresses, udr: { database: join(dir, 'udr.sqlite') } }));
    const out = join(dir, 'out');
    const up = startWire5g(['up', '--config', config, '--out', out, '--ues', '2000', '--parallel', '2']);
    try {
      // not a terminal: a progress line every few seconds once registering has gone on for 2 s
      for (let i = 0; i < 1200 && !/UEs \d+\/2000 registered/.test(up.stdout()); i++) await new Promise((r) => setTimeout(r, 50));
      expect(up.stdout()).toMatch(/UEs \d+\/2000 registered, \d+ with a session/);
    } finally {
      up.child.kill('SIGINT');
    }
    const r = await up.done;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.stderr).toContain('wire5g up: stopping: registered UEs switch off');
    expect(r.stdout).not.toContain('ready:');
    const started = Number(/^INTERRUPTED after (\d+) of 2000 UEs started$/.exec(lastLine(r.stdout))?.[1]);
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(2000);
    expect(r.stdout).toContain('every NF ledger is back where it started');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { interrupted?: boolean; procedures: { name: string; outcome: string }[] };
    expect(summary.interrupted).toBe(true);
    expect(summary.procedures.filter((p) => p.name === 'Registration')).toHaveLength(started);
    expect(summary.procedures.filter((p) => p.outcome !== 'success')).toEqual([]);
    expect(readdirSync(out).sort()).toEqual(['ladder.md', 'run.pcapng', 'summary.json']); // no control.json, no lock
  }, 120_000);
});
