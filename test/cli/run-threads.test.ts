// `wire5g run --threads 2` (issue 21 goals 3 and 5): the core NFs on two worker threads of the
// process, the gNB and UEs on the main thread, over the same loopback sockets (127.0.138.x). The
// same UEs run once on one thread and once threaded: both OK with every ledger back (the threaded
// NFs' ledgers come from their threads), the same message counts in summary.json (the threaded
// run's counted in the capture merged from each thread's), ladder.md drawing the core's messages
// (traced in the threads), and tshark reading the merged capture. Nonsense thread counts are
// refused with one line and exit 2.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { stringify } from 'yaml';
import { wire5g, lastLine } from '../helpers/wire5g.ts';
import { testConfig } from '../helpers/network.ts';
import { tsharkAvailable } from '../helpers/tshark.ts';

const T = 120_000;

interface Summary {
  messages: unknown;
  ledgers: { before: Record<string, unknown> };
}

describe('wire5g run --threads', () => {
  it('4 UEs on 2 core threads: OK, ledgers back, the same message counts as on one thread, the ladder and the merged capture', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-run-threads-'));
    const config = join(dir, 'net.yaml');
    writeFileSync(config, stringify({ addresses: testConfig(138).addresses, udr: { database: ':memory:' } }));
    const run = async (out: string, extra: string[]) => {
      const r = await wire5g(['run', '--config', config, '--out', join(dir, out), '--ues', '4', '--pings', '1', '--quiet', ...extra]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(lastLine(r.stdout)).toMatch(/^OK: 4 UE\(s\)/);
      expect(r.stdout).toContain('every NF ledger is back where it started (NRF, NSSF, UDR, UDM, AUSF, BSF, CHF, NWDAF, PCF, UPF, SMF, AMF, AF, gNB)');
      return JSON.parse(readFileSync(join(dir, out, 'summary.json'), 'utf8')) as Summary;
    };
    const one = await run('one', []);
    const two = await run('two', ['--threads', '2']);
    // the traced messages, per name and per interface, identical; the capture's counts are of the
    // same interfaces (a retransmission on a busy machine may add one to either run's)
    const m = (s: Summary) => s.messages as { in: string; perMessage: Record<string, number>; traced: Record<string, number>; perInterface: Record<string, number> };
    expect(m(two).in).toBe('capture');
    expect(m(two).perMessage).toEqual(m(one).perMessage);
    expect(m(two).traced).toEqual(m(one).traced);
    expect(Object.keys(m(two).perInterface).sort()).toEqual(Object.keys(m(one).perInterface).sort());
    for (const [i, n] of Object.entries(m(two).perInterface)) expect(Math.abs(n - m(one).perInterface[i]), `${i}: ${n} against ${m(one).perInterface[i]}`).toBeLessThanOrEqual(Math.max(2, m(one).perInterface[i] * 0.02));
    expect(Object.keys(two.ledgers.before)).toEqual(Object.keys(one.ledgers.before));
    expect(readdirSync(join(dir, 'two')).sort()).toEqual(['ladder.md', 'run.pcapng', 'summary.json']); // the threads' files merged and gone
    const ladder = readFileSync(join(dir, 'two', 'ladder.md'), 'utf8');
    expect(ladder).toMatch(/AMF->>AUSF: HTTP\/2 Nausf_UEAuthentication_Authenticate/); // traced in one thread
    expect(ladder).toMatch(/UPF-->>SMF: PFCP Session Establishment Response/); // traced in the other
    expect(ladder).toContain('participant UE3');
    if (tsharkAvailable()) {
      const read = (d: string) => execFileSync('tshark', ['-r', join(dir, d, 'run.pcapng'), '-Y', 'ngap || pfcp || http2.type == 1', '-T', 'fields', '-e', '_ws.col.Protocol'], { encoding: 'utf8' }).trim().split('\n').length;
      expect(read('two')).toBeGreaterThan(100);
    }
  }, T);

  it('refuses a thread count it has no layout for, and --threads with --external-core, in one line, exit 2', async () => {
    for (const [args, said] of [[['--threads', '9'], /--threads must be a whole number 0\.\.3, got '9'/], [['--threads', '2', '--external-core'], /--threads 2 does not apply to --external-core/]] as const) {
      const r = await wire5g(['run', '--ues', '1', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(said);
    }
  }, T);
});
