// Reading capture files: classic pcap (both byte orders, microsecond and nanosecond magic) and
// pcapng (Section Header, Interface Description, Enhanced/Simple/obsolete Packet blocks; a new
// section resets the interfaces). Frames are numbered from 1 in file order, as Wireshark does.
// Pure: takes the file's bytes, yields frames; malformed structure is a DecodeError.

import { DecodeError } from '../bytes/errors.ts';

export interface CaptureFrame {
  /** 1-based, as Wireshark numbers frames. */
  number: number;
  /** Link type of the interface the frame was captured on (LINKTYPE_*). */
  linkType: number;
  /** Seconds since the Unix epoch (fractional). */
  time: number;
  data: Uint8Array;
  comment?: string;
}

const PROTOCOL = 'pcap';

function fail(offset: number, path: string, reason: string, code: DecodeError['code'] = 'BAD_VALUE'): DecodeError {
  return new DecodeError({ protocol: PROTOCOL, code, offset, path, reason });
}

export function* readCaptureFile(bytes: Uint8Array): Generator<CaptureFrame> {
  if (bytes.length < 4) throw fail(0, 'magic', 'file too short for a capture', 'TRUNCATED');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isPcapng(dv, 0)) {
    yield* readPcapng(bytes, dv);
    return;
  }
  yield* readPcap(bytes, dv);
}

/** Whether the 4 bytes at `p` are a pcapng Section Header Block's type (the same in both byte orders). */
export function isPcapng(dv: DataView, p: number): boolean {
  return dv.getUint32(p, false) === 0x0a0d0d0a;
}

/** A classic pcap file's global header: byte order, timestamp resolution, link type. */
export interface PcapHeader {
  le: boolean;
  nanos: boolean;
  linkType: number;
}

/** Bytes of the pcap global header and of a record header. */
export const PCAP_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;

/**
 * How many of the next `n` bytes of the file (from the position a reader is at) there are: for
 * bytes in memory, the rest of them; for a streaming reader, what it has read to have them. A
 * header's bytes are in the DataView handed over before it is asked (so that the first call reads
 * nothing), and a streaming reader may move them when asked for more: the functions below read
 * the DataView only before they ask for a whole record or block.
 */
export type Available = (n: number) => number;

/** The global header at `p` of `dv` (the file's first bytes). */
export function pcapHeader(dv: DataView, p: number, available: Available): PcapHeader {
  if (available(PCAP_HEADER_BYTES) < PCAP_HEADER_BYTES) throw fail(0, 'GlobalHeader', 'pcap global header truncated', 'TRUNCATED');
  const m = dv.getUint32(p, true);
  let le: boolean, nanos: boolean;
  if (m === 0xa1b2c3d4) [le, nanos] = [true, false];
  else if (m === 0xa1b23c4d) [le, nanos] = [true, true];
  else if (m === 0xd4c3b2a1) [le, nanos] = [false, false];
  else if (m === 0x4d3cb2a1) [le, nanos] = [false, true];
  else throw fail(0, 'magic', `not a pcap or pcapng file (magic 0x${dv.getUint32(p, false).toString(16)})`);
  return { le, nanos, linkType: dv.getUint32(p + 20, le) & 0x0fffffff };
}

/**
 * The length of record `n` (1-based) whose header is at `p` of `dv`, header included, the file
 * having `available` bytes from `p` on; `at` is the file offset of `p`. The DataView is read
 * before `available` is asked for the whole record.
 */
export function pcapRecordLength(h: PcapHeader, dv: DataView, p: number, at: number, available: Available, n: number): number {
  if (available(PCAP_RECORD_HEADER_BYTES) < PCAP_RECORD_HEADER_BYTES) throw fail(at, `Record[${n}]`, 'record header truncated', 'TRUNCATED');
  const incl = dv.getUint32(p + 8, h.le);
  if (available(PCAP_RECORD_HEADER_BYTES + incl) < PCAP_RECORD_HEADER_BYTES + incl) throw fail(at + 8, `Record[${n}].incl_len`, `captured length ${incl} overruns the file`, 'BAD_LENGTH');
  return PCAP_RECORD_HEADER_BYTES + incl;
}

/** Record `n` at `p` of `bytes` (whole: pcapRecordLength bytes), its data a view of `bytes`. */
export function pcapRecord(h: PcapHeader, bytes: Uint8Array, dv: DataView, p: number, n: number): CaptureFrame {
  const sec = dv.getUint32(p, h.le);
  const frac = dv.getUint32(p + 4, h.le);
  const incl = dv.getUint32(p + 8, h.le);
  return { number: n, linkType: h.linkType, time: sec + frac / (h.nanos ? 1e9 : 1e6), data: bytes.subarray(p + 16, p + 16 + incl) };
}

function* readPcap(bytes: Uint8Array, dv: DataView): Generator<CaptureFrame> {
  const h = pcapHeader(dv, 0, (n) => Math.min(n, bytes.length));
  let p = PCAP_HEADER_BYTES;
  let n = 0;
  while (p < bytes.length) {
    const len = pcapRecordLength(h, dv, p, p, (k) => Math.min(k, bytes.length - p), n + 1);
    n++;
    yield pcapRecord(h, bytes, dv, p, n);
    p += len;
  }
}

interface Iface {
  linkType: number;
  /** Timestamp units per second. */
  unitsPerSec: number;
}

/** What a pcapng reader carries from block to block: the section's byte order, its interfaces, the frames so far. */
export interface PcapngState {
  le: boolean;
  ifaces: Iface[];
  frames: number;
}

