// EAP based primary authentication at the AMF (the SEAF as EAP pass-through authenticator, TS
// 33.501 6.1.3.1; TS 24.501 5.4.1.2): TS 23.502 4.2.2.2.4 step 9-1, where the EAP server is a
// DCS's AAA server behind the AUSF and the NSSAAF (TS 33.501 I.2.2.2). The AUSF's 201 carries
// the first EAP-Request; each one goes to the UE in an Authentication Request (EAP message IE,
// TS 24.501 9.11.2.2), the UE's EAP-Response comes back in an Authentication Response and goes
// to the AUSF's eap-session (TS 29.509 5.2.2.2.3). The AUSF's last answer holds EAP-Success with
// KSEAF and the SUPI: the AMF derives KAMF (TS 33.501 A.7, ABBA 0000) and sends the EAP-Success
// in an Authentication Result (TS 24.501 5.4.1.2.2.x: before the Security Mode Command); an
// EAP-Failure goes in an Authentication Reject and ends the registration.

import { nasMessage } from '../../../codecs/nas/index.ts';
import { fromHex } from '../../../codecs/bytes/hex.ts';
import { kamf as deriveKamf } from '../../../crypto/kdf.ts';
import { kamfSupiInput } from '../../common/aka.ts';
import type { components as AusfC } from '../../common/sbi-types/TS29509_Nausf_UEAuthentication.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import { UeRejected } from '../gmm.ts';
import { sendNas, exchange } from '../n1.ts';

/** EAP rounds the AMF relays before it gives up (EAP-AKA' needs one; RFC 3748 leaves the count to the method). */
const MAX_ROUNDS = 8;
const ABBA = Uint8Array.of(0, 0);
const bytesOf = (b64: string | null | undefined): Uint8Array | undefined => (b64 ? new Uint8Array(Buffer.from(b64, 'base64')) : undefined);

/**
 * Runs the EAP exchange the AUSF started (`ctx`, its 201) with `ngKsi` for the new context.
 * Returns the SUPI and the PVS addresses the AAA server gave; KAMF is set on the UE context.
 */
export async function eapAuthentication(amf: Amf, ue: AmfUe, ctx: AusfC['schemas']['UEAuthenticationCtx'], ngKsi: number, step: string, ausf: Amf['nausf']): Promise<{ supi: string; pvsInfo?: AusfC['schemas']['EapSession']['pvsInfo'] }> {
  const links = ctx._links['eap-session'];
  let link = (Array.isArray(links) ? links[0] : links)?.href;
  let eap = typeof ctx['5gAuthData'] === 'string' ? bytesOf(ctx['5gAuthData']) : undefined;
  const reject = (why: string, eapFailure?: Uint8Array): never => {
    sendNas(amf, ue, nasMessage('Authentication reject', eapFailure ? { eapMessage: eapFailure } : {}), step, 0);
    throw new UeRejected(why);
  };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (!link || !eap) return reject('the AUSF gave no EAP-Request or no eap-session link');
    const request = nasMessage('Authentication request', { ngKsi: { tsc: 0, ksi: ngKsi }, abba: ABBA, eapMessage: eap });
    const answer = await exchange(amf, ue, ['Authentication response', 'Authentication failure'], amf.timers.t3560Ms, () => sendNas(amf, ue, request, step, 0));
    const response = answer.message.ies.eapMessage as Uint8Array | undefined;
    if (answer.message.name === 'Authentication failure' || !response) return reject(`${answer.message.name} without an EAP-Response (5GMM cause #${String(answer.message.ies.fiveGmmCause ?? '-')})`);
    const s = (await ausf.ueAuthentication.eapSession(link, { eapPayload: Buffer.from(response).toString('base64') }, { step })).body as AusfC['schemas']['EapSession'];
    if (s.authResult === 'AUTHENTICATION_SUCCESS') {
      if (!s.kSeaf || !s.supi) return reject('EAP-Success without KSEAF or SUPI from the AUSF');
      ue.kamf = deriveKamf(fromHex(s.kSeaf), kamfSupiInput(s.supi), ABBA);
      // TS 24.501 5.4.1.2.2.x: the EAP-Success in AUTHENTICATION RESULT, with the ngKSI of the new context
      sendNas(amf, ue, nasMessage('Authentication result', { ngKsi: { tsc: 0, ksi: ngKsi }, eapMessage: bytesOf(s.eapPayload)!, abba: ABBA }), step, 0);
      return { supi: s.supi, ...(s.pvsInfo ? { pvsInfo: s.pvsInfo } : {}) };
    }
    if (s.authResult === 'AUTHENTICATION_FAILURE') return reject('the EAP server rejected the UE (EAP-Failure)', bytesOf(s.eapPayload));
    // AUTHENTICATION_ONGOING: the next EAP-Request
    const next = s._links?.['eap-session'];
    link = (Array.isArray(next) ? next[0] : next)?.href ?? link;
    eap = bytesOf(s.eapPayload);
  }
  return reject(`no EAP result after ${MAX_ROUNDS} rounds`);
}
