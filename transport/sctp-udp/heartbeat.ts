// Path heartbeat of an SCTP association (RFC 4960 8.3): on an idle path, a HEARTBEAT every
// HB.interval + RTO carrying our send time as its Heartbeat Info; the HEARTBEAT ACK returns it
// unchanged, gives an RTT measurement and clears the error counter; a HEARTBEAT left unanswered
// when the next is due counts as an error of the association (8.1).

import type { Clock, TimerHandle } from '../clock.ts';

export interface HeartbeatPath {
  clock: Clock;
  /** HB.interval; 0 disables heartbeats. */
  intervalMs: number;
  /** The current RTO (6.3.1). */
  rto(): number;
  /** The association is established (heartbeats stop otherwise). */
  active(): boolean;
  /** No DATA is outstanding: the path is idle. */
  idle(): boolean;
  /** Sends a HEARTBEAT with `info`. */
  send(info: Uint8Array): void;
  /** An unanswered HEARTBEAT counted as an error (8.1); true when that failed the association. */
  unanswered(): boolean;
  /** A HEARTBEAT ACK arrived: the error counter is cleared (8.3) and `rtt` measured. */
  answered(rtt: number | undefined): void;
}

export class PathHeartbeat {
  private outstanding = false;
  private timer: TimerHandle | undefined;
  private readonly path: HeartbeatPath;

  constructor(path: HeartbeatPath) {
    this.path = path;
  }

  /** (Re)starts the heartbeat timer. */
  arm(): void {
    const p = this.path;
    if (!p.intervalMs) return;
    p.clock.clearTimeout(this.timer);
    this.timer = p.clock.setTimeout(() => {
      this.timer = undefined;
      if (!p.active()) return;
      if (this.outstanding && p.unanswered()) return;
      if (p.idle()) {
        // Heartbeat Info: our send time, returned unchanged in the HEARTBEAT ACK
        const info = new Uint8Array(8);
        new DataView(info.buffer).setFloat64(0, p.clock.now());
        this.outstanding = true;
        p.send(info);
      }
      this.arm();
    }, p.intervalMs + p.rto());
  }

  /** A HEARTBEAT ACK with the Heartbeat Info we sent. */
  onAck(info: Uint8Array): void {
    if (!this.outstanding || info.length !== 8) return;
    this.outstanding = false;
    const rtt = this.path.clock.now() - new DataView(info.buffer, info.byteOffset, 8).getFloat64(0);
    this.path.answered(rtt >= 0 && Number.isFinite(rtt) ? rtt : undefined);
  }

  stop(): void {
    this.path.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
