// The UE's IP stack on a PDU session, as much as wire5g's traffic needs: ICMP echo (RFC 792) and
// UDP (RFC 768) over IPv4 (RFC 791), built and parsed by hand, checksums per RFC 1071.

import { onesSum, foldChecksum } from '../../codecs/bytes/checksum.ts';
import { ipv4Packet } from '../../transport/capture/synth.ts';
import { parseIPv4, formatIPv4 } from '../../codecs/bytes/ip.ts';

export const IPPROTO_ICMP = 1;
export const IPPROTO_UDP = 17;

/** The two 16-bit words of an IPv4 address, summed for the UDP pseudo header (RFC 768). */
function addressWords(a: string): number {
  const p = parseIPv4(a);
  return ((p[0] << 8) | p[1]) + ((p[2] << 8) | p[3]);
}

/** An IPv4 ICMP Echo Request (type 8) with identifier, sequence number and payload. */
export function icmpEchoRequest(src: string, dst: string, id: number, seq: number, payload: Uint8Array): Uint8Array {
  const icmp = new Uint8Array(8 + payload.length);
  icmp[0] = 8;
  icmp[4] = (id >> 8) & 0xff;
  icmp[5] = id & 0xff;
  icmp[6] = (seq >> 8) & 0xff;
  icmp[7] = seq & 0xff;
  icmp.set(payload, 8);
  const c = foldChecksum(onesSum(icmp));
  icmp[2] = c >> 8;
  icmp[3] = c & 0xff;
  return ipv4Packet(src, dst, IPPROTO_ICMP, icmp);
}

/** An IPv4 UDP datagram with its checksum over the pseudo header. */
export function udpDatagram(src: string, srcPort: number, dst: string, dstPort: number, payload: Uint8Array): Uint8Array {
  const len = 8 + payload.length;
  const udp = new Uint8Array(len);
  udp[0] = srcPort >> 8;
  udp[1] = srcPort & 0xff;
  udp[2] = dstPort >> 8;
  udp[3] = dstPort & 0xff;
  udp[4] = len >> 8;
  udp[5] = len & 0xff;
  udp.set(payload, 8);
  let c = foldChecksum(onesSum(udp, 0, len, addressWords(src) + addressWords(dst) + IPPROTO_UDP + len));
  if (c === 0) c = 0xffff;
  udp[6] = c >> 8;
  udp[7] = c & 0xff;
  return ipv4Packet(src, dst, IPPROTO_UDP, udp);
}

export type ParsedPacket =
  | { kind: 'icmp-echo-reply'; src: string; dst: string; id: number; seq: number; payload: Uint8Array }
  | { kind: 'udp'; src: string; dst: string; srcPort: number; dstPort: number; payload: Uint8Array }
  | { kind: 'other'; reason: string };

/** Reads a downlink IPv4 packet, checking the header checksum and lengths. */
export function parseDownlinkPacket(p: Uint8Array): ParsedPacket {
  if (p.length < 20 || p[0] >> 4 !== 4) return { kind: 'other', reason: 'not IPv4' };
  const ihl = (p[0] & 15) * 4;
  const total = (p[2] << 8) | p[3];
  if (ihl < 20 || total < ihl || total > p.length) return { kind: 'other', reason: 'bad IPv4 lengths' };
  if (foldChecksum(onesSum(p, 0, ihl)) !== 0) return { kind: 'other', reason: 'bad IPv4 header checksum' };
  const src = formatIPv4(p, 12), dst = formatIPv4(p, 16);
  const body = p.subarray(ihl, total);
  if (p[9] === IPPROTO_ICMP) {
    if (body.length < 8) return { kind: 'other', reason: 'short ICMP' };
    if (foldChecksum(onesSum(body)) !== 0) return { kind: 'other', reason: 'bad ICMP checksum' };
    if (body[0] !== 0) return { kind: 'other', reason: `ICMP type ${body[0]}` };
    return { kind: 'icmp-echo-reply', src, dst, id: (body[4] << 8) | body[5], seq: (body[6] << 8) | body[7], payload: body.subarray(8) };
  }
  if (p[9] === IPPROTO_UDP) {
    if (body.length < 8) return { kind: 'other', reason: 'short UDP' };
    const len = (body[4] << 8) | body[5];
    if (len < 8 || len > body.length) return { kind: 'other', reason: 'bad UDP length' };
    return { kind: 'udp', src, dst, srcPort: (body[0] << 8) | body[1], dstPort: (body[2] << 8) | body[3], payload: body.subarray(8, len) };
  }
  return { kind: 'other', reason: `IP protocol ${p[9]}` };
}
