// The UPF data path's counters (datapath.ts `stats`), for the run summary and the ledger.

import type { FlatTables } from './flat.ts';

/**
 * The data path's counters; `forwarded` is read from the PDRs' counts words when asked. A class,
 * not an object literal with a getter: V8 keeps such a literal's properties in a dictionary, and
 * every `stats.x++` of the drop paths would be a lookup.
 */
export class DatapathStats {
  readonly #flat: FlatTables;
  beyondLength = 0;
  droppedByFar = 0;
  droppedByQer = 0;
  droppedNoSession = 0;
  noMatchingPdr = 0;
  malformed = 0;
  buffered = 0;
  bufferDiscarded = 0;
  errorIndications = 0;
  errorIndicationsSuppressed = 0;
  reports = 0;

  constructor(flat: FlatTables) {
    this.#flat = flat;
  }

  get forwarded(): number {
    return this.#flat.forwarded();
  }
}
