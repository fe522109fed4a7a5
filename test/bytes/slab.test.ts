// OctetSlab (codecs/bytes/slab.ts): what it hands out is zeros, no two takes share an octet, and
// sizes V8 keeps on its heap or too large for a slab get arrays of their own.

import { describe, it, expect } from 'vitest';
import { OctetSlab } from '../../codecs/bytes/slab.ts';

describe('OctetSlab', () => {
  it('hands out zeroed octets that no other take shares, across slab boundaries', () => {
    const slab = new OctetSlab();
    const taken: Uint8Array[] = [];
    // 65..1,100 octets, enough to fill several 16 KiB slabs; each filled with its own mark
    for (let i = 0; i < 120; i++) {
      const n = 65 + ((i * 397) % 1036);
      const v = slab.take(n);
      expect(v.length).toBe(n);
      expect(v.every((o) => o === 0), `take ${i} is zeros`).toBe(true);
      v.fill((i % 255) + 1);
      taken.push(v);
    }
    taken.forEach((v, i) => expect(v.every((o) => o === (i % 255) + 1), `take ${i} kept its octets`).toBe(true));
    expect(new Set(taken.map((v) => v.buffer)).size).toBeGreaterThan(1);
  });

  it('gives arrays of their own up to 64 octets and past 4,096', () => {
    const slab = new OctetSlab();
    for (const n of [0, 1, 64, 4097, 20000]) {
      const v = slab.take(n);
      expect(v.length).toBe(n);
      expect(v.byteOffset).toBe(0);
      expect(v.buffer.byteLength).toBe(n);
    }
    const shared = slab.take(65);
    expect(shared.buffer.byteLength).toBeGreaterThan(65);
  });
});
