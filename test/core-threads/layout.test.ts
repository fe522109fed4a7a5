import { describe, expect, it } from 'vitest';
import { CORE_THREAD_LAYOUTS, coreThreadGroups, groupName } from '../../nodes/core-threads/layout.ts';
import { CORE_NFS, START_ORDER } from '../../nodes/core.ts';

describe('core thread layouts', () => {
  it('puts every core NF in exactly one group of each layout', () => {
    for (const [k, groups] of Object.entries(CORE_THREAD_LAYOUTS)) {
      expect(groups).toHaveLength(Number(k));
      expect([...groups.flat()].sort()).toEqual([...CORE_NFS].sort());
    }
  });

  it('starts in the order of startCore (every NF of START_ORDER, once)', () => {
    expect([...START_ORDER].sort()).toEqual([...CORE_NFS].sort());
  });

  it('refuses a thread count it has no layout for, naming the choices', () => {
    expect(() => coreThreadGroups(7)).toThrow(/7 core threads: one of 1, 2, 3/);
    expect(groupName(coreThreadGroups(2)[0])).toBe('NRF+NSSF+AMF+AUSF+UDM');
  });
});
