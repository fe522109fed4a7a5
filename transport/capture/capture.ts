// The capture tap: every datagram, SCTP packet and TCP segment a node sends or receives is
// written here as a raw-IP frame (LINKTYPE_RAW) with synthesized headers and real addresses.
// One Capture per run; nodes and transports call it through the trace channel or directly.

import { PcapngWriter, FileSink, LinkType, type PcapngSink } from './pcapng.ts';
import { udpPacket, tcpPacket, sctpOverIpPacket, type Endpoint, type TcpSegment } from './synth.ts';

export interface CaptureOptions {
  /** Microsecond clock; defaults to wall time. Tests inject a fixed clock for golden files. */
  nowUs?: () => number;
}

export class Capture {
  private readonly writer: PcapngWriter;
  private readonly iface: number;
  private readonly nowUs: () => number;
  private readonly fileSink: FileSink | undefined;

  constructor(sink: PcapngSink | FileSink, opts: CaptureOptions = {}) {
    this.fileSink = sink instanceof FileSink ? sink : undefined;
    this.writer = new PcapngWriter(sink instanceof FileSink ? sink.write : sink);
    this.iface = this.writer.addInterface(LinkType.RAW, 'wire5g-loopback');
    this.nowUs = opts.nowUs ?? (() => Date.now() * 1000 + (Number(process.hrtime.bigint() / 1000n) % 1000));
  }

  /** A capture streaming to a pcapng file (directories are created). */
  static toFile(path: string, opts: CaptureOptions = {}): Capture {
    return new Capture(new FileSink(path), opts);
  }

  get packets(): number {
    return this.writer.packets;
  }

  /** A complete IPv4/IPv6 packet. */
  ipPacket(packet: Uint8Array, comment?: string, timestampUs = this.nowUs()): void {
    this.writer.writePacket({ interfaceId: this.iface, timestampUs, data: packet, ...(comment ? { comment } : {}) });
  }

  udp(src: Endpoint, dst: Endpoint, payload: Uint8Array, comment?: string, timestampUs?: number): void {
    this.ipPacket(udpPacket(src, dst, payload), comment, timestampUs);
  }

  tcp(src: Endpoint, dst: Endpoint, seg: TcpSegment, comment?: string, timestampUs?: number): void {
    this.ipPacket(tcpPacket(src, dst, seg), comment, timestampUs);
  }

  /** An SCTP packet carried directly over IP (protocol 132), as a kernel SCTP stack would send it. */
  sctp(srcAddress: string, dstAddress: string, sctpPacket: Uint8Array, comment?: string, timestampUs?: number): void {
    this.ipPacket(sctpOverIpPacket(srcAddress, dstAddress, sctpPacket), comment, timestampUs);
  }

  flush(): void {
    this.fileSink?.flush();
  }

  close(): void {
    this.fileSink?.close();
  }
}
