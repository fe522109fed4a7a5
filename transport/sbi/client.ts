// The SBI client (TS 29.500 6.1): HTTP/2 with prior knowledge to another NF, one session per
// origin reused across requests and re-established when it closes, a per-request timeout, and
// bounded retries on connection errors for idempotent methods (GET, PUT, DELETE; RFC 9110 9.2.2).
//
// Capture: Node's http2 reads and writes a net.Socket's handle natively, bypassing JS, so the
// client hands http2 a Duplex that forwards to the socket and reports every chunk each way to a
// TcpStreamRecorder. The capture then holds the exact bytes on the wire as one TCP connection.

import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { SbiProblem, type SbiClient, type SbiResult, type SbiCallOptions, type SbiRoute } from './api.ts';
import { parseSbiBody, sbiBodyOut, bodyOctets, contentTypeField, type SbiBodyBytes } from './body.ts';
import { headerRecord } from './h2/rules.ts';
import { OwnRequest, SbiTimeoutError, type LateWait, type OwnRequestHost } from './own-request.ts';
import { TcpStreamRecorder } from '../capture/tcp-stream.ts';
import type { WireTap } from '../tap.ts';
import { H2Connection } from './h2/connection.ts';
import { TappedConnection } from './tapped-connection.ts';
import type { HeaderField } from '../../codecs/http2/hpack.ts';
import { sbiHttp2, type Http2Implementation } from './http2-choice.ts';
import { splitSbiUri, type SbiUriParts } from './uri.ts';
import { realClock, DeadlineQueue, type Clock } from '../clock.ts';

export interface SbiClientOptions {
  /** Our NF type for User-Agent (TS 29.500 5.2.2.2: "<NF type>-<instance>"). */
  userAgent: string;
  /** Local address to connect from (the NF's own loopback address), so captures show who spoke. */
  localAddress?: string;
  tap?: WireTap;
  timeoutMs?: number;
  retries?: number;
  log?: (line: string) => void;
  /**
   * HTTP/2 over TLS 1.3 with ALPN h2 (the SEPPs' N32, TS 29.573 5.2, TS 33.501 13.1): the CA the
   * peer's certificate must chain to, our certificate and key, the peer's name for SNI. The key
   * log goes to the tap (a pcapng Decryption Secrets Block), so the capture stays readable.
   */
  tls?: { ca: string; cert: string; key: string; servername: (host: string) => string };
  /** node:http2 or wire5g's own for cleartext connections (TLS always uses node:http2); the process default when absent. */
  http2?: Http2Implementation;
  /** The clock of the answers' time-outs (injectable: tests advance a VirtualClock); the real one when absent. */
  clock?: Clock;
  /**
   * How long a stream whose call timed out is kept open for a late answer when the call asked for
   * one (SbiCallOptions.lateAnswer), before it is reset as any other; 30 s when absent.
   */
  lateAnswerGraceMs?: number;
  /** Observes each completed call (for traces). */
  onCall?: (e: { method: string; uri: string; operation?: string; step?: string; status: number }) => void;
}

export { SbiTimeoutError };

const IDEMPOTENT = new Set(['GET', 'PUT', 'DELETE']);

/** Request header fields that repeat, made once (the HPACK encoder only reads them). */
const SCHEME_HTTP: HeaderField = { name: ':scheme', value: 'http' };
const ACCEPT: HeaderField = { name: 'accept', value: 'application/json, application/problem+json, multipart/related' };
const METHODS = new Map<string, HeaderField>();
function methodField(method: string): HeaderField {
  let f = METHODS.get(method);
  if (!f) METHODS.set(method, (f = { name: ':method', value: method }));
  return f;
}

/** `recorded`: the own connection writes to a capture (the requests' comments are wanted). */
type Connection = { session: http2.ClientHttp2Session; tapped?: TappedConnection; own?: undefined } | { own: H2Connection; recorded: boolean };

/** The answer's time-out on node:http2, as OwnRequest.due (own-request.ts) says why. */
function answerTimer(clock: Clock, ms: number, headersArrived: () => boolean, cancel: () => void): { clear(): void } {
  let timer = clock.setTimeout(() => setImmediate(() => {
    if (done) return;
    if (!headersArrived()) cancel();
    else timer = clock.setTimeout(cancel, ms);
  }), ms);
  let done = false;
  return {
    clear() {
      done = true;
      clock.clearTimeout(timer);
    },
  };
}

