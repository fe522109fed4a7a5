// HPACK, header compression for HTTP/2 (RFC 7541): integers with an N-bit prefix (5.1), string
// literals, plain or Huffman coded (5.2, Appendix B), the static table (Appendix A) and the
// dynamic table with its size accounting and eviction (4). A decoder is one direction of one
// connection: it keeps that direction's dynamic table across header blocks. Pure; bad bytes are a
// DecodeError with the offset in the header block and the field being read.
//
// The encoder is the simplest conforming one (6.1, 6.2.2): an exact static-table match is
// indexed, anything else is a literal without indexing (name indexed when the static table has
// it), Huffman coded when that is shorter. It never adds to the dynamic table.

import { DecodeError, type DecodeErrorCode } from '../bytes/errors.ts';
import { HUFFMAN_CODES, EOS } from './huffman-table.ts';

const PROTOCOL = 'hpack';

export interface HeaderField {
  name: string;
  value: string;
}

/** RFC 7541 Appendix A: the static table, index 1..61. */
export const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

/** The static table as header fields, shared by every decoded block (a field is never changed once decoded). */
const STATIC_FIELDS: readonly HeaderField[] = STATIC_TABLE.map(([name, value]) => ({ name, value }));

const encoder = new TextEncoder();
const EMPTY = Buffer.alloc(0);
/**
 * A string literal's octets as text: malformed UTF-8 reads as U+FFFD (the table still counts the
 * octets received, 4.1), and a leading U+FEFF is kept, being part of the field's value.
 */
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

// --- Huffman (5.2, Appendix B) ------------------------------------------------------------------

/**
 * Decoding tables of the canonical code (Appendix B's codes of one length are consecutive, in
 * symbol order): per length, the first code, how many codes have that length and where its
 * symbols start in SYMBOLS. A bit at a time, with arithmetic only.
 */
const FIRST_CODE = new Int32Array(31);
const COUNT = new Int32Array(31);
const START = new Int32Array(31);
const SYMBOLS = new Uint16Array(EOS + 1);
{
  const byLength = Array.from({ length: 31 }, () => [] as number[]);
  for (let sym = 0; sym <= EOS; sym++) byLength[HUFFMAN_CODES[2 * sym + 1]].push(sym);
  let at = 0;
  for (let len = 1; len <= 30; len++) {
    const syms = byLength[len].sort((a, b) => HUFFMAN_CODES[2 * a] - HUFFMAN_CODES[2 * b]);
    FIRST_CODE[len] = syms.length ? HUFFMAN_CODES[2 * syms[0]] : -1;
    COUNT[len] = syms.length;
    START[len] = at;
    syms.forEach((sym, i) => {
      if (HUFFMAN_CODES[2 * sym] !== FIRST_CODE[len] + i) throw new Error('RFC 7541 Appendix B table is not canonical');
      SYMBOLS[at++] = sym;
    });
  }
}

function fail(code: DecodeErrorCode, offset: number, path: string, reason: string): DecodeError {
  return new DecodeError({ protocol: PROTOCOL, code, offset, path, reason });
}

/** Decodes a Huffman-coded string literal (5.2): padding must be the most significant bits of EOS, at most 7 bits. */
export function huffmanDecode(bytes: Uint8Array, offset = 0, path = 'String'): Uint8Array {
  const out = new Uint8Array(Math.ceil((bytes.length * 8) / 5));
  let n = 0;
  let code = 0;
  let len = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    for (let bit = 7; bit >= 0; bit--) {
      code = (code << 1) | ((byte >> bit) & 1);
      len++;
      const k = code - FIRST_CODE[len];
      if (COUNT[len] > 0 && k >= 0 && k < COUNT[len]) {
        const sym = SYMBOLS[START[len] + k];
        if (sym === EOS) throw fail('BAD_VALUE', offset + i, path, 'EOS symbol inside a Huffman-coded string (RFC 7541 5.2)');
        out[n++] = sym;
        code = 0;
        len = 0;
      } else if (len >= 30) {
        throw fail('BAD_VALUE', offset + i, path, 'no Huffman code matches');
      }
    }
  }
  if (len > 7) throw fail('BAD_VALUE', offset + bytes.length - 1, path, `Huffman padding of ${len} bits (more than 7, RFC 7541 5.2)`);
  if (len > 0 && code !== (1 << len) - 1) throw fail('BAD_VALUE', offset + bytes.length - 1, path, 'Huffman padding is not the most significant bits of EOS (RFC 7541 5.2)');
  return out.subarray(0, n);
}

/** Huffman-codes octets (5.2), padded with the most significant bits of EOS. */
export function huffmanEncode(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    const code = HUFFMAN_CODES[2 * b];
    let len = HUFFMAN_CODES[2 * b + 1];
    while (len > 0) {
      const take = Math.min(len, 8 - bits);
      const chunk = (code >>> (len - take)) & ((1 << take) - 1);
      acc = (acc << take) | chunk;
      bits += take;
      len -= take;
      if (bits === 8) {
        out.push(acc);
        acc = 0;
        bits = 0;
      }
    }
  }
  if (bits > 0) out.push(((acc << (8 - bits)) | ((1 << (8 - bits)) - 1)) & 0xff);
  return Uint8Array.from(out);
}

