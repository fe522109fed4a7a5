// Synthesized IP headers for the capture: the payload a socket really sent or received,
// wrapped in IPv4 or IPv6 + UDP / TCP / SCTP headers with the real addresses and ports and
// correct checksums (RFC 791, RFC 768, RFC 793, RFC 8200, RFC 4960), so that Wireshark
// dissects each frame exactly as it would from a live interface.

import { isIPv6 } from 'node:net';
import { onesSum, foldChecksum, writeSctpChecksum } from '../../codecs/bytes/checksum.ts';

export const IpProto = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58, SCTP: 132 } as const;

export { parseIPv4, parseIPv6, formatIPv4, formatIPv6 } from '../../codecs/bytes/ip.ts';
import { parseIPv4, parseIPv6 } from '../../codecs/bytes/ip.ts';

let ipv4Id = 1;

/** IPv4 header (20 bytes, no options, DF set) + payload. */
export function ipv4Packet(src: string, dst: string, proto: number, payload: Uint8Array, ttl = 64): Uint8Array {
  const total = 20 + payload.length;
  if (total > 0xffff) throw new RangeError(`IPv4 packet of ${total} bytes exceeds 65535`);
  const out = new Uint8Array(total);
  out[0] = 0x45;
  out[2] = total >> 8;
  out[3] = total & 0xff;
  const id = ipv4Id++ & 0xffff;
  out[4] = id >> 8;
  out[5] = id & 0xff;
  out[6] = 0x40; // DF
  out[8] = ttl;
  out[9] = proto;
  out.set(parseIPv4(src), 12);
  out.set(parseIPv4(dst), 16);
  const c = foldChecksum(onesSum(out, 0, 20));
  out[10] = c >> 8;
  out[11] = c & 0xff;
  out.set(payload, 20);
  return out;
}

/** IPv6 header (40 bytes) + payload. */
export function ipv6Packet(src: string, dst: string, nextHeader: number, payload: Uint8Array, hopLimit = 64): Uint8Array {
  const out = new Uint8Array(40 + payload.length);
  out[0] = 0x60;
  out[4] = payload.length >> 8;
  out[5] = payload.length & 0xff;
  out[6] = nextHeader;
  out[7] = hopLimit;
  out.set(parseIPv6(src), 8);
  out.set(parseIPv6(dst), 24);
  out.set(payload, 40);
  return out;
}

/** Pseudo-header sum for UDP/TCP checksums (RFC 768, RFC 8200 8.1). */
function pseudoSum(src: string, dst: string, proto: number, length: number): number {
  if (isIPv6(src)) {
    const s = parseIPv6(src), d = parseIPv6(dst);
    let sum = onesSum(s) + onesSum(d);
    sum += (length >>> 16) + (length & 0xffff) + proto;
    return sum;
  }
  const s = parseIPv4(src), d = parseIPv4(dst);
  return onesSum(s) + onesSum(d) + proto + length;
}

function ipPacket(src: string, dst: string, proto: number, payload: Uint8Array): Uint8Array {
  return isIPv6(src) ? ipv6Packet(src, dst, proto, payload) : ipv4Packet(src, dst, proto, payload);
}

export interface Endpoint {
  address: string;
  port: number;
}

/** UDP datagram with checksum, wrapped in IPv4 or IPv6 according to the addresses. */
export function udpPacket(src: Endpoint, dst: Endpoint, payload: Uint8Array): Uint8Array {
  const len = 8 + payload.length;
  const udp = new Uint8Array(len);
  udp[0] = src.port >> 8; udp[1] = src.port & 0xff;
  udp[2] = dst.port >> 8; udp[3] = dst.port & 0xff;
  udp[4] = len >> 8; udp[5] = len & 0xff;
  udp.set(payload, 8);
  let c = foldChecksum(onesSum(udp, 0, len, pseudoSum(src.address, dst.address, IpProto.UDP, len)));
  if (c === 0) c = 0xffff; // RFC 768: a computed zero is sent as all ones
  udp[6] = c >> 8; udp[7] = c & 0xff;
  return ipPacket(src.address, dst.address, IpProto.UDP, udp);
}

export interface TcpSegment {
  seq: number;
  ack: number;
  /** TCP flags byte: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10. */
  flags: number;
  window?: number;
  payload?: Uint8Array;
}

export const TcpFlags = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** TCP segment (20-byte header, no options) with checksum, wrapped in IP. */
export function tcpPacket(src: Endpoint, dst: Endpoint, seg: TcpSegment): Uint8Array {
  const payload = seg.payload ?? new Uint8Array(0);
  const len = 20 + payload.length;
  const tcp = new Uint8Array(len);
  const dv = new DataView(tcp.buffer);
  dv.setUint16(0, src.port);
  dv.setUint16(2, dst.port);
  dv.setUint32(4, seg.seq >>> 0);
  dv.setUint32(8, seg.ack >>> 0);
  tcp[12] = 5 << 4;
  tcp[13] = seg.flags;
  dv.setUint16(14, seg.window ?? 65535);
  tcp.set(payload, 20);
  const c = foldChecksum(onesSum(tcp, 0, len, pseudoSum(src.address, dst.address, IpProto.TCP, len)));
  dv.setUint16(16, c);
  return ipPacket(src.address, dst.address, IpProto.TCP, tcp);
}

/** SCTP packet (already with common header and chunks) directly over IP (protocol 132). */
export function sctpOverIpPacket(srcAddress: string, dstAddress: string, sctp: Uint8Array): Uint8Array {
  return ipPacket(srcAddress, dstAddress, IpProto.SCTP, sctp);
}

/** RFC 4960 3.3.1 DATA chunk flags. */
export const DataChunkFlags = { END: 0x01, BEGIN: 0x02, UNORDERED: 0x04, IMMEDIATE: 0x08 } as const;

export interface SctpDataChunkFields {
  tsn: number;
  streamId: number;
  streamSeq: number;
  ppid: number;
  /** Defaults to BEGIN|END (an unfragmented message). */
  flags?: number;
  userData: Uint8Array;
}

/**
 * A complete SCTP packet holding DATA chunks: common header (RFC 4960 3.1) with CRC32c and one
 * DATA chunk (3.3.1) per entry, each padded to 4 bytes. Used by golden tests and by the decode
 * path tests; the SCTP-over-UDP transport builds its own packets with the same layout.
 */
export function sctpDataPacket(srcPort: number, dstPort: number, vtag: number, chunks: SctpDataChunkFields[]): Uint8Array {
  const size = 12 + chunks.reduce((n, c) => n + ((16 + c.userData.length + 3) & ~3), 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, srcPort);
  dv.setUint16(2, dstPort);
  dv.setUint32(4, vtag >>> 0);
  let p = 12;
  for (const c of chunks) {
    out[p] = 0; // DATA
    out[p + 1] = c.flags ?? (DataChunkFlags.BEGIN | DataChunkFlags.END);
    dv.setUint16(p + 2, 16 + c.userData.length);
    dv.setUint32(p + 4, c.tsn >>> 0);
    dv.setUint16(p + 8, c.streamId);
    dv.setUint16(p + 10, c.streamSeq);
    dv.setUint32(p + 12, c.ppid >>> 0);
    out.set(c.userData, p + 16);
    p += (16 + c.userData.length + 3) & ~3;
  }
  writeSctpChecksum(out);
  return out;
}
