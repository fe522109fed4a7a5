// What a network function's service logic sees of the SBI (TS 29.500): routes of
// `/{apiName}/{apiVersion}/...` with path parameters, JSON bodies in and out, ProblemDetails
// errors (TS 29.571 5.2.4.1), and a client that calls other NFs by URI. The HTTP/2 transport
// (transport/sbi) carries them; NF logic is written against these types only, so it is tested
// without sockets and served over real ones unchanged.

import { decodeComponent } from './uri.ts';

export interface SbiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  body: unknown;
}

export interface SbiResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /**
   * Work the spec orders after the response (e.g. TS 23.502 4.16.6 step 8 follows the step 7
   * acknowledgement). The server runs it once the response is sent; the NF tracks it so a run can
   * wait for quiescence before auditing its ledger. It runs whether or not the response reached
   * the consumer (the work the spec orders after it, e.g. a release's clean-up, is due either
   * way), unless `undelivered` is given and the response was not delivered.
   */
  after?: () => Promise<void>;
  /**
   * Runs instead of `after` when the response never reached the consumer: the stream was reset
   * (the consumer's request timed out and it sent RST_STREAM, RFC 9113 6.4) or closed before the
   * answer could be sent. A producer that created something for this response (201) undoes it
   * here: the consumer does not know the resource and will never delete it.
   */
  undelivered?: () => Promise<void> | void;
}

/**
 * A multipart/related body (TS 29.500 6.1.2.4): the JSON part and the binary parts by
 * Content-ID. Request bodies arrive as this when the Content-Type is multipart/related; a handler
 * or client sends one by using it as the body.
 */
export class SbiMultipart<J = unknown> {
  readonly json: J;
  readonly binaries: Record<string, { contentType: string; data: Uint8Array }>;
  constructor(json: J, binaries: Record<string, { contentType: string; data: Uint8Array }>) {
    this.json = json;
    this.binaries = binaries;
  }
}

/** Media types TS 29.502/29.518 use for binary N1 and N2 parts (Wireshark dissects both). */
export const N1_CONTENT_TYPE = 'application/vnd.3gpp.5gnas';
export const N2_CONTENT_TYPE = 'application/vnd.3gpp.ngap';

export type SbiHandler = (req: SbiRequest) => Promise<SbiResponse> | SbiResponse;

export interface SbiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** e.g. `/nudm-sdm/v2/{supi}/am-data` */
  path: string;
  /** The service operation, for traces and the ladder, e.g. 'Nudm_SDM_Get'. */
  operation: string;
  handler: SbiHandler;
}

/** TS 29.571 5.2.4.1 ProblemDetails. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  instance?: string;
  cause?: string;
  invalidParams?: { param: string; reason?: string }[];
}

/** Thrown by service logic to answer with a ProblemDetails body. */
export class SbiProblem extends Error {
  readonly problem: ProblemDetails;
  constructor(status: number, cause: string, detail?: string) {
    super(`${status} ${cause}${detail ? `: ${detail}` : ''}`);
    this.name = 'SbiProblem';
    this.problem = { status, cause, ...(detail ? { detail } : {}) };
  }
}

/** The result of a client call: status, headers and the decoded JSON body. */
export interface SbiResult<T = unknown> {
  status: number;
  headers: Record<string, string | undefined>;
  body: T;
}

export interface SbiCallOptions {
  headers?: Record<string, string>;
  /** Spec step for the trace and the capture comment, e.g. '4.2.2.3.2 step 2'. */
  step?: string;
  /** The service operation name, e.g. 'Nsmf_PDUSession_ReleaseSMContext'. */
  operation?: string;
  timeoutMs?: number;
  /** Spec step for the trace of the answer, decided from its body (an answer is a step of its own, e.g. '4.2.2.2.4 step 5'). */
  answerStep?: (body: unknown) => string | undefined;
  /**
   * The answer if it comes after the call timed out (the caller got SbiTimeoutError). A consumer
   * whose request creates a resource undoes it here: the producer answered 201 and counts it
   * delivered, and nobody else knows the resource. Without it a timed-out stream is reset at once.
   */
  lateAnswer?: (r: SbiResult<unknown>) => Promise<void> | void;
}

