// `wire5g subscriber` never loses a subscriber's data by accident (issue 13): add refuses an
// existing SUPI, update changes only the fields given and prints old -> new, every field is
// checked. Judged by running the real bin/wire5g.js and reading the SQLite database back through
// the UDR's own store.

import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wire5g } from '../helpers/wire5g.ts';
import { UdrStore } from '../../nodes/udr/store.ts';

const T = 90_000;

describe('wire5g subscriber add/update/show/list/remove', () => {
  it('add refuses an existing SUPI and keeps K, OPc, SQN and the remaining usage; update changes only what is given', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'wire5g-sub-')), 'udr.sqlite');
    const sub = (...a: string[]) => wire5g(['subscriber', ...a, '--db', db]);
    const supi = 'imsi-001010000000042';
    const added = await sub('add', '--supi', supi, '--sqn', '000000000001', '--usage', '5000');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(`added ${supi}`);

    const again = await sub('add', '--supi', supi, '--k', '00112233445566778899aabbccddeeff');
    expect(again.code).toBe(1);
    expect(again.stderr.trimEnd()).toMatch(new RegExp(`^wire5g subscriber add: ${supi} is already in .*; change it with 'wire5g subscriber update ${supi}`));
    let s = new UdrStore(db);
    expect(s.get(supi)?.k).toBe('465b5ce8b199b49faa5f0a2ee238a6bc');
    expect(s.get(supi)?.sqn).toBe('000000000001');
    expect(s.usage(supi, 'internet', '1')?.remainingOctets).toBe(5000);
    s.close();

    const up = await sub('update', supi, '--k', '00112233445566778899AABBCCDDEEFF', '--dnn', 'internet,ims');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`updated ${supi}`);
    expect(up.stdout).toContain('  k: 465b5ce8b199b49faa5f0a2ee238a6bc -> 00112233445566778899aabbccddeeff');
    expect(up.stdout).toContain('  dnn: internet -> internet,ims');
    expect(up.stdout).not.toMatch(/sqn:|usage:/); // unchanged fields are not listed
    s = new UdrStore(db);
    expect(s.get(supi)).toMatchObject({ k: '00112233445566778899aabbccddeeff', sqn: '000000000001', dnns: ['internet', 'ims'] });
    expect(s.usage(supi, 'internet', '1')?.remainingOctets).toBe(5000); // the remaining usage survives an update
    s.close();

    const show = await sub('show', supi);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^${supi} .*sqn 000000000001 .*dnn internet,ims`));
    expect((await sub('list')).stdout).toContain(supi);

    const usage = await sub('update', supi, '--usage', '7');
    expect(usage.stdout).toMatch(/usage: 5000,.* -> 7|usage: .* -> 7/);

    expect((await sub('update', 'imsi-001010000000099', '--k', '00112233445566778899aabbccddeeff')).code).toBe(1);
    const nothing = await sub('update', supi);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/nothing to change/);

    const rm = await sub('remove', supi);
    expect(rm.code).toBe(0);
    const rmAgain = await sub('remove', supi);
    expect(rmAgain.code).toBe(1);
    expect(rmAgain.stderr.trimEnd()).toMatch(/^wire5g subscriber remove: no subscriber imsi-001010000000042 in /);
  }, T);

  it('every field is checked: --sst abc, --usage lots, a short K, a bad SUPI are refused and nothing is stored', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'wire5g-sub-')), 'udr.sqlite');
    const cases: [string[], RegExp][] = [
      [['--sst', 'abc'], /--sst must be a whole number 0..255, got 'abc'/],
      [['--sst', '256'], /--sst must be a whole number 0..255, got '256'/],
      [['--usage', 'lots'], /--usage must be a whole number >= 0, got 'lots'/],
      [['--k', 'abc'], /--k: expected 32 hex digits, got 'abc'/],
      [['--sd', '12345'], /--sst\/--sd: .*expected 6 hex digits/],
      [['--dnn', 'in ternet'], /--dnn: .*expected a DNN/],
    ];
    const results = await Promise.all(cases.map(([a]) => wire5g(['subscriber', 'add', '--supi', 'imsi-001010000000043', ...a, '--db', db])));
    results.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trimEnd()).toMatch(cases[i][1]);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    });
    const supi = await wire5g(['subscriber', 'add', '--supi', 'nai-x', '--db', db]);
    expect(supi.code).toBe(2);
    expect(supi.stderr).toMatch(/--supi: expected imsi-<5..15 digits>/);
    const list = await wire5g(['subscriber', 'list', '--db', db]);
    expect(list.stdout).toBe('');
  }, T);
});
