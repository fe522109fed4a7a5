// One SCTP association (RFC 4960) carried over UDP (RFC 6951): data transfer (6), reliability
// with RTO per 6.3, acknowledgement (6.2, delayed SACK), graceful shutdown (9.2) and abort (9.1).
// The receiving side (what arrived, gap blocks and duplicate TSNs, reassembly and ordered delivery
// per stream, 6.2, 6.5, 6.9) is in receiver.ts; the endpoint (endpoint.ts) owns the socket, the
// handshake and the verification-tag rules.

import { EventEmitter } from 'node:events';
import type { TimerHandle } from '../clock.ts';
import type { Endpoint } from '../tap.ts';
import { turnEnd, type TurnWriter } from '../turn.ts';
import {
  SctpChunkType as C, DataFlags, dataChunk, decodeSackChunk, decodeShutdownChunk, decodeHeartbeatChunk, sackChunk, shutdownChunk,
  emptyChunk, heartbeatChunk, decodeErrorCauses, abortChunk, errorChunk, SctpErrorCause, type SctpChunk,
} from '../../codecs/sctp/packet.ts';
import { DataReceiver, lt, inc } from './receiver.ts';
import { RetransmissionTimeout, CongestionWindow } from './congestion.ts';
import { PathHeartbeat } from './heartbeat.ts';
import { OutstandingData } from './outstanding.ts';

export { RECEIVE_WINDOW } from './receiver.ts';

export { AssociationState, type SctpTimers, type AssociationIo, type SctpAssociationEvents } from './association-types.ts';
import { AssociationState, type SctpTimers, type AssociationIo, type SctpAssociationEvents, type Outstanding } from './association-types.ts';

export class SctpAssociation extends EventEmitter<SctpAssociationEvents> implements TurnWriter {
  state: AssociationState;
  readonly peer: Endpoint;
  /** The peer's SCTP port (the common header's source port in its packets). */
  readonly peerSctpPort: number;
  readonly myTag: number;
  peerTag = 0;
  /** Outbound streams: ours, lowered to the peer's MIS at set-up (5.1.1). */
  outboundStreams: number;
  inboundStreams: number;
  private readonly io: AssociationIo;
  private readonly t: SctpTimers;

  // send side
  private nextTsn: number;
  private readonly nextSsn: number[];
  private readonly queue: Outstanding[] = [];
  private readonly outstanding = new OutstandingData();
  private peerRwnd = 1 << 20;
  private t3: TimerHandle | undefined;
  private readonly rto: RetransmissionTimeout;
  private errorCount = 0;
  /** Highest Cumulative TSN Ack seen in a SACK (6.2.1 D i: older SACKs are dropped). */
  private lastCumAck = 0;

  // receive side (receiver.ts)
  private readonly rx: DataReceiver;
  private sackTimer: TimerHandle | undefined;
  private t2: TimerHandle | undefined;
  private readonly heartbeat: PathHeartbeat;
  /** Handshake retransmission (T1-init / T1-cookie) is driven by the endpoint through this. */
  t1: TimerHandle | undefined;
  readonly stats = { sent: 0, received: 0, retransmitted: 0, duplicatesReceived: 0, delivered: 0, dataDropped: 0, invalidStream: 0 };

