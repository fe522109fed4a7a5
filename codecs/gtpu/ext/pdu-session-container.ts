// PDU Session Container extension header, TS 29.281 5.2.2.7 (type 0x85), whose content is the
// PDU Session User Plane protocol frame of TS 38.415 5.5.2.
//
// Extension header framing (TS 29.281 5.2.1):
//   octet 1        length in 4-octet units (includes this octet and the next-type octet)
//   octets 2..m    content (below), zero-padded so the header is a multiple of 4 octets
//   octet m+1      next extension header type
//
// DL PDU SESSION INFORMATION, PDU type 0 (TS 38.415 5.5.2.1):
//        8     7     6     5     4     3     2     1
//   1 |     PDU Type (=0)     | QMP | SNP | MSNP| spare|
//   2 | PPP | RQI |              QFI                  |
//   -   PPI (3 bits) | spare (5)               if PPP
//   -   DL Sending Time Stamp (8 octets)       if QMP
//   -   DL QFI Sequence Number (3 octets)      if SNP
//   -   DL MBS QFI Sequence Number (4 octets)  if MSNP
//
// UL PDU SESSION INFORMATION, PDU type 1 (TS 38.415 5.5.2.2):
//        8     7     6     5     4     3     2     1
//   1 |     PDU Type (=1)     | QMP |DLDI |ULDI | SNP |
//   2 |N3N9DI|NEWIE|              QFI                  |
//   -   DL Sending Time Stamp Repeated, DL Received Time Stamp, UL Sending Time Stamp (8 each) if QMP
//   -   DL Delay Result (4)   if DL Delay Ind;   UL Delay Result (4)   if UL Delay Ind
//   -   UL QFI Sequence Number (3)   if SNP;     N3/N9 Delay Result (4) if N3/N9 Delay Ind
//   -   New IE octet (D1 UL PDCP Delay Ind in bit 1) if New IE Flag, then D1 UL PDCP Delay Result (4) if set

import type { ByteReader } from '../../bytes/reader.ts';
import type { ByteWriter } from '../../bytes/writer.ts';
import { EncodeError } from '../../bytes/errors.ts';

export const PDU_SESSION_CONTAINER = 0x85;

export const PduSessionInformationType = { DL: 0, UL: 1 } as const;

export interface DlPduSessionInformation {
  pduType: 0;
  qfi: number;
  /** Reflective QoS Indicator. */
  rqi: boolean;
  /** Paging Policy Indicator (0-7); present iff the PPP flag is set. */
  ppi?: number;
  dlSendingTimestamp?: bigint;
  dlQfiSequenceNumber?: number;
  dlMbsQfiSequenceNumber?: number;
  /** Padding octets when they are not the minimal zero padding (kept for byte-exact re-encoding). */
  padding?: Uint8Array;
}

export interface UlPduSessionInformation {
  pduType: 1;
  qfi: number;
  qmp?: { dlSendingTimestampRepeated: bigint; dlReceivedTimestamp: bigint; ulSendingTimestamp: bigint };
  dlDelayResult?: number;
  ulDelayResult?: number;
  ulQfiSequenceNumber?: number;
  n3n9DelayResult?: number;
  /** The New IE octet when the New IE Flag is set, and the D1 UL PDCP Delay Result it announces. */
  newIe?: { octet: number; d1UlPdcpDelayResult?: number };
  padding?: Uint8Array;
}

export type PduSessionContainer = DlPduSessionInformation | UlPduSessionInformation;

/** Content size in octets before padding. */
function contentSize(c: PduSessionContainer): number {
  let n = 2;
  if (c.pduType === 0) {
    if (c.ppi !== undefined) n += 1;
    if (c.dlSendingTimestamp !== undefined) n += 8;
    if (c.dlQfiSequenceNumber !== undefined) n += 3;
    if (c.dlMbsQfiSequenceNumber !== undefined) n += 4;
  } else {
    if (c.qmp) n += 24;
    if (c.dlDelayResult !== undefined) n += 4;
    if (c.ulDelayResult !== undefined) n += 4;
    if (c.ulQfiSequenceNumber !== undefined) n += 3;
    if (c.n3n9DelayResult !== undefined) n += 4;
    if (c.newIe) n += 1 + (c.newIe.d1UlPdcpDelayResult !== undefined ? 4 : 0);
  }
  return n;
}

