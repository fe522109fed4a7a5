// The capture writes each packet's headers straight into its pcapng block, staged into large file
// writes (transport/capture/pcapng.ts, synth.ts): the file must hold exactly the blocks that the
// block-per-chunk writer makes of the packets synth.ts builds one by one; and the receive-side
// report of a datagram already written is dropped (transport/capture/recent.ts); the HTTP/2 frame
// headers it counts are found wherever the chunks cut them (codecs/http2/frame.ts).

import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Capture } from '../../transport/capture/capture.ts';
import { PcapngWriter, LinkType } from '../../transport/capture/pcapng.ts';
import { udpPacket, tcpPacket, sctpOverIpPacket, sctpDataPacket, TcpFlags, type Endpoint } from '../../transport/capture/synth.ts';
import { readCaptureFile } from '../../codecs/capture/files.ts';
import { concatBytes } from '../../codecs/bytes/concat.ts';
import { CONNECTION_PREFACE, FrameHeaderWalker, FrameType } from '../../codecs/http2/frame.ts';

const ep = (address: string, port: number): Endpoint => ({ address, port });
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'wire5g-capture-')), 'c.pcapng');
}

describe('Capture to a file', () => {
  it('writes the same bytes as a block per packet of the packets built one by one (IPv4 and IPv6, UDP, TCP, SCTP, comments, 2 MiB of packets)', () => {
    const path = tempFile();
    let t = 1_700_000_000_000_000;
    const capture = Capture.toFile(path, { nowUs: () => (t += 3), dedupeWindowMs: 0 });
    const chunks: Uint8Array[] = [];
    const reference = new PcapngWriter((c) => chunks.push(c));
    const iface = reference.addInterface(LinkType.RAW, 'wire5g-loopback');
    let u = 1_700_000_000_000_000;
    // synth.ts numbers IPv4 packets from one counter: the reference packet is built right after
    // the capture's, so it takes the next identification; each pair is compared without it
    const sent: Uint8Array[] = [];
    const expectOne = (packet: Uint8Array, comment?: string) => {
      sent.push(packet);
      reference.writePacket({ interfaceId: iface, timestampUs: (u += 3), data: packet, ...(comment ? { comment } : {}) });
    };
    for (let i = 0; i < 400; i++) {
      const comment = i % 3 ? undefined : `TS 23.502 4.2.2.2.2 step ${i}${'x'.repeat(i % 4)}`;
      const payload = bytes(i % 3 === 0 ? 24_000 + i : i, i);
      if (i % 4 === 0) {
        capture.udp(ep('127.0.0.4', 8805), ep('127.0.0.7', 8805), payload, comment);
        expectOne(udpPacket(ep('127.0.0.4', 8805), ep('127.0.0.7', 8805), payload), comment);
      } else if (i % 4 === 1) {
        capture.udp(ep('::1', 2152), ep('fe80::7', 2152), payload, comment);
        expectOne(udpPacket(ep('::1', 2152), ep('fe80::7', 2152), payload), comment);
      } else if (i % 4 === 2) {
        const seg = { seq: i * 1000, ack: 77, flags: TcpFlags.PSH | TcpFlags.ACK, payload };
        capture.tcp(ep('127.0.0.5', 40000), ep('127.0.0.12', 8080), seg, comment);
        expectOne(tcpPacket(ep('127.0.0.5', 40000), ep('127.0.0.12', 8080), seg), comment);
      } else {
        const sctp = sctpDataPacket(38412, 38412, 0x1234, [{ tsn: i, streamId: 1, streamSeq: i, ppid: 60, userData: payload.subarray(0, 1 + (i % 200)) }]);
        capture.sctp('127.0.0.100', '127.0.0.5', sctp, comment);
        expectOne(sctpOverIpPacket('127.0.0.100', '127.0.0.5', sctp), comment);
      }
    }
    capture.close();
    const written = readFileSync(path);
    const frames = [...readCaptureFile(written)];
    expect(frames.length).toBe(400);
    expect(written.length).toBeGreaterThan(2 * 2 ** 20); // more than two of the file writes of about 1 MiB
    const clearIds = (p: Uint8Array) => {
      const c = Uint8Array.from(p);
      if (c[0] >> 4 === 4) c[4] = c[5] = c[10] = c[11] = 0; // identification and the header checksum
      return c;
    };
    frames.forEach((f, i) => {
      expect(Buffer.compare(clearIds(f.data), clearIds(sent[i])), `frame ${i + 1}`).toBe(0);
      expect(f.comment).toBe(i % 3 ? undefined : `TS 23.502 4.2.2.2.2 step ${i}${'x'.repeat(i % 4)}`);
    });
    // apart from the IPv4 identifications, the file is the reference writer's output byte for byte
    const referenceBytes = concatBytes(chunks);
    expect(written.length).toBe(referenceBytes.length);
    const frameStarts: number[] = [];
    for (let at = 0; at < written.length; at += new DataView(written.buffer, written.byteOffset + at + 4, 4).getUint32(0, true)) frameStarts.push(at);
    const mask = (b: Uint8Array) => {
      const c = Uint8Array.from(b);
      for (const at of frameStarts) {
        if (new DataView(c.buffer, at, 4).getUint32(0, true) !== 6) continue;
        const data = at + 28;
        if (c[data] >> 4 === 4) c[data + 4] = c[data + 5] = c[data + 10] = c[data + 11] = 0;
      }
      return c;
    };
    expect(Buffer.compare(mask(written), mask(referenceBytes))).toBe(0);
  });

  it('writes a block larger than its staging buffer whole (a 3 MiB exported PDU), between the packets before and after it', () => {
    const path = tempFile();
    const capture = Capture.toFile(path, { nowUs: () => 1_700_000_000_000_000 });
    const big = bytes(3 * 2 ** 20, 5);
    capture.udp(ep('127.0.0.4', 8805), ep('127.0.0.7', 8805), bytes(10, 1));
    capture.exportedPdu('nas-5gs', big, 'big');
    capture.udp(ep('127.0.0.4', 8805), ep('127.0.0.7', 8805), bytes(11, 2));
    capture.close();
    const frames = [...readCaptureFile(readFileSync(path))];
    expect(frames.map((f) => f.data.length)).toEqual([38, 4 + 8 + 4 + big.length, 39]);
    expect(Buffer.compare(frames[1].data.subarray(16), big)).toBe(0);
    expect(frames[1].comment).toBe('big');
  });
});

