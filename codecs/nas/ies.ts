// Values of the NAS-5GS IEs wire5g models (TS 24.501 clause 9.11; TS 24.008 for the GPRS
// timers). Each codec sees only the value octets (after IEI and length); read and write side by
// side. IEs without a codec here are kept as raw octets by the message engine.

import type { NasReader } from './reader.ts';
import { ByteWriter } from '../bytes/writer.ts';
import { EncodeError } from '../bytes/errors.ts';
import { naiSuciString } from './suci-nai.ts';
import { toHex } from '../bytes/hex.ts';

export interface ValueCodec<V> {
  read(r: NasReader): V;
  write(w: ByteWriter, v: V): void;
}

const PROTOCOL = 'nas-5gs';

export const raw: ValueCodec<Uint8Array> = { read: (r) => r.restCopy(), write: (w, v) => void w.bytes(v) };
export const u8: ValueCodec<number> = { read: (r) => r.u8('value'), write: (w, v) => void w.u8(v) };
export const u16: ValueCodec<number> = { read: (r) => r.u16('value'), write: (w, v) => void w.u16(v) };

/** Half-octet values (type 1 IEs, TS 24.007 11.2.1.1.3). */
export interface HalfCodec<V> {
  read(nibble: number): V;
  write(v: V): number;
}
export const nibble: HalfCodec<number> = { read: (n) => n, write: (v) => v & 0x0f };

// 9.11.3.7 5GS registration type: FOR (bit 4) | registration type value (bits 3-1)
export interface RegistrationType {
  followOnRequest: boolean;
  /** 1 initial, 2 mobility updating, 3 periodic updating, 4 emergency, 5 SNPN onboarding, 6 disaster roaming mobility, 7 disaster roaming initial. */
  value: number;
}
export const registrationType: HalfCodec<RegistrationType> = {
  read: (n) => ({ followOnRequest: (n & 8) !== 0, value: n & 7 }),
  write: (v) => (v.followOnRequest ? 8 : 0) | (v.value & 7),
};

// 9.11.3.32 NAS key set identifier: TSC (bit 4) | NAS key set identifier (bits 3-1); 7 = no key
export interface NgKsi {
  /** 0 native, 1 mapped security context. */
  tsc: number;
  ksi: number;
}
export const NO_KEY_AVAILABLE = 7;
export const ngKsi: HalfCodec<NgKsi> = { read: (n) => ({ tsc: (n >> 3) & 1, ksi: n & 7 }), write: (v) => ((v.tsc & 1) << 3) | (v.ksi & 7) };

// 9.11.3.20 De-registration type: switch off (bit 4) | re-registration required (bit 3) | access type (bits 2-1)
export const AccessType = { ThreeGpp: 1, NonThreeGpp: 2, Both: 3 } as const;
export interface DeregistrationType {
  switchOff: boolean;
  reRegistrationRequired: boolean;
  accessType: number;
}
export const deregistrationType: HalfCodec<DeregistrationType> = {
  read: (n) => ({ switchOff: (n & 8) !== 0, reRegistrationRequired: (n & 4) !== 0, accessType: n & 3 }),
  write: (v) => (v.switchOff ? 8 : 0) | (v.reRegistrationRequired ? 4 : 0) | (v.accessType & 3),
};

