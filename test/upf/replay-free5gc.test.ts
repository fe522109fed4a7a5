// PFCP sessions shaped like those free5GC's SMF sends, replayed to wire5g's UPF over loopback, with
// real G-PDUs before the modification, after it and after the deletion; and requests the UPF must
// refuse with the right cause (TS 29.244 7.6) rather than accept and ignore.
//
// The shape is read from free5gc/smf (read, not copied): internal/pfcp/message/build.go and
// build_establishment.go — Create PDR with PDR ID, Precedence, PDI (Source Interface, a Local
// F-TEID the SMF assigned (CH = 0, TEID and the UPF's address), Network Instance, UE IP Address,
// SDF Filter), Outer Header Removal, FAR ID, URR IDs, QER IDs (the QFI only in the QER, not in the
// PDI); a FAR without Forwarding Parameters is DROP, with a BAR ID; Create QER with Gate Status,
// QFI, MBR, GBR; Create URR with Measurement Method, Reporting Triggers, Measurement Period,
// Volume Threshold (UL and DL), Volume Quota, Measurement Information; Create BAR with its ID;
// PDN Type. The modification carries the CP F-SEID and Update FARs with Update Forwarding
// Parameters (Outer Header Creation, PFCPSMReq-Flags) and the BAR ID. Here one session has four
// QoS flows (QFI 1-4): eight PDRs, the four uplink ones on the SMF's TEID 2.
// tshark judged every PFCP and GTP-U frame of the run.

import { describe, it, expect } from 'vitest';
import * as P from '../../codecs/pfcp/index.ts';
import { PfcpIeType as T, PfcpMessageType as M, ApplyAction as A, Interface as I, text } from '../../codecs/pfcp/index.ts';
import { pduSessionContainerOf } from '../../codecs/gtpu/index.ts';
import { n4Rig, ping, udpEcho, until } from '../helpers/n4-rig.ts';
import { DatapathVerdict } from '../../nodes/upf/datapath.ts';
import { dissect, problems, tsharkAvailable } from '../helpers/tshark.ts';

const NET = '127.0.21';
const UE = '10.60.0.1';
const smfNode: P.NodeId = { type: 'ipv4', value: `${NET}.54` };
const CP_SEID = 1n;
const ni = () => P.ie(T.NetworkInstance, text('internet'));
const g = P.grouped;
/** QoS flow i (1-4): its SDF filter (none for the default flow) and its precedence. */
const FLOWS: [string | undefined, number][] = [
  [undefined, 255],
  [`permit out 17 from 198.51.100.0/24 to ${UE}`, 100],
  [`permit out 17 from 203.0.113.0/24 7 to ${UE} 5060`, 110],
  [`permit out 1 from 192.0.2.0/24 to ${UE}`, 120],
];

