// The 5G core of a wire5g network, each NF on its own loopback address and talking to the others
// only through the transport layer's sockets: UDR, UDM, AUSF, PCF over the SBI (HTTP/2); SMF and
// UPF over N4 (PFCP); AMF over the SBI and N2 (NGAP over SCTP over UDP). `startNf` starts one NF
// (a process of its own runs one: `wire5g start <nf>`), `startCore` all of them in this process.

import { nfInstanceId } from './common/nf-instance.ts';
import { UdrStore } from './udr/store.ts';
import { udrRoutes } from './udr/service.ts';
import { udmRoutes } from './udm/service.ts';
import { ausfRoutes } from './ausf/service.ts';
import { pcfRoutes } from './pcf/service.ts';
import { smfRoutes } from './smf/service.ts';
import type { Smf } from './smf/context.ts';
import type { Pcf } from './pcf/context.ts';
import { bsfRoutes } from './bsf/service.ts';
import { chfRoutes } from './chf/service.ts';
import { nwdafRoutes } from './nwdaf/service.ts';
import { afRoutes } from './af/service.ts';
import { policyDataNotifier } from './udr/policy-data-notify.ts';
import { subscriptionDataNotifier } from './udr/subscription-data-notify.ts';
import { startAmf, startOtherAmfs } from './core-amfs.ts';

/** The UDR's O&M: a subscriber's policy data changed (Nudr_DM_Notify to the PCF, issue 16). */
export interface UdrOam {
  notifyPolicyDataChange(supi: string): Promise<number>;
  /** Nudr_DM_Notify of changed subscription data to the UDM's subscriptions (udr/subscription-data-notify.ts). */
  notifySubscriptionDataChange(supi: string): Promise<number>;
}

/** The AF's O&M (`wire5g ctl af ...`, issue 16). */
export type AfOam = Pick<ReturnType<typeof afRoutes>, 'createAppSession' | 'deleteAppSession' | 'hasAppSession' | 'subscribePcEvents' | 'modifyPcEvents' | 'unsubscribePcEvents' | 'pcEventsOf'>;
/** The CHF's O&M: a policy counter's status changes (TS 29.594 Notify). */
export type ChfOam = Pick<ReturnType<typeof chfRoutes>, 'setStatus' | 'abort' | 'chargingSessionOf'>;
import type { DeregistrationReason } from './udm/procedures/deregistration-notification.ts';

/** The UDM's O&M trigger (`wire5g ctl udm withdraw`). */
export interface UdmOam {
  notifyDeregistration(supi: string, reason: DeregistrationReason): Promise<void>;
  /** TS 23.502 4.5.1 after the subscription changed in the UDR; resolves with the subscribers notified. */
  notifySubscriptionChange(supi: string): Promise<number>;
}
import { HomeRoutedN4 } from './smf/n4-home-routed.ts';
import { nasSmN1, ngapSmN2 } from './smf/adapters.ts';
import { Upf } from './upf/upf.ts';
import { Amf, type AmfTimers } from './amf/amf.ts';
import { Pvs, COAP_PORT, type SoSnpnCredentials } from './pvs/pvs.ts';
import { startEir } from './eir/eir.ts';
import { aaaRoute, isAaaSubscriber, startDcsAaa } from './core-dcs-aaa.ts';
import { SbiHost, type NfNamer } from './common/sbi-host.ts';
import { homeNetworkAka, type HomeNetworkKey } from './common/home-network-aka.ts';
import { servingNetworkName } from './common/aka.ts';
import { amfInstances, type NetworkConfig } from './common/config.ts';
import { ResourceLedger, type LedgerSnapshot } from './common/ledger.ts';
import { PfcpEndpoint } from '../transport/udp/pfcp-endpoint.ts';
import type { WireTap } from '../transport/tap.ts';
import { homeView, routeFor, roamingNames, fqdnName, startSepps, type PlmnSide, type Sepps } from './roaming.ts';
import { nfFqdn } from './common/roaming-config.ts';
import { realClock, type Clock } from '../transport/clock.ts';
import type { SbiRoute } from './common/sbi.ts';
import { nrfRoutes } from './nrf/service.ts';
import { nssfRoutes } from './nssf/service.ts';
import { withNrfRegistration, nfProfileOf } from './common/nrf-registration.ts';
import { discoverPeers, type SbiPeer } from './common/nrf-discovery.ts';
import type { NFProfile } from './common/nf-profile-type.ts';
import { PeerWatch } from './common/nrf-status-watch.ts';
import type { SbiClient } from './common/sbi.ts';

