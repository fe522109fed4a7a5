// The SMF's N1 SM and N2 SM ports bound to the codecs: NAS-5GS 5GSM messages (TS 24.501 8.3) and
// the NGAP transfers the SMF builds and reads (TS 38.413 9.3.4), which travel through the AMF
// as binary parts of Namf/Nsmf requests (TS 29.502 6.1.6.4, TS 29.518 6.1.6.4).

import { decodeNasMessage, encodeNasMessage, nasMessage, qosRules, decodePco, encodePco, pvsAddressContainers, PcoContainerId, type QosRule } from '../../codecs/nas/index.ts';
import { ByteWriter } from '../../codecs/bytes/index.ts';
import { transfer, decodeNgapType, encodeNgapType, ipv4TransportLayerAddress, ipv4OfTransportLayerAddress, gtpTeid, teidOfGtpTeid, type Ngap } from '../../codecs/ngap/index.ts';
import { decodeReleaseResponseTransfer } from './secondary-rat-usage.ts';
import type { SmN1, SmN2, PduSessionEstablishmentRequestInfo, PduSessionEstablishmentAcceptInfo, SmMessageInfo } from './ports.ts';

/** TS 24.501 9.11.4.14: Session-AMBR in the largest unit that keeps the value within 16 bits. */
function ambrUnits(kbps: number): { unit: number; value: number } {
  // unit 1 = 1 kbps, each next unit x4 (1..5 kbps units, 6 = 1 Mbps, 7 = 4 Mbps, ...)
  let unit = 1;
  let value = kbps;
  while (value > 0xffff && unit < 0x19) {
    value = Math.round(value / 4);
    unit++;
  }
  return { unit, value };
}

/** The default QoS rule: match-all packet filter on the session's QoS flow (TS 24.501 9.11.4.13). */
function defaultQosRule(qfi: number): QosRule {
  return { id: 1, operationCode: 1, dqr: true, packetFilters: [{ direction: 3, id: 1, contents: Uint8Array.of(0x01) }], precedence: 255, segregation: false, qfi };
}

/**
 * TS 24.501 9.11.4.12 QoS flow descriptions (value part), one description: "create new QoS flow
 * description" for the default QoS flow with its 5QI (parameter identifier 01H, Table 9.11.4.12.1).
 *   octet 1   spare(2) | QFI(6)
 *   octet 2   operation code(3) = 001 | spare(5)
 *   octet 3   spare(1) | E = 1 (parameters list) | number of parameters(6) = 1
 *   octet 4.. parameter identifier 01H (5QI), length 1, 5QI
 */
function defaultQosFlowDescription(qfi: number, fiveQi: number): Uint8Array {
  return Uint8Array.of(qfi & 0x3f, 0x20, 0x40 | 1, 0x01, 1, fiveQi);
}

