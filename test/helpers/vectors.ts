// The shared wire vectors in ../shared/vectors (see its README for each file's origin).

import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex } from '../../codecs/bytes/hex.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** `../shared` beside the clone (CI and developers), overridable with WIRE5G_SHARED. */
export const sharedDir = process.env.WIRE5G_SHARED ?? join(here, '..', '..', '..', 'shared');
export const vectorsDir = existsSync(join(here, '..', 'vectors', 'shared')) ? join(here, '..', 'vectors', 'shared') : join(sharedDir, 'vectors');

export function hexVector(name: string): Uint8Array {
  return fromHex(readFileSync(join(vectorsDir, name), 'utf8'));
}

export interface MessageVector {
  id: string;
  protocol: string;
  hex: string;
  expected: Record<string, unknown>;
  length: number;
}

export function messageVectors(prefix = ''): MessageVector[] {
  const doc = JSON.parse(readFileSync(join(vectorsDir, 'messages.json'), 'utf8')) as { messages: MessageVector[] };
  return doc.messages.filter((m) => m.id.startsWith(prefix));
}

export function jsonVector<T>(name: string): T {
  return JSON.parse(readFileSync(join(vectorsDir, name), 'utf8')) as T;
}
