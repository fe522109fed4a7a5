// Npcf_EventExposure (TS 29.523), the PCF's side: an NF (the AF in its NEF role, nodes/af)
// subscribes to policy control events of any UE's PDU sessions, filtered by DNN and S-NSSAI
// (4.2.2, POST /subscriptions; groupId, a group of UEs, is refused: wire5g has no internal groups),
// modifies the subscription (PUT, 4.2.2.3) and unsubscribes (DELETE, 4.2.3); the PCF notifies it
// (4.2.4, POST {notifUri}) when an event occurs. Of the Rel-18 PcEvent values the emulator's
// procedures cause two, both learnt when a PDU session's SM policy association is created (TS
// 23.502 4.16.4: SmPolicyContextData accessType, ratType, servingNetwork):
//   - AC_TY_CH: the access type (and RAT type) of the PDU session;
//   - PLMN_CH: the PLMN where the UE is (TS 29.523 4.1.1 "PLMN identifier notification").
// With eventsRepInfo.immRep the 201 carries the current values of the sessions already there
// (eventNotifs). maxReportNbr and notifMethod ONE_TIME end the subscription after that many
// notifications (the last one sent); monDur ends it at that time. Periodic reporting is refused.
// The other PcEvents (satellite backhaul, service area coverage, UE policy delivery outcome,
// application start/stop) come from procedures wire5g does not run and are refused on subscribe,
// as is any event that would report the SM Policy Association termination: the Rel-18 enumeration
// has none (docs/decisions.md, "Issue 16, third round").

import { SbiProblem, objectBody, type SbiRequest, type SbiRoute } from '../common/sbi.ts';
import { serve, created, ok, noContent, undoable } from '../common/sbi/routes.ts';
import { resourceUri } from '../common/sbi/client.ts';
import { PCF_EE } from '../common/sbi/operations.ts';
import type { components as EeC } from '../common/sbi-types/TS29523_Npcf_EventExposure.ts';
import type { Pcf, SmPolicyAssociation } from './context.ts';

type S = EeC['schemas'];

/** The PcEvents wire5g's procedures cause (see above). */
export const PC_EVENTS_REPORTED = ['AC_TY_CH', 'PLMN_CH'] as const;

/** An Individual Policy Control Events Subscription and how many notifications it had. */
export interface PcEventSubscription {
  subsc: S['PcEventExposureSubsc'];
  reports: number;
}

function snssaiOf(key: string): { sst: number; sd?: string } {
  const [sst, sd] = key.split('-');
  return sd ? { sst: Number(sst), sd } : { sst: Number(sst) };
}

const sameSnssai = (a: { sst: number; sd?: string }, key: string) => (a.sd ? `${a.sst}-${a.sd.toLowerCase()}` : String(a.sst)) === key;

/** TS 29.523 5.6.2.3: filterDnns, filterSnssais and snssaiDnns narrow "any UE" to these PDU sessions. */
function matches(subsc: S['PcEventExposureSubsc'], a: SmPolicyAssociation): boolean {
  if (subsc.filterDnns && !subsc.filterDnns.includes(a.dnn)) return false;
  if (subsc.filterSnssais && !subsc.filterSnssais.some((n) => sameSnssai(n, a.snssai))) return false;
  if (subsc.snssaiDnns && !subsc.snssaiDnns.some((c) => c.snssai && sameSnssai(c.snssai, a.snssai) && (!c.dnns || c.dnns.includes(a.dnn)))) return false;
  return true;
}

/** The PcEventNotifications of one PDU session for the subscribed events (TS 29.523 5.6.2.5). */
function notificationsOf(subsc: S['PcEventExposureSubsc'], a: SmPolicyAssociation, timeStamp: string): S['PcEventNotification'][] {
  const pduSessionInfo: S['PduSessionInformation'] = { snssai: snssaiOf(a.snssai), dnn: a.dnn, ...(a.ipv4Address ? { ueIpv4: a.ipv4Address } : {}) };
  const out: S['PcEventNotification'][] = [];
  for (const event of subsc.eventSubs) {
    if (event === 'AC_TY_CH' && a.accessType) out.push({ event, accType: a.accessType, ...(a.ratType ? { ratType: a.ratType } : {}), supi: a.supi, timeStamp, ...(a.ipv4Address ? { pduSessionInfo } : {}) });
    if (event === 'PLMN_CH' && a.servingNetwork) out.push({ event, plmnId: a.servingNetwork, supi: a.supi, timeStamp, ...(a.ipv4Address ? { pduSessionInfo } : {}) });
  }
  return out;
}

/** The subscription's checks (TS 29.523 4.2.2.2): what it asks must be something this PCF reports. */
function checked(body: Record<string, unknown>): S['PcEventExposureSubsc'] {
  const subsc = body as unknown as S['PcEventExposureSubsc'];
  if (!Array.isArray(subsc.eventSubs) || !subsc.eventSubs.length) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'eventSubs is required');
  if (typeof subsc.notifUri !== 'string' || typeof subsc.notifId !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'notifUri and notifId are required');
  const other = subsc.eventSubs.filter((e) => !(PC_EVENTS_REPORTED as readonly string[]).includes(e));
  if (other.length) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', `events ${other.join(', ')}: this PCF reports ${PC_EVENTS_REPORTED.join(' and ')} (the procedures of the others do not run)`);
  if (subsc.groupId !== undefined) throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'groupId: this PCF knows no internal groups; subscribe for any UE with DNN/S-NSSAI filters');
  if (subsc.eventsRepInfo?.notifMethod === 'PERIODIC') throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'eventsRepInfo.notifMethod PERIODIC: this PCF reports on event detection or once');
  const { eventNotifs: _reported, ...rest } = subsc;
  return rest;
}

