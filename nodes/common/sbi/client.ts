// Typed SBI consumers built from the operations table: `udm(sbi, root).uecm.registerAmf3gppAccess(
// supi, body, { step })` builds the URI from the operation's template, sends the body with the
// operation's media type, names the operation in the trace, and returns the answer typed by the
// OpenAPI response of the status it came with. A status the specification does not list as
// success for the operation is thrown as SbiProblem with the peer's cause (TS 29.500 5.2.7.2).
//
// Each exchange is published on the `wire5g:sbi-exchange` diagnostics channel (when it has
// subscribers as the call is made), which the tests' schema check (test/helpers/sbi-schema.ts)
// listens to.

import { channel } from 'node:diagnostics_channel';
import { SbiProblem, SbiMultipart, problemOf, type SbiCallOptions, type SbiClient, type SbiResult } from '../../../transport/sbi/api.ts';
import { fillPath, fillPathInOrder, paramNames, parseResourceUri, plainResourceTarget, queryString, resourceShape, type ResourceShape, type SbiOperation, type TargetKind, type RequestBodyOf, type ResponseBodyOf, type QueryOf, type PathArgs } from './operation.ts';
import { AUSF, UDM, UDR, PCF, SMF, N16, AMF, CHF_CC, NRF, NSSF, EIR, CALLBACKS } from './operations.ts';

export interface SbiCallOpts<Q> {
  /** Spec step for the trace and the capture comment, e.g. '4.2.2.3.2 step 2'. */
  step?: string;
  query?: Q;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Spec step for the trace of the answer, decided from its body (e.g. '4.2.2.2.4 step 5'). */
  answerStep?: (body: unknown) => string | undefined;
  /** The answer if it comes after the call timed out (transport/sbi/api.ts SbiCallOptions.lateAnswer). */
  lateAnswer?: (r: SbiResult<unknown>) => Promise<void> | void;
}

/** A successful answer: one of the operation's success statuses, its body typed. */
export interface SbiReply<O, S extends number> {
  status: S;
  headers: Record<string, string | undefined>;
  body: ResponseBodyOf<O, S>;
}

/**
 * An answer with a status that is not one of the operation's successes: an SbiProblem with the
 * peer's cause, and the whole reply for callers that read its body (e.g. the N1 SM reject in a
 * CreateSMContext error, TS 29.502 6.1.3.2.3.1).
 */
export class SbiErrorReply extends SbiProblem {
  readonly reply: SbiResult<unknown>;
  readonly operation: string;
  constructor(op: SbiOperation, reply: SbiResult<unknown>) {
    const p = problemOf(reply.body instanceof SbiMultipart ? reply.body.json : reply.body);
    super(reply.status, p?.cause ?? 'UNEXPECTED_STATUS', p?.detail ?? `${op.name}: ${reply.status}, expected ${op.success.join('/')}`);
    this.reply = reply;
    this.operation = op.name;
  }
}

/** One exchange, as published for the schema checks. */
export interface SbiExchange {
  op: SbiOperation;
  uri: string;
  requestBody: unknown;
  status: number;
  responseBody: unknown;
}
export const sbiExchanges = channel('wire5g:sbi-exchange');

type BodyArgs<O> = [RequestBodyOf<O>] extends [undefined] ? [] : [body: RequestBodyOf<O>];
type OptsArg<O> = [opts?: SbiCallOpts<QueryOf<O>>];

/** The method a consumer calls for an operation. */
export type SbiMethodOf<Op> =
  Op extends SbiOperation<infer O, infer S, infer T, infer K>
    ? K extends 'api'
      ? (...args: [...PathArgs<T>, ...BodyArgs<O>, ...OptsArg<O>]) => Promise<SbiReply<O, S>>
      : (uri: string, ...args: [...BodyArgs<O>, ...OptsArg<O>]) => Promise<SbiReply<O, S>>
    : never;

/** A service table turned into methods. */
export type SbiConsumer<T> = { [K in keyof T]: T[K] extends SbiOperation ? SbiMethodOf<T[K]> : SbiConsumer<T[K]> };

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * What a consumer's method knows of its operation before any call (issue 21: derived per call
 * before): where the body and the options are among its arguments, for an 'api' operation the
 * `{apiRoot}/{apiName}/{apiVersion}` its path follows, the check of its answers, and the transport
 * options of the calls that only name a step (most calls; made once per step, then shared).
 */
