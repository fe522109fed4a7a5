// The AUSF's Nausf_UEAuthentication service (TS 29.509 5.2) for 5G AKA (TS 33.501 6.1.3.2):
// obtains a 5G HE AV from the UDM, keeps XRES* and KAUSF, hands the SEAF a 5G SE AV (RAND,
// AUTN, HXRES*), and on confirmation compares RES* with XRES* and returns KSEAF and the SUPI.

import { SbiProblem, objectBody, requireString, type SbiRoute, type SbiClient } from '../common/sbi.ts';
import { serve, created, ok, noContent, undoable } from '../common/sbi/routes.ts';
import { AUSF } from '../common/sbi/operations.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { udmClient, resourceUri, apiUri } from '../common/sbi/client.ts';
import type { components as UeauC } from '../common/sbi-types/TS29503_Nudm_UEAU.ts';
import type { HomeNetworkAka } from '../common/aka.ts';
import { eapThroughNssaaf, type AaaDcsRoute } from './eap-aaa.ts';

export interface AusfConfig {
  baseUri: string;
  udmUri: string;
  instanceId: string;
  /** Serving network names this AUSF authenticates for (TS 33.501 6.1.2). */
  servingNetworkNames: string[];
  /** TS 23.502 4.2.2.2.4 step 9-1: the realm whose SUCIs go to a DCS's AAA server, through this NSSAAF (eap-aaa.ts). */
  aaa?: AaaDcsRoute;
  /**
   * The step of its Nudm_UEAuthentication_Get: 4.2.2.2.2 step 9 (an AUSF does not know why it
   * authenticates), but a DCS's AUSF serves only onboarding: 4.2.2.2.4 step 9-2.
   */
  udmStep?: string;
}

interface AuthContext {
  supi: string;
  servingNetworkName: string;
  rand: string;
  xresStar: string;
  kausf: string;
  /** TS 23.502 4.2.2.2.4 step 9-2: the PVS addresses the UDM gave, for the AMF. */
  pvsInfo?: UeauC['schemas']['AuthenticationInfoResult']['pvsInfo'];
}

export function ausfRoutes(cfg: AusfConfig, udm: SbiClient, aka: HomeNetworkAka, ledger = new ResourceLedger('AUSF')) {
  const nudm = udmClient(udm, cfg.udmUri);
  const contexts = new Map<string, AuthContext>();
  let next = 1;
  ledger.gauge('authentication contexts', () => contexts.size);
  const eap = cfg.aaa ? eapThroughNssaaf(cfg.baseUri, cfg.aaa, udm, ledger) : undefined;

  const routes: SbiRoute[] = [
    // TS 23.502 4.2.2.2.2 step 8, TS 33.501 6.1.3.2 steps 2-5
    serve(AUSF.ueAuthentication.authenticate, async (req) => {
        const body = objectBody(req);
        const supiOrSuci = requireString(body, 'supiOrSuci');
        const snName = requireString(body, 'servingNetworkName');
        if (!cfg.servingNetworkNames.includes(snName)) throw new SbiProblem(403, 'SERVING_NETWORK_NOT_AUTHORIZED', snName);
        // TS 23.502 4.2.2.2.4 step 9-1: a SUCI of the DCS's realm goes to its AAA server (EAP through the NSSAAF)
        if (eap?.handles(supiOrSuci)) return eap.start(supiOrSuci, snName);
        const r = await nudm.ueau.generateAuthData(supiOrSuci, {
          servingNetworkName: snName,
          ausfInstanceId: cfg.instanceId,
          ...(body.resynchronizationInfo ? { resynchronizationInfo: body.resynchronizationInfo as UeauC['schemas']['ResynchronizationInfo'] } : {}),
        }, { step: cfg.udmStep ?? '4.2.2.2.2 step 9' }).catch((e: unknown) => {
          if (e instanceof SbiProblem) throw new SbiProblem(e.problem.status, e.problem.cause ?? 'AUTHENTICATION_REJECTED', e.problem.detail);
          throw e;
        });
        // TS 29.503 Nudm_UEAU data model (OpenAPI AuthenticationVector): the 5G HE AV of 5G AKA
        const vector = r.body.authenticationVector;
        const supi = r.body.supi;
        if (!vector || vector.avType !== '5G_HE_AKA' || !('xresStar' in vector) || !supi) throw new SbiProblem(500, 'SYSTEM_FAILURE', 'the UDM sent no 5G HE AV');
        const av: UeauC['schemas']['Av5GHeAka'] = vector;
        const id = String(next++);
        contexts.set(id, { supi, servingNetworkName: snName, rand: av.rand, xresStar: av.xresStar, kausf: av.kausf, ...(r.body.pvsInfo ? { pvsInfo: r.body.pvsInfo } : {}) });
        const link = resourceUri(cfg.baseUri, AUSF.ueAuthentication.confirm5gAka, { authCtxId: id });
        // TS 29.509 6.1.6.2.3 UEAuthenticationCtx with the 5G SE AV
        // TS 29.509 5.2.2.2.2: the Location is the authentication context, {apiRoot}/nausf-auth/v1/ue-authentications/{authCtxId}
        const res = created(apiUri(cfg.baseUri, AUSF.ueAuthentication.authenticate, '/ue-authentications/{authCtxId}', { authCtxId: id }), {
          authType: '5G_AKA' as const,
          '5gAuthData': { rand: av.rand, hxresStar: aka.hxresStar(av.rand, av.xresStar), autn: av.autn },
          _links: { '5g-aka': { href: link } },
          servingNetworkName: snName,
        });
        // an AMF that never got the 5G SE AV never confirms nor deletes the context (issue 21)
        return undoable(res, () => void contexts.delete(id));
    }),
    // TS 33.501 6.1.3.2 steps 9-11: compare RES* with XRES*, derive KSEAF, inform the UDM
    serve(AUSF.ueAuthentication.confirm5gAka, async (req) => {
        const ctx = contexts.get(req.params.authCtxId);
        if (!ctx) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
        const body = objectBody(req);
        const resStar = typeof body.resStar === 'string' ? body.resStar.toLowerCase() : undefined;
        const success = resStar !== undefined && resStar === ctx.xresStar.toLowerCase();
        contexts.delete(req.params.authCtxId);
        await nudm.ueau.confirmAuth(ctx.supi, { nfInstanceId: cfg.instanceId, success, timeStamp: new Date().toISOString(), authType: '5G_AKA', servingNetworkName: ctx.servingNetworkName });
        return ok(success ? { authResult: 'AUTHENTICATION_SUCCESS' as const, supi: ctx.supi, kseaf: aka.kseaf(ctx.kausf, ctx.servingNetworkName), ...(ctx.pvsInfo ? { pvsInfo: ctx.pvsInfo } : {}) } : { authResult: 'AUTHENTICATION_FAILURE' as const });
    }),
    // TS 29.509 5.2.2.2.3: EAP based authentication, each EAP-Response of the UE (step 9-1 only: wire5g's
    // AUSF runs 5G AKA itself and EAP only as the relay towards a DCS's AAA server)
    serve(AUSF.ueAuthentication.eapSession, (req) => {
      if (!eap) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no EAP authentication context ${req.params.authCtxId}`);
      return eap.session(req.params.authCtxId, objectBody(req));
    }),
    // TS 29.509 5.2.2.2.4: the AMF abandons an authentication (e.g. synch failure before confirmation)
    serve(AUSF.ueAuthentication.deregister, (req) => {
      if (!contexts.delete(req.params.authCtxId)) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
      return noContent();
    }),
  ];
  return { routes, ledger };
}
