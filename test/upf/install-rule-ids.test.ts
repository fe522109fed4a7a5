// Rule IDs in a session's rule set (nodes/upf/install.ts): short lists are scanned, long ones
// (past 16 rules) indexed; both must refuse a repeated ID or a reference to a missing rule
// (TS 29.244 7.5.3.1: cause 73 with the Failed Rule ID) and install the same rules.

import { describe, it, expect } from 'vitest';
import { UpfDatapath } from '../../nodes/upf/datapath.ts';
import { pdr, CORE } from '../helpers/upf-rules.ts';
import { FarAction } from '../../nodes/upf/datapath.ts';
import type { RuleSet } from '../../nodes/upf/rules.ts';

function datapath(): UpfDatapath {
  return new UpfDatapath({ capacity: 1000, now: () => 1000, errorIndicationBurst: 3, errorIndicationRate: 1 }, { toN6: () => undefined, toN3: () => undefined, errorIndication: () => undefined, report: () => undefined });
}

/** `n` uplink PDRs, each with its own chosen F-TEID (CHOOSE ID i) and its own FAR, and one URR each. */
function rules(n: number): RuleSet {
  const r: RuleSet = { pdrs: [], fars: [], qers: [], urrs: [] };
  for (let i = 1; i <= n; i++) {
    r.pdrs.push(pdr(i, { fteid: { choose: true, chooseId: i }, qfis: [9], outerHeaderRemoval: true, farId: i, urrIds: [i] }));
    r.fars.push({ id: i, action: FarAction.FORW, destination: CORE });
    r.urrs.push({ id: i, method: 3, triggers: 0 });
  }
  return r;
}

describe('UPF rule IDs, short and long rule sets', () => {
  for (const n of [4, 40]) {
    it(`${n} PDRs: each gets its TEID; a repeated rule ID or a missing FAR is refused with its Failed Rule ID`, () => {
      const dp = datapath();
      const { created } = dp.establish(rules(n));
      expect(created.map((c) => c.pdrId)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      expect(new Set(created.map((c) => c.teid)).size).toBe(n);
      const twice = rules(n);
      twice.pdrs[n - 1] = { ...twice.pdrs[n - 1], id: 2 };
      expect(() => dp.establish(twice)).toThrow(expect.objectContaining({ pfcpCause: 73, failedRule: { ruleType: 0, id: 2 } }));
      const farTwice = rules(n);
      farTwice.fars[n - 1] = { ...farTwice.fars[n - 1], id: 1 };
      expect(() => dp.establish(farTwice)).toThrow(expect.objectContaining({ pfcpCause: 73, failedRule: { ruleType: 1, id: 1 } }));
      const missing = rules(n);
      missing.pdrs[n - 2] = { ...missing.pdrs[n - 2], farId: n + 1 };
      expect(() => dp.establish(missing)).toThrow(expect.objectContaining({ pfcpCause: 73, failedRule: { ruleType: 0, id: n - 1 } }));
      expect(dp.sessions).toBe(1);
    });
  }

  it('a modification keeps the TEIDs of the PDRs it keeps and removes the URR it drops (40 rules)', () => {
    const dp = datapath();
    const first = rules(40);
    const { seid } = dp.establish(first);
    const next = rules(40);
    next.pdrs.pop();
    next.fars.pop();
    next.urrs.pop();
    next.pdrs.push(pdr(41, { sourceInterface: CORE, ueAddress: 0x0a2d0002, farId: 1, urrIds: [1] }));
    const r = dp.modify(seid, next)!;
    expect(r.created).toEqual([]);
    expect(r.removedUrrReports.map((u) => u.urrId)).toEqual([40]);
    expect(dp.query(seid).map((u) => u.urrId)).toEqual(Array.from({ length: 39 }, (_, i) => i + 1));
  });
});