  constructor(o: { peer: Endpoint; peerSctpPort: number; myTag: number; myInitialTsn: number; outboundStreams: number; inboundStreams: number; io: AssociationIo; timers: SctpTimers; state: AssociationState }) {
    super();
    this.peer = o.peer;
    this.peerSctpPort = o.peerSctpPort;
    this.myTag = o.myTag;
    this.nextTsn = o.myInitialTsn >>> 0;
    this.lastCumAck = (o.myInitialTsn - 1) >>> 0;
    this.outboundStreams = o.outboundStreams;
    this.inboundStreams = o.inboundStreams;
    this.nextSsn = new Array<number>(o.outboundStreams).fill(0);
    this.io = o.io;
    this.t = o.timers;
    this.rto = new RetransmissionTimeout(o.timers);
    this.state = o.state;
    this.cwnd = new CongestionWindow(o.io.mtu);
    this.rx = new DataReceiver({
      inboundStreams: () => this.inboundStreams,
      deliver: (streamId, ppid, payload) => this.emit('message', streamId, ppid, payload),
      invalidStream: (streamId) => {
        const info = new Uint8Array(4);
        info[0] = streamId >>> 8;
        info[1] = streamId & 0xff;
        this.io.send([errorChunk([{ code: SctpErrorCause.InvalidStreamIdentifier, info }])], this.peerTag, 'SCTP ERROR Invalid Stream Identifier [RFC 4960 6.5]');
      },
    }, this.stats);
    this.heartbeat = new PathHeartbeat({
      clock: o.io.clock,
      intervalMs: o.timers.heartbeatMs,
      rto: () => this.rto.rto,
      active: () => this.state === AssociationState.ESTABLISHED,
      idle: () => this.outstanding.size === 0,
      send: (info) => this.io.send([heartbeatChunk(C.HEARTBEAT, info)], this.peerTag, 'SCTP HEARTBEAT [RFC 4960 8.3]'),
      unanswered: () => {
        if (++this.errorCount <= this.t.maxRetrans) return false;
        this.fail('HEARTBEAT unanswered Association.Max.Retrans times (RFC 4960 8.1, 8.3)');
        return true;
      },
      answered: (rtt) => {
        this.errorCount = 0; // 8.3: a HEARTBEAT ACK clears the error counter
        if (rtt !== undefined) this.rto.measure(rtt);
      },
    });
  }

  /** Completes the association once the handshake gave the peer's tag and initial TSN. */
  establish(peerTag: number, peerInitialTsn: number, peerRwnd: number, inboundStreams: number, outboundStreams = this.outboundStreams): void {
    this.peerTag = peerTag >>> 0;
    this.rx.cumTsn = (peerInitialTsn - 1) >>> 0;
    this.peerRwnd = peerRwnd;
    this.inboundStreams = inboundStreams;
    this.outboundStreams = Math.min(this.outboundStreams, outboundStreams);
    this.io.clock.clearTimeout(this.t1);
    this.t1 = undefined;
    this.state = AssociationState.ESTABLISHED;
    this.heartbeat.arm();
    this.emit('established');
    this.flush();
  }

  /** DATA chunks queued or in flight: a sender keeps this bounded for backpressure. */
  get bufferedChunks(): number {
    return this.queue.length + this.outstanding.size;
  }

  get established(): boolean {
    return this.state === AssociationState.ESTABLISHED;
  }

  // --- sending ---------------------------------------------------------------------------------

  /** Whether a capture keeps the comments given to `send` (a sender without one need not build them). */
  get commented(): boolean {
    return this.io.commented !== false;
  }

  /** Queues a user message (fragmented to the MTU) on `streamId` with `ppid` (60 for NGAP). */
  send(streamId: number, ppid: number, payload: Uint8Array, comment?: string): void {
    if (this.state !== AssociationState.ESTABLISHED) throw new Error(`SCTP association is ${this.state}`);
    if (streamId >= this.outboundStreams) throw new RangeError(`stream ${streamId} is not one of the ${this.outboundStreams} outbound streams`);
    if (payload.length === 0) throw new RangeError('an SCTP user message cannot be empty');
    const max = this.io.mtu - 12 - 16;
    const ssn = this.nextSsn[streamId];
    this.nextSsn[streamId] = (ssn + 1) & 0xffff;
    for (let at = 0; at < payload.length; at += max) {
      const end = Math.min(payload.length, at + max);
      const flags = (at === 0 ? DataFlags.B : 0) | (end === payload.length ? DataFlags.E : 0);
      const tsn = this.nextTsn;
      this.nextTsn = inc(tsn);
      const chunk = dataChunk({ flags, tsn, streamId, streamSeq: ssn, ppid, userData: payload.subarray(at, end) });
      this.queue.push({ chunk, tsn, sentAt: 0, transmissions: 0, misses: 0, fastRetransmitted: false, gapAcked: false, comment: at === 0 && comment ? comment : undefined });
    }
    this.flushSoon();
  }

  /** A flush of queued DATA is scheduled for the end of the event loop's I/O phase. */
  private flushScheduled = false;
  /** A SACK is due at once (6.2: every second packet, gaps, duplicates): it leaves at the end of this job. */
  private sackScheduled = false;

