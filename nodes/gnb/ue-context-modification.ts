// UE Context Modification, gNB side (TS 38.413 8.3.4): the NG-RAN stores what the request carries
// of the UE's context (the UE-AMBR, 9.3.1.58; the Index to RFSP, 9.3.1.61) and answers UE CONTEXT
// MODIFICATION RESPONSE (8.3.4.2). A UE whose context was not set up yet (no Initial Context Setup,
// no security key) cannot be modified: UE CONTEXT MODIFICATION FAILURE (8.3.4.3).

import { ngapPdu } from '../../codecs/ngap/index.ts';
import type { Gnb } from './gnb.ts';
import type { GnbUeContext } from './context.ts';
import { storeUeAmbr } from './qos.ts';

export function onUeContextModificationRequest(gnb: Gnb, ctx: GnbUeContext, ies: Map<string, unknown>): void {
  const ids = { 'AMF-UE-NGAP-ID': ctx.amfUeNgapId!, 'RAN-UE-NGAP-ID': ctx.ranUeNgapId }; // the AMF's ID set by ueContext from the message answered
  if (!ctx.kgnb || !ctx.ue) {
    gnb.sendUe(ctx, ngapPdu('UEContextModificationFailure', { ...ids, Cause: { radioNetwork: ctx.ue ? 'unspecified' : 'radio-connection-with-ue-lost' } }), 'UEContextModificationFailure', 'TS 38.413 8.3.4.3');
    return;
  }
  storeUeAmbr(ctx, ies);
  const rfsp = ies.get('IndexToRFSP');
  if (typeof rfsp === 'number') ctx.rfsp = rfsp;
  gnb.sendUe(ctx, ngapPdu('UEContextModificationResponse', ids), 'UEContextModificationResponse', 'TS 38.413 8.3.4.2');
}
