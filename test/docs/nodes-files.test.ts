// docs/nodes.md names, for every TS 23.502 procedure the emulator runs, the file of each NF's part
// (issue 11): a file renamed or split without the table following it fails here.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SECTION = '## TS 23.502 procedures, file by file';

describe('docs/nodes.md procedure table', () => {
  it('names files under nodes/ that exist, for every row', () => {
    const doc = readFileSync('docs/nodes.md', 'utf8');
    const at = doc.indexOf(SECTION);
    expect(at).toBeGreaterThanOrEqual(0);
    const section = doc.slice(at);
    const rows = section.split('\n').filter((l) => /^\| \d/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const row of rows) expect(row, 'a row without a file').toMatch(/`[a-z0-9/-]+\.ts`/);
    const paths = [...section.matchAll(/`([a-z0-9/-]+\.ts)`/g)].map((m) => m[1]);
    expect(paths.filter((p) => !existsSync(join('nodes', p)))).toEqual([]);
  });
});
