// Namf_Communication_RegistrationStatusUpdate (TS 29.518 5.2.2.2.3; TS 23.502 4.2.2.2.2 step 10),
// both sides:
//   - the new AMF, once the UE's registration with it no longer depends on the old AMF (after
//     authentication and NAS security, steps 8-9), tells the old AMF the UE context was
//     TRANSFERRED, with the PDU sessions it cannot keep (their S-NSSAI not served here) and
//     pcfReselectedInd (wire5g's new AMF sets up its own AM and UE policy associations, step 16 /
//     21b); or NOT_TRANSFERRED when the registration failed first ("the old AMF continues as if the
//     UE context transfer service operation was never received");
//   - the old AMF, told TRANSFERRED, releases the sessions named at their SMF, terminates its policy
//     associations (pcfReselectedInd), unsubscribes from the UDM's subscription data (step 14e:
//     it has no context for another access), leaves its UDM registration to the new AMF's (step 14a
//     replaces it, no purge) and forgets the UE: its 5G-GUTI, SUPI and any NG connection. Its
//     ledger is back where it was before the UE came.

import { SbiProblem, objectBody } from '../../common/sbi.ts';
import { amfClient } from '../../common/sbi/client.ts';
import { ok, type AnswerOf, type RequestOf } from '../../common/sbi/routes.ts';
import type { AMF } from '../../common/sbi/operations.ts';
import type { components as CommC } from '../../common/sbi-types/TS29518_Namf_Communication.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, PduSessionRef } from '../context.ts';
import { terminatePolicyAssociations, unsubscribeFromSdm } from './held-resources.ts';
import { releaseUeContext } from './ue-context-release.ts';
import { ueOfContextId } from './ue-context-transfer.ts';
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
  const release = Array.isArray(body.toReleaseSessionList) ? body.toReleaseSessionList.filter((x): x is number => typeof x === 'number') : [];
  const pcfReselected = body.pcfReselectedInd === true;
  return { ...ok({ regStatusTransferComplete: true }), after: () => giveUp(amf, ue, release, pcfReselected) };
}

/** The old AMF's clean-up once the UE context was transferred. */
async function giveUp(amf: Amf, ue: AmfUe, release: number[], pcfReselected: boolean): Promise<void> {
  const step = '4.2.2.2.2 step 10';
  // "The old AMF informs the corresponding SMF(s) to locally release the UE's SM context"
  await Promise.all(release.map(async (psi) => {
    const s = ue.sessions.get(psi);
    ue.sessions.delete(psi);
    if (s?.smContextUri) await amf.nsmf.pduSession.releaseSmContext(s.smContextUri, { cause: 'REL_DUE_TO_SLICE_NOT_AVAILABLE', ...(ue.location ? { ueLocation: ue.location } : {}) }, { step }).catch(amf.releaseRefused(`ReleaseSMContext of PDU session ${psi}`, ue));
  }));
  // the other sessions now belong to the new AMF (it updates their SMF, step 17)
  ue.sessions = new Map();
  if (pcfReselected) await terminatePolicyAssociations(amf, ue, `${step} (pcfReselectedInd)`);
  else {
    ue.amPolicyUri = undefined;
    ue.uePolicyUri = undefined;
  }
  await unsubscribeFromSdm(amf, ue, '4.2.2.2.2 step 14e');
  // the new AMF's Nudm_UECM_Registration (step 14a) takes the place of this one: nothing to purge
  ue.uecmRegistered = false;
  if (!ue.released) await releaseUeContext(amf, ue, { nas: 'normal-release' }, step);
  amf.log(`UE ${ue.supi ?? '-'}: UE context transferred to the new AMF (TS 23.502 4.2.2.2.2 step 10); removed here`);
  amf.forget(ue);
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
  // an onboarding registered UE's sessions are of the onboarding S-NSSAI (TS 23.502 4.2.2.2.4 step 8)
  const onboarding = ue.onboarding ? amf.cfg.snpn?.onboarding.snssai : undefined;
  const served = (s: PduSessionRef) => amf.cfg.snssais.some((n) => snssaiEquals(s.snssai, n)) || (onboarding !== undefined && snssaiEquals(s.snssai, onboarding));
  const notServed = transferStatus === 'TRANSFERRED' ? [...ue.sessions.values()].filter((s) => !served(s)).map((s) => s.pduSessionId) : [];
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