// --- PLMN identity (TS 24.008 10.5.1.3 layout, used throughout 9.11) --------------------------
//   octet 1: MCC digit 2 | MCC digit 1;  octet 2: MNC digit 3 | MCC digit 3;  octet 3: MNC digit 2 | MNC digit 1
export interface Plmn {
  mcc: string;
  mnc: string;
}
const HEX = '0123456789ABCDEF';
/** The two nibbles of an octet as hex digits, low nibble first (digit order of BCD fields). */
const NIBBLES: string[] = Array.from({ length: 256 }, (_, o) => HEX[o & 15] + HEX[o >> 4]);
// Decoding builds the MCC and MNC strings once per distinct octet pattern and reuses them (strings
// are immutable), keyed by the 12 bits each depends on; a nibble above 9 contributes no digit.
const DIGIT = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '', '', '', '', '', ''];
const mccByOctets: (string | undefined)[] = new Array(4096);
const mncByOctets: (string | undefined)[] = new Array(4096);
function readPlmn(r: NasReader): Plmn {
  const a = r.u8('MCC'), b = r.u8('MCC/MNC'), c = r.u8('MNC');
  const mccKey = a | ((b & 15) << 8), mncKey = c | ((b >> 4) << 8);
  const mcc = (mccByOctets[mccKey] ??= DIGIT[a & 15] + DIGIT[a >> 4] + DIGIT[b & 15]);
  const mnc = (mncByOctets[mncKey] ??= DIGIT[c & 15] + DIGIT[c >> 4] + DIGIT[b >> 4]);
  if (mcc.length !== 3 || mnc.length < 2) throw r.error('BAD_VALUE', `PLMN identity ${toHex(r.buf.subarray(r.pos - 3, r.pos))} is not BCD`, 'PLMN', r.pos - 3);
  return { mcc, mnc };
}
/**
 * MCC and MNC as the 3 BCD octets; they must be what /^\d{3}$/ and /^\d{2,3}$/ accept (ASCII
 * digits). The last PLMN is remembered: a network writes its own PLMN again and again.
 */
let lastMcc: string | undefined, lastMnc: string | undefined, lastPlmnOctets = 0;
function plmnOctets(p: Plmn): number {
  const m = p.mcc, n = p.mnc;
  if (m !== lastMcc || n !== lastMnc) {
    // each character read once; a non-digit gives a value outside 0-9
    const m1 = m.charCodeAt(0) - 48, m2 = m.charCodeAt(1) - 48, m3 = m.charCodeAt(2) - 48;
    const n1 = n.charCodeAt(0) - 48, n2 = n.charCodeAt(1) - 48, n3 = n.length === 3 ? n.charCodeAt(2) - 48 : 15;
    const valid = m.length === 3 && (n.length === 2 || n.length === 3) && isDigit(m1) && isDigit(m2) && isDigit(m3) && isDigit(n1) && isDigit(n2) && (n.length === 2 || isDigit(n3));
    if (!valid) throw new EncodeError(PROTOCOL, 'PLMN', `${m}/${n} is not MCC(3)/MNC(2-3) digits`);
    lastPlmnOctets = (((m2 << 4) | m1) << 16) | (((n3 << 4) | m3) << 8) | ((n2 << 4) | n1);
    lastMcc = m;
    lastMnc = n;
  }
  return lastPlmnOctets;
}
function writePlmn(w: ByteWriter, p: Plmn): void {
  w.u24(plmnOctets(p));
}
function isDigit(d: number): boolean {
  return d >= 0 && d <= 9;
}
export { readPlmn, writePlmn };

function bcdDigits(b: Uint8Array): string {
  return bcdDigitsOf(b, 0, b.length);
}
/** BCD digits of b[from..to), low nibble first, F fillers dropped. */
function bcdDigitsOf(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) {
    const x = b[i];
    if ((x & 15) !== 15) s += String(x & 15);
    if (x >> 4 !== 15) s += String(x >> 4);
  }
  return s;
}
function digitsToBcd(d: string): Uint8Array {
  const out = new Uint8Array(Math.ceil(d.length / 2));
  for (let i = 0; i < d.length; i += 2) out[i / 2] = ((i + 1 < d.length ? +d[i + 1] : 15) << 4) | +d[i];
  return out;
}

// --- 9.11.3.4 5GS mobile identity ---------------------------------------------------------------
//   octet 4: ... | odd/even (bit 4) | type of identity (bits 3-1): 0 no identity, 1 SUCI, 2 5G-GUTI,
//   3 IMEI, 4 5G-S-TMSI, 5 IMEISV, 6 MAC address, 7 EUI-64
export type MobileIdentity =
  | { type: 'no-identity' }
  | { type: 'suci'; supiFormat: 'imsi'; plmn: Plmn; routingIndicator: string; protectionScheme: number; homeNetworkPublicKeyId: number; schemeOutput: Uint8Array }
  | { type: 'suci'; supiFormat: 'nai'; nai: Uint8Array }
  | { type: '5g-guti'; plmn: Plmn; amfRegionId: number; amfSetId: number; amfPointer: number; tmsi: number }
  | { type: 'imei' | 'imeisv'; digits: string }
  | { type: '5g-s-tmsi'; amfSetId: number; amfPointer: number; tmsi: number }
  | { type: 'mac'; octets: Uint8Array }
  | { type: 'eui-64'; octets: Uint8Array };

