// Nudr_DR policy data (TS 29.504 5.2, resources of TS 29.519) the PCF reads: AM policy data, the
// UE policy set, SM policy data with the remaining allowed usage (usage monitoring, TS 23.502
// 4.16.6 step 3), and subscriptions to changes.

import { SbiProblem, objectBody, type SbiRoute } from '../common/sbi.ts';
import { serve, ok, created, noContent, undoable } from '../common/sbi/routes.ts';
import { operationUri, resourceUri } from '../common/sbi/client.ts';
import { UDR } from '../common/sbi/operations.ts';
import type { components as UdrC } from '../common/sbi-types/TS29504_Nudr_DR.ts';
import { snssaiKey, deepFreeze, type UdrStore, type SubscriberRecord } from './store.ts';
import { subscriber, type Udr } from './context.ts';

type S = UdrC['schemas'];

function parseSnssaiKey(k: string): { sst: number; sd?: string } {
  const [sst, sd] = k.split('-');
  return sd ? { sst: Number(sst), sd } : { sst: Number(sst) };
}

/**
 * TS 29.519 SmPolicyData smPolicySnssaiData: per subscribed S-NSSAI, its SmPolicyDnnData per
 * subscribed DNN. Built from the record's frozen lists, which subscribers provisioned alike share
 * (UdrStore.frozenJson), so built once per distinct pair of lists and shared, frozen (each SM policy
 * association read it twice per PDU session; issue 21 goal 3).
 */
const snssaiDataOf = new WeakMap<readonly unknown[], WeakMap<readonly string[], S['SmPolicyData']['smPolicySnssaiData']>>();

function smPolicySnssaiData(s: SubscriberRecord): S['SmPolicyData']['smPolicySnssaiData'] {
  let byDnns = snssaiDataOf.get(s.snssais);
  if (!byDnns) snssaiDataOf.set(s.snssais, (byDnns = new WeakMap()));
  let d = byDnns.get(s.dnns);
  if (!d) {
    d = Object.fromEntries(s.snssais.map((n) => [snssaiKey(n), { snssai: n, smPolicyDnnData: Object.fromEntries(s.dnns.map((dnn) => [dnn, { dnn }])) }]));
    byDnns.set(s.dnns, deepFreeze(d));
  }
  return d;
}

/**
 * TS 29.519 SmPolicyData of a subscriber: the subscribed S-NSSAIs and DNNs, one UsageMonData per
 * (DNN, S-NSSAI) with the remaining allowed usage, and one per Monitoring Key of each.
 */
export function smPolicyDataOf(store: UdrStore, s: SubscriberRecord): S['SmPolicyData'] {
  const umData: Record<string, S['UsageMonData']> = {};
  for (const u of store.usageOf(s.supi)) {
    const limitId = `${u.dnn}:${u.snssai}`;
    umData[limitId] = { limitId, umLevel: 'SESSION_LEVEL', scopes: { [u.snssai]: { snssai: parseSnssaiKey(u.snssai), dnn: [u.dnn] } }, ...(u.remainingOctets === null ? {} : { allowedUsage: { totalVolume: u.remainingOctets } }) };
  }
  // per Monitoring Key (service level): `<dnn>:<s-nssai>:<key>`, scoped to its DNN and S-NSSAI
  for (const m of store.monitoringKeyUsageOf(s.supi)) {
    const limitId = `${m.dnn}:${m.snssai}:${m.key}`;
    umData[limitId] = { limitId, umLevel: 'SERVICE_LEVEL', scopes: { [m.snssai]: { snssai: parseSnssaiKey(m.snssai), dnn: [m.dnn] } }, allowedUsage: { totalVolume: m.remainingOctets } };
  }
  return {
    smPolicySnssaiData: smPolicySnssaiData(s),
    umData,
  };
}

export function policyDataRoutes(udr: Udr): SbiRoute[] {
  const { store, state } = udr;
  return [
    // TS 29.519 AmPolicyData
    serve(UDR.dr.readAmPolicyData, (req) => {
      subscriber(store, req.params.ueId);
      return ok({ subscCats: ['wire5g'] });
    }),
    // TS 29.519 UePolicySet
    serve(UDR.dr.readUePolicySet, (req) => {
      subscriber(store, req.params.ueId);
      return ok({ subscCats: ['wire5g'] }); // no UE policy sections (uePolicySections needs at least one)
    }),
    // TS 29.519 SmPolicyData with one UsageMonData per (DNN, S-NSSAI): the remaining allowed usage
    serve(UDR.dr.readSmPolicyData, (req) => ok(smPolicyDataOf(store, subscriber(store, req.params.ueId)))),
    // TS 29.519 UsageMonData resource: the PCF writes the remaining allowed usage after deducting
    // the accumulated usage (TS 23.502 4.16.6 step 3); CreateUsageMonitoringResource answers 201
    serve(UDR.dr.createUsageMonitoringResource, (req) => {
      const s = subscriber(store, req.params.ueId);
      const body = objectBody(req) as S['UsageMonData'];
      // `<dnn>:<s-nssai>` (session level) or `<dnn>:<s-nssai>:<monitoring key>` (smPolicyDataOf)
      const [dnn, key, mk] = req.params.usageMonId.split(':');
      const total = body.allowedUsage?.totalVolume;
      if (typeof total !== 'number' || total < 0) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'allowedUsage.totalVolume must be a non-negative number');
      const stored = mk === undefined ? store.setUsage(s.supi, dnn ?? '', key ?? '', total) : store.setMonitoringKeyUsage(s.supi, dnn ?? '', key ?? '', mk, total);
      if (!stored) throw new SbiProblem(404, 'DATA_NOT_FOUND', `no usage monitoring data ${req.params.usageMonId}`);
      return created(operationUri(udr.baseUri, UDR.dr.createUsageMonitoringResource, { ueId: req.params.ueId, usageMonId: req.params.usageMonId }), body);
    }),
    serve(UDR.dr.subscribePolicyData, (req) => {
      const body = objectBody(req) as S['PolicyDataSubscription'];
      const subsId = udr.nextId();
      state.policyDataSubscriptions.set(subsId, body);
      return undoable(created(resourceUri(udr.baseUri, UDR.dr.unsubscribePolicyData, { subsId }), body), () => void state.policyDataSubscriptions.delete(subsId));
    }),
    serve(UDR.dr.unsubscribePolicyData, (req) => {
      if (!state.policyDataSubscriptions.delete(req.params.subsId)) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND');
      return noContent();
    }),
  ];
}
