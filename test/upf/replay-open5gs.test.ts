// PFCP sessions shaped like those Open5GS's SMF sends, replayed to wire5g's UPF over loopback, with
// real G-PDUs through it before the modification, after it and after the deletion.
//
// The shape is read from open5gs/open5gs (read, not copied): src/smf/context.c sets the default
// QoS flow's uplink PDR and the UP2CP PDR to CH with CHOOSE ID OGS_PFCP_DEFAULT_CHOOSE_ID (5,
// lib/pfcp/context.h) and the CP2UP PDR to CH without a CHOOSE ID; the downlink PDR (ID 1, the
// first created) matches the UE address; the UP2CP PDR carries the flow description
// "permit out 58 from ff02::2/128 to assigned" and forwards to the CP function with an outer
// header; the CP2UP PDR uses the downlink FAR; precedences 65535 (default) and 255 (UP2CP/CP2UP);
// the downlink FAR buffers (BUFF|NOCP) with a BAR until the gNB's tunnel is known. A dedicated QoS
// flow arrives in a modification as one more uplink PDR on the same CHOOSE ID with its QFI and SDF
// filter, and a downlink PDR with the same filter.
// tshark judged every PFCP and GTP-U frame of the run.

import { describe, it, expect } from 'vitest';
import * as P from '../../codecs/pfcp/index.ts';
import { PfcpIeType as T, PfcpMessageType as M, ApplyAction as A, Interface as I, text } from '../../codecs/pfcp/index.ts';
import { pduSessionContainerOf } from '../../codecs/gtpu/index.ts';
import { n4Rig, ping, udpEcho, until } from '../helpers/n4-rig.ts';
import { DatapathVerdict } from '../../nodes/upf/datapath.ts';
import { dissect, problems, tsharkAvailable } from '../helpers/tshark.ts';

const NET = '127.0.20';
const UE = '10.45.0.2';
const smfNode: P.NodeId = { type: 'ipv4', value: `${NET}.54` };
const CP_SEID = 0x51n;
const ni = () => P.ie(T.NetworkInstance, text('internet'));

