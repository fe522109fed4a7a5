// UE Context Release, AMF initiated (TS 38.413 8.3.3; TS 23.502 4.2.6 AN release, and the last
// step of a deregistration): the gNB releases the UE-associated logical NG-connection.

import type { Ngap } from '../../../codecs/ngap/index.ts';
import { ngapPdu } from '../../../codecs/ngap/index.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import { sendNgap, awaitNgap } from '../n2.ts';

/**
 * TS 38.413 8.3.3 UE Context Release (AMF initiated); resolves once the gNB completed it (or did
 * not answer), with the IEs of its UE CONTEXT RELEASE COMPLETE (undefined without one).
 */
export async function releaseUeContext(amf: Amf, ue: AmfUe, cause: Ngap.Cause, step: string): Promise<Map<string, unknown> | undefined> {
  if (ue.released) return undefined;
  const complete = awaitNgap(amf, ue, 'UEContextReleaseComplete');
  sendNgap(amf, ue.gnb, ue.stream, ngapPdu('UEContextReleaseCommand', { 'UE-NGAP-IDs': { 'uE-NGAP-ID-pair': { 'aMF-UE-NGAP-ID': ue.amfUeNgapId, 'rAN-UE-NGAP-ID': ue.ranUeNgapId } }, Cause: cause }), step, ue);
  let ies: Map<string, unknown> | undefined;
  try {
    ies = await complete;
  } catch (e) {
    amf.log(`UE ${ue.amfUeNgapId}: ${(e as Error).message}; released locally`);
  }
  amf.dropUe(ue);
  // a UE registered for onboarding holds nothing elsewhere (TS 23.502 4.2.2.2.4 steps 13-20 skipped)
  // and stays registered in CM-IDLE until its onboarding deregistration timer
  const onboardingRegistered = ue.onboarding !== undefined && ue.state === '5GMM-REGISTERED';
  if (!ue.uecmRegistered && !ue.amPolicyUri && !ue.uePolicyUri && ue.sessions.size === 0 && !onboardingRegistered) amf.forget(ue);
  return ies;
}

/**
 * A NAS signalling connection that carried nothing the AMF could act on, from a UE it holds no
 * registration for, is released (TS 24.501 5.3.1.3 b): the gNB and the AMF keep nothing.
 */
export function releaseIfIdle(amf: Amf, ue: AmfUe): void {
  if (ue.state !== '5GMM-DEREGISTERED' || ue.supi || ue.waiters.length || ue.released) return;
  amf.track(releaseUeContext(amf, ue, { nas: 'normal-release' }, 'TS 24.501 5.3.1.3').then(() => undefined));
}
