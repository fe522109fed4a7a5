// Views of octets without `subarray()`'s species lookup.
//
// Node's Buffer (a Uint8Array subclass) switches off V8's typed-array species fast path for the
// whole process, so every `subarray()` looks up `constructor` and `Symbol.species` and calls the
// constructor it finds: 29 ns per view on Node 20 against 15 ns for `new Uint8Array(buffer,
// offset, length)` (same run, issue 22). The per-message views of the codecs' small-message
// paths (a G-PDU's T-PDU, an encoded message's octets) are made here.

/**
 * `b.subarray(start, end)` for bounds within `b` (0 <= start <= end <= b.length; the callers'
 * own checks guarantee it). A plain Uint8Array gets a Uint8Array made by the constructor; a
 * subclass (a Buffer read off a socket) keeps `subarray()`, so it still gets its own class.
 */
export function view(b: Uint8Array, start: number, end: number): Uint8Array {
  return b.constructor === Uint8Array ? new Uint8Array(b.buffer, b.byteOffset + start, end - start) : b.subarray(start, end);
}
