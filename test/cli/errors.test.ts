// A careless user at the `wire5g` command line (issue 13): each mistake is refused with one line
// that says what is wrong, and exit status 2 (the command line or configuration is wrong) or 1 (it
// failed), with no stack trace unless --debug or WIRE5G_DEBUG=1; --help lists every option with
// its default. Judged by running the real bin/wire5g.js as a child process, as a user would.
// None of these opens a socket: each is refused before the network starts.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { wire5g, type Wire5gResult } from '../helpers/wire5g.ts';
import { testConfig } from '../helpers/network.ts';

const T = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'wire5g-cli-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** One line on stderr, no stack frame, and the exit status given. */
function refused(r: Wire5gResult, code: number, message: RegExp): void {
  expect(r.code, r.stderr + r.stdout).toBe(code);
  expect(r.stderr.trimEnd()).toMatch(message);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe.concurrent('wire5g: numbers and choices are checked, never silently changed', () => {
  for (const [option, value] of [['--ues', 'abc'], ['--ues', '0'], ['--ues=-5', undefined], ['--ues', '-5'], ['--ues', '2.5'], ['--parallel', '0'], ['--parallel', 'x'], ['--pings', '1.5'], ['--pings', '-1']] as const) {
    it(`run ${option} ${value ?? ''} is refused (exit 2)`, async () => {
      const r = await wire5g(['run', option, ...(value !== undefined ? [value] : [])]);
      refused(r, 2, /^wire5g run: --(ues|parallel|pings) must be a whole number of 1 or more, got '.*' \(see 'wire5g run --help'\)$/);
      expect(r.stdout).toBe(''); // nothing ran
    }, T);
  }
  it('run --deregistration sometimes is refused naming the choices', async () => {
    refused(await wire5g(['run', '--deregistration', 'sometimes']), 2, /--deregistration must be one of switch-off, normal, mixed, none, got 'sometimes'/);
  }, T);
  it('unknown options and arguments are refused: run --uess 3, decode FILE --jsn, run extra', async () => {
    refused(await wire5g(['run', '--uess', '3']), 2, /^wire5g run: unknown option --uess/);
    refused(await wire5g(['decode', 'x.pcapng', '--jsn']), 2, /^wire5g decode: unknown option --jsn/);
    refused(await wire5g(['run', 'extra']), 2, /unexpected argument 'extra'/);
    refused(await wire5g(['frobnicate']), 2, /^wire5g: unknown command 'frobnicate'; commands: run, scenarios, up, ctl, start, decode, capture, subscriber/);
  }, T);
  it('a value missing after an option is refused', async () => {
    refused(await wire5g(['run', '--ues']), 2, /--ues needs a value/);
  }, T);
});

describe.concurrent('wire5g --help on every command lists every option with its default', () => {
  const expected: [string[], string[]][] = [
    [['run'], ['--config FILE', '--out DIR', '--ues N', '--parallel N', '--pings N', '--deregistration', '--external-core', '--quiet', '--verbose', '--debug', '--help']],
    [['start'], ['--config FILE', '--capture FILE', '--ladder', '--verbose']],
    [['decode'], ['--json']],
    [['subscriber', 'add'], ['--supi', '--k HEX32', '--opc HEX32', '--amf HEX4', '--sqn HEX12', '--sst', '--sd HEX6', '--dnn', '--usage OCTETS', '--db FILE', '--config FILE']],
    [['subscriber', 'update'], ['--k HEX32', '--usage OCTETS']],
    [['subscriber', 'show'], ['--db FILE']],
    [['subscriber', 'list'], ['--db FILE']],
    [['subscriber', 'remove'], ['--db FILE']],
  ];
  for (const [cmd, options] of expected) {
    it(`wire5g ${cmd.join(' ')} --help`, async () => {
      const r = await wire5g([...cmd, '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: wire5g ${cmd.join(' ')}`));
      for (const o of options) expect(r.stdout).toContain(o);
      // every option that takes a value or is a flag of the command shows its default
      const optionLines = r.stdout.split('\n').filter((l) => /^ {2}--/.test(l) && !/--(help|debug)/.test(l));
      for (const l of optionLines) expect(r.stdout.slice(r.stdout.indexOf(l)).split('\n').slice(0, 2).join(' ')).toMatch(/\(default: [^)]/);
    }, T);
  }
  it('wire5g --help and wire5g subscriber --help list the commands', async () => {
    const top = await wire5g(['--help']);
    expect(top.code).toBe(0);
    for (const c of ['run', 'start', 'decode', 'subscriber']) expect(top.stdout).toMatch(new RegExp(`^ {2}${c} `, 'm'));
    const sub = await wire5g(['subscriber', '--help']);
    for (const c of ['add', 'update', 'show', 'list', 'remove']) expect(sub.stdout).toMatch(new RegExp(`^ {2}${c} `, 'm'));
  }, T);
});

describe.concurrent('wire5g: configuration errors are one line naming the key (exit 2)', () => {
  it('a missing, unreadable or directory config', async () => {
    refused(await wire5g(['run', '--config', join(dir, 'nope.yaml')]), 2, /^wire5g run: config .*nope\.yaml: cannot read it: no such file$/);
    refused(await wire5g(['run', '--config', dir]), 2, /cannot read it: is a directory/);
  }, T);
  it('bad YAML, a typo in a key, a wrong type', async () => {
    refused(await wire5g(['run', '--config', file('bad.yaml', 'addresses: [\n')]), 2, /not valid YAML/);
    refused(await wire5g(['run', '--config', file('typo.yaml', 'adresses: { amf: 127.0.0.5 }\n')]), 2, /adresses: unknown key \(known here: plmn, tac/);
    refused(await wire5g(['run', '--config', file('type.yaml', 'tac: one\n')]), 2, /tac: expected number/);
    refused(await wire5g(['run', '--config', file('mcc.yaml', 'plmn: { mcc: 001, mnc: "01" }\n')]), 2, /plmn\.mcc: expected 3 digits.*\(in quotes\)/);
  }, T);
  it('security.ciphering NEA9 is refused, never run as NEA0; names match case-insensitively', async () => {
    refused(await wire5g(['run', '--config', file('nea9.yaml', 'security: { ciphering: NEA9 }\n')]), 2, /security\.ciphering: unknown ciphering algorithm 'NEA9'; wire5g implements NEA0, NEA2/);
    refused(await wire5g(['run', '--config', file('nia1.yaml', 'security: { integrity: NIA1 }\n')]), 2, /security\.integrity: unknown integrity algorithm 'NIA1'; wire5g implements NIA2/);
    // `subscriber list --config` reads the configuration without starting anything
    const ok = await wire5g(['subscriber', 'list', '--config', file('nea2.yaml', `security: { ciphering: nea2 }\nudr: { database: ${join(dir, 'none.sqlite')} }\n`)]);
    expect(ok.code, ok.stderr).toBe(0);
  }, T);
  it("snssai.sd, as config/default.yaml documents it, is accepted", async () => {
    const r = await wire5g(['subscriber', 'list', '--config', file('sd.yaml', `snssai: { sst: 1, sd: '010203' }\nsubscribers:\n  - supi: imsi-001010000000001\n    snssais: [{ sst: 1, sd: '010203' }]\nudr: { database: ${join(dir, 'none.sqlite')} }\n`)]);
    expect(r.code, r.stderr).toBe(0);
    refused(await wire5g(['run', '--config', file('sd-bad.yaml', "snssai: { sst: 1, sd: '01020' }\n")]), 2, /snssai\.sd: expected 6 hex digits, got '01020'/);
  }, T);
  it('a DNN no subscriber may use is reported before the run starts', async () => {
    const out = join(dir, 'dnn-out');
    refused(await wire5g(['run', '--out', out, '--config', file('dnn.yaml', 'dnn: ims\n')]), 2, /dnn: no subscriber of this run may use DNN 'ims' on S-NSSAI 1/);
    expect(existsSync(out)).toBe(false); // nothing touched
  }, T);
  it('--ues beyond what the MSIN can number is refused', async () => {
    refused(await wire5g(['run', '--ues', '1000000']), 2, /--ues 1000000: .*(MSIN|UE pool)/);
  }, T);
  it('--debug and WIRE5G_DEBUG=1 add the stack trace', async () => {
    const a = await wire5g(['run', '--debug', '--config', join(dir, 'nope.yaml')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^\s+at loadConfig/m);
    const b = await wire5g(['run', '--config', join(dir, 'nope.yaml')], { env: { WIRE5G_DEBUG: '1' } });
    expect(b.stderr).toMatch(/^\s+at /m);
  }, T);
});

describe.concurrent('wire5g run: where outputs go', () => {
  it('--out pointing at a file is refused', async () => {
    refused(await wire5g(['run', '--out', file('afile', 'x')]), 2, /--out .*afile is a file, not a directory/);
  }, T);
  it('a second run refuses at start, naming the first (pid, out directory, addresses), and touches nothing', async () => {
    const out = join(dir, 'busy');
    mkdirSync(out);
    writeFileSync(join(out, 'run.pcapng'), 'previous run');
    // the first run's lock, held by a live process (this test's)
    writeFileSync(join(out, '.wire5g-run.lock'), JSON.stringify({ pid: process.pid, command: 'wire5g run', outDir: out, addresses: ['127.0.41.5', '127.0.41.100'], started: '2026-01-01T00:00:00.000Z' }));
    // its own addresses: a `wire5g run` of the default configuration may be running beside the tests
    const cfg = file('busy.yaml', stringify({ addresses: testConfig(41).addresses }));
    const r = await wire5g(['run', '--out', out, '--config', cfg]);
    refused(r, 1, new RegExp(`another wire5g run is running \\(pid ${process.pid}, started .*, out directory ${out}, addresses 127\\.0\\.41\\.5 127\\.0\\.41\\.100`));
    expect(readFileSync(join(out, 'run.pcapng'), 'utf8')).toBe('previous run');
    expect(r.stdout).toBe('');
  }, T);
});

describe.concurrent('wire5g decode: files', () => {
  it('a directory, a missing file: one line, exit 1; with several files none is decoded if one cannot be read', async () => {
    refused(await wire5g(['decode', dir]), 1, /^wire5g decode: cannot read .*: is a directory, not a capture file$/);
    const good = file('empty.pcapng', '');
    const r = await wire5g(['decode', good, join(dir, 'missing.pcapng')]);
    refused(r, 1, /cannot read .*missing\.pcapng: no such file/);
    expect(r.stdout).toBe('');
  }, T);
});
