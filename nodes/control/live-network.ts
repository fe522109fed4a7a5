// A network that stays up: the core (or the NFs of `wire5g start` elsewhere), one gNB and the UEs
// brought into it, driven one procedure at a time (by `wire5g ctl`, a scenario file, or a test)
// while everything else keeps running. The capture grows as it runs (flushed every `flushMs`);
// ladder.md and summary.json are written on `dump()` and when the network stops.
//
// A command for an unknown SUPI, or for a UE in a state the procedure cannot start from, is
// refused with a ControlError before anything is sent; a UE runs one command at a time.

import { gnbAmfPeers } from '../gnb/amf-links.ts';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Capture } from '../../transport/capture/capture.ts';
import { RunRecorder } from '../common/run-report.ts';
import { ledgerDiff, type LedgerSnapshot } from '../common/ledger.ts';
import { subscribeTrace, ladderLine } from '../common/trace.ts';
import type { NetworkConfig, Snssai, SubscriberConfig } from '../common/config.ts';
import { startCore, CORE_NFS, type Core } from '../core.ts';
import { supiOfPlmn } from '../common/roaming-config.ts';
import { Gnb } from '../gnb/gnb.ts';
import { Ue } from '../ue/ue.ts';
import { GmmState } from '../ue/gmm-state.ts';
import { UdrStore } from '../udr/store.ts';
import { subscribersFor, waitForQuiet, waitForCore, retried } from '../scenario.ts';
import { checkHsmfRelease, hsmfRelease } from './home-routed-commands.ts';
import { checkSmfRelease, smfRelease, checkAmfDeregister, amfDeregister, checkUdmWithdraw, udmWithdraw, checkUdmUpdate, udmUpdateSnssai, udmRemove, pollUntil, type NetworkSide, type AmfDeregisterResult, type AmfDeregisterOptions } from './network-commands.ts';
import { ueStatusOf, formatGuti, type NetworkStatus } from './network-status.ts';
export { ControlError } from './control-error.ts';
import { ControlError } from './control-error.ts';
import { gnbSnpnOption } from '../gnb/snpn.ts';
import { runSubscribers, snpnUeOptions, isOnboardingUe, checkProvision, provision, checkAwaitDeregistration, awaitOnboardingDeregistration, ueWithCredentials } from './snpn-commands.ts';


/** What a UE out of coverage cannot do: every command it would have to signal for (coverage-commands.ts). */
const NEEDS_COVERAGE = new Set(['register', 'register update', 'an release', 'deregister', 'pdu establish', 'pdu release', 'ping']);

