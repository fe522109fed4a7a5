// Builders for the PFCP messages wire5g's SMF and UPF send, laid out like the IE tables of
// TS 29.244 clause 7 (one line per IE, grouped IEs nested as in the spec).

import { PfcpIeType as T, PfcpMessageType as M } from './types.ts';
import { ApplyAction, Interface, MeasurementMethod, OuterHeaderCreationDescription, UeIpFlags, Gate, ReportingTrigger, text, type NodeId, type VolumeMeasurement } from './ies.ts';
import { ie, grouped, type PfcpIe, type PfcpMessage } from './message.ts';

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970), for Recovery Time Stamp etc. */
export const NTP_UNIX_OFFSET = 2_208_988_800;
export function ntpSeconds(unixSeconds: number): number {
  return (Math.floor(unixSeconds) + NTP_UNIX_OFFSET) >>> 0;
}

// --- node messages (TS 29.244 7.4) -------------------------------------------------------------

export const heartbeatRequest = (seq: number, recoveryTimeStamp: number): PfcpMessage => ({ type: M.HeartbeatRequest, sequenceNumber: seq, ies: [ie(T.RecoveryTimeStamp, recoveryTimeStamp)] });
export const heartbeatResponse = (seq: number, recoveryTimeStamp: number): PfcpMessage => ({ type: M.HeartbeatResponse, sequenceNumber: seq, ies: [ie(T.RecoveryTimeStamp, recoveryTimeStamp)] });

/** 7.4.4.1; CP Function Features are sent by the SMF. */
export function associationSetupRequest(seq: number, nodeId: NodeId, recoveryTimeStamp: number, cpFeatures?: number): PfcpMessage {
  return {
    type: M.AssociationSetupRequest,
    sequenceNumber: seq,
    ies: [ie(T.NodeID, nodeId), ie(T.RecoveryTimeStamp, recoveryTimeStamp), ...(cpFeatures !== undefined ? [ie(T.CPFunctionFeatures, { value: cpFeatures, octets: 1 })] : [])],
  };
}

/** 7.4.4.2; UP Function Features are sent by the UPF. */
export function associationSetupResponse(seq: number, nodeId: NodeId, cause: number, recoveryTimeStamp: number, upFeatures?: { value: number; octets: number }): PfcpMessage {
  return {
    type: M.AssociationSetupResponse,
    sequenceNumber: seq,
    ies: [ie(T.NodeID, nodeId), ie(T.Cause, cause), ie(T.RecoveryTimeStamp, recoveryTimeStamp), ...(upFeatures ? [ie(T.UPFunctionFeatures, upFeatures)] : [])],
  };
}

export const associationUpdateRequest = (seq: number, nodeId: NodeId): PfcpMessage => ({ type: M.AssociationUpdateRequest, sequenceNumber: seq, ies: [ie(T.NodeID, nodeId)] });
export const associationUpdateResponse = (seq: number, nodeId: NodeId, cause: number): PfcpMessage => ({ type: M.AssociationUpdateResponse, sequenceNumber: seq, ies: [ie(T.NodeID, nodeId), ie(T.Cause, cause)] });
export const associationReleaseRequest = (seq: number, nodeId: NodeId): PfcpMessage => ({ type: M.AssociationReleaseRequest, sequenceNumber: seq, ies: [ie(T.NodeID, nodeId)] });
export const associationReleaseResponse = (seq: number, nodeId: NodeId, cause: number): PfcpMessage => ({ type: M.AssociationReleaseResponse, sequenceNumber: seq, ies: [ie(T.NodeID, nodeId), ie(T.Cause, cause)] });

// --- session messages (TS 29.244 7.5) ----------------------------------------------------------

