// GTP-U, TS 29.281: decoding and encoding of the messages (7). The pieces are in the files of
// their clauses: the message model and type values (types.ts), the header and extension headers
// (5.1-5.2, header.ts), the IEs (8, ies.ts), and the G-PDU read and written in place for the user
// plane (g-pdu.ts).

import { ByteReader } from '../bytes/reader.ts';
import { ByteWriter } from '../bytes/writer.ts';
import { EncodeError, type DecodeWarning } from '../bytes/errors.ts';
import { GtpuMessageType, GtpuIeType, GTPU_MESSAGE_NAMES, PROTOCOL, type GtpuMessage } from './types.ts';
import { readHeader, gtpuHeaderSize, writeGtpuHeader } from './header.ts';
import { readIes, writePrivateExtensions, privateExtensionsSize } from './ies.ts';
import { gpduAt, writeGpdu } from './g-pdu.ts';

export * from './types.ts';
export { gtpuHeaderSize, writeGtpuHeader, pduSessionContainerOf } from './header.ts';

// --- Messages --------------------------------------------------------------------------------

/**
 * Decodes one GTP-U message (TS 29.281 7). Throws DecodeError on anything malformed.
 *
 * A well-formed G-PDU is read in place (`gpduAt`): no reader objects, only the message, its
 * header, the extension headers and the T-PDU view. Every other message, and any G-PDU the fast
 * read is unsure of, goes through `decodeGtpuChecked`, which reads field by field and reports faults.
 */
export function decodeGtpu(bytes: Uint8Array, warnings?: DecodeWarning[]): GtpuMessage {
  return gpduAt(bytes) ?? decodeGtpuChecked(bytes, warnings);
}

/**
 * The field-by-field decoder: every message type, every fault reported with offset and path.
 * `decodeGtpu` gives the same results (tests compare the two on fuzzed input).
 */
export function decodeGtpuChecked(bytes: Uint8Array, warnings?: DecodeWarning[]): GtpuMessage {
  const r = new ByteReader(bytes, PROTOCOL);
  const { header, end } = readHeader(r);
  const body = new ByteReader(bytes, PROTOCOL, r.pos, end);
  const name = GTPU_MESSAGE_NAMES[header.messageType];
  // TS 29.281 5.1: the Length field says where the message ends; octets after it in the datagram
  // are not the message's (a sender's padding): ignored, as Wireshark and the UPFs ignore them
  if (end < bytes.length) warnings?.push({ protocol: PROTOCOL, code: 'BEYOND_LENGTH', offset: end, path: 'Header.Length', reason: `${bytes.length - end} octet(s) in the datagram after the ${end} the Length field covers, ignored` });
  body.enter(name ?? `Type${header.messageType}`);
  let msg: GtpuMessage;
  switch (header.messageType) {
    case GtpuMessageType.GPdu:
      msg = { type: 'G-PDU', header, tPdu: body.rest() };
      break;
    case GtpuMessageType.EchoRequest: {
      const ies = readIes(body, 'Echo Request');
      msg = { type: 'Echo Request', header, ...(ies.priv.length ? { privateExtensions: ies.priv } : {}) };
      break;
    }
    case GtpuMessageType.EchoResponse: {
      const ies = readIes(body, 'Echo Response');
      if (ies.recovery === undefined) throw body.error('MISSING_IE', 'Recovery IE missing', 'Recovery', body.pos, GtpuIeType.Recovery);
      msg = { type: 'Echo Response', header, recovery: ies.recovery, ...(ies.priv.length ? { privateExtensions: ies.priv } : {}) };
      break;
    }
    case GtpuMessageType.ErrorIndication: {
      const ies = readIes(body, 'Error Indication');
      if (ies.teidDataI === undefined) throw body.error('MISSING_IE', 'TEID Data I missing', 'TEIDDataI', body.pos, GtpuIeType.TeidDataI);
      if (ies.peer === undefined) throw body.error('MISSING_IE', 'GTP-U Peer Address missing', 'GTPUPeerAddress', body.pos, GtpuIeType.GtpuPeerAddress);
      msg = { type: 'Error Indication', header, teidDataI: ies.teidDataI, gtpuPeerAddress: ies.peer, ...(ies.priv.length ? { privateExtensions: ies.priv } : {}) };
      break;
    }
    case GtpuMessageType.EndMarker: {
      const ies = readIes(body, 'End Marker');
      msg = { type: 'End Marker', header, ...(ies.priv.length ? { privateExtensions: ies.priv } : {}) };
      break;
    }
    case GtpuMessageType.SupportedExtensionHeadersNotification: {
      const ies = readIes(body, 'Supported Extension Headers Notification');
      if (ies.extList === undefined) throw body.error('MISSING_IE', 'Extension Header Type List missing', 'ExtensionHeaderTypeList', body.pos, GtpuIeType.ExtensionHeaderTypeList);
      msg = { type: 'Supported Extension Headers Notification', header, extensionHeaderTypeList: ies.extList };
      break;
    }
    default:
      throw r.error('UNKNOWN_TYPE', `message type ${header.messageType} is not a GTP-U message`, 'Header.MessageType', 1);
  }
  body.leave();
  return msg;
}

