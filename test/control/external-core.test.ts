// `wire5g up --external-core`: the LiveNetwork runs only the gNB and the UEs; the core runs apart
// (here started beside it with startCore, as `wire5g start <nf>` processes would be), reached
// through the configured addresses alone. A UE is added from the UDR's SQLite file, which the
// control plane reads directly since the UDR is not in its process.

import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { startWire5g, wire5g, lastLine } from '../helpers/wire5g.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCore } from '../../nodes/core.ts';
import { UdrStore } from '../../nodes/udr/store.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { LiveNetwork, ControlError } from '../../nodes/control/index.ts';
import { testConfig } from '../helpers/network.ts';

describe('LiveNetwork with an external core', () => {
  it('adds a subscriber from the UDR file, registers, pings, releases and deregisters; the core ledgers return', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-ext-'));
    const cfg = testConfig(14);
    cfg.udr.database = join(dir, 'udr.sqlite');
    cfg.ue.count = 0;
    const core = await startCore(cfg, { database: cfg.udr.database });
    const supi = 'imsi-001010000000042';
    const store = new UdrStore(cfg.udr.database);
    store.upsert({ ...DEFAULT_SUBSCRIBER, supi });
    store.close();
    const net = await LiveNetwork.start(cfg, { outDir: join(dir, 'out'), externalCore: true, capture: false });
    const before = core.ledgers();
    try {
      expect(() => net.add('imsi-001010000000043')).toThrow(ControlError);
      net.add(supi);
      const status = net.status();
      expect(status.externalCore).toBe(true);
      expect(status.nfs.every((n) => n.ledger === undefined)).toBe(true);
      await net.register(supi);
      const { psi } = await net.establishPduSession(supi);
      expect((await net.ping(supi, { count: 2 })).rttsMs).toHaveLength(2);
      await net.releasePduSession(supi, psi);
      expect(net.status().ues[0].sessions).toEqual([]);
      await net.deregister(supi, { switchOff: false });
      for (let i = 0; i < 3; i++) await core.settled();
      expect(core.ledgers()).toEqual(before);
      const r = await net.stop();
      expect(r.ok, JSON.stringify(r.leftBehind)).toBe(true);
    } finally {
      await net.stop();
      await core.stop();
    }
  });

  it('wire5g up --external-core (the real binary): waits for the core, serves ctl; ctl down ends with the gNB ledger back and the core ledgers back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-upext-'));
    const cfg = testConfig(58);
    cfg.udr.database = join(dir, 'udr.sqlite');
    const config = join(dir, 'net.yaml');
    writeFileSync(config, stringify({ addresses: cfg.addresses, udr: { database: cfg.udr.database } }));
    const out = join(dir, 'out');
    // `up` first: it waits for a core that is not there yet (as README's recipe pasted at once)
    const up = startWire5g(['up', '--external-core', '--config', config, '--out', out, '--ues', '1']);
    let core: Awaited<ReturnType<typeof startCore>> | undefined;
    try {
      for (let i = 0; i < 600 && !up.stderr().includes('waiting for the core'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(up.stderr()).toContain('wire5g up: waiting for the core');
      core = await startCore(cfg, { database: cfg.udr.database });
      for (let i = 0; i < 1200 && !up.stdout().includes('\nready: '); i++) await new Promise((r) => setTimeout(r, 50));
      expect(up.stdout(), up.stderr()).toContain('1/1 UE(s) registered with a PDU session');
      const before = core.ledgers();
      const status = await wire5g(['ctl', '--out', out, 'status', '--json']);
      expect(status.code, status.stderr).toBe(0);
      const s = (JSON.parse(status.stdout) as { result: { externalCore: boolean; ues: { rmState: string }[] } }).result;
      expect(s.externalCore).toBe(true);
      expect(s.ues.map((u) => u.rmState)).toEqual(['RM-REGISTERED']);
      const ping = await wire5g(['ctl', '--out', out, 'ue', 'imsi-001010000000001', 'ping', '--count', '2']);
      expect(ping.code, ping.stderr).toBe(0);
      const down = await wire5g(['ctl', '--out', out, 'down']);
      expect(down.code, down.stdout + down.stderr).toBe(0);
      const r = await up.done;
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain("the gNB's ledger is back where it started (the core NFs run elsewhere");
      expect(lastLine(r.stdout)).toMatch(/^OK: 1 UE\(s\)/);
      for (let i = 0; i < 3; i++) await core.settled();
      // the UE held a session at `before`; once switched off, the core holds nothing for it
      expect(core.ledgers().AMF).toMatchObject({ 'UE contexts': 0 });
      expect(core.ledgers().SMF).toMatchObject({ 'SM contexts': 0 });
      expect(before.SMF).toMatchObject({ 'SM contexts': 1 });
    } finally {
      if (up.child.exitCode === null) up.child.kill('SIGINT');
      await up.done;
      await core?.stop();
    }
  }, 120_000);
});
