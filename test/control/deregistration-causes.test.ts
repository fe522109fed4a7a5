// `ctl amf deregister --cause N [--t3346 SECONDS]` end to end (TS 23.502 4.2.2.3.3, TS 24.501
// 5.5.2.3): the AMF's DEREGISTRATION REQUEST (UE terminated) carries the 5GMM cause and, with #22,
// the T3346 value (GPRS timer 2); the UE acts on them as 5.5.2.3.2 says (its full handling of each
// cause is tested on virtual time in test/ue/network-deregistration.test.ts). tshark (the
// independent peer) reads the cause and the T3346 value in the capture.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveNetwork } from '../../nodes/control/live-network.ts';
import { findCommand, checkCommandArgs } from '../../nodes/control/commands.ts';
import { parseScenario } from '../../nodes/control/scenario-file.ts';
import { GmmState } from '../../nodes/ue/gmm-state.ts';
import '../../nodes/control/index.ts';
import { testConfig } from '../helpers/network.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

describe('ctl amf deregister --cause (TS 24.501 5.5.2.3.2)', () => {
  it('command line and scenario: #22 needs --t3346, --t3346 needs #22', () => {
    const c = findCommand('amf deregister')!;
    const supi = { supi: 'imsi-001010000000001' };
    expect(checkCommandArgs(c, supi, { cause: '22', t3346: '120' })).toMatchObject({ options: { cause: 22, t3346: 120 } });
    expect(() => checkCommandArgs(c, supi, { cause: '22' })).toThrow(/cause 22 \(congestion\) needs the T3346 back-off value/);
    expect(() => checkCommandArgs(c, supi, { cause: '12', t3346: '120' })).toThrow(/T3346 value goes with cause 22/);
    expect(() => checkCommandArgs(c, supi, { cause: '22', t3346: '0' })).toThrow(/t3346/);
    expect(parseScenario('description: x\nsteps:\n  - amf-deregister: all\n    cause: 22\n    t3346: 60\n', 'c.yaml').steps[0]).toMatchObject({ action: 'amf-deregister', cause: 22, t3346: 60 });
    expect(() => parseScenario('description: x\nsteps:\n  - amf-deregister: all\n    cause: 22\n', 'c.yaml')).toThrow(/steps\[0\]\.cause: .*give t3346 \(seconds\)/);
  });

  it('#12, #22 with T3346, #27 on the wire; the UE keeps the forbidden TA, runs T3346, goes 5GMM-NULL; ledgers back', async () => {
    const cfg = testConfig(241);
    const net = await LiveNetwork.start({ ...cfg, ue: { ...cfg.ue, count: 3 } }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-causes-')), database: ':memory:' });
    let stopped;
    try {
      const [a, b, c] = net.addConfiguredUes();
      for (const supi of [a, b, c]) await net.register(supi);
      await net.establishPduSession(b, { psi: 1 });

      expect((await net.amfDeregister(a, { reRegistrationRequired: false, fiveGmmCause: 12 })).outcome).toBe('accepted');
      const ua = net.ueOf(a);
      expect(ua.networkDeregistration.last?.action).toBe('ta-forbidden-regional');
      expect([...ua.restrictions.forbiddenTaisForRegionalProvision]).toEqual([`${cfg.plmn.mcc}${cfg.plmn.mnc}-${cfg.tac}`]);
      await expect(net.register(a)).rejects.toThrow(/forbidden tracking areas for regional provision of service/);

      await expect(net.amfDeregister(b, { reRegistrationRequired: false, fiveGmmCause: 22 })).rejects.toMatchObject({ status: 400 });
      expect((await net.amfDeregister(b, { reRegistrationRequired: false, fiveGmmCause: 22, t3346Seconds: 600 })).outcome).toBe('accepted');
      const ub = net.ueOf(b);
      expect(ub.networkDeregistration.last).toMatchObject({ action: 'congestion-backoff', t3346Seconds: 600 });
      expect(ub.restrictions.t3346?.seconds).toBe(600);
      expect(ub.sessions.size).toBe(0);
      await expect(net.register(b)).rejects.toThrow(/T3346 is running/);

      expect((await net.amfDeregister(c, { reRegistrationRequired: false, fiveGmmCause: 27 })).outcome).toBe('accepted');
      expect(net.ueOf(c).state).toBe(GmmState.NULL);
    } finally {
      stopped = await net.stop();
    }
    expect(stopped.leftBehind).toEqual({});
    if (!tsharkAvailable()) return;
    const frames = dissect(stopped.files.capture!, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(frames)).toEqual([]);
    const requests = frames.filter((f) => (f.fields.get('nas_5gs.mm.message_type') ?? []).includes('0x47'));
    expect(requests.map((f) => f.fields.get('nas_5gs.mm.5gmm_cause')?.[0])).toEqual(['12', '22', '27']);
    // TS 24.008 10.5.7.4 GPRS timer 2: 600 s = 10 x 1 minute (unit 1)
    const congestion = requests[1];
    expect(congestion.fields.get('gsm_a.gm.gmm.gprs_timer2_unit')).toEqual(['1']);
    expect(congestion.fields.get('gsm_a.gm.gmm.gprs_timer2_value')).toEqual(['10']);
    for (const f of [requests[0], requests[2]]) expect(f.fields.get('gsm_a.gm.gmm.gprs_timer2_value')).toBeUndefined();
  }, 60_000);
});
