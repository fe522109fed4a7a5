// The order of an SM Policy Association Termination's steps, judged from the trace of a live
// network while `ctl pcf terminate`, `ctl af delete` and `ctl udr notify` (and their scenario
// steps pcf-terminate, af-delete, policy-update) run, so that the command
// fails — and a scenario exits non-zero — when the steps did not happen in the clauses' order
// (issue 16: "exit 0 only when every step happened in order"):
//   - the PCF's 4.16.6 steps (sent by the PCF, and the SMF's Delete of step 2) never go back;
//   - step 1 comes before the network-requested release (4.3.4.2) begins, and 4.3.4.2 step 11
//     (the SMF told the AMF the session is released) before step 2.
// SBI trace events do not carry the UE, so two terminations at the same time cannot be told
// apart: a window with more than one step 1 or step 2 is not judged (undefined), never failed.

import { subscribeTrace, type TraceEvent } from '../common/trace.ts';

const STEP_4166 = /^4\.16\.6 step (\d+)/;

/**
 * The order problem in `events` (a termination's trace), '' when in order, undefined when it
 * cannot be judged. `optional`: a window where no termination began (an AF delete or a policy data
 * change that ended no session) is in order.
 */
export function terminationOrderProblem(events: readonly TraceEvent[], pcf = 'PCF', optional = false): string | undefined {
  const own = events.filter((e) => !e.response && e.step && STEP_4166.test(e.step) && (e.from === pcf || (e.to === pcf && e.message === 'Npcf_SMPolicyControl_Delete')));
  const count = (n: number) => own.filter((e) => Number(STEP_4166.exec(e.step!)![1]) === n).length;
  if (count(1) > 1 || count(2) > 1) return undefined;
  if (optional && count(1) === 0 && count(2) === 0) return '';
  if (count(1) === 0 || count(2) === 0) return `4.16.6 step ${count(1) === 0 ? 1 : 2} did not happen`;
  let last = 0;
  for (const e of own) {
    const n = Number(STEP_4166.exec(e.step!)![1]);
    if (n < last) return `4.16.6 step ${n} (${e.from}>${e.to} ${e.message}) came after step ${last}`;
    last = n;
  }
  const at = (p: (e: TraceEvent) => boolean) => events.findIndex((e) => !e.response && p(e));
  const step1 = at((e) => e.from === pcf && e.step === '4.16.6 step 1');
  const step2 = at((e) => e.to === pcf && e.step === '4.16.6 step 2');
  const release = at((e) => e.step?.startsWith('4.3.4.2 step') === true);
  if (release >= 0 && release < step1) return `the release (${events[release].message}, ${events[release].step}) began before 4.16.6 step 1`;
  const step11 = at((e) => e.step === '4.3.4.2 step 11');
  if (step11 >= 0 && step11 > step2) return '4.16.6 step 2 came before 4.3.4.2 step 11';
  return '';
}

/** Watches the trace while `run` runs, then throws when the termination's steps were out of order. */
export async function inTerminationOrder<T>(run: () => Promise<T>, o: { pcf?: string; optional?: boolean } = {}): Promise<T> {
  const events: TraceEvent[] = [];
  const off = subscribeTrace((e) => events.push(e));
  let result: T;
  try {
    result = await run();
  } finally {
    off();
  }
  const problem = terminationOrderProblem(events, o.pcf ?? 'PCF', o.optional === true);
  if (problem) throw new Error(`SM Policy Association Termination out of order: ${problem}`);
  return result;
}
