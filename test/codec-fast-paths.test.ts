// The in-place fast paths of the GTP-U and PFCP codecs (issue 22) against the field-by-field
// codecs they stand in front of: on fuzzed input both must give the same value or the same
// DecodeError (code, offset, path, reason, IE), and encoding the same octets or the same
// EncodeError. The judge is the checked path, which the earlier tests (tshark, the shared
// vectors from go-pfcp, erGW, VPP and scapy) hold to the specs.

import { describe, it, expect } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { Rng, mutate } from './helpers/fuzz.ts';
import { hexVector, messageVectors } from './helpers/vectors.ts';
import { fromHex, toHex } from '../codecs/bytes/hex.ts';
import { ByteWriter } from '../codecs/bytes/writer.ts';
import { EncodeError } from '../codecs/bytes/errors.ts';
import * as G from '../codecs/gtpu/index.ts';
import * as P from '../codecs/pfcp/index.ts';

type Outcome = { value: unknown; buffer: boolean } | { error: string; details: unknown };
function outcome(f: () => unknown): Outcome {
  try {
    const value = f();
    return { value, buffer: Buffer.isBuffer(value) };
  } catch (e) {
    const x = e as Error & { toJSON?: () => unknown };
    return { error: `${x.name}: ${x.message}`, details: x.toJSON?.() };
  }
}

function compare(label: string, input: Uint8Array, a: Outcome, b: Outcome, diffs: string[]): void {
  if (!isDeepStrictEqual(a, b) && diffs.length < 5) diffs.push(`${label} ${toHex(input)}`);
}

const ip = Uint8Array.of(0x45, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8);
const gtpuCorpus = [
  hexVector('gtpu_gpdu_pdusc_1400.hex').subarray(0, 64),
  G.encodeGtpu(G.gPdu(7, ip, { pduType: 0, qfi: 5, rqi: true })),
  G.encodeGtpu(G.gPdu(7, ip)),
  G.encodeGtpu({ type: 'G-PDU', header: { messageType: 255, teid: 3, sequenceNumber: 77, nPduNumber: 4, extensionHeaders: [{ type: 0x85, container: { pduType: 0, qfi: 63, rqi: false, ppi: 5, dlSendingTimestamp: 0x0102030405060708n, dlQfiSequenceNumber: 0xabcdef, dlMbsQfiSequenceNumber: 77 } }] }, tPdu: ip }),
  G.encodeGtpu({ type: 'G-PDU', header: { messageType: 255, teid: 3, extensionHeaders: [{ type: 0x85, container: { pduType: 1, qfi: 1, qmp: { dlSendingTimestampRepeated: 1n, dlReceivedTimestamp: 2n << 40n, ulSendingTimestamp: 3n }, dlDelayResult: 10, ulDelayResult: 11, ulQfiSequenceNumber: 12, n3n9DelayResult: 13, newIe: { octet: 1, d1UlPdcpDelayResult: 14 } } }, { type: 0xc0, content: Uint8Array.of(0x12, 0x34) }] }, tPdu: ip }),
  G.encodeGtpu(G.echoRequest(5)),
  G.encodeGtpu(G.errorIndication(2, 0xdead, Uint8Array.of(127, 0, 0, 11), 2152)),
];

describe('GTP-U: in-place G-PDU read and write agree with the checked codec', () => {
  it('decodeGtpu = decodeGtpuChecked, writeGtpu = writeGtpuChecked on 60k fuzzed and perturbed messages', () => {
    const rng = new Rng(0x22a);
    const diffs: string[] = [];
    let decoded = 0;
    for (let i = 0; i < 60_000; i++) {
      let input = mutate(rng, rng.pick(gtpuCorpus));
      if (rng.int(3) === 0) input = Buffer.from(input); // node:dgram hands Buffers
      const checked = outcome(() => G.decodeGtpuChecked(input));
      compare('decode', input, checked, outcome(() => G.decodeGtpu(input)), diffs);
      if (!('value' in checked)) continue;
      decoded++;
      const m = checked.value as G.GtpuMessage;
      if (m.type === 'G-PDU' && rng.int(2) === 0) {
        // values the fast writer must hand over to the checked one: QFI out of range, odd
        // padding, a foreign message type in the header, extension headers of any size
        const c = G.pduSessionContainerOf(m.header);
        if (c) c.qfi = rng.pick([0, 63, 64, -1, 9]);
        if (c && rng.int(5) === 0) c.padding = rng.bytes(rng.int(6));
        if (rng.int(4) === 0) m.header.messageType = rng.int(256);
        if (rng.int(4) === 0) m.header.sequenceNumber = rng.int(70_000);
        if (rng.int(5) === 0) (m.header.extensionHeaders ??= []).push({ type: 0x40, content: rng.bytes(rng.int(7)) });
      }
      const size = rng.int(3) === 0 ? rng.int(80) : 2000;
      const offset = rng.int(8);
      const a = new Uint8Array(size);
      const b = new Uint8Array(size);
      compare('write', input, outcome(() => [G.writeGtpuChecked(m, a, offset), toHex(a)]), outcome(() => [G.writeGtpu(m, b, offset), toHex(b)]), diffs);
    }
    expect(diffs).toEqual([]);
    expect(decoded).toBeGreaterThan(5_000); // the comparison saw real messages, not only errors
  });
});