/** The length in octets of the Huffman coding of `bytes` (5.2), padding included. */
export function huffmanLength(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) n += HUFFMAN_CODES[2 * b + 1];
  return (n + 7) >> 3;
}

// --- Primitive reads (5.1, 5.2) -----------------------------------------------------------------

class BlockReader {
  pos = 0;
  /** Where the header block ends in `buf`, and where it starts (error offsets are from there). */
  end = 0;
  base = 0;
  /** The index of the field being read, for the path of a DecodeError (built only when one is thrown). */
  field = 0;
  buf: Uint8Array = EMPTY;
  /** The same octets as a Buffer, for ASCII string literals read without a copy. */
  private bytes: Buffer = EMPTY;

  /** Reads the header block at `start`..`end` of `buf` (one reader per decoder, reused: no object per block). */
  reset(buf: Uint8Array, start: number, end: number): void {
    this.buf = buf;
    this.bytes = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.base = start;
    this.end = end;
    this.field = 0;
  }

  path(part: string): string {
    return `HeaderBlock[${this.field}].${part}`;
  }

  /** An integer with an N-bit prefix in the current octet (5.1); `part` names it in an error. */
  integer(prefix: number, part: string): number {
    if (this.pos >= this.end) throw fail('TRUNCATED', this.pos - this.base, this.path(part), 'integer expected');
    const max = (1 << prefix) - 1;
    let value = this.buf[this.pos++] & max;
    if (value < max) return value;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw fail('TRUNCATED', this.pos - this.base, this.path(part), 'integer continuation expected');
      const b = this.buf[this.pos++];
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (value > 0xffffffff) throw fail('BAD_VALUE', this.pos - 1 - this.base, this.path(part), 'integer exceeds 2^32 - 1');
      if ((b & 0x80) === 0) return value;
    }
  }

  /** The length in octets of the last string literal read, after Huffman decoding (4.1 counts these). */
  octets = 0;

  /** A string literal (5.2): H bit, 7-bit-prefix length, octets. */
  string(part: 'Name' | 'Value'): string {
    if (this.pos >= this.end) throw fail('TRUNCATED', this.pos - this.base, this.path(part), 'string literal expected');
    const huffman = (this.buf[this.pos] & 0x80) !== 0;
    const len = this.integer(7, part === 'Name' ? 'Name.Length' : 'Value.Length');
    const at = this.pos;
    if (at + len > this.end) throw fail('TRUNCATED', at - this.base, this.path(part), `string of ${len} octets, ${this.end - at} left in the header block`);
    this.pos += len;
    if (huffman) {
      const raw = huffmanDecode(this.buf.subarray(at, at + len), at - this.base, this.path(part));
      this.octets = raw.length;
      return decoder.decode(raw);
    }
    this.octets = len;
    // ASCII (what the SBI's fields are) reads the same as UTF-8 and as Latin-1: no view, no decoder
    const b = this.buf;
    for (let i = at; i < at + len; i++) if (b[i] > 0x7f) return decoder.decode(b.subarray(at, at + len));
    return this.bytes.toString('latin1', at, at + len);
  }
}

