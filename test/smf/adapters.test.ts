// The SMF's N1 SM and N2 SM adapters (nodes/smf/adapters.ts) against the codecs: what they build
// decodes with codecs/nas and codecs/ngap to the values the SMF decided, and what they read is what
// the codecs encode. (The same bytes in a run's capture are judged by tshark in
// test/scenario/sbi-values-judged.test.ts.)
import { describe, it, expect } from 'vitest';
import { nasSmN1, ngapSmN2 } from '../../nodes/smf/adapters.ts';
import { decodeNasMessage, encodeNasMessage, nasMessage } from '../../codecs/nas/index.ts';
import { decodeNgapType, encodeNgapType, gtpTeid, ipv4TransportLayerAddress } from '../../codecs/ngap/index.ts';
import type { SessionQos } from '../../nodes/smf/policy-decision.ts';

const qos: SessionQos = { qfi: 1, fiveQi: 7, arp: { priorityLevel: 3, preemptCap: 'MAY_PREEMPT', preemptVuln: 'NOT_PREEMPTABLE' }, ambrUplinkBps: 100_000_000, ambrDownlinkBps: 250_000_000 };

describe('SMF N1 SM adapter (TS 24.501 8.3)', () => {
  it('reads a PDU session establishment request the NAS codec encodes', () => {
    const req = encodeNasMessage(nasMessage('PDU session establishment request', { integrityProtectionMaximumDataRate: Uint8Array.of(0xff, 0xff), pduSessionType: 1, sscMode: 1 }, { pduSessionId: 5, pti: 9 }));
    expect(nasSmN1.decodeEstablishmentRequest(req)).toEqual({ pduSessionId: 5, pti: 9, pduSessionType: 1, sscMode: 1 });
  });

  it('builds an accept that decodes to the address, QoS rule, 5QI and Session-AMBR it was given', () => {
    const m = decodeNasMessage(nasSmN1.establishmentAccept({ pduSessionId: 5, pti: 9, ueAddress: '10.45.0.7', qos, sst: 1, sd: '000002', dnn: 'internet' }));
    expect(m.name).toBe('PDU session establishment accept');
    expect([m.pduSessionId, m.pti]).toEqual([5, 9]);
    expect(m.ies.pduAddress).toMatchObject({ ipv4: '10.45.0.7' });
    expect((m.ies.authorizedQosRules as { qfi: number }[])[0].qfi).toBe(1);
    // 9.11.4.14: 100000 kbit/s and 250000 kbit/s in units of 4 kbit/s
    expect(m.ies.sessionAmbr).toMatchObject({ ulUnit: 2, ul: 25_000, dlUnit: 2, dl: 62_500 });
    // 9.11.4.12: QFI 1, create, E=1 with one parameter: 5QI (01H) = 7
    expect([...(m.ies.authorizedQosFlowDescriptions as Uint8Array)]).toEqual([1, 0x20, 0x41, 0x01, 1, 7]);
    expect(m.ies.sNssai).toMatchObject({ sst: 1, sd: 2 });
  });

  it('builds a reject and a release command with the 5GSM cause', () => {
    expect(decodeNasMessage(nasSmN1.establishmentReject(5, 9, 27)).ies.fiveGsmCause).toBe(27);
    expect(decodeNasMessage(nasSmN1.releaseCommand(5, 9, 36)).ies.fiveGsmCause).toBe(36);
  });
});

describe('SMF N2 SM adapter (TS 38.413 9.3.4)', () => {
  it('builds a Setup Request Transfer with the UPF tunnel, the 5QI, ARP and Session-AMBR it was given', () => {
    const t = decodeNgapType('PDUSessionResourceSetupRequestTransfer', ngapSmN2.setupRequestTransfer({ upfN3Teid: 0x1234, upfN3Address: '127.0.0.7', qos })) as { protocolIEs: { id: number; value: unknown }[] } | Record<string, unknown>;
    const json = JSON.stringify(t, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : typeof v === 'bigint' ? Number(v) : v));
    expect(json).toContain('"fiveQI":7');
    expect(json).toContain('"priorityLevelARP":3');
    expect(json).toContain('"pre-emptionCapability":"may-trigger-pre-emption"');
    expect(json).toContain('"pDUSessionAggregateMaximumBitRateDL":250000000');
    expect(json).toContain('"qosFlowIdentifier":1');
    expect(json).toContain(`"gTP-TEID":[${[...gtpTeid(0x1234)].join(',')}]`);
  });

  it('reads the gNB tunnel of a Setup Response Transfer the NGAP codec encodes', () => {
    const bytes = encodeNgapType('PDUSessionResourceSetupResponseTransfer', { dLQosFlowPerTNLInformation: { uPTransportLayerInformation: { gTPTunnel: { transportLayerAddress: ipv4TransportLayerAddress('127.0.0.100'), 'gTP-TEID': gtpTeid(77) } }, associatedQosFlowList: [{ qosFlowIdentifier: 1 }] } });
    expect(ngapSmN2.decodeSetupResponseTransfer(bytes)).toEqual({ gnbTeid: 77, gnbAddress: '127.0.0.100' });
  });

  it('builds a Release Command Transfer whose cause decodes back', () => {
    expect(decodeNgapType('PDUSessionResourceReleaseCommandTransfer', ngapSmN2.releaseCommandTransfer({ group: 'nas', value: 'normal-release' }))).toMatchObject({ cause: { nas: 'normal-release' } });
  });
});
