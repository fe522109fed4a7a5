// HTTP/2 SBI out of captured TCP segments: each connection's two byte streams reassembled
// (codecs/capture/tcp-reassembly), recognised as HTTP/2 by the client's connection preface
// (RFC 9113 3.4, prior knowledge as TS 29.500 5.2.2 uses it, on any port), then read frame by
// frame with HPACK (codecs/http2). Binary N1/N2 parts of multipart bodies go to the NAS and NGAP
// dissectors. Every segment gets records or the reason it gives none.

import type { DissectedMessage } from '../codecs/bytes/json.ts';
import { DecodeError } from '../codecs/bytes/errors.ts';
import { TcpReassembler, TcpFlag, tcpFlagNames } from '../codecs/capture/tcp-reassembly.ts';
import { Http2ConnectionReader, type BinaryPart } from '../codecs/http2/connection.ts';
import { CONNECTION_PREFACE } from '../codecs/http2/frame.ts';

export interface TcpSegmentIn {
  src: string;
  dst: string;
  seq: number;
  flags: number;
  payload: Uint8Array;
}

export type TcpOutcome = { messages: DissectedMessage[] } | { ignored: string } | { error: unknown; messages: DissectedMessage[] };

export interface TcpMessageSource {
  push(seg: TcpSegmentIn): TcpOutcome;
}

interface Connection {
  client?: string;
  reader: Http2ConnectionReader;
  /** Why the connection is no longer read (not HTTP/2, or an error in an earlier frame). */
  stopped?: string;
  /** The client's first data has been read. */
  started?: boolean;
}

function startsWithPreface(b: Uint8Array): boolean {
  if (b.length < CONNECTION_PREFACE.length) return false;
  for (let i = 0; i < CONNECTION_PREFACE.length; i++) if (b[i] !== CONNECTION_PREFACE[i]) return false;
  return true;
}

export class Http2OverTcp implements TcpMessageSource {
  private readonly tcp = new TcpReassembler();
  private readonly connections = new Map<string, Connection>();
  private readonly binary: Map<string, (part: BinaryPart) => DissectedMessage[]>;

  /** `binary`: dissectors by media type, e.g. application/vnd.3gpp.ngap -> NGAP. */
  constructor(binary: Map<string, (part: BinaryPart) => DissectedMessage[]> = new Map()) {
    this.binary = binary;
  }

  push(seg: TcpSegmentIn): TcpOutcome {
    const key = seg.src < seg.dst ? `${seg.src}|${seg.dst}` : `${seg.dst}|${seg.src}`;
    let c = this.connections.get(key);
    if (!c) this.connections.set(key, (c = { reader: new Http2ConnectionReader() }));
    if (seg.flags & TcpFlag.SYN) {
      if (!(seg.flags & TcpFlag.ACK)) {
        c.client = seg.src;
        c.reader = new Http2ConnectionReader();
        delete c.stopped;
        delete c.started;
      }
    }
    const { bytes } = this.tcp.push(`${seg.src}>${seg.dst}`, seg);
    if (seg.payload.length === 0) return { ignored: `TCP ${tcpFlagNames(seg.flags)} (no payload)` };
    if (bytes.length === 0) return { ignored: 'TCP retransmission, or a segment beyond a gap held for reassembly' };
    if (c.stopped) return { ignored: c.stopped };
    if (c.client === undefined) {
      if (!startsWithPreface(bytes)) {
        c.stopped = 'TCP data of a connection whose start is not in the capture (not read as HTTP/2)';
        return { ignored: c.stopped };
      }
      c.client = seg.src;
    }
    const fromClient = seg.src === c.client;
    // a TLS connection (RFC 8446 5.1: a handshake record, type 22, legacy version 3.x): the SEPPs'
    // N32 (issue 17), whose key log the capture carries for Wireshark; this decoder does not decrypt
    if (fromClient && !c.started && bytes.length >= 3 && bytes[0] === 0x16 && bytes[1] === 0x03) {
      c.stopped = 'TLS (N32 between the SEPPs, TS 29.573): encrypted; Wireshark/tshark decrypt it with the key log in the capture (pcapng Decryption Secrets Block)';
      return { ignored: c.stopped };
    }
    c.started = true;
    try {
      const { frames, binaries } = c.reader.push(fromClient, bytes);
      const messages: DissectedMessage[] = frames.map((f) => ({ protocol: 'http2', message: f.message, fields: f.fields }));
      for (const b of binaries) {
        const dissect = this.binary.get(b.contentType.split(';')[0].trim().toLowerCase());
        if (!dissect) continue;
        try {
          messages.push(...dissect(b));
        } catch (e) {
          messages.push({ protocol: b.contentType, message: `Undecodable ${b.contentId ?? 'binary part'}`, fields: null, error: e instanceof DecodeError ? (e.toJSON() as unknown as DissectedMessage['fields']) : { reason: String(e) } });
        }
      }
      if (messages.length === 0) return { ignored: 'TCP segment of an HTTP/2 frame that completes in a later frame' };
      return { messages };
    } catch (e) {
      c.stopped = 'HTTP/2 connection not read further after the error in an earlier frame (HPACK state lost)';
      return { error: e, messages: [] };
    }
  }
}
