// SM Policy Association Establishment (TS 23.502 4.16.4), PCF side (Npcf_SMPolicyControl, TS
// 29.512), with the UDR behind it over Nudr_DR (TS 29.519 policy data). Its termination, case A
// and B (4.16.6), is in sm-policy-termination.ts.

import { endLateCreation } from '../common/sbi/late-answer.ts';
import { SbiProblem, objectBody, requireString, type SbiRequest } from '../common/sbi.ts';
import { created, undoable } from '../common/sbi/routes.ts';
import { resourceUri, callbackUri, operationUri } from '../common/sbi/client.ts';
import { UDR, PCF, CALLBACKS } from '../common/sbi/operations.ts';
import { PCF_SUPPORTED_FEATURES, commonFeatures, homeSubscriber, nonRoaming, type Pcf, type SmPolicyAssociation } from './context.ts';
import { notifyPcEvents } from './event-exposure.ts';
import { usageMonitoringDecision, monitoredThresholds } from './usage-monitoring.ts';
import { bindSmPolicy, unbindAtStep5, unbindAtStep6 } from './sm-policy-bindings.ts';
import { subscribedTriggers } from './policy-control-triggers.ts';
import { pcfUeInfoOf, reportPduSessionStatus } from './pdu-session-events.ts';

function snssaiKeyOf(v: unknown): string {
  const s = v as { sst?: unknown; sd?: unknown } | undefined;
  if (!s || typeof s.sst !== 'number') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'sliceInfo.sst is required');
  return typeof s.sd === 'string' ? `${s.sst}-${s.sd.toLowerCase()}` : String(s.sst);
}