export const mobileIdentity: ValueCodec<MobileIdentity> = {
  read: (r) => {
    const first = r.u8('TypeOfIdentity');
    const t = first & 7;
    switch (t) {
      case 0:
        return { type: 'no-identity' };
      case 1: {
        const fmt = (first >> 4) & 7;
        if (fmt === 1) return { type: 'suci', supiFormat: 'nai', nai: r.restCopy() };
        if (fmt !== 0) throw r.error('BAD_VALUE', `SUPI format ${fmt}`, 'SUPIFormat', r.pos - 1);
        const plmn = readPlmn(r);
        const ri = r.u16('RoutingIndicator');
        // four nibbles in digit order (digit 1 = bits 4-1 of octet 8), F kept: exact for any input
        const riText = NIBBLES[ri >> 8] + NIBBLES[ri & 255];
        const protectionScheme = r.u8('ProtectionSchemeId') & 15;
        const homeNetworkPublicKeyId = r.u8('HomeNetworkPublicKeyId');
        // The null scheme carries the MSIN as BCD digits; other schemes carry the ECIES output.
        return { type: 'suci', supiFormat: 'imsi', plmn, routingIndicator: riText, protectionScheme, homeNetworkPublicKeyId, schemeOutput: r.restCopy() };
      }
      case 2: {
        const plmn = readPlmn(r);
        const amfRegionId = r.u8('AMFRegionID');
        const x = r.u16('AMFSetID/AMFPointer');
        return { type: '5g-guti', plmn, amfRegionId, amfSetId: x >> 6, amfPointer: x & 63, tmsi: r.u32('5G-TMSI') };
      }
      case 3:
      case 5: {
        // digit 1 in bits 8-5 of the first octet, then BCD pairs with an F filler when even
        const digits = String(first >> 4) + bcdDigitsOf(r.buf, r.pos, r.end);
        r.pos = r.end;
        return { type: t === 3 ? 'imei' : 'imeisv', digits };
      }
      case 4: {
        const x = r.u16('AMFSetID/AMFPointer');
        return { type: '5g-s-tmsi', amfSetId: x >> 6, amfPointer: x & 63, tmsi: r.u32('5G-TMSI') };
      }
      case 6:
        return { type: 'mac', octets: r.restCopy() };
      default:
        return { type: 'eui-64', octets: r.restCopy() };
    }
  },
  write: (w, v) => {
    switch (v.type) {
      case 'no-identity':
        w.u8(0);
        return;
      case 'suci': {
        if (v.supiFormat === 'nai') {
          w.u8(0x11).bytes(v.nai);
          return;
        }
        // octets 4-11 in one go: type, PLMN (3), routing indicator (2), protection scheme, key id
        const plmn = plmnOctets(v.plmn);
        const ri = routingIndicatorOctets(v.routingIndicator);
        const at = w.reserve(8);
        const b = w.buf;
        b[at] = 0x01;
        b[at + 1] = plmn >> 16;
        b[at + 2] = plmn >> 8;
        b[at + 3] = plmn;
        b[at + 4] = ri >> 8;
        b[at + 5] = ri;
        b[at + 6] = v.protectionScheme & 15;
        b[at + 7] = v.homeNetworkPublicKeyId;
        w.bytes(v.schemeOutput);
        return;
      }
      case '5g-guti':
        w.u8(0xf2);
        writePlmn(w, v.plmn);
        w.u8(v.amfRegionId).u16((v.amfSetId << 6) | (v.amfPointer & 63)).u32(v.tmsi >>> 0);
        return;
      case 'imei':
      case 'imeisv': {
        const odd = v.digits.length % 2 === 1;
        w.u8((+v.digits[0] << 4) | (odd ? 8 : 0) | (v.type === 'imei' ? 3 : 5));
        w.bytes(digitsToBcd(v.digits.slice(1)));
        return;
      }
      case '5g-s-tmsi':
        w.u8(0xf4).u16((v.amfSetId << 6) | (v.amfPointer & 63)).u32(v.tmsi >>> 0);
        return;
      case 'mac':
        w.u8(6).bytes(v.octets);
        return;
      case 'eui-64':
        w.u8(7).bytes(v.octets);
        return;
    }
  },
};


