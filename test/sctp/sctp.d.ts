// Minimal types for the part of the `sctp` npm package (plain-JS RFC 4960, latysheff) that the
// interop test uses: a socket over a caller-provided UDP socket (its "UDP / WebRTC mode").
declare module 'sctp' {
  import type { Socket as UdpSocket } from 'node:dgram';
  import type { Duplex, Writable } from 'node:stream';
  export interface SctpSocket extends Duplex {
    on(event: 'data', cb: (data: Buffer & { ppid?: number }) => void): this;
    on(event: 'connect' | 'end' | 'close', cb: () => void): this;
    on(event: 'error', cb: (e: Error) => void): this;
    write(data: Buffer & { ppid?: number }): boolean;
    createStream(streamId: number, ppid?: number): Writable;
    /** Negotiated outbound streams, min(local OS, remote MIS), after 'connect'. */
    OS: number;
  }
  export interface SctpConnectOptions {
    passive?: boolean;
    localPort: number;
    port: number;
    ppid?: number;
    MIS?: number;
    OS?: number;
    udpTransport: UdpSocket;
    udpPeer: { host: string; address: string; port: number };
  }
  export function connect(o: SctpConnectOptions): SctpSocket;
  /** Sets the module-wide protocol parameters (net.sctp sysctl names). */
  export function defaults(p: { rto_initial?: number; rto_min?: number; rto_max?: number; sack_timeout?: number }): Record<string, number>;
  const _default: { connect: typeof connect; defaults: typeof defaults };
  export default _default;
}
