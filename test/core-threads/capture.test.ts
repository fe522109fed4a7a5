// The merge of `wire5g run --threads`' captures (nodes/core-threads/capture.ts), frame by frame
// over files each in time order (review 2026-12-07b rv6): the same file as mergeCaptures writes
// for them, a datagram in its sender's and its receiver's file written once with the receiver's
// comment, copies more than a second apart both kept, the inputs other than the output deleted,
// and the messages counted per interface as they are in the merged file.

import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Capture } from '../../transport/capture/capture.ts';
import { FileSink } from '../../transport/capture/pcapng.ts';
import { mergeCaptures } from '../../transport/capture/merge.ts';
import { mergeThreadCaptures } from '../../nodes/core-threads/capture.ts';
import { readCaptureFile } from '../../codecs/capture/files.ts';

const gnb = { address: '127.0.145.100', port: 9899 };
const amf = { address: '127.0.145.5', port: 9899 };
const smf = { address: '127.0.145.4', port: 8805 };
const upf = { address: '127.0.145.7', port: 8805 };
const bytes = (...b: number[]) => Uint8Array.from(b);
const s = 1_000_000; // µs

describe('merging the core threads’ captures', () => {
  it('writes what mergeCaptures writes, each datagram once, frames by time, and counts them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire5g-thread-merge-'));
    const paths = ['main', 'thread1', 'thread2'].map((n) => join(dir, `${n}.pcapng`));
    const [main, t1, t2] = paths.map((p) => Capture.toFile(p));
    // gNB (main) -> AMF (thread 1): the sender's copy, then the receiver's with the step
    main.udp(gnb, amf, bytes(1, 2, 3), undefined, 10 * s);
    t1.udp(gnb, amf, bytes(1, 2, 3), '4.2.2.2.2 step 1', 10 * s + 300);
    // SMF -> UPF within thread 2 only, between them
    t2.udp(smf, upf, bytes(0x21, 0x32, 0, 4, 0, 0, 0, 1), undefined, 10 * s + 100);
    // a datagram only its sender's file has, and the same bytes in another file 1.5 s later: two datagrams
    main.udp(gnb, amf, bytes(7, 7), undefined, 10 * s + 500);
    t2.udp(gnb, amf, bytes(7, 7), undefined, 11.5 * s + 500);
    // the next pair of copies, 200 µs apart
    main.udp(gnb, amf, bytes(1, 2, 4), undefined, 11.5 * s);
    t1.udp(gnb, amf, bytes(1, 2, 4), undefined, 11.5 * s + 200);
    t1.udp(amf, gnb, bytes(9, 9), undefined, 12 * s);
    t2.udp(smf, upf, bytes(0x21, 0x34, 0, 4, 0, 0, 0, 2), undefined, 14 * s);
    for (const c of [main, t1, t2]) c.close();
    const copies = paths.map((p) => {
      copyFileSync(p, `${p}.copy`);
      return new Uint8Array(readFileSync(`${p}.copy`));
    });
    const expectedFile = join(dir, 'expected.pcapng');
    const sink = new FileSink(expectedFile);
    const expected = mergeCaptures(copies, sink.write);
    sink.close();

    const r = mergeThreadCaptures(paths[0], paths);
    expect(r.frames).toBe(expected.frames);
    expect(r.duplicates).toBe(2);
    expect(new Uint8Array(readFileSync(paths[0]))).toEqual(new Uint8Array(readFileSync(expectedFile)));
    expect(existsSync(paths[1]) || existsSync(paths[2])).toBe(false);
    const frames = [...readCaptureFile(new Uint8Array(readFileSync(paths[0])))];
    expect(frames.map((f) => f.time)).toEqual([10, 10.0001, 10.0005, 11.5, 11.5005, 12, 14]);
    expect(frames[0].comment).toBe('4.2.2.2.2 step 1');
    expect(Object.values(r.messagesPerInterface).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