/**
 * Routing indicator: 4 nibbles in digit order, F for unused digits (9.11.3.4, octets 8-9). Each
 * character is read as parseInt(c, 16) & 15 would (a non-hex character is 0); the string is padded
 * with F to 4 digits and anything past 4 is ignored.
 */
let lastRi: string | undefined, lastRiOctets = 0; // the last routing indicator: most UEs share one
function routingIndicatorOctets(ri: string): number {
  if (ri !== lastRi) {
    const d1 = riNibble(ri, 0), d2 = riNibble(ri, 1), d3 = riNibble(ri, 2), d4 = riNibble(ri, 3);
    // toUpperCase() may lengthen a non-ASCII string ('ß' -> 'SS'): the original rule for those
    if ((d1 | d2 | d3 | d4) < 0) return routingBcdGeneric(ri);
    lastRiOctets = (((d2 << 4) | d1) << 8) | ((d4 << 4) | d3);
    lastRi = ri;
  }
  return lastRiOctets;
}
/** Digit i of a routing indicator: 15 past its end, -1 for a non-ASCII character. */
function riNibble(ri: string, i: number): number {
  if (i >= ri.length) return 15;
  const ch = ri.charCodeAt(i);
  if (ch >= 48 && ch <= 57) return ch - 48; // 0-9
  if (ch >= 65 && ch <= 70) return ch - 55; // A-F
  if (ch >= 97 && ch <= 102) return ch - 87; // a-f
  return ch > 127 ? -1 : 0; // parseInt gives NaN, and NaN & 15 is 0
}
function routingBcdGeneric(ri: string): number {
  const d = ri.toUpperCase().padEnd(4, 'F');
  return (((hexDigit(d[1]) << 4) | hexDigit(d[0])) << 8) | (hexDigit(d[3]) << 4) | hexDigit(d[2]);
}
function hexDigit(c: string): number {
  return parseInt(c, 16) & 15;
}

/** The SUPI digits of a null-scheme SUCI (MCC, MNC, MSIN). */
export function supiOfNullSuci(id: MobileIdentity): string | undefined {
  if (id.type !== 'suci' || id.supiFormat !== 'imsi' || id.protectionScheme !== 0) return undefined;
  return `imsi-${id.plmn.mcc}${id.plmn.mnc}${bcdDigits(id.schemeOutput)}`;
}

/** TS 29.503 SUCI string "suci-0-<mcc>-<mnc>-<routing>-<scheme>-<key id>-<output>" of a SUCI identity. */
export function suciString(id: MobileIdentity): string | undefined {
  if (id.type === 'suci' && id.supiFormat === 'nai') return naiSuciString(id);
  if (id.type !== 'suci' || id.supiFormat !== 'imsi') return undefined;
  const out = id.protectionScheme === 0 ? bcdDigits(id.schemeOutput) : toHex(id.schemeOutput);
  const ri = id.routingIndicator.replace(/F/gi, '') || '0';
  return `suci-0-${id.plmn.mcc}-${id.plmn.mnc}-${ri}-${id.protectionScheme}-${id.homeNetworkPublicKeyId}-${out}`;
}

/** A null-scheme SUCI for an IMSI (TS 33.501 C.2: the MSIN in clear). */
export function nullSchemeSuci(plmn: Plmn, msin: string, routingIndicator = '0000'): MobileIdentity {
  return { type: 'suci', supiFormat: 'imsi', plmn, routingIndicator, protectionScheme: 0, homeNetworkPublicKeyId: 0, schemeOutput: digitsToBcd(msin) };
}

