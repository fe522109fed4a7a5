// IPv4/IPv6 text <-> octets (RFC 791, RFC 4291 2.2, RFC 5952 4 for output).

import { isIPv6 } from 'node:net';

/** Dotted-quad IPv4 text to 4 octets (single pass, no allocation beyond the result). */
export function parseIPv4(addr: string): Uint8Array {
  const out = new Uint8Array(4);
  let part = 0, value = 0, digits = 0;
  for (let i = 0; i < addr.length; i++) {
    const c = addr.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || part === 3) throw new TypeError(`not an IPv4 address: ${addr}`);
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      value = value * 10 + (c - 48);
      digits++;
      if (value > 255) throw new TypeError(`not an IPv4 address: ${addr}`);
    } else {
      throw new TypeError(`not an IPv4 address: ${addr}`);
    }
  }
  if (part !== 3 || digits === 0) throw new TypeError(`not an IPv4 address: ${addr}`);
  out[3] = value;
  return out;
}

export function parseIPv6(addr: string): Uint8Array {
  if (!isIPv6(addr)) throw new TypeError(`not an IPv6 address: ${addr}`);
  let a = addr;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = a.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const b = parseIPv4(v4[1]);
    a = a.slice(0, -v4[1].length) + ((b[0] << 8) | b[1]).toString(16) + ':' + ((b[2] << 8) | b[3]).toString(16);
  }
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

export function formatIPv4(b: Uint8Array, at = 0): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

export function formatIPv6(b: Uint8Array, at = 0): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(((b[at + i * 2] << 8) | b[at + i * 2 + 1]).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

