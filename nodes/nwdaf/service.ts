// The NWDAF's Nnwdaf_EventsSubscription service (TS 29.520 5.1): it accepts subscriptions to
// analytics events and sends notifications, but computes no analytics. It collects no data
// (no Nnf_EventExposure towards the other NFs), so every notification it sends is the one TS
// 29.520 defines for that case: the subscribed event with failNotifyCode UNAVAILABLE_DATA
// (TS 29.520 5.1.6.2.5 EventNotification, 5.1.6.3.9 NwdafFailureCode). With `evtReq.immRep`
// the notification follows the 201 at once; subscriptions live until unsubscribed (the PCF does
// at SM Policy Association Termination, TS 23.502 4.16.6 step 5).

import { SbiProblem, objectBody, requireString, type SbiClient, type SbiRoute } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { serve, created, noContent, undoable } from '../common/sbi/routes.ts';
import { resourceUri, consumer } from '../common/sbi/client.ts';
import { NWDAF, CALLBACKS } from '../common/sbi/operations.ts';
import type { components as NwdafC } from '../common/sbi-types/TS29520_Nnwdaf_EventsSubscription.ts';

type S = NwdafC['schemas'];

export function nwdafRoutes(baseUri: string, sbi: SbiClient, ledger = new ResourceLedger('NWDAF')) {
  const subscriptions = new Map<string, S['NnwdafEventsSubscription']>();
  const notify = consumer(sbi, '', CALLBACKS);
  let next = 1;
  ledger.gauge('analytics subscriptions', () => subscriptions.size);

  /** One notification per subscribed event: no data, so no analytics (TS 29.520 NwdafFailureCode UNAVAILABLE_DATA). */
  const unavailable = (id: string, sub: S['NnwdafEventsSubscription']): S['NnwdafEventsSubscriptionNotification'] => ({
    subscriptionId: id,
    eventNotifications: sub.eventSubscriptions.map((e) => ({ event: e.event, timeStampGen: new Date().toISOString(), failNotifyCode: 'UNAVAILABLE_DATA' })),
  });

  const routes: SbiRoute[] = [
    // TS 29.520 5.1.2.2.2 Nnwdaf_EventsSubscription_Subscribe
    serve(NWDAF.eventsSubscription.subscribe, (req) => {
      const body = objectBody(req) as Partial<S['NnwdafEventsSubscription']>;
      const uri = requireString(body, 'notificationURI');
      if (!Array.isArray(body.eventSubscriptions) || !body.eventSubscriptions.length || body.eventSubscriptions.some((e) => typeof e?.event !== 'string')) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'eventSubscriptions with an event each is required');
      const id = String(next++);
      const sub = body as S['NnwdafEventsSubscription'];
      subscriptions.set(id, sub);
      const res = created(resourceUri(baseUri, NWDAF.eventsSubscription.unsubscribe, { subscriptionId: id }), sub);
      // TS 29.520 5.1.2.2.2: immediate reporting, after the 201
      const after = sub.evtReq?.immRep ? async () => void (subscriptions.has(id) && (await notify.nwdafNotify(uri, [unavailable(id, sub)]))) : undefined;
      return undoable({ ...res, ...(after ? { after } : {}) }, () => void subscriptions.delete(id));
    }),
    // TS 29.520 5.1.2.2.3 Nnwdaf_EventsSubscription_Unsubscribe
    serve(NWDAF.eventsSubscription.unsubscribe, (req) => {
      if (!subscriptions.delete(req.params.subscriptionId)) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND');
      return noContent();
    }),
  ];
  return { routes, ledger, subscriptions };
}
