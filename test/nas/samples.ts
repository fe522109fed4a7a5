// One sample of every NAS-5GS message wire5g models, with representative IEs, for round trips
// and the tshark goldens.
import { nasMessage, nullSchemeSuci, gprsTimer3, type NasMessage } from '../../codecs/nas/index.ts';

const plmn = { mcc: '001', mnc: '01' };
const guti = { type: '5g-guti' as const, plmn, amfRegionId: 2, amfSetId: 1, amfPointer: 0, tmsi: 0x12345678 };
const suci = nullSchemeSuci(plmn, '0000000001');
const sec = { ea: 0xf0, ia: 0x70 };
const qosRules = [{ id: 1, operationCode: 1, dqr: true, packetFilters: [{ direction: 3, id: 1, contents: Uint8Array.of(0x01) }], precedence: 255, segregation: false, qfi: 9 }];

export const SAMPLES: NasMessage[] = [
  nasMessage('Registration request', { registrationType: { followOnRequest: true, value: 1 }, ngKsi: { tsc: 0, ksi: 7 }, mobileIdentity: suci, fiveGmmCapability: Uint8Array.of(0x07), ueSecurityCapability: sec, requestedNssai: [{ sst: 1 }, { sst: 1, sd: 0x010203 }], pduSessionStatus: { psis: [1, 5] } }),
  nasMessage('Registration accept', { registrationResult: 1, fiveGGuti: guti, taiList: [{ type: 0, plmn, tacs: [{ tac: 1 }] }], allowedNssai: [{ sst: 1 }], t3512Value: gprsTimer3(3240) }),
  nasMessage('Registration complete', {}),
  nasMessage('Registration reject', { fiveGmmCause: 7, t3346Value: { unit: 1, value: 2 } }),
  nasMessage('UL NAS transport', { payloadContainerType: 1, payloadContainer: Uint8Array.of(0x2e, 0x01, 0x01, 0xc1, 0xff, 0xff, 0x91), pduSessionId: 1, requestType: 1, sNssai: { sst: 1 }, dnn: 'internet' }),
  nasMessage('DL NAS transport', { payloadContainerType: 1, payloadContainer: Uint8Array.of(0x2e, 0x01, 0x01, 0xd3, 0x24), pduSessionId: 1 }),
  nasMessage('Deregistration request (UE originating)', { deregistrationType: { switchOff: false, reRegistrationRequired: false, accessType: 1 }, ngKsi: { tsc: 0, ksi: 1 }, mobileIdentity: guti, unavailabilityInformation: { type: 0, periodDurationSeconds: 3600 } }),
  nasMessage('Deregistration accept (UE originating)', {}),
  nasMessage('Deregistration request (UE terminated)', { deregistrationType: { switchOff: false, reRegistrationRequired: true, accessType: 1 }, fiveGmmCause: 9 }),
  nasMessage('Deregistration accept (UE terminated)', {}),
  nasMessage('Service request', { ngKsi: { tsc: 0, ksi: 1 }, serviceType: 0, fiveGSTmsi: { type: '5g-s-tmsi', amfSetId: 1, amfPointer: 0, tmsi: 0x12345678 }, uplinkDataStatus: { psis: [1] } }),
  nasMessage('Service accept', { pduSessionStatus: { psis: [1] }, pduSessionReactivationResult: { psis: [] } }),
  nasMessage('Service reject', { fiveGmmCause: 10 }),
  nasMessage('Configuration update command', { configurationUpdateIndication: 1, fiveGGuti: guti }),
  nasMessage('Configuration update complete', {}),
  nasMessage('Authentication request', { ngKsi: { tsc: 0, ksi: 1 }, abba: Uint8Array.of(0, 0), rand: new Uint8Array(16).fill(0x21), autn: new Uint8Array(16).fill(0x20) }),
  nasMessage('Authentication response', { resStar: new Uint8Array(16).fill(0x2d) }),
  nasMessage('Authentication result', { ngKsi: { tsc: 0, ksi: 1 }, eapMessage: Uint8Array.of(3, 1, 0, 4), abba: Uint8Array.of(0, 0) }),
  nasMessage('Authentication failure', { fiveGmmCause: 21, auts: new Uint8Array(14).fill(0x30) }),
  nasMessage('Authentication reject', {}),
  nasMessage('Identity request', { identityType: 1 }),
  nasMessage('Identity response', { mobileIdentity: suci }),
  nasMessage('Notification', { accessType: 1 }),
  nasMessage('Notification response', { pduSessionStatus: { psis: [2] } }),
  nasMessage('Security mode command', { selectedNasSecurityAlgorithms: { ciphering: 0, integrity: 2 }, ngKsi: { tsc: 0, ksi: 1 }, replayedUeSecurityCapabilities: sec, imeisvRequest: 1, abba: Uint8Array.of(0, 0) }),
  nasMessage('Security mode complete', { imeisv: { type: 'imeisv', digits: '3560920407930101' } }),
  nasMessage('Security mode reject', { fiveGmmCause: 23 }),
  nasMessage('5GMM status', { fiveGmmCause: 96 }),
  nasMessage('PDU session establishment request', { integrityProtectionMaximumDataRate: Uint8Array.of(0xff, 0xff), pduSessionType: 1, sscMode: 1 }, { pduSessionId: 1, pti: 1 }),
  nasMessage('PDU session establishment accept', { selectedPduSessionType: 1, selectedSscMode: 1, authorizedQosRules: qosRules, sessionAmbr: { dlUnit: 6, dl: 1000, ulUnit: 6, ul: 1000 }, pduAddress: { pduSessionType: 1, ipv4: '10.45.0.1' }, sNssai: { sst: 1 }, dnn: 'internet' }, { pduSessionId: 1, pti: 1 }),
  nasMessage('PDU session establishment reject', { fiveGsmCause: 27 }, { pduSessionId: 1, pti: 1 }),
  nasMessage('PDU session modification request', { fiveGsmCause: 36 }, { pduSessionId: 1, pti: 2 }),
  nasMessage('PDU session modification reject', { fiveGsmCause: 26 }, { pduSessionId: 1, pti: 2 }),
  nasMessage('PDU session modification command', { sessionAmbr: { dlUnit: 6, dl: 500, ulUnit: 6, ul: 500 }, authorizedQosRules: qosRules }, { pduSessionId: 1, pti: 0 }),
  nasMessage('PDU session modification complete', {}, { pduSessionId: 1, pti: 0 }),
  nasMessage('PDU session modification command reject', { fiveGsmCause: 43 }, { pduSessionId: 1, pti: 0 }),
  nasMessage('PDU session release request', { fiveGsmCause: 36 }, { pduSessionId: 1, pti: 3 }),
  nasMessage('PDU session release reject', { fiveGsmCause: 43 }, { pduSessionId: 1, pti: 3 }),
  nasMessage('PDU session release command', { fiveGsmCause: 36 }, { pduSessionId: 1, pti: 3 }),
  nasMessage('PDU session release complete', {}, { pduSessionId: 1, pti: 3 }),
  nasMessage('5GSM status', { fiveGsmCause: 98 }, { pduSessionId: 1, pti: 0 }),
];