/** The rules of one IPv4 PDU session with one QoS flow, as wire5g's SMF installs them. */
export interface SessionRulesSpec {
  nodeId: NodeId;
  cpSeid: bigint;
  cpAddress: string;
  ueAddress: string;
  qfi: number;
  /** Network instance of the access side (N3) and of the core side (N6), e.g. 'access' / 'internet'. */
  accessInstance: string;
  coreInstance: string;
  ambrUlKbps: number;
  ambrDlKbps: number;
  /** Usage monitoring (TS 29.244 5.2.2.2): the URR reports when this many octets (UL + DL) were used (VOLTH, 8.2.13 total volume). */
  volumeThresholdOctets?: number;
  /**
   * Usage monitoring per Monitoring Key (TS 23.503 6.2.2.3): for each, a URR of its own and an
   * uplink and a downlink PDR with the key's PCC rule as SDF filter, linked to both the session
   * URR and the key's (so the session counts all traffic, the key only its own).
   */
  monitoredFlows?: readonly MonitoredFlowSpec[];
}

/** One Monitoring Key's PCC rule as the UPF enforces it: its SDF, precedence and URR. */
export interface MonitoredFlowSpec {
  urrId: number;
  /** TS 29.212 5.4.2 IPFilterRule, written for the downlink (SDF Filter, 8.2.5). */
  flowDescription: string;
  /** Lower than the session's match-all PDRs (255), so matched first (8.2.11). */
  precedence: number;
  volumeThresholdOctets?: number;
}

/** The PDR IDs of the i-th monitored flow: uplink, downlink (after PDR_UPLINK and PDR_DOWNLINK). */
export const monitoredPdrIds = (i: number): [number, number] => [3 + 2 * i, 4 + 2 * i];
/** CHOOSE ID (8.2.3) shared by the uplink PDRs of a session with monitored flows: one N3 F-TEID for all. */
const N3_CHOOSE_ID = 1;

/** Create URR (7.5.2.4): volume and duration measured, VOLTH when a threshold is given. */
function createUrr(urrId: number, volumeThresholdOctets: number | undefined): PfcpIe {
  return grouped(T.CreateURR, [
    ie(T.URRID, urrId),
    ie(T.MeasurementMethod, MeasurementMethod.VOLUM | MeasurementMethod.DURAT),
    ie(T.ReportingTriggers, { value: volumeThresholdOctets !== undefined ? ReportingTrigger.VOLTH : 0, octets: 2 }),
    ...(volumeThresholdOctets !== undefined ? [ie(T.VolumeThreshold, { total: BigInt(volumeThresholdOctets) })] : []),
  ]);
}

export const PDR_UPLINK = 1;
export const PDR_DOWNLINK = 2;
export const FAR_UPLINK = 1;
export const FAR_DOWNLINK = 2;
export const QER_SESSION = 1;
export const URR_SESSION = 1;

/**
 * 7.5.2 Session Establishment Request (TS 23.502 4.3.2.2.1 step 10a): an uplink PDR matching the
 * UPF-allocated N3 F-TEID (CH) and the QFI, removing the GTP-U header and forwarding to the core;
 * a downlink PDR matching the UE address, buffering (BUFF|NOCP) until the gNB's tunnel is known;
 * one QER with the session AMBR and QFI; one URR measuring volume and duration. With usage
 * monitoring per Monitoring Key, a pair of PDRs per key (its SDF filter, its URR) beside them.
 */
