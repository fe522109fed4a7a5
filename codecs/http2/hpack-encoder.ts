// HPACK encoder with a dynamic table (RFC 7541 2.3.2, 4, 6), one direction of one connection.
// A field is sent as (6.1) an index when the static or dynamic table holds it exactly, else as a
// literal (6.2.1) with incremental indexing, its name indexed from the static table when the
// static table has the name. Fields that change with every request (:path, location,
// content-length, date) go without indexing (6.2.2) so they do not push out the ones that repeat
// (user-agent, :authority, content-type, server); authorization is never indexed (6.2.3, 7.1.3).
// String literals are plain octets: Huffman coding (5.2) is optional for an encoder and costs
// CPU on every field; `huffman: true` uses it when shorter.
//
// With `indexAll` every literal is indexed: RFC 7541 Appendix C.3 and C.5 are then this
// encoder's exact output, the vectors that judge it (test/http2/hpack-encoder.test.ts).

import { STATIC_TABLE, huffmanEncode, huffmanLength, type HeaderField } from './hpack.ts';

const NOT_INDEXED = new Set([':path', 'content-length', 'location', 'date', 'etag', 'last-modified', 'if-modified-since', 'if-none-match']);
const NEVER_INDEXED = new Set(['authorization', 'proxy-authorization']);

/** Static table index by name then value (exact), and by name (first index). */
const STATIC_EXACT = new Map<string, Map<string, number>>();
const STATIC_NAME = new Map<string, number>();
STATIC_TABLE.forEach(([n, v], i) => {
  let values = STATIC_EXACT.get(n);
  if (!values) STATIC_EXACT.set(n, (values = new Map()));
  if (!values.has(v)) values.set(v, i + 1);
  if (!STATIC_NAME.has(n)) STATIC_NAME.set(n, i + 1);
});

const utf8 = new TextEncoder();

/**
 * Literals of at most this many characters are written by a loop over their characters, longer
 * ones by two native calls (their UTF-8 length, their Latin-1 octets), whose fixed cost a short
 * one does not repay.
 */
const SHORT_LITERAL = 24;

/** What the encoder needs to know of a field name, looked up once per field instead of four times. */
interface NameInfo {
  staticValues: Map<string, number> | undefined;
  /** The length of the longest of staticValues: a longer value is not looked up (no hash of a long :path). */
  staticMaxLength: number;
  /** The first static index of the name, 0 when the static table does not have it. */
  nameIndex: number;
  never: boolean;
  notIndexed: boolean;
}
const NAMES = new Map<string, NameInfo>();
function nameInfo(name: string): NameInfo {
  let info = NAMES.get(name);
  if (info) return info;
  const staticValues = STATIC_EXACT.get(name);
  const staticMaxLength = staticValues ? Math.max(...[...staticValues.keys()].map((v) => v.length)) : -1;
  info = { staticValues, staticMaxLength, nameIndex: STATIC_NAME.get(name) ?? 0, never: NEVER_INDEXED.has(name), notIndexed: NOT_INDEXED.has(name) };
  if (NAMES.size >= 1024) NAMES.clear(); // names are few; a peer inventing names does not grow it
  NAMES.set(name, info);
  return info;
}

interface Entry {
  name: string;
  value: string;
  size: number;
  /** Insertion number: the dynamic index is 62 + (inserted - 1 - abs). */
  abs: number;
}

export interface HpackEncoderOptions {
  /** Table size to use (at most the peer's SETTINGS_HEADER_TABLE_SIZE); 4096 by default. */
  maxTableSize?: number;
  huffman?: boolean;
  indexAll?: boolean;
}