describe('PFCP: in-place header read agrees with the checked decoder', () => {
  it('decodePfcp = decodePfcpChecked on 60k fuzzed messages, with and without the mandatory-IE check', () => {
    const corpus = [
      hexVector('pfcp_sessionestablishmentrequest.hex'),
      hexVector('pfcp_sessiondeletionrequest.hex'),
      hexVector('pfcp_sessiondeletionresponse.hex'),
      P.encodePfcp(P.heartbeatRequest(5, 123_456)),
      P.encodePfcp({ type: P.PfcpMessageType.SessionDeletionRequest, seid: 0xfffffffffffffffen, sequenceNumber: 0xabcdef, priority: 7, followOn: true, ies: [] }),
      ...['pfcp.session_establishment_request.ergw', 'pfcp.session_establishment_response.vpp_upf'].map((id) => fromHex(messageVectors(id)[0].hex)),
    ];
    const rng = new Rng(0x22b);
    const diffs: string[] = [];
    let decoded = 0;
    for (let i = 0; i < 60_000; i++) {
      const input = mutate(rng, rng.pick(corpus));
      const opts = { checkMandatory: rng.int(4) !== 0 };
      const checked = outcome(() => P.decodePfcpChecked(input, opts));
      if ('value' in checked) decoded++;
      compare('decode', input, checked, outcome(() => P.decodePfcp(input, opts)), diffs);
    }
    expect(diffs).toEqual([]);
    expect(decoded).toBeGreaterThan(5_000);
  });

  it('writes the SEID modulo 2^64 whatever its size or sign, as the ByteWriter did', () => {
    const hdr = (seid: bigint) => toHex(P.encodePfcp({ type: P.PfcpMessageType.SessionDeletionRequest, seid, sequenceNumber: 1, ies: [] })).slice(8, 24);
    expect(hdr(1n)).toBe('0000000000000001');
    expect(hdr(0xffffffffn)).toBe('00000000ffffffff');
    expect(hdr(0x100000000n)).toBe('0000000100000000');
    expect(hdr(0xfedcba9876543210n)).toBe('fedcba9876543210');
    expect(hdr(-1n)).toBe('ffffffffffffffff');
    expect(hdr((1n << 64n) + 5n)).toBe('0000000000000005');
  });

  it('a SEID given as a number writes the octets of the same bigint; a number that is no SEID is an EncodeError', () => {
    const w = new ByteWriter(64);
    const hdr = (seid: bigint | number) => {
      w.pos = 0;
      P.writePfcp(w, { type: P.PfcpMessageType.SessionDeletionRequest, seid, sequenceNumber: 1, ies: [] });
      return toHex(w.buf.subarray(8, 16));
    };
    const rng = new Rng(53);
    const samples = [0, 1, 0xffffffff, 0x100000000, 0x1fffffffffffff, 2 ** 40 + 3, ...Array.from({ length: 2000 }, () => rng.int(2 ** 21) * 2 ** 32 + rng.int(2 ** 32))];
    for (const n of samples) expect(hdr(n), `SEID ${n}`).toBe(hdr(BigInt(n)));
    // decoding gives the bigint back, exact
    w.pos = 0;
    P.writePfcp(w, { type: P.PfcpMessageType.SessionDeletionRequest, seid: 0x1fffffffffffff, sequenceNumber: 1, ies: [] });
    expect(P.decodePfcp(w.buf.slice(0, w.pos)).seid).toBe(0x1fffffffffffffn);
    for (const bad of [-1, 0.5, 2 ** 53, NaN, Infinity]) expect(() => hdr(bad), `SEID ${bad}`).toThrow(EncodeError);
    expect(() => hdr(2 ** 53)).toThrow(/Header\.SEID/);
  });

  it('writePfcp leaves the writer after the message and returns its size; encodePfcp is its view', () => {
    const w = new ByteWriter(64);
    w.pos = 3;
    const m = P.sessionDeletionRequest(9, 0x1234n);
    expect(P.writePfcp(w, m)).toBe(16);
    expect(w.pos).toBe(19);
    expect(toHex(w.buf.subarray(3, 19))).toBe(toHex(P.encodePfcp(m)));
    expect(toHex(P.encodePfcp(m))).toBe('213600' + '0c' + '0000000000001234' + '000009' + '00');
  });
});

describe('PFCP: messages encoded without a writer share 8 KB slabs', () => {
  it('gives views that never overlap, keep their octets while later messages are encoded, and survive a slab change', () => {
    const kept: [Uint8Array, string][] = [];
    for (let i = 0; i < 2_000; i++) {
      const m = i % 7 === 0 ? P.sessionEstablishmentRequest(i, { nodeId: { type: 'ipv4', value: '10.0.0.1' }, cpSeid: BigInt(i), cpAddress: '10.0.0.1', ueAddress: '10.45.0.2', qfi: 9, accessInstance: 'access', coreInstance: 'internet', ambrUlKbps: 1000, ambrDlKbps: 2000 }) : P.sessionDeletionRequest(i, BigInt(i) << 20n);
      const bytes = P.encodePfcp(m);
      kept.push([bytes, toHex(bytes)]);
    }
    for (const [bytes, hex] of kept) expect(toHex(bytes)).toBe(hex);
    const ranges = kept.map(([b]) => [b.buffer, b.byteOffset, b.byteOffset + b.length] as const);
    expect(new Set(ranges.map((r) => r[0])).size).toBeGreaterThan(1); // several slabs were used
    for (let i = 1; i < ranges.length; i++) if (ranges[i][0] === ranges[i - 1][0]) expect(ranges[i][1]).toBeGreaterThanOrEqual(ranges[i - 1][2]);
    expect(P.decodePfcp(kept[700][0]).sequenceNumber).toBe(700);
  });
});
