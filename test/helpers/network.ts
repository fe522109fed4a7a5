// Test networks: the default configuration moved to 127.0.<third>.x so that test files running in
// parallel never meet each other's sockets, with the UDR in memory.
import { DEFAULT_CONFIG, DEFAULT_SUBSCRIBER, type NetworkConfig } from '../../nodes/common/config.ts';
import { startCore, type Core, type CoreOptions } from '../../nodes/core.ts';
import { Gnb } from '../../nodes/gnb/gnb.ts';
import { Ue, type UeConfig } from '../../nodes/ue/ue.ts';
import type { LedgerSnapshot } from '../../nodes/common/ledger.ts';

export function testConfig(third: number, over: Partial<NetworkConfig> = {}): NetworkConfig {
  const cfg = structuredClone(DEFAULT_CONFIG);
  const a = (n: number) => `127.0.${third}.${n}`;
  cfg.addresses = { amf: a(5), smf: a(4), upf: a(7), ausf: a(11), udm: a(12), pcf: a(13), udr: a(20), gnb: a(100), bsf: a(15), chf: a(16), nwdaf: a(17), af: a(18), nrf: a(10), nssf: a(35) };
  cfg.udr.database = ':memory:';
  return { ...cfg, ...over };
}


export interface TestNetwork {
  cfg: NetworkConfig;
  core: Core;
  gnb: Gnb;
  /** A UE of one of the subscribers, with the default K/OPc and the network's slice and DNN. */
  ue(supi: string, over?: Partial<UeConfig>): Ue;
  /** Every NF's ledger and the gNB's. */
  ledgers(): Record<string, LedgerSnapshot>;
  /** Waits until nothing is in flight anywhere (three settles, a little apart). */
  quiet(): Promise<void>;
  stop(): Promise<void>;
}

/** The ledgers, quiescence and stop of a core and its gNB (shared by the test networks). */
export function coreAndGnb(core: Core, gnb: Gnb): Pick<TestNetwork, 'ledgers' | 'quiet' | 'stop'> {
  return {
    ledgers: () => ({ ...core.ledgers(), gNB: gnb.ledger.snapshot() }),
    quiet: async () => {
      for (let i = 0; i < 3; i++) {
        await core.settled();
        await new Promise((r) => setTimeout(r, 30));
      }
    },
    stop: async () => {
      await gnb.stop();
      await core.stop();
    },
  };
}

/** A core (UDR in memory) and a gNB on 127.0.<third>.x, with the subscribers given (default K/OPc). */
export async function startTestNetwork(third: number, supis: string[], o: Pick<CoreOptions, 'amfTimers'> & { admission?: Partial<NetworkConfig['gnb']['admission']> } = {}): Promise<TestNetwork> {
  const cfg = testConfig(third);
  if (o.admission) cfg.gnb.admission = { ...cfg.gnb.admission, ...o.admission };
  const core = await startCore({ ...cfg, subscribers: supis.map((supi) => ({ ...DEFAULT_SUBSCRIBER, supi })) }, { database: ':memory:', ...(o.amfTimers ? { amfTimers: o.amfTimers } : {}) });
  const gnb = await Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, plmn: cfg.plmn, tac: cfg.tac, snssai: cfg.snssai, gnbId: third, name: `test-gnb-${third}`, admission: cfg.gnb.admission });
  const s = DEFAULT_SUBSCRIBER;
  return {
    cfg,
    core,
    gnb,
    ue: (supi, over = {}) => new Ue({ supi, k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: cfg.plmn, snssai: cfg.snssai, dnn: cfg.dnn, imeisv: '3560920407930101', ...over }),
    ...coreAndGnb(core, gnb),
  };
}