function establishment(): Omit<P.PfcpMessage, 'sequenceNumber'> {
  const ies: P.PfcpIe[] = [P.ie(T.NodeID, smfNode), P.ie(T.FSEID, { seid: CP_SEID, ipv4: `${NET}.54` })];
  FLOWS.forEach(([flow, precedence], i) => {
    const sdf = flow ? [P.ie(T.SDFFilter, { flowDescription: flow })] : [];
    ies.push(g(T.CreatePDR, [P.ie(T.PDRID, 2 * i + 1), P.ie(T.Precedence, precedence), g(T.PDI, [P.ie(T.SourceInterface, I.Access), P.ie(T.FTEID, { teid: 2, ipv4: `${NET}.57` }), ni(), P.ie(T.UEIPAddress, { flags: P.UeIpFlags.V4, ipv4: UE }), ...sdf]), P.ie(T.OuterHeaderRemoval, { description: 0 }), P.ie(T.FARID, 2 * i + 1), P.ie(T.URRID, 1), P.ie(T.QERID, i + 1)]));
    ies.push(g(T.CreatePDR, [P.ie(T.PDRID, 2 * i + 2), P.ie(T.Precedence, precedence), g(T.PDI, [P.ie(T.SourceInterface, I.Core), ni(), P.ie(T.UEIPAddress, { flags: P.UeIpFlags.V4 | P.UeIpFlags.SD, ipv4: UE }), ...sdf]), P.ie(T.FARID, 2 * i + 2), P.ie(T.URRID, 1), P.ie(T.QERID, i + 1)]));
  });
  FLOWS.forEach((_, i) => {
    ies.push(g(T.CreateFAR, [P.ie(T.FARID, 2 * i + 1), P.ie(T.ApplyAction, { value: A.FORW, octets: 1 }), g(T.ForwardingParameters, [P.ie(T.DestinationInterface, I.Core), ni()])]));
    ies.push(g(T.CreateFAR, [P.ie(T.FARID, 2 * i + 2), P.ie(T.ApplyAction, { value: A.DROP, octets: 1 }), P.ie(T.BARID, 1)]));
  });
  ies.push(g(T.CreateURR, [P.ie(T.URRID, 1), P.ie(T.MeasurementMethod, P.MeasurementMethod.VOLUM), P.ie(T.ReportingTriggers, { value: P.ReportingTrigger.PERIO | P.ReportingTrigger.VOLTH | P.ReportingTrigger.VOLQU, octets: 3 }), P.ie(T.MeasurementPeriod, 10), P.ie(T.VolumeThreshold, { uplink: 150n, downlink: 150n }), P.ie(T.VolumeQuota, { total: 100000n, uplink: 100000n, downlink: 100000n }), P.ie(T.MeasurementInformation, { value: P.MeasurementInformation.MNOP, octets: 1 })]));
  FLOWS.forEach((_, i) => ies.push(g(T.CreateQER, [P.ie(T.QERID, i + 1), P.ie(T.GateStatus, { ul: 0, dl: 0 }), P.ie(T.MBR, { ulKbps: 100_000, dlKbps: 100_000 }), ...(i ? [P.ie(T.GBR, { ulKbps: 1000, dlKbps: 1000 })] : []), P.ie(T.QFI, i + 1)])));
  ies.push(g(T.CreateBAR, [P.ie(T.BARID, 1)]));
  ies.push(P.ie(T.PDNType, 1));
  return { type: M.SessionEstablishmentRequest, seid: 0n, ies };
}

function modification(upSeid: bigint): Omit<P.PfcpMessage, 'sequenceNumber'> {
  return {
    type: M.SessionModificationRequest,
    seid: upSeid,
    ies: [
      P.ie(T.FSEID, { seid: CP_SEID, ipv4: `${NET}.54` }),
      ...FLOWS.map((_, i) => g(T.UpdateFAR, [P.ie(T.FARID, 2 * i + 2), P.ie(T.BARID, 1), P.ie(T.ApplyAction, { value: A.FORW, octets: 1 }), g(T.UpdateForwardingParameters, [P.ie(T.DestinationInterface, I.Access), ni(), P.ie(T.OuterHeaderCreation, { description: P.OuterHeaderCreationDescription.GtpuUdpIpv4, teid: 0x80 + i + 1, ipv4: `${NET}.58` }), P.ie(T.PFCPSMReqFlags, 0)])])),
    ],
  };
}

