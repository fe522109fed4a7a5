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

interface ParsedAddress {
  v6: boolean;
  octets: Uint8Array;
  /** One's-complement sum of the octets, the address's part of a pseudo-header sum. */
  sum: number;
}

/**
 * The addresses of the packets synthesized so far, parsed once: a run's packets go between a few
 * dozen addresses, and parsing them (isIPv6's regular expression, the octets) per packet was a
 * visible share of a capture's cost. Emptied when it grows past ADDRESSES_KEPT.
 */
const addresses = new Map<string, ParsedAddress>();
const ADDRESSES_KEPT = 4096;

function parsed(address: string): ParsedAddress {
  let p = addresses.get(address);
  if (p) return p;
  const v6 = isIPv6(address);
  const octets = v6 ? parseIPv6(address) : parseIPv4(address);
  p = { v6, octets, sum: onesSum(octets) };
  if (addresses.size >= ADDRESSES_KEPT) addresses.clear();
  addresses.set(address, p);
  return p;
}

/**
 * Each packet is written in place into a buffer the caller gives (the capture writes straight into
 * its pcapng block, docs/decisions/21-capture-speed.md); the functions returning a new packet
 * allocate one and write into it, so both give the same bytes.
 */

/** Length of the IP header for packets from `src`: 40 for IPv6, 20 for IPv4 (no options). */
export function ipHeaderLength(src: string): number {
  return parsed(src).v6 ? 40 : 20;
}

/** The octets of an address of the family the packet's source gave (`length` 4 or 16), or a TypeError. */
function octetsOf(address: string, length: 4 | 16): Uint8Array {
  const p = parsed(address).octets;
  if (p.length !== length) throw new TypeError(`not an IPv${length === 4 ? 4 : 6} address: ${address}`);
  return p;
}

/** IPv4 header (20 bytes, no options, DF set) at `out[at]`, for a payload of `payloadLength` after it. */
function writeIpv4Header(out: Uint8Array, at: number, src: string, dst: string, proto: number, payloadLength: number, ttl = 64): void {
  const total = 20 + payloadLength;
  if (total > 0xffff) throw new RangeError(`IPv4 packet of ${total} bytes exceeds 65535`);
  out.fill(0, at, at + 20);
  out[at] = 0x45;
  out[at + 2] = total >> 8;
  out[at + 3] = total & 0xff;
  const id = ipv4Id++ & 0xffff;
  out[at + 4] = id >> 8;
  out[at + 5] = id & 0xff;
  out[at + 6] = 0x40; // DF
  out[at + 8] = ttl;
  out[at + 9] = proto;
  out.set(octetsOf(src, 4), at + 12);
  out.set(octetsOf(dst, 4), at + 16);
  const c = foldChecksum(onesSum(out, at, at + 20));
  out[at + 10] = c >> 8;
  out[at + 11] = c & 0xff;
}

/** IPv6 header (40 bytes) at `out[at]`. */
function writeIpv6Header(out: Uint8Array, at: number, src: string, dst: string, nextHeader: number, payloadLength: number, hopLimit = 64): void {
  out.fill(0, at, at + 40);
  out[at] = 0x60;
  out[at + 4] = payloadLength >> 8;
  out[at + 5] = payloadLength & 0xff;
  out[at + 6] = nextHeader;
  out[at + 7] = hopLimit;
  out.set(octetsOf(src, 16), at + 8);
  out.set(octetsOf(dst, 16), at + 24);
}

/** IPv4 header (20 bytes, no options, DF set) + payload. */
export function ipv4Packet(src: string, dst: string, proto: number, payload: Uint8Array, ttl = 64): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  writeIpv4Header(out, 0, src, dst, proto, payload.length, ttl);
  out.set(payload, 20);
  return out;
}

/** IPv6 header (40 bytes) + payload. */
export function ipv6Packet(src: string, dst: string, nextHeader: number, payload: Uint8Array, hopLimit = 64): Uint8Array {
  const out = new Uint8Array(40 + payload.length);
  writeIpv6Header(out, 0, src, dst, nextHeader, payload.length, hopLimit);
  out.set(payload, 40);
  return out;
}

/** Pseudo-header sum for UDP/TCP checksums (RFC 768, RFC 8200 8.1). */
function pseudoSum(src: string, dst: string, proto: number, length: number): number {
  const s = parsed(src), d = parsed(dst);
  if (s.v6 !== d.v6) throw new TypeError(`addresses of two families: ${src} and ${dst}`);
  if (s.v6) return s.sum + d.sum + (length >>> 16) + (length & 0xffff) + proto;
  return s.sum + d.sum + proto + length;
}

