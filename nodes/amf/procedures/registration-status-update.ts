// Namf_Communication_RegistrationStatusUpdate (TS 29.518 5.2.2.2.3; TS 23.502 4.2.2.2.2 step 10),
// both sides:
//   - the new AMF, once the UE's registration with it no longer depends on the old AMF (after
//     authentication and NAS security, steps 8-9), tells the old AMF the UE context was
//     TRANSFERRED, with the PDU sessions it cannot keep (their S-NSSAI not served here) and
//     pcfReselectedInd (wire5g's new AMF sets up its own AM and UE policy associations, step 16 /
//     21b); or NOT_TRANSFERRED when the registration failed first ("the old AMF continues as if the
//     UE context transfer service operation was never received");
//   - the old AMF, told TRANSFERRED, releases the sessions named at their SMF and leaves the others
//     to the new AMF; the rest of the context (policy associations, SDM subscription, any NG
//     connection, the 5G-GUTI and SUPI) goes when the UDM's Nudm_UECM_DeregistrationNotification
//     comes (step 14d, old-amf-removal.ts). Its ledger is then back where it was before the UE came.

import { SbiProblem, objectBody } from '../../common/sbi.ts';
import { amfClient } from '../../common/sbi/client.ts';
import { ok, type AnswerOf, type RequestOf } from '../../common/sbi/routes.ts';
import type { AMF } from '../../common/sbi/operations.ts';
import type { components as CommC } from '../../common/sbi-types/TS29518_Namf_Communication.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, PduSessionRef } from '../context.ts';
import type { SNssai } from '../../../codecs/nas/index.ts';
import { releaseSmContextOf } from './held-resources.ts';
import { awaitRemoval } from './old-amf-removal.ts';
import { ueOfContextId } from './ue-context-transfer.ts';
import { stopOnboardingDeregistrationTimer } from './registration-onboarding-snpn.ts';
import { snssaiEquals } from './registration.ts';

/** Step 10 at the old AMF. */
export function registrationStatusUpdate(amf: Amf, req: RequestOf<typeof AMF.communication.registrationStatusUpdate>): AnswerOf<typeof AMF.communication.registrationStatusUpdate> {
  const body = objectBody(req) as Partial<CommC['schemas']['UeRegStatusUpdateReqData']>;
  if (body.transferStatus !== 'TRANSFERRED' && body.transferStatus !== 'NOT_TRANSFERRED') throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'transferStatus TRANSFERRED or NOT_TRANSFERRED is required');
  const ue = ueOfContextId(amf, req.params.ueContextId);
  if (!ue) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no UE context ${req.params.ueContextId}`);
  if (body.transferStatus === 'NOT_TRANSFERRED') {
    amf.log(`UE ${ue.supi ?? '-'}: the new AMF did not take the UE context (TS 23.502 4.2.2.2.2 step 10); it stays here`);
    return ok({ regStatusTransferComplete: true });
  }
  const named = Array.isArray(body.toReleaseSessionList) ? body.toReleaseSessionList.filter((x): x is number => typeof x === 'number') : [];
  // the sessions named are released here; the others are the new AMF's from now on (it updates
  // their SMF, step 17): taken off the context at once, so that step 14d finds none of them
  const release = named.flatMap((psi) => ue.sessions.get(psi) ?? []);
  ue.sessions = new Map();
  // a UE registered for onboarding is the new AMF's to deregister now (TS 23.502 4.2.2.2.4 step 5: its timer)
  stopOnboardingDeregistrationTimer(amf, ue);
  // the context stays until the UDM's notification (step 14d, old-amf-removal.ts); for an onboarding
  // registered UE none comes (4.2.2.2.4 steps 13-20 skipped: the new AMF does not register at the UDM), the guard timer removes it
  awaitRemoval(amf, ue);
  return { ...ok({ regStatusTransferComplete: true }), after: () => releaseNamed(amf, ue, release) };
}

/** "The old AMF informs the corresponding SMF(s) to locally release the UE's SM context". */
async function releaseNamed(amf: Amf, ue: AmfUe, release: PduSessionRef[]): Promise<void> {
  await Promise.all(release.map((s) => releaseSmContextOf(amf, ue, s, '4.2.2.2.2 step 10', { cause: 'REL_DUE_TO_SLICE_NOT_AVAILABLE' })));
}

/**
 * Step 10 at the new AMF, for a context fetched by UEContextTransfer (ue.oldAmf; nothing
 * otherwise): TRANSFERRED with the sessions whose S-NSSAI this AMF does not serve (dropped here and
 * released by the old AMF), or NOT_TRANSFERRED (the transferred sessions are left to the old AMF).
 */
export async function notifyOldAmf(amf: Amf, ue: AmfUe, transferStatus: 'TRANSFERRED' | 'NOT_TRANSFERRED', step: string): Promise<void> {
  const old = ue.oldAmf;
  if (!old || old.notified) return;
  old.notified = transferStatus;
  // a session kept needs its S-NSSAI served here and, when the UE named slices, among them (the
  // Allowed NSSAI is at most the Requested NSSAI's served S-NSSAIs, TS 23.501 5.15.5.2.1); an
  // onboarding registered UE's sessions are of the onboarding S-NSSAI (TS 23.502 4.2.2.2.4 step 8)
  const requested = ue.requestedNssai ?? [];
  const onboarding = ue.onboarding ? amf.cfg.snpn?.onboarding.snssai : undefined;
  const kept = (s: SNssai) => (onboarding !== undefined && snssaiEquals(s, onboarding)) || (amf.cfg.snssais.some((n) => snssaiEquals(s, n)) && (!requested.length || requested.some((r) => snssaiEquals(s, r))));
  const notServed = transferStatus === 'TRANSFERRED' ? [...ue.sessions.values()].filter((s) => old.sessions.includes(s.pduSessionId) && !kept(s.snssai)).map((s) => s.pduSessionId) : [];
  for (const psi of notServed) ue.sessions.delete(psi);
  if (transferStatus === 'NOT_TRANSFERRED') {
    // what came with the context stays the old AMF's
    for (const psi of old.sessions) ue.sessions.delete(psi);
  }
  const body: CommC['schemas']['UeRegStatusUpdateReqData'] = {
    transferStatus,
    ...(notServed.length ? { toReleaseSessionList: notServed } : {}),
    // the new AMF sets up its own AM and UE policy associations (step 16, 21b); an onboarding registered UE has none (steps 13-20 skipped)
    ...(transferStatus === 'TRANSFERRED' && !ue.onboarding ? { pcfReselectedInd: true } : {}),
  };
  await amfClient(amf.sbi, old.apiRoot).communication.registrationStatusUpdate(old.ueContextId, body, { step }).catch((e: unknown) => {
    if (!(e instanceof SbiProblem)) throw e;
    amf.log(`UE ${ue.supi ?? '-'}: RegistrationStatusUpdate to the old AMF answered ${e.problem.status} ${e.problem.cause}`);
  });
}