export function sessionEstablishmentRequest(seq: number, s: SessionRulesSpec): PfcpMessage {
  const flows = s.monitoredFlows ?? [];
  // with several uplink PDRs on the one N3 tunnel, the UPF chooses one F-TEID for all (CHOOSE ID, TS 29.244 5.5.3)
  const n3Teid = { choose: { v4: true, v6: false, ...(flows.length ? { chooseId: N3_CHOOSE_ID } : {}) } };
  return {
    type: M.SessionEstablishmentRequest,
    seid: 0n,
    sequenceNumber: seq,
    ies: [
      ie(T.NodeID, s.nodeId),
      ie(T.FSEID, { seid: s.cpSeid, ipv4: s.cpAddress }),
      grouped(T.CreatePDR, [
        ie(T.PDRID, PDR_UPLINK),
        ie(T.Precedence, 255),
        grouped(T.PDI, [
          ie(T.SourceInterface, Interface.Access),
          ie(T.FTEID, n3Teid),
          ie(T.NetworkInstance, text(s.accessInstance)),
          ie(T.QFI, s.qfi),
        ]),
        ie(T.OuterHeaderRemoval, { description: 0 }), // GTP-U/UDP/IPv4
        ie(T.FARID, FAR_UPLINK),
        ie(T.URRID, URR_SESSION),
        ie(T.QERID, QER_SESSION),
      ]),
      grouped(T.CreatePDR, [
        ie(T.PDRID, PDR_DOWNLINK),
        ie(T.Precedence, 255),
        grouped(T.PDI, [
          ie(T.SourceInterface, Interface.Core),
          ie(T.NetworkInstance, text(s.coreInstance)),
          ie(T.UEIPAddress, { flags: UeIpFlags.V4 | UeIpFlags.SD, ipv4: s.ueAddress }),
        ]),
        ie(T.FARID, FAR_DOWNLINK),
        ie(T.URRID, URR_SESSION),
        ie(T.QERID, QER_SESSION),
      ]),
      ...flows.flatMap((f, i) => monitoredPdrs(s, f, i, n3Teid)),
      grouped(T.CreateFAR, [ie(T.FARID, FAR_UPLINK), ie(T.ApplyAction, { value: ApplyAction.FORW, octets: 2 }), grouped(T.ForwardingParameters, [ie(T.DestinationInterface, Interface.Core), ie(T.NetworkInstance, text(s.coreInstance))])]),
      grouped(T.CreateFAR, [ie(T.FARID, FAR_DOWNLINK), ie(T.ApplyAction, { value: ApplyAction.BUFF | ApplyAction.NOCP, octets: 2 })]),
      grouped(T.CreateQER, [ie(T.QERID, QER_SESSION), ie(T.GateStatus, { ul: Gate.OPEN, dl: Gate.OPEN }), ie(T.MBR, { ulKbps: s.ambrUlKbps, dlKbps: s.ambrDlKbps }), ie(T.QFI, s.qfi)]),
      createUrr(URR_SESSION, s.volumeThresholdOctets),
      ...flows.map((f) => createUrr(f.urrId, f.volumeThresholdOctets)),
      ie(T.PDNType, 1), // IPv4
    ],
  };
}

/** The uplink and downlink PDRs of a monitored flow: the session's PDRs narrowed by the key's SDF filter, with its URR too. */
function monitoredPdrs(s: SessionRulesSpec, f: MonitoredFlowSpec, i: number, n3Teid: { choose: { v4: boolean; v6: boolean; chooseId?: number } }): PfcpIe[] {
  const [ul, dl] = monitoredPdrIds(i);
  const sdf = ie(T.SDFFilter, { flowDescription: f.flowDescription });
  return [
    grouped(T.CreatePDR, [
      ie(T.PDRID, ul),
      ie(T.Precedence, f.precedence),
      grouped(T.PDI, [ie(T.SourceInterface, Interface.Access), ie(T.FTEID, n3Teid), ie(T.NetworkInstance, text(s.accessInstance)), sdf, ie(T.QFI, s.qfi)]),
      ie(T.OuterHeaderRemoval, { description: 0 }),
      ie(T.FARID, FAR_UPLINK),
      ie(T.URRID, URR_SESSION),
      ie(T.URRID, f.urrId),
      ie(T.QERID, QER_SESSION),
    ]),
    grouped(T.CreatePDR, [
      ie(T.PDRID, dl),
      ie(T.Precedence, f.precedence),
      grouped(T.PDI, [ie(T.SourceInterface, Interface.Core), ie(T.NetworkInstance, text(s.coreInstance)), ie(T.UEIPAddress, { flags: UeIpFlags.V4 | UeIpFlags.SD, ipv4: s.ueAddress }), sdf]),
      ie(T.FARID, FAR_DOWNLINK),
      ie(T.URRID, URR_SESSION),
      ie(T.URRID, f.urrId),
      ie(T.QERID, QER_SESSION),
    ]),
  ];
}

