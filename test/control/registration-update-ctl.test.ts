// `wire5g ctl ue <supi> an-release` and `ue <supi> update` through the control table on a running
// network: the UE goes idle and stays registered, its periodic update comes from idle on a new NG
// connection and keeps its 5G-GUTI, and nothing is left behind when the network stops.
import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveNetwork } from '../../nodes/control/live-network.ts';
import { findCommand } from '../../nodes/control/commands.ts';
import '../../nodes/control/index.ts';
import { testConfig } from '../helpers/network.ts';

describe('ctl ue an-release / update (TS 23.502 4.2.6, TS 24.501 5.5.1.3)', () => {
  it('idle, still registered; the periodic update from idle keeps the 5G-GUTI; the network stops clean', async () => {
    const net = await LiveNetwork.start(testConfig(129), { outDir: mkdtempSync(join(tmpdir(), 'wire5g-upd-')), database: ':memory:', capture: false });
    try {
      const [supi] = net.addConfiguredUes();
      const reg = await net.register(supi);
      const run = (key: string, options: Record<string, unknown> = {}) => findCommand(key)!.run(net, { supi, params: { supi }, options } as never);
      await run('ue an-release');
      let ue = net.status().ues[0];
      expect([ue.rmState, ue.cmState]).toEqual(['RM-REGISTERED', 'CM-IDLE']);
      await expect(run('ue an-release')).rejects.toThrow(/CM-IDLE/);
      expect(await run('ue update', { type: 'periodic' })).toEqual({ guti: reg.guti });
      // the update from idle is followed by the AMF's release (TS 24.501 5.5.1.3.4, no follow-on request)
      ue = net.status().ues[0];
      expect([ue.rmState, ue.cmState]).toEqual(['RM-REGISTERED', 'CM-IDLE']);
      const mobility = (await run('ue update', { type: 'mobility' })) as { guti: string };
      expect(mobility.guti).not.toBe(reg.guti);
    } finally {
      const r = await net.stop();
      expect(r.leftBehind).toEqual({});
      expect(r.ok).toBe(true);
    }
  });
});
