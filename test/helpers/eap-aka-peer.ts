// The UE's side of EAP-AKA' in tests (the AAA server's and the NSSAAF's): checks AUTN (MILENAGE
// f1) and the server's AT_MAC with its own keys, and answers AKA'-Challenge with RES (or a wrong
// one) and its AT_MAC (RFC 9048, RFC 4187 9.4).
import { expect } from 'vitest';
import { encodeEap, decodeEap, encodeAka, decodeAka, atRes, atMacZero, akaAttribute, networkNameOf, macOffset, EapCode, EapType, AkaSubtype, AkaAttribute } from '../../codecs/eap/eap.ts';
import { f1, f2345 } from '../../crypto/milenage.ts';
import { xor } from '../../crypto/aes.ts';
import { ckIkPrime, eapAkaPrimeKeys, atMac } from '../../crypto/eap-aka-prime.ts';

const h = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

export function eapAkaPrimePeerResponse(challenge: Uint8Array, who: { identity: string; k: string; opc: string; networkName: string }, wrongRes = false): Uint8Array {
  const e = decodeEap(challenge);
  const m = decodeAka(e.data);
  const rand = akaAttribute(m, AkaAttribute.AT_RAND)!.slice(2);
  const autn = akaAttribute(m, AkaAttribute.AT_AUTN)!.slice(2);
  const name = networkNameOf(akaAttribute(m, AkaAttribute.AT_KDF_INPUT)!);
  expect(name).toBe(who.networkName);
  const { res, ck, ik, ak } = f2345(h(who.k), h(who.opc), rand);
  const sqn = xor(autn.slice(0, 6), ak);
  expect(Buffer.from(f1(h(who.k), h(who.opc), rand, sqn, autn.slice(6, 8)).macA).equals(Buffer.from(autn.slice(8))), 'AUTN verifies').toBe(true);
  const { ckPrime, ikPrime } = ckIkPrime(ck, ik, name, autn.slice(0, 6));
  const kAut = eapAkaPrimeKeys(ckPrime, ikPrime, who.identity).kAut;
  const zeroed = Uint8Array.from(challenge);
  zeroed.fill(0, macOffset(zeroed), macOffset(zeroed) + 16);
  expect(Buffer.from(atMac(kAut, zeroed)).equals(Buffer.from(challenge.subarray(macOffset(challenge), macOffset(challenge) + 16))), "the server's AT_MAC verifies").toBe(true);
  const p = encodeEap({ code: EapCode.RESPONSE, identifier: e.identifier, type: EapType.AKA_PRIME, data: encodeAka({ subtype: AkaSubtype.CHALLENGE, attributes: [atRes(wrongRes ? res.map((b) => b ^ 1) : res), atMacZero()] }) });
  p.set(atMac(kAut, p), macOffset(p));
  return p;
}

/** The MSK (RFC 9048 3.3) the peer derives from `challenge` with its own K/OPc: what the AAA server must deliver. */
export function eapAkaPrimePeerMsk(challenge: Uint8Array, who: { identity: string; k: string; opc: string; networkName: string }): Uint8Array {
  const m = decodeAka(decodeEap(challenge).data);
  const rand = akaAttribute(m, AkaAttribute.AT_RAND)!.slice(2);
  const autn = akaAttribute(m, AkaAttribute.AT_AUTN)!.slice(2);
  const { ck, ik } = f2345(h(who.k), h(who.opc), rand);
  const { ckPrime, ikPrime } = ckIkPrime(ck, ik, who.networkName, autn.slice(0, 6));
  return eapAkaPrimeKeys(ckPrime, ikPrime, who.identity).msk;
}