export class Http2SbiClient implements SbiClient {
  private readonly opts: SbiClientOptions;
  private readonly connections = new Map<string, Promise<Connection>>();
  /** `lateAnswers`: answers that came after their call's time-out and went to its lateAnswer. */
  readonly stats = { calls: 0, retries: 0, timeouts: 0, lateAnswers: 0 };
  /** How long a request waits for its answer unless its call says otherwise (may be changed while running). */
  timeoutMs: number;
  private readonly clock: Clock;
  /** Streams kept after their time-out for a late answer, until it came and its lateAnswer finished. */
  private readonly late = new Set<Promise<void>>();
  private readonly userAgentField: HeaderField;
  /**
   * The own HTTP/2 connection each origin's promise (in `connections`) resolved to; an entry counts
   * only while that promise is still the origin's.
   */
  private readonly open = new Map<string, { p: Promise<Connection>; c: { own: H2Connection; recorded: boolean } }>();
  /** :authority fields by host (one per peer NF). */
  private readonly authorities = new Map<string, HeaderField>();
  /** What each own HTTP/2 request (OwnRequest) uses of this client. */
  private readonly host: OwnRequestHost;
  /** The own HTTP/2 requests waiting for their answers, by time-out length (one timer each). */
  private readonly deadlines = new Map<number, DeadlineQueue>();
  /** The queue of the last length asked for (nearly every request has the client's). */
  private lastDeadlines: DeadlineQueue | undefined;

  constructor(opts: SbiClientOptions) {
    this.opts = opts;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.clock = opts.clock ?? realClock;
    this.userAgentField = { name: 'user-agent', value: opts.userAgent };
    this.host = {
      clock: this.clock,
      stats: this.stats,
      awaitLate: (what, lateAnswer, reset) => this.awaitLate(what, lateAnswer, reset),
      retry: (error, left, method, uri, body, opts) => this.retry(error, left, method, uri, body, opts),
    };
  }

  private deadlineQueue(ms: number): DeadlineQueue {
    if (this.lastDeadlines?.ms === ms) return this.lastDeadlines;
    let q = this.deadlines.get(ms);
    if (!q) this.deadlines.set(ms, (q = new DeadlineQueue(this.clock, ms)));
    return (this.lastDeadlines = q);
  }

  private authorityField(host: string): HeaderField {
    let f = this.authorities.get(host);
    if (!f) this.authorities.set(host, (f = { name: ':authority', value: host }));
    return f;
  }

  /** Resolves when no stream is kept for a late answer and every lateAnswer started has finished. */
  async settled(): Promise<void> {
    while (this.late.size) await Promise.all([...this.late]);
  }

  /**
   * A call timed out (its caller has been told) but asked for a late answer: the stream stays open
   * (no RST_STREAM, so the producer's answer is not lost in flight, docs/decisions/21-100k-run-2.md)
   * for the grace period, then is reset as any other (the producer undoes a creation it had not
   * answered yet, server.ts).
   */
  private awaitLate(what: string, lateAnswer: NonNullable<SbiCallOptions['lateAnswer']>, reset: () => void): LateWait {
    let finish!: () => void;
    const p = new Promise<void>((r) => (finish = r)).then(() => void this.late.delete(p));
    this.late.add(p);
    let over = false;
    const timer = this.clock.setTimeout(() => {
      if (over) return;
      over = true;
      reset();
      finish();
    }, this.opts.lateAnswerGraceMs ?? 30_000);
    return {
      answered: (r) => {
        if (over) return;
        over = true;
        this.clock.clearTimeout(timer);
        this.stats.lateAnswers++;
        this.opts.log?.(`[sbi client] ${what}: ${r.status} after the time-out`);
        Promise.resolve()
          .then(() => lateAnswer(r))
          .catch((e: unknown) => this.opts.log?.(`[sbi client] ${what}: handling the late answer failed: ${e instanceof Error ? e.message : String(e)}`))
          .finally(finish);
      },
      gone: () => {
        if (over) return;
        over = true;
        this.clock.clearTimeout(timer);
        finish();
      },
    };
  }

