// What the public NGAP vectors hold (test/vectors/shared, messages.json), IE by IE, and how our
// decoded values compare with them: shared by the vector tests (ngap.test.ts) and the tshark
// check of the same vectors (tshark-golden.test.ts).

import { ngapMessage, iesByName, decodeNgapType, encodeNgapType, bits, tac, type NgapPdu } from '../../codecs/ngap/index.ts';
import { fromHex } from '../../codecs/bytes/hex.ts';
import { hexVector } from '../helpers/vectors.ts';

/** encodeNgapType / decodeNgapType for type names read from the schema at run time, which the compiler cannot check. */
export const encodeByName = encodeNgapType as (typeName: string, value: unknown) => Uint8Array;
export const decodeByName = decodeNgapType as (typeName: string, bytes: Uint8Array) => unknown;

export const VECTOR_FILES = {
  NGSetupRequest: 'ngap_ngsetuprequest.hex',
  InitialUEMessage: 'ngap_initialuemessage_regreq.hex',
  UEContextReleaseCommand: 'ngap_uecontextreleasecommand.hex',
} as const;

/** What the three public vectors hold, IE by IE (the tshark test below checks the same values against Wireshark). */
export const spirentPlmn = Uint8Array.of(0x13, 0x30, 0x01); // MCC 310, MNC 310 (TS 24.008 BCD)
export const VECTOR_EXPECTED: Record<keyof typeof VECTOR_FILES, { pdu: string; procedureCode: number; criticality: string; ies: [number, string, string, unknown][] }> = {
  NGSetupRequest: {
    pdu: 'initiatingMessage',
    procedureCode: 21,
    criticality: 'reject',
    ies: [
      [27, 'GlobalRANNodeID', 'reject', { 'globalGNB-ID': { pLMNIdentity: spirentPlmn, 'gNB-ID': { 'gNB-ID': { value: new Uint8Array(4), length: 32 } } } }],
      [82, 'RANNodeName', 'ignore', 'gnb.spirent.com'],
      [102, 'SupportedTAList', 'reject', [{ tAC: tac(1), broadcastPLMNList: [{ pLMNIdentity: spirentPlmn, tAISliceSupportList: [{ 's-NSSAI': { sST: Uint8Array.of(1), sD: Uint8Array.of(1, 2, 3) } }, { 's-NSSAI': { sST: Uint8Array.of(1), sD: Uint8Array.of(0x11, 0x22, 0x33) } }] }] }]],
      [21, 'DefaultPagingDRX', 'ignore', 'v32'],
    ],
  },
  InitialUEMessage: {
    pdu: 'initiatingMessage',
    procedureCode: 15,
    criticality: 'ignore',
    ies: [
      [85, 'RAN-UE-NGAP-ID', 'reject', 3456106496],
      [38, 'NAS-PDU', 'reject', hexVector('nas_registrationrequest.hex')],
      [121, 'UserLocationInformation', 'reject', { userLocationInformationNR: { 'nR-CGI': { pLMNIdentity: spirentPlmn, nRCellIdentity: bits(1, 36) }, tAI: { pLMNIdentity: spirentPlmn, tAC: tac(1) } } }],
      [90, 'RRCEstablishmentCause', 'ignore', 'mo-Signalling'],
      [112, 'UEContextRequest', 'ignore', 'requested'],
    ],
  },
  UEContextReleaseCommand: {
    pdu: 'initiatingMessage',
    procedureCode: 41,
    criticality: 'reject',
    ies: [
      [114, 'UE-NGAP-IDs', 'reject', { 'uE-NGAP-ID-pair': { 'aMF-UE-NGAP-ID': 1, 'rAN-UE-NGAP-ID': 3405774848 } }],
      [15, 'Cause', 'ignore', { nas: 'normal-release' }],
    ],
  },
};

export type Ies = { id: number; criticality: string; value?: unknown; raw?: Uint8Array }[];
export const iesOf = (pdu: NgapPdu): Ies => (ngapMessage(pdu).procedure.value as { protocolIEs: Ies }).protocolIEs;

/** "172.16.3.100 (32 bits)" -> the BIT STRING of an IPv4 transport layer address. */
export function ipv4Bits(text: string): { value: Uint8Array; length: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!m) throw new Error(`not an IPv4 address: ${text}`);
  return { value: Uint8Array.from(m.slice(1, 5).map(Number)), length: 32 };
}

/** "nas: normal-release" or "protocol: message-not-compatible-with-receiver-state (3)" -> { nas: 'normal-release' } */
export function choiceText(text: string): Record<string, string> {
  const m = /^([\w-]+): ([\w-]+)/.exec(text);
  if (!m) throw new Error(`not 'alternative: value': ${text}`);
  return { [m[1]]: m[2] };
}

/**
 * messages.json states values the way its sources print them (free5gc test structs, tshark
 * lines); each structured IE is turned into our value representation here, and an IE shape this
 * table does not know fails the test rather than passing unchecked.
 */