/** TS 23.502 4.16.4 SM Policy Association Establishment, TS 29.512 4.2.2. */
export async function createSmPolicy(pcf: Pcf, req: SbiRequest) {
  const body = objectBody(req);
  const supi = requireString(body, 'supi');
  const dnn = requireString(body, 'dnn');
  const notificationUri = requireString(body, 'notificationUri');
  const pduSessionId = body.pduSessionId;
  if (typeof pduSessionId !== 'number') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'pduSessionId is required');
  const snssai = snssaiKeyOf(body.sliceInfo);
  // wire5g's PCF has no operator policy of its own: it authorizes the subscribed default QoS and
  // Session-AMBR the SMF received from the UDM (TS 29.512 SmPolicyContextData, TS 23.503 6.3)
  const subsDefQos = body.subsDefQos as { '5qi'?: unknown; arp?: { priorityLevel: number; preemptCap: string; preemptVuln: string }; priorityLevel?: unknown } | undefined;
  const subsSessAmbr = body.subsSessAmbr as { uplink?: unknown; downlink?: unknown } | undefined;
  if (!subsDefQos || typeof subsDefQos['5qi'] !== 'number' || !subsDefQos.arp) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'subsDefQos (5qi, arp) is required: the PCF authorizes the subscribed default QoS and has no local policy');
  // TS 29.571 Arp: all three members are mandatory
  const a = subsDefQos.arp as { priorityLevel?: unknown; preemptCap?: unknown; preemptVuln?: unknown };
  if (typeof a.priorityLevel !== 'number' || typeof a.preemptCap !== 'string' || typeof a.preemptVuln !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_INCORRECT', 'subsDefQos.arp needs priorityLevel, preemptCap and preemptVuln');
  if (!subsSessAmbr || typeof subsSessAmbr.uplink !== 'string' || typeof subsSessAmbr.downlink !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'subsSessAmbr (uplink, downlink) is required: the PCF authorizes the subscribed Session-AMBR and has no local policy');
  // TS 29.512 SmPolicyContextData onboardInd: a PDU session for UE onboarding (TS 23.502
  // 4.2.2.2.4) has no policy data in this PLMN's UDR (its UE may be a DCS's): the PCF neither
  // reads nor subscribes to it, and authorizes what the SMF's local onboarding configuration gave
  // A roamer at this V-PCF (local breakout): "PDU Session policy control subscription information
  // and Remaining allowed usage subscription information ... are not available in V-UDR and V-PCF
  // uses locally configured information" (TS 23.502 4.16.6 step 3 NOTE, 4.16.4): the same — no
  // read, no subscription, no usage monitoring; the home UDR is never asked (its NFs are the
  // HPLMN's). The subscribed QoS the SMF sends is the local decision's input as for any session.
  const noPolicyData = body.onboardInd === true ? 'onboarding' : !homeSubscriber(pcf.cfg, supi) ? 'local breakout' : undefined;
  const data: { umData?: Record<string, unknown> } = noPolicyData ? {} : (await pcf.nudr.dr.readSmPolicyData(supi, { step: '4.16.4 step 3' })).body;
  const limitId = `${dnn}:${snssai}`;
  const subKey = `${supi}|${dnn}|${snssai}`;
  // Subscribe to changes of the policy data for this (DNN, S-NSSAI) once, for its first session.
  if (!noPolicyData) await pcf.udrSubscriptions.acquire(subKey, async () => {
    const r = await pcf.nudr.dr.subscribePolicyData({
      notificationUri: callbackUri(pcf.cfg.baseUri, CALLBACKS.policyDataChangeNotify),
      monitoredResourceUris: [operationUri(pcf.cfg.udrUri, UDR.dr.readSmPolicyData, { ueId: supi })],
    }, {
      step: '4.16.4 step 3',
      // a 201 after the time-out: the acquire failed and forgot the key, so the subscription is the UDR's alone; unsubscribed (4.16.6 step 8)
      lateAnswer: endLateCreation(`[PCF] UDR subscription of ${supi}`, (uri) => pcf.nudr.dr.unsubscribePolicyData(uri, { step: '4.16.6 step 8' }), pcf.cfg.log),
    });
    const loc = r.headers.location;
    if (!loc) throw new SbiProblem(502, 'SYSTEM_FAILURE', 'UDR answered 201 without Location');
    return loc;
  });
  const id = pcf.nextId();
  const pccRule = `pcc-${id}`;
  // usage monitoring at session level and per Monitoring Key (usage-monitoring.ts)
  const um = usageMonitoringDecision(pcf, id, limitId, data.umData);
  const monitored = Object.keys(um.umDecs).length > 0;
  const access = accessOf(body);
  const pcfUeInfo = pcfUeInfoOf(body.pcfUeInfo);
  pcf.smPolicies.set(id, { supi, pduSessionId, dnn, snssai, notificationUri, appSessions: new Set(), ...access, ...(nonRoaming(pcf.cfg, supi, access.servingNetwork) ? {} : { roaming: true }), ...(pcfUeInfo ? { pcfUeInfo } : {}), ...(typeof body.ipv4Address === 'string' ? { ipv4Address: body.ipv4Address } : {}), pccRules: [pccRule, ...Object.keys(um.pccRules)], ...(um.limitId ? { limitId: um.limitId } : {}), ...(um.monitoringKeys.length ? { monitoringKeys: um.monitoringKeys } : {}), ...monitoredThresholds(um.umDecs), ...(noPolicyData ? { noPolicyData } : {}) });
  // TS 29.512 5.6.2.4 SmPolicyDecision: one session rule with the authorized Session-AMBR and
  // default QoS (and the session-level usage monitoring), one PCC rule matching all traffic on the
  // default QoS flow's QoS data, one PCC rule per monitored Monitoring Key.
  const arp = subsDefQos.arp;
  const res = created(resourceUri(pcf.cfg.baseUri, PCF.smPolicyControl.delete, { smPolicyId: id }), {
    sessRules: { 'sess-1': { sessRuleId: 'sess-1', authSessAmbr: { uplink: subsSessAmbr.uplink, downlink: subsSessAmbr.downlink }, authDefQos: { '5qi': subsDefQos['5qi'], arp, ...(typeof subsDefQos.priorityLevel === 'number' ? { priorityLevel: subsDefQos.priorityLevel } : {}) }, ...(um.sessionRef ? { refUmData: um.sessionRef } : {}) } },
    pccRules: { [pccRule]: { pccRuleId: pccRule, flowInfos: [{ flowDescription: 'permit out ip from any to assigned', flowDirection: 'BIDIRECTIONAL' }], precedence: 255, refQosData: ['qos-1'] }, ...um.pccRules },
    qosDecs: { 'qos-1': { qosId: 'qos-1', '5qi': subsDefQos['5qi'], arp, defQosFlowIndication: true } },
    suppFeat: commonFeatures(body.suppFeat, PCF_SUPPORTED_FEATURES.smPolicy),
    ...(monitored ? { umDecs: um.umDecs } : {}),
    // the policy control request triggers the PCF subscribes to (policy-control-triggers.ts)
    ...subscribedTriggers(pcf, pccRule, monitored),
  });
  // The association undone, with what it holds at the BSF, CHF, NWDAF and its UDR subscription;
  // each step attempted even if one before failed (the association goes in any case), the first
  // failure reported after.
  const undo = async () => {
    const failures: unknown[] = [];
    const attempt = async (step: () => Promise<void>) => {
      try {
        await step();
      } catch (e) {
        failures.push(e);
      }
    };
    const assoc = pcf.smPolicies.get(id);
    if (assoc) {
      await attempt(() => unbindAtStep5(pcf, assoc));
      await attempt(() => unbindAtStep6(pcf, id, assoc));
    }
    if (pcf.smPolicies.delete(id)) {
      await attempt(async () => {
        const uri = await pcf.udrSubscriptions.release(subKey);
        if (uri) await pcf.nudr.dr.unsubscribePolicyData(uri);
      });
    }
    if (failures.length) throw failures[0];
  };
  // issue 16: the BSF binding, the CHF and NWDAF subscriptions (sm-policy-bindings.ts). If one of
  // them fails the SMF gets an error and no URI, so it could never terminate the association: it
  // is undone here (issue 21: a 100,000-UE run left 7,600 associations behind after such failures).
  try {
    await bindSmPolicy(pcf, id, pcf.smPolicies.get(id)!);
  } catch (e) {
    // the failure that stopped the establishment is the answer; a peer that also fails the
    // clean-up keeps what it holds (its own ledger shows it, the PCF logs it), the association is gone in any case
    await undo().catch((u: unknown) => pcf.cfg.log?.(`[PCF] SM policy association ${id} of ${supi} undone after a failed establishment; a peer kept what it holds: ${u instanceof Error ? u.message : String(u)}`));
    throw e;
  }
  // an SMF that never got the 201 never terminates the association (issue 21): undone, with its UDR subscription;
  // once answered, the new session's events go to the event exposure subscribers (event-exposure.ts)
  // and its establishment to the PCF for the UE that asked (TS 23.502 4.16.14.2, pdu-session-events.ts)
  return { ...undoable(res, undo), after: async () => {
    await notifyPcEvents(pcf, id);
    const assoc = pcf.smPolicies.get(id);
    if (assoc) await reportPduSessionStatus(pcf, assoc, 'ESTABLISHED', '4.16.14.2');
  } };
}

/** What SmPolicyContextData says of the access (TS 29.512 5.6.2.2): access type, RAT type, serving PLMN. */
function accessOf(body: Record<string, unknown>): Pick<SmPolicyAssociation, 'accessType' | 'ratType' | 'servingNetwork'> {
  const sn = body.servingNetwork as { mcc?: unknown; mnc?: unknown; nid?: unknown } | undefined;
  return {
    ...(body.accessType === '3GPP_ACCESS' || body.accessType === 'NON_3GPP_ACCESS' ? { accessType: body.accessType } : {}),
    ...(typeof body.ratType === 'string' ? { ratType: body.ratType } : {}),
    ...(sn && typeof sn.mcc === 'string' && typeof sn.mnc === 'string' ? { servingNetwork: { mcc: sn.mcc, mnc: sn.mnc, ...(typeof sn.nid === 'string' ? { nid: sn.nid } : {}) } } : {}),
  };
}