describe('a PFCP session shaped like free5GC SMF\'s, replayed to the UPF over loopback', () => {
  it('SMF-assigned TEID, 8 PDRs with 4 QFIs told apart by SDF filter and precedence, DROP then FORW, usage threshold and period, deletion', async () => {
    const rig = await n4Rig(NET, 'free5gc-replay');
    const before = rig.upf.ledger.snapshot();
    try {
      expect(P.get((await rig.request(P.associationSetupRequest(0, smfNode, 1, 0))).ies, T.Cause)).toBe(1);
      const est = await rig.request(establishment());
      expect(P.get(est.ies, T.Cause)).toBe(P.PfcpCause.RequestAccepted);
      expect(P.groups(est.ies, T.CreatedPDR)).toEqual([]); // the SMF chose the TEID: nothing to report (7.5.3.2)
      const upSeid = P.get(est.ies, T.FSEID)!.seid;

      // before the modification: uplink on the SMF's TEID 2 is forwarded, the downlink FARs drop
      const dropped = rig.upf.datapath.stats.droppedByFar;
      rig.uplink(2, ping(UE, '10.60.255.254', 1), 1);
      await until(() => rig.upf.datapath.stats.droppedByFar === dropped + 1);
      expect(rig.gnbIn).toHaveLength(0);

      const mod = await rig.request(modification(upSeid));
      expect(P.get(mod.ies, T.Cause)).toBe(P.PfcpCause.RequestAccepted);

      // after it: each flow's traffic comes back on its own tunnel, marked with its QER's QFI
      rig.uplink(2, ping(UE, '10.60.255.254', 2), 1);
      rig.uplink(2, udpEcho(UE, '198.51.100.5', 40000), 2);
      rig.uplink(2, udpEcho(UE, '203.0.113.9', 5060), 3);
      rig.uplink(2, ping(UE, '192.0.2.1', 3), 4);
      await until(() => rig.gnbIn.length === 4);
      const seen = rig.gnbIn.map((m) => [m.header.teid, pduSessionContainerOf(m.header)?.qfi]).sort((a, b) => a[0]! - b[0]!);
      expect(seen).toEqual([[0x81, 1], [0x82, 2], [0x83, 3], [0x84, 4]]);
      // the same UDP echo from another port is outside flow 3's filter (port 5060): the default flow takes it
      rig.uplink(2, udpEcho(UE, '203.0.113.9', 5061), 1);
      await until(() => rig.gnbIn.length === 5);
      expect(rig.gnbIn[4].header.teid).toBe(0x81);

      // the uplink volume threshold (150 octets) was crossed: a Session Report Request with VOLTH
      await until(() => rig.reports.some((r) => P.get(P.group(r.ies, T.UsageReportSRR) ?? [], T.UsageReportTrigger)?.value === P.UsageReportTrigger.VOLTH));
      // the measurement period (10 s) on the UPF's clock: a periodic report
      const n = rig.reports.length;
      rig.clock.advance(10_000);
      await until(() => rig.reports.length === n + 1);
      const perio = P.group(rig.reports[n].ies, T.UsageReportSRR)!;
      expect(P.get(perio, T.UsageReportTrigger)!.value).toBe(P.UsageReportTrigger.PERIO);
      expect(rig.reports.every((r) => r.seid === CP_SEID)).toBe(true);

      // downlink from the data network before the deletion: flow 2's filter, its tunnel and QFI
      expect(rig.downlink(udpEcho('198.51.100.5', UE, 7))).toBe(DatapathVerdict.FORWARDED);
      await until(() => rig.gnbIn.length === 6);
      expect([rig.gnbIn[5].header.teid, pduSessionContainerOf(rig.gnbIn[5].header)?.qfi]).toEqual([0x82, 2]);

      const del = await rig.request({ type: M.SessionDeletionRequest, seid: upSeid, ies: [] });
      expect(P.get(del.ies, T.Cause)).toBe(1);
      expect(P.get(P.group(del.ies, T.UsageReportSDR)!, T.UsageReportTrigger)!.value).toBe(P.UsageReportTrigger.TERMR);
      // after it, downlink for the UE's address finds no session and nothing goes to the gNB
      expect(rig.downlink(udpEcho('198.51.100.5', UE, 7))).toBe(DatapathVerdict.NO_SESSION);
      rig.uplink(2, ping(UE, '10.60.255.254', 9), 1);
      await until(() => rig.gnbIn.length === 7);
      expect(rig.gnbIn[6]).toMatchObject({ type: 'Error Indication', teidDataI: 2 });
      expect(rig.upf.ledger.snapshot()).toEqual({ ...before, 'PFCP associations': 1 });
    } finally {
      await rig.stop();
    }
    if (tsharkAvailable()) expect(problems(dissect(rig.path))).toEqual([]);
  });
});