// --- 9.11.2.8 S-NSSAI and 9.11.3.37 NSSAI ---------------------------------------------------------
//   length 1: SST; 2: SST, mapped HPLMN SST; 4: SST, SD; 5: SST, SD, mapped SST; 8: + mapped SD
export interface SNssai {
  sst: number;
  sd?: number;
  mappedSst?: number;
  mappedSd?: number;
}
export const sNssai: ValueCodec<SNssai> = {
  read: (r) => {
    const n = r.remaining;
    if (n !== 1 && n !== 2 && n !== 4 && n !== 5 && n !== 8) throw r.error('BAD_LENGTH', `S-NSSAI of ${n} octets`, 'S-NSSAI');
    const v: SNssai = { sst: r.u8('SST') };
    if (n === 2) v.mappedSst = r.u8('MappedHPLMNSST');
    if (n >= 4) v.sd = r.u24('SD');
    if (n >= 5) v.mappedSst = r.u8('MappedHPLMNSST');
    if (n === 8) v.mappedSd = r.u24('MappedHPLMNSD');
    return v;
  },
  write: (w, v) => {
    w.u8(v.sst);
    if (v.sd === undefined) {
      if (v.mappedSst !== undefined) w.u8(v.mappedSst);
      return;
    }
    w.u24(v.sd);
    if (v.mappedSst !== undefined) w.u8(v.mappedSst);
    if (v.mappedSd !== undefined) w.u24(v.mappedSd);
  },
};
export const nssai: ValueCodec<SNssai[]> = {
  read: (r) => {
    const out: SNssai[] = [];
    while (!r.atEnd) {
      const len = r.u8('S-NSSAI.Length');
      const outer = r.narrow(len, 'S-NSSAI');
      out.push(sNssai.read(r));
      r.widen(outer);
    }
    return out;
  },
  write: (w, v) => {
    for (const s of v) {
      const at = w.reserve(1);
      sNssai.write(w, s);
      w.patchU8(at, w.pos - at - 1);
    }
  },
};

// 9.11.3.46 Rejected NSSAI: per entry: length (bits 8-5) | cause (bits 4-1), SST, [SD]
export const rejectedNssai: ValueCodec<{ cause: number; sst: number; sd?: number }[]> = {
  read: (r) => {
    const out: { cause: number; sst: number; sd?: number }[] = [];
    while (!r.atEnd) {
      const o = r.u8('RejectedS-NSSAI');
      const len = o >> 4;
      const outer = r.narrow(len, 'RejectedS-NSSAI');
      const e: { cause: number; sst: number; sd?: number } = { cause: o & 15, sst: r.u8('SST') };
      if (len === 4) e.sd = r.u24('SD');
      r.widen(outer);
      if (len !== 1 && len !== 4) throw r.error('BAD_LENGTH', `rejected S-NSSAI of ${len} octets`, 'RejectedS-NSSAI');
      out.push(e);
    }
    return out;
  },
  write: (w, v) => {
    for (const e of v) {
      w.u8(((e.sd !== undefined ? 4 : 1) << 4) | (e.cause & 15)).u8(e.sst);
      if (e.sd !== undefined) w.u24(e.sd);
    }
  },
};

// --- 9.11.3.9 5GS tracking area identity list ------------------------------------------------------
//   per partial list: octet: spare | type of list (bits 7-6) | number of elements - 1 (bits 5-1)
//   type 00: one PLMN, TACs; 01: one PLMN, first TAC of consecutive TACs; 10: TAIs (PLMN + TAC each)
export interface TaiPartialList {
  type: 0 | 1 | 2;
  plmn?: Plmn;
  tacs: { plmn?: Plmn; tac: number }[];
  /** Type 01: number of consecutive TACs. */
  count?: number;
}
export const taiList: ValueCodec<TaiPartialList[]> = {
  read: (r) => {
    const out: TaiPartialList[] = [];
    while (!r.atEnd) {
      const o = r.u8('PartialTAIList');
      const type = (o >> 5) & 3;
      const n = (o & 31) + 1;
      if (type === 0) {
        const plmn = readPlmn(r);
        const tacs: { tac: number }[] = [];
        for (let i = 0; i < n; i++) tacs.push({ tac: r.u24('TAC') });
        out.push({ type: 0, plmn, tacs });
      } else if (type === 1) {
        const plmn = readPlmn(r);
        out.push({ type: 1, plmn, tacs: [{ tac: r.u24('TAC') }], count: n });
      } else if (type === 2) {
        const tacs: { plmn: Plmn; tac: number }[] = [];
        for (let i = 0; i < n; i++) tacs.push({ plmn: readPlmn(r), tac: r.u24('TAC') });
        out.push({ type: 2, tacs });
      } else {
        throw r.error('BAD_VALUE', 'type of list 11 is reserved', 'TypeOfList', r.pos - 1);
      }
    }
    return out;
  },
  write: (w, v) => {
    for (const l of v) {
      const n = l.type === 1 ? (l.count ?? 1) : l.tacs.length;
      w.u8((l.type << 5) | ((n - 1) & 31));
      if (l.type !== 2) writePlmn(w, l.plmn!);
      if (l.type === 1) w.u24(l.tacs[0].tac);
      else for (const t of l.tacs) {
        if (l.type === 2) writePlmn(w, t.plmn!);
        w.u24(t.tac);
      }
    }
  },
};