/** TS 29.244 leaves the heartbeat period to the operator: one a minute. */
export const DEFAULT_PFCP_HEARTBEAT_MS = 60_000;

import { CORE_NFS, START_ORDER, type CoreNf } from './core-nfs.ts';
export { CORE_NFS, START_ORDER, type CoreNf };

export interface NfHandle {
  nf: CoreNf | 'pvs' | 'eir' | 'aaa' | 'nssaaf';
  ledger: ResourceLedger;
  stop(): Promise<void>;
  /** Resolves when the NF has no work in flight (after-response tasks, procedures). */
  settled(): Promise<void>;
  /** An SBI NF's server and client (their stats: requests, cancelled, undelivered; calls, timeouts). */
  sbi?: SbiHost;
}

export interface CoreOptions {
  tap?: WireTap;
  clock?: Clock;
  log?: (line: string) => void;
  /** Home network private keys for SUCI profiles A/B (the UDM's SIDF). */
  homeNetworkKeys?: HomeNetworkKey[];
  /** Override of the UDR database (e.g. ':memory:' in tests). */
  database?: string;
  /** Shorter AMF guard timers (tests of abandoned procedures). */
  amfTimers?: Partial<AmfTimers>;
  /** How long an NF waits for an SBI answer (default: the client's, 5 s). */
  sbiTimeoutMs?: number;
  /**
   * The clock of the NFs' SBI answer time-outs (default: the real one; the running network keeps
   * it). Tests give a VirtualClock to time a call out when they say (test/amf/late-answers.test.ts).
   */
  sbiClock?: Clock;
  /**
   * The routes an NF serves, as given to its SBI server: `nf` is its name ('PCF', 'H-UDM', ...).
   * Tests wrap a producer's handler here, e.g. to hold its answer past the consumer's time-out.
   */
  servedRoutes?: (nf: string, routes: SbiRoute[]) => SbiRoute[];
  /** PFCP Association Setup attempts (each N1 x T1) before the SMF gives up on its UPF; default 20. */
  upfAssociationAttempts?: number;
  /**
   * Period of the SMF's PFCP Heartbeat Requests to its UPF (TS 29.244 7.4.2), on `clock`; a new
   * Recovery Time Stamp in the answer is a UPF restart (nodes/smf/procedures/upf-restart.ts).
   * Default 60 s; 0 sends none.
   */
  pfcpHeartbeatMs?: number;
  /** The PLMN of the NF in a roaming run (issue 17): 'home' starts the home PLMN's one of `cfg.roaming`. */
  side?: PlmnSide;
  /** The UDR, UDM or AUSF being started is the DCS's of snpn.dcs (dcsConfig), not the ON-SNPN's. */
  dcs?: boolean;
}

/** 'http://127.0.0.12:8080'; with roaming on, by FQDN ('http://udm.5gc.mnc001.mcc001.3gppnetwork.org:8080', nodes/sepp/routing.ts). */
export function sbiUri(cfg: NetworkConfig, nf: 'amf' | 'smf' | 'ausf' | 'udm' | 'udr' | 'pcf' | 'bsf' | 'chf' | 'nwdaf' | 'af' | 'nrf' | 'nssf'): string {
  if (cfg.roaming.enabled) return `http://${nfFqdn(nf, cfg.plmn)}:${cfg.ports.sbi}`;
  return `http://${cfg.addresses[nf]}:${cfg.ports.sbi}`;
}

/** Names an NF by its address (or, roaming, its FQDN), for the ladder. */
export function nfNamer(cfg: NetworkConfig): NfNamer {
  const byAddress = new Map(Object.entries(cfg.addresses).map(([nf, a]) => [a, nf === 'gnb' ? 'gNB' : nf.toUpperCase()]));
  // an onboarding SNPN's PVS and DCS (TS 23.502 4.2.2.2.4)
  if (cfg.snpn?.pvs) byAddress.set(cfg.snpn.pvs.address, 'PVS');
  for (const [nf, a] of Object.entries(cfg.snpn?.dcs?.addresses ?? {})) byAddress.set(a, `DCS-${nf.toUpperCase()}`);
  if (cfg.eir) byAddress.set(cfg.eir.address, 'EIR');
  if (cfg.snpn?.aaa) for (const [a, n] of [[cfg.snpn.aaa.nssaafAddress, 'NSSAAF'], [cfg.snpn.aaa.address, 'DCS-AAA']] as const) byAddress.set(a, n);
  if (cfg.roaming.enabled) for (const [k, v] of roamingNames(cfg)) byAddress.set(k, v);
  for (const a of amfInstances(cfg).slice(1)) byAddress.set(a.address, a.nf);
  return (host) => byAddress.get(host) ?? (cfg.roaming.enabled ? fqdnName(cfg, host) : undefined) ?? host;
}

