// The rate limit on GTP-U Error Indications (TS 29.281 7.3.1 leaves the rate to the
// implementation): a token bucket per peer. A flood of stray packets comes from one peer at a
// time, so the last peer's bucket is cached (no string key per packet) and time comes from a
// coarse clock the data path's tick advances: the drop path must cost what forwarding costs.

import type { TunnelPeer } from './tables.ts';

interface Bucket {
  tokens: number;
  at: number;
}

export class ErrorIndicationLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private last: Bucket | undefined;
  private lastAddress = '';
  private lastPort = 0;
  /** Seconds, advanced by the data path's tick. */
  coarseNow: number;

  private readonly rate: number;
  private readonly burst: number;

  constructor(rate: number, burst: number, now: number) {
    this.rate = rate;
    this.burst = burst;
    this.coarseNow = now;
  }

  /** Whether an Error Indication may go to `peer` now (takes a token). */
  allow(peer: TunnelPeer): boolean {
    let bucket = this.last;
    if (bucket === undefined || this.lastAddress !== peer.address || this.lastPort !== peer.port) {
      const key = `${peer.address}:${peer.port}`;
      bucket = this.buckets.get(key);
      if (!bucket) {
        if (this.buckets.size > 10_000) this.buckets.clear();
        bucket = { tokens: this.burst, at: this.coarseNow };
        this.buckets.set(key, bucket);
      }
      this.last = bucket;
      this.lastAddress = peer.address;
      this.lastPort = peer.port;
    }
    if (bucket.tokens < 1 && bucket.at !== this.coarseNow) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + (this.coarseNow - bucket.at) * this.rate);
      bucket.at = this.coarseNow;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
