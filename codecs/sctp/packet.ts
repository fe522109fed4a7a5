// SCTP packets and chunks, RFC 4960 clause 3 (pure codec; the association is in
// transport/sctp-udp). Used by the SCTP-over-UDP transport (RFC 6951) and by `wire5g decode` for
// NGAP in captures, over real SCTP or UDP.
//
//   Common header (3.1):  Source Port (2) | Destination Port (2) | Verification Tag (4) | Checksum (4)
//   Chunk (3.2):          Type (1) | Flags (1) | Length (2, header included, padding excluded) | Value
//                         padded to a multiple of 4 octets

import { ByteReader } from '../bytes/reader.ts';
import { ByteWriter } from '../bytes/writer.ts';
import { DecodeError, EncodeError } from '../bytes/errors.ts';
import { sctpChecksum, readSctpChecksum, writeSctpChecksum } from '../bytes/checksum.ts';
import { OctetSlab } from '../bytes/slab.ts';

const PROTOCOL = 'sctp';

/** RFC 4960 3.2 chunk types. */
export const SctpChunkType = {
  DATA: 0,
  INIT: 1,
  INIT_ACK: 2,
  SACK: 3,
  HEARTBEAT: 4,
  HEARTBEAT_ACK: 5,
  ABORT: 6,
  SHUTDOWN: 7,
  SHUTDOWN_ACK: 8,
  ERROR: 9,
  COOKIE_ECHO: 10,
  COOKIE_ACK: 11,
  SHUTDOWN_COMPLETE: 14,
} as const;

export const SCTP_CHUNK_NAMES: Record<number, string> = {
  0: 'DATA', 1: 'INIT', 2: 'INIT ACK', 3: 'SACK', 4: 'HEARTBEAT', 5: 'HEARTBEAT ACK', 6: 'ABORT', 7: 'SHUTDOWN',
  8: 'SHUTDOWN ACK', 9: 'ERROR', 10: 'COOKIE ECHO', 11: 'COOKIE ACK', 14: 'SHUTDOWN COMPLETE',
};

/** RFC 4960 3.3.10 error cause codes. */
export const SctpErrorCause = {
  InvalidStreamIdentifier: 1,
  MissingMandatoryParameter: 2,
  StaleCookie: 3,
  OutOfResource: 4,
  UnresolvableAddress: 5,
  UnrecognizedChunkType: 6,
  InvalidMandatoryParameter: 7,
  UnrecognizedParameters: 8,
  NoUserData: 9,
  CookieReceivedWhileShuttingDown: 10,
  RestartWithNewAddresses: 11,
  UserInitiatedAbort: 12,
  ProtocolViolation: 13,
} as const;

export interface SctpChunk {
  type: number;
  flags: number;
  /** The chunk value (after the 4-octet chunk header, padding excluded). */
  value: Uint8Array;
}

export interface SctpPacket {
  srcPort: number;
  dstPort: number;
  verificationTag: number;
  /** The checksum field as received. */
  checksum: number;
  /** Whether the CRC32c over the packet matches (RFC 4960 6.8). */
  checksumValid: boolean;
  chunks: SctpChunk[];
}

/** Decodes a whole SCTP packet; a bad checksum is reported, not thrown (the receiver discards). */
export function decodeSctpPacket(bytes: Uint8Array): SctpPacket {
  const r = new ByteReader(bytes, PROTOCOL);
  r.enter('CommonHeader');
  const srcPort = r.u16('SourcePort');
  const dstPort = r.u16('DestinationPort');
  const verificationTag = r.u32('VerificationTag');
  r.skip(4, 'Checksum');
  r.leave();
  const checksum = readSctpChecksum(bytes);
  const checksumValid = sctpChecksum(bytes) === checksum; // the codec never writes into its input
  const chunks: SctpChunk[] = [];
  let i = 0;
  while (r.remaining > 0) {
    r.enter('Chunk');
    r.enter(i++);
    const at = r.pos;
    const type = r.u8('Type');
    const flags = r.u8('Flags');
    const length = r.u16('Length');
    if (length < 4) throw r.error('BAD_LENGTH', `chunk length ${length} < 4`, 'Length', at + 2);
    const value = r.bytes(length - 4, 'Value');
    const pad = Math.min((4 - (length % 4)) % 4, r.remaining);
    r.skip(pad, 'Padding');
    chunks.push({ type, flags, value });
    r.leave();
    r.leave();
  }
  return { srcPort, dstPort, verificationTag, checksum, checksumValid, chunks };
}

