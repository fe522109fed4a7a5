// The EAP message IE of the NAS authentication messages (TS 24.501 9.11.2.2, in 8.2.1
// Authentication request, 8.2.2 response, 8.2.3 result) carrying EAP-AKA' as TS 33.501 6.1.3.1
// runs it (case 9-1's method between UE and the DCS's AAA server, TS 23.502 4.2.2.2.4), built
// from RFC 5448 Appendix C case 1 with the 5G serving network name in AT_KDF_INPUT. The NAS is
// carried in NGAP Downlink/UplinkNASTransport on SCTP in a pcapng; the judge is tshark
// (Wireshark 4.x): NGAP, NAS-5GS, the EAP inside NAS and the EAP-AKA' subtype and attributes,
// with no warning. wire5g's codec reads back what it wrote.
import { describe, it, expect } from 'vitest';
import { nasMessage, encodeNasMessage, decodeNasMessage } from '../../codecs/nas/index.ts';
import { encodeNgap, ngapPdu, bits, plmnIdentity, tac } from '../../codecs/ngap/index.ts';
import { encodeEap, decodeEap, encodeAka, atRand, atAutn, atRes, atMacZero, atKdf, atKdfInput, macOffset, EapCode, EapType, AkaSubtype } from '../../codecs/eap/eap.ts';
import { ckIkPrime, eapAkaPrimeKeys, atMac } from '../../crypto/eap-aka-prime.ts';
import { sctpDataPacket } from '../../transport/capture/synth.ts';
import { tempCapture } from '../helpers/capture.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

const h = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const SNN = '5G:mnc001.mcc001.3gppnetwork.org:000007ed9d5';
const IDENTITY = 'nai-onboard9@dcs.example.org';
const RAND = h('81e92b6c0ee0e12ebceba8d92a99dfa5');
const AUTN = h('bb52e91c747ac3ab2a5c23d15ee351d5');
const { ckPrime, ikPrime } = ckIkPrime(h('5349fbe098649f948f5d2e973a81c00f'), h('9744871ad32bf9bbd1dd5ce54e3e2e5a'), SNN, AUTN.slice(0, 6));
const K_AUT = eapAkaPrimeKeys(ckPrime, ikPrime, IDENTITY).kAut;

function withMac(code: number, subtype: number, attrs: ReturnType<typeof atRand>[]): Uint8Array {
  const p = encodeEap({ code, identifier: 3, type: EapType.AKA_PRIME, data: encodeAka({ subtype, attributes: [...attrs, atMacZero()] }) });
  p.set(atMac(K_AUT, p), macOffset(p));
  return p;
}

const challenge = withMac(EapCode.REQUEST, AkaSubtype.CHALLENGE, [atRand(RAND), atAutn(AUTN), atKdf(1), atKdfInput(SNN)]);
const response = withMac(EapCode.RESPONSE, AkaSubtype.CHALLENGE, [atRes(h('28d7b0f2a2ec3de5'))]);
const success = encodeEap({ code: EapCode.SUCCESS, identifier: 3, data: new Uint8Array(0) });
const NAS = [
  encodeNasMessage(nasMessage('Authentication request', { ngKsi: { tsc: 0, ksi: 0 }, abba: Uint8Array.of(0, 0), eapMessage: challenge })),
  encodeNasMessage(nasMessage('Authentication response', { eapMessage: response })),
  encodeNasMessage(nasMessage('Authentication result', { ngKsi: { tsc: 0, ksi: 0 }, eapMessage: success, abba: Uint8Array.of(0, 0) })),
];

describe('NAS EAP message IE with EAP-AKA\' (TS 24.501 9.11.2.2)', () => {
  it('wire5g reads back the EAP packets it put in the three messages', () => {
    const back = NAS.map((b) => decodeNasMessage(b).ies.eapMessage as Uint8Array);
    expect(back.map((b) => Buffer.from(b).toString('hex'))).toEqual([challenge, response, success].map((b) => Buffer.from(b).toString('hex')));
    expect(decodeEap(back[0]).type).toBe(50);
  });

  it.skipIf(!tsharkAvailable())("tshark decodes the EAP inside NAS inside NGAP: codes, type 50, the AKA' subtype and attributes, no warning", () => {
    const { path, capture } = tempCapture('nas-eap');
    const plmn = plmnIdentity('001', '01');
    const uli = { userLocationInformationNR: { 'nR-CGI': { pLMNIdentity: plmn, nRCellIdentity: bits(1, 36) }, tAI: { pLMNIdentity: plmn, tAC: tac(1) } } };
    const pdus = [
      ngapPdu('DownlinkNASTransport', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1, 'NAS-PDU': NAS[0] }),
      ngapPdu('UplinkNASTransport', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1, 'NAS-PDU': NAS[1], UserLocationInformation: uli }),
      ngapPdu('DownlinkNASTransport', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1, 'NAS-PDU': NAS[2] }),
    ];
    pdus.forEach((p, i) => {
      const down = i !== 1;
      capture.sctp(down ? '127.0.0.5' : '127.0.0.100', down ? '127.0.0.100' : '127.0.0.5', sctpDataPacket(down ? 38412 : 40000, down ? 40000 : 38412, 1, [{ tsn: i + 1, streamId: 1, streamSeq: i, ppid: 60, userData: encodeNgap(p) }]));
    });
    capture.close();
    const frames = dissect(path);
    expect(problems(frames)).toEqual([]);
    const get = (i: number, k: string) => frames[i].fields.get(k);
    expect(frames.map((f) => f.fields.get('nas_5gs.mm.message_type')?.[0])).toEqual(['0x56', '0x57', '0x5a']);
    expect([0, 1, 2].map((i) => get(i, 'eap.code')?.[0])).toEqual(['1', '2', '3']);
    expect(get(0, 'eap.type')).toEqual(['50']);
    expect(get(0, 'eap.aka.subtype')).toEqual(['1']);
    expect(get(0, 'eap.aka.subtype.type')).toEqual(['1', '2', '24', '23', '11']);
    expect(get(1, 'eap.aka.subtype.type')).toEqual(['3', '11']);
  });
});