/** How NF logic calls another NF. `uri` is absolute: `http://127.0.0.12:8080/nudm-sdm/v2/...`. */
export interface SbiClient {
  call<T = unknown>(method: SbiRoute['method'], uri: string, body?: unknown, opts?: SbiCallOptions): Promise<SbiResult<T>>;
}

/** Answers with `status` and a JSON body; a 201 also carries the Location of the new resource. */
export function created(location: string, body: unknown): SbiResponse {
  return { status: 201, headers: { location }, body };
}

export function ok(body: unknown): SbiResponse {
  return { status: 200, body };
}

export const noContent: SbiResponse = { status: 204 };

/** Validates that `body` is a JSON object, else 400 MANDATORY_IE_MISSING / INVALID_MSG_FORMAT. */
export function objectBody(req: SbiRequest): Record<string, unknown> {
  if (req.body instanceof SbiMultipart) {
    const j = req.body.json;
    if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', 'the JSON part must be an object');
    return j as Record<string, unknown>;
  }
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw new SbiProblem(400, 'INVALID_MSG_FORMAT', 'a JSON object body is required');
  return req.body as Record<string, unknown>;
}

/** The binary part a JSON RefToBinaryData (`{contentId}`) points to, e.g. `n1SmMsg`. */
export function binaryPart(req: Pick<SbiRequest, 'body'>, ref: unknown): Uint8Array | undefined {
  const id = (ref as { contentId?: unknown } | undefined)?.contentId;
  if (typeof id !== 'string' || !(req.body instanceof SbiMultipart)) return undefined;
  return req.body.binaries[id]?.data;
}

export function requireString(o: Record<string, unknown>, field: string): string {
  const v = o[field];
  if (typeof v !== 'string' || v === '') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', `${field} is required`);
  return v;
}

/**
 * The ProblemDetails of an error answer's JSON: the body itself, or its `error` member for the
 * error types that wrap one (TS 29.518 N1N2MessageTransferError, TS 29.502 SmContextCreateError, ...).
 */
export function problemOf(json: unknown): Partial<ProblemDetails> | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const p = json as Partial<ProblemDetails> & { error?: unknown };
  return p.cause === undefined && typeof p.error === 'object' && p.error !== null ? (p.error as Partial<ProblemDetails>) : p;
}

/** Fails a call that did not return one of the expected statuses with the peer's problem. */
export function expectStatus<T>(r: SbiResult<T>, ...statuses: number[]): T {
  if (!statuses.includes(r.status)) {
    const p = problemOf(r.body);
    throw new SbiProblem(r.status, p?.cause ?? 'UNEXPECTED_STATUS', p?.detail ?? `expected ${statuses.join('/')}`);
  }
  return r.body;
}

interface CompiledRoute {
  route: SbiRoute;
  /** Its place in the table: of two routes serving a path, the earlier wins. */
  index: number;
  /** Its `{name}` parameters and the segments they are at (0: before the leading `/`). */
  params: { name: string; at: number }[];
}

/**
 * A route table compiled once into a tree of its paths' segments (the parts between `/`, the
 * leading empty one included): a literal segment is a child by its text, a `{name}` segment the
 * one parameter child (any segment but the empty one). A path is matched by walking it in place
 * (no array of its segments, no substring but a parameter's), instead of splitting it and
 * comparing it with each route of its API (matchRoute was 1.4% of a run's CPU).
 */
interface RouteNode {
  /** Literal children, by their text (a few per node). */
  literals: { text: string; node: RouteNode }[];
  param: RouteNode | undefined;
  /** The routes whose path ends here, in table order. */
  routes: CompiledRoute[];
  /** The lowest table index of a route here or below (a walk skips a subtree that cannot win). */
  first: number;
}

/** Route tables compiled once, keyed by the table. */
const compiled = new WeakMap<SbiRoute[], RouteNode>();

