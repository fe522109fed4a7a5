// The NAS-5GS messages as TS 24.501 tabulates them (clause 8.2 for 5GMM, 8.3 for 5GSM): one row
// per IE with its IEI, name, value codec and format. The header IEs (EPD, security header type or
// PDU session identity and PTI, message type) are handled by the engine; these rows start after
// the message type. Mandatory rows come first, in order; optional rows follow.

import {
  raw, u8, u16, nibble, registrationType, ngKsi, deregistrationType, mobileIdentity, nssai, sNssai, rejectedNssai, taiList, psiBitmap,
  ueSecurityCapability, nasSecurityAlgorithms, gprsTimer, pduAddress, sessionAmbr, dnn, qosRules, unavailabilityInformation,
  type ValueCodec, type HalfCodec,
} from './ies.ts';

export type Row =
  | { f: 'half'; name: string; codec: HalfCodec<unknown> }
  | { f: 'spare-half' }
  | { f: 'V'; name: string; codec: ValueCodec<unknown>; length: number }
  | { f: 'LV'; name: string; codec: ValueCodec<unknown> }
  | { f: 'LV-E'; name: string; codec: ValueCodec<unknown> }
  | { f: 'TV1'; iei: number; name: string; codec: HalfCodec<unknown> }
  | { f: 'TV'; iei: number; name: string; codec: ValueCodec<unknown>; length: number }
  | { f: 'TLV'; iei: number; name: string; codec: ValueCodec<unknown> }
  | { f: 'TLV-E'; iei: number; name: string; codec: ValueCodec<unknown> };

export interface MessageDef {
  /** The spec's name, e.g. 'Registration request'. */
  name: string;
  type: number;
  epd: 0x7e | 0x2e;
  /** TS 24.501 clause of the message. */
  clause: string;
  rows: Row[];
}

type C<V> = ValueCodec<V>;
const codec = <V>(c: C<V>) => c as C<unknown>;
const half = (name: string, c: HalfCodec<unknown>): Row => ({ f: 'half', name, codec: c });
const SPARE: Row = { f: 'spare-half' };
const V = <T>(name: string, c: C<T>, length: number): Row => ({ f: 'V', name, codec: codec(c), length });
const LV = <T>(name: string, c: C<T>): Row => ({ f: 'LV', name, codec: codec(c) });
const LVE = <T>(name: string, c: C<T>): Row => ({ f: 'LV-E', name, codec: codec(c) });
const TV1 = (iei: number, name: string): Row => ({ f: 'TV1', iei, name, codec: nibble as HalfCodec<unknown> });
const TV = <T>(iei: number, name: string, c: C<T>, length: number): Row => ({ f: 'TV', iei, name, codec: codec(c), length });
const TLV = <T>(iei: number, name: string, c: C<T>): Row => ({ f: 'TLV', iei, name, codec: codec(c) });
const TLVE = <T>(iei: number, name: string, c: C<T>): Row => ({ f: 'TLV-E', iei, name, codec: codec(c) });

const NGKSI = half('ngKsi', ngKsi as HalfCodec<unknown>);
const EAP = TLVE(0x78, 'eapMessage', raw);
const EPCO = TLVE(0x7b, 'extendedProtocolConfigurationOptions', raw);
const CAUSE_5GMM = V('fiveGmmCause', u8, 1);
const CAUSE_5GSM = V('fiveGsmCause', u8, 1);
const OPT_CAUSE_5GSM = TV(0x59, 'fiveGsmCause', u8, 1);
const T3346 = TLV(0x5f, 't3346Value', gprsTimer);
const CAG = TLVE(0x75, 'cagInformationList', raw);
const EXT_CAG = TLVE(0x71, 'extendedCagInformationList', raw);
const LOWER_BOUND = TLV(0x3a, 'lowerBoundTimerValue', gprsTimer);

const mm = (type: number, name: string, clause: string, rows: Row[]): MessageDef => ({ type, name, clause, rows, epd: 0x7e });
const sm = (type: number, name: string, clause: string, rows: Row[]): MessageDef => ({ type, name, clause, rows, epd: 0x2e });