describe('what the UPF does not implement is refused with the cause and Offending IE (TS 29.244 7.6)', () => {
  it('answers each request with its cause, and no session is left behind', async () => {
    const rig = await n4Rig('127.0.22', 'upf-refusals');
    const base = establishment();
    const pdrs = base.ies.filter((x) => x.type === T.CreatePDR);
    const others = base.ies.filter((x) => x.type !== T.CreatePDR);
    const withPdr0 = (f: (children: P.PfcpIe[]) => P.PfcpIe[]): Omit<P.PfcpMessage, 'sequenceNumber'> => ({ ...base, ies: [g(T.CreatePDR, f(pdrs[0].value as P.PfcpIe[])), ...pdrs.slice(1), ...others] });
    const refused = async (m: Omit<P.PfcpMessage, 'sequenceNumber'>) => {
      const r = await rig.request(m);
      return { cause: P.get(r.ies, T.Cause), offendingIe: P.get(r.ies, T.OffendingIE), failedRule: P.get(r.ies, T.FailedRuleID), seid: P.get(r.ies, T.FSEID) };
    };
    try {
      await rig.request(P.associationSetupRequest(0, smfNode, 1, 0));
      // a PDR activating predefined rules (none exist here)
      expect(await refused(withPdr0((c) => [...c, P.ie(T.ActivatePredefinedRules, text('gold'))]))).toEqual({ cause: 76, offendingIe: T.ActivatePredefinedRules, failedRule: undefined, seid: undefined });
      // duplication (DUPL) in a FAR
      expect(await refused({ ...base, ies: base.ies.map((x) => (x.type === T.CreateFAR && P.get(x.value as P.PfcpIe[], T.FARID) === 1 ? g(T.CreateFAR, [P.ie(T.FARID, 1), P.ie(T.ApplyAction, { value: A.FORW | A.DUPL, octets: 1 }), g(T.ForwardingParameters, [P.ie(T.DestinationInterface, I.Core)])]) : x)) })).toMatchObject({ cause: 76, offendingIe: T.ApplyAction });
      // UE address allocation by the UPF (CHV4)
      expect(await refused(withPdr0((c) => c.map((x) => (x.type === T.PDI ? g(T.PDI, [P.ie(T.SourceInterface, I.Access), P.ie(T.UEIPAddress, { flags: P.UeIpFlags.CHV4 })]) : x))))).toMatchObject({ cause: 76, offendingIe: T.UEIPAddress });
      // a User Plane Inactivity Timer (the UPF does not report inactivity)
      expect(await refused({ ...base, ies: [...base.ies, P.ie(T.UserPlaneInactivityTimer, 30)] })).toMatchObject({ cause: 76, offendingIe: T.UserPlaneInactivityTimer });
      // an IPFilterRule option the UPF cannot match
      expect(await refused(withPdr0((c) => c.map((x) => (x.type === T.PDI ? g(T.PDI, [...(x.value as P.PfcpIe[]), P.ie(T.SDFFilter, { flowDescription: 'permit out 6 from any to assigned established' })]) : x))))).toMatchObject({ cause: 76, offendingIe: T.SDFFilter });
      // a PDR pointing at a FAR that does not exist: cause 73 with the Failed Rule ID
      expect(await refused(withPdr0((c) => c.map((x) => (x.type === T.FARID ? P.ie(T.FARID, 99) : x))))).toMatchObject({ cause: 73, failedRule: { ruleType: P.RuleIdType.PDR, id: 1 } });
      // an Application ID the UPF has no definition for, then one it has
      expect(await refused(withPdr0((c) => c.map((x) => (x.type === T.PDI ? g(T.PDI, [...(x.value as P.PfcpIe[]).filter((y) => y.type !== T.SDFFilter), P.ie(T.ApplicationID, text('unknown-app'))]) : x))))).toMatchObject({ cause: 73, failedRule: { ruleType: P.RuleIdType.PDR, id: 1 } });
      const app = await refused(withPdr0((c) => c.map((x) => (x.type === T.PDI ? g(T.PDI, [...(x.value as P.PfcpIe[]), P.ie(T.ApplicationID, { text: 'web-video', octets: new TextEncoder().encode('web-video') })]) : x))));
      expect(app.cause).toBe(1);
      expect(rig.upf.datapath.sessions).toBe(1);
      // a modification of a rule that does not exist changes nothing
      const mod = await rig.request({ type: M.SessionModificationRequest, seid: app.seid!.seid, ies: [g(T.UpdatePDR, [P.ie(T.PDRID, 42), P.ie(T.FARID, 1)]), g(T.RemoveFAR, [P.ie(T.FARID, 2)])] });
      expect(P.get(mod.ies, T.Cause)).toBe(73);
      expect(P.get(mod.ies, T.FailedRuleID)).toEqual({ ruleType: P.RuleIdType.PDR, id: 42 });
      expect(rig.upf.datapath.rulesOf(Number(app.seid!.seid))!.fars).toHaveLength(8);
    } finally {
      await rig.stop();
    }
    if (tsharkAvailable()) expect(problems(dissect(rig.path))).toEqual([]);
  });
});
