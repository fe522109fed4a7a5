// The SBI server (TS 29.500 5, 6): HTTP/2 over cleartext TCP with prior knowledge (h2c), serving
// an NF's route table. JSON and multipart/related bodies in and out; ProblemDetails
// (application/problem+json) for every error TS 29.500 5.2.7 names: 400 INVALID_MSG_FORMAT for a
// body that does not parse, 415 UNSUPPORTED_MEDIA_TYPE, 404 RESOURCE_URI_STRUCTURE_NOT_FOUND,
// 405, and 500 SYSTEM_FAILURE when a handler fails (logged; the server keeps serving).
// A response's `after` task runs once the response is sent.

import http2 from 'node:http2';
import { isIPv6, type AddressInfo } from 'node:net';
import { compileRoutes, matchCompiled, SbiProblem, type CompiledRoutes, type SbiRoute, type SbiRequest, type SbiResponse, type ProblemDetails } from './api.ts';
import { parseSbiBody, sbiBodyOut, bodyOctets, contentTypeField, type SbiBodyBytes } from './body.ts';
import { OwnHttp2Server } from './h2/server.ts';
import type { H2Stream, H2StreamObserver } from './h2/stream.ts';
import { joinedField, headerRecord } from './h2/rules.ts';
import { sbiHttp2, type Http2Implementation } from './http2-choice.ts';
import type { HeaderField } from '../../codecs/http2/hpack.ts';
import { parseRequestTarget, type RequestTarget } from './uri.ts';

export { parseSbiBody, serializeSbiBody } from './body.ts';

export interface SbiServerOptions {
  address: string;
  port: number;
  routes: SbiRoute[];
  /** NF type for the Server header (TS 29.500 5.2.3.2, "Server: <NF type>"). */
  nfType: string;
  log?: (line: string) => void;
  /** Observes each handled request (for traces): operation, status. */
  onRequest?: (e: { method: string; path: string; operation?: string; status: number; from: string }) => void;
  /** node:http2 or wire5g's own (transport/sbi/http2-choice.ts); the process default when absent. */
  http2?: Http2Implementation;
}

/** One request as the server handles it, whichever HTTP/2 carries it. */
interface Exchange {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  /** The Content-Type field's value (repeated ones joined as in `headers`). */
  contentType: string | undefined;
  remoteAddress: string;
  /**
   * What the server notes while it handles the request (on the exchange, which lives until the
   * answer anyway: no closure or async frame per request holds them): the request-target's path,
   * the operation of the route, the answer.
   */
  pathname: string;
  operation: string | undefined;
  answer: SbiResponse | undefined;
  /** The answer was written (not: the stream was gone before it). */
  delivered: boolean;
  /** The response can still be sent (the stream is neither reset nor closed). */
  open(): boolean;
  /** `server` is the Server header's value unless `headers` has its own. */
  respond(status: number, server: string, headers: Record<string, string> | undefined, contentType: string | undefined, data: SbiBodyBytes | undefined): void;
  /** Calls `then` once the stream has closed: `clean` when it closed without a reset. */
  whenClosed(then: Closed): void;
}

type Closed = (x: Exchange, clean: boolean, code: string) => void;

function nodeExchange(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): Exchange {
  const hs = headerRecord();
  for (const [k, v] of Object.entries(headers)) if (!k.startsWith(':')) hs[k] = Array.isArray(v) ? v.join(', ') : v;
  const x: Exchange = {
    method: String(headers[':method'] ?? 'GET'),
    path: String(headers[':path'] ?? '/'),
    headers: hs,
    contentType: hs['content-type'],
    remoteAddress: stream.session?.socket?.remoteAddress ?? '',
    pathname: '',
    operation: undefined,
    answer: undefined,
    delivered: false,
    open: () => !(stream.destroyed || stream.closed),
    respond(status, server, headers, contentType, data) {
      const out: http2.OutgoingHttpHeaders = { ':status': status, server, ...headers };
      if (contentType) out['content-type'] = contentType;
      stream.respond(out, { endStream: data === undefined });
      if (data !== undefined) stream.end(bodyOctets(data));
    },
    whenClosed(then) {
      const done = () => then(x, stream.rstCode === http2.constants.NGHTTP2_NO_ERROR, String(stream.rstCode));
      if (stream.closed || stream.destroyed) done();
      else stream.once('close', done);
    },
  };
  return x;
}

