// Checksums the wire needs: CRC32c for SCTP (RFC 4960 Appendix B, RFC 3309) and the
// Internet checksum (RFC 1071) for the IPv4/UDP/TCP/ICMP headers the capture and the
// data-network responder synthesize.

// CRC32c, reflected polynomial 0x82F63B78, slicing-by-8: table k (of 256 entries at k * 256) is
// the CRC of an octet followed by k zero octets, so eight octets are folded in with eight look-ups.
const CRC32C_TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) for (let n = 0; n < 256; n++) t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ t[t[(k - 1) * 256 + n] & 0xff];
  return t;
})();

/** The running (pre-inverted) CRC32c register after `data[start, end)`. */
function crc32cUpdate(crc: number, data: Uint8Array, start: number, end: number): number {
  const t = CRC32C_TABLES;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = (crc ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24))) >>> 0;
    crc =
      t[7 * 256 + (lo & 0xff)] ^ t[6 * 256 + ((lo >>> 8) & 0xff)] ^ t[5 * 256 + ((lo >>> 16) & 0xff)] ^ t[4 * 256 + (lo >>> 24)] ^
      t[3 * 256 + data[i + 4]] ^ t[2 * 256 + data[i + 5]] ^ t[256 + data[i + 6]] ^ t[data[i + 7]];
  }
  for (; i < end; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return crc >>> 0;
}

/** CRC32c of `data[start, end)`, as the unsigned 32-bit value (RFC 3309). */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  return (crc32cUpdate(0xffffffff, data, start, end) ^ 0xffffffff) >>> 0;
}

/** Four zero octets: the checksum field as the SCTP CRC reads it. */
const ZEROS4 = new Uint8Array(4);

/**
 * SCTP checksum placement (RFC 4960 Appendix B): the CRC is computed with the checksum field
 * (bytes 8..11 of the common header) zeroed, and stored in little-endian byte order of the
 * reflected CRC, i.e. the low byte first.
 */
export function sctpChecksum(packet: Uint8Array): number {
  // the field read as zeros without writing into the packet (a received packet is not ours to change)
  let crc = crc32cUpdate(0xffffffff, packet, 0, Math.min(8, packet.length));
  if (packet.length > 8) crc = crc32cUpdate(crc, ZEROS4, 0, Math.min(4, packet.length - 8));
  if (packet.length > 12) crc = crc32cUpdate(crc, packet, 12, packet.length);
  return (crc ^ 0xffffffff) >>> 0;
}

export function writeSctpChecksum(packet: Uint8Array): void {
  packet[8] = packet[9] = packet[10] = packet[11] = 0;
  const crc = crc32c(packet);
  packet[8] = crc & 0xff;
  packet[9] = (crc >>> 8) & 0xff;
  packet[10] = (crc >>> 16) & 0xff;
  packet[11] = crc >>> 24;
}

export function readSctpChecksum(packet: Uint8Array): number {
  return (packet[8] | (packet[9] << 8) | (packet[10] << 16) | (packet[11] << 24)) >>> 0;
}

/** One's-complement sum of 16-bit words (RFC 1071), not yet folded/complemented. */
export function onesSum(data: Uint8Array, start = 0, end = data.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (i < end) sum += data[i] << 8;
  return sum;
}

/** Folds a one's-complement sum and complements it: the checksum field value. */
export function foldChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

export function internetChecksum(data: Uint8Array, start = 0, end = data.length): number {
  return foldChecksum(onesSum(data, start, end));
}
