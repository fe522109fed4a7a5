// Network-initiated Deregistration, TS 23.502 4.2.2.3.3 (AMF side; TS 24.501 5.5.2.3 network side):
//   step 1    (UDM-initiated) Nudm_UECM_DeregistrationNotification reached the AMF (namf.ts callback)
//   step 2    DEREGISTRATION REQUEST (UE terminated) with the de-registration type, access type,
//             5GMM cause and rejected NSSAI as applicable; T3522 (6 s) retransmits it four
//             times, the fifth expiry aborts the procedure (TS 24.501 5.5.2.3.5). No NAS message
//             for an implicit deregistration. A UE in CM-IDLE is paged first (the clause: "If the
//             Deregistration Request message is sent over 3GPP access and the UE is in CM-IDLE
//             state in 3GPP access, the AMF pages the UE"; paging.ts, service-request.ts); one
//             that does not answer (T3513) is deregistered locally, without NAS
//   step 3    (UDM-initiated) the notification was answered (the callback's 204); Nudm_SDM_Unsubscribe
//   step 4    every PDU session released as 4.2.2.3.2 steps 2-5 (Nsmf_PDUSession_ReleaseSMContext;
//             the SMF's own messages carry the 4.2.2.3.2 steps it performs)
//   steps 5, 5a AM and UE Policy Association Termination
//   step 6    DEREGISTRATION ACCEPT (UE terminated) from the UE, any time after step 2
// Emergency exception: a UE with an emergency PDU session is not deregistered; its other PDU
// sessions are released by 4.3.4.2 instead (emergency.ts).
//   step 7    N2 UE Context Release; then, unless the UDM itself withdrew the registration,
//             Nudm_SDM_Unsubscribe and Nudm_UECM_Deregistration (the clause's last paragraph)
// Collisions (TS 24.501 5.5.2.3.5): a DEREGISTRATION REQUEST from the UE while this runs is
// answered (DEREGISTRATION ACCEPT unless switch off) and completes step 6; a REGISTRATION or
// SERVICE REQUEST waits behind this procedure (it runs on the UE's procedure chain) and finds
// the context gone, i.e. the network progresses the de-registration and ignores it.

import { removeOldContext } from './old-amf-removal.ts';
import { nasMessage, gprsTimer2 } from '../../../codecs/nas/index.ts';
import { SbiProblem, objectBody } from '../../common/sbi.ts';
import { noContent, type AnswerOf, type RequestOf } from '../../common/sbi/routes.ts';
import type { CALLBACKS } from '../../common/sbi/operations.ts';
import type { components as UecmC } from '../../common/sbi-types/TS29503_Nudm_UECM.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, ReceivedNas } from '../context.ts';
import { ProcedureAborted, FiveGmmCause } from '../gmm.ts';
import { sendNas, exchange } from '../n1.ts';
import { releaseSessions, terminatePolicyAssociations, deregisterFromUdm, unsubscribeFromSdm } from './held-resources.ts';
import { releaseUeContext } from './ue-context-release.ts';
import { page } from './paging.ts';
import { hasEmergencySession, keepEmergencyRegistration } from './emergency.ts';

/** What started the procedure (TS 23.502 4.2.2.3.3 step 1-2). */
export type DeregistrationTrigger = 'o&m' | 'udm' | 'no-allowed-nssai' | 'implicit' | 'onboarding-timer';

export interface NetworkDeregistration {
  trigger: DeregistrationTrigger;
  /** TS 24.501 9.11.3.20: 1 3GPP, 2 non-3GPP, 3 both. */
  accessType: 1 | 2 | 3;
  reRegistrationRequired: boolean;
  /** TS 24.501 9.11.3.2 5GMM cause, when the de-registration says why. */
  fiveGmmCause?: number;
  /** TS 24.501 9.11.3.46: the S-NSSAIs the UE may not use, each with its cause. */
  rejectedNssai?: { cause: number; sst: number; sd?: number }[];
  /** TS 24.501 9.11.2.4 T3346 value (GPRS timer 2) in seconds: the back-off of #22 "congestion". */
  t3346Seconds?: number;
}

/** TS 24.501 5.5.2.3.1: #22 "congestion" goes with a T3346 value, and a T3346 value only with #22. */
export function t3346Refusal(fiveGmmCause: number | undefined, t3346Seconds: number | undefined): string | undefined {
  if (fiveGmmCause === FiveGmmCause.Congestion && t3346Seconds === undefined) return 'cause 22 (congestion) needs the T3346 back-off value (TS 24.501 5.5.2.3.1): give --t3346 SECONDS';
  if (t3346Seconds !== undefined && fiveGmmCause !== FiveGmmCause.Congestion) return 'a T3346 value goes with cause 22 (congestion) only (TS 24.501 5.5.2.3.1)';
  return undefined;
}

