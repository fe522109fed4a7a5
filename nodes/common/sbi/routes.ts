// Typed producer routes built from the operations table: `serve(UDM.uecm.registerAmf3gppAccess,
// handler)` serves the operation at its path, names it in traces, and types what the handler may
// answer: one of the operation's success statuses with the body the OpenAPI file gives for it
// (a wrong or missing member in a response is a compile error). Errors are thrown as SbiProblem
// (TS 29.500 5.2.7). The request body stays `unknown`: it comes from another NF and is checked by
// the handler (objectBody, requireString) before use.

import type { SbiRequest, SbiRoute } from '../../../transport/sbi/api.ts';
import { routePath, type PathParamNames, type ResponseBodyOf, type SbiOperation } from './operation.ts';

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

/** The route serving `op`, its handler typed by the operation. */
export function serve<O, S extends number, T extends string>(
  op: SbiOperation<O, S, T>,
  handler: (req: SbiRequestTo<T>) => SbiAnswer<O, S> | Promise<SbiAnswer<O, S>>,
): SbiRoute {
  // the matcher fills exactly the template's parameters, which is what SbiRequestTo<T> says
  return { method: op.method, path: routePath(op), operation: op.name, handler: handler as unknown as SbiRoute['handler'] };
}

/**
 * A creation's answer with its undo: if the consumer never receives it (its request timed out),
 * `undo` removes what was created (issue 21; transport/sbi/api.ts SbiResponse.undelivered).
 */
export function undoable<A extends { status: number }>(res: A, undo: () => Promise<void> | void): A & { undelivered: () => Promise<void> | void } {
  return { ...res, undelivered: undo };
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

/**
 * The route serving `op` with a handler whose answers are not typed by the operation (answers
 * that carry binary N1/N2 parts on error statuses, TS 29.502 6.1.3.2.3.1): the path and the
 * operation name still come from the table.
 */
export function route<T extends string>(op: SbiOperation<unknown, number, T>, handler: (req: SbiRequestTo<T>) => ReturnType<SbiRoute['handler']>): SbiRoute {
  // the matcher fills exactly the template's parameters, which is what SbiRequestTo<T> says
  return { method: op.method, path: routePath(op), operation: op.name, handler: handler as unknown as SbiRoute['handler'] };
}
