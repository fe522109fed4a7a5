// Builders that read like TS 29.281 clause 7: each returns a typed message for encodeGtpu.

import type { GPdu, EchoRequest, EchoResponse, ErrorIndication, EndMarker, SupportedExtensionHeadersNotification } from './gtpu.ts';
import { GtpuMessageType, ExtensionHeaderType } from './gtpu.ts';

/** G-PDU carrying `tPdu` in tunnel `teid`, with a PDU Session Container when `qfi` is given (TS 38.415). */
export function gPdu(teid: number, tPdu: Uint8Array, qos?: { pduType: 0 | 1; qfi: number; rqi?: boolean }): GPdu {
  if (!qos) return { type: 'G-PDU', header: { messageType: GtpuMessageType.GPdu, teid }, tPdu };
  const container = qos.pduType === 0 ? { pduType: 0 as const, qfi: qos.qfi, rqi: qos.rqi ?? false } : { pduType: 1 as const, qfi: qos.qfi };
  return { type: 'G-PDU', header: { messageType: GtpuMessageType.GPdu, teid, extensionHeaders: [{ type: ExtensionHeaderType.PduSessionContainer, container }] }, tPdu };
}

/** TS 29.281 7.2.1: TEID 0, S flag set (5.1). */
export function echoRequest(sequenceNumber: number): EchoRequest {
  return { type: 'Echo Request', header: { messageType: GtpuMessageType.EchoRequest, teid: 0, sequenceNumber } };
}

/** TS 29.281 7.2.2: same sequence number as the request; Recovery restart counter 0. */
export function echoResponse(sequenceNumber: number): EchoResponse {
  return { type: 'Echo Response', header: { messageType: GtpuMessageType.EchoResponse, teid: 0, sequenceNumber }, recovery: 0 };
}

/**
 * TS 29.281 7.3.1: sent to the source of a G-PDU whose TEID has no context. TEID 0, S flag set,
 * the UDP Port extension header carries the source port of the offending G-PDU (5.2.2.1).
 */
export function errorIndication(sequenceNumber: number, teidDataI: number, gtpuPeerAddress: Uint8Array, offendingSourcePort: number): ErrorIndication {
  return {
    type: 'Error Indication',
    header: {
      messageType: GtpuMessageType.ErrorIndication,
      teid: 0,
      sequenceNumber,
      extensionHeaders: [{ type: ExtensionHeaderType.UdpPort, content: Uint8Array.of(offendingSourcePort >> 8, offendingSourcePort & 0xff) }],
    },
    teidDataI,
    gtpuPeerAddress,
  };
}

/** TS 29.281 7.3.2: End Marker on tunnel `teid`. */
export function endMarker(teid: number): EndMarker {
  return { type: 'End Marker', header: { messageType: GtpuMessageType.EndMarker, teid } };
}

/** TS 29.281 7.3.3. */
export function supportedExtensionHeadersNotification(sequenceNumber: number, types: number[]): SupportedExtensionHeadersNotification {
  return { type: 'Supported Extension Headers Notification', header: { messageType: GtpuMessageType.SupportedExtensionHeadersNotification, teid: 0, sequenceNumber }, extensionHeaderTypeList: types };
}