/** Whether the subscription has ended (monDur passed). */
const expired = (s: PcEventSubscription, now: number) => s.subsc.eventsRepInfo?.monDur !== undefined && Date.parse(s.subsc.eventsRepInfo.monDur) <= now;

/** The most notifications the subscription may still have: maxReportNbr, 1 for ONE_TIME. */
function maxReports(s: PcEventSubscription): number {
  const r = s.subsc.eventsRepInfo;
  return r?.notifMethod === 'ONE_TIME' ? 1 : r?.maxReportNbr ? r.maxReportNbr : Infinity;
}

/**
 * TS 29.523 4.2.4.2: the events of a new PDU session (its SM policy association `id` was just
 * created) to each subscription it matches; a subscription that reached its last report ends.
 */
export async function notifyPcEvents(pcf: Pcf, id: string): Promise<void> {
  const a = pcf.smPolicies.get(id);
  if (!a) return;
  const now = Date.now();
  for (const [subId, s] of [...pcf.pcEventSubscriptions]) {
    if (expired(s, now)) {
      pcf.pcEventSubscriptions.delete(subId);
      continue;
    }
    if (!matches(s.subsc, a)) continue;
    const eventNotifs = notificationsOf(s.subsc, a, new Date(now).toISOString());
    if (!eventNotifs.length) continue;
    if (++s.reports >= maxReports(s)) pcf.pcEventSubscriptions.delete(subId);
    await pcf.notify.pcEventNotify(s.subsc.notifUri, { notifId: s.subsc.notifId, eventNotifs: eventNotifs as [S['PcEventNotification'], ...S['PcEventNotification'][]] }, { step: 'TS 29.523 4.2.4.2' });
  }
}

/** With immRep: the current values of the PDU sessions the subscription matches (TS 29.523 4.2.2.2). */
function immediateReport(pcf: Pcf, s: PcEventSubscription): S['PcEventNotification'][] {
  if (!s.subsc.eventsRepInfo?.immRep) return [];
  const ts = new Date(Date.now()).toISOString();
  const out = [...pcf.smPolicies.values()].filter((a) => !a.terminationRequested && matches(s.subsc, a)).flatMap((a) => notificationsOf(s.subsc, a, ts));
  if (out.length) s.reports++;
  return out;
}

function subscriptionUri(pcf: Pcf, subscriptionId: string): string {
  return resourceUri(pcf.cfg.baseUri, PCF_EE.eventExposure.unsubscribe, { subscriptionId });
}

/** TS 29.523 4.2.2.2 Npcf_EventExposure_Subscribe: a new subscription, with the immediate report. */
function subscribe(pcf: Pcf, req: SbiRequest) {
  const subsc = checked(objectBody(req));
  const id = pcf.nextId();
  const s: PcEventSubscription = { subsc, reports: 0 };
  const eventNotifs = immediateReport(pcf, s);
  if (s.reports < maxReports(s)) pcf.pcEventSubscriptions.set(id, s);
  return undoable(created(subscriptionUri(pcf, id), { ...subsc, ...(eventNotifs.length ? { eventNotifs: eventNotifs as [S['PcEventNotification'], ...S['PcEventNotification'][]] } : {}) }), () => void pcf.pcEventSubscriptions.delete(id));
}

/** TS 29.523 4.2.2.3: the subscription replaced (200 with it, and the immediate report if asked). */
function modify(pcf: Pcf, req: SbiRequest) {
  const s = pcf.pcEventSubscriptions.get(req.params.subscriptionId);
  if (!s) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND');
  s.subsc = checked(objectBody(req));
  const eventNotifs = immediateReport(pcf, s);
  if (s.reports >= maxReports(s)) pcf.pcEventSubscriptions.delete(req.params.subscriptionId);
  return ok({ ...s.subsc, ...(eventNotifs.length ? { eventNotifs: eventNotifs as [S['PcEventNotification'], ...S['PcEventNotification'][]] } : {}) });
}

/** TS 29.523 4.2.3.2 Npcf_EventExposure_UnSubscribe. */
function unsubscribe(pcf: Pcf, req: SbiRequest) {
  if (!pcf.pcEventSubscriptions.delete(req.params.subscriptionId)) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND');
  return noContent();
}

export function eventExposureRoutes(pcf: Pcf): SbiRoute[] {
  return [
    serve(PCF_EE.eventExposure.subscribe, (req) => subscribe(pcf, req)),
    serve(PCF_EE.eventExposure.modify, (req) => modify(pcf, req)),
    serve(PCF_EE.eventExposure.unsubscribe, (req) => unsubscribe(pcf, req)),
  ];
}
