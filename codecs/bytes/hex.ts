// Hex <-> bytes for vectors, logs and the CLI. Strict: odd length or a non-hex digit throws.

/** The two hex digits of each octet value. */
const OCTET_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The value of each ASCII hex digit, -1 for any other character code below 128. */
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  DIGIT['0123456789abcdef'.charCodeAt(i)] = i;
  DIGIT['0123456789ABCDEF'.charCodeAt(i)] = i;
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += OCTET_HEX[b[i]];
  return s;
}

/** Octets of a hex string; white space anywhere is ignored. One pass, no intermediate strings. */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  let n = 0;
  let high = -1;
  for (let i = 0; i < hex.length; i++) {
    const c = hex.charCodeAt(i);
    const d = c < 128 ? DIGIT[c] : -1;
    if (d < 0) {
      if (/\s/.test(hex[i])) continue;
      throw notHex(hex);
    }
    if (high < 0) high = d;
    else {
      out[n++] = (high << 4) | d;
      high = -1;
    }
  }
  if (high >= 0) throw notHex(hex);
  return n === out.length ? out : out.slice(0, n);
}

function notHex(hex: string): TypeError {
  return new TypeError(`not an even-length hex string: ${hex.slice(0, 40)}`);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
