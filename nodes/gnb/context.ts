// The gNB's per-UE state (TS 38.413 3.1: the UE-associated logical NG-connection) and its PDU
// sessions' N3 tunnels, shared by gnb.ts and the procedure files beside it.

import type { Ngap } from '../../codecs/ngap/index.ts';
import type { Endpoint } from '../../transport/tap.ts';
import type { UuUeSide, UplinkNasLabel } from './uu.ts';
import type { AdmissionTicket } from './admission.ts';
import type { AmfLink } from './amf-links.ts';

/** One N3 tunnel pair of a PDU session (TS 38.413 9.3.4.1, 9.3.4.2). */
export interface GnbPduSession {
  pduSessionId: number;
  /** The gNB's DL TEID (from its pool). */
  dlTeid: number;
  /** The UPF's UL F-TEID. */
  ulTeid: number;
  upf: Endpoint;
  /** The QoS flow uplink packets are mapped to (the first flow of the request). */
  qfi: number;
  qfis: number[];
  /** The PDU Session Aggregate Maximum Bit Rate the NG-RAN stores (TS 38.413 8.2.1.2, 8.2.3.2), bit/s. */
  ambr?: { uplinkBps: number; downlinkBps: number };
  /** The 5QI of each QoS flow, by QFI, as last set up or modified (TS 38.413 9.3.1.12). */
  fiveQis?: Map<number, number>;
}

/** The gNB's UE context (TS 38.413 3.1: UE-associated logical NG-connection). */
export interface GnbUeContext {
  /** The AMF this UE-associated NG connection is with (amf-links.ts). */
  link: AmfLink;
  ranUeNgapId: number;
  amfUeNgapId: number | undefined;
  streamId: number;
  /** Undefined once the UE left (local release): the context stays until the AMF releases it. */
  ue: UuUeSide | undefined;
  /** Uplink NAS held until the AMF-UE-NGAP-ID is known (8.6.3.1: UL NAS TRANSPORT needs both IDs). */
  pendingUplink: { nas: Uint8Array; about?: UplinkNasLabel }[];
  /** The TS 23.502 step of the last uplink NAS message relayed (what a UE Context Release answers). */
  lastUplinkStep?: string;
  /** KgNB from INITIAL CONTEXT SETUP REQUEST (TS 33.501 A.9), 32 octets. */
  kgnb: Uint8Array | undefined;
  sessions: Map<number, GnbPduSession>;
  label: string;
  /** The User Location Information of a UE that accessed an SNPN: the cell's, with the NID (snpn.ts). */
  uli?: Ngap.UserLocationInformation;
  /** The UE-AMBR the NG-RAN stores (TS 38.413 8.2.1.2, 8.3.1.2, 8.3.4.2), bit/s. */
  ueAmbr?: { uplinkBps: number; downlinkBps: number };
  /** The Index to RAT/Frequency Selection Priority the AMF gave (TS 38.413 9.3.1.61, 8.3.4.2). */
  rfsp?: number;
  /** The connection was opened by a Registration request with the onboarding indication (TS 23.502 4.2.2.2.4 step 1). */
  onboardingRegistration?: boolean;
  /** The UE's admission slot (admission.ts), held until its Initial Context Setup or release. */
  admission?: AdmissionTicket;
}

/** A failed transfer: the cause of PDU Session Resource Setup Unsuccessful Transfer (9.3.4.16). */
export class TransferFailure extends Error {
  readonly ngapCause: Ngap.Cause;
  constructor(ngapCause: Ngap.Cause, why: string) {
    super(why);
    this.ngapCause = ngapCause;
  }
}

