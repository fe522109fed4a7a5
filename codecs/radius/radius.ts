// RADIUS (RFC 2865) as the carrier of EAP between an EAP authenticator and an AAA server (RFC
// 3579): the NSSAAF's AAA interworking towards a DCS's AAA server (TS 29.561 16, TS 23.502
// 4.2.2.2.4 step 9-1). A packet: Code, Identifier, Length, the 16-octet Authenticator, then
// attributes Type | Length (with the header) | Value.
//   Access-Request 1, Access-Accept 2, Access-Reject 3, Access-Challenge 11
//   User-Name 1, State 24, EAP-Message 79 (an EAP packet split in values of up to 253 octets,
//   RFC 3579 3.1), Message-Authenticator 80 (HMAC-MD5 with the shared secret over the packet with
//   its own 16 octets zeroed; in an answer, over the packet carrying the request's Authenticator,
//   RFC 3579 3.2). An answer's Response Authenticator is MD5(Code | Identifier | Length | the
//   request's Authenticator | attributes | secret) (RFC 2865 3).

import { createHash, createHmac } from 'node:crypto';
import { DecodeError, DecodeErrorCode } from '../bytes/errors.ts';

export const RadiusCode = { ACCESS_REQUEST: 1, ACCESS_ACCEPT: 2, ACCESS_REJECT: 3, ACCESS_CHALLENGE: 11 } as const;
export const RadiusAttribute = { USER_NAME: 1, STATE: 24, EAP_MESSAGE: 79, MESSAGE_AUTHENTICATOR: 80 } as const;
/** RFC 2865 3: the authentication port. */
export const RADIUS_AUTH_PORT = 1812;

export interface RadiusAttr {
  type: number;
  value: Uint8Array;
}

export interface RadiusPacket {
  code: number;
  identifier: number;
  /** Request Authenticator (random) or Response Authenticator. */
  authenticator: Uint8Array;
  attributes: RadiusAttr[];
}

export function encodeRadius(p: RadiusPacket): Uint8Array {
  if (p.authenticator.length !== 16) throw new RangeError('the Authenticator is 16 octets');
  const length = 20 + p.attributes.reduce((n, a) => n + 2 + a.value.length, 0);
  if (length > 4096) throw new RangeError(`RADIUS packet of ${length} octets (RFC 2865 3: at most 4096)`);
  const out = new Uint8Array(length);
  out[0] = p.code;
  out[1] = p.identifier;
  out[2] = length >> 8;
  out[3] = length & 0xff;
  out.set(p.authenticator, 4);
  let at = 20;
  for (const a of p.attributes) {
    if (a.value.length > 253) throw new RangeError(`RADIUS attribute ${a.type}: ${a.value.length} octets (at most 253)`);
    out[at] = a.type;
    out[at + 1] = a.value.length + 2;
    out.set(a.value, at + 2);
    at += 2 + a.value.length;
  }
  return out;
}

export function decodeRadius(b: Uint8Array): RadiusPacket {
  const fail = (offset: number, code: DecodeErrorCode, path: string, reason: string): never => {
    throw new DecodeError({ protocol: 'radius', code, offset, path, reason });
  };
  if (b.length < 20) fail(0, DecodeErrorCode.TRUNCATED, 'RADIUS', 'a packet needs 20 octets');
  const length = (b[2] << 8) | b[3];
  if (length < 20 || length > b.length || length > 4096) fail(2, DecodeErrorCode.BAD_LENGTH, 'RADIUS.Length', `Length ${length} with ${b.length} octets received`);
  const attributes: RadiusAttr[] = [];
  let at = 20;
  while (at < length) {
    if (at + 2 > length) fail(at, DecodeErrorCode.TRUNCATED, 'RADIUS.attribute', 'type and length need 2 octets');
    const l = b[at + 1];
    if (l < 2 || at + l > length) fail(at + 1, DecodeErrorCode.BAD_LENGTH, `RADIUS.attribute ${b[at]}`, `length ${l} with ${length - at} octets left`);
    attributes.push({ type: b[at], value: b.slice(at + 2, at + l) });
    at += l;
  }
  // RFC 2865 3: octets beyond Length are padding, ignored
  return { code: b[0], identifier: b[1], authenticator: b.slice(4, 20), attributes };
}