const plmnId = (cfg: NetworkConfig) => `${cfg.plmn.mcc}${cfg.plmn.mnc}`;

/** Starts one core NF of `cfg` on its address. */
export async function startNf(nf: CoreNf, full: NetworkConfig, o: CoreOptions = {}): Promise<NfHandle & { amf?: Amf; upf?: Upf; store?: UdrStore; smf?: Smf; udm?: UdmOam; pcf?: Pcf; af?: AfOam; chf?: ChfOam; udr?: UdrOam }> {
  const nameOf = nfNamer(full);
  const side = o.side ?? 'visited';
  if (side === 'home') {
    if (!full.roaming.enabled) throw new Error(`${nf}: the home PLMN runs only with roaming.enabled`);
    if (nf === 'amf') throw new Error('the home PLMN of a home-routed roaming run has no AMF');
    if (nf === 'nrf' || nf === 'nssf') throw new Error(`the home PLMN's ${nf.toUpperCase()} is not emulated in a roaming run`);
  }
  const cfg = side === 'home' ? homeView(full) : full;
  const route = routeFor(full, side);
  const h = await startOneNf(nf, cfg, full, { ...o, nameOf, route });
  // the home PLMN's NFs in the ladder and the ledgers: 'H-UDR' beside the visited 'UDR'
  return side === 'home' ? { ...h, ledger: h.ledger.renamed(`H-${h.ledger.nf}`) } : h;
}

type StartedNf = NfHandle & { amf?: Amf; upf?: Upf; store?: UdrStore; smf?: Smf; udm?: UdmOam; pcf?: Pcf; af?: AfOam; chf?: ChfOam; udr?: UdrOam };
type StartContext = CoreOptions & { nameOf: NfNamer; route: ReturnType<typeof routeFor> };

/**
 * Starts the NF and registers its NFProfile with the NRF (TS 23.502 4.17.1), deregistering when it
 * stops (4.17.2). The NRF itself, the UPF (no SBI), the home PLMN's NFs of a roaming run (their
 * PLMN's NRF is not emulated) and a DCS's NFs (another network's) do not register.
 */
async function startOneNf(nf: CoreNf, cfg: NetworkConfig, full: NetworkConfig, o: StartContext): Promise<StartedNf> {
  let served: SbiRoute[] = [];
  let watch: PeerWatch | undefined;
  const started = await startServing(nf, cfg, full, o, (routes) => (served = routes), (w) => (watch = w));
  // issue 18: the peers found at the NRF are watched there, and found again when they leave (nrf-status-watch.ts)
  const w = watch ? await watched(started, watch) : started;
  // an NF is settled when the undo of a creation whose 201 came after its time-out is done too
  // (SbiCallOptions.lateAnswer, docs/decisions/21-late-answers.md)
  const http = w.sbi?.http;
  const h: StartedNf = http ? { ...w, settled: async () => { await w.settled(); await http.settled(); } } : w;
  if (nf === 'nrf' || nf === 'upf' || o.side === 'home' || o.dcs || !h.sbi) return h;
  const name = nf.toUpperCase();
  return withRegistration(h, cfg, o, nfProfileOf(name, nfInstanceId(name, cfg.addresses[nf]), cfg.addresses[nf], cfg, served, nf === 'amf' ? amfInstances(cfg)[0] : undefined), name);
}

/** The NF's SBI client sending through the watch's redirection (nrf-status-watch.ts), when there is one. */
function watchedClient<C extends { client: SbiClient }>(c: C, watch: PeerWatch | undefined): C {
  return watch ? { ...c, client: watch.wrap(c.client) } : c;
}

/** A started NF whose watch subscribes now and unsubscribes when it stops. */
async function watched(h: StartedNf, watch: PeerWatch): Promise<StartedNf> {
  await watch.start();
  return { ...h, settled: async () => { await h.settled(); await watch.settled(); }, stop: async () => { await watch.stop(); await h.stop(); } };
}

/** Registers a started NF's profile with the NRF of `cfg` (nodes/common/nrf-registration.ts withNrfRegistration). */
export const withRegistration = <H extends NfHandle>(h: H, cfg: NetworkConfig, o: CoreOptions, profile: NFProfile, name: string): Promise<H> =>
  withNrfRegistration(h, { nrfUri: sbiUri(cfg, 'nrf'), profile: { ...profile, heartBeatTimer: cfg.nrf.heartBeatSeconds }, sbi: h.sbi!.client, clock: o.clock ?? realClock, name, ...(o.log ? { log: o.log } : {}) });