// 9.11.3.44 PDU session status / 9.11.3.42 reactivation result / 9.11.3.57 uplink data status:
// a bitmap of PSI 0..15 (octet 3 bit n = PSI n, octet 4 bit n = PSI 8+n), optional spare octets kept.
export interface PsiBitmap {
  psis: number[];
  spare?: Uint8Array;
}
export const psiBitmap: ValueCodec<PsiBitmap> = {
  read: (r) => {
    const a = r.u8('PSI(7..0)'), b = r.u8('PSI(15..8)');
    const psis: number[] = [];
    for (let i = 0; i < 8; i++) if (a & (1 << i)) psis.push(i);
    for (let i = 0; i < 8; i++) if (b & (1 << i)) psis.push(8 + i);
    return r.atEnd ? { psis } : { psis, spare: r.restCopy() };
  },
  write: (w, v) => {
    let a = 0, b = 0;
    for (const p of v.psis) if (p < 8) a |= 1 << p;
    else b |= 1 << (p - 8);
    w.u8(a).u8(b);
    if (v.spare) w.bytes(v.spare);
  },
};

// 9.11.3.54 UE security capability: 5G-EA (octet 3), 5G-IA (4), [EEA (5), EIA (6)], spare octets
export interface UeSecurityCapability {
  ea: number;
  ia: number;
  eea?: number;
  eia?: number;
  spare?: Uint8Array;
}
export const ueSecurityCapability: ValueCodec<UeSecurityCapability> = {
  read: (r) => {
    const v: UeSecurityCapability = { ea: r.u8('5G-EA'), ia: r.u8('5G-IA') };
    if (!r.atEnd) v.eea = r.u8('EEA');
    if (!r.atEnd) v.eia = r.u8('EIA');
    if (!r.atEnd) v.spare = r.restCopy();
    return v;
  },
  write: (w, v) => {
    w.u8(v.ea).u8(v.ia);
    if (v.eea !== undefined) w.u8(v.eea);
    if (v.eia !== undefined) w.u8(v.eia);
    if (v.spare) w.bytes(v.spare);
  },
};

// 9.11.3.34 NAS security algorithms: type of ciphering algorithm (bits 7-5) | integrity (bits 3-1)
export interface NasSecurityAlgorithms {
  ciphering: number;
  integrity: number;
}
export const nasSecurityAlgorithms: ValueCodec<NasSecurityAlgorithms> = {
  read: (r) => {
    const b = r.u8('NASSecurityAlgorithms');
    return { ciphering: (b >> 4) & 15, integrity: b & 15 };
  },
  write: (w, v) => void w.u8(((v.ciphering & 15) << 4) | (v.integrity & 15)),
};

