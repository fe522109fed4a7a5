// Capture files read as a stream (transport/capture/read-stream.ts) and merged from streams
// (merge-files.ts, `wire5g capture merge`): the reader yields exactly readCaptureFile's frames for
// every kind of file it reads (pcap in both byte orders, micro- and nanosecond; pcapng from Capture,
// big-endian sections, if_tsresol, several sections, Simple and obsolete Packet blocks, blocks that
// are not frames) with chunks of 7 and 64 bytes so that every block straddles reads and the buffer
// grows; a truncated or corrupt file fails naming the file and the offset; the streamed merge of
// files in time order is byte for byte what mergeCaptures writes; an input out of time order is
// merged as mergeCaptures merges it; a failed merge leaves the output as it was.

import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaptureFile, type CaptureFrame } from '../../codecs/capture/files.ts';
import { concatBytes } from '../../codecs/bytes/concat.ts';
import { Capture } from '../../transport/capture/capture.ts';
import { FileSink, LinkType, PcapngWriter } from '../../transport/capture/pcapng.ts';
import { mergeCaptures } from '../../transport/capture/merge.ts';
import { mergeCaptureFiles } from '../../transport/capture/merge-files.ts';
import { CaptureFileError, readCaptureStream } from '../../transport/capture/read-stream.ts';
import { udpPacket } from '../../transport/capture/synth.ts';
import { tsharkAvailable } from '../helpers/tshark.ts';
import { wire5g } from '../helpers/wire5g.ts';

const dir = mkdtempSync(join(tmpdir(), 'wire5g-capture-stream-'));
const file = (name: string, bytes: Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
const a = { address: '127.0.141.1', port: 9899 };
const b = { address: '127.0.141.2', port: 9899 };
const ip = (n: number, size = 3) => udpPacket(a, b, Uint8Array.from({ length: size }, (_, i) => (n + i) & 0xff));

function classicPcap(frames: Uint8Array[], le: boolean, nanos: boolean): Uint8Array {
  const head = new DataView(new ArrayBuffer(24));
  head.setUint32(0, nanos ? 0xa1b23c4d : 0xa1b2c3d4, le);
  head.setUint16(4, 2, le);
  head.setUint16(6, 4, le);
  head.setUint32(16, 65535, le);
  head.setUint32(20, LinkType.RAW, le);
  const recs = frames.map((f, i) => {
    const r = new DataView(new ArrayBuffer(16));
    r.setUint32(0, 1_700_000_000 + i, le);
    r.setUint32(4, 123_456_789 % (nanos ? 1e9 : 1e6), le);
    r.setUint32(8, f.length, le);
    r.setUint32(12, f.length, le);
    return concatBytes([new Uint8Array(r.buffer), f]);
  });
  return concatBytes([new Uint8Array(head.buffer), ...recs]);
}

/** One pcapng block (type, body padded to 32 bits) in the given byte order. */
function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = new Uint8Array((body.length + 3) & ~3);
  padded.set(body);
  const len = 12 + padded.length;
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, le);
  dv.setUint32(4, len, le);
  out.set(padded, 8);
  dv.setUint32(len - 4, len, le);
  return out;
}
const u = (bytes: number, v: number, le: boolean) => {
  const dv = new DataView(new ArrayBuffer(bytes));
  if (bytes === 2) dv.setUint16(0, v, le);
  else dv.setUint32(0, v, le);
  return new Uint8Array(dv.buffer);
};
const shb = (le: boolean) => block(0x0a0d0d0a, concatBytes([u(4, 0x1a2b3c4d, le), u(2, 1, le), u(2, 0, le), new Uint8Array(8).fill(0xff)]), le);
/** An Interface Description Block with if_tsresol (option 9) `tsresol` when given. */
const idb = (le: boolean, tsresol?: number) =>
  block(1, concatBytes([u(2, LinkType.RAW, le), u(2, 0, le), u(4, 65535, le), ...(tsresol === undefined ? [] : [u(2, 9, le), u(2, 1, le), Uint8Array.of(tsresol, 0, 0, 0), u(4, 0, le)])]), le);
const epb = (le: boolean, ts: number, data: Uint8Array, type = 6) =>
  block(type, concatBytes([type === 6 ? u(4, 0, le) : concatBytes([u(2, 0, le), u(2, 0, le)]), u(4, Math.floor(ts / 2 ** 32), le), u(4, ts % 2 ** 32, le), u(4, data.length, le), u(4, data.length, le), data, new Uint8Array((4 - (data.length % 4)) % 4)]), le);
const spb = (le: boolean, data: Uint8Array) => block(3, concatBytes([u(4, data.length, le), data]), le);

function captureFile(name: string, write: (c: Capture) => void): string {
  const path = join(dir, name);
  const c = Capture.toFile(path);
  write(c);
  c.close();
  return path;
}

