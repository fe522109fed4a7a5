export { decodeNgap, encodeNgap, ngapMessage, iesByName, ngapCodec, type NgapPdu } from './ngap.ts';
export { ngapPdu, protocolIes, encodeNgapType, decodeNgapType, transfer, bits, plmnIdentity, tac, snssai, ipv4TransportLayerAddress, ipv4OfTransportLayerAddress, gtpTeid, teidOfGtpTeid } from './build.ts';
export { ID_NPN_SUPPORT, ID_NID, ID_ONBOARDING_SUPPORT, nidBits, nidHex, npnSupportNid } from './npn.ts';
export { errorIndicationFor, ngapErrorContext, type ErrorIndicationContext } from './errors.ts';
export { dissectNgap, dissectNgapTransfer, NGAP_IE_TYPE_TRANSFERS, type NgapUeIds } from './dissect.ts';
export type { ProtocolIe, ProcedureValue, BitStringValue, PrivateIe } from '../per/aper.ts';
export type * as Ngap from './generated/types.ts';
export type { NgapMessageIes, NgapTransferIes, NgapTypes } from './generated/types.ts';
