// Merging capture files into one (`wire5g capture merge`, the threads' captures of `wire5g run
// --threads`) with each input read as a stream (read-stream.ts), so neither Node's 2 GiB limit on
// reading a file whole nor the heap bounds the run: files each in time order (what one Capture
// writes) are merged frame by frame, the heap holding about a second of frames (merge.ts
// mergeOrderedCaptures); an input out of time order is merged again holding every frame, as
// mergeCaptures always did. The output is written to a temporary file beside it and renamed over
// it at the end: a failed merge (a truncated or corrupt input) leaves no half-written output and
// the inputs untouched, and the output may be one of the inputs.

import { renameSync, rmSync } from 'node:fs';
import type { CaptureFrame } from '../../codecs/capture/files.ts';
import { mergeCaptures, mergeOrderedCaptures, NotInTimeOrder, type MergeResult } from './merge.ts';
import { FileSink } from './pcapng.ts';
import { readCaptureStream, READ_CHUNK_BYTES } from './read-stream.ts';

export interface MergeFilesResult extends MergeResult {
  /** Set when an input was not in time order and the merge held every frame: that input and frame. */
  notInTimeOrder?: NotInTimeOrder;
}

export interface MergeFilesOptions {
  /** Sees each frame written to `out`. */
  written?: (frame: CaptureFrame) => void;
  /** Called before the merge starts again holding every frame (what `written` saw is not in `out`). */
  restarted?: () => void;
  /** Bytes each input is read at a time (tests: a few bytes, so that blocks straddle reads). */
  chunkBytes?: number;
}

/** Runs `merge` over streams of `inputs` into a temporary file, closing the streams and the file however it ends. */
function mergeInto(temp: string, inputs: string[], chunkBytes: number, merge: (streams: Generator<CaptureFrame>[], sink: FileSink) => MergeResult): MergeResult {
  const streams = inputs.map((f) => readCaptureStream(f, chunkBytes));
  const sink = new FileSink(temp);
  try {
    return merge(streams, sink);
  } finally {
    sink.close();
    for (const s of streams) s.return(undefined);
  }
}

/**
 * Merges the capture files `inputs` into `out` (pcapng), each datagram once (merge.ts). Throws a
 * CaptureFileError (read-stream.ts) for an input that cannot be read, `out` being then as before.
 */
export function mergeCaptureFiles(out: string, inputs: string[], options: MergeFilesOptions = {}): MergeFilesResult {
  const temp = `${out}.merging-${process.pid}`;
  const chunkBytes = options.chunkBytes ?? READ_CHUNK_BYTES;
  try {
    let r: MergeFilesResult;
    try {
      r = mergeInto(temp, inputs, chunkBytes, (streams, sink) => mergeOrderedCaptures(streams, sink, options.written));
    } catch (e) {
      if (!(e instanceof NotInTimeOrder)) throw e;
      options.restarted?.();
      r = { ...mergeInto(temp, inputs, chunkBytes, (streams, sink) => mergeCaptures(streams, sink.write, options.written)), notInTimeOrder: e };
    }
    renameSync(temp, out);
    return r;
  } finally {
    rmSync(temp, { force: true });
  }
}
