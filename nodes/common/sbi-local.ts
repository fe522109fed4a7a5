// An in-process SBI: calls are dispatched straight to route tables, with the same status,
// ProblemDetails and `after` semantics the HTTP/2 server applies. For service-logic tests; the
// running network always goes through transport/sbi.

import { matchRoute, SbiProblem, SbiMultipart, type SbiClient, type SbiResult, type SbiRoute, type SbiResponse } from './sbi.ts';

export interface LocalCall {
  method: string;
  uri: string;
  operation?: string;
  step?: string;
  status: number;
}

export class LocalSbi implements SbiClient {
  private readonly servers = new Map<string, SbiRoute[]>();
  readonly calls: LocalCall[] = [];
  private readonly pendingAfter = new Set<Promise<void>>();

  /** Serves `routes` at `origin` (e.g. 'http://127.0.0.20:8080'). */
  serve(origin: string, routes: SbiRoute[]): this {
    this.servers.set(origin, [...(this.servers.get(origin) ?? []), ...routes]);
    return this;
  }

  /** Resolves when every `after` task started so far has finished. */
  async settled(): Promise<void> {
    while (this.pendingAfter.size) await Promise.all([...this.pendingAfter]);
  }

  async call<T = unknown>(method: SbiRoute['method'], uri: string, body?: unknown, opts: { operation?: string; step?: string; headers?: Record<string, string> } = {}): Promise<SbiResult<T>> {
    const u = new URL(uri);
    const routes = this.servers.get(u.origin);
    let res: SbiResponse;
    if (!routes) throw new Error(`no NF serves ${u.origin}`);
    try {
      // in the try: a parameter that does not percent-decode is a 400 here as on the server
      const m = matchRoute(routes, method, u.pathname);
      if (m === undefined) res = { status: 404, body: { status: 404, cause: 'RESOURCE_URI_STRUCTURE_NOT_FOUND' } };
      else if (m === 'method-not-allowed') res = { status: 405, body: { status: 405, cause: 'METHOD_NOT_ALLOWED' } };
      else {
        res = await m.route.handler({
          method,
          path: u.pathname,
          params: m.params,
          query: Object.fromEntries(u.searchParams),
          headers: opts.headers ?? {},
          body: body === undefined || body instanceof SbiMultipart ? body : JSON.parse(JSON.stringify(body)),
        });
      }
    } catch (e) {
      if (!(e instanceof SbiProblem)) throw e;
      res = { status: e.problem.status, body: e.problem };
    }
    this.calls.push({ method, uri, status: res.status, ...(opts.operation ? { operation: opts.operation } : {}), ...(opts.step ? { step: opts.step } : {}) });
    if (res.after) {
      const p: Promise<void> = res.after().finally(() => this.pendingAfter.delete(p));
      this.pendingAfter.add(p);
    }
    return { status: res.status, headers: res.headers ?? {}, body: (res.body === undefined || res.body instanceof SbiMultipart ? res.body : JSON.parse(JSON.stringify(res.body))) as T };
  }
}
