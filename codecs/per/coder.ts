// What the aligned PER coders of this directory share: the values they read and write (the
// value model of aper.ts), the compiled coder types, and how an encoding failure carries its
// field path out (EncodeFailure, bits.ts).

import { EncodeFailure } from './bits.ts';
import type { BitReader, BitWriter } from './bits.ts';

/** Nesting depth at which a decode stops (hostile input cannot exhaust the stack). */
export const MAX_DEPTH = 64;

export interface BitStringValue {
  value: Uint8Array;
  length: number;
}

export interface ProtocolIe {
  id: number;
  criticality: 'reject' | 'ignore' | 'notify';
  /** The decoded value, for ids the set defines. */
  value?: unknown;
  /** The open type octets of an IE whose id the set does not define (kept for re-encoding). */
  raw?: Uint8Array;
}

/** One IE of a PrivateIE-Container: its id (local or global) and its value as open type octets. */
export interface PrivateIe {
  id: { local?: number; global?: Uint8Array };
  criticality: 'reject' | 'ignore' | 'notify';
  raw: Uint8Array;
}

export interface ProcedureValue {
  procedureCode: number;
  criticality: 'reject' | 'ignore' | 'notify';
  value?: unknown;
  raw?: Uint8Array;
}

/** Criticality ::= ENUMERATED { reject, ignore, notify } (TS 38.413 9.4.5), by index. */
export const CRITICALITY = ['reject', 'ignore', 'notify'] as const;

/** A compiled decoder of one type: reads its value at the reader's position. */
export type Dec = (r: BitReader) => unknown;
/**
 * A compiled encoder of one type: writes `v` at the writer's position. It keeps no path: a
 * failure is an EncodeFailure that each enclosing encoder adds its component name or list index
 * to on its way out (`within`), and the entry point turns into an EncodeError with the path.
 */
export type Enc = (w: BitWriter, v: unknown) => void;

export function fail(reason: string): EncodeFailure {
  return new EncodeFailure('ngap', reason);
}

/** Adds the component name or list index a failure came out of (the catch of every component call). */
export function within(e: unknown, step: string | number): unknown {
  if (e instanceof EncodeFailure) e.trail.push(step);
  return e;
}

/** The EncodeError for a failure below `prefix` (anything else thrown is passed on). */
export function encodeError(e: unknown, prefix: readonly (string | number)[]): unknown {
  return e instanceof EncodeFailure ? e.toError(prefix) : e;
}

/** Index of `name` in a short list of names (the strings are mostly the schema's own, so === is a pointer compare). */
export function indexIn(names: readonly string[], name: string): number {
  for (let i = 0; i < names.length; i++) if (names[i] === name) return i;
  return -1;
}

/** Criticality ::= ENUMERATED { reject, ignore, notify }: its index, -1 for anything else. */
export function criticalityIndex(c: unknown): number {
  return c === 'reject' ? 0 : c === 'ignore' ? 1 : c === 'notify' ? 2 : -1;
}

/** The parts of a fragmented value (X.691 11.9.3.8), joined. */
export { concatBytes as concat } from '../bytes/concat.ts';
