// Minimal types for the part of the `sctp` npm package (plain-JS RFC 4960) the interop test uses.
declare module 'sctp' {
  import type { Socket as UdpSocket } from 'node:dgram';
  import type { Duplex } from 'node:stream';
  export interface SctpSocket extends Duplex {
    on(event: 'data', cb: (data: Buffer & { ppid?: number }) => void): this;
    on(event: 'connect' | 'end' | 'close', cb: () => void): this;
    on(event: 'error', cb: (e: Error) => void): this;
    write(data: Buffer & { ppid?: number }): boolean;
  }
  export function connect(o: { passive?: boolean; localPort: number; port: number; ppid?: number; udpTransport: UdpSocket; udpPeer: { host: string; address: string; port: number } }): SctpSocket;
  const _default: { connect: typeof connect };
  export default _default;
}