function establishment(): Omit<P.PfcpMessage, 'sequenceNumber'> {
  const g = P.grouped;
  return {
    type: M.SessionEstablishmentRequest,
    seid: 0n,
    ies: [
      P.ie(T.NodeID, smfNode),
      P.ie(T.FSEID, { seid: CP_SEID, ipv4: `${NET}.54` }),
      g(T.CreatePDR, [P.ie(T.PDRID, 1), P.ie(T.Precedence, 65535), g(T.PDI, [P.ie(T.SourceInterface, I.Core), ni(), P.ie(T.UEIPAddress, { flags: P.UeIpFlags.V4 | P.UeIpFlags.SD, ipv4: UE })]), P.ie(T.FARID, 1), P.ie(T.URRID, 1), P.ie(T.QERID, 1)]),
      g(T.CreatePDR, [P.ie(T.PDRID, 2), P.ie(T.Precedence, 65535), g(T.PDI, [P.ie(T.SourceInterface, I.Access), P.ie(T.FTEID, { choose: { v4: true, v6: true, chooseId: 5 } }), ni(), P.ie(T.UEIPAddress, { flags: P.UeIpFlags.V4, ipv4: UE }), P.ie(T.QFI, 1)]), P.ie(T.OuterHeaderRemoval, { description: 0 }), P.ie(T.FARID, 2), P.ie(T.URRID, 1), P.ie(T.QERID, 1)]),
      g(T.CreatePDR, [P.ie(T.PDRID, 3), P.ie(T.Precedence, 255), g(T.PDI, [P.ie(T.SourceInterface, I.CpFunction), P.ie(T.FTEID, { choose: { v4: true, v6: true } }), ni()]), P.ie(T.OuterHeaderRemoval, { description: 0 }), P.ie(T.FARID, 1), P.ie(T.QERID, 1)]),
      g(T.CreatePDR, [P.ie(T.PDRID, 4), P.ie(T.Precedence, 255), g(T.PDI, [P.ie(T.SourceInterface, I.Access), P.ie(T.FTEID, { choose: { v4: true, v6: true, chooseId: 5 } }), ni(), P.ie(T.UEIPAddress, { flags: P.UeIpFlags.V4, ipv4: UE }), P.ie(T.SDFFilter, { flowDescription: 'permit out 58 from ff02::2/128 to assigned' }), P.ie(T.QFI, 1)]), P.ie(T.OuterHeaderRemoval, { description: 0 }), P.ie(T.FARID, 3)]),
      g(T.CreateFAR, [P.ie(T.FARID, 1), P.ie(T.ApplyAction, { value: A.BUFF | A.NOCP, octets: 2 }), P.ie(T.BARID, 1)]),
      g(T.CreateFAR, [P.ie(T.FARID, 2), P.ie(T.ApplyAction, { value: A.FORW, octets: 2 }), g(T.ForwardingParameters, [P.ie(T.DestinationInterface, I.Core), ni()])]),
      g(T.CreateFAR, [P.ie(T.FARID, 3), P.ie(T.ApplyAction, { value: A.FORW, octets: 2 }), g(T.ForwardingParameters, [P.ie(T.DestinationInterface, I.CpFunction), P.ie(T.OuterHeaderCreation, { description: P.OuterHeaderCreationDescription.GtpuUdpIpv4, teid: 1, ipv4: `${NET}.54` })])]),
      g(T.CreateURR, [P.ie(T.URRID, 1), P.ie(T.MeasurementMethod, P.MeasurementMethod.VOLUM | P.MeasurementMethod.DURAT), P.ie(T.ReportingTriggers, { value: P.ReportingTrigger.VOLTH, octets: 3 }), P.ie(T.VolumeThreshold, { total: 400n })]),
      g(T.CreateQER, [P.ie(T.QERID, 1), P.ie(T.GateStatus, { ul: 0, dl: 0 }), P.ie(T.MBR, { ulKbps: 1_000_000, dlKbps: 1_000_000 }), P.ie(T.QFI, 1)]),
      g(T.CreateBAR, [P.ie(T.BARID, 1), P.ie(T.SuggestedBufferingPacketsCount, 10)]),
      P.ie(T.PDNType, 1),
      P.ie(T.APNDNN, text('internet')),
      P.ie(T.SNSSAI, { sst: 1 }),
    ],
  };
}

function modification(upSeid: bigint): Omit<P.PfcpMessage, 'sequenceNumber'> {
  const g = P.grouped;
  const toGnb = (teid: number) => g(T.UpdateForwardingParameters, [P.ie(T.DestinationInterface, I.Access), ni(), P.ie(T.OuterHeaderCreation, { description: P.OuterHeaderCreationDescription.GtpuUdpIpv4, teid, ipv4: `${NET}.58` })]);
  const flow = { flowDescription: `permit out 17 from 192.0.2.0/24 to ${UE}` };
  return {
    type: M.SessionModificationRequest,
    seid: upSeid,
    ies: [
      g(T.CreatePDR, [P.ie(T.PDRID, 5), P.ie(T.Precedence, 100), g(T.PDI, [P.ie(T.SourceInterface, I.Access), P.ie(T.FTEID, { choose: { v4: true, v6: false, chooseId: 5 } }), ni(), P.ie(T.UEIPAddress, { flags: P.UeIpFlags.V4, ipv4: UE }), P.ie(T.SDFFilter, flow), P.ie(T.QFI, 2)]), P.ie(T.OuterHeaderRemoval, { description: 0 }), P.ie(T.FARID, 2), P.ie(T.URRID, 1), P.ie(T.QERID, 2)]),
      g(T.CreatePDR, [P.ie(T.PDRID, 6), P.ie(T.Precedence, 100), g(T.PDI, [P.ie(T.SourceInterface, I.Core), ni(), P.ie(T.UEIPAddress, { flags: P.UeIpFlags.V4 | P.UeIpFlags.SD, ipv4: UE }), P.ie(T.SDFFilter, flow)]), P.ie(T.FARID, 4), P.ie(T.URRID, 1), P.ie(T.QERID, 2)]),
      g(T.CreateFAR, [P.ie(T.FARID, 4), P.ie(T.ApplyAction, { value: A.FORW, octets: 2 }), g(T.ForwardingParameters, [P.ie(T.DestinationInterface, I.Access), ni(), P.ie(T.OuterHeaderCreation, { description: P.OuterHeaderCreationDescription.GtpuUdpIpv4, teid: 0x1235, ipv4: `${NET}.58` })])]),
      g(T.CreateQER, [P.ie(T.QERID, 2), P.ie(T.GateStatus, { ul: 0, dl: 0 }), P.ie(T.MBR, { ulKbps: 5000, dlKbps: 5000 }), P.ie(T.GBR, { ulKbps: 1000, dlKbps: 1000 }), P.ie(T.QFI, 2)]),
      g(T.UpdateFAR, [P.ie(T.FARID, 1), P.ie(T.ApplyAction, { value: A.FORW, octets: 2 }), toGnb(0x1234)]),
    ],
  };
}

