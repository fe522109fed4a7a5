// What a Registration request of type "mobility registration updating" or "periodic registration
// updating" (TS 24.501 5.5.1.3, TS 23.502 4.2.2.2.2 for a UE already registered in this AMF)
// changes in the registration procedure: the UE context is found by its 5G-GUTI and kept, the
// request's integrity is checked with the stored 5G NAS security context (5.5.1.3.2, 4.4.4.3), the
// non-cleartext IEs come from the NAS message container (4.4.6), and the PDU sessions the UE no
// longer holds are released at their SMF (5.5.1.3.4, PDU session status).

import { releaseSmContext } from '../sm-context-order.ts';
import {
  decodeNasMessage, unprotectNas, cipherNasMessageContainer, NasMacFailure, NasReplay,
  type NasMessage, type MobileIdentity, type PsiBitmap,
} from '../../../codecs/nas/index.ts';
import { DecodeError } from '../../../codecs/bytes/errors.ts';
import { SbiProblem } from '../../common/sbi.ts';
import type { Amf } from '../amf.ts';
import { stopReachabilityTimers } from './implicit-deregistration.ts';
import type { AmfUe, ReceivedNas } from '../context.ts';
import { releaseUeContext } from './ue-context-release.ts';

/** TS 24.501 9.11.3.7 5GS registration type, as the AMF acts on it. */
export type RegistrationKind = 'initial' | 'mobility' | 'periodic' | 'emergency' | 'snpn-onboarding' | 'disaster-roaming';

/** 9.11.3.7: values 1-7; "all other values are unused and shall be interpreted as initial registration" by the network. */
export function registrationKind(request: NasMessage): RegistrationKind {
  const v = (request.ies.registrationType as { value: number } | undefined)?.value;
  switch (v) {
    case 2:
      return 'mobility';
    case 3:
      return 'periodic';
    case 4:
      return 'emergency';
    case 5:
      return 'snpn-onboarding';
    case 6:
    case 7:
      return 'disaster-roaming';
    default:
      return 'initial';
  }
}

/** The ngKSI of the request (TS 24.501 9.11.3.32; 7 = no key is available). */
export function requestNgKsi(request: NasMessage): number {
  const k = request.ies.ngKsi as { tsc: number; ksi: number } | undefined;
  // a mapped context (TSC 1) is not one this AMF holds: wire5g has no EPS interworking
  return k && k.tsc === 0 ? k.ksi : 7;
}

/** Whether the 5G-GUTI of a request is one this AMF assigns (its PLMN and GUAMI, TS 23.003 2.10). */
export function assignedHere(amf: Amf, identity: MobileIdentity): boolean {
  const g = amf.cfg.guami;
  return identity.type === '5g-guti' && identity.plmn.mcc === amf.cfg.plmn.mcc && identity.plmn.mnc === amf.cfg.plmn.mnc && identity.amfRegionId === g.regionId && identity.amfSetId === g.setId && identity.amfPointer === g.pointer;
}

/** The context this AMF holds for the 5G-GUTI / 5G-S-TMSI of a request (TS 23.003 2.10). */
export function contextByGuti(amf: Amf, identity: MobileIdentity): AmfUe | undefined {
  if (identity.type !== '5g-guti' && identity.type !== '5g-s-tmsi') return undefined;
  if (identity.type === '5g-guti') {
    const g = amf.cfg.guami;
    // a 5G-GUTI of another AMF (or another PLMN) is not one this AMF assigned
    if (identity.plmn.mcc !== amf.cfg.plmn.mcc || identity.plmn.mnc !== amf.cfg.plmn.mnc || identity.amfRegionId !== g.regionId || identity.amfSetId !== g.setId || identity.amfPointer !== g.pointer) return undefined;
  }
  const known = amf.byTmsi.get(identity.tmsi);
  return known?.supi ? known : undefined;
}

/**
 * TS 24.501 5.5.1.3.2 / 4.4.4.3: a Registration request on a new NG connection, integrity
 * protected with the context the AMF stored for the UE's 5G-GUTI and ngKSI. Verifies it with that
 * context (advancing its uplink NAS COUNT) and returns the complete request: the NAS message
 * container's value part deciphered with the message's NAS COUNT (4.4.6), else the message.
 */
export function verifyWithStoredContext(amf: Amf, known: AmfUe, received: ReceivedNas): NasMessage | undefined {
  const sec = known.sec;
  if (!sec || !received.protectedPdu || requestNgKsi(received.message) !== sec.ngKsi) return undefined;
  try {
    const u = unprotectNas(received.protectedPdu, sec, 0);
    const message = decodeNasMessage(u.plain);
    return completeRequest(message, (container) => cipherNasMessageContainer(sec, u.count, 0, container));
  } catch (e) {
    if (e instanceof NasMacFailure || e instanceof NasReplay || e instanceof DecodeError) {
      amf.log(`Registration request for 5G-TMSI ${known.tmsi ?? '-'}: ${e.message}; the UE is authenticated again (TS 24.501 5.5.1.3.2)`);
      return undefined;
    }
    throw e;
  }
}