/** 7.5.3 Session Establishment Response with the UP F-SEID and the TEID the UPF chose for the uplink PDR. */
export function sessionEstablishmentResponse(seq: number, cpSeid: bigint, nodeId: NodeId, cause: number, up?: { seid: bigint; address: string; n3Teid: number; n3Address: string }): PfcpMessage {
  const ies: PfcpIe[] = [ie(T.NodeID, nodeId), ie(T.Cause, cause)];
  if (up) {
    ies.push(ie(T.FSEID, { seid: up.seid, ipv4: up.address }));
    ies.push(grouped(T.CreatedPDR, [ie(T.PDRID, PDR_UPLINK), ie(T.FTEID, { teid: up.n3Teid, ipv4: up.n3Address })]));
  }
  return { type: M.SessionEstablishmentResponse, seid: cpSeid, sequenceNumber: seq, ies };
}

/**
 * 7.5.4 Session Modification Request: the downlink FAR forwards to the gNB's N3 tunnel
 * (TS 23.502 4.3.2.2.1 step 16a), or is set to buffer or drop.
 */
export function sessionModificationRequest(seq: number, upSeid: bigint, downlink: { action: 'forward'; gnbTeid: number; gnbAddress: string } | { action: 'buffer' } | { action: 'drop' }): PfcpMessage {
  const update: PfcpIe[] = [ie(T.FARID, FAR_DOWNLINK)];
  if (downlink.action === 'forward') {
    update.push(ie(T.ApplyAction, { value: ApplyAction.FORW, octets: 2 }));
    update.push(grouped(T.UpdateForwardingParameters, [ie(T.DestinationInterface, Interface.Access), ie(T.OuterHeaderCreation, { description: OuterHeaderCreationDescription.GtpuUdpIpv4, teid: downlink.gnbTeid, ipv4: downlink.gnbAddress })]));
  } else {
    update.push(ie(T.ApplyAction, { value: downlink.action === 'buffer' ? ApplyAction.BUFF | ApplyAction.NOCP : ApplyAction.DROP, octets: 2 }));
  }
  return { type: M.SessionModificationRequest, seid: upSeid, sequenceNumber: seq, ies: [grouped(T.UpdateFAR, update)] };
}

/**
 * 7.5.4 Session Modification Request with Update QER (7.5.4.5): the session QER's MBR set to a new
 * Session-AMBR (TS 23.502 4.3.3.2 step 8a after the PCF's or the subscription's change).
 */
export function sessionModificationRequestUpdateQer(seq: number, upSeid: bigint, mbr: { ulKbps: number; dlKbps: number }): PfcpMessage {
  return { type: M.SessionModificationRequest, seid: upSeid, sequenceNumber: seq, ies: [grouped(T.UpdateQER, [ie(T.QERID, QER_SESSION), ie(T.MBR, mbr)])] };
}

/** A URR's usage monitoring as the SMF changes it: a new volume threshold, or none (monitoring stopped). */
export interface UrrThresholdUpdate {
  urrId: number;
  /** Total volume threshold in octets (VOLTH, 8.2.13); absent: the URR no longer reports on volume. */
  volumeThresholdOctets?: number;
}

/**
 * 7.5.4 Session Modification Request with Update URR (7.5.4.4): the usage monitoring the PCF
 * decided after a usage report (TS 23.502 4.16.5.1, TS 23.503 6.2.2.3), i.e. a new volume
 * threshold (Reporting Triggers VOLTH, Volume Threshold) or VOLTH off.
 */