/** Whole extension header size in octets (length octet + content + padding + next-type octet). */
export function pduSessionContainerSize(c: PduSessionContainer): number {
  const raw = 2 + contentSize(c);
  return c.padding ? raw + c.padding.length : (raw + 3) & ~3;
}

/** Writes the content and padding (the caller writes the length and next-type octets). */
export function writePduSessionContainer(w: ByteWriter, c: PduSessionContainer): void {
  checkQfi(c);
  const at = w.reserve(pduSessionContainerSize(c) - 2);
  writePduSessionContainerAt(w.buf, at, c);
}

function checkQfi(c: PduSessionContainer): void {
  if (c.qfi < 0 || c.qfi > 63) throw new EncodeError('gtpu', 'PDUSessionContainer.QFI', `QFI ${c.qfi} is not 0..63`);
}

/**
 * Writes the content and padding at `b[p]` (room for `pduSessionContainerSize(c) - 2` octets is
 * the caller's to ensure); returns the offset after them.
 */
export function writePduSessionContainerAt(b: Uint8Array, p: number, c: PduSessionContainer): number {
  const qfi = c.qfi;
  if (qfi < 0 || qfi > 63) throw new EncodeError('gtpu', 'PDUSessionContainer.QFI', `QFI ${qfi} is not 0..63`);
  // one pass: each optional field is written as it is found and its flag set in octets 1-2 after
  const start = p;
  p += 2;
  let o1: number;
  let o2: number;
  if (c.pduType === 0) {
    o1 = 0 << 4;
    o2 = (c.rqi ? 0x40 : 0) | qfi;
    if (c.ppi !== undefined) {
      o2 |= 0x80;
      b[p++] = (c.ppi & 7) << 5;
    }
    if (c.dlSendingTimestamp !== undefined) {
      o1 |= 8;
      p = u64At(b, p, c.dlSendingTimestamp);
    }
    if (c.dlQfiSequenceNumber !== undefined) {
      o1 |= 4;
      p = u24At(b, p, c.dlQfiSequenceNumber);
    }
    if (c.dlMbsQfiSequenceNumber !== undefined) {
      o1 |= 2;
      p = u32At(b, p, c.dlMbsQfiSequenceNumber);
    }
  } else {
    o1 = 1 << 4;
    o2 = qfi;
    const qmp = c.qmp;
    if (qmp) {
      o1 |= 8;
      p = u64At(b, p, qmp.dlSendingTimestampRepeated);
      p = u64At(b, p, qmp.dlReceivedTimestamp);
      p = u64At(b, p, qmp.ulSendingTimestamp);
    }
    if (c.dlDelayResult !== undefined) {
      o1 |= 4;
      p = u32At(b, p, c.dlDelayResult);
    }
    if (c.ulDelayResult !== undefined) {
      o1 |= 2;
      p = u32At(b, p, c.ulDelayResult);
    }
    if (c.ulQfiSequenceNumber !== undefined) {
      o1 |= 1;
      p = u24At(b, p, c.ulQfiSequenceNumber);
    }
    if (c.n3n9DelayResult !== undefined) {
      o2 |= 0x80;
      p = u32At(b, p, c.n3n9DelayResult);
    }
    const newIe = c.newIe;
    if (newIe) {
      o2 |= 0x40;
      b[p++] = newIe.octet;
      if (newIe.d1UlPdcpDelayResult !== undefined) p = u32At(b, p, newIe.d1UlPdcpDelayResult);
    }
  }
  b[start] = o1;
  b[start + 1] = o2;
  const padding = c.padding;
  if (padding) {
    b.set(padding, p);
    return p + padding.length;
  }
  const raw = 2 + (p - start);
  for (let pad = ((raw + 3) & ~3) - raw; pad > 0; pad--) b[p++] = 0;
  return p;
}

