// Issue 21 ("zero leaks"): what the AF creates at the PCF (an app session, an event subscription),
// whose 201 reaches it after its SBI time-out. The O&M request fails; the resource of the late 201
// is ended by the AF at its Location (nodes/af/service.ts). The network and the checks:
// test/helpers/late-answers.ts.
import { lateAnswerSuite, type LateCase } from '../helpers/late-answers.ts';

const CASES: LateCase[] = [
  { name: 'Npcf_PolicyAuthorization_Create, deleted at its Location', consumer: 'af', producer: 'PCF', create: { method: 'POST', path: '/npcf-policyauthorization/v1/app-sessions' }, undo: { method: 'POST', path: '/npcf-policyauthorization/v1/app-sessions/{appSessionId}/delete' }, during: 'app session' },
  { name: 'Npcf_EventExposure_Subscribe, unsubscribed at its Location', consumer: 'af', producer: 'PCF', create: { method: 'POST', path: '/npcf-eventexposure/v1/subscriptions' }, undo: { method: 'DELETE', path: '/npcf-eventexposure/v1/subscriptions/{subscriptionId}' }, during: 'pc events' },
];

lateAnswerSuite('a creation whose 201 reaches the AF after its SBI time-out (issue 21)', [71, 72], CASES);
