// Issue 21 ("zero leaks"): what the PCF creates at other NFs for an SM policy association (TS
// 23.502 4.16.4), whose 201 reaches it after its SBI time-out. The association fails and is undone
// with what it held; the resource of the late 201 is ended by the PCF at its Location with the
// operation of 4.16.6 (nodes/pcf/sm-policy-bindings.ts, sm-policy.ts). The network and the checks:
// test/helpers/late-answers.ts.
import { lateAnswerSuite, type LateCase } from '../helpers/late-answers.ts';

const CASES: LateCase[] = [
  { name: 'Nbsf_Management_Register, deregistered at its Location', consumer: 'pcf', producer: 'BSF', create: { method: 'POST', path: '/nbsf-management/v1/pcfBindings' }, undo: { method: 'DELETE', path: '/nbsf-management/v1/pcfBindings/{bindingId}' }, during: 'pdu session' },
  { name: 'Nchf_SpendingLimitControl_Subscribe, unsubscribed at its Location', consumer: 'pcf', producer: 'CHF', create: { method: 'POST', path: '/nchf-spendinglimitcontrol/v1/subscriptions' }, undo: { method: 'DELETE', path: '/nchf-spendinglimitcontrol/v1/subscriptions/{subscriptionId}' }, during: 'pdu session' },
  { name: 'Nnwdaf_EventsSubscription_Subscribe, unsubscribed at its Location', consumer: 'pcf', producer: 'NWDAF', create: { method: 'POST', path: '/nnwdaf-eventssubscription/v1/subscriptions' }, undo: { method: 'DELETE', path: '/nnwdaf-eventssubscription/v1/subscriptions/{subscriptionId}' }, during: 'pdu session' },
  { name: 'Nudr_DM_Subscribe (policy data), unsubscribed at its Location', consumer: 'pcf', producer: 'UDR', create: { method: 'POST', path: '/nudr-dr/v1/policy-data/subs-to-notify' }, undo: { method: 'DELETE', path: '/nudr-dr/v1/policy-data/subs-to-notify/{subsId}' }, during: 'pdu session' },
];

lateAnswerSuite('a creation whose 201 reaches the PCF after its SBI time-out (issue 21)', [65, 66], CASES);
