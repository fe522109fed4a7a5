// One SBI service operation as data (TS 29.501 4.4, 5.2): its name, the API it belongs to
// (`{apiRoot}/{apiName}/{apiVersion}`), method, resource path template, the status codes TS 29.5xx
// documents, and, through the generated OpenAPI types (nodes/common/sbi-types), the types of its
// request body, query and responses. Consumer clients (client.ts) and producer routes
// (routes.ts) are built from these records, so the URL, the status codes and the body types of an
// operation are written once, in operations.ts.

import type { SbiMultipart } from '../../../transport/sbi/api.ts';
import { encodeComponent, decodeComponent } from '../../../transport/sbi/uri.ts';

export type SbiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The body a media-type map of the OpenAPI `content` carries: JSON (incl. patches) or multipart. */
export type BodyOfContent<C> =
  | (C extends { 'application/json': infer J } ? J : never)
  | (C extends { 'application/merge-patch+json': infer J } ? J : never)
  | (C extends { 'application/json-patch+json': infer J } ? J : never)
  | (C extends { 'application/3gppHal+json': infer J } ? J : never)
  | (C extends { 'multipart/related': { jsonData?: infer J } } ? SbiMultipart<J> : never);

/** The request body type of a generated operation (`undefined` when it has none). */
export type RequestBodyOf<O> = O extends { requestBody: { content: infer C } }
  ? BodyOfContent<C>
  : O extends { requestBody?: { content: infer C } }
    ? BodyOfContent<C> | undefined
    : undefined;

/** The body type of the responses with status S. */
export type ResponseBodyOf<O, S extends number> = O extends { responses: infer R }
  ? S extends keyof R
    ? R[S] extends { content: infer C }
      ? BodyOfContent<C>
      : undefined
    : never
  : never;

/** The documented status codes of an operation. */
export type StatusOf<O> = O extends { responses: infer R } ? Extract<keyof R, number> : never;

/** The query parameters of an operation. */
export type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? ([Q] extends [never] ? never : Q) : never;

/** The generated operation at `paths[path][method]` (never when the API has no such operation). */
export type OperationAt<P, Path extends keyof P, M extends SbiMethod> = P[Path] extends { [K in Lowercase<M>]: infer O } ? O : never;

/** The methods a generated path item defines (absent ones are `get?: never`). */
export type MethodsOf<PI> = { [K in SbiMethod]: Lowercase<K> extends keyof PI ? (PI[Lowercase<K>] extends undefined ? never : K) : never }[SbiMethod];

/** `'/{ueId}/registrations/smf-registrations/{pduSessionId}'` -> `['ueId', 'pduSessionId']`. */
export type PathParamNames<T extends string> = T extends `${string}{${infer N}}${infer Rest}` ? [N, ...PathParamNames<Rest>] : [];
/** One string (or number) argument per path parameter, in template order. */
export type PathArgs<T extends string> = T extends `${string}{${string}}${infer Rest}` ? [string | number, ...PathArgs<Rest>] : [];

/**
 * How a consumer names the target of the operation:
 * - 'api': the producer's apiRoot (e.g. `http://127.0.0.12:8080`) and the path parameters;
 * - 'resource': the URI of a resource the producer created (the Location of a 201, or a `_links`
 *   href), matched against `resource`, the template of that resource; the operation's path
 *   extends it (`/sm-contexts/{smContextRef}` -> `/sm-contexts/{smContextRef}/release`);
 * - 'callback': a URI the consumer was given (notificationUri, smContextStatusUri, ...), used as is.
 */
export type TargetKind = 'api' | 'resource' | 'callback';

export interface SbiOperation<O = unknown, S extends number = number, T extends string = string, K extends TargetKind = TargetKind> {
  /** The service operation's name, TS 29.5xx clause 5 (traces, the ladder, capture comments). */
  readonly name: string;
  /** `{apiName}`, e.g. 'nudm-uecm' (TS 29.501 4.4.1); for callbacks, our own callback API. */
  readonly api: string;
  /** `{apiVersion}`, e.g. 'v1'. */
  readonly version: string;
  /** The OpenAPI file (spec/openapi-rel18/<spec>.yaml) defining it. */
  readonly spec: string;
  readonly method: SbiMethod;
  /** The path under the API root, as the OpenAPI file's `paths` key (or our callback path). */
  readonly path: T;
  readonly target: K;
  /** For 'resource' operations: the template of the resource its target URI names. */
  readonly resource?: string;
  /** For callbacks: the schema of the notification body in `spec`'s components. */
  readonly schema?: string;
  /** For callbacks: what the notification appends to the URI handed out (`{notificationUri}/update`). */
  readonly suffix?: string;
  /** The 2xx codes the specification documents for this operation. */
  readonly success: readonly S[];
  /** Request media type when it is not application/json (JSON Patch, merge patch). */
  readonly contentType?: string;
  /** Phantom: the generated operation type. */
  readonly _types?: O;
}

