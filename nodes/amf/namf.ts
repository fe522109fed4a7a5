// The AMF's service-based interface: the routes of Namf_Communication and Namf_EventExposure
// (TS 29.518) and the AMF's callbacks (Nsmf_PDUSession SM context status, TS 29.502 5.2.2.5.2;
// Nudm_UECM deregistration notification, TS 29.503 5.3.2.3.2).

import { SbiProblem, objectBody, type SbiRoute } from '../common/sbi.ts';
import { serve, created, noContent } from '../common/sbi/routes.ts';
import { resourceUri } from '../common/sbi/client.ts';
import { AMF, CALLBACKS } from '../common/sbi/operations.ts';
import type { components as EvtsC } from '../common/sbi-types/TS29518_Namf_EventExposure.ts';
import type { components as SmfC } from '../common/sbi-types/TS29502_Nsmf_PDUSession.ts';
import type { Amf } from './amf.ts';
import { n1n2MessageTransfer } from './procedures/pdu-session-relay.ts';
import { deregistrationNotification } from './procedures/deregistration-network.ts';
import { sdmModificationNotification } from './procedures/subscriber-data-update.ts';
import { amPolicyUpdateNotify, uePolicyUpdateNotify } from './procedures/policy-update-notify.ts';
import { n1MessageNotify } from './procedures/n1-message-notify.ts';
import { ueContextTransfer } from './procedures/ue-context-transfer.ts';
import { registrationStatusUpdate } from './procedures/registration-status-update.ts';

export function namfRoutes(amf: Amf): SbiRoute[] {
  return [
    // TS 29.518 5.2.2.3.1 N1N2MessageTransfer (TS 23.502 4.3.2.2.1 step 11)
    serve(AMF.communication.n1n2MessageTransfer, (req) => n1n2MessageTransfer(amf, req)),
    // TS 29.518 5.2.2.2.2 / 5.2.2.2.3 at the old AMF (TS 23.502 4.2.2.2.2 steps 4-5 and 10)
    serve(AMF.communication.ueContextTransfer, (req) => ueContextTransfer(amf, req)),
    serve(AMF.communication.registrationStatusUpdate, (req) => registrationStatusUpdate(amf, req)),
    // TS 29.518 5.3.2.2 Namf_EventExposure_Subscribe
    serve(AMF.eventExposure.subscribe, (req) => {
      // TS 29.518 6.2.6.2.2 AmfCreateEventSubscription, its members checked before use
      const body = objectBody(req) as { subscription?: { eventList?: { type?: unknown }[]; eventNotifyUri?: unknown; notifyCorrelationId?: unknown; supi?: unknown; anyUE?: unknown } };
      const sub = body.subscription;
      const types = (sub?.eventList ?? []).map((e) => e.type).filter((t): t is string => typeof t === 'string');
      if (!sub || types.length === 0 || typeof sub.eventNotifyUri !== 'string' || typeof sub.notifyCorrelationId !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'subscription with eventList, eventNotifyUri and notifyCorrelationId is required');
      if (typeof sub.supi !== 'string' && sub.anyUE !== true) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'supi or anyUE is required');
      const unsupported = types.filter((t) => t !== 'LOSS_OF_CONNECTIVITY');
      if (unsupported.length) throw new SbiProblem(403, 'UNSUPPORTED_EVENT_TYPE', unsupported.join(', '));
      const id = String(amf.nextSubscription++);
      amf.eventSubscriptions.set(id, { types, eventNotifyUri: sub.eventNotifyUri, notifyCorrelationId: sub.notifyCorrelationId, ...(typeof sub.supi === 'string' ? { supi: sub.supi } : {}) });
      // TS 29.518 6.2.6.2.3 AmfCreatedEventSubscription: the subscription as created, and its id
      return created(resourceUri(amf.cfg.baseUri, AMF.eventExposure.unsubscribe, { subscriptionId: id }), { subscription: sub as EvtsC['schemas']['AmfEventSubscription'], subscriptionId: id });
    }),
    // TS 29.518 5.3.2.3 Namf_EventExposure_Unsubscribe
    serve(AMF.eventExposure.unsubscribe, (req) => {
      if (!amf.eventSubscriptions.delete(req.params.subscriptionId)) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND');
      return noContent();
    }),
    // TS 29.503 5.3.2.3.2 Nudm_UECM_DeregistrationNotification (TS 23.502 4.2.2.3.3 steps 1-3):
    // the deregCallbackUri of the AMF's Nudm_UECM_Registration
    serve(CALLBACKS.deregistrationNotify, (req) => deregistrationNotification(amf, req)),
    // TS 29.503 5.2.2.5 Nudm_SDM_Notification (TS 23.502 4.5.1): the callbackReference of the
    // AMF's Nudm_SDM_Subscribe
    serve(CALLBACKS.sdmModificationNotify, (req) => sdmModificationNotification(amf, req)),
    // TS 29.507 4.2.4.2 / TS 29.525 4.2.4.2: the PCF's policy update notifications (policy-update-notify.ts)
    serve(CALLBACKS.amPolicyUpdateNotify, (req) => amPolicyUpdateNotify(amf, req)),
    serve(CALLBACKS.uePolicyUpdateNotify, (req) => uePolicyUpdateNotify(amf, req)),
    // TS 29.518 5.2.2.4.2 N1MessageNotify from an initial AMF (TS 23.502 4.2.2.2.3 step 7(A))
    serve(CALLBACKS.n1MessageNotify, (req) => n1MessageNotify(amf, req)),
    // TS 29.502 5.2.2.5.2 SM context status notification
    serve(CALLBACKS.smContextStatusNotify, (req) => {
      // TS 29.502 6.1.6.2.8 SmContextStatusNotification: statusInfo is mandatory
      const body = objectBody(req) as Partial<SmfC['schemas']['SmContextStatusNotification']>;
      if (typeof body.statusInfo !== 'object' || body.statusInfo === null) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'statusInfo is required');
      const ue = amf.bySupi.get(req.params.supi);
      if (ue && body.statusInfo?.resourceStatus === 'RELEASED') ue.sessions.delete(Number(req.params.pduSessionId));
      return noContent();
    }),
  ];
}
