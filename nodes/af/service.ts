// An AF (application function) of the emulator's operator: it creates an app session at the PCF
// for a UE's PDU session (Npcf_PolicyAuthorization_Create, TS 29.514 4.2.2), having found the PCF
// serving that session at the BSF (Nbsf_Management_Discovery by the UE's address and DNN, TS
// 29.521 5.2.2.4), and ends it (Npcf_PolicyAuthorization_Delete, 4.2.4). It serves the PCF's
// notification that the PDU session ended (TS 23.502 4.16.6 step 5; POST {notifUri}/terminate,
// TS 29.514 4.2.5.3): it acknowledges, then deletes its app session. It asks for no media
// components: its sessions carry no QoS request of their own. In its NEF role it subscribes to the
// PCF's policy control events of any UE (Npcf_EventExposure, TS 29.523) and keeps what it is told.

import { endLateCreation } from '../common/sbi/late-answer.ts';
import { SbiProblem, objectBody, requireString, type SbiClient, type SbiRoute } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { serve, noContent } from '../common/sbi/routes.ts';
import { callbackUri, consumer } from '../common/sbi/client.ts';
import { BSF, PCF_PA, PCF_EE, CALLBACKS } from '../common/sbi/operations.ts';

export interface AfConfig {
  baseUri: string;
  bsfUri: string;
  /** The PCF's API root, for Npcf_EventExposure (any UE's events: no binding to find it by). */
  pcfUri: string;
  /** TS 29.514 AfAppId of this AF's sessions. */
  afAppId: string;
}

interface AfAppSession {
  supi: string;
  psi: number;
  /** The app session's URI at the PCF (the Location of the 201). */
  uri: string;
}

