// Turns decoded messages into plain JSON for `wire5g decode --json` and traces: Uint8Array as
// lowercase hex, bigint as a decimal string when beyond 2^53, Map as an object.

import { toHex } from './hex.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export function toJsonValue(v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return toHex(v);
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), toJsonValue(x)]));
  if (typeof v === 'object') {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJsonValue(x);
    return out;
  }
  return String(v);
}

/**
 * One protocol message as `wire5g decode --json` prints it (the CLI adds `frame`). Each codec
 * exports a `dissect<Proto>(payload)` returning these; fields use the spec's IE names.
 */
export interface DissectedMessage {
  /** 'gtpu' | 'pfcp' | 'ngap' | 'nas-5gs' | ... */
  protocol: string;
  /** The spec's message name, e.g. 'Session Deletion Request', 'InitialUEMessage'. */
  message: string;
  fields: JsonValue;
  /** The DecodeError (protocol, code, offset, path, reason) of a part that did not decode. */
  error?: JsonValue;
  /** What the decoder accepted although the sender should not have sent it (DecodeWarning: code, offset, path, reason). */
  warnings?: JsonValue[];
}

/** The warnings of a dissected message, when there are any (spread into a DissectedMessage). */
export function warningsJson(warnings: readonly object[]): { warnings?: JsonValue[] } {
  return warnings.length ? { warnings: warnings.map((w) => toJsonValue(w)) } : {};
}
