// `wire5g capture merge OUT IN...`: one capture of a network run as several processes (each
// `wire5g start <nf> --capture FILE` and `wire5g run --external-core` wrote its own), merged by
// time, each datagram once (transport/capture/merge.ts).

import { mergeCaptureFiles } from '../transport/capture/merge-files.ts';
import { CaptureFileError } from '../transport/capture/read-stream.ts';
import { CommandFailed, defineCommand, defineGroup } from './args.ts';
import { checkCaptureInput } from './capture-input.ts';

const merge = defineCommand({
  name: 'merge',
  summary: 'merge per-process captures by time, each datagram once',
  description: 'Merges the pcapng files of a multi-process run (each NF started with --capture, and the run) into OUT, ordered by time; a UDP datagram captured by both its sender and its receiver is written once, keeping its step comment. Each input is read as a stream; inputs each in time order (as wire5g writes them) are merged holding about a second of frames, an input out of time order makes the merge hold every frame. OUT is written to a temporary file renamed at the end: a truncated or corrupt input fails naming the file and the byte offset, OUT left as it was.',
  positionals: { syntax: 'OUT IN...', min: 2, max: Number.MAX_SAFE_INTEGER },
  options: {},
  run({ positionals }) {
    const [out, ...inputs] = positionals;
    if (inputs.includes(out)) throw new CommandFailed(`${out} is both the output and an input; name another output file`);
    inputs.forEach(checkCaptureInput);
    let r;
    try {
      r = mergeCaptureFiles(out, inputs);
    } catch (e) {
      if (e instanceof CaptureFileError) throw new CommandFailed(`cannot merge: ${e.message}`);
      throw e;
    }
    if (r.notInTimeOrder) console.error(`note: ${inputs[r.notInTimeOrder.file]} is not in time order (frame ${r.notInTimeOrder.frame}): merged holding every frame in memory`);
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
