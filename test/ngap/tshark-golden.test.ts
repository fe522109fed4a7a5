// NGAP golden bytes judged by tshark: every message our nodes send, and the public vectors, as
// Wireshark's NGAP dissector reads them.

import { describe, it, expect } from 'vitest';
import { decodeNgap, encodeNgap, ngapMessage, iesByName } from '../../codecs/ngap/index.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';
import { hexVector, messageVectors } from '../helpers/vectors.ts';
import { problems, field, tsharkAvailable } from '../helpers/tshark.ts';
import { NODE_MESSAGES } from './node-messages.ts';
import { VECTOR_FILES } from './public-vectors.ts';
import { tsharkFrames, tsharkHex } from './tshark-frames.ts';

describe.skipIf(!tsharkAvailable())('NGAP golden bytes checked by tshark', () => {
  it('tshark dissects every message our nodes send with our values and no malformed frame or expert warning', () => {
    const encoded = NODE_MESSAGES.map(([name, pdu]) => [name, encodeNgap(pdu)] as [string, Uint8Array]);
    const frames = tsharkFrames(encoded);
    expect(problems(frames)).toEqual([]);
    const seen = new Set<string>();
    NODE_MESSAGES.forEach(([name, pdu], i) => {
      const f = frames[i];
      const { procedure } = ngapMessage(pdu);
      const ies = iesByName(procedure.value, name);
      expect(f.protocols, name).toContain('ngap');
      expect(field(f, 'ngap.procedureCode'), name).toBe(String(procedure.procedureCode));
      const check = (ie: string, tsharkField: string, value: (v: unknown) => string) => {
        if (!ies.has(ie)) return;
        expect(tsharkHex(field(f, tsharkField)), `${name} ${ie}`).toBe(value(ies.get(ie)));
        seen.add(ie);
      };
      check('RAN-UE-NGAP-ID', 'ngap.RAN_UE_NGAP_ID', String);
      check('AMF-UE-NGAP-ID', 'ngap.AMF_UE_NGAP_ID', String);
      check('NAS-PDU', 'ngap.NAS_PDU', (v) => toHex(v as Uint8Array));
      check('RANNodeName', 'ngap.RANNodeName', String);
      check('AMFName', 'ngap.AMFName', String);
      check('RelativeAMFCapacity', 'ngap.RelativeAMFCapacity', String);
      // the NAS-PDU inside is handed to tshark's NAS-5GS dissector: our Registration Request
      if (ies.has('NAS-PDU') || name === 'PDUSessionResourceSetupRequest') {
        expect(f.protocols, name).toContain('nas-5gs');
        expect(field(f, 'nas_5gs.mm.message_type'), name).toBe('0x41');
        expect(field(f, 'nas_5gs.mm.suci.msin'), name).toBe('0000000001');
      }
    });
    expect([...seen].sort()).toEqual(['AMF-UE-NGAP-ID', 'AMFName', 'NAS-PDU', 'RAN-UE-NGAP-ID', 'RANNodeName', 'RelativeAMFCapacity']);
    const frame = (name: string) => frames[NODE_MESSAGES.findIndex(([n]) => n === name)];
    // UE context release: both ids of the pair and the NAS cause 'deregister' (index 2)
    const rel = frame('UEContextReleaseCommand');
    expect([field(rel, 'ngap.AMF_UE_NGAP_ID'), field(rel, 'ngap.RAN_UE_NGAP_ID'), field(rel, 'ngap.nas')]).toEqual(['1', '1', '2']);
    expect(field(frame('UEContextReleaseRequest'), 'ngap.radioNetwork')).toBe('20'); // user-inactivity
    expect(field(frame('NGSetupFailure'), 'ngap.misc')).toBe('5'); // unspecified
    // GTP tunnel inside the PDU session resource setup request/response transfers
    const setup = frame('PDUSessionResourceSetupRequest');
    expect([field(setup, 'ngap.TransportLayerAddressIPv4'), tsharkHex(field(setup, 'ngap.gTP_TEID')), field(setup, 'ngap.PDUSessionType'), field(setup, 'ngap.fiveQI')]).toEqual(['127.0.0.7', '00000001', '0', '9']);
    const setupRes = frame('PDUSessionResourceSetupResponse');
    expect([field(setupRes, 'ngap.TransportLayerAddressIPv4'), tsharkHex(field(setupRes, 'ngap.gTP_TEID'))]).toEqual(['127.0.0.100', '00000099']);
    expect(field(frame('PDUSessionResourceReleaseCommand'), 'ngap.nas')).toBe('0'); // normal-release in the transfer
    expect(tsharkHex(field(frame('InitialContextSetupRequest'), 'ngap.SecurityKey'))).toBe('00'.repeat(32));
    expect(field(frame('Paging'), 'ngap.fiveG_TMSI')).toBe(String(0x12345678));
    expect(field(frame('NGSetupRequest'), 'ngap.PagingDRX')).toBe('2'); // v128
    // Error Indication with Criticality Diagnostics: InitialUEMessage (15), NAS-PDU (38) missing
    const ei = frame('ErrorIndication');
    expect([field(ei, 'ngap.procedureCode', 1), field(ei, 'ngap.triggeringMessage'), field(ei, 'ngap.iE_ID'), field(ei, 'ngap.typeOfError'), field(ei, 'ngap.iECriticality')]).toEqual(['15', '0', '38', '1', '0']);
  });

  it('the public vectors decode to the values tshark shows', () => {
    const frames = tsharkFrames([...Object.values(VECTOR_FILES).map((f) => [f, hexVector(f)] as [string, Uint8Array]), ...messageVectors('ngap.').map((v) => [v.id, fromHex(v.hex)] as [string, Uint8Array])]);
    expect(problems(frames)).toEqual([]);
    for (const f of frames) expect(f.protocols).toContain('ngap');
    const [setup, initial, release] = frames;
    const s = iesByName(ngapMessage(decodeNgap(hexVector(VECTOR_FILES.NGSetupRequest))).procedure.value, 'NGSetupRequest');
    expect(field(setup, 'ngap.procedureCode')).toBe('21');
    expect(field(setup, 'ngap.RANNodeName')).toBe(s.get('RANNodeName'));
    expect(tsharkHex(field(setup, 'ngap.gNB_ID'))).toBe('00000000');
    expect(setup.fields.get('ngap.sD')?.map(tsharkHex)).toEqual(['010203', '112233']);
    expect(field(setup, 'ngap.PagingDRX')).toBe('0'); // v32
    const u = iesByName(ngapMessage(decodeNgap(hexVector(VECTOR_FILES.InitialUEMessage))).procedure.value, 'InitialUEMessage');
    expect(field(initial, 'ngap.RAN_UE_NGAP_ID')).toBe(String(u.get('RAN-UE-NGAP-ID')));
    expect(tsharkHex(field(initial, 'ngap.NAS_PDU'))).toBe(toHex(u.get('NAS-PDU') as Uint8Array));
    expect(BigInt(field(initial, 'ngap.NRCellIdentity'))).toBe(1n);
    expect(field(initial, 'ngap.RRCEstablishmentCause')).toBe('3'); // mo-Signalling
    expect(field(initial, 'ngap.UEContextRequest')).toBe('0'); // requested
    expect(field(initial, 'nas_5gs.mm.message_type')).toBe('0x41');
    expect([field(release, 'ngap.AMF_UE_NGAP_ID'), field(release, 'ngap.RAN_UE_NGAP_ID'), field(release, 'ngap.nas')]).toEqual(['1', '3405774848', '0']);
    // messages.json: procedure codes and the UE ids where present
    frames.slice(3).forEach((f, i) => {
      const v = messageVectors('ngap.')[i];
      const ies = iesByName(ngapMessage(decodeNgap(fromHex(v.hex))).procedure.value, String(v.expected.procedure));
      expect(field(f, 'ngap.procedureCode'), v.id).toBe(String(v.expected.procedureCode));
      if (ies.has('RAN-UE-NGAP-ID')) expect(field(f, 'ngap.RAN_UE_NGAP_ID'), v.id).toBe(String(ies.get('RAN-UE-NGAP-ID')));
      if (ies.has('AMF-UE-NGAP-ID')) expect(field(f, 'ngap.AMF_UE_NGAP_ID'), v.id).toBe(String(ies.get('AMF-UE-NGAP-ID')));
    });
  });
});
