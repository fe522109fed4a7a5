// The AMF's Nsmf_PDUSession operations on one PDU session's SM context (TS 29.502 5.2.2.2
// CreateSMContext, 5.2.2.3 UpdateSMContext, 5.2.2.4 ReleaseSMContext), one at a time, in the
// order the AMF decided them (issue 21).
//
// Each operation is an HTTP/2 request of its own, so two of them for the same SM context race
// on the wire and in the SMF: a switch off received while the Update of TS 23.502 4.3.2.2.1 step
// 15 (the gNB's tunnel) was on its way sent a ReleaseSMContext that overtook it, and the SMF
// modified the N4 session it was deleting, then answered the Update with 404. TS 29.502 has no
// request ordering of its own; the AMF, which alone knows the order, keeps it:
//   - an operation is sent once the previous one of the same session has its answer (or failed);
//   - a release waits for the creation or update in flight, then is sent with the SM context URI
//     the creation gave (a release decided while CreateSMContext was under way is not lost);
//   - once a release is decided, no update not yet sent goes for that session (it resolves to
//     undefined: not sent), and a second release joins the first.
// The chain lives on the session's record (PduSessionRef), so it goes with it.

import type { Amf } from './amf.ts';
import type { PduSessionRef } from './context.ts';

type Nsmf = Amf['nsmf']['pduSession'];
type CreateArgs = Parameters<Nsmf['createSmContext']>;
type UpdateArgs = Parameters<Nsmf['updateSmContext']>;
type ReleaseArgs = Parameters<Nsmf['releaseSmContext']>;
export type SmContextCreated = Awaited<ReturnType<Nsmf['createSmContext']>>;
export type SmContextUpdated = Awaited<ReturnType<Nsmf['updateSmContext']>>;
export type SmContextReleased = Awaited<ReturnType<Nsmf['releaseSmContext']>>;

/** What a PDU session's record holds for the ordering (PduSessionRef.smOrder). */
export interface SmContextOrder {
  /** The last operation queued, settled or not. */
  tail: Promise<unknown>;
  /** Operations queued and not yet settled. */
  pending: number;
  /** The release, once decided: later updates are not sent, a later release is this one. */
  release?: Promise<SmContextReleased | undefined>;
}

/** Runs `op` once every earlier operation of `s` has settled. */
function ordered<T>(s: PduSessionRef, op: () => Promise<T>): Promise<T> {
  const order = (s.smOrder ??= { tail: Promise.resolve(), pending: 0 });
  order.pending++;
  const result = order.tail.then(op, op);
  const tail: Promise<void> = result.then(
    () => settled(s, order, tail),
    () => settled(s, order, tail),
  );
  order.tail = tail;
  return result;
}

function settled(s: PduSessionRef, order: SmContextOrder, tail: Promise<unknown>): void {
  order.pending--;
  // nothing queued behind: the record drops its chain (a released session keeps its mark)
  if (order.pending === 0 && order.tail === tail && !order.release) s.smOrder = undefined;
}

/** Nsmf_PDUSession_CreateSMContext for `s` (TS 29.502 5.2.2.2); the Location answered becomes `s.smContextUri`. */
export function createSmContext(amf: Amf, s: PduSessionRef, ...args: CreateArgs): Promise<SmContextCreated> {
  return ordered(s, async () => {
    const r = await amf.nsmf.pduSession.createSmContext(...args);
    // set before the next operation of the session runs (a release queued meanwhile needs it)
    if (r.status === 201 && r.headers.location) s.smContextUri = r.headers.location;
    return r;
  });
}

/**
 * Nsmf_PDUSession_UpdateSMContext of `s` (TS 29.502 5.2.2.3), after the operations before it;
 * undefined, without sending it, when the session has no SM context or its release came first.
 */
export function updateSmContext(amf: Amf, s: PduSessionRef, body: UpdateArgs[1], opts?: UpdateArgs[2]): Promise<SmContextUpdated | undefined> {
  if (s.smOrder?.release) {
    amf.stats.updatesNotSentAfterRelease++;
    return Promise.resolve(undefined);
  }
  return ordered(s, async () => {
    const uri = s.smContextUri;
    if (!uri) return undefined;
    if (s.smOrder?.release) {
      amf.stats.updatesNotSentAfterRelease++;
      return undefined;
    }
    return amf.nsmf.pduSession.updateSmContext(uri, body, opts);
  });
}

/**
 * Nsmf_PDUSession_ReleaseSMContext of `s` (TS 29.502 5.2.2.4), after the creation or updates in
 * flight; undefined when the session never got an SM context. A second call is the first release.
 */
export function releaseSmContext(amf: Amf, s: PduSessionRef, body: ReleaseArgs[1], opts?: ReleaseArgs[2]): Promise<SmContextReleased | undefined> {
  const known = s.smOrder?.release;
  if (known) return known;
  const release = ordered(s, async () => {
    const uri = s.smContextUri;
    return uri ? amf.nsmf.pduSession.releaseSmContext(uri, body, opts) : undefined;
  });
  s.smOrder!.release = release;
  return release;
}
