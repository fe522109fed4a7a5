// The capture tap: every datagram, SCTP packet and TCP segment a node sends or receives is
// written here as a raw-IP frame (LINKTYPE_RAW) with synthesized headers and real addresses.
// One Capture per run; nodes and transports call it through the trace channel or directly.

import { PcapngWriter, FileSink, LinkType, type PcapngSink } from './pcapng.ts';
import { udpPacketLength, writeUdpPacket, tcpPacketLength, writeTcpPacket, ipHeaderLength, writeSctpOverIpPacket, type Endpoint, type TcpSegment } from './synth.ts';
import { InterfaceCounter, type CapturedInterface } from './counter.ts';
import { RecentDatagrams } from './recent.ts';

/**
 * Microseconds since the Unix epoch from one monotonic source: the wall clock read once, then
 * the high-resolution timer, so that the frames' timestamps never go backwards (capinfos
 * "Strict time order: True"). Mixing Date.now() with the timer's sub-millisecond digits, as an
 * earlier version did, went back by up to a millisecond at each wrap.
 */
export function monotonicMicros(): () => number {
  const t0 = process.hrtime.bigint();
  const wall0 = BigInt(Date.now()) * 1000n;
  return () => Number(wall0 + (process.hrtime.bigint() - t0) / 1000n);
}

export interface CaptureOptions {
  /** Microsecond clock; defaults to wall time. Tests inject a fixed clock for golden files. */
  nowUs?: () => number;
  /**
   * When sender and receiver run in one process they both report the same datagram. A report
   * identical to one made less than this many real milliseconds ago (same endpoints and bytes)
   * is taken as the other side of the same packet and not written again. Retransmissions come
   * later than this (SCTP RTO >= 1 s, PFCP T1 = 3 s) and are written. 0 disables it. TCP
   * segments are not compared: a connection is recorded by its client alone (TcpStreamRecorder).
   */
  dedupeWindowMs?: number;
}

/**
 * File captures not yet closed. Their staged blocks (up to about 1 MiB, pcapng.ts) are written
 * when the process exits without closing them: `process.exit` (a second Ctrl-C, onInterrupt in
 * cli/run-lock.ts) or an uncaught exception would otherwise lose the end of the capture.
 */
const openFileCaptures = new Set<Capture>();
let flushOnExit = false;

export class Capture {
  private readonly writer: PcapngWriter;
  private readonly iface: number;
  private readonly nowUs: () => number;
  private readonly fileSink: FileSink | undefined;
  /** Datagrams written recently, awaiting their receive-side report. */
  private readonly recent: RecentDatagrams;
  /** Reports skipped as the receive side of a datagram already written. */
  get duplicatesSkipped(): number {
    return this.recent.matched;
  }
  /** Messages per interface in what was written (summary.json reports these). */
  private readonly counter = new InterfaceCounter();
  /** The last timestamp written: frames are written in non-decreasing time order. */
  private lastUs = 0;

  constructor(sink: PcapngSink | FileSink, opts: CaptureOptions = {}) {
    this.fileSink = sink instanceof FileSink ? sink : undefined;
    this.writer = new PcapngWriter(sink);
    this.iface = this.writer.addInterface(LinkType.RAW, 'wire5g-loopback');
    this.nowUs = opts.nowUs ?? monotonicMicros();
    this.recent = new RecentDatagrams(opts.dedupeWindowMs ?? 250);
    if (this.fileSink) {
      openFileCaptures.add(this);
      if (!flushOnExit) {
        flushOnExit = true;
        process.on('exit', () => {
          for (const c of openFileCaptures) c.flush();
        });
      }
    }
  }

  /** A capture streaming to a pcapng file (directories are created). */
  static toFile(path: string, opts: CaptureOptions = {}): Capture {
    return new Capture(new FileSink(path), opts);
  }

  get packets(): number {
    return this.writer.packets;
  }

