import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { decodeCapture } from '../../cli/decode.ts';
import { readCaptureFile } from '../../codecs/capture/files.ts';
import { PcapngWriter, LinkType } from '../../transport/capture/pcapng.ts';
import { udpPacket } from '../../transport/capture/synth.ts';
import { encodeGtpu, gPdu, echoRequest } from '../../codecs/gtpu/index.ts';
import { tempCapture } from '../helpers/capture.ts';
import { tsharkAvailable } from '../helpers/tshark.ts';
import { fuzzDecoder } from '../helpers/fuzz.ts';
import { concatBytes } from '../../codecs/bytes/concat.ts';

const payload = encodeGtpu(gPdu(0xabc, Uint8Array.of(0x45, 0, 0, 20), { pduType: 1, qfi: 7 }));
const ip4 = udpPacket({ address: '127.0.0.10', port: 2152 }, { address: '127.0.0.11', port: 2152 }, payload);
const ip6 = udpPacket({ address: 'fd00::10', port: 40000 }, { address: 'fd00::11', port: 2152 }, encodeGtpu(echoRequest(5)));

const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

/** Classic pcap with one link type, in the given byte order. */
function classicPcap(linkType: number, frames: Uint8Array[], littleEndian = true, nanos = false): Uint8Array {
  const head = new DataView(new ArrayBuffer(24));
  head.setUint32(0, nanos ? 0xa1b23c4d : 0xa1b2c3d4, littleEndian);
  head.setUint16(4, 2, littleEndian);
  head.setUint16(6, 4, littleEndian);
  head.setUint32(16, 65535, littleEndian);
  head.setUint32(20, linkType, littleEndian);
  const recs = frames.map((f, i) => {
    const r = new DataView(new ArrayBuffer(16));
    r.setUint32(0, 1_700_000_000 + i, littleEndian);
    r.setUint32(4, 500, littleEndian);
    r.setUint32(8, f.length, littleEndian);
    r.setUint32(12, f.length, littleEndian);
    return concat(new Uint8Array(r.buffer), f);
  });
  return concat(new Uint8Array(head.buffer), ...recs);
}

const mac = new Uint8Array(12).fill(0x02);
const ethernet = (ip: Uint8Array, vlans = 0) => concat(mac, ...Array.from({ length: vlans }, () => Uint8Array.of(0x81, 0x00, 0x00, 0x64)), Uint8Array.of(ip[0] >> 4 === 6 ? 0x86 : 0x08, ip[0] >> 4 === 6 ? 0xdd : 0x00), ip);
const sll = (ip: Uint8Array) => concat(new Uint8Array(14), Uint8Array.of(0x08, 0x00), ip);
const sll2 = (ip: Uint8Array) => concat(Uint8Array.of(0x86, 0xdd), new Uint8Array(18), ip);
const bsdNull = (ip: Uint8Array) => concat(Uint8Array.of(2, 0, 0, 0), ip);

