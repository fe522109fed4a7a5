// The G-PDU (TS 29.281 5.1, 6.1) decoded into and encoded from a reused header object: the typed
// API in the shape of go-gtp's `Header.UnmarshalBinary` into a reused header and `MarshalTo` a
// reused buffer (issue 22). No object is made per call on the usual G-PDU: the header's fields
// are overwritten in place, the T-PDU is an offset and a length into the input (a view of it is
// made only when asked, `tPduOf`), and the encoder copies the T-PDU behind a header written by a
// function small enough for V8 to inline. Every other form goes to the checked codec (gtpu.ts),
// which decides and reports; the results are the same values and the same errors.

import { DecodeError, EncodeError } from '../bytes/errors.ts';
import { ByteWriter } from '../bytes/writer.ts';
import { PDU_SESSION_CONTAINER, type DlPduSessionInformation, type UlPduSessionInformation } from './ext/pdu-session-container.ts';
import { isPlainDl, isPlainUl } from './g-pdu.ts';
import { decodeGtpuChecked, writeGtpu } from './gtpu.ts';
import { gtpuHeaderSize, writeGtpuHeader } from './header.ts';
import { GtpuMessageType, PROTOCOL, type ExtensionHeader, type GtpuHeader } from './types.ts';

/**
 * A G-PDU's header, reused from decode to decode. It is a `GtpuHeader` (the checked codec's
 * model: `gtpuHeaderSize`, `pduSessionContainerOf`, `writeGpduFrom` take it), plus where the
 * T-PDU is in the decoded input. Everything in it, the extension headers and their containers
 * included, belongs to the frame and is overwritten by the next `decodeGpduInto`.
 */
export class GpduFrame implements GtpuHeader {
  messageType: number = GtpuMessageType.GPdu;
  teid = 0;
  /** Present (not undefined) iff the S flag is set. */
  sequenceNumber: number | undefined = undefined;
  /** Present iff the PN flag is set. */
  nPduNumber: number | undefined = undefined;
  /** Present (possibly empty) iff the E flag is set. */
  extensionHeaders: ExtensionHeader[] | undefined = undefined;
  /** Offset of the T-PDU in the input of the last decode. */
  tPduOffset = 0;
  /** Length of the T-PDU in octets. */
  tPduLength = 0;
  /** The usual extension headers (one plain PDU Session Container), filled in place. */
  readonly ulContainer: UlPduSessionInformation = { pduType: 1, qfi: 0 };
  readonly dlContainer: DlPduSessionInformation = { pduType: 0, qfi: 0, rqi: false };
  readonly ulExtensions: ExtensionHeader[] = [{ type: PDU_SESSION_CONTAINER, container: this.ulContainer }];
  readonly dlExtensions: ExtensionHeader[] = [{ type: PDU_SESSION_CONTAINER, container: this.dlContainer }];
}

/**
 * Decodes the G-PDU at `b[offset, offset + length)` into `h` (TS 29.281 5.1, 5.2; the PDU
 * Session Container of TS 38.415 5.5.2). Throws DecodeError on anything malformed or on another
 * message type, its offset counted from the start of `b`.
 *
 * The usual G-PDU (E flag alone, one PDU Session Container with PDU type and QFI, RQI downlink,
 * the Length covering `length`) is read here with no call and no object: the function stays
 * under V8's inlining limit. Any other goes to decodeGpduIntoGeneral.
 */
export function decodeGpduInto(b: Uint8Array, h: GpduFrame, offset = 0, length = b.length - offset): void {
  const o = offset;
  // (no bounds test: b[o + 15] === 0 fails past the end, where it reads undefined)
  if (length >= 16 && o + length <= b.length && (b[o] & 0xf7) === 0x34 && b[o + 1] === 255 && 8 + ((b[o + 2] << 8) | b[o + 3]) === length && b[o + 11] === 0x85 && b[o + 12] === 1 && b[o + 15] === 0) {
    const o1 = b[o + 13];
    const o2 = b[o + 14];
    const teid = ((b[o + 4] << 24) >>> 0) + ((b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]);
    if (o1 === 0x10 && (o2 & 0xc0) === 0) {
      h.ulContainer.qfi = o2;
      h.extensionHeaders = h.ulExtensions;
    } else if (o1 === 0x00 && (o2 & 0x80) === 0) {
      const c = h.dlContainer;
      c.qfi = o2 & 0x3f;
      c.rqi = (o2 & 0x40) !== 0;
      h.extensionHeaders = h.dlExtensions;
    } else return decodeGpduIntoGeneral(b, h, offset, length);
    h.messageType = 255;
    h.teid = teid;
    h.sequenceNumber = undefined;
    h.nPduNumber = undefined;
    h.tPduOffset = o + 16;
    h.tPduLength = length - 16;
    return;
  }
  decodeGpduIntoGeneral(b, h, offset, length);
}

