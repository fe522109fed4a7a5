// The SBI server (TS 29.500 5, 6): HTTP/2 over cleartext TCP with prior knowledge (h2c), serving
// an NF's route table. JSON and multipart/related bodies in and out; ProblemDetails
// (application/problem+json) for every error TS 29.500 5.2.7 names: 400 INVALID_MSG_FORMAT for a
// body that does not parse, 415 UNSUPPORTED_MEDIA_TYPE, 404 RESOURCE_URI_STRUCTURE_NOT_FOUND,
// 405, and 500 SYSTEM_FAILURE when a handler fails (logged; the server keeps serving).
// A response's `after` task runs once the response is sent.

import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { matchRoute, SbiProblem, SbiMultipart, type SbiRoute, type SbiResponse, type ProblemDetails } from './api.ts';
import { decodeMultipart, encodeMultipart, type MultipartPart } from '../../codecs/bytes/multipart.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';

export interface SbiServerOptions {
  address: string;
  port: number;
  routes: SbiRoute[];
  /** NF type for the Server header (TS 29.500 5.2.3.2, "Server: <NF type>"). */
  nfType: string;
  log?: (line: string) => void;
  /** Observes each handled request (for traces): operation, status. */
  onRequest?: (e: { method: string; path: string; operation?: string; status: number; from: string }) => void;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function isJson(ct: string): boolean {
  const base = ct.split(';')[0].trim().toLowerCase();
  return base === 'application/json' || base.endsWith('+json');
}

/** Parses a request body by Content-Type; throws SbiProblem 400/415. */
export function parseSbiBody(contentType: string | undefined, raw: Uint8Array): unknown {
  if (raw.length === 0) return undefined;
  const ct = contentType ?? '';
  if (isJson(ct)) {
    try {
      return JSON.parse(dec.decode(raw));
    } catch (e) {
      throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `body is not JSON: ${(e as Error).message}`);
    }
  }
  if (ct.toLowerCase().startsWith('multipart/related')) {
    let parts: MultipartPart[];
    try {
      parts = decodeMultipart(ct, raw);
    } catch (e) {
      if (e instanceof DecodeError) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', e.message);
      throw e;
    }
    const jsonPart = parts.find((p) => isJson(p.contentType));
    let json: unknown;
    try {
      json = jsonPart ? JSON.parse(dec.decode(jsonPart.body)) : undefined;
    } catch (e) {
      throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `JSON part does not parse: ${(e as Error).message}`);
    }
    const binaries: Record<string, { contentType: string; data: Uint8Array }> = {};
    for (const p of parts) if (p !== jsonPart && p.contentId) binaries[p.contentId] = { contentType: p.contentType, data: p.body };
    return new SbiMultipart(json, binaries);
  }
  throw new SbiProblem(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type ${ct || '(none)'} is not supported`);
}

/** Serializes a body: JSON, problem+json, or multipart/related. */
export function serializeSbiBody(body: unknown, problem: boolean): { contentType?: string; data?: Uint8Array } {
  if (body === undefined) return {};
  if (body instanceof SbiMultipart) {
    const parts: MultipartPart[] = [{ contentType: 'application/json', body: enc.encode(JSON.stringify(body.json)) }];
    for (const [id, b] of Object.entries(body.binaries)) parts.push({ contentType: b.contentType, contentId: id, body: b.data });
    const m = encodeMultipart(parts);
    return { contentType: m.contentType, data: m.body };
  }
  return { contentType: problem ? 'application/problem+json' : 'application/json', data: enc.encode(JSON.stringify(body)) };
}

export class SbiServer {
  private readonly server: http2.Http2Server;
  private readonly opts: SbiServerOptions;
  private readonly pendingAfter = new Set<Promise<void>>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  /**
   * `cancelled`: requests the consumer reset (RST_STREAM) before they were answered;
   * `undelivered`: responses with an undo task that the consumer never received.
   */
  readonly stats = { requests: 0, errors: 0, badRequests: 0, cancelled: 0, undelivered: 0 };

  private constructor(opts: SbiServerOptions) {
    this.opts = opts;
    this.server = http2.createServer();
    this.server.on('session', (s) => {
      this.sessions.add(s);
      s.on('close', () => this.sessions.delete(s));
      s.on('error', (e) => this.log(`session error: ${e.message}`));
    });
    this.server.on('stream', (stream, headers) => this.onStream(stream, headers));
    this.server.on('sessionError', (e) => this.log(`session error: ${e.message}`));
  }

  static async listen(opts: SbiServerOptions): Promise<SbiServer> {
    const s = new SbiServer(opts);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(opts.port, opts.address, () => {
        s.server.off('error', reject);
        resolve();
      });
    });
    return s;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get uri(): string {
    return `http://${this.opts.address}:${this.port}`;
  }

  /** Resolves when no request is being handled and every `after` (or `undelivered`) task started so far has finished. */
  async settled(): Promise<void> {
    while (this.pendingAfter.size) await Promise.allSettled([...this.pendingAfter]);
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
    stream.on('end', () => {
      // counted like an after task, so settled() also waits for requests being handled
      const p: Promise<void> = this.handle(stream, headers, new Uint8Array(Buffer.concat(chunks))).finally(() => this.pendingAfter.delete(p));
      this.pendingAfter.add(p);
    });
  }

  private async handle(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, raw: Uint8Array): Promise<void> {
    const method = String(headers[':method'] ?? 'GET');
    const url = new URL(String(headers[':path'] ?? '/'), 'http://sbi');
    this.stats.requests++;
    let res: SbiResponse;
    let operation: string | undefined;
    try {
      const m = matchRoute(this.opts.routes, method, url.pathname);
      if (m === undefined) throw new SbiProblem(404, 'RESOURCE_URI_STRUCTURE_NOT_FOUND', `${method} ${url.pathname}`);
      if (m === 'method-not-allowed') throw new SbiProblem(405, 'METHOD_NOT_ALLOWED', `${method} ${url.pathname}`);
      operation = m.route.operation;
      const body = parseSbiBody(headers['content-type'], raw);
      const hs: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(headers)) if (!k.startsWith(':')) hs[k] = Array.isArray(v) ? v.join(', ') : v;
      res = await m.route.handler({ method, path: url.pathname, params: m.params, query: Object.fromEntries(url.searchParams), headers: hs, body });
    } catch (e) {
      if (e instanceof SbiProblem) {
        if (e.problem.status === 400 || e.problem.status === 415) this.stats.badRequests++;
        res = { status: e.problem.status, body: { ...e.problem, instance: url.pathname } satisfies ProblemDetails };
      } else {
        this.stats.errors++;
        this.log(`handler for ${method} ${url.pathname} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        res = { status: 500, body: { status: 500, cause: 'SYSTEM_FAILURE', detail: e instanceof Error ? e.message : String(e), instance: url.pathname } satisfies ProblemDetails };
      }
    }
    this.opts.onRequest?.({ method, path: url.pathname, ...(operation ? { operation } : {}), status: res.status, from: stream.session?.socket?.remoteAddress ?? '' });
    const { contentType, data } = serializeSbiBody(res.body, res.status >= 400);
    const out: http2.OutgoingHttpHeaders = { ':status': res.status, server: this.opts.nfType, ...(res.headers ?? {}) };
    if (contentType) out['content-type'] = contentType;
    let delivered = !(stream.destroyed || stream.closed);
    if (delivered) {
      try {
        stream.respond(out, { endStream: data === undefined });
        if (data !== undefined) stream.end(data);
      } catch (e) {
        this.log(`could not send the response: ${(e as Error).message}`);
        delivered = false;
      }
    }
    if (!res.after && !res.undelivered) return;
    const what = operation ?? url.pathname;
    if (!res.undelivered) {
      // the work after the answer is due whether or not the consumer got it (a release's clean-up)
      this.track(res.after!, what);
      return;
    }
    const undelivered = res.undelivered;
    const after = res.after;
    // A 201 the consumer never read must be undone: the stream closing with RST_STREAM (the
    // consumer gave up, RFC 9113 6.4) or before the answer was written means it was not received.
    const decide = (): void => {
      if (delivered && stream.rstCode === http2.constants.NGHTTP2_NO_ERROR) {
        if (after) this.track(after, what);
        return;
      }
      this.stats.undelivered++;
      this.log(`the response to ${method} ${url.pathname} was not delivered (stream ${delivered ? `reset, code ${String(stream.rstCode)}` : 'closed before the answer'}): undoing it`);
      this.track(async () => void (await undelivered()), `${what} (undelivered)`);
    };
    if (!delivered || stream.closed || stream.destroyed) {
      decide();
      return;
    }
    let release!: () => void;
    const waiting = new Promise<void>((r) => (release = r));
    this.pendingAfter.add(waiting);
    stream.once('close', () => {
      this.pendingAfter.delete(waiting);
      decide();
      release();
    });
  }

  /** Runs an after-response task, counted until it settles; a failure is logged. */
  private track(task: () => Promise<void>, what: string): void {
    const p: Promise<void> = task()
      .catch((e: unknown) => this.log(`after-response task of ${what} failed: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => this.pendingAfter.delete(p));
    this.pendingAfter.add(p);
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.close();
    // sessions whose clients do not end their streams within a second are destroyed
    const timer = setTimeout(() => {
      for (const s of this.sessions) s.destroy();
    }, 1000);
    timer.unref();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    clearTimeout(timer);
  }
}
