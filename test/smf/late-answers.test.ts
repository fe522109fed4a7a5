// Issue 21 ("zero leaks"): what the SMF creates at other NFs for a PDU session, whose 201 (or, for
// the UECM registration's PUT, any 2xx) reaches it after its SBI time-out. The session fails; the
// resource of the late answer is ended by the SMF with the operation of its release (TS 23.502
// 4.3.4.2; nodes/smf/procedures/establishment.ts, charging.ts). The network and the checks:
// test/helpers/late-answers.ts. The SM policy association of test/smf/late-sm-policy.test.ts is
// here too, in the whole core.
import { describe, it } from 'vitest';
import { lateAnswerIsUndone, lateAnswerSuite, type LateCase } from '../helpers/late-answers.ts';

const CASES: LateCase[] = [
  { name: 'Nudm_UECM_Registration (step 4), deregistered', consumer: 'smf', producer: 'UDM', create: { method: 'PUT', path: '/nudm-uecm/v1/{ueId}/registrations/smf-registrations/{pduSessionId}' }, undo: { method: 'DELETE', path: '/nudm-uecm/v1/{ueId}/registrations/smf-registrations/{pduSessionId}' }, during: 'pdu session' },
  { name: 'Nudm_SDM_Subscribe (step 4), unsubscribed at its Location', consumer: 'smf', producer: 'UDM', create: { method: 'POST', path: '/nudm-sdm/v2/{ueId}/sdm-subscriptions' }, undo: { method: 'DELETE', path: '/nudm-sdm/v2/{ueId}/sdm-subscriptions/{subscriptionId}' }, during: 'pdu session' },
  { name: 'Nchf_ConvergedCharging_Create, released at its Location', consumer: 'smf', producer: 'CHF', create: { method: 'POST', path: '/nchf-convergedcharging/v3/chargingdata' }, undo: { method: 'POST', path: '/nchf-convergedcharging/v3/chargingdata/{ChargingDataRef}/release' }, during: 'pdu session', configure: (cfg) => void (cfg.chf.convergedCharging = true) },
  { name: 'Npcf_SMPolicyControl_Create (step 7b), deleted at its Location', consumer: 'smf', producer: 'PCF', create: { method: 'POST', path: '/npcf-smpolicycontrol/v1/sm-policies' }, undo: { method: 'POST', path: '/npcf-smpolicycontrol/v1/sm-policies/{smPolicyId}/delete' }, during: 'pdu session' },
];

lateAnswerSuite('a creation whose 201 reaches the SMF after its SBI time-out (issue 21)', [67, 68], CASES);

// home-routed roaming (issue 17): the V-SMF's Nsmf_PDUSession_Create at the H-SMF, through both SEPPs
const HOME_ROUTED: LateCase = { name: 'Nsmf_PDUSession_Create at the H-SMF (4.3.2.2.2 step 6), released at its Location', consumer: 'smf', producer: 'H-SMF', create: { method: 'POST', path: '/nsmf-pdusession/v1/pdu-sessions' }, undo: { method: 'POST', path: '/nsmf-pdusession/v1/pdu-sessions/{pduSessionRef}/release' }, during: 'pdu session', roaming: true };

describe.each([['node', 76], ['own', 78]] as const)('a home-routed session whose 201 reaches the V-SMF after its SBI time-out (issue 21), over %s HTTP/2', (http2, third) => {
  it(`${HOME_ROUTED.name}: every ledger of both PLMNs back at its start`, () => lateAnswerIsUndone(http2, third, HOME_ROUTED));
});