interface BoundOperation {
  op: SbiOperation;
  /** Path parameters (api) or the target URI (resource, callback) come first. */
  leading: number;
  withBody: boolean;
  prefix: string;
  /** A 'resource' operation's resource template. */
  resource: ResourceShape | undefined;
  /** The answer as the caller gets it: a status the operation does not list as success is thrown. */
  answered: (r: SbiResult<unknown>) => SbiResult<unknown>;
  /** SbiCallOptions by step ('' for none) of calls with a body (or none needed) and no other option; only read. */
  stepOptions: Map<string, SbiCallOptions>;
}

function bind(op: SbiOperation, apiRoot: string): BoundOperation {
  const success = op.success as readonly number[];
  return {
    op,
    leading: op.target === 'api' ? paramNames(op.path).length : 1,
    withBody: WITH_BODY.has(op.method),
    prefix: `${apiRoot}/${op.api}/${op.version}`,
    resource: resourceShape(op),
    answered: (r) => {
      if (!success.includes(r.status)) throw new SbiErrorReply(op, r);
      return r;
    },
    stepOptions: new Map(),
  };
}

/** The URI an operation is sent to; `args` begin with the path parameters (api) or the URI. */
function targetUri(b: BoundOperation, args: unknown[]): string {
  const { op } = b;
  const kind: TargetKind = op.target;
  if (kind === 'callback') return String(args[0]) + (op.suffix ?? '');
  if (kind === 'resource') {
    const plain = plainResourceTarget(b.resource!, String(args[0]));
    if (plain !== undefined) return plain;
    const r = parseResourceUri(op, String(args[0]));
    if (!r) throw new SbiProblem(500, 'INVALID_RESOURCE_URI', `${op.name}: ${String(args[0])} is not a ${op.api}/${op.version}${op.resource} resource`);
    return `${r.apiRoot}/${op.api}/${op.version}${fillPath(op.path, r.params)}`;
  }
  return b.prefix + fillPathInOrder(op.path, args);
}

/** At most this many shared options per operation (the steps are the call sites' literals: a few each). */
const STEP_OPTIONS_MAX = 64;

/** The transport options of a call. */
function callOptions(b: BoundOperation, opts: SbiCallOpts<Record<string, unknown>>, body: unknown): SbiCallOptions {
  const { op } = b;
  const typed = op.contentType !== undefined && body !== undefined;
  const shared = !opts.headers && !opts.timeoutMs && !opts.answerStep && !opts.lateAnswer && (typed || op.contentType === undefined);
  if (shared) {
    const o = b.stepOptions.get(opts.step ?? '');
    if (o) return o;
  }
  const o: SbiCallOptions = { operation: op.name };
  if (opts.step) o.step = opts.step;
  if (typed) o.headers = { 'content-type': op.contentType!, ...opts.headers };
  else if (opts.headers && Object.keys(opts.headers).length) o.headers = { ...opts.headers };
  if (opts.timeoutMs) o.timeoutMs = opts.timeoutMs;
  if (opts.answerStep) o.answerStep = opts.answerStep;
  if (opts.lateAnswer) o.lateAnswer = opts.lateAnswer;
  if (shared && b.stepOptions.size < STEP_OPTIONS_MAX) b.stepOptions.set(opts.step ?? '', Object.freeze(o));
  return o;
}

/**
 * Sends one operation; the arguments are those SbiMethodOf describes. Not an async function: the
 * transport's promise and one `then` with the operation's own check (no generator, promise and
 * await closures per call kept until the answer, issue 21 goal 3).
 */
function invoke(sbi: SbiClient, b: BoundOperation, args: unknown[]): Promise<SbiResult<unknown>> {
  const { op, leading, withBody } = b;
  let uri: string;
  let body: unknown;
  let p: Promise<SbiResult<unknown>>;
  try {
    body = withBody ? args[leading] : undefined;
    const opts = (args[leading + (withBody ? 1 : 0)] ?? NO_OPTS) as SbiCallOpts<Record<string, unknown>>;
    uri = opts.query ? targetUri(b, args) + queryString(opts.query) : targetUri(b, args);
    p = sbi.call(op.method, uri, body, callOptions(b, opts, body));
  } catch (e) {
    return Promise.reject(e);
  }
  if (!sbiExchanges.hasSubscribers) return p.then(b.answered);
  return p.then((r) => {
    sbiExchanges.publish({ op, uri, requestBody: body, status: r.status, responseBody: r.body } satisfies SbiExchange);
    return b.answered(r);
  });
}

