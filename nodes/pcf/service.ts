// The PCF's policy services: Npcf_AMPolicyControl (TS 29.507), Npcf_UEPolicyControl (TS 29.525)
// and Npcf_SMPolicyControl (TS 29.512), with the UDR behind them over Nudr_DM (TS 29.519).
// SM Policy Association Termination follows TS 23.502 4.16.6 case B step by step.

import { SbiProblem, created, noContent, objectBody, requireString, expectStatus, type SbiRoute, type SbiClient } from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { KeyedSerializer, SharedSubscriptions } from '../common/concurrency.ts';

export interface PcfConfig {
  /** Our own API root, e.g. http://127.0.0.13:8080 */
  baseUri: string;
  /** The UDR's API root. */
  udrUri: string;
}

interface SmPolicyAssociation {
  supi: string;
  pduSessionId: number;
  dnn: string;
  snssai: string;
  /** The usage monitoring data this session is accounted against (TS 29.519 limitId). */
  limitId?: string;
  /** PCC rule ids installed for the session (removed at 4.16.6 step 3). */
  pccRules: string[];
}

/** Accumulated usage as the SMF reports it in SmPolicyDeleteData (TS 29.512 5.6.2.? AccuUsageReport). */
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

export function pcfRoutes(cfg: PcfConfig, udr: SbiClient, ledger = new ResourceLedger('PCF')) {
  const amPolicies = new Map<string, { supi: string }>();
  const uePolicies = new Map<string, { supi: string }>();
  const smPolicies = new Map<string, SmPolicyAssociation>();
  /** UDR policy-data subscriptions per (SUPI, DNN, S-NSSAI), shared by that couple's sessions. */
  const udrSubscriptions = new SharedSubscriptions();
  /** Read-modify-write of a subscriber's remaining usage is serialized per SUPI. */
  const usageWriters = new KeyedSerializer();
  let next = 1;

  ledger
    .gauge('AM policy associations', () => amPolicies.size)
    .gauge('UE policy associations', () => uePolicies.size)
    .gauge('SM policy associations', () => smPolicies.size)
    .gauge('UDR subscriptions held', () => udrSubscriptions.size);

  const udrApi = `${cfg.udrUri}/nudr-dr/v1`;

  function deductUsage(supi: string, reports: AccuUsageReport[]): Promise<void> {
    return usageWriters.run(supi, async () => {
      const data = expectStatus(await udr.call<{ umData?: Record<string, { allowedUsage?: { totalVolume?: number } }> }>('GET', `${udrApi}/policy-data/ues/${supi}/sm-data`, undefined, { operation: 'Nudr_DM_Query', step: '4.16.6 step 3' }), 200);
      for (const r of reports) {
        const um = data.umData?.[r.refUmIds];
        const remaining = um?.allowedUsage?.totalVolume;
        if (remaining === undefined) continue; // unlimited or unknown: nothing to deduct
        const used = r.volUsage ?? (r.volUsageUplink ?? 0) + (r.volUsageDownlink ?? 0);
        // TS 23.502 4.16.6 step 3: deduct the accumulated usage from the remaining allowed usage
        const res = await udr.call('PUT', `${udrApi}/policy-data/ues/${supi}/sm-data/${encodeURIComponent(r.refUmIds)}`, { ...um, limitId: r.refUmIds, allowedUsage: { totalVolume: Math.max(0, remaining - used) } }, { operation: 'Nudr_DM_Update', step: '4.16.6 step 3' });
        expectStatus(res, 204, 200);
      }
    });
  }

  const routes: SbiRoute[] = [
    {
      method: 'POST',
      path: '/npcf-am-policy-control/v1/policies',
      operation: 'Npcf_AMPolicyControl_Create',
      handler: async (req) => {
        const body = objectBody(req);
        const supi = requireString(body, 'supi');
        requireString(body, 'notificationUri');
        expectStatus(await udr.call('GET', `${udrApi}/policy-data/ues/${supi}/am-data`, undefined, { operation: 'Nudr_DM_Query' }), 200);
        const id = String(next++);
        amPolicies.set(id, { supi });
        // TS 29.507 5.6.2.2 PolicyAssociation
        return created(`${cfg.baseUri}/npcf-am-policy-control/v1/policies/${id}`, { request: body, triggers: [], suppFeat: (body.suppFeat as string | undefined) || '0' });
      },
    },
    {
      method: 'DELETE',
      path: '/npcf-am-policy-control/v1/policies/{polAssoId}',
      operation: 'Npcf_AMPolicyControl_Delete',
      handler: (req) => {
        if (!amPolicies.delete(req.params.polAssoId)) throw new SbiProblem(404, 'POLICY_ASSOCIATION_NOT_FOUND');
        return noContent;
      },
    },
    {
      method: 'POST',
      path: '/npcf-ue-policy-control/v1/policies',
      operation: 'Npcf_UEPolicyControl_Create',
      handler: async (req) => {
        const body = objectBody(req);
        const supi = requireString(body, 'supi');
        requireString(body, 'notificationUri');
        expectStatus(await udr.call('GET', `${udrApi}/policy-data/ues/${supi}/ue-policy-set`, undefined, { operation: 'Nudr_DM_Query' }), 200);
        const id = String(next++);
        uePolicies.set(id, { supi });
        return created(`${cfg.baseUri}/npcf-ue-policy-control/v1/policies/${id}`, { suppFeat: (body.suppFeat as string | undefined) || '0' });
      },
    },
    {
      method: 'DELETE',
      path: '/npcf-ue-policy-control/v1/policies/{polAssoId}',
      operation: 'Npcf_UEPolicyControl_Delete',
      handler: (req) => {
        if (!uePolicies.delete(req.params.polAssoId)) throw new SbiProblem(404, 'POLICY_ASSOCIATION_NOT_FOUND');
        return noContent;
      },
    },
    {
      // TS 23.502 4.16.4 SM Policy Association Establishment, TS 29.512 4.2.2
      method: 'POST',
      path: '/npcf-smpolicycontrol/v1/sm-policies',
      operation: 'Npcf_SMPolicyControl_Create',
      handler: async (req) => {
        const body = objectBody(req);
        const supi = requireString(body, 'supi');
        const dnn = requireString(body, 'dnn');
        requireString(body, 'notificationUri');
        const pduSessionId = body.pduSessionId;
        if (typeof pduSessionId !== 'number') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'pduSessionId is required');
        const snssai = snssaiKeyOf(body.sliceInfo);
        const data = expectStatus(await udr.call<{ umData?: Record<string, unknown> }>('GET', `${udrApi}/policy-data/ues/${supi}/sm-data`, undefined, { operation: 'Nudr_DM_Query', step: '4.16.4 step 3' }), 200);
        const limitId = `${dnn}:${snssai}`;
        const subKey = `${supi}|${dnn}|${snssai}`;
        // Subscribe to changes of the policy data for this (DNN, S-NSSAI) once, for its first session.
        await udrSubscriptions.acquire(subKey, async () => {
          const r = await udr.call('POST', `${udrApi}/policy-data/subs-to-notify`, { notificationUri: `${cfg.baseUri}/npcf-callback/v1/policy-data-change`, monitoredResourceUris: [`${udrApi}/policy-data/ues/${supi}/sm-data`] }, { operation: 'Nudr_DM_Subscribe', step: '4.16.4 step 3' });
          expectStatus(r, 201);
          const loc = r.headers.location;
          if (!loc) throw new SbiProblem(502, 'SYSTEM_FAILURE', 'UDR answered 201 without Location');
          return loc;
        });
        const id = String(next++);
        const pccRule = `pcc-${id}`;
        smPolicies.set(id, { supi, pduSessionId, dnn, snssai, pccRules: [pccRule], ...(data.umData?.[limitId] ? { limitId } : {}) });
        // TS 29.512 5.6.2.4 SmPolicyDecision: one session rule with the session AMBR and default QoS,
        // one PCC rule matching all traffic, usage monitoring when the subscriber has a limit.
        return created(`${cfg.baseUri}/npcf-smpolicycontrol/v1/sm-policies/${id}`, {
          sessRules: { 'sess-1': { sessRuleId: 'sess-1', authSessAmbr: { uplink: '1 Gbps', downlink: '1 Gbps' }, authDefQos: { '5qi': 9, arp: { priorityLevel: 8, preemptCap: 'NOT_PREEMPT', preemptVuln: 'NOT_PREEMPTABLE' }, priorityLevel: 8 } } },
          pccRules: { [pccRule]: { pccRuleId: pccRule, flowInfos: [{ flowDescription: 'permit out ip from any to assigned', flowDirection: 'BIDIRECTIONAL' }], precedence: 255, refQosData: ['qos-1'], ...(data.umData?.[limitId] ? { refUmData: [limitId] } : {}) } },
          qosDecs: { 'qos-1': { qosId: 'qos-1', '5qi': 9, arp: { priorityLevel: 8, preemptCap: 'NOT_PREEMPT', preemptVuln: 'NOT_PREEMPTABLE' } } },
          ...(data.umData?.[limitId] ? { umDecs: { [limitId]: { umId: limitId, volumeThreshold: (data.umData[limitId] as { allowedUsage?: { totalVolume?: number } }).allowedUsage?.totalVolume } }, policyCtrlReqTriggers: ['US_RE'] } : {}),
        });
      },
    },
    {
      // TS 23.502 4.16.6 SM Policy Association Termination, case B (SMF-initiated), PCF side.
      method: 'POST',
      path: '/npcf-smpolicycontrol/v1/sm-policies/{smPolicyId}/delete',
      operation: 'Npcf_SMPolicyControl_Delete',
      handler: async (req) => {
        const assoc = smPolicies.get(req.params.smPolicyId);
        if (!assoc) throw new SbiProblem(404, 'POLICY_CONTEXT_NOT_FOUND'); // step 2 for an unknown association
        const body = (req.body ?? {}) as { accuUsageReports?: AccuUsageReport[] };
        // step 3: remove the PCC rules of the PDU session; deduct reported usage in the UDR
        assoc.pccRules = [];
        if (Array.isArray(body.accuUsageReports) && body.accuUsageReports.length) await deductUsage(assoc.supi, body.accuUsageReports);
        // step 7: remove the session's information and acknowledge
        smPolicies.delete(req.params.smPolicyId);
        const lastUri = udrSubscriptions.release(`${assoc.supi}|${assoc.dnn}|${assoc.snssai}`);
        return {
          status: 204,
          // step 8: unsubscribe from the UDR when it was the last session on the (DNN, S-NSSAI)
          after: async () => {
            const uri = await lastUri;
            if (uri) expectStatus(await udr.call('DELETE', uri, undefined, { operation: 'Nudr_DM_Unsubscribe', step: '4.16.6 step 8' }), 204);
          },
        };
      },
    },
  ];
  return { routes, ledger };
}
