// The stream table of our own HTTP/2 connection (transport/sbi/h2/stream-table.ts): lookups by
// identifier as a Map would answer them, with streams in flight, a stream kept open while many
// newer ones come and go (the ring grows, then overflows to a Map), and every removal.

import { describe, it, expect } from 'vitest';
import { StreamTable } from '../../transport/sbi/h2/stream-table.ts';
import { H2Stream } from '../../transport/sbi/h2/stream.ts';
import type { H2Connection } from '../../transport/sbi/h2/connection.ts';

const stream = (id: number) => new H2Stream(undefined as unknown as H2Connection, id);

describe('HTTP/2 stream table', () => {
  it('answers as a Map of the open streams while streams open and close in a sliding window, one lingering', () => {
    const t = new StreamTable();
    const ref = new Map<number, H2Stream>();
    const lingering = stream(1);
    t.add(lingering);
    ref.set(1, lingering);
    // 20,000 client streams (odd identifiers), 150 in flight, closing slightly out of order
    const open: H2Stream[] = [];
    for (let id = 3; id < 40_000; id += 2) {
      const s = stream(id);
      t.add(s);
      ref.set(id, s);
      open.push(s);
      if (open.length > 150) {
        const k = (id >> 1) % 7; // not always the oldest
        const [gone] = open.splice(k, 1);
        t.delete(gone);
        ref.delete(gone.id);
        expect(t.get(gone.id)).toBeUndefined();
      }
      if (id % 997 === 0) {
        expect(t.size).toBe(ref.size);
        for (const [k, v] of ref) expect(t.get(k)).toBe(v);
        expect(t.get(id + 2)).toBeUndefined();
      }
    }
    // the lingering stream is still found after the ring has grown to its bound and wrapped
    expect(t.get(1)).toBe(lingering);
    expect(t.values().map((s) => s.id)).toEqual([...ref.keys()].sort((a, b) => a - b));
    for (const s of t.values()) t.delete(s);
    expect(t.size).toBe(0);
    expect(t.get(1)).toBeUndefined();
    expect(t.values()).toEqual([]);
  });

  it('keeps streams whose identifiers share a slot apart (a wide window grows the ring)', () => {
    const t = new StreamTable();
    // a ring of 64 slots holds 64 consecutive streams (identifiers 1, 3, 5, ...): 5, 133 and 261 share a slot
    const a = stream(5);
    const b = stream(5 + 128);
    const c = stream(5 + 256);
    t.add(a);
    t.add(b);
    t.add(c);
    expect([t.get(5), t.get(133), t.get(261), t.size]).toEqual([a, b, c, 3]);
    t.delete(b);
    expect([t.get(5), t.get(133), t.get(261), t.size]).toEqual([a, undefined, c, 2]);
  });
});