export const MESSAGES: MessageDef[] = [
  mm(0x41, 'Registration request', '8.2.6', [
    half('registrationType', registrationType as HalfCodec<unknown>),
    NGKSI,
    LVE('mobileIdentity', mobileIdentity),
    { f: 'TV1', iei: 0xc, name: 'nonCurrentNativeNasKeySetIdentifier', codec: ngKsi as HalfCodec<unknown> },
    TLV(0x10, 'fiveGmmCapability', raw),
    TLV(0x2e, 'ueSecurityCapability', ueSecurityCapability),
    TLV(0x2f, 'requestedNssai', nssai),
    TV(0x52, 'lastVisitedRegisteredTai', raw, 6),
    TLV(0x17, 's1UeNetworkCapability', raw),
    TLV(0x40, 'uplinkDataStatus', psiBitmap),
    TLV(0x50, 'pduSessionStatus', psiBitmap),
    TV1(0xb, 'micoIndication'),
    TLV(0x2b, 'ueStatus', raw),
    TLVE(0x77, 'additionalGuti', mobileIdentity),
    TLV(0x25, 'allowedPduSessionStatus', psiBitmap),
    TLV(0x18, 'uesUsageSetting', raw),
    TLV(0x51, 'requestedDrxParameters', raw),
    TLVE(0x70, 'epsNasMessageContainer', raw),
    TLVE(0x74, 'ladnIndication', raw),
    TV1(0x8, 'payloadContainerType'),
    TLVE(0x7b, 'payloadContainer', raw),
    TV1(0x9, 'networkSlicingIndication'),
    TLV(0x53, 'fiveGsUpdateType', raw),
    TLV(0x41, 'mobileStationClassmark2', raw),
    TLV(0x42, 'supportedCodecs', raw),
    TLVE(0x71, 'nasMessageContainer', raw),
    TLV(0x60, 'epsBearerContextStatus', raw),
    TLV(0x6e, 'requestedExtendedDrxParameters', raw),
    TLV(0x6a, 't3324Value', gprsTimer),
    TLV(0x67, 'ueRadioCapabilityId', raw),
    TLV(0x35, 'requestedMappedNssai', raw),
    TLV(0x48, 'additionalInformationRequested', raw),
    TLV(0x1a, 'requestedWusAssistanceInformation', raw),
    TV1(0xa, 'n5gcIndication'),
    TLV(0x30, 'requestedNbN1ModeDrxParameters', raw),
    TLV(0x29, 'ueRequestType', raw),
    TLV(0x28, 'pagingRestriction', raw),
    TLVE(0x72, 'serviceLevelAaContainer', raw),
    TLV(0x32, 'nid', raw),
    TLV(0x16, 'msDeterminedPlmnWithDisasterCondition', raw),
    TLV(0x2a, 'requestedPeipsAssistanceInformation', raw),
    TLV(0x3b, 'requestedT3512Value', gprsTimer),
    TLV(0x3c, 'unavailabilityInformation', unavailabilityInformation),
  ]),
  mm(0x42, 'Registration accept', '8.2.7', [
    LV('registrationResult', u8),
    TLVE(0x77, 'fiveGGuti', mobileIdentity),
    TLV(0x4a, 'equivalentPlmns', raw),
    TLV(0x54, 'taiList', taiList),
    TLV(0x15, 'allowedNssai', nssai),
    TLV(0x11, 'rejectedNssai', rejectedNssai),
    TLV(0x31, 'configuredNssai', nssai),
    TLV(0x21, 'fiveGsNetworkFeatureSupport', raw),
    TLV(0x50, 'pduSessionStatus', psiBitmap),
    TLV(0x26, 'pduSessionReactivationResult', psiBitmap),
    TLVE(0x72, 'pduSessionReactivationResultErrorCause', raw),
    TLVE(0x79, 'ladnInformation', raw),
    TV1(0xb, 'micoIndication'),
    TV1(0x9, 'networkSlicingIndication'),
    TLV(0x27, 'serviceAreaList', raw),
    TLV(0x5e, 't3512Value', gprsTimer),
    TLV(0x5d, 'non3gppDeregistrationTimerValue', gprsTimer),
    TLV(0x16, 't3502Value', gprsTimer),
    TLV(0x34, 'emergencyNumberList', raw),
    TLVE(0x7a, 'extendedEmergencyNumberList', raw),
    TLVE(0x73, 'sorTransparentContainer', raw),
    EAP,
    TV1(0xa, 'nssaiInclusionMode'),
    TLVE(0x76, 'operatorDefinedAccessCategoryDefinitions', raw),
    TLV(0x51, 'negotiatedDrxParameters', raw),
    TV1(0xd, 'non3gppNwPolicies'),
    TLV(0x60, 'epsBearerContextStatus', raw),
    TLV(0x6e, 'negotiatedExtendedDrxParameters', raw),
    TLV(0x6c, 't3447Value', gprsTimer),
    TLV(0x6b, 't3448Value', gprsTimer),
    TLV(0x6a, 't3324Value', gprsTimer),
    TLV(0x67, 'ueRadioCapabilityId', raw),
    TV1(0xe, 'ueRadioCapabilityIdDeletionIndication'),
    TLV(0x39, 'pendingNssai', nssai),
    TLVE(0x74, 'cipheringKeyData', raw),
    CAG,
    TLV(0x1b, 'truncated5gSTmsiConfiguration', raw),
    TLV(0x1c, 'negotiatedWusAssistanceInformation', raw),
    TLV(0x29, 'negotiatedNbN1ModeDrxParameters', raw),
    TLV(0x68, 'extendedRejectedNssai', raw),
    TLVE(0x7b, 'serviceLevelAaContainer', raw),
    TLV(0x33, 'negotiatedPeipsAssistanceInformation', raw),
    TLV(0x35, 'fiveGsAdditionalRequestResult', raw),
  ]),
  mm(0x43, 'Registration complete', '8.2.8', [TLVE(0x73, 'sorTransparentContainer', raw)]),
  mm(0x44, 'Registration reject', '8.2.9', [CAUSE_5GMM, T3346, TLV(0x16, 't3502Value', gprsTimer), EAP, TLV(0x69, 'rejectedNssai', rejectedNssai), CAG, TLV(0x68, 'extendedRejectedNssai', raw), TLV(0x2c, 'disasterReturnWaitRange', raw), EXT_CAG, LOWER_BOUND]),
  mm(0x67, 'UL NAS transport', '8.2.10', [
    half('payloadContainerType', nibble as HalfCodec<unknown>),
    SPARE,
    LVE('payloadContainer', raw),
    TV(0x12, 'pduSessionId', u8, 1),
    TV(0x59, 'oldPduSessionId', u8, 1),
    TV1(0x8, 'requestType'),
    TLV(0x22, 'sNssai', sNssai),
    TLV(0x25, 'dnn', dnn),
    TLV(0x24, 'additionalInformation', raw),
    TV1(0xa, 'maPduSessionInformation'),
    TV1(0xf, 'releaseAssistanceIndication'),
  ]),
  mm(0x68, 'DL NAS transport', '8.2.11', [
    half('payloadContainerType', nibble as HalfCodec<unknown>),
    SPARE,
    LVE('payloadContainer', raw),
    TV(0x12, 'pduSessionId', u8, 1),
    TLV(0x24, 'additionalInformation', raw),
    TV(0x58, 'fiveGmmCause', u8, 1),
    TLV(0x37, 'backOffTimerValue', gprsTimer),
    LOWER_BOUND,
  ]),
  mm(0x45, 'Deregistration request (UE originating)', '8.2.12', [half('deregistrationType', deregistrationType as HalfCodec<unknown>), NGKSI, LVE('mobileIdentity', mobileIdentity), TLV(0x3c, 'unavailabilityInformation', unavailabilityInformation), TLVE(0x71, 'nasMessageContainer', raw)]),
  mm(0x46, 'Deregistration accept (UE originating)', '8.2.13', []),
  mm(0x47, 'Deregistration request (UE terminated)', '8.2.14', [
    half('deregistrationType', deregistrationType as HalfCodec<unknown>),
    SPARE,
    TV(0x58, 'fiveGmmCause', u8, 1),
    T3346,
    TLV(0x6d, 'rejectedNssai', rejectedNssai),
    CAG,
    TLV(0x68, 'extendedRejectedNssai', raw),
    TLV(0x2c, 'disasterReturnWaitRange', raw),
    EXT_CAG,
    LOWER_BOUND,
  ]),
  mm(0x48, 'Deregistration accept (UE terminated)', '8.2.15', []),
  mm(0x4c, 'Service request', '8.2.16', [NGKSI, half('serviceType', nibble as HalfCodec<unknown>), LVE('fiveGSTmsi', mobileIdentity), TLV(0x40, 'uplinkDataStatus', psiBitmap), TLV(0x50, 'pduSessionStatus', psiBitmap), TLV(0x25, 'allowedPduSessionStatus', psiBitmap), TLVE(0x71, 'nasMessageContainer', raw), TLV(0x29, 'ueRequestType', raw), TLV(0x28, 'pagingRestriction', raw)]),
  mm(0x4e, 'Service accept', '8.2.17', [TLV(0x50, 'pduSessionStatus', psiBitmap), TLV(0x26, 'pduSessionReactivationResult', psiBitmap), TLVE(0x72, 'pduSessionReactivationResultErrorCause', raw), EAP, TLV(0x6b, 't3448Value', gprsTimer)]),
  mm(0x4d, 'Service reject', '8.2.18', [CAUSE_5GMM, TLV(0x50, 'pduSessionStatus', psiBitmap), T3346, EAP, TLV(0x6b, 't3448Value', gprsTimer), CAG, TLV(0x2c, 'disasterReturnWaitRange', raw), EXT_CAG, LOWER_BOUND]),
  mm(0x54, 'Configuration update command', '8.2.19', [
    TV1(0xd, 'configurationUpdateIndication'),
    TLVE(0x77, 'fiveGGuti', mobileIdentity),
    TLV(0x54, 'taiList', taiList),
    TLV(0x15, 'allowedNssai', nssai),
    TLV(0x27, 'serviceAreaList', raw),
    TLV(0x43, 'fullNameForNetwork', raw),
    TLV(0x45, 'shortNameForNetwork', raw),
    TV(0x46, 'localTimeZone', u8, 1),
    TV(0x47, 'universalTimeAndLocalTimeZone', raw, 7),
    TLV(0x49, 'networkDaylightSavingTime', raw),
    TLVE(0x79, 'ladnInformation', raw),
    TV1(0xb, 'micoIndication'),
    TV1(0x9, 'networkSlicingIndication'),
    TLV(0x31, 'configuredNssai', nssai),
    TLV(0x11, 'rejectedNssai', rejectedNssai),
    TLVE(0x76, 'operatorDefinedAccessCategoryDefinitions', raw),
    TV1(0xf, 'smsIndication'),
    TLV(0x6c, 't3447Value', gprsTimer),
    CAG,
    TLV(0x67, 'ueRadioCapabilityId', raw),
    TV1(0xa, 'ueRadioCapabilityIdDeletionIndication'),
    TLV(0x44, 'registrationResult', u8),
    TLV(0x1b, 'truncated5gSTmsiConfiguration', raw),
    TV1(0xc, 'additionalConfigurationIndication'),
  ]),
  mm(0x55, 'Configuration update complete', '8.2.20', []),
  mm(0x56, 'Authentication request', '8.2.1', [NGKSI, SPARE, LV('abba', raw), TV(0x21, 'rand', raw, 16), TLV(0x20, 'autn', raw), EAP]),
  mm(0x57, 'Authentication response', '8.2.2', [TLV(0x2d, 'resStar', raw), EAP]),
  mm(0x5a, 'Authentication result', '8.2.3', [NGKSI, SPARE, LVE('eapMessage', raw), TLV(0x38, 'abba', raw)]),
  mm(0x59, 'Authentication failure', '8.2.4', [CAUSE_5GMM, TLV(0x30, 'auts', raw)]),
  mm(0x58, 'Authentication reject', '8.2.5', [EAP]),
  mm(0x5b, 'Identity request', '8.2.21', [half('identityType', nibble as HalfCodec<unknown>), SPARE]),
  mm(0x5c, 'Identity response', '8.2.22', [LVE('mobileIdentity', mobileIdentity)]),
  mm(0x65, 'Notification', '8.2.23', [half('accessType', nibble as HalfCodec<unknown>), SPARE]),
  mm(0x66, 'Notification response', '8.2.24', [TLV(0x50, 'pduSessionStatus', psiBitmap)]),
  mm(0x5d, 'Security mode command', '8.2.25', [
    V('selectedNasSecurityAlgorithms', nasSecurityAlgorithms, 1),
    NGKSI,
    SPARE,
    LV('replayedUeSecurityCapabilities', ueSecurityCapability),
    TV1(0xe, 'imeisvRequest'),
    TV(0x57, 'selectedEpsNasSecurityAlgorithms', u8, 1),
    TLV(0x36, 'additional5gSecurityInformation', raw),
    EAP,
    TLV(0x38, 'abba', raw),
    TLV(0x19, 'replayedS1UeSecurityCapabilities', raw),
  ]),
  mm(0x5e, 'Security mode complete', '8.2.26', [TLVE(0x77, 'imeisv', mobileIdentity), TLVE(0x71, 'nasMessageContainer', raw), TLVE(0x78, 'nonImeisvPei', mobileIdentity)]),
  mm(0x5f, 'Security mode reject', '8.2.27', [CAUSE_5GMM]),
  mm(0x64, '5GMM status', '8.2.29', [CAUSE_5GMM]),

  sm(0xc1, 'PDU session establishment request', '8.3.1', [
    V('integrityProtectionMaximumDataRate', raw, 2),
    TV1(0x9, 'pduSessionType'),
    TV1(0xa, 'sscMode'),
    TLV(0x28, 'fiveGsmCapability', raw),
    TV(0x55, 'maximumNumberOfSupportedPacketFilters', u16, 2),
    TV1(0xb, 'alwaysOnPduSessionRequested'),
    TLV(0x39, 'smPduDnRequestContainer', raw),
    EPCO,
    TLV(0x66, 'ipHeaderCompressionConfiguration', raw),
    TLV(0x6e, 'dsTtEthernetPortMacAddress', raw),
    TLV(0x6f, 'ueDsTtResidenceTime', raw),
    TLVE(0x74, 'portManagementInformationContainer', raw),
    TLV(0x1f, 'ethernetHeaderCompressionConfiguration', raw),
    TLV(0x29, 'suggestedInterfaceIdentifier', raw),
  ]),
  sm(0xc2, 'PDU session establishment accept', '8.3.2', [
    half('selectedPduSessionType', nibble as HalfCodec<unknown>),
    half('selectedSscMode', nibble as HalfCodec<unknown>),
    LVE('authorizedQosRules', qosRules),
    LV('sessionAmbr', sessionAmbr),
    OPT_CAUSE_5GSM,
    TLV(0x29, 'pduAddress', pduAddress),
    TV(0x56, 'rqTimerValue', u8, 1),
    TLV(0x22, 'sNssai', sNssai),
    TV1(0x8, 'alwaysOnPduSessionIndication'),
    TLVE(0x75, 'mappedEpsBearerContexts', raw),
    EAP,
    TLVE(0x79, 'authorizedQosFlowDescriptions', raw),
    EPCO,
    TLV(0x25, 'dnn', dnn),
    TLV(0x17, 'fiveGsmNetworkFeatureSupport', raw),
    TLV(0x18, 'servingPlmnRateControl', raw),
    TLVE(0x77, 'atsssContainer', raw),
    TV1(0xc, 'controlPlaneOnlyIndication'),
    TLV(0x66, 'ipHeaderCompressionConfiguration', raw),
    TLV(0x1f, 'ethernetHeaderCompressionConfiguration', raw),
  ]),
  sm(0xc3, 'PDU session establishment reject', '8.3.3', [CAUSE_5GSM, TLV(0x37, 'backOffTimerValue', gprsTimer), TV1(0xf, 'allowedSscMode'), EAP, TLV(0x61, 'fiveGsmCongestionReattemptIndicator', raw), EPCO, TLV(0x1d, 'reattemptIndicator', raw)]),
  sm(0xc9, 'PDU session modification request', '8.3.7', [TLV(0x28, 'fiveGsmCapability', raw), OPT_CAUSE_5GSM, TV(0x55, 'maximumNumberOfSupportedPacketFilters', u16, 2), TV1(0xb, 'alwaysOnPduSessionRequested'), TV(0x13, 'integrityProtectionMaximumDataRate', raw, 2), TLVE(0x7a, 'requestedQosRules', qosRules), TLVE(0x79, 'requestedQosFlowDescriptions', raw), TLVE(0x75, 'mappedEpsBearerContexts', raw), EPCO]),
  sm(0xca, 'PDU session modification reject', '8.3.8', [CAUSE_5GSM, TLV(0x37, 'backOffTimerValue', gprsTimer), TLV(0x61, 'fiveGsmCongestionReattemptIndicator', raw), EPCO, TLV(0x1d, 'reattemptIndicator', raw)]),
  sm(0xcb, 'PDU session modification command', '8.3.9', [
    OPT_CAUSE_5GSM,
    TLV(0x2a, 'sessionAmbr', sessionAmbr),
    TV(0x56, 'rqTimerValue', u8, 1),
    TV1(0x8, 'alwaysOnPduSessionIndication'),
    TLVE(0x7a, 'authorizedQosRules', qosRules),
    TLVE(0x75, 'mappedEpsBearerContexts', raw),
    TLVE(0x79, 'authorizedQosFlowDescriptions', raw),
    EPCO,
    TLVE(0x77, 'atsssContainer', raw),
    TLV(0x66, 'ipHeaderCompressionConfiguration', raw),
    TLVE(0x74, 'portManagementInformationContainer', raw),
    TLV(0x1e, 'servingPlmnRateControl', raw),
    TLV(0x1f, 'ethernetHeaderCompressionConfiguration', raw),
  ]),
  sm(0xcc, 'PDU session modification complete', '8.3.10', [EPCO, TLVE(0x74, 'portManagementInformationContainer', raw)]),
  sm(0xcd, 'PDU session modification command reject', '8.3.11', [CAUSE_5GSM, EPCO]),
  sm(0xd1, 'PDU session release request', '8.3.12', [OPT_CAUSE_5GSM, EPCO]),
  sm(0xd2, 'PDU session release reject', '8.3.13', [CAUSE_5GSM, EPCO]),
  // Table 8.3.14.1.1 (Rel-18): 8.3.14.8 Service-level-AA container; 8.3.14.9 Alternative S-NSSAI
  // (IEI 5A, S-NSSAI 9.11.2.8), the S-NSSAI to re-establish on after a network slice replacement
  sm(0xd3, 'PDU session release command', '8.3.14', [CAUSE_5GSM, TLV(0x37, 'backOffTimerValue', gprsTimer), EAP, TLV(0x61, 'fiveGsmCongestionReattemptIndicator', raw), EPCO, TV1(0xd, 'accessType'), TLVE(0x72, 'serviceLevelAaContainer', raw), TLV(0x5a, 'alternativeSnssai', sNssai)]),
  sm(0xd4, 'PDU session release complete', '8.3.15', [OPT_CAUSE_5GSM, EPCO]),
  sm(0xd6, '5GSM status', '8.3.16', [CAUSE_5GSM]),
];

export const MESSAGE_BY_TYPE: ReadonlyMap<string, MessageDef> = new Map(MESSAGES.map((m) => [`${m.epd}:${m.type}`, m]));
export const MESSAGE_BY_NAME: ReadonlyMap<string, MessageDef> = new Map(MESSAGES.map((m) => [m.name, m]));