async function startServing(nf: CoreNf, cfg: NetworkConfig, full: NetworkConfig, o: StartContext, onRoutes: (routes: SbiRoute[]) => void, onWatch: (w: PeerWatch) => void = () => {}): Promise<StartedNf> {
  const nameOf = o.nameOf;
  const label = (name: string) => (o.side === 'home' ? `H-${name}` : name);
  let watch: PeerWatch | undefined;
  const host = (name: string, address: string) => watchedClient(SbiHost.client({ nf: label(name), address, nameOf, ...(o.route ? { route: o.route } : {}), ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}), ...(o.sbiTimeoutMs ? { timeoutMs: o.sbiTimeoutMs } : {}), ...(o.sbiClock ? { clock: o.sbiClock } : {}) }), watch);
  const serve = (name: string, address: string, routes: SbiRoute[], c: ReturnType<typeof host>) => {
    onRoutes(routes);
    const served = o.servedRoutes ? o.servedRoutes(label(name), routes) : routes;
    return SbiHost.serve({ nf: label(name), address, port: cfg.ports.sbi, routes: watch ? [...served, watch.route()] : served, nameOf, ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}) }, c);
  };
  const aka = homeNetworkAka(o.homeNetworkKeys ?? []);
  // the NF's SBI client, bound to its address (the UPF has none)
  let c = host(nf.toUpperCase(), cfg.addresses[nf]);
  // issue 18: with nrf.discovery on, the peers' apiRoots as the NRF gives them (TS 23.502 4.17.4)
  const peers = cfg.nrf.discovery && o.side !== 'home' && !o.dcs ? await discoverPeers(nf, cfg, c.client, sbiUri(cfg, 'nrf'), o.log ? { log: o.log } : {}) : new Map<SbiPeer, string>();
  if (peers.size && nf !== 'upf' && nf !== 'nrf') {
    watch = new PeerWatch({ nf, cfg, sbi: c.client, nrfUri: sbiUri(cfg, 'nrf'), baseUri: sbiUri(cfg, nf), peers, ...(o.log ? { log: o.log } : {}) });
    onWatch(watch);
    c = watchedClient(c, watch);
  }
  const uri = (peer: Parameters<typeof sbiUri>[1]) => peers.get(peer as SbiPeer) ?? sbiUri(cfg, peer);
  switch (nf) {
    // issue 18: the NRF, started first; every other NF registers with it
    case 'nrf': {
      const nrf = nrfRoutes({ baseUri: uri('nrf'), plmn: cfg.plmn, heartBeatSeconds: cfg.nrf.heartBeatSeconds, validitySeconds: cfg.nrf.validitySeconds, clock: o.clock ?? realClock, ...(o.log ? { log: o.log } : {}) }, c.client);
      const h = await serve('NRF', cfg.addresses.nrf, nrf.routes, c);
      return { nf, ledger: nrf.registry.ledger, sbi: h, settled: async () => { await h.server.settled(); await nrf.registry.settled(); }, stop: async () => { nrf.registry.close(); await h.close(); } };
    }
    case 'nssf': {
      const nssf = nssfRoutes(cfg, uri('nrf'));
      const h = await serve('NSSF', cfg.addresses.nssf, nssf.routes, c);
      return { nf, ledger: nssf.ledger, sbi: h, settled: () => h.server.settled(), stop: () => h.close() };
    }
    case 'udr': {
      const store = new UdrStore(o.dcs ? ':memory:' : (o.database ?? cfg.udr.database));
      // the subscribers of a DCS's realm are the DCS's (TS 23.502 4.2.2.2.4 step 9-2)
      const realm = cfg.snpn?.dcs ? `@${cfg.snpn.dcs.realm}` : undefined;
      // and those of a DCS's AAA server's realm are the AAA server's (step 9-1)
      store.seed(cfg.subscribers.filter((x) => (realm ? x.supi.endsWith(realm) === (o.dcs === true) : true) && !isAaaSubscriber(cfg, x.supi)));
      const udr = udrRoutes(store, uri('udr'));
      const h = await serve('UDR', cfg.addresses.udr, udr.routes, c);
      const udrOam = { notifyPolicyDataChange: policyDataNotifier(udr.state, store, uri('udr'), c.client), notifySubscriptionDataChange: subscriptionDataNotifier(udr.state, store, c.client) };
      return { nf, ledger: udr.ledger, store, udr: udrOam, sbi: h, settled: () => h.server.settled(), stop: async () => { await h.close(); store.close(); } };
    }
    case 'udm': {
      const udm = udmRoutes({ baseUri: uri('udm'), udrUri: uri('udr'), plmnId: plmnId(cfg), ...(o.dcs && cfg.snpn?.dcs ? { pvsAddresses: cfg.snpn.dcs.pvsAddresses } : {}), ...(o.log ? { log: o.log } : {}) }, c.client, aka);
      const h = await serve('UDM', cfg.addresses.udm, udm.routes, c);
      return { nf, ledger: udm.ledger, sbi: h, udm: { notifyDeregistration: udm.notifyDeregistration, notifySubscriptionChange: udm.notifySubscriptionChange }, settled: () => h.server.settled(), stop: () => h.close() };
    }
    case 'ausf': {
      const aaa = o.dcs || o.side === 'home' ? undefined : aaaRoute(cfg);
      const ausf = ausfRoutes({ ...(aaa ? { aaa } : {}), ...(o.dcs ? { udmStep: '4.2.2.2.4 step 9-2' } : {}), baseUri: uri('ausf'), udmUri: uri('udm'), instanceId: nfInstanceId('AUSF', cfg.addresses.ausf), servingNetworkNames: [servingNetworkName(cfg.plmn.mcc, cfg.plmn.mnc), ...(o.side === 'home' ? [servingNetworkName(full.plmn.mcc, full.plmn.mnc)] : []), ...(cfg.snpn ? [servingNetworkName(cfg.plmn.mcc, cfg.plmn.mnc, cfg.snpn.nid)] : [])] }, c.client, aka);
      const h = await serve('AUSF', cfg.addresses.ausf, ausf.routes, c);
      return { nf, ledger: ausf.ledger, sbi: h, settled: () => h.server.settled(), stop: () => h.close() };
    }
    case 'pcf': {
      const pcf = pcfRoutes({ baseUri: uri('pcf'), udrUri: uri('udr'), around: { bsfUri: uri('bsf'), chfUri: uri('chf'), nwdafUri: uri('nwdaf'), address: cfg.addresses.pcf, port: cfg.ports.sbi, policy: cfg.pcf }, plmn: cfg.plmn, ...(cfg.roaming.enabled ? { supiPrefix: `imsi-${cfg.plmn.mcc}${cfg.plmn.mnc}` } : {}), ...(o.log ? { log: o.log } : {}) }, c.client);
      const h = await serve('PCF', cfg.addresses.pcf, pcf.routes, c);
      return { nf, ledger: pcf.ledger, sbi: h, pcf: pcf.pcf, settled: () => h.server.settled(), stop: () => h.close() };
    }
    case 'upf': {
      const pvs = cfg.snpn?.pvs;
      const upf = await Upf.start({ address: cfg.addresses.upf, pfcpPort: cfg.ports.pfcp, gtpuPort: cfg.ports.gtpu, captureUserPlane: true, ...(pvs ? { n6Routes: [{ address: pvs.dnAddress, port: COAP_PORT, to: { address: pvs.address, port: COAP_PORT } }] } : {}), ...(o.tap ? { tap: o.tap } : {}), ...(o.clock ? { clock: o.clock } : {}), ...(o.log ? { log: o.log } : {}) });
      return { nf, ledger: upf.ledger, upf, settled: async () => {}, stop: () => upf.stop() };
    }
    case 'smf': {
      const recovery = Math.floor(Date.now() / 1000) + 2_208_988_800; // NTP seconds (TS 29.244 8.2.65)
      const pfcp = await PfcpEndpoint.open({ address: cfg.addresses.smf, port: cfg.ports.pfcp, recoveryTimeStamp: recovery, ...(o.tap ? { tap: o.tap } : {}), ...(o.clock ? { clock: o.clock } : {}), ...(o.log ? { log: o.log } : {}) });
      // HomeRoutedN4: the SmfN4 of a non-roaming session, and a V-UPF's session for home-routed ones (issue 17)
      const n4 = new HomeRoutedN4({ endpoint: pfcp, upf: { address: cfg.addresses.upf, port: cfg.ports.pfcp }, smfAddress: cfg.addresses.smf, recoveryTimeStamp: recovery, names: { smf: label('SMF'), upf: label('UPF') } });
      // TS 29.244 6.2.6: the PFCP association is set up when the SMF starts; the SMF serves nothing
      // until it is, retrying a UPF that is not up yet (its own process may still be starting)
      for (let attempt = 1; ; attempt++) {
        try {
          await n4.associate();
          break;
        } catch (e) {
          if (attempt >= (o.upfAssociationAttempts ?? 20)) {
            await pfcp.close();
            throw e;
          }
          o.log?.(`[SMF] UPF ${cfg.addresses.upf}:${cfg.ports.pfcp}: PFCP Association Setup unanswered (${e instanceof Error ? e.message : String(e)}); trying again (${attempt}/${o.upfAssociationAttempts ?? 20})`);
        }
      }
      const c = host('SMF', cfg.addresses.smf);
      const smf = smfRoutes({ baseUri: uri('smf'), instanceId: nfInstanceId('SMF', cfg.addresses.smf), udmUri: uri('udm'), pcfUri: uri('pcf'), ...(cfg.chf.convergedCharging ? { chfUri: uri('chf') } : {}), uePool: cfg.uePool, plmn: cfg.plmn, dnns: [cfg.dnn, ...(cfg.snpn && cfg.snpn.onboarding.dnn !== cfg.dnn ? [cfg.snpn.onboarding.dnn] : [])], ...(cfg.snpn?.pvs ? { pvsAddresses: [cfg.snpn.pvs.dnAddress, ...(cfg.snpn.pvs.fqdn ? [cfg.snpn.pvs.fqdn] : [])] } : {}), ...(cfg.emergency.enabled ? { emergency: cfg.emergency } : {}), ...(full.roaming.enabled && o.side !== 'home' ? { homeNetworks: [{ plmn: full.roaming.home.plmn, udmUri: sbiUri(homeView(full), 'udm') }] } : {}), ...(o.log ? { log: o.log } : {}) }, c.client, n4, nasSmN1, ngapSmN2, undefined, o.clock);
      // TS 29.244 7.4.2: the SMF's heartbeat to its UPF; a restart shows in the answer's Recovery Time Stamp (6.2.2)
      const heartbeatMs = o.pfcpHeartbeatMs ?? DEFAULT_PFCP_HEARTBEAT_MS;
      if (heartbeatMs > 0) pfcp.startHeartbeat({ address: cfg.addresses.upf, port: cfg.ports.pfcp }, heartbeatMs);
      pfcp.on('heartbeat-lost', (peer) => o.log?.(`[SMF] PFCP Heartbeat to the UPF ${peer.address}:${peer.port} unanswered (N1 x T1, TS 29.244 6.2.2)`));
      const h = await serve('SMF', cfg.addresses.smf, smf.routes, c);
      // settled also waits for a late SM policy 201 being undone (establishment.ts smPolicy, its lateAnswer)
      return { nf, ledger: smf.ledger, sbi: h, smf: smf.smf, settled: async () => { await h.server.settled(); await h.http.settled(); }, stop: async () => { await h.close(); await pfcp.close(); } };
    }
    case 'amf':
      return startAmf(cfg, amfInstances(cfg)[0], o, host, serve, uri);
    // issue 16: the NFs around the PCF in SM Policy Association Termination (TS 23.502 4.16.6)
    case 'bsf': {
      const bsf = bsfRoutes(uri('bsf'));
      const h = await serve('BSF', cfg.addresses.bsf, bsf.routes, c);
      return { nf, ledger: bsf.ledger, sbi: h, settled: () => h.server.settled(), stop: () => h.close() };
    }
    case 'chf': {
      const chf = chfRoutes(uri('chf'), cfg.chf.policyCounters, c.client);
      const h = await serve('CHF', cfg.addresses.chf, chf.routes, c);
      return { nf, ledger: chf.ledger, sbi: h, chf, settled: () => h.server.settled(), stop: () => h.close() };
    }
    case 'nwdaf': {
      const nwdaf = nwdafRoutes(uri('nwdaf'), c.client);
      const h = await serve('NWDAF', cfg.addresses.nwdaf, nwdaf.routes, c);
      return { nf, ledger: nwdaf.ledger, sbi: h, settled: () => h.server.settled(), stop: () => h.close() };
    }
    case 'af': {
      const af = afRoutes({ baseUri: uri('af'), bsfUri: uri('bsf'), pcfUri: uri('pcf'), afAppId: 'wire5g-af' }, c.client);
      const h = await serve('AF', cfg.addresses.af, af.routes, c);
      return { nf, ledger: af.ledger, sbi: h, af, settled: () => h.server.settled(), stop: () => h.close() };
    }
  }
}


