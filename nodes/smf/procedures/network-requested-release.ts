// Network-requested PDU Session Release, SMF-initiated (TS 23.502 4.3.4.2, non-roaming; TS 24.501
// 6.3.3 network-requested PDU session release, the SMF's side):
//   step 1e   the SMF decides to release the PDU session (here: O&M, `wire5g ctl smf release`)
//   step 2a-b N4 Session Release with the final usage report; the UE address goes back to the pool
//   step 3b   Namf_Communication_N1N2MessageTransfer (TS 29.518 5.2.2.3.1) with the N1 SM
//             container (PDU SESSION RELEASE COMMAND, PTI 0: "no procedure transaction identity
//             assigned", TS 24.501 6.3.3.2) and the N2 SM resource release request (PDU Session
//             Resource Release Command Transfer, TS 38.413 9.3.4.12). A UE in CM-IDLE is paged
//             (the AMF answers 202 ATTEMPTING_TO_REACH_UE, TS 23.502 4.2.3.3 step 3b) and the
//             command follows its Service Request; one that does not answer comes back as
//             N1N2TransferFailureNotification (UE_NOT_RESPONDING, 4.2.3.3 step 5) and the SMF ends
//             the release without acknowledgements. With `skipPaging` the skip indicator is set:
//             the AMF answers N1_MSG_NOT_TRANSFERRED and does not page
//   steps 4-6 the AMF's N2 PDU Session Resource Release Command, the gNB's answer (AMF side)
//   step 7    UpdateSMContext with the N2 SM Resource Release Ack (pdu-session-release.ts)
//   step 10   UpdateSMContext with the UE's PDU SESSION RELEASE COMPLETE (pdu-session-release.ts)
//   step 11   Nsmf_PDUSession_SMContextStatusNotify (RELEASED) to the AMF
//   step 12   SM Policy Association Termination (4.16.6 case B) with the accumulated usage
//   step 13   Nudm_SDM_Unsubscribe (last session of the DNN and S-NSSAI), Nudm_UECM_Deregistration

import { SbiProblem, objectBody, type SbiRequest } from '../../common/sbi.ts';
import { noContent, type AnswerOf } from '../../common/sbi/routes.ts';
import { SbiErrorReply, callbackUri } from '../../common/sbi/client.ts';
import { CALLBACKS } from '../../common/sbi/operations.ts';
import { FiveGsmCause, type Smf, type SmContext } from '../context.ts';
import { releaseResources, type ReleaseSteps } from './release.ts';
import { awaitReleaseAcknowledgements, releaseInProgress, endRelease } from './pdu-session-release.ts';
import { smMessageTransfer } from './n1n2-message.ts';

export const NETWORK_REQUESTED_RELEASE_STEPS: ReleaseSteps = {
  n4: '4.3.4.2 step 2a',
  policy: '4.3.4.2 step 12',
  sdmUnsubscribe: '4.3.4.2 step 13',
  uecmDeregistration: '4.3.4.2 step 13',
};

/** TS 24.501 6.3.3.2: a network-requested release carries PTI 0 (no procedure transaction identity assigned). */
const NO_PTI = 0;

/** The SM context of the UE's PDU session `psi`, or undefined. */
export function smContextOf(smf: Smf, supi: string, psi: number): SmContext | undefined {
  for (const c of smf.contexts.values()) if (c.supi === supi && c.pduSessionId === psi && c.state !== 'released') return c;
  return undefined;
}

export class SmContextNotReleasable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmContextNotReleasable';
  }
}

/**
 * Steps 1e-13 for one PDU session; resolves when the SM context is gone (after step 13), or
 * rejects when a step failed (what was released stays released). `fiveGsmCause` is the cause of
 * the PDU SESSION RELEASE COMMAND (TS 24.501 9.11.4.2; #36 regular deactivation by default).
 */
