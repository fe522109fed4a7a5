// Comments cite clauses (STYLE: "comments cite clauses"): a placeholder such as "5.6.2.?" is a
// citation nobody can follow. Every source file of the emulator is read; none may hold one.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOTS = ['nodes', 'transport', 'cli', 'codecs', 'crypto', 'tools'];

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('clause citations', () => {
  it('no source file cites a placeholder clause number (like 5.6.2.?)', () => {
    const found: string[] = [];
    for (const f of ROOTS.flatMap((r) => files(r))) {
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        if (/\b\d+(\.\d+)*\.\?/.test(line)) found.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });
});
