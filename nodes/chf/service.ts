// The CHF's Nchf_SpendingLimitControl service (TS 29.594 5.2): per-subscriber policy counters
// (TS 23.503 6.2.1.5) and the PCF's subscriptions to their status (TS 23.502 4.16.7, 4.16.8).
// The counters are the configured ones (`chf.policyCounters`), each subscriber starting with
// every one at its configured status; `setStatus` (O&M) changes one and notifies the subscribers
// (Nchf_SpendingLimitControl_Notify). Nchf_ConvergedCharging (the SMF's PDU session charging,
// without rating) is in converged-charging.ts.

import { SbiProblem, objectBody, requireString, type SbiClient, type SbiRoute } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { serve, created, ok, noContent, undoable } from '../common/sbi/routes.ts';
import { resourceUri, consumer } from '../common/sbi/client.ts';
import { CHF, CALLBACKS } from '../common/sbi/operations.ts';
import type { components as ChfC } from '../common/sbi-types/TS29594_Nchf_SpendingLimitControl.ts';
import { convergedChargingRoutes } from './converged-charging.ts';

type S = ChfC['schemas'];

export interface PolicyCounterConfig {
  id: string;
  status: string;
}

interface Subscription {
  supi: string;
  notifUri: string;
  counterIds: string[];
}

export function chfRoutes(baseUri: string, counters: readonly PolicyCounterConfig[], sbi: SbiClient, ledger = new ResourceLedger('CHF')) {
  const subscriptions = new Map<string, Subscription>();
  /** The status of each counter per SUPI, set once a subscriber's counters are first read. */
  const statuses = new Map<string, Map<string, string>>();
  const notify = consumer(sbi, '', CALLBACKS);
  let next = 1;
  ledger.gauge('spending limit subscriptions', () => subscriptions.size);

  const countersOf = (supi: string) => {
    let m = statuses.get(supi);
    if (!m) statuses.set(supi, (m = new Map(counters.map((c) => [c.id, c.status]))));
    return m;
  };
  const statusOf = (supi: string, ids: string[]): S['SpendingLimitStatus'] => {
    const m = countersOf(supi);
    return { supi, statusInfos: Object.fromEntries(ids.map((id) => [id, { policyCounterId: id, currentStatus: m.get(id)! }])) };
  };
  /** TS 29.594 5.2.2.2: the counters asked for (all of the subscriber's when none are named); an unknown one is refused. */
  const idsOf = (supi: string, body: Partial<S['SpendingLimitContext']>): string[] => {
    const m = countersOf(supi);
    const ids = body.policyCounterIds ?? [...m.keys()];
    const unknown = ids.filter((id) => !m.has(id));
    if (unknown.length) throw new SbiProblem(400, 'UNKNOWN_POLICY_COUNTERS', `no policy counter ${unknown.join(', ')} for ${supi}`);
    return ids;
  };

  const routes: SbiRoute[] = [
    // TS 29.594 5.2.2.2 Nchf_SpendingLimitControl_Subscribe, initial
    serve(CHF.spendingLimitControl.subscribe, (req) => {
      const body = objectBody(req) as Partial<S['SpendingLimitContext']>;
      const supi = requireString(body, 'supi');
      const notifUri = requireString(body, 'notifUri');
      const counterIds = idsOf(supi, body);
      const id = String(next++);
      subscriptions.set(id, { supi, notifUri, counterIds });
      return undoable(created(resourceUri(baseUri, CHF.spendingLimitControl.unsubscribe, { subscriptionId: id }), statusOf(supi, counterIds)), () => void subscriptions.delete(id));
    }),
    // TS 29.594 5.2.2.3 Nchf_SpendingLimitControl_Subscribe, intermediate: the list of counters changes
    serve(CHF.spendingLimitControl.modify, (req) => {
      const sub = subscriptions.get(req.params.subscriptionId);
      if (!sub) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND');
      const body = objectBody(req) as Partial<S['SpendingLimitContext']>;
      sub.counterIds = idsOf(sub.supi, body);
      if (typeof body.notifUri === 'string') sub.notifUri = body.notifUri;
      return ok(statusOf(sub.supi, sub.counterIds));
    }),
    // TS 29.594 5.2.2.4 Nchf_SpendingLimitControl_Unsubscribe
    serve(CHF.spendingLimitControl.unsubscribe, (req) => {
      if (!subscriptions.delete(req.params.subscriptionId)) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND');
      return noContent();
    }),
  ];

  /** O&M: a policy counter of `supi` changes status; TS 29.594 5.2.2.5 Notify to every subscription holding it. Resolves with the notifications sent. */
  async function setStatus(supi: string, counterId: string, status: string): Promise<number> {
    const m = countersOf(supi);
    if (!m.has(counterId)) throw new SbiProblem(404, 'UNKNOWN_POLICY_COUNTERS', `no policy counter ${counterId} for ${supi}`);
    m.set(counterId, status);
    let sent = 0;
    for (const sub of subscriptions.values()) {
      if (sub.supi !== supi || !sub.counterIds.includes(counterId)) continue;
      await notify.spendingLimitNotify(sub.notifUri, statusOf(supi, [counterId]), { step: '4.16.7' });
      sent++;
    }
    return sent;
  }

  // Nchf_ConvergedCharging (converged-charging.ts): the SMF's PDU session charging
  const charging = convergedChargingRoutes(baseUri, sbi, ledger);
  routes.push(...charging.routes);

  return { routes, ledger, setStatus, subscriptions, abort: charging.abort, chargingSessionOf: charging.sessionOf };
}
