// Issue 23: the UE-AMBR and the Session-AMBR are the subscriber's, not constants. Two subscribers
// with different values run the default scenario; tshark (the independent judge) reads, per UE,
// the UE-AMBR the AMF gives the NG-RAN in the PDU Session Resource Setup Request (TS 38.413
// 9.3.1.58, from the UDM's AccessAndMobilitySubscriptionData subscribedUeAmbr, TS 29.503), the
// Session-AMBR in the PDU Session Resource Setup Request Transfer (9.3.4.1) and in the NAS PDU
// Session Establishment Accept (TS 24.501 9.11.4.14), and the subscribedUeAmbr in the UDM's am-data
// body. On commit 8c1eab1 every UE got the UDR's constant 1 Gbps / 2 Gbps.

import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../nodes/scenario.ts';
import { DEFAULT_SUBSCRIBER, configFromYaml } from '../../nodes/common/config.ts';
import { testConfig } from '../helpers/network.ts';
import { dissect, tsharkAvailable, field, type DissectedFrame } from '../helpers/tshark.ts';

const A = 'imsi-001010000000701';
const B = 'imsi-001010000000702';

describe.skipIf(!tsharkAvailable())('per-subscriber UE-AMBR and Session-AMBR on the wire (tshark)', () => {
  let frames: DissectedFrame[];
  beforeAll(async () => {
    const cfg = testConfig(206);
    cfg.subscribers = [
      { ...DEFAULT_SUBSCRIBER, supi: A, ueAmbr: { uplink: '100 Mbps', downlink: '200 Mbps' }, sessionQos: [{ fiveQi: 9, arpPriorityLevel: 8, ambrUplink: '10 Mbps', ambrDownlink: '20 Mbps' }] },
      { ...DEFAULT_SUBSCRIBER, supi: B, ueAmbr: { uplink: '300 Mbps', downlink: '400 Mbps' }, sessionQos: [{ fiveQi: 9, arpPriorityLevel: 8, ambrUplink: '30 Mbps', ambrDownlink: '40 Mbps' }] },
    ];
    cfg.ue = { ...cfg.ue, count: 2 };
    const r = await runScenario(cfg, { outDir: mkdtempSync(join(tmpdir(), 'wire5g-ambr-')), database: ':memory:' });
    expect(r.ok).toBe(true);
    frames = dissect(r.files.capture!, { prefs: ['nas-5gs.null_decipher:TRUE'] });
  }, 60_000);

  it('each UE\'s PDU Session Resource Setup Request carries its own subscribed UE-AMBR and Session-AMBR, the Accept its Session-AMBR', () => {
    // NGAP PDUSessionResourceSetup (procedure code 29), initiating message, on N2
    const setups = frames.filter((f) => f.protocols.includes('sctp') && f.fields.get('ngap.procedureCode')?.[0] === '29' && f.fields.has('ngap.pDUSessionAggregateMaximumBitRateDL'));
    expect(setups).toHaveLength(2);
    const byUeAmbr = setups.map((f) => ({
      ueDl: field(f, 'ngap.uEAggregateMaximumBitRateDL'),
      ueUl: field(f, 'ngap.uEAggregateMaximumBitRateUL'),
      sessDl: field(f, 'ngap.pDUSessionAggregateMaximumBitRateDL'),
      sessUl: field(f, 'ngap.pDUSessionAggregateMaximumBitRateUL'),
    })).sort((x, y) => Number(x.ueDl) - Number(y.ueDl));
    expect(byUeAmbr).toEqual([
      { ueDl: '200000000', ueUl: '100000000', sessDl: '20000000', sessUl: '10000000' },
      { ueDl: '400000000', ueUl: '300000000', sessDl: '40000000', sessUl: '30000000' },
    ]);
    // TS 24.501 9.11.4.14 in the Accept: unit 1 (1 Kbps), values in Kbps
    const accepts = setups.map((f) => `${field(f, 'nas_5gs.sm.unit_for_session_ambr_dl')}:${field(f, 'nas_5gs.sm.session_ambr_dl')}/${field(f, 'nas_5gs.sm.session_ambr_ul')}`).sort();
    expect(accepts).toEqual(['1:20000/10000', '1:40000/30000']);
  });

  it('the UDM\'s am-data bodies carry each subscriber\'s subscribedUeAmbr', () => {
    const members = frames.flatMap((f) => f.fields.get('json.member_with_value') ?? []);
    expect(members).toEqual(expect.arrayContaining(['uplink:100 Mbps', 'downlink:200 Mbps', 'uplink:300 Mbps', 'downlink:400 Mbps']));
  });
});

describe('subscribers[].ueAmbr in the configuration', () => {
  it('is checked as TS 29.571 BitRate strings', () => {
    expect(() => configFromYaml('subscribers:\n  - supi: imsi-001010000000703\n    ueAmbr: { uplink: 10, downlink: 1 Gbps }\n')).toThrow(/subscribers\[0\]\.ueAmbr\.uplink/);
    expect(configFromYaml('subscribers:\n  - supi: imsi-001010000000703\n    ueAmbr: { uplink: 5 Mbps, downlink: 1 Gbps }\n').subscribers[0].ueAmbr).toEqual({ uplink: '5 Mbps', downlink: '1 Gbps' });
  });
});
