// SCTP user messages out of captured SCTP packets (RFC 4960 3.3.1): walks the chunks of each
// packet (bundling), keeps DATA chunks, reassembles fragmented messages (B/E flags over
// consecutive TSNs) per direction, and drops retransmitted TSNs it already delivered, as
// Wireshark's reassembly does.

import { decodeSctpPacket, SctpChunkType, decodeDataChunk } from '../codecs/sctp/packet.ts';
import type { SctpMessageSource } from './dissectors.ts';

interface Fragment {
  flags: number;
  streamId: number;
  ppid: number;
  data: Uint8Array;
}

export interface SctpUserMessage {
  streamId: number;
  ppid: number;
  payload: Uint8Array;
}

const B = 0x02;
const E = 0x01;
const MAX_REMEMBERED = 65536;

export class SctpReassembler implements SctpMessageSource {
  private readonly pending = new Map<string, Map<number, Fragment>>();
  private readonly delivered = new Map<string, Set<number>>();

  /** Feeds one SCTP packet of direction `flow`; returns the user messages it completes. */
  push(flow: string, packet: Uint8Array): SctpUserMessage[] {
    const out: SctpUserMessage[] = [];
    const pkt = decodeSctpPacket(packet);
    for (const chunk of pkt.chunks) {
      if (chunk.type !== SctpChunkType.DATA) continue;
      const d = decodeDataChunk(chunk);
      const seen = this.delivered.get(flow) ?? new Set<number>();
      this.delivered.set(flow, seen);
      if (seen.has(d.tsn)) continue;
      if ((d.flags & (B | E)) === (B | E)) {
        this.remember(seen, d.tsn);
        out.push({ streamId: d.streamId, ppid: d.ppid, payload: d.userData });
        continue;
      }
      const frags = this.pending.get(flow) ?? new Map<number, Fragment>();
      this.pending.set(flow, frags);
      frags.set(d.tsn, { flags: d.flags, streamId: d.streamId, ppid: d.ppid, data: d.userData });
      const done = this.tryComplete(frags, d.tsn);
      if (done) {
        for (const t of done.tsns) this.remember(seen, t);
        out.push(done.message);
      }
    }
    return out;
  }

  private remember(seen: Set<number>, tsn: number): void {
    seen.add(tsn);
    if (seen.size > MAX_REMEMBERED) seen.delete(seen.values().next().value as number);
  }

  /** Looks for a complete B..E run through `tsn`. */
  private tryComplete(frags: Map<number, Fragment>, tsn: number): { message: SctpUserMessage; tsns: number[] } | undefined {
    let first = tsn;
    while (!(frags.get(first)!.flags & B)) {
      const prev = (first - 1) >>> 0;
      if (!frags.has(prev)) return undefined;
      first = prev;
    }
    let last = tsn;
    while (!(frags.get(last)!.flags & E)) {
      const nxt = (last + 1) >>> 0;
      if (!frags.has(nxt)) return undefined;
      last = nxt;
    }
    const head = frags.get(first)!;
    const tsns: number[] = [];
    const parts: Uint8Array[] = [];
    for (let t = first; ; t = (t + 1) >>> 0) {
      tsns.push(t);
      parts.push(frags.get(t)!.data);
      frags.delete(t);
      if (t === last) break;
    }
    const payload = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      payload.set(p, at);
      at += p.length;
    }
    return { message: { streamId: head.streamId, ppid: head.ppid, payload }, tsns };
  }
}
