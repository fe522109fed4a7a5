// KeyedSerializer (nodes/common/concurrency.ts): a subscriber's SQN (UDM) and remaining allowed
// usage (PCF) are written by one task at a time per key, tasks of other keys run meanwhile, and a
// key whose tasks have all settled leaves the table.

import { describe, it, expect } from 'vitest';
import { KeyedSerializer } from '../../nodes/common/concurrency.ts';

/** A task that records its start and end around a wait the test releases. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('KeyedSerializer', () => {
  it('runs the tasks of one key one after another, a failed one included, and those of another key meanwhile', async () => {
    const s = new KeyedSerializer();
    const log: string[] = [];
    const g1 = gate(), g2 = gate(), g3 = gate();
    const first = s.run('a', async () => { log.push('a1 start'); await g1.promise; log.push('a1 end'); throw new Error('a1 failed'); });
    const second = s.run('a', async () => { log.push('a2 start'); await g2.promise; log.push('a2 end'); return 2; });
    const other = s.run('b', async () => { log.push('b start'); await g3.promise; log.push('b end'); return 'b'; });
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(['a1 start', 'b start']);
    expect(s.pending).toBe(2);
    g3.open();
    await expect(other).resolves.toBe('b');
    expect(s.pending).toBe(1);
    g1.open();
    await expect(first).rejects.toThrow('a1 failed');
    g2.open();
    await expect(second).resolves.toBe(2);
    expect(log).toEqual(['a1 start', 'b start', 'b end', 'a1 end', 'a2 start', 'a2 end']);
    await Promise.resolve();
    expect(s.pending).toBe(0);
  });

  it('a task never starts in the caller\'s own turn', async () => {
    const s = new KeyedSerializer();
    let started = false;
    const done = s.run('a', async () => { started = true; });
    expect(started).toBe(false);
    await done;
    expect(started).toBe(true);
  });
});
