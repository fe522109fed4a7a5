import { describe, it, expect, afterEach } from 'vitest';
import { Gnb, NgSetupFailed } from '../../nodes/gnb/gnb.ts';
import type { UuUeSide } from '../../nodes/gnb/uu.ts';
import { SctpUdpEndpoint } from '../../transport/sctp-udp/endpoint.ts';
import type { SctpAssociation } from '../../transport/sctp-udp/association.ts';
import { GtpuEndpoint } from '../../transport/udp/gtpu-endpoint.ts';
import {
  decodeNgap, encodeNgap, ngapMessage, iesByName, ngapPdu, transfer, decodeNgapType, bits, plmnIdentity, tac, type NgapPdu,
} from '../../codecs/ngap/index.ts';
import { encodeGtpu, decodeGtpu, gPdu, type GPdu } from '../../codecs/gtpu/index.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';

// Addresses only this file uses (vitest runs files in parallel, and a `wire5g run` may hold 127.0.0.x): gNB .161, UPF .162, AMF .163 on 127.0.22.x;
// the NG Setup failure case: gNB .164, AMF .165.
const GNB = '127.0.22.161';
const UPF = '127.0.22.162';
const AMF = '127.0.22.163';
const fast = { rtoInitialMs: 40, rtoMinMs: 20, rtoMaxMs: 300, sackDelayMs: 10, maxRetrans: 10, heartbeatMs: 0 };
const plmn = plmnIdentity('001', '01');
const guami = { pLMNIdentity: plmn, aMFRegionID: bits(2, 8), aMFSetID: bits(1, 10), aMFPointer: bits(0, 6) };
const snssai = { sST: Uint8Array.of(1) };

interface Received {
  streamId: number;
  name: string;
  ies: Map<string, unknown>;
}

/** A scripted AMF: answers NG Setup (or fails it), hands every other NGAP message to the test. */
class ScriptedAmf {
  ep!: SctpUdpEndpoint;
  assoc: SctpAssociation | undefined;
  readonly received: Received[] = [];
  private waiters: (() => void)[] = [];

  static async listen(address: string, setup: 'accept' | 'fail' = 'accept'): Promise<ScriptedAmf> {
    const amf = new ScriptedAmf();
    amf.ep = await SctpUdpEndpoint.listen({ address, udpPort: 0, timers: fast });
    amf.ep.on('association', (a) => {
      amf.assoc = a;
      a.on('message', (streamId, _ppid, payload) => {
        const m = ngapMessage(decodeNgap(payload));
        const ies = iesByName(m.procedure.value, m.name);
        amf.received.push({ streamId, name: m.name, ies });
        if (m.name === 'NGSetupRequest') {
          amf.send(0, setup === 'accept'
            ? ngapPdu('NGSetupResponse', { AMFName: 'scripted-amf', ServedGUAMIList: [{ gUAMI: guami }], RelativeAMFCapacity: 255, PLMNSupportList: [{ pLMNIdentity: plmn, sliceSupportList: [{ 's-NSSAI': snssai }] }] })
            : ngapPdu('NGSetupFailure', { Cause: { misc: 'unknown-PLMN-or-SNPN' } }));
        }
        const ws = amf.waiters.splice(0);
        for (const w of ws) w();
      });
    });
    return amf;
  }

  send(streamId: number, pdu: NgapPdu | Uint8Array): void {
    this.assoc!.send(streamId, 60, pdu instanceof Uint8Array ? pdu : encodeNgap(pdu));
  }

