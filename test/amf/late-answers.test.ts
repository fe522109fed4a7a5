// Issue 21 ("zero leaks"): a creation the AMF asked for, whose 201 reaches it after its SBI
// time-out. The producer created the resource and counts its answer delivered (the stream closed
// cleanly), so only the AMF can end it: it does, with the spec's own operation for ending it, at
// the Location (or link) of the late answer (nodes/amf/late-answers.ts). The network and the
// checks: test/helpers/late-answers.ts.
import { lateAnswerSuite, type LateCase } from '../helpers/late-answers.ts';

const CASES: LateCase[] = [
  { name: 'Npcf_AMPolicyControl_Create (step 16), deleted at its Location', consumer: 'amf', producer: 'PCF', create: { method: 'POST', path: '/npcf-am-policy-control/v1/policies' }, undo: { method: 'DELETE', path: '/npcf-am-policy-control/v1/policies/{polAssoId}' }, during: 'registration' },
  { name: 'Npcf_UEPolicyControl_Create (step 21b), deleted at its Location', consumer: 'amf', producer: 'PCF', create: { method: 'POST', path: '/npcf-ue-policy-control/v1/policies' }, undo: { method: 'DELETE', path: '/npcf-ue-policy-control/v1/policies/{polAssoId}' }, during: 'registration' },
  { name: 'Nausf_UEAuthentication_Authenticate (step 8), deleted at its 5g-aka link', consumer: 'amf', producer: 'AUSF', create: { method: 'POST', path: '/nausf-auth/v1/ue-authentications' }, undo: { method: 'DELETE', path: '/nausf-auth/v1/ue-authentications/{authCtxId}/5g-aka-confirmation' }, during: 'registration' },
  { name: 'Nudm_SDM_Subscribe (step 14c), unsubscribed at its Location', consumer: 'amf', producer: 'UDM', create: { method: 'POST', path: '/nudm-sdm/v2/{ueId}/sdm-subscriptions' }, undo: { method: 'DELETE', path: '/nudm-sdm/v2/{ueId}/sdm-subscriptions/{subscriptionId}' }, during: 'registration' },
  { name: 'Nudm_UECM_Registration (step 14a), purged', consumer: 'amf', producer: 'UDM', create: { method: 'PUT', path: '/nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access' }, undo: { method: 'PATCH', path: '/nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access' }, during: 'registration' },
  // without the undo this one ends with the ledgers back too, later and by another path: the SMF's
  // N1N2MessageTransfer for the session is refused by the AMF (409) and the SMF releases it itself
  { name: 'Nsmf_PDUSession_CreateSMContext (4.3.2.2.1 step 3), released at its Location', consumer: 'amf', producer: 'SMF', create: { method: 'POST', path: '/nsmf-pdusession/v1/sm-contexts' }, undo: { method: 'POST', path: '/nsmf-pdusession/v1/sm-contexts/{smContextRef}/release' }, during: 'pdu session' },
];

lateAnswerSuite('a creation whose 201 reaches the AMF after its SBI time-out (issue 21)', [61, 62], CASES);