export function afRoutes(cfg: AfConfig, sbi: SbiClient, ledger = new ResourceLedger('AF')) {
  const sessions = new Map<string, AfAppSession>();
  const bsf = consumer(sbi, cfg.bsfUri, BSF);
  const pcf = consumer(sbi, '', PCF_PA);
  let next = 1;
  ledger.gauge('app sessions', () => sessions.size);
  // issue 16: the AF in its NEF role, subscribed to the PCF's policy control events (TS 29.523)
  const pcEvents = new Map<string, PcEventsSubscription>();
  const pcfEe = consumer(sbi, cfg.pcfUri, PCF_EE);
  ledger.gauge('PCF event subscriptions', () => pcEvents.size);

  /** The AF's app session of a UE's PDU session, by its local id. */
  const find = (supi: string, psi: number) => [...sessions].find(([, s]) => s.supi === supi && s.psi === psi);

  /** TS 29.514 4.2.4: Npcf_PolicyAuthorization_Delete; the app session is gone at the AF either way. */
  async function remove(id: string, step?: string): Promise<void> {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    await pcf.policyAuthorization.delete(s.uri, undefined, step ? { step } : {});
  }

  const routes: SbiRoute[] = [
    // TS 29.514 4.2.5.3: the PCF reports the end of the PDU session; the AF deletes its app session after the 204
    serve(CALLBACKS.afTerminate, (req) => {
      const body = objectBody(req);
      requireString(body, 'resUri');
      requireString(body, 'termCause');
      if (!sessions.has(req.params.afSessionId)) throw new SbiProblem(404, 'APPLICATION_SESSION_CONTEXT_NOT_FOUND');
      return noContent(() => remove(req.params.afSessionId, '4.16.6 step 5'));
    }),
    // TS 29.523 4.2.4.2 Npcf_EventExposure_Notify: the events are kept; the subscription may have ended with it
    serve(CALLBACKS.pcEventNotify, (req) => {
      const body = objectBody(req) as { notifId?: unknown; eventNotifs?: unknown };
      const sub = pcEvents.get(req.params.afSubsId);
      if (!sub || body.notifId !== req.params.afSubsId || !Array.isArray(body.eventNotifs)) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND', `no event subscription ${req.params.afSubsId}`);
      sub.received.push(...(body.eventNotifs as PcEventReport[]));
      sub.notifications++;
      if (sub.notifications >= sub.lastNotification) pcEvents.delete(req.params.afSubsId);
      return noContent();
    }),
  ];

  return {
    routes,
    ledger,
    sessions,
    /** O&M: an app session for the UE's PDU session `psi` with address `ueIpv4` (the AF knows its UE's address). */
    async createAppSession(supi: string, psi: number, ueIpv4: string, dnn: string, snssai: { sst: number; sd?: string }): Promise<string> {
      if (find(supi, psi)) throw new SbiProblem(409, 'APPLICATION_SESSION_EXISTS', `the AF has an app session on PDU session ${psi} of ${supi} already`);
      // TS 29.521 5.2.2.4: which PCF serves the session
      const found = await bsf.management.discover({ query: { ipv4Addr: ueIpv4, dnn } });
      const ep = found.status === 200 ? found.body?.pcfIpEndPoints?.[0] : undefined;
      if (!ep?.ipv4Address || !ep.port) throw new SbiProblem(404, 'PCF_BINDING_NOT_FOUND', `the BSF knows no PCF for ${ueIpv4} on ${dnn}`);
      const id = String(next++);
      const r = await consumer(sbi, `http://${ep.ipv4Address}:${ep.port}`, PCF_PA).policyAuthorization.create({
        ascReqData: { afAppId: cfg.afAppId, notifUri: callbackUri(cfg.baseUri, CALLBACKS.afTerminate, { afSessionId: id }), suppFeat: '0', ueIpv4, dnn, sliceInfo: snssai, supi },
      }, {
        // a 201 after the time-out (the O&M request failed): an app session the AF does not hold,
        // deleted at its Location (Npcf_PolicyAuthorization_Delete, TS 29.514 4.2.4)
        lateAnswer: endLateCreation(`[AF] app session of ${supi}`, (uri) => pcf.policyAuthorization.delete(uri, undefined, {})),
      });
      const uri = r.headers.location;
      if (!uri) throw new SbiProblem(502, 'SYSTEM_FAILURE', 'the PCF answered 201 without Location');
      sessions.set(id, { supi, psi, uri });
      return id;
    },
    /** O&M: the AF ends its app session on the UE's PDU session `psi`. */
    async deleteAppSession(supi: string, psi: number): Promise<void> {
      const s = find(supi, psi);
      if (!s) throw new SbiProblem(404, 'APPLICATION_SESSION_CONTEXT_NOT_FOUND', `the AF has no app session on PDU session ${psi} of ${supi}`);
      await remove(s[0]);
    },
    hasAppSession: (supi: string, psi: number) => find(supi, psi) !== undefined,
    /**
     * O&M: Npcf_EventExposure_Subscribe (TS 29.523 4.2.2.2) for any UE's PDU sessions, optionally
     * on DNNs; `immRep` asks for the current values at once; `maxReports` ends it after that many.
     */
    async subscribePcEvents(o: { events: string[]; dnns?: string[]; immRep?: boolean; maxReports?: number }): Promise<{ id: string; immediate: PcEventReport[] }> {
      const id = `ee-${next++}`;
      const r = await pcfEe.eventExposure.subscribe({
        eventSubs: o.events as [string, ...string[]],
        notifUri: callbackUri(cfg.baseUri, CALLBACKS.pcEventNotify, { afSubsId: id }),
        notifId: id,
        ...(o.dnns?.length ? { filterDnns: o.dnns as [string, ...string[]] } : {}),
        ...(o.immRep || o.maxReports ? { eventsRepInfo: { ...(o.immRep ? { immRep: true } : {}), ...(o.maxReports ? { maxReportNbr: o.maxReports } : {}) } } : {}),
      }, {
        step: 'TS 29.523 4.2.2.2',
        // a 201 after the time-out (the O&M request failed): a subscription the AF does not hold,
        // unsubscribed at its Location (Npcf_EventExposure_UnSubscribe, TS 29.523 4.2.3.2)
        lateAnswer: endLateCreation(`[AF] PCF event subscription ${id}`, (uri) => pcfEe.eventExposure.unsubscribe(uri, { step: 'TS 29.523 4.2.3.2' })),
      });
      const uri = r.headers.location;
      if (!uri) throw new SbiProblem(502, 'SYSTEM_FAILURE', 'the PCF answered 201 without Location');
      const immediate = (r.body.eventNotifs ?? []) as PcEventReport[];
      // the immediate report counts as one notification (TS 29.523 maxReportNbr)
      const sub: PcEventsSubscription = { uri, received: [], notifications: immediate.length ? 1 : 0, lastNotification: o.maxReports ?? Infinity };
      if (sub.notifications < sub.lastNotification) pcEvents.set(id, sub);
      return { id, immediate };
    },
    /** O&M: Npcf_EventExposure_Subscribe modifying the subscription (TS 29.523 4.2.2.3): other events or DNNs. */
    async modifyPcEvents(id: string, o: { events: string[]; dnns?: string[] }): Promise<void> {
      const sub = pcEvents.get(id);
      if (!sub) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND', `the AF has no event subscription ${id}`);
      await pcfEe.eventExposure.modify(sub.uri, {
        eventSubs: o.events as [string, ...string[]],
        notifUri: callbackUri(cfg.baseUri, CALLBACKS.pcEventNotify, { afSubsId: id }),
        notifId: id,
        ...(o.dnns?.length ? { filterDnns: o.dnns as [string, ...string[]] } : {}),
        ...(Number.isFinite(sub.lastNotification) ? { eventsRepInfo: { maxReportNbr: sub.lastNotification } } : {}),
      }, { step: 'TS 29.523 4.2.2.3' });
    },
    /** O&M: Npcf_EventExposure_UnSubscribe (TS 29.523 4.2.3.2). */
    async unsubscribePcEvents(id: string): Promise<void> {
      const sub = pcEvents.get(id);
      if (!sub) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND', `the AF has no event subscription ${id}`);
      pcEvents.delete(id);
      await pcfEe.eventExposure.unsubscribe(sub.uri, { step: 'TS 29.523 4.2.3.2' });
    },
    /** The events an event subscription was notified of (the immediate report aside). */
    pcEventsOf: (id: string): PcEventReport[] | undefined => pcEvents.get(id)?.received,
    pcEventSubscriptions: pcEvents,
  };
}

/** A PcEventNotification as the AF keeps it (TS 29.523 5.6.2.5). */
export interface PcEventReport {
  event: string;
  supi?: string;
  accType?: string;
  ratType?: string;
  plmnId?: { mcc: string; mnc: string };
  pduSessionInfo?: { dnn: string; snssai: { sst: number; sd?: string }; ueIpv4?: string };
  timeStamp: string;
}

interface PcEventsSubscription {
  uri: string;
  received: PcEventReport[];
  notifications: number;
  /** maxReportNbr: the PCF ends the subscription with this notification. */
  lastNotification: number;
}
