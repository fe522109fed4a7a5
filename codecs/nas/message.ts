// The NAS-5GS message engine: headers (TS 24.501 9.1, 9.2, 9.3, 9.4, 9.6, 9.7) and the
// table-driven body codec. One engine reads a message's row list to decode and to encode.
//
//   5GMM plain:  EPD 0x7E | spare half (bits 8-5) + security header type 0 (bits 4-1) | message type | IEs
//   protected:   EPD 0x7E | spare + security header type 1-4 | MAC (4) | sequence number (1) | NAS message
//   5GSM:        EPD 0x2E | PDU session identity | PTI | message type | IEs
//
// Optional IEs are found by IEI; an IEI the table does not know is skipped and kept by the rule of
// TS 24.007 11.2.4 (bit 8 set: one octet; 0x7X: TLV-E; otherwise TLV), so a round trip keeps it.

import { NasReader } from './reader.ts';
import { ByteWriter } from '../bytes/writer.ts';
import { EncodeError } from '../bytes/errors.ts';
import { MESSAGES, MESSAGE_BY_NAME, type MessageDef, type Row } from './tables.ts';

const PROTOCOL = 'nas-5gs';
export const EPD_5GMM = 0x7e;
export const EPD_5GSM = 0x2e;

export const SecurityHeaderType = {
  Plain: 0,
  IntegrityProtected: 1,
  IntegrityProtectedAndCiphered: 2,
  IntegrityProtectedWithNewContext: 3,
  IntegrityProtectedAndCipheredWithNewContext: 4,
} as const;

export interface NasMessage {
  /** The spec's message name, e.g. 'Registration request'. */
  name: string;
  epd: 0x7e | 0x2e;
  messageType: number;
  /** 5GSM header. */
  pduSessionId?: number;
  pti?: number;
  /** IE values by the row names of the message table. */
  ies: Record<string, unknown>;
  /** Optional IEs the table does not model, verbatim (IEI included). */
  unknownIes?: Uint8Array[];
  /** Wire order of the optional IEs when it differs from the table's ('#n' = unknownIes[n]). */
  order?: string[];
}

/** A security protected 5GS NAS message (TS 24.501 9.1.1, Figure 9.1.1-2). */
export interface SecurityProtectedNas {
  epd: 0x7e;
  securityHeaderType: 1 | 2 | 3 | 4;
  mac: Uint8Array;
  sequenceNumber: number;
  /** The plain NAS message octets (ciphertext when ciphered with a non-null algorithm). */
  payload: Uint8Array;
}

export type NasPdu = { kind: 'plain'; message: NasMessage } | { kind: 'protected'; protected: SecurityProtectedNas; inner?: NasMessage };

/**
 * What the engine needs of a message table, computed once when the module loads. Names and IEIs
 * are unique within a message (checked here), so a row is identified by its index.
 */
interface Compiled {
  def: MessageDef;
  /** Index of the first optional row: the rows before it are the mandatory part, in order. */
  firstOptional: number;
  /**
   * Row index of the optional IE each IEI octet introduces, -1 for none: a type 1 IE (TV1) at all
   * 16 values of its low nibble, then full-octet IEIs over them (an exact match wins).
   */
  rowByIei: Int8Array;
  /** Row index by IE name. */
  indexByName: Map<string, number>;
  /** Per row: the decode that last read it (see `decodes`). */
  decodedIn: Float64Array;
  /**
   * The IE names the last encodes met, by position in their values object, with their row index
   * (-1: no IE of this message). Callers build messages of one kind alike, so a string compare
   * usually replaces the hash look-up in indexByName (a tenth of an encode in the profile).
   */
  namesSeen: string[];
  indexSeen: number[];
}
function compile(def: MessageDef): Compiled {
  const rows = def.rows;
  let firstOptional = rows.findIndex((r) => 'iei' in r);
  if (firstOptional < 0) firstOptional = rows.length;
  const c: Compiled = { def, firstOptional, rowByIei: new Int8Array(256).fill(-1), indexByName: new Map(), decodedIn: new Float64Array(rows.length), namesSeen: [], indexSeen: [] };
  rows.forEach((r, i) => {
    if (!('name' in r)) return;
    if (c.indexByName.has(r.name)) throw new Error(`${def.name}: IE name ${r.name} twice`);
    c.indexByName.set(r.name, i);
  });
  // type 1 IEIs (bit 8 set, TS 24.007 11.2.4) first, so that full-octet IEIs override them
  rows.forEach((r, i) => {
    if (r.f === 'TV1' && r.iei >= 8) c.rowByIei.fill(i, r.iei << 4, (r.iei << 4) + 16);
  });
  rows.forEach((r, i) => {
    if (!('iei' in r) || r.f === 'TV1') return;
    if (c.rowByIei[r.iei] >= 0 && rows[c.rowByIei[r.iei]].f !== 'TV1') throw new Error(`${def.name}: IEI 0x${r.iei.toString(16)} twice`);
    c.rowByIei[r.iei] = i;
  });
  return c;
}

