// Emergency services at the AMF (TS 23.501 5.16.4; TS 23.502 4.3.2.2.1 and the emergency exception
// of 4.2.2.3.3):
//   - a PDU session of request type "initial emergency request" (TS 24.501 9.11.3.47, value 3)
//     names no DNN nor S-NSSAI (TS 24.501 6.4.1.2): the AMF gives it the emergency DNN of its
//     Emergency Configuration Data and the S-NSSAI it serves, sends CreateSMContext with requestType
//     INITIAL_EMERGENCY_REQUEST, never home-routed; one emergency PDU session per UE, and none when
//     the AMF has no emergency services (config emergency.enabled false; #90, not forwarded);
//   - the Registration accept says whether emergency services are supported (5GS network feature
//     support, EMC, TS 24.501 9.11.3.5);
//   - "If the UE has established PDU Session associated with emergency service, the AMF shall not
//     initiate Deregistration procedure. In this case, the AMF performs network requested PDU
//     Session Release for any PDU session associated with non-emergency service as described in
//     clause 4.3.4" (TS 23.502 4.2.2.3.3): 4.3.4.2 step 1f for each (amf-requested-release.ts, the
//     same procedure as `ctl amf release`). A subscription withdrawn by the UDM leaves the UE without UDM registration (the
//     UDM removed it, step 1) and without SDM subscription (step 3); the UE stays registered for its
//     emergency session. The implicit de-registration is not an exception: a UE that cannot be
//     reached cannot use its emergency session either (TS 24.501 5.3.7 deregisters a UE registered
//     for emergency services locally when its timer expires), nor is one paged in vain (T3513).

import type { SNssai } from '../../../codecs/nas/index.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import { amfRequestedRelease, type AmfReleaseCause } from './amf-requested-release.ts';
import { unsubscribeFromSdm } from './held-resources.ts';

/** TS 24.501 9.11.3.5 5GS network feature support, octet 3 bits 3-4 EMC = 01: emergency services supported in NR connected to 5GCN. */
export const EMC_SUPPORTED_NR = 0x04;

/** The 5GS network feature support IE of the Registration accept (TS 24.501 9.11.3.5). */
export function networkFeatureSupport(amf: Amf): Uint8Array {
  return Uint8Array.of(amf.cfg.emergencyDnn ? EMC_SUPPORTED_NR : 0x00);
}

export function hasEmergencySession(ue: AmfUe): boolean {
  return [...ue.sessions.values()].some((s) => s.emergency && s.state !== 'releasing');
}

/** Whether an "initial emergency request" for PDU session `psi` goes to the SMF (logged when not). */
export function emergencyRequestAllowed(amf: Amf, ue: AmfUe, psi: number): boolean {
  if (!amf.cfg.emergencyDnn) {
    amf.log(`UE ${ue.supi ?? ''}: PDU session ${psi}: initial emergency request, but this AMF has no emergency services (config emergency.enabled false); not forwarded (TS 24.501 5.4.5.2.5, #90)`);
    return false;
  }
  if (hasEmergencySession(ue)) {
    amf.log(`UE ${ue.supi ?? ''}: PDU session ${psi}: initial emergency request while the UE has an emergency PDU session already; not forwarded (TS 24.501 5.4.5.2.5, #90)`);
    return false;
  }
  return true;
}

/** The emergency DNN and the S-NSSAI served (the UE names neither). */
export function emergencySessionParameters(amf: Amf): { snssai: SNssai | undefined; dnn: string } {
  const s = amf.cfg.snssais[0];
  return { snssai: s ? { sst: s.sst, ...(s.sd !== undefined ? { sd: parseInt(s.sd, 16) } : {}) } : undefined, dnn: amf.cfg.emergencyDnn ?? '' };
}

/**
 * The emergency exception of TS 23.502 4.2.2.3.3: instead of deregistering `ue`, the AMF releases
 * its non-emergency PDU sessions (4.3.4.2 step 1f) and, when the UDM withdrew the subscription,
 * holds no UDM registration nor SDM subscription any more. Resolves once the SMFs answered (the
 * releases end with their status notifications, step 11).
 */
export async function keepEmergencyRegistration(amf: Amf, ue: AmfUe, o: { udmWithdrew: boolean; cause?: AmfReleaseCause }): Promise<void> {
  amf.log(`UE ${ue.supi ?? ''} has an emergency PDU session: not deregistered, its non-emergency PDU sessions are released (TS 23.502 4.2.2.3.3)`);
  if (o.udmWithdrew) {
    await unsubscribeFromSdm(amf, ue, '4.2.2.3.3 step 3');
    ue.uecmRegistered = false;
  }
  const cause = o.cause ?? 'REL_DUE_TO_UNSPECIFIED_REASON';
  const step = '4.3.4.2 step 1f (emergency exception of 4.2.2.3.3)';
  // "any PDU session associated with non-emergency service": one still being established is
  // released once it is (its Accept may be on its way to the UE; step 1f needs its SM context)
  for (const s of ue.sessions.values()) if (!s.emergency && s.state === 'creating') s.releaseWhenEstablished = { cause, step };
  const others = [...ue.sessions.values()].filter((s) => !s.emergency && s.state === 'active');
  await Promise.all(others.map((s) => releaseForEmergencyException(amf, ue, s.pduSessionId, cause, step)));
}

/** Step 1f for a non-emergency session of the emergency exception; a refusal or failure is logged. */
export function releaseForEmergencyException(amf: Amf, ue: AmfUe, psi: number, cause: AmfReleaseCause, step: string): Promise<void> {
  return amfRequestedRelease(amf, ue, psi, cause, step).then(() => undefined, (e: unknown) => {
    amf.log(`UE ${ue.supi ?? ''}: PDU session ${psi} not released for the emergency exception: ${e instanceof Error ? e.message : String(e)}`);
  });
}