// TS 24.008 10.5.7.3 GPRS timer (unit bits 8-6, value bits 5-1); 10.5.7.4 GPRS timer 2; 10.5.7.4a GPRS timer 3
export interface GprsTimer {
  unit: number;
  value: number;
}
export const gprsTimer: ValueCodec<GprsTimer> = {
  read: (r) => {
    const b = r.u8('GPRSTimer');
    return { unit: b >> 5, value: b & 31 };
  },
  write: (w, v) => void w.u8(((v.unit & 7) << 5) | (v.value & 31)),
};
/** GPRS timer 3 units (TS 24.008 Table 10.5.163a): seconds of one unit, or undefined for "deactivated". */
export const GPRS_TIMER3_UNIT_SECONDS: (number | undefined)[] = [600, 3600, 36000, 2, 30, 60, 1152000, undefined];
/**
 * The GPRS timer 3 value (TS 24.008 10.5.7.4a) that best represents `seconds`: exact in the
 * finest unit that holds it, else the nearest value any unit can express (54 min, the default
 * T3512 of TS 24.501, has no exact form: it becomes 5 x 10 min).
 */
export function gprsTimer3(seconds: number): GprsTimer {
  const units = [[3, 2], [4, 30], [5, 60], [0, 600], [1, 3600], [2, 36000], [6, 1152000]] as const;
  for (const [unit, s] of units) if (seconds % s === 0 && seconds / s <= 31) return { unit, value: seconds / s };
  let best: GprsTimer = { unit: 6, value: 31 };
  let bestError = Infinity;
  for (const [unit, s] of units) {
    const value = Math.min(31, Math.max(1, Math.round(seconds / s)));
    const error = Math.abs(value * s - seconds);
    if (error < bestError) {
      best = { unit, value };
      bestError = error;
    }
  }
  return best;
}

// 9.11.4.10 PDU address: spare | SI6LLA (bit 4) | PDU session type value (bits 3-1), then the address
export interface PduAddress {
  pduSessionType: number;
  ipv4?: string;
  /** Other address types kept as octets. */
  octets?: Uint8Array;
}
export const pduAddress: ValueCodec<PduAddress> = {
  read: (r) => {
    const t = r.u8('PDUSessionType') & 7;
    if (t === 1) {
      const a = r.bytes(4, 'IPv4');
      return { pduSessionType: 1, ipv4: `${a[0]}.${a[1]}.${a[2]}.${a[3]}` };
    }
    return { pduSessionType: t, octets: r.restCopy() };
  },
  write: (w, v) => {
    w.u8(v.pduSessionType & 7);
    if (v.ipv4) for (const p of v.ipv4.split('.')) w.u8(+p);
    else if (v.octets) w.bytes(v.octets);
  },
};

// 9.11.4.14 Session-AMBR: unit for DL (1), DL (2), unit for UL (1), UL (2); unit 6 = 1 Mbps, 7 = 4 Mbps, ...
export interface SessionAmbr {
  dlUnit: number;
  dl: number;
  ulUnit: number;
  ul: number;
}
export const sessionAmbr: ValueCodec<SessionAmbr> = {
  read: (r) => ({ dlUnit: r.u8('UnitDL'), dl: r.u16('SessionAMBRDL'), ulUnit: r.u8('UnitUL'), ul: r.u16('SessionAMBRUL') }),
  write: (w, v) => void w.u8(v.dlUnit).u16(v.dl).u8(v.ulUnit).u16(v.ul),
};

// 9.11.2.1B DNN: an APN (TS 23.003 9.1) as length-prefixed labels
export const dnn: ValueCodec<string> = {
  read: (r) => {
    const labels: string[] = [];
    while (!r.atEnd) {
      const n = r.u8('DNN.LabelLength');
      const label = r.bytes(n, 'DNN.Label');
      let text = '';
      for (let i = 0; i < label.length; i++) text += String.fromCharCode(label[i]);
      labels.push(text);
    }
    return labels.join('.');
  },
  write: (w, v) => {
    for (const l of v.split('.')) {
      if (l.length > 63) throw new EncodeError(PROTOCOL, 'DNN', `label of ${l.length} characters`);
      w.u8(l.length);
      for (let i = 0; i < l.length; i++) w.u8(l.charCodeAt(i));
    }
  },
};