/** The full resource path an operation is served at: `/nudm-uecm/v1/{ueId}/registrations/...`. */
export function routePath(op: SbiOperation): string {
  return `/${op.api}/${op.version}${op.path}`;
}

/**
 * Defines the operations of one API from its generated `paths`: a path or method the OpenAPI file
 * does not define, or a success code it does not document, is a compile error.
 */
export function api<P>(api: string, version: string, spec: string) {
  return {
    /** An operation addressed by the producer's apiRoot and its path parameters. */
    op<T extends keyof P & string, M extends MethodsOf<P[T]>, const S extends StatusOf<OperationAt<P, T, M>>>(
      name: string,
      method: M,
      path: T,
      success: readonly S[],
      more: { contentType?: string } = {},
    ): SbiOperation<OperationAt<P, T, M>, S, T, 'api'> {
      return { name, api, version, spec, method, path, target: 'api', success, ...more };
    },
    /** An operation on a resource the producer created: the consumer passes its URI. */
    onResource<T extends keyof P & string, M extends MethodsOf<P[T]>, const S extends StatusOf<OperationAt<P, T, M>>>(
      name: string,
      method: M,
      path: T,
      resource: string,
      success: readonly S[],
      more: { contentType?: string } = {},
    ): SbiOperation<OperationAt<P, T, M>, S, T, 'resource'> {
      if (!path.startsWith(resource)) throw new Error(`${name}: ${path} is not under ${resource}`);
      return { name, api, version, spec, method, path, target: 'resource', resource, success, ...more };
    },
  };
}

/**
 * A callback operation's generated-like type: POST of `Body`, answered with 204 or 200 with `Res`.
 * A callback that answers with a body may carry binary parts beside it (multipart/related, TS
 * 29.500 6.1: e.g. VsmfUpdatedData with the UE's N1 SM message, TS 29.502 6.1.6.2.33), and so may
 * its request (VsmfUpdateData with the Release Command).
 */
export interface CallbackOperation<Body, Res = undefined> {
  requestBody: { content: [Res] extends [undefined] ? { 'application/json': Body } : { 'application/json': Body } | { 'multipart/related': { jsonData?: Body } } };
  responses: { 200: { content: [Res] extends [undefined] ? { 'application/json': Res } : { 'application/json': Res } | { 'multipart/related': { jsonData?: Res } } }; 204: { headers: { [name: string]: unknown }; content?: never } };
}

/**
 * A notification sent to a callback URI the consumer handed out (TS 29.501 4.6.4): its body is the
 * component `schema` of `spec`; `path` is where wire5g's own NFs serve it.
 */
export function callback<Body, Res = undefined>(
  name: string,
  spec: string,
  schema: string,
  api: string,
  path: string,
  success: readonly (200 | 204)[],
  suffix?: string,
): SbiOperation<CallbackOperation<Body, Res>, 200 | 204, string, 'callback'> {
  return { name, api, version: 'v1', spec, method: 'POST', path, target: 'callback', schema, success, ...(suffix ? { suffix } : {}) };
}

/**
 * A path template split once (issue 21: filling and parsing paths per call was ~1% of a run's CPU,
 * docs/decisions/21-nf-cpu.md): `literals[i]` precedes parameter `names[i]`, the last literal ends
 * it; `segments` are its `/`-separated parts, a parameter's as its name, a literal's as undefined
 * beside the literal text.
 */
interface CompiledTemplate {
  readonly names: readonly string[];
  readonly literals: readonly string[];
  readonly segments: readonly { literal?: string; param?: string }[];
}

const templates = new Map<string, CompiledTemplate>();

