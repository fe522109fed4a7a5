// The capture of a run whose core NFs are on worker threads (`wire5g run --threads N`): the main
// thread (gNB, UEs) and each core thread wrote a pcapng file of their own, as the processes of a
// multi-process run do; they are merged by time with `wire5g capture merge`'s logic
// (transport/capture/merge.ts: a datagram seen by its sender's and its receiver's thread once),
// and the merged file's messages are counted per interface as a one-thread run's Capture counts
// what it writes (summary.json counts what the pcapng holds).

import { rmSync } from 'node:fs';
import { ipPacketOf, transportSegmentOf } from '../../codecs/capture/layers.ts';
import { mergeCaptureFiles } from '../../transport/capture/merge-files.ts';
import { InterfaceCounter, type CapturedInterface } from '../../transport/capture/counter.ts';

/** A frame's messages into `counter`, as Capture counted them when it wrote them (udp, tcp segment, SCTP over IP). */
function countFrame(counter: InterfaceCounter, linkType: number, data: Uint8Array): void {
  const ip = ipPacketOf(linkType, data);
  const seg = ip ? transportSegmentOf(ip) : undefined;
  if (!seg || seg.fragment) return;
  const src = { address: seg.src, port: seg.srcPort };
  const dst = { address: seg.dst, port: seg.dstPort };
  if (seg.protocol === 17) counter.udp(src, dst, seg.payload);
  else if (seg.protocol === 6 && seg.tcp) counter.tcpSegment(src, dst, { flags: seg.tcp.flags, payload: seg.payload });
  else if (seg.protocol === 132) counter.sctp(`${seg.src}>${seg.dst}`, seg.payload);
}

/**
 * Merges `inputs` into `out` (which may be one of them: the merge is written to a temporary file
 * renamed to `out` at the end), deletes the inputs other than `out`, and counts the merged file's
 * messages per interface as they are written. Each input is one Capture's, in time order: read as
 * a stream and merged frame by frame (transport/capture/merge-files.ts), the heap holding about a
 * second of frames, not the whole run's. An input that cannot be read throws a CaptureFileError
 * naming it and the offset, every input left as it was.
 */
export function mergeThreadCaptures(out: string, inputs: string[]): { frames: number; duplicates: number; messagesPerInterface: Record<CapturedInterface, number> } {
  let counter = new InterfaceCounter();
  const { frames, duplicates } = mergeCaptureFiles(out, inputs, {
    written: (frame) => countFrame(counter, frame.linkType, frame.data),
    restarted: () => (counter = new InterfaceCounter()),
  });
  for (const f of inputs) if (f !== out) rmSync(f, { force: true });
  return { frames, duplicates, messagesPerInterface: { ...counter.counts } };
}
