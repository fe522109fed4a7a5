// The order judge of `ctl pcf terminate` (nodes/control/termination-order.ts) on hand-made traces:
// the clauses' order passes, a step going back or a release begun before step 1 fails, and two
// terminations at once (which the SBI trace cannot tell apart) are not judged. The live order is
// exercised by test/control/pcf-terminate.test.ts and the sm-policy-termination scenario, which
// fail when the judge does.
import { describe, it, expect } from 'vitest';
import { terminationOrderProblem } from '../../nodes/control/termination-order.ts';
import type { TraceEvent } from '../../nodes/common/trace.ts';

const ev = (from: string, to: string, message: string, step: string): TraceEvent => ({ time: 0, from, to, interface: 'SBI', protocol: 'HTTP/2', message, step });
const inOrder = [
  ev('PCF', 'SMF', 'Npcf_SMPolicyControl_UpdateNotify', '4.16.6 step 1'),
  ev('SMF', 'UPF', 'Session Deletion Request', '4.3.4.2 step 2a'),
  ev('SMF', 'AMF', 'Nsmf_PDUSession_SMContextStatusNotify', '4.3.4.2 step 11'),
  ev('SMF', 'PCF', 'Npcf_SMPolicyControl_Delete', '4.16.6 step 2'),
  ev('PCF', 'UDR', 'Nudr_DM_Update', '4.16.6 step 3'),
  ev('PCF', 'AF', 'Npcf_PolicyAuthorization_Notify', '4.16.6 step 5'),
  ev('PCF', 'BSF', 'Nbsf_Management_Deregister', '4.16.6 step 5'),
  ev('PCF', 'PCF', 'Npcf_PolicyAuthorization_Notify', '4.16.6 step 5 (4.16.14.2)'),
  // the AF's own delete after the notification may come any time: not the PCF's step
  ev('PCF', 'CHF', 'Nchf_SpendingLimitControl_Subscribe', '4.16.6 step 6'),
  ev('AF', 'PCF', 'Npcf_PolicyAuthorization_Delete', '4.16.6 step 5'),
  ev('PCF', 'UDR', 'Nudr_DM_Unsubscribe', '4.16.6 step 8'),
];

describe('SM Policy Association Termination order judge (TS 23.502 4.16.6, 4.3.4.2)', () => {
  it('the clauses\' order passes; a step going back, a missing step, a release before step 1 or step 2 before 4.3.4.2 step 11 fail', () => {
    expect(terminationOrderProblem(inOrder)).toBe('');
    const swapped = [...inOrder];
    [swapped[4], swapped[6]] = [swapped[6], swapped[4]];
    expect(terminationOrderProblem(swapped)).toMatch(/step 3 .* came after step 5/);
    expect(terminationOrderProblem(inOrder.filter((e) => e.step !== '4.16.6 step 2'))).toBe('4.16.6 step 2 did not happen');
    expect(terminationOrderProblem([inOrder[1], inOrder[0], ...inOrder.slice(2)])).toMatch(/began before 4.16.6 step 1/);
    expect(terminationOrderProblem([inOrder[0], inOrder[1], inOrder[3], inOrder[2], ...inOrder.slice(4)])).toBe('4.16.6 step 2 came before 4.3.4.2 step 11');
  });

  it('two terminations in one window are not judged (the SBI trace carries no UE); a window without one is in order only when optional', () => {
    expect(terminationOrderProblem([...inOrder, ...inOrder])).toBeUndefined();
    const afDeleteOnly = [ev('AF', 'PCF', 'Npcf_PolicyAuthorization_Delete', '')];
    expect(terminationOrderProblem(afDeleteOnly, 'PCF', true)).toBe('');
    expect(terminationOrderProblem(afDeleteOnly)).toBe('4.16.6 step 1 did not happen');
    expect(terminationOrderProblem(inOrder.slice(0, 3).concat(inOrder.slice(4)), 'PCF', true)).toBe('4.16.6 step 2 did not happen');
  });
});
