// PFCP messages of a home-routed PDU session's visited UPF (TS 23.502 4.3.2.2.2, TS 29.244 5.2):
// the V-UPF sits between N3 (the gNB) and N9 (the H-UPF), an intermediate UPF with no N6. Its
// session: an uplink PDR on the UPF-chosen N3 F-TEID (CHOOSE ID 1) and a downlink PDR on the
// UPF-chosen N9 F-TEID (CHOOSE ID 2, TS 29.244 5.5.3: two CHOOSE IDs give two TEIDs), each with
// its FAR buffering until the far end's tunnel is known; one QER (QFI; the Session-AMBR is the
// H-UPF's to enforce, TS 23.501 5.7.1.8) and one URR
// (volume and duration, so that "stop forwarding" also stops counting, TS 23.502 4.3.4.3).

import { PfcpIeType as T, PfcpMessageType as M } from './types.ts';
import { ApplyAction, Interface, MeasurementMethod, OuterHeaderCreationDescription, Gate, text, type NodeId } from './ies.ts';
import { ie, grouped, type PfcpIe, type PfcpMessage } from './message.ts';
import { PDR_UPLINK, PDR_DOWNLINK, FAR_UPLINK, FAR_DOWNLINK, QER_SESSION, URR_SESSION } from './build.ts';

export interface IntermediateSessionSpec {
  nodeId: NodeId;
  cpSeid: bigint;
  cpAddress: string;
  qfi: number;
  /** Network instances of N3 and of N9, e.g. 'access' / 'n9'. */
  accessInstance: string;
  n9Instance: string;
}

/** The CHOOSE IDs of the V-UPF's N3 (uplink in) and N9 (downlink in) F-TEIDs. */
export const CHOOSE_ID_N3 = 1;
export const CHOOSE_ID_N9 = 2;

/** 7.5.2 Session Establishment Request for the V-UPF (TS 23.502 4.3.2.2.2 step 5a). */
export function intermediateSessionEstablishmentRequest(seq: number, s: IntermediateSessionSpec): PfcpMessage {
  const pdr = (id: number, source: number, chooseId: number, instance: string, far: number) =>
    grouped(T.CreatePDR, [
      ie(T.PDRID, id),
      ie(T.Precedence, 255),
      grouped(T.PDI, [ie(T.SourceInterface, source), ie(T.FTEID, { choose: { v4: true, v6: false, chooseId } }), ie(T.NetworkInstance, text(instance)), ie(T.QFI, s.qfi)]),
      ie(T.OuterHeaderRemoval, { description: 0 }), // GTP-U/UDP/IPv4
      ie(T.FARID, far),
      ie(T.URRID, URR_SESSION),
      ie(T.QERID, QER_SESSION),
    ]);
  return {
    type: M.SessionEstablishmentRequest,
    seid: 0n,
    sequenceNumber: seq,
    ies: [
      ie(T.NodeID, s.nodeId),
      ie(T.FSEID, { seid: s.cpSeid, ipv4: s.cpAddress }),
      pdr(PDR_UPLINK, Interface.Access, CHOOSE_ID_N3, s.accessInstance, FAR_UPLINK),
      pdr(PDR_DOWNLINK, Interface.Core, CHOOSE_ID_N9, s.n9Instance, FAR_DOWNLINK),
      grouped(T.CreateFAR, [ie(T.FARID, FAR_UPLINK), ie(T.ApplyAction, { value: ApplyAction.BUFF, octets: 2 })]),
      grouped(T.CreateFAR, [ie(T.FARID, FAR_DOWNLINK), ie(T.ApplyAction, { value: ApplyAction.BUFF, octets: 2 })]),
      grouped(T.CreateQER, [ie(T.QERID, QER_SESSION), ie(T.GateStatus, { ul: Gate.OPEN, dl: Gate.OPEN }), ie(T.QFI, s.qfi)]),
      grouped(T.CreateURR, [ie(T.URRID, URR_SESSION), ie(T.MeasurementMethod, MeasurementMethod.VOLUM | MeasurementMethod.DURAT), ie(T.ReportingTriggers, { value: 0, octets: 2 })]),
      ie(T.PDNType, 1), // IPv4
    ],
  };
}

/**
 * 7.5.4 Session Modification Request of the uplink FAR: forward over N9 to the H-UPF's tunnel
 * (TS 23.502 4.3.2.2.2, after the H-SMF's answer), or drop: "stop forwarding uplink traffic"
 * (TS 23.502 4.3.4.3 steps 1a, 1c, 1f).
 */
export function uplinkFarModificationRequest(seq: number, upSeid: bigint, uplink: { action: 'forward'; teid: number; address: string } | { action: 'drop' }): PfcpMessage {
  const update: PfcpIe[] = [ie(T.FARID, FAR_UPLINK)];
  if (uplink.action === 'forward') {
    update.push(ie(T.ApplyAction, { value: ApplyAction.FORW, octets: 2 }));
    update.push(grouped(T.UpdateForwardingParameters, [ie(T.DestinationInterface, Interface.Core), ie(T.OuterHeaderCreation, { description: OuterHeaderCreationDescription.GtpuUdpIpv4, teid: uplink.teid, ipv4: uplink.address })]));
  } else update.push(ie(T.ApplyAction, { value: ApplyAction.DROP, octets: 2 }));
  return { type: M.SessionModificationRequest, seid: upSeid, sequenceNumber: seq, ies: [grouped(T.UpdateFAR, update)] };
}