/**
 * Where packets and DATA chunks are cut from: a packet lives until it is sent, a DATA chunk until
 * the peer acknowledges it (slab.ts). Synchronous, so one for every association.
 */
const slab = new OctetSlab();

/** Encodes a packet with its CRC32c (RFC 4960 Appendix B). */
export function encodeSctpPacket(p: { srcPort: number; dstPort: number; verificationTag: number; chunks: SctpChunk[] }): Uint8Array {
  let size = 12;
  for (const c of p.chunks) size += (4 + c.value.length + 3) & ~3;
  const w = new ByteWriter(slab.take(size));
  w.u16(p.srcPort).u16(p.dstPort).u32(p.verificationTag >>> 0).u32(0);
  for (const c of p.chunks) {
    const len = 4 + c.value.length;
    if (len > 0xffff) throw new EncodeError(PROTOCOL, SCTP_CHUNK_NAMES[c.type] ?? `chunk ${c.type}`, 'longer than 65535 octets');
    w.u8(c.type).u8(c.flags).u16(len).bytes(c.value).zeros((4 - (len % 4)) % 4);
  }
  const out = w.finish();
  writeSctpChecksum(out);
  return out;
}

// --- DATA (3.3.1) -------------------------------------------------------------------------------
//   flags: I (bit 3) | U (bit 2) | B (bit 1) | E (bit 0)
//   TSN (4) | Stream Identifier (2) | Stream Sequence Number (2) | Payload Protocol Identifier (4) | data

export const DataFlags = { E: 0x01, B: 0x02, U: 0x04, I: 0x08 } as const;

export interface DataChunk {
  flags: number;
  tsn: number;
  streamId: number;
  streamSeq: number;
  ppid: number;
  userData: Uint8Array;
}

export function decodeDataChunk(c: SctpChunk): DataChunk {
  const v = c.value;
  if (v.length > 12) {
    // the fields read in place (the reader below gives the same values, and the errors of a short chunk)
    return { flags: c.flags, tsn: ((v[0] << 24) | (v[1] << 16) | (v[2] << 8) | v[3]) >>> 0, streamId: (v[4] << 8) | v[5], streamSeq: (v[6] << 8) | v[7], ppid: ((v[8] << 24) | (v[9] << 16) | (v[10] << 8) | v[11]) >>> 0, userData: v.subarray(12) };
  }
  const r = new ByteReader(v, PROTOCOL);
  r.enter('DATA');
  const tsn = r.u32('TSN');
  const streamId = r.u16('StreamIdentifier');
  const streamSeq = r.u16('StreamSequenceNumber');
  const ppid = r.u32('PayloadProtocolIdentifier');
  const userData = r.rest();
  if (userData.length === 0) throw r.error('BAD_LENGTH', 'DATA chunk with no user data (RFC 4960 6.2 "No User Data")', 'UserData');
  return { flags: c.flags, tsn, streamId, streamSeq, ppid, userData };
}

export function dataChunk(d: DataChunk): SctpChunk {
  const v = slab.take(12 + d.userData.length);
  // the 12 octets of fields stored directly (big-endian, 3.3.1), then the user data
  const { tsn, streamId, streamSeq, ppid } = d;
  v[0] = tsn >>> 24;
  v[1] = tsn >>> 16;
  v[2] = tsn >>> 8;
  v[3] = tsn;
  v[4] = streamId >>> 8;
  v[5] = streamId;
  v[6] = streamSeq >>> 8;
  v[7] = streamSeq;
  v[8] = ppid >>> 24;
  v[9] = ppid >>> 16;
  v[10] = ppid >>> 8;
  v[11] = ppid;
  v.set(d.userData, 12);
  return { type: SctpChunkType.DATA, flags: d.flags, value: v };
}