/** Header fields that repeat in every response, made once (the HPACK encoder only reads them). */
const statusFields = new Map<number, HeaderField>();
const serverFields = new Map<string, HeaderField>();
function statusField(status: number): HeaderField {
  let f = statusFields.get(status);
  if (!f) statusFields.set(status, (f = { name: ':status', value: String(status) }));
  return f;
}
function serverField(nfType: string): HeaderField {
  let f = serverFields.get(nfType);
  if (!f) serverFields.set(nfType, (f = { name: 'server', value: nfType }));
  return f;
}

/**
 * One request on wire5g's own HTTP/2: a class, so that a request costs one object, not four
 * closures. It is its stream's observer, told when the stream closes.
 */
class OwnExchange implements Exchange, H2StreamObserver {
  readonly method: string = 'GET';
  readonly path: string = '/';
  readonly contentType: string | undefined;
  readonly remoteAddress: string;
  private fields: Record<string, string | undefined> | undefined = undefined;
  pathname = '';
  operation: string | undefined = undefined;
  answer: SbiResponse | undefined = undefined;
  delivered = false;
  private readonly s: H2Stream;
  private readonly stats: { cancelled: number };
  private onClosed: Closed | undefined;

  constructor(s: H2Stream, stats: { cancelled: number }) {
    this.s = s;
    this.stats = stats;
    s.observer = this;
    this.remoteAddress = s.conn.socket.remoteAddress ?? '';
    let contentType: string | undefined;
    for (const { name, value } of s.headers ?? []) {
      if (name === ':method') this.method = value;
      else if (name === ':path') this.path = value;
      else if (name === 'content-type') contentType ??= value; // the first, as the record keeps (h2/rules.ts joinedField)
    }
    this.contentType = contentType;
  }

  /**
   * The regular header fields by name, a repeated one's values joined with ", " (RFC 9110 5.3),
   * made when first read: the server reads the Content-Type alone and the NFs' handlers none (a
   * record with a property per field name was a third of the exchange's cost).
   */
  get headers(): Record<string, string | undefined> {
    if (this.fields) return this.fields;
    const hs = headerRecord();
    for (const { name, value } of this.s.headers ?? []) if (name[0] !== ':') hs[name] = joinedField(name, hs[name], value);
    return (this.fields = hs);
  }

  open(): boolean {
    return !this.s.closed && !this.s.localEnded;
  }

  respond(status: number, server: string, headers: Record<string, string> | undefined, contentType: string | undefined, data: SbiBodyBytes | undefined): void {
    let out: HeaderField[];
    if (headers === undefined) {
      // most answers: an array of its final length (a push past a literal's length grows it to 19 slots)
      out = contentType ? [statusField(status), serverField(server), contentTypeField(contentType)] : [statusField(status), serverField(server)];
    } else {
      // the order and values of { ':status', server, ...headers }: a `server` of the handler's replaces ours in place
      out = [statusField(status), Object.hasOwn(headers, 'server') ? { name: 'server', value: headers.server } : serverField(server)];
      for (const k in headers) if (k !== 'server' && Object.hasOwn(headers, k)) out.push({ name: k.toLowerCase(), value: headers[k] });
      if (contentType) out.push(contentTypeField(contentType));
    }
    this.s.conn.respond(this.s, out, data);
  }

  whenClosed(then: Closed): void {
    if (this.s.closed) then(this, this.s.resetCode === undefined, String(this.s.resetCode));
    else this.onClosed = then;
  }

  /** A request's stream has no response to read (the client's observer has). */
  response(): void {}

  closed(s: H2Stream): void {
    if (!s.localEnded) this.stats.cancelled++;
    this.onClosed?.(this, s.resetCode === undefined, String(s.resetCode));
  }
}

/** The request a handler gets: its header record is the exchange's, made only if read. */
class ServerRequest implements SbiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  private readonly x: Exchange;

  constructor(method: string, path: string, params: Record<string, string>, query: Record<string, string>, body: unknown, x: Exchange) {
    this.method = method;
    this.path = path;
    this.params = params;
    this.query = query;
    this.body = body;
    this.x = x;
  }

  get headers(): Record<string, string | undefined> {
    return this.x.headers;
  }
}

export class SbiServer {
  private readonly server: http2.Http2Server | undefined;
  private readonly own: OwnHttp2Server | undefined;
  private readonly opts: SbiServerOptions;
  private routes: CompiledRoutes | undefined;
  /**
   * Requests being handled and `after` (or `undelivered`) tasks running or waiting for their
   * stream to close: counts (a promise, an async frame and closures per request were a large
   * share of the server's bytes, and what is alive until the answer is what scavenges copy), and
   * who waits for both to be none.
   */
  private handling = 0;
  private afters = 0;
  private readonly idle: (() => void)[] = [];
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  /**
   * `cancelled`: requests the consumer reset (RST_STREAM) before they were answered;
   * `undelivered`: responses with an undo task that the consumer never received.
   */
  readonly stats = { requests: 0, errors: 0, badRequests: 0, cancelled: 0, undelivered: 0 };

