// Authentication, TS 23.502 4.2.2.2.2 steps 8-9a: 5G AKA (TS 33.501 6.1.3.2) through the AUSF
// (Nausf_UEAuthentication, TS 29.509), with resynchronisation (6.1.3.3.2) and the SEAF's HRES*
// check; the result is KAMF on the UE context.

import { nasMessage } from '../../../codecs/nas/index.ts';
import { fromHex, toHex } from '../../../codecs/bytes/hex.ts';
import { hresStar, kamf as deriveKamf } from '../../../crypto/kdf.ts';
import { servingNetworkName, imsiDigits } from '../../common/aka.ts';
import { SbiProblem, ignoreProblem } from '../../common/sbi.ts';
import type { components as AusfC } from '../../common/sbi-types/TS29509_Nausf_UEAuthentication.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe } from '../context.ts';
import { FiveGmmCause, ProcedureAborted } from '../gmm.ts';
import { sendNas, exchange } from '../n1.ts';
import { registrationReject } from './registration.ts';

/** Steps 8-9a: Nausf_UEAuthentication, Authentication Request/Response; returns the SUPI. */
export async function authenticate(amf: Amf, ue: AmfUe, supiOrSuci: string): Promise<string> {
  const snName = servingNetworkName(amf.cfg.plmn.mcc, amf.cfg.plmn.mnc);
  let resync: { rand: string; auts: string } | undefined;
  for (let round = 0; round < 2; round++) {
    let r;
    try {
      r = await amf.nausf.ueAuthentication.authenticate({
        supiOrSuci,
        servingNetworkName: snName,
        ...(resync ? { resynchronizationInfo: resync } : {}),
      }, { step: '4.2.2.2.2 step 8' });
    } catch (e) {
      if (!(e instanceof SbiProblem)) throw e;
      // TS 29.509 5.2.2.2.2: USER_NOT_FOUND and friends; TS 24.501 5.5.1.2.5 #7
      const status = e.problem.status;
      registrationReject(amf, ue, status === 404 || status === 403 ? FiveGmmCause.FiveGsServicesNotAllowed : FiveGmmCause.ProtocolErrorUnspecified);
    }
    // TS 29.509 6.1.6.2.3: 5G AKA carries an Av5gAka and its confirmation link
    const av = r.body['5gAuthData'] as AusfC['schemas']['Av5gAka'];
    const links = r.body._links['5g-aka']; // TS 29.571 LinksValueSchema: one Link or an array
    const link = (Array.isArray(links) ? links[0] : links)?.href;
    if (typeof av?.rand !== 'string' || !link) registrationReject(amf, ue, FiveGmmCause.ProtocolErrorUnspecified);
    ue.authLink = link;
    const ngKsi = { tsc: 0, ksi: 1 };
    const answer = await exchange(amf, ue, ['Authentication response', 'Authentication failure'], amf.timers.t3560Ms, () =>
      sendNas(amf, ue, nasMessage('Authentication request', { ngKsi, abba: Uint8Array.of(0, 0), rand: fromHex(av.rand), autn: fromHex(av.autn) }), '4.2.2.2.2 step 9a', 0));
    if (answer.message.name === 'Authentication failure') {
      const cause = answer.message.ies.fiveGmmCause as number;
      await abandonAuthentication(amf, ue);
      if (cause === FiveGmmCause.SynchFailure && answer.message.ies.auts && round === 0) {
        // TS 33.501 6.1.3.3.2: resynchronisation through the AUSF and UDM, then a fresh vector
        resync = { rand: av.rand, auts: toHex(answer.message.ies.auts as Uint8Array) };
        continue;
      }
      sendNas(amf, ue, nasMessage('Authentication reject', {}), '4.2.2.2.2 step 9a (TS 24.501 5.4.1.3.5)', 0);
      throw new ProcedureAborted(`Authentication failure, 5GMM cause #${cause}`);
    }
    const resStar = answer.message.ies.resStar as Uint8Array | undefined;
    // TS 33.501 6.1.3.2 step 8: the SEAF compares HRES* with HXRES*
    if (!resStar || toHex(hresStar(fromHex(av.rand), resStar)) !== av.hxresStar.toLowerCase()) {
      await abandonAuthentication(amf, ue);
      sendNas(amf, ue, nasMessage('Authentication reject', {}), '4.2.2.2.2 step 9a (TS 33.501 6.1.3.2 step 8)', 0);
      throw new ProcedureAborted('RES* does not match HXRES*');
    }
    ue.authLink = undefined;
    const confirmation = (await amf.nausf.ueAuthentication.confirm5gAka(link, { resStar: toHex(resStar) }, { step: '4.2.2.2.2 step 9a' })).body;
    if (confirmation.authResult !== 'AUTHENTICATION_SUCCESS' || !confirmation.kseaf || !confirmation.supi) {
      sendNas(amf, ue, nasMessage('Authentication reject', {}), '4.2.2.2.2 step 9a', 0);
      throw new ProcedureAborted('the AUSF did not confirm the authentication');
    }
    ue.kamf = deriveKamf(fromHex(confirmation.kseaf), imsiDigits(confirmation.supi), Uint8Array.of(0, 0));
    return confirmation.supi;
  }
  throw new ProcedureAborted('authentication failed after resynchronisation');
}

/** Nausf_UEAuthentication_Deregister of an authentication the AMF gives up (TS 29.509 5.2.2.2.4). */
export async function abandonAuthentication(amf: Amf, ue: AmfUe): Promise<void> {
  if (!ue.authLink) return;
  const link = ue.authLink;
  ue.authLink = undefined;
  await amf.nausf.ueAuthentication.deregister(link).catch(ignoreProblem);
}