export function pcapngState(): PcapngState {
  return { le: true, ifaces: [], frames: 0 };
}

/** Bytes of a pcapng block's type and length (and a Section Header's byte-order magic). */
export const PCAPNG_BLOCK_HEADER_BYTES = 12;

/**
 * The total length of the block at `p` of `dv`, the file having `available` bytes from `p` on; `at`
 * is the file offset of `p`. A Section Header Block sets the byte order and starts a section
 * without interfaces. The DataView is read before `available` is asked for the whole block.
 */
export function pcapngBlockLength(s: PcapngState, dv: DataView, p: number, at: number, available: Available): number {
  if (available(PCAPNG_BLOCK_HEADER_BYTES) < PCAPNG_BLOCK_HEADER_BYTES) throw fail(at, 'Block', 'block header truncated', 'TRUNCATED');
  if (isPcapng(dv, p)) {
    const bom = dv.getUint32(p + 8, true);
    if (bom === 0x1a2b3c4d) s.le = true;
    else if (bom === 0x4d3c2b1a) s.le = false;
    else throw fail(at + 8, 'SectionHeader.ByteOrderMagic', 'bad byte-order magic');
    s.ifaces = [];
  }
  const type = dv.getUint32(p, s.le);
  const len = dv.getUint32(p + 4, s.le);
  if (len < 12 || len % 4 !== 0 || available(len) < len) throw fail(at + 4, `Block(type ${type}).TotalLength`, `block length ${len} is invalid or overruns the file`, 'BAD_LENGTH');
  return len;
}

/**
 * The frame the block at `p` of `bytes` (whole: `len` bytes, from pcapngBlockLength) holds, its
 * data a view of `bytes`, or undefined for a block that is not a frame; `at` is the file offset of `p`.
 */
export function pcapngBlock(s: PcapngState, bytes: Uint8Array, dv: DataView, p: number, len: number, at: number): CaptureFrame | undefined {
  const le = s.le;
  const type = dv.getUint32(p, le);
  const body = p + 8;
  const bodyEnd = p + len - 4;
  const off = at - p; // buffer index -> file offset
  switch (type) {
    case 0x00000001: {
      // Interface Description Block
      if (bodyEnd - body < 8) throw fail(off + body, 'InterfaceDescription', 'truncated', 'TRUNCATED');
      const iface: Iface = { linkType: dv.getUint16(body, le), unitsPerSec: 1e6 };
      for (const [code, o, olen] of options(dv, body + 8, bodyEnd, le)) {
        if (code === 9 && olen >= 1) {
          const v = bytes[o];
          iface.unitsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
        }
      }
      s.ifaces.push(iface);
      return undefined;
    }
    case 0x00000006:
    case 0x00000002: {
      // Enhanced Packet Block (6) / obsolete Packet Block (2)
      if (bodyEnd - body < 20) throw fail(off + body, 'EnhancedPacket', 'truncated', 'TRUNCATED');
      const ifId = type === 6 ? dv.getUint32(body, le) : dv.getUint16(body, le);
      const iface = s.ifaces[ifId];
      if (!iface) throw fail(off + body, 'EnhancedPacket.InterfaceID', `interface ${ifId} was not described`);
      const ts = dv.getUint32(body + 4, le) * 2 ** 32 + dv.getUint32(body + 8, le);
      const capLen = dv.getUint32(body + 12, le);
      const dataAt = body + 20;
      if (dataAt + capLen > bodyEnd) throw fail(off + body + 12, 'EnhancedPacket.CapturedLength', `captured length ${capLen} overruns the block`, 'BAD_LENGTH');
      let comment: string | undefined;
      for (const [code, o, olen] of options(dv, dataAt + ((capLen + 3) & ~3), bodyEnd, le)) {
        if (code === 1) comment = text.decode(bytes.subarray(o, o + olen));
      }
      s.frames++;
      return { number: s.frames, linkType: iface.linkType, time: ts / iface.unitsPerSec, data: bytes.subarray(dataAt, dataAt + capLen), ...(comment ? { comment } : {}) };
    }
    case 0x00000003: {
      // Simple Packet Block: interface 0, no timestamp
      const iface = s.ifaces[0];
      if (!iface) throw fail(off + body, 'SimplePacket', 'no interface described');
      const origLen = dv.getUint32(body, le);
      const capLen = Math.min(origLen, bodyEnd - body - 4);
      s.frames++;
      return { number: s.frames, linkType: iface.linkType, time: 0, data: bytes.subarray(body + 4, body + 4 + capLen) };
    }
    default:
      return undefined; // Name Resolution, Interface Statistics, custom blocks: not frames
  }
}

const text = new TextDecoder();

function* readPcapng(bytes: Uint8Array, dv: DataView): Generator<CaptureFrame> {
  const s = pcapngState();
  let p = 0;
  while (p < bytes.length) {
    const len = pcapngBlockLength(s, dv, p, p, (k) => Math.min(k, bytes.length - p));
    const frame = pcapngBlock(s, bytes, dv, p, len, p);
    if (frame) yield frame;
    p += len;
  }
}

function* options(dv: DataView, start: number, end: number, le: boolean): Generator<[number, number, number]> {
  let p = start;
  while (p + 4 <= end) {
    const code = dv.getUint16(p, le);
    const len = dv.getUint16(p + 2, le);
    if (code === 0) return;
    if (p + 4 + len > end) return;
    yield [code, p + 4, len];
    p += 4 + ((len + 3) & ~3);
  }
}
