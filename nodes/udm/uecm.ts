// Nudm_UECM (TS 29.503 5.3): the serving AMF's and SMFs' registrations for a UE (TS 23.502
// 4.2.2.2.2 step 14a, 4.3.2.2.1 step 4), kept in the UDR's context data (TS 29.505), and their
// deregistration (4.2.2.3.2 steps 5c and 8, the AMF's purge).

import { SbiProblem, objectBody, requireString, type SbiRoute } from '../common/sbi.ts';
import { serve, ok, created, noContent, undoable } from '../common/sbi/routes.ts';
import { operationUri, type notifier } from '../common/sbi/client.ts';
import { UDM } from '../common/sbi/operations.ts';
import type { components as UdrC } from '../common/sbi-types/TS29504_Nudr_DR.ts';
import { userNotFound, type Udm } from './context.ts';
import { notifyReplacedAmf } from './procedures/deregistration-notification.ts';

/** TS 29.500 6.1.7.3: a mandatory member that is absent or not an object. */
function requireObject(o: Record<string, unknown>, field: string): void {
  if (typeof o[field] !== 'object' || o[field] === null) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', `${field} is required`);
}

export function uecmRoutes(udm: Udm, notify: ReturnType<typeof notifier>): SbiRoute[] {
  return [
    // TS 23.502 4.2.2.2.2 step 14a, TS 29.503 5.3.2.2.2: Nudm_UECM_Registration (AMF, 3GPP access)
    serve(UDM.uecm.registerAmf3gppAccess, async (req) => {
      const body = objectBody(req);
      // TS 29.503 6.2.6.2.2 Amf3GppAccessRegistration: the mandatory members
      requireString(body, 'amfInstanceId');
      requireString(body, 'deregCallbackUri');
      requireObject(body, 'guami');
      requireString(body, 'ratType');
      const reg = body as UdrC['schemas']['Amf3GppAccessRegistration'];
      // a 2xx after the time-out (this registration failed): the UDR's context-data is purged as the
      // AMF's deregistration would (TS 29.503 5.3.2.4.2 step 2, Nudr_DM_Update), unless a later
      // registration of the UE holds it now (the PUT's resource is the UE's one, not this call's)
      await udm.nudr.createAmfContext3gpp(req.params.ueId, reg, { lateAnswer: async (r) => {
        if (r.status < 200 || r.status > 299 || udm.amfRegistrations.has(req.params.ueId)) return;
        udm.cfg.log?.(`[UDM] ${req.params.ueId}: the UDR's ${r.status} for the AMF context-data came after the time-out; purging it`);
        await udm.nudr.modifyAmfContext3gpp(req.params.ueId, [{ op: 'add', path: '/purgeFlag', value: true }]);
      } }).catch(userNotFound);
      const old = udm.amfRegistrations.get(req.params.ueId);
      udm.amfRegistrations.set(req.params.ueId, reg);
      // TS 23.502 4.2.2.2.2 step 14d: another AMF was registered for 3GPP access: it is told, after the answer
      if (old && old.amfInstanceId !== reg.amfInstanceId) {
        return { ...ok(reg), after: () => notifyReplacedAmf({ notify }, old, reg).catch((e: unknown) => udm.cfg.log?.(`[UDM] Nudm_UECM_DeregistrationNotification of ${req.params.ueId} to the old AMF ${old.amfInstanceId}: ${e instanceof Error ? e.message : String(e)}`)) };
      }
      if (old) return ok(reg);
      // an AMF that never got the 201 does not know it is registered and never deregisters (issue 21)
      return undoable(created(operationUri(udm.cfg.baseUri, UDM.uecm.registerAmf3gppAccess, { ueId: req.params.ueId }), reg), async () => {
        if (udm.amfRegistrations.get(req.params.ueId) !== reg) return;
        udm.amfRegistrations.delete(req.params.ueId);
        await udm.nudr.modifyAmfContext3gpp(req.params.ueId, [{ op: 'add', path: '/purgeFlag', value: true }]);
      });
    }),
    // TS 29.503 5.3.2.5.2: Nudm_UECM_Get of the AMF registration
    serve(UDM.uecm.getAmf3gppAccess, (req) => {
      const reg = udm.amfRegistrations.get(req.params.ueId);
      if (!reg) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
      return ok(reg);
    }),
    // TS 29.503 5.3.2.4.2: the AMF deregisters by PATCH with purgeFlag (Nudm_UECM_Deregistration)
    serve(UDM.uecm.updateAmf3gppAccess, async (req) => {
      const body = objectBody(req);
      const reg = udm.amfRegistrations.get(req.params.ueId);
      if (!reg) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
      // TS 29.503 6.2.7.3 INVALID_GUAMI: only the registered AMF modifies its registration (an old
      // AMF whose registration another AMF's replaced, step 14d, does not purge the new one)
      const guami = body.guami as { amfId?: unknown } | undefined;
      if (guami && typeof guami.amfId === 'string' && guami.amfId.toLowerCase() !== reg.guami.amfId.toLowerCase()) throw new SbiProblem(403, 'INVALID_GUAMI', `the AMF registered for ${req.params.ueId} is ${reg.guami.amfId}, not ${guami.amfId}`);
      if (body.purgeFlag !== true) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'only purgeFlag: true is supported');
      // step 2: the purge is recorded in the UDR (Nudr_DM_Update, JSON Patch)
      await udm.nudr.modifyAmfContext3gpp(req.params.ueId, [{ op: 'add', path: '/purgeFlag', value: true }]);
      udm.amfRegistrations.delete(req.params.ueId);
      return noContent();
    }),
    // TS 23.502 4.3.2.2.1 step 4, TS 29.503 5.3.2.2.3: Nudm_UECM_Registration (SMF)
    serve(UDM.uecm.registerSmf, async (req) => {
      const body = objectBody(req);
      // TS 29.503 6.2.6.2.4 SmfRegistration: the mandatory members
      requireString(body, 'smfInstanceId');
      if (typeof body.pduSessionId !== 'number') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'pduSessionId is required');
      requireObject(body, 'singleNssai');
      requireObject(body, 'plmnId');
      const reg = body as UdrC['schemas']['SmfRegistration'];
      const key = `${req.params.ueId}/${req.params.pduSessionId}`;
      // a 2xx after the time-out (this registration failed): the UDR's context-data is deleted as at
      // the SMF's deregistration (Nudr_DM_Delete, TS 23.502 4.3.4.2 step 13), unless a later
      // registration of the same PDU session holds it now
      await udm.nudr.createSmfRegistration(req.params.ueId, req.params.pduSessionId, reg, { lateAnswer: async (r) => {
        if (r.status < 200 || r.status > 299 || udm.smfRegistrations.has(key)) return;
        udm.cfg.log?.(`[UDM] ${key}: the UDR's ${r.status} for the SMF context-data came after the time-out; deleting it`);
        await udm.nudr.deleteSmfRegistration(req.params.ueId, req.params.pduSessionId);
      } }).catch(userNotFound);
      const existed = udm.smfRegistrations.has(key);
      udm.smfRegistrations.set(key, reg);
      if (existed) return ok(reg);
      return undoable(created(operationUri(udm.cfg.baseUri, UDM.uecm.registerSmf, { ueId: req.params.ueId, pduSessionId: req.params.pduSessionId }), reg), async () => {
        if (udm.smfRegistrations.get(key) !== reg) return;
        udm.smfRegistrations.delete(key);
        await udm.nudr.deleteSmfRegistration(req.params.ueId, req.params.pduSessionId);
      });
    }),
    // TS 23.502 4.2.2.3.2 step 5c / 4.3.4: Nudm_UECM_Deregistration (SMF)
    serve(UDM.uecm.deregisterSmf, async (req) => {
      const key = `${req.params.ueId}/${req.params.pduSessionId}`;
      if (!udm.smfRegistrations.has(key)) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND');
      await udm.nudr.deleteSmfRegistration(req.params.ueId, req.params.pduSessionId);
      udm.smfRegistrations.delete(key);
      return noContent();
    }),
  ];
}
