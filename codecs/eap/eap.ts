// EAP packets (RFC 3748 4) and the EAP-AKA' method's messages (RFC 9048 with RFC 4187's format,
// type 50). An EAP packet: Code (1 Request, 2 Response, 3 Success, 4 Failure), Identifier, Length
// (the whole packet), and for Request/Response a Type and its data. EAP-AKA' data: Subtype,
// 2 reserved octets, then attributes Type | Length (in 4-octet units, the whole attribute) | value.
//
// The attributes wire5g writes (RFC 4187 10, RFC 9048 3.1/3.2):
//   AT_RAND 1, AT_AUTN 2: 2 reserved octets + 16    AT_RES 3: RES length in bits (2) + RES, padded
//   AT_MAC 11: 2 reserved + 16 (HMAC-SHA-256-128)   AT_KDF_INPUT 23: name length (2) + network name, padded
//   AT_KDF 24: the KDF (2 octets, 1 = the default)
// The MAC (crypto/eap-aka-prime.ts atMac) covers the whole EAP packet with AT_MAC's 16 octets zeroed.

import { DecodeError, DecodeErrorCode } from '../bytes/errors.ts';

export const EapCode = { REQUEST: 1, RESPONSE: 2, SUCCESS: 3, FAILURE: 4 } as const;
/** IANA EAP method types (RFC 3748 5, RFC 9048 6). */
export const EapType = { IDENTITY: 1, AKA_PRIME: 50 } as const;
export const AkaSubtype = { CHALLENGE: 1, AUTHENTICATION_REJECT: 2, SYNCHRONIZATION_FAILURE: 4, IDENTITY: 5, NOTIFICATION: 12, CLIENT_ERROR: 14 } as const;
export const AkaAttribute = { AT_RAND: 1, AT_AUTN: 2, AT_RES: 3, AT_AUTS: 4, AT_MAC: 11, AT_KDF_INPUT: 23, AT_KDF: 24 } as const;

export interface EapPacket {
  code: number;
  identifier: number;
  /** Request and Response only. */
  type?: number;
  /** What follows the Type octet. */
  data: Uint8Array;
}

export interface AkaAttr {
  type: number;
  /** The octets after Type and Length (reserved or length fields included, padding included). */
  value: Uint8Array;
}

export interface AkaMessage {
  subtype: number;
  attributes: AkaAttr[];
}

const fail = (offset: number, code: DecodeErrorCode, path: string, reason: string): never => {
  throw new DecodeError({ protocol: 'eap', code, offset, path, reason });
};

export function encodeEap(p: EapPacket): Uint8Array {
  const typed = p.code === EapCode.REQUEST || p.code === EapCode.RESPONSE;
  const length = 4 + (typed ? 1 + p.data.length : 0);
  if (length > 0xffff) throw new RangeError(`EAP packet of ${length} octets`);
  const out = new Uint8Array(length);
  out[0] = p.code;
  out[1] = p.identifier;
  out[2] = length >> 8;
  out[3] = length & 0xff;
  if (typed) {
    out[4] = p.type ?? 0;
    out.set(p.data, 5);
  }
  return out;
}

export function decodeEap(b: Uint8Array): EapPacket {
  if (b.length < 4) fail(0, DecodeErrorCode.TRUNCATED, 'EAP', 'a packet needs 4 octets');
  const code = b[0];
  if (code < 1 || code > 4) fail(0, DecodeErrorCode.BAD_VALUE, 'EAP.Code', `code ${code} is not 1..4`);
  const length = (b[2] << 8) | b[3];
  if (length !== b.length) fail(2, DecodeErrorCode.BAD_LENGTH, 'EAP.Length', `Length ${length}, ${b.length} octets received`);
  if (code === EapCode.SUCCESS || code === EapCode.FAILURE) {
    if (length !== 4) fail(2, DecodeErrorCode.BAD_LENGTH, 'EAP.Length', `a Success or Failure is 4 octets, not ${length}`);
    return { code, identifier: b[1], data: new Uint8Array(0) };
  }
  if (length < 5) fail(4, DecodeErrorCode.TRUNCATED, 'EAP.Type', 'a Request or Response needs a Type');
  return { code, identifier: b[1], type: b[4], data: b.slice(5) };
}