// Compiled tables by message type octet, one array per EPD: an array load instead of a string key
// built and hashed per message.
const MM_BY_TYPE: (Compiled | undefined)[] = new Array(256).fill(undefined);
const SM_BY_TYPE: (Compiled | undefined)[] = new Array(256).fill(undefined);
for (const m of MESSAGES) (m.epd === EPD_5GMM ? MM_BY_TYPE : SM_BY_TYPE)[m.type] = compile(m);
function compiledFor(epd: number, type: number): Compiled | undefined {
  return epd === EPD_5GMM ? MM_BY_TYPE[type] : epd === EPD_5GSM ? SM_BY_TYPE[type] : undefined;
}

/**
 * The wire order of the optional IEs of the message being decoded, as row indexes (an unknown IE
 * n as -1 - n). Kept across calls (decoding is synchronous and never nested): turned into
 * NasMessage.order only when that order is not the table's.
 */
const seen: number[] = [];
/**
 * Decodes so far; Compiled.decodedIn[row] holds the decode in which an optional row was last read,
 * which tells a repeated IE (treated as unknown, TS 24.007 11.2.4) without a look-up in the values.
 */
let decodes = 0;

function decodeBody(r: NasReader, c: Compiled, msg: NasMessage): void {
  const rows = c.def.rows;
  const ies = msg.ies;
  let pendingHigh = -1; // the high nibble of a half-octet pair, for its second IE
  // mandatory part (TS 24.007 11.2.5: V, LV and LV-E in table order; half octets paired, low nibble first)
  let i = 0;
  for (; i < c.firstOptional; i++) {
    const row = rows[i];
    switch (row.f) {
      case 'half':
      case 'spare-half': {
        let n: number;
        if (pendingHigh < 0) {
          const o = r.u8(row.f === 'half' ? row.name : 'SpareHalfOctet');
          n = o & 0x0f;
          pendingHigh = o >> 4;
        } else {
          n = pendingHigh;
          pendingHigh = -1;
        }
        if (row.f === 'half') ies[row.name] = row.codec.read(n);
        break;
      }
      case 'V': {
        r.ie = row.name;
        const outer = r.narrow(row.length, row.name);
        ies[row.name] = row.codec.read(r);
        r.widen(outer);
        r.ie = undefined;
        break;
      }
      case 'LV':
      case 'LV-E': {
        r.ie = row.name;
        const len = row.f === 'LV' ? r.u8('Length') : r.u16('Length');
        const outer = r.narrow(len, 'Value');
        ies[row.name] = row.codec.read(r);
        r.expectEnd(row.name);
        r.widen(outer);
        r.ie = undefined;
        break;
      }
    }
  }
  // optional part: IEs found by IEI, in any order
  let nSeen = 0;
  const decode = ++decodes;
  let lastRow = i - 1;
  let canonical = true;
  while (!r.atEnd) {
    const at = r.pos;
    const iei = r.peekU8('IEI');
    const idx = c.rowByIei[iei];
    const row = idx >= 0 ? rows[idx] : undefined;
    if (row === undefined || !('iei' in row) || c.decodedIn[idx] === decode) {
      // unknown (or repeated) IE: skip and keep per TS 24.007 11.2.4
      let len: number;
      if (iei & 0x80) len = 1;
      else if ((iei & 0xf0) === 0x70) {
        r.skip(1, 'IEI');
        len = 3 + r.u16('Length');
        r.pos = at;
      } else {
        r.skip(1, 'IEI');
        len = 2 + r.u8('Length');
        r.pos = at;
      }
      const bytes = r.copy(len, `UnknownIE(0x${iei.toString(16)})`);
      const unknown = (msg.unknownIes ??= []);
      unknown.push(bytes);
      seen[nSeen++] = -unknown.length; // unknown IE n as -1 - n
      canonical = false;
      continue;
    }
    r.ie = row.name;
    r.pos = at + 1; // the IEI
    switch (row.f) {
      case 'TV1':
        ies[row.name] = row.codec.read(iei & 0x0f);
        break;
      case 'TV': {
        const outer = r.narrow(row.length, 'Value');
        ies[row.name] = row.codec.read(r);
        r.widen(outer);
        break;
      }
      case 'TLV':
      case 'TLV-E': {
        const len = row.f === 'TLV' ? r.u8('Length') : r.u16('Length');
        const outer = r.narrow(len, 'Value');
        ies[row.name] = row.codec.read(r);
        r.expectEnd(row.name);
        r.widen(outer);
        break;
      }
    }
    r.ie = undefined;
    if (idx < lastRow) canonical = false;
    lastRow = idx;
    seen[nSeen++] = idx;
    c.decodedIn[idx] = decode;
  }
  if (!canonical) {
    const order: string[] = [];
    for (let k = 0; k < nSeen; k++) order.push(seen[k] >= 0 ? (rows[seen[k]] as Row & { name: string }).name : `#${-1 - seen[k]}`);
    msg.order = order;
  }
}