  /**
   * The connection to an origin: one TCP connection from our address, recorded when there is a
   * tap, carrying node:http2 (over TLS for N32) or wire5g's own HTTP/2; forgotten once it closes
   * or receives GOAWAY, so that the next request opens another.
   */
  private connect(origin: string): Promise<Connection> {
    const existing = this.connections.get(origin);
    if (existing) return existing;
    const u = new URL(origin);
    // an IPv6 literal is bracketed in a URI's host (RFC 3986 3.2.2), not in the address a socket or the capture takes
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    const secure = this.opts.tls;
    const port = Number(u.port || (secure ? 443 : 80));
    const own = !secure && (this.opts.http2 ?? sbiHttp2()) === 'own';
    const p = new Promise<Connection>((resolve, reject) => {
      const socket = net.connect({ host, port, ...(this.opts.localAddress ? { localAddress: this.opts.localAddress } : {}) });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.setNoDelay(true);
        const forget = () => {
          if (this.connections.get(origin) === p) this.connections.delete(origin);
        };
        let rec: TcpStreamRecorder | undefined;
        if (this.opts.tap) {
          rec = new TcpStreamRecorder(this.opts.tap, { address: socket.localAddress ?? '127.0.0.1', port: socket.localPort ?? 0 }, { address: socket.remoteAddress ?? host, port }, (socket.localPort ?? 1) * 1000);
          rec.open();
        }
        resolve(own ? this.ownOver(socket, origin, rec, forget) : this.nodeOver(socket, origin, host, rec, forget));
      });
    });
    p.catch(() => {
      if (this.connections.get(origin) === p) this.connections.delete(origin);
    });
    this.connections.set(origin, p);
    return p;
  }

  /** node:http2 over the socket, through a TappedConnection when recorded (over TLS for N32). */
  private nodeOver(socket: net.Socket, origin: string, host: string, rec: TcpStreamRecorder | undefined, forget: () => void): Connection {
    const secure = this.opts.tls;
    const tapped = rec ? new TappedConnection(socket, rec, secure !== undefined) : undefined;
    const transport: Duplex = secure ? this.tlsOver(tapped ?? socket, host, secure, tapped) : (tapped ?? socket);
    const session = http2.connect(origin, { createConnection: () => transport });
    session.on('error', (e) => this.opts.log?.(`[sbi client] ${origin}: ${e.message}`));
    session.on('close', forget);
    session.on('goaway', forget);
    return { session, ...(tapped ? { tapped } : {}) };
  }

  /** wire5g's own HTTP/2 (transport/sbi/h2) over the socket: every chunk it writes or reads goes to the capture as it is. */
  private ownOver(socket: net.Socket, origin: string, rec: TcpStreamRecorder | undefined, forget: () => void): Connection {
    const own = new H2Connection({
      role: 'client',
      socket,
      ...(this.opts.log ? { log: (line: string) => this.opts.log!(`[sbi client] ${origin}: ${line}`) } : {}),
      ...(rec ? { onWrite: (b: Uint8Array, note: string | undefined) => rec.data(true, b, note), onRead: (b: Uint8Array) => rec.data(false, Uint8Array.from(b)) } : {}),
      onGoaway: forget,
      onClose: () => {
        forget();
        rec?.close();
      },
    });
    return { own, recorded: rec !== undefined };
  }

  /** TLS over the (tapped) socket; each key log line to the tap (NSS format, RFC-less but what Wireshark reads). */
  private tlsOver(under: Duplex, host: string, o: NonNullable<SbiClientOptions['tls']>, tapped: TappedConnection | undefined): tls.TLSSocket {
    const t = tls.connect({ socket: under, ca: o.ca, cert: o.cert, key: o.key, servername: o.servername(host), ALPNProtocols: ['h2'], minVersion: 'TLSv1.3' });
    t.on('keylog', (line: Buffer) => this.opts.tap?.tlsKeyLog?.(Uint8Array.from(line)));
    t.once('secureConnect', () => tapped?.release());
    return t;
  }

  call<T = unknown>(method: SbiRoute['method'], uri: string, body?: unknown, opts: SbiCallOptions = {}): Promise<SbiResult<T>> {
    const retries = IDEMPOTENT.has(method) ? (this.opts.retries ?? 2) : 0;
    // the first attempt: its own promise, without an async function's around it; an idempotent
    // call's retries start only when it fails (on an own HTTP/2 connection the request starts
    // them itself: no closure per call waits for its failure)
    let p: Promise<SbiResult<T>>;
    try {
      p = this.once<T>(method, uri, body, opts, retries);
    } catch (e) {
      p = retries ? this.retry<T>(e, retries, method, uri, body, opts) : Promise.reject(e);
    }
    return this.opts.onCall ? p.then((r) => this.called(method, uri, opts, r)) : p;
  }

  /** Up to `left` more attempts after the first failed with `error`, unless it was an answer or a time-out. */
  private async retry<T>(error: unknown, left: number, method: string, uri: string, body: unknown, opts: SbiCallOptions): Promise<SbiResult<T>> {
    let lastError = error;
    for (let i = 0; i < left; i++) {
      if (lastError instanceof SbiTimeoutError || lastError instanceof SbiProblem) break; // not a connection error
      this.stats.retries++;
      try {
        return await this.once<T>(method, uri, body, opts, 0);
      } catch (e) {
        lastError = e;
      }
    }
    throw lastError;
  }

  /** A completed call, to onCall (traces). */
  private called<R extends { status: number }>(method: string, uri: string, opts: SbiCallOptions, r: R): R {
    this.opts.onCall?.({ method, uri, status: r.status, ...(opts.operation ? { operation: opts.operation } : {}), ...(opts.step ? { step: opts.step } : {}) });
    return r;
  }

  /**
   * One attempt, and `retries` more if it fails (see retry). On an own HTTP/2 connection already
   * open to the origin (every request but the first few) the request goes out without waiting a
   * turn for the connection's promise; the same checks as below: the connection is still the
   * origin's and usable.
   */
  private once<T>(method: string, uri: string, body: unknown, opts: SbiCallOptions, retries: number): Promise<SbiResult<T>> {
    const u = splitSbiUri(uri);
    const open = this.open.get(u.origin);
    if (open && this.connections.get(u.origin) === open.p && open.c.own.usable) {
      const { contentType, data } = sbiBodyOut(body, false);
      return this.onceOwn<T>(open.c.own, open.c.recorded, method, uri, u, contentType, data, opts, retries, body);
    }
    const p = this.onceConnecting<T>(method, uri, u, body, opts);
    return retries ? p.catch((e: unknown) => this.retry<T>(e, retries, method, uri, body, opts)) : p;
  }

  private async onceConnecting<T>(method: string, uri: string, u: SbiUriParts, body: unknown, opts: SbiCallOptions): Promise<SbiResult<T>> {
    let p = this.connect(u.origin);
    let conn = await p;
    if (conn.own && !conn.own.usable) {
      // closing (GOAWAY either way) but not yet forgotten: the next request opens another
      if (this.connections.get(u.origin) === p) this.connections.delete(u.origin);
      p = this.connect(u.origin);
      conn = await p;
    }
    const { contentType, data } = sbiBodyOut(body, false);
    if (conn.own) {
      if (this.connections.get(u.origin) === p) this.open.set(u.origin, { p, c: conn });
      return this.onceOwn<T>(conn.own, conn.recorded, method, uri, u, contentType, data, opts, 0, undefined);
    }
    const headers: http2.OutgoingHttpHeaders = {
      ':method': method,
      ':path': u.target,
      ':scheme': this.opts.tls ? 'https' : 'http',
      ':authority': u.host,
      'user-agent': this.opts.userAgent,
      accept: 'application/json, application/problem+json, multipart/related',
      ...(opts.headers ?? {}),
    };
    // a media type the operation names (JSON Patch, merge patch) is kept; else the body's own
    if (contentType && !(contentType.startsWith('application/json') && headers['content-type'])) headers['content-type'] = contentType;
    this.stats.calls++;
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const session = conn.session;
    return new Promise<SbiResult<T>>((resolve, reject) => {
      let req: http2.ClientHttp2Stream;
      try {
        req = session.request(headers, { endStream: data === undefined });
        // nghttp2 writes the HEADERS frame after this returns
        conn.tapped?.requestComment(opts.step ? `${opts.operation ?? method} [TS 23.502 ${opts.step}]` : undefined);
      } catch (e) {
        this.connections.delete(u.origin);
        reject(e);
        return;
      }
      let ended = false;
      let late: LateWait | undefined;
      const cancel = () => {
        if (ended || late) return;
        this.stats.timeouts++;
        reject(new SbiTimeoutError(method, uri, timeoutMs));
        if (opts.lateAnswer) late = this.awaitLate(`${method} ${uri}`, opts.lateAnswer, () => req.close(http2.constants.NGHTTP2_CANCEL));
        else req.close(http2.constants.NGHTTP2_CANCEL);
      };
      const timer = answerTimer(this.clock, timeoutMs, () => status !== 0, cancel);
      let status = 0;
      const resHeaders = headerRecord();
      const chunks: Buffer[] = [];
      req.on('response', (h) => {
        status = Number(h[':status']);
        for (const [k, v] of Object.entries(h)) if (!k.startsWith(':')) resHeaders[k] = Array.isArray(v) ? v.join(', ') : (v as string | undefined);
      });
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        ended = true;
        timer.clear();
        try {
          const parsed = parseSbiBody(resHeaders['content-type'], new Uint8Array(Buffer.concat(chunks)));
          if (late) late.answered({ status, headers: resHeaders, body: parsed });
          else resolve({ status, headers: resHeaders, body: parsed as T });
        } catch (e) {
          late?.gone();
          reject(e);
        }
      });
      req.on('error', (e) => {
        ended = true;
        timer.clear();
        late?.gone();
        reject(e);
      });
      req.on('close', () => late?.gone());
      if (data !== undefined) req.end(bodyOctets(data));
    });
  }

  /**
   * A call on wire5g's own HTTP/2: the same headers, time-out and results as on node:http2; an
   * idempotent call's `retries` (with the `body` they resend) start from the request's failure.
   */
  private onceOwn<T>(conn: H2Connection, recorded: boolean, method: string, uri: string, u: SbiUriParts, contentType: string | undefined, data: SbiBodyBytes | undefined, opts: SbiCallOptions, retries: number, body: unknown): Promise<SbiResult<T>> {
    const fields = opts.headers ? this.fieldsWith(method, u, opts.headers, contentType) : this.fields(method, u, contentType);
    this.stats.calls++;
    const r = new OwnRequest(this.host, conn, method, uri, this.deadlineQueue(opts.timeoutMs ?? this.timeoutMs), opts, retries, body);
    try {
      // the capture's comment on the HEADERS frame, made only when the connection is recorded
      r.send(fields, data, opts.step && recorded ? `${opts.operation ?? method} [TS 23.502 ${opts.step}]` : undefined);
    } catch (e) {
      this.connections.delete(u.origin);
      return retries ? this.retry<T>(e, retries, method, uri, body, opts) : Promise.reject(e);
    }
    return r.promise as Promise<SbiResult<T>>;
  }

  /** A request's header fields (RFC 9113 8.3.1 pseudo-header fields first), with the body's media type; one array of its final length. */
  private fields(method: string, u: SbiUriParts, contentType: string | undefined): HeaderField[] {
    const path: HeaderField = { name: ':path', value: u.target };
    const authority = this.authorityField(u.host);
    if (contentType) return [methodField(method), path, SCHEME_HTTP, authority, this.userAgentField, ACCEPT, contentTypeField(contentType)];
    return [methodField(method), path, SCHEME_HTTP, authority, this.userAgentField, ACCEPT];
  }

  /** The header fields with the call's own headers after ours. */
  private fieldsWith(method: string, u: SbiUriParts, headers: Record<string, string>, contentType: string | undefined): HeaderField[] {
    const fields = this.fields(method, u, undefined);
    let typed = false;
    for (const k in headers) {
      const name = k.toLowerCase();
      if (name === 'content-type') {
        typed = true;
        fields.push(contentTypeField(headers[k]));
      } else fields.push({ name, value: headers[k] });
    }
    // a media type the operation names (JSON Patch, merge patch) is kept; else the body's own
    if (contentType && !(contentType.startsWith('application/json') && typed)) {
      let i = 0;
      while (i < fields.length && fields[i].name !== 'content-type') i++;
      if (i < fields.length) fields.splice(i, 1);
      fields.push(contentTypeField(contentType));
    }
    return fields;
  }

  async close(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    this.open.clear();
    for (const p of all) {
      try {
        const c = await p;
        if (c.own) {
          await this.closeOwn(c.own);
          continue;
        }
        if (c.session.closed || c.session.destroyed) continue; // the peer closed it first: no 'close' will come again
        await new Promise<void>((resolve) => {
          // graceful GOAWAY, then destroyed if the peer does not finish within a second
          const timer = setTimeout(() => {
            c.session.destroy();
            resolve();
          }, 1000);
          timer.unref();
          c.session.close(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      } catch {
        // a connection that never opened has nothing to close
      }
    }
  }

  /** GOAWAY, the open streams finish, the socket ends; destroyed if the peer does not finish within a second. */
  private async closeOwn(c: H2Connection): Promise<void> {
    if (c.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        c.destroy();
        resolve();
      }, 1000);
      timer.unref();
      c.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      c.close();
    });
  }
}
