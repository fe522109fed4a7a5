// A cache for test/helpers/sbi-schema.ts, shared by every test file and run on this machine: the
// Release 18 OpenAPI documents as JSON and every validator Ajv compiled from them, as Ajv's own
// standalone code (the code Ajv generates and evaluates when it compiles). vitest runs each test
// file in a fresh process, and each one that made an SBI exchange parsed the 98 YAML files (~1 s)
// and compiled its validators (~2-3 s) again (docs/decisions.md, "Test-suite speed").
//
// The cache directory, in the system's temporary directory, is named by a SHA-256 of the spec
// files, the versions of ajv and ajv-formats and the text of sbi-schema.ts and this file, so a
// change to any of them starts a new one. Files are written whole and renamed in: test files
// running at the same time each see a complete file or none.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

let dir: string | undefined;

/** The cache directory for the spec files of `specDir` (created on first use). */
function cacheDir(specDir: string): string {
  if (dir) return dir;
  const h = createHash('sha256');
  for (const f of readdirSync(specDir).sort()) h.update(`${f}\0`).update(readFileSync(join(specDir, f))).update('\0');
  for (const pkg of ['ajv/package.json', 'ajv-formats/package.json']) h.update((JSON.parse(readFileSync(require.resolve(pkg), 'utf8')) as { version: string }).version);
  for (const f of ['sbi-schema.ts', 'sbi-schema-cache.ts']) h.update(readFileSync(join(import.meta.dirname, f)));
  dir = join(tmpdir(), `wire5g-sbi-schemas-${h.digest('hex').slice(0, 16)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function writeWhole(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** The spec documents as `build` makes them, from the cache when it holds them. */
export function cachedDocs<T>(specDir: string, build: () => T): T {
  const file = join(cacheDir(specDir), 'documents.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
  const docs = build();
  writeWhole(file, JSON.stringify(docs));
  return docs;
}

/** Evaluates Ajv standalone code (CommonJS: `module.exports = validate`) with this package's require. */
export function loadStandalone(code: string): ValidateFunction {
  const module = { exports: {} as unknown };
  // Ajv's generated code, evaluated as Ajv itself evaluates it when it compiles
  new Function('require', 'module', 'exports', code)(require, module, module.exports);
  return module.exports as ValidateFunction;
}

/**
 * The validator of `key` (file#pointer): loaded from its standalone code in the cache, or compiled
 * by `compile` and its code (`source`) written there for the next test file.
 */
export function cachedValidator(specDir: string, key: string, compile: () => ValidateFunction, source: (v: ValidateFunction) => string): ValidateFunction {
  const file = join(cacheDir(specDir), `${createHash('sha256').update(key).digest('hex').slice(0, 24)}.cjs`);
  if (existsSync(file)) return loadStandalone(readFileSync(file, 'utf8'));
  const v = compile();
  writeWhole(file, source(v));
  return v;
}
