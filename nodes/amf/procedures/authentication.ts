// Authentication, TS 23.502 4.2.2.2.2 steps 8-9a: 5G AKA (TS 33.501 6.1.3.2) through the AUSF
// (or, when the AUSF answers EAP-AKA', the EAP relay of authentication-eap.ts)
// (Nausf_UEAuthentication, TS 29.509), with resynchronisation (6.1.3.3.2) and the SEAF's HRES*
// check; the result is KAMF on the UE context and the ngKSI that identifies it. The ngKSI is
// allocated (TS 24.501 5.4.1.3.2): never one the UE holds a context for (the one it sent, the
// AMF's current one), and a UE that still answers #71 "ngKSI already in use" gets the same
// challenge with another ngKSI (5.4.1.3.7), not an Authentication reject.

import { unkeptAuthentication } from '../late-answers.ts';
import { nasMessage } from '../../../codecs/nas/index.ts';
import { fromHex, toHex } from '../../../codecs/bytes/hex.ts';
import { hresStar, kamf as deriveKamf } from '../../../crypto/kdf.ts';
import { servingNetworkName, kamfSupiInput } from '../../common/aka.ts';
import { SbiProblem } from '../../common/sbi.ts';
import type { components as AusfC } from '../../common/sbi-types/TS29509_Nausf_UEAuthentication.ts';
import type { Amf } from '../amf.ts';
import type { AmfUe, ReceivedNas } from '../context.ts';
import { FiveGmmCause, ProcedureAborted, UeRejected } from '../gmm.ts';
import { sendNas, exchange } from '../n1.ts';
import { registrationReject } from './registration.ts';
import { eapAuthentication } from './authentication-eap.ts';

/** The TS 23.502 steps the messages of the authentication are tagged with. */
export interface AuthenticationSteps {
  /** Nausf_UEAuthentication_Authenticate. */
  request: string;
  /** Authentication Request/Response/Reject and the 5G AKA confirmation. */
  challenge: string;
}
export const GENERAL_REGISTRATION_STEPS: AuthenticationSteps = { request: '4.2.2.2.2 step 8', challenge: '4.2.2.2.2 step 9a' };

/** TS 24.501 9.11.3.32: ngKSI values 0..6 identify a context, 7 is "no key is available". */
const NGKSI_VALUES = [0, 1, 2, 3, 4, 5, 6] as const;

/** The lowest ngKSI not in use (TS 24.501 5.4.1.3.2); undefined when all seven are. */
export function allocateNgKsi(inUse: ReadonlySet<number>): number | undefined {
  return NGKSI_VALUES.find((k) => !inUse.has(k));
}

/**
 * Steps 8-9a: Nausf_UEAuthentication, Authentication Request/Response. `ueNgKsi` is the ngKSI of
 * the UE's Registration request (7: none). Returns the SUPI and the ngKSI of the new KAMF.
 */
