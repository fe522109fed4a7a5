// The control plane end to end with the real binary (bin/wire5g.js) over real loopback sockets:
// `wire5g up` in a child process, driven by `wire5g ctl` processes. A second UE is brought in
// from the UDR (`wire5g subscriber add`, then `ctl ue ... add` and `register`), a PDU session is
// established and released (TS 23.502 4.3.4.2), pings go through, one UE deregisters normally
// while the other keeps pinging, the other switches off, and `ctl status` is checked after each
// step; `ctl down` stops the network with every ledger back at its start. The capture is read by
// tshark (the independent peer) while the network runs. The control API refuses requests without
// or with a wrong token, from a browser origin, and a second network on the same out directory.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, statSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { testConfig } from '../helpers/network.ts';
import { tsharkAvailable } from '../helpers/tshark.ts';
import { callControl, readEndpoint, type CommandReply, type NetworkStatus, type UeStatus } from '../../nodes/control/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'wire5g.js');
const dir = mkdtempSync(join(tmpdir(), 'wire5g-ctl-'));
const out = join(dir, 'out');
const db = join(dir, 'udr.sqlite');
const UE1 = 'imsi-001010000000001';
const UE2 = 'imsi-001010000000002';

let up: ChildProcess;
let upOutput = '';
let upExit: Promise<number | null>;

