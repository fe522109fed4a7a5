// N4 Session Deletion in the data path (TS 23.502 4.2.2.3.2 step 3a, TS 29.244 7.5.6): the
// session's buffered packets are discarded and counted, each URR gives its final report (TERMR),
// and its slots, TEIDs, SEID and UE address go back to their tables.
//
// The session's row in the flat tables (flat.ts) chains its PDR slots and URR records, so the
// common session — TEIDs the UPF chose, one UE address, nothing buffered or timed — is deleted
// from typed arrays alone: the row, each PDR's hot and cold record, each URR's record. The rule
// objects are left to the garbage collector. What the row cannot say (RowFlag.OBJECTS) is done
// from the session object first.

import { COLD, COLD_LINKS, RECORD, ROW, URR_RECORD, RowFlag } from './flat.ts';
import { Ctl } from './tables.ts';
import { finalReport, type UrrReport } from './usage.ts';
import type { SessionState } from './tables.ts';
import type { UpfDatapath } from './datapath.ts';

const ANCHOR = Ctl.ANCHOR, CLASSIFY = Ctl.CLASSIFY, OBJECTS = RowFlag.OBJECTS;

/** Rewrites the session's row after its rules changed (install.ts): chains, UE address, flags. */
export function writeRow(dp: UpfDatapath, s: SessionState): void {
  const f = dp.flat, r = s.index * ROW;
  let first = -1;
  for (let i = s.pdrs.length - 1; i >= 0; i--) {
    f.cold[s.pdrs[i].slot * COLD] = first;
    first = s.pdrs[i].slot;
  }
  f.row[r + 1] = first;
  first = -1;
  for (let i = s.urrs.length - 1; i >= 0; i--) {
    f.urr[s.urrs[i].slot * URR_RECORD + 7] = first;
    first = s.urrs[i].slot;
  }
  f.row[r + 2] = first;
  f.row[r + 5] = s.ueAddresses.length === 1 ? s.ueAddresses[0] + 1 : 0;
  refreshObjects(dp, s);
}

/** Whether deletion needs the session object: buffered packets, timers, SMF-assigned or orphaned TEIDs, several UE addresses. */
export function refreshObjects(dp: UpfDatapath, s: SessionState): void {
  const objects = s.buffered.length > 0 || s.timed || s.ueAddresses.length > 1 || s.entries.some((e) => e.smfAssigned || e.hollow);
  const r = s.index * ROW + 4;
  dp.flat.row[r] = objects ? dp.flat.row[r] | OBJECTS : dp.flat.row[r] & ~OBJECTS;
}

export function markObjects(dp: UpfDatapath, s: SessionState): void {
  const r = s.index * ROW + 4;
  dp.flat.row[r] = dp.flat.row[r] | OBJECTS;
}

/** Returns one PDR slot (or a TEID anchor no PDR holds) to the tables. */
export function releaseSlot(dp: UpfDatapath, p: number): void {
  const hot = dp.hot, k = p * RECORD;
  const ctl = hot[k];
  if (ctl & ANCHOR) dp.teidsInUse--;
  if (ctl & CLASSIFY) {
    dp.freeClassifier(dp.classifierOf[p] - 1);
    dp.classifierOf[p] = 0;
  }
  dp.flat.clearRecord(p);
  dp.setAnchor(p, undefined);
  dp.setPdr(p, undefined);
  dp.flat.pdrSlots.release(p);
}

/** What the row does not hold, from the session object (before the flat part). */
function objectParts(dp: UpfDatapath, s: SessionState): void {
  if (s.buffered.length) {
    dp.flat.row[s.index * ROW + 3] += s.buffered.length;
    dp.stats.bufferDiscarded += s.buffered.length;
    s.buffered = [];
  }
  for (const e of s.entries) {
    if (e.smfAssigned) {
      dp.foreign.delete(e.teid);
      dp.teidsInUse--;
    } else if (e.hollow) {
      releaseSlot(dp, e.anchorSlot);
    }
  }
  for (const a of s.ueAddresses) dp.byUe.delete(a);
  if (s.timed) dp.timedSessions.delete(s);
}

/**
 * Deletes the session in row `index` (live): the final report of each URR.
 *
 * At a million sessions every record below is a cache and TLB miss of its own (the row, each PDR's
 * cold and hot records and objects, each URR's record), so deletion reads no more of them than it
 * needs: the links up to the first empty one (flat.ts keeps them packed), the row's words up to
 * the UE address (establishment writes the whole row again), and the first URR's chain word before
 * the PDRs, so that its record's miss overlaps theirs instead of following them
 * (docs/decisions/20-upf-deletion-1m.md).
 */
export function teardown(dp: UpfDatapath, index: number): UrrReport[] {
  const f = dp.flat, row = f.row, cold = f.cold, urr = f.urr, r = index * ROW;
  const firstUrr = row[r + 2] | 0;
  let nextUrr = firstUrr >= 0 ? urr[firstUrr * URR_RECORD + 7] | 0 : -1;
  if (row[r + 4] & OBJECTS) objectParts(dp, dp.sessionAt(index)!);
  else if (row[r + 5] !== 0) dp.byUe.delete(row[r + 5] - 1); // the Map's key as install.ts set it
  // every link's count since its base goes to its URR's record, then the slot is free (slot
  // numbers are read from doubles: `| 0` keeps them small integers for the JIT)
  for (let p = row[r + 1] | 0; p >= 0; ) {
    const c = p * COLD;
    const next = cold[c] | 0;
    // the links as they are: the slot's record is written afresh when it is next allocated (flat.ts clearPdr)
    for (let l = c + 4; l < c + 4 + 3 * COLD_LINKS && cold[l] !== 0; l += 3) f.foldCount(p, l);
    releaseSlot(dp, p);
    p = next;
  }
  const now = dp.now();
  const dropped = row[r + 3];
  const reports: UrrReport[] = [];
  for (let u = firstUrr; u >= 0; ) {
    reports.push(finalReport(f, u, now, dropped));
    f.urrSlots.release(u);
    u = nextUrr;
    if (u >= 0) nextUrr = urr[u * URR_RECORD + 7] | 0;
  }
  row[r] = 0; // no longer live; the other words are written again by establishment (datapath.ts)
  dp.forgetSession(index);
  f.sessionSlots.release(index);
  return reports;
}