function compiled(template: string): CompiledTemplate {
  let c = templates.get(template);
  if (c) return c;
  const names: string[] = [];
  const literals: string[] = [];
  let at = 0;
  for (const m of template.matchAll(/\{([^}]+)\}/g)) {
    literals.push(template.slice(at, m.index));
    names.push(m[1]);
    at = m.index + m[0].length;
  }
  literals.push(template.slice(at));
  const segments = template.split('/').map((p) => (p.startsWith('{') && p.endsWith('}') ? { param: p.slice(1, -1) } : { literal: p }));
  c = { names, literals, segments };
  // the templates are those of the operations table and our own resources: a bounded set
  templates.set(template, c);
  return c;
}

/** Fills a path template: `fill('/{ueId}/sdm-subscriptions', {ueId: 'imsi-1'})`. */
export function fillPath(template: string, params: Record<string, string | number>): string {
  const { names, literals } = compiled(template);
  let out = literals[0];
  for (let i = 0; i < names.length; i++) {
    const v = params[names[i]];
    if (v === undefined) throw new Error(`path parameter ${names[i]} missing for ${template}`);
    out += encodeComponent(String(v)) + literals[i + 1];
  }
  return out;
}

/** Fills a path template from the values of its parameters in template order. */
export function fillPathInOrder(template: string, values: readonly unknown[]): string {
  const { names, literals } = compiled(template);
  let out = literals[0];
  for (let i = 0; i < names.length; i++) {
    const v = values[i];
    if (v === undefined) throw new Error(`path parameter ${names[i]} missing for ${template}`);
    out += encodeComponent(String(v)) + literals[i + 1];
  }
  return out;
}

/** The names of a template's path parameters, in order. */
export function paramNames(template: string): readonly string[] {
  return compiled(template).names;
}

/**
 * `http://host[:port]` and the path of an absolute http URI whose parse by the WHATWG URL parser
 * would change nothing: a dotted IPv4 address without leading zeros or a lower-case host name with
 * no `xn--` label (the parser's domain to ASCII decodes such a label's Punycode, UTS #46 section 4
 * step 4, and refuses a bad one), a port that is not 80 and has no leading zero, a path of
 * characters the parser keeps as they are and no `.`/`..` segment. Anything else (undefined) goes
 * through `new URL`.
 */
