// The AUSF's side of TS 23.502 4.2.2.2.4 step 9-1 (TS 33.501 I.2.2.2): a DCS hosting an AAA
// server. By the realm of the SUCI (local configuration, the clause's "e.g. using the realm part
// of the SUCI") the AUSF sends the SUPI towards the DCS's AAA server through the NSSAAF
// (Nnssaaf_AIW, TS 29.526 5.3) and relays the EAP between the AMF (Nausf_UEAuthentication, EAP
// based, TS 29.509 5.2.2.2.3) and the NSSAAF:
//   POST /ue-authentications (SUCI)   -> Nnssaaf_AIW_Authenticate (SUPI, EAP-Response/Identity)
//                                     <- 201 UEAuthenticationCtx: EAP_AKA_PRIME, the AAA's EAP-Request, eap-session link
//   POST .../eap-session (EAP-Response) -> Nnssaaf_AIW_Authenticate (PUT the context)
//                                     <- 200 EapSession: the next EAP-Request (AUTHENTICATION_ONGOING), or
//                                        EAP-Success with KSEAF and the SUPI, or EAP-Failure
// The SUCI is of the null scheme (a NAI, TS 23.003 2.2B), so the SUPI is read from it. The
// EAP-Response/Identity the AUSF starts with carries the NAI (RFC 7542) of that SUPI, as the UE
// would give it. KAUSF is the MSK's most significant 256 bits: the AAA server keeps the EMSK
// (RFC 5247 2.1: the EMSK never leaves the EAP server) and hands the NSSAAF the MSK, which the
// NSSAAF gives the AUSF (TS 29.526 AuthConfirmationResponse msk); KSEAF = KDF(KAUSF, serving
// network name) (TS 33.501 A.6). The UE derives the same from its own MSK.

import { SbiProblem, requireString, type SbiClient } from '../common/sbi.ts';
import { created, ok } from '../common/sbi/routes.ts';
import { AUSF, NSSAAF } from '../common/sbi/operations.ts';
import { consumer, resourceUri, apiUri } from '../common/sbi/client.ts';
import { supiOfNaiSuciString } from '../../codecs/nas/index.ts';
import { encodeEap, EapCode, EapType } from '../../codecs/eap/eap.ts';
import { kseaf } from '../../crypto/kdf.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';
import type { ResourceLedger } from '../common/ledger.ts';

export interface AaaDcsRoute {
  /** The realm whose SUCIs go to the DCS's AAA server. */
  realm: string;
  nssaafUri: string;
}

const STEP = '4.2.2.2.4 step 9-1';

/** The NAI (RFC 7542) of a SUPI of type nai (TS 29.571 Supi `nai-<NAI>`). */
export const naiOfSupi = (supi: string): string => supi.replace(/^nai-/, '');

interface EapContext {
  supi: string;
  servingNetworkName: string;
  nssaafCtx: string;
}

/** The EAP path of the AUSF towards a DCS's AAA server; `handles` says which SUCIs take it. */
export function eapThroughNssaaf(baseUri: string, route: AaaDcsRoute, sbi: SbiClient, ledger: ResourceLedger) {
  const nssaaf = consumer(sbi, route.nssaafUri, NSSAAF);
  const contexts = new Map<string, EapContext>();
  let next = 1;
  ledger.gauge('EAP authentication contexts (DCS AAA)', () => contexts.size);

  return {
    handles: (supiOrSuci: string): boolean => supiOfNaiSuciString(supiOrSuci)?.split('@')[1] === route.realm,

    /** Nausf_UEAuthentication_Authenticate for a SUCI of the DCS's realm: the first EAP-Request from the AAA server. */
    async start(suci: string, servingNetworkName: string) {
      const supi = supiOfNaiSuciString(suci)!;
      const identity = encodeEap({ code: EapCode.RESPONSE, identifier: 0, type: EapType.IDENTITY, data: new TextEncoder().encode(naiOfSupi(supi)) });
      const r = await nssaaf.aiw.authenticate({ supi, eapIdRsp: Buffer.from(identity).toString('base64') }, { step: STEP }).catch((e: unknown) => {
        if (e instanceof SbiProblem) throw new SbiProblem(e.problem.status === 404 ? 404 : 403, 'AUTHENTICATION_REJECTED', e.problem.detail);
        throw e;
      });
      if (!r.body.authCtxId || !r.body.eapMessage) throw new SbiProblem(500, 'SYSTEM_FAILURE', 'the NSSAAF sent no EAP message');
      const id = `eap-${next++}`;
      contexts.set(id, { supi, servingNetworkName, nssaafCtx: r.body.authCtxId });
      // TS 29.509 6.1.6.2.3 UEAuthenticationCtx: EAP-AKA', 5gAuthData the EAP packet, the eap-session link
      return created(apiUri(baseUri, AUSF.ueAuthentication.authenticate, '/ue-authentications/{authCtxId}', { authCtxId: id }), {
        authType: 'EAP_AKA_PRIME' as const,
        '5gAuthData': r.body.eapMessage,
        _links: { 'eap-session': { href: resourceUri(baseUri, AUSF.ueAuthentication.eapSession, { authCtxId: id }) } },
        servingNetworkName,
      });
    },

    /** TS 29.509 5.2.2.2.3: one EAP-Response from the UE, relayed to the NSSAAF; the answer's EAP back. */
    async session(authCtxId: string, body: Record<string, unknown>) {
      const ctx = contexts.get(authCtxId);
      if (!ctx) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no EAP authentication context ${authCtxId}`);
      const eapPayload = requireString(body, 'eapPayload');
      const r = await nssaaf.aiw.confirm(resourceUri(route.nssaafUri, NSSAAF.aiw.confirm, { authCtxId: ctx.nssaafCtx }), { supi: ctx.supi, eapMessage: eapPayload }, { step: STEP }).catch((e: unknown) => {
        contexts.delete(authCtxId);
        throw e;
      });
      const a = r.body;
      if (!a.authResult) return ok({ eapPayload: a.eapMessage, authResult: 'AUTHENTICATION_ONGOING' as const, _links: { 'eap-session': { href: resourceUri(baseUri, AUSF.ueAuthentication.eapSession, { authCtxId }) } } });
      contexts.delete(authCtxId);
      if (a.authResult !== 'AUTHENTICATION_SUCCESS') return ok({ eapPayload: a.eapMessage, authResult: 'AUTHENTICATION_FAILURE' as const });
      if (!a.msk) throw new SbiProblem(500, 'SYSTEM_FAILURE', 'the NSSAAF gave no MSK with the EAP-Success (TS 33.501 I.2.2.2)');
      // KAUSF = the MSK's most significant 256 bits; KSEAF from it and the serving network name (TS 33.501 A.6)
      const kausf = fromHex(a.msk).slice(0, 32);
      return ok({ eapPayload: a.eapMessage, authResult: 'AUTHENTICATION_SUCCESS' as const, supi: ctx.supi, kSeaf: toHex(kseaf(kausf, ctx.servingNetworkName)), ...(a.pvsInfo ? { pvsInfo: a.pvsInfo } : {}) });
    },

    clear: (): void => contexts.clear(),
  };
}
