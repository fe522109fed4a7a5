// `wire5g subscriber remove` against a running network (issue 15, TS 23.502 4.2.2.3.3 step 1): the
// real bin/wire5g.js finds the network of --out, sees that its UDR uses the database named, and
// has it remove the subscriber through the UDM: Nudm_UECM_DeregistrationNotification
// (SUBSCRIPTION_WITHDRAWN) to the AMF, network-initiated deregistration with the PDU session
// released, then the UDR deletes the subscriber. A database the network does not use is changed
// directly, as before.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveNetwork } from '../../nodes/control/live-network.ts';
import { serveControl } from '../../nodes/control/api.ts';
import { UdrStore } from '../../nodes/udr/store.ts';
import { GmmState } from '../../nodes/ue/gmm-state.ts';
import { testConfig } from '../helpers/network.ts';
import { wire5g } from '../helpers/wire5g.ts';

describe('wire5g subscriber remove on a running network', () => {
  it('the UDM withdraws the registered UE first (steps 1-7 on the ladder), then the subscriber is gone; another database is changed directly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-subrm-'));
    const db = join(dir, 'udr.sqlite');
    const cfg = testConfig(183);
    const net = await LiveNetwork.start({ ...cfg, ue: { ...cfg.ue, count: 2 } }, { outDir: dir, database: db, capture: false });
    const server = await serveControl(net, { outDir: dir });
    try {
      const [supi, other] = net.addConfiguredUes();
      await net.register(supi);
      await net.establishPduSession(supi);
      const before = net.ledgers();
      const r = await wire5g(['subscriber', 'remove', supi, '--db', db, '--out', dir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Nudm_UECM_DeregistrationNotification/);
      expect(r.stdout).toMatch(/Deregistration request \(UE terminated\) +\[4\.2\.2\.3\.3 step 2\]/);
      expect(r.stdout).toMatch(/Nsmf_PDUSession_ReleaseSMContext +\[4\.2\.2\.3\.3 step 4\]/);
      expect(r.stdout).toMatch(new RegExp(`removed ${supi} from .* through the running network .*network-initiated deregistration`));
      expect(net.ueOf(supi).state).toBe(GmmState.DEREGISTERED);
      expect(net.core!.amf.bySupi.has(supi)).toBe(false);
      expect(net.core!.store.get(supi)).toBeUndefined();
      expect(before.SMF['SM contexts']).toBe(1);
      expect(net.ledgers().SMF['SM contexts']).toBe(0);
      // an unregistered subscriber of the same database: removed through the network, no procedure
      const r2 = await wire5g(['subscriber', 'remove', other, '--db', db, '--out', dir]);
      expect(r2.code, r2.stderr).toBe(0);
      expect(r2.stdout).toMatch(/it was not registered/);
      expect(net.core!.store.get(other)).toBeUndefined();
      // another database: changed directly (no network uses it)
      const elsewhere = join(dir, 'other.sqlite');
      const s = new UdrStore(elsewhere);
      s.upsert({ ...net.cfg.subscribers[0], supi: 'imsi-001010000000077' });
      s.close();
      const r3 = await wire5g(['subscriber', 'remove', 'imsi-001010000000077', '--db', elsewhere, '--out', dir]);
      expect(r3.code, r3.stderr).toBe(0);
      expect(r3.stdout).toMatch(`removed imsi-001010000000077 from ${elsewhere}`);
      expect(r3.stdout).not.toMatch(/running network/);
    } finally {
      await server.close();
      await net.stop({ deregisterRemaining: true });
    }
  }, 120_000);
});
