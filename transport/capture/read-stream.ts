// Reading a capture file (pcap or pcapng, as codecs/capture/files.ts readCaptureFile reads them,
// with the same block parsing) from its file descriptor a block at a time: fs.readSync into one
// buffer reused from block to block, grown for a block larger than it, so a file of any size (Node
// refuses to read a file over 2 GiB whole) is read with the heap holding one block. Each frame's
// data is copied out of the buffer, so frames outlive the next read.

import { closeSync, openSync, readSync } from 'node:fs';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import {
  isPcapng,
  pcapHeader,
  pcapngBlock,
  pcapngBlockLength,
  pcapngState,
  pcapRecord,
  pcapRecordLength,
  PCAP_RECORD_HEADER_BYTES,
  PCAPNG_BLOCK_HEADER_BYTES,
  PCAP_HEADER_BYTES,
  type CaptureFrame,
} from '../../codecs/capture/files.ts';

/** Bytes read from the file at a time (more only for a larger block). */
export const READ_CHUNK_BYTES = 1 << 20;

/** A capture file that cannot be read: one line naming the file and the byte offset where its structure fails. */
export class CaptureFileError extends Error {
  readonly file: string;
  readonly offset: number;
  readonly reason: string;

  /** The codec's error (its protocol, code, offset and field path), when the structure failed. */
  declare readonly cause?: DecodeError;

  constructor(file: string, offset: number, reason: string, cause?: DecodeError) {
    super(`${file}: ${reason} at byte offset ${offset}`, cause ? { cause } : undefined);
    this.name = 'CaptureFileError';
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}

/** A window of the file in a reused buffer: bytes [start, end) of `buf` are the file's from `at` on. */
class Window {
  buf: Uint8Array;
  dv: DataView;
  start = 0;
  end = 0;
  /** File offset of buf[start]. */
  at = 0;
  private eof = false;
  private readonly fd: number;

  constructor(fd: number, chunkBytes: number) {
    this.fd = fd;
    this.buf = new Uint8Array(chunkBytes);
    this.dv = new DataView(this.buf.buffer);
  }

  /** How many of the next `n` bytes from `start` there are, after reading until there are `n` of them or the file ends (the Available of codecs/capture/files.ts). */
  fill(n: number): number {
    if (this.end - this.start >= n || this.eof) return this.end - this.start;
    if (n > this.buf.length) {
      const grown = new Uint8Array(Math.max(n, this.buf.length * 2));
      grown.set(this.buf.subarray(this.start, this.end));
      this.buf = grown;
      this.dv = new DataView(grown.buffer);
    } else if (this.start > 0) this.buf.copyWithin(0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    while (this.end < n) {
      const got = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
      if (got === 0) {
        this.eof = true;
        break;
      }
      this.end += got;
    }
    return this.end - this.start;
  }

  /** Past `n` bytes (a block read). */
  skip(n: number): void {
    this.start += n;
    this.at += n;
  }
}

function copied(f: CaptureFrame): CaptureFrame {
  return { ...f, data: f.data.slice() };
}

/**
 * The frames of the capture file at `path`, numbered and timed as readCaptureFile yields them, read
 * `chunkBytes` at a time. Malformed or truncated structure: a CaptureFileError naming `path` and the
 * offset. The file is closed when the iteration ends (finished, failed or left by `return`).
 */
export function* readCaptureStream(path: string, chunkBytes = READ_CHUNK_BYTES): Generator<CaptureFrame> {
  const fd = openSync(path, 'r');
  try {
    const w = new Window(fd, Math.max(chunkBytes, 1));
    try {
      if (w.fill(4) < 4) throw new DecodeError({ protocol: 'pcap', code: 'TRUNCATED', offset: 0, path: 'magic', reason: 'file too short for a capture' });
      // a header is read into the buffer before its DataView is handed over; `available` is then
      // asked for the whole block, which may grow or move the buffer: w.dv and w.start are read after
      const available = (n: number) => w.fill(n);
      if (isPcapng(w.dv, w.start)) {
        const s = pcapngState();
        while (w.fill(PCAPNG_BLOCK_HEADER_BYTES) > 0) {
          const len = pcapngBlockLength(s, w.dv, w.start, w.at, available);
          const frame = pcapngBlock(s, w.buf, w.dv, w.start, len, w.at);
          if (frame) yield copied(frame);
          w.skip(len);
        }
      } else {
        w.fill(PCAP_HEADER_BYTES);
        const h = pcapHeader(w.dv, w.start, available);
        w.skip(PCAP_HEADER_BYTES);
        let n = 0;
        while (w.fill(PCAP_RECORD_HEADER_BYTES) > 0) {
          const len = pcapRecordLength(h, w.dv, w.start, w.at, available, n + 1);
          n++;
          yield copied(pcapRecord(h, w.buf, w.dv, w.start, n));
          w.skip(len);
        }
      }
    } catch (e) {
      if (e instanceof DecodeError) throw new CaptureFileError(path, e.offset, `${e.reason} (${e.path})`, e);
      throw e;
    }
  } finally {
    closeSync(fd);
  }
}