export interface Core {
  nfs: Map<CoreNf, NfHandle>;
  /** The first AMF (addresses.amf). */
  amf: Amf;
  /** Every AMF of the network (config `amfs`), the first one first. */
  amfs: Amf[];
  upf: Upf;
  /** The SMF's state, for the emulator's own O&M triggers (`wire5g ctl smf ...`). */
  smf: Smf;
  /** The UDM's O&M triggers. */
  udm: UdmOam;
  /** The PCF's state, for its O&M trigger (`wire5g ctl pcf terminate`, TS 23.502 4.16.6 case A). */
  pcf: Pcf;
  /** The AF's and the CHF's O&M (`wire5g ctl af ...`, `wire5g ctl chf ...`). */
  af: AfOam;
  chf: ChfOam;
  udr: UdrOam;
  store: UdrStore;
  /** The home PLMN of a roaming run (issue 17): its NFs, H-SMF, UDM and H-UPF, and the two SEPPs. */
  home?: { nfs: Map<CoreNf, NfHandle>; smf: Smf; udm: UdmOam; upf: Upf; pcf: Pcf; store: UdrStore; sepps: Sepps };
  /** The PVS of the onboarding SNPN (config snpn.pvs), when there is one. */
  pvs?: Pvs;
  ledgers(): Record<string, LedgerSnapshot>;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** The network as the DCS of snpn.dcs sees it: its AUSF, UDM and UDR on the DCS's addresses. */
export function dcsConfig(cfg: NetworkConfig): NetworkConfig {
  const d = cfg.snpn!.dcs!;
  return { ...cfg, addresses: { ...cfg.addresses, ausf: d.addresses.ausf, udm: d.addresses.udm, udr: d.addresses.udr } };
}

/** The same gauges under another NF name (two UDRs, UDMs, AUSFs in one summary). */
function renamedLedger(name: string, ledger: ResourceLedger): ResourceLedger {
  const out = new ResourceLedger(name);
  for (const key of Object.keys(ledger.snapshot())) out.gauge(key, () => ledger.read(key)!);
  return out;
}

/** The PVS (nodes/pvs) with the SO-SNPN credentials of snpn.pvs, from the subscribers' keys. */
function startPvs(cfg: NetworkConfig, o: CoreOptions): Promise<Pvs> {
  const snpn = cfg.snpn!;
  const credentials = new Map<string, SoSnpnCredentials>();
  for (const c of snpn.pvs!.credentials) {
    // checkNetwork made it one of the configured subscribers; a run seeds only those it uses
    const s = cfg.subscribers.find((x) => x.supi === c.supi);
    if (!s) {
      o.log?.(`[PVS] ${c.supi} is not a subscriber of this run: no SO-SNPN credentials for ${c.onboardingSupi}`);
      continue;
    }
    credentials.set(c.onboardingSupi, { supi: s.supi, k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, nid: snpn.nid });
  }
  return Pvs.start({ address: snpn.pvs!.address, credentials, ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}) });
}

