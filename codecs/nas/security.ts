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
import { nia2, nea2, nia0 } from '../../crypto/nas-algorithms.ts';
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

function mac(ctx: NasSecurityContext, count: number, direction: number, data: Uint8Array): Uint8Array {
  switch (ctx.integrityAlgorithm) {
    case 0:
      return nia0();
    case 2:
      return nia2(ctx.kNasInt, count, ctx.bearer, direction, data);
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
  out.set(mac(ctx, count, direction, out.subarray(6)), 2);
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

/** Whether two 4-octet MACs are equal (module level: a closure per message before). */
function sameMac(a: Uint8Array, b: Uint8Array): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/**
 * Verifies and deciphers a protected NAS message (TS 24.501 4.4.3.1 COUNT estimation). Advances
 * the receiver's expected COUNT on success. Throws DecodeError on truncation, NasMacFailure or
 * NasReplay otherwise.
 */
export function unprotectNas(bytes: Uint8Array, ctx: NasSecurityContext, direction: 0 | 1): UnprotectedNas {
  const r = new ByteReader(bytes, 'nas-5gs');
  const epd = r.u8('ExtendedProtocolDiscriminator');
  if (epd !== 0x7e) throw r.error('BAD_VALUE', `EPD 0x${epd.toString(16)} is not 5GMM`, 'ExtendedProtocolDiscriminator', 0);
  const sht = r.u8('SecurityHeaderType') & 0x0f;
  if (sht < 1 || sht > 4) throw r.error('BAD_VALUE', `security header type ${sht} is not a protected message`, 'SecurityHeaderType', 1);
  const received = r.bytes(4, 'MessageAuthenticationCode');
  const sqn = r.u8('SequenceNumber');
  const body = r.rest();
  if (body.length === 0) throw r.error('TRUNCATED', 'no NAS message after the security header', 'NASMessage');
  const expected = direction === 0 ? ctx.uplinkCount : ctx.downlinkCount;
  const overflow = expected >>> 8;
  const wrapped = sqn < (expected & 0xff);
  const count = (((wrapped ? overflow + 1 : overflow) << 8) | sqn) >>> 0;
  const signed = bytes.subarray(6);
  if (ctx.integrityAlgorithm !== 0 && !sameMac(mac(ctx, count, direction, signed), received)) {
    // An older COUNT that verifies means the message was seen before (TS 24.501 4.4.3.1).
    if (wrapped && sameMac(mac(ctx, ((overflow << 8) | sqn) >>> 0, direction, signed), received)) throw new NasReplay(((overflow << 8) | sqn) >>> 0);
    throw new NasMacFailure(count);
  }
  // the message as received, copied once: also the plain message when it was not ciphered
  const payload = new Uint8Array(body);
  const plain = sht === 2 || sht === 4 ? cipher(ctx, count, direction, body) : payload;
  if (direction === 0) ctx.uplinkCount = (count + 1) >>> 0;
  else ctx.downlinkCount = (count + 1) >>> 0;
  return { header: { epd: 0x7e, securityHeaderType: sht as 1 | 2 | 3 | 4, mac: new Uint8Array(received), sequenceNumber: sqn, payload }, plain, count };
}
