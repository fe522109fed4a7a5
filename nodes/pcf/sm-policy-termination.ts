// SM Policy Association Termination (TS 23.502 4.16.6), PCF side (Npcf_SMPolicyControl, TS
// 29.512), for both cases:
//   case A step 1  the PCF requests the termination: Npcf_SMPolicyControl_UpdateNotify, POST
//                  {notificationUri}/terminate with a TerminationNotification (TS 29.512 4.2.4.3);
//                  the SMF acknowledges and releases the PDU session (4.3.4.2), which brings
//   step 2         Npcf_SMPolicyControl_Delete with the accumulated usage (case B starts here)
//   step 3         the PCC rules of the session are removed; reported usage is deducted from the
//                  remaining allowed usage in the UDR (Nudr_DM_Update), per session and per MK
//   step 5         the AF is told (policy-authorization.ts), the BSF binding deregistered and the
//                  NWDAF analytics unsubscribed (sm-policy-bindings.ts), the termination reported
//                  to the PCF for the UE that asked (4.16.14.2, pdu-session-events.ts)
//   step 6         4.16.8: the CHF subscription unsubscribed (last session) or modified
//   step 7         the session's information is removed and the SMF answered
//   step 8         Nudr_DM_Unsubscribe when it was the last session on the (DNN, S-NSSAI)

import { SbiProblem, type SbiRequest } from '../common/sbi.ts';
import { noContent } from '../common/sbi/routes.ts';
import { resourceUri } from '../common/sbi/client.ts';
import { PCF } from '../common/sbi/operations.ts';
import type { Pcf, SmPolicyAssociation } from './context.ts';
import { unbindAtStep5, unbindAtStep6 } from './sm-policy-bindings.ts';
import { notifyAfsAtStep5 } from './policy-authorization.ts';
import { reportPduSessionStatus } from './pdu-session-events.ts';

/** Accumulated usage as the SMF reports it in SmPolicyDeleteData (TS 29.512 5.6.2 data model, OpenAPI schema AccuUsageReport). */
export interface AccuUsageReport {
  refUmIds: string;
  volUsage?: number;
  volUsageUplink?: number;
  volUsageDownlink?: number;
  timeUsage?: number;
}

/** TS 29.512 SmPolicyAssociationReleaseCause: why the PCF asks for the termination. */
export const SM_POLICY_RELEASE_CAUSES = ['UNSPECIFIED', 'UE_SUBSCRIPTION', 'INSUFFICIENT_RES', 'VALIDATION_CONDITION_NOT_MET', 'REACTIVATION_REQUESTED'] as const;
export type SmPolicyReleaseCause = (typeof SM_POLICY_RELEASE_CAUSES)[number];

/** The octets a report says were used: the total, else uplink plus downlink. */
export const usedOctets = (r: AccuUsageReport) => r.volUsage ?? (r.volUsageUplink ?? 0) + (r.volUsageDownlink ?? 0);

/**
 * TS 23.502 4.16.6 step 3: the reported usage is deducted from the remaining allowed usage in the
 * UDR, for the (DNN, S-NSSAI) of the session and for each Monitoring Key reported.
 */
export function deductUsage(pcf: Pcf, supi: string, reports: AccuUsageReport[], step = '4.16.6 step 3'): Promise<Map<string, number>> {
  return pcf.usageWriters.run(supi, async () => {
    const data = (await pcf.nudr.dr.readSmPolicyData(supi, { step })).body;
    /** What remains per usage monitoring key after the deduction. */
    const left = new Map<string, number>();
    for (const r of reports) {
      const um = data.umData?.[r.refUmIds];
      const remaining = um?.allowedUsage?.totalVolume;
      if (remaining === undefined) continue; // unlimited or unknown: nothing to deduct
      left.set(r.refUmIds, Math.max(0, remaining - usedOctets(r)));
      await pcf.nudr.dr.createUsageMonitoringResource(supi, r.refUmIds, { ...um, limitId: r.refUmIds, allowedUsage: { totalVolume: left.get(r.refUmIds)! } }, { step });
    }
    return left;
  });
}

