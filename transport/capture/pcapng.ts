// pcapng writer (draft-ietf-opsawg-pcapng): one Section Header Block, one Interface Description
// Block per interface, one Enhanced Packet Block per packet, with an optional opt_comment that
// carries the spec step (e.g. "TS 23.502 4.2.2.3.2 step 3a").
//
// Packets stream to a sink as they arrive; the file writer buffers at most `flushBytes` before
// writing, so a long run is never held in memory.
//
//    Enhanced Packet Block (EPB), all fields in the section's byte order (we write little-endian):
//    +---------------------------------------------------------------+
//    |                    Block Type = 0x00000006                    |
//    |                      Block Total Length                       |
//    |                         Interface ID                          |
//    |                        Timestamp (High)                       |
//    |                        Timestamp (Low)                        |
//    |                    Captured Packet Length                     |
//    |                    Original Packet Length                     |
//    /                          Packet Data  (padded to 32 bits)     /
//    /                      Options (variable)                       /
//    |                      Block Total Length                       |
//    +---------------------------------------------------------------+

import { openSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Link types from the tcpdump.org LINKTYPE registry. */
export const LinkType = {
  NULL: 0, // BSD loopback
  ETHERNET: 1,
  RAW: 101, // raw IPv4/IPv6, version from the first nibble
  LOOP: 108, // OpenBSD loopback
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
  /** Wireshark's exported PDUs: tags name the dissector of the payload. */
  WIRESHARK_UPPER_PDU: 252,
} as const;
export type LinkType = (typeof LinkType)[keyof typeof LinkType];

export type PcapngSink = (chunk: Uint8Array) => void;

export interface PcapngPacket {
  interfaceId?: number;
  /** Microseconds since the Unix epoch. */
  timestampUs: number;
  data: Uint8Array;
  comment?: string;
}

const encoder = new TextEncoder();

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** One option (code, value) padded to 32 bits. */
function optionBytes(code: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + pad4(value.length));
  const dv = new DataView(out.buffer);
  dv.setUint16(0, code, true);
  dv.setUint16(2, value.length, true);
  out.set(value, 4);
  return out;
}

const OPT_ENDOFOPT = new Uint8Array(4);

function block(type: number, body: Uint8Array[]): Uint8Array {
  const bodyLen = body.reduce((n, b) => n + b.length, 0);
  const total = 12 + bodyLen;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, total, true);
  let p = 8;
  for (const b of body) {
    out.set(b, p);
    p += b.length;
  }
  dv.setUint32(total - 4, total, true);
  return out;
}

export class PcapngWriter {
  private readonly sink: PcapngSink;
  private interfaces = 0;
  packets = 0;

  constructor(sink: PcapngSink, application = 'wire5g') {
    this.sink = sink;
    // Section Header Block: byte-order magic, version 1.0, section length unknown (-1).
    const shb = new Uint8Array(16);
    const dv = new DataView(shb.buffer);
    dv.setUint32(0, 0x1a2b3c4d, true);
    dv.setUint16(4, 1, true);
    dv.setUint16(6, 0, true);
    dv.setInt32(8, -1, true);
    dv.setInt32(12, -1, true);
    const userAppl = optionBytes(4, encoder.encode(application)); // shb_userappl
    this.sink(block(0x0a0d0d0a, [shb, userAppl, OPT_ENDOFOPT]));
  }

  /** Adds an Interface Description Block; returns the interface id for `writePacket`. */
  addInterface(linkType: LinkType, name: string, snaplen = 0): number {
    const idb = new Uint8Array(8);
    const dv = new DataView(idb.buffer);
    dv.setUint16(0, linkType, true);
    dv.setUint32(4, snaplen, true);
    const ifName = optionBytes(2, encoder.encode(name)); // if_name
    const tsresol = optionBytes(9, new Uint8Array([6])); // if_tsresol: 10^-6 s
    this.sink(block(0x00000001, [idb, ifName, tsresol, OPT_ENDOFOPT]));
    return this.interfaces++;
  }

  writePacket(p: PcapngPacket): void {
    const head = new Uint8Array(20);
    const dv = new DataView(head.buffer);
    const ts = Math.max(0, Math.floor(p.timestampUs));
    dv.setUint32(0, p.interfaceId ?? 0, true);
    dv.setUint32(4, Math.floor(ts / 0x100000000), true);
    dv.setUint32(8, ts >>> 0, true);
    dv.setUint32(12, p.data.length, true);
    dv.setUint32(16, p.data.length, true);
    const padded = new Uint8Array(pad4(p.data.length));
    padded.set(p.data);
    const parts: Uint8Array[] = [head, padded];
    if (p.comment) parts.push(optionBytes(1, encoder.encode(p.comment)), OPT_ENDOFOPT);
    this.sink(block(0x00000006, parts));
    this.packets++;
  }

  /**
   * A Decryption Secrets Block (pcapng 4.7, type 0x0000000A) holding TLS key log lines (secrets
   * type 0x544c534b 'TLSK', NSS key log format): Wireshark decrypts the TLS sessions after it
   * with no key log file of its own (the SEPPs' N32, TS 29.573 5.2).
   */
  writeTlsKeyLog(lines: Uint8Array): void {
    const head = new Uint8Array(8);
    const dv = new DataView(head.buffer);
    dv.setUint32(0, 0x544c534b, true);
    dv.setUint32(4, lines.length, true);
    const padded = new Uint8Array(pad4(lines.length));
    padded.set(lines);
    this.sink(block(0x0000000a, [head, padded]));
  }
}

/** A sink that appends to a file, buffering at most `flushBytes` in memory. */
export class FileSink {
  private readonly fd: number;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private closed = false;
  readonly path: string;
  private readonly flushBytes: number;

  constructor(path: string, flushBytes = 64 * 1024) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
    this.path = path;
    this.flushBytes = flushBytes;
  }

  readonly write: PcapngSink = (chunk) => {
    if (this.closed) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.flushBytes) this.flush();
  };

  flush(): void {
    if (this.closed) return;
    for (const c of this.pending) writeSync(this.fd, c);
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    closeSync(this.fd);
    this.closed = true;
  }
}
