// TCP byte streams out of captured segments (RFC 9293 3.4): per direction, the bytes in sequence
// order from the SYN on (or from the first data segment when the capture starts mid-connection),
// retransmitted bytes dropped, segments that arrive ahead of a gap held until the gap fills, as
// Wireshark's reassembly does. Pure state; one instance per capture.

export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** Flag names in the order Wireshark prints them: "SYN, ACK", "FIN, ACK", "ACK". */
export function tcpFlagNames(flags: number): string {
  const names: string[] = [];
  if (flags & TcpFlag.FIN) names.push('FIN');
  if (flags & TcpFlag.SYN) names.push('SYN');
  if (flags & TcpFlag.RST) names.push('RST');
  if (flags & TcpFlag.PSH) names.push('PSH');
  if (flags & TcpFlag.ACK) names.push('ACK');
  return names.join(', ') || 'none';
}

interface Flow {
  /** Next expected sequence number; undefined before anything is known. */
  next?: number;
  /** Segments beyond a gap, by sequence number. */
  ahead: Map<number, Uint8Array>;
  aheadBytes: number;
}

/** Bytes held beyond a gap per direction before the reader gives up waiting and skips the gap. */
const MAX_AHEAD = 4 * 1024 * 1024;

/** Sequence-space comparison (RFC 9293 3.4: modulo 2^32). */
function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export class TcpReassembler {
  private readonly flows = new Map<string, Flow>();

  /**
   * Feeds one segment of direction `flow`; returns the in-order bytes it makes available (possibly
   * none: a retransmission, a pure ACK, or data beyond a gap) and whether a gap was skipped.
   */
  push(flow: string, seg: { seq: number; flags: number; payload: Uint8Array }): { bytes: Uint8Array; gapSkipped: boolean } {
    let f = this.flows.get(flow);
    if (!f) this.flows.set(flow, (f = { ahead: new Map(), aheadBytes: 0 }));
    let seq = seg.seq >>> 0;
    if (seg.flags & TcpFlag.SYN) {
      f.next = (seq + 1) >>> 0;
      f.ahead.clear();
      f.aheadBytes = 0;
      seq = f.next;
    }
    let data = seg.payload;
    if (data.length === 0) return { bytes: data, gapSkipped: false };
    if (f.next === undefined) f.next = seq;
    if (before(seq, f.next)) {
      const skip = (f.next - seq) >>> 0;
      if (skip >= data.length) return { bytes: new Uint8Array(0), gapSkipped: false };
      data = data.subarray(skip);
      seq = f.next;
    }
    let gapSkipped = false;
    if (seq !== f.next) {
      if (!f.ahead.has(seq)) {
        f.ahead.set(seq, Uint8Array.from(data));
        f.aheadBytes += data.length;
      }
      if (f.aheadBytes <= MAX_AHEAD) return { bytes: new Uint8Array(0), gapSkipped: false };
      // too much waiting: the gap will not fill (not captured); continue from the earliest held
      let first = seq;
      for (const s of f.ahead.keys()) if (before(s, first)) first = s;
      f.next = first;
      gapSkipped = true;
      data = new Uint8Array(0);
    } else {
      f.next = (f.next + data.length) >>> 0;
    }
    const parts: Uint8Array[] = data.length ? [data] : [];
    for (let more = true; more; ) {
      more = false;
      for (const [s, d] of f.ahead) {
        if (before(f.next, s)) continue;
        f.ahead.delete(s);
        f.aheadBytes -= d.length;
        const next: number = f.next;
        const overlap = (next - s) >>> 0;
        if (overlap < d.length) {
          parts.push(d.subarray(overlap));
          f.next = (next + d.length - overlap) >>> 0;
        }
        more = true;
      }
    }
    if (parts.length === 1) return { bytes: parts[0], gapSkipped };
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return { bytes: out, gapSkipped };
  }
}