/** The message of the NAS message container (4.4.6) when there is one, with `decipher` applied. */
export function completeRequest(message: NasMessage, decipher: (c: Uint8Array) => Uint8Array): NasMessage {
  const container = message.ies.nasMessageContainer as Uint8Array | undefined;
  if (!container) return message;
  const inner = decodeNasMessage(decipher(container));
  if (inner.name !== 'Registration request') throw new DecodeError({ protocol: 'nas-5gs', code: 'BAD_VALUE', offset: 0, path: 'RegistrationRequest.NASMessageContainer', reason: `${inner.name} in the NAS message container of a Registration request` });
  return inner;
}

/**
 * The UE context `ue` (this NG connection) takes over what `old` holds for the same UE: its
 * identities, its registration at the UDM, its policy associations and PDU sessions, and its
 * NAS security context unless a new one was established. `old`'s NG connection, if any, is
 * released (TS 23.502 4.2.2.2.2: a UE has one N2 connection per access).
 */
export async function takeOverContext(amf: Amf, ue: AmfUe, old: AmfUe): Promise<void> {
  if (old === ue) return;
  // the UE made contact: TS 24.501 5.3.7 timers stop
  stopReachabilityTimers(amf, old);
  ue.supi = old.supi;
  ue.suci ??= old.suci;
  ue.pei ??= old.pei;
  ue.ueSecurityCapability ??= old.ueSecurityCapability;
  ue.requestedNssai ??= old.requestedNssai;
  ue.allowedNssai = old.allowedNssai;
  ue.subscribedNssai = old.subscribedNssai;
  ue.subscribedUeAmbr ??= old.subscribedUeAmbr;
  if (!ue.sec) {
    ue.sec = old.sec;
    ue.kamf = old.kamf;
  }
  ue.uecmRegistered = old.uecmRegistered;
  ue.sdmSubscriptionUri = old.sdmSubscriptionUri;
  ue.amPolicyUri = old.amPolicyUri;
  ue.pcfUeEvents = old.pcfUeEvents;
  ue.uePolicyUri = old.uePolicyUri;
  // registered for onboarding (TS 23.502 4.2.2.2.4): the indication and its running deregistration timer move along
  ue.onboarding ??= old.onboarding;
  old.onboarding = undefined;
  for (const [psi, s] of old.sessions) ue.sessions.set(psi, s);
  // the 5G-GUTI moves with the context
  if (old.tmsi !== undefined) {
    ue.tmsi = old.tmsi;
    amf.byTmsi.set(old.tmsi, ue);
  }
  if (ue.supi) amf.bySupi.set(ue.supi, ue);
  old.tmsi = undefined;
  old.uecmRegistered = false;
  old.sdmSubscriptionUri = undefined;
  old.amPolicyUri = undefined;
  old.uePolicyUri = undefined;
  old.sessions = new Map();
  old.supi = undefined;
  old.state = '5GMM-DEREGISTERED';
  if (!old.released) await releaseUeContext(amf, old, { radioNetwork: 'release-due-to-ngran-generated-reason' }, 'TS 38.413 8.3.3');
  amf.dropUe(old);
}

/**
 * TS 24.501 5.5.1.3.4: the PDU sessions the AMF holds that the UE's PDU session status marks
 * inactive are released locally and at their SMF (Nsmf_PDUSession_ReleaseSMContext, TS 29.502
 * cause PDU_SESSION_STATUS_MISMATCH). Returns the PSIs still active, for the Registration accept.
 */
export async function reconcilePduSessions(amf: Amf, ue: AmfUe, status: PsiBitmap): Promise<number[]> {
  const activeInUe = new Set(status.psis);
  const stale = [...ue.sessions.values()].filter((s) => !activeInUe.has(s.pduSessionId) && s.state !== 'creating');
  await Promise.all(stale.map(async (s) => {
    s.state = 'releasing';
    {
      await releaseSmContext(amf, s, { cause: 'PDU_SESSION_STATUS_MISMATCH', ...(ue.location ? { ueLocation: ue.location } : {}) }, { step: 'TS 24.501 5.5.1.3.4' }).catch((e: unknown) => {
        if (!(e instanceof SbiProblem)) throw e;
        if (e.problem.status !== 404) amf.log(`ReleaseSMContext of PDU session ${s.pduSessionId} (not active in the UE): ${e.problem.status}`);
      });
    }
    ue.sessions.delete(s.pduSessionId);
  }));
  return [...ue.sessions.keys()].sort((a, b) => a - b);
}
