// SM Policy Association Establishment (TS 23.502 4.16.4) and Termination case B, SMF-initiated
// (4.16.6), PCF side (Npcf_SMPolicyControl, TS 29.512), with the UDR behind them over Nudr_DR
// (TS 29.519 policy data): the usage the SMF reports at termination is deducted from the
// subscriber's remaining allowed usage.

import { SbiProblem, objectBody, requireString, type SbiRequest } from '../common/sbi.ts';
import { created, noContent, undoable } from '../common/sbi/routes.ts';
import { resourceUri, callbackUri, operationUri } from '../common/sbi/client.ts';
import { UDR, PCF, CALLBACKS } from '../common/sbi/operations.ts';
import { PCF_SUPPORTED_FEATURES, commonFeatures, type Pcf } from './context.ts';

/** Accumulated usage as the SMF reports it in SmPolicyDeleteData (TS 29.512 data model, OpenAPI schema AccuUsageReport). */
interface AccuUsageReport {
  refUmIds: string;
  volUsage?: number;
  volUsageUplink?: number;
  volUsageDownlink?: number;
  timeUsage?: number;
}

function snssaiKeyOf(v: unknown): string {
  const s = v as { sst?: unknown; sd?: unknown } | undefined;
  if (!s || typeof s.sst !== 'number') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'sliceInfo.sst is required');
  return typeof s.sd === 'string' ? `${s.sst}-${s.sd.toLowerCase()}` : String(s.sst);
}

/** TS 23.502 4.16.6 step 3: the reported usage is deducted from the remaining allowed usage in the UDR. */
function deductUsage(pcf: Pcf, supi: string, reports: AccuUsageReport[]): Promise<void> {
  return pcf.usageWriters.run(supi, async () => {
    const data = (await pcf.nudr.dr.readSmPolicyData(supi, { step: '4.16.6 step 3' })).body;
    for (const r of reports) {
      const um = data.umData?.[r.refUmIds];
      const remaining = um?.allowedUsage?.totalVolume;
      if (remaining === undefined) continue; // unlimited or unknown: nothing to deduct
      const used = r.volUsage ?? (r.volUsageUplink ?? 0) + (r.volUsageDownlink ?? 0);
      // TS 23.502 4.16.6 step 3: deduct the accumulated usage from the remaining allowed usage
      await pcf.nudr.dr.createUsageMonitoringResource(supi, r.refUmIds, { ...um, limitId: r.refUmIds, allowedUsage: { totalVolume: Math.max(0, remaining - used) } }, { step: '4.16.6 step 3' });
    }
  });
}

/** TS 23.502 4.16.4 SM Policy Association Establishment, TS 29.512 4.2.2. */
export async function createSmPolicy(pcf: Pcf, req: SbiRequest) {
  const body = objectBody(req);
  const supi = requireString(body, 'supi');
  const dnn = requireString(body, 'dnn');
  requireString(body, 'notificationUri');
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
  const data = (await pcf.nudr.dr.readSmPolicyData(supi, { step: '4.16.4 step 3' })).body;
  const limitId = `${dnn}:${snssai}`;
  const subKey = `${supi}|${dnn}|${snssai}`;
  // Subscribe to changes of the policy data for this (DNN, S-NSSAI) once, for its first session.
  await pcf.udrSubscriptions.acquire(subKey, async () => {
    const r = await pcf.nudr.dr.subscribePolicyData({
      notificationUri: callbackUri(pcf.cfg.baseUri, CALLBACKS.policyDataChangeNotify),
      monitoredResourceUris: [operationUri(pcf.cfg.udrUri, UDR.dr.readSmPolicyData, { ueId: supi })],
    }, { step: '4.16.4 step 3' });
    const loc = r.headers.location;
    if (!loc) throw new SbiProblem(502, 'SYSTEM_FAILURE', 'UDR answered 201 without Location');
    return loc;
  });
  const id = pcf.nextId();
  const pccRule = `pcc-${id}`;
  pcf.smPolicies.set(id, { supi, pduSessionId, dnn, snssai, pccRules: [pccRule], ...(data.umData?.[limitId] ? { limitId } : {}) });
  // TS 29.512 5.6.2.4 SmPolicyDecision: one session rule with the authorized Session-AMBR and
  // default QoS, one PCC rule matching all traffic on the default QoS flow's QoS data, usage
  // monitoring when the subscriber has a limit.
  const arp = subsDefQos.arp;
  const res = created(resourceUri(pcf.cfg.baseUri, PCF.smPolicyControl.delete, { smPolicyId: id }), {
    sessRules: { 'sess-1': { sessRuleId: 'sess-1', authSessAmbr: { uplink: subsSessAmbr.uplink, downlink: subsSessAmbr.downlink }, authDefQos: { '5qi': subsDefQos['5qi'], arp, ...(typeof subsDefQos.priorityLevel === 'number' ? { priorityLevel: subsDefQos.priorityLevel } : {}) } } },
    pccRules: { [pccRule]: { pccRuleId: pccRule, flowInfos: [{ flowDescription: 'permit out ip from any to assigned', flowDirection: 'BIDIRECTIONAL' }], precedence: 255, refQosData: ['qos-1'], ...(data.umData?.[limitId] ? { refUmData: [limitId] } : {}) } },
    qosDecs: { 'qos-1': { qosId: 'qos-1', '5qi': subsDefQos['5qi'], arp, defQosFlowIndication: true } },
    suppFeat: commonFeatures(body.suppFeat, PCF_SUPPORTED_FEATURES.smPolicy),
    ...(data.umData?.[limitId] ? { umDecs: { [limitId]: { umId: limitId, volumeThreshold: (data.umData[limitId] as { allowedUsage?: { totalVolume?: number } }).allowedUsage?.totalVolume } }, policyCtrlReqTriggers: ['US_RE'] } : {}),
  });
  // an SMF that never got the 201 never terminates the association (issue 21): undone, with its UDR subscription
  return undoable(res, async () => {
    if (!pcf.smPolicies.delete(id)) return;
    const uri = await pcf.udrSubscriptions.release(subKey);
    if (uri) await pcf.nudr.dr.unsubscribePolicyData(uri);
  });
}

/** TS 23.502 4.16.6 SM Policy Association Termination, case B (SMF-initiated), PCF side; TS 29.512 4.2.5. */
export async function deleteSmPolicy(pcf: Pcf, req: SbiRequest) {
  const assoc = pcf.smPolicies.get(req.params.smPolicyId);
  if (!assoc) throw new SbiProblem(404, 'POLICY_CONTEXT_NOT_FOUND'); // step 2 for an unknown association
  const body = (req.body ?? {}) as { accuUsageReports?: AccuUsageReport[] };
  // step 3: remove the PCC rules of the PDU session; deduct reported usage in the UDR
  assoc.pccRules = [];
  if (Array.isArray(body.accuUsageReports) && body.accuUsageReports.length) await deductUsage(pcf, assoc.supi, body.accuUsageReports);
  // step 7: remove the session's information and acknowledge
  pcf.smPolicies.delete(req.params.smPolicyId);
  const lastUri = pcf.udrSubscriptions.release(`${assoc.supi}|${assoc.dnn}|${assoc.snssai}`);
  // step 8: unsubscribe from the UDR when it was the last session on the (DNN, S-NSSAI)
  return noContent(async () => {
    const uri = await lastUri;
    if (uri) await pcf.nudr.dr.unsubscribePolicyData(uri, { step: '4.16.6 step 8' });
  });
}
