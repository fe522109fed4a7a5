#!/usr/bin/env node
// The `wire5g` command. In a checkout it always runs the TypeScript sources through tsx's loader
// (no build step after `npm ci`, and never a dist/ build older than the sources). The compiled
// dist/ (npm run build) runs only where the sources are absent, e.g. an installed package.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'cli', 'main.ts');
const compiled = join(root, 'dist', 'cli', 'main.js');
if (existsSync(source)) {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write("wire5g: the TypeScript loader tsx is not installed; run 'npm ci' in " + root + '\n');
    process.exit(1);
  }
  register();
  await import(pathToFileURL(source).href);
} else if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  process.stderr.write(`wire5g: neither ${source} nor ${compiled} exists; reinstall wire5g\n`);
  process.exit(1);
}
