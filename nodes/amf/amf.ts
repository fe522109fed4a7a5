// The AMF: N2 (NGAP over SCTP, TS 38.413) towards the gNBs, N1 (NAS-5GS 5GMM, TS 24.501) towards
// the UEs through them, and its service-based interface (Namf, TS 29.518) plus the services it
// consumes (Nausf, Nudm, Npcf, Nsmf). This file wires them and holds the AMF's shared state; the
// transport sides are n2.ts, n1.ts and namf.ts, and each procedure has its own file:
//   - NG Setup, TS 38.413 8.7.1                              procedures/ng-setup.ts
//   - Registration, TS 23.502 4.2.2.2.2                      procedures/registration.ts
//       mobility and periodic updates (TS 24.501 5.5.1.3)    procedures/registration-update.ts
//       5G AKA (steps 8-9a, TS 33.501 6.1.3.2)               procedures/authentication.ts
//       NAS security mode control (step 9b, 6.7.2)           procedures/security-mode.ts
//   - Registration with AMF re-allocation, TS 23.502 4.2.2.2.3 procedures/amf-reallocation.ts (initial AMF),
//       procedures/n1-message-notify.ts (target AMF, step 7(A))
//   - Registration with Onboarding SNPN, TS 23.502 4.2.2.2.4 procedures/registration-onboarding-snpn.ts
//   - PDU Session Establishment relay, TS 23.502 4.3.2.2.1   procedures/pdu-session-relay.ts
//   - UE-requested PDU Session Release relay, TS 23.502 4.3.4.2 procedures/pdu-session-release.ts
//   - UE-initiated Deregistration, TS 23.502 4.2.2.3.2       procedures/deregistration-ue.ts
//   - Network-initiated Deregistration, TS 23.502 4.2.2.3.3  procedures/deregistration-network.ts
//       implicit: mobile reachable / implicit de-registration timers (TS 24.501 5.3.7)
//                                                            procedures/implicit-deregistration.ts
//   - UE Context Release, TS 38.413 8.3.3 / 23.502 4.2.6     procedures/ue-context-release.ts
//   - releasing what is held at the SMF, PCF and UDM         procedures/held-resources.ts
// Every NAS and NGAP message it sends is a trace event; every resource it holds for a UE is on
// the UE's context and in the ledger.

import { SctpUdpEndpoint } from '../../transport/sctp-udp/endpoint.ts';
import type { SctpTimers } from '../../transport/sctp-udp/association.ts';
import { realClock, type Clock } from '../../transport/clock.ts';
import type { WireTap } from '../../transport/tap.ts';
import { bits, plmnIdentity } from '../../codecs/ngap/index.ts';
import type { SbiClient, SbiRoute } from '../common/sbi.ts';
import { ausfClient, udmClient, pcfClient, smfClient, eirClient, notifier } from '../common/sbi/client.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { SbiProblem } from '../common/sbi.ts';
import { DenseIdPool } from '../common/pools.ts';
import { Semaphore } from '../common/concurrency.ts';
import type { Plmn, Snssai } from '../common/config.ts';
import type { AmfUe, GnbContext, AmfGmmState } from './context.ts';
import { T3560_MS, T3550_MS, T3522_MS, NGAP_ANSWER_MS, ProcedureAborted, type AmfTimers } from './gmm.ts';
import { onAssociation } from './n2.ts';
import { namfRoutes } from './namf.ts';
import { startMobileReachableTimer, stopReachabilityTimers } from './procedures/implicit-deregistration.ts';
import { stopOnboardingDeregistrationTimer } from './procedures/registration-onboarding-snpn.ts';
import type { ReallocationPath } from './procedures/amf-reallocation.ts';

export { FiveGmmCause, T3560_MS, T3550_MS, T3522_MS, NAS_RETRANSMISSIONS, type AmfTimers } from './gmm.ts';