export type NetworkDeregistrationOutcome =
  | 'accepted' // step 6 came
  | 'aborted-after-t3522' // no DEREGISTRATION ACCEPT after four retransmissions
  | 'ue-deregistered' // the UE's own DEREGISTRATION REQUEST crossed ours
  | 'implicit' // no NAS message (implicit)
  | 'unreachable' // CM-IDLE and no answer to paging: deregistered locally
  | 'not-registered' // nothing to do
  | 'emergency-kept' // the UE has an emergency PDU session: its other sessions released instead (emergency.ts)
  | 'other-access'; // non-3GPP only: wire5g UEs are registered over 3GPP access alone

const ANSWERS = ['Deregistration accept (UE terminated)', 'Deregistration request (UE originating)'] as const;

/**
 * Starts the procedure after whatever the UE's context is busy with (a registration in flight
 * finishes first); resolves with how it ended.
 */
export function networkInitiatedDeregistration(amf: Amf, ue: AmfUe, d: NetworkDeregistration): Promise<NetworkDeregistrationOutcome> {
  const run = ue.busy.then(() => deregister(amf, ue, d));
  ue.busy = run.then(() => undefined, () => undefined);
  amf.track(run.then(() => undefined));
  return run;
}

async function deregister(amf: Amf, idle: AmfUe, d: NetworkDeregistration): Promise<NetworkDeregistrationOutcome> {
  if (idle.state !== '5GMM-REGISTERED' || !idle.supi) return 'not-registered';
  if (d.accessType === 2) return 'other-access';
  // a UE in CM-IDLE is paged; its Service request brings it back on a new NG connection (context)
  let ue = idle;
  let unreachable = false;
  if (d.trigger !== 'implicit' && idle.released) {
    const connected = await page(amf, idle, 'a network-initiated de-registration (TS 23.502 4.2.2.3.3)');
    if (connected) ue = connected;
    else unreachable = true;
    if (ue.state !== '5GMM-REGISTERED' || !ue.supi) return 'not-registered';
  }
  // the emergency exception: not deregistered, the non-emergency sessions released (emergency.ts);
  // also for a UE registered for emergency services (emergency-registration.ts)
  if (d.trigger !== 'implicit' && !unreachable && (hasEmergencySession(ue) || ue.emergencyRegistered)) {
    const cause = d.trigger === 'udm' ? 'REL_DUE_TO_SUBSCRIPTION_CHANGE' : d.trigger === 'no-allowed-nssai' ? 'REL_DUE_TO_SLICE_NOT_AVAILABLE' : undefined;
    await keepEmergencyRegistration(amf, ue, { udmWithdrew: d.trigger === 'udm', ...(cause ? { cause } : {}) });
    return 'emergency-kept';
  }
  ue.state = '5GMM-DEREGISTERED-INITIATED';
  // step 2: DEREGISTRATION REQUEST (UE terminated), guarded by T3522
  const explicit = d.trigger !== 'implicit' && !ue.released;
  const answer = explicit ? sendDeregistrationRequest(amf, ue, d) : undefined;
  answer?.catch(() => {}); // awaited at step 6
  // step 3: the UDM's notification has been answered; the AMF holds no other access: unsubscribe
  if (d.trigger === 'udm') await unsubscribeFromSdm(amf, ue, '4.2.2.3.3 step 3');
  // step 4: 4.2.2.3.2 steps 2-5 for every PDU session
  await releaseSessions(amf, ue, '4.2.2.3.3 step 4', d.fiveGmmCause, d.trigger === 'no-allowed-nssai' ? 'REL_DUE_TO_SLICE_NOT_AVAILABLE' : undefined);
  // steps 5, 5a: AM and UE Policy Association Termination
  await terminatePolicyAssociations(amf, ue, '4.2.2.3.3 step 5');
  // step 6: the UE's DEREGISTRATION ACCEPT (or the abnormal ends of TS 24.501 5.5.2.3.5)
  let outcome: NetworkDeregistrationOutcome = unreachable ? 'unreachable' : 'implicit';
  if (answer) {
    try {
      outcome = onAnswer(amf, ue, await answer);
    } catch (e) {
      if (!(e instanceof ProcedureAborted)) throw e;
      amf.log(`UE ${ue.amfUeNgapId}: network-initiated de-registration aborted: ${e.message} (TS 24.501 5.5.2.3.5)`);
      outcome = 'aborted-after-t3522';
    }
  }
  // step 7: N2 UE Context Release, then the UDM (the UDM-initiated case: it already removed the registration)
  amf.stats.deregistrations++;
  await releaseUeContext(amf, ue, { nas: 'deregister' }, '4.2.2.3.3 step 7');
  if (d.trigger === 'udm') ue.uecmRegistered = false;
  await deregisterFromUdm(amf, ue, '4.2.2.3.3 step 7');
  amf.forget(ue);
  return outcome;
}

