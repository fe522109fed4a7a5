// Registration with Onboarding SNPN (TS 23.502 4.2.2.2.4), cases 9-3 (no DCS) and 9-2 (a DCS
// hosting AUSF/UDM, which gives the PVS addresses), end to end over
// real sockets: the gNB announces the SNPN (PLMN ID + NID) in NG Setup and the AMF answers with
// Onboarding Support; a UE with Default UE Credentials (an NSI SUPI, its SUCI in NAI format)
// registers with 5GS registration type "SNPN onboarding" and no Requested NSSAI; the local AUSF
// authenticates it; the Registration Accept's N2 message carries the onboarding Allowed NSSAI; the
// onboarding PDU session works and nothing beyond the onboarding S-NSSAI/DNN does; the AMF's
// onboarding deregistration timer ends in a network-initiated deregistration (4.2.2.3.3); every
// ledger returns to its start. tshark (Wireshark 4.x) judges the NAS and NGAP bytes of the capture:
// its field values, and no malformed frame or expert warning.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DEFAULT_SUBSCRIBER, type NetworkConfig } from '../../nodes/common/config.ts';
import { startCore, type Core } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { GmmState } from '../../nodes/ue/gmm-state.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import { testConfig } from '../helpers/network.ts';
import { tempCapture } from '../helpers/capture.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';
import { obtainSoSnpnCredentials } from '../../nodes/ue/procedures/provisioning.ts';
import type { SoSnpnCredentials } from '../../nodes/pvs/pvs.ts';

/** The same request naming another onboarding SUPI (the PVS answers 4.04). */
function obtainSoSnpnCredentialsAs(ue: Ue, supi: string): Promise<SoSnpnCredentials> {
  return obtainSoSnpnCredentials(Object.create(ue, { supi: { value: supi } }) as Ue, PVS_DN_ADDRESS);
}

const NID = '000007ed9d5';
const REALM = `nid${NID}.mnc001.mcc001.3gppnetwork.org`;
const ONBOARDING_SUPI = `nai-onboard1@${REALM}`;
const OTHER_ONBOARDING_SUPI = `nai-onboard2@${REALM}`;
const TIMER_MS = 1500;
const SO_SNPN_SUPI = 'imsi-001010000001902';
const PVS_DN_ADDRESS = '10.45.255.253';
const SO_SNPN_SUPI_2 = 'imsi-001010000001903';
const DCS_SUPI = 'nai-onboard3@dcs.example.org';
/** A second PVS address only the DCS gives (so the UE's ePCO shows where its addresses came from). */
const DCS_SECOND_PVS = '10.45.255.252';
/** The DCS's PVS also by IPv6 address and by name (ePCO 0037H, 0038H), and the SMF's own PVS by name. */
const DCS_PVS_IPV6 = 'fd00:45::fc';
const DCS_PVS_NAME = 'pvs.dcs.example.org';
const PVS_NAME = 'pvs.onboarding.example';

let cfg: NetworkConfig;
let core: Core;
let gnb: Gnb;
let capturePath: string;
let closeCapture: () => void;
let credentials: SoSnpnCredentials | undefined;

function onboardingUe(supi: string): Ue {
  const s = DEFAULT_SUBSCRIBER;
  return new Ue({ supi, k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, snssai: { sst: 2 }, dnn: 'onboarding', imeisv: '3560920407930199', snpn: { nid: NID, onboarding: true } });
}