export class HpackEncoder {
  private readonly entries: Entry[] = [];
  private head = 0;
  /** The newest insertion number of each field in the table, by name then value. */
  private readonly exact = new Map<string, Map<string, number>>();
  private inserted = 0;
  private size = 0;
  private max: number;
  private pendingUpdate = false;
  /** The smallest size set since the last header block (4.2: it is signalled before the size now). */
  private smallest = Infinity;
  private readonly huffman: boolean;
  private readonly indexAll: boolean;
  /** Its own buffer (encode, encodeShared), and where the block being encoded goes. */
  private own: Buffer = Buffer.allocUnsafe(512);
  private out: Buffer = this.own;
  /**
   * Field objects sent as an index (6.1), by identity: the fields the SBI makes once and sends in
   * every message (:scheme, :authority, user-agent, accept, :status, server, content-type) are
   * then one lookup, not three. With the name and value they had (a changed field is looked up
   * again), and the static index or, when that is 0, the dynamic entry's insertion number.
   */
  private readonly sent = new Map<HeaderField, { name: string; value: string; staticIndex: number; abs: number }>();
  private pos = 0;

  constructor(o: HpackEncoderOptions = {}) {
    this.max = o.maxTableSize ?? 4096;
    this.huffman = o.huffman ?? false;
    this.indexAll = o.indexAll ?? false;
  }

  get tableSize(): number {
    return this.size;
  }

  /**
   * The peer's SETTINGS_HEADER_TABLE_SIZE (RFC 9113 6.5.2). The table keeps at most 4096 octets;
   * a smaller setting shrinks it, announced by a size update opening the next block (4.2). When
   * the size changes more than once between two blocks, the smallest it had is signalled first
   * (4.2 MUST): a decoder evicts to it as this encoder did.
   */
  setPeerMaxTableSize(n: number): void {
    const want = Math.min(n, 4096);
    if (want !== this.max) {
      this.max = want;
      this.evictTo(want);
      this.pendingUpdate = true;
      if (want < this.smallest) this.smallest = want;
    }
  }

  private evictTo(limit: number): void {
    while (this.size > limit && this.head < this.entries.length) {
      const e = this.entries[this.head++];
      this.size -= e.size;
      const values = this.exact.get(e.name)!;
      if (values.get(e.value) === e.abs) {
        values.delete(e.value);
        if (values.size === 0) this.exact.delete(e.name);
      }
    }
    if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }

  private add(name: string, value: string, size: number): void {
    this.evictTo(this.max - size);
    if (size > this.max) return; // 4.4: the table is emptied and the entry not added
    const abs = this.inserted++;
    this.entries.push({ name, value, size, abs });
    let values = this.exact.get(name);
    if (!values) this.exact.set(name, (values = new Map()));
    values.set(value, abs);
    this.size += size;
  }

  private remember(f: HeaderField, staticIndex: number, abs: number): void {
    if (this.sent.size >= 1024) this.sent.clear(); // field objects made per message do not grow it
    this.sent.set(f, { name: f.name, value: f.value, staticIndex, abs });
  }

