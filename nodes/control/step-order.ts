// A scenario step's `order:` (docs/decisions/scenario-step-order.md): the trace patterns that must be
// traced, in that order, while the step runs, so that a built-in scenario states the clause's step
// order (TS 23.502 4.3.4.3 step 1a, 2, 3a, ...) and the run is not OK when it is not followed.
// A pattern is a substring of the line `FROM>TO message [step]` (traceLine), as the tests write it.

import { subscribeTrace, type TraceEvent } from '../common/trace.ts';
import type { Scenario, UeGroup } from './scenario-parse.ts';

/** `SMF>H-SMF Nsmf_PDUSession_Update [4.3.4.3 step 1a]`: what a step's `order:` patterns are matched against. */
export function traceLine(e: TraceEvent): string {
  return `${e.from}>${e.to} ${e.message}${e.step ? ` [${e.step}]` : ''}`;
}

/** Why `lines` do not hold every pattern of `order` in that order (each after the one before), or undefined. */
export function orderMismatch(lines: string[], order: string[]): string | undefined {
  let last = -1;
  for (let k = 0; k < order.length; k++) {
    const p = order[k];
    const i = lines.findIndex((x, j) => j > last && x.includes(p));
    if (i >= 0) {
      last = i;
      continue;
    }
    if (k === 0) return `'${p}' was not traced`;
    const before = lines.slice(0, last + 1).some((x) => x.includes(p));
    return `'${p}' was not traced after '${order[k - 1]}'${before ? ' (only before it)' : ''}`;
  }
  return undefined;
}

/**
 * Records the events traced from now on for a step of `group`; `finish` stops recording and returns
 * one line per UE (not in `skip`) whose order was not followed (`check`: the same, recording on). With one UE every event counts (SBI
 * and PFCP events carry no UE). With several, only NAS and NGAP-to-UE events carry the SUPI: the
 * patterns that match such an event of the group's are checked per UE on its own events, the others
 * (SBI, PFCP, the gNB's) in their order on the step's events as a whole.
 */
export function watchStepOrder(label: string, order: string[], group: string[]): { check(skip: ReadonlyMap<string, string>): string[]; finish(skip: ReadonlyMap<string, string>): string[] } {
  const events: TraceEvent[] = [];
  const off = subscribeTrace((e) => events.push(e));
  return {
    finish(skip) {
      off();
      return this.check(skip);
    },
    /** What `finish` would return now; recording goes on. */
    check(skip) {
      const live = group.filter((supi) => !skip.has(supi));
      if (live.length === 0) return [];
      const lines = events.map(traceLine);
      if (group.length === 1) {
        const why = orderMismatch(lines, order);
        return why ? [`${label} UE ${group[0]}: order not followed: ${why}`] : [];
      }
      const supis = new Set(group);
      const ofUe = (p: string) => events.some((e, k) => e.ue !== undefined && supis.has(e.ue) && lines[k].includes(p));
      const perUe = order.filter(ofUe);
      const out: string[] = [];
      for (const supi of live) {
        const why = orderMismatch(lines.filter((_, k) => events[k].ue === supi), perUe);
        if (why) out.push(`${label} UE ${supi}: order not followed: ${why}`);
      }
      const why = orderMismatch(lines, order.filter((p) => !ofUe(p)));
      if (why) out.push(`${label} UEs ${group[0]}..${group[group.length - 1]} (events of no one UE): order not followed: ${why}`);
      return out;
    },
  };
}

/** The `order:` of `scenario`'s step `action` on UEs `ues` ("2-2", 3 or "all"), for tests that check the same order on their own runs. */
export function stepOrder(scenario: Scenario, action: string, ues: string | number): string[] {
  const name = (g: UeGroup) => (g.kind === 'all' ? 'all' : g.kind === 'first' ? String(g.count) : `${g.from}-${g.to}`);
  const s = scenario.steps.find((x) => x.action === action && x.action !== 'wait' && 'group' in x && name(x.group) === String(ues));
  if (!s || s.action === 'wait' || !s.order) throw new Error(`scenario ${scenario.name}: no ${action} ${JSON.stringify(ues)} step with an order`);
  return s.order;
}