function wire5g(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (e, stdout, stderr) => {
      resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function ctl(...args: string[]): Promise<{ code: number; reply: CommandReply; stderr: string }> {
  const r = await wire5g(['ctl', '--out', out, ...args, '--json']);
  return { code: r.code, reply: JSON.parse(r.stdout || '{}') as CommandReply, stderr: r.stderr };
}

async function status(): Promise<NetworkStatus> {
  const r = await ctl('status');
  expect(r.code, r.stderr).toBe(0);
  return r.reply.result as NetworkStatus;
}

const ueIn = (s: NetworkStatus, supi: string): UeStatus | undefined => s.ues.find((u) => u.supi === supi);

beforeAll(async () => {
  const cfg = testConfig(12);
  writeFileSync(join(dir, 'net.yaml'), stringify({ addresses: cfg.addresses, udr: { database: db } }));
  up = spawn(process.execPath, [BIN, 'up', '--config', join(dir, 'net.yaml'), '--out', out, '--ues', '1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  upExit = new Promise((resolve) => up.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      upOutput += b.toString();
      if (upOutput.includes('\nready: ')) resolve();
    };
    up.stdout!.on('data', onData);
    up.stderr!.on('data', (b: Buffer) => (upOutput += b.toString()));
    void upExit.then((c) => reject(new Error(`wire5g up exited with ${c}:\n${upOutput}`)));
  });
}, 120_000);

afterAll(async () => {
  if (up && up.exitCode === null) {
    up.kill('SIGINT');
    await upExit;
  }
});

describe('wire5g up + wire5g ctl (the real binary, real sockets)', () => {
  it('brings the network up with UE 1 registered and a PDU session; status shows RM/CM state, GUTI, PSI, DNN, S-NSSAI, address and TEIDs', async () => {
    expect(upOutput).toMatch(/1\/1 UE\(s\) registered with a PDU session/);
    const s = await status();
    const u = ueIn(s, UE1)!;
    expect(u).toMatchObject({ rmState: 'RM-REGISTERED', cmState: 'CM-CONNECTED', gmmState: '5GMM-REGISTERED' });
    expect(u.guti).toMatch(/^5g-guti-00101[0-9a-f]{14}$/);
    expect(u.sessions).toHaveLength(1);
    expect(u.sessions[0]).toMatchObject({ psi: 1, dnn: 'internet', snssai: { sst: 1 } });
    expect(u.sessions[0].address).toMatch(/^10\.45\./);
    expect(u.sessions[0].teids.ul).toBeGreaterThan(0);
    expect(u.sessions[0].teids.dl).toBeGreaterThan(0);
    expect(s.nfs.map((n) => n.name)).toEqual(['NRF', 'NSSF', 'UDR', 'UDM', 'AUSF', 'PCF', 'UPF', 'SMF', 'AMF', 'BSF', 'CHF', 'NWDAF', 'AF']);
    expect(s.ledgers.SMF['SM contexts']).toBe(1);
    expect(s.ledgers.AMF['registered UEs (by SUPI)']).toBe(1);
  });

  it('the capture is readable while the network runs (tshark reads the NGAP so far)', async () => {
    if (!tsharkAvailable()) return;
    await new Promise((r) => setTimeout(r, 400)); // one flush period
    const r = await new Promise<{ code: number; stdout: string }>((resolve) => execFile('tshark', ['-r', join(out, 'run.pcapng'), '-Y', 'ngap', '-T', 'fields', '-e', 'ngap.procedureCode'], (e, stdout) => resolve({ code: e ? 1 : 0, stdout })));
    expect(r.code).toBe(0);
    // NG Setup (21), Initial UE Message (15), Initial Context Setup (14), PDU Session Resource Setup (29)
    for (const code of ['21', '15', '14', '29']) expect(r.stdout.split('\n')).toContain(code);
  });

  it('the control API refuses a request without the token, with a wrong one, and from a browser origin; the token file is 0600', async () => {
    const file = join(out, 'control.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { url, token } = JSON.parse(readFileSync(file, 'utf8')) as { url: string; token: string };
    const post = (headers: Record<string, string>) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${url}/v1/command`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ command: 'status' }));
    });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: `Bearer ${'0'.repeat(64)}` })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${token}`, origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ authorization: `Bearer ${token}` })).status).toBe(200);
    // one running network per out directory
    const second = await wire5g(['up', '--out', out, '--ues', '0']);
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(new RegExp(`^wire5g up: another wire5g up is running \\(pid ${up.pid}, .*out directory ${out}.*stop it with 'wire5g ctl --out ${out} down'`));
  });

  it('run and run --scenario on the out directory of the running network are refused with one line naming it, touching nothing', async () => {
    // other addresses: the out directory alone is what collides
    const other = join(dir, 'other.yaml');
    writeFileSync(other, stringify({ addresses: testConfig(55).addresses, udr: { database: join(dir, 'other.sqlite') } }));
    const before = readdirSync(out).sort();
    for (const args of [['run'], ['run', '--scenario', 'default']]) {
      const r = await wire5g([...args, '--config', other, '--out', out]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^wire5g run: another wire5g up is running \\(pid ${up.pid}, .*; stop it with 'wire5g ctl --out ${out} down'`))]);
      expect(r.stdout).toBe('');
    }
    expect(readdirSync(out).sort()).toEqual(before);
  });

  it('refuses commands for an unknown SUPI or a UE in the wrong state with one line, doing nothing', async () => {
    const before = (await status()).ledgers;
    const unknown = await wire5g(['ctl', '--out', out, 'ue', 'imsi-001010000000099', 'register']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^wire5g ctl ue imsi-001010000000099 register: unknown UE imsi-001010000000099/)]);
    const again = await wire5g(['ctl', '--out', out, 'ue', UE1, 'register']);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toMatch(/^wire5g ctl ue imsi-001010000000001 register: imsi-001010000000001 is 5GMM-REGISTERED: registration needs 5GMM-DEREGISTERED$/);
    const noSession = await wire5g(['ctl', '--out', out, 'ue', UE1, 'pdu', 'release', '7']);
    expect(noSession.code).toBe(1);
    expect(noSession.stderr.trim()).toBe(`wire5g ctl ue ${UE1} pdu release: ${UE1} has no PDU session 7`);
    const usage = await wire5g(['ctl', '--out', out, 'ue', UE1, 'deregister']);
    expect(usage.code).toBe(2); // judged before anything is sent
    expect(usage.stderr.trim()).toBe(`wire5g ctl ue ${UE1} deregister: deregister needs exactly one of --switch-off and --normal (see 'wire5g ctl ue ${UE1} deregister --help')`);
    const notInUdr = await wire5g(['ctl', '--out', out, 'ue', 'imsi-001010000000077', 'add']);
    expect(notInUdr.code).toBe(1);
    expect(notInUdr.stderr).toMatch(/no subscriber imsi-001010000000077 in the UDR/);
    expect((await status()).ledgers).toEqual(before);
  });

  it('ctl dump writes ladder.md and summary.json of the network as it is now', async () => {
    const r = await ctl('dump');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { running?: boolean; procedures: { name: string }[]; ledgers: { after: Record<string, unknown> } };
    expect(summary.running).toBe(true);
    expect(summary.procedures.map((p) => p.name)).toEqual(expect.arrayContaining(['NG Setup', 'Registration', 'PDU Session Establishment']));
    expect(summary.ledgers.after.SMF).toMatchObject({ 'SM contexts': 1 });
    expect(readFileSync(join(out, 'ladder.md'), 'utf8')).toContain('sequenceDiagram');
  });

  it('adds a UDR subscriber as UE 2, registers it, establishes two PDU sessions, releases one, pings', async () => {
    const added = await wire5g(['subscriber', 'add', '--db', db, '--supi', UE2]);
    expect(added.code, added.stderr).toBe(0);
    const add = await ctl('ue', UE2, 'add');
    expect(add.code, add.stderr).toBe(0);
    expect(ueIn(await status(), UE2)).toMatchObject({ rmState: 'RM-DEREGISTERED', cmState: 'CM-IDLE', sessions: [] });

    const reg = await ctl('ue', UE2, 'register');
    expect(reg.code, reg.stderr).toBe(0);
    expect(reg.reply.ladder.join('\n')).toMatch(/UE {3}-> AMF {2}NAS Registration request {2}\[4\.2\.2\.2\.2 step 1\]/);
    expect(reg.reply.ladder.some((l) => l.includes('Registration complete'))).toBe(true);
    let u2 = ueIn(await status(), UE2)!;
    expect(u2).toMatchObject({ rmState: 'RM-REGISTERED', cmState: 'CM-CONNECTED' });
    expect(u2.guti).not.toBe(ueIn(await status(), UE1)!.guti);

    const p1 = await ctl('ue', UE2, 'pdu', 'establish');
    expect(p1.code, p1.stderr).toBe(0);
    expect(p1.reply.result).toMatchObject({ psi: 1 });
    const p2 = await ctl('ue', UE2, 'pdu', 'establish', '--dnn', 'internet', '--sst', '1');
    expect(p2.code, p2.stderr).toBe(0);
    expect(p2.reply.result).toMatchObject({ psi: 2 });
    const withTwo = await status();
    expect(ueIn(withTwo, UE2)!.sessions.map((p) => p.psi)).toEqual([1, 2]);
    expect(withTwo.ledgers.SMF['SM contexts']).toBe(3);

    const rel = await ctl('ue', UE2, 'pdu', 'release', '2');
    expect(rel.code, rel.stderr).toBe(0);
    const ladder = rel.reply.ladder.join('\n');
    for (const step of ['4.3.4.2 step 1a', '4.3.4.2 step 2a', '4.3.4.2 step 4', '4.3.4.2 step 7', '4.3.4.2 step 8', '4.3.4.2 step 10', '4.3.4.2 step 11', '4.3.4.2 step 12', '4.3.4.2 step 13']) expect(ladder).toContain(step);
    expect(ladder).toMatch(/gNB {2}-> AMF {2}NGAP PDUSessionResourceReleaseResponse/);
    expect(ladder).not.toContain(UE1);
    const afterRelease = await status();
    u2 = ueIn(afterRelease, UE2)!;
    expect(u2.sessions.map((p) => p.psi)).toEqual([1]);
    expect(afterRelease.ledgers.SMF['SM contexts']).toBe(2);
    expect(afterRelease.ledgers.UPF['sessions (SEIDs)']).toBe(withTwo.ledgers.UPF['sessions (SEIDs)'] - 1);
    expect(afterRelease.ledgers.SMF['UE addresses']).toBe(withTwo.ledgers.SMF['UE addresses'] - 1);
    expect(afterRelease.ledgers.SMF['SM policy associations']).toBe(withTwo.ledgers.SMF['SM policy associations'] - 1);
    expect(afterRelease.ledgers.AMF['PDU sessions']).toBe(withTwo.ledgers.AMF['PDU sessions'] - 1);
    expect(afterRelease.ledgers.gNB['N3 DL TEIDs']).toBe(withTwo.ledgers.gNB['N3 DL TEIDs'] - 1);

    const ping = await ctl('ue', UE2, 'ping', '--count', '2');
    expect(ping.code, ping.stderr).toBe(0);
    expect((ping.reply.result as { rttsMs: number[] }).rttsMs).toHaveLength(2);
  });

  it('deregisters UE 2 (normal) while UE 1 keeps pinging, then UE 1 (switch off); ctl down: every ledger back at its start', async () => {
    const pinging = ctl('ue', UE1, 'ping', '--count', '400', '--interval', '30');
    // the ping is under way once status says so (a ctl process takes its time to start on a busy machine)
    // (asked of the control API directly: a ctl process per poll would eat the ping's time)
    const busyNow = async () => ueIn((await callControl(readEndpoint(out), { command: 'status' })).reply.result as NetworkStatus, UE1)?.busy;
    for (let i = 0; i < 400 && (await busyNow()) !== 'ping'; i++) await new Promise((r) => setTimeout(r, 25));
    const busy = await wire5g(['ctl', '--out', out, 'ue', UE1, 'deregister', '--switch-off']);
    expect(busy.code).toBe(1);
    expect(busy.stderr.trim()).toMatch(new RegExp(`^wire5g ctl ue ${UE1} [a-z ]+: ${UE1} is busy with 'ping'$`));
    const normal = await ctl('ue', UE2, 'deregister', '--normal');
    expect(normal.code, normal.stderr).toBe(0);
    expect(normal.reply.ladder.join('\n')).toContain('Deregistration accept (UE originating)');
    const mid = (await callControl(readEndpoint(out), { command: 'status' })).reply.result as NetworkStatus;
    expect(ueIn(mid, UE2)).toMatchObject({ rmState: 'RM-DEREGISTERED', cmState: 'CM-IDLE', sessions: [] });
    expect(ueIn(mid, UE1)).toMatchObject({ rmState: 'RM-REGISTERED', busy: 'ping' });
    const p = await pinging;
    expect(p.code, p.stderr).toBe(0);
    expect((p.reply.result as { rttsMs: number[] }).rttsMs).toHaveLength(400);

    const off = await ctl('ue', UE1, 'deregister', '--switch-off');
    expect(off.code, off.stderr).toBe(0);
    expect(off.reply.ladder.join('\n')).toContain('UEContextReleaseCommand  [4.2.2.3.2 step 8]');
    const end = await status();
    expect(end.ues.every((u) => u.rmState === 'RM-DEREGISTERED' && u.cmState === 'CM-IDLE')).toBe(true);
    expect(end.ledgers).toEqual(end.ledgersAtStart);

    const down = await ctl('down');
    expect(down.code, down.stderr).toBe(0);
    expect(down.reply.result).toMatchObject({ ok: true, leftBehind: {} });
    expect(await upExit).toBe(0);
    expect(existsSync(join(out, 'control.json'))).toBe(false);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { procedures: { name: string; outcome: string }[] };
    expect(summary.procedures.filter((x) => x.outcome !== 'success')).toEqual([]);
    expect(summary.procedures.map((x) => x.name)).toContain('UE-requested PDU Session Release');
    expect(readFileSync(join(out, 'ladder.md'), 'utf8')).toContain('PDUSessionResourceReleaseCommand');
    const gone = await wire5g(['ctl', '--out', out, 'status']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/no running network/);
  });

  it('Ctrl-C stops it the same way: the UE still registered switches off, outputs written, exit 0', async () => {
    const out2 = join(dir, 'out2');
    const p = spawn(process.execPath, [BIN, 'up', '--config', join(dir, 'net.yaml'), '--out', out2, '--ues', '1', '--no-pdu'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));
    let text = '';
    await new Promise<void>((resolve, reject) => {
      p.stdout.on('data', (b: Buffer) => {
        text += b.toString();
        if (text.includes('\nready: ')) resolve();
      });
      p.stderr.on('data', (b: Buffer) => (text += b.toString()));
      void exit.then((c) => reject(new Error(`exited with ${c}: ${text}`)));
    });
    p.kill('SIGINT');
    expect(await exit, text).toBe(0);
    expect(text).toContain('every NF ledger is back where it started');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^OK: 1 UE\(s\), 3 procedures succeeded$/);
    const summary = JSON.parse(readFileSync(join(out2, 'summary.json'), 'utf8')) as { procedures: { name: string; outcome: string }[] };
    expect(summary.procedures.map((x) => `${x.name} ${x.outcome}`)).toEqual(['NG Setup success', 'Registration success', 'UE-initiated Deregistration (switch off) success']);
    expect(existsSync(join(out2, 'control.json'))).toBe(false);
  });
});
