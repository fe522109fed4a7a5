// NAS message protection (TS 24.501 4.4.3-4.4.6 and 9.1.1; TS 33.501 6.4.3 and 6.4.4).
//
//   protected message = EPD 0x7E | security header type | MAC (4) | SQN (1) | NAS message
//   MAC   = NIA(KNASint, NAS COUNT, BEARER, DIRECTION, SQN || NAS message after ciphering)
//   NAS COUNT (32 bits) = 0x00 | NAS overflow (16) | SQN (8)        (TS 24.501 4.4.3.1)
//   BEARER = the NAS connection identifier: 1 for 3GPP access, 2 for non-3GPP access
//   DIRECTION = 0 uplink, 1 downlink
//
// The receiver estimates the full COUNT from the 8-bit SQN and its expected COUNT; a MAC that
// verifies only with an already used COUNT is a replay (NasReplay), distinct from a MAC that does
// not verify at all (NasMacFailure), so the AMF and the UE can apply TS 24.501 4.4.4.

import { ByteReader } from '../bytes/reader.ts';
import { nia2Word, nea2 } from '../../crypto/nas-algorithms.ts';
import type { SecurityProtectedNas } from './message.ts';

export const NasIntegrityAlgorithm = { NIA0: 0, NIA1: 1, NIA2: 2, NIA3: 3 } as const;
export const NasCipheringAlgorithm = { NEA0: 0, NEA1: 1, NEA2: 2, NEA3: 3 } as const;
export const NasDirection = { Uplink: 0, Downlink: 1 } as const;
export const NasBearer = { ThreeGpp: 1, NonThreeGpp: 2 } as const;

export interface NasSecurityContext {
  ngKsi: number;
  kNasInt: Uint8Array;
  kNasEnc: Uint8Array;
  integrityAlgorithm: number;
  cipheringAlgorithm: number;
  /** Next uplink NAS COUNT (the UE's to send, the AMF's to expect). */
  uplinkCount: number;
  /** Next downlink NAS COUNT (the AMF's to send, the UE's to expect). */
  downlinkCount: number;
  bearer: number;
}

export class NasMacFailure extends Error {
  readonly count: number;
  constructor(count: number) {
    super(`NAS MAC verification failed (NAS COUNT ${count})`);
    this.name = 'NasMacFailure';
    this.count = count;
  }
}

export class NasReplay extends Error {
  readonly count: number;
  constructor(count: number) {
    super(`NAS message replayed: NAS COUNT ${count} was already used`);
    this.name = 'NasReplay';
    this.count = count;
  }
}

export class UnsupportedNasAlgorithm extends Error {
  constructor(kind: string, id: number) {
    super(`${kind} algorithm ${id} is not implemented (wire5g implements 0 and 2: the null algorithm and AES)`);
    this.name = 'UnsupportedNasAlgorithm';
  }
}

/**
 * The MAC (a 32-bit number, its first octet in the high bits) of the octets of `message` from
 * `from` (the sequence number and the NAS message, TS 24.501 4.4.3.3); NIA0's is all zeros (TS
 * 33.501 D.2).
 */
function mac(ctx: NasSecurityContext, count: number, direction: number, message: Uint8Array, from: number): number {
  switch (ctx.integrityAlgorithm) {
    case 0:
      return 0;
    case 2:
      return nia2Word(ctx.kNasInt, count, ctx.bearer, direction, message, from);
    default:
      throw new UnsupportedNasAlgorithm('integrity', ctx.integrityAlgorithm);
  }
}

function cipher(ctx: NasSecurityContext, count: number, direction: number, data: Uint8Array): Uint8Array {
  switch (ctx.cipheringAlgorithm) {
    case 0:
      return data;
    case 2:
      return nea2(ctx.kNasEnc, count, ctx.bearer, direction, data);
    default:
      throw new UnsupportedNasAlgorithm('ciphering', ctx.cipheringAlgorithm);
  }
}

/**
 * The value part of the NAS message container IE of an initial NAS message (TS 24.501 4.4.6):
 * ciphered with the current 5G NAS security context and the NAS COUNT of the message that carries
 * it. The same function deciphers (the NAS ciphering algorithms are stream ciphers).
 */
export function cipherNasMessageContainer(ctx: NasSecurityContext, count: number, direction: 0 | 1, data: Uint8Array): Uint8Array {
  return cipher(ctx, count, direction, data);
}

/**
 * Protects a plain NAS message with the sender's next COUNT and advances it. Security header
 * type 1/3 is integrity protected only, 2/4 also ciphered (TS 24.501 9.3).
 */
