// PDU session charging by the SMF over Nchf_ConvergedCharging (TS 32.255, TS 32.291), when the
// network has it (`chf.convergedCharging`):
//   - Charging Data Request [Initial] (Nchf_ConvergedCharging_Create) once the session's N4
//     session exists (TS 23.502 4.3.2.2.1 after step 10), with the notifyUri the CHF may call;
//   - Charging Data Request [Termination] (Nchf_ConvergedCharging_Release) when the session's
//     resources are released, whatever released it (release.ts);
//   - CHF-initiated termination: the CHF's Nchf_ConvergedCharging_Notify with notificationType
//     ABORT_CHARGING (TS 32.291 NotificationType, TS 32.290) makes the SMF acknowledge (204) and
//     release the PDU session by network-requested PDU Session Release (TS 23.502 4.3.4.2, 5GSM
//     cause #36 regular deactivation); the release's SM policy step is then 4.16.6 case B.
// wire5g's CHF rates nothing, so no quota is requested (no multipleUnitUsage): the charging
// session's existence and end are what is exchanged.

import { endLateCreation } from '../../common/sbi/late-answer.ts';
import { SbiProblem, objectBody, requireString, type SbiRequest } from '../../common/sbi.ts';
import { callbackUri } from '../../common/sbi/client.ts';
import { CALLBACKS } from '../../common/sbi/operations.ts';
import type { AnswerOf } from '../../common/sbi/routes.ts';
import { Ipv4Pool } from '../../common/pools.ts';
import type { Smf, SmContext } from '../context.ts';
import { networkRequestedRelease } from './network-requested-release.ts';
import { hplmnInitiatedRelease } from './home-routed-hsmf.ts';

/** The ChargingDataRequest members every request carries (TS 32.291): who asks, when, the how-manyth. */
function invocation(smf: Smf, ctx: SmContext) {
  const n = ctx.charging ? ++ctx.charging.sequence : 0;
  return {
    nfConsumerIdentification: { nodeFunctionality: 'SMF' as const, nFName: smf.cfg.instanceId, nFPLMNID: smf.cfg.plmn },
    invocationTimeStamp: new Date().toISOString(),
    invocationSequenceNumber: n,
  };
}

/** Charging Data Request [Initial]: the PDU session's charging data resource at the CHF. */
export async function startCharging(smf: Smf, ctx: SmContext, step: string): Promise<void> {
  const nchf = smf.nchf;
  if (!nchf) return;
  const r = await nchf.convergedCharging.create({
    ...invocation(smf, ctx),
    subscriberIdentifier: ctx.supi,
    notifyUri: callbackUri(smf.cfg.baseUri, CALLBACKS.chargingNotify, { smContextRef: ctx.ref }),
    pDUSessionChargingInformation: {
      // the SMF's charging ID of the session in the form of TS 29.571 SmfChargingId ('<id>.smf-<NF
      // instance id>'): the SM context reference, unique in this SMF, and the SMF's instance
      sMFchargingId: `${ctx.ref}.smf-${smf.cfg.instanceId}`,
      pduSessionInformation: {
        pduSessionID: ctx.pduSessionId,
        dnnId: ctx.dnn,
        networkSlicingInfo: { sNSSAI: ctx.snssai },
        pduType: 'IPV4',
        ratType: 'NR',
        ...(ctx.ueAddress !== undefined ? { pduAddress: { pduIPv4Address: Ipv4Pool.format(ctx.ueAddress) } } : {}),
      },
    },
  }, {
    step,
    // a 201 after the time-out (the session failed): the charging data resource is released at its
    // Location, Charging Data Request [Termination] (TS 32.291 Nchf_ConvergedCharging_Release, as stopCharging),
    // with the invocation sequence number after the initial request's 0 (TS 32.291 ChargingDataRequest invocationSequenceNumber), as stopCharging sends it
    lateAnswer: endLateCreation(`[SMF] ${ctx.supi} charging data`, (uri) => nchf.convergedCharging.release(uri, { ...invocation(smf, { ...ctx, charging: { uri, sequence: 0 } }) }, { step }), smf.cfg.log),
  });
  const uri = r.headers.location;
  if (!uri) throw new SbiProblem(502, 'SYSTEM_FAILURE', 'CHF answered 201 without Location');
  ctx.charging = { uri, sequence: 0 };
}

/** Charging Data Request [Termination]: the charging data resource goes with the session. */
export async function stopCharging(smf: Smf, ctx: SmContext, step: string): Promise<void> {
  const c = ctx.charging;
  if (!c || !smf.nchf) return;
  ctx.charging = undefined;
  await smf.nchf.convergedCharging.release(c.uri, { ...invocation(smf, { ...ctx, charging: c }) }, { step });
}

/**
 * TS 32.291 Nchf_ConvergedCharging_Notify: ABORT_CHARGING ends the PDU session (acknowledged
 * first, the release after the answer); REAUTHORIZATION asks for quotas this SMF never requested,
 * so it is acknowledged and nothing more.
 */
export function chargingNotify(smf: Smf, req: SbiRequest): AnswerOf<typeof CALLBACKS.chargingNotify> {
  const body = objectBody(req);
  const type = requireString(body, 'notificationType');
  const ctx = smf.contexts.get(req.params.smContextRef);
  if (!ctx || ctx.state === 'released' || !ctx.charging) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no charging session for SM context ${req.params.smContextRef}`);
  if (type !== 'ABORT_CHARGING' || ctx.state !== 'active') return { status: 204 };
  if (ctx.homeRouted?.role === 'H-SMF') return { status: 204, after: () => hplmnInitiatedRelease(smf, ctx, { fiveGsmCause: 36, trigger: 'CHF' }) };
  return { status: 204, after: () => networkRequestedRelease(smf, ctx, { fiveGsmCause: 36, statusCause: 'REL_DUE_TO_UNSPECIFIED_REASON' }) };
}