const fixtures: [string, string][] = [
  ['pcap little-endian µs', file('le.pcap', classicPcap([ip(1), ip(2, 300), ip(3)], true, false))],
  ['pcap big-endian µs', file('be.pcap', classicPcap([ip(1), ip(2, 300), ip(3)], false, false))],
  ['pcap little-endian ns', file('le-ns.pcap', classicPcap([ip(1), ip(2, 5)], true, true))],
  ['pcap big-endian ns', file('be-ns.pcap', classicPcap([ip(1), ip(2, 5)], false, true))],
  ['pcap without records', file('empty.pcap', classicPcap([], true, false))],
  [
    'pcapng from Capture, with comments and a frame larger than any chunk',
    captureFile('capture.pcapng', (c) => {
      c.udp(a, b, Uint8Array.of(1, 2, 3), 'TS 23.502 4.2.2.2.2 step 1', 1_700_000_000_000_000);
      c.udp(b, a, new Uint8Array(2000).fill(7), undefined, 1_700_000_000_000_100);
      c.udp(a, b, Uint8Array.of(4), 'step 3', 1_700_000_000_000_200);
    }),
  ],
  [
    'pcapng: a big-endian section with ns and 2^-20 resolutions, then a little-endian one; Simple, obsolete and Name Resolution blocks',
    file(
      'sections.pcapng',
      concatBytes([
        shb(false),
        idb(false, 9),
        idb(false, 0x80 | 20),
        epb(false, 123_456_789_012_345, ip(5)),
        block(4, new Uint8Array(4), false), // Name Resolution: not a frame
        spb(false, ip(6, 10)),
        shb(true),
        idb(true),
        epb(true, 1_700_000_001_000_001, ip(7)),
        epb(true, 1_700_000_001_000_002, ip(8), 2),
      ]),
    ),
  ],
];

const strip = (f: CaptureFrame) => ({ ...f, data: Array.from(f.data) });

describe('reading a capture file as a stream', () => {
  for (const [name, path] of fixtures) {
    it(`yields readCaptureFile's frames: ${name}`, () => {
      const whole = [...readCaptureFile(new Uint8Array(readFileSync(path)))].map(strip);
      for (const chunk of [7, 64, 1 << 20]) expect([...readCaptureStream(path, chunk)].map(strip), `chunk ${chunk}`).toEqual(whole);
    });
  }

  it('fails on a truncated or corrupt file naming it and the offset of the broken block', () => {
    const good = new Uint8Array(readFileSync(fixtures[5][1]));
    const truncated = file('truncated.pcapng', good.subarray(0, good.length - 10));
    const frames = [...readCaptureFile(good)];
    expect(() => [...readCaptureStream(truncated, 64)]).toThrow(CaptureFileError);
    let e: CaptureFileError | undefined;
    let got = 0;
    try {
      for (const _ of readCaptureStream(truncated, 7)) got++;
    } catch (x) {
      e = x as CaptureFileError;
    }
    expect(got).toBe(frames.length - 1);
    // the last block's Total Length field: 4 bytes into the block the file ends in
    const lastBlockLength = new DataView(good.buffer, good.byteOffset).getUint32(good.length - 4, true);
    expect(e?.offset).toBe(good.length - lastBlockLength + 4);
    expect(e?.message).toBe(`${truncated}: block length ${lastBlockLength} is invalid or overruns the file (Block(type 6).TotalLength) at byte offset ${e?.offset}`);
    const pcap = new Uint8Array(readFileSync(fixtures[0][1]));
    expect(() => [...readCaptureStream(file('cut.pcap', pcap.subarray(0, 24 + 5)), 7)]).toThrow(`cut.pcap: record header truncated (Record[1]) at byte offset 24`);
    expect(() => [...readCaptureStream(file('foreign.bin', Uint8Array.from({ length: 40 }, (_, i) => i + 1)), 7)]).toThrow(/foreign\.bin: not a pcap or pcapng file \(magic 0x1020304\) \(magic\) at byte offset 0/);
  });
});

/** Two captures each in time order, a datagram in both (the sender's copy and the receiver's with the step). */
function orderedPair(): string[] {
  const one = captureFile('one.pcapng', (c) => {
    c.udp(a, b, Uint8Array.of(1, 2, 3), undefined, 10_000_000);
    c.udp(a, b, new Uint8Array(900).fill(3), undefined, 10_000_400);
    c.udp(b, a, Uint8Array.of(9), undefined, 12_000_000);
  });
  const two = captureFile('two.pcapng', (c) => {
    c.udp(a, b, Uint8Array.of(1, 2, 3), '4.2.2.2.2 step 1', 10_000_300);
    c.udp(a, b, Uint8Array.of(5), undefined, 11_000_000);
  });
  return [one, two];
}

