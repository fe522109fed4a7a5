// The NAS-5GS message engine: headers (TS 24.501 9.1, 9.2, 9.3, 9.4, 9.6, 9.7) and the
// table-driven body codec. One engine reads a message's row list to decode and to encode.
//
//   5GMM plain:  EPD 0x7E | spare half (bits 8-5) + security header type 0 (bits 4-1) | message type | IEs
//   protected:   EPD 0x7E | spare + security header type 1-4 | MAC (4) | sequence number (1) | NAS message
//   5GSM:        EPD 0x2E | PDU session identity | PTI | message type | IEs
//
// Optional IEs are found by IEI; an IEI the table does not know is skipped and kept by the rule of
// TS 24.007 11.2.4 (bit 8 set: one octet; 0x7X: TLV-E; otherwise TLV), so a round trip keeps it.

import { ByteReader } from '../bytes/reader.ts';
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

// Message tables by message type octet, one array per EPD: an array load instead of a string key
// built and hashed per message.
const MM_BY_TYPE: (MessageDef | undefined)[] = new Array(256).fill(undefined);
const SM_BY_TYPE: (MessageDef | undefined)[] = new Array(256).fill(undefined);
for (const m of MESSAGES) (m.epd === EPD_5GMM ? MM_BY_TYPE : SM_BY_TYPE)[m.type] = m;
function messageDef(epd: number, type: number): MessageDef | undefined {
  return epd === EPD_5GMM ? MM_BY_TYPE[type] : epd === EPD_5GSM ? SM_BY_TYPE[type] : undefined;
}

function optionalKey(row: Row): number {
  return row.f === 'TV1' ? 0x100 | row.iei : 'iei' in row ? row.iei : -1;
}

/** What the engine needs of a table, computed once per message. */
interface Compiled {
  /** Index of the first optional row. */
  firstOptional: number;
  /** Optional rows by IEI (type 1 IEIs as 0x100 | IEI). */
  byIei: Map<number, Row>;
  /** Row index by IE name. */
  indexByName: Map<string, number>;
  /** Optional rows in table order, with their names. */
  optional: (Row & { name: string })[];
}
const compiledTables = new WeakMap<MessageDef, Compiled>();
function compiled(def: MessageDef): Compiled {
  let c = compiledTables.get(def);
  if (!c) {
    const rows = def.rows;
    let firstOptional = rows.findIndex((r) => 'iei' in r);
    if (firstOptional < 0) firstOptional = rows.length;
    c = { firstOptional, byIei: new Map(), indexByName: new Map(), optional: [] };
    rows.forEach((r, i) => {
      if ('name' in r) c!.indexByName.set(r.name, i);
      if ('iei' in r) {
        c!.byIei.set(optionalKey(r), r);
        c!.optional.push(r as Row & { name: string });
      }
    });
    compiledTables.set(def, c);
  }
  return c;
}