/** Decodes a plain NAS message (5GMM with security header type 0, or 5GSM). */
export function decodeNasMessage(bytes: Uint8Array): NasMessage {
  const r = new NasReader(bytes, PROTOCOL);
  const epd = r.u8('ExtendedProtocolDiscriminator');
  let msg: NasMessage;
  let c: Compiled | undefined;
  if (epd === EPD_5GMM) {
    const sht = r.u8('SecurityHeaderType') & 0x0f;
    if (sht !== 0) throw r.error('BAD_VALUE', `security header type ${sht}: a protected message, use decodeNas`, 'SecurityHeaderType', 1);
    const type = r.u8('MessageType');
    c = MM_BY_TYPE[type];
    if (!c) throw r.error('UNKNOWN_TYPE', `5GMM message type 0x${type.toString(16)} (answer with 5GMM cause #97)`, 'MessageType', 2);
    msg = { name: c.def.name, epd, messageType: type, ies: {} };
  } else if (epd === EPD_5GSM) {
    const pduSessionId = r.u8('PDUSessionIdentity');
    const pti = r.u8('ProcedureTransactionIdentity');
    const type = r.u8('MessageType');
    c = SM_BY_TYPE[type];
    if (!c) throw r.error('UNKNOWN_TYPE', `5GSM message type 0x${type.toString(16)} (answer with 5GSM cause #97)`, 'MessageType', 3);
    msg = { name: c.def.name, epd, messageType: type, pduSessionId, pti, ies: {} };
  } else {
    throw r.error('BAD_VALUE', `extended protocol discriminator 0x${epd.toString(16)} is not 5GMM or 5GSM`, 'ExtendedProtocolDiscriminator', 0);
  }
  r.message = c.def.name;
  decodeBody(r, c, msg);
  return msg;
}

/**
 * Decodes a 5GS NAS PDU, plain or security protected. For a protected one the inner message is
 * decoded when it is plain (null ciphering, or security header type 1/3); ciphertext stays as octets.
 */