export type { PduSessionStatus, UeStatus, NetworkStatus } from './network-status.ts';
export type { LiveNetworkOptions, StopResult } from './live-network-types.ts';
import type { LiveNetworkOptions, StopResult, LiveUe } from './live-network-types.ts';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class LiveNetwork {
  readonly cfg: NetworkConfig;
  readonly outDir: string;
  readonly recorder: RunRecorder;
  readonly core: Core | undefined;
  readonly gnb: Gnb;
  readonly ledgersAtStart: Record<string, LedgerSnapshot>;
  private readonly capture: Capture | undefined;
  private readonly capturePath: string;
  private readonly o: LiveNetworkOptions;
  private readonly ues = new Map<string, LiveUe>();
  private readonly known = new Map<string, SubscriberConfig>();
  private readonly flushTimer: ReturnType<typeof setInterval> | undefined;
  private readonly startedAt = Date.now();
  private nextUeNumber = 0;
  private stopped: Promise<StopResult> | undefined;

  private constructor(cfg: NetworkConfig, o: LiveNetworkOptions, parts: { recorder: RunRecorder; core: Core | undefined; gnb: Gnb; capture: Capture | undefined; capturePath: string }) {
    this.cfg = cfg;
    this.o = o;
    this.outDir = o.outDir;
    this.recorder = parts.recorder;
    this.core = parts.core;
    this.gnb = parts.gnb;
    this.capture = parts.capture;
    this.capturePath = parts.capturePath;
    this.ledgersAtStart = this.ledgers();
    this.recorder.ledgers('before', this.ledgersAtStart);
    for (const s of cfg.subscribers) this.known.set(s.supi, s);
    // roaming (issue 17): the home PLMN's subscribers are UEs too, registering in this PLMN
    if (cfg.roaming.enabled) for (const s of cfg.roaming.home.subscribers) this.known.set(s.supi, s);
    const capture = parts.capture;
    if (capture) this.flushTimer = setInterval(() => capture.flush(), o.flushMs ?? 250).unref();
  }

  /** Starts the core (unless external) and the gNB (NG Setup); no UE yet. The config's subscribers are seeded in the UDR. */
  static async start(config: NetworkConfig, o: LiveNetworkOptions): Promise<LiveNetwork> {
    const cfg: NetworkConfig = { ...config, subscribers: runSubscribers(config) };
    mkdirSync(o.outDir, { recursive: true });
    const capturePath = join(o.outDir, 'run.pcapng');
    const captureFile = o.atomic ? `${capturePath}.${process.pid}.tmp` : capturePath;
    const capture = o.capture === false ? undefined : Capture.toFile(captureFile);
    const recorder = new RunRecorder(o.print);
    let core: Core | undefined;
    try {
      if (!o.externalCore) core = await startCore(cfg, { ...(capture ? { tap: capture } : {}), ...(o.log ? { log: o.log } : {}), database: o.database ?? cfg.udr.database, ...(o.amfTimers ? { amfTimers: o.amfTimers } : {}) });
      const startGnb = () => Gnb.start({ address: cfg.addresses.gnb, amfAddress: cfg.addresses.amf, amfUdpPort: cfg.ports.ngapUdp, plmn: cfg.plmn, tac: cfg.tac, gnbId: cfg.gnb.id, name: cfg.gnb.name, admission: cfg.gnb.admission, captureUserPlane: true, ...gnbSnpnOption(cfg), ...gnbAmfPeers(cfg), ...(capture ? { tap: capture } : {}), ...(o.log ? { log: o.log } : {}) });
      // a core in other processes may still be starting: wait for its NFs, retry NG Setup with back-off
      const deadline = Date.now() + (o.coreWaitMs ?? 120_000);
      if (o.externalCore) await waitForCore(cfg, deadline, o.status ?? (() => {}), o.signal);
      const gnb = await recorder.procedure('NG Setup', 'TS 38.413 8.7.1', undefined, () =>
        (o.externalCore ? retried(startGnb, deadline, (e, ms) => o.status?.(`NG Setup with the AMF ${cfg.addresses.amf}: ${e}; trying again in ${ms / 1000} s`), o.signal) : startGnb()));
      return new LiveNetwork(cfg, o, { recorder, core, gnb, capture, capturePath });
    } catch (e) {
      await core?.stop();
      capture?.close();
      // a network that never started leaves the previous outputs as they were
      if (capture && o.atomic) rmSync(captureFile, { force: true });
      recorder.close();
      throw e;
    }
  }

  /** The UEs of a run: the subscribers `subscribersFor(cfg)` gives (config + derived), added as UEs. */
  addConfiguredUes(): string[] {
    const subs = subscribersFor(this.cfg);
    for (const s of subs) if (!this.ues.has(s.supi)) this.addUe(s);
    return subs.map((s) => s.supi);
  }

  ledgers(): Record<string, LedgerSnapshot> {
    return { ...(this.core?.ledgers() ?? {}), [this.gnb.ledger.nf]: this.gnb.ledger.snapshot() };
  }

  get supis(): string[] {
    return [...this.ues.keys()];
  }

  /** The Ue object of `supi` (tests, scenario runners). */
  ueOf(supi: string): Ue {
    return this.liveUe(supi).ue;
  }

  private liveUe(supi: string): LiveUe {
    const u = this.ues.get(supi);
    if (!u) throw new ControlError(404, `unknown UE ${supi} (wire5g ctl status lists the UEs; 'ctl ue ${supi} add' brings a UDR subscriber in)`);
    return u;
  }

  private addUe(s: SubscriberConfig): LiveUe {
    const n = this.nextUeNumber++;
    const home = this.cfg.roaming.enabled && supiOfPlmn(s.supi, this.cfg.roaming.home.plmn) ? { homePlmn: this.cfg.roaming.home.plmn } : {};
    const ue = new Ue({ supi: s.supi, k: s.k, opc: s.opc, amf: s.amf, sqn: s.sqn, plmn: this.cfg.plmn, ...home, snssai: this.cfg.snssai, ...(s.snssais.length > 1 ? { requestedNssai: [this.cfg.snssai, ...s.snssais.filter((x) => x.sst !== this.cfg.snssai.sst || (x.sd ?? '') !== (this.cfg.snssai.sd ?? ''))] } : {}), dnn: this.cfg.dnn, ...snpnUeOptions(this.cfg, s.supi), imeisv: `${this.cfg.ue.imeisvPrefix}${String(n % 100).padStart(2, '0')}`, security: { ciphering: this.cfg.security.ciphering }, ...(this.o.log ? { log: this.o.log } : {}) });
    const live: LiveUe = { ue, subscriber: s, nextEchoSequence: 1 };
    this.ues.set(s.supi, live);
    return live;
  }

  /** Brings the UDR's subscriber `supi` into the network as a UE (deregistered, camped on the gNB's cell). */
  add(supi: string): { supi: string } {
    this.checkRunning();
    if (this.ues.has(supi)) throw new ControlError(409, `${supi} is already in the network`);
    const s = this.known.get(supi) ?? this.subscriberInUdr(supi);
    if (!s) throw new ControlError(404, `no subscriber ${supi} in the UDR (add one with: wire5g subscriber add --supi ${supi})`);
    this.addUe(s);
    return { supi };
  }

  private subscriberInUdr(supi: string): SubscriberConfig | undefined {
    const fromStore = (store: UdrStore) => store.get(supi);
    let r;
    if (this.core) r = fromStore(this.core.store);
    else {
      const db = this.o.database ?? this.cfg.udr.database;
      if (db === ':memory:') return undefined;
      const store = new UdrStore(db);
      try {
        r = fromStore(store);
      } finally {
        store.close();
      }
    }
    return r ? { supi: r.supi, k: r.k, opc: r.opc, amf: r.amf, sqn: r.sqn, snssais: r.snssais, dnns: r.dnns, sessionQos: r.sessionQos, ueAmbr: r.ueAmbr } : undefined;
  }

  private checkRunning(): void {
    if (this.stopped) throw new ControlError(409, 'the network is stopping');
  }

  /** Runs `fn` as the UE's only command; refused when another one runs. */
  private async exclusive<T>(supi: string, what: string, check: (u: LiveUe) => void, fn: (u: LiveUe) => Promise<T>): Promise<T> {
    this.checkRunning();
    const u = this.liveUe(supi);
    if (u.busy) throw new ControlError(409, `${supi} is busy with '${u.busy}'`);
    if (u.ue.outOfCoverage && NEEDS_COVERAGE.has(what)) throw new ControlError(409, `${supi} is out of coverage: ${what} needs the radio`);
    check(u);
    u.busy = what;
    try {
      return await fn(u);
    } finally {
      u.busy = undefined;
    }
  }

  private static needState(u: LiveUe, want: GmmState, what: string): void {
    if (u.ue.state !== want) throw new ControlError(409, `${u.ue.supi} is ${u.ue.state}: ${what} needs ${want}`);
  }

  /**
   * Initial Registration (TS 23.502 4.2.2.2.2); with Default UE Credentials, Registration with
   * Onboarding SNPN (4.2.2.2.4); once provisioned, with the SO-SNPN credentials (the UE keeps its name `supi` in the run).
   */
  register(supi: string, o: { snssai?: Snssai; emergency?: boolean } = {}): Promise<{ guti?: string; emergencyRegistered?: boolean }> {
    // a slice asked for (ctl ue register --sst): the UE's Requested NSSAI becomes that S-NSSAI; a
    // registered UE asks by a mobility registration update (TS 24.501 5.5.1.3.2), which an AMF that
    // cannot serve it reroutes to another (TS 23.502 4.2.2.2.3)
    if (o.snssai && this.ues.get(supi)?.ue.state === GmmState.REGISTERED) {
      const snssai = o.snssai;
      return this.exclusive(supi, 'register update', () => undefined, async (u) => {
        u.ue.cfg.snssai = snssai;
        u.ue.cfg.requestedNssai = [snssai];
        return this.updateRegistrationOf(u, 'mobility');
      });
    }
    return this.exclusive(supi, 'register', (u) => LiveNetwork.needState(u, GmmState.DEREGISTERED, 'registration'), async (u) => {
      if (o.snssai) {
        u.ue.cfg.snssai = o.snssai;
        u.ue.cfg.requestedNssai = [o.snssai];
      }
      if (u.provisioned) {
        u.ue = ueWithCredentials(this.cfg, u.ue, u.provisioned);
        u.provisioned = undefined;
      }
      const onboarding = isOnboardingUe(u.ue) && !o.emergency;
      await this.recorder.procedure(onboarding ? 'Registration with Onboarding SNPN' : o.emergency ? 'Emergency Registration' : 'Registration', onboarding ? 'TS 23.502 4.2.2.2.4' : 'TS 23.502 4.2.2.2.2', u.ue.supi, () => u.ue.register(this.gnb, o.emergency ? { emergency: true } : {}));
      const g = u.ue.fiveGGuti;
      return { ...(g ? { guti: formatGuti(g) } : {}), ...(o.emergency ? { emergencyRegistered: u.ue.registration?.emergencyRegistered === true } : {}) };
    });
  }

  /**
   * Mobility or periodic registration update (TS 24.501 5.5.1.3, TS 23.502 4.2.2.2.2): over the
   * UE's RRC connection, or from idle (a new NG connection) when it has none.
   */
  updateRegistration(supi: string, type: 'mobility' | 'periodic'): Promise<{ guti?: string }> {
    return this.exclusive(supi, 'register update', (u) => LiveNetwork.needState(u, GmmState.REGISTERED, 'a registration update'), (u) => this.updateRegistrationOf(u, type));
  }

  private async updateRegistrationOf(u: LiveUe, type: 'mobility' | 'periodic'): Promise<{ guti?: string }> {
    const idle = !u.ue.connected;
    await this.recorder.procedure(`Registration (${type} update)`, 'TS 23.502 4.2.2.2.2', u.ue.supi, () => u.ue.updateRegistration({ type }));
    // from idle, the AMF releases the connection after the update (TS 24.501 5.5.1.3.4): the command returns once it has
    if (idle) await this.core?.settled();
    const g = u.ue.fiveGGuti;
    return g ? { guti: formatGuti(g) } : {};
  }

  /** AN release initiated by the gNB (TS 23.502 4.2.6) with the cause given: the UE goes idle, still registered. */
  anRelease(supi: string): Promise<{ cmState: string }> {
    return this.exclusive(supi, 'an release', (u) => {
      if (!u.ue.connected) throw new ControlError(409, `${supi} is CM-IDLE: there is no AN to release`);
    }, async (u) => {
      await this.recorder.procedure('AN Release', 'TS 23.502 4.2.6', supi, () => this.gnb.releaseAn(u.ue.side));
      return { cmState: u.ue.connected ? 'CM-CONNECTED' : 'CM-IDLE' };
    });
  }

  /** UE-initiated Deregistration (TS 23.502 4.2.2.3.2). */
  deregister(supi: string, o: { switchOff: boolean; access?: '3gpp' | 'non-3gpp' | 'both' }): Promise<{ outcome: string }> {
    const accessType = o.access === 'non-3gpp' ? 2 : o.access === 'both' ? 3 : 1;
    return this.exclusive(supi, 'deregister', (u) => LiveNetwork.needState(u, GmmState.REGISTERED, 'de-registration'), async (u) => {
      const outcome = await this.recorder.procedure(`UE-initiated Deregistration (${o.switchOff ? 'switch off' : 'normal'})`, 'TS 23.502 4.2.2.3.2', supi, async () => {
        const r = await u.ue.deregister({ switchOff: o.switchOff, accessType });
        // the procedure ends with the N2 UE Context Release (step 8): the gNB releases the RRC connection
        if (accessType !== 2) await pollUntil(() => !u.ue.connected);
        return r;
      });
      return { outcome };
    });
  }

  /** UE-requested PDU Session Establishment (TS 23.502 4.3.2.2.1); the lowest free PSI unless given. */
  establishPduSession(supi: string, o: { psi?: number; dnn?: string; snssai?: Snssai; emergency?: boolean } = {}): Promise<{ psi: number; address: string }> {
    let psi = 0;
    return this.exclusive(supi, 'pdu establish', (u) => {
      LiveNetwork.needState(u, GmmState.REGISTERED, 'PDU session establishment');
      if (o.psi !== undefined && (!Number.isInteger(o.psi) || o.psi < 1 || o.psi > 15)) throw new ControlError(400, `PDU session identity ${o.psi} is not 1..15`);
      if (o.psi !== undefined && u.ue.sessions.has(o.psi)) throw new ControlError(409, `${supi} already has PDU session ${o.psi}`);
      psi = o.psi ?? [...Array(15).keys()].map((i) => i + 1).find((i) => !u.ue.sessions.has(i)) ?? 0;
      if (!psi) throw new ControlError(409, `${supi} has 15 PDU sessions, none free`);
    }, async (u) => {
      const r = await this.recorder.procedure(o.emergency ? 'PDU Session Establishment (emergency)' : 'PDU Session Establishment', 'TS 23.502 4.3.2.2.1', supi, () => u.ue.establishPduSession(psi, { ...(o.dnn ? { dnn: o.dnn } : {}), ...(o.snssai ? { snssai: o.snssai } : {}), ...(o.emergency ? { emergency: true } : {}) }));
      return { psi, address: r.address };
    });
  }

  /** UE-requested PDU Session Release (TS 23.502 4.3.4.2). */
  releasePduSession(supi: string, psi: number): Promise<{ psi: number; outcome: string }> {
    return this.exclusive(supi, 'pdu release', (u) => {
      LiveNetwork.needState(u, GmmState.REGISTERED, 'PDU session release');
      if (!u.ue.sessions.has(psi)) throw new ControlError(409, `${supi} has no PDU session ${psi}`);
    }, async (u) => {
      const outcome = await this.recorder.procedure('UE-requested PDU Session Release', 'TS 23.502 4.3.4.2', supi, () => u.ue.releasePduSession(psi));
      return { psi, outcome };
    });
  }

  /** Network-requested PDU Session Release by the SMF (TS 23.502 4.3.4.2 step 1e); network-commands.ts. */
  /** `ctl smf release --plmn home`: the H-SMF releases a roaming UE's home-routed session (TS 23.502 4.3.4.3 step 1e). */
  hsmfRelease(supi: string, psi: number, o: { fiveGsmCause?: number; altHplmnSnssai?: Snssai } = {}): Promise<{ psi: number; outcome: string }> {
    return this.exclusive(supi, 'smf release --plmn home', (u) => checkHsmfRelease(this.side, u.ue, psi), (u) => hsmfRelease(this.side, u.ue, psi, o));
  }

  smfRelease(supi: string, psi: number, o: { fiveGsmCause?: number; skipPaging?: boolean } = {}): Promise<{ psi: number; outcome: string }> {
    return this.exclusive(supi, 'smf release', (u) => checkSmfRelease(this.side, u.ue, psi), (u) => smfRelease(this.side, u.ue, psi, o));
  }

  /** Network-initiated Deregistration by the AMF (TS 23.502 4.2.2.3.3), explicit (O&M); network-commands.ts. */
  amfDeregister(supi: string, o: AmfDeregisterOptions): Promise<AmfDeregisterResult> {
    return this.exclusive(supi, 'amf deregister', (u) => checkAmfDeregister(this.side, u.ue, o), (u) => amfDeregister(this.side, u.ue, o));
  }

  /** UDM-initiated deregistration (TS 23.502 4.2.2.3.3 step 1); network-commands.ts. */
  udmWithdraw(supi: string, o: { access: '3gpp' | 'non-3gpp' | 'both' }): Promise<{ outcome: string }> {
    return this.exclusive(supi, 'udm withdraw', (u) => checkUdmWithdraw(this.side, u.ue, o), (u) => udmWithdraw(this.side, u.ue));
  }

  /** O&M changes the subscribed S-NSSAI and the UDM notifies the AMF (TS 23.502 4.5.1); network-commands.ts. */
  udmUpdateSnssai(supi: string, snssai: Snssai): Promise<{ notified: number; deregistered: boolean }> {
    return this.exclusive(supi, 'udm update', () => checkUdmUpdate(this.side, supi), (u) => udmUpdateSnssai(this.side, u.ue, snssai));
  }

  /** The subscriber leaves the UDR; registered, it is deregistered first (UDM withdraw); network-commands.ts. */
  udmRemove(supi: string): Promise<{ removed: string; deregistered: boolean }> {
    this.checkRunning();
    return this.ues.has(supi) ? this.exclusive(supi, 'udm remove', () => {}, (u) => udmRemove(this.side, supi, u.ue)) : udmRemove(this.side, supi, undefined);
  }

  /** UE provisioning over the onboarding PDU session (snpn-commands.ts): the UE's next registration uses the SO-SNPN credentials. */
  provision(supi: string): Promise<{ supi: string }> {
    return this.exclusive(supi, 'provision', (u) => checkProvision(this.cfg, u.ue), async (u) => {
      u.provisioned = await provision(this.side, this.cfg, u.ue);
      return { supi: u.provisioned.supi };
    });
  }

  /** The AMF's onboarding deregistration timer deregisters the UE within `seconds` (snpn-commands.ts). */
  awaitOnboardingDeregistration(supi: string, seconds: number): Promise<void> {
    return this.exclusive(supi, 'await deregistration', (u) => checkAwaitDeregistration(this.cfg, u.ue), (u) => awaitOnboardingDeregistration(this.side, u.ue, seconds));
  }

  /** A network-side O&M command kept in its own module (policy-commands.ts), run as the UE's only command. */
  onUe<T>(supi: string, what: string, check: (n: NetworkSide, ue: Ue) => void, fn: (n: NetworkSide, ue: Ue) => Promise<T>): Promise<T> {
    return this.exclusive(supi, what, (u) => check(this.side, u.ue), (u) => fn(this.side, u.ue));
  }

  /** What the network-side O&M commands reach: the embedded core, the recorder, quiescence. */
  private get side(): NetworkSide {
    return {
      core: this.core,
      gnb: this.gnb,
      recorder: this.recorder,
      settle: () => this.settle(),
      subscriptionChanged: (supi, snssais) => {
        const known = this.known.get(supi);
        if (known) this.known.set(supi, { ...known, snssais });
      },
      subscriptionRemoved: (supi) => this.known.delete(supi),
    };
  }

  /** ICMP echoes to the data network over a PDU session (the first one unless given). */
  ping(supi: string, o: { count?: number; psi?: number; intervalMs?: number; size?: number } = {}): Promise<{ rttsMs: number[] }> {
    const count = o.count ?? 3;
    return this.exclusive(supi, 'ping', (u) => {
      if (!Number.isInteger(count) || count < 1) throw new ControlError(400, `--count must be a positive integer, got ${count}`);
      if (o.psi !== undefined ? !u.ue.sessions.has(o.psi) : u.ue.sessions.size === 0) throw new ControlError(409, `${supi} has no PDU session${o.psi !== undefined ? ` ${o.psi}` : ''} to ping over`);
    }, async (u) => {
      const rttsMs: number[] = [];
      for (let i = 0; i < count; i++) {
        if (i > 0 && o.intervalMs) await new Promise((r) => setTimeout(r, o.intervalMs));
        const seq = u.nextEchoSequence;
        u.nextEchoSequence = (seq % 0xffff) + 1;
        rttsMs.push(await this.recorder.procedure('Ping over the user plane', 'TS 23.501 5.8 (N3/N6)', supi, () => u.ue.ping(this.cfg.dataNetwork, seq, { ...(o.psi !== undefined ? { psi: o.psi } : {}), ...(o.size !== undefined ? { payload: new Uint8Array(o.size).fill(0x5a) } : {}) })));
      }
      return { rttsMs };
    });
  }

  /** The ladder lines of what `fn` caused: every message, except those that name another UE. */
  async withLadder<T>(supi: string | undefined, fn: () => Promise<T>): Promise<{ result: T; ladder: string[] }> {
    const ladder: string[] = [];
    const off = subscribeTrace((e) => {
      if (supi && e.ue?.startsWith('imsi-') && e.ue !== supi) return;
      ladder.push(ladderLine(e));
    });
    try {
      const result = await fn();
      // what the last message started (e.g. 4.2.2.3.2 steps 5a-5c after step 4) belongs to it
      await this.settle();
      return { result, ladder };
    } catch (e) {
      await this.settle();
      throw Object.assign(e instanceof Error ? e : new Error(String(e)), { ladder });
    } finally {
      off();
    }
  }

  /** Lets the core finish what is in flight (others' procedures may go on: this is not quiescence). */
  async settle(): Promise<void> {
    for (let i = 0; i < 2; i++) {
      await this.core?.settled();
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.core?.settled();
  }

  status(): NetworkStatus {
    const ues = [...this.ues.values()].map(({ ue, busy }) => ueStatusOf(ue, busy, this.gnb));
    const ledgers = this.ledgers();
    const nfs = CORE_NFS.map((nf) => {
      const name = nf.toUpperCase();
      return { name, address: this.cfg.addresses[nf], ...(ledgers[name] ? { ledger: ledgers[name] } : {}) };
    });
    return {
      outDir: this.outDir,
      pid: process.pid,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      externalCore: this.o.externalCore === true,
      nfs,
      gnbs: [{ name: this.cfg.gnb.name, address: this.cfg.addresses.gnb, amf: this.cfg.addresses.amf, ueContexts: this.gnb.ueCount }],
      ues,
      ledgers,
      ledgersAtStart: this.ledgersAtStart,
      ...(this.core ? { udrDatabase: resolve(this.o.database ?? this.cfg.udr.database) } : {}),
    };
  }

  /** Writes ladder.md and summary.json as they are now (ledgers "after" = now) and flushes the capture. */
  dump(): { capture?: string; ladder: string; summary: string } {
    this.capture?.flush();
    this.recorder.ledgers('after', this.ledgers());
    const files = this.recorder.write(this.outDir, { ues: this.status().ues, running: true });
    return { ...(this.capture ? { capture: this.capturePath } : {}), ...files };
  }

  /**
   * Stops the network: UEs still registered switch off (4.2.2.3.2), the network settles, the
   * ledgers are compared with the start, and the outputs are written. Idempotent.
   */
  stop(o: { deregisterRemaining?: boolean; interrupted?: boolean } = {}): Promise<StopResult> {
    this.stopped ??= this.stopNow(o.deregisterRemaining ?? true, o.interrupted ?? false);
    return this.stopped;
  }

  private async stopNow(deregisterRemaining: boolean, interrupted: boolean): Promise<StopResult> {
    // commands in flight end first (their procedures have their own timers)
    for (let i = 0; i < 200 && [...this.ues.values()].some((u) => u.busy); i++) await new Promise((r) => setTimeout(r, 50));
    if (deregisterRemaining) {
      // a UE out of coverage cannot signal: the network deregisters it (implicitly) or keeps it
      await Promise.all([...this.ues.values()].filter((u) => u.ue.state === GmmState.REGISTERED && !u.ue.outOfCoverage).map((u) =>
        this.recorder.procedure('UE-initiated Deregistration (switch off)', 'TS 23.502 4.2.2.3.2', u.ue.supi, () => u.ue.deregister({ switchOff: true })).catch(() => undefined)));
    }
    let ledgersAfter: Record<string, LedgerSnapshot> | undefined;
    try {
      await waitForQuiet(this.core, this.gnb);
      ledgersAfter = this.ledgers();
      this.recorder.ledgers('after', ledgersAfter);
    } finally {
      if (this.flushTimer) clearInterval(this.flushTimer);
      await this.gnb.stop().catch((e: unknown) => (this.o.log ?? console.error)(`[gNB] stopping failed: ${errorText(e)}`));
      await this.core?.stop();
      this.capture?.close();
      if (this.capture) this.recorder.countCaptured(this.capture.messagesPerInterface);
      if (this.capture && this.o.atomic) renameSync(`${this.capturePath}.${process.pid}.tmp`, this.capturePath);
    }
    const leftBehind: Record<string, unknown> = {};
    for (const nf of Object.keys(this.ledgersAtStart)) {
      const d = ledgerDiff(this.ledgersAtStart[nf], ledgersAfter?.[nf] ?? {});
      if (Object.keys(d).length) leftBehind[nf] = d;
    }
    const files = this.recorder.write(this.outDir, { ues: this.status().ues, config: { plmn: this.cfg.plmn, tac: this.cfg.tac, snssai: this.cfg.snssai, dnn: this.cfg.dnn, ues: this.ues.size } }, { interrupted });
    const summary = this.recorder.summary(interrupted ? { interrupted: true } : {});
    this.recorder.close();
    return { ok: !interrupted && !this.recorder.failed && Object.keys(leftBehind).length === 0, summary, files: { ...(this.capture ? { capture: this.capturePath } : {}), ...files }, leftBehind, ledgersChecked: Object.keys(this.ledgersAtStart), interrupted, ues: [...this.ues.keys()].map((supi) => ({ supi })) };
  }
}
