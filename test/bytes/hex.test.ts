// Hex <-> octets (codecs/bytes/hex.ts): the one-pass read of plain hex digits against
// Buffer's decoder, and the forms it leaves to the general path (white space) or refuses.

import { describe, it, expect } from 'vitest';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';

describe('fromHex / toHex', () => {
  it('reads every octet in lower and upper case, as Buffer does', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const lower = Buffer.from(all).toString('hex');
    expect(toHex(all)).toBe(lower);
    expect(fromHex(lower)).toEqual(all);
    expect(fromHex(lower.toUpperCase())).toEqual(all);
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  it('drops white space', () => {
    expect(toHex(fromHex(' 00 1f\\n\tA0 ff '.replace('\\n', '\n')))).toBe('001fa0ff');
  });

  it('refuses an odd length or a character that is not a hex digit, with the same error', () => {
    for (const bad of ['0', 'abc', '1 2 3', 'x1', '0g', 'g0', '@0', '0`', '0:', '/0', '0G', 'zz', '0\u00e1', '\u0130\u0131']) {
      expect(() => fromHex(bad), bad).toThrowError(new TypeError(`not an even-length hex string: ${bad}`));
    }
  });
});