// --- INIT / INIT ACK (3.3.2, 3.3.3) ---------------------------------------------------------------
//   Initiate Tag (4) | a_rwnd (4) | Number of Outbound Streams (2) | Number of Inbound Streams (2) |
//   Initial TSN (4) | optional/variable parameters (Type 2, Length 2, value, padded)

export const InitParameter = { IPv4Address: 5, IPv6Address: 6, StateCookie: 7, UnrecognizedParameter: 8, CookiePreservative: 9, SupportedAddressTypes: 12 } as const;

export interface InitChunk {
  initiateTag: number;
  aRwnd: number;
  outboundStreams: number;
  inboundStreams: number;
  initialTsn: number;
  parameters: { type: number; value: Uint8Array }[];
}

export function decodeInitChunk(c: SctpChunk): InitChunk {
  const r = new ByteReader(c.value, PROTOCOL);
  r.enter(c.type === SctpChunkType.INIT ? 'INIT' : 'INIT ACK');
  const init: InitChunk = { initiateTag: r.u32('InitiateTag'), aRwnd: r.u32('a_rwnd'), outboundStreams: r.u16('OutboundStreams'), inboundStreams: r.u16('InboundStreams'), initialTsn: r.u32('InitialTSN'), parameters: [] };
  while (r.remaining >= 4) {
    const type = r.u16('Parameter.Type');
    const len = r.u16('Parameter.Length');
    if (len < 4) throw r.error('BAD_LENGTH', `parameter length ${len} < 4`, 'Parameter.Length', r.pos - 2);
    init.parameters.push({ type, value: r.bytes(len - 4, 'Parameter.Value') });
    r.skip(Math.min((4 - (len % 4)) % 4, r.remaining), 'Parameter.Padding');
  }
  if (r.remaining) throw r.error('TRAILING_BYTES', `${r.remaining} octet(s) too short for a parameter`, 'Parameter');
  return init;
}

export function initChunk(type: 1 | 2, i: InitChunk): SctpChunk {
  const w = new ByteWriter(64);
  w.u32(i.initiateTag >>> 0).u32(i.aRwnd >>> 0).u16(i.outboundStreams).u16(i.inboundStreams).u32(i.initialTsn >>> 0);
  for (const p of i.parameters) {
    const len = 4 + p.value.length;
    w.u16(p.type).u16(len).bytes(p.value).zeros((4 - (len % 4)) % 4);
  }
  return { type, flags: 0, value: w.finish().slice() };
}

// --- SACK (3.3.4) -------------------------------------------------------------------------------
//   Cumulative TSN Ack (4) | a_rwnd (4) | Number of Gap Ack Blocks (2) | Number of Duplicate TSNs (2) |
//   Gap Ack Block Start/End offsets (2 + 2 each, relative to the cumulative TSN) | Duplicate TSNs (4 each)

export interface SackChunk {
  cumulativeTsnAck: number;
  aRwnd: number;
  gapBlocks: { start: number; end: number }[];
  duplicateTsns: number[];
}

export function decodeSackChunk(c: SctpChunk): SackChunk {
  const r = new ByteReader(c.value, PROTOCOL);
  r.enter('SACK');
  const cumulativeTsnAck = r.u32('CumulativeTSNAck');
  const aRwnd = r.u32('a_rwnd');
  const nGaps = r.u16('NumberOfGapAckBlocks');
  const nDups = r.u16('NumberOfDuplicateTSNs');
  const gapBlocks: SackChunk['gapBlocks'] = [];
  for (let i = 0; i < nGaps; i++) gapBlocks.push({ start: r.u16('GapAckBlockStart'), end: r.u16('GapAckBlockEnd') });
  const duplicateTsns: number[] = [];
  for (let i = 0; i < nDups; i++) duplicateTsns.push(r.u32('DuplicateTSN'));
  return { cumulativeTsnAck, aRwnd, gapBlocks, duplicateTsns };
}

