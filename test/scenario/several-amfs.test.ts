// Several AMFs in one network (config `amfs`, TS 23.501 5.21): the gNB sets up NG with each and
// selects one per RRC connection (TS 23.501 6.3.5): a UE that gives its Requested NSSAI in the AN
// parameters goes to the AMF serving it; a UE with a 5G-GUTI goes back to the AMF of its GUAMI, and
// the Initial UE Message carries its 5G-S-TMSI (TS 38.413 8.6.1.2, 9.2.5.1). tshark (Wireshark)
// judges the NGAP: the 5G-S-TMSI's AMF Set ID, Pointer and 5G-TMSI as it reads them. Every ledger,
// both AMFs' included, is back at its start after the UEs deregister.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DEFAULT_SUBSCRIBER, amfInstances, configFromYaml, ConfigError, type NetworkConfig } from '../../nodes/common/config.ts';
import { startCore, type Core } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { selectAmf, type AmfLink } from '../../nodes/gnb/amf-links.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import { subscribeTrace, type TraceEvent } from '../../nodes/common/trace.ts';
import type { LedgerSnapshot } from '../../nodes/common/ledger.ts';
import { testConfig } from '../helpers/network.ts';
import { tempCapture } from '../helpers/capture.ts';
import { tsharkAvailable, dissect, problems } from '../helpers/tshark.ts';

const THIRD = 212;
const a = (n: number) => `127.0.${THIRD}.${n}`;
const SUPI = (i: number) => `imsi-0010100001900${i}`;
let cfg: NetworkConfig;
let core: Core;
let gnb: Gnb;
let capturePath: string;
let closeCapture: () => void;
let before: Record<string, LedgerSnapshot>;
/** The 5G-TMSI the periodic update's Initial UE Message names. */
let periodicTmsi = -1;
const ledgers = () => ({ ...core.ledgers(), gNB: gnb.ledger.snapshot() });
const quiet = async () => {
  for (let i = 0; i < 3; i++) {
    await core.settled();
    await new Promise((r) => setTimeout(r, 30));
  }
};
const ue = (i: number, sst: number, nssaiInAnParameters = false) => {
  const s = DEFAULT_SUBSCRIBER;
  return new Ue({ supi: SUPI(i), k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, snssai: { sst }, dnn: cfg.dnn, imeisv: '3560920407930101', nssaiInAnParameters });
};

beforeAll(async () => {
  const base = testConfig(THIRD);
  cfg = {
    ...base,
    amfs: [{ snssais: [{ sst: 1 }] }, { address: a(6), setId: 2, relativeCapacity: 100, snssais: [{ sst: 2 }] }],
    subscribers: [1, 2].map((i) => ({ ...DEFAULT_SUBSCRIBER, supi: SUPI(i), snssais: [{ sst: 1 }, { sst: 2 }] })),
  };
  const c = tempCapture('several-amfs');
  capturePath = c.path;
  closeCapture = () => c.capture.close();
  core = await startCore(cfg, { database: ':memory:', tap: c.capture });
  const amfs = amfInstances(cfg).map((x) => ({ address: x.address, nf: x.nf }));
  gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, amfs, plmn: cfg.plmn, tac: cfg.tac, snssai: [{ sst: 1 }, { sst: 2 }], gnbId: THIRD, name: `test-gnb-${THIRD}`, tap: c.capture });
  await quiet();
  before = ledgers();
});
afterAll(async () => {
  await gnb?.stop();
  await core?.stop();
  closeCapture?.();
});