  private constructor(opts: SbiServerOptions) {
    this.opts = opts;
    if ((opts.http2 ?? sbiHttp2()) === 'own') {
      this.own = new OwnHttp2Server((s) => this.start(new OwnExchange(s, this.stats), s.body()), (line) => this.log(line));
      return;
    }
    const server = http2.createServer();
    this.server = server;
    server.on('session', (s) => {
      this.sessions.add(s);
      s.on('close', () => this.sessions.delete(s));
      s.on('error', (e) => this.log(`session error: ${e.message}`));
    });
    server.on('stream', (stream, headers) => this.onStream(stream, headers));
    server.on('sessionError', (e) => this.log(`session error: ${e.message}`));
  }

  static async listen(opts: SbiServerOptions): Promise<SbiServer> {
    const s = new SbiServer(opts);
    if (s.own) {
      await s.own.listen(opts.port, opts.address);
      return s;
    }
    const server = s.server!;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return s;
  }

  /** Which HTTP/2 serves. */
  get http2(): Http2Implementation {
    return this.own ? 'own' : 'node';
  }

  get port(): number {
    return this.own ? this.own.port : (this.server!.address() as AddressInfo).port;
  }

  get uri(): string {
    // an IPv6 address is bracketed in a URI (RFC 3986 3.2.2)
    return `http://${isIPv6(this.opts.address) ? `[${this.opts.address}]` : this.opts.address}:${this.port}`;
  }

  /** Resolves when no request is being handled and every `after` (or `undelivered`) task started so far has finished. */
  async settled(): Promise<void> {
    while (this.handling || this.afters) await new Promise<void>((r) => this.idle.push(r));
  }

  private wakeIfIdle(): void {
    if (this.handling === 0 && this.afters === 0) for (const wake of this.idle.splice(0)) wake();
  }

  private log(line: string): void {
    this.opts.log?.(`[sbi ${this.opts.nfType} ${this.opts.address}] ${line}`);
  }

