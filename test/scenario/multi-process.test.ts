// The default scenario with every core NF in its own process (`wire5g start <nf> --config FILE`)
// and the gNB and UE in this one (`runScenario` with externalCore): the NFs find each other only
// through the addresses of the shared YAML configuration, as separate machines would.

import { describe, it, expect } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { runScenario } from '../../nodes/scenario.ts';
import { loadConfig } from '../../nodes/common/config.ts';
import { testConfig } from '../helpers/network.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function startNfProcess(nf: string, configFile: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'start', nf, '--config', configFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
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
  it('registers, establishes a PDU session, pings and deregisters across seven NF processes; each stops with an empty ledger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-mp-'));
    const cfg = testConfig(4);
    const { addresses, udr } = cfg;
    const file = join(dir, 'network.yaml');
    writeFileSync(file, stringify({ addresses, udr, outDir: dir }));
    expect(loadConfig(file).addresses.amf).toBe('127.0.4.5');
    const procs: { child: ChildProcess; output: () => string }[] = [];
    try {
      // data and user plane first, then the NFs that talk to them at start (the SMF sets up PFCP)
      procs.push(...(await Promise.all(['udr', 'udm', 'ausf', 'pcf', 'upf'].map((nf) => startNfProcess(nf, file)))));
      procs.push(await startNfProcess('smf', file));
      procs.push(await startNfProcess('amf', file));
      const r = await runScenario(loadConfig(file), { outDir: dir, externalCore: true, capture: false, deregistration: 'normal' });
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
      for (const [k, v] of Object.entries(ledger)) if (k !== 'PFCP associations' && k !== 'NG associations' && k !== 'subscribers') expect(`${k}=${v}`).toBe(`${k}=0`);
    }
  }, 60_000);
});
