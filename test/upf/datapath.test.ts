import { describe, it, expect } from 'vitest';
import { UpfDatapath, FarAction, DatapathVerdict, DOWNLINK_HEADROOM, type TunnelPeer } from '../../nodes/upf/datapath.ts';
import { dataNetworkReply } from '../../nodes/upf/n6.ts';
import { Ipv4Pool } from '../../nodes/common/pools.ts';
import { encodeGtpu, decodeGtpu, gPdu, pduSessionContainerOf } from '../../codecs/gtpu/index.ts';
import { internetChecksum } from '../../codecs/bytes/checksum.ts';
import { ipv4Packet, udpPacket, IpProto } from '../../transport/capture/synth.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, problems, field, tsharkAvailable } from '../helpers/tshark.ts';

const gnb: TunnelPeer = { address: '127.0.0.100', port: 2152 };
const UE = Ipv4Pool.parse('10.45.0.2');

function ping(seq: number, src = '10.45.0.2', dst = '10.45.255.254'): Uint8Array {
  const icmp = new Uint8Array(16);
  icmp[0] = 8;
  icmp[7] = seq;
  const c = internetChecksum(icmp);
  icmp[2] = c >> 8;
  icmp[3] = c & 0xff;
  return ipv4Packet(src, dst, IpProto.ICMP, icmp);
}

function harness(now = { t: 1000 }) {
  const out = { n6: [] as Uint8Array[], n3: [] as { d: Uint8Array; peer: TunnelPeer }[], ei: [] as number[] };
  const dp = new UpfDatapath({ capacity: 1000, now: () => now.t, errorIndicationBurst: 3, errorIndicationRate: 1 }, {
    toN6: (b, start, end) => out.n6.push(Uint8Array.from(b.subarray(start, end))),
    toN3: (d, peer) => out.n3.push({ d: Uint8Array.from(d), peer }),
    errorIndication: (teid) => out.ei.push(teid),
  });
  return { dp, out, now };
}

const rules = { seid: 1n, ueAddress: UE, qfi: 9, uplinkAction: FarAction.FORW, downlinkAction: FarAction.BUFF | FarAction.NOCP };

describe('UPF data path', () => {
  it('forwards uplink G-PDUs by TEID to N6 and counts them', () => {
    const { dp, out } = harness();
    const teid = dp.establish(rules);
    const ip = ping(1);
    const pkt = encodeGtpu(gPdu(teid, ip, { pduType: 1, qfi: 9 }));
    expect(dp.uplink(pkt, 0, pkt.length, gnb)).toBe(DatapathVerdict.FORWARDED);
    expect(out.n6).toEqual([ip]);
    expect(dp.usage(1n)).toMatchObject({ uplinkPackets: 1, uplinkOctets: ip.length });
  });

  it('buffers downlink until the gNB tunnel is known, then flushes in order (TS 23.501 5.8.3)', () => {
    const { dp, out } = harness();
    dp.establish(rules);
    for (const seq of [1, 2]) {
      const reply = dataNetworkReply(ping(seq))!;
      expect(dp.downlink(reply.buffer, reply.offset, reply.length)).toBe(DatapathVerdict.BUFFERED);
    }
    expect(dp.bufferedPackets).toBe(2);
    dp.modify(1n, { downlinkAction: FarAction.FORW, downlinkTunnel: { teid: 0x55, peer: gnb } });
    expect(dp.bufferedPackets).toBe(0);
    expect(out.n3).toHaveLength(2);
    const m = decodeGtpu(out.n3[1].d);
    expect(m.header.teid).toBe(0x55);
    expect(pduSessionContainerOf(m.header)).toEqual({ pduType: 0, qfi: 9, rqi: false });
    if (m.type !== 'G-PDU') throw new Error('not a G-PDU');
    expect(m.tPdu[9]).toBe(IpProto.ICMP);
    expect(m.tPdu[20 + 7]).toBe(2); // second echo, in order
  });

  it('session deletion drops, discards the buffer (counted), frees the TEID and reports final usage', () => {
    const { dp, out } = harness();
    const teid = dp.establish(rules);
    const pkt = encodeGtpu(gPdu(teid, ping(1), { pduType: 1, qfi: 9 }));
    dp.uplink(pkt, 0, pkt.length, gnb);
    const reply = dataNetworkReply(ping(1))!;
    dp.downlink(reply.buffer, reply.offset, reply.length); // buffered
    const report = dp.delete(1n)!;
    expect(report).toMatchObject({ uplinkPackets: 1, downlinkPackets: 0, droppedPackets: 1, urSeqn: 0 });
    expect(dp.sessions).toBe(0);
    expect(dp.teids.inUse).toBe(0);
    expect(dp.delete(1n)).toBeUndefined();
    // later packets for the freed TEID: dropped, answered by a rate-limited Error Indication
    for (let i = 0; i < 10; i++) expect(dp.uplink(pkt, 0, pkt.length, gnb)).toBe(DatapathVerdict.NO_SESSION);
    expect(out.ei).toEqual([teid, teid, teid]);
    expect(dp.stats.errorIndicationsSuppressed).toBe(7);
    expect(out.n6).toHaveLength(1);
  });

  it('the Error Indication bucket refills with time', () => {
    const { dp, out, now } = harness();
    const stray = encodeGtpu(gPdu(777, ping(1)));
    for (let i = 0; i < 5; i++) dp.uplink(stray, 0, stray.length, gnb);
    expect(out.ei).toHaveLength(3);
    now.t += 2;
    for (let i = 0; i < 5; i++) dp.uplink(stray, 0, stray.length, gnb);
    expect(out.ei).toHaveLength(3); // the coarse clock has not ticked yet
    dp.tick();
    for (let i = 0; i < 5; i++) dp.uplink(stray, 0, stray.length, gnb);
    expect(out.ei).toHaveLength(5); // 2 s at 1/s refilled two tokens
  });

  it('rejects malformed datagrams without touching any session', () => {
    const { dp } = harness();
    dp.establish(rules);
    expect(dp.uplink(Uint8Array.of(0x30, 0xff, 0, 50, 0, 0, 0, 1), 0, 8, gnb)).toBe(DatapathVerdict.MALFORMED);
    expect(dp.usage(1n)).toMatchObject({ uplinkPackets: 0 });
  });

  it('a deleted slot is reused cleanly: counters start from zero', () => {
    const { dp } = harness();
    const t1 = dp.establish(rules);
    const pkt = encodeGtpu(gPdu(t1, ping(1)));
    dp.uplink(pkt, 0, pkt.length, gnb);
    dp.delete(1n);
    dp.establish({ ...rules, seid: 2n });
    expect(dp.usage(2n)).toMatchObject({ uplinkPackets: 0, droppedPackets: 0 });
  });
});

