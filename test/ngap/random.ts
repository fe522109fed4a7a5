// Random valid values for any type of a PER schema, for round-trip property tests.
import type { AsnType, Range } from '../../codecs/per/schema.ts';
import type { AperCodec } from '../../codecs/per/aper.ts';
import type { Rng } from '../helpers/fuzz.ts';

function inRange(rng: Rng, r: Range | undefined, cap: number): number {
  const lb = r?.lb ?? 0;
  const ub = Math.min(r?.ub ?? lb + cap, lb + cap);
  return lb + rng.int(ub - lb + 1);
}

export function randomValue(codec: AperCodec, t0: AsnType, rng: Rng, depth = 0): unknown {
  const t = t0.k === 'ref' ? codec.resolve(t0) : t0;
  const deep = depth > 6;
  switch (t.k) {
    case 'seq': {
      const o: Record<string, unknown> = {};
      for (const f of t.fields) {
        if (f.optional && (deep || rng.int(3) === 0)) continue;
        if (f.optional && f.type.k === 'exts') continue;
        o[f.name] = randomValue(codec, f.type, rng, depth + 1);
      }
      return o;
    }
    case 'seqof': {
      const n = inRange(rng, t.size, deep ? 0 : 2) || (t.size?.lb ?? 0);
      return Array.from({ length: Math.max(n, t.size?.lb ?? 0) }, () => randomValue(codec, t.of, rng, depth + 1));
    }
    case 'choice': {
      const alts = t.alts.filter((a) => a.type.k !== 'iesingle');
      const a = alts[rng.int(alts.length)];
      return { [a.name]: randomValue(codec, a.type, rng, depth + 1) };
    }
    case 'enum':
      return t.items[rng.int(t.items.length)];
    case 'int':
      return inRange(rng, t.range, 1_000_000);
    case 'bits': {
      const n = inRange(rng, t.size, 16) || (t.size?.lb ?? 1);
      return { value: rng.bytes(Math.ceil(n / 8)).map((b, i, a) => (i === a.length - 1 && n % 8 ? b & (0xff << (8 - (n % 8))) : b)), length: n };
    }
    case 'octets':
      return rng.bytes(inRange(rng, t.size, 8));
    case 'str': {
      const n = inRange(rng, t.size, 8) || 1;
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
      return set.entries.filter((e) => e.presence === 'mandatory' || (!deep && rng.int(4) === 0)).map((e) => ({ id: e.id, criticality: e.criticality, value: randomValue(codec, e.type, rng, depth + 1) }));
    }
    case 'exts':
    case 'private':
      return [];
    case 'iesingle': {
      const e = codec.schema.sets[t.set].entries[0];
      return { id: e.id, criticality: e.criticality, value: randomValue(codec, e.type, rng, depth + 1) };
    }
    default:
      return null;
  }
}
