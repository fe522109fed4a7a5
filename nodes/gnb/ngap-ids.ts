// The UE NGAP IDs of an NGAP-PDU whose other IEs do not decode (TS 38.413 10.1), read field by
// field from the APER encoding, so that an Error Indication can still name the connection.

import { decodeNgapType } from '../../codecs/ngap/index.ts';

/** An APER length determinant (X.691 10.9) at `at`: [length, octets used], or undefined when fragmented. */
function lengthAt(b: Uint8Array, at: number): [number, number] | undefined {
  if (at >= b.length) return undefined;
  if ((b[at] & 0x80) === 0) return [b[at], 1];
  if ((b[at] & 0xc0) === 0x80 && at + 1 < b.length) return [((b[at] & 0x3f) << 8) | b[at + 1], 2];
  return undefined;
}

/**
 * The AMF-UE-NGAP-ID and RAN-UE-NGAP-ID of an NGAP-PDU whose other IEs do not decode, read from the
 * protocol IE container field by field (each IE value is an open type with its own length), so the
 * Error Indication can name the UE-associated connection (TS 38.413 10.1, 9.2.3.3).
 */
export function readableUeIds(b: Uint8Array): { amfUeNgapId?: number; ranUeNgapId?: number } {
  const out: { amfUeNgapId?: number; ranUeNgapId?: number } = {};
  try {
    if (b.length < 4 || b[0] & 0x80) return out;
    const open = lengthAt(b, 3); // octet 0 choice, 1 procedure code, 2 criticality, then the open type
    if (!open) return out;
    let at = 3 + open[1];
    const end = Math.min(b.length, at + open[0]);
    if ((b[at] & 0x80) !== 0) return out; // message SEQUENCE extension bit (then alignment)
    const count = (b[at + 1] << 8) | b[at + 2];
    at += 3;
    for (let i = 0; i < count && at + 3 < end; i++) {
      const id = (b[at] << 8) | b[at + 1];
      const len = lengthAt(b, at + 3);
      if (!len) break;
      const value = b.subarray(at + 3 + len[1], at + 3 + len[1] + len[0]);
      if (id === 10) out.amfUeNgapId = Number(decodeNgapType('AMF-UE-NGAP-ID', value));
      if (id === 85) out.ranUeNgapId = Number(decodeNgapType('RAN-UE-NGAP-ID', value));
      at += 3 + len[1] + len[0];
    }
  } catch {
    // whatever could be read is returned
  }
  return out;
}
