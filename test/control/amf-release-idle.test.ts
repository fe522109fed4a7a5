// The AMF-initiated PDU Session Release (TS 23.502 4.3.4.2 step 1f; home-routed 4.3.4.3 step 1f)
// of a UE in CM-IDLE, non-roaming and home-routed: `ctl amf release` (scenario step amf-release)
// pages the UE (network triggered Service Request, 4.2.3.3 step 4b) and, once its Service Request
// set up a new NG connection, asks the SMF as for a connected UE; a UE out of coverage answers no
// paging (T3513 and its retransmissions, TS 24.501 5.6.2.2.1) and its session is released without
// N1 or N2 SM signalling (Nsmf_PDUSession_ReleaseSMContext, step 1c; home-routed, the V-SMF's
// Nsmf_PDUSession_Release at the H-SMF, 4.3.4.3 step 1c). Our trace judges the order of the
// steps; tshark reads the capture without a warning and counts the NGAP Paging messages.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario, runScenarioFile } from '../../nodes/control/scenario-file.ts';
import '../../nodes/control/index.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import type { NetworkConfig } from '../../nodes/common/config.ts';
import { T3513_RETRANSMISSIONS } from '../../nodes/amf/gmm.ts';
import { testConfig } from '../helpers/network.ts';
import { roamingTestConfig } from '../helpers/roaming-network.ts';
import { inOrder } from '../helpers/steps.ts';
import { dissect, problems, tsharkAvailable } from '../helpers/tshark.ts';

const scenario = (roaming: boolean) => `
description: AMF-initiated release of CM-IDLE UEs, one paged, one out of coverage
${roaming ? 'roaming: true\n' : ''}ues: 2
timers:
  mobile-reachable: 2
  implicit-deregistration: 0.5
  t3513: 0.2
steps:
  - register: all
  - pdu-establish: all
    psi: 1
  - ping: all                 # the user plane is set up before the AN goes
    count: 1
  - an-release: "1-1"
  - amf-release: "1-1"
    psi: 1
    cause: REL_DUE_TO_SUBSCRIPTION_CHANGE
  - out-of-coverage: "2-2"
  - amf-release: "2-2"
    psi: 1
  - await-implicit: "2-2"
    seconds: 10
`;

async function run(cfg: NetworkConfig, roaming: boolean) {
  const events: TraceEvent[] = [];
  const off = subscribeTrace((e) => events.push(e));
  const out = mkdtempSync(join(tmpdir(), 'wire5g-1f-idle-'));
  let r;
  try {
    r = await runScenarioFile(cfg, parseScenario(scenario(roaming), 'amf-release-idle.yaml'), { outDir: out, database: ':memory:' });
  } finally {
    off();
  }
  // the steps after the establishment run one at a time: a message that names no UE belongs to the UE of the last one that did
  const owner: (string | undefined)[] = [];
  for (const e of events) owner.push(e.ue?.startsWith('imsi-') ? e.ue : owner.at(-1));
  const of = (supi: string) => events.filter((_e, i) => owner[i] === supi).map((e) => `${e.from}>${e.to} ${e.message} [${e.step ?? ''}]`);
  return { r, of, out };
}

function pagingCount(out: string): number | undefined {
  if (!tsharkAvailable()) return undefined;
  const frames = dissect(join(out, 'run.pcapng'), { prefs: ['nas-5gs.null_decipher:TRUE'] });
  expect(problems(frames)).toEqual([]);
  // TS 38.413 9.2.4.1 PAGING is procedure code 24
  return frames.filter((f) => f.protocols.includes('ngap') && (f.fields.get('ngap.procedureCode') ?? []).includes('24')).length;
}

