// What the SMF needs from the layers below, as ports: N4 towards the UPF (PFCP), and the N1 SM
// (NAS 5GSM, TS 24.501 8.3) and N2 SM (NGAP transfers, TS 38.413 9.3.4) content it exchanges
// through the AMF. The SMF's procedures are written against these; `nodes/smf/adapters.ts` binds
// them to codecs/pfcp, codecs/nas and codecs/ngap and to the PFCP endpoint.

import type { UsageReport } from '../upf/datapath.ts';
import type { SessionQos } from './policy-decision.ts';
import type { UrrThresholdUpdate, MonitoredFlowSpec } from '../../codecs/pfcp/index.ts';
import type { SecondaryRatUsageInfo } from './secondary-rat-usage.ts';

/** A Usage Report as the SMF reads it (TS 29.244 7.5.7.2, 7.5.8.3): the URR it is about, and the usage. */
export interface UrrUsageReport extends UsageReport {
  urrId: number;
}

export interface N4SessionEstablishment {
  /** CP F-SEID the SMF allocated. */
  cpSeid: bigint;
  ueAddress: string;
  qfi: number;
  /** Session-AMBR the PCF authorized, enforced by the UPF's QER (TS 29.244 5.4.1, TS 23.501 5.7.2.6). */
  ambrUplinkKbps: number;
  ambrDownlinkKbps: number;
  dnn: string;
  /** Usage monitoring the PCF installed (TS 29.512 UsageMonitoringData volumeThreshold): the session URR's volume threshold. */
  volumeThresholdOctets?: number;
  /** Usage monitoring per Monitoring Key (the PCC rules referencing a UsageMonitoringData): a URR and PDRs each. */
  monitoredFlows?: readonly MonitoredFlowSpec[];
  /** Comment for the capture, e.g. '4.3.2.2.1 step 10a'. */
  step: string;
}

export interface N4SessionEstablished {
  /** UP F-SEID the UPF allocated. */
  upSeid: bigint;
  /** The UPF's N3 F-TEID (the UPF allocates it: CH flag, TS 29.244 5.5.3). */
  upfN3Teid: number;
  upfN3Address: string;
}

export interface N4 {
  establish(req: N4SessionEstablishment): Promise<N4SessionEstablished>;
  /** Downlink FAR to forward to the gNB's tunnel (4.3.2.2.1 step 16a); or to drop/buffer. */
  modify(upSeid: bigint, change: { gnbTeid?: number; gnbAddress?: string; downlink: 'forward' | 'buffer' | 'drop' }, step: string): Promise<void>;
  /** N4 Session Release (4.2.2.3.2 step 3a); resolves with the final usage report of each URR (step 3b). */
  delete(upSeid: bigint, step: string): Promise<UrrUsageReport[] | undefined>;
  /** Usage monitoring changed by the PCF (TS 23.502 4.16.5.1): Update URR with a new volume threshold, or VOLTH off (TS 29.244 7.5.4.4). */
  updateUrrs?(upSeid: bigint, urrs: readonly UrrThresholdUpdate[], step: string): Promise<void>;
  /** The Session-AMBR changed (TS 23.502 4.3.3.2 step 8a): Update QER with the new MBR (TS 29.244 7.5.4.5). */
  updateSessionAmbr?(upSeid: bigint, ambr: { uplinkKbps: number; downlinkKbps: number }, step: string): Promise<void>;
  /** Usage reports the UPF sends on its own (Session Report Request, TS 29.244 7.5.8: one per URR reporting), by CP SEID; one handler. */
  onUsageReport?(handler: (cpSeid: bigint, reports: UrrUsageReport[]) => void): void;
  /**
   * The UPF restarted (a new Recovery Time Stamp, TS 29.244 6.2.2): its PFCP sessions are gone.
   * Called once the association is set up again (or that failed); one handler.
   */
  onPeerRestart?(handler: (r: { reassociated: boolean; error?: string }) => void): void;
}

/** The decoded PDU Session Establishment Request (TS 24.501 8.3.1). */
export interface PduSessionEstablishmentRequestInfo {
  pduSessionId: number;
  pti: number;
  /** 1 IPv4, 2 IPv6, 3 IPv4v6, ... (TS 24.501 9.11.4.11); undefined when the UE did not say. */
  pduSessionType?: number;
  sscMode?: number;
  /** The ePCO asked for the PVS addresses (container 0036H MS to network, TS 24.008 10.5.6.3). */
  pvsInformationRequested?: boolean;
}

