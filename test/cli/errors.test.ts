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
import { controlCommands, commandKey } from '../../nodes/control/index.ts';

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
  it('a WIRE5G_SBI_HTTP2 that is neither own nor node is refused before anything runs (exit 1, one line)', async () => {
    const r = await wire5g(['run', '--ues', '1'], { env: { WIRE5G_SBI_HTTP2: 'nghttp2' } });
    refused(r, 1, /^wire5g: WIRE5G_SBI_HTTP2=nghttp2: expected one of own, node$/);
    expect(r.stdout).toBe('');
  }, T);
  for (const [option, value] of [['--ues', 'abc'], ['--ues', '0'], ['--ues=-5', undefined], ['--ues', '-5'], ['--ues', '2.5'], ['--parallel', '0'], ['--parallel', 'x'], ['--pings', '1.5'], ['--pings', '-1']] as const) {
    it(`run ${option} ${value ?? ''} is refused (exit 2)`, async () => {
      const r = await wire5g(['run', option, ...(value !== undefined ? [value] : [])]);
      refused(r, 2, /^wire5g run: --(ues|parallel|pings) must be a whole number of 1 or more, got '.*' \(see 'wire5g run --help'\)$/);
      expect(r.stdout).toBe(''); // nothing ran
    }, T);
  }
  for (const args of [['run', '--core-wait', '0'], ['up', '--ues', '-1'], ['up', '--ues', 'abc'], ['up', '--parallel', '0'], ['up', '--core-wait', '1.5'], ['run', '--scenario', 'default', '--ues', '2.5']]) {
    it(`${args.join(' ')} is refused (exit 2)`, async () => {
      const r = await wire5g(args);
      refused(r, 2, new RegExp(`^wire5g ${args[0]}: ${args.at(-2)} must be a whole number (of 1 or more|>= 0), got '${args.at(-1)}'`));
      expect(r.stdout).toBe('');
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
  it('start: a SEPP or a home NF without roaming, a home AMF, an unknown PLMN are refused (issue 17)', async () => {
    refused(await wire5g(['start', 'sepp']), 2, /^wire5g start: 'sepp' runs only with roaming.enabled/);
    refused(await wire5g(['start', 'smf', '--plmn', 'home']), 2, /^wire5g start: --plmn home needs roaming.enabled/);
    refused(await wire5g(['start', 'smf', '--plmn', 'mars']), 2, /--plmn must be one of visited, home, got 'mars'/);
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-start-'));
    writeFileSync(join(dir, 'roaming.yaml'), 'roaming:\n  enabled: true\n');
    refused(await wire5g(['start', 'amf', '--plmn', 'home', '--config', join(dir, 'roaming.yaml')]), 2, /^wire5g start: the home PLMN has no AMF in wire5g; with --plmn home one of udr, udm, ausf, pcf, upf, smf, bsf, chf, nwdaf, af, sepp/);
  }, T);
  it('a value missing after an option is refused', async () => {
    refused(await wire5g(['run', '--ues']), 2, /--ues needs a value/);
  }, T);
});

describe.concurrent('wire5g --help on every command lists every option with its default', () => {
  const expected: [string[], string[]][] = [
    [['run'], ['--config FILE', '--out DIR', '--ues N', '--parallel N', '--pings N', '--deregistration', '--external-core', '--quiet', '--verbose', '--debug', '--help']],
    [['start'], ['--config FILE', '--plmn', '--capture FILE', '--ladder', '--verbose']],
    [['decode'], ['--json']],
    [['subscriber', 'add'], ['--supi', '--k HEX32', '--opc HEX32', '--amf HEX4', '--sqn HEX12', '--sst', '--sd HEX6', '--dnn', '--usage OCTETS', '--db FILE', '--config FILE']],
    [['subscriber', 'update'], ['--k HEX32', '--usage OCTETS']],
    [['subscriber', 'show'], ['--db FILE']],
    [['subscriber', 'list'], ['--db FILE']],
    [['subscriber', 'remove'], ['--db FILE']],
    [['up'], ['--config FILE', '--out DIR', '--ues N', '--parallel N', '--no-pdu', '--external-core', '--core-wait SECONDS', '--quiet', '--verbose']],
    [['scenarios'], ['--help']],
    [['capture', 'merge'], ['--help']],
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
  // every command of the control table: its help is built from the same declaration the server judges by
  for (const c of controlCommands()) {
    // a group's parameter (`ue <supi> ...`) is given a value; the placeholders after the last word are the command's arguments
    const last = c.words.length - 1 - [...c.words].reverse().findIndex((w) => !w.startsWith('<'));
    const given = c.words.slice(0, last + 1).map((w) => (w.startsWith('<') ? 'imsi-001010000000001' : w));
    const usage = [...given, ...c.words.slice(last + 1)].join(' ');
    it(`wire5g ctl ${commandKey(c)} --help`, async () => {
      const r = await wire5g(['ctl', ...given, '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe(`usage: wire5g ctl ${usage} [options]`);
      expect(r.stdout).toContain(c.summary);
      for (const [name, o] of Object.entries({ ...c.options, out: { kind: 'string' }, json: { kind: 'flag' } })) expect(r.stdout).toMatch(new RegExp(`^ {2}--${name}${o.kind === 'flag' ? ' ' : ' \\S+'}(.*|\\n {3,}.*)\\(default: [^)]`, 'm')); // a long syntax has its help on the next line
    }, T);
  }
  it('wire5g ctl --help and ctl ue --help list the commands of the control table', async () => {
    const top = await wire5g(['ctl', '--help']);
    expect(top.code).toBe(0);
    for (const c of ['status', 'ue <supi>', 'dump', 'down']) expect(top.stdout).toMatch(new RegExp(`^ {2}${c} `, 'm'));
    const ue = await wire5g(['ctl', 'ue', '--help']);
    expect(ue.stdout).toMatch(/^usage: wire5g ctl ue <supi> <command>/);
    for (const c of ['add', 'register', 'deregister', 'pdu', 'ping']) expect(ue.stdout).toMatch(new RegExp(`^ {2}${c} `, 'm'));
  }, T);
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
  it('sbi.http2 other than node or own is refused naming the choices (issue 21)', async () => {
    refused(await wire5g(['run', '--config', file('h2.yaml', 'sbi: { http2: nghttp2 }\n')]), 2, /^wire5g run: config .*h2\.yaml: sbi\.http2: expected own or node \(node:http2, or wire5g's own HTTP\/2\), got string "nghttp2"$/);
    refused(await wire5g(['start', 'udr', '--config', file('h2b.yaml', 'sbi: { http2: 2 }\n')]), 2, /sbi\.http2: expected own or node .*got number 2$/);
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

describe.concurrent('wire5g ctl: bad input is one line, nothing sent', () => {
  const nowhere = join(dir, 'no-network');
  it('no network up: exit 1, naming the out directory and how to start one', async () => {
    refused(await wire5g(['ctl', '--out', nowhere, 'status']), 1, new RegExp(`^wire5g ctl status: no running network with out directory ${nowhere} \\(.*control\\.json does not exist\\); start one with: wire5g up --out ${nowhere}$`));
    refused(await wire5g(['ctl', '--out', nowhere, 'ue', 'imsi-001010000000099', 'register']), 1, /^wire5g ctl ue imsi-001010000000099 register: no running network/);
  }, T);
  it('a wrong command line: exit 2 before anything is sent (no network needed to judge it)', async () => {
    refused(await wire5g(['ctl', '--out', nowhere, 'ue', 'imsi-001010000000001', 'ping', '--count', '0']), 2, /^wire5g ctl ue imsi-001010000000001 ping: --count must be a whole number 1\.\.100000, got '0' \(see 'wire5g ctl ue imsi-001010000000001 ping --help'\)$/);
    refused(await wire5g(['ctl', '--out', nowhere, 'ue', 'imsi-001010000000001', 'pdu', 'release', '16']), 2, /PDU session identity must be a number 1\.\.15, got '16'/);
    refused(await wire5g(['ctl', '--out', nowhere, 'ue', 'imsi-001010000000001', 'pdu', 'release']), 2, /missing <psi>/);
    refused(await wire5g(['ctl', '--out', nowhere, 'ue', 'imsi-001010000000001', 'deregister']), 2, /exactly one of --switch-off and --normal/);
    refused(await wire5g(['ctl', '--out', nowhere, 'ue', 'imsi-001010000000001', 'deregister', '--normal', '--access', 'moon']), 2, /--access must be one of 3gpp, non-3gpp, both, got 'moon'/);
    refused(await wire5g(['ctl', '--out', nowhere, 'ue', 'imsi-001010000000001', 'pdu', 'establish', '--sd', '0102']), 2, /--sd must be 6 hex digits, got '0102'/);
    refused(await wire5g(['ctl', '--out', nowhere, 'ue', 'imsi-001010000000001', 'pdu', 'establish', '--sd', '010203']), 2, /--sd needs --sst/);
    refused(await wire5g(['ctl', '--out', nowhere, 'ue', 'imsi-001010000000001', 'register', '--count', '3']), 2, /unknown option --count/);
    refused(await wire5g(['ctl', 'ue']), 2, /^wire5g ctl ue: missing <supi>/);
    refused(await wire5g(['ctl', 'ue', 'imsi-001010000000001', 'frob']), 2, /unknown command 'frob'; commands: add, register, update, an-release, deregister, pdu, ping/);
    refused(await wire5g(['ctl']), 2, /^wire5g ctl: which one\? status, ue, (.*, )?dump, down/);
    refused(await wire5g(['ctl', '--out']), 2, /--out needs a value/);
  }, T);
});

describe.concurrent('wire5g run --scenario: judged before anything runs', () => {
  it('an unknown scenario, a file that does not validate, options that do not apply', async () => {
    refused(await wire5g(['run', '--scenario', 'nope']), 2, /^wire5g run: --scenario nope: no such file, and no built-in scenario of that name \('wire5g scenarios' lists them\) \(see 'wire5g run --help'\)$/);
    refused(await wire5g(['run', '--scenario', dir]), 2, /^wire5g run: --scenario .*: is a directory, not a scenario file/);
    refused(await wire5g(['run', '--scenario', file('bad-scenario.yaml', 'description: x\nsteps:\n  - register: all\n    rate: fast\n')]), 2, /bad-scenario\.yaml: steps\[0\]\.rate: expected a positive number, got "fast"/);
    for (const o of [['--pings', '2'], ['--parallel', '3'], ['--deregistration', 'normal']]) {
      refused(await wire5g(['run', '--scenario', 'default', ...o]), 2, new RegExp(`${o[0]} does not apply to --scenario`));
    }
    refused(await wire5g(['run', '--scenario', 'default', '--ues', '0']), 2, /--ues must be a whole number of 1 or more, got '0'/);
  }, T);
  it('wire5g scenarios lists the built-in ones; extra arguments are refused', async () => {
    const r = await wire5g(['scenarios']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^default +one UE registers/m);
    refused(await wire5g(['scenarios', 'extra']), 2, /unexpected argument 'extra'/);
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
