// Hosting a service-based NF on real sockets: its routes on an HTTP/2 server at its own address
// (TS 29.500 5.2), and the client it calls other NFs with, bound to the same address so that the
// capture shows who spoke. Every request an NF sends is a trace event at the moment it is sent
// (the ladder reads in the order the spec writes the steps, nested calls after their trigger).

import type { Clock } from '../../transport/clock.ts';
import { SbiServer } from '../../transport/sbi/server.ts';
import { Http2SbiClient } from '../../transport/sbi/client.ts';
import type { SbiClient, SbiRoute, SbiCallOptions, SbiResult } from './sbi.ts';
import type { WireTap } from '../../transport/tap.ts';
import { trace, traceChannel } from './trace.ts';
import { splitSbiUri } from '../../transport/sbi/uri.ts';

/** Names NFs by their SBI address, for traces ('127.0.0.12' -> 'UDM'). */
export type NfNamer = (host: string) => string;

/** Errors that mean the peer could not be reached at all (as opposed to an answer from it). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EADDRNOTAVAIL', 'EPIPE']);

/**
 * An SbiClient that traces each request as it leaves and its answer as it comes back, and logs a
 * peer it cannot reach with the peer's name, address and the reason ("AUSF 127.0.0.11:8080:
 * ECONNREFUSED"), which the caller's 5GMM/5GSM cause alone does not say.
 */
export class TracingSbiClient implements SbiClient {
  private readonly inner: SbiClient;
  private readonly from: string;
  private readonly nameOf: NfNamer;
  private readonly log: ((line: string) => void) | undefined;

  constructor(inner: SbiClient, from: string, nameOf: NfNamer, log?: (line: string) => void) {
    this.inner = inner;
    this.from = from;
    this.nameOf = nameOf;
    this.log = log;
  }

  call<T = unknown>(method: SbiRoute['method'], uri: string, body?: unknown, opts: SbiCallOptions = {}): Promise<SbiResult<T>> {
    const tracing = traceChannel.hasSubscribers;
    if (!tracing && !this.log) return this.inner.call<T>(method, uri, body, opts);
    // URL's hostname, host and pathname, without a URL object per call (issue 21 goal 3)
    const u = splitSbiUri(uri);
    const to = this.nameOf(u.hostname);
    const operation = opts.operation ?? `${method} ${u.target.split('?')[0]}`;
    // one literal, no spread of a conditional one (trace copies the fields it knows)
    if (tracing) trace({ from: this.from, to, interface: 'SBI', protocol: 'HTTP/2', message: operation, step: opts.step || undefined });
    return this.inner.call<T>(method, uri, body, opts).then(
      (r) => {
        // the answer, drawn in the ladder as the response to the request above (TS 29.500 5.2.7)
        if (traceChannel.hasSubscribers) {
          const step = opts.answerStep?.(r.body);
          trace({ from: to, to: this.from, interface: 'SBI', protocol: 'HTTP/2', message: `${r.status} (${operation})`, response: true, step: step || undefined });
        }
        return r;
      },
      (e: unknown) => {
        const code = (e as NodeJS.ErrnoException).code;
        const timeout = e instanceof Error && e.name === 'SbiTimeoutError';
        if (code && UNREACHABLE.has(code)) this.log?.(`[${this.from}] ${to} ${u.host}: ${code} (${operation} not sent: peer unreachable)`);
        else if (timeout) this.log?.(`[${this.from}] ${to} ${u.host}: no answer in time (${operation})`);
        throw e;
      },
    );
  }
}

export interface SbiHostOptions {
  nf: string;
  address: string;
  port: number;
  routes: SbiRoute[];
  tap?: WireTap;
  nameOf: NfNamer;
  log?: (line: string) => void;
  timeoutMs?: number;
  /** The clock of the client's answer time-outs (transport/sbi/client.ts SbiClientOptions.clock); the real one when absent. */
  clock?: Clock;
  /** Where a request really goes (a roaming network's PLMN routing, nodes/sepp/routing.ts); under the tracing. */
  route?: (inner: SbiClient) => SbiClient;
}

/** An NF's SBI server and its client. */
export class SbiHost {
  readonly server: SbiServer;
  readonly client: SbiClient;
  /** The HTTP/2 client under `client` (its stats: calls, retries, timeouts). */
  readonly http: Http2SbiClient;

  private constructor(server: SbiServer, http: Http2SbiClient, client: SbiClient) {
    this.server = server;
    this.http = http;
    this.client = client;
  }

  /** The client alone (for an NF whose routes are built with it): call `serve` next. */
  static client(o: Omit<SbiHostOptions, 'routes' | 'port'>): { client: SbiClient; http: Http2SbiClient } {
    const http = new Http2SbiClient({ userAgent: o.nf, localAddress: o.address, ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}), ...(o.clock ? { clock: o.clock } : {}) });
    return { http, client: new TracingSbiClient(o.route ? o.route(http) : http, o.nf, o.nameOf, o.log) };
  }

  static async serve(o: SbiHostOptions, c: { client: SbiClient; http: Http2SbiClient }): Promise<SbiHost> {
    const server = await SbiServer.listen({ address: o.address, port: o.port, routes: o.routes, nfType: o.nf, ...(o.log ? { log: o.log } : {}) });
    return new SbiHost(server, c.http, c.client);
  }

  get uri(): string {
    return this.server.uri;
  }

  async close(): Promise<void> {
    await this.server.settled();
    await this.http.close();
    await this.server.close();
  }
}
