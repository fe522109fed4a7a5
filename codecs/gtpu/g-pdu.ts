// The G-PDU (TS 29.281 5.1, 6.1: a T-PDU behind the GTP-U header) read and written in place,
// octet by octet, for the user plane's packet loop: no reader or writer objects, the usual
// extension header (one PDU Session Container without optional fields, TS 38.415 5.5.2) without
// a loop. Anything they are unsure of goes to the checked codec (gtpu.ts), which decides and
// reports; tests compare the two on fuzzed input.

import { PDU_SESSION_CONTAINER, pduSessionContainerAt, writePduSessionContainerAt, type PduSessionContainer, type DlPduSessionInformation } from './ext/pdu-session-container.ts';
import { GtpuMessageType, type ExtensionHeader, type GPdu, type GtpuHeader, type OpaqueExtensionHeader } from './types.ts';

/**
 * The usual 4-octet PDU Session Container at `b[p]` (its length octet): PDU type and QFI (and RQI
 * downlink), no optional field, no padding (TS 38.415 5.5.2.1-2); undefined for any other.
 */
export function plainContainerAt(b: Uint8Array, p: number): ExtensionHeader | undefined {
  const o1 = b[p + 1];
  const o2 = b[p + 2];
  if (o1 === 0x00 && (o2 & 0x80) === 0) return { type: PDU_SESSION_CONTAINER, container: { pduType: 0, qfi: o2 & 0x3f, rqi: (o2 & 0x40) !== 0 } };
  if (o1 === 0x10 && (o2 & 0xc0) === 0) return { type: PDU_SESSION_CONTAINER, container: { pduType: 1, qfi: o2 } };
  return undefined;
}

/** The extension header of `type` at `b[p]` (its length octet), or undefined if malformed. */
export function extensionAt(b: Uint8Array, p: number, type: number, n: number): ExtensionHeader | undefined {
  if (p >= n) return undefined;
  const size = b[p] * 4;
  if (size === 0 || p + size > n) return undefined;
  if (type !== PDU_SESSION_CONTAINER) return { type, content: Uint8Array.from(b.subarray(p + 1, p + size - 1)) };
  const plain = size === 4 ? plainContainerAt(b, p) : undefined;
  if (plain !== undefined) return plain;
  const container = pduSessionContainerAt(b, p + 1, p + size - 1);
  return container === undefined ? undefined : { type: PDU_SESSION_CONTAINER, container };
}

/** The extension headers after the first, appended to `exts`; the offset after them, or -1. */
export function moreExtensionsAt(b: Uint8Array, p: number, n: number, exts: ExtensionHeader[]): number {
  let next = b[p - 1];
  while (next !== 0) {
    const e = extensionAt(b, p, next, n);
    if (e === undefined) return -1;
    exts.push(e);
    p += b[p] * 4;
    next = b[p - 1];
  }
  return p;
}

/**
 * A well-formed G-PDU filling `b`, or undefined (then `decodeGtpuChecked` decides).
 *
 * The usual G-PDU (E flag alone, one plain PDU Session Container) here, in a function small
 * enough for V8 to inline into its caller; every other form in gpduAtGeneral (whose first test is
 * this same case, so the two give the same values). Inlined, the call and the argument checks go:
 * the whole reader, 946 octets of bytecode, was never inlined (issue 22).
 */
export function gpduAt(b: Uint8Array): GPdu | undefined {
  const n = b.length;
  // (no length test: b[15] === 0 fails on a shorter array, where it reads undefined; 255 is
  // GtpuMessageType.GPdu, written as a literal to keep the bytecode under V8's inlining limit)
  if ((b[0] & 0xf7) === 0x34 && b[1] === 255 && 8 + ((b[2] << 8) | b[3]) === n && b[11] === PDU_SESSION_CONTAINER && b[12] === 1 && b[15] === 0) {
    const teid = ((b[4] << 24) >>> 0) + ((b[5] << 16) | (b[6] << 8) | b[7]);
    const o1 = b[13];
    const o2 = b[14];
    if (o1 === 0x10 && (o2 & 0xc0) === 0) {
      const tPdu = b.subarray(16, n);
      return { type: 'G-PDU', header: { messageType: 255, teid, extensionHeaders: [{ type: PDU_SESSION_CONTAINER, container: { pduType: 1, qfi: o2 } }] }, tPdu };
    }
    if (o1 === 0x00 && (o2 & 0x80) === 0) {
      const tPdu = b.subarray(16, n);
      return { type: 'G-PDU', header: { messageType: 255, teid, extensionHeaders: [{ type: PDU_SESSION_CONTAINER, container: { pduType: 0, qfi: o2 & 0x3f, rqi: (o2 & 0x40) !== 0 } }] }, tPdu };
    }
  }
  return gpduAtGeneral(b);
}

