// The UE's EAP-AKA' peer (RFC 9048, RFC 4187; TS 33.501 6.1.3.1) with its Default UE
// Credentials, as TS 23.502 4.2.2.2.4 step 9-1 runs it against a DCS's AAA server (TS 33.501
// I.2.2.2). The EAP packets come in the EAP message IE of Authentication Request and Result and
// go back in Authentication Response (TS 24.501 5.4.1.2):
//   EAP-Request/Identity          -> EAP-Response/Identity with the NAI of the onboarding SUPI
//   EAP-Request/AKA'-Challenge    -> the USIM checks AUTN (MAC, SQN freshness, separation bit);
//                                    AT_KDF must be 1 and AT_KDF_INPUT the serving network name the
//                                    UE itself uses (TS 33.501 6.1.3.1: the UE checks it); CK', IK'
//                                    and K_aut, MSK (RFC 9048 3.3) with that NAI as the identity;
//                                    the server's AT_MAC verified; EAP-Response/AKA'-Challenge
//                                    (AT_RES, AT_MAC), or AKA'-Authentication-Reject (RFC 4187 9.5),
//                                    AKA'-Synchronization-Failure with AT_AUTS (9.6), AKA'-Client-Error (9.9)
//   other methods                 -> Nak (RFC 3748 5.3.1) proposing EAP-AKA' (50)
//   EAP-Success (Authentication Result) -> KAUSF = the MSK's most significant 256 bits (the AUSF's
//                                    KAUSF when the EAP server is a DCS's AAA server, nodes/ausf/eap-aaa.ts),
//                                    then KSEAF and KAMF at the Security Mode Command as for 5G AKA
//   EAP-Failure                   -> the pending keys are dropped

import { nasMessage, type NasMessage } from '../../../codecs/nas/index.ts';
import { encodeEap, decodeEap, encodeAka, decodeAka, atRes, atMacZero, akaAttribute, networkNameOf, macOffset, EapCode, EapType, AkaSubtype, AkaAttribute, type EapPacket } from '../../../codecs/eap/eap.ts';
import { ckIkPrime, eapAkaPrimeKeys, atMac } from '../../../crypto/eap-aka-prime.ts';
import type { Ue } from '../ue.ts';
import { sendNas } from '../n1.ts';
import { registrationStep } from './onboarding-steps.ts';

/** The keys of a challenge the UE answered, until the EAP result. */
const pending = new WeakMap<Ue, { msk: Uint8Array; ngKsi: number; abba: Uint8Array }>();

/** AKA' Client-Error code 0: unable to process packet (RFC 4187 10.20). */
const AT_CLIENT_ERROR_CODE = 22;
const EAP_NAK = 3;

const nai = (ue: Ue) => ue.cfg.supi.replace(/^nai-/, '');

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function respond(ue: Ue, p: EapPacket, what: string): void {
  sendNas(ue, nasMessage('Authentication response', { eapMessage: encodeEap(p) }), `Authentication response (EAP-Response/${what})`, registrationStep(ue, '4.2.2.2.2 step 9'));
}

function akaResponse(ue: Ue, identifier: number, subtype: number, attributes: ReturnType<typeof atRes>[], what: string): void {
  respond(ue, { code: EapCode.RESPONSE, identifier, type: EapType.AKA_PRIME, data: encodeAka({ subtype, attributes }) }, what);
}

