// What every transport reports to: each datagram and each TCP segment, with real endpoints and
// an optional comment (the spec step, e.g. "TS 23.502 4.2.2.3.2 step 3a"). `Capture` implements
// it (pcapng); tests may use a recording tap. Transport code never decides what a comment says:
// the node that sends a message passes it down with the bytes.

import type { Endpoint, TcpSegment } from './capture/synth.ts';

export type { Endpoint, TcpSegment };

export interface WireTap {
  udp(src: Endpoint, dst: Endpoint, payload: Uint8Array, comment?: string): void;
  tcp(src: Endpoint, dst: Endpoint, seg: TcpSegment, comment?: string): void;
  /** A TLS key log line (NSS format, newline-terminated) of a connection captured by `tcp` (N32 between SEPPs). */
  tlsKeyLog?(line: Uint8Array): void;
}

export const nullTap: WireTap = {
  udp() {},
  tcp() {},
};

/** A tap that forwards to several (e.g. the pcapng capture and a message counter). */
export function fanOut(...taps: WireTap[]): WireTap {
  return {
    udp: (s, d, p, c) => {
      for (const t of taps) t.udp(s, d, p, c);
    },
    tcp: (s, d, seg, c) => {
      for (const t of taps) t.tcp(s, d, seg, c);
    },
    tlsKeyLog: (line) => {
      for (const t of taps) t.tlsKeyLog?.(line);
    },
  };
}

/** Records everything in memory, for tests. */
export class RecordingTap implements WireTap {
  readonly events: ({ kind: 'udp'; src: Endpoint; dst: Endpoint; payload: Uint8Array; comment?: string } | { kind: 'tcp'; src: Endpoint; dst: Endpoint; seg: TcpSegment; comment?: string })[] = [];
  udp(src: Endpoint, dst: Endpoint, payload: Uint8Array, comment?: string): void {
    this.events.push({ kind: 'udp', src, dst, payload: Uint8Array.from(payload), ...(comment ? { comment } : {}) });
  }
  tcp(src: Endpoint, dst: Endpoint, seg: TcpSegment, comment?: string): void {
    this.events.push({ kind: 'tcp', src, dst, seg, ...(comment ? { comment } : {}) });
  }
}

/**
 * Receive/send buffer of every UDP socket (SCTP over UDP, PFCP, GTP-U): bursts of thousands of
 * UEs overflow the 208 KiB Linux default and cost retransmissions; the kernel caps the request at
 * net.core.rmem_max / wmem_max.
 */
export const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
