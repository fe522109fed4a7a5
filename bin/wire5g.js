#!/usr/bin/env node
// The `wire5g` command. In a checkout it always runs the TypeScript sources (no build step after
// `npm ci`, and never a dist/ build older than the sources). The compiled dist/ (npm run build)
// runs only where the sources are absent, e.g. an installed package.
//
// The sources run as one esbuild bundle of cli/main.ts kept in node_modules/.cache/wire5g, used
// only while every source file it was built from has the content it had (a digest of them all is
// checked at each start, ~10 ms): loading it takes ~0.3 s where tsx's loader, module by module,
// takes ~1.5 s (docs/decisions.md, "wire5g starts from a bundle of the sources"). esbuild is the
// transformer tsx itself uses; when the bundle cannot be built, tsx's loader runs the sources.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, relative } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'cli', 'main.ts');
const compiled = join(root, 'dist', 'cli', 'main.js');
const debugging = process.argv.includes('--debug') || process.env.WIRE5G_DEBUG === '1';

/** Files besides the bundle's inputs whose change changes the bundle. */
const SETTINGS = ['tsconfig.json', 'package.json', 'bin/wire5g.js'];

function digest(files) {
  const h = createHash('sha256');
  for (const f of files) h.update(`${f}\0`).update(readFileSync(join(root, f))).update('\0');
  return h.digest('hex');
}

/** The cached bundle's path when it was built from the sources as they are now, else undefined. */
function currentBundle(file) {
  try {
    const text = readFileSync(file, 'utf8');
    const header = /^\/\* wire5g-bundle (.*) \*\/\n/.exec(text);
    if (!header) return undefined;
    const { inputs, hash } = JSON.parse(header[1]);
    return digest(inputs) === hash ? file : undefined;
  } catch {
    return undefined; // absent, unreadable, or an input gone: build it again
  }
}

/**
 * Bundles cli/main.ts (the packages stay imports) into `file`, written whole and renamed in, so
 * that processes starting together each see a complete bundle. import.meta.url/dirname/filename
 * keep each source file's own value, as under tsx. Names are not kept (no keepNames): nothing
 * reads a function's or class's .name, no class is renamed in the bundle, and keepNames cost a
 * defineProperty per closure created (docs/decisions/21-nf-cpu-3.md).
 */
async function build(file) {
  const esbuild = await import('esbuild');
  const self = {
    name: 'wire5g-import-meta',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (a) => {
        if (a.path.includes(`${join('node_modules', '')}`)) return undefined;
        const text = readFileSync(a.path, 'utf8')
          .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(a.path).href))
          .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(a.path)))
          .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(a.path));
        return { contents: text, loader: a.path.endsWith('.ts') || a.path.endsWith('.mts') || a.path.endsWith('.cts') ? 'ts' : 'js' };
      });
    },
  };
  mkdirSync(dirname(file), { recursive: true });
  const r = await esbuild.build({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    packages: 'external',
    keepNames: false,
    sourcemap: 'inline',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'silent',
    absWorkingDir: root,
    // where the source map's paths are relative to (esbuild writes nothing); node_modules may be a link
    outfile: join(realpathSync(dirname(file)), 'main.mjs'),
    plugins: [self],
  });
  const inputs = [...Object.keys(r.metafile.inputs).map((f) => relative(root, join(root, f))), ...SETTINGS].sort();
  const header = `/* wire5g-bundle ${JSON.stringify({ inputs, hash: digest(inputs) })} */\n`;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, header + r.outputFiles[0].text);
  renameSync(tmp, file);
  return file;
}

async function bundled() {
  const key = createHash('sha256').update(root).digest('hex').slice(0, 16);
  const file = join(root, 'node_modules', '.cache', 'wire5g', key, 'main.mjs');
  try {
    return currentBundle(file) ?? (await build(file));
  } catch {
    return undefined; // esbuild missing, a syntax error (tsx reports it), a read-only tree
  }
}

if (existsSync(source)) {
  const bundle = await bundled();
  if (bundle) {
    // stack traces (--debug) name the source files and lines, not the bundle's
    if (debugging) process.setSourceMapsEnabled(true);
    await import(pathToFileURL(bundle).href);
  } else {
    let register;
    try {
      ({ register } = await import('tsx/esm/api'));
    } catch {
      process.stderr.write("wire5g: the TypeScript loader tsx is not installed; run 'npm ci' in " + root + '\n');
      process.exit(1);
    }
    register();
    await import(pathToFileURL(source).href);
  }
} else if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  process.stderr.write(`wire5g: neither ${source} nor ${compiled} exists; reinstall wire5g\n`);
  process.exit(1);
}
