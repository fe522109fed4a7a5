// Nudm_UEAuthentication (TS 29.503 5.4): the ARPF and SIDF of 5G AKA (TS 33.501 6.1.3.2 steps
// 1-2), with resynchronisation (6.1.3.3.2), and the AUSF's result confirmation (6.1.4.1a).

import { SbiProblem, objectBody, requireString, type SbiRoute } from '../common/sbi.ts';
import { serverAddressingInfo } from '../common/pvs-info.ts';
import { serve, ok, created, noContent } from '../common/sbi/routes.ts';
import { resourceUri } from '../common/sbi/client.ts';
import { UDM } from '../common/sbi/operations.ts';
import { nextSqn } from '../common/aka.ts';
import { userNotFound, type Udm } from './context.ts';
import type { components as UdrC } from '../common/sbi-types/TS29504_Nudr_DR.ts';

/** TS 29.503 6.3.3.2.1: a SUPI is served as is, a SUCI is de-concealed (SIDF, TS 33.501 6.12.2). */
function resolveSupi(udm: Udm, supiOrSuci: string): string {
  if (supiOrSuci.startsWith('imsi-') || supiOrSuci.startsWith('nai-')) return supiOrSuci;
  if (supiOrSuci.startsWith('suci-')) {
    const supi = udm.aka.deconcealSuci(supiOrSuci);
    if (!supi) throw new SbiProblem(403, 'DE_CONCEALMENT_FAILURE', `cannot de-conceal ${supiOrSuci}`);
    return supi;
  }
  throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', `not a SUPI or SUCI: ${supiOrSuci}`);
}

export function ueauRoutes(udm: Udm): SbiRoute[] {
  return [
    // TS 33.501 6.1.3.2 steps 1-2, TS 29.503 5.4.2.2: Nudm_UEAuthentication_Get
    serve(UDM.ueau.generateAuthData, async (req) => {
      const body = objectBody(req);
      const snName = requireString(body, 'servingNetworkName');
      requireString(body, 'ausfInstanceId');
      const supi = resolveSupi(udm, req.params.supiOrSuci);
      const resync = body.resynchronizationInfo as { rand?: unknown; auts?: unknown } | undefined;
      return udm.sqnWriters.run(supi, async () => {
        const sub = (await udm.nudr.queryAuthSubscription(supi).catch(userNotFound)).body;
        const k = sub.encPermanentKey, opc = sub.encOpcKey, sqnNow = sub.sequenceNumber?.sqn;
        if (!k || !opc || !sub.authenticationManagementField || !sqnNow) throw new SbiProblem(500, 'SYSTEM_FAILURE', `incomplete authentication subscription for ${supi}`);
        let sqn = sqnNow;
        if (resync) {
          // TS 33.102 6.3.5: verify MAC-S, then continue from SQN_MS.
          if (typeof resync.rand !== 'string' || typeof resync.auts !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'resynchronizationInfo needs rand and auts');
          const sqnMs = udm.aka.resynchronise({ k, opc, rand: resync.rand, auts: resync.auts });
          if (sqnMs === undefined) throw new SbiProblem(403, 'AUTHENTICATION_REJECTED', 'AUTS MAC-S verification failed');
          sqn = sqnMs;
        }
        sqn = nextSqn(sqn);
        // The new SQN is stored before the vector leaves the UDM: a crash can skip, never reuse.
        await udm.nudr.modifyAuthSubscription(supi, [{ op: 'replace', path: '/sequenceNumber/sqn', value: sqn }]);
        const rand = udm.aka.randomRand();
        const av = udm.aka.generateVector({ k, opc, amf: sub.authenticationManagementField, sqn, rand, servingNetworkName: snName });
        // TS 29.503 6.3.6.2.2 AuthenticationInfoResult with a 5G HE AV (6.3.6.2.5 Av5GHeAka)
        const pvs = udm.cfg.pvsAddresses;
        return ok({ authType: '5G_AKA' as const, authenticationVector: { avType: '5G_HE_AKA' as const, rand, xresStar: av.xresStar, autn: av.autn, kausf: av.kausf }, supi, ...(pvs?.length ? { pvsInfo: [serverAddressingInfo(pvs)] } : {}) });
      });
    }),
    // TS 33.501 6.1.4.1a, TS 29.503 5.4.2.3: Nudm_UEAuthentication_ResultConfirmation
    serve(UDM.ueau.confirmAuth, async (req) => {
      const body = objectBody(req);
      const nfInstanceId = requireString(body, 'nfInstanceId');
      const timeStamp = requireString(body, 'timeStamp');
      const authType = requireString(body, 'authType');
      const servingNetworkName = requireString(body, 'servingNetworkName');
      if (typeof body.success !== 'boolean') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'success is required');
      const event = { ...body, nfInstanceId, success: body.success, timeStamp, authType: authType as '5G_AKA', servingNetworkName };
      // the UDM stores the result in the UDR (Nudr_DM, authentication status) before it answers
      await udm.nudr.createAuthStatus(req.params.supi, event as UdrC['schemas']['AuthEvent']).catch(userNotFound);
      const authEventId = udm.nextId();
      udm.authEvents.set(req.params.supi, authEventId);
      return created(resourceUri(udm.cfg.baseUri, UDM.ueau.deleteAuth, { supi: req.params.supi, authEventId }), event);
    }),
    // TS 29.503 5.4.2.4: the AUSF withdraws the result it confirmed (authRemovalInd)
    serve(UDM.ueau.deleteAuth, (req) => {
      const body = objectBody(req);
      if (body.authRemovalInd !== true) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'authRemovalInd: true is required');
      if (udm.authEvents.get(req.params.supi) !== req.params.authEventId) throw new SbiProblem(404, 'DATA_NOT_FOUND', `no authentication event ${req.params.authEventId}`);
      udm.authEvents.delete(req.params.supi);
      return noContent();
    }),
  ];
}
