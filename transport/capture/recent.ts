// The datagrams a Capture wrote in the last `windowMs` real milliseconds, so that the receiver's
// report of a datagram whose sender (in the same process) already reported it is not written
// twice (CaptureOptions.dedupeWindowMs). Each report costs O(1) amortized: the reports of one
// flow and length are compared byte for byte (usually one), and the expired ones leave through a
// queue in time order instead of a scan of every flow.

import type { Endpoint } from './synth.ts';

interface Entry {
  key: string;
  at: number;
  payload: Uint8Array;
  /** Still awaiting its other side (false once matched or expired). */
  live: boolean;
}

export class RecentDatagrams {
  /** Reports found to be the other side of a datagram already written. */
  matched = 0;
  private readonly windowMs: number;
  /** Live entries by flow and length, oldest first. */
  private readonly byKey = new Map<string, Entry[]>();
  /** Every entry in the order written (= time order); `head` is the oldest not yet expired. */
  private queue: Entry[] = [];
  private head = 0;

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  /** True when this report is the second side of a datagram reported within the window (it is then forgotten). */
  seenFromOtherSide(src: Endpoint, dst: Endpoint, payload: Uint8Array): boolean {
    if (this.windowMs <= 0) return false;
    const now = performance.now();
    this.expire(now);
    const key = `${src.address}:${src.port}>${dst.address}:${dst.port}/${payload.length}`;
    const list = this.byKey.get(key);
    if (list) {
      for (let i = 0; i < list.length; i++) {
        if (!sameBytes(list[i].payload, payload)) continue;
        list[i].live = false;
        this.unlist(key, list, i);
        this.matched++;
        return true;
      }
    }
    const entry: Entry = { key, at: now, payload: Uint8Array.from(payload), live: true };
    if (list) list.push(entry);
    else this.byKey.set(key, [entry]);
    this.queue.push(entry);
    return false;
  }

  /** Forgets the entries older than the window. */
  private expire(now: number): void {
    const q = this.queue;
    while (this.head < q.length && now - q[this.head].at > this.windowMs) {
      const e = q[this.head++];
      if (!e.live) continue;
      e.live = false;
      const list = this.byKey.get(e.key)!;
      this.unlist(e.key, list, list[0] === e ? 0 : list.indexOf(e));
    }
    // the expired part of the queue is dropped once it is half of it
    if (this.head > 1024 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
  }

  private unlist(key: string, list: Entry[], i: number): void {
    list.splice(i, 1);
    if (list.length === 0) this.byKey.delete(key);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}
