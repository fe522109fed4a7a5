// What the PCF holds at other NFs for an SM policy association (issue 16), taken when the
// association is created (TS 23.502 4.16.4) and given back at its termination (4.16.6 steps 5-6):
//   - the PDU session binding at the BSF (TS 23.503 6.1.1.2.2; Nbsf_Management_Register,
//     Deregister at 4.16.6 step 5), which is how an AF finds this PCF;
//   - the subscriber's subscription to policy counter status at the CHF (4.16.8,
//     Nchf_SpendingLimitControl): one per SUPI, created for the first session needing it, modified
//     as sessions come and go, removed with the last one (4.16.6 step 6);
//   - an analytics subscription per non-roaming session at the NWDAF (Nnwdaf_EventsSubscription,
//     unsubscribed at 4.16.6 step 5, "in the non-roaming case"); none for a roaming session.
// The NFs' notifications to the PCF (CHF policy counter status, NWDAF analytics) are served here.

import { SbiProblem, objectBody, requireString, type SbiRoute } from '../common/sbi.ts';
import { noContent, serve } from '../common/sbi/routes.ts';
import { callbackUri, consumer } from '../common/sbi/client.ts';
import { endLateCreation } from '../common/sbi/late-answer.ts';
import { BSF, CHF, NWDAF, CALLBACKS } from '../common/sbi/operations.ts';
import { homeSubscriber, type Pcf, type SmPolicyAssociation, type PcfAroundConfig } from './context.ts';

const clients = new WeakMap<Pcf, { bsf: ReturnType<typeof consumer<typeof BSF>>; chf: ReturnType<typeof consumer<typeof CHF>>; nwdaf: ReturnType<typeof consumer<typeof NWDAF>> }>();

function around(pcf: Pcf): { cfg: PcfAroundConfig; bsf: ReturnType<typeof consumer<typeof BSF>>; chf: ReturnType<typeof consumer<typeof CHF>>; nwdaf: ReturnType<typeof consumer<typeof NWDAF>> } | undefined {
  const cfg = pcf.cfg.around;
  if (!cfg) return undefined;
  let c = clients.get(pcf);
  if (!c) clients.set(pcf, (c = { bsf: consumer(pcf.udr, cfg.bsfUri, BSF), chf: consumer(pcf.udr, cfg.chfUri, CHF), nwdaf: consumer(pcf.udr, cfg.nwdafUri, NWDAF) }));
  return { cfg, ...c };
}

/** TS 29.571 Snssai from the association's key ('1' or '1-000001'). */
function snssaiOf(key: string): { sst: number; sd?: string } {
  const [sst, sd] = key.split('-');
  return sd ? { sst: Number(sst), sd } : { sst: Number(sst) };
}

/** The policy counters the subscriber's sessions other than `except` need (4.16.8). */
function countersNeeded(pcf: Pcf, supi: string, except?: string): string[] {
  const ids = new Set<string>();
  for (const [id, a] of pcf.smPolicies.entriesWith(supi)) if (id !== except) for (const c of a.policyCounterIds ?? []) ids.add(c);
  return [...ids];
}

/** TS 23.502 4.16.4 (after the policy decision): the BSF binding, the CHF subscription, the NWDAF subscription. */
export async function bindSmPolicy(pcf: Pcf, id: string, assoc: SmPolicyAssociation): Promise<void> {
  const a = around(pcf);
  if (!a) return;
  const snssai = snssaiOf(assoc.snssai);
  // TS 23.503 6.1.1.2.2: the PCF registers the session's binding (UE address, SUPI, DNN, S-NSSAI, its own address)
  if (assoc.ipv4Address) {
    // a 201 after the time-out (the association was undone with the failure): Nbsf_Management_Deregister
    // at its Location (4.16.6 step 5, TS 29.521 5.2.2.3; a 404: a newer binding replaced it, nothing is left)
    const r = await a.bsf.management.register({ supi: assoc.supi, ipv4Addr: assoc.ipv4Address, dnn: assoc.dnn, snssai, pcfIpEndPoints: [{ ipv4Address: a.cfg.address, port: a.cfg.port }] }, {
      step: '4.16.4',
      lateAnswer: endLateCreation(`[PCF] BSF binding of ${assoc.supi}`, (uri) => a.bsf.management.deregister(uri, { step: '4.16.6 step 5' }).catch((e: unknown) => {
        if (!(e instanceof SbiProblem && e.problem.status === 404)) throw e;
      }), pcf.cfg.log),
    });
    assoc.bsfBindingUri = r.headers.location;
  }
  // 4.16.8: policy counter status reporting for the subscriber (one subscription per SUPI); not
  // for a roamer at a V-PCF (local breakout: "the interaction with HPLMN (e.g. step 6) is not used")
  if (a.cfg.policy.policyCounterIds.length && homeSubscriber(pcf.cfg, assoc.supi)) {
    assoc.policyCounterIds = [...a.cfg.policy.policyCounterIds];
    await pcf.chfWriters.run(assoc.supi, async () => {
      const sub = pcf.chfSubscriptions.get(assoc.supi);
      const counterIds = countersNeeded(pcf, assoc.supi);
      if (!sub) {
        // a 201 after the time-out: a subscription the PCF does not hold (the next session makes its own), unsubscribed (4.16.6 step 6)
        const r = await a.chf.spendingLimitControl.subscribe({ supi: assoc.supi, policyCounterIds: counterIds, notifUri: callbackUri(pcf.cfg.baseUri, CALLBACKS.spendingLimitNotify, { supi: assoc.supi }) }, {
          step: '4.16.8',
          lateAnswer: endLateCreation(`[PCF] CHF subscription of ${assoc.supi}`, (uri) => a.chf.spendingLimitControl.unsubscribe(uri, { step: '4.16.6 step 6' }), pcf.cfg.log),
        });
        pcf.chfSubscriptions.set(assoc.supi, { uri: r.headers.location ?? '', counterIds, smPolicies: new Set([id]) });
        pcf.policyCounterStatus.set(assoc.supi, statusesOf(r.body.statusInfos));
        return;
      }
      sub.smPolicies.add(id);
      if (counterIds.some((c) => !sub.counterIds.includes(c))) {
        const r = await a.chf.spendingLimitControl.modify(sub.uri, { policyCounterIds: counterIds }, { step: '4.16.8' });
        sub.counterIds = counterIds;
        pcf.policyCounterStatus.set(assoc.supi, statusesOf(r.body.statusInfos));
      }
    });
  }
  // TS 23.503 6.1.1.3: analytics for the session from the NWDAF (immediate report asked), in the
  // non-roaming case only: 4.16.6 step 5 unsubscribes "in the non-roaming case", and a roaming
  // session's UE is in another PLMN, whose analytics this PLMN's NWDAF does not have
  if (a.cfg.policy.nwdafEvents.length && !assoc.roaming) {
    const r = await a.nwdaf.eventsSubscription.subscribe({
      eventSubscriptions: a.cfg.policy.nwdafEvents.map((event) => ({ event, tgtUe: { supis: [assoc.supi] }, snssaia: [snssai], dnns: [assoc.dnn] })),
      notificationURI: callbackUri(pcf.cfg.baseUri, CALLBACKS.nwdafNotify, { smPolicyId: id }),
      evtReq: { immRep: true },
    }, { step: '4.16.4', lateAnswer: endLateCreation(`[PCF] NWDAF subscription of ${assoc.supi}`, (uri) => a.nwdaf.eventsSubscription.unsubscribe(uri, { step: '4.16.6 step 5' }), pcf.cfg.log) });
    assoc.nwdafSubscriptionUri = r.headers.location;
  }
}

