// The reused-header G-PDU API (codecs/gtpu/g-pdu-into.ts, issue 22): the same values, octets and
// errors as the message API (decodeGtpu / encodeGtpu), whose octets tshark judges in
// gtpu.test.ts (the shared 1400-octet vector, the G-PDU samples). Here the comparison is with
// that codec, on the vector and on 20,000 fuzzed inputs.

import { describe, it, expect } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import * as G from '../../codecs/gtpu/index.ts';
import { DecodeError, EncodeError } from '../../codecs/bytes/errors.ts';
import { toHex } from '../../codecs/bytes/hex.ts';
import { hexVector } from '../helpers/vectors.ts';
import { Rng, mutate } from '../helpers/fuzz.ts';

const vector = hexVector('gtpu_gpdu_pdusc_1400.hex');
const ip = Uint8Array.of(0x45, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8);
const samples: G.GPdu[] = [
  G.gPdu(0x1234, ip, { pduType: 1, qfi: 9 }) as G.GPdu,
  G.gPdu(7, ip, { pduType: 0, qfi: 5, rqi: true }) as G.GPdu,
  G.gPdu(0xffffffff, ip) as G.GPdu,
  { type: 'G-PDU', header: { messageType: 255, teid: 3, sequenceNumber: 77, nPduNumber: 4, extensionHeaders: [{ type: 0x85, container: { pduType: 0, qfi: 63, rqi: false, ppi: 5, dlQfiSequenceNumber: 0xabcdef } }] }, tPdu: ip },
  { type: 'G-PDU', header: { messageType: 255, teid: 9, extensionHeaders: [{ type: 0x85, container: { pduType: 1, qfi: 1, ulDelayResult: 11 } }, { type: 0xc0, content: Uint8Array.of(0x12, 0x34) }] }, tPdu: ip },
];

/** The frame's header as a plain GtpuHeader (the fields decodeGtpu gives). */
function headerOf(h: G.GpduFrame): G.GtpuHeader {
  const out: G.GtpuHeader = { messageType: h.messageType, teid: h.teid };
  if (h.sequenceNumber !== undefined) out.sequenceNumber = h.sequenceNumber;
  if (h.nPduNumber !== undefined) out.nPduNumber = h.nPduNumber;
  if (h.extensionHeaders !== undefined) out.extensionHeaders = h.extensionHeaders;
  return out;
}

function into(b: Uint8Array, h: G.GpduFrame, offset?: number, length?: number): unknown {
  try {
    G.decodeGpduInto(b, h, offset, length);
    return { header: headerOf(h), tPdu: toHex(G.tPduOf(b, h)) };
  } catch (e) {
    return e instanceof DecodeError ? { error: e.toJSON() } : { thrown: String(e) };
  }
}

function viaMessage(b: Uint8Array, shift: number): unknown {
  try {
    const m = G.decodeGtpu(b);
    if (m.type !== 'G-PDU') return { error: { protocol: 'gtpu', code: 'UNKNOWN_TYPE', offset: shift + 1, path: 'Header.MessageType', reason: `message type ${m.header.messageType} (${m.type}) is not a G-PDU` } };
    return { header: m.header, tPdu: toHex(m.tPdu) };
  } catch (e) {
    if (!(e instanceof DecodeError)) return { thrown: String(e) };
    return { error: { ...e.toJSON(), offset: e.offset + shift } };
  }
}

