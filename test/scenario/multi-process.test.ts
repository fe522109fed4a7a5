// The default scenario with every core NF in its own process (`wire5g start <nf> --config FILE`)
// and the gNB and UE in this one (`runScenario` with externalCore): the NFs find each other only
// through the addresses of the shared YAML configuration, as separate machines would.

import { describe, it, expect } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { FileSink } from '../../transport/capture/pcapng.ts';
import { mergeCaptures } from '../../transport/capture/merge.ts';
import { dissect, problems, field, tsharkAvailable } from '../helpers/tshark.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { runScenario } from '../../nodes/scenario.ts';
import { loadConfig } from '../../nodes/common/config.ts';
import { testConfig } from '../helpers/network.ts';
import { bin } from '../helpers/wire5g.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function startNfProcess(nf: string, configFile: string, capture: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [bin, 'start', nf, '--config', configFile, '--capture', capture], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${nf} did not start: ${out}`)), 20_000);
    child.stdout!.on('data', () => {
      if (out.includes(`wire5g ${nf} ready`)) {
        clearTimeout(timer);
        resolve({ child, output: () => out });
      }
    });
    child.once('exit', (code) => reject(new Error(`${nf} exited with ${code}: ${out}`)));
  });
}

describe('default scenario with every NF in its own process', () => {
  it('registers, establishes a PDU session, pings and deregisters across thirteen NF processes (the NRF and NSSF too); each stops with an empty ledger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-mp-'));
    const cfg = testConfig(4);
    const { addresses, udr } = cfg;
    const file = join(dir, 'network.yaml');
    writeFileSync(file, stringify({ addresses, udr, outDir: dir }));
    expect(loadConfig(file).addresses.amf).toBe('127.0.4.5');
    const procs: { child: ChildProcess; output: () => string }[] = [];
    try {
      // data and user plane first, then the NFs that talk to them at start (the SMF sets up PFCP)
      procs.push(...(await Promise.all(['udr', 'udm', 'ausf', 'pcf', 'upf'].map((nf) => startNfProcess(nf, file, join(dir, `${nf}.pcapng`))))));
      // the NFs around the PCF (issue 16), in a second wave: nine start-ups at once outlast the timer on a loaded machine
      // the NRF and the NSSF (issue 18) come up after NFs that register with it: they try again until it answers
      procs.push(...(await Promise.all(['nrf', 'nssf'].map((nf) => startNfProcess(nf, file, join(dir, `${nf}.pcapng`))))));
      procs.push(...(await Promise.all(['bsf', 'chf', 'nwdaf', 'af'].map((nf) => startNfProcess(nf, file, join(dir, `${nf}.pcapng`))))));
      procs.push(await startNfProcess('smf', file, join(dir, 'smf.pcapng')));
      procs.push(await startNfProcess('amf', file, join(dir, 'amf.pcapng')));
      const r = await runScenario(loadConfig(file), { outDir: dir, externalCore: true, deregistration: 'normal' });
      expect(r.ues[0].error).toBeUndefined();
      expect(r.ok).toBe(true);
      expect(r.ues[0].address).toBe('10.45.0.1');
      expect(r.ues[0].deregistration).toBe('accepted');
    } finally {
      const stopped = procs.map((p) => new Promise<void>((resolve) => {
        p.child.once('exit', () => resolve());
        p.child.kill('SIGTERM');
      }));
      await Promise.all(stopped);
    }
    // each NF prints its ledger as it stops: nothing held for the UE any more
    for (const p of procs) {
      const line = /stopping; ledger (\{.*\})/.exec(p.output());
      expect(line, p.output()).not.toBeNull();
      const ledger = JSON.parse(line![1]) as Record<string, number>;
      // the NRF's 'NF instances': the NFs, stopped all at once, deregister before or after it stops
      for (const [k, v] of Object.entries(ledger)) if (k !== 'PFCP associations' && k !== 'NG associations' && k !== 'subscribers' && k !== 'NF instances') expect(`${k}=${v}`).toBe(`${k}=0`);
    }

    // One capture of the whole network: the NFs' captures and the gNB side's, merged by time
    // (wire5g capture merge), each datagram once; tshark reads NGAP, NAS, SBI, PFCP and GTP-U in it.
    const merged = join(dir, 'network.pcapng');
    const inputs = ['nrf', 'nssf', 'udr', 'udm', 'ausf', 'pcf', 'upf', 'smf', 'amf', 'bsf', 'chf', 'nwdaf', 'af', 'run'].map((n) => join(dir, `${n}.pcapng`));
    const sink = new FileSink(merged);
    const m = mergeCaptures(inputs.map((f) => new Uint8Array(readFileSync(f))), sink.write);
    sink.close();
    expect(m.duplicates).toBeGreaterThan(0);
    if (!tsharkAvailable()) return;
    expect(execFileSync('capinfos', ['-o', merged], { encoding: 'utf8' })).toMatch(/Strict time order:\s+True/);
    const frames = dissect(merged, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    const protocols = new Set(frames.flatMap((f) => f.protocols));
    for (const p of ['ngap', 'nas-5gs', 'http2', 'pfcp', 'gtp']) expect(protocols, p).toContain(p);
    // each PFCP message once: (direction, sequence number, type) never repeats
    const pfcp = frames.filter((f) => f.fields.has('pfcp.msg_type')).map((f) => `${field(f, 'ip.src')}>${field(f, 'ip.dst')} ${field(f, 'pfcp.seqno')} ${field(f, 'pfcp.msg_type')}`);
    expect(pfcp.length).toBeGreaterThanOrEqual(8);
    expect(new Set(pfcp).size).toBe(pfcp.length);
    // the SBI of every NF process is in it: requests to UDR, UDM, AUSF, PCF, SMF and AMF
    const servers = new Set(frames.filter((f) => f.fields.has('http2.headers.method')).map((f) => field(f, 'ip.dst')));
    for (const nf of ['udr', 'udm', 'ausf', 'pcf', 'smf', 'amf'] as const) expect(servers, nf).toContain(addresses[nf]);
  }, 90_000);
});
