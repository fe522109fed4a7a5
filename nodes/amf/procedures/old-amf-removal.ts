// The old AMF's removal of a UE context another AMF now serves (TS 23.502 4.2.2.2.2 step 14d, with
// steps 5 and 10 before it):
//   step 10   the new AMF said TRANSFERRED (registration-status-update.ts): the sessions it named
//             are released there, the others are the new AMF's; the context waits here for 14d,
//             guarded by the implementation specific timer of step 5 (transferGuardMs) in case the
//             new AMF never registers at the UDM;
//   step 14d  Nudm_UECM_DeregistrationNotification from the UDM (TS 29.503 5.3.2.3.2), when the new
//             AMF registered for 3GPP access: removal reason UE_INITIAL_REGISTRATION (the old AMF
//             releases the SM contexts, as 4.2.2.3.2 steps 2-4) or UE_REGISTRATION_AREA_CHANGE. The
//             old AMF terminates its AM and UE policy associations (the new AMF set up its own,
//             pcfReselectedInd), performs AN release if it still has an N2 connection for the UE,
//             and removes the context; its UDM registration is the new AMF's now (nothing to purge);
//   step 14e  Nudm_SDM_Unsubscribe (no UE context for another access type).
// A UE context whose sessions no transfer took (the new AMF did not fetch the context, or said
// NOT_TRANSFERRED, 4.2.2.2.3 step 5) still holds them: no AMF will signal for them any more, so
// they are released as for an initial registration.

import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import { releaseSessions, terminatePolicyAssociations, unsubscribeFromSdm } from './held-resources.ts';
import { releaseUeContext } from './ue-context-release.ts';

/** TS 23.502 4.2.2.2.2 step 5: "an implementation specific (guard) timer for the UE context"; wire5g's default. */
export const TRANSFER_GUARD_MS = 10_000;

/** Why the old AMF removes the context: the UDM's removal reason (TS 29.503 DeregistrationReason), or its own guard timer. */
export type RemovalReason = 'UE_INITIAL_REGISTRATION' | 'UE_REGISTRATION_AREA_CHANGE' | 'guard timer';

/** The contexts whose removal has started (the UDM's notification and the guard timer may both come). */
const removing = new WeakSet<AmfUe>();

/** Step 10 TRANSFERRED: the context stays until step 14d, at most the guard timer's time. */
export function awaitRemoval(amf: Amf, ue: AmfUe): void {
  amf.clock.clearTimeout(ue.transferGuardTimer);
  ue.transferGuardTimer = amf.clock.setTimeout(() => {
    ue.transferGuardTimer = undefined;
    if (amf.bySupi.get(ue.supi ?? '') !== ue) return;
    amf.log(`UE ${ue.supi ?? '-'}: no Nudm_UECM_DeregistrationNotification within ${amf.timers.transferGuardMs ?? TRANSFER_GUARD_MS} ms of the context transfer; removed (TS 23.502 4.2.2.2.2 step 5 guard timer)`);
    amf.track(removeOldContext(amf, ue, 'guard timer'));
  }, amf.timers.transferGuardMs ?? TRANSFER_GUARD_MS);
}

/** Step 14d (and 14e) at the old AMF. */
export async function removeOldContext(amf: Amf, ue: AmfUe, reason: RemovalReason): Promise<void> {
  if (removing.has(ue)) return;
  removing.add(ue);
  amf.clock.clearTimeout(ue.transferGuardTimer);
  ue.transferGuardTimer = undefined;
  const step = reason === 'guard timer' ? '4.2.2.2.2 step 5 (guard timer)' : '4.2.2.2.2 step 14d';
  // "If the serving NF removal reason indicated by the UDM is Initial Registration ... the old AMF
  // invokes the Nsmf_PDUSession_ReleaseSMContext"; sessions no transfer took go the same way
  await releaseSessions(amf, ue, step);
  await terminatePolicyAssociations(amf, ue, step);
  // the new AMF's Nudm_UECM_Registration (step 14a) replaced this one: nothing to purge
  ue.uecmRegistered = false;
  await unsubscribeFromSdm(amf, ue, reason === 'guard timer' ? step : '4.2.2.2.2 step 14e');
  // "If the old AMF has an N2 connection for that UE ... the old AMF shall perform AN Release"
  if (!ue.released) await releaseUeContext(amf, ue, { radioNetwork: 'release-due-to-cn-detected-mobility' }, step);
  amf.log(`UE ${ue.supi ?? '-'}: served by another AMF (${reason}); UE context removed (TS 23.502 4.2.2.2.2 step 14d)`);
  amf.forget(ue);
}
