// The SBI types are a build output of spec/openapi-rel18 (npm run gen:sbi): regenerating them
// must give exactly the committed files, and the operations table must name only what the
// OpenAPI files define (the compiler checks paths, methods, statuses and bodies; this checks the
// API names and versions against the files' `servers`, read here with js-yaml).

import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { generate, SERVICES, SPEC_DIR, OUT_DIR } from '../../tools/sbi-gen/main.ts';
import { ALL_OPERATIONS, CALLBACKS } from '../../nodes/common/sbi/operations.ts';

describe('SBI types generated from the 3GPP Release 18 OpenAPI', () => {
  it('regenerating nodes/common/sbi-types from spec/openapi-rel18 changes nothing', async () => {
    const generated = await generate();
    expect(Object.keys(generated).sort()).toEqual(readdirSync(OUT_DIR).sort());
    expect(Object.keys(generated)).toHaveLength(SERVICES.length);
    for (const [name, text] of Object.entries(generated)) {
      const committed = readFileSync(join(OUT_DIR, name), 'utf8');
      expect(text === committed, `${name} differs from what npm run gen:sbi generates`).toBe(true);
    }
  }, 180_000);

  it('every $ref of the copied OpenAPI files resolves to a file in spec/openapi-rel18', () => {
    const files = new Set(readdirSync(SPEC_DIR));
    for (const f of files) {
      if (!f.endsWith('.yaml')) continue;
      for (const m of readFileSync(join(SPEC_DIR, f), 'utf8').matchAll(/\$ref:\s*'?([A-Za-z0-9_-]+\.yaml)/g)) expect(files.has(m[1]), `${f} refers to ${m[1]}`).toBe(true);
    }
  });

  it("each operation's API name and version are its OpenAPI file's (Nudr_DR kept at v1, as Open5GS and free5GC serve it)", () => {
    const docs = new Map<string, { servers?: { url: string }[]; components?: { schemas?: Record<string, unknown> } }>();
    const doc = (spec: string) => {
      if (!docs.has(spec)) docs.set(spec, load(readFileSync(join(SPEC_DIR, `${spec}.yaml`), 'utf8')) as never);
      return docs.get(spec)!;
    };
    expect(ALL_OPERATIONS.length).toBeGreaterThan(40);
    for (const op of ALL_OPERATIONS) {
      const url = doc(op.spec).servers?.[0]?.url ?? '';
      const expected = op.api === 'nudr-dr' ? `{apiRoot}/nudr-dr/v2` : `{apiRoot}/${op.api}/${op.version}`;
      expect(url, op.name).toBe(expected);
    }
    for (const cb of Object.values(CALLBACKS)) expect(doc(cb.spec).components?.schemas?.[cb.schema!], `${cb.name}: ${cb.schema}`).toBeDefined();
  });
});