  /** NGAP, NAS, PFCP, GTP-U and HTTP/2 SBI messages written so far, by interface. */
  get messagesPerInterface(): Readonly<Record<CapturedInterface, number>> {
    return this.counter.counts;
  }

  /** A caller's timestamp, or now; never earlier than the frame written before it. */
  private stamp(timestampUs: number | undefined): number {
    const t = Math.max(timestampUs ?? this.nowUs(), this.lastUs);
    this.lastUs = t;
    return t;
  }

  private upperPduIface: number | undefined;

  /**
   * A PDU for a named Wireshark dissector with no transport under it (LINKTYPE_WIRESHARK_UPPER_PDU,
   * tag EXP_PDU_TAG_PROTO_NAME = 12), e.g. 'nas-5gs' for a standalone NAS message.
   */
  exportedPdu(dissector: string, payload: Uint8Array, comment?: string, timestampUs?: number): void {
    this.upperPduIface ??= this.writer.addInterface(LinkType.WIRESHARK_UPPER_PDU, 'wire5g-exported-pdu');
    const name = new TextEncoder().encode(dissector);
    const padded = (name.length + 1 + 3) & ~3; // NUL-terminated, padded to 4
    const data = new Uint8Array(4 + padded + 4 + payload.length);
    data[0] = 0;
    data[1] = 12;
    data[2] = padded >> 8;
    data[3] = padded & 0xff;
    data.set(name, 4);
    // end-of-options tag (0, length 0) follows the padded name
    data.set(payload, 4 + padded + 4);
    this.writer.writePacket({ interfaceId: this.upperPduIface, timestampUs: this.stamp(timestampUs), data, ...(comment ? { comment } : {}) });
  }

  /** A complete IPv4/IPv6 packet. */
  ipPacket(packet: Uint8Array, comment?: string, timestampUs?: number): void {
    this.writer.writePacket({ interfaceId: this.iface, timestampUs: this.stamp(timestampUs), data: packet, ...(comment ? { comment } : {}) });
  }

  // The headers are synthesized straight into the packet's pcapng block (synth.ts's write*).

  udp(src: Endpoint, dst: Endpoint, payload: Uint8Array, comment?: string, timestampUs?: number): void {
    if (this.recent.seenFromOtherSide(src, dst, payload)) return;
    this.counter.udp(src, dst, payload);
    const at = this.writer.reservePacket(this.iface, this.stamp(timestampUs), udpPacketLength(src, payload.length), comment);
    writeUdpPacket(this.writer.buffer, at, src, dst, payload);
    this.writer.commit();
  }

  tcp(src: Endpoint, dst: Endpoint, seg: TcpSegment, comment?: string, timestampUs?: number): void {
    this.counter.tcpSegment(src, dst, seg);
    const at = this.writer.reservePacket(this.iface, this.stamp(timestampUs), tcpPacketLength(src, seg), comment);
    writeTcpPacket(this.writer.buffer, at, src, dst, seg);
    this.writer.commit();
  }

  /** An SCTP packet carried directly over IP (protocol 132), as a kernel SCTP stack would send it. */
  sctp(srcAddress: string, dstAddress: string, sctpPacket: Uint8Array, comment?: string, timestampUs?: number): void {
    this.counter.sctp(`${srcAddress}>${dstAddress}`, sctpPacket);
    const at = this.writer.reservePacket(this.iface, this.stamp(timestampUs), ipHeaderLength(srcAddress) + sctpPacket.length, comment);
    writeSctpOverIpPacket(this.writer.buffer, at, srcAddress, dstAddress, sctpPacket);
    this.writer.commit();
  }

  /** TLS key log lines (NSS format) for the TLS connections captured after them (pcapng DSB). */
  tlsKeyLog(line: Uint8Array): void {
    this.writer.writeTlsKeyLog(line);
  }

  flush(): void {
    this.writer.flush();
    this.fileSink?.flush();
  }

  close(): void {
    openFileCaptures.delete(this);
    this.writer.flush();
    this.fileSink?.close();
  }
}