export function sackChunk(s: SackChunk): SctpChunk {
  const v = new Uint8Array(12 + s.gapBlocks.length * 4 + s.duplicateTsns.length * 4);
  const w = new ByteWriter(v);
  w.u32(s.cumulativeTsnAck >>> 0).u32(s.aRwnd >>> 0).u16(s.gapBlocks.length).u16(s.duplicateTsns.length);
  for (const g of s.gapBlocks) w.u16(g.start).u16(g.end);
  for (const d of s.duplicateTsns) w.u32(d >>> 0);
  return { type: SctpChunkType.SACK, flags: 0, value: v };
}

// --- the rest --------------------------------------------------------------------------------------

/** SHUTDOWN (3.3.8): Cumulative TSN Ack. */
export function shutdownChunk(cumulativeTsnAck: number): SctpChunk {
  const v = new Uint8Array(4);
  new ByteWriter(v).u32(cumulativeTsnAck >>> 0);
  return { type: SctpChunkType.SHUTDOWN, flags: 0, value: v };
}

/** HEARTBEAT / HEARTBEAT ACK (3.3.5, 3.3.6): one Heartbeat Info parameter (type 1). */
export function heartbeatChunk(type: 4 | 5, info: Uint8Array): SctpChunk {
  const w = new ByteWriter(4 + info.length + 3);
  w.u16(1).u16(4 + info.length).bytes(info).zeros((4 - ((4 + info.length) % 4)) % 4);
  return { type, flags: 0, value: w.finish().slice() };
}

/** Error causes (3.3.10) of ABORT and ERROR chunks. */
export function errorCauses(causes: { code: number; info?: Uint8Array }[]): Uint8Array {
  const w = new ByteWriter(32);
  for (const c of causes) {
    const info = c.info ?? new Uint8Array(0);
    const len = 4 + info.length;
    w.u16(c.code).u16(len).bytes(info).zeros((4 - (len % 4)) % 4);
  }
  return w.finish().slice();
}

export function decodeErrorCauses(value: Uint8Array): { code: number; info: Uint8Array }[] {
  const r = new ByteReader(value, PROTOCOL);
  const out: { code: number; info: Uint8Array }[] = [];
  while (r.remaining >= 4) {
    const code = r.u16('Cause.Code');
    const len = r.u16('Cause.Length');
    if (len < 4) throw r.error('BAD_LENGTH', `cause length ${len} < 4`, 'Cause.Length', r.pos - 2);
    out.push({ code, info: r.bytes(len - 4, 'Cause.Info') });
    r.skip(Math.min((4 - (len % 4)) % 4, r.remaining), 'Cause.Padding');
  }
  if (r.remaining) throw r.error('TRAILING_BYTES', `${r.remaining} octet(s) too short for an error cause`, 'Cause');
  return out;
}

/** A chunk with no value (COOKIE ACK, SHUTDOWN ACK, SHUTDOWN COMPLETE with the T flag in `flags`). */
export function emptyChunk(type: number, flags = 0): SctpChunk {
  return { type, flags, value: new Uint8Array(0) };
}

/** ABORT / ERROR chunk (3.3.7, 3.3.10) with the given causes; `tBit` only for ABORT (8.4, 8.5.1). */
export function abortChunk(causes: { code: number; info?: Uint8Array }[] = [], tBit = false): SctpChunk {
  return { type: SctpChunkType.ABORT, flags: tBit ? 1 : 0, value: errorCauses(causes) };
}

export function errorChunk(causes: { code: number; info?: Uint8Array }[]): SctpChunk {
  return { type: SctpChunkType.ERROR, flags: 0, value: errorCauses(causes) };
}

