// 5G AKA built from MILENAGE and the key hierarchy (TS 33.501 6.1.3.2; TS 33.102 6.3 for AUTN,
// AUTS and resynchronisation).

import { f1, f1f2345, f1Of, f2345Of, f5star, milenageRand } from './milenage.ts';
import { resStarAndKausf } from './kdf.ts';
import { xor } from './aes.ts';

export interface AuthenticationVector {
  rand: Uint8Array;
  /** AUTN = (SQN xor AK) || AMF || MAC-A. */
  autn: Uint8Array;
  xresStar: Uint8Array;
  kausf: Uint8Array;
}

/** Home network: the 5G HE AV for RAND and SQN (TS 33.501 6.1.3.2 step 1). */
export function generateAuthenticationVector(k: Uint8Array, opc: Uint8Array, amf: Uint8Array, sqn: Uint8Array, rand: Uint8Array, servingNetworkName: string): AuthenticationVector {
  const { macA, res, ck, ik, ak } = f1f2345(k, opc, rand, sqn, amf);
  const sqnXorAk = xor(sqn, ak);
  const autn = new Uint8Array(16);
  autn.set(sqnXorAk);
  autn.set(amf, 6);
  autn.set(macA, 8);
  const keys = resStarAndKausf(ck, ik, servingNetworkName, rand, res, sqnXorAk);
  return { rand, autn, xresStar: keys.resStar, kausf: keys.kausf };
}

export type AutnCheck =
  | { result: 'ok'; sqn: Uint8Array; resStar: Uint8Array; kausf: Uint8Array; ck: Uint8Array; ik: Uint8Array }
  | { result: 'mac-failure' }
  | { result: 'synch-failure'; sqn: Uint8Array };

/**
 * USIM/ME side (TS 33.102 6.3.3, TS 33.501 6.1.3.2 step 6-7): recovers SQN, verifies MAC-A, then
 * asks `sqnAcceptable` whether SQN is fresh (TS 33.102 C.2).
 */
export function verifyAutn(k: Uint8Array, opc: Uint8Array, rand: Uint8Array, autn: Uint8Array, servingNetworkName: string, sqnAcceptable: (sqn: Uint8Array) => boolean): AutnCheck {
  const m = milenageRand(k, opc, rand); // TEMP once for f2..f5 and f1
  const { res, ck, ik, ak } = f2345Of(m);
  const sqnXorAk = autn.subarray(0, 6);
  const sqn = xor(sqnXorAk, ak);
  const amf = autn.subarray(6, 8);
  const { macA } = f1Of(m, sqn, amf);
  let diff = 0;
  for (let i = 0; i < 8; i++) diff |= macA[i] ^ autn[8 + i];
  if (diff !== 0) return { result: 'mac-failure' };
  if (!sqnAcceptable(sqn)) return { result: 'synch-failure', sqn };
  return { result: 'ok', sqn, ...resStarAndKausf(ck, ik, servingNetworkName, rand, res, sqnXorAk), ck, ik };
}

/** TS 33.102 6.3.3: the AMF used for MAC-S in a resynchronisation is all zeros. */
const RESYNC_AMF = new Uint8Array(2);

/** USIM: AUTS = (SQN_MS xor AK*) || MAC-S (14 octets). */
export function computeAuts(k: Uint8Array, opc: Uint8Array, rand: Uint8Array, sqnMs: Uint8Array): Uint8Array {
  const akStar = f5star(k, opc, rand);
  const { macS } = f1(k, opc, rand, sqnMs, RESYNC_AMF);
  const out = new Uint8Array(14);
  out.set(xor(sqnMs, akStar));
  out.set(macS, 6);
  return out;
}

/** Home network: SQN_MS from AUTS when MAC-S verifies (TS 33.102 6.3.5); undefined otherwise. */
export function resynchronise(k: Uint8Array, opc: Uint8Array, rand: Uint8Array, auts: Uint8Array): Uint8Array | undefined {
  if (auts.length !== 14) return undefined;
  const sqnMs = xor(auts.subarray(0, 6), f5star(k, opc, rand));
  const { macS } = f1(k, opc, rand, sqnMs, RESYNC_AMF);
  let diff = 0;
  for (let i = 0; i < 8; i++) diff |= macS[i] ^ auts[6 + i];
  return diff === 0 ? sqnMs : undefined;
}