const PLAIN_URI = /^(http:\/\/(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}|[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*)*)(?::([1-9]\d{0,4}))?)(\/[A-Za-z0-9\-_~!$&'()*+,;=:@%/.]*)$/;

function splitUri(uri: string): { origin: string; pathname: string } | undefined {
  const m = PLAIN_URI.exec(uri);
  const port = m?.[2] === undefined ? 0 : Number(m[2]);
  if (m && port !== 80 && !m[1].includes('xn--') && port <= 65535 && !/\/\.\.?(\/|$)/.test(m[3]) && !/%2e/i.test(m[3])) return { origin: m[1], pathname: m[3] };
  try {
    const u = new URL(uri);
    return { origin: u.origin, pathname: u.pathname };
  } catch {
    return undefined;
  }
}

/**
 * Splits a resource URI the producer gave (`http://h:p[/prefix]/{apiName}/{apiVersion}/...`)
 * against an operation's resource template: the apiRoot and the path parameters; undefined when
 * the URI is not such a resource of this API.
 */
export function parseResourceUri(op: SbiOperation, uri: string): { apiRoot: string; params: Record<string, string> } | undefined {
  const u = splitUri(uri);
  if (!u) return undefined;
  const marker = `/${op.api}/${op.version}/`;
  const at = u.pathname.indexOf(marker);
  if (at < 0 || !op.resource) return undefined;
  const rest = u.pathname.slice(at + marker.length - 1).split('/');
  const pattern = compiled(op.resource).segments;
  if (rest.length !== pattern.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.param !== undefined) {
      if (rest[i] === '') return undefined;
      params[p.param] = decodeComponent(rest[i]);
    } else if (p.literal !== rest[i]) return undefined;
  }
  return { apiRoot: u.origin + u.pathname.slice(0, at), params };
}

/** A 'resource' operation's resource template, compiled once (see plainResourceTarget). */
export interface ResourceShape {
  /** `/{apiName}/{apiVersion}/`, where the resource's path begins in its URI. */
  readonly marker: string;
  readonly segments: CompiledTemplate['segments'];
  /** What the operation's path adds to the resource's (`/modify`), when it has no parameter of its own. */
  readonly tail: string | undefined;
}

export function resourceShape(op: SbiOperation): ResourceShape | undefined {
  if (!op.resource) return undefined;
  const tail = op.path.slice(op.resource.length);
  return { marker: `/${op.api}/${op.version}/`, segments: compiled(op.resource).segments, tail: tail.includes('{') ? undefined : tail };
}

/**
 * A parameter segment that decodes and encodes to itself: RFC 3986 unreserved characters and what
 * encodeURIComponent also leaves (`!*'()`), none a `%`; not a dot segment (URL would resolve it).
 */
function plainSegment(uri: string, from: number, to: number): boolean {
  if (to - from <= 2 && uri.charCodeAt(from) === 0x2e && (to - from === 1 || uri.charCodeAt(from + 1) === 0x2e)) return false;
  for (let i = from; i < to; i++) {
    const c = uri.charCodeAt(i);
    const alnum = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
    if (!alnum && c !== 0x2d && c !== 0x5f && c !== 0x2e && c !== 0x21 && c !== 0x7e && c !== 0x2a && c !== 0x27 && c !== 0x28 && c !== 0x29) return false;
  }
  return true;
}

/**
 * `http://host[:port]` prefixes splitUri takes as they are (few: one per producer), checked once
 * each. A set, looked up by the URI's text up to its first `/` after the scheme: a scan comparing
 * the URI with each prefix in turn cost 220-250 ns against 75 (14 producers whose addresses differ
 * in their last characters, docs/decisions/21-sbi-4.md).
 */
const plainAuthorities = new Set<string>();

/** The length of `uri`'s `http://host[:port]` when it is one splitUri takes as it is, else -1. */
function plainAuthority(uri: string): number {
  // an authority has no `/`: the one known is all of the URI up to the first `/` after `http://`
  const slash = uri.indexOf('/', 7);
  if (slash < 0) return -1;
  const a = uri.slice(0, slash);
  if (plainAuthorities.has(a)) return slash;
  if (!uri.startsWith('http://')) return -1;
  const m = PLAIN_URI.exec(`${a}/`);
  const port = m?.[2] === undefined ? 0 : Number(m[2]);
  if (!m || port === 80 || port > 65535 || a.includes('xn--')) return -1;
  if (plainAuthorities.size >= 64) plainAuthorities.clear();
  plainAuthorities.add(a);
  return slash;
}

/**
 * The URI a 'resource' operation is sent to, `uri` followed by the rest of its path, when that is
 * what parseResourceUri and fillPath would build (issue 21 goal 3: they made a parameters object,
 * a split and the same string again per call): an authority splitUri takes as it is, directly
 * followed by the API, the resource's segments where the template has them, each parameter of
 * characters that decode and encode to themselves. Undefined otherwise: the caller parses and
 * fills as before.
 */
export function plainResourceTarget(shape: ResourceShape, uri: string): string | undefined {
  if (shape.tail === undefined) return undefined;
  const at = plainAuthority(uri);
  if (at < 0 || !uri.startsWith(shape.marker, at)) return undefined;
  const { segments } = shape;
  // segments[0] is the empty one before the resource path's leading `/`, which ends the marker
  let from = at + shape.marker.length;
  for (let i = 1; i < segments.length; i++) {
    let to = uri.indexOf('/', from);
    if (to < 0) to = uri.length;
    if ((to === uri.length) !== (i === segments.length - 1)) return undefined;
    const { literal } = segments[i];
    if (literal !== undefined) {
      if (to - from !== literal.length || !uri.startsWith(literal, from)) return undefined;
    } else if (to === from || !plainSegment(uri, from, to)) return undefined;
    from = to + 1;
  }
  return uri + shape.tail;
}

/**
 * Serializes query parameters as TS 29.501 5.2.3 says: arrays as comma-separated values (style
 * form, explode false), objects as JSON (`content: application/json`), the rest as strings.
 */
export function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  // one string, without an entry array per parameter and a list joined (a query per discovery, SDM get, ...)
  let out = '';
  for (const k in query) {
    if (!Object.hasOwn(query, k)) continue;
    const v = query[k];
    if (v === undefined) continue;
    const s = Array.isArray(v) ? v.map(String).join(',') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
    out += `${out === '' ? '?' : '&'}${encodeComponent(k)}=${encodeComponent(s)}`;
  }
  return out;
}
