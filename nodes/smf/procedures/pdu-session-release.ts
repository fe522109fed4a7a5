// UE-requested PDU Session Release at the SMF (TS 23.502 4.3.4.2, non-roaming), reached through
// Nsmf_PDUSession_UpdateSMContext (TS 29.502 5.2.2.3.2) from the AMF:
//   step 1a   UpdateSMContext with the N1 SM container (PDU Session Release Request)
//   step 1f   (AMF-initiated) UpdateSMContext with the release indication (TS 29.502
//             SmContextUpdateData release): e.g. the non-emergency sessions of a UE the AMF may
//             not deregister because it has an emergency PDU session (TS 23.502 4.2.2.3.3); the
//             command then carries PTI 0, no procedure transaction (TS 24.501 6.3.3.2)
//   step 2a-b N4 Session Release with the final usage report; the UE address goes back to the pool
//   step 3a   the UpdateSMContext response carries the N1 SM container (PDU Session Release
//             Command) and the N2 SM resource release request (PDU Session Resource Release
//             Command Transfer, TS 38.413 9.3.4.12) for the AMF to send to the gNB (step 4)
//   step 7    UpdateSMContext with the N2 SM Resource Release Ack (PDU_RES_REL_RSP)
//   step 10   UpdateSMContext with the N1 SM container (PDU Session Release Complete)
//             (steps 8-10 may come before 6-7: the procedure goes on once both have arrived)
//   step 11   Nsmf_PDUSession_SMContextStatusNotify (RELEASED) to the AMF
//   step 12   SM Policy Association Termination (4.16.6 case B) with the accumulated usage
//   step 13   Nudm_SDM_Unsubscribe (last session of the DNN and S-NSSAI), Nudm_UECM_Deregistration

import { SbiProblem, SbiMultipart, binaryPart, N1_CONTENT_TYPE, N2_CONTENT_TYPE, type SbiRequest } from '../../common/sbi.ts';
import { ok, type AnswerOf } from '../../common/sbi/routes.ts';
import type { SMF } from '../../common/sbi/operations.ts';
import type { components as SmfC } from '../../common/sbi-types/TS29502_Nsmf_PDUSession.ts';
import type { SmMessageInfo } from '../ports.ts';
import { FiveGsmCause, type Smf, type SmContext } from '../context.ts';
import { releaseResources, type ReleaseSteps } from './release.ts';
import { modificationAnswer } from './session-modification.ts';

/** What UpdateSMContext answers (TS 29.502 5.2.2.3). */
type UpdateAnswer = AnswerOf<typeof SMF.pduSession.updateSmContext>;

export const UE_REQUESTED_RELEASE_STEPS: ReleaseSteps = {
  n4: '4.3.4.2 step 2a',
  policy: '4.3.4.2 step 12',
  sdmUnsubscribe: '4.3.4.2 step 13',
  uecmDeregistration: '4.3.4.2 step 13',
};

/** A release waiting for the gNB's and the UE's acknowledgements (steps 7 and 10). */
export interface ReleaseInProgress {
  pti: number;
  n2Acknowledged: boolean;
  n1Completed: boolean;
  /** Steps 12-13 (releaseResources' `after`). */
  after: () => Promise<void>;
  /**
   * The step tags of steps 11-13 and the cause the status notification carries: a value of TS
   * 29.502 6.1.6.3.2 Cause, or none (that list has no value for a release the UE asked for).
   */
  statusStep: string;
  statusCause?: string;
  /** Called once steps 11-13 have run (or failed). */
  done?: (e?: unknown) => void;
}

/** TS 24.501 9.11.4.2 #36 regular deactivation: the cause of a release the UE asked for. */
const REGULAR_DEACTIVATION = 36;

const inProgress = new WeakMap<SmContext, ReleaseInProgress>();

/** A network-requested release (network-requested-release.ts) waits here for steps 7 and 10 like the UE's. */
export function awaitReleaseAcknowledgements(ctx: SmContext, r: ReleaseInProgress | undefined): void {
  if (r) inProgress.set(ctx, r);
  else inProgress.delete(ctx);
}

/** The release of `ctx` still waiting for its acknowledgements, if any. */
export function releaseInProgress(ctx: SmContext): ReleaseInProgress | undefined {
  return inProgress.get(ctx);
}

/**
 * The UpdateSMContext requests of this procedure (steps 1a, 7, 10); undefined when `req` is not
 * one of them (the establishment's PDU_RES_SETUP_RSP, say).
 */