function u24At(b: Uint8Array, p: number, v: number): number {
  b[p] = v >>> 16;
  b[p + 1] = v >>> 8;
  b[p + 2] = v;
  return p + 3;
}

function u32At(b: Uint8Array, p: number, v: number): number {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
  return p + 4;
}

/** The value modulo 2^64, as ByteWriter.u64 writes it. */
function u64At(b: Uint8Array, p: number, v: bigint): number {
  if (v >= 0n && v <= 0xffffffffn) return u32At(b, u32At(b, p, 0), Number(v));
  return u32At(b, u32At(b, p, Number((v >> 32n) & 0xffffffffn)), Number(v & 0xffffffffn));
}

/**
 * Reads content + padding at `b[p, end)` with no reader object, or returns undefined when they
 * are malformed in any way (the caller then reads them with `readPduSessionContainer`, which
 * reports the fault). Same values as `readPduSessionContainer` otherwise.
 */
export function pduSessionContainerAt(b: Uint8Array, p: number, end: number): PduSessionContainer | undefined {
  if (p + 2 > end) return undefined;
  const start = p;
  const o1 = b[p];
  const o2 = b[p + 1];
  p += 2;
  const pduType = o1 >> 4;
  const qfi = o2 & 0x3f;
  let c: PduSessionContainer;
  if ((o1 & 0x0f) === 0 && (o2 & 0x80) === 0 && (pduType === 0 || (pduType === 1 && (o2 & 0x40) === 0))) {
    // the usual container: PDU type and QFI (and RQI for the downlink), no optional field
    c = pduType === 0 ? { pduType: 0, qfi, rqi: (o2 & 0x40) !== 0 } : { pduType: 1, qfi };
  } else if (pduType === 0) {
    if (o1 & 1) return undefined;
    const need = (o2 & 0x80 ? 1 : 0) + (o1 & 8 ? 8 : 0) + (o1 & 4 ? 3 : 0) + (o1 & 2 ? 4 : 0);
    if (p + need > end) return undefined;
    const dl: DlPduSessionInformation = { pduType: 0, qfi, rqi: (o2 & 0x40) !== 0 };
    if (o2 & 0x80) dl.ppi = b[p++] >> 5;
    if (o1 & 8) {
      dl.dlSendingTimestamp = u64Of(b, p);
      p += 8;
    }
    if (o1 & 4) {
      dl.dlQfiSequenceNumber = (b[p] << 16) | (b[p + 1] << 8) | b[p + 2];
      p += 3;
    }
    if (o1 & 2) {
      dl.dlMbsQfiSequenceNumber = u32Of(b, p);
      p += 4;
    }
    c = dl;
  } else if (pduType === 1) {
    let need = (o1 & 8 ? 24 : 0) + (o1 & 4 ? 4 : 0) + (o1 & 2 ? 4 : 0) + (o1 & 1 ? 3 : 0) + (o2 & 0x80 ? 4 : 0) + (o2 & 0x40 ? 1 : 0);
    if (p + need > end) return undefined;
    const ul: UlPduSessionInformation = { pduType: 1, qfi };
    if (o1 & 8) {
      ul.qmp = { dlSendingTimestampRepeated: u64Of(b, p), dlReceivedTimestamp: u64Of(b, p + 8), ulSendingTimestamp: u64Of(b, p + 16) };
      p += 24;
    }
    if (o1 & 4) {
      ul.dlDelayResult = u32Of(b, p);
      p += 4;
    }
    if (o1 & 2) {
      ul.ulDelayResult = u32Of(b, p);
      p += 4;
    }
    if (o1 & 1) {
      ul.ulQfiSequenceNumber = (b[p] << 16) | (b[p + 1] << 8) | b[p + 2];
      p += 3;
    }
    if (o2 & 0x80) {
      ul.n3n9DelayResult = u32Of(b, p);
      p += 4;
    }
    if (o2 & 0x40) {
      const octet = b[p++];
      if (octet & 1) {
        need = 4;
        if (p + need > end) return undefined;
        ul.newIe = { octet, d1UlPdcpDelayResult: u32Of(b, p) };
        p += 4;
      } else {
        ul.newIe = { octet };
      }
    }
    c = ul;
  } else {
    return undefined;
  }
  const raw = 2 + (p - start);
  const minimal = ((raw + 3) & ~3) - raw;
  let exotic = end - p !== minimal;
  for (let i = p; !exotic && i < end; i++) exotic = b[i] !== 0;
  if (exotic) c.padding = Uint8Array.from(b.subarray(p, end));
  return c;
}

