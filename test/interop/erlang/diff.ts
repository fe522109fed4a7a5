// The first ASN.1 path where two decoded values differ ('.name', '[i]'), for reports.

function describe(v: unknown): string {
  if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`;
  if (typeof v === 'bigint') return `${v}n`;
  const s = JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? `0x${Buffer.from(x).toString('hex')}` : typeof x === 'bigint' ? `${x}n` : x));
  return s === undefined ? String(v) : s.length > 120 ? `${s.slice(0, 120)}...` : s;
}

/** `undefined` when equal, else the path and both values. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a === 'bigint' || typeof b === 'bigint') return BigInt(a as bigint) === BigInt(b as bigint) ? undefined : `${path || '.'}: ${describe(a)} vs ${describe(b)}`;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b)) ? undefined : `${path || '.'}: ${describe(a)} vs ${describe(b)}`;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: ${a.length} vs ${b.length} items`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !(a instanceof Uint8Array) && !(b instanceof Uint8Array)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
      if (ao[k] === undefined && bo[k] === undefined) continue;
      const d = firstDifference(ao[k], bo[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return `${path || '.'}: ${describe(a)} vs ${describe(b)}`;
}
