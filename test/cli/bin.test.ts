// bin/wire5g.js never runs a stale dist/ build instead of the sources (issue 13): in a tree that has
// both, the sources run; dist/ runs only where the sources are absent. Judged by running a copy of
// the real bin/wire5g.js in a scratch tree whose cli/main.ts and dist/cli/main.js say who they are.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, root } from '../helpers/wire5g.ts';

describe('bin/wire5g.js', () => {
  it('runs the sources when they are there, even beside a dist/ build; dist/ only without sources', () => {
    const t = mkdtempSync(join(tmpdir(), 'wire5g-bin-'));
    for (const d of ['bin', 'cli', 'dist/cli']) mkdirSync(join(t, d), { recursive: true });
    copyFileSync(bin, join(t, 'bin', 'wire5g.js'));
    symlinkSync(join(root, 'node_modules'), join(t, 'node_modules'));
    writeFileSync(join(t, 'package.json'), '{"type":"module"}');
    writeFileSync(join(t, 'cli', 'main.ts'), "const who: string = 'the sources';\nconsole.log(who);\n");
    writeFileSync(join(t, 'dist', 'cli', 'main.js'), "console.log('the stale dist build');\n");
    const run = () => spawnSync(process.execPath, [join(t, 'bin', 'wire5g.js')], { encoding: 'utf8' });
    const a = run();
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout.trim()).toBe('the sources');
    rmSync(join(t, 'cli', 'main.ts'));
    expect(run().stdout.trim()).toBe('the stale dist build');
  }, 60_000);
});

describe('bin/wire5g.js runs a bundle of the sources that follows every edit', () => {
  it('an edit to any imported source file, or a new import, is what the next run runs', () => {
    const t = mkdtempSync(join(tmpdir(), 'wire5g-bin-'));
    for (const d of ['bin', 'cli', 'nodes']) mkdirSync(join(t, d), { recursive: true });
    copyFileSync(bin, join(t, 'bin', 'wire5g.js'));
    symlinkSync(join(root, 'node_modules'), join(t, 'node_modules'));
    writeFileSync(join(t, 'package.json'), '{"type":"module"}');
    writeFileSync(join(t, 'tsconfig.json'), '{}');
    writeFileSync(join(t, 'cli', 'main.ts'), "import { who } from '../nodes/who.ts';\nconsole.log(who, import.meta.url);\n");
    writeFileSync(join(t, 'nodes', 'who.ts'), "export const who: string = 'first';\n");
    const run = () => spawnSync(process.execPath, [join(t, 'bin', 'wire5g.js')], { encoding: 'utf8' });
    const a = run();
    expect(a.status, a.stderr).toBe(0);
    // import.meta.url is the source file's own, as when tsx runs it
    expect(a.stdout.trim()).toBe(`first file://${join(t, 'cli', 'main.ts')}`);
    expect(run().stdout.trim()).toMatch(/^first /); // from the cached bundle
    writeFileSync(join(t, 'nodes', 'who.ts'), "export const who: string = 'second';\n");
    expect(run().stdout.trim()).toMatch(/^second /);
    writeFileSync(join(t, 'nodes', 'other.ts'), "export const other: string = 'third';\n");
    writeFileSync(join(t, 'nodes', 'who.ts'), "export { other as who } from './other.ts';\n");
    expect(run().stdout.trim()).toMatch(/^third /);
    writeFileSync(join(t, 'nodes', 'other.ts'), "export const other: string = 'fourth';\n");
    expect(run().stdout.trim()).toMatch(/^fourth /);
    // a syntax error is reported by the TypeScript loader, naming the file
    writeFileSync(join(t, 'nodes', 'other.ts'), 'export const other: string = ;\n');
    const broken = run();
    expect(broken.status).not.toBe(0);
    expect(broken.stderr).toMatch(/other\.ts/);
    rmSync(t, { recursive: true, force: true });
  }, 60_000);
});
