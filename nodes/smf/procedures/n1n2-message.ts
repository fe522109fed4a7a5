// The body of Namf_Communication_N1N2MessageTransfer the SMF sends for a PDU session (TS 29.518
// 6.1.6.2.25 N1N2MessageTransferReqData, multipart per TS 29.500 6.6): an N1 SM message, and the N2
// SM information with its NGAP IE type when the NG-RAN has a part in it. One place for what the
// establishment, its reject, modification and every release send.

import { SbiMultipart, N1_CONTENT_TYPE, N2_CONTENT_TYPE } from '../../common/sbi.ts';
import type { SmContext } from '../context.ts';
import type { components as CommC } from '../../common/sbi-types/TS29518_Namf_Communication.ts';

type N1N2MessageTransferReqData = CommC['schemas']['N1N2MessageTransferReqData'];

export function smMessageTransfer(
  ctx: SmContext,
  n1: Uint8Array,
  n2?: { ngapIeType: 'PDU_RES_SETUP_REQ' | 'PDU_RES_MOD_REQ' | 'PDU_RES_REL_CMD'; data: Uint8Array },
  extra: { skipInd?: boolean; n1n2FailureTxfNotifURI?: string } = {},
): SbiMultipart<N1N2MessageTransferReqData> {
  return new SbiMultipart<N1N2MessageTransferReqData>(
    {
      n1MessageContainer: { n1MessageClass: 'SM', n1MessageContent: { contentId: 'n1msg' } },
      ...(n2 ? { n2InfoContainer: { n2InformationClass: 'SM', smInfo: { pduSessionId: ctx.pduSessionId, n2InfoContent: { ngapIeType: n2.ngapIeType, ngapData: { contentId: 'n2msg' } }, sNssai: ctx.snssai } } } : {}),
      pduSessionId: ctx.pduSessionId,
      ...extra,
    },
    { n1msg: { contentType: N1_CONTENT_TYPE, data: n1 }, ...(n2 ? { n2msg: { contentType: N2_CONTENT_TYPE, data: n2.data } } : {}) },
  );
}
