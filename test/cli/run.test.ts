// `wire5g run` as a user runs it (issue 13), each on its own addresses 127.0.<n>.x: the last line
// says OK / FAILED / INTERRUPTED with the matching exit status, a rejected PDU session still
// deregisters its UE, a second run refuses while the first runs, Ctrl-C leaves outputs marked
// interrupted, a long run prints progress, and ladder.md stays under Mermaid's 50,000 characters
// with the first UEs on their own lifelines and responses drawn. Judged from the real
// bin/wire5g.js's exit status and output, and the files it leaves; the capture by tshark's reading.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startWire5g, wire5g, lastLine } from '../helpers/wire5g.ts';
import { testConfig } from '../helpers/network.ts';
import { tsharkAvailable } from '../helpers/tshark.ts';
import { execFileSync } from 'node:child_process';

const T = 120_000;

function network(third: number): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), `wire5g-run${third}-`));
  const config = join(dir, 'net.yaml');
  writeFileSync(config, stringify({ addresses: testConfig(third).addresses, udr: { database: join(dir, 'udr.sqlite') } }));
  return { dir, config };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`${what} not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('wire5g run', () => {
  it('12 UEs: OK on the last line, exit 0, every ledger back; ladder.md has lifelines UE1..UE3, responses, and fits Mermaid', async () => {
    const { dir, config } = network(42);
    const out = join(dir, 'out');
    const r = await wire5g(['run', '--config', config, '--out', out, '--ues', '12', '--pings', '1']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('every NF ledger is back where it started (NRF, NSSF, UDR, UDM, AUSF, BSF, CHF, NWDAF, PCF, UPF, SMF, AMF, AF, gNB)');
    expect(lastLine(r.stdout)).toMatch(/^OK: 12 UE\(s\)/);
    const ladder = readFileSync(join(out, 'ladder.md'), 'utf8');
    expect(ladder.length).toBeLessThan(50_000);
    for (const ue of ['UE1', 'UE2', 'UE3']) expect(ladder).toContain(`participant ${ue}`);
    expect(ladder).not.toContain('participant UE4');
    expect(ladder).toMatch(/UDR-->>UDM: HTTP\/2 2\d\d/); // an SBI response
    expect(ladder).toMatch(/UPF-->>SMF: PFCP Session Establishment Response/);
    expect(ladder).toMatch(/more messages are not drawn .* those of 9 more UEs\. All UEs: .*Registration 12\/12 ok/);
    expect(readdirSync(out).sort()).toEqual(['ladder.md', 'run.pcapng', 'summary.json']); // no temporary file, no lock left
    if (tsharkAvailable()) expect(Number(execFileSync('capinfos', ['-c', '-M', join(out, 'run.pcapng')], { encoding: 'utf8' }).match(/(\d+)\s*$/)?.[1])).toBeGreaterThan(100);
  }, T);

  it('a PDU session the UDR refuses: the UE still deregisters, every ledger is back, last line FAILED, exit 1; --no-capture writes no run.pcapng', async () => {
    const { dir, config } = network(43);
    const supi = 'imsi-001010000000001';
    // the stored subscriber may use only 'ims' (what is stored wins over the configuration's seed)
    const add = await wire5g(['subscriber', 'add', supi, '--dnn', 'ims', '--config', config]);
    expect(add.code, add.stderr).toBe(0);
    const r = await wire5g(['run', '--config', config, '--out', join(dir, 'out'), '--no-capture']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['ladder.md', 'summary.json']);
    expect(r.stdout).toMatch(/PDU Session Establishment +0\/1 ok/);
    expect(r.stdout).toMatch(/UE-initiated Deregistration \(switch off\) +1\/1 ok/);
    expect(r.stdout).toContain('every NF ledger is back where it started');
    expect(lastLine(r.stdout)).toBe('FAILED: 1 procedure(s) failed; 1 UE(s) failed');
  }, T);

  it('a second run refuses while the first runs; Ctrl-C writes outputs marked interrupted (exit 130); progress lines without a terminal', async () => {
    const { dir, config } = network(44);
    const out = join(dir, 'out');
    const first = startWire5g(['run', '--config', config, '--out', out, '--ues', '2000', '--parallel', '2', '--pings', '1']);
    try {
      // not a terminal: a progress line every few seconds, after the first two
      await until(() => /UEs \d+\/2000 registered, \d+ with a session, \d+ deregistered, 0 failed \| [\d.]+ UE\/s \| \d+:\d\d elapsed, ~[\d:?]+ left/.test(first.stdout()), 60_000, 'a progress line');
      const second = await wire5g(['run', '--config', config, '--out', join(dir, 'other')]);
      expect(second.code).toBe(1);
      expect(second.stderr.trimEnd()).toMatch(new RegExp(`^wire5g run: another wire5g run is running \\(pid ${first.child.pid}, .*addresses 127\\.0\\.44\\.5 `));
    } finally {
      first.child.kill('SIGINT');
    }
    const r = await first.done;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(lastLine(r.stdout)).toMatch(/^INTERRUPTED after \d+ of 2000 UEs started$/);
    expect(r.stderr).toContain('interrupted; the UEs under way finish');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { interrupted?: boolean; ledgers: { leftBehind: object } };
    expect(summary.interrupted).toBe(true);
    expect(summary.ledgers.leftBehind).toEqual({}); // the UEs under way finished their sequence
    expect(readFileSync(join(out, 'ladder.md'), 'utf8')).toMatch(/^# wire5g run \(INTERRUPTED/);
    expect(readdirSync(out).sort()).toEqual(['ladder.md', 'run.pcapng', 'summary.json']);
  }, T);
});
