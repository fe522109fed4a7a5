// pcapng writer (draft-ietf-opsawg-pcapng): one Section Header Block, one Interface Description
// Block per interface, one Enhanced Packet Block per packet, with an optional opt_comment that
// carries the spec step (e.g. "TS 23.502 4.2.2.3.2 step 3a").
//
// Each block is built in place in one staging buffer. With a function sink, every block goes out
// as its own chunk once complete; with a FileSink, blocks gather to about STAGE_BYTES (1 MiB) and
// reach the file in one write, or at `flush` (a live capture flushes on a timer, a closing one
// at `close`), so a long run is never held in memory.
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

/** Size of one option (code, length, value padded to 32 bits). */
function optionSize(valueLength: number): number {
  return 4 + pad4(valueLength);
}

/** Bytes a staged file capture gathers before one write to the file (about 1 MiB per write). */
const STAGE_BYTES = 1 << 20;

/**
 * Writes pcapng blocks. Each block is built in place in one staging buffer: with a FileSink, blocks
 * gather there and go to the file in writes of about STAGE_BYTES (or at `flush`); with a function
 * sink, each block is handed over as its own chunk as soon as it is complete.
 */
export class PcapngWriter {
  private readonly sink: PcapngSink | undefined;
  private readonly file: FileSink | undefined;
  private buf: Uint8Array;
  private dv: DataView;
  /** End of what is staged; a block being built starts here. */
  private pos = 0;
  /** End of the block being built (reservePacket), committed by `commit`. */
  private blockEnd = 0;
  /** The block being built is an Enhanced Packet Block: `commit` counts it in `packets`. */
  private buildingPacket = false;
  private interfaces = 0;
  packets = 0;

  constructor(sink: PcapngSink | FileSink, application = 'wire5g') {
    if (sink instanceof FileSink) this.file = sink;
    else this.sink = sink;
    this.buf = new Uint8Array(this.file ? STAGE_BYTES : 4096);
    this.dv = new DataView(this.buf.buffer);
    // Section Header Block: byte-order magic, version 1.0, section length unknown (-1).
    const appl = encoder.encode(application);
    let at = this.begin(0x0a0d0d0a, 16 + optionSize(appl.length) + 4);
    this.dv.setUint32(at, 0x1a2b3c4d, true);
    this.dv.setUint16(at + 4, 1, true);
    this.dv.setUint16(at + 6, 0, true);
    this.dv.setInt32(at + 8, -1, true);
    this.dv.setInt32(at + 12, -1, true);
    at = this.option(at + 16, 4, appl); // shb_userappl
    this.endOfOptions(at);
    this.commit();
  }

  /** Adds an Interface Description Block; returns the interface id for `writePacket`. */
  addInterface(linkType: LinkType, name: string, snaplen = 0): number {
    const ifName = encoder.encode(name);
    let at = this.begin(0x00000001, 8 + optionSize(ifName.length) + optionSize(1) + 4);
    this.dv.setUint16(at, linkType, true);
    this.dv.setUint16(at + 2, 0, true);
    this.dv.setUint32(at + 4, snaplen, true);
    at = this.option(at + 8, 2, ifName); // if_name
    at = this.option(at, 9, TSRESOL_MICROSECONDS); // if_tsresol: 10^-6 s
    this.endOfOptions(at);
    this.commit();
    return this.interfaces++;
  }

  writePacket(p: PcapngPacket): void {
    const at = this.reservePacket(p.interfaceId ?? 0, p.timestampUs, p.data.length, p.comment);
    this.buf.set(p.data, at);
    this.commit();
  }

