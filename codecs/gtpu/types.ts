// GTP-U, TS 29.281: the messages (7) and their values as the codec gives them, the message
// types (6.1), extension header types (5.2.1) and IE types (8.1).

import { PDU_SESSION_CONTAINER, type PduSessionContainer } from './ext/pdu-session-container.ts';

export const GTPU_PORT = 2152;

/** TS 29.281 6.1, Table 6.1-1. */
export const GtpuMessageType = {
  EchoRequest: 1,
  EchoResponse: 2,
  ErrorIndication: 26,
  SupportedExtensionHeadersNotification: 31,
  TunnelStatus: 253,
  EndMarker: 254,
  GPdu: 255,
} as const;
export type GtpuMessageType = (typeof GtpuMessageType)[keyof typeof GtpuMessageType];

export const GTPU_MESSAGE_NAMES: Record<number, string> = {
  1: 'Echo Request',
  2: 'Echo Response',
  26: 'Error Indication',
  31: 'Supported Extension Headers Notification',
  253: 'Tunnel Status',
  254: 'End Marker',
  255: 'G-PDU',
};

/** TS 29.281 5.2.1, Figure 5.2.1-3: Next Extension Header Type values. */
export const ExtensionHeaderType = {
  NoMore: 0x00,
  LongPdcpPduNumberLegacy: 0x03,
  ServiceClassIndicator: 0x20,
  UdpPort: 0x40,
  RanContainer: 0x81,
  LongPdcpPduNumber: 0x82,
  XwRanContainer: 0x83,
  NrRanContainer: 0x84,
  PduSessionContainer: PDU_SESSION_CONTAINER,
  PdcpPduNumber: 0xc0,
} as const;

export const EXTENSION_HEADER_NAMES: Record<number, string> = {
  0x03: 'Long PDCP PDU Number',
  0x20: 'Service Class Indicator',
  0x40: 'UDP Port',
  0x81: 'RAN Container',
  0x82: 'Long PDCP PDU Number',
  0x83: 'Xw RAN Container',
  0x84: 'NR RAN Container',
  0x85: 'PDU Session Container',
  0xc0: 'PDCP PDU Number',
};

/**
 * TS 29.281 5.2.1: the two high bits of the type say what a receiver that does not know it must
 * do: 00 comprehension not required, 01 discard packet (no forward), 10 comprehension required
 * by the endpoint receiver, 11 comprehension required by endpoint and intermediate nodes.
 */
export function extensionComprehension(type: number): 'not-required' | 'discard' | 'endpoint' | 'all' {
  return (['not-required', 'discard', 'endpoint', 'all'] as const)[type >> 6];
}

/** An extension header the codec does not model: its content (with padding) kept verbatim. */
export interface OpaqueExtensionHeader {
  type: number;
  content: Uint8Array;
}

export type ExtensionHeader = ({ type: typeof PDU_SESSION_CONTAINER } & { container: PduSessionContainer }) | OpaqueExtensionHeader;

export interface GtpuHeader {
  messageType: number;
  teid: number;
  /** Present iff the S flag is set. */
  sequenceNumber?: number;
  /** Present iff the PN flag is set. */
  nPduNumber?: number;
  /** Present (possibly empty) iff the E flag is set. */
  extensionHeaders?: ExtensionHeader[];
}

// --- Information elements, TS 29.281 8 ------------------------------------------------------

/** TS 29.281 8.1: IE type values used by GTP-U. */
export const GtpuIeType = {
  Recovery: 14, // TV, 1 octet (8.2)
  TeidDataI: 16, // TV, 4 octets (8.3)
  GtpuPeerAddress: 133, // TLV (8.4)
  ExtensionHeaderTypeList: 141, // TLV with 1-octet length (8.5)
  PrivateExtension: 255, // TLV (8.6)
} as const;

export interface PrivateExtension {
  extensionIdentifier: number;
  value: Uint8Array;
}

// --- Messages, TS 29.281 7 -------------------------------------------------------------------

export interface GPdu {
  type: 'G-PDU';
  header: GtpuHeader;
  /** The T-PDU (user IP packet). */
  tPdu: Uint8Array;
}

export interface EchoRequest {
  type: 'Echo Request';
  header: GtpuHeader;
  privateExtensions?: PrivateExtension[];
}

export interface EchoResponse {
  type: 'Echo Response';
  header: GtpuHeader;
  /** Recovery restart counter; TS 29.281 7.2.2: sent as zero, ignored on receipt. */
  recovery: number;
  privateExtensions?: PrivateExtension[];
}

export interface ErrorIndication {
  type: 'Error Indication';
  header: GtpuHeader;
  /** TEID of the tunnel the offending G-PDU was addressed to (8.3). */
  teidDataI: number;
  /** GTP-U Peer Address: the address of the node sending this Error Indication (8.4), 4 or 16 octets. */
  gtpuPeerAddress: Uint8Array;
  privateExtensions?: PrivateExtension[];
}

export interface EndMarker {
  type: 'End Marker';
  header: GtpuHeader;
  privateExtensions?: PrivateExtension[];
}

export interface SupportedExtensionHeadersNotification {
  type: 'Supported Extension Headers Notification';
  header: GtpuHeader;
  extensionHeaderTypeList: number[];
}

export type GtpuMessage = GPdu | EchoRequest | EchoResponse | ErrorIndication | EndMarker | SupportedExtensionHeadersNotification;

/** The protocol name in DecodeErrors and EncodeErrors. */
export const PROTOCOL = 'gtpu';
