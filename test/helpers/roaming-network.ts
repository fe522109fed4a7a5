// A home-routed roaming test network (issue 17): the visited PLMN 001/01 on 127.0.<third>.x, the
// home PLMN 208/93 on 127.0.<third + 1>.x, both UDRs in memory, the SEPPs' N32 on `n32Port`.
import { DEFAULT_SUBSCRIBER, type NetworkConfig } from '../../nodes/common/config.ts';
import { startCore } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { Ue } from '../../nodes/ue/ue.ts';
import type { WireTap } from '../../transport/tap.ts';
import { testConfig, coreAndGnb, type TestNetwork } from './network.ts';

export function roamingTestConfig(third: number, homeSupis: string[], n32Port = 9443): NetworkConfig {
  const cfg = testConfig(third);
  const h = (n: number) => `127.0.${third + 1}.${n}`;
  cfg.roaming = {
    enabled: true,
    vsepp: `127.0.${third}.30`,
    n32Port,
    localBreakout: [],
    home: {
      ...cfg.roaming.home,
      addresses: { smf: h(4), upf: h(7), ausf: h(11), udm: h(12), pcf: h(13), udr: h(20), sepp: h(30), bsf: h(15), chf: h(16), nwdaf: h(17), af: h(18) },
      database: ':memory:',
      subscribers: homeSupis.map((supi) => ({ ...DEFAULT_SUBSCRIBER, supi })),
    },
  };
  return cfg;
}

/** As a one-PLMN test network; `ue` makes a roaming UE (a home subscriber in the visited PLMN). */
export type RoamingTestNetwork = TestNetwork;

export async function startRoamingTestNetwork(third: number, homeSupis: string[], o: { tap?: WireTap; localBreakout?: string[]; pduSessionEvents?: boolean } = {}): Promise<RoamingTestNetwork> {
  const cfg = roamingTestConfig(third, homeSupis);
  if (o.localBreakout) cfg.roaming.localBreakout = o.localBreakout;
  // the V-PCF, as PCF for the UE, asks for the events of the UE's sessions in the DNN (TS 23.502 4.16.14.2)
  if (o.pduSessionEvents) cfg.pcf = { ...cfg.pcf, pduSessionEvents: [{ dnn: cfg.dnn, sst: cfg.snssai.sst, ...(cfg.snssai.sd ? { sd: cfg.snssai.sd } : {}) }] };
  const core = await startCore(cfg, { database: ':memory:', ...(o.tap ? { tap: o.tap } : {}) });
  const gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: third, name: `test-gnb-${third}`, admission: cfg.gnb.admission, ...(o.tap ? { tap: o.tap, captureUserPlane: true } : {}) });
  const s = DEFAULT_SUBSCRIBER;
  return {
    cfg,
    core,
    gnb,
    ue: (supi, over = {}) => new Ue({ supi, k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, homePlmn: cfg.roaming.home.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930101', ...over }),
    ...coreAndGnb(core, gnb),
  };
}
