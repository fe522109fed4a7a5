// The default run's capture, every NGAP frame value by value: each NGAP-PDU our nodes sent is
// decoded by us, and every leaf value of it (IEs, components, transfers) must be what tshark's
// NGAP dissector shows in that frame (test/helpers/ngap-values.ts); the NAS inside (5G-EA0 makes
// it readable after the Security Mode Command) is compared IE by IE with tshark's NAS-5GS fields:
// message types, 5GS mobile identities, UE security capability, NSSAIs, ngKSI, PDU session
// identity, DNN, 5GMM causes. "No malformed frame" is checked too, but it is not the pass.

import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../nodes/scenario.ts';
import { testConfig } from '../helpers/network.ts';
import { dissect, problems, tsharkAvailable, type DissectedFrame } from '../helpers/tshark.ts';
import { expectedNgapValues, valueMismatches } from '../helpers/ngap-values.ts';
import { readCaptureFile } from '../../codecs/capture/files.ts';
import { ipPacketOf, transportSegmentOf } from '../../codecs/capture/layers.ts';
import { decodeDataChunk, decodeSctpPacket } from '../../codecs/sctp/packet.ts';
import { decodeNgap, ngapMessage, type NgapPdu } from '../../codecs/ngap/index.ts';
import { decodeCapture } from '../../cli/decode.ts';
import { framesOf, type FrameReport } from '../../cli/decode-format.ts';
import type { JsonValue } from '../../codecs/bytes/json.ts';
import { expectedNasValues } from '../helpers/nas-values.ts';

/** The NGAP-PDUs of each frame (SCTP DATA chunks with PPID 60), by frame number. */
function ngapByFrame(capture: Uint8Array): Map<number, NgapPdu[]> {
  const out = new Map<number, NgapPdu[]>();
  for (const f of readCaptureFile(capture)) {
    const ip = ipPacketOf(f.linkType, f.data);
    const seg = ip && transportSegmentOf(ip);
    if (!seg || (seg.protocol !== 132 && !(seg.protocol === 17 && (seg.srcPort === 9899 || seg.dstPort === 9899)))) continue;
    for (const c of decodeSctpPacket(seg.payload).chunks) {
      if (c.type !== 0) continue;
      const d = decodeDataChunk(c);
      if (d.ppid !== 60) continue;
      const list = out.get(f.number) ?? [];
      list.push(decodeNgap(d.userData));
      out.set(f.number, list);
    }
  }
  return out;
}

describe.skipIf(!tsharkAvailable())('the default run: every value our nodes sent is the value tshark shows', () => {
  let ngap: Map<number, NgapPdu[]>;
  let frames: Map<number, DissectedFrame>;
  let decoded: FrameReport[];
  beforeAll(async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'wire5g-golden-'));
    const r = await runScenario(testConfig(48), { outDir, database: ':memory:' });
    expect(r.ok).toBe(true);
    const path = r.files.capture!;
    const bytes = new Uint8Array(readFileSync(path));
    ngap = ngapByFrame(bytes);
    decoded = [...framesOf(decodeCapture(bytes))];
    const dissected = dissect(path, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    expect(problems(dissected)).toEqual([]);
    frames = new Map(dissected.map((f) => [f.frame, f]));
  }, 90_000);

  it('NGAP: every IE, component and transfer value of every NGAP message', () => {
    const mismatches: string[] = [];
    const names = new Set<string>();
    let values = 0;
    for (const [n, pdus] of ngap) {
      for (const pdu of pdus) {
        names.add(ngapMessage(pdu).name);
        const expected = expectedNgapValues(pdu);
        values += expected.length;
        for (const m of valueMismatches(frames.get(n)!, expected)) mismatches.push(`frame ${n} ${ngapMessage(pdu).name}: ${m}`);
      }
    }
    expect(mismatches).toEqual([]);
    // what the default run sends (TS 23.502 4.2.2.2, 4.3.2, 4.3.4, 4.2.2.3, 4.2.6)
    expect([...names].sort()).toEqual(expect.arrayContaining(['DownlinkNASTransport', 'InitialContextSetupRequest', 'InitialContextSetupResponse', 'InitialUEMessage', 'NGSetupRequest', 'NGSetupResponse', 'PDUSessionResourceSetupRequest', 'PDUSessionResourceSetupResponse', 'UEContextReleaseCommand', 'UEContextReleaseComplete', 'UplinkNASTransport']));
    expect(values).toBeGreaterThanOrEqual(120);
  });

  it('NAS: every IE value wire5g decode shows (also after the 5G-EA0 Security Mode Command) is the value tshark shows', () => {
    const mismatches: string[] = [];
    const types = new Set<string>();
    let values = 0;
    for (const f of decoded) {
      const nas = f.messages.filter((m) => m.protocol === 'nas-5gs' && m.fields).map((m) => m.fields as Record<string, JsonValue>);
      if (!nas.length) continue;
      // a message in a Security mode complete's NAS message container is shown by both, once more
      const expected = nas.flatMap((m) => {
        types.add(String(m.messageType));
        return expectedNasValues(m);
      });
      values += expected.length;
      for (const m of valueMismatches(frames.get(f.frame)!, expected)) mismatches.push(`frame ${f.frame}: ${m}`);
    }
    expect(mismatches).toEqual([]);
    // Registration request/accept/complete, Authentication request/response, Security mode
    // command/complete, UL/DL NAS transport, PDU session establishment request/accept,
    // Deregistration request (UE originating)
    expect([...types].map(Number).sort((a, b) => a - b)).toEqual([65, 66, 67, 69, 86, 87, 93, 94, 103, 104, 193, 194]);
    expect(values).toBeGreaterThanOrEqual(100);
  });
});
