// Hex <-> bytes for vectors, logs and the CLI. Strict: odd length or a non-hex digit throws.

const HEX = '0123456789abcdef';

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  return s;
}

/** The value of a hex digit's character code, or -1. */
function nibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20; // 'A'-'F' -> 'a'-'f'; no other code lands in 'a'-'f'
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

export function fromHex(hex: string): Uint8Array {
  // hex digits only (what the SBI and the NFs pass, per request): read in one pass
  if (hex.length % 2 === 0) {
    const out = new Uint8Array(hex.length / 2);
    let i = 0;
    for (; i < out.length; i++) {
      const hi = nibble(hex.charCodeAt(2 * i));
      const lo = nibble(hex.charCodeAt(2 * i + 1));
      if (hi < 0 || lo < 0) break;
      out[i] = (hi << 4) | lo;
    }
    if (i === out.length) return out;
  }
  // white space to drop, or not hex at all
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new TypeError(`not an even-length hex string: ${hex.slice(0, 40)}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
