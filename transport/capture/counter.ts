// Messages per 5G interface in what a Capture writes, so that a run's summary counts what its
// pcapng holds (a reader counting the file, tshark or `wire5g decode`, finds the same numbers):
//   N2  NGAP messages: complete SCTP user messages with PPID 60 (over UDP 9899 or IP), each
//       retransmission too, as it is a frame of its own;
//   N1  NAS-5GS messages: the NAS-PDU IEs of those NGAP messages;
//   N4  PFCP messages (UDP 8805), each message of a bundle (TS 29.244 7.2.2.1, FO) too;
//   N3  GTP-U messages (UDP 2152);
//   SBI HTTP/2 requests and responses: HEADERS frames that open a request (client to server) or
//       answer one (server to client), found by walking each TCP direction's frames.

import { decodeSctpPacket, decodeDataChunk, SctpChunkType } from '../../codecs/sctp/packet.ts';
import { nasPdusOf } from '../../codecs/ngap/dissect.ts';
import { CONNECTION_PREFACE, FrameType, FrameHeaderWalker } from '../../codecs/http2/frame.ts';
import { splitPfcpBundle, PFCP_FO_FLAG } from '../../codecs/pfcp/bundle.ts';
import { TcpFlags, type Endpoint } from './synth.ts';

export type CapturedInterface = 'N1' | 'N2' | 'N3' | 'N4' | 'SBI';

const PFCP_PORT = 8805;
const GTPU_PORT = 2152;
const SCTP_OVER_UDP_PORT = 9899;
const NGAP_PPID = 60;
/**
 * TCP directions whose frame walker is kept by key at most. A direction is forgotten at its FIN
 * or at the RST or SYN of its connection; this bounds the directions of connections whose end
 * the capture never saw. A recorder passing the same endpoint objects keeps finding its walker
 * through `byEndpoints` even once the oldest keys are dropped from here.
 */
export const MAX_TCP_DIRECTIONS = 4096;

export class InterfaceCounter {
  readonly counts: Record<CapturedInterface, number> = { N1: 0, N2: 0, N3: 0, N4: 0, SBI: 0 };
  private readonly tcp = new Map<string, FrameHeaderWalker | null>();
  private readonly byEndpoints = new WeakMap<Endpoint, WeakMap<Endpoint, FrameHeaderWalker | null>>();
  /** Fragments of an NGAP message per direction (B..E over consecutive DATA chunks). */
  private readonly fragments = new Map<string, Uint8Array[]>();

  udp(src: Endpoint, dst: Endpoint, payload: Uint8Array): void {
    if (src.port === PFCP_PORT || dst.port === PFCP_PORT) this.counts.N4 += payload.length > 0 && (payload[0] & PFCP_FO_FLAG) !== 0 ? Math.max(1, splitPfcpBundle(payload).messages.length) : 1;
    else if (src.port === GTPU_PORT || dst.port === GTPU_PORT) this.counts.N3++;
    else if (src.port === SCTP_OVER_UDP_PORT || dst.port === SCTP_OVER_UDP_PORT) this.sctp(`${src.address}:${src.port}>${dst.address}:${dst.port}`, payload);
  }

  /** An SCTP packet (common header and chunks). */
  sctp(flow: string, packet: Uint8Array): void {
    let chunks;
    try {
      chunks = decodeSctpPacket(packet).chunks;
    } catch {
      return; // not counted: not a message a reader finds either
    }
    for (const c of chunks) {
      if (c.type !== SctpChunkType.DATA) continue;
      const d = decodeDataChunk(c);
      if (d.ppid !== NGAP_PPID) continue;
      const B = 0x02, E = 0x01;
      let message: Uint8Array | undefined;
      if ((d.flags & (B | E)) === (B | E)) message = d.userData;
      else {
        const parts = d.flags & B ? [] : (this.fragments.get(flow) ?? []);
        parts.push(d.userData);
        this.fragments.set(flow, parts);
        if (d.flags & E) {
          this.fragments.delete(flow);
          message = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
          let at = 0;
          for (const p of parts) {
            message.set(p, at);
            at += p.length;
          }
        }
      }
      if (!message) continue;
      this.counts.N2++;
      try {
        this.counts.N1 += nasPdusOf(message).length;
      } catch {
        // an undecodable NGAP message still is one; its NAS cannot be counted
      }
    }
  }

  /** TCP directions whose walker is kept by address and port. */
  get tcpDirections(): number {
    return this.tcp.size;
  }

  /**
   * A TCP segment of one direction, in order (the capture writes each connection's bytes in
   * order). A SYN (RFC 9293 3.5) starts a new connection on its 4-tuple: whatever the walkers of
   * an earlier connection with the same addresses and ports were left with (a partial frame
   * header, the preface) is forgotten, as it is at the FIN of a direction or at an RST.
   */
  tcpSegment(src: Endpoint, dst: Endpoint, seg: { flags: number; payload?: Uint8Array | undefined }): void {
    if (seg.flags & (TcpFlags.SYN | TcpFlags.RST)) {
      this.forget(src, dst);
      this.forget(dst, src);
    }
    if (seg.payload) this.tcpPayload(src, dst, seg.payload);
    // no data follows a FIN in its direction (RFC 9293 3.6)
    if (seg.flags & TcpFlags.FIN) this.forget(src, dst);
  }

  private forget(src: Endpoint, dst: Endpoint): void {
    this.tcp.delete(`${src.address}:${src.port}>${dst.address}:${dst.port}`);
    this.byEndpoints.get(src)?.delete(dst);
  }

  /** TCP payload of one direction, in order (the capture writes each connection's bytes in order). */
  private tcpPayload(src: Endpoint, dst: Endpoint, payload: Uint8Array): void {
    if (payload.length === 0) return;
    // a connection's recorder passes the same endpoint objects each time: its walker is found by
    // them, without building the flow's key
    let known = this.byEndpoints.get(src);
    let d = known?.get(dst);
    if (d === undefined) {
      const key = `${src.address}:${src.port}>${dst.address}:${dst.port}`;
      d = this.tcp.get(key);
      if (d === undefined) {
        // the client's direction starts with the connection preface (RFC 9113 3.4)
        let preface = true;
        for (let k = 0; k < Math.min(payload.length, CONNECTION_PREFACE.length); k++) if (payload[k] !== CONNECTION_PREFACE[k]) preface = false;
        // a TLS connection (N32 between the SEPPs) starts with a handshake record (RFC 8446 5.1): its
        // HTTP/2 frames are encrypted and not counted here
        this.tcp.set(key, (d = payload[0] === 0x16 && !preface ? null : new FrameHeaderWalker(preface)));
        if (this.tcp.size > MAX_TCP_DIRECTIONS) this.tcp.delete(this.tcp.keys().next().value!);
      }
      if (!known) this.byEndpoints.set(src, (known = new WeakMap()));
      known.set(dst, d);
    }
    if (d === null) return;
    // HEADERS opens a request or a response (the SBI transport sends no trailers)
    for (const f of d.push(payload)) if (f.type === FrameType.HEADERS) this.counts.SBI++;
  }
}