/** RFC 3579 3.1: an EAP packet as EAP-Message attributes of up to 253 octets. */
export function eapMessageAttributes(eap: Uint8Array): RadiusAttr[] {
  const out: RadiusAttr[] = [];
  for (let at = 0; at < eap.length; at += 253) out.push({ type: RadiusAttribute.EAP_MESSAGE, value: eap.slice(at, at + 253) });
  return out;
}

/** The EAP packet of a RADIUS packet: its EAP-Message values in order, concatenated; undefined when none. */
export function eapOf(p: RadiusPacket): Uint8Array | undefined {
  const parts = p.attributes.filter((a) => a.type === RadiusAttribute.EAP_MESSAGE).map((a) => a.value);
  if (!parts.length) return undefined;
  return Uint8Array.from(Buffer.concat(parts));
}

const MA = RadiusAttribute.MESSAGE_AUTHENTICATOR;

/** The offset of the Message-Authenticator's 16 octets in an encoded packet, or -1. */
function maOffset(bytes: Uint8Array): number {
  for (let at = 20; at + 2 <= bytes.length; at += bytes[at + 1]) {
    if (bytes[at] === MA && bytes[at + 1] === 18) return at + 2;
    if (bytes[at + 1] < 2) return -1;
  }
  return -1;
}

/** An Access-Request with its Message-Authenticator (RFC 3579 3.2); the caller's random Request Authenticator. */
export function signedRequest(p: Omit<RadiusPacket, 'attributes'> & { attributes: RadiusAttr[] }, secret: string): Uint8Array {
  const bytes = encodeRadius({ ...p, attributes: [...p.attributes.filter((a) => a.type !== MA), { type: MA, value: new Uint8Array(16) }] });
  const at = maOffset(bytes);
  bytes.set(createHmac('md5', secret).update(bytes).digest(), at);
  return bytes;
}

/** An answer (Accept, Reject, Challenge) to the request with `requestAuthenticator`: Message-Authenticator, then the Response Authenticator. */
export function signedResponse(p: Omit<RadiusPacket, 'authenticator'>, requestAuthenticator: Uint8Array, secret: string): Uint8Array {
  const bytes = encodeRadius({ ...p, authenticator: requestAuthenticator, attributes: [...p.attributes.filter((a) => a.type !== MA), { type: MA, value: new Uint8Array(16) }] });
  bytes.set(createHmac('md5', secret).update(bytes).digest(), maOffset(bytes));
  bytes.set(createHash('md5').update(bytes).update(secret).digest(), 4);
  return bytes;
}

/** Whether a request's Message-Authenticator is right (RFC 3579 3.2); a request without one is not. */
export function requestVerifies(bytes: Uint8Array, secret: string): boolean {
  const at = maOffset(bytes);
  if (at < 0) return false;
  const copy = Uint8Array.from(bytes);
  copy.fill(0, at, at + 16);
  return Buffer.from(createHmac('md5', secret).update(copy).digest()).equals(Buffer.from(bytes.subarray(at, at + 16)));
}

/** Whether an answer's Response Authenticator and Message-Authenticator are right for the request's Authenticator. */
export function responseVerifies(bytes: Uint8Array, requestAuthenticator: Uint8Array, secret: string): boolean {
  const copy = Uint8Array.from(bytes);
  copy.set(requestAuthenticator, 4);
  if (!Buffer.from(createHash('md5').update(copy).update(secret).digest()).equals(Buffer.from(bytes.subarray(4, 20)))) return false;
  const at = maOffset(bytes);
  if (at < 0) return false;
  copy.fill(0, at, at + 16);
  return Buffer.from(createHmac('md5', secret).update(copy).digest()).equals(Buffer.from(bytes.subarray(at, at + 16)));
}
