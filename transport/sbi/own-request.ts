// One SBI request on wire5g's own HTTP/2 (transport/sbi/h2): a single object holds what the
// request needs until it ends (its stream, the answer's time-out, a late answer's wait) and is
// what the connection and the clock call, instead of a set of closures made for every request.
// Its time-out is a place in its client's DeadlineQueue of that length (transport/clock.ts), not a
// timer of its own.

import type { SbiCallOptions, SbiResult } from './api.ts';
import { parseSbiBody, type SbiBodyBytes } from './body.ts';
import type { H2Connection } from './h2/connection.ts';
import type { H2Stream, H2StreamObserver } from './h2/stream.ts';
import { H2Error, H2ClosedError } from './h2/errors.ts';
import { joinedField, headerRecord } from './h2/rules.ts';
import { ERROR_CODE_NAMES } from '../../codecs/http2/frame.ts';
import type { HeaderField } from '../../codecs/http2/hpack.ts';
import type { Clock, DeadlineQueue, QueuedDeadline, TimerHandle } from '../clock.ts';
import { settleablePromise, takeResolve, takeReject } from '../settlers.ts';

export class SbiTimeoutError extends Error {
  constructor(method: string, uri: string, ms: number) {
    super(`${method} ${uri}: no answer within ${ms} ms`);
    this.name = 'SbiTimeoutError';
  }
}

/** A timed-out stream kept for its late answer: what its end means. */
export interface LateWait {
  /** The answer came: handed to the call's lateAnswer. */
  answered(r: SbiResult<unknown>): void;
  /** The stream ended without an answer (reset, closed, unreadable). */
  gone(): void;
}

/** What a request needs of its client. */
export interface OwnRequestHost {
  readonly clock: Clock;
  readonly stats: { timeouts: number };
  /** Keeps a timed-out stream for its late answer (`reset` ends it when the grace period is over). */
  awaitLate(what: string, lateAnswer: NonNullable<SbiCallOptions['lateAnswer']>, reset: () => void): LateWait;
  /** The further attempts of an idempotent call whose request failed with `error` (Http2SbiClient.retry). */
  retry(error: unknown, left: number, method: string, uri: string, body: unknown, opts: SbiCallOptions): Promise<SbiResult<unknown>>;
}

/**
 * An answer on wire5g's own HTTP/2. Its header record (a property per regular field, a repeated
 * one's values joined with ", ", RFC 9110 5.3) is made when first read: the NFs read the status
 * and the body, and of the headers only a 201's Location (a record per answer, built by keyed
 * stores of computed names, was a third of `response`'s own time: docs/decisions/21-sbi-4.md).
 */
class OwnAnswer implements SbiResult<unknown> {
  status: number;
  body: unknown;
  private readonly fields: readonly HeaderField[];
  private record: Record<string, string | undefined> | undefined = undefined;

  constructor(status: number, fields: readonly HeaderField[], body: unknown) {
    this.status = status;
    this.body = body;
    this.fields = fields;
  }

  get headers(): Record<string, string | undefined> {
    if (this.record) return this.record;
    const hs = headerRecord();
    for (const { name, value } of this.fields) if (name[0] !== ':') hs[name] = joinedField(name, hs[name], value);
    return (this.record = hs);
  }

  set headers(hs: Record<string, string | undefined>) {
    this.record = hs;
  }
}

function due(r: OwnRequest): void {
  r.due();
}
function timeOut(r: OwnRequest): void {
  r.timeOut();
}

export class OwnRequest implements H2StreamObserver, QueuedDeadline {
  readonly promise: Promise<SbiResult<unknown>>;
  private readonly resolve: (r: SbiResult<unknown> | PromiseLike<SbiResult<unknown>>) => void;
  private readonly reject: (e: unknown) => void;
  private readonly host: OwnRequestHost;
  private readonly conn: H2Connection;
  private readonly method: string;
  private readonly uri: string;
  /** The answer's time-out: its length and where the request waits for it. */
  private readonly deadlines: DeadlineQueue;
  private readonly opts: SbiCallOptions;
  /**
   * Further attempts if the request fails before an answer or its time-out (an idempotent call,
   * RFC 9110 9.2.2), and the body they resend: kept here rather than in a closure per call.
   */
  private readonly retries: number;
  private readonly body: unknown;
  private s: H2Stream | undefined;
  dueAt = 0;
  prevDue: QueuedDeadline | undefined = undefined;
  nextDue: QueuedDeadline | undefined = undefined;
  /** The second time-out (an answer whose HEADERS came in time, see `due`). */
  private timer: TimerHandle | undefined;
  /** The caller has been told (answer, failure or time-out). */
  private ended = false;
  private late: LateWait | undefined;