beforeAll(async () => {
  cfg = testConfig(204, {
    snpn: {
      nid: NID,
      onboarding: { snssai: { sst: 2 }, dnn: 'onboarding', deregistrationTimerSeconds: 600 },
      pvs: { address: '127.0.204.30', dnAddress: PVS_DN_ADDRESS, fqdn: PVS_NAME, credentials: [{ onboardingSupi: ONBOARDING_SUPI, supi: SO_SNPN_SUPI }, { onboardingSupi: DCS_SUPI, supi: SO_SNPN_SUPI_2 }] },
      // case 9-2: a DCS hosting AUSF/UDM for the realm dcs.example.org
      dcs: { realm: 'dcs.example.org', addresses: { ausf: '127.0.204.41', udm: '127.0.204.42', udr: '127.0.204.43' }, pvsAddresses: [PVS_DN_ADDRESS, DCS_PVS_NAME, DCS_SECOND_PVS, DCS_PVS_IPV6] },
    },
  });
  cfg.subscribers = [
    { ...DEFAULT_SUBSCRIBER, supi: 'imsi-001010000001901' },
    // the SO-SNPN subscription the PVS provisions (its own K)
    { ...DEFAULT_SUBSCRIBER, supi: SO_SNPN_SUPI, k: '000102030405060708090a0b0c0d0e0f', sqn: '000000000040' },
    { ...DEFAULT_SUBSCRIBER, supi: SO_SNPN_SUPI_2, k: '0f0e0d0c0b0a09080706050403020100' },
    // the DCS's subscriber (its realm: seeded into the DCS's UDR only)
    { ...DEFAULT_SUBSCRIBER, supi: DCS_SUPI, snssais: [{ sst: 2 }], dnns: ['onboarding'] },
    // the Default UE Credentials, in the ON-SNPN's own UDR (case 9-3: no DCS)
    ...[ONBOARDING_SUPI, OTHER_ONBOARDING_SUPI].map((supi) => ({ ...DEFAULT_SUBSCRIBER, supi, snssais: [{ sst: 2 }], dnns: ['onboarding'] })),
  ];
  const c = tempCapture('snpn-onboarding');
  capturePath = c.path;
  closeCapture = () => c.capture.close();
  core = await startCore(cfg, { database: ':memory:', tap: c.capture, amfTimers: { onboardingDeregistrationMs: TIMER_MS } });
  gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: 171, name: 'test-gnb-171', tap: c.capture, snpn: { nid: NID, snssais: [cfg.snssai, { sst: 2 }] } });
});

afterAll(async () => {
  await gnb?.stop();
  await core?.stop();
  closeCapture?.();
});

async function quiet(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await core.settled();
    await new Promise((r) => setTimeout(r, 30));
  }
}

