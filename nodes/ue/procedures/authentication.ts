// Authentication, UE side: 5G AKA (TS 24.501 5.4.1.3, TS 33.501 6.1.3.2; TS 23.502 4.2.2.2.2
// step 9): the USIM checks AUTN and computes RES*, or the UE answers with the failure cause
// (MAC failure, synch failure with AUTS, non-5G); Authentication reject ends the registration.
// An Authentication request with an EAP message is EAP-AKA' (eap-aka-prime.ts).

import { nasMessage, type NasMessage } from '../../../codecs/nas/index.ts';
import { RegistrationRejected, type Ue } from '../ue.ts';
import { sendNas } from '../n1.ts';
import { failRegistration } from './registration.ts';
import { registrationStep } from './onboarding-steps.ts';
import { onEapAuthenticationRequest } from './eap-aka-prime.ts';

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function onAuthenticationRequest(ue: Ue, m: NasMessage): void {
  const ngKsi = (m.ies.ngKsi as { ksi: number }).ksi;
  const rand = m.ies.rand as Uint8Array | undefined;
  const autn = m.ies.autn as Uint8Array | undefined;
  const abba = (m.ies.abba as Uint8Array | undefined) ?? new Uint8Array(2);
  // EAP based primary authentication (TS 24.501 5.4.1.2): EAP-AKA' with a DCS's AAA server (4.2.2.2.4 step 9-1)
  if (m.ies.eapMessage && !rand) return onEapAuthenticationRequest(ue, m);
  if (!rand || !autn) {
    // neither 5G AKA nor EAP: 5.4.1.3.7 treats it as an unacceptable authentication
    sendNas(ue, nasMessage('Authentication failure', { fiveGmmCause: 26 }), 'Authentication failure', registrationStep(ue, '4.2.2.2.2 step 9'));
    return;
  }
  // 5.4.1.3.5 c): an ngKSI already associated with a security context in use -> cause #71.
  if (ue.security && ue.security.ngKsi === ngKsi) {
    sendNas(ue, nasMessage('Authentication failure', { fiveGmmCause: 71 }), 'Authentication failure', registrationStep(ue, '4.2.2.2.2 step 9'));
    return;
  }
  // 5.4.1.3.4: the same RAND again (the AMF retransmitted on T3560) is answered with the stored
  // RES* without the USIM, which would otherwise see its SQN again and report a synch failure.
  const last = ue.lastChallenge;
  if (last && last.ngKsi === ngKsi && equalBytes(last.rand, rand)) {
    sendNas(ue, nasMessage('Authentication response', { resStar: last.resStar }), 'Authentication response', registrationStep(ue, '4.2.2.2.2 step 9'));
    return;
  }
  const r = ue.usim.authenticate(rand, autn, ue.snn);
  switch (r.result) {
    case 'ok':
      ue.auth = { kausf: r.kausf, ngKsi, abba };
      ue.lastChallenge = { rand: Uint8Array.from(rand), resStar: r.resStar, ngKsi };
      // TS 33.501 6.1.3.2 step 7: RES* back to the SEAF.
      sendNas(ue, nasMessage('Authentication response', { resStar: r.resStar }), 'Authentication response', registrationStep(ue, '4.2.2.2.2 step 9'));
      return;
    case 'mac-failure':
      sendNas(ue, nasMessage('Authentication failure', { fiveGmmCause: 20 }), 'Authentication failure', registrationStep(ue, '4.2.2.2.2 step 9'));
      return;
    case 'synch-failure':
      sendNas(ue, nasMessage('Authentication failure', { fiveGmmCause: 21, auts: r.auts }), 'Authentication failure', registrationStep(ue, '4.2.2.2.2 step 9'));
      return;
    case 'non-5g':
      sendNas(ue, nasMessage('Authentication failure', { fiveGmmCause: 26 }), 'Authentication failure', registrationStep(ue, '4.2.2.2.2 step 9'));
      return;
  }
}

export function onAuthenticationReject(ue: Ue): void {
  // 5.4.1.3.5: the UE considers the USIM invalid for 5GS until switched off; no more NAS security.
  ue.security = undefined;
  ue.auth = undefined;
  failRegistration(ue, new RegistrationRejected('Authentication reject (TS 24.501 5.4.1.3.5)'));
}