function bodySize(m: GtpuMessage): number {
  switch (m.type) {
    case 'G-PDU':
      return m.tPdu.length;
    case 'Echo Request':
    case 'End Marker':
      return privateExtensionsSize(m.privateExtensions);
    case 'Echo Response':
      return 2 + privateExtensionsSize(m.privateExtensions);
    case 'Error Indication':
      return 5 + 3 + m.gtpuPeerAddress.length + privateExtensionsSize(m.privateExtensions);
    case 'Supported Extension Headers Notification':
      return 2 + m.extensionHeaderTypeList.length;
  }
}

const TYPE_OF: Record<GtpuMessage['type'], number> = {
  'G-PDU': GtpuMessageType.GPdu,
  'Echo Request': GtpuMessageType.EchoRequest,
  'Echo Response': GtpuMessageType.EchoResponse,
  'Error Indication': GtpuMessageType.ErrorIndication,
  'End Marker': GtpuMessageType.EndMarker,
  'Supported Extension Headers Notification': GtpuMessageType.SupportedExtensionHeadersNotification,
};

/** Size in octets of the encoded message. */
export function gtpuSize(m: GtpuMessage): number {
  return gtpuHeaderSize(m.header) + bodySize(m);
}

/**
 * Encodes a GTP-U message. With `into`, writes at `offset` of a caller buffer (no allocation)
 * and returns the written view.
 */
export function encodeGtpu(m: GtpuMessage, into?: Uint8Array, offset = 0): Uint8Array {
  if (into) return into.subarray(offset, writeGtpu(m, into, offset));
  const out = new Uint8Array(gtpuSize(m));
  writeGtpu(m, out, 0);
  return out;
}

/**
 * Writes a GTP-U message at `offset` of a caller buffer and returns the offset after it (no
 * view is made: the form for a packet loop that sends `into` itself). Too small a buffer is an
 * EncodeError.
 */
export function writeGtpu(m: GtpuMessage, into: Uint8Array, offset = 0): number {
  if (m.type === 'G-PDU') {
    const end = writeGpdu(m, into, offset);
    if (end >= 0) return end;
  }
  return writeGtpuChecked(m, into, offset);
}

/**
 * The ByteWriter encoder: every message type, every size and range checked before it is
 * written. `writeGtpu` gives the same octets and errors (tests compare the two).
 */
export function writeGtpuChecked(m: GtpuMessage, into: Uint8Array, offset = 0): number {
  const w = new ByteWriter(into, offset);
  const header = m.header.messageType === TYPE_OF[m.type] ? m.header : { ...m.header, messageType: TYPE_OF[m.type] };
  writeGtpuHeader(w, header, bodySize(m));
  switch (m.type) {
    case 'G-PDU':
      w.bytes(m.tPdu);
      break;
    case 'Echo Request':
    case 'End Marker':
      writePrivateExtensions(w, m.privateExtensions);
      break;
    case 'Echo Response':
      w.u8(GtpuIeType.Recovery).u8(m.recovery);
      writePrivateExtensions(w, m.privateExtensions);
      break;
    case 'Error Indication':
      if (m.gtpuPeerAddress.length !== 4 && m.gtpuPeerAddress.length !== 16) throw new EncodeError(PROTOCOL, 'ErrorIndication.GTPUPeerAddress', 'must be 4 or 16 octets');
      w.u8(GtpuIeType.TeidDataI).u32(m.teidDataI);
      w.u8(GtpuIeType.GtpuPeerAddress).u16(m.gtpuPeerAddress.length).bytes(m.gtpuPeerAddress);
      writePrivateExtensions(w, m.privateExtensions);
      break;
    case 'Supported Extension Headers Notification':
      if (m.extensionHeaderTypeList.length > 255) throw new EncodeError(PROTOCOL, 'ExtensionHeaderTypeList', 'more than 255 types');
      w.u8(GtpuIeType.ExtensionHeaderTypeList).u8(m.extensionHeaderTypeList.length);
      for (const t of m.extensionHeaderTypeList) w.u8(t);
      break;
  }
  return w.pos;
}
