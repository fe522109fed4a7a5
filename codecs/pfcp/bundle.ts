// PFCP message bundling (TS 29.244 Release 16 on): several PFCP messages in one UDP datagram, each
// with its own header, every one but the last with the FO (Follow On) flag set, octet 1 bit 3 of
// the header (7.2.2.1; Wireshark's pfcp.fo_flag, mask 0x04). Used only towards a peer that
// announced the BUNDL feature in its PFCP Association Setup (UP Function Features 8.2.25, octet 7
// bit 7; CP Function Features 8.2.58, octet 5 bit 5) when this node announced it too.
//
// Only the headers are read here (Message Length, S and FO flags): the endpoint packs and splits
// with these, `wire5g decode` splits with them too.

/** The FO flag of the first header octet (TS 29.244 7.2.2.1, bit 3). */
export const PFCP_FO_FLAG = 0x04;

/**
 * UDP payload octets a bundle may fill: 1,500-octet Ethernet less IPv6 (40) and UDP (8) headers,
 * with room left for a tunnel on the path, so that a bundle is never fragmented (the same size as
 * the SCTP shim's MTU). A single message longer than this still leaves alone, as without bundling.
 */
export const PFCP_BUNDLE_OCTETS = 1400;

/**
 * The datagrams that carry `messages` in order, each with how many it carries: consecutive messages packed up to `maxOctets`, FO
 * set on every message of a datagram but its last (cleared on the last). A message alone in its
 * datagram leaves as the same octets, unchanged; packed ones are copied (the originals, kept for
 * retransmission and the response cache, keep FO clear).
 */
export function packPfcpBundles(messages: readonly Uint8Array[], maxOctets = PFCP_BUNDLE_OCTETS): { datagram: Uint8Array; count: number }[] {
  const out: { datagram: Uint8Array; count: number }[] = [];
  let from = 0;
  while (from < messages.length) {
    let to = from + 1;
    let size = messages[from].length;
    while (to < messages.length && size + messages[to].length <= maxOctets) size += messages[to++].length;
    if (to - from === 1) {
      out.push({ datagram: messages[from], count: 1 });
    } else {
      const d = new Uint8Array(size);
      let p = 0;
      for (let i = from; i < to; i++) {
        const m = messages[i];
        d.set(m, p);
        if (i < to - 1) d[p] |= PFCP_FO_FLAG;
        else d[p] &= ~PFCP_FO_FLAG;
        p += m.length;
      }
      out.push({ datagram: d, count: to - from });
    }
    from = to;
  }
  return out;
}

/** The messages of a received datagram, and what could not be read after them. */
export interface PfcpBundleSplit {
  /** Each whole message (header Message Length + 4 octets), as a view into the datagram. */
  messages: Uint8Array[];
  /** Octets left over: a follower announced by FO but truncated or not a PFCP header, or octets after a message without FO. */
  dropped: number;
}

/**
 * Splits a datagram on the FO flag (TS 29.244 7.2.2.1): a message with FO set is followed by
 * another in the same datagram. A message whose header or length does not fit what is left ends
 * the split; its octets and the rest are reported as dropped, the complete messages before it kept.
 */
export function splitPfcpBundle(d: Uint8Array): PfcpBundleSplit {
  const messages: Uint8Array[] = [];
  let p = 0;
  while (p + 4 <= d.length) {
    const end = p + 4 + ((d[p + 2] << 8) | d[p + 3]);
    const headerLen = (d[p] & 1) !== 0 ? 16 : 8;
    if (end > d.length || end - p < headerLen) break;
    messages.push(d.subarray(p, end));
    const followOn = (d[p] & PFCP_FO_FLAG) !== 0;
    p = end;
    if (!followOn) break;
  }
  return { messages, dropped: d.length - p };
}
