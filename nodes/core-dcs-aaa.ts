// TS 23.502 4.2.2.2.4 step 9-1 in the one-process core: a DCS hosting an AAA server (config
// snpn.aaa). The ON-SNPN's NSSAAF (nodes/nssaaf, Nnssaaf_AIW on the SBI at snpn.aaa.nssaafAddress)
// and the DCS's AAA server (nodes/aaa, RADIUS on snpn.aaa.address:1812) start beside the core,
// after it, or each in its own process (`wire5g start nssaaf`, `wire5g start aaa`); the AUSF (nodes/ausf/eap-aaa.ts) sends the SUCIs of snpn.aaa.realm through the
// NSSAAF. The AAA server holds the Default UE Credentials of the subscribers of that realm (keyed
// by their NAI, the identity of EAP-Response/Identity); the ON-SNPN's UDR does not (core.ts).

import { AaaServer, type AaaSubscriber } from './aaa/aaa.ts';
import { nssaafRoutes } from './nssaaf/aiw.ts';
import { naiOfSupi, type AaaDcsRoute } from './ausf/eap-aaa.ts';
import { SbiHost, type NfNamer } from './common/sbi-host.ts';
import { servingNetworkName } from './common/aka.ts';
import type { NetworkConfig } from './common/config.ts';
import type { ResourceLedger } from './common/ledger.ts';
import type { WireTap } from '../transport/tap.ts';

/** The AUSF's route to the DCS's AAA server, when snpn.aaa is configured. */
export function aaaRoute(cfg: NetworkConfig): AaaDcsRoute | undefined {
  const a = cfg.snpn?.aaa;
  return a ? { realm: a.realm, nssaafUri: `http://${a.nssaafAddress}:${cfg.ports.sbi}` } : undefined;
}

/** Whether a subscriber is the DCS's AAA server's (its SUPI's realm is snpn.aaa.realm), not the ON-SNPN UDR's. */
export function isAaaSubscriber(cfg: NetworkConfig, supi: string): boolean {
  return cfg.snpn?.aaa !== undefined && supi.endsWith(`@${cfg.snpn.aaa.realm}`);
}

/** The AAA server or the NSSAAF as an NF of the core (ledgers DCS-AAA, NSSAAF). */
export interface DcsAaaNf {
  nf: 'aaa' | 'nssaaf';
  ledger: ResourceLedger;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

type StartOptions = { nameOf: NfNamer; tap?: WireTap; log?: (line: string) => void };

/** The DCS's AAA server (RADIUS on snpn.aaa.address:1812) with the Default UE Credentials of its realm's subscribers. */
export async function startAaa(cfg: NetworkConfig, o: StartOptions): Promise<DcsAaaNf> {
  const a = cfg.snpn!.aaa!;
  const subscribers = new Map<string, AaaSubscriber>(cfg.subscribers.filter((s) => isAaaSubscriber(cfg, s.supi)).map((s) => [naiOfSupi(s.supi), { k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn }]));
  const aaa = await AaaServer.start({ address: a.address, secret: a.secret, networkName: servingNetworkName(cfg.plmn.mcc, cfg.plmn.mnc, cfg.snpn!.nid), subscribers, ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}) });
  return { nf: 'aaa', ledger: aaa.ledger, settled: async () => {}, stop: () => aaa.stop() };
}

/** The ON-SNPN's NSSAAF (Nnssaaf_AIW on the SBI at snpn.aaa.nssaafAddress), relaying to the AAA server over RADIUS. */
export async function startNssaaf(cfg: NetworkConfig, o: StartOptions): Promise<DcsAaaNf> {
  const a = cfg.snpn!.aaa!;
  const common = { ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}) };
  const nssaaf = await nssaafRoutes({ baseUri: `http://${a.nssaafAddress}:${cfg.ports.sbi}`, address: a.nssaafAddress, aaa: { address: a.address, secret: a.secret }, ...(o.tap ? { tap: o.tap } : {}) });
  const host = await SbiHost.serve({ nf: 'NSSAAF', address: a.nssaafAddress, port: cfg.ports.sbi, nameOf: o.nameOf, routes: nssaaf.routes, ...common }, SbiHost.client({ nf: 'NSSAAF', address: a.nssaafAddress, nameOf: o.nameOf, ...common })).catch(async (e: unknown) => {
    await nssaaf.close();
    throw e;
  });
  return { nf: 'nssaaf', ledger: nssaaf.ledger, settled: () => host.server.settled(), stop: async () => { await host.close(); await nssaaf.close(); } };
}

/**
 * Starts the AAA server, then the NSSAAF, in this process (the one-process core); `wire5g start
 * aaa` and `wire5g start nssaaf` run each alone (cli/start.ts).
 */
export async function startDcsAaa(cfg: NetworkConfig, o: StartOptions): Promise<DcsAaaNf[]> {
  const aaa = await startAaa(cfg, o);
  try {
    return [aaa, await startNssaaf(cfg, o)];
  } catch (e) {
    await aaa.stop();
    throw e;
  }
}