/** Step 2 and its T3522 retransmissions; resolves with the UE's answer. */
function sendDeregistrationRequest(amf: Amf, ue: AmfUe, d: NetworkDeregistration): Promise<ReceivedNas> {
  const request = nasMessage('Deregistration request (UE terminated)', {
    deregistrationType: { switchOff: false, reRegistrationRequired: d.reRegistrationRequired, accessType: d.accessType },
    ...(d.fiveGmmCause !== undefined ? { fiveGmmCause: d.fiveGmmCause } : {}),
    ...(d.t3346Seconds !== undefined ? { t3346Value: gprsTimer2(d.t3346Seconds) } : {}),
    ...(d.rejectedNssai?.length ? { rejectedNssai: d.rejectedNssai } : {}),
  });
  let attempt = 0;
  return exchange(amf, ue, ANSWERS, amf.timers.t3522Ms, () => {
    const n = attempt++;
    sendNas(amf, ue, request, n === 0 ? '4.2.2.3.3 step 2' : `4.2.2.3.3 step 2 (T3522 retransmission ${n}, TS 24.501 5.5.2.3.5)`);
  });
}

/** Step 6, or the de-registration collision of TS 24.501 5.5.2.3.5. */
function onAnswer(amf: Amf, ue: AmfUe, r: ReceivedNas): NetworkDeregistrationOutcome {
  if (r.message.name === 'Deregistration accept (UE terminated)') return 'accepted';
  // the UE's own de-registration crossed ours: it is answered (unless switch off) and ends both
  const type = r.message.ies.deregistrationType as { switchOff: boolean } | undefined;
  if (!type?.switchOff) sendNas(amf, ue, nasMessage('Deregistration accept (UE originating)', {}), '4.2.2.3.3 step 6 (collision, TS 24.501 5.5.2.3.5)');
  return 'ue-deregistered';
}

/**
 * Steps 1-3 at the AMF: Nudm_UECM_DeregistrationNotification (TS 29.503 6.2.6.2.4
 * DeregistrationData). UE_INITIAL_REGISTRATION and UE_REGISTRATION_AREA_CHANGE are the UDM's step
 * 14d of 4.2.2.2.2 (another AMF serves the UE: old-amf-removal.ts). SUBSCRIPTION_WITHDRAWN deregisters the UE over the access named
 * (re-registration not required, 5GMM cause #7 "5GS services not allowed": the UE may no longer
 * use the network); REREGISTRATION_REQUIRED asks the UE to register again. The 204 is step 3's
 * acknowledgement; the procedure runs after it.
 */
export function deregistrationNotification(amf: Amf, req: RequestOf<typeof CALLBACKS.deregistrationNotify>): AnswerOf<typeof CALLBACKS.deregistrationNotify> {
  const body = objectBody(req) as Partial<UecmC['schemas']['DeregistrationData']>;
  const accessType = body.accessType === '3GPP_ACCESS' ? 1 : body.accessType === 'NON_3GPP_ACCESS' ? 2 : undefined;
  if (typeof body.deregReason !== 'string' || accessType === undefined) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'deregReason and accessType (3GPP_ACCESS or NON_3GPP_ACCESS) are required');
  const ue = amf.bySupi.get(req.params.supi);
  // TS 23.502 4.2.2.2.2 step 14d: another AMF registered at the UDM for the UE (old-amf-removal.ts)
  if (body.deregReason === 'UE_INITIAL_REGISTRATION' || body.deregReason === 'UE_REGISTRATION_AREA_CHANGE') {
    if (!ue) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no UE context of ${req.params.supi}`);
    const reason = body.deregReason;
    return noContent(() => removeOldContext(amf, ue, reason));
  }
  if (body.deregReason !== 'SUBSCRIPTION_WITHDRAWN' && body.deregReason !== 'REREGISTRATION_REQUIRED') throw new SbiProblem(403, 'UNSUPPORTED_DEREG_REASON', `deregReason ${body.deregReason} is not acted on by this AMF`);
  if (!ue || ue.state === '5GMM-DEREGISTERED') throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no registration of ${req.params.supi}`);
  const withdrawn = body.deregReason === 'SUBSCRIPTION_WITHDRAWN';
  const d: NetworkDeregistration = { trigger: 'udm', accessType, reRegistrationRequired: !withdrawn, ...(withdrawn ? { fiveGmmCause: FiveGmmCause.FiveGsServicesNotAllowed } : {}) };
  return noContent(async () => void (await networkInitiatedDeregistration(amf, ue, d)));
}
