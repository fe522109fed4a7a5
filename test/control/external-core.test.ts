// `wire5g up --external-core`: the LiveNetwork runs only the gNB and the UEs; the core runs apart
// (here started beside it with startCore, as `wire5g start <nf>` processes would be), reached
// through the configured addresses alone. A UE is added from the UDR's SQLite file, which the
// control plane reads directly since the UDR is not in its process.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
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
});
