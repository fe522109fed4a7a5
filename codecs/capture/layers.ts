// From a captured frame to the transport payload: link layer (Ethernet with 802.1Q/802.1ad tags,
// Linux cooked v1 and v2, BSD/OpenBSD loopback, raw IP), IPv4 (RFC 791) and IPv6 (RFC 8200,
// skipping extension headers), then UDP, TCP or SCTP. Pure; malformed input is a DecodeError.

import { ByteReader } from '../bytes/reader.ts';
import { formatIPv4, formatIPv6 } from '../bytes/ip.ts';

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW_BSD: 12,
  RAW_OPENBSD: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);

export interface TransportSegment {
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  /** IP protocol / IPv6 next header of the payload (17 UDP, 6 TCP, 132 SCTP, ...). */
  protocol: number;
  srcPort: number;
  dstPort: number;
  /** UDP/TCP payload, or for SCTP the whole SCTP packet (common header + chunks). */
  payload: Uint8Array;
  /** Set when the packet is an IP fragment (not reassembled here). */
  fragment?: boolean;
  /** TCP only (RFC 9293 3.1): sequence and acknowledgement numbers and the flags octet. */
  tcp?: { seq: number; ack: number; flags: number };
}

/** Returns the IP packet inside a frame, or undefined for non-IP frames (ARP, LLDP, ...). */
export function ipPacketOf(linkType: number, data: Uint8Array): Uint8Array | undefined {
  const r = new ByteReader(data, 'link');
  switch (linkType) {
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_BSD:
    case LINKTYPE.RAW_OPENBSD:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return data;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      // 4-octet address family (host order for NULL, network order for LOOP); the IP version
      // nibble that follows is what matters.
      r.skip(4, 'AddressFamily');
      return r.rest();
    }
    case LINKTYPE.ETHERNET: {
      r.skip(12, 'Addresses');
      let type = r.u16('EtherType');
      while (VLAN_TAGS.has(type)) {
        r.skip(2, 'VLAN.TCI');
        type = r.u16('VLAN.EtherType');
      }
      return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6 ? r.rest() : undefined;
    }
    case LINKTYPE.LINUX_SLL: {
      r.skip(14, 'SLL');
      let type = r.u16('SLL.Protocol');
      while (VLAN_TAGS.has(type)) {
        r.skip(2, 'VLAN.TCI');
        type = r.u16('VLAN.EtherType');
      }
      return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6 ? r.rest() : undefined;
    }
    case LINKTYPE.LINUX_SLL2: {
      let type = r.u16('SLL2.Protocol');
      r.skip(18, 'SLL2');
      while (VLAN_TAGS.has(type)) {
        r.skip(2, 'VLAN.TCI');
        type = r.u16('VLAN.EtherType');
      }
      return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6 ? r.rest() : undefined;
    }
    default:
      throw r.error('UNKNOWN_TYPE', `link type ${linkType} is not supported`, 'LinkType', 0);
  }
}

const IPV6_EXTENSION_HEADERS = new Set([0, 43, 60, 135, 139, 140]);

/** Parses IPv4/IPv6 and the UDP/TCP/SCTP header. Returns undefined for other IP protocols. */
export function transportSegmentOf(ip: Uint8Array): TransportSegment | undefined {
  const r = new ByteReader(ip, 'ip');
  const v = r.peekU8('Version') >> 4;
  let seg: Omit<TransportSegment, 'srcPort' | 'dstPort' | 'payload'>;
  let end: number;
  if (v === 4) {
    const vihl = r.u8('VersionIHL');
    const ihl = (vihl & 15) * 4;
    if (ihl < 20) throw r.error('BAD_LENGTH', `IHL ${ihl} < 20`, 'IHL', 0);
    r.skip(1, 'TOS');
    const total = r.u16('TotalLength');
    if (total < ihl || total > ip.length) throw r.error('BAD_LENGTH', `total length ${total} does not fit ${ip.length} captured octets`, 'TotalLength', 2);
    r.skip(2, 'Identification');
    const frag = r.u16('Fragment');
    r.skip(1, 'TTL');
    const protocol = r.u8('Protocol');
    r.skip(2, 'Checksum');
    const src = formatIPv4(r.bytes(4, 'Source'));
    const dst = formatIPv4(r.bytes(4, 'Destination'));
    r.skip(ihl - 20, 'Options');
    seg = { ipVersion: 4, src, dst, protocol, ...((frag & 0x3fff) !== 0 ? { fragment: true } : {}) };
    end = total;
  } else if (v === 6) {
    r.skip(4, 'VersionClassFlow');
    const plen = r.u16('PayloadLength');
    let next = r.u8('NextHeader');
    r.skip(1, 'HopLimit');
    const src = formatIPv6(r.bytes(16, 'Source'));
    const dst = formatIPv6(r.bytes(16, 'Destination'));
    end = 40 + plen;
    if (end > ip.length) throw r.error('BAD_LENGTH', `payload length ${plen} exceeds the captured packet`, 'PayloadLength', 4);
    let fragment = false;
    while (IPV6_EXTENSION_HEADERS.has(next) || next === 44) {
      const at = r.pos;
      const nh = r.u8('ExtensionHeader.NextHeader');
      if (next === 44) {
        r.skip(1, 'Fragment.Reserved');
        const off = r.u16('Fragment.Offset');
        r.skip(4, 'Fragment.Identification');
        if ((off & 0xfff9) !== 0) fragment = true;
      } else {
        const len = (r.u8('ExtensionHeader.Length') + 1) * 8;
        r.skip(len - 2, 'ExtensionHeader');
      }
      if (r.pos > end) throw r.error('BAD_LENGTH', 'extension header overruns the payload', 'ExtensionHeader', at);
      next = nh;
    }
    seg = { ipVersion: 6, src, dst, protocol: next, ...(fragment ? { fragment: true } : {}) };
  } else {
    throw r.error('BAD_VALUE', `IP version ${v}`, 'Version', 0);
  }
  const body = new ByteReader(ip, 'ip', r.pos, end);
  if (seg.fragment) return { ...seg, srcPort: 0, dstPort: 0, payload: body.rest() };
  switch (seg.protocol) {
    case 17: {
      body.enter('UDP');
      const srcPort = body.u16('SourcePort');
      const dstPort = body.u16('DestinationPort');
      const len = body.u16('Length');
      body.skip(2, 'Checksum');
      if (len < 8 || len - 8 > body.remaining) throw body.error('BAD_LENGTH', `UDP length ${len} does not fit`, 'Length', body.pos - 4);
      return { ...seg, srcPort, dstPort, payload: body.bytes(len - 8, 'Payload') };
    }
    case 6: {
      body.enter('TCP');
      const srcPort = body.u16('SourcePort');
      const dstPort = body.u16('DestinationPort');
      const seq = body.u32('SequenceNumber');
      const ack = body.u32('AcknowledgmentNumber');
      const off = (body.u8('DataOffset') >> 4) * 4;
      if (off < 20) throw body.error('BAD_LENGTH', `data offset ${off} < 20`, 'DataOffset', body.pos - 1);
      const flags = body.u8('Flags');
      body.skip(off - 14, 'Header');
      return { ...seg, srcPort, dstPort, payload: body.rest(), tcp: { seq, ack, flags } };
    }
    case 132: {
      const start = body.pos;
      body.enter('SCTP');
      const srcPort = body.u16('SourcePort');
      const dstPort = body.u16('DestinationPort');
      body.skip(8, 'CommonHeader');
      return { ...seg, srcPort, dstPort, payload: ip.subarray(start, end) };
    }
    default:
      return undefined;
  }
}