  /**
   * Bundling (RFC 9260 6.10): the DATA the node sends while the event loop works through one
   * round of I/O (the answers to every datagram and every SBI response that arrived together, a
   * burst of NGAP messages) leaves together, packed up to the MTU, once that round is over
   * (transport/turn.ts: the loop's check phase, right after its poll phase, in turn with the
   * node's other transports), instead of one packet per job. No timer and nothing waits for the
   * clock or for acknowledgements: the only delay is the rest of the round, as with receive
   * offload (RFC 6458 8.1.5 leaves any such Nagle-like delaying to the implementation). A SACK
   * that is due does not wait for it (sackSoon).
   */
  private flushSoon(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    turnEnd(this);
  }

  /** The bundled flush of this turn (flushSoon). */
  flushTurn(): void {
    this.flushScheduled = false;
    if (this.state === AssociationState.CLOSED) return;
    this.flush();
  }

  /**
   * RFC 9260 6.2: a SACK for at least every second packet with DATA, and at once on gaps or
   * duplicates (6.7), leaves at the end of the job that processed that packet (a microtask), as
   * before, taking along the DATA queued so far (6.1: a pending SACK is bundled with outbound
   * DATA); only when none is queued does it go alone.
   */
  private sackSoon(): void {
    if (this.sackScheduled) return;
    this.sackScheduled = true;
    queueMicrotask(() => {
      this.sackScheduled = false;
      if (this.state === AssociationState.CLOSED) return;
      this.flush();
      if (this.rx.sackDue) this.sendSack();
    });
  }

  /** Congestion control (RFC 4960 7.2, congestion.ts). */
  private readonly cwnd: CongestionWindow;

  /** Sends queued DATA within the peer's window, bundled up to the MTU, with a pending SACK. */
  private flush(): void {
    if (this.state !== AssociationState.ESTABLISHED && this.state !== AssociationState.SHUTDOWN_PENDING && this.state !== AssociationState.SHUTDOWN_RECEIVED) return;
    while (this.queue.length) {
      const limit = this.cwnd.limit(this.peerRwnd);
      // RFC 9260 6.1 A: with the peer's window closed, one DATA chunk may still be in flight (the
      // zero window probe, which finds a window update the sender missed)
      const probe = limit === 0 && this.outstanding.inFlight === 0;
      if (this.outstanding.inFlightBytes >= limit && !probe) break;
      const chunks: SctpChunk[] = [];
      let size = 12;
      let comment: string | undefined;
      if (this.rx.sackDue) {
        const s = this.rx.buildSack(this.io.mtu - 12 - 4);
        chunks.push(s);
        size += 4 + s.value.length;
      }
      while (this.queue.length && size + 4 + ((this.queue[0].chunk.value.length + 3) & ~3) <= this.io.mtu) {
        const o = this.queue.shift()!;
        o.sentAt = this.io.clock.now();
        o.transmissions = 1;
        this.outstanding.add(o);
        chunks.push(o.chunk);
        size += 4 + ((o.chunk.value.length + 3) & ~3);
        comment ??= o.comment;
        if (probe) break;
      }
      if (chunks.length === 0) break;
      this.transmit(chunks, comment);
    }
    if (this.outstanding.inFlight && !this.t3) this.armT3();
    this.maybeFinishShutdown();
  }

  private transmit(chunks: SctpChunk[], comment?: string): void {
    this.stats.sent++;
    if (chunks.some((c) => c.type === C.SACK)) this.sackSent();
    this.io.send(chunks, this.peerTag, comment);
  }

  private armT3(): void {
    this.io.clock.clearTimeout(this.t3);
    this.t3 = this.io.clock.setTimeout(() => this.onT3(), this.rto.rto);
  }