function writeInteger(out: number[], first: number, prefix: number, value: number): void {
  const max = (1 << prefix) - 1;
  if (value < max) {
    out.push(first | value);
    return;
  }
  out.push(first | max);
  value -= max;
  while (value >= 128) {
    out.push((value % 128) + 128);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

function writeString(out: number[], s: string): void {
  const raw = encoder.encode(s);
  const h = huffmanLength(raw);
  if (h < raw.length) {
    writeInteger(out, 0x80, 7, h);
    for (const b of huffmanEncode(raw)) out.push(b);
  } else {
    writeInteger(out, 0, 7, raw.length);
    for (const b of raw) out.push(b);
  }
}

// --- Decoder (3, 4, 6) --------------------------------------------------------------------------

export class HpackDecoder {
  /** Newest first: dynamic index 62 is entries[0]. */
  private readonly entries: HeaderField[] = [];
  /**
   * Per entry, as `entries`: its size (4.1) and its name's length, in the octets of the string
   * literals received. Not recomputed from the decoded text: octets that are not UTF-8 read as
   * U+FFFD (3 octets), and the table would then evict what the peer's encoder still indexes.
   */
  private readonly sizes: number[] = [];
  private readonly nameOctets: number[] = [];
  private size = 0;
  /** SETTINGS_HEADER_TABLE_SIZE the peer announced (the upper bound of size updates). */
  private maxSetting: number;
  private max: number;

  constructor(maxTableSize = 4096) {
    this.maxSetting = maxTableSize;
    this.max = maxTableSize;
  }

  /** The dynamic table, newest first, for tests and diagnostics. */
  get dynamicTable(): readonly HeaderField[] {
    return this.entries;
  }

  get tableSize(): number {
    return this.size;
  }

  /** The decoder side of a SETTINGS_HEADER_TABLE_SIZE the decoding endpoint sent (RFC 9113 6.5.2). */
  setMaxTableSize(n: number): void {
    this.maxSetting = n;
  }

  private evictTo(limit: number): void {
    while (this.size > limit && this.entries.length) {
      this.entries.pop();
      this.nameOctets.pop();
      this.size -= this.sizes.pop()!;
    }
  }

  /** 4.4: adds a field whose name and value literals had `nameOctets` and `valueOctets` octets. */
  private add(f: HeaderField, nameOctets: number, valueOctets: number): void {
    const s = nameOctets + valueOctets + 32;
    this.evictTo(this.max - s);
    if (s <= this.max) {
      this.entries.unshift(f);
      this.sizes.unshift(s);
      this.nameOctets.unshift(nameOctets);
      this.size += s;
    }
  }

  /** The name octets of the field at `index` (looked up already): the static table's names are ASCII. */
  private nameOctetsAt(index: number): number {
    return index <= STATIC_FIELDS.length ? STATIC_FIELDS[index - 1].name.length : this.nameOctets[index - STATIC_FIELDS.length - 1];
  }

  private lookup(index: number, at: number, r: BlockReader, part: string): HeaderField {
    if (index === 0) throw fail('BAD_VALUE', at, r.path(part), 'index 0 (RFC 7541 6.1)');
    if (index <= STATIC_FIELDS.length) return STATIC_FIELDS[index - 1];
    const e = this.entries[index - STATIC_FIELDS.length - 1];
    if (!e) throw fail('BAD_VALUE', at, r.path(part), `index ${index} beyond the static and dynamic tables (${STATIC_TABLE.length + this.entries.length} entries)`);
    return e;
  }

  private readonly reader = new BlockReader();
  private readonly scratch: HeaderField[] = [];

  /**
   * Decodes one complete header block (the fragments of HEADERS + CONTINUATION joined): `block`,
   * or its octets `start`..`end` (a frame's payload read in place).
   */
  decode(block: Uint8Array, start = 0, end = block.length): HeaderField[] {
    const r = this.reader;
    r.reset(block, start, end);
    try {
      return this.fields(r, block, end);
    } finally {
      r.reset(EMPTY, 0, 0); // the reader keeps no reference to the block
    }
  }

  private fields(r: BlockReader, block: Uint8Array, end: number): HeaderField[] {
    // fields go to a scratch list reused by every block, then to a list of exactly their number:
    // an array grown by push would have room for 17 (152 octets of elements for the 7 of a request)
    const out = this.scratch;
    let n = 0;
    let fieldSeen = false;
    while (r.pos < end) {
      const b = block[r.pos];
      const at = r.pos - r.base; // the representation's offset in the header block
      r.field = n;
      if (b & 0x80) {
        // 6.1 Indexed Header Field
        out[n++] = this.lookup(r.integer(7, 'Index'), at, r, 'Index');
        fieldSeen = true;
      } else if ((b & 0xe0) === 0x20) {
        // 6.3 Dynamic Table Size Update: only at the start of a block (4.2)
        if (fieldSeen) throw fail('BAD_VALUE', at, `HeaderBlock[${n}]`, 'dynamic table size update after a header field (RFC 7541 4.2)');
        const size = r.integer(5, 'MaxSize');
        if (size > this.maxSetting) throw fail('BAD_VALUE', at, `HeaderBlock[${n}]`, `table size ${size} above SETTINGS_HEADER_TABLE_SIZE ${this.maxSetting}`);
        this.max = size;
        this.evictTo(size);
      } else {
        // 6.2.1 with incremental indexing (01), 6.2.2 without (0000), 6.2.3 never indexed (0001)
        const indexing = (b & 0xc0) === 0x40;
        const prefix = indexing ? 6 : 4;
        const index = r.integer(prefix, 'NameIndex');
        let name: string;
        let nameOctets: number;
        if (index === 0) {
          name = r.string('Name');
          nameOctets = r.octets;
        } else {
          name = this.lookup(index, at, r, 'NameIndex').name;
          nameOctets = this.nameOctetsAt(index);
        }
        const value = r.string('Value');
        const f = { name, value };
        if (indexing) this.add(f, nameOctets, r.octets);
        out[n++] = f;
        fieldSeen = true;
      }
    }
    return out.slice(0, n);
  }
}

/** Encodes a header list with the static table only (see the file comment). */
export function encodeHeaderBlock(fields: readonly HeaderField[]): Uint8Array {
  const out: number[] = [];
  for (const f of fields) {
    const exact = STATIC_TABLE.findIndex(([n, v]) => n === f.name && v === f.value);
    if (exact >= 0) {
      writeInteger(out, 0x80, 7, exact + 1);
      continue;
    }
    const named = STATIC_TABLE.findIndex(([n]) => n === f.name);
    writeInteger(out, 0x00, 4, named + 1);
    if (named < 0) writeString(out, f.name);
    writeString(out, f.value);
  }
  return Uint8Array.from(out);
}
