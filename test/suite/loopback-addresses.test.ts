// The suite's test files run two at a time in one machine (vitest.config.ts: two forks), and the
// whole-procedure ones bind fixed ports (SBI 8080, PFCP 8805, SCTP 38412, GTP-U 2152) on loopback
// addresses of their own. Two files on the same addresses fail only when the scheduler happens to
// run them together: a test that fails when the machine is busy. This test finds such pairs in the
// sources. A file claims a whole 127.0.N.0/24 by `testConfig(N`, `startTestNetwork(N`,
// `const THIRD = N` (test/helpers/network.ts lays a network out there), each of A and B by
// `lateAnswerSuite(title, [A, B]` and N by `['node', N]` / `['own', N]` (test/helpers/late-answers.ts
// lays one out on each, a roaming case on N+1 too), N and N+1 by `startRoamingTestNetwork(N` or
// `roamingTestConfig(N` (test/helpers/roaming-network.ts), N.54 and N.57 by a `'127.0.N'` prefix (the
// n4Rig's SMF and UPF, test/helpers/n4-rig.ts); a literal `127.0.N.M` claims that address alone. 127.0.0.x is
// left out: the tests there bind port 0 (a port of the system's choice).

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'vectors' ? [] : testFiles(p);
    return name.endsWith('.ts') ? [p] : [];
  });
}

interface Claims {
  wholes: Set<number>;
  addresses: Set<string>;
}

/** What one source claims (exported for its own check below). */
export function claimsOf(source: string): Claims {
  const wholes = new Set<number>();
  const addresses = new Set<string>();
  for (const m of source.matchAll(/\b(?:testConfig|startTestNetwork)\((\d+)\b/g)) wholes.add(Number(m[1]));
  for (const m of source.matchAll(/\bconst THIRD = (\d+);/g)) wholes.add(Number(m[1]));
  for (const m of source.matchAll(/\b(?:startRoamingTestNetwork|roamingTestConfig)\((\d+)\b/g)) wholes.add(Number(m[1])).add(Number(m[1]) + 1);
  for (const m of source.matchAll(/\blateAnswerSuite\([^\n]*?\[(\d+), (\d+)\]/g)) wholes.add(Number(m[1])).add(Number(m[2]));
  for (const m of source.matchAll(/\['(?:node|own)', (\d+)\]/g)) wholes.add(Number(m[1])).add(/\broaming: true\b/.test(source) ? Number(m[1]) + 1 : Number(m[1]));
  for (const m of source.matchAll(/'127\.0\.(\d+)'/g)) if (m[1] !== '0') addresses.add(`${m[1]}.54`).add(`${m[1]}.57`);
  for (const m of source.matchAll(/\b127\.0\.(\d+)\.(\d+)\b/g)) if (m[1] !== '0') addresses.add(`${m[1]}.${m[2]}`);
  return { wholes, addresses };
}

/** Pairs of files whose claims overlap: the same whole /24, a whole /24 and an address in it, or the same address. */
export function clashes(files: Map<string, Claims>): string[] {
  const found: string[] = [];
  const names = [...files.keys()].sort();
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const a = files.get(names[i])!, b = files.get(names[j])!;
      for (const w of a.wholes) if (b.wholes.has(w)) found.push(`${names[i]} and ${names[j]}: both lay a network out on 127.0.${w}.0/24`);
      for (const [x, y, nx, ny] of [[a, b, names[i], names[j]], [b, a, names[j], names[i]]] as const) {
        for (const addr of y.addresses) if (x.wholes.has(Number(addr.split('.')[0]))) found.push(`${ny} uses 127.0.${addr}, inside ${nx}'s network`);
      }
      for (const addr of a.addresses) if (b.addresses.has(addr)) found.push(`${names[i]} and ${names[j]}: both use 127.0.${addr}`);
    }
  }
  return found;
}

/** Addresses a file names without binding them, with why. */
const PARSED_ONLY: Record<string, string[]> = {
  // config/default.yaml's home PCF (roaming.home.addresses.pcf), named to provoke a duplicate-address error
  'roaming/config.test.ts': ['2.13'],
};

describe('loopback addresses of the test files', () => {
  it('finds a clash when there is one (the check itself)', () => {
    const files = new Map([
      ['a.test.ts', claimsOf("testConfig(191); const x = '127.0.22.15';")],
      ['b.test.ts', claimsOf('startTestNetwork(191, [SUPI]); startRoamingTestNetwork(40, [])')],
      ['c.test.ts', claimsOf("const THIRD = 41; listen('127.0.22.15')")],
      ['d.test.ts', claimsOf("listen('127.0.22.16'); listen('127.0.0.1')")],
      ['e.test.ts', claimsOf("lateAnswerSuite('x', [65, 66], CASES); n4Rig('127.0.23', 'y')")],
      ['f.test.ts', claimsOf("roamingTestConfig(65, [SUPI]); listen('127.0.23.57')")],
      ['g.test.ts', claimsOf("{ roaming: true }; describe.each([['node', 190], ['own', 60]])")],
    ]);
    expect(clashes(files)).toEqual([
      'a.test.ts and b.test.ts: both lay a network out on 127.0.191.0/24',
      'a.test.ts and c.test.ts: both use 127.0.22.15',
      'a.test.ts and g.test.ts: both lay a network out on 127.0.191.0/24',
      'b.test.ts and c.test.ts: both lay a network out on 127.0.41.0/24',
      'b.test.ts and g.test.ts: both lay a network out on 127.0.191.0/24',
      'e.test.ts and f.test.ts: both lay a network out on 127.0.65.0/24',
      'e.test.ts and f.test.ts: both lay a network out on 127.0.66.0/24',
      'e.test.ts and f.test.ts: both use 127.0.23.57',
    ]);
  });

  it('no two test files claim the same addresses (they may run at the same time)', () => {
    const files = new Map<string, Claims>();
    // this file's own examples above are not addresses it binds
    for (const f of testFiles(ROOT)) {
      if (f === import.meta.filename) continue;
      const c = claimsOf(readFileSync(f, 'utf8'));
      for (const addr of PARSED_ONLY[relative(ROOT, f)] ?? []) c.addresses.delete(addr);
      files.set(relative(ROOT, f), c);
    }
    expect(clashes(files)).toEqual([]);
  });
});
