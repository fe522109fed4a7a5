// A creation whose 201 came after the consumer's SBI time-out (issue 21, "zero leaks"): the
// producer created the resource and counts its answer delivered, the consumer went on without it,
// and nobody else knows its URI. A call that may create such a resource gives this as its
// lateAnswer (transport/sbi/api.ts SbiCallOptions.lateAnswer) with the operation the spec gives the
// consumer for ending it (docs/decisions/21-late-answers.md). The client logs a failed undo.

import type { SbiResult } from '../sbi.ts';

/**
 * `end(location)` for a late 201 with a Location (TS 29.500 5.2.7.2: the URI of the created
 * resource); other late answers (an error, a 201 without Location) left nothing to end.
 */
export function endLateCreation(what: string, end: (location: string) => Promise<unknown>, log?: (line: string) => void): (r: SbiResult<unknown>) => Promise<void> {
  return async (r) => {
    const location = r.status === 201 ? r.headers.location : undefined;
    if (!location) return;
    log?.(`${what}: the 201 came after the time-out; ending ${location}`);
    await end(location);
  };
}