export interface AmfConfig {
  /** The AMF's own address: NGAP (SCTP over UDP) and SBI. */
  address: string;
  sbiPort: number;
  ngapUdpPort?: number;
  instanceId: string;
  name: string;
  /** Its name in the ladder, ledger and log ('AMF'; 'AMF2'... with several AMFs). */
  nf?: string;
  plmn: Plmn;
  /** The tracking areas it serves (TS 23.501 5.21: an AMF serves TAs; a gNB of one of them may set up NG). */
  tacs: number[];
  /** S-NSSAIs the AMF serves. */
  snssais: Snssai[];
  /** Default DNN when the UE names none (TS 23.502 4.3.2.2.1 step 2). */
  dnn: string;
  guami: { regionId: number; setId: number; pointer: number };
  relativeCapacity: number;
  t3512Seconds: number;
  security: { ciphering: 'NEA0' | 'NEA2' };
  /**
   * Whether a mobility or periodic registration update whose integrity the stored 5G NAS security
   * context verified is authenticated again (TS 24.501 5.4.1.1, TS 33.501 6.1.1: the network
   * decides); false keeps the context. Config key `amf.authenticateUpdates`.
   */
  authenticateUpdates?: boolean;
  /**
   * The emergency DNN of the Emergency Configuration Data (TS 23.501 5.16.4; config `emergency`):
   * present, the AMF supports emergency services (procedures/emergency.ts); absent, it does not.
   */
  emergencyDnn?: string;
  /**
   * The ON-SNPN this AMF serves beside the PLMN (its NID) and the AMF Onboarding Configuration
   * Data (TS 23.501 5.30.2.10.2.3): the S-NSSAI and DNN onboarding UEs are restricted to, and the
   * deregistration timer of an onboarding registered UE (procedures/registration-onboarding-snpn.ts).
   */
  snpn?: {
    nid: string;
    /** imeisvRequest: the Security Mode Command asks for the IMEISV (else the PEI comes by Identity Request, step 11). */
    onboarding: { snssai: Snssai; dnn: string; deregistrationTimerMs: number; imeisvRequest?: boolean };
    /** A DCS hosting AUSF/UDM (4.2.2.2.4 step 9-2): the SUCI realm it serves and its AUSF. */
    dcs?: { realm: string; ausfUri: string };
    /** 4.2.2.2.4 step 9-1: the realm of a DCS hosting an AAA server (its SUCIs go to the local AUSF, which uses EAP). */
    aaaRealm?: string;
  };
  /** Base URIs of the NFs it consumes ('http://127.0.0.11:8080'). */
  /** `eir`: a 5G-EIR (TS 29.511) the AMF checks onboarding UEs' PEIs at (4.2.2.2.4 step 12). */
  /**
   * `nssf`: slice selection for the Registration with AMF re-allocation (TS 23.502 4.2.2.2.3; absent,
   * no re-allocation); `nrf`: the one NRF the AMF asks, for the AMF Sets' AMFs (4.2.2.2.3 step 6a)
   * and for the old AMF of a 5G-GUTI not in peerAmfs (4.2.2.2.2 step 4, TS 29.510 query guami).
   */
  uris: { ausf: string; udm: string; pcf: string; smf: string; eir?: string; nssf?: string; nrf?: string };
  /** TS 23.502 4.2.2.2.3: reroute directly (7(A), default) or via the NG-RAN (7(B)) where allowed (config `amf.reallocation`). */
  reallocation?: ReallocationPath;
  /**
   * Roaming partners (issue 17): the AUSF and UDM of each home PLMN whose subscribers may register
   * here, reached through the SEPPs (their URIs name the home NFs by FQDN). `localBreakout`: the
   * DNNs whose sessions are anchored in this PLMN (TS 23.501 4.2.4, config roaming.localBreakout).
   */
  homeNetworks?: { plmn: Plmn; ausf: string; udm: string; smf: string; localBreakout?: string[] }[];
  /** Its own SBI base URI (callbacks). */
  baseUri: string;
  /** The other AMFs of the network (config `amfs`) by GUAMI: where the old AMF of a 5G-GUTI is (TS 23.502 4.2.2.2.2 step 4). */
  peerAmfs?: { guami: { regionId: number; setId: number; pointer: number }; uri: string }[];
  tap?: WireTap;
  clock?: Clock;
  sctpTimers?: Partial<SctpTimers>;
  /** NAS and NGAP guard timers (TS 24.501 Table 10.2.2 values by default); tests shorten them. */
  timers?: Partial<AmfTimers>;
  log?: (line: string) => void;
}

/** A Namf_EventExposure subscription (TS 29.518 5.3). */
export interface AmfEventSubscription {
  types: string[];
  eventNotifyUri: string;
  notifyCorrelationId: string;
  supi?: string;
}