  private room(n: number): void {
    if (this.pos + n <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.pos + n));
    this.out.copy(bigger, 0, 0, this.pos);
    this.out = bigger;
  }

  /** 5.1: an integer with an N-bit prefix after the representation's first bits. */
  private integer(first: number, prefix: number, value: number): void {
    this.room(6);
    const max = (1 << prefix) - 1;
    if (value < max) {
      this.out[this.pos++] = first | value;
      return;
    }
    this.out[this.pos++] = first | max;
    value -= max;
    while (value >= 128) {
      this.out[this.pos++] = (value % 128) + 128;
      value = Math.floor(value / 128);
    }
    this.out[this.pos++] = value;
  }

  /** 5.2: a string literal, its UTF-8 octets; returns their length (for the entry size). */
  private string(s: string): number {
    let n = -1;
    if (!this.huffman && s.length > SHORT_LITERAL && s.length < 127) {
      // an ASCII string (the SBI's :path, location): its UTF-8 length is its length (a character
      // from 0x80 up takes two octets or more), which fits the prefix octet (5.1), and its
      // characters are its octets, written by Buffer's native Latin-1. A loop over the characters
      // costs 2-4 ns each on the :path and location the SBI builds (sliced and concatenated
      // strings, whose every charCodeAt goes through the indirection): twice the native calls at
      // 80 characters (docs/decisions/21-sbi-4.md).
      const len = s.length;
      n = Buffer.byteLength(s, 'utf8');
      if (n === len) {
        this.room(1 + len);
        this.out[this.pos] = len; // H 0, length
        this.pos += 1 + this.out.write(s, this.pos + 1, len, 'latin1');
        return len;
      }
    } else if (!this.huffman && s.length < 127) {
      // a short ASCII string: written here a character at a time, without two native calls
      const len = s.length;
      this.room(1 + len);
      const out = this.out;
      const at = this.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        out[at + i] = c;
      }
      if (i === len) {
        out[this.pos] = len; // H 0, length
        this.pos = at + len;
        return len;
      }
    }
    // measured and written by Buffer's native UTF-8
    if (n < 0) n = Buffer.byteLength(s, 'utf8');
    if (this.huffman) {
      const bytes = utf8.encode(s);
      if (huffmanLength(bytes) <= n) { // Appendix C.6 codes "307" although no shorter
        const h = huffmanEncode(bytes);
        this.integer(0x80, 7, h.length);
        this.room(h.length);
        this.out.set(h, this.pos);
        this.pos += h.length;
        return n;
      }
    }
    this.integer(0, 7, n);
    this.room(n);
    this.pos += this.out.write(s, this.pos, n, 'utf8');
    return n;
  }

  /** Encodes one header block; names must already be lowercase (RFC 9113 8.2.1). */
  encode(fields: readonly HeaderField[]): Uint8Array {
    return new Uint8Array(this.encodeShared(fields));
  }

  /**
   * As encode, but the block is a view of the encoder's own buffer, valid only until the next
   * call: for a caller that copies it at once (the HTTP/2 connection's frame writer).
   */
  encodeShared(fields: readonly HeaderField[]): Uint8Array {
    const end = this.encodeAt(fields, this.own, 0);
    this.own = this.out;
    return this.own.subarray(0, end);
  }

  /**
   * Encodes one header block into `target` from offset `at` and returns where it ends: the frame
   * writer's buffer, after the room of the frame header, so the block is neither copied nor
   * viewed. When `target` has no room left, octets 0..end are in a bigger buffer: `target` after
   * the call.
   */
  encodeAt(fields: readonly HeaderField[], target: Buffer, at: number): number {
    this.out = target;
    this.pos = at;
    if (this.pendingUpdate) {
      // 6.3 Dynamic Table Size Update: the smallest size of the interval, then the size now (4.2)
      if (this.smallest < this.max) this.integer(0x20, 5, this.smallest);
      this.integer(0x20, 5, this.max);
      this.pendingUpdate = false;
      this.smallest = Infinity;
    }
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      const { name, value } = f;
      const m = this.sent.get(f);
      if (m !== undefined && m.name === name && m.value === value) {
        if (m.staticIndex) {
          this.integer(0x80, 7, m.staticIndex);
          continue;
        }
        // still in the table: not older than its oldest entry (4.4 evicts oldest first)
        if (this.head < this.entries.length && m.abs >= this.entries[this.head].abs) {
          this.integer(0x80, 7, STATIC_TABLE.length + this.inserted - m.abs);
          continue;
        }
      }
      const info = nameInfo(name);
      const s = value.length <= info.staticMaxLength ? info.staticValues!.get(value) : undefined;
      if (s !== undefined) {
        this.remember(f, s, 0);
        this.integer(0x80, 7, s);
        continue;
      }
      // a name not indexed (unless indexAll) or never indexed is not in the dynamic table: not looked up there
      const abs = info.never || (info.notIndexed && !this.indexAll) ? undefined : this.exact.get(name)?.get(value);
      if (abs !== undefined) {
        this.remember(f, 0, abs);
        this.integer(0x80, 7, STATIC_TABLE.length + this.inserted - abs);
        continue;
      }
      const nameIndex = info.nameIndex;
      const never = info.never;
      const index = !never && (this.indexAll || (!info.notIndexed && value.length <= this.max / 4));
      if (index) this.integer(0x40, 6, nameIndex);
      else this.integer(never ? 0x10 : 0x00, 4, nameIndex);
      const nameLength = nameIndex === 0 ? this.string(name) : name.length;
      const valueLength = this.string(value);
      if (index) this.add(name, value, nameLength + valueLength + 32);
    }
    return this.pos;
  }

  /** The buffer the last block ends in: the one given to encodeAt, or a bigger copy of it. */
  get target(): Buffer {
    return this.out;
  }
}