describe('several AMFs (TS 23.501 5.21, 6.3.5)', () => {
  it('the gNB sets up NG with each AMF and learns its GUAMI, slices and capacity', () => {
    expect(core.amfs.map((x) => x.nf)).toEqual(['AMF', 'AMF2']);
    expect(gnb.links.map((l) => [l.nf, l.guamis[0].setId, l.slices, l.ngSetup?.relativeAmfCapacity])).toEqual([
      ['AMF', 1, [{ sst: 1 }], 255],
      ['AMF2', 2, [{ sst: 2 }], 100],
    ]);
    expect(core.ledgers().AMF2['NG associations']).toBe(1);
  });

  it('a UE giving its Requested NSSAI goes to the AMF serving it; with its 5G-GUTI it comes back to that AMF with the 5G-S-TMSI', async () => {
    const events: TraceEvent[] = [];
    const off = subscribeTrace((e) => events.push(e));
    try {
      const u2 = ue(2, 2, true);
      await u2.register(gnb);
      await quiet();
      expect(core.amfs[1].stateOf(SUPI(2))).toBe('5GMM-REGISTERED');
      expect(core.amfs[0].stateOf(SUPI(2))).toBeUndefined();
      expect(u2.guti?.amfSetId).toBe(2);
      // the higher capacity would have chosen AMF: the slice chose AMF2
      expect(events.find((e) => e.message.startsWith('InitialUEMessage'))?.to).toBe('AMF2');
      await gnb.releaseAn(u2.side);
      await quiet();
      // idle, no NSSAI in the way: the GUAMI of its 5G-GUTI selects AMF2 again
      const u2again = u2;
      u2again.cfg.nssaiInAnParameters = false;
      events.length = 0;
      periodicTmsi = u2.guti!.tmsi;
      await u2again.updateRegistration({ type: 'periodic' });
      await quiet();
      expect(u2.connected).toBe(false); // the AMF released the connection after the update from idle (TS 24.501 5.5.1.3.4)
      expect(events.find((e) => e.message.startsWith('InitialUEMessage'))?.to).toBe('AMF2');
      expect(events.filter((e) => e.interface === 'N2' && (e.to === 'AMF' || e.from === 'AMF'))).toEqual([]);
      // a UE without a 5G-GUTI or NSSAI: the AMF of the highest relative capacity
      const u1 = ue(1, 1);
      events.length = 0;
      await u1.register(gnb);
      await quiet();
      expect(events.find((e) => e.message.startsWith('InitialUEMessage'))?.to).toBe('AMF');
      expect(core.amfs[0].stateOf(SUPI(1))).toBe('5GMM-REGISTERED');
      for (const u of [u1, u2]) await u.deregister({ switchOff: false });
      await quiet();
      expect(ledgers()).toEqual(before);
    } finally {
      off();
    }
  });

  it('selection order: GUAMI, then the 5G-S-TMSI\'s Set and Pointer, then an AMF of the Set, then slices and capacity', () => {
    const guami = (setId: number, pointer: number) => ({ gUAMI: { pLMNIdentity: Uint8Array.of(0x00, 0xf1, 0x10), aMFRegionID: { value: Uint8Array.of(2), length: 8 }, aMFSetID: { value: Uint8Array.of(setId >> 2, (setId & 3) << 6), length: 10 }, aMFPointer: { value: Uint8Array.of(pointer << 2), length: 6 } } });
    const link = (nf: string, setId: number, pointer: number, cap: number, sst: number) => ({ nf, ngSetup: { amfName: nf, servedGuamis: [guami(setId, pointer)], relativeAmfCapacity: cap, plmnSupport: [{ pLMNIdentity: Uint8Array.of(0x00, 0xf1, 0x10), sliceSupportList: [{ 's-NSSAI': { sST: Uint8Array.of(sst) } }] }] } });
    const links = [link('A', 1, 0, 50, 1), link('B', 2, 0, 200, 1), link('C', 2, 1, 10, 2)].map((l) => {
      const o = Object.create(Object.getPrototypeOf(gnb.links[0]) as object) as AmfLink;
      Object.assign(o, { peer: { address: '0.0.0.0', nf: l.nf }, ngSetup: l.ngSetup, association: { state: 'ESTABLISHED' } });
      return o;
    });
    const plmn = { mcc: '001', mnc: '01' };
    expect(links[0].guamis).toEqual([{ plmn, regionId: 2, setId: 1, pointer: 0 }]);
    expect(links[2].slices).toEqual([{ sst: 2 }]);
    expect(selectAmf(links, { guami: { plmn, regionId: 2, setId: 1, pointer: 0 } })?.nf).toBe('A');
    expect(selectAmf(links, { fiveGSTmsi: { amfSetId: 2, amfPointer: 1, tmsi: 7 } })?.nf).toBe('C');
    // the UE's AMF is gone: another of its Set (TS 23.501 5.21.2)
    expect(selectAmf(links, { fiveGSTmsi: { amfSetId: 2, amfPointer: 9, tmsi: 7 } })?.nf).toBe('B');
    expect(selectAmf(links, { amfSetId: 2, requestedNssai: [{ sst: 2 }] })?.nf).toBe('C');
    expect(selectAmf(links, { amfSetId: 7 })).toBeUndefined();
    expect(selectAmf(links, {})?.nf).toBe('B');
  });

  it('configuration: the first AMF is addresses.amf, the others need their own address and GUAMI', () => {
    expect(() => configFromYaml('amfs:\n  - {}\n  - { setId: 2 }\n')).toThrow(/amfs\[1\]: address is required/);
    expect(() => configFromYaml('amfs:\n  - {}\n  - { address: 127.0.0.4, setId: 2 }\n')).toThrow(/amfs\[1\].address: 127.0.0.4 is also addresses.smf/);
    expect(() => configFromYaml('amfs:\n  - {}\n  - { address: 127.0.0.6 }\n')).toThrow(/amfs\[1\]: GUAMI region 2 set 1 pointer 0 is also amfs\[0\]'s/);
    expect(() => configFromYaml('amfs:\n  - { address: 127.0.0.9 }\n')).toThrow(ConfigError);
    expect(() => configFromYaml('amfs:\n  - { tacs: [5] }\n')).toThrow(/no AMF serves the gNB's TAC 1/);
    const two = configFromYaml('amfs:\n  - {}\n  - { address: 127.0.0.6, setId: 2, snssais: [{ sst: 2 }] }\n');
    expect(amfInstances(two).map((x) => [x.nf, x.address, x.guami.setId, x.snssais])).toEqual([['AMF', '127.0.0.5', 1, [{ sst: 1 }]], ['AMF2', '127.0.0.6', 2, [{ sst: 2 }]]]);
  });

  it.skipIf(!tsharkAvailable())('tshark reads both NG Setups and the 5G-S-TMSI of the Initial UE Message, with no warning', () => {
    closeCapture();
    const frames = dissect(capturePath, { prefs: ['nas-5gs.null_decipher:TRUE'] });
    const ngap = frames.filter((f) => f.protocols.includes('ngap'));
    expect(problems(ngap)).toEqual([]);
    const setupRsps = ngap.filter((f) => f.fields.get('ngap.procedureCode')?.[0] === '21' && f.fields.has('ngap.ServedGUAMIList'));
    // tshark shows the 10-bit AMF Set ID left-aligned in two octets: set 1 = 00:40, set 2 = 00:80
    expect(setupRsps.map((f) => f.fields.get('ngap.aMFSetID')?.[0])).toEqual(['00:40', '00:80']);
    // the periodic update from idle: Initial UE Message (procedure code 15) with the 5G-S-TMSI
    const initial = ngap.filter((f) => f.fields.get('ngap.procedureCode')?.[0] === '15' && f.fields.has('ngap.fiveG_TMSI'));
    expect(initial.length).toBeGreaterThanOrEqual(1);
    expect(initial[0].fields.get('ngap.aMFSetID')).toEqual(['00:80']);
    expect(initial[0].fields.get('ngap.aMFPointer')).toEqual(['00']);
    expect(initial[0].fields.get('ngap.fiveG_TMSI')).toEqual([String(periodicTmsi)]); // tshark prints the 5G-TMSI as a number
  });
});
