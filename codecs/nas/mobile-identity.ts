// The PLMN identity (TS 24.008 10.5.1.3 layout, used throughout TS 24.501 9.11) and the 5GS
// mobile identity (TS 24.501 9.11.3.4: SUCI, 5G-GUTI, IMEI, 5G-S-TMSI, IMEISV, MAC address, EUI-64),
// with the SUPI and SUCI strings of TS 23.003 2.2A and TS 29.503 derived from it.

import type { NasReader } from './reader.ts';
import type { ByteWriter } from '../bytes/writer.ts';
import { EncodeError } from '../bytes/errors.ts';
import { toHex } from '../bytes/hex.ts';
import type { ValueCodec } from './ies.ts';
import { naiSuciString } from './suci-nai.ts';

const PROTOCOL = 'nas-5gs';

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
/** Each octet's BCD digits, low nibble first, an F filler dropped (built once, not per octet read). */
const octetDigits: readonly string[] = Array.from({ length: 256 }, (_, x) => ((x & 15) !== 15 ? String(x & 15) : '') + (x >> 4 !== 15 ? String(x >> 4) : ''));
/** BCD digits of b[from..to), low nibble first, F fillers dropped. */
function bcdDigitsOf(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += octetDigits[b[i]];
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