function reportStop(o: CoreOptions, nf: string, e: unknown): void {
  (o.log ?? ((l: string) => console.error(l)))(`[${nf}] stopping failed: ${e instanceof Error ? e.message : String(e)}`);
}

/** Starts every core NF in this process, in dependency order (data first, the AMF last); with roaming on, the home PLMN's NFs and the SEPPs first. */
export async function startCore(cfg: NetworkConfig, o: CoreOptions = {}): Promise<Core> {
  const nfs = new Map<CoreNf, NfHandle>();
  const homeNfs = new Map<CoreNf, NfHandle>();
  let sepps: Sepps | undefined;
  let amf: Amf | undefined, upf: Upf | undefined, store: UdrStore | undefined, smf: Smf | undefined, udm: UdmOam | undefined, homeSmf: Smf | undefined, homeUdm: UdmOam | undefined, homeUpf: Upf | undefined, pcf: Pcf | undefined, af: AfOam | undefined, chf: ChfOam | undefined, udr: UdrOam | undefined, homePcf: Pcf | undefined, homeStore: UdrStore | undefined;
  const stopAll = async () => {
    for (const h of [...nfs.values()].reverse()) await h.stop().catch((s: unknown) => reportStop(o, h.nf, s));
    if (sepps) for (const s of [sepps.vsepp, sepps.hsepp]) await s.stop().catch((e: unknown) => reportStop(o, 'sepp', e));
    for (const h of [...homeNfs.values()].reverse()) await h.stop().catch((s: unknown) => reportStop(o, h.nf, s));
  };
  try {
    if (cfg.roaming.enabled) {
      // the home PLMN (issue 17): its NFs, then both SEPPs and the N32-c handshake, before the visited AMF serves
      for (const nf of START_ORDER) {
        // the home PLMN's own NRF is not emulated (its NFs do not register); it has no AMF
        if (nf === 'amf' || nf === 'nrf' || nf === 'nssf') continue;
        const h = await startNf(nf, cfg, { ...o, side: 'home' });
        homeNfs.set(nf, h);
        homeSmf ??= h.smf;
        homeUdm ??= h.udm;
        homeUpf ??= h.upf;
        homePcf ??= h.pcf;
        homeStore ??= h.store;
      }
      sepps = await startSepps(cfg, { ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}) });
    }
    for (const nf of START_ORDER) {
      const h = await startNf(nf, cfg, o);
      nfs.set(nf, h);
      amf ??= h.amf;
      upf ??= h.upf;
      store ??= h.store;
      smf ??= h.smf;
      udm ??= h.udm;
      pcf ??= h.pcf;
      af ??= h.af;
      chf ??= h.chf;
      udr ??= h.udr;
    }
  } catch (e) {
    await stopAll();
    throw e;
  }
  const all: Pick<NfHandle, 'nf' | 'ledger' | 'settled' | 'stop'>[] = [...homeNfs.values(), ...nfs.values()];
  const seppList = sepps ? [sepps.hsepp, sepps.vsepp] : [];
  // what starts after the core (the PVS, the DCS's NFs) stops before it
  const extra: Pick<NfHandle, 'nf' | 'ledger' | 'settled' | 'stop'>[] = [];
  const stopEverything = async () => {
    for (const h of [...extra].reverse()) await h.stop().catch((s: unknown) => reportStop(o, h.nf, s));
    await stopAll();
  };
  // the PVS of an onboarding SNPN, beside the core (its users reach it through the UPF's N6)
  const pvs = cfg.snpn?.pvs ? await startPvs(cfg, o).catch(async (e: unknown) => {
    await stopEverything();
    throw e;
  }) : undefined;
  if (pvs) extra.push({ nf: 'pvs', ledger: pvs.ledger, settled: async () => {}, stop: () => pvs.stop() });
  // the DCS hosting AUSF/UDM (snpn.dcs): its UDR, UDM and AUSF, ledgers named DCS-<NF>
  if (cfg.snpn?.dcs) {
    const dcs = dcsConfig(cfg);
    for (const nf of ['udr', 'udm', 'ausf'] as const) {
      const h = await startNf(nf, dcs, { ...o, dcs: true }).catch(async (e: unknown) => {
        await stopEverything();
        throw e;
      });
      extra.push({ ...h, ledger: renamedLedger(`DCS-${h.ledger.nf}`, h.ledger) });
    }
  }
  // the 5G-EIR (config eir, TS 29.511)
  if (cfg.eir) {
    const e = cfg.eir;
    const eir = await startEir({ address: e.address, port: cfg.ports.sbi, lists: e, nameOf: nfNamer(cfg), ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}) }).catch(async (err: unknown) => {
      await stopEverything();
      throw err;
    });
    extra.push({ nf: 'eir', ledger: eir.ledger, settled: () => eir.host.server.settled(), stop: () => eir.host.close() });
  }
  // the DCS hosting an AAA server (snpn.aaa): the AAA server and the NSSAAF the AUSF reaches it through
  if (cfg.snpn?.aaa) {
    extra.push(...await startDcsAaa(cfg, { nameOf: nfNamer(cfg), ...(o.tap ? { tap: o.tap } : {}), ...(o.log ? { log: o.log } : {}) }).catch(async (err: unknown) => {
      await stopEverything();
      throw err;
    }));
  }
  // the AMFs after the first (config `amfs`): their ledgers named AMF2, AMF3...
  const otherAmfs = cfg.amfs && cfg.amfs.length > 1 && !cfg.roaming.enabled ? await startOtherAmfs(cfg, o).catch(async (e: unknown) => {
    await stopEverything();
    throw e;
  }) : [];
  extra.push(...otherAmfs);
  all.push(...extra);
  return {
    nfs,
    amf: amf!,
    amfs: [amf!, ...otherAmfs.map((h) => h.amf)],
    upf: upf!,
    store: store!,
    smf: smf!,
    udm: udm!,
    pcf: pcf!,
    af: af!,
    chf: chf!,
    udr: udr!,
    ...(cfg.roaming.enabled ? { home: { nfs: homeNfs, smf: homeSmf!, udm: homeUdm!, upf: homeUpf!, pcf: homePcf!, store: homeStore!, sepps: sepps! } } : {}),
    ledgers: () => Object.fromEntries([...all.map((h) => [h.ledger.nf, h.ledger.snapshot()]), ...seppList.map((s) => [s.ledger.nf, s.ledger.snapshot()])]),
    ...(pvs ? { pvs } : {}),
    settled: async () => {
      // twice: a settled NF may have started work on another (e.g. an after-response task calling the PCF)
      for (let i = 0; i < 2; i++) {
        for (const h of all) await h.settled();
        for (const s of seppList) await s.settled();
      }
    },
    stop: stopEverything,
  };
}
