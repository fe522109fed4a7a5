// NGAP messages written as NGAP over SCTP into a capture and dissected by tshark (the judge of
// tshark-golden.test.ts and errors.test.ts).

import { expect } from 'vitest';
import { sctpDataPacket } from '../../transport/capture/synth.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect } from '../helpers/tshark.ts';

/** tshark prints FT_BYTES as "7e:00:41"; ours as hex. */
export const tsharkHex = (s: string) => s.replace(/:/g, '');

/** Every NGAP message of `frames` written as NGAP over SCTP (PPID 60, port 38412) and dissected by tshark. */
export function tsharkFrames(messages: [string, Uint8Array][]): ReturnType<typeof dissect> {
  const { capture, path } = tempCapture('ngap');
  messages.forEach(([name, bytes], i) => {
    capture.sctp('127.0.0.1', '127.0.0.2', sctpDataPacket(38412, 38412, 1, [{ tsn: i + 1, streamId: 0, streamSeq: i, ppid: 60, userData: bytes }]), name);
  });
  capture.close();
  const frames = dissect(path);
  expect(frames).toHaveLength(messages.length);
  return frames;
}