describe('Registration with Onboarding SNPN (TS 23.502 4.2.2.2.4), cases 9-3 and 9-2', () => {
  let events: TraceEvent[] = [];

  it('onboards, establishes the onboarding PDU session, is refused anything else, and is deregistered by the onboarding timer', async () => {
    const before = { ...core.ledgers(), gNB: gnb.ledger.snapshot() };
    events = [];
    const off = subscribeTrace((e) => events.push(e));
    const ue = onboardingUe(ONBOARDING_SUPI);
    try {
      const reg = await ue.register(gnb);
      expect(reg.allowedNssai).toEqual([{ sst: 2 }]);
      expect(core.amf.bySupi.get(ONBOARDING_SUPI)?.onboarding).toBeDefined();
      // nothing of steps 13-20: no UDM registration, no AM policy
      expect(core.amf.bySupi.get(ONBOARDING_SUPI)?.uecmRegistered).toBeFalsy();
      expect(core.amf.bySupi.get(ONBOARDING_SUPI)?.amPolicyUri).toBeUndefined();
      // the onboarding PDU session (onboarding DNN and S-NSSAI) and its user plane
      const s = await ue.establishPduSession(1, { dnn: 'onboarding', snssai: { sst: 2 } });
      expect(s.address).toMatch(/^10\.45\./);
      // 9-3: the SMF's own PVS address and name, in the accept's ePCO (containers 0036H, 0038H)
      expect(ue.sessions.get(1)?.pvsAddresses).toEqual([PVS_DN_ADDRESS, PVS_NAME]);
      expect(await ue.ping()).toBeGreaterThanOrEqual(0);
      // the SO-SNPN credentials from the PVS, CoAP over the onboarding PDU session's user plane
      credentials = await obtainSoSnpnCredentials(ue, PVS_DN_ADDRESS);
      expect(credentials).toEqual({ supi: SO_SNPN_SUPI, k: '000102030405060708090a0b0c0d0e0f', opc: DEFAULT_SUBSCRIBER.opc, amf: DEFAULT_SUBSCRIBER.amf, sqn: '000000000040', nid: NID });
      // a UE the PVS has nothing for is told 4.04
      await expect(obtainSoSnpnCredentialsAs(ue, 'nai-nobody@x.example')).rejects.toThrow(/4\.04/);
      // TS 23.501 5.30.2.10.2.3: anything beyond the onboarding S-NSSAI/DNN is not forwarded (#90)
      await expect(ue.establishPduSession(2, { dnn: 'internet', snssai: { sst: 2 } })).rejects.toMatchObject({ fiveGmmCause: 90 });
      await expect(ue.establishPduSession(3, { dnn: 'onboarding', snssai: { sst: 1 } })).rejects.toMatchObject({ fiveGmmCause: 90 });
      // step 8: the onboarding deregistration timer ends in 4.2.2.3.3
      for (let i = 0; i < 200 && ue.state !== GmmState.DEREGISTERED; i++) await new Promise((r) => setTimeout(r, 20));
      expect(ue.state).toBe(GmmState.DEREGISTERED);
      await quiet();
      for (let i = 0; i < 100 && gnb.ueCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      off();
    }
    const steps = events.filter((e) => e.step?.includes('4.2.2.2.4') || e.step?.includes('4.2.2.3.3')).map((e) => `${e.from}>${e.to} ${e.message} [${e.step}]`);
    const order = ['Registration request [4.2.2.2.4 step 1]', 'InitialUEMessage [4.2.2.2.4 step 3]', '[4.2.2.2.4 step 9-3]', 'Authentication request', 'Security mode command', 'Registration accept', 'Registration complete', 'Deregistration request (UE terminated) [4.2.2.3.3 step 2]', 'Deregistration accept (UE terminated)'];
    let from = 0;
    for (const s of order) {
      const i = steps.findIndex((x, k) => k >= from && x.includes(s));
      expect(i, `${s} after position ${from} in\n${steps.join('\n')}`).toBeGreaterThanOrEqual(0);
      from = i;
    }
    expect({ ...core.ledgers(), gNB: gnb.ledger.snapshot() }).toEqual(before);
  });

  it('then registers to the SNPN with the SO-SNPN credentials it obtained (an initial registration)', async () => {
    expect(credentials).toBeDefined();
    const before = { ...core.ledgers(), gNB: gnb.ledger.snapshot() };
    const c = credentials!;
    const ue = new Ue({ supi: c.supi, k: c.k, opc: c.opc, amf: c.amf, sqn: c.sqn, plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930199', snpn: { nid: c.nid } });
    const reg = await ue.register(gnb);
    expect(reg.allowedNssai).toEqual([{ sst: 1 }]);
    expect(core.amf.bySupi.get(c.supi)?.onboarding).toBeUndefined();
    await ue.establishPduSession(1);
    expect(await ue.ping()).toBeGreaterThanOrEqual(0);
    await ue.deregister({ switchOff: true });
    await quiet();
    for (let i = 0; i < 100 && gnb.ueCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect({ ...core.ledgers(), gNB: gnb.ledger.snapshot() }).toEqual(before);
  });

  it('case 9-2: the DCS AUSF authenticates with its UDM and gives the PVS addresses; provisioned, deregistered by the timer, registered with the new credentials', async () => {
    const before = { ...core.ledgers(), gNB: gnb.ledger.snapshot() };
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['DCS-UDR', 'DCS-UDM', 'DCS-AUSF', 'PVS']));
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    const ue = onboardingUe(DCS_SUPI);
    let c: SoSnpnCredentials;
    try {
      await ue.register(gnb);
      // step 9-2: the PVS addresses the DCS gave, at the AMF
      const pvs = core.amf.bySupi.get(DCS_SUPI)?.onboarding?.pvsAddresses;
      expect(pvs).toEqual([PVS_DN_ADDRESS, DCS_SECOND_PVS, DCS_PVS_IPV6, DCS_PVS_NAME]);
      await ue.establishPduSession(1, { dnn: 'onboarding', snssai: { sst: 2 } });
      // the DCS's PVS addresses reach the UE: AMF -> SMF (pvsInfo) -> the accept's ePCO
      // (0036H IPv4, 0037H IPv6, 0038H name; the UE keeps them IPv4 first)
      expect(ue.sessions.get(1)?.pvsAddresses).toEqual([PVS_DN_ADDRESS, DCS_SECOND_PVS, DCS_PVS_IPV6, DCS_PVS_NAME]);
      c = await obtainSoSnpnCredentials(ue, pvs![0]);
      expect(c.supi).toBe(SO_SNPN_SUPI_2);
      for (let i = 0; i < 200 && ue.state !== GmmState.DEREGISTERED; i++) await new Promise((r) => setTimeout(r, 20));
      expect(ue.state).toBe(GmmState.DEREGISTERED);
      await quiet();
    } finally {
      off();
    }
    const steps = events.filter((e) => e.step?.includes('4.2.2.2.4 step 9')).map((e) => `${e.from}>${e.to} ${e.message} [${e.step}]`);
    expect(steps).toContain('AMF>DCS-AUSF Nausf_UEAuthentication_Authenticate [4.2.2.2.4 step 9-2]');
    expect(steps.some((x) => x.startsWith('AMF>AUSF'))).toBe(false);
    const so = new Ue({ supi: c.supi, k: c.k, opc: c.opc, amf: c.amf, sqn: c.sqn, plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930197', snpn: { nid: c.nid } });
    await so.register(gnb);
    await so.deregister({ switchOff: true });
    await quiet();
    for (let i = 0; i < 100 && gnb.ueCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect({ ...core.ledgers(), gNB: gnb.ledger.snapshot() }).toEqual(before);
  });

  it('a UE with SNPN credentials registers to the SNPN (initial registration; serving network name with the NID)', async () => {
    const s = DEFAULT_SUBSCRIBER;
    const ue = new Ue({ supi: 'imsi-001010000001901', k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930198', snpn: { nid: NID } });
    expect(ue.snn).toBe(`5G:mnc001.mcc001.3gppnetwork.org:${NID}`);
    const reg = await ue.register(gnb);
    expect(reg.allowedNssai).toEqual([{ sst: 1 }]);
    expect(core.amf.bySupi.get('imsi-001010000001901')?.snpnNid).toBe(NID);
    expect(core.amf.bySupi.get('imsi-001010000001901')?.onboarding).toBeUndefined();
    await ue.establishPduSession(1);
    await ue.deregister({ switchOff: true });
    await quiet();
  });

  it('a cell that does not broadcast the SNPN the UE selected refuses its RRC connection', async () => {
    const ue = new Ue({ ...onboardingUe(OTHER_ONBOARDING_SUPI).cfg, snpn: { nid: '00000000abc', onboarding: true } });
    await expect(ue.register(gnb)).rejects.toThrow(/does not broadcast SNPN NID 00000000abc/);
  });

  it.skipIf(!tsharkAvailable())('tshark reads the SNPN in NG Setup, the onboarding Registration request and the NID in the Initial UE Message, with no warning', () => {
    closeCapture();
    const frames = dissect(capturePath, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    const ngap = frames.filter((f) => f.protocols.includes('ngap'));
    expect(problems(ngap)).toEqual([]);
    const hex = (v: string[] | undefined) => v?.map((x) => x.replace(/:/g, ''));
    // NG Setup Request: the SNPN's Broadcast PLMN Item, NPN Support = sNPN with the NID (44 bits, 4 pad bits)
    const [setupReq, setupRsp] = ngap.filter((f) => f.fields.get('ngap.procedureCode')?.[0] === '21');
    expect(hex(setupReq.fields.get('ngap.sNPN'))).toEqual(['000007ed9d50']);
    // NG Setup Response: the SNPN's PLMN Support Item with NPN Support and Onboarding Support (true)
    expect(hex(setupRsp.fields.get('ngap.sNPN'))).toEqual(['000007ed9d50']);
    expect(setupRsp.fields.get('ngap.OnboardingSupport')).toEqual(['0']);
    const initial = ngap.find((f) => f.fields.get('nas_5gs.mm.5gs_reg_type')?.[0] === '5');
    expect(initial, 'an Initial UE Message with 5GS registration type 5 (SNPN onboarding)').toBeDefined();
    expect(initial!.fields.get('nas_5gs.mm.suci.nai')).toEqual([`type1.rid0.schid0.useridonboard1@${REALM}`]);
    expect(hex(initial!.fields.get('ngap.NID'))).toEqual(['000007ed9d50']);
    expect(initial!.fields.has('nas_5gs.mm.requested_nssai') || initial!.fields.has('nas_5gs.mm.nssai')).toBe(false);
    // the PVS information in the ePCO (TS 24.008 10.5.6.3): container 0036H empty in the onboarding
    // requests (MS to network), 0036H with 4 octets of IPv4 address, 0037H with 16 of IPv6 address,
    // 0038H with the PVS name as DNS labels in the accepts (network to MS); Wireshark 4.0 frames the
    // containers (identifier, length, data) without naming 0036H-0038H: the test reads the octets
    const sm = frames.filter((f) => f.fields.has('gsm_a.gm.sm.pco_pid'));
    const requests = sm.filter((f) => f.fields.get('nas_5gs.sm.message_type')?.includes('0xc1'));
    const accepts = sm.filter((f) => f.fields.get('nas_5gs.sm.message_type')?.includes('0xc2'));
    expect(requests.length).toBeGreaterThanOrEqual(2);
    for (const f of requests) expect([f.fields.get('gsm_a.gm.sm.pco_pid'), f.fields.get('gsm_a.gm.sm.pco.length')]).toEqual([['0x0036'], ['0x00']]);
    const data = accepts.map((f) => [f.fields.get('gsm_a.gm.sm.pco_pid'), f.fields.get('data.data')?.map((x) => x.replace(/:/g, ''))]);
    const labels = (n: string) => n.split('.').map((l) => l.length.toString(16).padStart(2, '0') + Buffer.from(l).toString('hex')).join('');
    expect(labels(PVS_NAME)).toBe('037076730a6f6e626f617264696e67076578616d706c65'); // 3 pvs, 10 onboarding, 7 example
    expect(data).toContainEqual([['0x0036', '0x0038'], ['0a2dfffd', labels(PVS_NAME)]]); // 9-3: 10.45.255.253 and the name, the SMF's own
    // 9-2: the DCS's, by kind in the order the UDM gave them (pvsInfo: ipv4Addresses, ipv6Addresses, fqdnList)
    expect(data).toContainEqual([['0x0036', '0x0036', '0x0037', '0x0038'], ['0a2dfffd', '0a2dfffc', 'fd0000450000000000000000000000fc', labels(DCS_PVS_NAME)]]);
    // the provisioning exchange: CoAP inside GTP-U on N3 and plain on N6 (UPF <-> PVS)
    const coap = frames.filter((f) => f.protocols.includes('coap'));
    expect(problems(coap)).toEqual([]);
    const gets = coap.filter((f) => f.fields.get('coap.code')?.[0] === '1');
    expect(gets.filter((f) => f.protocols.includes('gtp')).length).toBeGreaterThanOrEqual(1);
    expect(gets.filter((f) => !f.protocols.includes('gtp')).length).toBeGreaterThanOrEqual(1);
    expect(gets[0].fields.get('coap.opt.uri_path')).toEqual(['so-snpn-credentials']);
    expect(gets[0].fields.get('coap.opt.uri_query')).toEqual([`id=${ONBOARDING_SUPI}`]);
    const content = coap.find((f) => f.fields.get('coap.code')?.[0] === '69' && f.protocols.includes('gtp'));
    expect(content?.fields.get('coap.type')).toEqual(['2']); // ACK
    expect(content?.fields.get('coap.opt.ctype')).toEqual(['application/json']);
  });
});