export async function networkRequestedRelease(smf: Smf, ctx: SmContext, o: { fiveGsmCause?: number; statusCause?: string; steps?: ReleaseSteps; skipPaging?: boolean } = {}): Promise<void> {
  // step 1e: only an established session is released this way; one being set up or released is left to its procedure
  if (ctx.state !== 'active') throw new SmContextNotReleasable(`PDU session ${ctx.pduSessionId} of ${ctx.supi} is ${ctx.state}, not active`);
  ctx.state = 'releasing';
  // steps 2a-2b: N4 Session Release; the usage report travels to the PCF in step 12
  const { after } = await releaseResources(smf, ctx, o.steps ?? NETWORK_REQUESTED_RELEASE_STEPS);
  let settle!: (e?: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => (settle = (e) => (e === undefined ? resolve() : reject(e instanceof Error ? e : new Error(String(e))))));
  // steps 7 and 10 may come before this procedure has the AMF's answer to step 3b
  awaitReleaseAcknowledgements(ctx, { pti: NO_PTI, n2Acknowledged: false, n1Completed: false, after, statusStep: '4.3.4.2 step 11', statusCause: o.statusCause ?? 'REL_DUE_TO_UNSPECIFIED_REASON', done: settle });
  // step 3b: N1N2MessageTransfer with the PDU Session Release Command and the N2 release request
  const command = smf.n1.releaseCommand(ctx.pduSessionId, NO_PTI, o.fiveGsmCause ?? FiveGsmCause.RegularDeactivation);
  const transfer = smf.n2.releaseCommandTransfer({ group: 'nas', value: 'normal-release' });
  let answer: { cause?: string } | undefined;
  try {
    const r = await smf.namf.communication.n1n2MessageTransfer(ctx.amfUeContextUri, smMessageTransfer(ctx, command, { ngapIeType: 'PDU_RES_REL_CMD', data: transfer }, {
      skipInd: o.skipPaging === true,
      n1n2FailureTxfNotifURI: callbackUri(smf.cfg.baseUri, CALLBACKS.n1n2TransferFailureNotify, { smContextRef: ctx.ref }),
    }), { step: '4.3.4.2 step 3b' });
    answer = r.body as { cause?: string } | undefined;
  } catch (e) {
    if (!(e instanceof SbiErrorReply) || e.reply.status !== 404) {
      awaitReleaseAcknowledgements(ctx, undefined);
      await after(); // what the SMF holds goes in any case
      throw e;
    }
    // the AMF holds no context for the UE any more: nobody to tell, steps 12-13 still run
    awaitReleaseAcknowledgements(ctx, undefined);
    await after();
    return;
  }
  if (answer?.cause === 'N1_MSG_NOT_TRANSFERRED') {
    // TS 29.518 6.1.6.3.5 (UE in CM-IDLE, skip indicator): no acknowledgement will come, the SMF
    // goes on with steps 11-13 at once
    awaitReleaseAcknowledgements(ctx, undefined);
    await smf.notify.smContextStatusNotify(ctx.amfCallback, { statusInfo: { resourceStatus: 'RELEASED', cause: o.statusCause ?? 'REL_DUE_TO_UNSPECIFIED_REASON' } }, { step: '4.3.4.2 step 11' });
    await after();
    return;
  }
  await finished;
}

/**
 * TS 23.502 4.2.3.3 step 5: the AMF could not reach the UE (N1N2TransferFailureNotification,
 * TS 29.518 6.1.5.3): a release waiting for the UE's and the gNB's acknowledgements ends without
 * them (steps 11-13).
 */
export function onN1N2TransferFailure(smf: Smf, req: SbiRequest): AnswerOf<typeof CALLBACKS.n1n2TransferFailureNotify> {
  const body = objectBody(req) as { cause?: unknown };
  if (typeof body.cause !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'cause is required');
  const ctx = smf.contexts.get(req.params.smContextRef);
  const r = ctx ? releaseInProgress(ctx) : undefined;
  if (!ctx || !r) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no release waiting for SM context ${req.params.smContextRef}`);
  awaitReleaseAcknowledgements(ctx, undefined);
  return noContent(() => endRelease(smf, ctx, r));
}

/** `wire5g ctl smf release <supi> <psi>`: finds the session and releases it. */
export async function releaseBySupi(smf: Smf, supi: string, psi: number, o: { fiveGsmCause?: number } = {}): Promise<void> {
  const ctx = smContextOf(smf, supi, psi);
  if (!ctx) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `the SMF has no PDU session ${psi} of ${supi}`);
  await networkRequestedRelease(smf, ctx, o);
}