export const nasSmN1: SmN1 = {
  decodeEstablishmentRequest(n1: Uint8Array): PduSessionEstablishmentRequestInfo {
    const m = decodeNasMessage(n1);
    if (m.name !== 'PDU session establishment request') throw new Error(`expected a PDU session establishment request, got ${m.name}`);
    const t = m.ies.pduSessionType as number | undefined;
    const ssc = m.ies.sscMode as number | undefined;
    const epco = m.ies.extendedProtocolConfigurationOptions as Uint8Array | undefined;
    const pvs = epco !== undefined && decodePco(epco).some((c) => c.id === PcoContainerId.PVS_INFORMATION_REQUEST);
    return { pduSessionId: m.pduSessionId ?? 0, pti: m.pti ?? 0, ...(t !== undefined ? { pduSessionType: t } : {}), ...(ssc !== undefined ? { sscMode: ssc } : {}), ...(pvs ? { pvsInformationRequested: true } : {}) };
  },
  establishmentAccept(a: PduSessionEstablishmentAcceptInfo): Uint8Array {
    const dl = ambrUnits(Math.ceil(a.qos.ambrDownlinkBps / 1000));
    const ul = ambrUnits(Math.ceil(a.qos.ambrUplinkBps / 1000));
    return encodeNasMessage(nasMessage('PDU session establishment accept', {
      selectedPduSessionType: 1,
      selectedSscMode: 1,
      authorizedQosRules: [defaultQosRule(a.qos.qfi)],
      // TS 24.501 9.11.4.12: the default QoS flow with the 5QI the PCF authorized
      authorizedQosFlowDescriptions: defaultQosFlowDescription(a.qos.qfi, a.qos.fiveQi),
      sessionAmbr: { dlUnit: dl.unit, dl: dl.value, ulUnit: ul.unit, ul: ul.value },
      pduAddress: { pduSessionType: 1, ipv4: a.ueAddress },
      sNssai: { sst: a.sst, ...(a.sd ? { sd: parseInt(a.sd, 16) } : {}) },
      dnn: a.dnn,
      // TS 24.501 8.3.2.1.13 / TS 23.501 5.30.2.10.4: the PVS addresses of an onboarding session
      ...(a.pvsAddresses?.length ? { extendedProtocolConfigurationOptions: encodePco(pvsAddressContainers(a.pvsAddresses)) } : {}),
    }, { pduSessionId: a.pduSessionId, pti: a.pti }));
  },
  defaultQosRules(qfi: number): Uint8Array {
    const w = new ByteWriter(32);
    qosRules.write(w, [defaultQosRule(qfi)]);
    return w.finish();
  },
  establishmentReject(pduSessionId: number, pti: number, cause: number): Uint8Array {
    return encodeNasMessage(nasMessage('PDU session establishment reject', { fiveGsmCause: cause }, { pduSessionId, pti }));
  },
  status(pduSessionId: number, pti: number, cause: number): Uint8Array {
    return encodeNasMessage(nasMessage('5GSM status', { fiveGsmCause: cause }, { pduSessionId, pti }));
  },
  modificationCommand(pduSessionId: number, qos): Uint8Array {
    const dl = ambrUnits(Math.ceil(qos.ambrDownlinkBps / 1000));
    const ul = ambrUnits(Math.ceil(qos.ambrUplinkBps / 1000));
    // TS 24.501 9.11.4.12 octet 2: operation code 011 "modify existing QoS flow description"
    const flow = defaultQosFlowDescription(qos.qfi, qos.fiveQi);
    flow[1] = 0x60;
    // TS 24.501 6.3.2.2: a network-requested modification carries PTI 0
    return encodeNasMessage(nasMessage('PDU session modification command', { sessionAmbr: { dlUnit: dl.unit, dl: dl.value, ulUnit: ul.unit, ul: ul.value }, authorizedQosFlowDescriptions: flow }, { pduSessionId, pti: 0 }));
  },
  releaseCommand(pduSessionId: number, pti: number, cause: number): Uint8Array {
    return encodeNasMessage(nasMessage('PDU session release command', { fiveGsmCause: cause }, { pduSessionId, pti }));
  },
  withAlternativeSnssai(command: Uint8Array, alt): Uint8Array {
    const m = decodeNasMessage(command);
    if (m.name !== 'PDU session release command') throw new Error(`expected a PDU session release command, got ${m.name}`);
    const hex = (sd: string | undefined) => (sd === undefined ? undefined : parseInt(sd, 16));
    // TS 24.501 9.11.2.8: SST, SD, mapped HPLMN SST, mapped HPLMN SD (a mapped SD needs the SD)
    m.ies.alternativeSnssai = { sst: alt.sst, ...(alt.sd !== undefined ? { sd: hex(alt.sd) } : {}), ...(alt.mappedSst !== undefined ? { mappedSst: alt.mappedSst } : {}), ...(alt.mappedSd !== undefined ? { mappedSd: hex(alt.mappedSd) } : {}) };
    // a decoded message keeps its wire order: the new IE goes last, as in Table 8.3.14.1.1
    if (m.order && !m.order.includes('alternativeSnssai')) m.order.push('alternativeSnssai');
    return encodeNasMessage(m);
  },
  decodeSmMessage(n1: Uint8Array): SmMessageInfo {
    const m = decodeNasMessage(n1);
    if (m.epd !== 0x2e) throw new Error(`not a 5GSM message (EPD ${m.epd})`);
    const cause = m.ies.fiveGsmCause as number | undefined;
    return { name: m.name, pduSessionId: m.pduSessionId ?? 0, pti: m.pti ?? 0, ...(cause !== undefined ? { fiveGsmCause: cause } : {}) };
  },
};

/** TS 38.413 9.3.1.12 / 9.3.1.19: the 5QI and ARP the PCF authorized (TS 29.571 Arp mapped). */
function qosFlowLevelQosParameters(qos: PduSessionEstablishmentAcceptInfo['qos']): Ngap.QosFlowLevelQosParameters {
  return {
    qosCharacteristics: { nonDynamic5QI: { fiveQI: qos.fiveQi } },
    allocationAndRetentionPriority: {
      priorityLevelARP: qos.arp.priorityLevel,
      'pre-emptionCapability': qos.arp.preemptCap === 'MAY_PREEMPT' ? 'may-trigger-pre-emption' : 'shall-not-trigger-pre-emption',
      'pre-emptionVulnerability': qos.arp.preemptVuln === 'PREEMPTABLE' ? 'pre-emptable' : 'not-pre-emptable',
    },
  };
}