/** The SM policy association of the UE's PDU session `psi`: its id and state, or undefined. */
export function smPolicyOf(pcf: Pcf, supi: string, psi: number): { id: string; assoc: SmPolicyAssociation } | undefined {
  for (const [id, assoc] of pcf.smPolicies.entriesWith(supi)) if (assoc.pduSessionId === psi) return { id, assoc };
  return undefined;
}

/**
 * TS 23.502 4.16.6 case A step 1 (TS 29.512 4.2.4.3): the PCF asks the SMF to terminate the
 * association; resolves with the SMF's acknowledgement. The rest of the procedure arrives as the
 * SMF's Npcf_SMPolicyControl_Delete (step 2), answered by `deleteSmPolicy`.
 */
export async function requestSmPolicyTermination(pcf: Pcf, id: string, cause: SmPolicyReleaseCause): Promise<void> {
  const assoc = pcf.smPolicies.get(id);
  if (!assoc) throw new SbiProblem(404, 'POLICY_CONTEXT_NOT_FOUND', `no SM policy association ${id}`);
  if (assoc.terminationRequested) return; // already asked: the SMF is releasing the session
  assoc.terminationRequested = cause;
  try {
    await pcf.notify.smPolicyTerminateNotify(assoc.notificationUri, { resourceUri: resourceUri(pcf.cfg.baseUri, PCF.smPolicyControl.delete, { smPolicyId: id }), cause }, { step: '4.16.6 step 1' });
  } catch (e) {
    assoc.terminationRequested = undefined; // the SMF did not take it: it may be asked again
    throw e;
  }
}

/** TS 23.502 4.16.6 steps 2-8, both cases (TS 29.512 4.2.5): the SMF deletes the association. */
export async function deleteSmPolicy(pcf: Pcf, req: SbiRequest) {
  const assoc = pcf.smPolicies.get(req.params.smPolicyId);
  if (!assoc) throw new SbiProblem(404, 'POLICY_CONTEXT_NOT_FOUND'); // step 2 for an unknown association
  const body = (req.body ?? {}) as { accuUsageReports?: AccuUsageReport[] };
  // step 3: remove the PCC rules of the PDU session; deduct reported usage in the UDR
  assoc.pccRules = [];
  if (!assoc.noPolicyData && Array.isArray(body.accuUsageReports) && body.accuUsageReports.length) await deductUsage(pcf, assoc.supi, body.accuUsageReports);
  // step 5: the AFs whose PCC rules required it; the BSF binding; the termination reported to the
  // PCF for the UE that asked (4.16.14.2: PduSessionEventNotification TERMINATED,
  // pdu-session-events.ts); the NWDAF analytics (non-roaming)
  await notifyAfsAtStep5(pcf, assoc);
  await unbindAtStep5(pcf, assoc, () => reportPduSessionStatus(pcf, assoc, 'TERMINATED', '4.16.6 step 5 (4.16.14.2)'));
  // step 6 (4.16.8): unsubscribe from, or modify, the subscriber's policy counter status reporting
  await unbindAtStep6(pcf, req.params.smPolicyId, assoc);
  // step 7: remove the session's information and acknowledge
  pcf.smPolicies.delete(req.params.smPolicyId);
  pcf.analyticsNotifications.delete(req.params.smPolicyId);
  const lastUri = pcf.udrSubscriptions.release(`${assoc.supi}|${assoc.dnn}|${assoc.snssai}`);
  // step 8: unsubscribe from the UDR when it was the last session on the (DNN, S-NSSAI)
  return noContent(async () => {
    const uri = await lastUri;
    if (uri) await pcf.nudr.dr.unsubscribePolicyData(uri, { step: '4.16.6 step 8' });
  });
}
