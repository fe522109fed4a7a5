// One capture of the whole network out of the captures its processes wrote (`wire5g start <nf>
// --capture FILE` per NF, `wire5g run --external-core` for the gNB and UEs): every frame of every
// file, in time order, into one pcapng with the comments kept. A UDP datagram (PFCP, GTP-U, SCTP
// over UDP) is in two files, its sender's and its receiver's: the copies are one packet, written
// once, at the sender's time and with whichever copy's comment names the step. TCP (the SBI) is
// recorded by the client side only, so it is never doubled.

import { readCaptureFile, type CaptureFrame } from '../../codecs/capture/files.ts';
import { ipPacketOf, transportSegmentOf } from '../../codecs/capture/layers.ts';
import { toHex } from '../../codecs/bytes/hex.ts';
import { PcapngWriter, type PcapngSink, type LinkType } from './pcapng.ts';

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
    return `${seg.src}:${seg.srcPort}>${seg.dst}:${seg.dstPort}/${toHex(seg.payload)}`;
  } catch {
    return undefined; // not a datagram we can compare: kept as it is
  }
}

export interface MergeResult {
  frames: number;
  /** Receive-side copies of datagrams dropped. */
  duplicates: number;
}

/** Merges capture files (pcap or pcapng bytes) by time into one pcapng written to `sink`. */
export function mergeCaptures(files: Uint8Array[], sink: PcapngSink): MergeResult {
  const all: Entry[] = [];
  files.forEach((bytes, file) => {
    for (const frame of readCaptureFile(bytes)) all.push({ file, frame, ...(frame.comment ? { comment: frame.comment } : {}) });
  });
  all.sort((a, b) => a.frame.time - b.frame.time); // stable: a file's own order is kept on equal times
  const kept: Entry[] = [];
  const recent = new Map<string, Entry[]>();
  let duplicates = 0;
  for (const e of all) {
    const key = datagramKey(e.frame);
    if (key) {
      const seen = recent.get(key) ?? [];
      const twin = seen.find((x) => x.file !== e.file && e.frame.time - x.frame.time <= SAME_DATAGRAM_WINDOW_S);
      if (twin) {
        seen.splice(seen.indexOf(twin), 1);
        if (!twin.comment && e.comment) twin.comment = e.comment;
        duplicates++;
        continue;
      }
      seen.push(e);
      recent.set(key, seen);
    }
    kept.push(e);
  }
  const writer = new PcapngWriter(sink, 'wire5g capture merge');
  const iface = new Map<number, number>();
  for (const e of kept) {
    let id = iface.get(e.frame.linkType);
    if (id === undefined) iface.set(e.frame.linkType, (id = writer.addInterface(e.frame.linkType as LinkType, `wire5g-merged-${e.frame.linkType}`)));
    writer.writePacket({ interfaceId: id, timestampUs: Math.round(e.frame.time * 1e6), data: e.frame.data, ...(e.comment ? { comment: e.comment } : {}) });
  }
  return { frames: kept.length, duplicates };
}
