// `wire5g capture merge OUT IN...`: one capture of a network run as several processes (each
// `wire5g start <nf> --capture FILE` and `wire5g run --external-core` wrote its own), merged by
// time, each datagram once (transport/capture/merge.ts).

import { readFileSync } from 'node:fs';
import { FileSink } from '../transport/capture/pcapng.ts';
import { mergeCaptures } from '../transport/capture/merge.ts';

export function captureCommand(args: string[]): number {
  const [sub, out, ...inputs] = args;
  if (sub !== 'merge' || !out || inputs.length === 0) {
    process.stderr.write('usage: wire5g capture merge OUT.pcapng IN.pcapng [IN.pcapng ...]\n');
    return 2;
  }
  const files = inputs.map((f) => new Uint8Array(readFileSync(f)));
  const sink = new FileSink(out);
  const r = mergeCaptures(files, sink.write);
  sink.close();
  console.log(`wrote ${out}: ${r.frames} frames from ${inputs.length} captures (${r.duplicates} receive-side copies of datagrams dropped)`);
  return 0;
}
