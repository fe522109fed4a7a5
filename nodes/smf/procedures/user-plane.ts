// The user plane of an established PDU session deactivated and activated again, SMF side:
//   AN release (TS 23.502 4.2.6 steps 5-7): UpdateSMContext with upCnxState DEACTIVATED -> N4
//     Session Modification (the gNB's tunnel is no longer used, downlink buffered: FAR BUFF|NOCP,
//     TS 29.244 5.2.3) -> upCnxState DEACTIVATED
//   Service Request (TS 23.502 4.2.3.2 steps 4 and 11): UpdateSMContext with upCnxState ACTIVATING
//     -> the N2 SM information (PDU Session Resource Setup Request Transfer with the UPF's tunnel
//     and the authorized QoS, TS 38.413 9.3.4.1), upCnxState ACTIVATING; the gNB's answer comes
//     as PDU_RES_SETUP_RSP (establishment.ts updateSmContext: step 17, N4 forward)

import { SbiMultipart, SbiProblem, N2_CONTENT_TYPE } from '../../common/sbi.ts';
import { ok, type AnswerOf } from '../../common/sbi/routes.ts';
import type { SMF } from '../../common/sbi/operations.ts';
import type { components as SmfC } from '../../common/sbi-types/TS29502_Nsmf_PDUSession.ts';
import type { Smf, SmContext } from '../context.ts';

/** The upCnxState change an UpdateSMContext asks for, or undefined when it asks for none. */
export async function upCnxStateUpdate(smf: Smf, ctx: SmContext, body: SmfC['schemas']['SmContextUpdateData']): Promise<AnswerOf<typeof SMF.pduSession.updateSmContext> | undefined> {
  if (body.upCnxState !== 'DEACTIVATED' && body.upCnxState !== 'ACTIVATING') return undefined;
  if (ctx.state !== 'active' || !ctx.n4 || !ctx.qos) throw new SbiProblem(400, 'UE_IN_NON_ALLOWED_STATE', `PDU session ${ctx.pduSessionId} is ${ctx.state}: its user plane cannot change`);
  if (body.upCnxState === 'DEACTIVATED') {
    // 4.2.6 step 6a: the AN tunnel goes, downlink data is buffered until the UE is reached again
    await smf.n4.modify(ctx.n4.upSeid, { downlink: 'buffer' }, '4.2.6 step 6a');
    return ok({ upCnxState: 'DEACTIVATED' });
  }
  // 4.2.3.2 step 11: the N2 SM information the AMF puts in the Initial Context Setup Request
  const transfer = smf.n2.setupRequestTransfer({ upfN3Teid: ctx.n4.upfN3Teid, upfN3Address: ctx.n4.upfN3Address, qos: ctx.qos });
  return ok(new SbiMultipart({ upCnxState: 'ACTIVATING', n2SmInfo: { contentId: 'n2SmInfo' }, n2SmInfoType: 'PDU_RES_SETUP_REQ' }, { n2SmInfo: { contentType: N2_CONTENT_TYPE, data: transfer } }));
}