/** An Authentication Request with an EAP message (and no RAND/AUTN). */
export function onEapAuthenticationRequest(ue: Ue, m: NasMessage): void {
  const ngKsi = (m.ies.ngKsi as { ksi: number }).ksi;
  const abba = (m.ies.abba as Uint8Array | undefined) ?? new Uint8Array(2);
  let e: EapPacket;
  try {
    e = decodeEap(m.ies.eapMessage as Uint8Array);
  } catch (err) {
    ue.log(`[UE ${ue.cfg.supi}] undecodable EAP message in the Authentication request: ${(err as Error).message}`);
    return;
  }
  if (e.code !== EapCode.REQUEST) return ue.log(`[UE ${ue.cfg.supi}] EAP code ${e.code} in an Authentication request ignored`);
  if (e.type === EapType.IDENTITY) return respond(ue, { code: EapCode.RESPONSE, identifier: e.identifier, type: EapType.IDENTITY, data: new TextEncoder().encode(nai(ue)) }, 'Identity');
  if (e.type !== EapType.AKA_PRIME) return respond(ue, { code: EapCode.RESPONSE, identifier: e.identifier, type: EAP_NAK, data: Uint8Array.of(EapType.AKA_PRIME) }, 'Nak');
  const clientError = (why: string) => {
    ue.log(`[UE ${ue.cfg.supi}] EAP-AKA' challenge not processed: ${why}`);
    akaResponse(ue, e.identifier, AkaSubtype.CLIENT_ERROR, [{ type: AT_CLIENT_ERROR_CODE, value: Uint8Array.of(0, 0) }], "AKA'-Client-Error");
  };
  let a;
  try {
    a = decodeAka(e.data);
  } catch (err) {
    return clientError((err as Error).message);
  }
  const rand = akaAttribute(a, AkaAttribute.AT_RAND)?.slice(2);
  const autn = akaAttribute(a, AkaAttribute.AT_AUTN)?.slice(2);
  const kdf = akaAttribute(a, AkaAttribute.AT_KDF);
  const kdfInput = akaAttribute(a, AkaAttribute.AT_KDF_INPUT);
  const packet = m.ies.eapMessage as Uint8Array;
  const at = macOffset(packet);
  if (a.subtype !== AkaSubtype.CHALLENGE || !rand || !autn || !kdf || !kdfInput || at < 0) return clientError(`subtype ${a.subtype} or AT_RAND/AT_AUTN/AT_KDF/AT_KDF_INPUT/AT_MAC missing`);
  // RFC 9048 3.2: KDF 1 is the only one defined; TS 33.501 6.1.3.1: the network name must be the serving network name
  if (((kdf[0] << 8) | kdf[1]) !== 1) return clientError(`AT_KDF ${(kdf[0] << 8) | kdf[1]} (only 1 is defined)`);
  const networkName = networkNameOf(kdfInput);
  const reject = (why: string) => {
    ue.log(`[UE ${ue.cfg.supi}] EAP-AKA' challenge rejected: ${why}`);
    akaResponse(ue, e.identifier, AkaSubtype.AUTHENTICATION_REJECT, [], "AKA'-Authentication-Reject");
  };
  if (networkName !== ue.snn) return reject(`AT_KDF_INPUT ${networkName} is not the serving network ${ue.snn}`);
  const r = ue.usim.akaPrime(rand, autn);
  if (r.result === 'mac-failure') return reject('AUTN does not verify (MAC failure)');
  if (r.result === 'non-5g') return reject('the AMF separation bit of AUTN is 0');
  if (r.result === 'synch-failure') return akaResponse(ue, e.identifier, AkaSubtype.SYNCHRONIZATION_FAILURE, [{ type: AkaAttribute.AT_AUTS, value: r.auts }, { type: AkaAttribute.AT_KDF, value: Uint8Array.of(0, 1) }], "AKA'-Synchronization-Failure");
  const { ckPrime, ikPrime } = ckIkPrime(r.ck, r.ik, networkName, autn.slice(0, 6));
  const keys = eapAkaPrimeKeys(ckPrime, ikPrime, nai(ue));
  const zeroed = Uint8Array.from(packet);
  zeroed.fill(0, at, at + 16);
  if (!equal(atMac(keys.kAut, zeroed), packet.subarray(at, at + 16))) return reject("the server's AT_MAC does not verify");
  pending.set(ue, { msk: keys.msk, ngKsi, abba: Uint8Array.from(abba) });
  const out = encodeEap({ code: EapCode.RESPONSE, identifier: e.identifier, type: EapType.AKA_PRIME, data: encodeAka({ subtype: AkaSubtype.CHALLENGE, attributes: [atRes(r.res), atMacZero()] }) });
  out.set(atMac(keys.kAut, out), macOffset(out));
  sendNas(ue, nasMessage('Authentication response', { eapMessage: out }), "Authentication response (EAP-Response/AKA'-Challenge)", registrationStep(ue, '4.2.2.2.2 step 9'));
}

/** TS 24.501 5.4.1.2.2.x: Authentication Result with EAP-Success (keys in use) or EAP-Failure. */
export function onAuthenticationResult(ue: Ue, m: NasMessage): void {
  const p = pending.get(ue);
  pending.delete(ue);
  let code: number;
  try {
    code = decodeEap(m.ies.eapMessage as Uint8Array).code;
  } catch {
    return ue.log(`[UE ${ue.cfg.supi}] Authentication result with an undecodable EAP message`);
  }
  if (code !== EapCode.SUCCESS) return ue.log(`[UE ${ue.cfg.supi}] Authentication result: EAP code ${code} (not EAP-Success)`);
  if (!p) return ue.log(`[UE ${ue.cfg.supi}] EAP-Success without a challenge answered: ignored`);
  // KAUSF: the MSK's most significant 256 bits (see the header); the ngKSI of the Authentication Result
  const ngKsi = (m.ies.ngKsi as { ksi: number } | undefined)?.ksi ?? p.ngKsi;
  ue.auth = { kausf: p.msk.slice(0, 32), ngKsi, abba: (m.ies.abba as Uint8Array | undefined) ?? p.abba };
}