  /**
   * An Enhanced Packet Block whose `dataLength` bytes of packet data the caller writes in place:
   * into `this.buffer` at the offset returned, before the next call of any other method; then
   * `commit()`. Everything else of the block (header, padding, comment) is written here.
   */
  reservePacket(interfaceId: number, timestampUs: number, dataLength: number, comment?: string): number {
    const note = comment ? encoder.encode(comment) : undefined;
    const padded = pad4(dataLength);
    const at = this.begin(0x00000006, 20 + padded + (note ? optionSize(note.length) + 4 : 0));
    const ts = Math.max(0, Math.floor(timestampUs));
    this.dv.setUint32(at, interfaceId, true);
    this.dv.setUint32(at + 4, Math.floor(ts / 0x100000000), true);
    this.dv.setUint32(at + 8, ts >>> 0, true);
    this.dv.setUint32(at + 12, dataLength, true);
    this.dv.setUint32(at + 16, dataLength, true);
    const data = at + 20;
    this.buf.fill(0, data + dataLength, data + padded);
    if (note) this.endOfOptions(this.option(data + padded, 1, note)); // opt_comment
    this.buildingPacket = true;
    return data;
  }

  /** The staging buffer `reservePacket`'s offset points into. */
  get buffer(): Uint8Array {
    return this.buf;
  }

  /**
   * A Decryption Secrets Block (pcapng 4.7, type 0x0000000A) holding TLS key log lines (secrets
   * type 0x544c534b 'TLSK', NSS key log format): Wireshark decrypts the TLS sessions after it
   * with no key log file of its own (the SEPPs' N32, TS 29.573 5.2).
   */
  writeTlsKeyLog(lines: Uint8Array): void {
    const padded = pad4(lines.length);
    const at = this.begin(0x0000000a, 8 + padded);
    this.dv.setUint32(at, 0x544c534b, true);
    this.dv.setUint32(at + 4, lines.length, true);
    this.buf.set(lines, at + 8);
    this.buf.fill(0, at + 8 + lines.length, at + 8 + padded);
    this.commit();
  }

  /** Writes what is staged to the file sink (a function sink has nothing staged). */
  flush(): void {
    if (this.file && this.pos > 0) this.file.writeNow(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  /**
   * Starts a block of `bodyLength` bytes (a multiple of 4) after the staged ones: type and total
   * length before it, the total length again after it (pcapng 3.1). Returns where the body starts.
   */
  private begin(type: number, bodyLength: number): number {
    const total = 12 + bodyLength;
    if (this.pos + total > this.buf.length) {
      this.flush();
      if (total > this.buf.length) {
        this.buf = new Uint8Array(Math.max(total, 2 * this.buf.length));
        this.dv = new DataView(this.buf.buffer);
      }
    }
    this.dv.setUint32(this.pos, type, true);
    this.dv.setUint32(this.pos + 4, total, true);
    this.dv.setUint32(this.pos + total - 4, total, true);
    this.blockEnd = this.pos + total;
    // a packet reserved but never committed (its caller threw) is not counted
    this.buildingPacket = false;
    return this.pos + 8;
  }

  /** The block begun last is complete: staged, or handed to the function sink. */
  commit(): void {
    if (this.buildingPacket) {
      this.packets++;
      this.buildingPacket = false;
    }
    if (this.sink) {
      this.sink(this.buf.slice(this.pos, this.blockEnd));
      return;
    }
    this.pos = this.blockEnd;
  }

  /** One option (code, value) padded to 32 bits at `at`; returns the offset after it. */
  private option(at: number, code: number, value: Uint8Array): number {
    this.dv.setUint16(at, code, true);
    this.dv.setUint16(at + 2, value.length, true);
    this.buf.set(value, at + 4);
    const end = at + optionSize(value.length);
    this.buf.fill(0, at + 4 + value.length, end);
    return end;
  }

  /** opt_endofopt (code 0, length 0). */
  private endOfOptions(at: number): void {
    this.dv.setUint32(at, 0, true);
  }
}

const TSRESOL_MICROSECONDS = new Uint8Array([6]);

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

  /** Writes `bytes` to the file now, after what `write` buffered (the caller may reuse `bytes` after). */
  writeNow(bytes: Uint8Array): void {
    if (this.closed) return;
    this.flush();
    for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at, bytes.length - at);
  }

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
