export * from './ies.ts';
export * from './message.ts';
export * from './security.ts';
export { naiSuci, supiOfNaiSuciString } from './suci-nai.ts';
export { encodePco, decodePco, pvsIpv4Addresses, pvsInformation, pvsAddressContainers, PcoContainerId, type PcoContainer } from './pco.ts';
export { MESSAGES, MESSAGE_BY_NAME, type MessageDef, type Row } from './tables.ts';
export { dissectNas, nasToJson, type NasCipheringState } from './dissect.ts';
export { FIVE_GMM_CAUSE_NAMES, FIVE_GSM_CAUSE_NAMES, causeText } from './causes.ts';
