// The DATA an SCTP association has sent and the peer has not yet acknowledged with its Cumulative
// TSN Ack (RFC 9260 6.2.1): what is in flight, what Gap Ack Blocks acknowledged (kept, for the
// receiver may renege on it, 6.2.1 D iii), and the processing of a SACK against them (6.2.1 D,
// miss indications for fast retransmit, 7.2.4). The association (association.ts) sends, times
// and retransmits.

import type { SackChunk } from '../../codecs/sctp/packet.ts';
import type { Outstanding } from './association-types.ts';
import { lt, le } from './receiver.ts';

/** What one SACK did to the outstanding DATA. */
export interface SackOutcome {
  /** Octets newly acknowledged, cumulatively or by a gap block (7.2.1, 7.2.2). */
  ackedBytes: number;
  /** The earliest outstanding TSN was acknowledged (6.3.2 R3). */
  cumAdvanced: boolean;
  /** A TSN gap acked before is missing now (6.2.1 D iii). */
  reneged: boolean;
  /** TSNs reported missing for the third time (7.2.4), in TSN order. */
  fast: Outstanding[];
}

export class OutstandingData {
  /** By TSN, in the order sent, i.e. ascending (a retransmission is not put in again). */
  private readonly byTsn = new Map<number, Outstanding>();
  private gapAcked = 0;
  /** Octets of DATA in flight, kept as a running count (summing the map per send was O(n^2)). */
  inFlightBytes = 0;

  /** Every chunk not yet cumulatively acknowledged, gap acked or not (what a SHUTDOWN waits for, 9.2). */
  get size(): number {
    return this.byTsn.size;
  }

  /** Chunks in flight: sent and neither cumulatively nor gap acknowledged. */
  get inFlight(): number {
    return this.byTsn.size - this.gapAcked;
  }

  /** A chunk sent for the first time. */
  add(o: Outstanding): void {
    this.byTsn.set(o.tsn, o);
    this.inFlightBytes += o.chunk.value.length;
  }

  /** The chunks in flight, earliest TSN first (6.3.3 E3). */
  *inFlightChunks(): IterableIterator<Outstanding> {
    for (const o of this.byTsn.values()) if (!o.gapAcked) yield o;
  }

  /**
   * RFC 9260 6.2.1 D: the chunks the SACK acknowledges cumulatively leave; those in its gap blocks
   * leave the flight but stay; one gap acked before and missing now is in flight again with a miss
   * (D iii); one neither acked nor gap acked below the highest TSN reported counts a miss (7.2.4).
   * `rtt` is given the send time of each chunk acknowledged on its first transmission (Karn).
   */
  applySack(s: SackChunk, rtt: (sentAt: number) => void): SackOutcome {
    const out: SackOutcome = { ackedBytes: 0, cumAdvanced: false, reneged: false, fast: [] };
    const cum = s.cumulativeTsnAck;
    const gaps = s.gapBlocks.length > 0;
    const highestGapAck = gaps ? (cum + s.gapBlocks[s.gapBlocks.length - 1].end) >>> 0 : cum;
    for (const o of this.byTsn.values()) {
      const tsn = o.tsn;
      const byCum = le(tsn, cum);
      // above the cumulative ack with no gap reported now or before: neither acked nor missing
      if (!byCum && !gaps && this.gapAcked === 0) break;
      if (byCum) {
        out.cumAdvanced = true;
        this.byTsn.delete(tsn);
        if (o.gapAcked) {
          this.gapAcked--; // out of the flight, and counted, when its gap ack came
          continue;
        }
      } else {
        const inGap = gaps && s.gapBlocks.some((g) => le((cum + g.start) >>> 0, tsn) && le(tsn, (cum + g.end) >>> 0));
        if (!inGap) {
          if (o.gapAcked) {
            // D iii): the receiver reneged on it: in flight again, one miss indication
            o.gapAcked = false;
            this.gapAcked--;
            this.inFlightBytes += o.chunk.value.length;
            out.reneged = true;
            if (++o.misses >= 3 && !o.fastRetransmitted) out.fast.push(o);
          } else if (lt(tsn, highestGapAck) && ++o.misses >= 3 && !o.fastRetransmitted) {
            out.fast.push(o);
          }
          continue;
        }
        if (o.gapAcked) continue; // gap acked before: counted then
        o.gapAcked = true;
        this.gapAcked++;
      }
      if (o.transmissions === 1) rtt(o.sentAt);
      this.inFlightBytes -= o.chunk.value.length;
      out.ackedBytes += o.chunk.value.length;
    }
    return out;
  }
}
