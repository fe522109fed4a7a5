import { describe, it, expect } from 'vitest';
import {
  decodeGtpu, encodeGtpu, gtpuSize, gPdu, echoRequest, echoResponse, errorIndication, endMarker,
  supportedExtensionHeadersNotification, readGpdu, newGpduView, GpduStatus, writeGpduHeaderWithQfi,
  pduSessionContainerOf, dissectGtpu, type GtpuMessage,
} from '../../codecs/gtpu/index.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { bytesEqual, toHex, fromHex } from '../../codecs/bytes/hex.ts';
import { hexVector } from '../helpers/vectors.ts';
import { fuzzDecoder, Rng } from '../helpers/fuzz.ts';
import { tempCapture } from '../helpers/capture.ts';
import { udpPacket } from '../../transport/capture/synth.ts';
import { dissect, problems, field, tsharkAvailable } from '../helpers/tshark.ts';

const vector = hexVector('gtpu_gpdu_pdusc_1400.hex');
// A real UE packet (UDP 10.45.0.1:12345 -> 10.0.0.1:7) as the T-PDU.
const ipPacket = udpPacket({ address: '10.45.0.1', port: 12345 }, { address: '10.0.0.1', port: 7 }, Uint8Array.of(1, 2, 3, 4));

function roundTrip(m: GtpuMessage): GtpuMessage {
  const bytes = encodeGtpu(m);
  expect(bytes.length).toBe(gtpuSize(m));
  const back = decodeGtpu(bytes);
  expect(back).toEqual(m);
  expect(bytesEqual(encodeGtpu(back), bytes)).toBe(true);
  return back;
}

const samples: GtpuMessage[] = [
  gPdu(0x1234, ipPacket, { pduType: 1, qfi: 9 }),
  gPdu(7, ipPacket, { pduType: 0, qfi: 5, rqi: true }),
  gPdu(0xffffffff, ipPacket),
  echoRequest(1),
  echoResponse(1),
  errorIndication(2, 0xdead, Uint8Array.of(127, 0, 0, 11), 2152),
  endMarker(5),
  supportedExtensionHeadersNotification(3, [0x85, 0x40]),
];