/** A chunk as it sits on the wire (header, value, padding): the info of "Unrecognized Chunk Type". */
export function chunkBytes(c: SctpChunk): Uint8Array {
  const len = 4 + c.value.length;
  const out = new Uint8Array((len + 3) & ~3);
  out[0] = c.type;
  out[1] = c.flags;
  out[2] = len >>> 8;
  out[3] = len & 0xff;
  out.set(c.value, 4);
  return out;
}

// --- unrecognized chunk types and parameters (3.2, 3.2.1) --------------------------------------

/** What the two highest-order bits of an unrecognized chunk or parameter type ask for (3.2, 3.2.1). */
export const UnrecognizedAction = {
  /** 00: stop processing this packet (parameter: this chunk), discard. */
  Stop: 'Stop',
  /** 01: stop, discard, and report it ("Unrecognized Chunk Type" ERROR / Unrecognized Parameter). */
  StopAndReport: 'StopAndReport',
  /** 10: skip it and continue. */
  Skip: 'Skip',
  /** 11: skip it, continue, and report it. */
  SkipAndReport: 'SkipAndReport',
} as const;
export type UnrecognizedAction = (typeof UnrecognizedAction)[keyof typeof UnrecognizedAction];

const ACTIONS: readonly UnrecognizedAction[] = ['Stop', 'StopAndReport', 'Skip', 'SkipAndReport'];

/** The action for an unrecognized chunk type (8-bit) or, with `bits = 16`, parameter type. */
export function unrecognizedAction(type: number, bits: 8 | 16 = 8): UnrecognizedAction {
  return ACTIONS[(type >>> (bits - 2)) & 3];
}

const KNOWN_CHUNKS = new Set<number>(Object.values(SctpChunkType));

export function isKnownChunkType(type: number): boolean {
  return KNOWN_CHUNKS.has(type);
}

// --- typed chunks: one decoded value per chunk, for the CLI and for tests -----------------------

export type DecodedChunk =
  | ({ kind: 'Data' } & DataChunk)
  | ({ kind: 'Init' | 'InitAck' } & InitChunk & { stateCookie?: Uint8Array })
  | ({ kind: 'Sack' } & SackChunk)
  | { kind: 'Heartbeat' | 'HeartbeatAck'; heartbeatInfo: Uint8Array }
  | { kind: 'Abort' | 'ShutdownComplete'; tBit: boolean; causes: { code: number; info: Uint8Array }[] }
  | { kind: 'Shutdown'; cumulativeTsnAck: number }
  | { kind: 'ShutdownAck' | 'CookieAck' }
  | { kind: 'Error'; causes: { code: number; info: Uint8Array }[] }
  | { kind: 'CookieEcho'; stateCookie: Uint8Array }
  | { kind: 'Unrecognized'; type: number; flags: number; value: Uint8Array; action: UnrecognizedAction };

export interface DecodedSctpPacket extends Omit<SctpPacket, 'chunks'> {
  chunks: DecodedChunk[];
}

function noValue(c: SctpChunk, name: string): void {
  if (c.value.length) throw new DecodeError({ protocol: PROTOCOL, code: 'TRAILING_BYTES', offset: 4, path: name, reason: `${c.value.length} octet(s) in a chunk that has no value` });
}

