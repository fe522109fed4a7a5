// EAP-AKA' inside RADIUS (RFC 9048, RFC 3579, RFC 2865) as the NSSAAF and a DCS's AAA server would
// exchange it (TS 23.502 4.2.2.2.4 step 9-1), built with the RFC 5448 Appendix C case 1 values
// (RAND, AUTN, RES, CK, IK, identity) and written to a pcapng on UDP 1812. Judges: tshark
// (Wireshark 4.x) decodes RADIUS, reassembles EAP from the EAP-Message attributes, decodes the
// EAP-AKA' subtypes and attributes, and validates each answer's Response Authenticator with the
// shared secret, with no warning; the MACs are checked by recomputing them from the RFC's keys.
import { describe, it, expect } from 'vitest';
import { encodeEap, decodeEap, encodeAka, decodeAka, atRand, atAutn, atRes, atMacZero, atKdf, atKdfInput, akaAttribute, resOf, networkNameOf, macOffset, EapCode, EapType, AkaSubtype, AkaAttribute } from '../../codecs/eap/eap.ts';
import { decodeRadius, signedRequest, signedResponse, requestVerifies, responseVerifies, eapMessageAttributes, eapOf, RadiusCode, RadiusAttribute, RADIUS_AUTH_PORT } from '../../codecs/radius/radius.ts';
import { ckIkPrime, eapAkaPrimeKeys, atMac } from '../../crypto/eap-aka-prime.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { tempCapture } from '../helpers/capture.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

const h = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const x = (b: Uint8Array) => Buffer.from(b).toString('hex');

// RFC 5448 Appendix C, case 1
const IDENTITY = '0555444333222111';
const NETWORK = 'WLAN';
const RAND = h('81e92b6c0ee0e12ebceba8d92a99dfa5');
const AUTN = h('bb52e91c747ac3ab2a5c23d15ee351d5');
const RES = h('28d7b0f2a2ec3de5');
const { ckPrime, ikPrime } = ckIkPrime(h('5349fbe098649f948f5d2e973a81c00f'), h('9744871ad32bf9bbd1dd5ce54e3e2e5a'), NETWORK, AUTN.slice(0, 6));
const K_AUT = eapAkaPrimeKeys(ckPrime, ikPrime, IDENTITY).kAut;
const SECRET = 'wire5g-dcs-aaa';

/** An EAP-AKA' packet with its AT_MAC filled (RFC 9048 3.4.1). */
function withMac(code: number, identifier: number, subtype: number, attrs: ReturnType<typeof atRand>[]): Uint8Array {
  const p = encodeEap({ code, identifier, type: EapType.AKA_PRIME, data: encodeAka({ subtype, attributes: [...attrs, atMacZero()] }) });
  p.set(atMac(K_AUT, p), macOffset(p));
  return p;
}

function exchange() {
  const identity = encodeEap({ code: EapCode.RESPONSE, identifier: 1, type: EapType.IDENTITY, data: new TextEncoder().encode(IDENTITY) });
  const challenge = withMac(EapCode.REQUEST, 2, AkaSubtype.CHALLENGE, [atRand(RAND), atAutn(AUTN), atKdf(1), atKdfInput(NETWORK)]);
  const response = withMac(EapCode.RESPONSE, 2, AkaSubtype.CHALLENGE, [atRes(RES)]);
  const success = encodeEap({ code: EapCode.SUCCESS, identifier: 2, data: new Uint8Array(0) });
  const auth1 = h('0102030405060708090a0b0c0d0e0f10');
  const auth2 = h('a1a2a3a4a5a6a7a8a9aaabacadaeafb0');
  const userName = { type: RadiusAttribute.USER_NAME, value: new TextEncoder().encode(IDENTITY) };
  const state = { type: RadiusAttribute.STATE, value: h('00000001') };
  return {
    eap: { identity, challenge, response, success },
    auth: [auth1, auth2],
    radius: [
      signedRequest({ code: RadiusCode.ACCESS_REQUEST, identifier: 7, authenticator: auth1, attributes: [userName, ...eapMessageAttributes(identity)] }, SECRET),
      signedResponse({ code: RadiusCode.ACCESS_CHALLENGE, identifier: 7, attributes: [state, ...eapMessageAttributes(challenge)] }, auth1, SECRET),
      signedRequest({ code: RadiusCode.ACCESS_REQUEST, identifier: 8, authenticator: auth2, attributes: [userName, state, ...eapMessageAttributes(response)] }, SECRET),
      signedResponse({ code: RadiusCode.ACCESS_ACCEPT, identifier: 8, attributes: [...eapMessageAttributes(success)] }, auth2, SECRET),
    ],
  };
}