  constructor(host: OwnRequestHost, conn: H2Connection, method: string, uri: string, deadlines: DeadlineQueue, opts: SbiCallOptions, retries: number, body: unknown) {
    // resolve and reject kept here, without a closure per request (transport/settlers.ts)
    this.promise = settleablePromise<SbiResult<unknown>>();
    this.resolve = takeResolve<SbiResult<unknown>>();
    this.reject = takeReject();
    this.host = host;
    this.conn = conn;
    this.method = method;
    this.uri = uri;
    this.deadlines = deadlines;
    this.opts = opts;
    this.retries = retries;
    this.body = retries ? body : undefined;
  }

  /** Opens the stream (throws when the connection is no longer usable) and starts the time-out. */
  send(fields: HeaderField[], data: SbiBodyBytes | undefined, note: string | undefined): void {
    this.s = this.conn.request(fields, data, note, this);
    if (!this.ended) this.deadlines.add(this);
  }

  /** The time-out's first expiry: the socket is read once more first (see `due`). */
  expired(): void {
    setImmediate(due, this);
  }

  /**
   * The answer's time-out. On a busy event loop the timer can fire while the answer already waits
   * in the socket: the timers phase runs before the poll phase reads it. Cancelling then makes the
   * producer count the answer delivered (it was written) while the consumer drops it: a resource
   * created and known to nobody (docs/decisions.md, "Scale"). So the socket is read once more
   * first (setImmediate runs after the poll phase), and an answer whose HEADERS have arrived gets
   * another timeout's worth of time to end.
   */
  due(): void {
    if (this.ended) return;
    if (this.s!.headers === undefined) this.timeOut();
    else this.timer = this.host.clock.setTimeout(timeOut, this.deadlines.ms, this);
  }

  /** No answer in time: the caller is told; the stream is reset, or kept for a late answer. */
  timeOut(): void {
    if (this.ended) return;
    this.ended = true;
    this.host.stats.timeouts++;
    this.reject(new SbiTimeoutError(this.method, this.uri, this.deadlines.ms));
    const conn = this.conn;
    const s = this.s!;
    const { lateAnswer } = this.opts;
    if (lateAnswer) this.late = this.host.awaitLate(`${this.method} ${this.uri}`, lateAnswer, () => conn.reset(s, H2Error.CANCEL));
    else conn.reset(s, H2Error.CANCEL);
  }

  response(s: H2Stream): void {
    // an answer after the time-out goes to the late wait, if any
    const timedOut = this.ended;
    this.ended = true;
    this.deadlines.remove(this);
    if (this.timer) this.host.clock.clearTimeout(this.timer);
    // the status and the Content-Type alone are read here; the header record when the caller asks (OwnAnswer)
    const fields = s.headers!;
    let status: string | undefined;
    let contentType: string | undefined;
    for (let i = 0; i < fields.length; i++) {
      const { name, value } = fields[i];
      if (name === ':status') status ??= value;
      else if (name === 'content-type') contentType ??= value; // the first, as the record keeps (h2/rules.ts joinedField)
    }
    try {
      const r = new OwnAnswer(Number(status), fields, parseSbiBody(contentType, s.body()));
      if (this.late) this.late.answered(r);
      else this.resolve(r);
    } catch (e) {
      this.late?.gone();
      if (!timedOut) this.fail(e);
    }
  }

  closed(s: H2Stream): void {
    this.late?.gone();
    if (this.ended) return;
    this.ended = true;
    this.deadlines.remove(this);
    if (this.timer) this.host.clock.clearTimeout(this.timer);
    this.fail(new H2ClosedError(`${this.method} ${this.uri}: stream closed (${ERROR_CODE_NAMES[s.resetCode ?? 0] ?? s.resetCode})`, s.resetCode));
  }

  /** The request failed without an answer: the caller is told, or its client tries again (it knows which errors are worth it). */
  private fail(e: unknown): void {
    if (this.retries) this.resolve(this.host.retry(e, this.retries, this.method, this.uri, this.body, this.opts));
    else this.reject(e);
  }
}
