// UDM-initiated deregistration, TS 23.502 4.2.2.3.3 step 1 (TS 29.503 5.3.2.3.2
// Nudm_UECM_DeregistrationNotification): the UDM tells the AMF registered for the UE over an
// access, at the deregCallbackUri the AMF gave in its Nudm_UECM_Registration, that the UE is to
// be removed (DeregistrationData: deregReason, accessType). The AMF answers 204 (step 3) and
// deregisters the UE; the UDM purges the AMF's registration (Nudr_DM_Update of the context data
// with purgeFlag) once the notification is acknowledged.
// TS 23.502 4.2.2.2.2 step 14d: when another AMF registers for the same access (step 14a), the UDM
// notifies the old AMF the same way, with the removal reason UE_INITIAL_REGISTRATION (the new AMF's
// registration was an initial one: the old AMF releases the UE's SM contexts) or
// UE_REGISTRATION_AREA_CHANGE (a mobility registration update: the sessions went to the new AMF).

import { SbiProblem } from '../../common/sbi.ts';
import type { notifier, udrClient } from '../../common/sbi/client.ts';

/** TS 29.503 6.2.6.3.3 DeregistrationReason (the values the UDM emits here). */
export type DeregistrationReason = 'SUBSCRIPTION_WITHDRAWN' | 'REREGISTRATION_REQUIRED' | 'UE_INITIAL_REGISTRATION' | 'UE_REGISTRATION_AREA_CHANGE';

export interface UdmUecmState {
  notify: ReturnType<typeof notifier>;
  nudr: ReturnType<typeof udrClient>['dr'];
  /** The AMF registrations over 3GPP access, by SUPI (the Nudm_UECM_Registration body). */
  amfRegistrations: Map<string, unknown>;
}

/**
 * Step 1 for the UE's AMF registration over 3GPP access; resolves when the AMF acknowledged it and
 * the registration is gone. Throws SbiProblem 404 when no AMF is registered for the UE.
 */
export async function deregistrationNotification(u: UdmUecmState, supi: string, reason: DeregistrationReason): Promise<void> {
  const reg = u.amfRegistrations.get(supi) as { deregCallbackUri?: unknown } | undefined;
  if (!reg || typeof reg.deregCallbackUri !== 'string') throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no AMF is registered for ${supi} over 3GPP access`);
  // step 1; the 204 is step 3's acknowledgement (anything else throws)
  await u.notify.deregistrationNotify(reg.deregCallbackUri, { deregReason: reason, accessType: '3GPP_ACCESS' }, { step: '4.2.2.3.3 step 1' });
  // the registration the AMF was told about is purged, as the AMF's own deregistration would
  // (TS 29.503 5.3.2.4.2 step 2: purgeFlag recorded in the UDR); the AMF will not send one
  if (u.amfRegistrations.get(supi) === reg) {
    u.amfRegistrations.delete(supi);
    await u.nudr.modifyAmfContext3gpp(supi, [{ op: 'add', path: '/purgeFlag', value: true }], { step: '4.2.2.3.3 step 3' });
  }
}

/**
 * Step 14d: the registration `old` of another AMF was replaced by `now`'s; the old AMF is told at its
 * deregCallbackUri. Nothing is purged (the new AMF is registered). An error answer or none is
 * logged by the caller: the new AMF's registration stands whatever the old AMF says.
 */
export async function notifyReplacedAmf(u: Pick<UdmUecmState, 'notify'>, old: { deregCallbackUri: string }, now: { initialRegistrationInd?: boolean }): Promise<void> {
  const deregReason: DeregistrationReason = now.initialRegistrationInd === true ? 'UE_INITIAL_REGISTRATION' : 'UE_REGISTRATION_AREA_CHANGE';
  await u.notify.deregistrationNotify(old.deregCallbackUri, { deregReason, accessType: '3GPP_ACCESS' }, { step: '4.2.2.2.2 step 14d' });
}