describe('a PFCP session shaped like Open5GS SMF\'s, replayed to the UPF over loopback', () => {
  it('CHOOSE with and without CHOOSE ID, BUFF then FORW with a Downlink Data Report, a dedicated QoS flow, a usage threshold, deletion', async () => {
    const rig = await n4Rig(NET, 'open5gs-replay');
    const before = rig.upf.ledger.snapshot();
    try {
      const assoc = await rig.request(P.associationSetupRequest(0, smfNode, 1, 0));
      expect(P.get(assoc.ies, T.Cause)).toBe(1);
      expect(P.get(assoc.ies, T.UPFunctionFeatures)!.value & P.UpFunctionFeature.FTUP).toBeTruthy(); // Open5GS chooses CH only when FTUP is set

      const est = await rig.request(establishment());
      expect(P.get(est.ies, T.Cause)).toBe(P.PfcpCause.RequestAccepted);
      const upSeid = P.get(est.ies, T.FSEID)!.seid;
      const created = new Map(P.groups(est.ies, T.CreatedPDR).map((c) => [P.get(c, T.PDRID)!, P.get(c, T.FTEID)!]));
      // TS 29.244 7.5.3.2: one Created PDR per PDR whose F-TEID the UPF chose, same F-TEID for the same CHOOSE ID
      expect([...created.keys()].sort()).toEqual([2, 3, 4]);
      expect(created.get(2)).toEqual({ teid: created.get(4)!.teid, ipv4: `${NET}.57` });
      expect(created.get(3)!.teid).not.toBe(created.get(2)!.teid);
      const n3 = created.get(2)!.teid!;

      // before the modification: uplink forwarded to N6; the reply is buffered and reported (DLDR)
      rig.uplink(n3, ping(UE, '10.45.255.254', 1), 1);
      await until(() => rig.reports.length === 1);
      expect(P.get(rig.reports[0].ies, T.ReportType)).toBe(P.ReportType.DLDR);
      const ddr = P.group(rig.reports[0].ies, T.DownlinkDataReport)!;
      expect(P.get(ddr, T.PDRID)).toBe(1);
      expect(P.get(ddr, T.DownlinkDataServiceInformation)).toEqual({ qfi: 1 });
      expect(rig.reports[0].seid).toBe(CP_SEID);
      expect(rig.gnbIn).toHaveLength(0);

      // the modification: BUFF -> FORW to the gNB (the buffered reply goes), a dedicated QoS flow on the same CHOOSE ID
      const mod = await rig.request(modification(upSeid));
      expect(P.get(mod.ies, T.Cause)).toBe(P.PfcpCause.RequestAccepted);
      expect(P.groups(mod.ies, T.CreatedPDR).map((c) => [P.get(c, T.PDRID), P.get(c, T.FTEID)!.teid])).toEqual([[5, n3]]);
      await until(() => rig.gnbIn.length === 1);
      expect(rig.gnbIn[0].header.teid).toBe(0x1234);
      expect(pduSessionContainerOf(rig.gnbIn[0].header)).toMatchObject({ pduType: 0, qfi: 1 });

      // after it: the default flow (QFI 1) and the dedicated flow (QFI 2, its SDF filter) each come back on their own tunnel and QFI
      rig.uplink(n3, ping(UE, '10.45.255.254', 2), 1);
      rig.uplink(n3, udpEcho(UE, '192.0.2.1', 40000), 2);
      await until(() => rig.gnbIn.length === 3);
      const byTeid = new Map(rig.gnbIn.slice(1).map((m) => [m.header.teid, pduSessionContainerOf(m.header)?.qfi]));
      expect(byTeid).toEqual(new Map([[0x1234, 1], [0x1235, 2]]));
      // QFI 2 outside the dedicated flow's filter matches no PDR (PDR 2 wants QFI 1): not forwarded
      const noMatch = rig.upf.datapath.stats.noMatchingPdr;
      rig.uplink(n3, ping(UE, '10.45.255.254', 3), 2);
      await until(() => rig.upf.datapath.stats.noMatchingPdr === noMatch + 1);
      // CP2UP (PDR 3, source CP function) uses the downlink FAR: to the gNB
      rig.fromSmf(created.get(3)!.teid!, ping('10.45.255.254', UE, 4));
      await until(() => rig.gnbIn.length === 4);
      expect(rig.gnbIn[3].header.teid).toBe(0x1234);

      // the usage threshold (400 octets, VOLTH): a Session Report Request with the usage
      for (let i = 0; i < 4; i++) rig.uplink(n3, ping(UE, '10.45.255.254', 10 + i), 1);
      await until(() => rig.reports.length === 2);
      expect(P.get(rig.reports[1].ies, T.ReportType)).toBe(P.ReportType.USAR);
      const ur = P.group(rig.reports[1].ies, T.UsageReportSRR)!;
      expect(P.get(ur, T.URRID)).toBe(1);
      expect(P.get(ur, T.UsageReportTrigger)!.value).toBe(P.UsageReportTrigger.VOLTH);
      expect(Number(P.get(ur, T.VolumeMeasurement)!.total)).toBeGreaterThanOrEqual(400);

      // deletion: the final report; later uplink is answered with an Error Indication
      await until(() => rig.gnbIn.length === 8);
      const del = await rig.request({ type: M.SessionDeletionRequest, seid: upSeid, ies: [] });
      expect(P.get(del.ies, T.Cause)).toBe(1);
      const fin = P.group(del.ies, T.UsageReportSDR)!;
      expect(P.get(fin, T.UsageReportTrigger)!.value).toBe(P.UsageReportTrigger.TERMR);
      expect(P.get(fin, T.URSEQN)).toBe(1);
      // after it, downlink for the UE's address finds no session and nothing goes to the gNB
      expect(rig.downlink(ping('10.45.255.254', UE, 21))).toBe(DatapathVerdict.NO_SESSION);
      rig.uplink(n3, ping(UE, '10.45.255.254', 20), 1);
      await until(() => rig.gnbIn.length === 9);
      expect(rig.gnbIn[8]).toMatchObject({ type: 'Error Indication', teidDataI: n3 });
      expect(rig.upf.ledger.snapshot()).toEqual({ ...before, 'PFCP associations': 1 });
    } finally {
      await rig.stop();
    }
    if (tsharkAvailable()) {
      const frames = dissect(rig.path);
      expect(problems(frames)).toEqual([]);
      const types = frames.flatMap((f) => f.fields.get('pfcp.msg_type') ?? []);
      // two Session Reports (DLDR, then USAR), each answered; the SMF's next request may overtake the answer
      expect(types.filter((t) => t !== '56' && t !== '57')).toEqual(['5', '6', '50', '51', '52', '53', '54', '55']);
      expect(types.filter((t) => t === '56' || t === '57')).toEqual(['56', '57', '56', '57']);
    }
  });
});
