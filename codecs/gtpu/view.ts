// Zero-copy GTP-U reads for the UPF and gNB hot path (TS 29.281 5.1, 5.2; TS 38.415 5.5.2).
//
// `readGpdu` parses the header and extension chain in place, writing the fields the user plane
// needs into a caller-owned, reused `GpduView`: no allocation, no Buffer.read* helpers, one pass.
// It validates exactly what forwarding depends on (version, PT, lengths, extension chain bounds)
// and reports failure with a negative status instead of throwing, so a packet loop never pays
// for exceptions. Tools and tests use the typed `decodeGtpu` instead.

export const GpduStatus = {
  OK: 0,
  TRUNCATED: -1,
  BAD_VERSION: -2,
  BAD_LENGTH: -3,
  BAD_EXTENSION: -4,
} as const;

export interface GpduView {
  messageType: number;
  teid: number;
  /** QFI from a PDU Session Container, or -1 when there is none. */
  qfi: number;
  /** 0 DL, 1 UL, or -1 when there is no PDU Session Container. */
  pduType: number;
  /** Offset of the T-PDU (user packet) within the buffer. */
  payloadOffset: number;
  /** Offset one past the message's last octet. */
  end: number;
}

export function newGpduView(): GpduView {
  return { messageType: 0, teid: 0, qfi: -1, pduType: -1, payloadOffset: 0, end: 0 };
}

/**
 * Reads the GTP-U header at `b[offset, offset+length)` into `out`.
 * Returns GpduStatus.OK or a negative status.
 */
export function readGpdu(b: Uint8Array, offset: number, length: number, out: GpduView): number {
  if (length < 8) return GpduStatus.TRUNCATED;
  const flags = b[offset];
  if ((flags & 0xf0) !== 0x30) return GpduStatus.BAD_VERSION;
  const msgLen = (b[offset + 2] << 8) | b[offset + 3];
  const end = offset + 8 + msgLen;
  if (end > offset + length) return GpduStatus.BAD_LENGTH;
  out.messageType = b[offset + 1];
  out.teid = ((b[offset + 4] << 24) | (b[offset + 5] << 16) | (b[offset + 6] << 8) | b[offset + 7]) >>> 0;
  out.qfi = -1;
  out.pduType = -1;
  out.end = end;
  if ((flags & 7) === 0) {
    out.payloadOffset = offset + 8;
    return GpduStatus.OK;
  }
  let p = offset + 12;
  if (p > end) return GpduStatus.BAD_LENGTH;
  let next = flags & 4 ? b[p - 1] : 0;
  while (next !== 0) {
    if (p >= end) return GpduStatus.BAD_EXTENSION;
    const size = b[p] << 2;
    if (size === 0 || p + size > end) return GpduStatus.BAD_EXTENSION;
    if (next === 0x85) {
      out.pduType = b[p + 1] >> 4;
      out.qfi = b[p + 2] & 0x3f;
    }
    next = b[p + size - 1];
    p += size;
  }
  out.payloadOffset = p;
  return GpduStatus.OK;
}

/**
 * Writes a G-PDU header with one PDU Session Container (16 octets) in front of a payload of
 * `payloadLength` octets, at `b[offset]`. Returns the header size. For the downlink the
 * container is DL PDU SESSION INFORMATION (pduType 0), for the uplink UL (pduType 1).
 */
export function writeGpduHeaderWithQfi(b: Uint8Array, offset: number, teid: number, pduType: 0 | 1, qfi: number, payloadLength: number): number {
  const len = payloadLength + 8;
  b[offset] = 0x34; // version 1, PT 1, E
  b[offset + 1] = 0xff; // G-PDU
  b[offset + 2] = len >>> 8;
  b[offset + 3] = len & 0xff;
  b[offset + 4] = teid >>> 24;
  b[offset + 5] = (teid >>> 16) & 0xff;
  b[offset + 6] = (teid >>> 8) & 0xff;
  b[offset + 7] = teid & 0xff;
  b[offset + 8] = 0; // sequence number (S=0)
  b[offset + 9] = 0;
  b[offset + 10] = 0; // N-PDU number (PN=0)
  b[offset + 11] = 0x85; // next: PDU Session Container
  b[offset + 12] = 1; // 4 octets
  b[offset + 13] = pduType << 4;
  b[offset + 14] = qfi & 0x3f;
  b[offset + 15] = 0; // no more extension headers
  return 16;
}

/** Plain 8-octet G-PDU header (no optional fields). Returns 8. */
export function writeGpduHeader(b: Uint8Array, offset: number, teid: number, payloadLength: number): number {
  b[offset] = 0x30;
  b[offset + 1] = 0xff;
  b[offset + 2] = payloadLength >>> 8;
  b[offset + 3] = payloadLength & 0xff;
  b[offset + 4] = teid >>> 24;
  b[offset + 5] = (teid >>> 16) & 0xff;
  b[offset + 6] = (teid >>> 8) & 0xff;
  b[offset + 7] = teid & 0xff;
  return 8;
}