export async function pduSessionReleaseUpdate(smf: Smf, ctx: SmContext, req: SbiRequest, body: SmfC['schemas']['SmContextUpdateData']): Promise<UpdateAnswer | undefined> {
  const n1bytes = binaryPart(req, body.n1SmMsg);
  if (n1bytes) {
    let sm: SmMessageInfo;
    try {
      sm = smf.n1.decodeSmMessage(n1bytes);
    } catch (e) {
      throw new SbiProblem(400, 'N1_SM_ERROR', (e as Error).message);
    }
    if (sm.name === 'PDU session release request') return onReleaseRequest(smf, ctx, sm);
    if (sm.name === 'PDU session release complete' && inProgress.has(ctx)) return onReleaseComplete(smf, ctx, sm);
    // TS 23.502 4.3.3.2 steps 9-10 (session-modification.ts)
    const modification = modificationAnswer(smf, ctx, sm.name, sm.fiveGsmCause);
    if (modification) return modification;
    // TS 24.501 7.4: a 5GSM message the SMF does not implement is answered with 5GSM STATUS #97,
    // carried in the error's N1 SM part (TS 29.502 6.1.6.2.4 SmContextUpdateError n1SmMsg)
    return {
      status: 403,
      body: new SbiMultipart<SmfC['schemas']['SmContextUpdateError']>(
        { error: { status: 403, cause: 'N1_SM_ERROR', detail: `${sm.name} is not implemented by this SMF` }, n1SmMsg: { contentId: 'n1SmMsg' } },
        { n1SmMsg: { contentType: N1_CONTENT_TYPE, data: smf.n1.status(ctx.pduSessionId, sm.pti, FiveGsmCause.MessageTypeNonExistentOrNotImplemented) } },
      ),
    };
  }
  if (body.n2SmInfoType === 'PDU_RES_REL_RSP' && inProgress.has(ctx)) return onN2ReleaseAck(smf, ctx);
  if (body.release === true) return startRelease(smf, ctx, NO_PTI);
  return undefined;
}

/** Steps 1a-3a: the UE's PDU Session Release Request. */
function onReleaseRequest(smf: Smf, ctx: SmContext, request: SmMessageInfo): Promise<UpdateAnswer> {
  return startRelease(smf, ctx, request.pti);
}

/** TS 24.501 6.3.3.2: a release the network starts carries PTI 0 (no procedure transaction identity assigned). */
const NO_PTI = 0;

/** Steps 2a-3a after step 1a (the UE's PTI) or 1f (PTI 0). */
async function startRelease(smf: Smf, ctx: SmContext, pti: number): Promise<UpdateAnswer> {
  if (ctx.state !== 'active') throw new SbiProblem(409, 'PDU_SESSION_NOT_ACTIVE', `PDU session ${ctx.pduSessionId} is ${ctx.state}`);
  ctx.state = 'releasing';
  // steps 2a-2b: N4 Session Release; the usage report travels to the PCF in step 12
  const { after } = await releaseResources(smf, ctx, UE_REQUESTED_RELEASE_STEPS);
  inProgress.set(ctx, { pti, n2Acknowledged: false, n1Completed: false, after, statusStep: '4.3.4.2 step 11' });
  const command = smf.n1.releaseCommand(ctx.pduSessionId, pti, REGULAR_DEACTIVATION);
  const transfer = smf.n2.releaseCommandTransfer({ group: 'nas', value: 'normal-release' });
  // step 3a: SmContextUpdatedData (TS 29.502 6.1.6.2.3) with the N1 and N2 SM information
  return ok(new SbiMultipart<SmfC['schemas']['SmContextUpdatedData']>(
    { upCnxState: 'DEACTIVATED', n1SmMsg: { contentId: 'n1SmMsg' }, n2SmInfo: { contentId: 'n2SmInfo' }, n2SmInfoType: 'PDU_RES_REL_CMD' },
    { n1SmMsg: { contentType: N1_CONTENT_TYPE, data: command }, n2SmInfo: { contentType: N2_CONTENT_TYPE, data: transfer } },
  ));
}

/** Step 7: the gNB released the session's resources. */
function onN2ReleaseAck(smf: Smf, ctx: SmContext): UpdateAnswer {
  const r = inProgress.get(ctx)!;
  r.n2Acknowledged = true;
  return finishIfComplete(smf, ctx, r);
}

/** Step 10: the UE's PDU Session Release Complete. */
function onReleaseComplete(smf: Smf, ctx: SmContext, complete: SmMessageInfo): UpdateAnswer {
  const r = inProgress.get(ctx)!;
  if (complete.pti !== r.pti) throw new SbiProblem(400, 'N1_SM_ERROR', `PDU session release complete with PTI ${complete.pti}, the command had ${r.pti} (TS 24.501 7.3.1)`);
  r.n1Completed = true;
  return finishIfComplete(smf, ctx, r);
}

/** Step 11, then 12-13 (the `after` of releaseResources): once both acknowledgements arrived. */
function finishIfComplete(smf: Smf, ctx: SmContext, r: ReleaseInProgress): UpdateAnswer {
  if (!r.n1Completed || !r.n2Acknowledged) return ok({});
  inProgress.delete(ctx);
  return { ...ok({}), after: () => endRelease(smf, ctx, r) };
}

/** Steps 11-13: the SM context status notification to the AMF, then the PCF and UDM clean-up. */
export async function endRelease(smf: Smf, ctx: SmContext, r: ReleaseInProgress): Promise<void> {
  try {
    await smf.notify.smContextStatusNotify(ctx.amfCallback, { statusInfo: { resourceStatus: 'RELEASED', ...(r.statusCause ? { cause: r.statusCause } : {}) } }, { step: r.statusStep });
    await r.after();
    r.done?.();
  } catch (e) {
    r.done?.(e);
    throw e;
  }
}