function node(first: number): RouteNode {
  return { literals: [], param: undefined, routes: [], first };
}

function compile(routes: SbiRoute[]): RouteNode {
  let root = compiled.get(routes);
  if (root) return root;
  root = node(0);
  routes.forEach((route, index) => {
    let n = root!;
    const params: CompiledRoute['params'] = [];
    route.path.split('/').forEach((p, at) => {
      if (p.startsWith('{') && p.endsWith('}')) {
        params.push({ name: p.slice(1, -1), at });
        n = n.param ??= node(index);
        return;
      }
      let lit = n.literals.find((l) => l.text === p);
      if (!lit) n.literals.push((lit = { text: p, node: node(index) }));
      n = lit.node;
    });
    n.routes.push({ route, index, params });
  });
  compiled.set(routes, root);
  return root;
}

/** A path parameter's value, percent-decoded; one that does not decode is the consumer's malformed request. */
function pathParameter(segment: string): string {
  try {
    return decodeComponent(segment);
  } catch {
    throw new SbiProblem(400, 'INVALID_MSG_FORMAT', `path segment ${segment} is not percent-encoded UTF-8 (RFC 3986 2.1)`);
  }
}

/** A walk's findings: the earliest route for the method, whether any route serves the path, and where its segments start and end. */
let found: CompiledRoute | undefined;
let pathMatched = false;
const starts: number[] = [];
const ends: number[] = [];

/** Walks segment `depth` of `path`, which starts at `from` (-1: the path has no more). */
function walk(n: RouteNode, path: string, from: number, depth: number, method: string): void {
  if (found !== undefined && found.index < n.first) return;
  if (from < 0) {
    for (const r of n.routes) {
      pathMatched = true;
      if (r.route.method !== method) continue;
      if (found === undefined || r.index < found.index) found = r;
      break;
    }
    return;
  }
  const slash = path.indexOf('/', from);
  const end = slash < 0 ? path.length : slash;
  const next = slash < 0 ? -1 : slash + 1;
  starts[depth] = from;
  ends[depth] = end;
  for (const { text, node } of n.literals) {
    if (text.length === end - from && path.startsWith(text, from)) {
      walk(node, path, next, depth + 1, method);
      break;
    }
  }
  if (n.param !== undefined && end > from) walk(n.param, path, next, depth + 1, method);
}

/**
 * Matches a request path against route patterns; returns the route and its parameters. Of the
 * routes serving the path with the method, the first in the table; 'method-not-allowed' when
 * routes serve the path with other methods only. Throws SbiProblem 400 for the matched route's
 * parameter that does not percent-decode.
 */
export function matchRoute(routes: SbiRoute[], method: string, path: string): { route: SbiRoute; params: Record<string, string> } | 'method-not-allowed' | undefined {
  return matchCompiled(compile(routes), method, path);
}

/** A route table compiled (the tree matchRoute walks), for a server that keeps it instead of finding it per request. */
export type CompiledRoutes = RouteNode;

/** The table compiled, once per table (later calls return the same tree). */
export function compileRoutes(routes: SbiRoute[]): CompiledRoutes {
  return compile(routes);
}

/** matchRoute over a compiled table. */
export function matchCompiled(table: CompiledRoutes, method: string, path: string): { route: SbiRoute; params: Record<string, string> } | 'method-not-allowed' | undefined {
  found = undefined;
  pathMatched = false;
  walk(table, path, 0, 0, method);
  const r = found as CompiledRoute | undefined;
  found = undefined;
  if (r === undefined) return pathMatched ? 'method-not-allowed' : undefined;
  const params: Record<string, string> = {};
  for (const { name, at } of r.params) params[name] = pathParameter(path.slice(starts[at], ends[at]));
  return { route: r.route, params };
}

/** For `.catch(ignoreProblem)`: a call whose error answer changes nothing for the caller (other errors still throw). */
export function ignoreProblem(e: unknown): undefined {
  if (e instanceof SbiProblem) return undefined;
  throw e;
}