  /** RFC 4960 6.3.3: T3-rtx expiry: back off, retransmit what fits in one packet, count the error. */
  private onT3(): void {
    this.t3 = undefined;
    if (!this.outstanding.inFlight) return;
    this.errorCount++;
    if (this.errorCount > this.t.maxRetrans) {
      this.fail('Association.Max.Retrans exceeded (RFC 4960 8.1)');
      return;
    }
    this.rto.backOff();
    this.cwnd.t3Expired();
    const chunks: SctpChunk[] = [];
    let size = 12;
    // 6.3.3 E3: the earliest outstanding TSNs, but those gap acked
    for (const o of this.outstanding.inFlightChunks()) {
      const s = 4 + ((o.chunk.value.length + 3) & ~3);
      if (size + s > this.io.mtu) break;
      o.transmissions++;
      o.sentAt = this.io.clock.now();
      chunks.push(o.chunk);
      size += s;
    }
    this.stats.retransmitted += chunks.length;
    this.transmit(chunks, 'SCTP retransmission on T3-rtx [RFC 4960 6.3.3]');
    this.armT3();
  }

  private onSack(c: SctpChunk): void {
    const s = decodeSackChunk(c);
    if (lt(s.cumulativeTsnAck, this.lastCumAck)) return; // 6.2.1 D i): an older SACK, out of order
    if (!lt(s.cumulativeTsnAck, this.nextTsn)) return; // acks a TSN we never sent: ignored
    this.lastCumAck = s.cumulativeTsnAck;
    this.peerRwnd = s.aRwnd;
    const { ackedBytes, cumAdvanced, reneged, fast } = this.outstanding.applySack(s, (sentAt) => this.rto.measure(this.io.clock.now() - sentAt));
    if (ackedBytes) {
      this.errorCount = 0;
      this.cwnd.acked(ackedBytes);
    }
    if (fast.length) this.fastRetransmit(fast);
    // 6.3.2 R3: restart T3-rtx only when the earliest outstanding TSN is acknowledged; a timer
    // restarted by gap acks alone would never fire for a hole whose retransmission was lost too.
    // R2: off when nothing is in flight (gap-acked chunks only); 6.2.1 D iii): on again on a renege.
    if (cumAdvanced || !this.outstanding.inFlight) {
      this.io.clock.clearTimeout(this.t3);
      this.t3 = undefined;
    }
    if (!this.t3 && this.outstanding.inFlight && (cumAdvanced || reneged)) this.armT3();
    this.flush();
  }

  /** RFC 4960 7.2.4: retransmit the TSNs reported missing three times, once, and halve cwnd. */
  private fastRetransmit(list: Outstanding[]): void {
    this.cwnd.fastRetransmitted();
    list.sort((a, b) => (lt(a.tsn, b.tsn) ? -1 : 1));
    let chunks: SctpChunk[] = [];
    let size = 12;
    for (const o of list) {
      const sz = 4 + ((o.chunk.value.length + 3) & ~3);
      if (size + sz > this.io.mtu && chunks.length) {
        this.transmit(chunks, 'SCTP fast retransmit [RFC 4960 7.2.4]');
        chunks = [];
        size = 12;
      }
      o.fastRetransmitted = true;
      o.transmissions++;
      o.sentAt = this.io.clock.now();
      chunks.push(o.chunk);
      size += sz;
    }
    this.stats.retransmitted += list.length;
    if (chunks.length) this.transmit(chunks, 'SCTP fast retransmit [RFC 4960 7.2.4]');
  }

  // --- receiving -------------------------------------------------------------------------------

