// `wire5g capture merge OUT IN...`: one capture of a network run as several processes (each
// `wire5g start <nf> --capture FILE` and `wire5g run --external-core` wrote its own), merged by
// time, each datagram once (transport/capture/merge.ts).

import { FileSink } from '../transport/capture/pcapng.ts';
import { mergeCaptures } from '../transport/capture/merge.ts';
import { CommandFailed, defineCommand, defineGroup } from './args.ts';
import { readCaptureInput } from './capture-input.ts';

const merge = defineCommand({
  name: 'merge',
  summary: 'merge per-process captures by time, each datagram once',
  description: 'Merges the pcapng files of a multi-process run (each NF started with --capture, and the run) into OUT, ordered by time; a UDP datagram captured by both its sender and its receiver is written once, keeping its step comment. Every input is read before OUT is written.',
  positionals: { syntax: 'OUT IN...', min: 2, max: Number.MAX_SAFE_INTEGER },
  options: {},
  run({ positionals }) {
    const [out, ...inputs] = positionals;
    if (inputs.includes(out)) throw new CommandFailed(`${out} is both the output and an input; name another output file`);
    const files = inputs.map(readCaptureInput);
    const sink = new FileSink(out);
    const r = mergeCaptures(files, sink.write);
    sink.close();
    console.log(`wrote ${out}: ${r.frames} frames from ${inputs.length} captures (${r.duplicates} receive-side copies of datagrams dropped)`);
    return 0;
  },
});

export const captureCommand = defineGroup({
  name: 'capture',
  summary: 'work on captures: merge the per-process captures of a multi-process run',
  description: 'Commands on pcapng captures written by wire5g.',
  commands: [merge],
});