describe('GTP-U codec (TS 29.281)', () => {
  it('decodes the 1400-byte G-PDU vector: TEID 1, UL PDU Session Container with QFI 9', () => {
    const m = decodeGtpu(vector);
    expect(m.type).toBe('G-PDU');
    expect(m.header.teid).toBe(1);
    expect(m.header.sequenceNumber).toBeUndefined();
    expect(pduSessionContainerOf(m.header)).toEqual({ pduType: 1, qfi: 9 });
    if (m.type !== 'G-PDU') throw new Error('unreachable');
    expect(m.tPdu.length).toBe(1400 - 16);
    expect(m.tPdu[0]).toBe(0x45);
    expect(toHex(encodeGtpu(m))).toBe(toHex(vector));
  });

  it('round-trips every message type byte-exact', () => {
    for (const m of samples) roundTrip(m);
  });

  it('round-trips the optional PDU Session Container fields (TS 38.415 5.5.2)', () => {
    roundTrip({ type: 'G-PDU', header: { messageType: 255, teid: 3, sequenceNumber: 77, nPduNumber: 4, extensionHeaders: [{ type: 0x85, container: { pduType: 0, qfi: 63, rqi: false, ppi: 5, dlSendingTimestamp: 0x0102030405060708n, dlQfiSequenceNumber: 0xabcdef } }] }, tPdu: ipPacket });
    roundTrip({ type: 'G-PDU', header: { messageType: 255, teid: 3, extensionHeaders: [{ type: 0x85, container: { pduType: 1, qfi: 1, qmp: { dlSendingTimestampRepeated: 1n, dlReceivedTimestamp: 2n, ulSendingTimestamp: 3n }, dlDelayResult: 10, ulDelayResult: 11, ulQfiSequenceNumber: 12, n3n9DelayResult: 13, newIe: { octet: 1, d1UlPdcpDelayResult: 14 } } }, { type: 0xc0, content: Uint8Array.of(0x12, 0x34) }] }, tPdu: ipPacket });
  });

  it('keeps unmodelled extension headers verbatim (TS 29.281 5.2.1)', () => {
    const m = roundTrip({ type: 'G-PDU', header: { messageType: 255, teid: 9, extensionHeaders: [{ type: 0x84, content: Uint8Array.of(1, 2, 3, 4, 5, 6) }, { type: 0x40, content: Uint8Array.of(8, 0x68) }] }, tPdu: ipPacket });
    expect(m.header.extensionHeaders?.[0]).toEqual({ type: 0x84, content: Uint8Array.of(1, 2, 3, 4, 5, 6) });
  });

  it('rejects bad bytes with a DecodeError naming offset and field', () => {
    const bad = Uint8Array.from(vector);
    bad[0] = 0x54; // version 2
    expect(() => decodeGtpu(bad)).toThrowError(DecodeError);
    try {
      decodeGtpu(vector.subarray(0, 100));
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      const d = e as DecodeError;
      expect(d.code).toBe('BAD_LENGTH');
      expect(d.path).toBe('Header.Length');
      expect(d.offset).toBe(2);
    }
    const zeroExt = fromHex('34ff000c00000001000000850010090000');
    expect(() => decodeGtpu(zeroExt.subarray(0, 20))).toThrowError(/extension header length 0|overruns|BAD_LENGTH/);
    const missingRecovery = encodeGtpu(echoRequest(9));
    missingRecovery[1] = 2; // an Echo Response without its Recovery IE
    expect(() => decodeGtpu(missingRecovery)).toThrowError(/Recovery IE missing/);
  });

  it('zero-copy view agrees with the typed decoder on every sample and the vector', () => {
    const view = newGpduView();
    for (const m of [...samples, decodeGtpu(vector)]) {
      const bytes = encodeGtpu(m);
      const padded = new Uint8Array(bytes.length + 10);
      padded.set(bytes, 5);
      expect(readGpdu(padded, 5, bytes.length, view)).toBe(GpduStatus.OK);
      expect(view.teid).toBe(m.header.teid);
      expect(view.messageType).toBe(m.header.messageType);
      const c = pduSessionContainerOf(m.header);
      expect(view.qfi).toBe(c ? c.qfi : -1);
      expect(view.end).toBe(5 + bytes.length);
      if (m.type === 'G-PDU') expect(view.payloadOffset).toBe(5 + bytes.length - m.tPdu.length);
    }
  });

  it('zero-copy view rejects what the decoder rejects for header framing', () => {
    const view = newGpduView();
    expect(readGpdu(vector, 0, 7, view)).toBe(GpduStatus.TRUNCATED);
    expect(readGpdu(vector, 0, 1399, view)).toBe(GpduStatus.BAD_LENGTH);
    const v2 = Uint8Array.from(vector);
    v2[0] = 0x54;
    expect(readGpdu(v2, 0, v2.length, view)).toBe(GpduStatus.BAD_VERSION);
    const badExt = Uint8Array.from(vector);
    badExt[12] = 0; // extension length 0
    expect(readGpdu(badExt, 0, badExt.length, view)).toBe(GpduStatus.BAD_EXTENSION);
  });

  it('writeGpduHeaderWithQfi writes what encodeGtpu encodes', () => {
    const buf = new Uint8Array(16 + ipPacket.length);
    const n = writeGpduHeaderWithQfi(buf, 0, 0x1234, 1, 9, ipPacket.length);
    buf.set(ipPacket, n);
    expect(toHex(buf)).toBe(toHex(encodeGtpu(gPdu(0x1234, ipPacket, { pduType: 1, qfi: 9 }))));
  });

  it('dissects to JSON with the spec names', () => {
    const [d] = dissectGtpu(vector);
    expect(d.protocol).toBe('gtpu');
    expect(d.message).toBe('G-PDU');
    expect(JSON.stringify(d.fields)).toContain('"name":"PDU Session Container"');
  });

  it('fuzz: 100k mutated and random inputs end in a valid result or DecodeError', () => {
    const corpus = samples.map((m) => encodeGtpu(m)).concat([vector.subarray(0, 200)]);
    const res = fuzzDecoder(decodeGtpu, { seed: 0x6770, cases: 100_000, corpus });
    expect(res.rejected).toBeGreaterThan(10_000);
    expect(res.decoded).toBeGreaterThan(1_000);
    // The view must never read out of bounds or loop either.
    const view = newGpduView();
    const rng = new Rng(7);
    for (let i = 0; i < 20_000; i++) {
      const b = rng.bytes(rng.int(64));
      if (b.length) b[0] = 0x30 | (b[0] & 7);
      const st = readGpdu(b, 0, b.length, view);
      if (st === GpduStatus.OK) expect(view.payloadOffset).toBeLessThanOrEqual(view.end);
    }
  });
});