  /** Processes the chunks of one packet whose verification tag the endpoint has checked. */
  handleChunks(chunks: SctpChunk[]): void {
    this.stats.received++;
    let sawData = false;
    for (const c of chunks) {
      switch (c.type) {
        case C.DATA:
          sawData = true;
          this.onData(c);
          break;
        case C.SACK:
          this.onSack(c);
          break;
        case C.HEARTBEAT:
          decodeHeartbeatChunk(c); // 8.3: the Heartbeat Info goes back unchanged
          this.io.send([{ ...c, type: C.HEARTBEAT_ACK }], this.peerTag, 'SCTP HEARTBEAT ACK [RFC 4960 8.3]');
          break;
        case C.HEARTBEAT_ACK:
          this.heartbeat.onAck(decodeHeartbeatChunk(c));
          break;
        case C.SHUTDOWN:
          this.onShutdown(decodeShutdownChunk(c));
          break;
        case C.SHUTDOWN_ACK:
          // 9.2: in SHUTDOWN-SENT, or SHUTDOWN-ACK-SENT after a collision; elsewhere ignored
          if (this.state !== AssociationState.SHUTDOWN_SENT && this.state !== AssociationState.SHUTDOWN_ACK_SENT) break;
          this.io.clock.clearTimeout(this.t2);
          this.io.send([emptyChunk(C.SHUTDOWN_COMPLETE)], this.peerTag, 'SCTP SHUTDOWN COMPLETE [RFC 4960 9.2]');
          this.closed();
          return;
        case C.SHUTDOWN_COMPLETE:
          if (this.state === AssociationState.SHUTDOWN_ACK_SENT) this.closed();
          return;
        case C.ABORT:
          this.closed('aborted by the peer (RFC 4960 9.1)');
          return;
        case C.ERROR:
          this.onError(c);
          break;
        default:
          break;
      }
      if (this.state === AssociationState.CLOSED) return;
    }
    if (sawData && this.state === AssociationState.SHUTDOWN_SENT) {
      // RFC 9260 9.2: in SHUTDOWN-SENT each packet with DATA is answered at once with a SHUTDOWN
      // (its Cumulative TSN Ack acknowledges the DATA), T2-shutdown restarted; and with a SACK
      // first when there are gaps or duplicates to report, which a SHUTDOWN cannot carry (6.2)
      if (this.rx.gapsOrDuplicates) this.sendSack();
      this.sackSent();
      this.io.clock.clearTimeout(this.t2);
      this.sendOnT2(() => shutdownChunk(this.rx.cumTsn), 'SCTP SHUTDOWN [RFC 9260 9.2]');
      return;
    }
    if (sawData && this.rx.unacked) {
      // RFC 4960 6.2: SACK at least every second packet, at once on duplicates or gaps (6.7).
      if (this.rx.packetWithData()) this.sackSoon(); else if (!this.sackTimer) this.sackTimer = this.io.clock.setTimeout(() => this.sendSack(), this.t.sackDelayMs);
    }
  }

  private onError(c: SctpChunk): void {
    const causes = decodeErrorCausesSafe(c.value);
    this.io.log?.(`[sctp] ERROR from ${this.peer.address}:${this.peer.port}: causes ${causes.map((x) => x.code).join(', ')}`);
    this.emit('peerError', causes);
    // 5.2.6: our cookie went stale on the way; we give the set-up up (the caller may connect again)
    if (this.state === AssociationState.COOKIE_ECHOED && causes.some((x) => x.code === SctpErrorCause.StaleCookie)) this.closed('Stale Cookie (RFC 4960 5.2.6)');
  }

  private onData(c: SctpChunk): void {
    if (c.value.length === 12) {
      // 6.2: a DATA chunk with no user data: ABORT with "No User Data" (the TSN as cause info)
      this.io.send([abortChunk([{ code: SctpErrorCause.NoUserData, info: c.value.subarray(0, 4) }])], this.peerTag, 'SCTP ABORT No User Data [RFC 4960 6.2]');
      this.closed('peer sent a DATA chunk with no user data (RFC 4960 6.2)');
      return;
    }
    this.rx.onData(c);
  }

  private sackSent(): void {
    this.rx.sackSent();
    this.io.clock.clearTimeout(this.sackTimer);
    this.sackTimer = undefined;
  }

  private sendSack(): void {
    if (this.state === AssociationState.CLOSED) return;
    this.transmit([this.rx.buildSack(this.io.mtu - 12 - 4)]);
  }

  // --- shutdown, abort (heartbeat: heartbeat.ts) --------------------------------------------------------------

  /** Graceful shutdown (RFC 4960 9.2): after everything outstanding is acknowledged. */
  close(): void {
    if (this.state === AssociationState.ESTABLISHED) {
      this.state = AssociationState.SHUTDOWN_PENDING;
      this.maybeFinishShutdown();
    } else if (this.state === AssociationState.COOKIE_WAIT || this.state === AssociationState.COOKIE_ECHOED) {
      this.closed();
    }
  }

