// `wire5g run --scenario` goes through the pipeline of `wire5g run` (issues 13 and 14), judged from
// the real bin/wire5g.js: a second run, a default run or an `up` on the same out directory is
// refused with one line naming the first, before it touches anything; Ctrl-C once lets the actions
// under way finish and writes the complete new set of outputs marked interrupted (exit 130, last
// line INTERRUPTED, every ledger back); Ctrl-C twice quits at once and leaves the previous outputs
// as they were, byte for byte, and says so. Each network on its own addresses 127.0.<n>.x.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startWire5g, wire5g, lastLine, type Wire5gResult } from '../helpers/wire5g.ts';
import { testConfig } from '../helpers/network.ts';
import { tsharkAvailable } from '../helpers/tshark.ts';
import { execFileSync } from 'node:child_process';

const T = 120_000;

function network(third: number): { dir: string; config: string; hold: string; pinging: string } {
  const dir = mkdtempSync(join(tmpdir(), `wire5g-scn${third}-`));
  const config = join(dir, 'net.yaml');
  writeFileSync(config, stringify({ addresses: testConfig(third).addresses, udr: { database: join(dir, 'udr.sqlite') } }));
  // a scenario that holds its UE registered for a minute: long enough to be interrupted
  const hold = join(dir, 'hold.yaml');
  writeFileSync(hold, 'description: one UE registers, waits a minute, switches off\nues: 1\nsteps:\n  - register: all\n  - wait: 60\n  - deregister: all\n');
  // one that keeps its UE pinging for a minute: Ctrl-C once waits for the ping under way to end
  const pinging = join(dir, 'pinging.yaml');
  writeFileSync(pinging, 'description: one UE pings for a minute\nues: 1\nsteps:\n  - register: all\n  - pdu-establish: all\n  - ping: all\n    count: 600\n    interval: 100\n  - deregister: all\n');
  return { dir, config, hold, pinging };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`${what} not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function refusedBy(r: Wire5gResult, pid: number | undefined, out: string): void {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(new RegExp(`another wire5g run is running \\(pid ${pid}, started .*, out directory ${out}, addresses 127\\.`));
  expect(r.stdout).toBe('');
}

describe('wire5g run --scenario', () => {
  it('beside a running scenario on the same out directory: run --scenario, run and up are refused with one line; Ctrl-C once writes the new outputs marked interrupted', async () => {
    const { dir, config, hold } = network(52);
    const out = join(dir, 'out');
    const first = startWire5g(['run', '--scenario', hold, '--config', config, '--out', out]);
    try {
      await until(() => first.stdout().includes('NAS Registration complete'), 60_000, 'the registration');
      // other addresses, same out directory: refused on the out directory's lock
      const other = join(dir, 'other.yaml');
      writeFileSync(other, stringify({ addresses: testConfig(53).addresses, udr: { database: join(dir, 'udr2.sqlite') } }));
      refusedBy(await wire5g(['run', '--scenario', 'default', '--config', other, '--out', out]), first.child.pid, out);
      refusedBy(await wire5g(['run', '--config', other, '--out', out]), first.child.pid, out);
      refusedBy(await wire5g(['up', '--config', other, '--out', out]), first.child.pid, out);
      expect(readdirSync(out).filter((f) => !f.startsWith('.')).every((f) => f.endsWith(`.${first.child.pid}.tmp`))).toBe(true);
    } finally {
      first.child.kill('SIGINT');
    }
    const r = await first.done;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.stderr).toContain('interrupted; the UEs under way finish');
    expect(lastLine(r.stdout)).toBe('INTERRUPTED after 1 of 1 UEs started');
    expect(r.stdout).toContain('(marked interrupted)');
    expect(r.stdout).toContain('every NF ledger is back where it started');
    // the complete new set: the UE registered, then switched off when the network stopped
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { interrupted?: boolean; procedures: { name: string; outcome: string }[]; ledgers: { leftBehind: object } };
    expect(summary.interrupted).toBe(true);
    expect(summary.ledgers.leftBehind).toEqual({});
    expect(summary.procedures.map((p) => `${p.name} ${p.outcome}`)).toEqual(['NG Setup success', 'Registration success', 'UE-initiated Deregistration (switch off) success']);
    expect(readFileSync(join(out, 'ladder.md'), 'utf8')).toMatch(/^# wire5g run \(INTERRUPTED/);
    expect(readdirSync(out).sort()).toEqual(['ladder.md', 'run.pcapng', 'summary.json']); // no temporary file, no lock left
  }, T);

  it('Ctrl-C twice quits at once: the previous outputs stay as they were, and it says so', async () => {
    const { dir, config, pinging } = network(54);
    const out = join(dir, 'out');
    mkdirSync(out);
    const previous = { 'run.pcapng': 'previous capture', 'ladder.md': '# previous ladder\n', 'summary.json': '{"previous":true}\n' };
    for (const [f, text] of Object.entries(previous)) writeFileSync(join(out, f), text);
    const p = startWire5g(['run', '--scenario', pinging, '--config', config, '--out', out]);
    try {
      await until(() => p.stdout().includes('ICMP'), 60_000, 'the first ping');
    } finally {
      p.child.kill('SIGINT');
      await until(() => p.stderr().includes('interrupted;'), 10_000, 'the first Ctrl-C taken');
      p.child.kill('SIGINT');
    }
    const r = await p.done;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(lastLine(r.stderr)).toBe(`wire5g run: stopped at once; nothing written (the previous outputs in ${out} are untouched)`);
    for (const [f, text] of Object.entries(previous)) expect(readFileSync(join(out, f), 'utf8')).toBe(text);
    expect(readdirSync(out).sort()).toEqual(['ladder.md', 'run.pcapng', 'summary.json']);
  }, T);

  it('run --scenario default (what npm start runs) through the binary: the capture of the default run as tshark reads it; --quiet prints only the result', async () => {
    const { dir, config } = network(57);
    const viaFile = join(dir, 'scenario');
    const viaRun = join(dir, 'run');
    const a = await wire5g(['run', '--scenario', 'default', '--quiet', '--config', config, '--out', viaFile]);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(lastLine(a.stdout)).toBe('OK: 1 UE(s), 7 procedures succeeded');
    expect(a.stdout).not.toMatch(/^UE +-> AMF/m); // --quiet: no ladder
    expect(a.stdout).toContain('every NF ledger is back where it started (NRF, NSSF, UDR, UDM, AUSF, BSF, CHF, NWDAF, PCF, UPF, SMF, AMF, AF, gNB)');
    expect(readdirSync(viaFile).sort()).toEqual(['ladder.md', 'run.pcapng', 'summary.json']);
    const b = await wire5g(['run', '--quiet', '--config', config, '--out', viaRun]);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    if (!tsharkAvailable()) return;
    // every commented frame (each message names its step), in the same order on every path between two nodes
    const frames = (d: string) => execFileSync('tshark', ['-r', join(d, 'run.pcapng'), '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'frame.comment'], { encoding: 'utf8' }).split('\n').filter((l) => l.split('\t')[2]);
    const perPath = (fs: string[]) => {
      const m: Record<string, string[]> = {};
      for (const f of fs) {
        const [src, dst, comment] = f.split('\t');
        (m[`${src}>${dst}`] ??= []).push(comment);
      }
      return m;
    };
    const fa = frames(viaFile);
    expect(fa.length).toBeGreaterThan(50);
    expect(perPath(fa)).toEqual(perPath(frames(viaRun)));
  }, T);

  it('a step whose order is not followed (a reversed list): exit 1, one line naming the step, the UE, the pattern and what it should have followed', async () => {
    const { dir, config } = network(71);
    const file = join(dir, 'reversed.yaml');
    // the registration's first and last NAS messages, in the wrong order; the release's in the right one
    writeFileSync(file, "description: one UE, the registration's order reversed\nues: 1\nsteps:\n  - register: all\n    order: ['AMF>UE Registration accept', 'UE>AMF Registration request']\n  - pdu-establish: all\n    order: ['UE>AMF UL NAS transport (PDU session establishment request)', 'AMF>SMF Nsmf_PDUSession_CreateSMContext']\n  - deregister: all\n");
    const r = await wire5g(['run', '--scenario', file, '--quiet', '--config', config, '--out', join(dir, 'out')]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout.split('\n').filter((l) => l.includes('order not followed'))).toEqual(["  steps[0] (register) UE imsi-001010000000001: order not followed: 'UE>AMF Registration request' was not traced after 'AMF>UE Registration accept' (only before it)"]);
    expect(lastLine(r.stdout)).toBe('FAILED: 1 step order(s) not followed');
    expect(r.stdout).toContain('every NF ledger is back where it started'); // every procedure succeeded: only the order failed
  }, T);

  it('run --scenario --external-core with no core: says what it waits for, then FAILED, nothing written, the previous outputs untouched', async () => {
    const { dir, config } = network(60);
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'run.pcapng'), 'previous capture');
    const r = await wire5g(['run', '--scenario', 'default', '--external-core', '--core-wait', '2', '--config', config, '--out', out]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain('wire5g run: waiting for the core: UDR 127.0.60.20:8080: ECONNREFUSED');
    expect(r.stdout).toContain('nothing written: the network did not start (the previous outputs are untouched)');
    expect(lastLine(r.stdout)).toMatch(/^FAILED: 1 procedure\(s\) failed/);
    expect(readdirSync(out)).toEqual(['run.pcapng']);
    expect(readFileSync(join(out, 'run.pcapng'), 'utf8')).toBe('previous capture');
  }, T);
});
