// UE-initiated Deregistration, TS 23.502 4.2.2.3.2 (AMF side): the request is checked (TS 24.501
// 4.4.4.3, 5.5.2.2), then steps 2-4 release the SM contexts, step 6 the policy associations,
// step 7 accepts (unless switch off), step 7a reports the loss of connectivity, step 8 releases
// the N2 UE context and the UDM registration.

import { nasMessage, type NasMessage, type MobileIdentity } from '../../../codecs/nas/index.ts';
import { SbiProblem } from '../../common/sbi.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import { FiveGmmCause } from '../gmm.ts';
import { sendNas } from '../n1.ts';
import { releaseSessions, terminatePolicyAssociations, deregisterFromUdm } from './held-resources.ts';
import { releaseUeContext, releaseIfIdle } from './ue-context-release.ts';
import { takeOverContext, requestNgKsi } from './registration-update.ts';
import { unprotectNas, NasMacFailure, NasReplay } from '../../../codecs/nas/index.ts';

/** Whether `pdu` (an initial NAS message) verifies with the stored context of `known` (its ngKSI, MAC and NAS COUNT). */
function verifiesWith(amf: Amf, known: AmfUe, m: NasMessage, pdu: Uint8Array | undefined): boolean {
  const sec = known.sec;
  if (!sec || !pdu || requestNgKsi(m) !== sec.ngKsi) return false;
  try {
    unprotectNas(pdu, sec, 0);
    return true;
  } catch (e) {
    if (e instanceof NasMacFailure || e instanceof NasReplay) {
      amf.log(`Deregistration request for 5G-TMSI ${known.tmsi ?? '-'}: ${e.message}`);
      return false;
    }
    throw e;
  }
}

export async function deregistrationUeOriginating(amf: Amf, ue: AmfUe, m: NasMessage, integrityVerified: boolean, protectedPdu?: Uint8Array): Promise<void> {
  const type = m.ies.deregistrationType as { switchOff: boolean; reRegistrationRequired: boolean; accessType: number };
  const identity = m.ies.mobileIdentity as MobileIdentity;
  // The 5G-GUTI must be one this AMF assigned to this UE (TS 24.501 5.5.2.2.1).
  let known = identity.type === '5g-guti' ? amf.byTmsi.get(identity.tmsi) : undefined;
  // from 5GMM-IDLE the request opens a new NG connection: its MAC is checked with the 5G NAS
  // security context stored for the 5G-GUTI (TS 24.501 4.4.4.3, 4.4.6), and this connection takes
  // the context over (as a Service request does)
  if (known && known !== ue && !integrityVerified && verifiesWith(amf, known, m, protectedPdu)) {
    await takeOverContext(amf, ue, known);
    known = ue;
    integrityVerified = true;
  }
  if (!known || known !== ue || !integrityVerified) {
    // TS 24.501 4.4.4.3 and 5.5.2.2.6: nothing is released for an identity or a MAC the AMF cannot
    // verify. A switch off expects no answer; a normal de-registration is answered with
    // 5GMM STATUS so the UE is not kept waiting without a cause.
    amf.stats.deregistrationsNotProcessed++;
    amf.log(`UE ${ue.amfUeNgapId}: Deregistration request ${!known || known !== ue ? 'for an unknown 5G-GUTI' : 'with an unverified MAC'}: not processed`);
    if (!type.switchOff) sendNas(amf, ue, nasMessage('5GMM status', { fiveGmmCause: !known || known !== ue ? FiveGmmCause.ImplicitlyDeregistered : FiveGmmCause.MacFailure }), 'TS 24.501 5.5.2.2.6', 0);
    releaseIfIdle(amf, ue);
    return;
  }
  if (type.accessType === 2) {
    // TS 23.502 4.2.2.3.2 step 1: the procedure applies to the target access only. wire5g's UEs
    // are registered over 3GPP access alone, so a de-registration from non-3GPP access has
    // nothing to release here: it is accepted (unless switch off) and the 3GPP registration,
    // its PDU sessions and the NG connection stay (TS 24.501 5.5.2.2.2).
    if (!type.switchOff) sendNas(amf, ue, nasMessage('Deregistration accept (UE originating)', {}), '4.2.2.3.2 step 7 (non-3GPP access)');
    return;
  }
  ue.state = '5GMM-DEREGISTERED-INITIATED';
  const received = amf.clock.now();
  const unavailability = m.ies.unavailabilityInformation as { periodDurationSeconds?: number } | undefined;
  // steps 2-4: for each PDU session over 3GPP access, Nsmf_PDUSession_ReleaseSMContext
  await releaseSessions(amf, ue, '4.2.2.3.2 step 2');
  // steps 6, 6a: AM and UE Policy Association Termination
  await terminatePolicyAssociations(amf, ue, '4.2.2.3.2 step 6');
  // step 7: Deregistration Accept unless switch off
  if (!type.switchOff) sendNas(amf, ue, nasMessage('Deregistration accept (UE originating)', {}), '4.2.2.3.2 step 7');
  // step 7a: Loss of Connectivity with the remaining Unavailability Period Duration
  if (unavailability?.periodDurationSeconds !== undefined) await reportLossOfConnectivity(amf, ue, unavailability.periodDurationSeconds, received);
  // step 8: N2 UE Context Release, then the UE context goes, with its UDM registration
  amf.stats.deregistrations++;
  await releaseUeContext(amf, ue, { nas: 'deregister' }, '4.2.2.3.2 step 8');
  await deregisterFromUdm(amf, ue, '4.2.2.3.2 step 8');
  amf.forget(ue);
}


/**
 * TS 23.502 4.2.2.3.2 step 7a, 4.15.3.2.3b: Namf_EventExposure_Notify (TS 29.518 5.3.2.4) of
 * LOSS_OF_CONNECTIVITY to each NF subscribed for this UE (or any UE), with the Unavailability
 * Period Duration still to run (`unavailabilityPeriod`, TS 29.518 6.2.6.2.5 AmfEventReport, seconds).
 */
export async function reportLossOfConnectivity(amf: Amf, ue: AmfUe, durationSeconds: number, receivedAt: number): Promise<void> {
  const remaining = Math.max(0, durationSeconds - Math.floor((amf.clock.now() - receivedAt) / 1000));
  const targets = [...amf.eventSubscriptions.values()].filter((s) => s.types.includes('LOSS_OF_CONNECTIVITY') && (!s.supi || s.supi === ue.supi));
  await Promise.all(targets.map(async (s) => {
    await amf.notify.amfEventNotify(s.eventNotifyUri, {
      notifyCorrelationId: s.notifyCorrelationId,
      reportList: [{ type: 'LOSS_OF_CONNECTIVITY', state: { active: true }, timeStamp: new Date().toISOString(), supi: ue.supi, lossOfConnectReason: 'DEREGISTERED', unavailabilityPeriod: remaining }],
    }, { step: '4.2.2.3.2 step 7a' }).catch((e: unknown) => amf.log(`Loss of Connectivity notification to ${s.eventNotifyUri}: ${e instanceof SbiProblem ? e.problem.status : 0}`));
  }));
}