/** HEARTBEAT / HEARTBEAT ACK (3.3.5, 3.3.6): exactly one Heartbeat Info parameter (type 1). */
export function decodeHeartbeatChunk(c: SctpChunk): Uint8Array {
  const r = new ByteReader(c.value, PROTOCOL);
  r.enter(c.type === SctpChunkType.HEARTBEAT ? 'HEARTBEAT' : 'HEARTBEAT ACK');
  const type = r.u16('HeartbeatInfo.Type');
  if (type !== 1) throw r.error('BAD_VALUE', `parameter type ${type}, Heartbeat Info is 1`, 'HeartbeatInfo.Type', r.pos - 2);
  const len = r.u16('HeartbeatInfo.Length');
  if (len < 4) throw r.error('BAD_LENGTH', `parameter length ${len} < 4`, 'HeartbeatInfo.Length', r.pos - 2);
  const info = r.bytes(len - 4, 'HeartbeatInfo.Value');
  r.skip(Math.min((4 - (len % 4)) % 4, r.remaining), 'HeartbeatInfo.Padding');
  if (r.remaining) throw r.error('TRAILING_BYTES', `${r.remaining} octet(s) after Heartbeat Info`, 'HeartbeatInfo');
  return info;
}

/** SHUTDOWN (3.3.8): the Cumulative TSN Ack, and nothing else. */
export function decodeShutdownChunk(c: SctpChunk): number {
  const r = new ByteReader(c.value, PROTOCOL);
  r.enter('SHUTDOWN');
  const cum = r.u32('CumulativeTSNAck');
  if (r.remaining) throw r.error('TRAILING_BYTES', `${r.remaining} octet(s) after the Cumulative TSN Ack`, 'CumulativeTSNAck');
  return cum;
}

/** Decodes one chunk's value by its type; unknown types come back as `Unrecognized` with their action. */
export function decodeChunk(c: SctpChunk): DecodedChunk {
  switch (c.type) {
    case SctpChunkType.DATA:
      return { kind: 'Data', ...decodeDataChunk(c) };
    case SctpChunkType.INIT:
    case SctpChunkType.INIT_ACK: {
      const i = decodeInitChunk(c);
      const cookie = i.parameters.find((p) => p.type === InitParameter.StateCookie);
      return { kind: c.type === SctpChunkType.INIT ? 'Init' : 'InitAck', ...i, ...(cookie ? { stateCookie: cookie.value } : {}) };
    }
    case SctpChunkType.SACK:
      return { kind: 'Sack', ...decodeSackChunk(c) };
    case SctpChunkType.HEARTBEAT:
      return { kind: 'Heartbeat', heartbeatInfo: decodeHeartbeatChunk(c) };
    case SctpChunkType.HEARTBEAT_ACK:
      return { kind: 'HeartbeatAck', heartbeatInfo: decodeHeartbeatChunk(c) };
    case SctpChunkType.ABORT:
      return { kind: 'Abort', tBit: (c.flags & 1) === 1, causes: decodeErrorCauses(c.value) };
    case SctpChunkType.SHUTDOWN_COMPLETE:
      noValue(c, 'SHUTDOWN COMPLETE');
      return { kind: 'ShutdownComplete', tBit: (c.flags & 1) === 1, causes: [] };
    case SctpChunkType.SHUTDOWN:
      return { kind: 'Shutdown', cumulativeTsnAck: decodeShutdownChunk(c) };
    case SctpChunkType.SHUTDOWN_ACK:
      noValue(c, 'SHUTDOWN ACK');
      return { kind: 'ShutdownAck' };
    case SctpChunkType.COOKIE_ACK:
      noValue(c, 'COOKIE ACK');
      return { kind: 'CookieAck' };
    case SctpChunkType.ERROR:
      return { kind: 'Error', causes: decodeErrorCauses(c.value) };
    case SctpChunkType.COOKIE_ECHO:
      return { kind: 'CookieEcho', stateCookie: c.value };
    default:
      return { kind: 'Unrecognized', type: c.type, flags: c.flags, value: c.value, action: unrecognizedAction(c.type) };
  }
}

/**
 * One SCTP packet with every chunk decoded (DATA with its TSN, stream, SSN, PPID and user data):
 * what `wire5g decode` shows. Throws only `DecodeError`; a bad checksum is reported in
 * `checksumValid`.
 */
export function decodeSctp(bytes: Uint8Array): DecodedSctpPacket {
  const p = decodeSctpPacket(bytes);
  return { ...p, chunks: p.chunks.map(decodeChunk) };
}
