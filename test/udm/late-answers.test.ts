// Issue 21 ("zero leaks"): what the UDM creates at the UDR for an AMF's or SMF's request, whose
// answer reaches it after its SBI time-out. The request fails; the UDR's resource of the late
// answer is ended by the UDM as at the matching deregistration or unsubscription (nodes/udm/uecm.ts,
// sdm.ts). The network and the checks: test/helpers/late-answers.ts.
import { lateAnswerSuite, type LateCase } from '../helpers/late-answers.ts';

const CASES: LateCase[] = [
  { name: 'Nudr_DM_Subscribe (subscription data, for the AMF\'s SDM subscription), unsubscribed at its Location', consumer: 'udm', producer: 'UDR', create: { method: 'POST', path: '/nudr-dr/v1/subscription-data/subs-to-notify' }, undo: { method: 'DELETE', path: '/nudr-dr/v1/subscription-data/subs-to-notify/{subsId}' }, during: 'registration' },
  { name: 'Nudr_DM_Create of the AMF context-data (for the AMF\'s UECM registration), purged', consumer: 'udm', producer: 'UDR', create: { method: 'PUT', path: '/nudr-dr/v1/subscription-data/{ueId}/context-data/amf-3gpp-access' }, undo: { method: 'PATCH', path: '/nudr-dr/v1/subscription-data/{ueId}/context-data/amf-3gpp-access' }, during: 'registration' },
  { name: 'Nudr_DM_Create of the SMF context-data (for the SMF\'s UECM registration), deleted', consumer: 'udm', producer: 'UDR', create: { method: 'PUT', path: '/nudr-dr/v1/subscription-data/{ueId}/context-data/smf-registrations/{pduSessionId}' }, undo: { method: 'DELETE', path: '/nudr-dr/v1/subscription-data/{ueId}/context-data/smf-registrations/{pduSessionId}' }, during: 'pdu session' },
];

lateAnswerSuite('a creation whose answer reaches the UDM after its SBI time-out (issue 21)', [69, 70], CASES);