describe("EAP-AKA' over RADIUS (codecs/eap, codecs/radius)", () => {
  it("the challenge's attributes round-trip and its MAC verifies with K_aut; the response carries the RFC's RES", () => {
    const { eap } = exchange();
    const c = decodeEap(eap.challenge);
    expect([c.code, c.identifier, c.type]).toEqual([1, 2, 50]);
    const m = decodeAka(c.data);
    expect(m.subtype).toBe(AkaSubtype.CHALLENGE);
    expect(m.attributes.map((a) => a.type)).toEqual([1, 2, 24, 23, 11]);
    expect(x(akaAttribute(m, AkaAttribute.AT_RAND)!.slice(2))).toBe(x(RAND));
    expect(networkNameOf(akaAttribute(m, AkaAttribute.AT_KDF_INPUT)!)).toBe(NETWORK);
    const zeroed = Uint8Array.from(eap.challenge);
    zeroed.fill(0, macOffset(zeroed), macOffset(zeroed) + 16);
    expect(x(atMac(K_AUT, zeroed))).toBe(x(eap.challenge.subarray(macOffset(eap.challenge), macOffset(eap.challenge) + 16)));
    expect(x(resOf(akaAttribute(decodeAka(decodeEap(eap.response).data), AkaAttribute.AT_RES)!))).toBe(x(RES));
  });

  it('RADIUS: EAP-Message split at 253 octets and joined again; authenticators verify, a wrong secret does not', () => {
    const big = new Uint8Array(600).fill(7);
    expect(eapMessageAttributes(big).map((a) => a.value.length)).toEqual([253, 253, 94]);
    const { radius, auth, eap } = exchange();
    expect(x(eapOf(decodeRadius(radius[1]))!)).toBe(x(eap.challenge));
    expect(requestVerifies(radius[0], SECRET)).toBe(true);
    expect(requestVerifies(radius[0], 'other')).toBe(false);
    expect(responseVerifies(radius[1], auth[0], SECRET)).toBe(true);
    expect(responseVerifies(radius[1], auth[1], SECRET)).toBe(false);
    expect(responseVerifies(radius[3], auth[1], SECRET)).toBe(true);
  });

  it('refuses garbage with a DecodeError naming the field', () => {
    expect(() => decodeEap(Uint8Array.of(1, 1, 0, 9, 50))).toThrow(/EAP\.Length/);
    expect(() => decodeEap(Uint8Array.of(9, 1, 0, 4))).toThrow(/EAP\.Code/);
    expect(() => decodeAka(Uint8Array.of(1, 0, 0, 1, 0))).toThrow(DecodeError);
    expect(() => decodeRadius(new Uint8Array(10))).toThrow(/TRUNCATED/);
    const bad = Uint8Array.from(exchange().radius[0]);
    bad[21] = 200;
    expect(() => decodeRadius(bad)).toThrow(/BAD_LENGTH/);
  });

  it.skipIf(!tsharkAvailable())("tshark decodes RADIUS, the EAP inside and EAP-AKA', validates the Response Authenticators, no warning", () => {
    const { path, capture } = tempCapture('eap-radius');
    const nssaaf = { address: '127.0.0.60', port: 40000 };
    const aaa = { address: '127.0.0.61', port: RADIUS_AUTH_PORT };
    exchange().radius.forEach((p, i) => (i % 2 === 0 ? capture.udp(nssaaf, aaa, p) : capture.udp(aaa, nssaaf, p)));
    capture.close();
    const frames = dissect(path, { prefs: [`radius.shared_secret:${SECRET}`, 'radius.validate_authenticator:TRUE'] });
    expect(problems(frames)).toEqual([]);
    const one = (f: (typeof frames)[number], k: string) => f.fields.get(k);
    expect(frames.map((f) => one(f, 'radius.code')?.[0])).toEqual(['1', '11', '1', '2']);
    for (const i of [1, 3]) expect(frames[i].fields.has('radius.authenticator.valid'), `frame ${i + 1}: Response Authenticator valid`).toBe(true);
    expect(frames.map((f) => one(f, 'eap.code')?.[0])).toEqual(['2', '1', '2', '3']);
    expect(one(frames[0], 'eap.identity')).toEqual([IDENTITY]);
    expect(one(frames[1], 'eap.type')).toEqual(['50']);
    expect(one(frames[1], 'eap.aka.subtype')).toEqual(['1']);
    expect(one(frames[1], 'eap.aka.subtype.type')).toEqual(['1', '2', '24', '23', '11']);
    expect(one(frames[2], 'eap.aka.subtype.type')).toEqual(['3', '11']);
  });
});
