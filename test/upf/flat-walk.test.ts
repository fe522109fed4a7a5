// The SDF precedence walk over the classifier's typed arrays (flat-walk.ts) against TS 29.244
// 5.2.1 read directly: of the PDRs whose PDI matches the packet (QFI, UE address, any one of the
// SDF filters by sdfMatches), the one with the lowest precedence value wins. Random rule sets and
// packets; filters with several port ranges take the walk over the objects, and are in the mix.
import { describe, it, expect } from 'vitest';
import { UpfDatapath, DatapathVerdict, FarAction } from '../../nodes/upf/datapath.ts';
import { pdr, ACCESS, CORE } from '../helpers/upf-rules.ts';
import { parseFlowDescription, sdfMatches, type CompiledSdf } from '../../nodes/upf/sdf.ts';
import { encodeGtpu, gPdu } from '../../codecs/gtpu/index.ts';
import { ipv4Packet } from '../../transport/capture/synth.ts';
import { Rng } from '../helpers/fuzz.ts';
import type { PdrSpec, RuleSet } from '../../nodes/upf/rules.ts';

const UE = '10.45.0.2';
const ueNumber = (0x0a2d0002 | 0) >>> 0;
const peer = { address: '127.0.0.100', port: 2152 };

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

function randomFilter(rng: Rng): { text: string; tos?: number } {
  const proto = pick(rng, ['ip', '17', '6', '1']);
  const ported = proto === '17' || proto === '6';
  const remote = pick(rng, ['any', 'assigned', '198.51.100.0/24', '198.51.100.7', '!198.51.100.0/25', '2001:db8::/32', '0.0.0.0/0', '203.0.113.0/24']);
  const ue = pick(rng, ['assigned', 'any', '10.45.0.0/16', '!10.45.0.2', '10.45.0.3']);
  const ports = () => (ported ? pick(rng, ['', '', ' 5000-5999', ' 443', ' 80,443', ' 9']) : '');
  const text = `permit out ${proto} from ${remote}${ports()} to ${ue}${ports()}`;
  return rng.int(4) === 0 ? { text, tos: pick(rng, [0xb8fc, 0x2000, 0x00ff, 0x2020]) } : { text };
}

function randomRules(rng: Rng): RuleSet {
  const n = 2 + rng.int(4);
  const precedences = [10, 20, 30, 40, 50, 60].sort(() => rng.int(3) - 1);
  // the downlink PDR first: its address is the session's "assigned" (install.ts), and a PDR's own UE address condition is its own
  const pdrs: PdrSpec[] = [pdr(9, { sourceInterface: CORE, ueAddress: ueNumber, farId: 2 })];
  for (let i = 0; i < n; i++) {
    const sdf: CompiledSdf[] = [];
    for (let j = rng.int(3); j > 0; j--) {
      const f = randomFilter(rng);
      sdf.push(parseFlowDescription(f.text, f.tos));
    }
    pdrs.push(pdr(1 + i, { fteid: { choose: true, chooseId: 1 }, qfis: rng.int(3) === 0 ? [] : [5], precedence: precedences[i], sdf, outerHeaderRemoval: true, farId: 1, ...(rng.int(4) === 0 ? { ueAddress: pick(rng, [ueNumber, ueNumber + 1]) } : {}) }));
  }
  return { pdrs, fars: [{ id: 1, action: FarAction.FORW, destination: CORE }, { id: 2, action: FarAction.DROP, destination: ACCESS }], qers: [], urrs: [] };
}

function randomPacket(rng: Rng): Uint8Array {
  if (rng.int(20) === 0) return rng.bytes(rng.int(20)); // shorter than an IPv4 header
  const l4 = new Uint8Array(8);
  const sport = pick(rng, [40000, 443, 5004]), dport = pick(rng, [443, 5004, 80, 9, 6000]);
  l4.set([sport >> 8, sport & 0xff, dport >> 8, dport & 0xff]);
  const b = ipv4Packet(pick(rng, [UE, UE, '10.45.0.3', '10.46.0.1']), pick(rng, ['198.51.100.7', '198.51.100.200', '203.0.113.7', '10.45.0.2']), pick(rng, [17, 6, 1]), l4);
  b[1] = pick(rng, [0, 0x20, 0xb8]);
  if (rng.int(8) === 0) b[7] = 1; // a later fragment: no ports
  if (rng.int(20) === 0) b[0] = 0x65; // not IPv4
  return b;
}

/** TS 29.244 5.2.1 over the rule set as written: the PDR ID that should take the packet, or undefined. */
function expected(rules: RuleSet, ip: Uint8Array): number | undefined {
  const candidates = rules.pdrs.filter((p) => p.fteid && (p.qfis.length === 0 || p.qfis.includes(5))).sort((a, b) => a.precedence - b.precedence);
  for (const p of candidates) {
    if (p.ueAddress !== undefined && (ip.length < 20 || ((ip[12] << 24) | (ip[13] << 16) | (ip[14] << 8) | ip[15]) !== (p.ueAddress | 0))) continue;
    if (p.sdf.length === 0 || p.sdf.some((f) => sdfMatches(f, ip, 0, ip.length, true, (p.ueAddress ?? ueNumber) | 0))) return p.id;
  }
  return undefined;
}

describe('the flat SDF precedence walk', () => {
  it('takes the PDR that TS 29.244 5.2.1 says, for random rule sets and packets', () => {
    const rng = new Rng(20);
    const dp = new UpfDatapath({ capacity: 4, pdrCapacity: 64 }, { toN6: () => {}, toN3: () => {}, errorIndication: () => {} });
    let flat = 0, matched = 0, unmatched = 0;
    for (let round = 0; round < 300; round++) {
      const rules = randomRules(rng);
      const { seid, created } = dp.establish(rules);
      const s = dp.session(seid)!;
      const slotOf = new Map(s.pdrs.map((p) => [p.slot, p.spec.id]));
      const o = dp.classifierOf[created[0].teid - 1] - 1;
      if (o >= 0 && Array.from({ length: dp.classifiers[o] }, (_, j) => dp.classifiers[o + 2 + 2 * j]).some((target) => target < -1)) flat++;
      for (let k = 0; k < 40; k++) {
        const ip = randomPacket(rng);
        const before = s.pdrs.map((p) => dp.flat.packets(p.slot));
        const verdict = dp.uplink(encodeGtpu(gPdu(created[0].teid, ip, { pduType: 1, qfi: 5 })), 0, 16 + ip.length, peer);
        const counted = s.pdrs.filter((p, i) => dp.flat.packets(p.slot) !== before[i]).map((p) => slotOf.get(p.slot));
        const want = expected(rules, ip);
        if (want === undefined) {
          unmatched++;
          expect(verdict).toBe(DatapathVerdict.NO_MATCHING_PDR);
          expect(counted).toEqual([]);
        } else {
          matched++;
          expect(verdict).toBe(DatapathVerdict.FORWARDED);
          expect(counted).toEqual([want]);
        }
      }
      dp.delete(seid);
    }
    // the mix reaches both walks and both outcomes
    expect(flat).toBeGreaterThan(100);
    expect(flat).toBeLessThan(300);
    expect(matched).toBeGreaterThan(1000);
    expect(unmatched).toBeGreaterThan(1000);
  });
});
