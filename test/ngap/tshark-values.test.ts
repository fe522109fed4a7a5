// Wireshark shows the values we encoded: every leaf value of every NGAP message our nodes send
// (and of their transfers) is found, as we meant it, in the field tshark shows it in
// (test/helpers/ngap-values.ts), not only "no malformed frame". Judged by tshark's NGAP dissector
// (asn2wrs, from the same ASN.1 but not our code): the misaligned UESecurityCapabilities of issue
// 12 decoded there without a warning, as algorithm bitmaps nobody sent, and fails here.
import { describe, it, expect } from 'vitest';
import { encodeNgap, ngapMessage } from '../../codecs/ngap/index.ts';
import { sctpDataPacket } from '../../transport/capture/synth.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, problems, tsharkAvailable } from '../helpers/tshark.ts';
import { expectedNgapValues, valueMismatches } from '../helpers/ngap-values.ts';
import { NODE_MESSAGES } from './node-messages.ts';

describe.skipIf(!tsharkAvailable())('tshark shows the values of every NGAP message our nodes send', () => {
  it('every IE, component and transfer value', () => {
    const { capture, path } = tempCapture('ngap-values');
    NODE_MESSAGES.forEach(([name, pdu], i) => capture.sctp('127.0.0.1', '127.0.0.2', sctpDataPacket(38412, 38412, 1, [{ tsn: i + 1, streamId: 0, streamSeq: i, ppid: 60, userData: encodeNgap(pdu) }]), name));
    capture.close();
    const frames = dissect(path);
    expect(problems(frames)).toEqual([]);
    const mismatches: string[] = [];
    let compared = 0;
    NODE_MESSAGES.forEach(([name, pdu], i) => {
      expect(ngapMessage(pdu).name).toBe(name);
      const expected = expectedNgapValues(pdu);
      compared += expected.length;
      for (const m of valueMismatches(frames[i], expected)) mismatches.push(`${name}: ${m}`);
    });
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(117);
  });
});
