// UE Context Release, gNB side: the gNB's request (TS 38.413 8.3.2; TS 23.502 4.2.6 AN release
// step 1), the AMF's command and its completion (8.3.3; 4.2.6, 4.2.2.3.2 step 8, 4.2.2.3.3
// step 7), and the local release of a context (also on NG Reset and radio link loss).

import { ngapPdu, type Ngap } from '../../codecs/ngap/index.ts';
import type { Gnb } from './gnb.ts';
import type { GnbUeContext } from './context.ts';
import { releaseSession } from './pdu-session-resource-release.ts';

/**
 * TS 38.413 8.3.2 UE Context Release Request (NG-RAN node initiated; TS 23.502 4.2.6 step 1):
 * the gNB asks the AMF to release the UE's context, with its cause and the PDU sessions it holds.
 * The release itself follows the AMF's UE Context Release Command.
 */
export function requestUeContextRelease(gnb: Gnb, ctx: GnbUeContext, cause: Ngap.Cause): void {
  if (ctx.amfUeNgapId === undefined) throw new Error(`${ctx.label} has no AMF UE NGAP ID yet: nothing to release`);
  const psis = [...ctx.sessions.keys()];
  gnb.sendUe(ctx, ngapPdu('UEContextReleaseRequest', {
    'AMF-UE-NGAP-ID': ctx.amfUeNgapId,
    'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
    ...(psis.length ? { PDUSessionResourceListCxtRelReq: psis.map((p) => ({ pDUSessionID: p })) } : {}),
    Cause: cause,
  }), 'UEContextReleaseRequest', '4.2.6 step 1');
}

/**
 * TS 38.413 8.3.3; TS 23.502 4.2.2.3.2 step 8 / 4.2.2.3.3 step 7: release everything of the UE,
 * RRC release, complete. The step is the de-registration the UE's last NAS message belonged to.
 */
export function onUeContextReleaseCommand(gnb: Gnb, ctx: GnbUeContext, ies: Map<string, unknown>): void {
  const cause = ies.get('Cause') as Record<string, string> | undefined;
  const psis = [...ctx.sessions.keys()];
  const amfUeNgapId = ctx.amfUeNgapId;
  const streamId = ctx.streamId;
  releaseContext(gnb, ctx, true);
  const deregister = cause?.nas === 'deregister';
  const last = ctx.lastUplinkStep ?? '';
  const step = !deregister ? 'TS 38.413 8.3.3.2' : last.startsWith('4.2.2.3.3') ? '4.2.2.3.3 step 7' : last.startsWith('4.2.2.3.2') ? '4.2.2.3.2 step 8' : 'TS 38.413 8.3.3.2';
  gnb.sendNgap(ngapPdu('UEContextReleaseComplete', {
    'AMF-UE-NGAP-ID': amfUeNgapId!, // set by ueContext from the AMF's message being answered
    'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
    UserLocationInformation: ctx.uli ?? gnb.uli,
    ...(psis.length ? { PDUSessionResourceListCxtRelCpl: psis.map((p) => ({ pDUSessionID: p })) } : {}),
  }), streamId, 'UEContextReleaseComplete', step, ctx.label, ctx.link);
}

/** Frees everything of a UE context; the UE (if still attached) gets RRCRelease. */
export function releaseContext(gnb: Gnb, ctx: GnbUeContext, rrcRelease: boolean): void {
  if (gnb.contexts.get(ctx.ranUeNgapId) !== ctx) return;
  ctx.admission?.done();
  for (const psi of [...ctx.sessions.keys()]) releaseSession(gnb, ctx, psi);
  gnb.contexts.delete(ctx.ranUeNgapId);
  if (ctx.amfUeNgapId !== undefined && ctx.link.byAmfId.get(ctx.amfUeNgapId) === ctx) ctx.link.byAmfId.delete(ctx.amfUeNgapId);
  gnb.ranIds.release(ctx.ranUeNgapId);
  ctx.pendingUplink.length = 0;
  ctx.kgnb = undefined;
  const ue = ctx.ue;
  ctx.ue = undefined;
  if (rrcRelease && ue) {
    try {
      ue.onRrcRelease();
    } catch (e) {
      gnb.log(`[gNB] ${ctx.label} RRC release handler threw: ${String(e)}`);
    }
  }
}