/** Every other G-PDU, through the checked decoder: its values, or its DecodeError. */
function decodeGpduIntoGeneral(b: Uint8Array, h: GpduFrame, offset: number, length: number): void {
  if (!(Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0 && offset + length <= b.length)) {
    throw new DecodeError({ protocol: PROTOCOL, code: 'TRUNCATED', offset: Math.max(0, Math.min(offset, b.length)), path: 'Header', reason: `offset ${offset} and length ${length} are not within the ${b.length} octets given` });
  }
  let m;
  try {
    m = decodeGtpuChecked(offset === 0 && length === b.length ? b : b.subarray(offset, offset + length));
  } catch (e) {
    if (e instanceof DecodeError && offset !== 0) throw new DecodeError({ ...e.toJSON(), offset: e.offset + offset });
    throw e;
  }
  if (m.type !== 'G-PDU') throw new DecodeError({ protocol: PROTOCOL, code: 'UNKNOWN_TYPE', offset: offset + 1, path: 'Header.MessageType', reason: `message type ${m.header.messageType} (${m.type}) is not a G-PDU` });
  const header = m.header;
  h.messageType = 255;
  h.teid = header.teid;
  h.sequenceNumber = header.sequenceNumber;
  h.nPduNumber = header.nPduNumber;
  h.extensionHeaders = header.extensionHeaders;
  h.tPduOffset = m.tPdu.byteOffset - b.byteOffset;
  h.tPduLength = m.tPdu.length;
}

/** A view of the T-PDU the last decodeGpduInto of `b` found (one typed array object). */
export function tPduOf(b: Uint8Array, h: GpduFrame): Uint8Array {
  return b.subarray(h.tPduOffset, h.tPduOffset + h.tPduLength);
}

/**
 * The header of the usual G-PDU (E flag alone, one plain PDU Session Container) at `b[offset]`
 * for a T-PDU of `tPduLength` octets: the offset where the T-PDU goes, or -1 when the header is
 * any other or does not fit (writeGpduFrom and writeGpduHeader then take the checked way).
 * Small enough for V8 to inline.
 */
export function writeGpduHeaderAt(h: GtpuHeader, tPduLength: number, b: Uint8Array, offset: number): number {
  const exts = h.extensionHeaders;
  if (exts === undefined || exts.length !== 1 || h.sequenceNumber !== undefined || h.nPduNumber !== undefined) return -1;
  const e = exts[0];
  const c = (e as { container?: UlPduSessionInformation | DlPduSessionInformation }).container;
  if (c === undefined) return -1;
  const q = c.qfi;
  const length = 8 + tPduLength;
  const ul = c.pduType === 1;
  if (!(q >= 0 && q <= 63 && length <= 0xffff && offset >= 0 && offset + 8 + length <= b.length && (ul ? isPlainUl(c) : isPlainDl(c)))) return -1;
  const teid = h.teid;
  b[offset] = 0x34; // version 1, PT 1, E (TS 29.281 5.1)
  b[offset + 1] = 255; // G-PDU
  b[offset + 2] = length >>> 8;
  b[offset + 3] = length;
  b[offset + 4] = teid >>> 24;
  b[offset + 5] = teid >>> 16;
  b[offset + 6] = teid >>> 8;
  b[offset + 7] = teid;
  b[offset + 8] = 0; // Sequence Number and N-PDU Number, flags clear (5.1 NOTE 4)
  b[offset + 9] = 0;
  b[offset + 10] = 0;
  b[offset + 11] = 0x85;
  // TS 38.415 5.5.2.1-2: length 1 (4 octets), PDU type, QFI (RQI downlink), no next header
  b[offset + 12] = 1;
  b[offset + 13] = ul ? 0x10 : 0x00;
  b[offset + 14] = ul ? q : ((c as DlPduSessionInformation).rqi ? 0x40 : 0) | q;
  b[offset + 15] = 0;
  return offset + 16;
}

/**
 * Encodes a G-PDU with header `h` (its message type taken as G-PDU) and T-PDU `tPdu` at `offset`
 * of a caller buffer, the T-PDU copied behind the header, as go-gtp's `MarshalTo` copies its
 * payload; returns the offset after it. Too small a buffer or a bad header is an EncodeError.
 */
export function writeGpduFrom(h: GtpuHeader, tPdu: Uint8Array, into: Uint8Array, offset = 0): number {
  const p = writeGpduHeaderAt(h, tPdu.length, into, offset);
  if (p < 0) return writeGtpu({ type: 'G-PDU', header: h.messageType === 255 ? h : { ...h, messageType: 255 }, tPdu }, into, offset);
  into.set(tPdu, p);
  return p + tPdu.length;
}

/**
 * The zero-copy form: the header of a G-PDU whose T-PDU of `tPduLength` octets is already in
 * `into` at `offset + gtpuHeaderSize(h)`; returns the offset after the T-PDU. Too small a buffer
 * or a bad header is an EncodeError.
 */
export function writeGpduHeader(h: GtpuHeader, tPduLength: number, into: Uint8Array, offset = 0): number {
  const p = writeGpduHeaderAt(h, tPduLength, into, offset);
  if (p >= 0) return p + tPduLength;
  const size = gtpuHeaderSize(h);
  if (offset < 0 || offset + size + tPduLength > into.length) throw new EncodeError(PROTOCOL, 'Header', `a G-PDU of ${size + tPduLength} octets does not fit at ${offset} of ${into.length}`);
  const w = new ByteWriter(into, offset);
  writeGtpuHeader(w, h.messageType === 255 ? h : { ...h, messageType: 255 }, tPduLength);
  return w.pos + tPduLength;
}