export const ngapSmN2: SmN2 = {
  setupRequestTransfer(p): Uint8Array {
    // TS 38.413 9.3.4.1 PDU Session Resource Setup Request Transfer
    return transfer('PDUSessionResourceSetupRequestTransfer', {
      'PDUSessionAggregateMaximumBitRate': { pDUSessionAggregateMaximumBitRateDL: p.qos.ambrDownlinkBps, pDUSessionAggregateMaximumBitRateUL: p.qos.ambrUplinkBps },
      'UL-NGU-UP-TNLInformation': { gTPTunnel: { transportLayerAddress: ipv4TransportLayerAddress(p.upfN3Address), 'gTP-TEID': gtpTeid(p.upfN3Teid) } },
      PDUSessionType: 'ipv4',
      QosFlowSetupRequestList: [{
        qosFlowIdentifier: p.qos.qfi,
        // TS 38.413 9.3.1.12 / 9.3.1.19: the 5QI and ARP the PCF authorized (TS 29.571 Arp mapped)
        qosFlowLevelQosParameters: qosFlowLevelQosParameters(p.qos),
      }],
    });
  },
  decodeSetupResponseTransfer(n2: Uint8Array): { gnbTeid: number; gnbAddress: string } {
    // TS 38.413 9.3.4.2 PDU Session Resource Setup Response Transfer
    const t = decodeNgapType('PDUSessionResourceSetupResponseTransfer', n2) as { dLQosFlowPerTNLInformation: { uPTransportLayerInformation: { gTPTunnel?: { transportLayerAddress: { value: Uint8Array; length: number }; 'gTP-TEID': Uint8Array } } } };
    const tunnel = t.dLQosFlowPerTNLInformation.uPTransportLayerInformation.gTPTunnel;
    if (!tunnel) throw new Error('the DL UP transport layer information is not a GTP tunnel');
    const gnbTeid = teidOfGtpTeid(tunnel['gTP-TEID']);
    const gnbAddress = ipv4OfTransportLayerAddress(tunnel.transportLayerAddress);
    if (gnbAddress === undefined || tunnel.transportLayerAddress.length !== 32) throw new Error(`transport layer address of ${tunnel.transportLayerAddress.length} bits: only IPv4 (32) is supported`);
    if (gnbTeid === undefined) throw new Error('GTP-TEID is not 4 octets');
    return { gnbTeid, gnbAddress };
  },
  decodeSetupUnsuccessfulTransfer(n2: Uint8Array): { cause: string } {
    // TS 38.413 9.3.4.16 PDU Session Resource Setup Unsuccessful Transfer: the Cause CHOICE
    const t = decodeNgapType('PDUSessionResourceSetupUnsuccessfulTransfer', n2) as { cause: Record<string, unknown> };
    const [group, value] = Object.entries(t.cause)[0] ?? [];
    if (group === undefined) throw new Error('no cause');
    return { cause: `${group}/${String(value)}` };
  },
  modifyRequestTransfer(qos, flowChanged): Uint8Array {
    // TS 38.413 9.3.4.3 PDU Session Resource Modify Request Transfer
    return transfer('PDUSessionResourceModifyRequestTransfer', {
      PDUSessionAggregateMaximumBitRate: { pDUSessionAggregateMaximumBitRateDL: qos.ambrDownlinkBps, pDUSessionAggregateMaximumBitRateUL: qos.ambrUplinkBps },
      ...(flowChanged ? { QosFlowAddOrModifyRequestList: [{ qosFlowIdentifier: qos.qfi, qosFlowLevelQosParameters: qosFlowLevelQosParameters(qos) }] } : {}),
    });
  },
  decodeModifyResponseTransfer(n2: Uint8Array): { qfis: number[] } {
    // TS 38.413 9.3.4.4 PDU Session Resource Modify Response Transfer (a SEQUENCE, every member optional)
    const t = decodeNgapType('PDUSessionResourceModifyResponseTransfer', n2) as { qosFlowAddOrModifyResponseList?: { qosFlowIdentifier: number }[] };
    return { qfis: (t.qosFlowAddOrModifyResponseList ?? []).map((q) => q.qosFlowIdentifier) };
  },
  releaseCommandTransfer(cause): Uint8Array {
    // TS 38.413 9.3.4.12 PDU Session Resource Release Command Transfer (a SEQUENCE, not an IE container)
    // the port gives the cause value as a string: the encoder checks it is an item of the group's ENUMERATED
    const ngapCause = (cause.group === 'nas' ? { nas: cause.value } : { radioNetwork: cause.value }) as Ngap.Cause;
    return encodeNgapType('PDUSessionResourceReleaseCommandTransfer', { cause: ngapCause });
  },
  decodeReleaseResponseTransfer,
};