describe('N6 data network responder', () => {
  it('answers ICMP echo with a valid echo reply and UDP to port 7 with the same payload', () => {
    const r = dataNetworkReply(ping(3))!;
    const p = r.buffer.subarray(r.offset, r.offset + r.length);
    expect(r.kind).toBe('icmp-echo-reply');
    expect(internetChecksum(p, 0, 20)).toBe(0);
    expect(internetChecksum(p, 20, p.length)).toBe(0);
    expect(p[20]).toBe(0);
    expect(Ipv4Pool.format(Ipv4Pool.parse(`${p[16]}.${p[17]}.${p[18]}.${p[19]}`))).toBe('10.45.0.2');
    const u = dataNetworkReply(udpPacket({ address: '10.45.0.2', port: 40000 }, { address: '10.45.255.254', port: 7 }, Uint8Array.of(9, 9)))!;
    expect(u.kind).toBe('udp-echo');
    const q = u.buffer.subarray(u.offset, u.offset + u.length);
    expect((q[22] << 8) | q[23]).toBe(40000);
    expect(Array.from(q.subarray(28))).toEqual([9, 9]);
    expect(dataNetworkReply(udpPacket({ address: '10.45.0.2', port: 40000 }, { address: '10.45.255.254', port: 53 }, Uint8Array.of(1)))).toBeUndefined();
  });
});

describe.skipIf(!tsharkAvailable())('UPF downlink checked by tshark', () => {
  it('tshark sees the downlink G-PDU with DL PDU Session Container and a valid ICMP echo reply inside', () => {
    const { dp, out } = harness();
    dp.establish({ ...rules, downlinkAction: FarAction.FORW, downlinkTunnel: { teid: 0x99, peer: gnb } });
    const reply = dataNetworkReply(ping(4))!;
    dp.downlink(reply.buffer, reply.offset, reply.length);
    const { capture, path } = tempCapture('upf-downlink');
    capture.udp({ address: '127.0.0.7', port: 2152 }, gnb, out.n3[0].d, 'N3 downlink');
    capture.close();
    const frames = dissect(path, { prefs: ['ip.check_checksum:TRUE'] });
    expect(problems(frames)).toEqual([]);
    expect(field(frames[0], 'gtp.teid')).toBe('0x00000099');
    expect(field(frames[0], 'gtp.ext_hdr.pdu_ses_con.qos_flow_id')).toBe('9');
    expect(field(frames[0], 'icmp.type')).toBe('0');
    expect(frames[0].fields.get('icmp.checksum.status')).toEqual(['1']);
  });
});

void DOWNLINK_HEADROOM;
