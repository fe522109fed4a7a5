// One capture of the whole network out of the captures its processes wrote (`wire5g start <nf>
// --capture FILE` per NF, `wire5g run --external-core` for the gNB and UEs): every frame of every
// file, in time order, into one pcapng with the comments kept. A UDP datagram (PFCP, GTP-U, SCTP
// over UDP) is in two files, its sender's and its receiver's: the copies are one packet, written
// once, at the sender's time and with whichever copy's comment names the step. TCP (the SBI) is
// recorded by the client side only, so it is never doubled.

import { readCaptureFile, type CaptureFrame } from '../../codecs/capture/files.ts';
import { ipPacketOf, transportSegmentOf } from '../../codecs/capture/layers.ts';
import { PcapngWriter, type FileSink, type PcapngSink, type LinkType } from './pcapng.ts';

/** Copies of one datagram in two processes' files are at most this far apart (their clocks and the delivery). */
const SAME_DATAGRAM_WINDOW_S = 1;

interface Entry {
  file: number;
  frame: CaptureFrame;
  comment?: string;
}

function datagramKey(f: CaptureFrame): string | undefined {
  try {
    const ip = ipPacketOf(f.linkType, f.data);
    const seg = ip ? transportSegmentOf(ip) : undefined;
    if (!seg || seg.protocol !== 17) return undefined;
    // the payload as one flat string made natively: a string built octet by octet is a chain of
    // thousands of pieces per datagram, several hundred KB of heap for an 8 KB GTP-U payload
    const payload = Buffer.from(seg.payload.buffer, seg.payload.byteOffset, seg.payload.byteLength).toString('latin1');
    return `${seg.src}:${seg.srcPort}>${seg.dst}:${seg.dstPort}/${payload}`;
  } catch {
    return undefined; // not a datagram we can compare: kept as it is
  }
}

/**
 * Whether `e` is the other file's copy of a datagram kept before it (`recent`: the kept datagrams by
 * key, oldest first), which then takes e's comment when it has none; if not, `e` joins `recent`.
 */
function isCopy(recent: Map<string, Entry[]>, key: string, e: Entry): boolean {
  const seen = recent.get(key) ?? [];
  const twin = seen.find((x) => x.file !== e.file && e.frame.time - x.frame.time <= SAME_DATAGRAM_WINDOW_S);
  if (twin) {
    seen.splice(seen.indexOf(twin), 1);
    if (!twin.comment && e.comment) twin.comment = e.comment;
    return true;
  }
  seen.push(e);
  recent.set(key, seen);
  return false;
}

/** A capture file and the frames it holds: its bytes, or its frames as a streaming reader yields them. */
export type CaptureSource = Uint8Array | Iterable<CaptureFrame>;

function framesOf(source: CaptureSource): Iterator<CaptureFrame> {
  return (source instanceof Uint8Array ? readCaptureFile(source) : source)[Symbol.iterator]();
}

/** mergeOrderedCaptures was given a file whose frames are not in time order (it stops at that frame). */
export class NotInTimeOrder extends Error {
  readonly file: number;
  readonly frame: number;

  constructor(file: number, frame: CaptureFrame, before: number) {
    super(`frame ${frame.number} of input ${file + 1} is earlier (${frame.time} s) than the frame before it (${before} s)`);
    this.name = 'NotInTimeOrder';
    this.file = file;
    this.frame = frame.number;
  }
}

export interface MergeResult {
  frames: number;
  /** Receive-side copies of datagrams dropped. */
  duplicates: number;
}

/**
 * mergeCaptures for files each already in time order (what one Capture writes: the threads of
 * `wire5g run --threads`), frame by frame: the same frames in the same order, holding only the
 * frames of the last SAME_DATAGRAM_WINDOW_S (a later copy can be the twin of no older one) where
 * mergeCaptures holds every frame and every datagram's key, several GB of heap for a run of
 * 100,000 UEs. `written` sees each frame written. A file out of time order throws NotInTimeOrder
 * (what was written by then is not the merge).
 */
