// The SCTP packet codec (codecs/sctp, RFC 4960 clause 3): every chunk of the base protocol
// round-trips, golden bytes for the common header and its CRC32c, typed decoding, exact errors,
// and 100k fuzz cases that end in a packet or a DecodeError.

import { describe, it, expect } from 'vitest';
import {
  decodeSctpPacket, encodeSctpPacket, decodeSctp, decodeChunk, dataChunk, initChunk, sackChunk, shutdownChunk, heartbeatChunk, abortChunk, errorChunk,
  emptyChunk, chunkBytes, unrecognizedAction, SctpChunkType as C, SctpErrorCause, DataFlags, InitParameter, type SctpChunk,
} from '../../codecs/sctp/index.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';
import { crc32c, sctpChecksum } from '../../codecs/bytes/checksum.ts';
import { hexVector } from '../helpers/vectors.ts';
import { fuzzDecoder } from '../helpers/fuzz.ts';

const ngap = hexVector('ngap_ngsetuprequest.hex');
const packet = (chunks: SctpChunk[], verificationTag = 0x01020304) => encodeSctpPacket({ srcPort: 38412, dstPort: 38412, verificationTag, chunks });
const decodeError = (f: () => unknown): DecodeError => {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('no DecodeError');
};

describe('SCTP packet codec (RFC 4960 3)', () => {
  it('common header golden bytes: ports, tag, CRC32c little-endian (Appendix B)', () => {
    // COOKIE ACK from 38412 to 38412, tag 0x01020304 (tshark verifies our CRC32c in tshark.test.ts)
    const b = packet([emptyChunk(C.COOKIE_ACK)]);
    expect(toHex(b.subarray(0, 8))).toBe('960c960c01020304');
    expect(toHex(b.subarray(12))).toBe('0b000004');
    const p = decodeSctpPacket(b);
    expect(p).toMatchObject({ srcPort: 38412, dstPort: 38412, verificationTag: 0x01020304, checksumValid: true });
  });

  it('round-trips every chunk type through decodeSctp, bundled in one packet', () => {
    const chunks = [
      initChunk(C.INIT, { initiateTag: 0xdeadbeef, aRwnd: 65535, outboundStreams: 16, inboundStreams: 8, initialTsn: 42, parameters: [{ type: InitParameter.SupportedAddressTypes, value: Uint8Array.of(0, 5) }] }),
      initChunk(C.INIT_ACK, { initiateTag: 7, aRwnd: 1 << 20, outboundStreams: 8, inboundStreams: 16, initialTsn: 0xffffffff, parameters: [{ type: InitParameter.StateCookie, value: Uint8Array.of(9, 9, 9) }] }),
      { type: C.COOKIE_ECHO, flags: 0, value: Uint8Array.of(9, 9, 9) },
      emptyChunk(C.COOKIE_ACK),
      dataChunk({ flags: DataFlags.B | DataFlags.E, tsn: 0xfffffffe, streamId: 3, streamSeq: 7, ppid: 60, userData: ngap }),
      sackChunk({ cumulativeTsnAck: 10, aRwnd: 1000, gapBlocks: [{ start: 2, end: 3 }, { start: 5, end: 5 }], duplicateTsns: [9, 8] }),
      heartbeatChunk(C.HEARTBEAT, Uint8Array.of(1, 2, 3)),
      heartbeatChunk(C.HEARTBEAT_ACK, Uint8Array.of(1, 2, 3)),
      abortChunk([{ code: SctpErrorCause.UserInitiatedAbort, info: Uint8Array.of(0x62, 0x79, 0x65) }]),
      shutdownChunk(0x12345678),
      emptyChunk(C.SHUTDOWN_ACK),
      errorChunk([{ code: SctpErrorCause.InvalidStreamIdentifier, info: Uint8Array.of(0, 20, 0, 0) }, { code: SctpErrorCause.StaleCookie, info: Uint8Array.of(0, 0, 3, 232) }]),
      emptyChunk(C.SHUTDOWN_COMPLETE, 1),
      { type: 0xcf, flags: 0x55, value: Uint8Array.of(1) },
    ];
    const p = decodeSctp(packet(chunks));
    expect(p.checksumValid).toBe(true);
    expect(p.chunks.map((c) => c.kind)).toEqual(['Init', 'InitAck', 'CookieEcho', 'CookieAck', 'Data', 'Sack', 'Heartbeat', 'HeartbeatAck', 'Abort', 'Shutdown', 'ShutdownAck', 'Error', 'ShutdownComplete', 'Unrecognized']);
    expect(p.chunks[0]).toEqual({ kind: 'Init', initiateTag: 0xdeadbeef, aRwnd: 65535, outboundStreams: 16, inboundStreams: 8, initialTsn: 42, parameters: [{ type: 12, value: Uint8Array.of(0, 5) }] });
    expect(p.chunks[1]).toMatchObject({ kind: 'InitAck', initialTsn: 0xffffffff, stateCookie: Uint8Array.of(9, 9, 9) });
    expect(p.chunks[2]).toEqual({ kind: 'CookieEcho', stateCookie: Uint8Array.of(9, 9, 9) });
    expect(p.chunks[4]).toEqual({ kind: 'Data', flags: 3, tsn: 0xfffffffe, streamId: 3, streamSeq: 7, ppid: 60, userData: ngap });
    expect(p.chunks[5]).toEqual({ kind: 'Sack', cumulativeTsnAck: 10, aRwnd: 1000, gapBlocks: [{ start: 2, end: 3 }, { start: 5, end: 5 }], duplicateTsns: [9, 8] });
    expect(p.chunks[6]).toEqual({ kind: 'Heartbeat', heartbeatInfo: Uint8Array.of(1, 2, 3) });
    expect(p.chunks[8]).toEqual({ kind: 'Abort', tBit: false, causes: [{ code: 12, info: Uint8Array.of(0x62, 0x79, 0x65) }] });
    expect(p.chunks[9]).toEqual({ kind: 'Shutdown', cumulativeTsnAck: 0x12345678 });
    expect(p.chunks[11]).toEqual({ kind: 'Error', causes: [{ code: 1, info: Uint8Array.of(0, 20, 0, 0) }, { code: 3, info: Uint8Array.of(0, 0, 3, 232) }] });
    expect(p.chunks[12]).toEqual({ kind: 'ShutdownComplete', tBit: true, causes: [] });
    expect(p.chunks[13]).toEqual({ kind: 'Unrecognized', type: 0xcf, flags: 0x55, value: Uint8Array.of(1), action: 'SkipAndReport' });
  });

  it('DATA golden bytes (3.3.1): flags, length without padding, PPID 60, zero padding', () => {
    const c = dataChunk({ flags: DataFlags.B | DataFlags.E, tsn: 1, streamId: 0, streamSeq: 0, ppid: 60, userData: Uint8Array.of(0xaa) });
    expect(toHex(chunkBytes(c))).toBe('00030011' + '00000001' + '0000' + '0000' + '0000003c' + 'aa000000');
    const b = packet([c]);
    expect(b.length).toBe(12 + 20);
    expect(decodeSctpPacket(b).chunks[0].value.length).toBe(13);
  });

  it('a bad checksum is reported, not thrown (6.8: the receiver discards it)', () => {
    const b = packet([emptyChunk(C.COOKIE_ACK)]);
    b[8] ^= 1;
    expect(decodeSctpPacket(b).checksumValid).toBe(false);
  });

  it('the unrecognized-type action is read from the two upper bits (3.2, 3.2.1)', () => {
    expect([0x0f, 0x4f, 0x8f, 0xcf].map((t) => unrecognizedAction(t))).toEqual(['Stop', 'StopAndReport', 'Skip', 'SkipAndReport']);
    expect([0x0001, 0x4001, 0x8000, 0xc000].map((t) => unrecognizedAction(t, 16))).toEqual(['Stop', 'StopAndReport', 'Skip', 'SkipAndReport']);
  });

  it('errors carry a stable code and path', () => {
    expect(decodeError(() => decodeSctpPacket(fromHex('960c960c0102'))).code).toBe('TRUNCATED');
    const short = packet([emptyChunk(C.COOKIE_ACK)]);
    short[15] = 2; // chunk length 2 < 4
    expect(decodeError(() => decodeSctpPacket(short))).toMatchObject({ code: 'BAD_LENGTH', offset: 14 });
    const long = packet([emptyChunk(C.COOKIE_ACK)]);
    long[15] = 40; // claims more than the packet holds
    expect(decodeError(() => decodeSctpPacket(long))).toMatchObject({ code: 'TRUNCATED', path: 'Chunk[0].Value' });
    const noData = { type: C.DATA, flags: 3, value: new Uint8Array(12) };
    expect(decodeError(() => decodeChunk(noData)).code).toBe('BAD_LENGTH');
    expect(decodeError(() => decodeChunk({ type: C.SHUTDOWN, flags: 0, value: new Uint8Array(8) })).code).toBe('TRAILING_BYTES');
    expect(decodeError(() => decodeChunk({ type: C.COOKIE_ACK, flags: 0, value: new Uint8Array(4) })).code).toBe('TRAILING_BYTES');
    expect(decodeError(() => decodeChunk({ type: C.HEARTBEAT, flags: 0, value: Uint8Array.of(0, 2, 0, 4) })).code).toBe('BAD_VALUE');
    expect(decodeError(() => decodeChunk({ type: C.SACK, flags: 0, value: Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 1, 0, 5, 0, 0) })).code).toBe('TRUNCATED');
    expect(decodeError(() => decodeChunk({ type: C.INIT, flags: 0, value: new Uint8Array(18) })).code).toBe('TRAILING_BYTES');
  });

  it('fuzz: 100k mutated packets end in a decoded packet or a DecodeError', () => {
    const corpus = [
      packet([dataChunk({ flags: 3, tsn: 1, streamId: 0, streamSeq: 0, ppid: 60, userData: ngap })]),
      packet([sackChunk({ cumulativeTsnAck: 5, aRwnd: 9, gapBlocks: [{ start: 2, end: 4 }], duplicateTsns: [3] }), dataChunk({ flags: 2, tsn: 9, streamId: 1, streamSeq: 2, ppid: 60, userData: ngap.subarray(0, 20) })]),
      packet([initChunk(C.INIT_ACK, { initiateTag: 1, aRwnd: 2, outboundStreams: 3, inboundStreams: 4, initialTsn: 5, parameters: [{ type: 7, value: new Uint8Array(64) }, { type: 0xc000, value: new Uint8Array(0) }] })], 0),
      packet([abortChunk([{ code: 12, info: Uint8Array.of(1, 2, 3) }]), errorChunk([{ code: 6, info: chunkBytes({ type: 0x4f, flags: 0, value: Uint8Array.of(1) }) }]), heartbeatChunk(C.HEARTBEAT, new Uint8Array(8)), shutdownChunk(4)]),
    ];
    const r = fuzzDecoder((b) => decodeSctp(b), { seed: 0x5c7b, cases: 100_000, corpus });
    expect(r.decoded).toBeGreaterThan(1000);
    expect(r.rejected).toBeGreaterThan(1000);
  });

  it('CRC32c gives the RFC 3720 B.4 values and the check value of "123456789" (every length, slicing-by-8 and octet by octet)', () => {
    const ramp = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(ramp)).toBe(0x46dd794e);
    expect(crc32c(ramp.slice().reverse())).toBe(0x113fdb5c);
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    // every length 0..40 and offset 0..8 against the definition, one bit at a time
    const bitwise = (d: Uint8Array) => {
      let c = 0xffffffff;
      for (const x of d) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    const data = Uint8Array.from({ length: 48 }, (_, i) => (i * 37 + 11) & 0xff);
    for (let from = 0; from <= 8; from++) for (let n = 0; from + n <= 48; n++) expect(crc32c(data, from, from + n)).toBe(bitwise(data.subarray(from, from + n)));
  });

  it('the checksum of a received packet is computed with its field as zeros, without writing into the packet', () => {
    const b = packet([dataChunk({ flags: 3, tsn: 7, streamId: 1, streamSeq: 0, ppid: 60, userData: ngap })]);
    const before = b.slice();
    const zeroed = b.slice();
    zeroed.fill(0, 8, 12);
    expect(sctpChecksum(b)).toBe(crc32c(zeroed));
    expect(b).toEqual(before);
    expect(decodeSctpPacket(b).checksumValid).toBe(true);
    b[20] ^= 1;
    expect(decodeSctpPacket(b).checksumValid).toBe(false);
  });
});