function decodeBody(r: ByteReader, def: MessageDef, msg: NasMessage): void {
  const rows = def.rows;
  let i = 0;
  let pendingHigh: number | undefined; // the high nibble of a half-octet pair, for its second IE
  // mandatory part
  for (; i < rows.length; i++) {
    const row = rows[i];
    if (row.f === 'half' || row.f === 'spare-half') {
      let n: number;
      if (pendingHigh === undefined) {
        const o = r.u8(row.f === 'half' ? row.name : 'SpareHalfOctet');
        n = o & 0x0f;
        pendingHigh = o >> 4;
      } else {
        n = pendingHigh;
        pendingHigh = undefined;
      }
      if (row.f === 'half') msg.ies[row.name] = row.codec.read(n);
      continue;
    }
    if (row.f === 'V') {
      r.enter(row.name);
      msg.ies[row.name] = row.codec.read(r.sub(row.length, row.name));
      r.leave();
      continue;
    }
    if (row.f === 'LV' || row.f === 'LV-E') {
      r.enter(row.name);
      const len = row.f === 'LV' ? r.u8('Length') : r.u16('Length');
      const sub = r.sub(len, 'Value');
      msg.ies[row.name] = row.codec.read(sub);
      sub.expectEnd(row.name);
      r.leave();
      continue;
    }
    break;
  }
  // optional part
  const c = compiled(def);
  const index = c.byIei;
  const order: string[] = [];
  let lastRow = i - 1;
  let canonical = true;
  while (!r.atEnd) {
    const at = r.pos;
    const iei = r.peekU8('IEI');
    const row = index.get(iei) ?? (iei >= 0x80 ? index.get(0x100 | (iei >> 4)) : undefined);
    if (!row || !('iei' in row) || msg.ies[row.name] !== undefined) {
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
      const bytes = Uint8Array.from(r.bytes(len, `UnknownIE(0x${iei.toString(16)})`));
      (msg.unknownIes ??= []).push(bytes);
      order.push(`#${msg.unknownIes.length - 1}`);
      canonical = false;
      continue;
    }
    r.enter(row.name);
    switch (row.f) {
      case 'TV1':
        r.skip(1, 'IEI');
        msg.ies[row.name] = row.codec.read(iei & 0x0f);
        break;
      case 'TV':
        r.skip(1, 'IEI');
        msg.ies[row.name] = row.codec.read(r.sub(row.length, 'Value'));
        break;
      case 'TLV':
      case 'TLV-E': {
        r.skip(1, 'IEI');
        const len = row.f === 'TLV' ? r.u8('Length') : r.u16('Length');
        const sub = r.sub(len, 'Value');
        msg.ies[row.name] = row.codec.read(sub);
        sub.expectEnd(row.name);
        break;
      }
    }
    r.leave();
    const idx = c.indexByName.get(row.name)!;
    if (idx < lastRow) canonical = false;
    lastRow = idx;
    order.push(row.name);
  }
  if (!canonical) msg.order = order;
}

/** Decodes a plain NAS message (5GMM with security header type 0, or 5GSM). */
export function decodeNasMessage(bytes: Uint8Array): NasMessage {
  const r = new ByteReader(bytes, PROTOCOL);
  const epd = r.u8('ExtendedProtocolDiscriminator');
  let msg: NasMessage;
  if (epd === EPD_5GMM) {
    const sht = r.u8('SecurityHeaderType') & 0x0f;
    if (sht !== 0) throw r.error('BAD_VALUE', `security header type ${sht}: a protected message, use decodeNas`, 'SecurityHeaderType', 1);
    const type = r.u8('MessageType');
    const def = MM_BY_TYPE[type];
    if (!def) throw r.error('UNKNOWN_TYPE', `5GMM message type 0x${type.toString(16)} (answer with 5GMM cause #97)`, 'MessageType', 2);
    msg = { name: def.name, epd, messageType: type, ies: {} };
    r.enter(def.name);
    decodeBody(r, def, msg);
  } else if (epd === EPD_5GSM) {
    const pduSessionId = r.u8('PDUSessionIdentity');
    const pti = r.u8('ProcedureTransactionIdentity');
    const type = r.u8('MessageType');
    const def = SM_BY_TYPE[type];
    if (!def) throw r.error('UNKNOWN_TYPE', `5GSM message type 0x${type.toString(16)} (answer with 5GSM cause #97)`, 'MessageType', 3);
    msg = { name: def.name, epd, messageType: type, pduSessionId, pti, ies: {} };
    r.enter(def.name);
    decodeBody(r, def, msg);
  } else {
    throw r.error('BAD_VALUE', `extended protocol discriminator 0x${epd.toString(16)} is not 5GMM or 5GSM`, 'ExtendedProtocolDiscriminator', 0);
  }
  return msg;
}

/**
 * Decodes a 5GS NAS PDU, plain or security protected. For a protected one the inner message is
 * decoded when it is plain (null ciphering, or security header type 1/3); ciphertext stays as octets.
 */
