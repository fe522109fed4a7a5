// The state, timers, I/O and events of an SCTP association over UDP (RFC 4960, RFC 6951); the
// association itself is association.ts.

import type { Clock } from '../clock.ts';
import type { SctpChunk } from '../../codecs/sctp/packet.ts';

export const AssociationState = {
  COOKIE_WAIT: 'COOKIE-WAIT',
  COOKIE_ECHOED: 'COOKIE-ECHOED',
  ESTABLISHED: 'ESTABLISHED',
  SHUTDOWN_PENDING: 'SHUTDOWN-PENDING',
  SHUTDOWN_SENT: 'SHUTDOWN-SENT',
  SHUTDOWN_RECEIVED: 'SHUTDOWN-RECEIVED',
  SHUTDOWN_ACK_SENT: 'SHUTDOWN-ACK-SENT',
  CLOSED: 'CLOSED',
} as const;
export type AssociationState = (typeof AssociationState)[keyof typeof AssociationState];

export interface SctpTimers {
  /** RTO.Initial, RTO.Min, RTO.Max (RFC 4960 15: 3 s / 1 s / 60 s; the issue asks 1 s initial). */
  rtoInitialMs: number;
  rtoMinMs: number;
  rtoMaxMs: number;
  /** Association.Max.Retrans (RFC 4960 15: 10). */
  maxRetrans: number;
  /** Delayed SACK timer (RFC 4960 6.2: at most 500 ms; 200 ms here). */
  sackDelayMs: number;
  /** HB.interval; 0 disables heartbeats. */
  heartbeatMs: number;
}


export interface Outstanding {
  chunk: SctpChunk;
  tsn: number;
  sentAt: number;
  transmissions: number;
  /** Miss indications from SACK gap reports (RFC 4960 7.2.4). */
  misses: number;
  fastRetransmitted: boolean;
  /**
   * Acknowledged by a Gap Ack Block only: no longer in flight, but kept until the Cumulative TSN
   * Ack covers it, for the receiver may renege on it (RFC 9260 6.2.1 D iii).
   */
  gapAcked: boolean;
  /** The capture's comment, on a message's first chunk (one shape for every chunk). */
  comment: string | undefined;
}

export interface AssociationIo {
  /** Sends chunks in one SCTP packet with the given verification tag (the endpoint adds the header). */
  send(chunks: SctpChunk[], verificationTag: number, comment?: string): void;
  clock: Clock;
  /** Largest SCTP packet (UDP payload) to send. */
  mtu: number;
  log?: (line: string) => void;
  /** A capture keeps the packets' comments (absent: yes); without one, senders need not build them. */
  commented?: boolean;
}

/** Events of an association: user messages, set-up, and its end ('lost' before 'close' when it failed). */
export interface SctpAssociationEvents {
  message: [streamId: number, ppid: number, payload: Uint8Array];
  established: [];
  /** The peer reported an error (ERROR chunk, RFC 4960 3.3.10), e.g. Invalid Stream Identifier. */
  peerError: [causes: { code: number; info: Uint8Array }[]];
  /** The association failed (Max.Retrans, peer ABORT): RFC 4960 10.2 COMMUNICATION LOST. */
  lost: [reason: string];
  close: [];
}
