// The DCS's AAA server (nodes/aaa) over real UDP: the test is the RADIUS client (the NSSAAF's side)
// and the EAP-AKA' peer (the UE's side, from the same K/OPc with MILENAGE): identity, challenge,
// response, Access-Accept with EAP-Success; a wrong RES and an unknown identity end in
// Access-Reject with EAP-Failure; a request with a bad Message-Authenticator and garbage are
// dropped. Judges: the peer checks the server's AT_MAC and AUTN with its own keys; tshark
// (Wireshark 4.x) decodes the captured RADIUS, EAP and EAP-AKA' and validates the Response
// Authenticators with the shared secret, with no warning.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import dgram from 'node:dgram';
import { AaaServer } from '../../nodes/aaa/aaa.ts';
import { DEFAULT_SUBSCRIBER } from '../../nodes/common/config.ts';
import { decodeRadius, signedRequest, responseVerifies, eapOf, eapMessageAttributes, RadiusCode, RadiusAttribute } from '../../codecs/radius/radius.ts';
import { encodeEap, decodeEap, encodeAka, decodeAka, atRes, atMacZero, akaAttribute, networkNameOf, macOffset, EapCode, EapType, AkaSubtype, AkaAttribute } from '../../codecs/eap/eap.ts';
import { f1, f2345 } from '../../crypto/milenage.ts';
import { xor } from '../../crypto/aes.ts';
import { ckIkPrime, eapAkaPrimeKeys, atMac } from '../../crypto/eap-aka-prime.ts';
import { tempCapture } from '../helpers/capture.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

const h = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const SECRET = 'dcs-shared-secret';
const SNN = '5G:mnc001.mcc001.3gppnetwork.org:000007ed9d5';
const IDENTITY = 'nai-onboard5@aaa.dcs.example.org';
const ADDRESS = '127.0.175.61';
const s = DEFAULT_SUBSCRIBER;

let aaa: AaaServer;
let client: dgram.Socket;
let capturePath: string;
let closeCapture: () => void;
let nextId = 1;

beforeAll(async () => {
  const c = tempCapture('aaa');
  capturePath = c.path;
  closeCapture = () => c.capture.close();
  aaa = await AaaServer.start({ address: ADDRESS, secret: SECRET, networkName: SNN, subscribers: new Map([[IDENTITY, { k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn }]]), tap: c.capture });
  client = dgram.createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.175.60', () => r()));
});

afterAll(async () => {
  client?.close();
  await aaa?.stop();
  closeCapture?.();
});

/** One RADIUS exchange: the answer, checked against our request's Authenticator. */
function send(attributes: { type: number; value: Uint8Array }[], o: { secret?: string } = {}): Promise<ReturnType<typeof decodeRadius>> {
  const authenticator = new Uint8Array(16).map((_, i) => (i * 37 + nextId) & 0xff);
  const bytes = signedRequest({ code: RadiusCode.ACCESS_REQUEST, identifier: nextId++ & 0xff, authenticator, attributes }, o.secret ?? SECRET);
  return new Promise((resolve) => {
    client.once('message', (m) => {
      const b = new Uint8Array(m);
      expect(responseVerifies(b, authenticator, SECRET)).toBe(true);
      resolve(decodeRadius(b));
    });
    client.send(bytes, 1812, ADDRESS);
  });
}

const userName = (id: string) => ({ type: RadiusAttribute.USER_NAME, value: new TextEncoder().encode(id) });
const identityResponse = (id: string) => eapMessageAttributes(encodeEap({ code: EapCode.RESPONSE, identifier: 1, type: EapType.IDENTITY, data: new TextEncoder().encode(id) }));

/** The UE's side: checks AUTN and the server's AT_MAC, answers with RES (or `wrongRes`) and its AT_MAC. */
function peerResponse(challenge: Uint8Array, wrongRes = false): Uint8Array {
  const e = decodeEap(challenge);
  const m = decodeAka(e.data);
  const rand = akaAttribute(m, AkaAttribute.AT_RAND)!.slice(2);
  const autn = akaAttribute(m, AkaAttribute.AT_AUTN)!.slice(2);
  const name = networkNameOf(akaAttribute(m, AkaAttribute.AT_KDF_INPUT)!);
  expect(name).toBe(SNN);
  const { res, ck, ik, ak } = f2345(h(s.k), h(s.opc), rand);
  const sqn = xor(autn.slice(0, 6), ak);
  expect(Buffer.from(f1(h(s.k), h(s.opc), rand, sqn, autn.slice(6, 8)).macA).equals(Buffer.from(autn.slice(8)))).toBe(true);
  const { ckPrime, ikPrime } = ckIkPrime(ck, ik, name, autn.slice(0, 6));
  const kAut = eapAkaPrimeKeys(ckPrime, ikPrime, IDENTITY).kAut;
  const zeroed = Uint8Array.from(challenge);
  zeroed.fill(0, macOffset(zeroed), macOffset(zeroed) + 16);
  expect(Buffer.from(atMac(kAut, zeroed)).equals(Buffer.from(challenge.subarray(macOffset(challenge), macOffset(challenge) + 16)))).toBe(true);
  const p = encodeEap({ code: EapCode.RESPONSE, identifier: e.identifier, type: EapType.AKA_PRIME, data: encodeAka({ subtype: AkaSubtype.CHALLENGE, attributes: [atRes(wrongRes ? res.map((b) => b ^ 1) : res), atMacZero()] }) });
  p.set(atMac(kAut, p), macOffset(p));
  return p;
}