/** The EAP-AKA' data of a Request/Response (after the Type octet). */
export function encodeAka(m: AkaMessage): Uint8Array {
  for (const a of m.attributes) if ((a.value.length + 2) % 4 !== 0 || a.value.length + 2 > 1020) throw new RangeError(`EAP-AKA' attribute ${a.type}: ${a.value.length + 2} octets is not a multiple of 4 up to 1020`);
  const out = new Uint8Array(3 + m.attributes.reduce((n, a) => n + 2 + a.value.length, 0));
  out[0] = m.subtype;
  let at = 3;
  for (const a of m.attributes) {
    out[at] = a.type;
    out[at + 1] = (a.value.length + 2) / 4;
    out.set(a.value, at + 2);
    at += 2 + a.value.length;
  }
  return out;
}

export function decodeAka(data: Uint8Array): AkaMessage {
  if (data.length < 3) fail(5, DecodeErrorCode.TRUNCATED, "EAP-AKA'", 'subtype and reserved octets missing');
  const attributes: AkaAttr[] = [];
  let at = 3;
  while (at < data.length) {
    if (at + 2 > data.length) fail(5 + at, DecodeErrorCode.TRUNCATED, "EAP-AKA'.attribute", 'type and length need 2 octets');
    const length = data[at + 1] * 4;
    if (length === 0 || at + length > data.length) fail(5 + at + 1, DecodeErrorCode.BAD_LENGTH, `EAP-AKA'.attribute ${data[at]}`, `length ${length} with ${data.length - at} octets left`);
    attributes.push({ type: data[at], value: data.slice(at + 2, at + length) });
    at += length;
  }
  return { subtype: data[0], attributes };
}

const withReserved = (v: Uint8Array) => {
  const out = new Uint8Array(2 + v.length);
  out.set(v, 2);
  return out;
};
/** A length field (2 octets) then the octets, padded with zeros to a multiple of 4 with the attribute header. */
function lengthAndPadded(lengthField: number, v: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + v.length + ((4 - ((4 + v.length) % 4)) % 4));
  out[0] = lengthField >> 8;
  out[1] = lengthField & 0xff;
  out.set(v, 2);
  return out;
}

export const atRand = (rand: Uint8Array): AkaAttr => ({ type: AkaAttribute.AT_RAND, value: withReserved(rand) });
export const atAutn = (autn: Uint8Array): AkaAttr => ({ type: AkaAttribute.AT_AUTN, value: withReserved(autn) });
/** RFC 4187 10.8: the RES length in bits, then RES. */
export const atRes = (res: Uint8Array): AkaAttr => ({ type: AkaAttribute.AT_RES, value: lengthAndPadded(res.length * 8, res) });
/** AT_MAC with its 16 octets zeroed, to be filled in (setMac). */
export const atMacZero = (): AkaAttr => ({ type: AkaAttribute.AT_MAC, value: new Uint8Array(18) });
/** RFC 9048 3.2: AT_KDF, 1 = the default key derivation function. */
export const atKdf = (kdf = 1): AkaAttr => ({ type: AkaAttribute.AT_KDF, value: Uint8Array.of(kdf >> 8, kdf & 0xff) });
/** RFC 9048 3.1: AT_KDF_INPUT, the network name (for 5G, the serving network name, TS 33.501 6.1.3.1). */
export const atKdfInput = (networkName: string): AkaAttr => {
  const name = new TextEncoder().encode(networkName);
  return { type: AkaAttribute.AT_KDF_INPUT, value: lengthAndPadded(name.length, name) };
};

/** The value of an attribute of `m` (its octets after the reserved or length field), by type. */
export function akaAttribute(m: AkaMessage, type: number): Uint8Array | undefined {
  return m.attributes.find((a) => a.type === type)?.value;
}

/** RES of AT_RES (its bit length first). */
export function resOf(v: Uint8Array): Uint8Array {
  const bits = (v[0] << 8) | v[1];
  return v.slice(2, 2 + Math.ceil(bits / 8));
}

/** The network name of AT_KDF_INPUT. */
export function networkNameOf(v: Uint8Array): string {
  const n = (v[0] << 8) | v[1];
  return new TextDecoder().decode(v.subarray(2, 2 + n));
}

/**
 * The offset of AT_MAC's 16 MAC octets in an encoded EAP-AKA' packet (Code ... attributes), or
 * -1: the MAC is computed over the packet with them zeroed and then written there.
 */
export function macOffset(packet: Uint8Array): number {
  let at = 8; // Code, Identifier, Length(2), Type, Subtype, Reserved(2)
  while (at + 2 <= packet.length) {
    if (packet[at] === AkaAttribute.AT_MAC) return at + 4;
    const length = packet[at + 1] * 4;
    if (length === 0) return -1;
    at += length;
  }
  return -1;
}
