// What paces an SCTP association's sender (RFC 4960): the retransmission timeout, from RTT
// measurements (6.3.1) and backed off on T3-rtx expiry (6.3.3 E2), and the congestion window
// (7.2: slow start and congestion avoidance, 7.2.1-7.2.2, and the reductions on T3-rtx expiry,
// 7.2.3, and on fast retransmit, 7.2.4).

import type { SctpTimers } from './association.ts';

/** RTO (RFC 4960 6.3.1): SRTT and RTTVAR from the measurements, held to RTO.Min..RTO.Max. */
export class RetransmissionTimeout {
  rto: number;
  private srtt: number | undefined;
  private rttvar = 0;
  private readonly t: SctpTimers;

  constructor(t: SctpTimers) {
    this.t = t;
    this.rto = t.rtoInitialMs;
  }

  /** RFC 4960 6.3.1 RTO calculation from an RTT measurement. */
  measure(rtt: number): void {
    if (this.srtt === undefined) {
      this.srtt = rtt;
      this.rttvar = rtt / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - rtt);
      this.srtt = 0.875 * this.srtt + 0.125 * rtt;
    }
    this.rto = Math.min(this.t.rtoMaxMs, Math.max(this.t.rtoMinMs, this.srtt + 4 * this.rttvar));
  }

  /** RFC 4960 6.3.3 E2: on T3-rtx expiry the RTO doubles, up to RTO.Max. */
  backOff(): void {
    this.rto = Math.min(this.rto * 2, this.t.rtoMaxMs);
  }
}

/** Congestion control (RFC 4960 7.2): cwnd, ssthresh and partial_bytes_acked. */
export class CongestionWindow {
  private cwnd: number;
  private ssthresh = 1 << 20;
  private partialBytesAcked = 0;
  private readonly mtu: number;

  constructor(mtu: number) {
    this.mtu = mtu;
    this.cwnd = Math.min(4 * mtu, Math.max(2 * mtu, 4380)); // 7.2.1
  }

  /**
   * Octets that may be in flight before another packet of new DATA goes: the smaller of the peer's
   * window and cwnd (RFC 9260 6.1 A and B; checked per packet, so cwnd may be exceeded by less than
   * one PMTU). cwnd is never below one MTU (7.2.3), so 0 means the peer's window is closed.
   */
  limit(peerRwnd: number): number {
    return Math.min(peerRwnd, this.cwnd);
  }

  /** 7.2.1 slow start / 7.2.2 congestion avoidance, for `bytes` newly acknowledged. */
  acked(bytes: number): void {
    if (this.cwnd <= this.ssthresh) this.cwnd += Math.min(bytes, this.mtu);
    else {
      this.partialBytesAcked += bytes;
      if (this.partialBytesAcked >= this.cwnd) {
        this.partialBytesAcked -= this.cwnd;
        this.cwnd += this.mtu;
      }
    }
  }

  /** 7.2.3: on T3-rtx expiry, ssthresh = max(cwnd/2, 4*MTU) and cwnd = 1 MTU. */
  t3Expired(): void {
    this.ssthresh = Math.max(this.cwnd / 2, 4 * this.mtu);
    this.cwnd = this.mtu;
    this.partialBytesAcked = 0;
  }

  /** 7.2.4: on fast retransmit, ssthresh = max(cwnd/2, 4*MTU) and cwnd = ssthresh. */
  fastRetransmitted(): void {
    this.ssthresh = Math.max(this.cwnd / 2, 4 * this.mtu);
    this.cwnd = this.ssthresh;
    this.partialBytesAcked = 0;
  }
}