export function sessionModificationRequestUpdateUrr(seq: number, upSeid: bigint, urrs: readonly UrrThresholdUpdate[]): PfcpMessage {
  return {
    type: M.SessionModificationRequest,
    seid: upSeid,
    sequenceNumber: seq,
    ies: urrs.map((u) =>
      grouped(T.UpdateURR, [
        ie(T.URRID, u.urrId),
        ie(T.ReportingTriggers, { value: u.volumeThresholdOctets !== undefined ? ReportingTrigger.VOLTH : 0, octets: 2 }),
        ...(u.volumeThresholdOctets !== undefined ? [ie(T.VolumeThreshold, { total: BigInt(u.volumeThresholdOctets) })] : []),
      ]),
    ),
  };
}

/** A Usage Report (TS 29.244 7.5.5.2 / 7.5.7.2 / 7.5.8.3) of the session URR. */
export interface UsageReportSpec {
  /** The URR reported on (default URR_SESSION, wire5g's SMF's one URR). */
  urrId?: number;
  urSeqn: number;
  /** Usage Report Trigger flags (e.g. TERMR on deletion). */
  trigger: number;
  startTime: number;
  endTime: number;
  volume: VolumeMeasurement;
  durationSeconds: number;
}

/** The children of a Usage Report IE (7.5.5.2, 7.5.7.2, 7.5.8.3). */
export function usageReportIes(u: UsageReportSpec): PfcpIe[] {
  return [
    ie(T.URRID, u.urrId ?? URR_SESSION),
    ie(T.URSEQN, u.urSeqn),
    ie(T.UsageReportTrigger, { value: u.trigger, octets: 3 }),
    ie(T.StartTime, u.startTime),
    ie(T.EndTime, u.endTime),
    ie(T.VolumeMeasurement, u.volume),
    ie(T.DurationMeasurement, u.durationSeconds),
  ];
}

export function sessionModificationResponse(seq: number, cpSeid: bigint, cause: number, usage?: UsageReportSpec): PfcpMessage {
  return { type: M.SessionModificationResponse, seid: cpSeid, sequenceNumber: seq, ies: [ie(T.Cause, cause), ...(usage ? [grouped(T.UsageReportSMR, usageReportIes(usage))] : [])] };
}

/** 7.5.6 Session Deletion Request (TS 23.502 4.2.2.3.2 step 3a): the header SEID says which. */
export const sessionDeletionRequest = (seq: number, upSeid: bigint): PfcpMessage => ({ type: M.SessionDeletionRequest, seid: upSeid, sequenceNumber: seq, ies: [] });

/** 7.5.7 Session Deletion Response (step 3b) with the final usage report. */
export function sessionDeletionResponse(seq: number, cpSeid: bigint, cause: number, usage?: UsageReportSpec, offendingIe?: number): PfcpMessage {
  return {
    type: M.SessionDeletionResponse,
    seid: cpSeid,
    sequenceNumber: seq,
    ies: [ie(T.Cause, cause), ...(offendingIe !== undefined ? [ie(T.OffendingIE, offendingIe)] : []), ...(usage ? [grouped(T.UsageReportSDR, usageReportIes(usage))] : [])],
  };
}

/** 7.5.8 Session Report Request: a usage report or a downlink data report. */
export function sessionReportRequest(seq: number, cpSeid: bigint, report: { usage: UsageReportSpec } | { downlinkDataPdrId: number }): PfcpMessage {
  const ies: PfcpIe[] =
    'usage' in report
      ? [ie(T.ReportType, 2), grouped(T.UsageReportSRR, usageReportIes(report.usage))] // USAR
      : [ie(T.ReportType, 1), grouped(T.DownlinkDataReport, [ie(T.PDRID, report.downlinkDataPdrId)])]; // DLDR
  return { type: M.SessionReportRequest, seid: cpSeid, sequenceNumber: seq, ies };
}

export const sessionReportResponse = (seq: number, upSeid: bigint, cause: number): PfcpMessage => ({ type: M.SessionReportResponse, seid: upSeid, sequenceNumber: seq, ies: [ie(T.Cause, cause)] });

