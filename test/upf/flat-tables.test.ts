// The flat per-slot tables of the UPF (nodes/upf/flat.ts) and N4 Session Deletion from them
// (teardown.ts): whatever shape a session had and however it was modified, deletion gives the
// final counts of each URR and leaves every table as it was before the session.

import { describe, it, expect } from 'vitest';
import { UpfDatapath, DatapathVerdict, type TunnelPeer } from '../../nodes/upf/datapath.ts';
import { RECORD, SPILL, COUNT_SHIFT, ROW, RowFlag } from '../../nodes/upf/flat.ts';
import { simpleSession, multiPdrSession, pdr, ACCESS } from '../helpers/upf-rules.ts';
import { Ipv4Pool } from '../../nodes/common/pools.ts';
import { encodeGtpu, gPdu } from '../../codecs/gtpu/index.ts';
import { ipv4Packet, udpPacket, IpProto } from '../../transport/capture/synth.ts';
import type { RuleSet } from '../../nodes/upf/rules.ts';

const gnb: TunnelPeer = { address: '127.0.0.100', port: 2152 };
const UE = Ipv4Pool.parse('10.45.0.2');
const ip = udpPacket({ address: '10.45.0.2', port: 40000 }, { address: '198.51.100.1', port: 9 }, new Uint8Array(64)); // 92 octets
const up = (teid: number, qfi = 9, body = ip) => encodeGtpu(gPdu(teid, body, { pduType: 1, qfi }));

function harness() {
  const now = { t: 1000 };
  const n6: Uint8Array[] = [];
  const dp = new UpfDatapath({ capacity: 64, now: () => now.t }, { toN6: (b, s, e) => n6.push(b.slice(s, e)), toN3: () => {}, errorIndication: () => {} });
  const empty = () => ({ pdrSlots: dp.flat.pdrSlots.inUse, urrSlots: dp.flat.urrSlots.inUse, sessions: dp.sessions, teids: dp.teidsInUse, ue: dp.byUe.size, foreign: dp.foreign.size, timed: dp.timedSessions.size, buffered: dp.bufferedPackets });
  return { dp, now, n6, empty };
}

const send = (dp: UpfDatapath, pkt: Uint8Array, times = 1) => Array.from({ length: times }, () => dp.uplink(pkt, 0, pkt.length, gnb));

