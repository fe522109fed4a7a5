// The radio side between wire5g's UE and gNB, in process. wire5g emulates the core network and
// its N1/N2/N3 interfaces on the wire; the NR radio (RRC, PDCP, RLC, MAC, TS 38.300) is not
// emulated: RRC's role here is only to carry NAS and the data radio bearers' IP packets, as
// TS 38.331 does with RRCSetupComplete (the initial NAS message, 5.3.3.4), ULInformationTransfer
// / DLInformationTransfer (5.7.1, 5.7.2) and RRCRelease (5.3.8). Nothing of it goes to the capture.

import type { AnParameters } from './snpn.ts';

/** TS 38.413 9.3.1.111 RRC Establishment Cause (the values NGAP carries). */
export type RrcEstablishmentCause = 'emergency' | 'highPriorityAccess' | 'mt-Access' | 'mo-Signalling' | 'mo-Data' | 'mo-VoiceCall' | 'mo-VideoCall' | 'mo-SMS' | 'mps-PriorityAccess' | 'mcs-PriorityAccess';

/** What the gNB calls on a UE. */
export interface UuUeSide {
  /** DLInformationTransfer: a NAS PDU from the AMF (DownlinkNASTransport, or the NAS-PDU of an N2 request). */
  onDownlinkNas(nas: Uint8Array): void;
  /** A downlink IP packet on the data radio bearer of a PDU session. */
  onDownlinkData(pduSessionId: number, packet: Uint8Array): void;
  /** RRCRelease: the gNB released the RRC connection (after NGAP UE Context Release). */
  onRrcRelease(): void;
  /**
   * Paging (TS 38.304 7, TS 38.331 5.3.2) of a UE in RRC_IDLE camped on the cell, with the
   * 5G-S-TMSI the AMF paged (TS 38.413 8.5.1): the UE it names answers with a new RRC connection.
   */
  onPaging?(fiveGSTmsi: { amfSetId: number; amfPointer: number; tmsi: number }): void;
}

/** What an uplink NAS message is: its name and the TS 23.502 step that sends it, e.g. '4.2.2.3.2 step 1'. */
export interface UplinkNasLabel {
  message: string;
  step: string;
}

/** A UE's RRC connection, as the UE holds it. */
export interface UuConnection {
  /**
   * ULInformationTransfer with a NAS PDU (the gNB sends it in UplinkNASTransport). `about` names
   * the NAS message and its TS 23.502 step, for the trace and capture comment of the NGAP message
   * that carries it (the gNB cannot read a ciphered message).
   */
  uplinkNas(nas: Uint8Array, about?: UplinkNasLabel): void;
  /** An uplink IP packet on the data radio bearer of a PDU session (the gNB tunnels it on N3). */
  uplinkData(pduSessionId: number, packet: Uint8Array): void;
  /** The UE leaves the cell without signalling (e.g. after switch off, or T3521 expiry). */
  release(): void;
  /**
   * Present when the cell could not set the connection up at once (it admits RRC connections at
   * a bounded rate, nodes/gnb/admission.ts): settles when it is set up and the initial NAS message
   * has left for the AMF (and is removed then). Absent: set up already.
   */
  admitted?: Promise<void>;
}

/** A cell of the gNB, as a UE camps on it. */
export interface UuCell {
  /** The tracking area the cell broadcasts (TS 38.331 SIB1): the UE's "current TAI" (TS 24.501). */
  readonly tai?: { plmn: { mcc: string; mnc: string }; tac: number };
  /**
   * RRC connection establishment with the initial NAS message (the gNB sends it in
   * InitialUEMessage) and the AN parameters (the selected SNPN's NID, the onboarding indication:
   * RRCSetupComplete, TS 38.331 5.3.3.4), and what the InitialUEMessage is tagged with (`about`:
   * registration 4.2.2.2.2 step 2 when not given); throws when the cell cannot serve them.
   */
  connect(ue: UuUeSide, initialNas: Uint8Array, cause: RrcEstablishmentCause, an?: AnParameters, about?: UplinkNasLabel): UuConnection;
  /**
   * The UE no longer camps on the cell (switched off, or discarded by its owner): it hears no
   * paging, and the cell holds nothing of it once its RRC connection, if any, is released.
   */
  leave?(ue: UuUeSide): void;
}
