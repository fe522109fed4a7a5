import { describe, it, expect } from 'vitest';
import { UpfDatapath, DatapathVerdict, DOWNLINK_HEADROOM, type TunnelPeer, type SessionReport } from '../../nodes/upf/datapath.ts';
import { simpleSession, multiPdrSession } from '../helpers/upf-rules.ts';
import { dataNetworkReply } from '../../nodes/upf/n6.ts';
import { Ipv4Pool } from '../../nodes/common/pools.ts';
import { encodeGtpu, decodeGtpu, gPdu, pduSessionContainerOf } from '../../codecs/gtpu/index.ts';
import { internetChecksum } from '../../codecs/bytes/checksum.ts';
import { ipv4Packet, udpPacket, IpProto } from '../../transport/capture/synth.ts';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, problems, field, tsharkAvailable } from '../helpers/tshark.ts';
import { MeasurementMethod, ReportingTrigger, UsageReportTrigger } from '../../codecs/pfcp/index.ts';
import type { RuleSet } from '../../nodes/upf/rules.ts';

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
  const out = { n6: [] as Uint8Array[], n3: [] as { d: Uint8Array; peer: TunnelPeer }[], ei: [] as number[], reports: [] as { seid: number; report: SessionReport }[] };
  const dp = new UpfDatapath({ capacity: 1000, now: () => now.t, errorIndicationBurst: 3, errorIndicationRate: 1 }, {
    toN6: (b, start, end) => out.n6.push(Uint8Array.from(b.subarray(start, end))),
    toN3: (d, peer) => out.n3.push({ d: Uint8Array.from(d), peer }),
    errorIndication: (teid) => out.ei.push(teid),
    report: (seid, report) => out.reports.push({ seid, report }),
  });
  return { dp, out, now };
}

const rules = simpleSession({ ue: UE });
const up = (teid: number, ip: Uint8Array, qfi = 9) => encodeGtpu(gPdu(teid, ip, { pduType: 1, qfi }));
const usage = (dp: UpfDatapath, seid: number) => dp.query(seid)[0];