/**
 * The AMF and its shared state. The members the procedure files read and write are public (the
 * AMF is one unit; nothing outside nodes/amf uses them but the tests' look at `stats`).
 */
export class Amf {
  readonly cfg: AmfConfig;
  readonly ledger: ResourceLedger;
  readonly routes: SbiRoute[];
  readonly sbi: SbiClient;
  /** Typed consumers of the NFs the AMF calls (nodes/common/sbi/operations.ts). */
  readonly nausf: ReturnType<typeof ausfClient>;
  /** The 5G-EIR, when configured (cfg.uris.eir). */
  readonly neir: ReturnType<typeof eirClient> | undefined;
  readonly nudm: ReturnType<typeof udmClient>;
  readonly npcf: ReturnType<typeof pcfClient>;
  readonly nsmf: ReturnType<typeof smfClient>;
  readonly notify: ReturnType<typeof notifier>;
  private readonly roamingPartners: { plmn: Plmn; udmUri: string; nausf: ReturnType<typeof ausfClient>; nudm: ReturnType<typeof udmClient> }[];
  readonly clock: Clock;
  readonly timers: AmfTimers;
  private endpoint: SctpUdpEndpoint | undefined;
  readonly gnbs = new Set<GnbContext>();
  /** UE contexts on an NG connection, by AMF UE NGAP ID. */
  readonly ues = new Map<number, AmfUe>();
  readonly bySupi = new Map<string, AmfUe>();
  readonly byTmsi = new Map<number, AmfUe>();
  readonly ngapIds = new DenseIdPool('AMF UE NGAP ID', 1 << 24);
  readonly tmsis = new DenseIdPool('5G-TMSI', 1 << 24);
  /** Namf_EventExposure subscriptions (TS 29.518 5.3), by subscription id. */
  readonly eventSubscriptions = new Map<string, AmfEventSubscription>();
  nextSubscription = 1;
  /**
   * UE-initiated deregistrations running at once (each releases SM contexts, policies and the UDM
   * registration over the SBI). 10,000 switch-offs at once otherwise put some 60,000 requests on
   * the SMF, PCF and UDM together and 1,953 of them timed out (issue 21); waiting here costs a
   * switched-off UE nothing, and the AMF's ledger still shows the UE until it is released.
   */
  readonly deregistrationSlots = new Semaphore(128);
  /** Procedures in flight (so a run can wait for quiescence). */
  private readonly inFlight = new Set<Promise<void>>();
  readonly stats = { ngapDecodeErrors: 0, ngapTolerated: 0, nasDecodeErrors: 0, nasIntegrityFailures: 0, errorIndicationsSent: 0, registrations: 0, registrationRejects: 0, deregistrations: 0, deregistrationsNotProcessed: 0, releaseRefusals: 0, releasesAfterUpdate: 0, updatesNotSentAfterRelease: 0 };

  constructor(cfg: AmfConfig, sbi: SbiClient) {
    this.cfg = cfg;
    this.ledger = new ResourceLedger(this.nf);
    this.sbi = sbi;
    this.nausf = ausfClient(sbi, cfg.uris.ausf);
    this.neir = cfg.uris.eir ? eirClient(sbi, cfg.uris.eir) : undefined;
    this.nudm = udmClient(sbi, cfg.uris.udm);
    this.npcf = pcfClient(sbi, cfg.uris.pcf);
    this.nsmf = smfClient(sbi, cfg.uris.smf);
    this.notify = notifier(sbi);
    this.roamingPartners = (cfg.homeNetworks ?? []).map((h) => ({ plmn: h.plmn, udmUri: h.udm, nausf: ausfClient(sbi, h.ausf), nudm: udmClient(sbi, h.udm) }));
    this.clock = cfg.clock ?? realClock;
    this.timers = { t3560Ms: T3560_MS, t3550Ms: T3550_MS, t3522Ms: T3522_MS, ngapAnswerMs: NGAP_ANSWER_MS, ...(cfg.timers ?? {}) };
    this.routes = namfRoutes(this);
    // every context the AMF holds: on an NG connection, or registered with none (after an N2 loss)
    const all = () => [...new Set([...this.ues.values(), ...this.bySupi.values()])];
    this.ledger
      .gauge('NG associations', () => [...this.gnbs].filter((g) => g.setUp).length)
      .gauge('UE contexts', () => this.ues.size)
      .gauge('registered UEs (by SUPI)', () => this.bySupi.size)
      .gauge('AMF UE NGAP IDs', () => this.ngapIds.inUse)
      .gauge('5G-TMSIs', () => this.tmsis.inUse)
      .gauge('UDM registrations', () => all().filter((u) => u.uecmRegistered).length)
      .gauge('SDM subscriptions', () => all().filter((u) => u.sdmSubscriptionUri).length)
      .gauge('AM policy associations', () => all().filter((u) => u.amPolicyUri).length)
      .gauge('UE policy associations', () => all().filter((u) => u.uePolicyUri).length)
      .gauge('PDU sessions', () => all().reduce((n, u) => n + u.sessions.size, 0))
      .gauge('event exposure subscriptions', () => this.eventSubscriptions.size);
  }

