// PDU Session Resource Modify, gNB side (TS 38.413 8.2.3; TS 23.502 4.3.3.2 steps 4-6): for each
// session of the request, the PDU Session Resource Modify Request Transfer (9.3.4.3) is applied
// (the new PDU Session Aggregate Maximum Bit Rate stored, the QoS flows' new 5QIs), the response
// lists it with its Modify Response Transfer (9.3.4.4, the flows modified), a session the gNB does
// not hold goes in the Failed to Modify list (cause unknown-PDU-session-ID); the NAS-PDU of each
// session modified goes to the UE.

import { ngapPdu, encodeNgapType, decodeNgapType, iesByName, type Ngap } from '../../codecs/ngap/index.ts';
import type { Gnb } from './gnb.ts';
import { TransferFailure, type GnbUeContext } from './context.ts';
import { storeSessionAmbr, storeFiveQis, type QosFlowItem } from './qos.ts';

interface ModReqItem {
  pDUSessionID: number;
  'nAS-PDU'?: Uint8Array;
  pDUSessionResourceModifyRequestTransfer: unknown;
}

/** TS 38.413 8.2.3.2: each session's transfer applied, the response, the NAS-PDUs to the UE. */
export function onPduSessionResourceModifyRequest(gnb: Gnb, ctx: GnbUeContext, ies: Map<string, unknown>): void {
  const items = (ies.get('PDUSessionResourceModifyListModReq') as ModReqItem[] | undefined) ?? [];
  const modified: Ngap.PDUSessionResourceModifyItemModRes[] = [];
  const failed: Ngap.PDUSessionResourceFailedToModifyItemModRes[] = [];
  const nasPdus: Uint8Array[] = [];
  for (const item of items) {
    try {
      const flows = modifySession(ctx, item.pDUSessionID, item.pDUSessionResourceModifyRequestTransfer);
      modified.push({
        pDUSessionID: item.pDUSessionID,
        pDUSessionResourceModifyResponseTransfer: encodeNgapType('PDUSessionResourceModifyResponseTransfer', flows.length ? { qosFlowAddOrModifyResponseList: flows.map((q) => ({ qosFlowIdentifier: q })) } : {}),
      });
      if (item['nAS-PDU'] instanceof Uint8Array) nasPdus.push(item['nAS-PDU']);
    } catch (e) {
      const cause: Ngap.Cause = e instanceof TransferFailure ? e.ngapCause : { misc: 'unspecified' };
      gnb.log(`[gNB] PDU session ${item.pDUSessionID} of ${ctx.label} not modified: ${(e as Error).message}`);
      failed.push({ pDUSessionID: item.pDUSessionID, pDUSessionResourceModifyUnsuccessfulTransfer: encodeNgapType('PDUSessionResourceModifyUnsuccessfulTransfer', { cause }) });
    }
  }
  gnb.sendUe(ctx, ngapPdu('PDUSessionResourceModifyResponse', {
    'AMF-UE-NGAP-ID': ctx.amfUeNgapId!, // set by ueContext from the AMF's message being answered
    'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
    ...(modified.length ? { PDUSessionResourceModifyListModRes: modified } : {}),
    ...(failed.length ? { PDUSessionResourceFailedToModifyListModRes: failed } : {}),
    UserLocationInformation: ctx.uli ?? gnb.uli,
  }), 'PDUSessionResourceModifyResponse', '4.3.3.2 step 6 (TS 38.413 8.2.3.2)');
  for (const n of nasPdus) gnb.deliverNas(ctx, n);
}

/** One session's Modify Request Transfer applied; returns the QFIs of the flows it modified. */
function modifySession(ctx: GnbUeContext, psi: number, transferValue: unknown): number[] {
  const session = ctx.sessions.get(psi);
  if (!session) throw new TransferFailure({ radioNetwork: 'unknown-PDU-session-ID' }, `no PDU session ${psi}`);
  let t: unknown = transferValue;
  if (t instanceof Uint8Array) {
    try {
      t = decodeNgapType('PDUSessionResourceModifyRequestTransfer', t);
    } catch (e) {
      throw new TransferFailure({ protocol: 'transfer-syntax-error' }, `transfer does not decode: ${(e as Error).message}`);
    }
  }
  const tie = iesByName(t, 'PDUSessionResourceModifyRequestTransfer');
  const flows = (tie.get('QosFlowAddOrModifyRequestList') as QosFlowItem[] | undefined) ?? [];
  // wire5g's gNB maps every flow of a session onto its N3 tunnel: a flow it does not carry is not added
  const unknown = flows.find((f) => !session.qfis.includes(f.qosFlowIdentifier));
  if (unknown) throw new TransferFailure({ radioNetwork: 'unspecified' }, `QoS flow ${unknown.qosFlowIdentifier} is not one of the session's (adding flows is not implemented)`);
  storeSessionAmbr(session, tie);
  storeFiveQis(session, flows);
  return flows.map((f) => f.qosFlowIdentifier);
}
