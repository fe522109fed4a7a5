// The UE's USIM and ME security functions: the SUCI (TS 33.501 6.12.2, Annex C), the AKA check
// with SQN freshness (TS 33.102 6.3.3, Annex C.2), the AUTS for resynchronisation (6.3.3) and the
// key hierarchy down to the NAS keys (TS 33.501 6.1.3.2, Annex A).

import { randomOctets } from '../../crypto/random.ts';
import { verifyAutn, computeAuts, type AutnCheck } from '../../crypto/aka.ts';
import { f2345 } from '../../crypto/milenage.ts';
import { kseaf, kamf, nasKeys as nasKeysOf } from '../../crypto/kdf.ts';
import { fromHex } from '../../codecs/bytes/hex.ts';
import { imsiDigits, kamfSupiInput } from '../common/aka.ts';
import { concealSuci, msinToBcd, ProtectionScheme } from '../../crypto/suci.ts';
import { nullSchemeSuci, type MobileIdentity } from '../../codecs/nas/index.ts';
import type { Plmn } from '../common/config.ts';

export interface SuciConfig {
  /** Protection scheme: the null scheme (TS 33.501 C.2) or ECIES profile A/B (C.3). */
  profile: 'null' | 'A' | 'B';
  /** Home network public key, hex (32 octets for A, 33 compressed for B). */
  hnPublicKey?: string;
  /** Home network public key identifier (TS 24.501 9.11.3.4). */
  keyId?: number;
  /** Routing indicator, up to 4 digits (default "0000"). */
  routingIndicator?: string;
}

/** TS 24.501 9.11.3.4: the SUCI of an IMSI SUPI under the configured protection scheme. */
export function suciOf(supi: string, plmn: Plmn, cfg: SuciConfig = { profile: 'null' }): MobileIdentity {
  const digits = imsiDigits(supi);
  const msin = digits.slice(plmn.mcc.length + plmn.mnc.length);
  const ri = cfg.routingIndicator ?? '0000';
  if (cfg.profile === 'null') return nullSchemeSuci(plmn, msin, ri);
  if (!cfg.hnPublicKey) throw new TypeError(`SUCI profile ${cfg.profile} needs the home network public key`);
  const ephemeral = randomOctets(32);
  const schemeOutput = concealSuci(cfg.profile, fromHex(cfg.hnPublicKey), msinToBcd(msin), ephemeral);
  return {
    type: 'suci',
    supiFormat: 'imsi',
    plmn,
    routingIndicator: ri,
    protectionScheme: cfg.profile === 'A' ? ProtectionScheme.ProfileA : ProtectionScheme.ProfileB,
    homeNetworkPublicKeyId: cfg.keyId ?? 1,
    schemeOutput,
  };
}

/** TS 33.102 C.2.2: Δ, the largest accepted jump of SEQ (2^28). */
const DELTA = 2n ** 28n;

function sqnValue(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

function sqnBytes(v: bigint): Uint8Array {
  const out = new Uint8Array(6);
  for (let i = 5; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export type AuthenticationOutcome =
  | { result: 'ok'; resStar: Uint8Array; kausf: Uint8Array }
  /** 5GMM cause #20 MAC failure (TS 24.501 5.4.1.3.7 c). */
  | { result: 'mac-failure' }
  /** 5GMM cause #21 synch failure with AUTS (5.4.1.3.7 d). */
  | { result: 'synch-failure'; auts: Uint8Array }
  /** 5GMM cause #26 non-5G authentication unacceptable: the AMF separation bit is 0 (TS 33.501 6.1.3.2 step 7). */
  | { result: 'non-5g' };

/** The USIM: K, OPc and SQN_MS (the highest SQN accepted, TS 33.102 C.2.1 without the IND array). */
export class Usim {
  private readonly k: Uint8Array;
  private readonly opc: Uint8Array;
  sqnMs: bigint;

  constructor(k: string, opc: string, sqnHex: string) {
    this.k = fromHex(k);
    this.opc = fromHex(opc);
    this.sqnMs = BigInt(`0x${sqnHex}`);
  }

  get sqnMsHex(): string {
    return this.sqnMs.toString(16).padStart(12, '0');
  }

  /** TS 33.501 6.1.3.2 steps 6-7 (USIM + ME): verify AUTN, check SQN, compute RES* and KAUSF. */
  authenticate(rand: Uint8Array, autn: Uint8Array, servingNetworkName: string): AuthenticationOutcome {
    const check = this.verify(rand, autn, servingNetworkName);
    return check.result === 'ok' ? { result: 'ok', resStar: check.resStar, kausf: check.kausf } : check;
  }

  /**
   * EAP-AKA' (RFC 9048 3, TS 33.501 6.1.3.1): the same AUTN checks (MAC, SQN freshness, the
   * separation bit), then RES, CK and IK for the peer to derive CK', IK' with the network name.
   */
  akaPrime(rand: Uint8Array, autn: Uint8Array): AkaPrimeOutcome {
    const check = this.verify(rand, autn, '');
    if (check.result !== 'ok') return check;
    const { res, ck, ik } = f2345(this.k, this.opc, rand);
    return { result: 'ok', res, ck, ik };
  }

  /** The USIM's AUTN checks (TS 33.102 6.3.3): MAC, SQN freshness (synchronisation failure with AUTS), the 5G separation bit; SQN_MS moves on success. */
  private verify(rand: Uint8Array, autn: Uint8Array, servingNetworkName: string): Extract<AutnCheck, { result: 'ok' }> | { result: 'mac-failure' } | { result: 'synch-failure'; auts: Uint8Array } | { result: 'non-5g' } {
    if (rand.length !== 16 || autn.length !== 16) return { result: 'mac-failure' };
    const check = verifyAutn(this.k, this.opc, rand, autn, servingNetworkName, (sqn) => {
      const s = sqnValue(sqn);
      return s > this.sqnMs && s - this.sqnMs <= DELTA;
    });
    if (check.result === 'mac-failure') return { result: 'mac-failure' };
    if (check.result === 'synch-failure') return { result: 'synch-failure', auts: computeAuts(this.k, this.opc, rand, sqnBytes(this.sqnMs)) };
    // The AMF field's separation bit (bit 0 of octet 1, TS 33.102 Annex H) must be 1 for 5G.
    if ((autn[6] & 0x80) === 0) return { result: 'non-5g' };
    this.sqnMs = sqnValue(check.sqn);
    return check;
  }
}

export type AkaPrimeOutcome =
  | { result: 'ok'; res: Uint8Array; ck: Uint8Array; ik: Uint8Array }
  | { result: 'mac-failure' }
  | { result: 'synch-failure'; auts: Uint8Array }
  | { result: 'non-5g' };

export interface NasKeys {
  kamf: Uint8Array;
  kNasInt: Uint8Array;
  kNasEnc: Uint8Array;
}

/** TS 33.501 A.6-A.8: KSEAF, KAMF (SUPI digits and ABBA), KNASint and KNASenc for the selected algorithms. */
export function nasKeys(kausf: Uint8Array, servingNetworkName: string, supi: string, abba: Uint8Array, integrity: number, ciphering: number): NasKeys {
  const k = kamf(kseaf(kausf, servingNetworkName), kamfSupiInput(supi), abba);
  return { kamf: k, ...nasKeysOf(k, integrity, ciphering) };
}