  private onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', (e) => this.log(`stream error: ${e.message}`));
    stream.on('close', () => {
      if (!stream.headersSent && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) this.stats.cancelled++;
    });
    stream.on('end', () => this.start(nodeExchange(stream, headers), new Uint8Array(Buffer.concat(chunks))));
  }

  /**
   * Handles one request: routed, its body parsed and its handler called at once; the answer is
   * sent when the handler's promise settles (or at once for a handler that answers without one).
   * No async function: its frame, its promise and the `then` on it lived per request until the
   * answer (issue 21 goal 3, docs/decisions/21-sbi-server-3.md).
   */
  private start(x: Exchange, raw: Uint8Array): void {
    this.handling++;
    this.stats.requests++;
    let res: SbiResponse | Promise<SbiResponse>;
    try {
      res = this.dispatch(x, raw);
    } catch (e) {
      return this.answer(x, this.failure(x, e));
    }
    if (res instanceof Promise)
      res.then(
        (r) => this.answer(x, r),
        (e: unknown) => this.answer(x, this.failure(x, e)),
      );
    else this.answer(x, res);
  }

  /** Routes the request and calls its handler; the consumer's errors throw SbiProblem (400, 404, 405, 415). */
  private dispatch(x: Exchange, raw: Uint8Array): SbiResponse | Promise<SbiResponse> {
    const method = x.method;
    x.pathname = x.path;
    let url: RequestTarget;
    try {
      url = parseRequestTarget(x.path);
    } catch {
      // a :path URL cannot read ("//[") is the consumer's malformed request, not our failure
      throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `${method} ${x.path}: not a request-target`);
    }
    const pathname = (x.pathname = url.pathname);
    // compiled at the first request, when matchRoute compiled it too (kept here: no WeakMap lookup per request)
    const m = matchCompiled((this.routes ??= compileRoutes(this.opts.routes)), method, pathname);
    if (m === undefined) throw new SbiProblem(404, 'RESOURCE_URI_STRUCTURE_NOT_FOUND', `${method} ${pathname}`);
    if (m === 'method-not-allowed') throw new SbiProblem(405, 'METHOD_NOT_ALLOWED', `${method} ${pathname}`);
    x.operation = m.route.operation;
    const body = parseSbiBody(x.contentType, raw);
    return m.route.handler(new ServerRequest(method, pathname, m.params, url.query, body, x));
  }

  /** The answer to a request whose handling threw: its ProblemDetails, or 500 SYSTEM_FAILURE (logged). */
  private failure(x: Exchange, e: unknown): SbiResponse {
    if (e instanceof SbiProblem) {
      if (e.problem.status === 400 || e.problem.status === 415) this.stats.badRequests++;
      return { status: e.problem.status, body: { ...e.problem, instance: x.pathname } satisfies ProblemDetails };
    }
    this.stats.errors++;
    this.log(`handler for ${x.method} ${x.pathname} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return { status: 500, body: { status: 500, cause: 'SYSTEM_FAILURE', detail: e instanceof Error ? e.message : String(e), instance: x.pathname } satisfies ProblemDetails };
  }

  /** Sends the answer and starts its `after` task; the request is done handling. */
  private answer(x: Exchange, res: SbiResponse): void {
    try {
      this.send(x, res);
    } catch (e) {
      // a failure past the handler's (a body JSON cannot serialize): rejected unhandled, as when
      // the handling was an async function, and never thrown into the HTTP/2 connection's reading
      void Promise.reject(e);
    } finally {
      this.handling--;
      this.wakeIfIdle();
    }
  }

  private send(x: Exchange, res: SbiResponse): void {
    const operation = x.operation;
    this.opts.onRequest?.({ method: x.method, path: x.pathname, ...(operation ? { operation } : {}), status: res.status, from: x.remoteAddress });
    // an error answer is a ProblemDetails (application/problem+json, TS 29.500 5.2.7.2) unless it is
    // one of the error types an operation documents under application/json, which carry their
    // ProblemDetails in `error` (TS 29.518 N1N2MessageTransferError, TS 29.502 SmContextUpdateError, ...)
    // (looked for in error answers only: a negative lookup through the body's prototypes per answer)
    const problem = res.status >= 400 && !(typeof res.body === 'object' && res.body !== null && 'error' in res.body);
    const { contentType, data } = sbiBodyOut(res.body, problem);
    let delivered = x.open();
    if (delivered) {
      try {
        x.respond(res.status, this.opts.nfType, res.headers, contentType, data);
      } catch (e) {
        this.log(`could not send the response: ${(e as Error).message}`);
        delivered = false;
      }
    }
    if (!res.after && !res.undelivered) return;
    if (!res.undelivered) {
      // the work after the answer is due whether or not the consumer got it (a release's clean-up)
      this.track(res.after!, operation ?? x.pathname);
      return;
    }
    x.answer = res;
    x.delivered = delivered;
    if (!delivered) return this.decide(x, false, '');
    this.afters++;
    x.whenClosed(this.closed);
  }

  /** The stream of an answer with an undo task has closed. */
  private readonly closed: Closed = (x, clean, code) => {
    this.afters--;
    try {
      this.decide(x, clean, code);
    } finally {
      this.wakeIfIdle();
    }
  };

  /**
   * A 201 the consumer never read must be undone: the stream closing with RST_STREAM (the
   * consumer gave up, RFC 9113 6.4) or before the answer was written means it was not received.
   */
  private decide(x: Exchange, clean: boolean, code: string): void {
    const res = x.answer!;
    x.answer = undefined;
    const what = x.operation ?? x.pathname;
    if (x.delivered && clean) {
      if (res.after) this.track(res.after, what);
      return;
    }
    this.stats.undelivered++;
    this.log(`the response to ${x.method} ${x.pathname} was not delivered (stream ${x.delivered ? `reset, code ${code}` : 'closed before the answer'}): undoing it`);
    const undelivered = res.undelivered!;
    this.track(async () => void (await undelivered()), `${what} (undelivered)`);
  }

  /** Runs an after-response task, counted until it settles; a failure is logged. */
  private track(task: () => Promise<void>, what: string): void {
    const p = task();
    // counted once made: a task that throws at once is no promise to wait for (the throw goes on, as before)
    this.afters++;
    p.then(this.afterDone, (e: unknown) => {
      this.log(`after-response task of ${what} failed: ${e instanceof Error ? e.message : String(e)}`);
      this.afterDone();
    });
  }

  private readonly afterDone = (): void => {
    this.afters--;
    this.wakeIfIdle();
  };

  async close(): Promise<void> {
    if (this.own) return this.own.close();
    const server = this.server!;
    for (const s of this.sessions) s.close();
    // sessions whose clients do not end their streams within a second are destroyed
    const timer = setTimeout(() => {
      for (const s of this.sessions) s.destroy();
    }, 1000);
    timer.unref();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(timer);
  }
}
