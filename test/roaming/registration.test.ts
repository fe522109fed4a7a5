// A roaming UE (a subscriber of 208/93) registers in the visited PLMN 001/01 (issue 17): 5G AKA by
// the home AUSF and UDM, the UECM registration and SDM subscription at the home UDM, all through
// vSEPP and hSEPP over N32 (TLS, after the N32-c exchange-capability handshake); then it switches
// off and every ledger of both PLMNs and both SEPPs is back at its start. Judged by our trace here;
// test/roaming/home-routed.test.ts has tshark read the same exchanges, decrypted inside N32, in its capture.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { startRoamingTestNetwork, type RoamingTestNetwork } from '../helpers/roaming-network.ts';

let net: RoamingTestNetwork;
const supi = 'imsi-208930000000011';

beforeAll(async () => {
  net = await startRoamingTestNetwork(228, [supi]);
}, 30_000);

afterAll(async () => {
  await net?.stop();
});

describe('a roaming UE registers in the visited PLMN through the SEPPs', () => {
  it('is authenticated by the home AUSF/UDM over N32-f and leaves every ledger of both PLMNs as it found it', async () => {
    await net.quiet();
    const before = net.ledgers();
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['AMF', 'SMF', 'UPF', 'H-SMF', 'H-UPF', 'H-PCF', 'H-UDM', 'H-UDR', 'H-AUSF', 'vSEPP', 'hSEPP']));
    expect(before.vSEPP['N32-f contexts']).toBe(1);
    expect(before.hSEPP['N32-f contexts']).toBe(1);
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    const u = net.ue(supi);
    try {
      const r = await u.register(net.gnb);
      expect(r.guti?.plmn).toEqual({ mcc: '001', mnc: '01' });
      await u.deregister({ switchOff: true });
      await net.quiet();
    } finally {
      off();
    }
    const sbi = events.filter((e) => e.interface === 'SBI' && !e.response).map((e) => `${e.from}>${e.to} ${e.message}`);
    // the AMF calls the home AUSF and UDM (by FQDN, through the SEPPs), never the visited ones
    expect(sbi).toContain('AMF>H-AUSF Nausf_UEAuthentication_Authenticate');
    expect(sbi).toContain('H-AUSF>H-UDM Nudm_UEAuthentication_Get');
    expect(sbi).toContain('AMF>H-UDM Nudm_UECM_Registration');
    expect(sbi).toContain('AMF>H-UDM Nudm_SDM_Subscribe');
    expect(sbi.filter((s) => /AMF>(AUSF|UDM) /.test(s))).toEqual([]);
    // each of them crossed N32: vSEPP -> hSEPP -> the home NF
    const n32 = events.filter((e) => e.interface === 'N32' && !e.response).map((e) => `${e.from}>${e.to} ${e.message}`);
    expect(n32).toContain('vSEPP>hSEPP POST /nausf-auth/v1/ue-authentications (N32-f)');
    expect(n32).toContain('hSEPP>H-AUSF POST /nausf-auth/v1/ue-authentications (N32-f)');
    expect(net.ledgers()).toEqual(before);
  }, 30_000);
});