function mergedInMemory(inputs: string[]): Uint8Array {
  const out = join(dir, 'in-memory.pcapng');
  const sink = new FileSink(out);
  mergeCaptures(
    inputs.map((f) => new Uint8Array(readFileSync(f))),
    sink.write,
  );
  sink.close();
  return new Uint8Array(readFileSync(out));
}

describe('merging capture files from streams', () => {
  it('writes what mergeCaptures writes, byte for byte, for files in time order', () => {
    const inputs = orderedPair();
    const out = join(dir, 'streamed.pcapng');
    const r = mergeCaptureFiles(out, inputs, { chunkBytes: 7 });
    expect(r).toEqual({ frames: 4, duplicates: 1 });
    expect(new Uint8Array(readFileSync(out))).toEqual(mergedInMemory(inputs));
    expect([...readCaptureFile(new Uint8Array(readFileSync(out)))][0].comment).toBe('4.2.2.2.2 step 1');
  });

  it('merges an input out of time order holding every frame, as mergeCaptures does, and says which', () => {
    // another tool's capture (Capture never writes a frame earlier than the one before it)
    const chunks: Uint8Array[] = [];
    const w = new PcapngWriter((c) => chunks.push(c.slice()));
    w.addInterface(LinkType.RAW, 'other');
    w.writePacket({ timestampUs: 11_500_000, data: udpPacket(a, b, Uint8Array.of(8)) });
    w.writePacket({ timestampUs: 10_000_300, data: udpPacket(a, b, Uint8Array.of(1, 2, 3)), comment: '4.2.2.2.2 step 1' });
    const backwards = file('backwards.pcapng', concatBytes(chunks));
    const inputs = [orderedPair()[0], backwards];
    const out = join(dir, 'unordered.pcapng');
    let restarted = 0;
    const written: number[] = [];
    const r = mergeCaptureFiles(out, inputs, { chunkBytes: 64, written: (f) => written.push(f.time), restarted: () => ((written.length = 0), restarted++) });
    expect(r.notInTimeOrder).toMatchObject({ file: 1, frame: 2 });
    expect(restarted).toBe(1);
    expect(written).toEqual([10, 10.0004, 11.5, 12]);
    expect(new Uint8Array(readFileSync(out))).toEqual(mergedInMemory(inputs));
  });

  it('a truncated input fails the merge naming it; the output is left as it was, no temporary file stays', () => {
    const [one, two] = orderedPair();
    const good = new Uint8Array(readFileSync(two));
    const cut = file('cut.pcapng', good.subarray(0, good.length - 3));
    const out = file('existing.pcapng', Uint8Array.of(42));
    expect(() => mergeCaptureFiles(out, [one, cut], { chunkBytes: 64 })).toThrow(/cut\.pcapng: .* at byte offset \d+$/);
    expect(Array.from(readFileSync(out))).toEqual([42]);
    expect(readdirSync(dir).filter((f) => f.includes('.merging-'))).toEqual([]);
    expect(existsSync(one)).toBe(true);
  });
});

describe.skipIf(!tsharkAvailable())('tshark reads the streamed merge', () => {
  it('every frame, the step comment kept', () => {
    const out = join(dir, 'for-tshark.pcapng');
    mergeCaptureFiles(out, orderedPair(), { chunkBytes: 7 });
    const lines = execFileSync('tshark', ['-r', out, '-T', 'fields', '-e', 'frame.number', '-e', 'udp.length', '-e', 'frame.comment'], { encoding: 'utf8' }).trim().split('\n');
    expect(lines.map((l) => l.split('\t')[0])).toEqual(['1', '2', '3', '4']);
    expect(lines[0]).toContain('4.2.2.2.2 step 1');
    expect(lines[1].split('\t')[1]).toBe(String(8 + 900));
  });
});


describe('wire5g capture merge reads its inputs as streams', () => {
  it('merges files in time order; a truncated input is one line naming it and the offset, exit 1, OUT not written', async () => {
    const inputs = orderedPair();
    const out = join(dir, 'cli-merged.pcapng');
    const ok = await wire5g(['capture', 'merge', out, ...inputs]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe(`wrote ${out}: 4 frames from 2 captures (1 receive-side copies of datagrams dropped)`);
    expect(new Uint8Array(readFileSync(out))).toEqual(mergedInMemory(inputs));

    const good = new Uint8Array(readFileSync(inputs[1]));
    const cut = file('cli-cut.pcapng', good.subarray(0, good.length - 3));
    const failedOut = join(dir, 'cli-failed.pcapng');
    const bad = await wire5g(['capture', 'merge', failedOut, inputs[0], cut]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(bad.stderr.trimEnd()).toMatch(new RegExp(`cannot merge: ${cut.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .* at byte offset \\d+$`));
    expect(existsSync(failedOut)).toBe(false);

    const same = await wire5g(['capture', 'merge', inputs[0], ...inputs]);
    expect(same.code).not.toBe(0);
    expect(same.stderr.trimEnd()).toMatch(/is both the output and an input; name another output file$/);
  });
});
