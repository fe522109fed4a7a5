// GTP-U header, TS 29.281 5.1, and extension headers, 5.2.
//
// GTP-U header (TS 29.281 5.1, Figure 5.1-1):
//        8     7     6     5     4     3     2     1
//   1 |  Version (=1)   | PT=1|  *  |  E  |  S  | PN  |
//   2 |                 Message Type                  |
//   3 |            Length (1st octet)                 |   octets after the first 8
//   4 |            Length (2nd octet)                 |
//   5-8            Tunnel Endpoint Identifier (TEID)
//   9-10           Sequence Number          \
//   11             N-PDU Number              } present if any of E, S, PN is set
//   12             Next Extension Header Type/
//
// The optional fields are present when any flag is set; a field whose own flag is clear is sent
// as zero and ignored on receipt (5.1 NOTE 4), so it decodes as absent.

import type { ByteReader } from '../bytes/reader.ts';
import type { ByteWriter } from '../bytes/writer.ts';
import { EncodeError } from '../bytes/errors.ts';
import { PDU_SESSION_CONTAINER, pduSessionContainerSize, readPduSessionContainer, writePduSessionContainer, type PduSessionContainer } from './ext/pdu-session-container.ts';
import { PROTOCOL, type ExtensionHeader, type GtpuHeader } from './types.ts';

export function readHeader(r: ByteReader): { header: GtpuHeader; end: number } {
  r.enter('Header');
  const flags = r.u8('Flags');
  const version = flags >> 5;
  if (version !== 1) throw r.error('BAD_VALUE', `version ${version} is not GTPv1`, 'Version', r.pos - 1);
  if ((flags & 0x10) === 0) throw r.error('BAD_VALUE', 'PT=0 (GTP\') is not GTP-U', 'PT', r.pos - 1);
  const messageType = r.u8('MessageType');
  const length = r.u16('Length');
  const teid = r.u32('TEID');
  const end = r.pos + length;
  if (end > r.end) throw r.error('BAD_LENGTH', `length ${length} exceeds the ${r.end - r.pos} octets that follow`, 'Length', r.pos - 6);
  const header: GtpuHeader = { messageType, teid };
  if (flags & 0x07) {
    if (length < 4) throw r.error('BAD_LENGTH', `length ${length} cannot hold the optional fields`, 'Length', r.pos - 6);
    const seq = r.u16('SequenceNumber');
    const npdu = r.u8('N-PDUNumber');
    let next = r.u8('NextExtensionHeaderType');
    if (flags & 0x02) header.sequenceNumber = seq;
    if (flags & 0x01) header.nPduNumber = npdu;
    if (flags & 0x04) {
      const exts: ExtensionHeader[] = [];
      let i = 0;
      while (next !== 0) {
        const type = next;
        r.enter(`ExtensionHeader[${i}]`);
        const unitsAt = r.pos;
        const units = r.u8('Length');
        if (units === 0) throw r.error('BAD_LENGTH', 'extension header length 0', 'Length', unitsAt);
        if (unitsAt + units * 4 > end) throw r.error('BAD_LENGTH', `extension header of ${units * 4} octets overruns the message`, 'Length', unitsAt);
        const body = r.sub(units * 4 - 2, 'Content');
        next = r.u8('NextExtensionHeaderType');
        if (type === PDU_SESSION_CONTAINER) {
          r.enter('PDUSessionContainer');
          exts.push({ type: PDU_SESSION_CONTAINER, container: readPduSessionContainer(body) });
          r.leave();
        } else {
          exts.push({ type, content: Uint8Array.from(body.rest()) });
        }
        r.leave();
        i++;
      }
      header.extensionHeaders = exts;
    } else if (next !== 0) {
      throw r.error('BAD_VALUE', 'next extension header type set without the E flag', 'NextExtensionHeaderType', r.pos - 1);
    }
  }
  r.leave();
  return { header, end };
}

export function extensionSize(e: ExtensionHeader): number {
  return 'container' in e ? pduSessionContainerSize(e.container) : e.content.length + 2;
}

/** Size of the header including optional fields and extension headers. */
export function gtpuHeaderSize(h: GtpuHeader): number {
  if (h.sequenceNumber === undefined && h.nPduNumber === undefined && h.extensionHeaders === undefined) return 8;
  let n = 12;
  for (const e of h.extensionHeaders ?? []) n += extensionSize(e);
  return n;
}

/** Writes the header for a message whose body (after the header) is `bodyLength` octets. */
export function writeGtpuHeader(w: ByteWriter, h: GtpuHeader, bodyLength: number): void {
  const exts = h.extensionHeaders;
  const flags = 0x30 | (exts !== undefined ? 4 : 0) | (h.sequenceNumber !== undefined ? 2 : 0) | (h.nPduNumber !== undefined ? 1 : 0);
  const length = gtpuHeaderSize(h) - 8 + bodyLength;
  if (length > 0xffff) throw new EncodeError(PROTOCOL, 'Header.Length', `message of ${length + 8} octets exceeds the 16-bit length`);
  w.u8(flags).u8(h.messageType).u16(length).u32(h.teid);
  if ((flags & 7) === 0) return;
  w.u16(h.sequenceNumber ?? 0).u8(h.nPduNumber ?? 0);
  if (!exts || exts.length === 0) {
    w.u8(0);
    return;
  }
  w.u8(exts[0].type);
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i];
    const size = extensionSize(e);
    if (size % 4 !== 0 || size > 1020) throw new EncodeError(PROTOCOL, `ExtensionHeader[${i}]`, `size ${size} is not a multiple of 4 up to 1020`);
    w.u8(size / 4);
    if ('container' in e) writePduSessionContainer(w, e.container);
    else w.bytes(e.content);
    w.u8(i + 1 < exts.length ? exts[i + 1].type : 0);
  }
}

/** The PDU Session Container of a header, if any. */
export function pduSessionContainerOf(h: GtpuHeader): PduSessionContainer | undefined {
  for (const e of h.extensionHeaders ?? []) if ('container' in e) return e.container;
  return undefined;
}