/** Every G-PDU form gpduAt reads (gpduAt handles the usual one itself). */
function gpduAtGeneral(b: Uint8Array): GPdu | undefined {
  const n = b.length;
  if (n < 8) return undefined;
  const flags = b[0];
  // version 1, PT 1, message type 255, the Length field covering exactly the rest
  if ((flags & 0xf0) !== 0x30 || b[1] !== GtpuMessageType.GPdu || 8 + ((b[2] << 8) | b[3]) !== n) return undefined;
  const teid = ((b[4] << 24) >>> 0) + ((b[5] << 16) | (b[6] << 8) | b[7]);
  if ((flags & 7) === 0) return { type: 'G-PDU', header: { messageType: GtpuMessageType.GPdu, teid }, tPdu: b.subarray(8, n) };
  if (n < 12) return undefined;
  if ((flags & 7) === 4 && b[11] === PDU_SESSION_CONTAINER && n >= 16 && b[12] === 1 && b[15] === 0) {
    // The usual G-PDU: E flag only and one plain PDU Session Container. The view first, then
    // every object in one straight run, which V8 can allocate as one block.
    const o1 = b[13];
    const o2 = b[14];
    if (o1 === 0x10 && (o2 & 0xc0) === 0) {
      const tPdu = b.subarray(16, n);
      return { type: 'G-PDU', header: { messageType: GtpuMessageType.GPdu, teid, extensionHeaders: [{ type: PDU_SESSION_CONTAINER, container: { pduType: 1, qfi: o2 } }] }, tPdu };
    }
    if (o1 === 0x00 && (o2 & 0x80) === 0) {
      const tPdu = b.subarray(16, n);
      return { type: 'G-PDU', header: { messageType: GtpuMessageType.GPdu, teid, extensionHeaders: [{ type: PDU_SESSION_CONTAINER, container: { pduType: 0, qfi: o2 & 0x3f, rqi: (o2 & 0x40) !== 0 } }] }, tPdu };
    }
  }
  const next = b[11];
  let p = 12;
  let exts: ExtensionHeader[] | undefined;
  if (flags & 4) {
    if (next === 0) {
      exts = [];
    } else {
      // the first header (the usual PDU Session Container) with no loop or call: measured faster
      const first = next === PDU_SESSION_CONTAINER && b[p] === 1 && p + 4 <= n ? plainContainerAt(b, p) ?? extensionAt(b, p, next, n) : extensionAt(b, p, next, n);
      if (first === undefined) return undefined;
      exts = [first];
      p += b[p] * 4;
      if (b[p - 1] !== 0) {
        p = moreExtensionsAt(b, p, n, exts);
        if (p < 0) return undefined;
      }
    }
  } else if (next !== 0) {
    return undefined;
  }
  // The header is built by one literal in the usual case (E alone): properties added one by one
  // would move it to a slower representation. Keys keep the order of the checked decoder's.
  let header: GtpuHeader;
  if ((flags & 7) === 4) {
    header = { messageType: GtpuMessageType.GPdu, teid, extensionHeaders: exts };
  } else {
    header = { messageType: GtpuMessageType.GPdu, teid };
    if (flags & 2) header.sequenceNumber = (b[8] << 8) | b[9];
    if (flags & 1) header.nPduNumber = b[10];
    if (exts !== undefined) header.extensionHeaders = exts;
  }
  return { type: 'G-PDU', header, tPdu: b.subarray(p, n) };
}

/**
 * A G-PDU written octet by octet, or -1 when something in it needs `writeGtpuHeader`'s checks
 * (an extension header of a bad size, a QFI out of range, too long a message, too small a
 * buffer), which then report it.
 *
 * The usual G-PDU (E flag alone, one plain PDU Session Container: what the UPF and the gNB send)
 * is written as its 16 fixed octets and the T-PDU, with no call and no loop: measured 31 against
 * 45 ns per 1400-octet G-PDU (same run), the T-PDU copy itself 29 (issue 22). Anything else goes
 * the general way.
 */
export function writeGpdu(m: GPdu, b: Uint8Array, offset: number): number {
  const h = m.header;
  const exts = h.extensionHeaders;
  const tPdu = m.tPdu;
  if (exts !== undefined && exts.length === 1 && h.sequenceNumber === undefined && h.nPduNumber === undefined) {
    const e = exts[0];
    const c = (e as { container?: PduSessionContainer }).container;
    if (c !== undefined) {
      const q = c.qfi;
      const length = 8 + tPdu.length;
      const p = offset + 16;
      const ul = c.pduType === 1;
      if (q >= 0 && q <= 63 && length <= 0xffff && p + tPdu.length <= b.length && (ul ? isPlainUl(c) : isPlainDl(c))) {
        const teid = h.teid;
        b[offset] = 0x34; // version 1, PT 1, E
        b[offset + 1] = GtpuMessageType.GPdu;
        b[offset + 2] = length >>> 8;
        b[offset + 3] = length;
        b[offset + 4] = teid >>> 24;
        b[offset + 5] = teid >>> 16;
        b[offset + 6] = teid >>> 8;
        b[offset + 7] = teid;
        b[offset + 8] = 0; // Sequence Number and N-PDU Number, flags clear (TS 29.281 5.1 NOTE 4)
        b[offset + 9] = 0;
        b[offset + 10] = 0;
        b[offset + 11] = e.type;
        // TS 38.415 5.5.2.1-2: length 1 (4 octets), PDU type, QFI (RQI downlink), no next header
        b[offset + 12] = 1;
        b[offset + 13] = ul ? 0x10 : 0x00;
        b[offset + 14] = ul ? q : ((c as DlPduSessionInformation).rqi ? 0x40 : 0) | q;
        b[offset + 15] = 0;
        b.set(tPdu, p);
        return p + tPdu.length;
      }
    }
  }
  return writeGpduGeneral(m, b, offset);
}

