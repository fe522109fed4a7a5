// SMF-requested PDU Session Modification (TS 23.502 4.3.3.2, non-roaming), triggered by
//   step 1b  the PCF: Npcf_SMPolicyControl_UpdateNotify (TS 29.512 4.2.5.2, POST
//            {notificationUri}/update with SmPolicyNotification; TS 23.502 4.16.5.2): the new
//            SmPolicyDecision's session rule is applied;
//   step 1b  the UDM: Nudm_SDM_Notification of changed SM subscription data (TS 29.503 5.2.2.5,
//            the SMF's callbackReference): the SMF keeps the new subscribed default QoS and
//            Session-AMBR, acknowledges, and asks the PCF (SM Policy Association Modification,
//            4.16.5.1: Npcf_SMPolicyControl_Update with SE_AMBR_CH / DEF_QOS_CH and the new
//            subsSessAmbr / subsDefQos), whose answer is the decision applied.
// Applying a decision that changes the session's QoS:
//   step 3b  Namf_Communication_N1N2MessageTransfer with the PDU SESSION MODIFICATION COMMAND (PTI 0,
//            the new Session-AMBR, the default QoS flow's description with its 5QI) and the N2 SM
//            information PDU_RES_MOD_REQ: the PDU Session Resource Modify Request Transfer (TS 38.413
//            9.3.4.3) with the new PDU Session Aggregate Maximum Bit Rate and, when the 5QI or ARP
//            changed, the default QoS flow's new QoS parameters; the AMF sends both to the NG-RAN in
//            PDU SESSION RESOURCE MODIFY REQUEST (step 4, TS 38.413 8.2.3);
//   step 7   UpdateSMContext with the NG-RAN's PDU Session Resource Modify Response Transfer
//            (PDU_RES_MOD_RSP) or Unsuccessful Transfer (PDU_RES_MOD_FAIL, logged), acknowledged;
//   steps 9-10 the UE's PDU SESSION MODIFICATION COMPLETE (UpdateSMContext with the N1 SM
//            container), acknowledged here;
//   step 8a  N4 Session Modification: Update QER with the new Session-AMBR as MBR (TS 29.244 7.5.4.5).
// Not implemented: a CM-IDLE UE (the AMF refuses the transfer; the UPF is updated and the UE learns
// the QoS at its next establishment), QoS flows other than the default one.

import { SbiProblem, objectBody, binaryPart, type SbiRequest } from '../../common/sbi.ts';
import { noContent, ok, type AnswerOf, type RequestOf } from '../../common/sbi/routes.ts';
import type { CALLBACKS, SMF } from '../../common/sbi/operations.ts';
import type { components as SmPolC } from '../../common/sbi-types/TS29512_Npcf_SMPolicyControl.ts';
import { snssaiKey, type Smf, type SmContext } from '../context.ts';
import { sessionQosOf, subscribedQosOf, type SessionQos } from '../policy-decision.ts';
import { smMessageTransfer } from './n1n2-message.ts';
import { enforceUsageDecision } from './usage-monitoring.ts';

/** The QoS a decision authorizes for `ctx`, or undefined when it has no session rule (nothing to change). */
function decidedQos(ctx: SmContext, decision: unknown): SessionQos | undefined {
  const rules = (decision as { sessRules?: unknown } | undefined)?.sessRules;
  if (!rules || typeof rules !== 'object' || !ctx.qos) return undefined;
  return sessionQosOf(decision, ctx.qos.qfi);
}

const sameArp = (a: SessionQos['arp'], b: SessionQos['arp']) => a.priorityLevel === b.priorityLevel && a.preemptCap === b.preemptCap && a.preemptVuln === b.preemptVuln;
// the whole QoS of the session (TS 23.501 5.7.2.2: the ARP is its priority level, pre-emption capability
// and vulnerability; a change of any of them is a modification, TS 23.502 4.3.3.2)
const same = (a: SessionQos, b: SessionQos) => a.fiveQi === b.fiveQi && a.ambrUplinkBps === b.ambrUplinkBps && a.ambrDownlinkBps === b.ambrDownlinkBps && sameArp(a.arp, b.arp);