  /** The next message named `name` not yet taken. */
  async next(name: string, ms = 2000): Promise<Received> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.received.findIndex((r) => r.name === name);
      if (i >= 0) return this.received.splice(i, 1)[0];
      if (Date.now() > deadline) throw new Error(`no ${name} from the gNB (got ${this.received.map((r) => r.name).join(', ') || 'nothing'})`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  async close(): Promise<void> {
    await this.ep.close();
  }
}

class FakeUe implements UuUeSide {
  readonly nas: Uint8Array[] = [];
  readonly data: { psi: number; packet: Uint8Array }[] = [];
  releases = 0;
  onDownlinkNas(nas: Uint8Array): void {
    this.nas.push(Uint8Array.from(nas));
  }
  onDownlinkData(psi: number, packet: Uint8Array): void {
    this.data.push({ psi, packet: Uint8Array.from(packet) });
  }
  onRrcRelease(): void {
    this.releases++;
  }
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

function setupRequestTransfer(ulTeid: number): Uint8Array {
  return transfer('PDUSessionResourceSetupRequestTransfer', {
    'UL-NGU-UP-TNLInformation': { gTPTunnel: { transportLayerAddress: bits(0x7f0016a2, 32), 'gTP-TEID': Uint8Array.of(ulTeid >>> 24, (ulTeid >> 16) & 0xff, (ulTeid >> 8) & 0xff, ulTeid & 0xff) } },
    PDUSessionType: 'ipv4',
    QosFlowSetupRequestList: [{ qosFlowIdentifier: 9, qosFlowLevelQosParameters: { qosCharacteristics: { nonDynamic5QI: { fiveQI: 9 } }, allocationAndRetentionPriority: { priorityLevelARP: 8, 'pre-emptionCapability': 'shall-not-trigger-pre-emption', 'pre-emptionVulnerability': 'not-pre-emptable' } } }],
  });
}

describe('gNB (TS 38.413) against a scripted AMF over SCTP-over-UDP, with N3 on GTP-U', () => {
  it('NG Setup, UE-associated signalling, PDU session with user plane both ways, UE context release, bad input', async () => {
    const traces: TraceEvent[] = [];
    const unsubscribe = subscribeTrace((e) => traces.push(e));
    cleanups.push(async () => unsubscribe());
    const amf = await ScriptedAmf.listen(AMF);
    cleanups.push(() => amf.close());
    const upfPackets: { teid: number; g: GPdu }[] = [];
    const upf = await GtpuEndpoint.open({ address: UPF, onPacket: (d) => {
      const g = decodeGtpu(Uint8Array.from(d)) as GPdu;
      upfPackets.push({ teid: g.header.teid, g });
    } });
    cleanups.push(() => upf.close());
    const logs: string[] = [];
    const gnb = await Gnb.start({ address: GNB, amfAddress: AMF, amfUdpPort: amf.ep.local.port, plmn: { mcc: '001', mnc: '01' }, tac: 1, snssai: { sst: 1 }, gnbId: 1, name: 'test-gnb', sctpTimers: fast, log: (l) => logs.push(l) });
    cleanups.push(() => gnb.stop());
    const start = gnb.ledger.snapshot();
    expect(start).toEqual({ 'UE contexts': 0, 'RRC connections queued': 0, 'RRC connections establishing': 0, 'RAN UE NGAP IDs': 0, 'N3 DL TEIDs': 0 });

    // TS 38.413 8.7.1: NG Setup
    const setup = await amf.next('NGSetupRequest');
    expect(setup.streamId).toBe(0);
    expect(setup.ies.get('RANNodeName')).toBe('test-gnb');
    expect(setup.ies.get('DefaultPagingDRX')).toBe('v128');
    expect(setup.ies.get('GlobalRANNodeID')).toEqual({ 'globalGNB-ID': { pLMNIdentity: plmn, 'gNB-ID': { 'gNB-ID': bits(1, 22) } } });
    expect(setup.ies.get('SupportedTAList')).toEqual([{ tAC: tac(1), broadcastPLMNList: [{ pLMNIdentity: plmn, tAISliceSupportList: [{ 's-NSSAI': snssai }] }] }]);
    expect(gnb.ngSetup?.amfName).toBe('scripted-amf');

    // 8.6.1: Initial UE Message on a UE-associated stream
    const ue = new FakeUe();
    const initialNas = Uint8Array.of(0x7e, 0x00, 0x41, 0x79);
    const conn = gnb.connect(ue, initialNas, 'mo-Signalling');
    const init = await amf.next('InitialUEMessage');
    expect(init.streamId).not.toBe(0);
    const ranId = init.ies.get('RAN-UE-NGAP-ID') as number;
    expect(init.ies.get('NAS-PDU')).toEqual(initialNas);
    expect(init.ies.get('RRCEstablishmentCause')).toBe('mo-Signalling');
    expect(init.ies.get('UEContextRequest')).toBe('requested');
    expect(init.ies.get('UserLocationInformation')).toMatchObject({ userLocationInformationNR: { tAI: { pLMNIdentity: plmn, tAC: tac(1) } } });
    expect(gnb.ledger.snapshot()).toEqual({ 'UE contexts': 1, 'RRC connections queued': 0, 'RRC connections establishing': 1, 'RAN UE NGAP IDs': 1, 'N3 DL TEIDs': 0 });

    // 8.6.3: uplink NAS before the AMF-UE-NGAP-ID is known waits for it
    conn.uplinkNas(Uint8Array.of(0x7e, 0x00, 0x57, 0x2d, 0x10));
    await new Promise((r) => setTimeout(r, 60));
    expect(amf.received.filter((r) => r.name === 'UplinkNASTransport')).toEqual([]);
    // 8.6.2: Downlink NAS Transport reaches the UE, then the held uplink goes with both IDs
    amf.send(1, ngapPdu('DownlinkNASTransport', { 'AMF-UE-NGAP-ID': 77, 'RAN-UE-NGAP-ID': ranId, 'NAS-PDU': Uint8Array.of(0x7e, 0x00, 0x56, 0x01) }));
    const ul = await amf.next('UplinkNASTransport');
    expect(ul.ies.get('AMF-UE-NGAP-ID')).toBe(77);
    expect(ul.ies.get('RAN-UE-NGAP-ID')).toBe(ranId);
    expect(ul.ies.get('NAS-PDU')).toEqual(Uint8Array.of(0x7e, 0x00, 0x57, 0x2d, 0x10));
    expect(ue.nas).toEqual([Uint8Array.of(0x7e, 0x00, 0x56, 0x01)]);

    // 8.3.1: Initial Context Setup with the KgNB and the Registration accept
    amf.send(1, ngapPdu('InitialContextSetupRequest', {
      'AMF-UE-NGAP-ID': 77, 'RAN-UE-NGAP-ID': ranId, GUAMI: guami, AllowedNSSAI: [{ 's-NSSAI': snssai }],
      UESecurityCapabilities: { nRencryptionAlgorithms: bits(0x4000, 16), nRintegrityProtectionAlgorithms: bits(0x4000, 16), eUTRAencryptionAlgorithms: bits(0, 16), eUTRAintegrityProtectionAlgorithms: bits(0, 16) },
      SecurityKey: { value: new Uint8Array(32).fill(0x5a), length: 256 }, 'NAS-PDU': Uint8Array.of(0x7e, 0x02, 1, 2, 3, 4, 0, 0x7e, 0x00, 0x42),
    }));
    const ics = await amf.next('InitialContextSetupResponse');
    expect(ics.ies.get('AMF-UE-NGAP-ID')).toBe(77);
    expect(ics.ies.get('RAN-UE-NGAP-ID')).toBe(ranId);
    await until(() => ue.nas.length === 2);

    // 8.2.1: PDU Session Resource Setup; TS 23.502 4.3.2.2.1 steps 12-14
    amf.send(1, ngapPdu('PDUSessionResourceSetupRequest', {
      'AMF-UE-NGAP-ID': 77, 'RAN-UE-NGAP-ID': ranId,
      PDUSessionResourceSetupListSUReq: [{ pDUSessionID: 1, 'pDUSessionNAS-PDU': Uint8Array.of(0x7e, 0x02, 9, 9, 9, 9, 1), 's-NSSAI': snssai, pDUSessionResourceSetupRequestTransfer: setupRequestTransfer(0x1234) }],
    }));
    const psr = await amf.next('PDUSessionResourceSetupResponse');
    const item = (psr.ies.get('PDUSessionResourceSetupListSURes') as { pDUSessionID: number; pDUSessionResourceSetupResponseTransfer: Uint8Array }[])[0];
    expect(item.pDUSessionID).toBe(1);
    const rt = decodeNgapType('PDUSessionResourceSetupResponseTransfer', item.pDUSessionResourceSetupResponseTransfer) as {
      dLQosFlowPerTNLInformation: { uPTransportLayerInformation: { gTPTunnel: { transportLayerAddress: { value: Uint8Array; length: number }; 'gTP-TEID': Uint8Array } }; associatedQosFlowList: { qosFlowIdentifier: number }[] };
    };
    const tunnel = rt.dLQosFlowPerTNLInformation.uPTransportLayerInformation.gTPTunnel;
    expect(tunnel.transportLayerAddress).toEqual({ value: Uint8Array.of(127, 0, 22, 161), length: 32 });
    expect(rt.dLQosFlowPerTNLInformation.associatedQosFlowList).toEqual([{ qosFlowIdentifier: 9 }]);
    const dlTeid = Buffer.from(tunnel['gTP-TEID']).readUInt32BE(0);
    await until(() => ue.nas.length === 3);
    expect(ue.nas[2]).toEqual(Uint8Array.of(0x7e, 0x02, 9, 9, 9, 9, 1));
    expect(gnb.ledger.snapshot()).toEqual({ 'UE contexts': 1, 'RRC connections queued': 0, 'RRC connections establishing': 0, 'RAN UE NGAP IDs': 1, 'N3 DL TEIDs': 1 });

    // N3 downlink: a G-PDU to the DL TEID reaches the UE on PDU session 1
    const dlPacket = Uint8Array.of(0x45, 0, 0, 20, 0, 0, 0, 0, 64, 1, 0, 0, 10, 45, 255, 254, 10, 45, 0, 2);
    upf.send({ address: GNB, port: 2152 }, encodeGtpu(gPdu(dlTeid, dlPacket, { pduType: 0, qfi: 9 })));
    await until(() => ue.data.length === 1);
    expect(ue.data[0]).toEqual({ psi: 1, packet: dlPacket });
    // N3 uplink: the UE's packet reaches the UPF's UL TEID with a UL PDU Session Container, QFI 9
    const ulPacket = Uint8Array.of(0x45, 0, 0, 20, 0, 0, 0, 0, 64, 1, 0, 0, 10, 45, 0, 2, 10, 45, 255, 254);
    conn.uplinkData(1, ulPacket);
    await until(() => upfPackets.length === 1);
    expect(upfPackets[0].teid).toBe(0x1234);
    expect(upfPackets[0].g.tPdu).toEqual(ulPacket);
    expect(upfPackets[0].g.header.extensionHeaders).toEqual([{ type: 0x85, container: { pduType: 1, qfi: 9 } }]);
    // an unknown TEID is dropped and counted
    upf.send({ address: GNB, port: 2152 }, encodeGtpu(gPdu(dlTeid + 1000, dlPacket, { pduType: 0, qfi: 9 })));
    await until(() => gnb.stats.downlinkUnknownTeid === 1);
    expect(ue.data.length).toBe(1);

    // a transfer that does not decode: the session goes to the failed list with a cause
    amf.send(1, ngapPdu('PDUSessionResourceSetupRequest', {
      'AMF-UE-NGAP-ID': 77, 'RAN-UE-NGAP-ID': ranId,
      PDUSessionResourceSetupListSUReq: [{ pDUSessionID: 2, 's-NSSAI': snssai, pDUSessionResourceSetupRequestTransfer: Uint8Array.of(0xff, 0xff, 0xff) }],
    }));
    const bad = await amf.next('PDUSessionResourceSetupResponse');
    expect(bad.ies.get('PDUSessionResourceSetupListSURes')).toBeUndefined();
    const failed = bad.ies.get('PDUSessionResourceFailedToSetupListSURes') as { pDUSessionID: number; pDUSessionResourceSetupUnsuccessfulTransfer: Uint8Array }[];
    expect(failed[0].pDUSessionID).toBe(2);
    expect(decodeNgapType('PDUSessionResourceSetupUnsuccessfulTransfer', failed[0].pDUSessionResourceSetupUnsuccessfulTransfer)).toEqual({ cause: { protocol: 'transfer-syntax-error' } });
    expect(gnb.ledger.snapshot()['N3 DL TEIDs']).toBe(1);

    // bad input: garbage NGAP -> Error Indication; unknown RAN-UE-NGAP-ID -> Error Indication
    amf.send(0, Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
    const ei = await amf.next('ErrorIndication');
    expect(ei.ies.get('Cause')).toEqual({ protocol: 'transfer-syntax-error' });
    // a UE-associated message with a missing mandatory IE: the Error Indication names the UE (10.3.5)
    const missing = encodeNgap(ngapPdu('DownlinkNASTransport', { 'AMF-UE-NGAP-ID': 77, 'RAN-UE-NGAP-ID': ranId, 'NAS-PDU': Uint8Array.of(1, 2, 3) }));
    missing[Buffer.from(missing).indexOf(Buffer.from([0x00, 0x26])) + 1] = 0xff; // NAS-PDU (id 38) -> id 255
    amf.send(1, missing);
    const eiMissing = await amf.next('ErrorIndication');
    expect(eiMissing.ies.get('Cause')).toEqual({ protocol: 'abstract-syntax-error-reject' });
    expect(eiMissing.ies.get('AMF-UE-NGAP-ID')).toBe(77);
    expect(eiMissing.ies.get('RAN-UE-NGAP-ID')).toBe(ranId);
    amf.send(2, ngapPdu('DownlinkNASTransport', { 'AMF-UE-NGAP-ID': 5, 'RAN-UE-NGAP-ID': 999, 'NAS-PDU': Uint8Array.of(0x7e, 0, 0x56) }));
    const ei2 = await amf.next('ErrorIndication');
    expect(ei2.ies.get('Cause')).toEqual({ radioNetwork: 'unknown-local-UE-NGAP-ID' });
    expect(ei2.ies.get('RAN-UE-NGAP-ID')).toBe(999);
    expect(ue.nas.length).toBe(3);

    // 8.2.2: PDU Session Resource Release frees the tunnel
    amf.send(1, ngapPdu('PDUSessionResourceReleaseCommand', { 'AMF-UE-NGAP-ID': 77, 'RAN-UE-NGAP-ID': ranId, PDUSessionResourceToReleaseListRelCmd: [{ pDUSessionID: 1, pDUSessionResourceReleaseCommandTransfer: Uint8Array.of(0) }] }));
    const rel = await amf.next('PDUSessionResourceReleaseResponse');
    expect((rel.ies.get('PDUSessionResourceReleasedListRelRes') as { pDUSessionID: number }[])[0].pDUSessionID).toBe(1);
    expect(gnb.ledger.snapshot()['N3 DL TEIDs']).toBe(0);

    // 8.3.3: UE Context Release (TS 23.502 4.2.2.3.2 step 8) -> RRC release, complete, ledger back
    amf.send(1, ngapPdu('UEContextReleaseCommand', { 'UE-NGAP-IDs': { 'uE-NGAP-ID-pair': { 'aMF-UE-NGAP-ID': 77, 'rAN-UE-NGAP-ID': ranId } }, Cause: { nas: 'deregister' } }));
    const cpl = await amf.next('UEContextReleaseComplete');
    expect(cpl.ies.get('AMF-UE-NGAP-ID')).toBe(77);
    expect(cpl.ies.get('RAN-UE-NGAP-ID')).toBe(ranId);
    expect(ue.releases).toBe(1);
    expect(gnb.ledger.snapshot()).toEqual(start);

    // the gNB keeps serving: a second UE connects, leaves locally, and is released by AMF-UE-NGAP-ID only
    const ue2 = new FakeUe();
    const conn2 = gnb.connect(ue2, initialNas, 'mo-Signalling');
    const init2 = await amf.next('InitialUEMessage');
    const ran2 = init2.ies.get('RAN-UE-NGAP-ID') as number;
    amf.send(init2.streamId, ngapPdu('DownlinkNASTransport', { 'AMF-UE-NGAP-ID': 78, 'RAN-UE-NGAP-ID': ran2, 'NAS-PDU': Uint8Array.of(0x7e, 0, 0x5b, 1) }));
    await until(() => ue2.nas.length === 1);
    conn2.release(); // switch off: the context stays until the AMF releases it
    expect(gnb.ledger.snapshot()['UE contexts']).toBe(1);
    amf.send(init2.streamId, ngapPdu('UEContextReleaseCommand', { 'UE-NGAP-IDs': { 'aMF-UE-NGAP-ID': 78 }, Cause: { nas: 'deregister' } }));
    const cpl2 = await amf.next('UEContextReleaseComplete');
    expect(cpl2.ies.get('RAN-UE-NGAP-ID')).toBe(ran2);
    expect(ue2.releases).toBe(0); // it had left the cell already
    expect(gnb.ledger.snapshot()).toEqual(start);

    const sent = traces.filter((e) => e.from === 'gNB').map((e) => e.message);
    expect(sent).toEqual([
      'NGSetupRequest', 'InitialUEMessage', 'UplinkNASTransport', 'InitialContextSetupResponse', 'PDUSessionResourceSetupResponse', 'PDUSessionResourceSetupResponse',
      'ErrorIndication', 'ErrorIndication', 'ErrorIndication', 'PDUSessionResourceReleaseResponse', 'UEContextReleaseComplete', 'InitialUEMessage', 'UEContextReleaseComplete',
    ]);
    expect(traces.find((e) => e.message === 'InitialUEMessage')).toMatchObject({ to: 'AMF', interface: 'N2', protocol: 'NGAP', step: '4.2.2.2.2 step 2' });
  });

  it('rejects start() with the cause of an NG Setup Failure', async () => {
    const amf = await ScriptedAmf.listen('127.0.22.165', 'fail');
    cleanups.push(() => amf.close());
    const e = await Gnb.start({ address: '127.0.22.164', amfAddress: '127.0.22.165', amfUdpPort: amf.ep.local.port, plmn: { mcc: '001', mnc: '01' }, tac: 1, snssai: { sst: 1 }, gnbId: 2, name: 'failing-gnb', sctpTimers: fast }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NgSetupFailed);
    expect((e as Error).message).toMatch(/misc:unknown-PLMN-or-SNPN/);
  });

  it('TS 23.502 4.2.2.2.4 step 2 (TS 23.501 6.3.5): an onboarding UE is refused when no AMF announced Onboarding Support for the SNPN; a UE of the PLMN still connects', async () => {
    // the scripted AMF's NG SETUP RESPONSE has no NPN Support or Onboarding Support extension in its PLMN Support Item
    const amf = await ScriptedAmf.listen('127.0.22.167');
    cleanups.push(() => amf.close());
    const gnb = await Gnb.start({ address: '127.0.22.166', amfAddress: '127.0.22.167', amfUdpPort: amf.ep.local.port, plmn: { mcc: '001', mnc: '01' }, tac: 1, snssai: { sst: 1 }, gnbId: 3, name: 'snpn-gnb', sctpTimers: fast, snpn: { nid: '00000000abc', snssais: [{ sst: 1 }] } });
    cleanups.push(() => gnb.stop());
    const initialNas = Uint8Array.of(0x7e, 0x00, 0x41);
    expect(() => gnb.connect(new FakeUe(), initialNas, 'mo-Signalling', { selectedNid: '00000000abc', onboarding: true })).toThrow('gNB snpn-gnb: no AMF supports onboarding for SNPN 00000000abc (TS 23.501 6.3.5)');
    expect(gnb.ledger.snapshot()['UE contexts']).toBe(0);
    gnb.connect(new FakeUe(), initialNas, 'mo-Signalling');
    expect((await amf.next('InitialUEMessage')).ies.get('NAS-PDU')).toEqual(initialNas);
  });
});