describe('Capture to a file, the process exiting before close', () => {
  it('writes the staged blocks when the process exits (process.exit, an uncaught exception) without closing the capture', () => {
    for (const end of ['process.exit(130)', 'setImmediate(() => { throw new Error("crash"); })']) {
      const path = tempFile();
      const script = `import('./transport/capture/capture.ts').then(({ Capture }) => {
        const c = Capture.toFile(${JSON.stringify(path)});
        for (let i = 0; i < 3; i++) c.udp({ address: '127.0.0.4', port: 8805 }, { address: '127.0.0.7', port: 8805 }, new Uint8Array(10 + i));
        ${end};
      })`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: join(import.meta.dirname, '../..'), encoding: 'utf8' });
      expect(r.status, r.stderr).not.toBe(0);
      expect([...readCaptureFile(readFileSync(path))].map((f) => f.data.length), end).toEqual([38, 39, 40]);
    }
  });
});

describe('Capture: a packet whose headers fail', () => {
  it('counts no packet whose headers could not be synthesized (an IPv4 source with an IPv6 destination), and writes only the packets after it', () => {
    const chunks: Uint8Array[] = [];
    const capture = new Capture((c) => chunks.push(c), { nowUs: () => 1_700_000_000_000_000, dedupeWindowMs: 0 });
    expect(() => capture.udp(ep('127.0.0.4', 8805), ep('::1', 8805), bytes(10, 1))).toThrow(TypeError);
    expect(() => capture.tcp(ep('::1', 40000), ep('127.0.0.12', 8080), { seq: 1, ack: 0, flags: TcpFlags.SYN })).toThrow(TypeError);
    expect(capture.packets).toBe(0);
    capture.udp(ep('127.0.0.4', 8805), ep('127.0.0.7', 8805), bytes(10, 2));
    expect(capture.packets).toBe(1);
    const frames = [...readCaptureFile(concatBytes(chunks))];
    expect(frames.map((f) => f.data.length)).toEqual([38]);
  });
});

