// The AMF's service-based interface: the routes of Namf_Communication and Namf_EventExposure
// (TS 29.518) and the AMF's callbacks (Nsmf_PDUSession SM context status, TS 29.502 5.2.2.5.2;
// Nudm_UECM deregistration notification, TS 29.503 5.3.2.3.2).

import { SbiProblem, objectBody, type SbiRoute } from '../common/sbi.ts';
import type { Amf } from './amf.ts';
import { n1n2MessageTransfer } from './procedures/pdu-session-relay.ts';
import { deregistrationNotification } from './procedures/deregistration-network.ts';
import { sdmModificationNotification } from './procedures/subscriber-data-update.ts';

export function namfRoutes(amf: Amf): SbiRoute[] {
  return [
    {
      // TS 29.518 5.2.2.3.1 N1N2MessageTransfer (TS 23.502 4.3.2.2.1 step 11)
      method: 'POST',
      path: '/namf-comm/v1/ue-contexts/{ueContextId}/n1-n2-messages',
      operation: 'Namf_Communication_N1N2MessageTransfer',
      handler: (req) => n1n2MessageTransfer(amf, req),
    },
    {
      // TS 29.518 5.3.2.2 Namf_EventExposure_Subscribe
      method: 'POST',
      path: '/namf-evts/v1/subscriptions',
      operation: 'Namf_EventExposure_Subscribe',
      handler: (req) => {
        const body = objectBody(req) as { subscription?: { eventList?: { type?: unknown }[]; eventNotifyUri?: unknown; notifyCorrelationId?: unknown; supi?: unknown; anyUE?: unknown } };
        const sub = body.subscription;
        const types = (sub?.eventList ?? []).map((e) => e.type).filter((t): t is string => typeof t === 'string');
        if (!sub || types.length === 0 || typeof sub.eventNotifyUri !== 'string' || typeof sub.notifyCorrelationId !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'subscription with eventList, eventNotifyUri and notifyCorrelationId is required');
        if (typeof sub.supi !== 'string' && sub.anyUE !== true) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'supi or anyUE is required');
        const unsupported = types.filter((t) => t !== 'LOSS_OF_CONNECTIVITY');
        if (unsupported.length) throw new SbiProblem(403, 'UNSUPPORTED_EVENT_TYPE', unsupported.join(', '));
        const id = String(amf.nextSubscription++);
        amf.eventSubscriptions.set(id, { types, eventNotifyUri: sub.eventNotifyUri, notifyCorrelationId: sub.notifyCorrelationId, ...(typeof sub.supi === 'string' ? { supi: sub.supi } : {}) });
        return { status: 201, headers: { location: `${amf.cfg.baseUri}/namf-evts/v1/subscriptions/${id}` }, body: { subscription: sub, subscriptionId: id } };
      },
    },
    {
      // TS 29.518 5.3.2.3 Namf_EventExposure_Unsubscribe
      method: 'DELETE',
      path: '/namf-evts/v1/subscriptions/{subscriptionId}',
      operation: 'Namf_EventExposure_Unsubscribe',
      handler: (req) => {
        if (!amf.eventSubscriptions.delete(req.params.subscriptionId)) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND');
        return { status: 204 };
      },
    },
    {
      // TS 29.503 5.3.2.3.2 Nudm_UECM_DeregistrationNotification (TS 23.502 4.2.2.3.3 steps 1-3):
      // the deregCallbackUri of the AMF's Nudm_UECM_Registration
      method: 'POST',
      path: '/namf-callback/v1/{supi}/dereg-notify',
      operation: 'Nudm_UECM_DeregistrationNotification',
      handler: (req) => deregistrationNotification(amf, req),
    },
    {
      // TS 29.503 5.2.2.5 Nudm_SDM_Notification (TS 23.502 4.5.1): the callbackReference of the
      // AMF's Nudm_SDM_Subscribe
      method: 'POST',
      path: '/namf-callback/v1/{supi}/sdm-notify',
      operation: 'Nudm_SDM_Notification',
      handler: (req) => sdmModificationNotification(amf, req),
    },
    {
      // TS 29.502 5.2.2.5.2 SM context status notification
      method: 'POST',
      path: '/namf-callback/v1/{supi}/sm-context-status/{pduSessionId}',
      operation: 'Nsmf_PDUSession_SMContextStatusNotify',
      handler: (req) => {
        const body = objectBody(req) as { statusInfo?: { resourceStatus?: string } };
        if (typeof body.statusInfo !== 'object' || body.statusInfo === null) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'statusInfo is required');
        const ue = amf.bySupi.get(req.params.supi);
        if (ue && body.statusInfo?.resourceStatus === 'RELEASED') ue.sessions.delete(Number(req.params.pduSessionId));
        return { status: 204 };
      },
    },
  ];
}
