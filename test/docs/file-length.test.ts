// The brief's rule for hand-written files: at most 500 lines each, split by responsibility when
// one would grow past. Generated files (nodes/common/sbi-types, codecs/ngap/generated) are exempt.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const GENERATED = ['nodes/common/sbi-types/', 'codecs/ngap/generated/'];
const MAX_LINES = 500;

describe('hand-written source files', () => {
  it(`have at most ${MAX_LINES} lines each`, () => {
    const files = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.js', '*.mjs', '*.cjs'], { encoding: 'utf8' })
      .split('\0')
      .filter((f) => f && !GENERATED.some((g) => f.startsWith(g)));
    expect(files.length).toBeGreaterThan(100);
    const long = files.map((f) => ({ f, lines: readFileSync(f, 'utf8').split('\n').length - 1 })).filter((x) => x.lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