describe("the DCS's AAA server: EAP-AKA' over RADIUS (TS 23.502 4.2.2.2.4 step 9-1)", () => {
  it('identity, challenge, response: Access-Accept with EAP-Success; nothing left pending', async () => {
    const c = await send([userName(IDENTITY), ...identityResponse(IDENTITY)]);
    expect(c.code).toBe(RadiusCode.ACCESS_CHALLENGE);
    const state = c.attributes.find((a) => a.type === RadiusAttribute.STATE)!;
    const a = await send([userName(IDENTITY), state, ...eapMessageAttributes(peerResponse(eapOf(c)!))]);
    expect(a.code).toBe(RadiusCode.ACCESS_ACCEPT);
    expect(decodeEap(eapOf(a)!).code).toBe(EapCode.SUCCESS);
    expect(aaa.ledger.snapshot()).toEqual({ "EAP-AKA' challenges pending": 0 });
  });

  it('a wrong RES and an unknown identity: Access-Reject with EAP-Failure', async () => {
    const c = await send([userName(IDENTITY), ...identityResponse(IDENTITY)]);
    const state = c.attributes.find((a) => a.type === RadiusAttribute.STATE)!;
    const r = await send([userName(IDENTITY), state, ...eapMessageAttributes(peerResponse(eapOf(c)!, true))]);
    expect([r.code, decodeEap(eapOf(r)!).code]).toEqual([RadiusCode.ACCESS_REJECT, EapCode.FAILURE]);
    const u = await send([userName('nai-nobody@x.example'), ...identityResponse('nai-nobody@x.example')]);
    expect([u.code, decodeEap(eapOf(u)!).code]).toEqual([RadiusCode.ACCESS_REJECT, EapCode.FAILURE]);
    expect(aaa.ledger.snapshot()).toEqual({ "EAP-AKA' challenges pending": 0 });
  });

  it('a bad Message-Authenticator and garbage are dropped, and the server goes on', async () => {
    const before = aaa.stats.dropped;
    const bad = signedRequest({ code: RadiusCode.ACCESS_REQUEST, identifier: 99, authenticator: new Uint8Array(16), attributes: identityResponse(IDENTITY) }, 'wrong-secret');
    client.send(bad, 1812, ADDRESS);
    client.send(Uint8Array.of(1, 2, 3), 1812, ADDRESS);
    for (let i = 0; i < 200 && aaa.stats.dropped < before + 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(aaa.stats.dropped).toBe(before + 2);
    expect((await send([userName(IDENTITY), ...identityResponse(IDENTITY)])).code).toBe(RadiusCode.ACCESS_CHALLENGE);
  });

  it.skipIf(!tsharkAvailable())("tshark reads the RADIUS, EAP and EAP-AKA' of the capture, the Response Authenticators valid, no warning", () => {
    closeCapture();
    // the 3 octets of garbage the test sent are captured as received: a malformed RADIUS packet, rightly
    const frames = dissect(capturePath, { prefs: [`radius.shared_secret:${SECRET}`, 'radius.validate_authenticator:TRUE'] }).filter((f) => f.protocols.includes('radius') && f.fields.get('udp.length')?.[0] !== '11');
    expect(problems(frames)).toEqual([]);
    const answers = frames.filter((f) => ['2', '3', '11'].includes(f.fields.get('radius.code')?.[0] ?? ''));
    expect(answers.length).toBeGreaterThanOrEqual(5);
    for (const f of answers) expect(f.fields.has('radius.authenticator.valid'), `frame ${f.frame}`).toBe(true);
    const challenge = frames.find((f) => f.fields.get('radius.code')?.[0] === '11')!;
    expect(challenge.fields.get('eap.type')).toEqual(['50']);
    expect(challenge.fields.get('eap.aka.subtype.type')).toEqual(['1', '2', '24', '23', '11']);
    expect(frames.map((f) => f.fields.get('radius.code')?.[0])).toEqual(expect.arrayContaining(['1', '11', '2', '3']));
  });
});
