// Random valid values for any type of a PER schema, for round-trip property tests. Besides the
// root components they produce, now and then, what a hand-written test rarely does: extension
// additions of SEQUENCEs, extension alternatives of CHOICEs and ENUMERATEDs, protocol extension
// containers with entries of their set, CHOICE-extension single containers, private IEs, and
// integers at the bounds of their range.
import type { AsnType, Range } from '../../codecs/per/schema.ts';
import type { AperCodec } from '../../codecs/per/aper.ts';
import type { Rng } from '../helpers/fuzz.ts';

/** A length or count within `r`, at most `cap` above the lower bound. */
function sizeIn(rng: Rng, r: Range | undefined, cap: number): number {
  const lb = r?.lb ?? 0;
  const ub = Math.min(r?.ub ?? lb + cap, lb + cap);
  return lb + rng.int(ub - lb + 1);
}

/**
 * An INTEGER value: the bounds of its root one time in four, else anywhere in (a capped) root.
 * A range wider than 2^53 (the 64-bit usage counters) also gets bigints up to 2^64 - 1.
 */
function intIn(rng: Rng, r: Range | undefined): number | bigint {
  if (!r) return rng.int(2) ? rng.int(1 << 30) : -rng.int(1 << 30); // unconstrained: either sign
  if (r.ub !== undefined && r.ub > Number.MAX_SAFE_INTEGER) {
    switch (rng.int(4)) {
      case 0:
        return 2n ** 64n - 1n;
      case 1:
        return (BigInt(rng.next()) << 32n) | BigInt(rng.next()) | (1n << 60n);
      default:
        return rng.next() * 2 ** 21 + rng.int(2 ** 21);
    }
  }
  if (r.parts) {
    // a union root (1..30 | 40 | 50): a value of one of its members
    const [a, b] = r.parts[rng.int(r.parts.length)];
    return a + rng.int(b - a + 1);
  }
  const ub = r.ub ?? r.lb + 2 ** 40; // semi-constrained: up to 6 octets
  switch (rng.int(8)) {
    case 0:
      return r.lb;
    case 1:
      return ub;
    default:
      return r.lb + Math.floor((rng.next() / 2 ** 32) * (Math.min(ub - r.lb, 2 ** 32) + 1));
  }
}

/** `n` random bits as a BIT STRING value, unused trailing bits zero (as decoding returns them). */
function bitString(rng: Rng, n: number): { value: Uint8Array; length: number } {
  const value = rng.bytes(Math.ceil(n / 8));
  if (n % 8) value[value.length - 1] &= 0xff << (8 - (n % 8));
  return { value, length: n };
}

export function randomValue(codec: AperCodec, t0: AsnType, rng: Rng, depth = 0): unknown {
  const t = t0.k === 'ref' ? codec.resolve(t0) : t0;
  const deep = depth > 6;
  const rarely = () => !deep && rng.int(6) === 0;
  switch (t.k) {
    case 'seq': {
      const o: Record<string, unknown> = {};
      for (const f of t.fields) {
        if (f.optional && f.type.k === 'exts') {
          if (rarely() && codec.schema.sets[f.type.set]?.entries.length) o[f.name] = randomValue(codec, f.type, rng, depth + 1);
          continue;
        }
        if (f.optional && (deep || rng.int(3) === 0)) continue;
        o[f.name] = randomValue(codec, f.type, rng, depth + 1);
      }
      if (t.ext) for (const f of t.extFields) if (rarely()) o[f.name] = randomValue(codec, f.type, rng, depth + 1);
      return o;
    }
    case 'seqof': {
      const n = sizeIn(rng, t.size, deep ? 0 : 2);
      return Array.from({ length: n }, () => randomValue(codec, t.of, rng, depth + 1));
    }
    case 'choice': {
      // a choice-Extensions single container only when its set has an entry to put in it
      const alts = t.alts.filter((a) => a.type.k !== 'iesingle' || (codec.schema.sets[a.type.set]?.entries.length ?? 0) > 0);
      const a = t.ext && t.extAlts.length && rarely() ? t.extAlts[rng.int(t.extAlts.length)] : alts[rng.int(alts.length)];
      return { [a.name]: randomValue(codec, a.type, rng, depth + 1) };
    }
    case 'enum':
      if (t.ext && t.extItems.length && rarely()) return t.extItems[rng.int(t.extItems.length)];
      return t.items[rng.int(t.items.length)];
    case 'int':
      return intIn(rng, t.range);
    case 'bits':
      return bitString(rng, sizeIn(rng, t.size, 40));
    case 'octets':
      return rng.bytes(sizeIn(rng, t.size, 8));
    case 'str': {
      const n = sizeIn(rng, t.size, 8);
      return Array.from({ length: n }, () => String.fromCharCode(0x61 + rng.int(26))).join('');
    }
    case 'bool':
      return rng.int(2) === 1;
    case 'null':
      return null;
    case 'oid':
      return Uint8Array.of(0x2a, 0x03);
    case 'ies': {
      const set = codec.schema.sets[t.set];
      return set.entries
        .filter((e) => e.presence === 'mandatory' || (!deep && rng.int(4) === 0))
        .map((e) => ({ id: e.id, criticality: e.criticality, value: randomValue(codec, e.type, rng, depth + 1) }));
    }
    case 'exts': {
      // SIZE (1..maxProtocolExtensions): one or two distinct entries of the set
      const entries = codec.schema.sets[t.set].entries;
      const first = rng.int(entries.length);
      const picked = entries.length > 1 && rng.int(2) ? [entries[first], entries[(first + 1 + rng.int(entries.length - 1)) % entries.length]] : [entries[first]];
      return picked.map((e) => ({ id: e.id, criticality: e.criticality, value: randomValue(codec, e.type, rng, depth + 1) }));
    }
    case 'private':
      // SIZE (1..maxPrivateIEs); private IEs are kept as their open type octets
      return Array.from({ length: 1 + rng.int(2) }, () => ({
        id: rng.int(2) ? { local: rng.int(65536) } : { global: Uint8Array.of(0x2a, 0x86, 0x48) },
        criticality: (['reject', 'ignore', 'notify'] as const)[rng.int(3)],
        raw: rng.bytes(1 + rng.int(6)),
      }));
    case 'iesingle': {
      const entries = codec.schema.sets[t.set].entries;
      const e = entries[rng.int(entries.length)];
      return { id: e.id, criticality: e.criticality, value: randomValue(codec, e.type, rng, depth + 1) };
    }
    case 'procedure':
      throw new Error('a procedure value is built with its procedure code');
  }
}
