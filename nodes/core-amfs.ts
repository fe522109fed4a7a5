// The AMFs of a network as the core starts them (config `amfs`, TS 23.501 6.3.5): each with its own
// address for N2 and the SBI, its GUAMI, AMF Set, slices and tracking areas, its peers configured
// or found at the NRF (TS 23.502 4.17.4), and its NF profile registered there (TS 29.510 5.2.2.2).

import { nfInstanceId } from './common/nf-instance.ts';
import { Amf } from './amf/amf.ts';
import { SbiHost } from './common/sbi-host.ts';
import { amfInstances, type NetworkConfig, type AmfInstance } from './common/config.ts';
import { homeView } from './roaming.ts';
import { nfProfileOf } from './common/nrf-registration.ts';
import { discoverPeers, type SbiPeer } from './common/nrf-discovery.ts';
import { sbiUri, nfNamer, dcsConfig, withRegistration, type CoreOptions, type NfHandle } from './core.ts';

/** One AMF of the network (amfInstances): its own address for N2 and the SBI, GUAMI, slices and TAs. */
export async function startAmf(cfg: NetworkConfig, a: AmfInstance, o: CoreOptions, host: (name: string, address: string) => ReturnType<typeof SbiHost.client>, serve: (name: string, address: string, routes: Parameters<typeof SbiHost.serve>[0]['routes'], c: ReturnType<typeof SbiHost.client>) => Promise<SbiHost>, uri: (peer: 'ausf' | 'udm' | 'pcf' | 'smf') => string = (peer) => sbiUri(cfg, peer)): Promise<NfHandle & { amf: Amf }> {
  const c = host(a.nf, a.address);
  const amf = new Amf({
    address: a.address,
    sbiPort: cfg.ports.sbi,
    ngapUdpPort: cfg.ports.ngapUdp,
    instanceId: nfInstanceId('AMF', a.address),
    name: a.name,
    nf: a.nf,
    plmn: cfg.plmn,
    tacs: a.tacs,
    snssais: a.snssais,
    dnn: cfg.dnn,
    guami: a.guami,
    relativeCapacity: a.relativeCapacity,
    t3512Seconds: cfg.amf.t3512Seconds,
    security: { ciphering: cfg.security.ciphering },
    authenticateUpdates: cfg.amf.authenticateUpdates,
    reallocation: cfg.amf.reallocation,
    ...(cfg.emergency.enabled ? { emergencyDnn: cfg.emergency.dnn } : {}),
    ...(cfg.snpn ? { snpn: {
      nid: cfg.snpn.nid,
      onboarding: { snssai: cfg.snpn.onboarding.snssai, dnn: cfg.snpn.onboarding.dnn, deregistrationTimerMs: o.amfTimers?.onboardingDeregistrationMs ?? cfg.snpn.onboarding.deregistrationTimerSeconds * 1000, imeisvRequest: cfg.snpn.onboarding.imeisvRequest ?? true },
      ...(cfg.snpn.dcs ? { dcs: { realm: cfg.snpn.dcs.realm, ausfUri: sbiUri(dcsConfig(cfg), 'ausf') } } : {}),
      ...(cfg.snpn.aaa ? { aaaRealm: cfg.snpn.aaa.realm } : {}),
    } } : {}),
    // the configured peers, or (nrf.discovery) those the NRF gave
    uris: { ausf: uri('ausf'), udm: uri('udm'), pcf: uri('pcf'), smf: uri('smf'), ...(cfg.eir ? { eir: `http://${cfg.eir.address}:${cfg.ports.sbi}` } : {}), ...(cfg.roaming.enabled ? {} : { nssf: sbiUri(cfg, 'nssf') }), ...(!cfg.roaming.enabled || cfg.nrf.discovery ? { nrf: sbiUri(cfg, 'nrf') } : {}) },
    ...(cfg.roaming.enabled ? { homeNetworks: [{ plmn: cfg.roaming.home.plmn, ausf: sbiUri(homeView(cfg), 'ausf'), udm: sbiUri(homeView(cfg), 'udm'), smf: sbiUri(homeView(cfg), 'smf'), localBreakout: cfg.roaming.localBreakout }] } : {}),
    // the first AMF by sbiUri (an FQDN when roaming); the others by their own address
    baseUri: a.address === cfg.addresses.amf ? sbiUri(cfg, 'amf') : `http://${a.address}:${cfg.ports.sbi}`,
    // the old AMF of a 5G-GUTI (TS 23.502 4.2.2.2.2 step 4): the configured AMFs by GUAMI, else (nrf.discovery) asked for at the NRF (uris.nrf)
    ...(cfg.nrf.discovery ? {} : { peerAmfs: amfInstances(cfg).filter((x) => x.address !== a.address).map((x) => ({ guami: x.guami, uri: x.address === cfg.addresses.amf ? sbiUri(cfg, 'amf') : `http://${x.address}:${cfg.ports.sbi}` })) }),
    ...(o.tap ? { tap: o.tap } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.amfTimers ? { timers: o.amfTimers } : {}),
    ...(o.log ? { log: o.log } : {}),
  }, c.client);
  const h = await serve(a.nf, a.address, amf.routes, c);
  await amf.start();
  // settled: also the undo of a creation whose answer came after its time-out (late-answers.ts), for every AMF of the network
  return { nf: 'amf', ledger: amf.ledger, amf, sbi: h, settled: async () => { await amf.settled(); await h.server.settled(); await h.http.settled(); }, stop: async () => { await amf.stop(); await h.close(); } };
}

/** The AMFs after the first (config `amfs`), started like it (visited PLMN only). */
export async function startOtherAmfs(cfg: NetworkConfig, o: CoreOptions = {}): Promise<(NfHandle & { amf: Amf })[]> {
  const nameOf = nfNamer(cfg);
  const host = (name: string, address: string) => SbiHost.client({ nf: name, address, nameOf, ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}), ...(o.sbiTimeoutMs ? { timeoutMs: o.sbiTimeoutMs } : {}) });
  const serve = (name: string, address: string, routes: Parameters<typeof SbiHost.serve>[0]['routes'], c: ReturnType<typeof host>) =>
    SbiHost.serve({ nf: name, address, port: cfg.ports.sbi, routes, nameOf, ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}) }, c);
  const out: (NfHandle & { amf: Amf })[] = [];
  try {
    for (const a of amfInstances(cfg).slice(1)) {
      // issue 18: each AMF finds its peers at the NRF (nrf.discovery) and registers its own profile (its GUAMI, Set, TAs, slices)
      let peers = new Map<SbiPeer, string>();
      if (cfg.nrf.discovery) {
        const d = host(a.nf, a.address);
        peers = await discoverPeers('amf', cfg, d.client, sbiUri(cfg, 'nrf'), o.log ? { log: o.log } : {}).finally(() => d.http.close());
      }
      const h = await startAmf(cfg, a, o, host, serve, (peer) => peers.get(peer) ?? sbiUri(cfg, peer));
      out.push(await withRegistration(h, cfg, o, nfProfileOf('AMF', nfInstanceId('AMF', a.address), a.address, cfg, h.amf.routes, a), a.nf).catch(async (e: unknown) => {
        await h.stop();
        throw e;
      }));
    }
  } catch (e) {
    for (const h of out.reverse()) await h.stop().catch(() => undefined);
    throw e;
  }
  return out;
}
