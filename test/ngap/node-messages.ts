// The NGAP messages wire5g's gNB and AMF send (TS 23.502 procedures of the seeds), built with
// the values the nodes use: shared by the round-trip, tshark and tshark-values tests.
import { ngapPdu, transfer, encodeNgapType, bits, plmnIdentity, tac, errorIndicationFor, type NgapPdu } from '../../codecs/ngap/index.ts';
import { encodeNasMessage, nasMessage, nullSchemeSuci } from '../../codecs/nas/index.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';

const plmn = plmnIdentity('001', '01');
export const nas = encodeNasMessage(nasMessage('Registration request', { registrationType: { followOnRequest: true, value: 1 }, ngKsi: { tsc: 0, ksi: 7 }, mobileIdentity: nullSchemeSuci({ mcc: '001', mnc: '01' }, '0000000001'), ueSecurityCapability: { ea: 0xf0, ia: 0x70 } }));
export const nrUli = { userLocationInformationNR: { 'nR-CGI': { pLMNIdentity: plmn, nRCellIdentity: bits(0x10, 36) }, tAI: { pLMNIdentity: plmn, tAC: tac(1) } } };
const guami = { pLMNIdentity: plmn, aMFRegionID: bits(2, 8), aMFSetID: bits(1, 10), aMFPointer: bits(0, 6) };
const snssai = { sST: Uint8Array.of(1) };

/** The messages wire5g's gNB and AMF send (TS 23.502 procedures of the seeds). */
export const NODE_MESSAGES: [string, NgapPdu][] = [
  ['NGSetupRequest', ngapPdu('NGSetupRequest', { GlobalRANNodeID: { 'globalGNB-ID': { pLMNIdentity: plmn, 'gNB-ID': { 'gNB-ID': bits(1, 22) } } }, RANNodeName: 'wire5g-gnb', SupportedTAList: [{ tAC: tac(1), broadcastPLMNList: [{ pLMNIdentity: plmn, tAISliceSupportList: [{ 's-NSSAI': snssai }] }] }], DefaultPagingDRX: 'v128' })],
  ['NGSetupResponse', ngapPdu('NGSetupResponse', { AMFName: 'wire5g-amf', ServedGUAMIList: [{ gUAMI: guami }], RelativeAMFCapacity: 255, PLMNSupportList: [{ pLMNIdentity: plmn, sliceSupportList: [{ 's-NSSAI': snssai }] }] })],
  ['NGSetupFailure', ngapPdu('NGSetupFailure', { Cause: { misc: 'unspecified' } })],
  ['InitialUEMessage', ngapPdu('InitialUEMessage', { 'RAN-UE-NGAP-ID': 1, 'NAS-PDU': nas, UserLocationInformation: nrUli, RRCEstablishmentCause: 'mo-Signalling', UEContextRequest: 'requested' })],
  ['DownlinkNASTransport', ngapPdu('DownlinkNASTransport', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1, 'NAS-PDU': nas })],
  ['UplinkNASTransport', ngapPdu('UplinkNASTransport', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1, 'NAS-PDU': nas, UserLocationInformation: nrUli })],
  ['InitialContextSetupRequest', ngapPdu('InitialContextSetupRequest', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1, GUAMI: guami, AllowedNSSAI: [{ 's-NSSAI': snssai }], UESecurityCapabilities: { nRencryptionAlgorithms: bits(0xc000, 16), nRintegrityProtectionAlgorithms: bits(0xc000, 16), eUTRAencryptionAlgorithms: bits(0, 16), eUTRAintegrityProtectionAlgorithms: bits(0, 16) }, SecurityKey: bits(0, 256), 'NAS-PDU': nas })],
  ['InitialContextSetupResponse', ngapPdu('InitialContextSetupResponse', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1 })],
  ['UEContextReleaseRequest', ngapPdu('UEContextReleaseRequest', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1, Cause: { radioNetwork: 'user-inactivity' } })],
  ['UEContextReleaseCommand', ngapPdu('UEContextReleaseCommand', { 'UE-NGAP-IDs': { 'uE-NGAP-ID-pair': { 'aMF-UE-NGAP-ID': 1, 'rAN-UE-NGAP-ID': 1 } }, Cause: { nas: 'deregister' } })],
  ['UEContextReleaseComplete', ngapPdu('UEContextReleaseComplete', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1 })],
  ['PDUSessionResourceSetupRequest', ngapPdu('PDUSessionResourceSetupRequest', {
    'AMF-UE-NGAP-ID': 1,
    'RAN-UE-NGAP-ID': 1,
    PDUSessionResourceSetupListSUReq: [{ pDUSessionID: 1, 'pDUSessionNAS-PDU': nas, 's-NSSAI': snssai, pDUSessionResourceSetupRequestTransfer: transfer('PDUSessionResourceSetupRequestTransfer', {
      'UL-NGU-UP-TNLInformation': { gTPTunnel: { transportLayerAddress: bits(0x7f000007, 32), 'gTP-TEID': Uint8Array.of(0, 0, 0, 1) } },
      PDUSessionType: 'ipv4',
      QosFlowSetupRequestList: [{ qosFlowIdentifier: 9, qosFlowLevelQosParameters: { qosCharacteristics: { nonDynamic5QI: { fiveQI: 9 } }, allocationAndRetentionPriority: { priorityLevelARP: 8, 'pre-emptionCapability': 'shall-not-trigger-pre-emption', 'pre-emptionVulnerability': 'not-pre-emptable' } } }],
    }) }],
  })],
  ['PDUSessionResourceSetupResponse', ngapPdu('PDUSessionResourceSetupResponse', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1, PDUSessionResourceSetupListSURes: [{ pDUSessionID: 1, pDUSessionResourceSetupResponseTransfer: encodeNgapType('PDUSessionResourceSetupResponseTransfer', { dLQosFlowPerTNLInformation: { uPTransportLayerInformation: { gTPTunnel: { transportLayerAddress: bits(0x7f000064, 32), 'gTP-TEID': Uint8Array.of(0, 0, 0, 0x99) } }, associatedQosFlowList: [{ qosFlowIdentifier: 9 }] } }) }] })],
  ['PDUSessionResourceReleaseCommand', ngapPdu('PDUSessionResourceReleaseCommand', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1, PDUSessionResourceToReleaseListRelCmd: [{ pDUSessionID: 1, pDUSessionResourceReleaseCommandTransfer: encodeNgapType('PDUSessionResourceReleaseCommandTransfer', { cause: { nas: 'normal-release' } }) }] })],
  ['PDUSessionResourceReleaseResponse', ngapPdu('PDUSessionResourceReleaseResponse', { 'AMF-UE-NGAP-ID': 1, 'RAN-UE-NGAP-ID': 1, PDUSessionResourceReleasedListRelRes: [{ pDUSessionID: 1, pDUSessionResourceReleaseResponseTransfer: Uint8Array.of(0) }] })],
  ['Paging', ngapPdu('Paging', { UEPagingIdentity: { 'fiveG-S-TMSI': { aMFSetID: bits(1, 10), aMFPointer: bits(0, 6), 'fiveG-TMSI': Uint8Array.of(0x12, 0x34, 0x56, 0x78) } }, TAIListForPaging: [{ tAI: { pLMNIdentity: plmn, tAC: tac(1) } }] })],
  ['ErrorIndication', errorIndicationFor(new DecodeError({ protocol: 'ngap', code: 'MISSING_IE', offset: 0, path: '', reason: '', ie: 38 }), { procedureCode: 15, triggeringMessage: 'initiating-message', procedureCriticality: 'ignore', ranUeNgapId: 1 })],
];

