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
  const magicBE = dv.getUint32(0, false);
  if (magicBE === 0x0a0d0d0a) {
    yield* readPcapng(bytes, dv);
    return;
  }
  yield* readPcap(bytes, dv);
}

function* readPcap(bytes: Uint8Array, dv: DataView): Generator<CaptureFrame> {
  if (bytes.length < 24) throw fail(0, 'GlobalHeader', 'pcap global header truncated', 'TRUNCATED');
  const m = dv.getUint32(0, true);
  let le: boolean, nanos: boolean;
  if (m === 0xa1b2c3d4) [le, nanos] = [true, false];
  else if (m === 0xa1b23c4d) [le, nanos] = [true, true];
  else if (m === 0xd4c3b2a1) [le, nanos] = [false, false];
  else if (m === 0x4d3cb2a1) [le, nanos] = [false, true];
  else throw fail(0, 'magic', `not a pcap or pcapng file (magic 0x${dv.getUint32(0, false).toString(16)})`);
  const linkType = dv.getUint32(20, le) & 0x0fffffff;
  let p = 24;
  let n = 0;
  while (p < bytes.length) {
    if (p + 16 > bytes.length) throw fail(p, `Record[${n + 1}]`, 'record header truncated', 'TRUNCATED');
    const sec = dv.getUint32(p, le);
    const frac = dv.getUint32(p + 4, le);
    const incl = dv.getUint32(p + 8, le);
    if (p + 16 + incl > bytes.length) throw fail(p + 8, `Record[${n + 1}].incl_len`, `captured length ${incl} overruns the file`, 'BAD_LENGTH');
    n++;
    yield { number: n, linkType, time: sec + frac / (nanos ? 1e9 : 1e6), data: bytes.subarray(p + 16, p + 16 + incl) };
    p += 16 + incl;
  }
}

interface Iface {
  linkType: number;
  /** Timestamp units per second. */
  unitsPerSec: number;
}

function* readPcapng(bytes: Uint8Array, dv: DataView): Generator<CaptureFrame> {
  let p = 0;
  let le = true;
  let ifaces: Iface[] = [];
  let n = 0;
  const text = new TextDecoder();
  while (p < bytes.length) {
    if (p + 12 > bytes.length) throw fail(p, 'Block', 'block header truncated', 'TRUNCATED');
    const typeBE = dv.getUint32(p, false);
    if (typeBE === 0x0a0d0d0a) {
      const bom = dv.getUint32(p + 8, true);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else throw fail(p + 8, 'SectionHeader.ByteOrderMagic', 'bad byte-order magic');
      ifaces = [];
    }
    const type = dv.getUint32(p, le);
    const len = dv.getUint32(p + 4, le);
    if (len < 12 || len % 4 !== 0 || p + len > bytes.length) throw fail(p + 4, `Block(type ${type}).TotalLength`, `block length ${len} is invalid or overruns the file`, 'BAD_LENGTH');
    const body = p + 8;
    const bodyEnd = p + len - 4;
    switch (type) {
      case 0x00000001: {
        // Interface Description Block
        if (bodyEnd - body < 8) throw fail(body, 'InterfaceDescription', 'truncated', 'TRUNCATED');
        const iface: Iface = { linkType: dv.getUint16(body, le), unitsPerSec: 1e6 };
        for (const [code, at, olen] of options(dv, body + 8, bodyEnd, le)) {
          if (code === 9 && olen >= 1) {
            const v = bytes[at];
            iface.unitsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
          }
        }
        ifaces.push(iface);
        break;
      }
      case 0x00000006:
      case 0x00000002: {
        // Enhanced Packet Block (6) / obsolete Packet Block (2)
        if (bodyEnd - body < 20) throw fail(body, 'EnhancedPacket', 'truncated', 'TRUNCATED');
        const ifId = type === 6 ? dv.getUint32(body, le) : dv.getUint16(body, le);
        const iface = ifaces[ifId];
        if (!iface) throw fail(body, 'EnhancedPacket.InterfaceID', `interface ${ifId} was not described`);
        const ts = dv.getUint32(body + 4, le) * 2 ** 32 + dv.getUint32(body + 8, le);
        const capLen = dv.getUint32(body + 12, le);
        const dataAt = body + 20;
        if (dataAt + capLen > bodyEnd) throw fail(body + 12, 'EnhancedPacket.CapturedLength', `captured length ${capLen} overruns the block`, 'BAD_LENGTH');
        let comment: string | undefined;
        for (const [code, at, olen] of options(dv, dataAt + ((capLen + 3) & ~3), bodyEnd, le)) {
          if (code === 1) comment = text.decode(bytes.subarray(at, at + olen));
        }
        n++;
        yield { number: n, linkType: iface.linkType, time: ts / iface.unitsPerSec, data: bytes.subarray(dataAt, dataAt + capLen), ...(comment ? { comment } : {}) };
        break;
      }
      case 0x00000003: {
        // Simple Packet Block: interface 0, no timestamp
        const iface = ifaces[0];
        if (!iface) throw fail(body, 'SimplePacket', 'no interface described');
        const origLen = dv.getUint32(body, le);
        const capLen = Math.min(origLen, bodyEnd - body - 4);
        n++;
        yield { number: n, linkType: iface.linkType, time: 0, data: bytes.subarray(body + 4, body + 4 + capLen) };
        break;
      }
      default:
        break; // Name Resolution, Interface Statistics, custom blocks: not frames
    }
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
