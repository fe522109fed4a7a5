// A serving AMF change, SMF side (TS 23.502 4.2.2.2.2 step 17; TS 29.502 5.2.2.3.1): after a
// mobility registration update to another AMF, the new AMF's Nsmf_PDUSession_UpdateSMContext names
// itself (servingNfId, guami) and gives its smContextStatusUri; the SMF's later signalling for the
// session (status notifications, N1N2MessageTransfer to the `ueContextUri` wire5g's AMF gives as
// at creation) goes to the new AMF. The session's user plane is untouched: answered 204.

import { noContent, type AnswerOf } from '../../common/sbi/routes.ts';
import type { SMF } from '../../common/sbi/operations.ts';
import type { components as SmfC } from '../../common/sbi-types/TS29502_Nsmf_PDUSession.ts';
import type { Smf, SmContext } from '../context.ts';

/** The serving AMF change an UpdateSMContext carries, or undefined when it carries none. */
export function servingAmfChange(smf: Smf, ctx: SmContext, body: SmfC['schemas']['SmContextUpdateData']): AnswerOf<typeof SMF.pduSession.updateSmContext> | undefined {
  if (typeof body.servingNfId !== 'string' || typeof body.smContextStatusUri !== 'string' || body.upCnxState !== undefined || body.n2SmInfoType !== undefined || body.n1SmMsg !== undefined) return undefined;
  const ueContextUri = (body as { ueContextUri?: unknown }).ueContextUri;
  ctx.amfCallback = body.smContextStatusUri;
  if (typeof ueContextUri === 'string') ctx.amfUeContextUri = ueContextUri;
  smf.cfg.log?.(`[SMF] PDU session ${ctx.pduSessionId} of ${ctx.supi}: serving AMF is now ${body.servingNfId} (TS 23.502 4.2.2.2.2 step 17)`);
  return noContent();
}
