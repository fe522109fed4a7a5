// What the NFs decide is on the wire, and tshark reads it in the capture of a run: NF instance IDs
// are UUIDs (TS 29.571 NfInstanceId), the UE's location from the NG-RAN reaches the SMF (TS 29.502
// SmContextCreateData / SmContextReleaseData ueLocation), and the QoS of a PDU session is the
// subscriber's, authorized by the PCF: 5QI and ARP in the NGAP PDU Session Resource Setup Request Transfer (TS 38.413
// 9.3.4.1), the 5QI and Session-AMBR in the NAS PDU Session Establishment Accept (TS 24.501 8.3.2),
// the Session-AMBR as the QER's MBR in PFCP (TS 29.244 8.2.8), and the SBI bodies that carried it
// (UDM sm-data, the PCF's SmPolicyDecision). Judged by tshark, not by our decoders.

import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../nodes/scenario.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { testConfig } from '../helpers/network.ts';
import { dissect, tsharkAvailable, type DissectedFrame } from '../helpers/tshark.ts';

describe.skipIf(!tsharkAvailable())('NF decisions on the wire, read by tshark', () => {
  let frames: DissectedFrame[];
  /** The gNB's NR Cell Identity (TS 38.300 8.2: gNB ID, then the cell), as TS 29.571 NrCellId. */
  let nrCellId = '';
  beforeAll(async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'wire5g-qos-'));
    const cfg = testConfig(125);
    cfg.subscribers = [{ ...DEFAULT_SUBSCRIBER, sessionQos: [{ dnn: 'internet', fiveQi: 7, arpPriorityLevel: 3, ambrUplink: '100 Mbps', ambrDownlink: '250 Mbps' }] }];
    nrCellId = (cfg.gnb.id * 2 ** 14 + 1).toString(16).padStart(9, '0');
    const r = await runScenario(cfg, { outDir, database: ':memory:' });
    expect(r.ok).toBe(true);
    frames = dissect(r.files.capture!, { prefs: ['nas-5gs.null_decipher:TRUE'] });
  }, 60_000);

  const all = (name: string) => frames.flatMap((f) => f.fields.get(name) ?? []);
  /** Every occurrence (on N2, and inside the SBI multipart that carried it from the SMF) has the value. */
  const only = (name: string) => {
    const v = all(name);
    expect(v.length, name).toBeGreaterThan(0);
    return [...new Set(v)];
  };

  /** tshark's 'key:value' of every JSON member in the HTTP/2 SBI bodies. */
  const members = () => all('json.member_with_value');

  it('SBI: every NF instance ID is a UUID (RFC 4122), none is a name like amf-1', () => {
    const ids = members().filter((m) => /^(nfInstanceId|amfInstanceId|smfInstanceId|ausfInstanceId|servingNfId):/.test(m));
    expect(ids.length).toBeGreaterThan(5);
    for (const m of ids) expect(m).toMatch(/:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('SBI: CreateSMContext and ReleaseSMContext carry the NR location the gNB reported (TAI and NCGI), never an empty one', () => {
    const cells = members().filter((m) => m.startsWith('nrCellId:'));
    expect(cells.length).toBeGreaterThanOrEqual(2);
    expect(new Set(cells)).toEqual(new Set([`nrCellId:${nrCellId}`]));
    expect(members().filter((m) => m.startsWith('tac:'))).toContain('tac:000001');
  });

  it('NGAP: the QoS flow has 5QI 7 and ARP priority 3, the Session-AMBR is 100/250 Mbit/s', () => {
    expect(only('ngap.fiveQI')).toEqual(['7']);
    expect(only('ngap.priorityLevelARP')).toEqual(['3']);
    expect(only('ngap.pDUSessionAggregateMaximumBitRateUL')).toEqual(['100000000']);
    expect(only('ngap.pDUSessionAggregateMaximumBitRateDL')).toEqual(['250000000']);
  });

  it('NAS: the accept\'s QoS flow description carries 5QI 7 for QFI 1, its Session-AMBR the authorized one', () => {
    expect(only('nas_5gs.sm.5qi')).toEqual(['7']);
    expect(only('nas_5gs.sm.qfi')).toEqual(['1']);
    // 9.11.4.14: in units of 4 kbit/s (unit 2): 25000 x 4 = 100000 kbit/s up, 62500 x 4 = 250000 down
    expect(only('nas_5gs.sm.unit_for_session_ambr_ul')).toEqual(['2']);
    expect(only('nas_5gs.sm.session_ambr_ul')).toEqual(['25000']);
    expect(only('nas_5gs.sm.session_ambr_dl')).toEqual(['62500']);
  });

  it('PFCP: the QER enforces the Session-AMBR (MBR in kbit/s)', () => {
    expect(only('pfcp.ul_mbr')).toEqual(['100000']);
    expect(only('pfcp.dl_mbr')).toEqual(['250000']);
  });
});
