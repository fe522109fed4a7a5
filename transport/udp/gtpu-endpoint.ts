// A GTP-U endpoint on UDP 2152 (TS 29.281): received datagrams go to the node as they are (the
// Buffer node:dgram gives, no copy), Echo Request is answered here with Echo Response (TS 29.281
// 7.2.2, Recovery = 0), and the send path hands header and payload to the socket as separate
// buffers (a vectored send) so nothing is concatenated.

import dgram from 'node:dgram';
import type { WireTap, Endpoint } from '../tap.ts';
import { nullTap, SOCKET_BUFFER_BYTES } from '../tap.ts';

export const GTPU_PORT = 2152;

export interface GtpuEndpointOptions {
  address: string;
  port?: number;
  tap?: WireTap;
  /** Write user-plane datagrams to the tap too (signalling, Echo and errors always are). */
  captureUserPlane?: boolean;
  onPacket(data: Uint8Array, peer: Endpoint): void;
  log?: (line: string) => void;
}

export class GtpuEndpoint {
  private readonly socket: dgram.Socket;
  private readonly opts: GtpuEndpointOptions;
  private readonly tap: WireTap;
  /** opts.captureUserPlane, read once per datagram from here (issue 20). */
  private readonly captureUserPlane: boolean;
  readonly local: Endpoint;
  readonly stats = { received: 0, sent: 0, echoAnswered: 0, malformed: 0 };

  private constructor(socket: dgram.Socket, local: Endpoint, opts: GtpuEndpointOptions) {
    this.socket = socket;
    this.local = local;
    this.opts = opts;
    this.tap = opts.tap ?? nullTap;
    this.captureUserPlane = opts.captureUserPlane === true;
    // rinfo is the peer as it is ({address, family, port, size}, a new object per datagram from
    // node:dgram): no second object per datagram (issue 20)
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    socket.on('error', (e) => opts.log?.(`[gtpu ${local.address}] socket error: ${e.message}`));
  }

  static open(opts: GtpuEndpointOptions): Promise<GtpuEndpoint> {
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket({ type: opts.address.includes(':') ? 'udp6' : 'udp4', recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });
      s.once('error', reject);
      s.bind(opts.port ?? GTPU_PORT, opts.address, () => {
        s.off('error', reject);
        const a = s.address();
        resolve(new GtpuEndpoint(s, { address: a.address, port: a.port }, opts));
      });
    });
  }

  private onMessage(msg: Buffer, peer: Endpoint): void {
    this.stats.received++;
    if (msg.length < 8 || (msg[0] & 0xf0) !== 0x30) {
      this.stats.malformed++;
      this.tap.udp(peer, this.local, msg);
      this.opts.log?.(`[gtpu ${this.local.address}] dropped ${msg.length} octets from ${peer.address}:${peer.port}: not GTPv1-U`);
      return;
    }
    const type = msg[1];
    if (type !== 0xff || this.captureUserPlane) this.tap.udp(peer, this.local, msg);
    if (type === 1) {
      // Echo Request: answer with the same sequence number (when S is set) and Recovery 0.
      const seqHi = msg[0] & 0x02 && msg.length >= 12 ? msg[8] : 0;
      const seqLo = msg[0] & 0x02 && msg.length >= 12 ? msg[9] : 0;
      const rsp = Uint8Array.of(0x32, 2, 0, 6, 0, 0, 0, 0, seqHi, seqLo, 0, 0, 14, 0);
      this.stats.echoAnswered++;
      this.sendRaw(peer, rsp, 'TS 29.281 7.2.2 Echo Response');
      return;
    }
    this.opts.onPacket(msg, peer);
  }

  private sendRaw(peer: Endpoint, bytes: Uint8Array, comment?: string): void {
    this.tap.udp(this.local, peer, bytes, comment);
    this.stats.sent++;
    this.socket.send(bytes, peer.port, peer.address);
  }

  /** Sends header and payload as one datagram without concatenating them. */
  send(peer: Endpoint, header: Uint8Array, payload?: Uint8Array, comment?: string): void {
    this.stats.sent++;
    if (header[1] !== 0xff || this.captureUserPlane) {
      if (payload) {
        const whole = new Uint8Array(header.length + payload.length);
        whole.set(header);
        whole.set(payload, header.length);
        this.tap.udp(this.local, peer, whole, comment);
      } else {
        this.tap.udp(this.local, peer, header, comment);
      }
    }
    if (payload) this.socket.send([header, payload], peer.port, peer.address);
    else this.socket.send(header, peer.port, peer.address);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
