// The AMF's UserLocation from an NGAP NR ULI (nodes/amf/user-location.ts): TS 29.571 Tac and
// NrCellId digits, TS 24.008 10.5.1.13 PLMN identity with the filler F of a 2-digit MNC.

import { describe, it, expect } from 'vitest';
import { userLocationOf, plmnIdOf } from '../../nodes/amf/user-location.ts';
import { decodeNgap, encodeNgap, iesByName, ngapMessage, ngapPdu, type Ngap } from '../../codecs/ngap/index.ts';

const uli = (plmn: number[], tac: number[], cell: number[], length = 36) =>
  ({ userLocationInformationNR: { 'nR-CGI': { pLMNIdentity: Uint8Array.from(plmn), nRCellIdentity: { value: Uint8Array.from(cell), length } }, tAI: { pLMNIdentity: Uint8Array.from(plmn), tAC: Uint8Array.from(tac) } } }) as unknown as Ngap.UserLocationInformation;

describe('UserLocation of an NR ULI (TS 38.413 9.3.1.16 -> TS 29.571 5.4.4.7)', () => {
  it('PLMN identity: 3-digit and 2-digit MNC (filler F)', () => {
    expect(plmnIdOf(Uint8Array.of(0x00, 0xf1, 0x10))).toEqual({ mcc: '001', mnc: '01' });
    expect(plmnIdOf(Uint8Array.of(0x13, 0x00, 0x14))).toEqual({ mcc: '310', mnc: '410' });
  });

  it('TAC as 6 hex digits, the 36-bit NR Cell Identity as 9 (its 40 octet bits shifted right by 4)', () => {
    const l = userLocationOf(uli([0x00, 0xf1, 0x10], [0x00, 0x00, 0x01], [0x00, 0x00, 0x00, 0x01, 0x00]))!;
    expect(l.nrLocation.tai).toEqual({ plmnId: { mcc: '001', mnc: '01' }, tac: '000001' });
    expect(l.nrLocation.ncgi.nrCellId).toBe('000000010');
    expect(userLocationOf(uli([0x00, 0xf1, 0x10], [0xab, 0x0c, 0xff], [0xff, 0xff, 0xff, 0xff, 0xf0]))!.nrLocation).toEqual({
      tai: { plmnId: { mcc: '001', mnc: '01' }, tac: 'ab0cff' },
      ncgi: { plmnId: { mcc: '001', mnc: '01' }, nrCellId: 'fffffffff' },
    });
  });

  it('the cell digits equal a BigInt shift of the octets for every bit position', () => {
    for (let bit = 0; bit < 40; bit++) {
      const v = new Uint8Array(5);
      v[bit >> 3] = 0x80 >> (bit & 7);
      v[4] |= 0x0f; // bits past the 36 are dropped
      const expected = (BigInt('0x' + Buffer.from(v).toString('hex')) >> 4n).toString(16).padStart(9, '0');
      expect(userLocationOf(uli([0x00, 0xf1, 0x10], [0, 0, 1], [...v]))!.nrLocation.ncgi.nrCellId).toBe(expected);
    }
  });

  it('the UE\'s previous UserLocation is kept while the ULI names the same TAI and cell, and replaced when either changes', () => {
    const first = userLocationOf(uli([0x00, 0xf1, 0x10], [0, 0, 1], [0, 0, 0, 0x01, 0x00]))!;
    expect(userLocationOf(uli([0x00, 0xf1, 0x10], [0, 0, 1], [0, 0, 0, 0x01, 0x00]), first)).toBe(first);
    const otherCell = userLocationOf(uli([0x00, 0xf1, 0x10], [0, 0, 1], [0, 0, 0, 0x02, 0x00]), first)!;
    expect(otherCell).not.toBe(first);
    expect(otherCell.nrLocation.ncgi.nrCellId).toBe('000000020');
    const otherTac = userLocationOf(uli([0x00, 0xf1, 0x10], [0, 0, 2], [0, 0, 0, 0x02, 0x00]), otherCell)!;
    expect(otherTac.nrLocation.tai.tac).toBe('000002');
    const otherPlmn = userLocationOf(uli([0x13, 0x00, 0x14], [0, 0, 2], [0, 0, 0, 0x02, 0x00]), otherTac)!;
    expect(otherPlmn.nrLocation.tai.plmnId).toEqual({ mcc: '310', mnc: '410' });
    // a location not built here (none to compare with) is not kept
    const copy = { ...first };
    expect(userLocationOf(uli([0x00, 0xf1, 0x10], [0, 0, 1], [0, 0, 0, 0x01, 0x00]), copy)).not.toBe(copy);
  });

  it('the ULI kept to compare with is a copy: a PDU decoded from a Buffer the transport reuses does not change it', () => {
    // codecs/per: the octets of a PDU given as a Buffer are views of it (a Buffer's slice), so the
    // decoded PLMN identities and TAC change when the Buffer is reused for the next PDU
    const pdu = (tacOctet: number) => encodeNgap(ngapPdu('UplinkNASTransport', {
      'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 2, 'NAS-PDU': Uint8Array.of(0x7e, 0x00, 0x64, 0x6f),
      UserLocationInformation: uli([0x00, 0xf1, 0x10], [0, 0, tacOctet], [0, 0, 0, 0x01, 0x00]),
    }));
    const received = Buffer.alloc(pdu(1).length);
    const uliOf = (b: Buffer) => {
      const { procedure, name } = ngapMessage(decodeNgap(b));
      return iesByName(procedure.value, name).get('UserLocationInformation') as Ngap.UserLocationInformation;
    };
    received.set(pdu(1));
    const first = userLocationOf(uliOf(received))!;
    expect(first.nrLocation.tai.tac).toBe('000001');
    received.set(pdu(2));
    const moved = userLocationOf(uliOf(received), first)!;
    expect(moved).not.toBe(first);
    expect(moved.nrLocation.tai.tac).toBe('000002');
  });

  it('no NR member: undefined', () => {
    expect(userLocationOf(undefined)).toBeUndefined();
    expect(userLocationOf({} as Ngap.UserLocationInformation)).toBeUndefined();
  });
});