describe('GTP-U G-PDU into a reused header (TS 29.281 5.1, TS 38.415 5.5.2)', () => {
  it('decodes the 1400-octet vector in place: TEID 1, UL QFI 9, the T-PDU as offset 16 and length 1384', () => {
    const h = new G.GpduFrame();
    G.decodeGpduInto(vector, h);
    expect([h.messageType, h.teid, h.sequenceNumber, h.nPduNumber, h.tPduOffset, h.tPduLength]).toEqual([255, 1, undefined, undefined, 16, vector.length - 16]);
    expect(G.pduSessionContainerOf(h)).toEqual({ pduType: 1, qfi: 9 });
    const m = G.decodeGtpu(vector) as G.GPdu;
    expect(headerOf(h)).toEqual(m.header);
    expect(toHex(G.tPduOf(vector, h))).toBe(toHex(m.tPdu));
  });

  it('writeGpduFrom and writeGpduHeader give the octets of encodeGtpu, copied or around a T-PDU in place', () => {
    const h = new G.GpduFrame();
    G.decodeGpduInto(vector, h);
    const out = new Uint8Array(vector.length + 8);
    expect(G.writeGpduFrom(h, G.tPduOf(vector, h), out, 3)).toBe(3 + vector.length);
    expect(toHex(out.subarray(3, 3 + vector.length))).toBe(toHex(vector));
    const zero = new Uint8Array(vector.length);
    zero.set(G.tPduOf(vector, h), 16);
    expect(G.writeGpduHeader(h, h.tPduLength, zero, 0)).toBe(vector.length);
    expect(toHex(zero)).toBe(toHex(vector));
    for (const m of samples) {
      const want = G.encodeGtpu(m);
      const a = new Uint8Array(want.length);
      expect(G.writeGpduFrom(m.header, m.tPdu, a)).toBe(want.length);
      expect(toHex(a)).toBe(toHex(want));
      const b = new Uint8Array(want.length);
      b.set(m.tPdu, want.length - m.tPdu.length);
      expect(G.writeGpduHeader(m.header, m.tPdu.length, b)).toBe(want.length);
      expect(toHex(b)).toBe(toHex(want));
      // and back, through one reused frame
      const f = new G.GpduFrame();
      G.decodeGpduInto(want, f);
      expect(headerOf(f)).toEqual(m.header);
      expect(toHex(G.tPduOf(want, f))).toBe(toHex(m.tPdu));
    }
  });

  it('a reused frame takes each G-PDU as it comes: UL, then DL with RQI, then no extension header', () => {
    const h = new G.GpduFrame();
    for (const m of [samples[0], samples[1], samples[2], samples[3], samples[0]]) {
      G.decodeGpduInto(G.encodeGtpu(m), h);
      expect(headerOf(h)).toEqual(m.header);
    }
  });

  it('faults are DecodeErrors with the offset in the whole buffer and the field path; bad headers EncodeErrors', () => {
    const h = new G.GpduFrame();
    const echo = G.encodeGtpu(G.echoRequest(5));
    expect(() => G.decodeGpduInto(echo, h)).toThrow(DecodeError);
    expect(into(echo, h)).toMatchObject({ error: { code: 'UNKNOWN_TYPE', offset: 1, path: 'Header.MessageType' } });
    const padded = new Uint8Array(40);
    padded.set(vector.subarray(0, 12), 10); // Length says 1392, 18 octets follow
    expect(into(padded, h, 10, 30)).toMatchObject({ error: { code: 'BAD_LENGTH', offset: 12 } });
    expect(into(vector, h, 5, vector.length)).toMatchObject({ error: { code: 'TRUNCATED' } });
    const tooSmall = new Uint8Array(vector.length - 1);
    expect(() => G.writeGpduFrom(samples[0].header, G.tPduOf(vector, (G.decodeGpduInto(vector, h), h)), tooSmall)).toThrow(EncodeError);
    expect(() => G.writeGpduFrom({ messageType: 255, teid: 1, extensionHeaders: [{ type: 0x85, container: { pduType: 1, qfi: 64 } }] }, ip, new Uint8Array(64))).toThrow(EncodeError);
    expect(() => G.writeGpduHeader(samples[0].header, 100, new Uint8Array(64))).toThrow(EncodeError);
  });

  it('decodeGpduInto = decodeGtpu on 20,000 fuzzed inputs, at offset 0 and inside a larger buffer', () => {
    const corpus = [vector.subarray(0, 64), ...samples.map((m) => G.encodeGtpu(m)), G.encodeGtpu(G.echoRequest(5))];
    const rng = new Rng(0x22b);
    const h = new G.GpduFrame();
    const diffs: string[] = [];
    let decoded = 0;
    for (let i = 0; i < 20_000; i++) {
      const input = mutate(rng, rng.pick(corpus));
      const shift = rng.int(2) === 0 ? 0 : 1 + rng.int(6);
      const outer = new Uint8Array(shift + input.length + rng.int(3));
      outer.set(input, shift);
      const want = viaMessage(input, shift);
      const got = shift === 0 ? into(input, h) : into(outer, h, shift, input.length);
      // tPduOf of the outer buffer is the same octets; the offsets themselves are the outer's
      if (!isDeepStrictEqual(got, want) && diffs.length < 5) diffs.push(`${shift} ${toHex(input)} ${JSON.stringify(got, (_, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? toHex(v) : v))}`);
      if (!('error' in (want as object))) decoded++;
    }
    expect(diffs).toEqual([]);
    expect(decoded).toBeGreaterThan(2_000);
  });
});
