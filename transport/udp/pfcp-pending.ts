// A PFCP request sent and not yet answered (TS 29.244 6.4): its octets for retransmission, its
// attempts, and its place in the endpoint's T1 queue. T1 has one length per endpoint, so the
// requests wait for it in one DeadlineQueue (transport/clock.ts, one clock timer for them all)
// instead of a timer and two closures each (issue 21 goal 3: allocations per in-flight request).

import type { QueuedDeadline } from '../clock.ts';
import type { Endpoint } from '../tap.ts';
import { settleablePromise, takeResolve, takeReject } from '../settlers.ts';

/** Per peer: requests outstanding, and those waiting for a place in the window. */
export interface PeerWindow {
  outstanding: number;
  waiting: { start: () => void; reject: (e: Error) => void }[];
}

/** What a pending request's T1 expiry calls back: retransmit, or give up after N1 attempts. */
export interface PendingOwner {
  t1Expired(p: PendingRequest): void;
}

export class PendingRequest implements QueuedDeadline {
  readonly promise: Promise<Uint8Array>;
  readonly resolve: (b: Uint8Array) => void;
  readonly reject: (e: Error) => void;
  attempts = 0;
  dueAt = 0;
  prevDue: QueuedDeadline | undefined = undefined;
  nextDue: QueuedDeadline | undefined = undefined;

  private readonly owner: PendingOwner;
  readonly peer: Endpoint;
  readonly sequenceNumber: number;
  readonly bytes: Uint8Array;
  readonly comment: string | undefined;
  /** The peer's window the request holds a place in until it is answered or given up. */
  readonly win: PeerWindow;

  constructor(owner: PendingOwner, peer: Endpoint, sequenceNumber: number, bytes: Uint8Array, comment: string | undefined, win: PeerWindow) {
    this.owner = owner;
    this.peer = peer;
    this.sequenceNumber = sequenceNumber;
    this.bytes = bytes;
    this.comment = comment;
    this.win = win;
    // resolve and reject kept here, without a closure per request (transport/settlers.ts)
    this.promise = settleablePromise<Uint8Array>();
    this.resolve = takeResolve<Uint8Array>();
    this.reject = takeReject();
  }

  /** T1 ran out (TS 29.244 6.4). */
  expired(): void {
    this.owner.t1Expired(this);
  }
}
