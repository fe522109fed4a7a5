// IndexedMap (nodes/common/indexed-map.ts): a Map that also finds its entries by a key of their
// values, as the PCF finds a subscriber's SM policy associations by SUPI.
import { describe, expect, it } from 'vitest';
import { IndexedMap } from '../../nodes/common/indexed-map.ts';

describe('IndexedMap', () => {
  const entries = (m: IndexedMap<string, { supi: string; psi: number }, string>, supi: string) => [...m.entriesWith(supi)].map(([k, v]) => [k, v.psi]);

  it('finds the entries of one index key, following set, replace, delete and clear', () => {
    const m = new IndexedMap<string, { supi: string; psi: number }, string>((v) => v.supi);
    m.set('1', { supi: 'imsi-a', psi: 1 }).set('2', { supi: 'imsi-b', psi: 1 }).set('3', { supi: 'imsi-a', psi: 2 });
    expect(entries(m, 'imsi-a')).toEqual([['1', 1], ['3', 2]]);
    expect(entries(m, 'imsi-b')).toEqual([['2', 1]]);
    expect(entries(m, 'imsi-c')).toEqual([]);
    // a value replaced under the same key moves to its new index key
    m.set('1', { supi: 'imsi-b', psi: 5 });
    expect(entries(m, 'imsi-a')).toEqual([['3', 2]]);
    expect(entries(m, 'imsi-b')).toEqual([['2', 1], ['1', 5]]);
    expect(m.delete('3')).toBe(true);
    expect(m.delete('3')).toBe(false);
    expect(entries(m, 'imsi-a')).toEqual([]);
    expect(m.size).toBe(2);
    expect([...m.keys()]).toEqual(['1', '2']);
    m.clear();
    expect(entries(m, 'imsi-b')).toEqual([]);
    expect(m.size).toBe(0);
  });
});