export function mergeOrderedCaptures(files: CaptureSource[], sink: PcapngSink | FileSink, written?: (frame: CaptureFrame) => void): MergeResult {
  const readers = files.map(framesOf);
  const heads = readers.map((r) => r.next().value as CaptureFrame | undefined);
  const writer = new PcapngWriter(sink, 'wire5g capture merge');
  const iface = new Map<number, number>();
  // the frames not yet written, in time order (from `first` on), and the datagrams among them by key
  const held: ((Entry & { key: string | undefined }) | undefined)[] = [];
  let first = 0;
  const recent = new Map<string, Entry[]>();
  let frames = 0;
  let duplicates = 0;
  const writeUntil = (time: number) => {
    for (; first < held.length && held[first]!.frame.time < time; first++) {
      const e = held[first]!;
      held[first] = undefined; // its data and key are not kept once it is written
      // written: out of the datagrams a later copy is compared with (it may have left them as a twin)
      const seen = e.key ? recent.get(e.key) : undefined;
      if (seen) {
        const i = seen.indexOf(e);
        if (i >= 0) seen.splice(i, 1);
        if (!seen.length) recent.delete(e.key!);
      }
      let id = iface.get(e.frame.linkType);
      if (id === undefined) iface.set(e.frame.linkType, (id = writer.addInterface(e.frame.linkType as LinkType, `wire5g-merged-${e.frame.linkType}`)));
      writer.writePacket({ interfaceId: id, timestampUs: Math.round(e.frame.time * 1e6), data: e.frame.data, ...(e.comment ? { comment: e.comment } : {}) });
      written?.(e.frame);
      frames++;
    }
    if (first > 4096 && first * 2 > held.length) {
      held.splice(0, first);
      first = 0;
    }
  };
  for (;;) {
    // the earliest head; on equal times the lower file, as mergeCaptures' stable sort keeps them
    let file = -1;
    for (let i = 0; i < heads.length; i++) if (heads[i] && (file < 0 || heads[i]!.time < heads[file]!.time)) file = i;
    if (file < 0) break;
    const frame = heads[file]!;
    heads[file] = readers[file].next().value as CaptureFrame | undefined;
    if (heads[file] && heads[file]!.time < frame.time) throw new NotInTimeOrder(file, heads[file]!, frame.time);
    // nothing this old can be the twin of this frame or any after it
    writeUntil(frame.time - SAME_DATAGRAM_WINDOW_S);
    const e = { file, frame, key: datagramKey(frame), ...(frame.comment ? { comment: frame.comment } : {}) };
    if (e.key && isCopy(recent, e.key, e)) {
      duplicates++;
      continue;
    }
    held.push(e);
  }
  writeUntil(Infinity);
  writer.flush(); // what a FileSink's writer staged
  return { frames, duplicates };
}

/**
 * Merges capture files (pcap or pcapng) by time into one pcapng written to `sink`, holding every
 * frame (for files in any order). `written` sees each frame written.
 */
export function mergeCaptures(files: CaptureSource[], sink: PcapngSink, written?: (frame: CaptureFrame) => void): MergeResult {
  const all: Entry[] = [];
  files.forEach((source, file) => {
    for (const frame of source instanceof Uint8Array ? readCaptureFile(source) : source) all.push({ file, frame, ...(frame.comment ? { comment: frame.comment } : {}) });
  });
  all.sort((a, b) => a.frame.time - b.frame.time); // stable: a file's own order is kept on equal times
  const kept: Entry[] = [];
  const recent = new Map<string, Entry[]>();
  let duplicates = 0;
  for (const e of all) {
    const key = datagramKey(e.frame);
    if (key && isCopy(recent, key, e)) {
      duplicates++;
      continue;
    }
    kept.push(e);
  }
  const writer = new PcapngWriter(sink, 'wire5g capture merge');
  const iface = new Map<number, number>();
  for (const e of kept) {
    let id = iface.get(e.frame.linkType);
    if (id === undefined) iface.set(e.frame.linkType, (id = writer.addInterface(e.frame.linkType as LinkType, `wire5g-merged-${e.frame.linkType}`)));
    writer.writePacket({ interfaceId: id, timestampUs: Math.round(e.frame.time * 1e6), data: e.frame.data, ...(e.comment ? { comment: e.comment } : {}) });
    written?.(e.frame);
  }
  return { frames: kept.length, duplicates };
}