export async function authenticate(amf: Amf, ue: AmfUe, supiOrSuci: string, ueNgKsi: number, steps: AuthenticationSteps = GENERAL_REGISTRATION_STEPS, nausf?: Amf['nausf']): Promise<{ supi: string; ngKsi: number; pvsInfo?: AusfC['schemas']['ConfirmationDataResponse']['pvsInfo'] }> {
  // ngKSIs the UE holds a context for: the new one must differ (5.4.1.3.5 c)
  const inUse = new Set<number>();
  if (ueNgKsi !== 7) inUse.add(ueNgKsi);
  if (ue.sec) inUse.add(ue.sec.ngKsi);
  // TS 24.501 9.12.1: the SNPN the UE accessed (its NID in the User Location Information) names the serving network
  const snName = servingNetworkName(amf.cfg.plmn.mcc, amf.cfg.plmn.mnc, ue.snpnNid);
  // a DCS's AUSF when given (4.2.2.2.4 step 9-2), else the UE's home PLMN's (the roaming one through the SEPPs)
  const ausf = nausf ?? amf.homeOf(supiOrSuci).nausf;
  let resync: { rand: string; auts: string } | undefined;
  for (let round = 0; round < 2; round++) {
    let r;
    try {
      r = await ausf.ueAuthentication.authenticate({
        supiOrSuci,
        servingNetworkName: snName,
        ...(resync ? { resynchronizationInfo: resync } : {}),
      }, { step: steps.request, lateAnswer: unkeptAuthentication(amf, supiOrSuci, ausf) });
    } catch (e) {
      if (!(e instanceof SbiProblem)) throw e;
      // TS 29.509 5.2.2.2.2: USER_NOT_FOUND and friends; TS 24.501 5.5.1.2.5 #7
      const status = e.problem.status;
      registrationReject(amf, ue, status === 404 || status === 403 ? FiveGmmCause.FiveGsServicesNotAllowed : FiveGmmCause.ProtocolErrorUnspecified);
    }
    // EAP based (TS 33.501 6.1.3.1): a DCS's AAA server is the EAP server (4.2.2.2.4 step 9-1)
    if (r.body.authType === 'EAP_AKA_PRIME') {
      const ksi = allocateNgKsi(inUse) ?? 0;
      const done = await eapAuthentication(amf, ue, r.body, ksi, steps.challenge, ausf);
      return { supi: done.supi, ngKsi: ksi, ...(done.pvsInfo ? { pvsInfo: done.pvsInfo } : {}) };
    }
    // TS 29.509 6.1.6.2.3: 5G AKA carries an Av5gAka and its confirmation link
    const av = r.body['5gAuthData'] as AusfC['schemas']['Av5gAka'];
    const links = r.body._links['5g-aka']; // TS 29.571 LinksValueSchema: one Link or an array
    const link = (Array.isArray(links) ? links[0] : links)?.href;
    if (typeof av?.rand !== 'string' || !link) registrationReject(amf, ue, FiveGmmCause.ProtocolErrorUnspecified);
    ue.authLink = link;
    let ksi = allocateNgKsi(inUse) ?? 0; // at most two of the seven are in use here
    let answer = await challenge(amf, ue, av, ksi, steps.challenge);
    // TS 24.501 5.4.1.3.7: #71 "ngKSI already in use": the same challenge with a new ngKSI
    while (answer.message.name === 'Authentication failure' && answer.message.ies.fiveGmmCause === FiveGmmCause.NgKsiAlreadyInUse) {
      inUse.add(ksi);
      const next = allocateNgKsi(inUse);
      if (next === undefined) {
        await abandonAuthentication(amf, ue);
        sendNas(amf, ue, nasMessage('Authentication reject', {}), `${steps.challenge} (TS 24.501 5.4.1.3.7)`, 0);
        throw new UeRejected('no ngKSI left that the UE does not hold (#71 for all seven)');
      }
      ksi = next;
      answer = await challenge(amf, ue, av, ksi, `${steps.challenge} (TS 24.501 5.4.1.3.7, #71: new ngKSI)`);
    }
    if (answer.message.name === 'Authentication failure') {
      const cause = answer.message.ies.fiveGmmCause as number;
      await abandonAuthentication(amf, ue);
      if (cause === FiveGmmCause.SynchFailure && answer.message.ies.auts && round === 0) {
        // TS 33.501 6.1.3.3.2: resynchronisation through the AUSF and UDM, then a fresh vector
        resync = { rand: av.rand, auts: toHex(answer.message.ies.auts as Uint8Array) };
        continue;
      }
      sendNas(amf, ue, nasMessage('Authentication reject', {}), `${steps.challenge} (TS 24.501 5.4.1.3.5)`, 0);
      throw new UeRejected(`Authentication failure, 5GMM cause #${cause}`);
    }
    const resStar = answer.message.ies.resStar as Uint8Array | undefined;
    // TS 33.501 6.1.3.2 step 8: the SEAF compares HRES* with HXRES*
    if (!resStar || toHex(hresStar(fromHex(av.rand), resStar)) !== av.hxresStar.toLowerCase()) {
      await abandonAuthentication(amf, ue);
      sendNas(amf, ue, nasMessage('Authentication reject', {}), `${steps.challenge} (TS 33.501 6.1.3.2 step 8)`, 0);
      throw new UeRejected('RES* does not match HXRES*');
    }
    ue.authLink = undefined;
    const confirmation = (await ausf.ueAuthentication.confirm5gAka(link, { resStar: toHex(resStar) }, { step: steps.challenge })).body;
    if (confirmation.authResult !== 'AUTHENTICATION_SUCCESS' || !confirmation.kseaf || !confirmation.supi) {
      sendNas(amf, ue, nasMessage('Authentication reject', {}), steps.challenge, 0);
      throw new UeRejected('the AUSF did not confirm the authentication');
    }
    ue.kamf = deriveKamf(fromHex(confirmation.kseaf), kamfSupiInput(confirmation.supi), Uint8Array.of(0, 0));
    return { supi: confirmation.supi, ngKsi: ksi, ...(confirmation.pvsInfo ? { pvsInfo: confirmation.pvsInfo } : {}) };
  }
  throw new ProcedureAborted('authentication failed after resynchronisation');
}

/** Step 9a: one Authentication Request with `ngKsi` (T3560 retransmissions), its answer. */
function challenge(amf: Amf, ue: AmfUe, av: { rand: string; autn: string }, ngKsi: number, step: string): Promise<ReceivedNas> {
  const request = nasMessage('Authentication request', { ngKsi: { tsc: 0, ksi: ngKsi }, abba: Uint8Array.of(0, 0), rand: fromHex(av.rand), autn: fromHex(av.autn) });
  return exchange(amf, ue, ['Authentication response', 'Authentication failure'], amf.timers.t3560Ms, () => sendNas(amf, ue, request, step, 0));
}

/** Nausf_UEAuthentication_Deregister of an authentication the AMF gives up (TS 29.509 5.2.2.2.4). */
export async function abandonAuthentication(amf: Amf, ue: AmfUe): Promise<void> {
  if (!ue.authLink) return;
  const link = ue.authLink;
  ue.authLink = undefined;
  await amf.nausf.ueAuthentication.deregister(link).catch(amf.releaseRefused('Nausf_UEAuthentication_Deregister', ue));
}
