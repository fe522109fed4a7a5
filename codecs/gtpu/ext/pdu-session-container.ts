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
  if (c.qfi < 0 || c.qfi > 63) throw new EncodeError('gtpu', 'PDUSessionContainer.QFI', `QFI ${c.qfi} is not 0..63`);
  if (c.pduType === 0) {
    w.u8((0 << 4) | (c.dlSendingTimestamp !== undefined ? 8 : 0) | (c.dlQfiSequenceNumber !== undefined ? 4 : 0) | (c.dlMbsQfiSequenceNumber !== undefined ? 2 : 0));
    w.u8((c.ppi !== undefined ? 0x80 : 0) | (c.rqi ? 0x40 : 0) | c.qfi);
    if (c.ppi !== undefined) w.u8((c.ppi & 7) << 5);
    if (c.dlSendingTimestamp !== undefined) w.u64(c.dlSendingTimestamp);
    if (c.dlQfiSequenceNumber !== undefined) w.u24(c.dlQfiSequenceNumber);
    if (c.dlMbsQfiSequenceNumber !== undefined) w.u32(c.dlMbsQfiSequenceNumber);
  } else {
    w.u8((1 << 4) | (c.qmp ? 8 : 0) | (c.dlDelayResult !== undefined ? 4 : 0) | (c.ulDelayResult !== undefined ? 2 : 0) | (c.ulQfiSequenceNumber !== undefined ? 1 : 0));
    w.u8((c.n3n9DelayResult !== undefined ? 0x80 : 0) | (c.newIe ? 0x40 : 0) | c.qfi);
    if (c.qmp) {
      w.u64(c.qmp.dlSendingTimestampRepeated);
      w.u64(c.qmp.dlReceivedTimestamp);
      w.u64(c.qmp.ulSendingTimestamp);
    }
    if (c.dlDelayResult !== undefined) w.u32(c.dlDelayResult);
    if (c.ulDelayResult !== undefined) w.u32(c.ulDelayResult);
    if (c.ulQfiSequenceNumber !== undefined) w.u24(c.ulQfiSequenceNumber);
    if (c.n3n9DelayResult !== undefined) w.u32(c.n3n9DelayResult);
    if (c.newIe) {
      w.u8(c.newIe.octet);
      if (c.newIe.d1UlPdcpDelayResult !== undefined) w.u32(c.newIe.d1UlPdcpDelayResult);
    }
  }
  const raw = 2 + contentSize(c);
  if (c.padding) w.bytes(c.padding);
  else w.zeros(((raw + 3) & ~3) - raw);
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
