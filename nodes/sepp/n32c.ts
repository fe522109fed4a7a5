// N32-c, the SEPPs' control plane (TS 29.573 5.2.2, 6.1): the security capability negotiation
// (N32_Handshake exchange-capability, TS 29.573 5.2.2.2) before any N32-f message. Pure: the
// request a SEPP sends, and the answer a SEPP gives to one.
//
// wire5g's SEPPs offer and accept TLS only (docs/decisions.md, "SEPP security mode"): the whole
// HTTP/2 message is forwarded inside the TLS connection between the SEPPs, whose key log the
// capture carries; PRINS (JWE/JWS-protected N32fReformattedReqMsg, exchange-params) is not
// implemented, and a peer offering only PRINS is refused.

import type { components } from '../common/sbi-types/TS29573_N32_Handshake.ts';
import type { Plmn } from '../common/config.ts';
import { SbiProblem } from '../../transport/sbi/api.ts';

export type SecNegotiateReqData = components['schemas']['SecNegotiateReqData'];
export type SecNegotiateRspData = components['schemas']['SecNegotiateRspData'];

/** The security capabilities wire5g's SEPPs implement. */
export const SUPPORTED_SECURITY_CAPABILITIES = ['TLS'] as const;

/** TS 29.573 5.2.2.2 step 1: what the initiating SEPP offers its peer. */
export function exchangeCapabilityRequest(o: { sender: string; plmn: Plmn; targetPlmn: Plmn }): SecNegotiateReqData {
  return {
    sender: o.sender,
    supportedSecCapabilityList: [...SUPPORTED_SECURITY_CAPABILITIES],
    // the consumers name their target in 3gpp-Sbi-Target-apiRoot (TS 29.500 5.2.3.2.4), not by telescopic FQDN
    '3GppSbiTargetApiRootSupported': true,
    plmnIdList: [{ mcc: o.plmn.mcc, mnc: o.plmn.mnc }],
    targetPlmnId: { mcc: o.targetPlmn.mcc, mnc: o.targetPlmn.mnc },
  };
}

/**
 * TS 29.573 5.2.2.2 step 2: the responding SEPP selects one of the offered capabilities it
 * supports (TLS), or refuses the negotiation with 403 (the OpenAPI's response for the operation;
 * the cause name NEGOTIATION_NOT_ALLOWED is ours, not checked against TS 29.573's table of causes).
 */
export function exchangeCapabilityAnswer(req: SecNegotiateReqData, o: { sender: string; plmn: Plmn }): SecNegotiateRspData {
  const offered = Array.isArray(req.supportedSecCapabilityList) ? req.supportedSecCapabilityList : [];
  if (typeof req.sender !== 'string' || req.sender === '' || offered.length === 0) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'sender and supportedSecCapabilityList are required (TS 29.573 SecNegotiateReqData)');
  const selected = SUPPORTED_SECURITY_CAPABILITIES.find((c) => offered.includes(c));
  if (!selected) throw new SbiProblem(403, 'NEGOTIATION_NOT_ALLOWED', `offered ${offered.join(', ')}; this SEPP implements ${SUPPORTED_SECURITY_CAPABILITIES.join(', ')}`);
  return {
    sender: o.sender,
    selectedSecCapability: selected,
    '3GppSbiTargetApiRootSupported': true,
    plmnIdList: [{ mcc: o.plmn.mcc, mnc: o.plmn.mnc }],
  };
}
