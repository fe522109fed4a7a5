// Creations whose answer reached the AMF after its SBI time-out (issue 21, "zero leaks"): the
// producer created the resource and counts its 201 delivered (the stream closed cleanly), the
// AMF's procedure went on without it, and nobody else knows its URI. The call keeps its stream
// for the late answer (SbiCallOptions.lateAnswer, transport/sbi/client.ts) and the AMF undoes the
// creation here with the operation the spec gives for ending that resource
// (docs/decisions/21-late-answers.md).

import type { SbiResult } from '../common/sbi.ts';
import { endLateCreation } from '../common/sbi/late-answer.ts';
import type { Amf } from './amf.ts';
import type { AmfUe } from './context.ts';
import { keepUePolicyAssociation } from './procedures/held-resources.ts';

type Late = (r: SbiResult<unknown>) => Promise<void>;

/** A release the producer refused or did not answer is logged; nothing else can be done for it. */
function undo(amf: Amf, supi: string, what: string, call: () => Promise<unknown>): Promise<void> {
  return call().then(
    () => undefined,
    (e: unknown) => amf.log(`UE ${supi}: ${what} of a resource created after the time-out: ${e instanceof Error ? e.message : String(e)}`),
  );
}

/**
 * Npcf_AMPolicyControl_Create (TS 23.502 4.2.2.2.2 step 16): the registration went on without the
 * association (or failed), so it is terminated at its Location, Npcf_AMPolicyControl_Delete
 * (TS 23.502 4.16.3.2, TS 29.507 4.2.4).
 */
export function unkeptAmPolicy(amf: Amf, supi: string): Late {
  return endLateCreation(`UE ${supi}: the PCF's AM policy association`, (uri) => undo(amf, supi, 'Npcf_AMPolicyControl_Delete', () => amf.npcf.amPolicyControl.delete(uri, { step: '4.16.3.2' })), (l) => amf.log(l));
}

/**
 * Npcf_UEPolicyControl_Create (step 21b): like an answer in time, the association goes to the
 * context that holds the UE's registration if that one has none, and is deleted otherwise
 * (Npcf_UEPolicyControl_Delete, TS 23.502 4.16.13.1, TS 29.525 4.2.4; held-resources.ts
 * keepUePolicyAssociation).
 */
export function unkeptUePolicy(amf: Amf, ue: AmfUe, supi: string): Late {
  return endLateCreation(`UE ${supi}: the PCF's UE policy association`, (uri) => keepUePolicyAssociation(amf, ue, supi, uri), (l) => amf.log(l));
}

/**
 * Nudm_SDM_Subscribe (step 14c): the AMF went on without the subscription, so it unsubscribes at
 * its Location, Nudm_SDM_Unsubscribe (TS 29.503 5.2.2.4.2; TS 23.502 4.2.2.3.2 step 8).
 */
export function unkeptSdmSubscription(amf: Amf, supi: string): Late {
  return endLateCreation(`UE ${supi}: the UDM's SDM subscription`, (uri) => undo(amf, supi, 'Nudm_SDM_Unsubscribe', () => amf.homeOf(supi).nudm.sdm.unsubscribe(uri, { step: '4.2.2.3.2 step 8' })), (l) => amf.log(l));
}

/**
 * Nudm_UECM_Registration of the AMF for 3GPP access (step 14a), a PUT: 201 when it created the
 * registration, 200 or 204 when it replaced one (TS 29.503 5.3.2.2.2); each leaves this AMF
 * registered at the UDM. The resource is the UE's one amf-3gpp-access registration, not this
 * call's, so it is undone only when no UE context of this AMF holds the registration (a later
 * registration of the UE that succeeded owns it): the AMF's deregistration, PATCH with purgeFlag
 * (TS 29.503 5.3.2.4.2, Amf3GppAccessRegistrationModification; TS 23.502 4.2.2.3.2 step 8), as
 * held-resources.ts deregisterFromUdm.
 */
export function unkeptUecmRegistration(amf: Amf, supi: string): Late {
  return async (r) => {
    if (r.status < 200 || r.status > 299) return;
    if (amf.bySupi.get(supi)?.uecmRegistered) return;
    amf.log(`UE ${supi}: the UDM's ${r.status} for the AMF registration came after the time-out; purging it`);
    await undo(amf, supi, 'Nudm_UECM_Deregistration', () => amf.homeOf(supi).nudm.uecm.updateAmf3gppAccess(supi, { guami: amf.guamiSbi(), purgeFlag: true }, { step: '4.2.2.3.2 step 8' }));
  };
}

/**
 * Nausf_UEAuthentication_Authenticate (step 8): the AMF never challenged the UE with the vector,
 * so it deletes the authentication context at the 201's `5g-aka` link,
 * Nausf_UEAuthentication_Deregister (TS 29.509 5.2.2.2.4), as authentication.ts
 * abandonAuthentication. An EAP context's 201 has an `eap-session` link instead; wire5g's AUSF
 * serves no DELETE on it (docs/decisions/21-late-answers.md), so it is only logged.
 */
export function unkeptAuthentication(amf: Amf, supiOrSuci: string, ausf: Amf['nausf']): Late {
  return async (r) => {
    if (r.status !== 201) return;
    const links = (r.body as { _links?: Record<string, { href?: string } | { href?: string }[]> } | undefined)?._links;
    const l = links?.['5g-aka'];
    const link = (Array.isArray(l) ? l[0] : l)?.href;
    if (!link) {
      amf.log(`UE ${supiOrSuci}: the AUSF's 201 came after the time-out with no 5g-aka link; its context ${r.headers.location ?? ''} is left to the AUSF`);
      return;
    }
    amf.log(`UE ${supiOrSuci}: the AUSF's 201 came after the time-out; deleting ${link}`);
    await undo(amf, supiOrSuci, 'Nausf_UEAuthentication_Deregister', () => ausf.ueAuthentication.deregister(link));
  };
}

/**
 * Nsmf_PDUSession_CreateSMContext (TS 23.502 4.3.2.2.1 step 3): the AMF dropped the PDU session at
 * the time-out, so the SM context is released at its Location, Nsmf_PDUSession_ReleaseSMContext
 * (TS 29.502 5.2.2.4; TS 23.502 4.3.4.2 step 1c: a release that needs no N1 or N2 SM signalling).
 */
export function unkeptSmContext(amf: Amf, ue: AmfUe, pduSessionId: number): Late {
  const supi = ue.supi ?? String(ue.amfUeNgapId);
  return endLateCreation(`UE ${supi}: the SMF's SM context of PDU session ${pduSessionId}`, (uri) => undo(amf, supi, 'Nsmf_PDUSession_ReleaseSMContext', () => amf.nsmf.pduSession.releaseSmContext(uri, { ...(ue.location ? { ueLocation: ue.location } : {}) }, { step: '4.3.4.2 step 1c' })), (l) => amf.log(l));
}