export function protectNas(plain: Uint8Array, ctx: NasSecurityContext, direction: 0 | 1, securityHeaderType: 1 | 2 | 3 | 4): Uint8Array {
  const count = direction === 0 ? ctx.uplinkCount : ctx.downlinkCount;
  const ciphered = securityHeaderType === 2 || securityHeaderType === 4;
  const body = ciphered ? cipher(ctx, count, direction, plain) : plain;
  const out = new Uint8Array(7 + body.length);
  out[0] = 0x7e;
  out[1] = securityHeaderType;
  out[6] = count & 0xff;
  out.set(body, 7);
  const m = mac(ctx, count, direction, out, 6);
  out[2] = m >>> 24;
  out[3] = m >>> 16;
  out[4] = m >>> 8;
  out[5] = m;
  if (direction === 0) ctx.uplinkCount = (count + 1) >>> 0;
  else ctx.downlinkCount = (count + 1) >>> 0;
  return out;
}

export interface UnprotectedNas {
  header: SecurityProtectedNas;
  /** The plain NAS message. */
  plain: Uint8Array;
  count: number;
}

/** Whether the MAC at octets 2-5 of `bytes` is `m` (TS 24.501 9.1.1: the MAC's octets in order). */
function macIs(bytes: Uint8Array, m: number): boolean {
  return bytes[2] === m >>> 24 && bytes[3] === ((m >>> 16) & 0xff) && bytes[4] === ((m >>> 8) & 0xff) && bytes[5] === (m & 0xff);
}

/** Throws the DecodeError of a security header that is not that of a protected 5GMM message with a NAS message after it. */
function badHeader(bytes: Uint8Array): never {
  const r = new ByteReader(bytes, 'nas-5gs');
  const epd = r.u8('ExtendedProtocolDiscriminator');
  if (epd !== 0x7e) throw r.error('BAD_VALUE', `EPD 0x${epd.toString(16)} is not 5GMM`, 'ExtendedProtocolDiscriminator', 0);
  const sht = r.u8('SecurityHeaderType') & 0x0f;
  if (sht < 1 || sht > 4) throw r.error('BAD_VALUE', `security header type ${sht} is not a protected message`, 'SecurityHeaderType', 1);
  r.bytes(4, 'MessageAuthenticationCode');
  r.u8('SequenceNumber');
  throw r.error('TRUNCATED', 'no NAS message after the security header', 'NASMessage');
}

/**
 * Verifies and deciphers a protected NAS message (TS 24.501 4.4.3.1 COUNT estimation). Advances
 * the receiver's expected COUNT on success. Throws DecodeError on truncation, NasMacFailure or
 * NasReplay otherwise. The header's fields are read in place (TS 24.501 9.1.1: EPD, security
 * header type, MAC in octets 2-5, sequence number in 6, the message from 7); a header that does
 * not hold them is read again by a ByteReader for its error.
 */
export function unprotectNas(bytes: Uint8Array, ctx: NasSecurityContext, direction: 0 | 1): UnprotectedNas {
  const sht = bytes.length > 1 ? bytes[1] & 0x0f : 0;
  if (bytes.length < 8 || bytes[0] !== 0x7e || sht < 1 || sht > 4) badHeader(bytes);
  const sqn = bytes[6];
  const expected = direction === 0 ? ctx.uplinkCount : ctx.downlinkCount;
  const overflow = expected >>> 8;
  const wrapped = sqn < (expected & 0xff);
  const count = (((wrapped ? overflow + 1 : overflow) << 8) | sqn) >>> 0;
  if (ctx.integrityAlgorithm !== 0 && !macIs(bytes, mac(ctx, count, direction, bytes, 6))) {
    // An older COUNT that verifies means the message was seen before (TS 24.501 4.4.3.1).
    if (wrapped && macIs(bytes, mac(ctx, ((overflow << 8) | sqn) >>> 0, direction, bytes, 6))) throw new NasReplay(((overflow << 8) | sqn) >>> 0);
    throw new NasMacFailure(count);
  }
  // the message as received, copied once: also the plain message when it was not ciphered
  const payload = new Uint8Array(bytes.length - 7);
  if (payload.length > 64) payload.set(bytes.subarray(7));
  else for (let i = 0; i < payload.length; i++) payload[i] = bytes[7 + i];
  const plain = sht === 2 || sht === 4 ? cipher(ctx, count, direction, payload) : payload;
  if (direction === 0) ctx.uplinkCount = (count + 1) >>> 0;
  else ctx.downlinkCount = (count + 1) >>> 0;
  return { header: { epd: 0x7e, securityHeaderType: sht as 1 | 2 | 3 | 4, mac: Uint8Array.of(bytes[2], bytes[3], bytes[4], bytes[5]), sequenceNumber: sqn, payload }, plain, count };
}
