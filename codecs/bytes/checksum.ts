// Checksums the wire needs: CRC32c for SCTP (RFC 4960 Appendix B, RFC 3309) and the
// Internet checksum (RFC 1071) for the IPv4/UDP/TCP/ICMP headers the capture and the
// data-network responder synthesize.

// CRC32c, reflected polynomial 0x82F63B78, slicing-by-1 table.
const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC32c of `data[start, end)`, as the unsigned 32-bit value (RFC 3309). */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = CRC32C_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * SCTP checksum placement (RFC 4960 Appendix B): the CRC is computed with the checksum field
 * (bytes 8..11 of the common header) zeroed, and stored in little-endian byte order of the
 * reflected CRC, i.e. the low byte first.
 */
export function sctpChecksum(packet: Uint8Array): number {
  const saved0 = packet[8], saved1 = packet[9], saved2 = packet[10], saved3 = packet[11];
  packet[8] = packet[9] = packet[10] = packet[11] = 0;
  const crc = crc32c(packet);
  packet[8] = saved0; packet[9] = saved1; packet[10] = saved2; packet[11] = saved3;
  return crc;
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