// 9.11.4.13 QoS rules: rule id (1), length (2), rule octet: operation code (bits 8-6) | DQR (5) |
// number of packet filters (4-1); packet filters; precedence (1); spare | segregation (7) | QFI (6-1)
export interface QosRule {
  id: number;
  operationCode: number;
  dqr: boolean;
  /** Packet filters: for "delete packet filters" only the ids; otherwise direction, id and contents. */
  packetFilters: { direction?: number; id: number; contents?: Uint8Array }[];
  precedence?: number;
  segregation?: boolean;
  qfi?: number;
}
export const qosRules: ValueCodec<QosRule[]> = {
  read: (r) => {
    const out: QosRule[] = [];
    while (!r.atEnd) {
      const id = r.u8('QoSRuleIdentifier');
      const len = r.u16('QoSRule.Length');
      const outer = r.narrow(len, 'QoSRule');
      const o = r.u8('RuleOctet');
      const rule: QosRule = { id, operationCode: o >> 5, dqr: (o & 16) !== 0, packetFilters: [] };
      const n = o & 15;
      for (let i = 0; i < n; i++) {
        if (rule.operationCode === 5) rule.packetFilters.push({ id: r.u8('PacketFilterIdentifier') & 15 });
        else {
          const p = r.u8('PacketFilter');
          const clen = r.u8('PacketFilter.Length');
          rule.packetFilters.push({ direction: (p >> 4) & 3, id: p & 15, contents: r.copy(clen, 'PacketFilter.Contents') });
        }
      }
      if (!r.atEnd) rule.precedence = r.u8('QoSRulePrecedence');
      if (!r.atEnd) {
        const b = r.u8('QFI');
        rule.segregation = (b & 64) !== 0;
        rule.qfi = b & 63;
      }
      r.expectEnd('QoSRule');
      r.widen(outer);
      out.push(rule);
    }
    return out;
  },
  write: (w, v) => {
    for (const rule of v) {
      w.u8(rule.id);
      const at = w.reserve(2);
      w.u8(((rule.operationCode & 7) << 5) | (rule.dqr ? 16 : 0) | (rule.packetFilters.length & 15));
      for (const p of rule.packetFilters) {
        if (rule.operationCode === 5) w.u8(p.id & 15);
        else {
          const c = p.contents ?? new Uint8Array(0);
          w.u8((((p.direction ?? 3) & 3) << 4) | (p.id & 15)).u8(c.length).bytes(c);
        }
      }
      if (rule.precedence !== undefined) w.u8(rule.precedence);
      if (rule.qfi !== undefined) w.u8((rule.segregation ? 64 : 0) | (rule.qfi & 63));
      w.patchU16(at, w.pos - at - 2);
    }
  },
};

// 9.11.2.20 Unavailability information (Rel-18): octet 3: spare | start of unavailability period
// indicated (bit 5) | unavailability period duration indicated (bit 4) | unavailability type (bits 3-1);
// then the period duration (3 octets, seconds) and the start of the period (3 octets, seconds) when indicated.
export interface UnavailabilityInformation {
  /** 0 unavailability due to UE reasons, 1 due to discontinuous coverage. */
  type: number;
  periodDurationSeconds?: number;
  startOfPeriodSeconds?: number;
}
export const unavailabilityInformation: ValueCodec<UnavailabilityInformation> = {
  read: (r) => {
    const o = r.u8('UnavailabilityInformation');
    const v: UnavailabilityInformation = { type: o & 7 };
    if (o & 8) v.periodDurationSeconds = r.u24('UnavailabilityPeriodDuration');
    if (o & 16) v.startOfPeriodSeconds = r.u24('StartOfUnavailabilityPeriod');
    return v;
  },
  write: (w, v) => {
    w.u8((v.type & 7) | (v.periodDurationSeconds !== undefined ? 8 : 0) | (v.startOfPeriodSeconds !== undefined ? 16 : 0));
    if (v.periodDurationSeconds !== undefined) w.u24(v.periodDurationSeconds);
    if (v.startOfPeriodSeconds !== undefined) w.u24(v.startOfPeriodSeconds);
  },
};

/** Encodes a value with a codec into a fresh buffer (for length checks and tests). */
export function encodeValue<V>(c: ValueCodec<V>, v: V): Uint8Array {
  const w = new ByteWriter(32);
  c.write(w, v);
  return Uint8Array.from(w.finish());
}
