// Scenario files: the shipped default scenario gives the capture of `wire5g run` (tshark, the
// independent peer, reads both: the same signalling messages, in the same order on every path
// between two nodes); the shipped scenarios run clean; a file that does not validate is refused
// with one line naming the field; `wire5g scenarios` lists the built-in ones.

import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../nodes/scenario.ts';
import { parseScenario, loadScenario, runScenarioFile, builtInScenarios, ScenarioFileError } from '../../nodes/control/scenario-file.ts';
import { testConfig } from '../helpers/network.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every frame with a packet comment (each message names its spec step), as tshark reads it. */
function commentedFrames(capture: string): string[] {
  const out = execFileSync('tshark', ['-r', capture, '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'frame.comment'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.split('\t')[2]);
}

/** The frames in order per (source, destination): concurrent procedures may interleave differently, a path may not. */
function perPath(frames: string[]): Record<string, string[]> {
  const m: Record<string, string[]> = {};
  for (const f of frames) {
    const [src, dst, comment] = f.split('\t');
    (m[`${src}>${dst}`] ??= []).push(comment);
  }
  return m;
}

describe('scenario files', () => {
  it('the shipped default scenario file (what npm start and run --scenario default run) gives the capture of the default run (judged by tshark)', async () => {
    if (!tsharkAvailable()) return;
    const cfg = testConfig(13);
    const a = mkdtempSync(join(tmpdir(), 'wire5g-run-'));
    const b = mkdtempSync(join(tmpdir(), 'wire5g-scn-'));
    const today = await runScenario(cfg, { outDir: a, database: ':memory:' });
    expect(today.ok).toBe(true);
    const file = await runScenarioFile(cfg, loadScenario('default'), { outDir: b, database: ':memory:' });
    expect(file.ok, JSON.stringify(file.leftBehind)).toBe(true);
    const fa = commentedFrames(join(a, 'run.pcapng'));
    const fb = commentedFrames(join(b, 'run.pcapng'));
    expect(fb.length).toBeGreaterThan(50);
    expect([...fb].sort()).toEqual([...fa].sort());
    expect(perPath(fb)).toEqual(perPath(fa));
    // the summaries count the same messages
    const count = (d: string) => (JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8')) as { messages: { perMessage: Record<string, number> } }).messages.perMessage;
    expect(count(b)).toEqual(count(a));
  });

  it('the shipped scenarios run clean: PDU session release beside a session that keeps pinging; 20 UEs, half deregistering while the others ping', async () => {
    const cfg = testConfig(13);
    for (const name of ['pdu-release', 'churn']) {
      const r = await runScenarioFile(cfg, loadScenario(name), { outDir: mkdtempSync(join(tmpdir(), `wire5g-${name}-`)), database: ':memory:' });
      expect(r.ues.filter((u) => u.error), name).toEqual([]);
      expect(r.leftBehind, name).toEqual({});
      expect(r.ok, name).toBe(true);
      const names = (r.summary.procedures as { name: string }[]).map((p) => p.name);
      if (name === 'pdu-release') {
        expect(names.filter((n) => n === 'UE-requested PDU Session Release')).toHaveLength(2);
        if (tsharkAvailable()) {
          // Wireshark dissects every message of the release with nothing to complain about
          const frames = dissect(r.files.capture!, { prefs: ['nas-5gs.null_decipher:TRUE'] });
          expect(problems(frames)).toEqual([]);
          const values = (f: string) => frames.flatMap((x) => x.fields.get(f) ?? []);
          for (const t of ['0xd1', '0xd3', '0xd4']) expect(values('nas_5gs.sm.message_type')).toContain(t);
          expect(values('ngap.procedureCode')).toContain('28'); // PDU Session Resource Release
        }
      }
      if (name === 'churn') expect(names.filter((n) => n === 'Registration')).toHaveLength(20);
    }
  }, 120_000);

  it('refuses a file that does not validate with one line naming the field', () => {
    const bad: [string, RegExp][] = [
      ['steps: []', /^f\.yaml: description: one line of text is required$/],
      ['description: x\nsteps: []', /^f\.yaml: steps: expected a non-empty list of steps$/],
      ['description: x\nsteps:\n  - fly: all', /^f\.yaml: steps\[0\]: expected exactly one action of wait, register/],
      ['description: x\nsteps:\n  - ping: all\n    count: -1', /^f\.yaml: steps\[0\]\.count: expected an integer 1\.\.1000000, got -1$/],
      ['description: x\nues: 2\nsteps:\n  - register: "1-3"', /^f\.yaml: steps\[0\]\.register: range "1-3" goes beyond the 2 UE\(s\) of the scenario$/],
      ['description: x\nsteps:\n  - deregister: all\n    mode: off', /^f\.yaml: steps\[0\]\.mode: expected switch-off, normal or mixed, got "off"$/],
      ['description: x\nsteps:\n  - pdu-release: all', /^f\.yaml: steps\[0\]\.psi: the PDU session identity to release is required$/],
      ['description: x\nsteps:\n  - register: all\n    psi: 1', /^f\.yaml: steps\[0\]\.psi: unknown option for register/],
      ['description: x\nsteps:\n  - wait: 0', /^f\.yaml: steps\[0\]\.wait: expected a positive number, got 0$/],
      ['description: x\nspeed: 3\nsteps:\n  - wait: 1', /^f\.yaml: speed: unknown key/],
      ['description: [x', /^f\.yaml: \(yaml\): /],
      ['description: x\nsteps:\n  - register: all\n    order: []', /^f\.yaml: steps\[0\]\.order: expected a non-empty list of trace patterns/],
      ['description: x\nsteps:\n  - register: all\n    order: UE>AMF', /^f\.yaml: steps\[0\]\.order: expected a non-empty list of trace patterns/],
      ["description: x\nsteps:\n  - register: all\n  - ping: all\n    order: ['UE>DN', ' ']", /^f\.yaml: steps\[1\]\.order\[1\]: expected a non-empty trace pattern, got " "$/],
      ['description: x\nsteps:\n  - register: all\n    order: [3]', /^f\.yaml: steps\[0\]\.order\[0\]: expected a non-empty trace pattern, got 3$/],
      ['description: x\nsteps:\n  - wait: 1\n    order: [x]', /^f\.yaml: steps\[0\]\.order: wait takes no options$/],
    ];
    for (const [text, want] of bad) {
      let err: unknown;
      try {
        parseScenario(text, 'f.yaml');
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(ScenarioFileError);
      expect((err as Error).message, text).toMatch(want);
      expect((err as Error).message.includes('\n'), text).toBe(false);
    }
  });

  it('the README example is a valid scenario file', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /## Scenario files[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const sc = parseScenario(block!, 'README.md');
    expect(sc.ues).toBe(20);
    expect(sc.steps.map((x) => x.action)).toEqual(['register', 'pdu-establish', 'ping', 'deregister', 'wait', 'pdu-release', 'smf-release', 'amf-deregister', 'amf-release', 'udm-withdraw', 'deregister', 'pcf-terminate', 'af-create', 'policy-update', 'await-release', 'an-release', 'out-of-coverage', 'await-implicit', 'move', 'update', 'await-periodic', 'in-coverage', 'register', 'pdu-release']);
    expect(sc.amfTimers).toEqual({ mobileReachableMs: 1000, implicitDeregistrationMs: 1000, t3513Ms: 500, t3522Ms: 1000 });
  });

  it('wire5g scenarios lists the built-in scenarios, one line each (the real binary)', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'bin', 'wire5g.js'), 'scenarios'], { cwd: ROOT, encoding: 'utf8' });
    for (const s of builtInScenarios()) expect(out).toMatch(new RegExp(`^${s.name} +${s.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(builtInScenarios().map((s) => s.name)).toEqual(expect.arrayContaining(['default', 'pdu-release', 'churn', 'network-release', 'network-deregistration']));
  });
});