describe('wire5g decode: capture files and link types', () => {
  const cases: [string, number, Uint8Array, string][] = [
    ['Ethernet', 1, ethernet(ip4), '127.0.0.10:2152'],
    ['Ethernet with two VLAN tags', 1, ethernet(ip4, 2), '127.0.0.10:2152'],
    ['Ethernet IPv6', 1, ethernet(ip6), 'fd00::10:40000'],
    ['Linux cooked v1', 113, sll(ip4), '127.0.0.10:2152'],
    ['Linux cooked v2 IPv6', 276, sll2(ip6), 'fd00::10:40000'],
    ['BSD loopback', 0, bsdNull(ip4), '127.0.0.10:2152'],
    ['raw IP', 101, ip4, '127.0.0.10:2152'],
  ];
  for (const [name, lt, frame, src] of cases) {
    it(`finds the GTP-U message in ${name} frames (pcap, both byte orders)`, () => {
      for (const le of [true, false]) {
        const recs = [...decodeCapture(classicPcap(lt, [frame, frame], le))];
        expect(recs).toHaveLength(2);
        expect(recs.map((r) => r.frame)).toEqual([1, 2]);
        expect(recs[0].protocol).toBe('gtpu');
        expect(recs[0].src).toBe(src);
        expect(recs[0].error).toBeUndefined();
      }
    });
  }

  it('reads nanosecond pcap timestamps and pcapng comments', () => {
    const [f] = [...readCaptureFile(classicPcap(101, [ip4], true, true))];
    expect(f.time).toBeCloseTo(1_700_000_000 + 500e-9, 6);
    const chunks: Uint8Array[] = [];
    const w = new PcapngWriter((c) => chunks.push(c));
    w.addInterface(LinkType.RAW, 'x');
    w.writePacket({ timestampUs: 1_700_000_000_000_001, data: ip4, comment: 'TS 23.502 4.2.2.3.2 step 3a' });
    const [g] = [...readCaptureFile(concat(...chunks))];
    expect(g.comment).toBe('TS 23.502 4.2.2.3.2 step 3a');
    expect(g.time).toBeCloseTo(1_700_000_000.000001, 6);
  });

  it('reports undecodable frames with their error and foreign frames as ignored, never silently', () => {
    const bad = Uint8Array.from(ip4);
    bad[28] = 0x50; // GTP version 2 where GTP-U is expected
    const dns = udpPacket({ address: '127.0.0.1', port: 5353 }, { address: '127.0.0.2', port: 53 }, Uint8Array.of(1, 2, 3));
    const arp = concat(mac, Uint8Array.of(0x08, 0x06), new Uint8Array(28));
    const recs = [...decodeCapture(classicPcap(1, [ethernet(bad), ethernet(dns), arp, ethernet(ip4).subarray(0, 30)]))];
    expect(recs).toHaveLength(4);
    expect(recs[0]).toMatchObject({ frame: 1, protocol: 'gtpu', error: { code: 'BAD_VALUE', path: 'Header.Version' } });
    expect(recs[1]).toMatchObject({ frame: 2, protocol: null });
    expect(recs[1].ignored).toMatch(/UDP port 5353->53/);
    expect(recs[2]).toMatchObject({ frame: 3, protocol: null, ignored: 'not an IP packet' });
    expect(recs[3].error).toBeDefined();
  });

  it('a truncated or foreign file is one error record, not an exception', () => {
    expect([...decodeCapture(Uint8Array.of(1, 2, 3))][0].error).toBeDefined();
    const good = classicPcap(101, [ip4, ip4]);
    const recs = [...decodeCapture(good.subarray(0, good.length - 10))];
    expect(recs[0].message).toBe('G-PDU');
    expect(recs[1].error).toMatchObject({ code: 'BAD_LENGTH' });
  });

  it('fuzz: the capture reader and layer decoders only ever yield records', () => {
    const corpus = [classicPcap(1, [ethernet(ip4, 1)]), classicPcap(276, [sll2(ip6)], false)];
    const r = fuzzDecoder((b) => [...decodeCapture(b)], { seed: 11, cases: 20_000, corpus });
    // records only: a DecodeError escaping the generator is a failure too, not a "rejected" case
    expect(r.rejected).toBe(0);
    expect(r.decoded).toBe(20_000);
  });
});

