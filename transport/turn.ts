// The end of a turn of the event loop, shared by every transport that batches its writes: the SCTP
// shim's DATA bundling (RFC 9260 6.10), one socket write per HTTP/2 connection, PFCP message
// bundling (TS 29.244 7.2.2.1, the FO flag). All of them leave from one setImmediate (the loop's
// check phase, right after its round of I/O), in the order in which each first wrote during the
// turn, so the wire and the capture keep the order in which a node sent across its interfaces:
// e.g. an AMF answering a UDM-initiated deregistration sends the Deregistration Request over N2
// (TS 23.502 4.2.2.3.3 step 2) and then Nudm_SDM_Unsubscribe (step 3) in one job; with one
// Immediate per transport kind, the SBI write could leave first.

/** A transport with writes waiting for the end of this turn. */
export interface TurnWriter {
  /** Writes what waited; called once per turnEnd() that queued it. */
  flushTurn(): void;
}

const waiting: TurnWriter[] = [];
let scheduled = false;

function endOfTurn(): void {
  scheduled = false;
  let failure: unknown;
  let failed = false;
  // by index: a writer queued during the loop (a flush that makes another write) leaves in it too
  for (let i = 0; i < waiting.length; i++) {
    try {
      waiting[i].flushTurn();
    } catch (e) {
      // the others still write; the first failure stays uncaught, as it was in its own Immediate
      if (!failed) [failed, failure] = [true, e];
    }
  }
  waiting.length = 0;
  if (failed) throw failure;
}

/** Queues `w` to write at the end of this turn, after the writers queued before it. Each writer queues itself once per turn. */
export function turnEnd(w: TurnWriter): void {
  waiting.push(w);
  if (!scheduled) {
    scheduled = true;
    setImmediate(endOfTurn);
  }
}