/** The options of a call given none (only read). */
const NO_OPTS: SbiCallOpts<Record<string, unknown>> = Object.freeze({});

/** Binds a table of operations to a client and a producer's apiRoot. */
export function consumer<T extends object>(sbi: SbiClient, apiRoot: string, table: T): SbiConsumer<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(table)) {
    if (!isOperation(v)) {
      out[k] = consumer(sbi, apiRoot, v as object);
      continue;
    }
    const b = bind(v, apiRoot);
    out[k] = (...args: unknown[]) => invoke(sbi, b, args);
  }
  return out as SbiConsumer<T>;
}

function isOperation(v: unknown): v is SbiOperation {
  return typeof v === 'object' && v !== null && 'method' in v && 'path' in v && 'target' in v;
}

/** The consumers of each producer NF wire5g talks to. */
export const ausfClient = (sbi: SbiClient, apiRoot: string) => consumer(sbi, apiRoot, AUSF);
export const udmClient = (sbi: SbiClient, apiRoot: string) => consumer(sbi, apiRoot, UDM);
export const udrClient = (sbi: SbiClient, apiRoot: string) => consumer(sbi, apiRoot, UDR);
export const pcfClient = (sbi: SbiClient, apiRoot: string) => consumer(sbi, apiRoot, PCF);
export const smfClient = (sbi: SbiClient, apiRoot: string) => consumer(sbi, apiRoot, SMF);
export const amfClient = (sbi: SbiClient, apiRoot: string) => consumer(sbi, apiRoot, AMF);
/** The CHF's Nchf_ConvergedCharging, as the SMF charges PDU sessions (issue 16). */
export const chfChargingClient = (sbi: SbiClient, apiRoot: string) => consumer(sbi, apiRoot, CHF_CC);
export const eirClient = (sbi: SbiClient, apiRoot: string) => consumer(sbi, apiRoot, EIR);
/** The H-SMF of a home-routed session, as the V-SMF calls it on N16 (issue 17). */
export const n16Client = (sbi: SbiClient, apiRoot: string) => consumer(sbi, apiRoot, N16);
/** The NRF (TS 29.510): NFManagement and NFDiscovery, at the NRF's apiRoot. */
export const nrfClient = (sbi: SbiClient, apiRoot: string) => consumer(sbi, apiRoot, NRF);
/** The NSSF (TS 29.531): `nssfClient(sbi, root).nsSelection.get({ query: { 'nf-type': 'AMF', ... } })`. */
export const nssfClient = (sbi: SbiClient, apiRoot: string) => consumer(sbi, apiRoot, NSSF);
/** Notifications, each sent to the callback URI the consumer handed out. */
export const notifier = (sbi: SbiClient) => consumer(sbi, '', CALLBACKS);

/** The URI of a callback we serve, to hand out: `{baseUri}/{api}/v1{path}` less the suffix the notifier adds. */
export function callbackUri(baseUri: string, op: SbiOperation, params: Record<string, string | number> = {}): string {
  const path = fillPath(op.path, params);
  return `${baseUri}/${op.api}/${op.version}${op.suffix && path.endsWith(op.suffix) ? path.slice(0, -op.suffix.length) : path}`;
}

/** The URI of an operation's resource at a producer: `{apiRoot}/{api}/{version}{path}`, e.g. for a Location or monitoredResourceUris. */
export function operationUri(apiRoot: string, op: SbiOperation, params: Record<string, string | number>): string {
  return `${apiRoot}/${op.api}/${op.version}${fillPath(op.path, params)}`;
}

/** The URI of the resource a 'resource' operation acts on (a Location we give, `ueContextUri`, ...). */
export function resourceUri(apiRoot: string, op: SbiOperation, params: Record<string, string | number>): string {
  if (!op.resource) throw new Error(`${op.name} does not act on a created resource`);
  return `${apiRoot}/${op.api}/${op.version}${fillPath(op.resource, params)}`;
}

/** A URI under an operation's API that no operation of ours names (a created resource's own URI), from its template. */
export function apiUri(apiRoot: string, op: SbiOperation, template: string, params: Record<string, string | number>): string {
  return `${apiRoot}/${op.api}/${op.version}${fillPath(template, params)}`;
}