export function decodeNas(bytes: Uint8Array, opts: { innerIsPlain?: boolean } = {}): NasPdu {
  const r = new NasReader(bytes, PROTOCOL);
  const epd = r.u8('ExtendedProtocolDiscriminator');
  const sht = epd === EPD_5GMM ? r.u8('SecurityHeaderType') & 0x0f : 0;
  if (sht === 0) return { kind: 'plain', message: decodeNasMessage(bytes) };
  if (sht > 4) throw r.error('BAD_VALUE', `security header type ${sht} is reserved`, 'SecurityHeaderType', 1);
  const mac = r.copy(4, 'MessageAuthenticationCode');
  const sequenceNumber = r.u8('SequenceNumber');
  const payload = r.restCopy();
  if (payload.length === 0) throw r.error('TRUNCATED', 'no NAS message after the security header', 'NASMessage');
  const p: SecurityProtectedNas = { epd: 0x7e, securityHeaderType: sht as 1 | 2 | 3 | 4, mac, sequenceNumber, payload };
  const plainInside = sht === 1 || sht === 3 || opts.innerIsPlain === true;
  return plainInside ? { kind: 'protected', protected: p, inner: decodeNasMessage(payload) } : { kind: 'protected', protected: p };
}

function writeRowValue(w: ByteWriter, row: Row & { codec: { write(w: ByteWriter, v: unknown): void } }, v: unknown, lenOctets: 0 | 1 | 2): void {
  if (lenOctets === 0) {
    row.codec.write(w, v);
    return;
  }
  const at = w.reserve(lenOctets);
  row.codec.write(w, v);
  const len = w.pos - at - lenOctets;
  if (lenOctets === 1) {
    if (len > 255) throw new EncodeError(PROTOCOL, row.f === 'spare-half' ? '' : row.name, `value of ${len} octets exceeds a one-octet length`);
    w.patchU8(at, len);
  } else {
    w.patchU16(at, len);
  }
}

/** An optional IE: IEI (TS 24.007 11.2.1.1.1), length for TLV and TLV-E, value. */
function writeOptional(w: ByteWriter, row: Row & { name: string }, v: unknown): void {
  switch (row.f) {
    case 'TV1':
      w.u8((row.iei << 4) | (row.codec.write(v) & 0x0f));
      break;
    case 'TV':
      w.u8(row.iei);
      writeRowValue(w, row, v, 0);
      break;
    case 'TLV':
      w.u8(row.iei);
      writeRowValue(w, row, v, 1);
      break;
    case 'TLV-E':
      w.u8(row.iei);
      writeRowValue(w, row, v, 2);
      break;
    default:
      break;
  }
}

/** The optional IEs a message being encoded carries: row indexes in table order and their values (kept across calls). */
const present: number[] = [];
const presentValues: unknown[] = [];

