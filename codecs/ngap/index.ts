export { decodeNgap, encodeNgap, ngapMessage, iesByName, ngapCodec, type NgapPdu } from './ngap.ts';
export { ngapPdu, protocolIes, encodeNgapType, decodeNgapType, transfer, bits, plmnIdentity, tac } from './build.ts';
export { errorIndicationFor, ngapErrorContext, type ErrorIndicationContext } from './errors.ts';
export { dissectNgap } from './dissect.ts';
export type { ProtocolIe, ProcedureValue, BitStringValue } from '../per/aper.ts';