  private maybeFinishShutdown(): void {
    if (this.outstanding.size || this.queue.length) return;
    if (this.state === AssociationState.SHUTDOWN_PENDING) {
      this.state = AssociationState.SHUTDOWN_SENT;
      this.sendOnT2(() => shutdownChunk(this.rx.cumTsn), 'SCTP SHUTDOWN [RFC 4960 9.2]');
    } else if (this.state === AssociationState.SHUTDOWN_RECEIVED) {
      this.state = AssociationState.SHUTDOWN_ACK_SENT;
      this.sendOnT2(() => emptyChunk(C.SHUTDOWN_ACK), 'SCTP SHUTDOWN ACK [RFC 4960 9.2]');
    }
  }

  /** RFC 4960 9.2: SHUTDOWN or SHUTDOWN ACK, sent again on each T2-shutdown expiry until Association.Max.Retrans. */
  private sendOnT2(chunk: () => SctpChunk, comment: string): void {
    this.io.send([chunk()], this.peerTag, comment);
    this.t2 = this.io.clock.setTimeout(() => {
      if (++this.errorCount > this.t.maxRetrans) this.fail('T2-shutdown exhausted');
      else this.sendOnT2(chunk, comment);
    }, this.rto.rto);
  }

  private onShutdown(cumulativeTsnAck: number): void {
    // 9.2: the SHUTDOWN's Cumulative TSN Ack acknowledges our DATA as a SACK would
    if (this.outstanding.size && !lt(cumulativeTsnAck, this.lastCumAck) && lt(cumulativeTsnAck, this.nextTsn)) {
      this.onSack(sackChunk({ cumulativeTsnAck, aRwnd: this.peerRwnd, gapBlocks: [], duplicateTsns: [] }));
    }
    if (this.state === AssociationState.ESTABLISHED || this.state === AssociationState.SHUTDOWN_PENDING) {
      this.state = AssociationState.SHUTDOWN_RECEIVED;
      this.maybeFinishShutdown();
    } else if (this.state === AssociationState.SHUTDOWN_SENT) {
      // shutdown collision (9.2): answer with SHUTDOWN ACK
      this.io.clock.clearTimeout(this.t2);
      this.state = AssociationState.SHUTDOWN_ACK_SENT;
      this.io.send([emptyChunk(C.SHUTDOWN_ACK)], this.peerTag, 'SCTP SHUTDOWN ACK [RFC 4960 9.2]');
    }
  }

  /** ABORT (RFC 4960 9.1) with the User-Initiated Abort cause. */
  abort(reason = 'user abort'): void {
    if (this.state === AssociationState.CLOSED) return;
    if (this.state === AssociationState.SHUTDOWN_ACK_SENT) {
      // 9.2: both sides agreed to the graceful close and our SHUTDOWN ACK is out; all that is
      // left is the peer's SHUTDOWN COMPLETE (perhaps already on its way). An ABORT now would
      // follow a completed handshake on the wire: close quietly instead. A late SHUTDOWN
      // COMPLETE is then out of the blue and discarded (8.4 item 5); a SHUTDOWN ACK we never got
      // to send is answered as 8.4 item 5 says once the peer retransmits its SHUTDOWN.
      this.closed();
      return;
    }
    if (this.peerTag) this.io.send([abortChunk([{ code: SctpErrorCause.UserInitiatedAbort, info: new TextEncoder().encode(reason) }])], this.peerTag, 'SCTP ABORT [RFC 4960 9.1]');
    this.closed();
  }

  private fail(reason: string): void {
    this.io.log?.(`[sctp] association with ${this.peer.address}:${this.peer.port} lost: ${reason}`);
    if (this.state !== AssociationState.CLOSED && this.peerTag) this.io.send([abortChunk()], this.peerTag, `SCTP ABORT: ${reason} [RFC 4960 9.1]`);
    this.closed(reason);
  }

  private closed(lostReason?: string): void {
    if (this.state === AssociationState.CLOSED) return;
    this.state = AssociationState.CLOSED;
    for (const t of [this.t1, this.t2, this.t3, this.sackTimer]) this.io.clock.clearTimeout(t);
    this.t1 = this.t2 = this.t3 = this.sackTimer = undefined;
    this.heartbeat.stop();
    if (lostReason) this.emit('lost', lostReason);
    this.emit('close');
  }
}

function decodeErrorCausesSafe(value: Uint8Array): { code: number; info: Uint8Array }[] {
  try {
    return decodeErrorCauses(value);
  } catch {
    return [];
  }
}
