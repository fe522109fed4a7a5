// `wire5g subscriber update` against a running network (issue 16, TS 23.502 4.16.6 case A, policy
// data change): the real bin/wire5g.js writes the database, finds the network of --out serving
// it, and has its UDR notify the PCF (Nudr_DM_Notify, `ctl udr notify`); the PCF terminates the
// PDU session on the DNN the subscriber may no longer use (cause UE_SUBSCRIPTION), and the
// command prints the ladder and what was terminated. `--mk` sets a Monitoring Key's allowance,
// which a later `--dnn` keeps.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// the command table as `wire5g up` has it (index.ts registers every command, udr notify among them)
import { LiveNetwork, serveControl } from '../../nodes/control/index.ts';
import { testConfig } from '../helpers/network.ts';
import { wire5g } from '../helpers/wire5g.ts';

describe('wire5g subscriber update on a running network', () => {
  it('the DNN withdrawn: Nudr_DM_Notify, the PCF terminates the session (4.16.6 case A), every ledger back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-subupd-'));
    const db = join(dir, 'udr.sqlite');
    const cfg = testConfig(253);
    const net = await LiveNetwork.start({ ...cfg, ue: { ...cfg.ue, count: 1 } }, { outDir: dir, database: db, capture: false });
    const server = await serveControl(net, { outDir: dir });
    try {
      const [supi] = net.addConfiguredUes();
      await net.register(supi);
      await net.establishPduSession(supi);
      const mk = await wire5g(['subscriber', 'update', supi, '--mk', 'icmp=5000', '--db', db, '--out', dir]);
      expect(mk.code, mk.stderr).toBe(0);
      expect(mk.stdout).toMatch(/mk: none -> icmp=5000/);
      expect(mk.stdout).toMatch(/1 notification\(s\) to the PCF$/m); // nothing to terminate
      expect(net.ueOf(supi).sessions.size).toBe(1);
      const r = await wire5g(['subscriber', 'update', supi, '--dnn', 'ims', '--db', db, '--out', dir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/dnn: internet -> ims/);
      expect(r.stdout).toMatch(/Nudr_DM_Notify/);
      expect(r.stdout).toMatch(/Npcf_SMPolicyControl_UpdateNotify +\[4\.16\.6 step 1\]/);
      expect(r.stdout).toMatch(/PDU session\(s\) 1 terminated \(TS 23\.502 4\.16\.6\)/);
      expect(net.ueOf(supi).sessions.size).toBe(0);
      expect(net.core!.pcf.smPolicies.size).toBe(0);
      expect(net.core!.store.monitoringKeyUsageOf(supi).map((m) => [m.dnn, m.key, m.remainingOctets])).toEqual([['ims', 'icmp', 5000]]);
      const bad = await wire5g(['subscriber', 'update', supi, '--mk', 'icmp', '--db', db, '--out', dir]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/--mk: expected KEY=OCTETS/);
    } finally {
      await server.close();
      const s = await net.stop({ deregisterRemaining: true });
      expect(s.leftBehind).toEqual({});
    }
  }, 120_000);
});
