// NGAP errors (TS 38.413 clause 10), values this schema does not know, and wire5g decode's NGAP
// dissection.

import { describe, it, expect } from 'vitest';
import { decodeNgap, encodeNgap, ngapMessage, iesByName, ngapPdu, errorIndicationFor, ngapErrorContext, dissectNgap, ngapCodec, type NgapPdu } from '../../codecs/ngap/index.ts';
import { dissectNas } from '../../codecs/nas/index.ts';
import { DecodeError, EncodeError } from '../../codecs/bytes/errors.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';
import { hexVector, messageVectors } from '../helpers/vectors.ts';
import { problems, field, tsharkAvailable } from '../helpers/tshark.ts';
import { NODE_MESSAGES, nas, nrUli } from './node-messages.ts';
import { VECTOR_FILES, iesOf, type Ies } from './public-vectors.ts';
import { tsharkFrames } from './tshark-frames.ts';

describe('NGAP errors (TS 38.413 clause 10)', () => {
  const initial = NODE_MESSAGES.find(([n]) => n === 'InitialUEMessage')![1];
  const withoutNas = (): Uint8Array => {
    const pdu = structuredClone(initial) as { initiatingMessage: { value: { protocolIEs: Ies } } };
    pdu.initiatingMessage.value.protocolIEs = pdu.initiatingMessage.value.protocolIEs.filter((ie) => ie.id !== 38);
    return encodeNgap(pdu as NgapPdu);
  };

  it('an InitialUEMessage without its NAS-PDU is MISSING_IE with IE id 38 and the message in the path', () => {
    const bytes = withoutNas();
    let err: unknown;
    try {
      decodeNgap(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    const d = err as DecodeError;
    expect(d.code).toBe('MISSING_IE');
    expect(d.ie).toBe(38);
    expect(d.path).toContain('InitialUEMessage');
    expect(d.path).toBe('NGAP-PDU.initiatingMessage.InitialUEMessage.protocolIEs');
    expect(d.offset).toBe(bytes.length);
  });

  it('a missing mandatory IE of criticality ignore is ignored, as TS 38.413 10.3.5 asks', () => {
    expect(ngapCodec.setEntry('InitialUEMessage-IEs', 90)).toMatchObject({ name: 'RRCEstablishmentCause', presence: 'mandatory', criticality: 'ignore' });
    const pdu = structuredClone(initial) as { initiatingMessage: { value: { protocolIEs: Ies } } };
    pdu.initiatingMessage.value.protocolIEs = pdu.initiatingMessage.value.protocolIEs.filter((ie) => ie.id !== 90);
    const back = decodeNgap(encodeNgap(pdu as NgapPdu));
    expect(iesByName(ngapMessage(back).procedure.value, 'InitialUEMessage').has('RRCEstablishmentCause')).toBe(false);
  });

  it('the Error Indication for it carries Criticality Diagnostics naming procedure 15 and IE 38 (missing)', () => {
    const bytes = withoutNas();
    let err: DecodeError | undefined;
    try {
      decodeNgap(bytes);
    } catch (e) {
      err = e as DecodeError;
    }
    const ctx = ngapErrorContext(bytes);
    expect(ctx).toEqual({ procedureCode: 15, triggeringMessage: 'initiating-message', procedureCriticality: 'ignore' });
    const ei = errorIndicationFor(err!, { ...ctx, ranUeNgapId: 1 });
    const ies = iesByName(ngapMessage(decodeNgap(encodeNgap(ei))).procedure.value, 'ErrorIndication');
    expect(ies.get('Cause')).toEqual({ protocol: 'abstract-syntax-error-reject' });
    expect(ies.get('CriticalityDiagnostics')).toEqual({
      procedureCode: 15,
      triggeringMessage: 'initiating-message',
      procedureCriticality: 'ignore',
      iEsCriticalityDiagnostics: [{ iECriticality: 'reject', 'iE-ID': 38, typeOfError: 'missing' }],
    });
    if (tsharkAvailable()) {
      const [f] = tsharkFrames([['ErrorIndication', encodeNgap(ei)]]);
      expect(problems([f])).toEqual([]);
      expect(f.fields.get('ngap.procedureCode')).toEqual(['9', '15']);
      expect([field(f, 'ngap.iE_ID'), field(f, 'ngap.typeOfError'), field(f, 'ngap.protocol'), field(f, 'ngap.RAN_UE_NGAP_ID')]).toEqual(['38', '1', '1', '1']);
    }
  });

  it('bytes that are not even a header give a transfer syntax error indication', () => {
    const ctx = ngapErrorContext(Uint8Array.of(0xff));
    expect(ctx).toEqual({});
    const ei = errorIndicationFor(new DecodeError({ protocol: 'ngap', code: 'TRUNCATED', offset: 0, path: 'NGAP-PDU', reason: '' }), ctx);
    expect(iesByName(ngapMessage(decodeNgap(encodeNgap(ei))).procedure.value, 'ErrorIndication').get('Cause')).toEqual({ protocol: 'transfer-syntax-error' });
  });

  it('every truncation of a message is a DecodeError with an offset inside the bytes', () => {
    const bytes = encodeNgap(initial);
    for (let n = 0; n < bytes.length; n++) {
      let err: unknown;
      try {
        decodeNgap(bytes.subarray(0, n));
      } catch (e) {
        err = e;
      }
      expect(err, `${n} of ${bytes.length} octets`).toBeInstanceOf(DecodeError);
      const d = err as DecodeError;
      expect(d.offset, `${n} octets: ${d.message}`).toBeGreaterThanOrEqual(0);
      expect(d.offset, `${n} octets: ${d.message}`).toBeLessThanOrEqual(n);
      expect(['TRUNCATED', 'BAD_LENGTH', 'MISSING_IE'], `${n} octets: ${d.message}`).toContain(d.code);
    }
    // a cut PDU fails at the message's own open type length, before any IE
    let cut: DecodeError | undefined;
    try {
      decodeNgap(bytes.subarray(0, bytes.length - 1));
    } catch (e) {
      cut = e as DecodeError;
    }
    expect([cut?.code, cut?.path, cut?.offset]).toEqual(['TRUNCATED', 'NGAP-PDU.initiatingMessage.InitialUEMessage', 4]); // where the message's octets start
  });

  it('a NAS-PDU whose length runs past its IE fails inside that IE, with its id and an absolute offset', () => {
    const bytes = encodeNgap(initial);
    const nasPdu = iesByName(ngapMessage(initial).procedure.value, 'InitialUEMessage').get('NAS-PDU') as Uint8Array;
    const nasAt = toHex(bytes).indexOf(toHex(nasPdu)) / 2;
    expect(bytes[nasAt - 1]).toBe(nasPdu.length); // the OCTET STRING length, inside the IE's open type
    const bad = Uint8Array.from(bytes);
    bad[nasAt - 1] = nasPdu.length + 10;
    let d: DecodeError | undefined;
    try {
      decodeNgap(bad);
    } catch (e) {
      d = e as DecodeError;
    }
    expect([d?.code, d?.path, d?.ie, d?.offset]).toEqual(['TRUNCATED', 'NGAP-PDU.initiatingMessage.InitialUEMessage.protocolIEs[1].NAS-PDU', 38, nasAt]);
  });

  it('a value outside its constraint is an EncodeError naming its path', () => {
    const before = toHex(encodeNgap(NODE_MESSAGES[0][1]));
    const pdu = ngapPdu('PDUSessionResourceReleaseResponse', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1, PDUSessionResourceReleasedListRelRes: [{ pDUSessionID: 300, pDUSessionResourceReleaseResponseTransfer: Uint8Array.of(0) }] });
    expect(() => encodeNgap(pdu)).toThrow('NGAP-PDU.successfulOutcome.PDUSessionResourceReleaseResponse.protocolIEs[2].PDUSessionResourceReleasedListRelRes[0].pDUSessionID: 300 outside 0..255');
    // @ts-expect-error: not a CauseMisc item; the run-time check stays for values built dynamically
    expect(() => encodeNgap(ngapPdu('NGSetupFailure', { Cause: { misc: 'no-such-cause' } }))).toThrow(EncodeError);
    // the writer encodeNgap reuses is clean after a failed encode
    expect(toHex(encodeNgap(NODE_MESSAGES[0][1]))).toBe(before);
  });

  it('non-zero octets after the PDU are TRAILING_BYTES at the first extra octet (zero padding is accepted with a warning: test/interop/tolerance.test.ts)', () => {
    const bytes = encodeNgap(initial);
    const longer = new Uint8Array(bytes.length + 2);
    longer.set(bytes);
    longer[bytes.length + 1] = 1;
    expect(() => decodeNgap(longer)).toThrow(expect.objectContaining({ code: 'TRAILING_BYTES', offset: bytes.length }));
  });
});

describe('NGAP values this schema does not know survive decode -> encode', () => {
  const roundTrip = (pdu: NgapPdu) => {
    const bytes = encodeNgap(pdu);
    const back = decodeNgap(bytes);
    expect(toHex(encodeNgap(back))).toBe(toHex(bytes));
    return back;
  };

  it('an unknown protocol IE (id 9999) is kept as its open type octets', () => {
    const pdu = structuredClone(NODE_MESSAGES.find(([n]) => n === 'InitialUEMessage')![1]) as { initiatingMessage: { value: { protocolIEs: Ies } } };
    pdu.initiatingMessage.value.protocolIEs.push({ id: 9999, criticality: 'ignore', raw: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) });
    const back = roundTrip(pdu as NgapPdu);
    expect(iesOf(back).at(-1)).toEqual({ id: 9999, criticality: 'ignore', raw: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) });
    expect(iesByName((back as typeof pdu).initiatingMessage.value, 'InitialUEMessage').get('id-9999')).toEqual(Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
  });

  it('an unknown protocol extension IE (id 9998) in iE-Extensions is kept as its octets', () => {
    const uli = { userLocationInformationNR: { ...nrUli.userLocationInformationNR, 'iE-Extensions': [{ id: 9998, criticality: 'ignore' as const, raw: Uint8Array.of(0x01, 0x02) }] } };
    const pdu = ngapPdu('UplinkNASTransport', { 'AMF-UE-NGAP-ID': 7, 'RAN-UE-NGAP-ID': 8, 'NAS-PDU': nas, UserLocationInformation: uli });
    const back = roundTrip(pdu);
    expect(iesByName(ngapMessage(back).procedure.value, 'UplinkNASTransport').get('UserLocationInformation')).toEqual(uli);
  });

  it('an unknown choice-Extensions IE, SEQUENCE extension addition, ENUMERATED value and procedure code are kept', () => {
    // NGAP's CHOICEs have no extension marker (only NGAP-PDU does): later alternatives come as
    // a choice-Extensions single container, here with an id this schema does not know
    const cause = { 'choice-Extensions': { id: 9997, criticality: 'ignore' as const, raw: Uint8Array.of(0x40) } };
    const back = roundTrip(ngapPdu('UEContextReleaseCommand', { 'UE-NGAP-IDs': { 'uE-NGAP-ID-pair': { 'aMF-UE-NGAP-ID': 1, 'rAN-UE-NGAP-ID': 1 } }, Cause: cause }));
    expect(iesByName(ngapMessage(back).procedure.value, 'UEContextReleaseCommand').get('Cause')).toEqual(cause);
    // and the encoder refuses to invent an extension alternative for a CHOICE that has none
    // @ts-expect-error: Cause has no extension marker, so no $unknownAlternative in its type either
    expect(() => encodeNgap(ngapPdu('UEContextReleaseCommand', { 'UE-NGAP-IDs': { 'uE-NGAP-ID-pair': { 'aMF-UE-NGAP-ID': 1, 'rAN-UE-NGAP-ID': 1 } }, Cause: { $unknownAlternative: { index: 9, raw: Uint8Array.of(0x40) } } }))).toThrow(/without an extension marker/);

    const seq = { 'nR-CGI': nrUli.userLocationInformationNR['nR-CGI'], tAI: nrUli.userLocationInformationNR.tAI, $unknownExtensions: [{ index: 5, raw: Uint8Array.of(0x2a) }] };
    const ul = roundTrip(ngapPdu('UplinkNASTransport', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1, 'NAS-PDU': nas, UserLocationInformation: { userLocationInformationNR: seq } }));
    expect(iesByName(ngapMessage(ul).procedure.value, 'UplinkNASTransport').get('UserLocationInformation')).toEqual({ userLocationInformationNR: seq });

    const ue = roundTrip(ngapPdu('InitialUEMessage', { 'RAN-UE-NGAP-ID': 1, 'NAS-PDU': nas, UserLocationInformation: nrUli, RRCEstablishmentCause: '$ext:40' }));
    expect(iesByName(ngapMessage(ue).procedure.value, 'InitialUEMessage').get('RRCEstablishmentCause')).toBe('$ext:40');

    const unknownProc = roundTrip({ initiatingMessage: { procedureCode: 250, criticality: 'ignore', raw: Uint8Array.of(0, 0, 0) } });
    expect(unknownProc).toEqual({ initiatingMessage: { procedureCode: 250, criticality: 'ignore', raw: Uint8Array.of(0, 0, 0) } });
  });
});

describe('NGAP in wire5g decode (dissectNgap)', () => {
  it('names the message and its IEs and hands each NAS-PDU, also inside IE lists, to the NAS dissector', () => {
    const out = dissectNgap(hexVector(VECTOR_FILES.InitialUEMessage), dissectNas);
    expect(out.map((m) => [m.protocol, m.message])).toEqual([['ngap', 'InitialUEMessage'], ['nas-5gs', 'Registration request']]);
    expect(out[0].fields).toMatchObject({ pdu: 'initiatingMessage', procedureCode: 15, ies: { 'RAN-UE-NGAP-ID': 3456106496, RRCEstablishmentCause: 'mo-Signalling' } });
    const setup = messageVectors('ngap.pdu_session_resource_setup_request')[0];
    expect(dissectNgap(fromHex(setup.hex), dissectNas).map((m) => m.message)).toEqual(['PDUSessionResourceSetupRequest', 'DL NAS transport', 'PDU session establishment accept']);
  });

  it('throws the DecodeError of a bad PDU for the CLI to print', () => {
    expect(() => dissectNgap(Uint8Array.of(0x00, 0x0f, 0x40, 0x7f))).toThrow(DecodeError);
  });
});
