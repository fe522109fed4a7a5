// The built-in data network on N6: answers ICMP echo requests (RFC 792) and UDP datagrams to the
// echo port (RFC 862) addressed to any destination, so a UE's pings and UDP probes come back down
// through its tunnel. Replies are built with DOWNLINK_HEADROOM free octets in front, so the UPF
// writes the GTP-U header in place without another copy.

import { onesSum, foldChecksum } from '../../codecs/bytes/checksum.ts';
import { DOWNLINK_HEADROOM } from './datapath.ts';

export const UDP_ECHO_PORT = 7;

export interface N6Reply {
  /** Buffer holding the reply at `offset` with writable headroom before it. */
  buffer: Uint8Array;
  offset: number;
  length: number;
  kind: 'icmp-echo-reply' | 'udp-echo';
}

/** The reply to an uplink IPv4 packet, or undefined when the data network does not answer it. */
export function dataNetworkReply(p: Uint8Array): N6Reply | undefined {
  if (p.length < 20 || p[0] >> 4 !== 4) return undefined;
  const ihl = (p[0] & 15) * 4;
  const total = (p[2] << 8) | p[3];
  if (ihl < 20 || total < ihl + 8 || total > p.length) return undefined;
  if ((((p[6] << 8) | p[7]) & 0x3fff) !== 0) return undefined; // fragments are not answered
  const proto = p[9];
  const buffer = new Uint8Array(DOWNLINK_HEADROOM + total);
  const r = buffer.subarray(DOWNLINK_HEADROOM);
  r.set(p.subarray(0, total));
  // swap source and destination addresses
  r.set(p.subarray(12, 16), 16);
  r.set(p.subarray(16, 20), 12);
  r[8] = 64; // TTL
  let kind: N6Reply['kind'];
  if (proto === 1) {
    if (p[ihl] !== 8) return undefined; // only echo request
    r[ihl] = 0; // echo reply
    r[ihl + 2] = r[ihl + 3] = 0;
    const c = foldChecksum(onesSum(r, ihl, total));
    r[ihl + 2] = c >> 8;
    r[ihl + 3] = c & 0xff;
    kind = 'icmp-echo-reply';
  } else if (proto === 17) {
    const dport = (p[ihl + 2] << 8) | p[ihl + 3];
    if (dport !== UDP_ECHO_PORT) return undefined;
    r[ihl] = p[ihl + 2];
    r[ihl + 1] = p[ihl + 3];
    r[ihl + 2] = p[ihl];
    r[ihl + 3] = p[ihl + 1];
    r[ihl + 6] = r[ihl + 7] = 0;
    const udpLen = total - ihl;
    const pseudo = onesSum(r, 12, 20) + 17 + udpLen;
    let c = foldChecksum(onesSum(r, ihl, total, pseudo));
    if (c === 0) c = 0xffff;
    r[ihl + 6] = c >> 8;
    r[ihl + 7] = c & 0xff;
    kind = 'udp-echo';
  } else {
    return undefined;
  }
  r[10] = r[11] = 0;
  const hc = foldChecksum(onesSum(r, 0, ihl));
  r[10] = hc >> 8;
  r[11] = hc & 0xff;
  return { buffer, offset: DOWNLINK_HEADROOM, length: total, kind };
}