describe('Capture: the receive side of a datagram already written', () => {
  const a = ep('127.0.0.4', 8805), b = ep('127.0.0.7', 8805);

  it('is dropped within the window; a datagram of the same length with other bytes, or another flow, is not', () => {
    const capture = new Capture(() => {}, { dedupeWindowMs: 60_000 });
    const p = bytes(40, 3);
    capture.udp(a, b, p);
    capture.udp(a, b, Uint8Array.from(p).fill(9, 0, 1)); // other bytes
    capture.udp(b, a, p); // the other direction
    capture.udp(a, b, p); // the receiver's report of the first
    capture.udp(a, b, p); // sent again: a new datagram
    expect(capture.duplicatesSkipped).toBe(1);
    expect(capture.packets).toBe(4);
  });

  it('is written again once the window has passed (a retransmission), and always with the window 0', () => {
    const capture = new Capture(() => {}, { dedupeWindowMs: 1 });
    const p = bytes(40, 4);
    capture.udp(a, b, p);
    const t0 = performance.now();
    while (performance.now() - t0 <= 2) {
      // the window of 1 ms passes
    }
    capture.udp(a, b, p);
    expect(capture.duplicatesSkipped).toBe(0);
    expect(capture.packets).toBe(2);
    const off = new Capture(() => {}, { dedupeWindowMs: 0 });
    off.udp(a, b, p);
    off.udp(a, b, p);
    expect(off.packets).toBe(2);
  });

  it('forgets thousands of flows that expired and still matches a new one', () => {
    const capture = new Capture(() => {}, { dedupeWindowMs: 1 });
    for (let i = 0; i < 5000; i++) capture.udp(ep('127.0.0.4', 10000 + i), b, bytes(20, i));
    const t0 = performance.now();
    while (performance.now() - t0 <= 2) {
      // every one of them expires
    }
    const wide = new Capture(() => {}, { dedupeWindowMs: 60_000 });
    for (let i = 0; i < 5000; i++) wide.udp(ep('127.0.0.4', 10000 + i), b, bytes(20, i));
    for (let i = 0; i < 5000; i++) wide.udp(ep('127.0.0.4', 10000 + i), b, bytes(20, i));
    expect(wide.duplicatesSkipped).toBe(5000);
    capture.udp(ep('127.0.0.4', 10000), b, bytes(20, 0)); // expired: written again
    expect(capture.duplicatesSkipped).toBe(0);
    expect(capture.packets).toBe(5001);
  });
});

describe('the HTTP/2 frame headers the capture counts (FrameHeaderWalker)', () => {
  // three frames after the client preface: HEADERS on stream 1 (5 octets), DATA (70,000 octets), HEADERS on stream 3
  const frame = (type: number, streamId: number, length: number) => {
    const f = new Uint8Array(9 + length);
    f.set([length >> 16, (length >> 8) & 0xff, length & 0xff, type, 0x04, streamId >>> 24, (streamId >> 16) & 0xff, (streamId >> 8) & 0xff, streamId & 0xff]);
    return f;
  };
  const stream = concatBytes([CONNECTION_PREFACE, frame(FrameType.HEADERS, 1, 5), frame(FrameType.DATA, 1, 70_000), frame(FrameType.HEADERS, 0x7fffffff, 0)]);
  const expected = [{ type: FrameType.HEADERS, flags: 4, streamId: 1 }, { type: FrameType.DATA, flags: 4, streamId: 1 }, { type: FrameType.HEADERS, flags: 4, streamId: 0x7fffffff }];

  it('finds the same frames however the bytes are cut into chunks (a header split across chunks included)', () => {
    expect(new FrameHeaderWalker(true).push(stream)).toEqual(expected);
    const headerStarts = [CONNECTION_PREFACE.length, CONNECTION_PREFACE.length + 14, CONNECTION_PREFACE.length + 14 + 70_009];
    for (const start of headerStarts) {
      for (let cut = start; cut <= start + 9; cut++) {
        const w = new FrameHeaderWalker(true);
        expect([...w.push(stream.subarray(0, cut)), ...w.push(stream.subarray(cut))], `cut at ${cut}`).toEqual(expected);
      }
    }
    const w = new FrameHeaderWalker(true);
    const oneByOne = [];
    for (let i = 0; i < CONNECTION_PREFACE.length + 40; i++) oneByOne.push(...w.push(stream.subarray(i, i + 1)));
    oneByOne.push(...w.push(stream.subarray(CONNECTION_PREFACE.length + 40)));
    expect(oneByOne).toEqual(expected);
  });
});