describe('UPF data path', () => {
  it('forwards uplink G-PDUs by TEID to N6 and counts them', () => {
    const { dp, out } = harness();
    const { seid, created } = dp.establish(rules);
    expect(created).toEqual([{ pdrId: 1, teid: created[0].teid }]);
    const ip = ping(1);
    const pkt = up(created[0].teid, ip);
    expect(dp.uplink(pkt, 0, pkt.length, gnb)).toBe(DatapathVerdict.FORWARDED);
    expect(out.n6).toEqual([ip]);
    expect(usage(dp, seid)).toMatchObject({ urrId: 1, uplinkPackets: 1, uplinkOctets: ip.length });
  });

  it('a packet on another QFI than the PDR\'s matches no PDR (TS 29.244 5.2.1)', () => {
    const { dp, out } = harness();
    const { created } = dp.establish(rules);
    const pkt = up(created[0].teid, ping(1), 5);
    expect(dp.uplink(pkt, 0, pkt.length, gnb)).toBe(DatapathVerdict.NO_MATCHING_PDR);
    expect(out.n6).toHaveLength(0);
  });

  it('buffers downlink until the gNB tunnel is known, reports Downlink Data once, then flushes in order (TS 23.501 5.8.3)', () => {
    const { dp, out } = harness();
    const { seid } = dp.establish(rules);
    for (const seq of [1, 2]) {
      const reply = dataNetworkReply(ping(seq))!;
      expect(dp.downlink(reply.buffer, reply.offset, reply.length)).toBe(DatapathVerdict.BUFFERED);
    }
    expect(dp.bufferedPackets).toBe(2);
    expect(out.reports).toEqual([{ seid, report: { downlinkData: { pdrId: 2, qfi: undefined } } }]);
    dp.modify(seid, simpleSession({ ue: UE, gnb: { teid: 0x55, address: gnb.address } }));
    expect(dp.bufferedPackets).toBe(0);
    expect(out.n3).toHaveLength(2);
    const m = decodeGtpu(out.n3[1].d);
    expect(m.header.teid).toBe(0x55);
    if (m.type !== 'G-PDU') throw new Error('not a G-PDU');
    expect(m.tPdu[9]).toBe(IpProto.ICMP);
    expect(m.tPdu[20 + 7]).toBe(2); // second echo, in order
    expect(usage(dp, seid)).toMatchObject({ downlinkPackets: 2 });
  });

  it('BAR: the Downlink Data Report waits for the notification delay (TS 29.244 8.2.28, 50 ms units); buffering stops at the suggested packet count (8.2.29)', () => {
    const { dp, out, now } = harness();
    const withBar = (r: RuleSet): RuleSet => ({ ...r, fars: r.fars.map((f) => (f.id === 2 ? { ...f, barId: 1 } : f)), bar: { id: 1, notificationDelay: 4, suggestedPacketCount: 2 } });
    const { seid } = dp.establish(withBar(rules));
    const verdicts = [1, 2, 3].map((seq) => {
      const reply = dataNetworkReply(ping(seq))!;
      return dp.downlink(reply.buffer, reply.offset, reply.length);
    });
    expect(verdicts).toEqual([DatapathVerdict.BUFFERED, DatapathVerdict.BUFFERED, DatapathVerdict.DROPPED_BY_FAR]);
    now.t = 1000.15;
    dp.tick();
    expect(out.reports).toEqual([]);
    now.t = 1000.2; // 4 x 50 ms after the first buffered packet
    dp.tick();
    expect(out.reports).toEqual([{ seid, report: { downlinkData: { pdrId: 2, qfi: undefined } } }]);
    dp.modify(seid, withBar(simpleSession({ ue: UE, gnb: { teid: 0x55, address: gnb.address } })));
    expect(out.n3).toHaveLength(2);
    expect(usage(dp, seid)).toMatchObject({ downlinkPackets: 2, droppedPackets: 1 });
  });

  it('URR: a time threshold reports (TIMTH) on the tick and restarts the measurement', () => {
    const { dp, out, now } = harness();
    const { seid } = dp.establish(simpleSession({ ue: UE, urr: { method: MeasurementMethod.DURAT | MeasurementMethod.VOLUM, triggers: ReportingTrigger.TIMTH, timeThreshold: 5 } }));
    now.t += 4;
    dp.tick();
    expect(out.reports).toEqual([]);
    now.t += 1;
    dp.tick();
    expect(out.reports).toEqual([{ seid, report: { usage: [expect.objectContaining({ trigger: UsageReportTrigger.TIMTH, durationSeconds: 5, urSeqn: 0 })] } }]);
    now.t += 5;
    dp.tick();
    expect(out.reports.map((r) => ('usage' in r.report ? r.report.usage[0].urSeqn : -1))).toEqual([0, 1]);
  });

  it('session deletion discards the buffer (counted), frees the TEID and reports final usage per URR', () => {
    const { dp, out } = harness();
    const { seid, created } = dp.establish(rules);
    const teid = created[0].teid;
    const pkt = up(teid, ping(1));
    dp.uplink(pkt, 0, pkt.length, gnb);
    const reply = dataNetworkReply(ping(1))!;
    dp.downlink(reply.buffer, reply.offset, reply.length); // buffered
    const reports = dp.delete(seid)!;
    expect(reports).toEqual([expect.objectContaining({ urrId: 1, trigger: 0x800, uplinkPackets: 1, downlinkPackets: 0, droppedPackets: 1, urSeqn: 0 })]);
    expect(dp.sessions).toBe(0);
    expect(dp.teidsInUse).toBe(0);
    expect(dp.flat.pdrSlots.inUse).toBe(0);
    expect(dp.flat.urrSlots.inUse).toBe(0);
    expect(dp.delete(seid)).toBeUndefined();
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
    const { seid } = dp.establish(rules);
    expect(dp.uplink(Uint8Array.of(0x30, 0xff, 0, 50, 0, 0, 0, 1), 0, 8, gnb)).toBe(DatapathVerdict.MALFORMED);
    expect(usage(dp, seid)).toMatchObject({ uplinkPackets: 0 });
  });

  it('a deleted slot is reused cleanly: counters start from zero', () => {
    const { dp } = harness();
    const a = dp.establish(rules);
    const pkt = up(a.created[0].teid, ping(1));
    dp.uplink(pkt, 0, pkt.length, gnb);
    dp.delete(a.seid);
    const b = dp.establish(rules);
    expect(usage(dp, b.seid)).toMatchObject({ uplinkPackets: 0, droppedPackets: 0 });
  });

  it('PDRs sharing a CHOOSE ID share the F-TEID; QFI then SDF filter in precedence order pick the PDR (TS 29.244 5.2.1, 7.5.3.2)', () => {
    const { dp, out } = harness();
    const { seid, created } = dp.establish(multiPdrSession(UE, 8));
    expect(created.map((c) => c.pdrId)).toEqual([1, 2, 3, 4]);
    expect(new Set(created.map((c) => c.teid)).size).toBe(1);
    const teid = created[0].teid;
    const udp = udpPacket({ address: '10.45.0.2', port: 40000 }, { address: '198.51.100.9', port: 5004 }, new Uint8Array(8));
    const udpOther = udpPacket({ address: '10.45.0.2', port: 40000 }, { address: '198.51.100.9', port: 7000 }, new Uint8Array(8));
    expect(dp.uplink(up(teid, udp, 5), 0, up(teid, udp, 5).length, gnb)).toBe(DatapathVerdict.FORWARDED); // PDR 2 (QFI 5, its SDF)
    expect(dp.uplink(up(teid, udpOther, 5), 0, up(teid, udpOther, 5).length, gnb)).toBe(DatapathVerdict.NO_MATCHING_PDR); // QFI 5 but outside its SDF
    expect(dp.uplink(up(teid, udp, 9), 0, up(teid, udp, 9).length, gnb)).toBe(DatapathVerdict.FORWARDED); // default flow
    expect(out.n6).toHaveLength(2);
    // downlink: the SDF filter of PDR 6 (QFI 5's flow) wins over the default PDR 5 by precedence, and marks QFI 5
    const dl = udpPacket({ address: '198.51.100.9', port: 5004 }, { address: '10.45.0.2', port: 40000 }, new Uint8Array(8));
    const buf = new Uint8Array(DOWNLINK_HEADROOM + dl.length);
    buf.set(dl, DOWNLINK_HEADROOM);
    expect(dp.downlink(buf, DOWNLINK_HEADROOM, dl.length)).toBe(DatapathVerdict.FORWARDED);
    expect(pduSessionContainerOf(decodeGtpu(out.n3[0].d).header)).toMatchObject({ pduType: 0, qfi: 5 });
    expect(usage(dp, seid)).toMatchObject({ uplinkPackets: 2, downlinkPackets: 1 });
  });

  it('an SMF-assigned TEID (CH = 0) is honoured; a TEID in use is refused with the Failed Rule ID', () => {
    const { dp, out } = harness();
    const r = simpleSession({ ue: UE });
    r.pdrs[0] = { ...r.pdrs[0], fteid: { choose: false, teid: 2 } };
    const { created } = dp.establish(r);
    expect(created).toEqual([]);
    const pkt = up(2, ping(1));
    expect(dp.uplink(pkt, 0, pkt.length, gnb)).toBe(DatapathVerdict.FORWARDED);
    expect(out.n6).toHaveLength(1);
    const again = simpleSession({ ue: Ipv4Pool.parse('10.45.0.3') });
    again.pdrs[0] = { ...again.pdrs[0], fteid: { choose: false, teid: 2 } };
    expect(() => dp.establish(again)).toThrow(expect.objectContaining({ pfcpCause: 73, failedRule: { ruleType: 0, id: 1 } }));
    expect(dp.sessions).toBe(1);
  });

  it('a closed gate drops; MBR is enforced by a token bucket on the injected clock', () => {
    const { dp, out, now } = harness();
    // 160 kbps = 20 000 octets/s: the bucket holds 3000 octets (its minimum depth)
    const { seid, created } = dp.establish(simpleSession({ ue: UE, qer: { mbrUl: 160, mbrDl: 160 } }));
    const ip = udpPacket({ address: '10.45.0.2', port: 1 }, { address: '192.0.2.1', port: 9 }, new Uint8Array(972)); // 1000 octets
    const pkt = up(created[0].teid, ip);
    const verdicts = Array.from({ length: 5 }, () => dp.uplink(pkt, 0, pkt.length, gnb));
    expect(verdicts).toEqual([0, 0, 0, DatapathVerdict.DROPPED_BY_QER, DatapathVerdict.DROPPED_BY_QER]);
    now.t += 0.1; // 2000 octets of tokens
    expect([dp.uplink(pkt, 0, pkt.length, gnb), dp.uplink(pkt, 0, pkt.length, gnb), dp.uplink(pkt, 0, pkt.length, gnb)]).toEqual([0, 0, DatapathVerdict.DROPPED_BY_QER]);
    expect(out.n6).toHaveLength(5);
    const closed = simpleSession({ ue: UE, qer: { ulOpen: false } });
    dp.modify(seid, closed);
    expect(dp.uplink(pkt, 0, pkt.length, gnb)).toBe(DatapathVerdict.DROPPED_BY_QER);
  });

  it('URR: a volume threshold reports (VOLTH), a used-up volume quota reports (VOLQU) and stops forwarding', () => {
    const { dp, out } = harness();
    const ip = ping(1); // 36 octets
    const { seid, created } = dp.establish(simpleSession({ ue: UE, urr: { triggers: 0x102, volumeThreshold: { total: 100 }, volumeQuota: { uplink: 200 } } }));
    const pkt = up(created[0].teid, ip);
    for (let i = 0; i < 3; i++) dp.uplink(pkt, 0, pkt.length, gnb);
    expect(out.reports).toEqual([{ seid, report: { usage: [expect.objectContaining({ urrId: 1, trigger: 0x02, uplinkOctets: 108, uplinkPackets: 3 })] } }]);
    for (let i = 0; i < 3; i++) dp.uplink(pkt, 0, pkt.length, gnb); // 216 octets in all: quota used up, threshold crossed again
    expect(out.reports[1].report).toEqual({ usage: [expect.objectContaining({ trigger: 0x102, uplinkOctets: 108, urSeqn: 1 })] });
    expect(dp.uplink(pkt, 0, pkt.length, gnb)).toBe(DatapathVerdict.DROPPED_BY_QER);
    // a new quota (Update URR) starts forwarding again
    dp.modify(seid, simpleSession({ ue: UE, urr: { triggers: 0x102, volumeThreshold: { total: 100 }, volumeQuota: { uplink: 1000 } } }));
    expect(dp.uplink(pkt, 0, pkt.length, gnb)).toBe(DatapathVerdict.FORWARDED);
  });

  it('URR: periodic reports (PERIO) and time quota (TIMQU) on the tick of the injected clock', () => {
    const { dp, out, now } = harness();
    const { seid } = dp.establish(simpleSession({ ue: UE, urr: { triggers: 0x201, measurementPeriod: 10, timeQuota: 25 } }));
    now.t += 9;
    dp.tick();
    expect(out.reports).toEqual([]);
    now.t += 1;
    dp.tick();
    expect(out.reports).toEqual([{ seid, report: { usage: [expect.objectContaining({ trigger: 0x01, durationSeconds: 10, urSeqn: 0 })] } }]);
    now.t += 15;
    dp.tick();
    expect(out.reports.map((r) => ('usage' in r.report ? r.report.usage[0].trigger : 0))).toEqual([0x01, 0x201]);
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
    dp.establish(simpleSession({ ue: UE, gnb: { teid: 0x99, address: gnb.address }, qer: {} }));
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