function statusesOf(infos: Record<string, { policyCounterId: string; currentStatus: string }> | undefined): Record<string, string> {
  return Object.fromEntries(Object.values(infos ?? {}).map((i) => [i.policyCounterId, i.currentStatus]));
}

/**
 * TS 23.502 4.16.6 step 5: Nbsf_Management_Deregister; `report` (the 4.16.14.2 report of the
 * termination, which the step names next); in the non-roaming case, the NWDAF unsubscribe.
 */
export async function unbindAtStep5(pcf: Pcf, assoc: SmPolicyAssociation, report?: () => Promise<void>): Promise<void> {
  const a = around(pcf);
  if (!a) return report?.();
  const binding = assoc.bsfBindingUri;
  assoc.bsfBindingUri = undefined;
  // a 404: the BSF replaced the binding with a newer session's for the same UE address (the
  // binding was stale, nodes/bsf/service.ts): nothing is left to deregister
  if (binding) await a.bsf.management.deregister(binding, { step: '4.16.6 step 5' }).catch((e: unknown) => {
    if (!(e instanceof SbiProblem && e.problem.status === 404)) throw e;
  });
  await report?.();
  const analytics = assoc.nwdafSubscriptionUri;
  assoc.nwdafSubscriptionUri = undefined;
  if (analytics) await a.nwdaf.eventsSubscription.unsubscribe(analytics, { step: '4.16.6 step 5' });
}

/**
 * TS 23.502 4.16.6 step 6 (4.16.8): unsubscribe from policy counter status reporting when this was
 * the subscriber's last session needing it, else modify the subscription to what the others need.
 */
export async function unbindAtStep6(pcf: Pcf, id: string, assoc: SmPolicyAssociation): Promise<void> {
  const a = around(pcf);
  if (!a || !assoc.policyCounterIds) return;
  await pcf.chfWriters.run(assoc.supi, async () => {
    const sub = pcf.chfSubscriptions.get(assoc.supi);
    if (!sub?.smPolicies.delete(id)) return;
    if (!sub.smPolicies.size) {
      pcf.chfSubscriptions.delete(assoc.supi);
      pcf.policyCounterStatus.delete(assoc.supi);
      await a.chf.spendingLimitControl.unsubscribe(sub.uri, { step: '4.16.6 step 6' });
      return;
    }
    const counterIds = countersNeeded(pcf, assoc.supi, id);
    const r = await a.chf.spendingLimitControl.modify(sub.uri, { policyCounterIds: counterIds }, { step: '4.16.6 step 6' });
    sub.counterIds = counterIds;
    pcf.policyCounterStatus.set(assoc.supi, statusesOf(r.body.statusInfos));
  });
}

/** The notifications the CHF and the NWDAF send the PCF. */
export function bindingCallbackRoutes(pcf: Pcf): SbiRoute[] {
  return [
    // TS 29.594 5.2.2.5 Nchf_SpendingLimitControl_Notify: the statuses are kept for the policy decisions
    serve(CALLBACKS.spendingLimitNotify, (req) => {
      const body = objectBody(req) as { statusInfos?: Record<string, { policyCounterId: string; currentStatus: string }> };
      const supi = requireString(body, 'supi');
      pcf.policyCounterStatus.set(supi, { ...(pcf.policyCounterStatus.get(supi) ?? {}), ...statusesOf(body.statusInfos) });
      return noContent();
    }),
    // TS 29.520 5.1.2.2.4 Nnwdaf_EventsSubscription_Notify: counted (wire5g's NWDAF reports no analytics)
    serve(CALLBACKS.nwdafNotify, (req) => {
      if (pcf.smPolicies.has(req.params.smPolicyId)) pcf.analyticsNotifications.set(req.params.smPolicyId, (pcf.analyticsNotifications.get(req.params.smPolicyId) ?? 0) + 1);
      return noContent();
    }),
  ];
}