function u32Of(b: Uint8Array, p: number): number {
  return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

/** As ByteReader.u64: one BigInt when the high half is zero. */
function u64Of(b: Uint8Array, p: number): bigint {
  const hi = u32Of(b, p);
  const lo = u32Of(b, p + 4);
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

/** Reads content + padding from a reader limited to them (TS 38.415 5.5.2). */
export function readPduSessionContainer(r: ByteReader): PduSessionContainer {
  const o1 = r.u8('PDUType');
  const o2 = r.u8('QFI');
  const pduType = o1 >> 4;
  const qfi = o2 & 0x3f;
  let c: PduSessionContainer;
  if (pduType === 0) {
    const dl: DlPduSessionInformation = { pduType: 0, qfi, rqi: (o2 & 0x40) !== 0 };
    if (o2 & 0x80) dl.ppi = r.u8('PPI') >> 5;
    if (o1 & 8) dl.dlSendingTimestamp = r.u64('DLSendingTimeStamp');
    if (o1 & 4) dl.dlQfiSequenceNumber = r.u24('DLQFISequenceNumber');
    if (o1 & 2) dl.dlMbsQfiSequenceNumber = r.u32('DLMBSQFISequenceNumber');
    c = dl;
  } else if (pduType === 1) {
    const ul: UlPduSessionInformation = { pduType: 1, qfi };
    if (o1 & 8) {
      ul.qmp = { dlSendingTimestampRepeated: r.u64('DLSendingTimeStampRepeated'), dlReceivedTimestamp: r.u64('DLReceivedTimeStamp'), ulSendingTimestamp: r.u64('ULSendingTimeStamp') };
    }
    if (o1 & 4) ul.dlDelayResult = r.u32('DLDelayResult');
    if (o1 & 2) ul.ulDelayResult = r.u32('ULDelayResult');
    if (o1 & 1) ul.ulQfiSequenceNumber = r.u24('ULQFISequenceNumber');
    if (o2 & 0x80) ul.n3n9DelayResult = r.u32('N3N9DelayResult');
    if (o2 & 0x40) {
      const octet = r.u8('NewIE');
      ul.newIe = octet & 1 ? { octet, d1UlPdcpDelayResult: r.u32('D1ULPDCPDelayResult') } : { octet };
    }
    c = ul;
  } else {
    throw r.error('BAD_VALUE', `PDU type ${pduType} is not DL (0) or UL (1) PDU SESSION INFORMATION`, 'PDUType', r.pos - 2);
  }
  // Spare bits in octet 1 (DL bit 1) must be zero for an exact re-encoding; reject otherwise.
  if (pduType === 0 && (o1 & 1) !== 0) throw r.error('BAD_VALUE', 'spare bit set in octet 1', 'PDUType', r.pos);
  // Keep the padding only when it is not the minimal run of zeros (checked in place: no view
  // is allocated on the common path).
  const raw = 2 + contentSize(c);
  const minimal = ((raw + 3) & ~3) - raw;
  let exotic = r.remaining !== minimal;
  for (let i = r.pos; !exotic && i < r.end; i++) exotic = r.buf[i] !== 0;
  if (exotic) c.padding = Uint8Array.from(r.rest());
  else r.pos = r.end;
  return c;
}
