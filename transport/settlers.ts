// A promise whose resolve and reject are kept by the object that settles it (an SBI request, a
// PFCP request), without an executor closure per promise: one module-level executor hands the two
// functions over through module-level slots, and the constructor takes them at once (the executor
// runs synchronously inside `new Promise`, ECMA-262 27.2.3.1 step 9).

type Resolve = (v: unknown) => void;
type Reject = (e: unknown) => void;

let resolveSlot: Resolve | undefined;
let rejectSlot: Reject | undefined;

function take(resolve: Resolve, reject: Reject): void {
  resolveSlot = resolve;
  rejectSlot = reject;
}

/** A new promise; its resolve and reject are taken next with takeResolve() and takeReject(). */
export function settleablePromise<T>(): Promise<T> {
  return new Promise<T>(take as (resolve: (v: T | PromiseLike<T>) => void, reject: Reject) => void);
}

/** The resolve of the promise settleablePromise() made last (once). */
export function takeResolve<T>(): (v: T | PromiseLike<T>) => void {
  const r = resolveSlot!;
  resolveSlot = undefined;
  return r as (v: T | PromiseLike<T>) => void;
}

/** The reject of the promise settleablePromise() made last (once). */
export function takeReject(): (e: unknown) => void {
  const r = rejectSlot!;
  rejectSlot = undefined;
  return r;
}