describe.skipIf(!tsharkAvailable())('GTP-U golden bytes checked by tshark', () => {
  it('tshark dissects every GTP-U message type with our field values and no expert warning', () => {
    const { capture, path } = tempCapture('gtpu-golden');
    const gnb = { address: '127.0.0.10', port: 2152 }, upf = { address: '127.0.0.11', port: 2152 };
    for (const m of samples) capture.udp(gnb, upf, encodeGtpu(m), `TS 29.281 ${m.type}`);
    capture.udp(gnb, upf, vector, 'shared vector gtpu_gpdu_pdusc_1400');
    capture.close();
    const frames = dissect(path);
    expect(frames).toHaveLength(samples.length + 1);
    expect(problems(frames)).toEqual([]);
    for (const f of frames) expect(f.protocols).toContain('gtp');
    expect(field(frames[0], 'gtp.teid')).toBe('0x00001234');
    expect(field(frames[0], 'gtp.ext_hdr.pdu_ses_con.pdu_type')).toBe('1');
    expect(field(frames[0], 'gtp.ext_hdr.pdu_ses_con.qos_flow_id')).toBe('9');
    expect(frames[0].protocols.slice(frames[0].protocols.indexOf('gtp'))).toEqual(['gtp', 'ip', 'udp', 'echo']); // the T-PDU is dissected as the UE's IP packet
    expect(field(frames[1], 'gtp.ext_hdr.pdu_ses_con.pdu_type')).toBe('0');
    expect(field(frames[1], 'gtp.ext_hdr.pdu_ses_cont.rqi')).toBe('1');
    expect(field(frames[1], 'gtp.ext_hdr.pdu_ses_con.qos_flow_id')).toBe('5');
    expect(field(frames[2], 'gtp.teid')).toBe('0xffffffff');
    expect(field(frames[3], 'gtp.message')).toBe('0x01');
    expect(field(frames[3], 'gtp.seq_number')).toBe('0x0001');
    expect(field(frames[4], 'gtp.message')).toBe('0x02');
    expect(field(frames[4], 'gtp.recovery')).toBe('0');
    expect(field(frames[5], 'gtp.message')).toBe('0x1a');
    expect(field(frames[5], 'gtp.teid_data')).toBe('0x0000dead');
    expect(field(frames[5], 'gtp.gsn_ipv4')).toBe('127.0.0.11');
    expect(field(frames[5], 'gtp.ext_hdr.udp_port')).toBe('2152');
    expect(field(frames[6], 'gtp.message')).toBe('0xfe');
    expect(field(frames[6], 'gtp.teid')).toBe('0x00000005');
    expect(field(frames[7], 'gtp.message')).toBe('0x1f');
    expect(frames[7].fields.get('gtp.ext_hdr_type')).toEqual(['133', '64']);
    expect(field(frames[8], 'gtp.teid')).toBe('0x00000001');
    expect(field(frames[8], 'gtp.ext_hdr.pdu_ses_con.qos_flow_id')).toBe('9');
  });
});
