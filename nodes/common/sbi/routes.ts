// Typed producer routes built from the operations table: `serve(UDM.uecm.registerAmf3gppAccess,
// handler)` serves the operation at its path, names it in traces, and types what the handler may
// answer: one of the operation's success statuses with the body the OpenAPI file gives for it
// (a wrong or missing member in a response is a compile error). Errors are thrown as SbiProblem
// (TS 29.500 5.2.7), except the error answers whose body the OpenAPI file documents as more than a
// ProblemDetails (SmContextCreateError with the N1 SM reject, TS 29.502 6.1.3.2.3.1), which a
// handler returns typed like a success. The request body stays `unknown` at the route: it comes
// from another NF and is checked by the handler (objectBody, requireString) before it is read as
// the operation's generated request type.

import type { SbiRequest, SbiRoute } from '../../../transport/sbi/api.ts';
import { routePath, type PathParamNames, type ResponseBodyOf, type StatusOf, type SbiOperation } from './operation.ts';

/** A request to an operation: its path parameters by name. */
export interface SbiRequestTo<T extends string> extends SbiRequest {
  params: string extends T ? Record<string, string> : Record<PathParamNames<T>[number], string>;
}

type AnswerWith<O, K extends number> = {
  status: K;
  headers?: Record<string, string>;
  /** Work the spec orders after the response (see SbiResponse.after). */
  after?: () => Promise<void>;
  /** The undo of a creation whose answer never reached the consumer (see SbiResponse.undelivered). */
  undelivered?: () => Promise<void> | void;
} & ([ResponseBodyOf<O, K>] extends [undefined] ? { body?: undefined } : { body: ResponseBodyOf<O, K> });

/** What a handler of the operation answers: one of its success statuses with its body. */
export type SbiAnswer<O, S extends number> = S extends number ? AnswerWith<O, S> : never;

/** Statuses that are not errors: successes and redirections (TS 29.500 6.10.9). */
type NotError = 200 | 201 | 202 | 204 | 307 | 308;

/**
 * An error answer with the body the OpenAPI file documents for its status, when that body is
 * more than a ProblemDetails (application/problem+json is not in BodyOfContent, so statuses with
 * only that are left to SbiProblem): e.g. 403 with SmContextCreateError and the N1 SM reject.
 */
export type SbiErrorAnswer<O> = {
  [E in Exclude<StatusOf<O>, NotError>]: [ResponseBodyOf<O, E>] extends [never] ? never : { status: E; headers?: Record<string, string>; body: ResponseBodyOf<O, E> };
}[Exclude<StatusOf<O>, NotError>];

/** What a handler of `Op` (an entry of the operations table) answers, success or documented error. */
export type AnswerOf<Op> = Op extends SbiOperation<infer O, infer S, string> ? SbiAnswer<O, S> | SbiErrorAnswer<O> : never;
/** The request a handler of `Op` receives: its path parameters by name. */
export type RequestOf<Op> = Op extends SbiOperation<unknown, number, infer T> ? SbiRequestTo<T> : never;

/** The route serving `op`, its handler typed by the operation. */
export function serve<O, S extends number, T extends string>(
  op: SbiOperation<O, S, T>,
  // NoInfer: the operation alone says what may be answered, a handler's answer cannot widen it
  handler: (req: SbiRequestTo<NoInfer<T>>) => SbiAnswer<NoInfer<O>, NoInfer<S>> | SbiErrorAnswer<NoInfer<O>> | Promise<SbiAnswer<NoInfer<O>, NoInfer<S>> | SbiErrorAnswer<NoInfer<O>>>,
): SbiRoute {
  // the matcher fills exactly the template's parameters, which is what SbiRequestTo<T> says
  return { method: op.method, path: routePath(op), operation: op.name, handler: handler as unknown as SbiRoute['handler'] };
}

/**
 * A creation's answer with its undo: if the consumer never receives it (its request timed out),
 * `undo` removes what was created (issue 21; transport/sbi/api.ts SbiResponse.undelivered).
 * `res` is the handler's fresh answer and is returned itself, `undelivered` set on it (a spread
 * copy of answers of many shapes cost a microsecond each, issue 21 goal 3).
 */
export function undoable<A extends { status: number }>(res: A, undo: () => Promise<void> | void): A & { undelivered: () => Promise<void> | void } {
  const answer = res as A & { undelivered: () => Promise<void> | void };
  answer.undelivered = undo;
  return answer;
}

/** 201 with the Location of the new resource (TS 29.500 5.2.7.2). */
export function created<B>(location: string, body: B): { status: 201; headers: { location: string }; body: B } {
  return { status: 201, headers: { location }, body };
}

export function ok<B>(body: B): { status: 200; body: B } {
  return { status: 200, body };
}

export function noContent(after?: () => Promise<void>): { status: 204; after?: () => Promise<void> } {
  return after ? { status: 204, after } : { status: 204 };
}