describe.skipIf(!tsharkAvailable())('wire5g decode agrees with tshark on frame numbering', () => {
  it('tshark-converted classic pcap of our capture decodes with the same frame numbers', () => {
    const { capture, path } = tempCapture('decode-frames');
    capture.udp({ address: '127.0.0.10', port: 2152 }, { address: '127.0.0.11', port: 2152 }, payload);
    capture.udp({ address: '127.0.0.1', port: 5353 }, { address: '127.0.0.2', port: 53 }, Uint8Array.of(1));
    capture.udp({ address: '127.0.0.11', port: 2152 }, { address: '127.0.0.10', port: 2152 }, encodeGtpu(echoRequest(3)));
    capture.close();
    const pcap = path.replace(/\.pcapng$/, '.pcap');
    execFileSync('editcap', ['-F', 'pcap', path, pcap]);
    const recs = [...decodeCapture(new Uint8Array(readFileSync(pcap)))];
    const gtp = execFileSync('tshark', ['-r', pcap, '-Y', 'gtp', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(recs.filter((r) => r.protocol === 'gtpu').map((r) => r.frame)).toEqual(gtp);
    expect(gtp).toEqual([1, 3]);
  });
});

describe('wire5g decode: PFCP', () => {
  it('decodes PFCP on UDP 8805, including another implementation\'s messages', async () => {
    const { messageVectors } = await import('../helpers/vectors.ts');
    const { fromHex } = await import('../../codecs/bytes/hex.ts');
    const frames = messageVectors('pfcp.').map((v) => udpPacket({ address: '10.0.0.1', port: 8805 }, { address: '10.0.0.2', port: 8805 }, fromHex(v.hex)));
    const recs = [...decodeCapture(classicPcap(101, frames))];
    expect(recs.map((r) => r.message)).toEqual(['Association Setup Request', 'Association Setup Response', 'Session Establishment Request', 'Session Establishment Response', 'Session Report Request', 'Session Modification Request', 'Session Modification Response', 'Heartbeat Request']);
    expect(recs.every((r) => r.protocol === 'pfcp' && !r.error)).toBe(true);
    expect(JSON.stringify(recs[2].fields)).toContain('"name":"F-SEID"');
  });
});

describe('wire5g decode: SCTP (real and over UDP 9899), bundling, fragments, retransmissions', () => {
  it('hands every complete NGAP user message to the NGAP dissector exactly once', async () => {
    const { sctpDataPacket, ipv4Packet, IpProto } = await import('../../transport/capture/synth.ts');
    const { defaultDissectors } = await import('../../cli/dissectors.ts');
    const { toHex } = await import('../../codecs/bytes/hex.ts');
    const seen: string[] = [];
    const d = { ...defaultDissectors(), ngap: (p: Uint8Array) => { seen.push(toHex(p)); return [{ protocol: 'ngap', message: 'stand-in', fields: toHex(p) }]; } };
    const a = Uint8Array.of(1, 2, 3), b = Uint8Array.of(4, 5), c1 = Uint8Array.of(6, 7), c2 = Uint8Array.of(8, 9);
    const bundled = sctpDataPacket(38412, 38412, 9, [{ tsn: 1, streamId: 0, streamSeq: 0, ppid: 60, userData: a }, { tsn: 2, streamId: 1, streamSeq: 0, ppid: 60, userData: b }]);
    const frag1 = sctpDataPacket(38412, 38412, 9, [{ tsn: 3, streamId: 0, streamSeq: 1, ppid: 60, userData: c1, flags: 0x02 }]);
    const frag2 = sctpDataPacket(38412, 38412, 9, [{ tsn: 4, streamId: 0, streamSeq: 1, ppid: 60, userData: c2, flags: 0x01 }]);
    const frames = [
      ipv4Packet('10.0.0.1', '10.0.0.2', IpProto.SCTP, bundled),
      ipv4Packet('10.0.0.1', '10.0.0.2', IpProto.SCTP, frag1),
      ipv4Packet('10.0.0.1', '10.0.0.2', IpProto.SCTP, frag2),
      ipv4Packet('10.0.0.1', '10.0.0.2', IpProto.SCTP, frag2), // retransmission
      udpPacket({ address: '127.0.0.1', port: 9899 }, { address: '127.0.0.2', port: 9899 }, sctpDataPacket(38412, 38412, 1, [{ tsn: 7, streamId: 0, streamSeq: 0, ppid: 60, userData: Uint8Array.of(0xaa) }])),
    ];
    const recs = [...decodeCapture(classicPcap(101, frames), d)];
    expect(seen).toEqual(['010203', '0405', '06070809', 'aa']);
    expect(recs.filter((r) => r.message === 'stand-in').map((r) => r.frame)).toEqual([1, 1, 3, 5]);
    expect(recs.find((r) => r.frame === 2)?.ignored).toMatch(/fragment/);
    expect(recs.find((r) => r.frame === 4)?.ignored).toBeDefined();
  });
});

describe('wire5g decode: exported PDUs (NAS-5GS standalone)', () => {
  it('decodes NAS in Wireshark exported-PDU frames, plain and integrity protected', async () => {
    const { encodeNasMessage, protectNas } = await import('../../codecs/nas/index.ts');
    const { SAMPLES } = await import('../nas/samples.ts');
    const { capture, path } = tempCapture('exported');
    capture.exportedPdu('nas-5gs', encodeNasMessage(SAMPLES[0]));
    const ctx = { ngKsi: 1, kNasInt: new Uint8Array(16), kNasEnc: new Uint8Array(16), integrityAlgorithm: 2, cipheringAlgorithm: 0, uplinkCount: 0, downlinkCount: 0, bearer: 1 };
    capture.exportedPdu('nas-5gs', protectNas(Uint8Array.from(encodeNasMessage(SAMPLES[0])), ctx, 0, 1));
    capture.exportedPdu('something-else', Uint8Array.of(1));
    capture.close();
    const recs = [...decodeCapture(new Uint8Array(readFileSync(path)))];
    expect(recs.map((r) => r.message ?? r.ignored)).toEqual(['Registration request', 'Registration request', "exported PDU for dissector 'something-else', which wire5g does not decode"]);
    expect(JSON.stringify(recs[1].fields)).toContain('"securityHeaderType":1');
  });
});