function encodeBody(w: ByteWriter, c: Compiled, msg: NasMessage): void {
  const def = c.def;
  const rows = def.rows;
  const ies = msg.ies;
  // One pass over the names given rather than a look-up of every optional row of the table (43
  // for a Registration request): the optional IEs present, sorted into table order, and the first
  // name that is no IE of this message (reported once the rest is encoded, as it always was).
  let stranger: string | undefined;
  let nPresent = 0;
  let k = 0;
  for (const name in ies) {
    let idx: number;
    if (c.namesSeen[k] === name) idx = c.indexSeen[k];
    else {
      idx = c.indexByName.get(name) ?? -1;
      c.namesSeen[k] = name;
      c.indexSeen[k] = idx;
    }
    k++;
    if (idx < 0) stranger ??= name;
    else if (idx >= c.firstOptional) {
      const v = ies[name];
      if (v === undefined) continue;
      let j = nPresent++;
      for (; j > 0 && present[j - 1] > idx; j--) {
        present[j] = present[j - 1];
        presentValues[j] = presentValues[j - 1];
      }
      present[j] = idx;
      presentValues[j] = v;
    }
  }
  // mandatory part (TS 24.007 11.2.5), half octets paired low nibble first
  let pendingLow = -1;
  for (let i = 0; i < c.firstOptional; i++) {
    const row = rows[i];
    if (row.f === 'half' || row.f === 'spare-half') {
      let n = 0;
      if (row.f === 'half') {
        const v = ies[row.name];
        if (v === undefined) throw new EncodeError(PROTOCOL, `${def.name}.${row.name}`, 'mandatory IE missing');
        n = row.codec.write(v) & 0x0f;
      }
      if (pendingLow < 0) pendingLow = n;
      else {
        w.u8((n << 4) | pendingLow);
        pendingLow = -1;
      }
      continue;
    }
    if (pendingLow >= 0) {
      w.u8(pendingLow);
      pendingLow = -1;
    }
    if (row.f === 'V' || row.f === 'LV' || row.f === 'LV-E') {
      const v = ies[row.name];
      if (v === undefined) throw new EncodeError(PROTOCOL, `${def.name}.${row.name}`, 'mandatory IE missing');
      const start = w.pos;
      writeRowValue(w, row, v, row.f === 'V' ? 0 : row.f === 'LV' ? 1 : 2);
      if (row.f === 'V' && w.pos - start !== row.length) throw new EncodeError(PROTOCOL, `${def.name}.${row.name}`, `value must be ${row.length} octet(s)`);
    }
  }
  if (pendingLow >= 0) w.u8(pendingLow);
  // optional part: in the decoded wire order when there is one, else in table order, unknown IEs last
  if (msg.order) {
    for (const name of msg.order) {
      if (name.startsWith('#')) w.bytes(msg.unknownIes![Number(name.slice(1))]);
      else {
        const idx = c.indexByName.get(name);
        const v = ies[name];
        if (idx !== undefined && v !== undefined) writeOptional(w, rows[idx] as Row & { name: string }, v);
      }
    }
  } else {
    for (let k = 0; k < nPresent; k++) writeOptional(w, rows[present[k]] as Row & { name: string }, presentValues[k]);
    if (msg.unknownIes) for (const u of msg.unknownIes) w.bytes(u);
  }
  for (let k = 0; k < nPresent; k++) presentValues[k] = undefined; // keep no caller's value beyond the call
  if (stranger !== undefined) throw new EncodeError(PROTOCOL, `${def.name}.${stranger}`, 'not an IE of this message');
}

/** Encodes a plain NAS message. */
export function encodeNasMessage(msg: NasMessage, into?: ByteWriter): Uint8Array {
  const c = compiledFor(msg.epd, msg.messageType);
  if (!c) throw new EncodeError(PROTOCOL, msg.name, `no table for message type 0x${msg.messageType.toString(16)}`);
  const w = into ?? new ByteWriter(64);
  const start = w.pos;
  if (msg.epd === EPD_5GMM) w.u8(EPD_5GMM).u8(0).u8(msg.messageType);
  else w.u8(EPD_5GSM).u8(msg.pduSessionId ?? 0).u8(msg.pti ?? 0).u8(msg.messageType);
  encodeBody(w, c, msg);
  return w.buf.subarray(start, w.pos);
}

/** Encodes a security protected NAS message from its parts (MAC computed elsewhere). */
export function encodeSecurityProtected(p: SecurityProtectedNas): Uint8Array {
  const out = new Uint8Array(7 + p.payload.length);
  out[0] = EPD_5GMM;
  out[1] = p.securityHeaderType;
  out.set(p.mac, 2);
  out[6] = p.sequenceNumber & 0xff;
  out.set(p.payload, 7);
  return out;
}

/** Builds a NAS message by its spec name with IE values by row name. */
export function nasMessage(name: string, ies: Record<string, unknown>, header: { pduSessionId?: number; pti?: number } = {}): NasMessage {
  const def = MESSAGE_BY_NAME.get(name);
  if (!def) throw new EncodeError(PROTOCOL, name, 'not a NAS-5GS message name');
  const clean: Record<string, unknown> = {};
  for (const k of Object.keys(ies)) {
    const v = ies[k];
    if (v !== undefined) clean[k] = v;
  }
  // one literal per shape (no spread of a conditional object per message)
  if (def.epd === EPD_5GSM) return { name: def.name, epd: def.epd, messageType: def.type, pduSessionId: header.pduSessionId ?? 0, pti: header.pti ?? 0, ies: clean };
  return { name: def.name, epd: def.epd, messageType: def.type, ies: clean };
}