/** writeGpdu for any G-PDU. */
function writeGpduGeneral(m: GPdu, b: Uint8Array, offset: number): number {
  const h = m.header;
  const exts = h.extensionHeaders;
  const teid = h.teid;
  const tPdu = m.tPdu;
  // Written optimistically: a store past the end of a typed array is dropped, and the checks
  // after writing send such a case to the ByteWriter path, which reports it.
  let p = offset + 8;
  if (h.sequenceNumber !== undefined || h.nPduNumber !== undefined || exts !== undefined) {
    const seq = h.sequenceNumber ?? 0;
    b[p] = seq >>> 8;
    b[p + 1] = seq;
    b[p + 2] = h.nPduNumber ?? 0;
    b[p + 3] = exts !== undefined && exts.length > 0 ? exts[0].type : 0;
    p += 4;
    if (exts !== undefined) {
      // one header (the usual PDU Session Container) without a loop: measured 10 ns less
      if (exts.length === 1) p = writeExtensionAt(b, p, exts[0], 0);
      else for (let i = 0; i < exts.length && p >= 0; i++) p = writeExtensionAt(b, p, exts[i], i + 1 < exts.length ? exts[i + 1].type : 0);
      if (p < 0) return -1;
    }
  }
  const length = p - offset - 8 + tPdu.length;
  if (length > 0xffff || p + tPdu.length > b.length) return -1;
  b[offset] = 0x30 | (exts !== undefined ? 4 : 0) | (h.sequenceNumber !== undefined ? 2 : 0) | (h.nPduNumber !== undefined ? 1 : 0);
  b[offset + 1] = GtpuMessageType.GPdu;
  b[offset + 2] = length >>> 8;
  b[offset + 3] = length;
  b[offset + 4] = teid >>> 24;
  b[offset + 5] = teid >>> 16;
  b[offset + 6] = teid >>> 8;
  b[offset + 7] = teid;
  b.set(tPdu, p);
  return p + tPdu.length;
}

/** An UL PDU SESSION INFORMATION with no optional field and no padding given. */
export function isPlainUl(c: PduSessionContainer): boolean {
  return (
    c.pduType === 1 &&
    c.qmp === undefined &&
    c.dlDelayResult === undefined &&
    c.ulDelayResult === undefined &&
    c.ulQfiSequenceNumber === undefined &&
    c.n3n9DelayResult === undefined &&
    c.newIe === undefined &&
    c.padding === undefined
  );
}

/** A DL PDU SESSION INFORMATION with no optional field and no padding given. */
export function isPlainDl(c: PduSessionContainer): c is DlPduSessionInformation {
  return c.pduType === 0 && c.ppi === undefined && c.dlSendingTimestamp === undefined && c.dlQfiSequenceNumber === undefined && c.dlMbsQfiSequenceNumber === undefined && c.padding === undefined;
}

/** One extension header at `b[p]` followed by the next type; the offset after it, or -1 (see writeGpdu). */
export function writeExtensionAt(b: Uint8Array, p: number, e: ExtensionHeader, nextType: number): number {
  const at = p;
  const c = (e as { container?: PduSessionContainer }).container;
  if (c !== undefined) {
    const q = c.qfi;
    // 48 octets hold the largest container without padding; a tight buffer goes the checked way
    if (q < 0 || q > 63 || (c.padding !== undefined && p + 48 + c.padding.length > b.length)) return -1;
    // the usual containers written here (TS 38.415 5.5.2): PDU type and QFI, RQI downlink
    if (isPlainUl(c)) {
      b[p] = 1;
      b[p + 1] = 0x10;
      b[p + 2] = q;
      b[p + 3] = nextType;
      return p + 4;
    }
    if (isPlainDl(c)) {
      b[p] = 1;
      b[p + 1] = 0x00;
      b[p + 2] = (c.rqi ? 0x40 : 0) | q;
      b[p + 3] = nextType;
      return p + 4;
    }
    p = writePduSessionContainerAt(b, p + 1, c);
  } else {
    const content = (e as OpaqueExtensionHeader).content;
    if (p + 1 + content.length > b.length) return -1;
    b.set(content, p + 1);
    p += 1 + content.length;
  }
  const size = p + 1 - at;
  if ((size & 3) !== 0 || size > 1020) return -1;
  b[at] = size >>> 2;
  b[p] = nextType;
  return p + 1;
}
