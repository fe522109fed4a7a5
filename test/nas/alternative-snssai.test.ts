// The Alternative S-NSSAI IE of the PDU SESSION RELEASE COMMAND (TS 24.501 Rel-18 8.3.14, Table
// 8.3.14.1.1: IEI 5A, S-NSSAI 9.11.2.8, TLV, 3-10 octets), which the V-SMF adds for a network slice
// replacement (TS 23.502 4.3.4.3 step 4 / 4.3.4.2 step 5c).
//
// Judges: the installed Wireshark (4.0.17) predates the IE in this message: it decodes the header
// and the 5GSM cause and reports the IE's octets as "Extraneous Data" (a note, not a warning). So
// (1) the IEI and its place are judged against the spec's table as an independent NAS
// implementation tabulates it (a Rust 5GS NAS crate's message tables, TS 24.501 v19.8.0 Table
// 8.3.14.1.1: `tlv(0x5a, "Alternative S-NSSAI", SNssai)` after the Service-level-AA container), and
// (2) the value part is judged by tshark itself: the same value octets as the S-NSSAI IE (IEI 22) of
// an UL NAS TRANSPORT, which Wireshark 4.0 dissects with its 9.11.2.8 decoder (SST, SD, mapped
// HPLMN SST, mapped HPLMN SD).

import { describe, it, expect } from 'vitest';
import { encodeNasMessage, decodeNasMessage, nasMessage } from '../../codecs/nas/index.ts';
import { nasSmN1 } from '../../nodes/smf/adapters.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, field, tsharkAvailable } from '../helpers/tshark.ts';

const ALT = { sst: 1, sd: 0xa1b2c3, mappedSst: 2, mappedSd: 0x0000ff };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('PDU SESSION RELEASE COMMAND with the Alternative S-NSSAI (TS 24.501 8.3.14)', () => {
  it('encodes IEI 5A as a TLV after the 5GSM cause and decodes it back', () => {
    const b = encodeNasMessage(nasMessage('PDU session release command', { fiveGsmCause: 39, alternativeSnssai: ALT }, { pduSessionId: 1, pti: 0 }));
    // EPD 2E, PSI 1, PTI 0, type D3, cause #39 (27), IEI 5A, length 8, SST, SD, mapped SST, mapped SD
    expect(hex(b)).toBe('2e0100d327' + '5a08' + '01a1b2c3' + '020000ff');
    expect(decodeNasMessage(b).ies).toEqual({ fiveGsmCause: 39, alternativeSnssai: ALT });
  });

  it('the V-SMF adds it to the H-SMF\'s command, keeping every IE the H-SMF put there', () => {
    const fromHsmf = encodeNasMessage(nasMessage('PDU session release command', { fiveGsmCause: 39, backOffTimerValue: { unit: 0, value: 5 }, accessType: 1 }, { pduSessionId: 5, pti: 0 }));
    const b = nasSmN1.withAlternativeSnssai(fromHsmf, { sst: 1, sd: 'a1b2c3', mappedSst: 1, mappedSd: 'a1b2c3' });
    expect(hex(b)).toBe(hex(fromHsmf) + '5a08' + '01a1b2c3' + '01a1b2c3');
    expect(() => nasSmN1.withAlternativeSnssai(encodeNasMessage(nasMessage('PDU session release complete', {}, { pduSessionId: 5, pti: 0 })), { sst: 1 })).toThrow(/release command/);
  });

  it.skipIf(!tsharkAvailable())('tshark: the message and its cause decoded, the IE flagged only as a note (4.0.17 predates it); its value octets decoded as an S-NSSAI', () => {
    const { capture, path } = tempCapture('alternative-snssai');
    const command = encodeNasMessage(nasMessage('PDU session release command', { fiveGsmCause: 39, alternativeSnssai: ALT }, { pduSessionId: 1, pti: 0 }));
    capture.exportedPdu('nas-5gs', command, 'release command with Alternative S-NSSAI');
    // the same value octets under the S-NSSAI IEI of UL NAS TRANSPORT (8.2.10, IEI 22), which Wireshark 4.0 knows
    const ul = encodeNasMessage(nasMessage('UL NAS transport', { payloadContainerType: 1, payloadContainer: Uint8Array.of(0x2e, 1, 1, 0xd1), pduSessionId: 1, sNssai: ALT }));
    capture.exportedPdu('nas-5gs', ul, 'UL NAS transport with the same S-NSSAI value');
    capture.close();
    const [rel, ulf] = dissect(path, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect([field(rel, 'nas_5gs.sm.message_type'), field(rel, 'nas_5gs.pdu_session_id'), field(rel, 'nas_5gs.sm.5gsm_cause')]).toEqual(['0xd3', '1', '39']);
    expect(rel.malformed).toBe(false);
    expect(rel.expert.filter((e) => e.severity === 'warning' || e.severity === 'error')).toEqual([]);
    expect(rel.expert.filter((e) => e.severity === 'note').map((e) => e.message)).toEqual([expect.stringMatching(/^Extraneous Data/)]);
    expect(ulf.malformed).toBe(false);
    expect(ulf.expert.filter((e) => e.severity !== 'comment')).toEqual([]);
    expect(['nas_5gs.mm.sst', 'nas_5gs.mm.mm_sd', 'nas_5gs.mm.mapped_hplmn_sst', 'nas_5gs.mm.mapped_hplmn_ssd'].map((n) => field(ulf, n))).toEqual(['1', String(0xa1b2c3), '2', '255']);
  });
});