  /** Binds N2 (SCTP over UDP at the AMF's address). The SBI routes are served by the host. */
  async start(): Promise<void> {
    this.endpoint = await SctpUdpEndpoint.listen({
      address: this.cfg.address,
      ...(this.cfg.ngapUdpPort !== undefined ? { udpPort: this.cfg.ngapUdpPort } : {}),
      ...(this.cfg.tap ? { tap: this.cfg.tap } : {}),
      clock: this.clock,
      ...(this.cfg.sctpTimers ? { timers: this.cfg.sctpTimers } : {}),
      ...(this.cfg.log ? { log: this.cfg.log } : {}),
    });
    this.endpoint.on('association', (a) => onAssociation(this, a));
  }

  async stop(): Promise<void> {
    await this.settled();
    for (const g of this.gnbs) g.assoc.abort('AMF stopping');
    await this.endpoint?.close();
  }

  /** Resolves when no procedure is running. */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  get uesByTmsi(): ReadonlyMap<number, AmfUe> {
    return this.byTmsi;
  }

  log(line: string): void {
    this.cfg.log?.(`[${this.nf}] ${line}`);
  }

  /** Its name in the ladder, ledger and log. */
  get nf(): string {
    return this.cfg.nf ?? 'AMF';
  }

  /** Runs a procedure in the background, counted until it settles; its failure is logged. */
  track(p: Promise<void>): void {
    const t = p.catch((e: unknown) => this.log(`procedure failed: ${e instanceof Error ? e.message : String(e)}`)).finally(() => this.inFlight.delete(t));
    this.inFlight.add(t);
  }

  /** The GUAMI (TS 23.003 2.10.1) in NGAP form (TS 38.413 9.3.3.3). */
  guamiNgap() {
    return { pLMNIdentity: plmnIdentity(this.cfg.plmn.mcc, this.cfg.plmn.mnc), aMFRegionID: bits(this.cfg.guami.regionId, 8), aMFSetID: bits(this.cfg.guami.setId, 10), aMFPointer: bits(this.cfg.guami.pointer, 6) };
  }

  /** The GUAMI in SBI form (TS 29.571 5.4.4.3 Guami). */
  /**
   * The AUSF and UDM of a subscriber's home network (TS 23.501 6.3.4, 6.3.8: chosen by the home
   * network identifier of the SUCI or SUPI): a roaming partner's, through the SEPPs, or our own.
   */
  homeOf(supiOrSuci: string): { nausf: ReturnType<typeof ausfClient>; nudm: ReturnType<typeof udmClient>; udmUri: string } {
    const partner = this.roamingPartners.find((h) => supiOrSuci.startsWith(`imsi-${h.plmn.mcc}${h.plmn.mnc}`) || supiOrSuci.startsWith(`suci-0-${h.plmn.mcc}-${h.plmn.mnc}-`));
    return partner ?? { nausf: this.nausf, nudm: this.nudm, udmUri: this.cfg.uris.udm };
  }

  /**
   * The H-SMF apiRoot of a roaming UE's home PLMN (a home-routed session, TS 23.502 4.3.2.2.2);
   * undefined for our own subscribers and, given the DNN, for a roamer's DNN in local breakout
   * (TS 23.501 4.2.4: the SMF of the VPLMN anchors it, 4.3.2.2.1; no H-SMF).
   */
  homeSmfOf(supi: string | undefined, dnn?: string): string | undefined {
    const h = supi === undefined ? undefined : this.cfg.homeNetworks?.find((x) => supi.startsWith(`imsi-${x.plmn.mcc}${x.plmn.mnc}`));
    return h && (dnn === undefined || !h.localBreakout?.includes(dnn)) ? h.smf : undefined;
  }