describe('AMF-initiated release of a CM-IDLE UE (TS 23.502 4.3.4.2 step 1f, 4.2.3.3)', () => {
  it('non-roaming: paged, Service Request, then step 1f over the new connection; unreachable: ReleaseSMContext without N1/N2; every ledger back', async () => {
    const { r, of, out } = await run(testConfig(64), false);
    expect(r.ues.filter((u) => u.error)).toEqual([]);
    expect(r.leftBehind).toEqual({});
    expect(r.ok).toBe(true);
    const [ue1, ue2] = r.ues.map((u) => u.supi);
    inOrder(of(ue1), ['UEContextReleaseComplete', 'AMF>gNB Paging [4.2.3.3 step 4b]', 'Service request', 'InitialContextSetupResponse', 'AMF>SMF Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 1f]', 'SMF>UPF Session Deletion Request [4.3.4.2 step 2a]', 'AMF>gNB PDUSessionResourceReleaseCommand [4.3.4.2 step 4]', 'PDU session release complete', 'SMF>AMF Nsmf_PDUSession_SMContextStatusNotify [4.3.4.2 step 11]']);
    const two = of(ue2);
    expect(two.filter((m) => m.includes('Paging'))).toHaveLength(1 + T3513_RETRANSMISSIONS);
    inOrder(two, [`Paging [4.2.3.3 step 4b (T3513 retransmission ${T3513_RETRANSMISSIONS}`, 'AMF>SMF Nsmf_PDUSession_ReleaseSMContext [4.3.4.2 step 1c (UE unreachable)]', 'SMF>UPF Session Deletion Request']);
    expect(two.filter((m) => /Service request|PDU session release command|PDUSessionResourceRelease|UpdateSMContext \[4.3.4.2 step 1f\]/.test(m))).toEqual([]);
    const paging = pagingCount(out);
    if (paging !== undefined) expect(paging).toBe(1 + 1 + T3513_RETRANSMISSIONS);
  }, 60_000);

  it('home-routed: the V-SMF sends step 1f to the H-SMF after the paged UE\'s Service Request; unreachable: Nsmf_PDUSession_Release at the H-SMF (4.3.4.3 step 1c); both PLMNs\' ledgers back', async () => {
    const { r, of, out } = await run(roamingTestConfig(94, ['imsi-208930000000301']), true);
    expect(r.ues.filter((u) => u.error)).toEqual([]);
    expect(r.leftBehind).toEqual({});
    expect(r.ok).toBe(true);
    const [ue1, ue2] = r.ues.map((u) => u.supi);
    inOrder(of(ue1), ['AMF>gNB Paging [4.2.3.3 step 4b]', 'Service request', 'AMF>SMF Nsmf_PDUSession_UpdateSMContext [4.3.4.2 step 1f]', 'SMF>UPF Session Modification Request (uplink drop) [4.3.4.3 step 1f]', 'SMF>H-SMF Nsmf_PDUSession_Update [4.3.4.3 step 1f]', 'H-SMF>H-UPF Session Deletion Request [4.3.4.3 step 2]', 'H-SMF>SMF Nsmf_PDUSession_Update [4.3.4.3 step 3a]', 'AMF>gNB PDUSessionResourceReleaseCommand', 'PDU session release complete', 'SMF>AMF Nsmf_PDUSession_SMContextStatusNotify [4.3.4.3 step 8]', 'H-SMF>H-PCF Npcf_SMPolicyControl_Delete']);
    const two = of(ue2);
    expect(two.filter((m) => m.includes('Paging'))).toHaveLength(1 + T3513_RETRANSMISSIONS);
    inOrder(two, ['AMF>SMF Nsmf_PDUSession_ReleaseSMContext [4.3.4.2 step 1c (UE unreachable)]', 'SMF>UPF Session Modification Request (uplink drop) [4.3.4.3 step 1c]', 'SMF>H-SMF Nsmf_PDUSession_Release [4.3.4.3 step 1c]', 'H-SMF>H-UPF Session Deletion Request [4.3.4.3 step 2]', 'H-SMF>H-PCF Npcf_SMPolicyControl_Delete [4.3.4.3 step 6]', 'H-SMF>SMF 204 (Nsmf_PDUSession_Release)']);
    expect(two.filter((m) => /Service request|PDU session release command|PDUSessionResourceRelease/.test(m))).toEqual([]);
    const paging = pagingCount(out);
    if (paging !== undefined) expect(paging).toBe(1 + 1 + T3513_RETRANSMISSIONS);
  }, 60_000);
});