export interface PduSessionEstablishmentAcceptInfo {
  pduSessionId: number;
  pti: number;
  ueAddress: string;
  /** The authorized QoS (policy-decision.ts): default QoS flow's QFI and 5QI, Session-AMBR (TS 24.501 9.11.4.14). */
  qos: SessionQos;
  sst: number;
  sd?: string;
  dnn: string;
  /** PVS IPv4, IPv6 addresses and FQDNs for the UE, in the ePCO (containers 0036H, 0037H, 0038H network to MS); SNPN onboarding. */
  pvsAddresses?: string[];
}

export interface SmN1 {
  decodeEstablishmentRequest(n1: Uint8Array): PduSessionEstablishmentRequestInfo;
  establishmentAccept(a: PduSessionEstablishmentAcceptInfo): Uint8Array;
  /** PDU Session Establishment Reject with 5GSM cause (TS 24.501 8.3.3). */
  establishmentReject(pduSessionId: number, pti: number, cause: number): Uint8Array;
  /** 5GSM STATUS (TS 24.501 8.3.16) with a 5GSM cause (7.4: a message the SMF does not implement, #97). */
  status(pduSessionId: number, pti: number, cause: number): Uint8Array;
  /** PDU Session Release Command (TS 24.501 8.3.14) for network-requested release. */
  releaseCommand(pduSessionId: number, pti: number, cause: number): Uint8Array;
  /**
   * The PDU Session Release Command `command` (built by the H-SMF) with the Alternative S-NSSAI IE
   * (TS 24.501 8.3.14, IEI 5A, S-NSSAI 9.11.2.8) added, every other IE kept: the V-SMF's step 4 for
   * a network slice replacement (TS 23.502 4.3.4.3 step 4, 4.3.4.2 step 5c).
   */
  withAlternativeSnssai(command: Uint8Array, alternative: { sst: number; sd?: string; mappedSst?: number; mappedSd?: string }): Uint8Array;
  /**
   * PDU Session Modification Command (TS 24.501 8.3.9), PTI 0: the new Session-AMBR, and the default
   * QoS flow's description with its new 5QI (operation "modify existing QoS flow description").
   */
  modificationCommand?(pduSessionId: number, qos: SessionQos): Uint8Array;
  /** Any 5GSM message from the UE, by its TS 24.501 name (e.g. 'PDU session release request', 8.3.12). */
  decodeSmMessage(n1: Uint8Array): SmMessageInfo;
  /** The default QoS rule of a QoS flow (TS 24.501 9.11.4.13 value), as N16 carries it (TS 29.502 QosFlowSetupItem.qosRules). */
  defaultQosRules(qfi: number): Uint8Array;
}

/** The header and 5GSM cause of a 5GSM message (TS 24.501 8.3). */
export interface SmMessageInfo {
  name: string;
  pduSessionId: number;
  pti: number;
  fiveGsmCause?: number;
}

export interface SmN2 {
  /** PDUSessionResourceSetupRequestTransfer (TS 38.413 9.3.4.1) with the UPF's UL tunnel. */
  setupRequestTransfer(p: { upfN3Teid: number; upfN3Address: string; qos: SessionQos }): Uint8Array;
  /** PDUSessionResourceSetupResponseTransfer (9.3.4.2): the gNB's DL tunnel. */
  decodeSetupResponseTransfer(n2: Uint8Array): { gnbTeid: number; gnbAddress: string };
  /** PDUSessionResourceSetupUnsuccessfulTransfer (9.3.4.16): the NG-RAN's cause, as 'group/value' (e.g. 'radioNetwork/radio-resources-not-available'). */
  decodeSetupUnsuccessfulTransfer(n2: Uint8Array): { cause: string };
  /**
   * PDUSessionResourceModifyRequestTransfer (9.3.4.3): the new PDU Session Aggregate Maximum Bit
   * Rate and, when its 5QI or ARP changed, the default QoS flow in the QoS Flow Add or Modify
   * Request List with its new QoS parameters.
   */
  modifyRequestTransfer?(qos: SessionQos, flowChanged: boolean): Uint8Array;
  /** PDUSessionResourceModifyResponseTransfer (9.3.4.4): the QFIs the NG-RAN modified. */
  decodeModifyResponseTransfer?(n2: Uint8Array): { qfis: number[] };
  /** PDUSessionResourceReleaseCommandTransfer (9.3.4.12) with a cause. */
  releaseCommandTransfer(cause: { group: 'nas' | 'radioNetwork'; value: string }): Uint8Array;
  /** PDUSessionResourceReleaseResponseTransfer (9.3.4): the Secondary RAT usage the NG-RAN reported, as TS 29.571 SecondaryRatUsageInfo. */
  decodeReleaseResponseTransfer(n2: Uint8Array): { secondaryRatUsageInfo?: SecondaryRatUsageInfo[] };
}