export function decodeNas(bytes: Uint8Array, opts: { innerIsPlain?: boolean } = {}): NasPdu {
  const r = new ByteReader(bytes, PROTOCOL);
  const epd = r.u8('ExtendedProtocolDiscriminator');
  const sht = epd === EPD_5GMM ? r.u8('SecurityHeaderType') & 0x0f : 0;
  if (sht === 0) return { kind: 'plain', message: decodeNasMessage(bytes) };
  if (sht > 4) throw r.error('BAD_VALUE', `security header type ${sht} is reserved`, 'SecurityHeaderType', 1);
  const mac = Uint8Array.from(r.bytes(4, 'MessageAuthenticationCode'));
  const sequenceNumber = r.u8('SequenceNumber');
  const payload = Uint8Array.from(r.rest());
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

function encodeBody(w: ByteWriter, def: MessageDef, msg: NasMessage): void {
  const rows = def.rows;
  let i = 0;
  let pendingLow: number | undefined;
  for (; i < rows.length; i++) {
    const row = rows[i];
    if (row.f === 'half' || row.f === 'spare-half') {
      let n = 0;
      if (row.f === 'half') {
        const v = msg.ies[row.name];
        if (v === undefined) throw new EncodeError(PROTOCOL, `${def.name}.${row.name}`, 'mandatory IE missing');
        n = row.codec.write(v) & 0x0f;
      }
      if (pendingLow === undefined) pendingLow = n;
      else {
        w.u8((n << 4) | pendingLow);
        pendingLow = undefined;
      }
      continue;
    }
    if (pendingLow !== undefined) {
      w.u8(pendingLow);
      pendingLow = undefined;
    }
    if (row.f === 'V' || row.f === 'LV' || row.f === 'LV-E') {
      const v = msg.ies[row.name];
      if (v === undefined) throw new EncodeError(PROTOCOL, `${def.name}.${row.name}`, 'mandatory IE missing');
      const start = w.pos;
      writeRowValue(w, row, v, row.f === 'V' ? 0 : row.f === 'LV' ? 1 : 2);
      if (row.f === 'V' && w.pos - start !== row.length) throw new EncodeError(PROTOCOL, `${def.name}.${row.name}`, `value must be ${row.length} octet(s)`);
      continue;
    }
    break;
  }
  if (pendingLow !== undefined) w.u8(pendingLow);
  const c = compiled(def);
  if (msg.order) {
    for (const name of msg.order) {
      if (name.startsWith('#')) w.bytes(msg.unknownIes![Number(name.slice(1))]);
      else {
        const idx = c.indexByName.get(name);
        const v = msg.ies[name];
        if (idx !== undefined && v !== undefined) writeOptional(w, def.rows[idx] as Row & { name: string }, v);
      }
    }
  } else {
    for (const row of c.optional) {
      const v = msg.ies[row.name];
      if (v !== undefined) writeOptional(w, row, v);
    }
    for (const u of msg.unknownIes ?? []) w.bytes(u);
  }
  for (const name in msg.ies) {
    if (!c.indexByName.has(name)) throw new EncodeError(PROTOCOL, `${def.name}.${name}`, 'not an IE of this message');
  }
}

/** Encodes a plain NAS message. */
export function encodeNasMessage(msg: NasMessage, into?: ByteWriter): Uint8Array {
  const def = messageDef(msg.epd, msg.messageType);
  if (!def) throw new EncodeError(PROTOCOL, msg.name, `no table for message type 0x${msg.messageType.toString(16)}`);
  const w = into ?? new ByteWriter(64);
  const start = w.pos;
  if (msg.epd === EPD_5GMM) w.u8(EPD_5GMM).u8(0).u8(msg.messageType);
  else w.u8(EPD_5GSM).u8(msg.pduSessionId ?? 0).u8(msg.pti ?? 0).u8(msg.messageType);
  encodeBody(w, def, msg);
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
  for (const [k, v] of Object.entries(ies)) if (v !== undefined) clean[k] = v;
  return { name: def.name, epd: def.epd, messageType: def.type, ...(def.epd === EPD_5GSM ? { pduSessionId: header.pduSessionId ?? 0, pti: header.pti ?? 0 } : {}), ies: clean };
}