/** The IP header for `src` -> `dst` at `out[at]`; returns where its payload starts. */
function writeIpHeader(out: Uint8Array, at: number, src: string, dst: string, proto: number, payloadLength: number): number {
  if (parsed(src).v6) {
    writeIpv6Header(out, at, src, dst, proto, payloadLength);
    return at + 40;
  }
  writeIpv4Header(out, at, src, dst, proto, payloadLength);
  return at + 20;
}

export interface Endpoint {
  address: string;
  port: number;
}

/** Length of `udpPacket(src, dst, payload)` for a payload of `payloadLength`. */
export function udpPacketLength(src: Endpoint, payloadLength: number): number {
  return ipHeaderLength(src.address) + 8 + payloadLength;
}

/** `udpPacket(src, dst, payload)` written at `out[at]` (udpPacketLength bytes). */
export function writeUdpPacket(out: Uint8Array, at: number, src: Endpoint, dst: Endpoint, payload: Uint8Array): void {
  const len = 8 + payload.length;
  const u = writeIpHeader(out, at, src.address, dst.address, IpProto.UDP, len);
  out[u] = src.port >> 8; out[u + 1] = src.port & 0xff;
  out[u + 2] = dst.port >> 8; out[u + 3] = dst.port & 0xff;
  out[u + 4] = len >> 8; out[u + 5] = len & 0xff;
  out[u + 6] = 0; out[u + 7] = 0;
  out.set(payload, u + 8);
  let c = foldChecksum(onesSum(out, u, u + len, pseudoSum(src.address, dst.address, IpProto.UDP, len)));
  if (c === 0) c = 0xffff; // RFC 768: a computed zero is sent as all ones
  out[u + 6] = c >> 8; out[u + 7] = c & 0xff;
}

/** UDP datagram with checksum, wrapped in IPv4 or IPv6 according to the addresses. */
export function udpPacket(src: Endpoint, dst: Endpoint, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(udpPacketLength(src, payload.length));
  writeUdpPacket(out, 0, src, dst, payload);
  return out;
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

const NO_PAYLOAD = new Uint8Array(0);

/** Length of `tcpPacket(src, dst, seg)`. */
export function tcpPacketLength(src: Endpoint, seg: TcpSegment): number {
  return ipHeaderLength(src.address) + 20 + (seg.payload?.length ?? 0);
}

/** `tcpPacket(src, dst, seg)` written at `out[at]` (tcpPacketLength bytes). */
export function writeTcpPacket(out: Uint8Array, at: number, src: Endpoint, dst: Endpoint, seg: TcpSegment): void {
  const payload = seg.payload ?? NO_PAYLOAD;
  const len = 20 + payload.length;
  const t = writeIpHeader(out, at, src.address, dst.address, IpProto.TCP, len);
  const put16 = (i: number, v: number) => {
    out[t + i] = (v >>> 8) & 0xff;
    out[t + i + 1] = v & 0xff;
  };
  const put32 = (i: number, v: number) => {
    put16(i, v >>> 16);
    put16(i + 2, v & 0xffff);
  };
  put16(0, src.port);
  put16(2, dst.port);
  put32(4, seg.seq >>> 0);
  put32(8, seg.ack >>> 0);
  out[t + 12] = 5 << 4;
  out[t + 13] = seg.flags;
  put16(14, seg.window ?? 65535);
  put16(16, 0);
  put16(18, 0); // urgent pointer
  out.set(payload, t + 20);
  put16(16, foldChecksum(onesSum(out, t, t + len, pseudoSum(src.address, dst.address, IpProto.TCP, len))));
}

/** TCP segment (20-byte header, no options) with checksum, wrapped in IP. */
export function tcpPacket(src: Endpoint, dst: Endpoint, seg: TcpSegment): Uint8Array {
  const out = new Uint8Array(tcpPacketLength(src, seg));
  writeTcpPacket(out, 0, src, dst, seg);
  return out;
}

/** `sctpOverIpPacket(srcAddress, dstAddress, sctp)` written at `out[at]` (ipHeaderLength + sctp.length bytes). */
export function writeSctpOverIpPacket(out: Uint8Array, at: number, srcAddress: string, dstAddress: string, sctp: Uint8Array): void {
  out.set(sctp, writeIpHeader(out, at, srcAddress, dstAddress, IpProto.SCTP, sctp.length));
}

/** SCTP packet (already with common header and chunks) directly over IP (protocol 132). */
export function sctpOverIpPacket(srcAddress: string, dstAddress: string, sctp: Uint8Array): Uint8Array {
  const out = new Uint8Array(ipHeaderLength(srcAddress) + sctp.length);
  writeSctpOverIpPacket(out, 0, srcAddress, dstAddress, sctp);
  return out;
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
