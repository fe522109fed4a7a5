// `wire5g decode` prints one line (or one JSON object) for every frame of a capture: messages,
// errors and the reason a frame was ignored. The frame count is judged by tshark when present.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { decodeCapture } from '../../cli/decode.ts';
import { framesOf, frameLine, frameJson } from '../../cli/decode-format.ts';
import { tempCapture } from '../helpers/capture.ts';
import { tsharkAvailable } from '../helpers/tshark.ts';
import { encodeGtpu, echoRequest } from '../../codecs/gtpu/index.ts';
import { encodeSctpPacket, initChunk } from '../../codecs/sctp/packet.ts';
import { TcpFlags } from '../../transport/capture/synth.ts';

function mixedCapture(): string {
  const { capture, path } = tempCapture('every-frame');
  const a = { address: '127.0.0.1', port: 40000 };
  const b = { address: '127.0.0.2', port: 8080 };
  capture.udp({ address: '127.0.0.10', port: 2152 }, { address: '127.0.0.11', port: 2152 }, encodeGtpu(echoRequest(1)));
  capture.udp({ address: '127.0.0.1', port: 5353 }, { address: '127.0.0.2', port: 53 }, Uint8Array.of(1, 2));
  capture.tcp(a, b, { seq: 1, ack: 0, flags: TcpFlags.SYN });
  capture.udp({ address: '127.0.0.10', port: 2152 }, { address: '127.0.0.11', port: 2152 }, Uint8Array.of(0x30, 0xff, 0, 9));
  const init = initChunk(1, { initiateTag: 7, aRwnd: 65536, outboundStreams: 2, inboundStreams: 2, initialTsn: 1, parameters: [] });
  capture.udp({ address: '127.0.0.100', port: 40001 }, { address: '127.0.0.5', port: 9899 }, encodeSctpPacket({ srcPort: 38412, dstPort: 38412, verificationTag: 0, chunks: [init] }));
  capture.close();
  return path;
}

describe('wire5g decode prints every frame', () => {
  it('one line per frame: message, ignored with the reason, error with offset and path', () => {
    const path = mixedCapture();
    const frames = [...framesOf(decodeCapture(new Uint8Array(readFileSync(path))))];
    const lines = frames.map(frameLine);
    expect(frames.map((f) => f.frame)).toEqual([1, 2, 3, 4, 5]);
    expect(lines[0]).toMatch(/GTP-U Echo Request/);
    expect(lines[1]).toMatch(/ignored: UDP port 5353->53/);
    expect(lines[2]).toMatch(/ignored: /);
    expect(lines[3]).toMatch(/GTP-U ERROR \w+ at offset \d+/);
    expect(lines[4]).toMatch(/SCTP ignored: INIT \(SCTP control/);
    for (const j of frames.map(frameJson)) expect(JSON.parse(j)).toHaveProperty('messages');
    if (tsharkAvailable()) {
      // tshark, the independent reader of the file, counts the frames.
      const n = execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).trim().split('\n').length;
      expect(lines.length).toBe(n);
    }
  });
});

describe('wire5g decode: NAS after a 5G-EA0 Security Mode Command, inside NGAP', () => {
  it('decodes the null-ciphered uplink message, and shows a malformed one as an error with offset and path, not "ciphered"', async () => {
    const { ngapPdu, encodeNgap, plmnIdentity, bits, tac } = await import('../../codecs/ngap/index.ts');
    const plmn = plmnIdentity('001', '01');
    const uli = { userLocationInformationNR: { 'nR-CGI': { pLMNIdentity: plmn, nRCellIdentity: bits(0x10, 36) }, tAI: { pLMNIdentity: plmn, tAC: tac(1) } } };
    const { encodeNasMessage, nasMessage, protectNas } = await import('../../codecs/nas/index.ts');
    const ctx = { ngKsi: 1, kNasInt: new Uint8Array(16), kNasEnc: new Uint8Array(16), integrityAlgorithm: 2, cipheringAlgorithm: 0, uplinkCount: 0, downlinkCount: 0, bearer: 1 };
    const smc = protectNas(Uint8Array.from(encodeNasMessage(nasMessage('Security mode command', { selectedNasSecurityAlgorithms: { ciphering: 0, integrity: 2 }, ngKsi: { tsc: 0, ksi: 1 }, replayedUeSecurityCapabilities: { ea: 0x80, ia: 0x20 } }))), ctx, 1, 3);
    const complete = protectNas(Uint8Array.from(encodeNasMessage(nasMessage('Registration complete', {}))), ctx, 0, 2);
    const broken = protectNas(Uint8Array.of(0x7e, 0x00, 0x41, 0x79, 0x00), ctx, 0, 2);
    const { capture, path } = tempCapture('null-ciphered');
    capture.exportedPdu('ngap', encodeNgap(ngapPdu('DownlinkNASTransport', { 'AMF-UE-NGAP-ID': 7, 'RAN-UE-NGAP-ID': 9, 'NAS-PDU': smc })));
    for (const nas of [complete, broken]) capture.exportedPdu('ngap', encodeNgap(ngapPdu('UplinkNASTransport', { 'AMF-UE-NGAP-ID': 7, 'RAN-UE-NGAP-ID': 9, 'NAS-PDU': nas, UserLocationInformation: uli })));
    capture.close();
    const lines = [...framesOf(decodeCapture(new Uint8Array(readFileSync(path))))].map(frameLine);
    expect(lines[0]).toMatch(/NAS Security mode command \(5G-EA0, 128-5G-IA2\)/);
    expect(lines[1]).toMatch(/NAS Registration complete/);
    expect(lines[2]).toMatch(/NAS Undecodable NAS-PDU NAS ERROR \w+ at offset \d+ \([^)]+\)/);
    expect(lines[2]).not.toMatch(/ciphered/);
  });
});