export const EXPECTED_IE: Record<string, (exp: Record<string, unknown>) => unknown> = {
  UserLocationInformation: (e) => {
    const v = e.value as { choice: string; 'nR-CGI': { pLMNIdentity: string; nRCellIdentity: string }; tAI: { pLMNIdentity: string; tAC: string } };
    const cell = /^([0-9a-f]+) \((\d+) bits\)$/.exec(v['nR-CGI'].nRCellIdentity)!;
    return { [v.choice]: { 'nR-CGI': { pLMNIdentity: fromHex(v['nR-CGI'].pLMNIdentity), nRCellIdentity: bits(parseInt(cell[1], 16), Number(cell[2])) }, tAI: { pLMNIdentity: fromHex(v.tAI.pLMNIdentity.slice(0, 6)), tAC: fromHex(v.tAI.tAC) } } };
  },
  UEAggregateMaximumBitRate: (e) => {
    const v = e.value as { dl: number; ul: number };
    return { uEAggregateMaximumBitRateDL: v.dl, uEAggregateMaximumBitRateUL: v.ul };
  },
  Cause: (e) => choiceText(e.value as string),
  PDUSessionResourceSetupListSUReq: (e) =>
    (e.value as Record<string, unknown>[]).map((item) => {
      const t = item.pDUSessionResourceSetupRequestTransfer as Record<string, unknown>;
      const ambr = t['PDUSessionAggregateMaximumBitRate (130)'] as { dl: number; ul: number };
      const tnl = (t['UL-NGU-UP-TNLInformation (139)'] as { gTPTunnel: { transportLayerAddress: string; 'gTP-TEID': string } }).gTPTunnel;
      const flows = t['QosFlowSetupRequestList (136)'] as { qosFlowIdentifier: number; fiveQI: number; priorityLevelARP: number; pre_emptionCapability: string; pre_emptionVulnerability: string }[];
      const snssai = item['s-NSSAI'] as { sST: string; sD: string };
      return {
        pDUSessionID: item.pDUSessionID,
        'pDUSessionNAS-PDU': fromHex((item['pDUSessionNAS-PDU'] as { hex: string }).hex),
        's-NSSAI': { sST: fromHex(snssai.sST), sD: fromHex(snssai.sD) },
        // the transfer is an OCTET STRING (CONTAINING ...): compared after decoding it
        pDUSessionResourceSetupRequestTransfer: {
          'PDUSessionAggregateMaximumBitRate': { pDUSessionAggregateMaximumBitRateDL: ambr.dl, pDUSessionAggregateMaximumBitRateUL: ambr.ul },
          'UL-NGU-UP-TNLInformation': { gTPTunnel: { transportLayerAddress: ipv4Bits(tnl.transportLayerAddress), 'gTP-TEID': fromHex(tnl['gTP-TEID']) } },
          PDUSessionType: t['PDUSessionType (134)'],
          QosFlowSetupRequestList: flows.map((f) => ({
            qosFlowIdentifier: f.qosFlowIdentifier,
            qosFlowLevelQosParameters: {
              qosCharacteristics: { nonDynamic5QI: { fiveQI: f.fiveQI } },
              allocationAndRetentionPriority: { priorityLevelARP: f.priorityLevelARP, 'pre-emptionCapability': f.pre_emptionCapability, 'pre-emptionVulnerability': f.pre_emptionVulnerability },
            },
          })),
        },
      };
    }),
  PDUSessionResourceToReleaseListRelCmd: (e) =>
    // "transfer_hex": "0010" in messages.json is not the transfer: the octet string on the wire
    // (and in the vector's own tshark lines, "pDUSessionResourceReleaseCommandTransfer: 10") is
    // the single octet 10, which decodes to the stated cause; the cause is what is compared.
    (e.value as { pDUSessionID: number; cause: string }[]).map((item) => ({ pDUSessionID: item.pDUSessionID, pDUSessionResourceReleaseCommandTransfer: { cause: choiceText(item.cause) } })),
  PDUSessionResourceSetupListCxtRes: (e) =>
    (e.value as { pDUSessionID: number; transfer: { dLQosFlowPerTNLInformation: { gTPTunnel: { transportLayerAddress: string; 'gTP-TEID': string }; associatedQosFlowList: unknown[] } } }[]).map((item) => {
      const d = item.transfer.dLQosFlowPerTNLInformation;
      return {
        pDUSessionID: item.pDUSessionID,
        pDUSessionResourceSetupResponseTransfer: {
          dLQosFlowPerTNLInformation: { uPTransportLayerInformation: { gTPTunnel: { transportLayerAddress: ipv4Bits(d.gTPTunnel.transportLayerAddress), 'gTP-TEID': fromHex(d.gTPTunnel['gTP-TEID']) } }, associatedQosFlowList: d.associatedQosFlowList },
        },
      };
    }),
};

/** Our decoded IE value with the transfers inside decoded too, and transfers' protocolIEs by name. */
export function withTransfers(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withTransfers);
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (/^pDUSessionResource\w+Transfer$/.test(k) && x instanceof Uint8Array) {
      const typeName = k[0].toUpperCase() + k.slice(1);
      const t = decodeByName(typeName, x) as { protocolIEs?: Ies };
      out[k] = t.protocolIEs ? Object.fromEntries(iesByName(t, typeName)) : t;
    } else out[k] = withTransfers(x);
  }
  return out;
}