describe('UPF flat tables and N4 Session Deletion from them', () => {
  it('the counts word spills into the cold record before its octets carry past bit 31, and the usage report keeps counting', () => {
    const { dp } = harness();
    const { seid, created } = dp.establish(simpleSession({ ue: UE }));
    const slot = created[0].teid - 1; // a chosen TEID is its PDR's slot + 1
    const octets = (1 << 20) - 100; // as if 2^20 - 100 octets in 7 packets had been counted
    dp.hot[slot * RECORD + 1] = (octets << COUNT_SHIFT) | 7;
    expect(send(dp, up(created[0].teid), 3)).toEqual([0, 0, 0]);
    expect(dp.hot[slot * RECORD + 1]).toBe((92 << COUNT_SHIFT) | 1); // spilled at the second packet, counting on
    expect(dp.flat.octets(slot)).toBe(octets + 3 * 92);
    expect(dp.flat.packets(slot)).toBe(10);
    expect(dp.delete(seid)).toEqual([expect.objectContaining({ urrId: 1, uplinkOctets: octets + 3 * 92, uplinkPackets: 10, trigger: 0x800 })]);
  });

  it('the counts word spills when its packets reach 2^10, and no packet or octet is lost on the way', () => {
    const { dp } = harness();
    const { seid, created } = dp.establish(simpleSession({ ue: UE }));
    const slot = created[0].teid - 1;
    expect(send(dp, up(created[0].teid), 2500).every((v) => v === DatapathVerdict.FORWARDED)).toBe(true);
    expect(dp.hot[slot * RECORD + 1] & SPILL).toBe(0);
    expect(dp.hot[slot * RECORD + 1] & ((1 << COUNT_SHIFT) - 1)).toBe(2500 - 2 * 1024); // two spills, 452 packets since
    expect([dp.flat.packets(slot), dp.flat.octets(slot)]).toEqual([2500, 2500 * 92]);
    expect(dp.delete(seid)).toEqual([expect.objectContaining({ uplinkOctets: 2500 * 92, uplinkPackets: 2500 })]);
  });

  it('an uplink PDR with a UE address condition (beside the hot record) forwards only its UE\'s packets, and a large downlink packet is counted exactly', () => {
    const { dp, n6 } = harness();
    const rules = simpleSession({ ue: UE, gnb: { teid: 77, address: '127.0.0.100' } });
    rules.pdrs[0] = { ...rules.pdrs[0], ueAddress: UE };
    const { seid, created } = dp.establish(rules);
    const slot = created[0].teid - 1;
    const other = udpPacket({ address: '10.45.0.3', port: 40000 }, { address: '198.51.100.1', port: 9 }, new Uint8Array(64));
    expect(send(dp, up(created[0].teid))).toEqual([DatapathVerdict.FORWARDED]);
    expect(send(dp, up(created[0].teid, 9, other))).toEqual([DatapathVerdict.NO_MATCHING_PDR]);
    expect([dp.flat.packets(slot), dp.flat.octets(slot), n6.length]).toEqual([1, 92, 1]);
    // downlink: 65535 octets is the largest IPv4 packet (RFC 791) and counts in the word; one more is malformed
    const big = new Uint8Array(16 + 65535);
    big.set(ipv4Packet('198.51.100.1', '10.45.0.2', IpProto.UDP, new Uint8Array(65535 - 20)), 16);
    expect(dp.downlink(big, 16, 65535)).toBe(DatapathVerdict.FORWARDED);
    expect(dp.downlink(new Uint8Array(16 + 65536), 16, 65536)).toBe(DatapathVerdict.MALFORMED);
    expect(dp.delete(seid)).toEqual([expect.objectContaining({ uplinkPackets: 1, uplinkOctets: 92, downlinkPackets: 1, downlinkOctets: 65535 })]);
  });

  it('sessions of every shape are deleted to empty tables, each with its final counts; the slots serve again', () => {
    const { dp, now, empty } = harness();
    const before = empty();
    const seids: number[] = [];
    // wire5g's shape (a UE address), 8 PDRs sharing a chosen F-TEID (classifier), an SMF-assigned
    // TEID (object path), a periodic URR (timed: object path)
    const simple = dp.establish(simpleSession({ ue: UE }));
    const multi = dp.establish(multiPdrSession(UE + 1, 8));
    const assigned = simpleSession({ ue: UE + 2 });
    assigned.pdrs[0] = { ...assigned.pdrs[0], fteid: { choose: false, teid: 4000 } };
    const smf = dp.establish(assigned);
    const timed = dp.establish(simpleSession({ ue: UE + 3, urr: { triggers: 1, measurementPeriod: 60 } }));
    seids.push(simple.seid, multi.seid, smf.seid, timed.seid);
    expect(seids.map((s) => dp.flat.row[(s - 1) * ROW + 4] & RowFlag.OBJECTS)).toEqual([0, 0, 1, 1]);
    send(dp, up(simple.created[0].teid), 2);
    send(dp, up(multi.created[0].teid), 3);
    send(dp, up(4000), 4);
    send(dp, up(timed.created[0].teid), 5);
    now.t += 30;
    const reports = seids.map((s) => dp.delete(s));
    expect(reports.map((r) => r!.map((x) => [x.urrId, x.uplinkPackets, x.uplinkOctets, x.durationSeconds]))).toEqual([[[1, 2, 184, 30]], [[1, 3, 276, 30]], [[1, 4, 368, 30]], [[1, 5, 460, 30]]]);
    expect(empty()).toEqual(before);
    for (const s of seids) expect(dp.delete(s)).toBeUndefined();
    // the freed slots come back clean
    const again = dp.establish(multiPdrSession(UE, 8));
    expect(send(dp, up(again.created[0].teid))).toEqual([DatapathVerdict.FORWARDED]);
    expect(send(dp, up(simple.created[0].teid === again.created[0].teid ? 0x7fff : simple.created[0].teid))).toEqual([DatapathVerdict.NO_SESSION]);
    expect(dp.query(again.seid)).toEqual([expect.objectContaining({ uplinkPackets: 1, uplinkOctets: 92 })]);
  });

  it('after modifications (a PDR leaving a shared TEID, URRs replaced, buffering) deletion still leaves nothing', () => {
    const { dp, empty } = harness();
    const before = empty();
    const { seid, created } = dp.establish(multiPdrSession(UE, 4));
    const shared = created[0].teid;
    send(dp, up(shared), 2);
    // PDR 1 (the TEID's anchor) takes an F-TEID of its own; URR 1 replaced by URR 2; downlink buffers
    const next: RuleSet = multiPdrSession(UE, 4);
    next.pdrs[0] = { ...next.pdrs[0], fteid: { choose: true, chooseId: 2 }, urrIds: [2] };
    next.pdrs = next.pdrs.map((p) => ({ ...p, urrIds: [2] }));
    next.urrs = [{ id: 2, method: 3, triggers: 0 }];
    next.fars[1] = { id: 2, action: 0x04 };
    const r = dp.modify(seid, next)!;
    expect(r.removedUrrReports).toEqual([expect.objectContaining({ urrId: 1, uplinkPackets: 2 })]);
    const own = r.created.find((c) => c.pdrId === 1)!.teid;
    expect(own).not.toBe(shared);
    expect(send(dp, up(own), 3)).toEqual([0, 0, 0]);
    const down = ipv4Packet('198.51.100.1', '10.45.0.2', IpProto.ICMP, new Uint8Array(16));
    const b = new Uint8Array(16 + down.length);
    b.set(down, 16);
    expect(dp.downlink(b, 16, down.length)).toBe(DatapathVerdict.BUFFERED);
    expect(dp.delete(seid)).toEqual([expect.objectContaining({ urrId: 2, uplinkPackets: 3, downlinkPackets: 0, droppedPackets: 1 })]);
    expect(empty()).toEqual(before);
  });

  it('stats.forwarded, read from the counts words, is every packet handed to N6 or N3, through spills, slow paths, moved and removed PDRs and deletion', () => {
    const now = { t: 1000 };
    let handed = 0;
    const dp = new UpfDatapath({ capacity: 8, now: () => now.t }, { toN6: () => void handed++, toN3: () => void handed++, errorIndication: () => {} });
    const down = (ue: string) => {
      const d = ipv4Packet('198.51.100.1', ue, IpProto.ICMP, new Uint8Array(16));
      const b = new Uint8Array(16 + d.length);
      b.set(d, 16);
      return dp.downlink(b, 16, d.length);
    };
    // the fast paths (uplink with a PDU Session Container, downlink with outer header creation), 2500 packets: two spills
    const a = dp.establish(simpleSession({ ue: UE, gnb: { teid: 77, address: '127.0.0.100' } }));
    expect(send(dp, up(a.created[0].teid), 2500).every((v) => v === DatapathVerdict.FORWARDED)).toBe(true);
    expect([down('10.45.0.2'), down('10.45.0.2')]).toEqual([0, 0]);
    // the checked path (a plain 8-octet header, a PDR with no QFI condition) and the slow path (a volume threshold)
    const plain = simpleSession({ ue: UE + 1, urr: { triggers: 0x02, volumeThreshold: { total: 1 << 30 } } });
    plain.pdrs[0] = { ...plain.pdrs[0], qfis: [] };
    const b = dp.establish(plain);
    expect(send(dp, encodeGtpu(gPdu(b.created[0].teid, ip)), 3)).toEqual([0, 0, 0]);
    // a shared TEID whose anchor PDR moves to a TEID of its own (its counts move with it), then a removed PDR
    const c = dp.establish(multiPdrSession(UE + 2, 4));
    send(dp, up(c.created[0].teid), 4);
    const moved: RuleSet = multiPdrSession(UE + 2, 4);
    moved.pdrs[0] = { ...moved.pdrs[0], fteid: { choose: true, chooseId: 2 } };
    const own = dp.modify(c.seid, moved)!.created.find((x) => x.pdrId === 1)!.teid;
    expect(send(dp, up(own), 5)).toEqual([0, 0, 0, 0, 0]);
    expect(dp.stats.forwarded).toBe(handed);
    dp.modify(c.seid, { ...moved, pdrs: moved.pdrs.filter((x) => x.id !== 1) });
    expect(dp.stats.forwarded).toBe(handed);
    // buffered, then forwarded when the FAR says FORW (the buffer is flushed through the slow path)
    const d = dp.establish(simpleSession({ ue: UE + 3 }));
    expect(down('10.45.0.5')).toBe(DatapathVerdict.BUFFERED);
    dp.modify(d.seid, simpleSession({ ue: UE + 3, gnb: { teid: 78, address: '127.0.0.100' } }));
    expect(handed).toBe(2500 + 2 + 3 + 4 + 5 + 1);
    expect(dp.stats.forwarded).toBe(handed);
    // deletion frees the slots; the counts stay, and a new session on the same slots counts on
    for (const s of [a, b, c, d]) dp.delete(s.seid);
    expect(dp.stats.forwarded).toBe(handed);
    const e = dp.establish(simpleSession({ ue: UE }));
    send(dp, up(e.created[0].teid), 7);
    expect(dp.stats.forwarded).toBe(handed);
    expect(handed).toBe(2522);
  });

  it('a link removed from the middle of a PDR\'s links leaves the others counted to the end: deletion reports every URR still linked', () => {
    const { dp, empty } = harness();
    const before = empty();
    const rules = (urrIds: number[]): RuleSet => ({
      pdrs: [pdr(1, { sourceInterface: ACCESS, fteid: { choose: true }, farId: 1, urrIds })],
      fars: [{ id: 1, action: 0x02, destination: 1 }],
      qers: [],
      urrs: urrIds.map((id) => ({ id, method: 3, triggers: 0 })),
    });
    const { seid, created } = dp.establish(rules([1, 2, 3]));
    send(dp, up(created[0].teid), 2);
    // URR 1 (the PDR's first link) goes; URRs 2 and 3 stay linked and keep counting
    expect(dp.modify(seid, rules([2, 3]))!.removedUrrReports.map((x) => [x.urrId, x.uplinkPackets])).toEqual([[1, 2]]);
    send(dp, up(created[0].teid), 3);
    expect(dp.delete(seid)!.map((x) => [x.urrId, x.uplinkPackets, x.uplinkOctets])).toEqual([[2, 5, 5 * 92], [3, 5, 5 * 92]]);
    expect(empty()).toEqual(before);
  });

  it('a PDR linked to more URRs than the cold record holds is refused with its Failed Rule ID, nothing installed', () => {
    const { dp, empty } = harness();
    const before = empty();
    const r: RuleSet = {
      pdrs: [pdr(1, { sourceInterface: ACCESS, fteid: { choose: true }, farId: 1, urrIds: [1, 2, 3, 4, 5] })],
      fars: [{ id: 1, action: 0x02, destination: 1 }],
      qers: [],
      urrs: [1, 2, 3, 4, 5].map((id) => ({ id, method: 3, triggers: 0 })),
    };
    expect(() => dp.establish(r)).toThrow(expect.objectContaining({ pfcpCause: 73, failedRule: { ruleType: 0, id: 1 } }));
    expect(empty()).toEqual(before);
    r.pdrs[0].urrIds = [1, 2, 3, 4];
    const { seid, created } = dp.establish(r);
    send(dp, up(created[0].teid), 2);
    expect(dp.delete(seid)!.map((x) => [x.urrId, x.uplinkPackets])).toEqual([[1, 2], [2, 2], [3, 2], [4, 2], [5, 0]]); // URR 5 is linked to no PDR
    expect(empty()).toEqual(before);
  });
});
