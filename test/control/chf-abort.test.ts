// CHF-initiated termination of a PDU session (issue 16), over real loopback sockets: with
// chf.convergedCharging the SMF opens a charging data resource per PDU session at the CHF
// (Nchf_ConvergedCharging_Create, TS 32.291) once its N4 session exists; `ctl chf abort` has the
// CHF send Nchf_ConvergedCharging_Notify with ABORT_CHARGING to the SMF's notifyUri; the SMF
// acknowledges (204) and releases the session by network-requested PDU Session Release (TS
// 23.502 4.3.4.2), whose resource release ends the charging (Nchf_ConvergedCharging_Release) and
// the SM policy association (4.16.6 case B). The other session keeps its charging. Every request
// and notification body is checked against the Rel-18 OpenAPI schema by the test setup.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveNetwork, findCommand, checkCommandArgs } from '../../nodes/control/index.ts';
import { chfAbortOn } from '../../nodes/control/charging-commands.ts';
import { pollUntil } from '../../nodes/control/network-commands.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { testConfig } from '../helpers/network.ts';

describe('CHF-initiated PDU session termination (Nchf_ConvergedCharging_Notify ABORT_CHARGING), ctl chf abort', () => {
  it('the command line matches', () => {
    const cmd = findCommand('chf abort')!;
    expect(checkCommandArgs(cmd, { supi: 'imsi-001010000000001', psi: '1' }, {})).toMatchObject({ psi: 1 });
  });

  it('aborts one of two sessions: notify acknowledged, 4.3.4.2 release, charging released, ledgers back', async () => {
    const cfg = testConfig(221);
    const net = await LiveNetwork.start({ ...cfg, chf: { ...cfg.chf, convergedCharging: true }, ue: { ...cfg.ue, count: 1 } }, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-chf-abort-')), database: ':memory:', capture: false });
    try {
      const [supi] = net.addConfiguredUes();
      await net.register(supi);
      await expect(chfAbortOn(net, supi, 1)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/no PDU session 1/) });
      const events: TraceEvent[] = [];
      const off = subscribeTrace((e) => events.push(e));
      let r;
      try {
        await net.establishPduSession(supi, { psi: 1 });
        await net.establishPduSession(supi, { psi: 2 });
        expect(net.core!.chf.chargingSessionOf(supi, 1)).toBeDefined();
        expect(net.core!.chf.chargingSessionOf(supi, 2)).toBeDefined();
        r = await chfAbortOn(net, supi, 1);
      } finally {
        off();
      }
      expect(r).toEqual({ psi: 1, outcome: 'released' });
      expect([...net.ueOf(supi).sessions.keys()]).toEqual([2]);
      expect(net.core!.chf.chargingSessionOf(supi, 1)).toBeUndefined();
      expect(net.core!.chf.chargingSessionOf(supi, 2)).toBeDefined();
      const steps = events.filter((e) => !e.response).map((e) => `${e.from}>${e.to} ${e.message}${e.step ? ` [${e.step}]` : ''}`);
      const at = (s: string, from = 0) => {
        const i = steps.findIndex((x, k) => k >= from && x.includes(s));
        expect(i, `${s} in\n${steps.join('\n')}`).toBeGreaterThanOrEqual(0);
        return i;
      };
      // Initial after the N4 session, before the Accept goes out
      expect(at('Session Establishment Request [4.3.2.2.1 step 10a]')).toBeLessThan(at('SMF>CHF Nchf_ConvergedCharging_Create [TS 32.255 Initial]'));
      expect(at('SMF>CHF Nchf_ConvergedCharging_Create [TS 32.255 Initial]')).toBeLessThan(at('Namf_Communication_N1N2MessageTransfer [4.3.2.2.1 step 11]'));
      const notify = at('CHF>SMF Nchf_ConvergedCharging_Notify');
      expect(notify).toBeLessThan(at('Session Deletion Request [4.3.4.2 step 2a]', notify));
      expect(at('Session Deletion Request [4.3.4.2 step 2a]', notify)).toBeLessThan(at('AMF>UE DL NAS transport [4.3.4.2 step 4]', notify));
      expect(at('SMF>PCF Npcf_SMPolicyControl_Delete', notify)).toBeLessThan(at('SMF>CHF Nchf_ConvergedCharging_Release [TS 32.255 Termination]', notify));
      // the other session is released at deregistration, its charging with it
      await net.deregister(supi, { switchOff: true });
      // the SMF's clean-up (4.2.2.3.2 steps 5a-5c, the charging release with them) follows its answer to the AMF
      await pollUntil(() => !net.core!.chf.chargingSessionOf(supi, 2));
      expect(net.core!.chf.chargingSessionOf(supi, 2)).toBeUndefined();
    } finally {
      const s = await net.stop();
      expect(s.leftBehind).toEqual({});
    }
  }, 60_000);
});