/** Steps 3b and 8a for a new QoS of an active session; resolves when both were attempted. */
export async function applyQos(smf: Smf, ctx: SmContext, qos: SessionQos, step: string): Promise<void> {
  if (ctx.state !== 'active' || !ctx.qos || same(ctx.qos, qos)) return;
  const flowChanged = ctx.qos.fiveQi !== qos.fiveQi || !sameArp(ctx.qos.arp, qos.arp);
  ctx.qos = qos;
  const log = smf.cfg.log ?? (() => {});
  log(`[SMF] PDU session ${ctx.pduSessionId} of ${ctx.supi}: QoS modified (5QI ${qos.fiveQi}, Session-AMBR ${qos.ambrUplinkBps}/${qos.ambrDownlinkBps} bit/s) [${step}]`);
  const command = smf.n1.modificationCommand?.(ctx.pduSessionId, qos);
  if (command) {
    try {
      // the N2 SM information for the NG-RAN (TS 38.413 8.2.3), with the N1 SM container
      const n2 = smf.n2.modifyRequestTransfer?.(qos, flowChanged);
      await smf.namf.communication.n1n2MessageTransfer(ctx.amfUeContextUri, smMessageTransfer(ctx, command, n2 ? { ngapIeType: 'PDU_RES_MOD_REQ', data: n2 } : undefined), { step: '4.3.3.2 step 3b' });
    } catch (e) {
      log(`[SMF] PDU session ${ctx.pduSessionId} of ${ctx.supi}: the Modification Command was not transferred: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (ctx.n4 && smf.n4.updateSessionAmbr) await smf.n4.updateSessionAmbr(ctx.n4.upSeid, { uplinkKbps: Math.ceil(qos.ambrUplinkBps / 1000), downlinkKbps: Math.ceil(qos.ambrDownlinkBps / 1000) }, '4.3.3.2 step 8a');
}

/** Step 1b (PCF): Npcf_SMPolicyControl_UpdateNotify at `{notificationUri}/update`. */
export function smPolicyUpdateNotify(smf: Smf, req: RequestOf<typeof CALLBACKS.smPolicyUpdateNotify>): AnswerOf<typeof CALLBACKS.smPolicyUpdateNotify> {
  const body = objectBody(req) as Partial<SmPolC['schemas']['SmPolicyNotification']>;
  const ctx = smf.contexts.get(req.params.smContextRef);
  if (!ctx || ctx.state === 'released' || (typeof body.resourceUri === 'string' && body.resourceUri !== ctx.smPolicyUri)) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no SM policy association ${String(body.resourceUri)} for SM context ${req.params.smContextRef}`);
  // checked before the answer: a decision that cannot be applied is the PCF's error
  const qos = decidedQos(ctx, body.smPolicyDecision);
  const decision = body.smPolicyDecision;
  const usage = decision?.umDecs !== undefined && decision.umDecs !== null;
  if (!qos && !usage) return noContent();
  return noContent(async () => {
    if (qos) await applyQos(smf, ctx, qos, '4.16.5.2');
    // new usage monitoring thresholds (TS 29.512 umDecs): Update URR at the UPF (usage-monitoring.ts)
    if (usage) await enforceUsageDecision(smf, ctx, decision, '4.16.5.2 step 3 (N4)');
  });
}

/** Step 1b (UDM): Nudm_SDM_Notification of changed SM subscription data (sm-data). */
export function smfSdmNotify(smf: Smf, req: RequestOf<typeof CALLBACKS.smfSdmModificationNotify>): AnswerOf<typeof CALLBACKS.smfSdmModificationNotify> {
  const body = objectBody(req) as { notifyItems?: { resourceId?: unknown; changes?: { op?: unknown; path?: unknown; newValue?: unknown }[] }[] };
  if (!Array.isArray(body.notifyItems)) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'notifyItems is required');
  const changed: { ctx: SmContext; subscribed: NonNullable<SmContext['subscribed']> }[] = [];
  for (const item of body.notifyItems) {
    // TS 29.503: resourceId names the SDM resource, `{apiRoot}/nudm-sdm/v2/{supi}/sm-data`
    const m = typeof item.resourceId === 'string' ? /\/([^/]+)\/sm-data$/.exec(item.resourceId) : null;
    if (!m) continue;
    const supi = decodeURIComponent(m[1]);
    const data = item.changes?.find((c) => c.op === 'REPLACE' && Array.isArray(c.newValue))?.newValue as { singleNssai?: { sst: number; sd?: string } }[] | undefined;
    if (!data) continue;
    for (const ctx of smf.contexts.values()) {
      if (ctx.supi !== supi || ctx.state !== 'active' || !ctx.smPolicyUri || ctx.emergency || ctx.onboarding) continue;
      const forSlice = data.filter((d) => d.singleNssai && snssaiKey(d.singleNssai) === snssaiKey(ctx.snssai));
      const subscribed = subscribedQosOf(forSlice, ctx.dnn);
      if (!subscribed.subsDefQos || !subscribed.subsSessAmbr) continue;
      if (JSON.stringify(subscribed) === JSON.stringify(ctx.subscribed)) continue;
      changed.push({ ctx, subscribed });
    }
  }
  for (const c of changed) c.ctx.subscribed = c.subscribed;
  if (!changed.length) return noContent();
  // after the acknowledgement: 4.16.5.1 with the PCF, then the decision applied
  return noContent(async () => {
    for (const { ctx, subscribed } of changed) {
      if (!ctx.smPolicyUri || ctx.state !== 'active') continue;
      const r = await smf.npcf.smPolicyControl.update(ctx.smPolicyUri, { repPolicyCtrlReqTriggers: ['SE_AMBR_CH', 'DEF_QOS_CH'], subsSessAmbr: subscribed.subsSessAmbr, subsDefQos: subscribed.subsDefQos }, { step: '4.3.3.2 step 1b (4.16.5.1)' });
      const qos = decidedQos(ctx, r.body);
      if (qos) await applyQos(smf, ctx, qos, '4.3.3.2 step 1b');
    }
  });
}

/** Step 7: the NG-RAN's answer to the PDU Session Resource Modify Request, in UpdateSMContext; undefined for other requests. */
export function modificationN2Answer(smf: Smf, ctx: SmContext, req: SbiRequest, body: { n2SmInfoType?: unknown; n2SmInfo?: { contentId: string } }): AnswerOf<typeof SMF.pduSession.updateSmContext> | undefined {
  if (body.n2SmInfoType !== 'PDU_RES_MOD_RSP' && body.n2SmInfoType !== 'PDU_RES_MOD_FAIL') return undefined;
  const n2 = binaryPart(req, body.n2SmInfo);
  if (!n2) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'n2SmInfo part is required');
  const log = smf.cfg.log ?? (() => {});
  if (body.n2SmInfoType === 'PDU_RES_MOD_FAIL') {
    // TS 38.413 9.3.4.17 PDU Session Resource Modify Unsuccessful Transfer: the NG-RAN keeps the session as it was
    log(`[SMF] PDU session ${ctx.pduSessionId} of ${ctx.supi}: the NG-RAN did not modify the session's resources`);
    return ok({});
  }
  try {
    smf.n2.decodeModifyResponseTransfer?.(n2);
  } catch (e) {
    throw new SbiProblem(400, 'N2_SM_ERROR', (e as Error).message);
  }
  return ok({});
}

/** Steps 9-10: the UE's PDU SESSION MODIFICATION COMPLETE (or COMMAND REJECT, logged) in UpdateSMContext. */
export function modificationAnswer(smf: Smf, ctx: SmContext, name: string, fiveGsmCause: number | undefined): AnswerOf<typeof SMF.pduSession.updateSmContext> | undefined {
  if (name === 'PDU session modification complete') return ok({});
  if (name === 'PDU session modification command reject') {
    smf.cfg.log?.(`[SMF] PDU session ${ctx.pduSessionId} of ${ctx.supi}: the UE rejected the modification, 5GSM cause #${String(fiveGsmCause)}`);
    return ok({});
  }
  return undefined;
}