  /**
   * The AMF's GUAMI as the SBI writes it (TS 29.571 Guami: plmnId and the 24-bit AMF Identifier as
   * 6 hex digits). The configuration does not change while the AMF runs, so it is built once and
   * shared, frozen, by every request body that carries it (three or four per UE).
   */
  guamiSbi(): { readonly plmnId: { readonly mcc: string; readonly mnc: string }; readonly amfId: string } {
    if (this.guami) return this.guami;
    const { regionId, setId, pointer } = this.cfg.guami;
    const amfId = ((regionId << 16) | (setId << 6) | pointer).toString(16).padStart(6, '0');
    return (this.guami = Object.freeze({ plmnId: Object.freeze({ mcc: this.cfg.plmn.mcc, mnc: this.cfg.plmn.mnc }), amfId }));
  }
  private guami: { readonly plmnId: { readonly mcc: string; readonly mnc: string }; readonly amfId: string } | undefined;

  /** The serving PLMN as the `plmn-id` query parameter of Nudm_SDM (TS 29.503 query parameter plmn-id: a JSON PlmnId), built once. */
  get plmnIdQuery(): string {
    return (this.plmnIdParam ??= JSON.stringify({ mcc: this.cfg.plmn.mcc, mnc: this.cfg.plmn.mnc }));
  }
  private plmnIdParam: string | undefined;

  /** Ends the UE-associated logical NG-connection (the N1/SBI state may stay: see `forget`). */
  dropUe(ue: AmfUe): void {
    if (ue.released) return;
    ue.released = true;
    for (const w of ue.waiters) {
      this.clock.clearTimeout(w.timer);
      w.reject(new ProcedureAborted('UE context released'));
    }
    ue.waiters = [];
    // NGAP answers still awaited will not come (UE Context Release Complete is awaited before the drop)
    for (const [name, w] of ue.ngapWaiters) w.reject(new ProcedureAborted(`no ${name}: UE context released`));
    ue.ngapWaiters.clear();
    if (ue.gnb.ues.get(ue.ranUeNgapId) === ue) ue.gnb.ues.delete(ue.ranUeNgapId);
    if (this.ues.get(ue.amfUeNgapId) === ue) {
      this.ues.delete(ue.amfUeNgapId);
      this.ngapIds.release(ue.amfUeNgapId);
    }
    // a registered UE without its NG connection is in CM-IDLE (TS 24.501 5.3.7)
    startMobileReachableTimer(this, ue);
  }

  /** Removes the UE from the AMF entirely: identities and GUTI. */
  forget(ue: AmfUe): void {
    ue.state = '5GMM-DEREGISTERED';
    this.dropUe(ue);
    stopReachabilityTimers(this, ue);
    stopOnboardingDeregistrationTimer(this, ue);
    this.clock.clearTimeout(ue.transferGuardTimer);
    ue.transferGuardTimer = undefined;
    if (ue.supi && this.bySupi.get(ue.supi) === ue) this.bySupi.delete(ue.supi);
    if (ue.tmsi !== undefined && this.byTmsi.get(ue.tmsi) === ue) {
      this.byTmsi.delete(ue.tmsi);
      this.tmsis.release(ue.tmsi);
      ue.tmsi = undefined;
    }
  }

  /**
   * For the releases of what the AMF holds elsewhere (policy associations, UDM registration and
   * subscription, AUSF context, SM contexts): the peer's error answer is logged with its status and
   * cause and counted; the release goes on (the AMF no longer holds the resource either way).
   */
  releaseRefused(operation: string, ue: { supi?: string; amfUeNgapId: number }): (e: unknown) => undefined {
    return (e) => {
      if (!(e instanceof SbiProblem)) throw e;
      this.stats.releaseRefusals++;
      this.log(`UE ${ue.supi ?? ue.amfUeNgapId}: ${operation} answered ${e.problem.status} ${e.problem.cause}${e.problem.detail ? ` (${e.problem.detail})` : ''}`);
      return undefined;
    };
  }

  /** The 5GMM state of a registered UE, by SUPI (for tests and the run summary). */
  stateOf(supi: string): AmfGmmState | undefined {
    return this.bySupi.get(supi)?.state;
  }
}
