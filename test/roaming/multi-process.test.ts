// Home-routed roaming (issue 17) with every NF of both PLMNs and both SEPPs in its own process
// (`wire5g start <nf> [--plmn home]`, `wire5g start sepp --plmn home|visited`) and the gNB and
// the roaming UE in this one (LiveNetwork with externalCore): the NFs find each other only through
// the shared YAML configuration, the two PLMNs only through the SEPPs' N32 (TLS) between processes.
// A roaming UE registers (authenticated by the home AUSF/UDM), establishes a home-routed session
// (V-SMF -> N16 -> H-SMF, N9 between the V-UPF and H-UPF processes), pings over it, releases it
// (4.3.4.3 step 1a), establishes another and deregisters (step 1c). The V-SMF's and the H-SMF's
// own ladders (--ladder) show the N16 steps in order; every process stops with its ledger at zero.

import { describe, it, expect } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { LiveNetwork } from '../../nodes/control/live-network.ts';
import { loadConfig } from '../../nodes/common/config.ts';
import { roamingTestConfig } from '../helpers/roaming-network.ts';
import { inOrder } from '../helpers/steps.ts';
import { bin } from '../helpers/wire5g.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SUPI = 'imsi-208930000000401';

interface NfProcess { name: string; child: ChildProcess; output: () => string }

function startNfProcess(nf: string, side: 'visited' | 'home', configFile: string, ladder = false): Promise<NfProcess> {
  const name = nf === 'sepp' ? (side === 'home' ? 'hsepp' : 'vsepp') : side === 'home' ? `h-${nf}` : nf;
  const child = spawn(process.execPath, [bin, 'start', nf, '--config', configFile, '--plmn', side, ...(ladder ? ['--ladder'] : [])], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out}`)), 30_000);
    child.stdout!.on('data', () => {
      if (out.includes(`wire5g ${name} ready`)) {
        clearTimeout(timer);
        resolve({ name, child, output: () => out });
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${out}`)));
  });
}

describe('home-routed roaming with every NF and SEPP in its own process', () => {
  it('a roaming UE registers, pings over N9, releases (1a) and deregisters (1c) across 25 processes; each stops with an empty ledger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-hr-mp-'));
    const cfg = roamingTestConfig(224, [SUPI]);
    const file = join(dir, 'network.yaml');
    const { addresses, udr, roaming } = cfg;
    writeFileSync(file, stringify({ addresses, udr, outDir: dir, roaming: { ...roaming, home: { ...roaming.home, subscribers: [{ supi: SUPI }] } } }));
    expect(loadConfig(file).roaming.home.addresses.smf).toBe('127.0.225.4');
    const procs: NfProcess[] = [];
    const wave = async (nfs: string[], side: 'visited' | 'home', ladder = false) => procs.push(...(await Promise.all(nfs.map((nf) => startNfProcess(nf, side, file, ladder)))));
    let net: LiveNetwork | undefined;
    try {
      // a few start-ups at a time: many at once outlast the timer on a loaded machine
      await wave(['udr', 'udm', 'ausf', 'pcf', 'upf'], 'home');
      await wave(['udr', 'udm', 'ausf', 'pcf', 'upf'], 'visited');
      await wave(['nrf', 'nssf', 'bsf', 'chf', 'nwdaf'], 'visited');
      await wave(['bsf', 'chf', 'nwdaf', 'af'], 'home');
      await wave(['af'], 'visited');
      await wave(['smf'], 'home', true);
      await wave(['smf'], 'visited', true);
      // the vSEPP, started first, tries its N32-c handshake again until the hSEPP serves
      const vsepp = startNfProcess('sepp', 'visited', file);
      await wave(['sepp'], 'home');
      procs.push(await vsepp);
      await wave(['amf'], 'visited');
      net = await LiveNetwork.start(loadConfig(file), { outDir: dir, externalCore: true, coreWaitMs: 30_000, capture: false });
      net.add(SUPI);
      await net.register(SUPI);
      const s = await net.establishPduSession(SUPI, { psi: 1 });
      expect(s.address.startsWith('10.46.')).toBe(true); // the H-SMF's pool (roaming.home.uePool)
      expect((await net.ping(SUPI, { count: 2 })).rttsMs).toHaveLength(2); // UE -> gNB -> V-UPF -> N9 -> H-UPF and back
      await net.releasePduSession(SUPI, 1);
      expect(net.ueOf(SUPI).sessions.size).toBe(0);
      await net.establishPduSession(SUPI, { psi: 2 });
      // the operator's triggers reach into an embedded core; here the H-SMF is another process: one clear refusal
      await expect(net.hsmfRelease(SUPI, 2)).rejects.toThrow(/^the H-SMF runs in another process \(wire5g start smf --plmn home\): ctl smf release --plmn home needs the embedded core/);
      await net.deregister(SUPI, { switchOff: true });
      const r = await net.stop();
      net = undefined;
      expect(r.leftBehind).toEqual({});
    } finally {
      await net?.stop();
      await Promise.all(procs.map((p) => new Promise<void>((resolve) => {
        p.child.once('exit', () => resolve());
        p.child.kill('SIGTERM');
      })));
    }
    const ladder = (name: string) => procs.find((p) => p.name === name)!.output().split('\n').map((l) => l.replace(/\s+/g, ' '));
    // the V-SMF's ladder (its own process): 4.3.4.3 step 1a, then 1c
    inOrder(ladder('smf'), ['SMF -> H-SMF HTTP/2 Nsmf_PDUSession_Create [4.3.2.2.2 step 6]', '(uplink drop) [4.3.4.3 step 1a]', 'SMF -> H-SMF HTTP/2 Nsmf_PDUSession_Update [4.3.4.3 step 1a]', 'Nsmf_PDUSession_SMContextStatusNotify [4.3.4.3 step 8]', '(uplink drop) [4.3.4.3 step 1c]', 'SMF -> H-SMF HTTP/2 Nsmf_PDUSession_Release [4.3.4.3 step 1c]']);
    // the H-SMF's: the H-UPF released (step 2), the command to the V-SMF (3a), the policy association ended (step 6); then 1c
    inOrder(ladder('h-smf'), ['H-UPF PFCP Session Deletion Request [4.3.4.3 step 2]', 'H-SMF -> SMF HTTP/2 Nsmf_PDUSession_Update [4.3.4.3 step 3a]', 'Npcf_SMPolicyControl_Delete', 'H-UPF PFCP Session Deletion Request [4.3.4.3 step 2]', 'Npcf_SMPolicyControl_Delete [4.3.4.3 step 6]']);
    // each process prints its ledger as it stops: nothing held for the UE any more
    for (const p of procs) {
      const line = /stopping; ledger (\{.*\})/.exec(p.output());
      expect(line, `${p.name}: ${p.output()}`).not.toBeNull();
      const ledger = JSON.parse(line![1]) as Record<string, number>;
      for (const [k, v] of Object.entries(ledger)) if (!['PFCP associations', 'NG associations', 'subscribers', 'NF instances', 'N32-f contexts'].includes(k)) expect(`${p.name} ${k}=${v}`).toBe(`${p.name} ${k}=0`);
    }
  }, 120_000);
});
