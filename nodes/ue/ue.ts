// A UE: the 5GMM and 5GSM procedures of TS 24.501 a wire5g UE runs, with its USIM (usim.ts), NAS
// security (TS 24.501 4.4, TS 33.501 6.4, 6.7.2) and an IP stack over its PDU sessions
// (user-plane.ts). It camps on a cell (nodes/gnb/uu.ts); NAS PDUs and IP packets go through it.
//
//   register()            initial registration, TS 24.501 5.5.1.2 (TS 23.502 4.2.2.2.2)
//   updateRegistration()  mobility / periodic registration update, 5.5.1.3
//                         with identification (5.4.3), 5G AKA (5.4.1.3), security mode control (5.4.2)
//   establishPduSession() UE-requested PDU session establishment, 6.4.1 (TS 23.502 4.3.2.2.1)
//   ping() / udpEcho()    user-plane traffic on a PDU session
//   deregister()          UE-originating de-registration, 5.5.2.2 (TS 23.502 4.2.2.3.2), through
//                         UeDeregistration (deregistration.ts) with T3521
// Every NAS message received is checked as 4.4.4 says (integrity with the current 5G NAS security
// context; which messages may arrive plain) before it reaches a procedure (n1.ts). The procedures
// are one file each in procedures/: registration.ts, authentication.ts, security-mode.ts,
// pdu-session-establishment.ts, pdu-session-release.ts; this file holds the UE's state, the user plane
// and de-registration.

import { EventEmitter } from 'node:events';
import {
  nasMessage, encodeNasMessage, naiSuci, type NasMessage, type NasSecurityContext, type MobileIdentity, type SNssai,
} from '../../codecs/nas/index.ts';
import { realClock, type Clock, type TimerHandle } from '../../transport/clock.ts';
import { trace, traceChannel } from '../common/trace.ts';
import { servingNetworkName } from '../common/aka.ts';
import type { Snssai } from '../common/config.ts';
import type { UuCell, UuConnection, UuUeSide, UplinkNasLabel } from '../gnb/uu.ts';
import { GmmState, gmmNext, gmmAllows, type GmmEvent } from './gmm-state.ts';
import { UeDeregistration, type DeregistrationOutcome, type DeregistrationType } from './deregistration.ts';
import { Usim, suciOf } from './usim.ts';
import { icmpEchoRequest, udpDatagram, parseDownlinkPacket } from './user-plane.ts';
import { sendNas, onDownlinkNas } from './n1.ts';
import { initialRegistration, registrationUpdate, failRegistration } from './procedures/registration.ts';
import { pduSessionEstablishment, finishPending, allocatePti } from './procedures/pdu-session-establishment.ts';
import { UePduSessionRelease, REGULAR_DEACTIVATION, type PduSessionReleaseOutcome } from './procedures/pdu-session-release.ts';
import { onDeregistrationRequestUeTerminated, afterConnectionRelease, type UeNetworkDeregistrationState } from './procedures/network-deregistration.ts';
import { serviceRequest } from './procedures/service-request.ts';
import { registrationBarred, newServiceRestrictions, type UeServiceRestrictions } from './procedures/deregistration-causes.ts';
import { startT3512, stopT3512 } from './procedures/periodic-registration.ts';

export * from './ue-types.ts';
import { RegistrationRejected, PduSessionRejected, type UeConfig, type RegistrationResult, type UePduSession, type PendingPduSession, type UeEvents } from './ue-types.ts';

let nextUeNumber = 1;

export class Ue extends EventEmitter<UeEvents> {
  readonly cfg: UeConfig;
  readonly usim: Usim;
  /** NAS message names received and accepted, in order (5GSM ones after their DL NAS transport). */
  readonly received: string[] = [];
  /** NAS message names sent, in order. */
  readonly sent: string[] = [];
  /** Downlink NAS messages discarded (MAC failure, replay, plain where protection is required). */
  readonly discarded: { reason: string; name?: string }[] = [];
  /** Messages that arrived when no procedure expected them (e.g. a Deregistration accept after switch off). */
  readonly unexpected: string[] = [];
  readonly stats = { macFailures: 0, replays: 0, ulPackets: 0, dlPackets: 0, dlDropped: 0, t3510Expiries: 0, t3580Expiries: 0, t3512Expiries: 0 };

  gmm: GmmState = GmmState.DEREGISTERED;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  readonly snn: string;
  readonly suci: MobileIdentity;
  cell: UuCell | undefined;
  conn: UuConnection | undefined;
  readonly side: UuUeSide;
  /** The current 5G NAS security context (TS 24.501 4.4.2). */
  security: NasSecurityContext | undefined;
  /** From the last successful authentication: KAUSF, the ngKSI and ABBA the AMF sent. */
  auth: { kausf: Uint8Array; ngKsi: number; abba: Uint8Array } | undefined;
  /** TS 24.501 5.4.1.3.4: the last RAND with its RES*, so a retransmitted request gets the same answer. */
  lastChallenge: { rand: Uint8Array; resStar: Uint8Array; ngKsi: number } | undefined;
  guti: Extract<MobileIdentity, { type: '5g-guti' }> | undefined;
  registration: RegistrationResult | undefined;
  regWaiter: { resolve(r: RegistrationResult): void; reject(e: Error): void } | undefined;
  t3510: TimerHandle | undefined;
  /** TS 24.501 5.3.7 periodic registration timer, running in 5GMM-IDLE (procedures/periodic-registration.ts). */
  t3512: TimerHandle | undefined;
  /** The complete Registration request, for the Security mode complete's NAS message container (4.4.6). */
  fullRegistrationRequest: Uint8Array | undefined;
  readonly pending = new Map<number, PendingPduSession>();
  readonly sessions = new Map<number, UePduSession>();
  nextPti = 1;
  dereg: UeDeregistration | undefined;
  deregWaiter: ((o: DeregistrationOutcome) => void) | undefined;
  readonly echoId: number;
  readonly pings = new Map<number, { sentAt: number; resolve(rtt: number): void; reject(e: Error): void; timer: TimerHandle }>();
  readonly udpWaiters = new Map<number, { resolve(p: Uint8Array): void; reject(e: Error): void; timer: TimerHandle }>();
  nextUdpPort = 40000;
  connecting = false;
  readonly heldDuringConnect: { bytes: Uint8Array; about: UplinkNasLabel }[] = [];
  /** UE-requested PDU session releases in progress (procedures/pdu-session-release.ts). */
  readonly releases: UePduSessionRelease;
  /** Network-initiated de-registrations received and the re-registration they asked for (procedures/network-deregistration.ts). */
  readonly networkDeregistration: UeNetworkDeregistrationState = { reRegistrationPending: false, sessionsToRestore: [] };
  /**
   * TS 24.501 6.3.3.3 (8.3.14 Alternative S-NSSAI): per released PDU session, the S-NSSAI a network
   * slice replacement asks the UE to re-establish it on (5GSM cause #39). Kept for whoever drives the
   * UE: wire5g's UE has no application that re-establishes sessions by itself.
   */
  readonly alternativeSnssais = new Map<number, { fiveGsmCause: number; snssai: SNssai }>();
  /** TS 24.501 4.6.2.2: S-NSSAIs the network rejected, with their causes. */
  rejectedNssai: { cause: number; sst: number; sd?: number }[] = [];
  /** TS 24.501 5.5.2.3.2 #3, #6, #7: the USIM is invalid for 5GS services until switch off. */
  usimInvalidFor5gs = false;
  /** The Service request under way (procedures/service-request.ts, T3517). */
  serviceRequest: { promise: Promise<void>; resolve(): void; reject(e: Error): void; timer: TimerHandle } | undefined;
  /** TS 24.501 5.5.2.3.2 #11: PLMNs (MCC+MNC) the UE may not register on. */
  readonly forbiddenPlmns = new Set<string>();
  /** The 5GS update status, forbidden TAs, T3346 and N1 mode the network's causes left (procedures/deregistration-causes.ts). */
  readonly restrictions: UeServiceRestrictions = newServiceRestrictions();
  /** Out of the cell's coverage (nodes/ue/coverage.ts): hears no paging and no NAS, sends nothing. */
  outOfCoverage = false;
  /** TS 24.501 5.3.7: T3512 expired out of coverage; the periodic registration update is made on return. */
  t3512ExpiredOutOfCoverage = false;

  constructor(cfg: UeConfig) {
    super();
    this.cfg = cfg;
    this.clock = cfg.clock ?? realClock;
    this.log = cfg.log ?? (() => {});
    this.usim = new Usim(cfg.k, cfg.opc, cfg.sqn);
    this.snn = servingNetworkName(cfg.plmn.mcc, cfg.plmn.mnc, cfg.snpn?.nid);
    // TS 23.003 2.2B: an NSI SUPI ("nai-...") is concealed in NAI format (null scheme)
    this.suci = cfg.supi.startsWith('nai-') ? naiSuci(cfg.supi) : suciOf(cfg.supi, cfg.homePlmn ?? cfg.plmn, cfg.suci);
    this.echoId = nextUeNumber++ & 0xffff;
    this.side = {
      onDownlinkNas: (nas) => this.onDownlinkNas(nas),
      onDownlinkData: (psi, packet) => this.onDownlinkData(psi, packet),
      onRrcRelease: () => this.onRrcRelease(),
      onPaging: (id) => this.onPaging(id),
    };
    this.releases = new UePduSessionRelease({
      clock: this.clock,
      allocatePti: () => allocatePti(this),
      sendReleaseRequest: (psi, pti, attempt) => {
        const request = encodeNasMessage(nasMessage('PDU session release request', { fiveGsmCause: REGULAR_DEACTIVATION }, { pduSessionId: psi, pti }));
        sendNas(this, nasMessage('UL NAS transport', { payloadContainerType: 1, payloadContainer: request, pduSessionId: psi }), 'UL NAS transport', attempt === 0 ? '4.3.4.2 step 1a' : `4.3.4.2 step 1a (T3582 retransmission ${attempt}, TS 24.501 6.4.3.6 a)`, 'PDU session release request');
      },
      sendReleaseComplete: (psi, pti) => {
        const complete = encodeNasMessage(nasMessage('PDU session release complete', {}, { pduSessionId: psi, pti }));
        sendNas(this, nasMessage('UL NAS transport', { payloadContainerType: 1, payloadContainer: complete, pduSessionId: psi }), 'UL NAS transport', '4.3.4.2 step 8', 'PDU session release complete');
      },
      releaseLocally: (psi) => this.sessions.delete(psi),
    });
  }

  /** The 5GMM state (TS 24.501 5.1.3.2.1). */
  get state(): GmmState {
    return this.gmm;
  }

  get supi(): string {
    return this.cfg.supi;
  }

  /** The 5G-GUTI assigned by the last Registration accept or Configuration update command. */
  get fiveGGuti(): Extract<MobileIdentity, { type: '5g-guti' }> | undefined {
    return this.guti;
  }

  /** Whether an RRC connection (and so a NAS signalling connection) is up. */
  get connected(): boolean {
    return this.conn !== undefined;
  }

  /** The current NAS COUNTs, for tests. */
  get nasCounts(): { uplink: number; downlink: number } | undefined {
    return this.security ? { uplink: this.security.uplinkCount, downlink: this.security.downlinkCount } : undefined;
  }

  transition(event: GmmEvent): void {
    this.gmm = gmmNext(this.gmm, event);
  }

  /**
   * Initial registration on `cell` (procedures/registration.ts), or with `emergency` an emergency
   * registration (5GS registration type 4, TS 24.501 5.5.1.2.2); resolves on Registration accept
   * (after sending Registration complete). Refused first when a cause of the network forbids it
   * (procedures/deregistration-causes.ts).
   */
  register(cell: UuCell, o: { emergency?: boolean } = {}): Promise<RegistrationResult> {
    const barred = registrationBarred(this, cell, o.emergency === true);
    if (barred) return Promise.reject(new RegistrationRejected(barred));
    return initialRegistration(this, cell, o.emergency === true);
  }

  /**
   * Mobility or periodic registration update (procedures/registration.ts, TS 24.501 5.5.1.3); resolves
   * on Registration accept. Connected it goes over the RRC connection, idle it opens one.
   */
  updateRegistration(o: { type: 'mobility' | 'periodic' }): Promise<RegistrationResult> {
    return registrationUpdate(this, o.type);
  }

  /** UE-requested PDU session establishment (procedures/pdu-session-establishment.ts); resolves with the IPv4 address of the session. */
  establishPduSession(psi = 1, o: { dnn?: string; snssai?: Snssai; emergency?: boolean } = {}): Promise<{ address: string }> {
    return pduSessionEstablishment(this, psi, o);
  }

  /** UE-requested PDU session release (procedures/pdu-session-release.ts, TS 24.501 6.4.3, TS 23.502 4.3.4.2). */
  releasePduSession(psi: number): Promise<PduSessionReleaseOutcome> {
    if (this.gmm !== GmmState.REGISTERED) return Promise.reject(new Error(`PDU session release needs 5GMM-REGISTERED, the UE is ${this.gmm}`));
    if (!this.sessions.has(psi)) return Promise.reject(new Error(`no PDU session ${psi}`));
    return this.releases.start(psi);
  }

  /** A downlink NAS PDU from the cell (n1.ts checks it, then hands it to its procedure). */
  private onDownlinkNas(bytes: Uint8Array): void {
    if (!this.outOfCoverage) onDownlinkNas(this, bytes);
  }

  // --- User plane ----------------------------------------------------------------------------------

  /** ICMP echo to `dst` over PDU session `psi`; resolves with the round-trip time in ms. */
  ping(dst = '10.45.255.254', seq = 1, o: { psi?: number; timeoutMs?: number; payload?: Uint8Array } = {}): Promise<number> {
    const psi = o.psi ?? this.firstSessionId();
    const s = psi !== undefined ? this.sessions.get(psi) : undefined;
    // CM-IDLE with a PDU session: uplink data first brings the user plane back (TS 23.502 4.2.3.2)
    if (s && !this.conn && this.gmm === GmmState.REGISTERED) return serviceRequest(this, 'data', [s.pduSessionId]).then(() => this.ping(dst, seq, o));
    if (!s || !this.conn) return Promise.reject(new Error(`no PDU session${psi !== undefined ? ` ${psi}` : ''} to ping over`));
    const key = seq & 0xffff;
    if (this.pings.has(key)) return Promise.reject(new Error(`echo sequence ${key} already outstanding`));
    const packet = icmpEchoRequest(s.address, dst, this.echoId, key, o.payload ?? new TextEncoder().encode('wire5g ping'));
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pings.delete(key);
        reject(new Error(`no echo reply from ${dst} for sequence ${key} within ${o.timeoutMs ?? 5000} ms`));
      }, o.timeoutMs ?? 5000);
      this.pings.set(key, { sentAt: this.clock.now(), resolve, reject, timer });
      this.stats.ulPackets++;
      if (traceChannel.hasSubscribers) trace({ from: 'UE', to: 'DN', interface: 'N3', protocol: 'IP', message: `ICMP echo request ${dst} seq ${key}`, step: 'TS 23.501 5.8 (user plane)', ue: this.cfg.supi });
      this.conn!.uplinkData(s.pduSessionId, packet);
    });
  }

  /** A UDP datagram to the data network's echo port (RFC 862); resolves with the echoed payload. */
  udpEcho(payload: Uint8Array, o: { dst?: string; port?: number; psi?: number; timeoutMs?: number } = {}): Promise<Uint8Array> {
    const psi = o.psi ?? this.firstSessionId();
    const s = psi !== undefined ? this.sessions.get(psi) : undefined;
    if (!s || !this.conn) return Promise.reject(new Error('no PDU session for UDP'));
    const srcPort = this.nextUdpPort;
    this.nextUdpPort = this.nextUdpPort >= 60999 ? 40000 : this.nextUdpPort + 1;
    const dst = o.dst ?? '10.45.255.254';
    const packet = udpDatagram(s.address, srcPort, dst, o.port ?? 7, payload);
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.udpWaiters.delete(srcPort);
        reject(new Error(`no UDP echo from ${dst} within ${o.timeoutMs ?? 5000} ms`));
      }, o.timeoutMs ?? 5000);
      this.udpWaiters.set(srcPort, { resolve, reject, timer });
      this.stats.ulPackets++;
      if (traceChannel.hasSubscribers) trace({ from: 'UE', to: 'DN', interface: 'N3', protocol: 'IP', message: `UDP echo request ${dst}:${o.port ?? 7}`, step: 'TS 23.501 5.8 (user plane)', ue: this.cfg.supi });
      this.conn!.uplinkData(s.pduSessionId, packet);
    });
  }

  /** Sends a raw IP packet on a PDU session (no answer awaited). */
  sendPacket(psi: number, packet: Uint8Array): void {
    if (!this.sessions.has(psi) || !this.conn) throw new Error(`no PDU session ${psi}`);
    this.stats.ulPackets++;
    this.conn.uplinkData(psi, packet);
  }

  firstSessionId(): number | undefined {
    for (const k of this.sessions.keys()) return k;
    return undefined;
  }

  onDownlinkData(psi: number, packet: Uint8Array): void {
    const s = this.sessions.get(psi);
    if (!s) {
      this.stats.dlDropped++;
      return;
    }
    this.stats.dlPackets++;
    const p = parseDownlinkPacket(packet);
    if (p.kind === 'icmp-echo-reply' && p.dst === s.address && p.id === this.echoId) {
      const w = this.pings.get(p.seq);
      if (w) {
        this.pings.delete(p.seq);
        this.clock.clearTimeout(w.timer);
        w.resolve(this.clock.now() - w.sentAt);
      }
      return;
    }
    if (p.kind === 'udp' && p.dst === s.address) {
      const w = this.udpWaiters.get(p.dstPort);
      if (w) {
        this.udpWaiters.delete(p.dstPort);
        this.clock.clearTimeout(w.timer);
        w.resolve(new Uint8Array(p.payload));
      }
    }
  }

  // --- De-registration (TS 24.501 5.5.2.2) --------------------------------------------------------------

  /**
   * UE-originating de-registration. Normal: resolves on Deregistration accept, or after the fifth
   * T3521 expiry with a local release. Switch off: resolves at once; the UE still listens until the
   * gNB releases the RRC connection, so an Accept the network should not have sent is recorded.
   */
  deregister(o: { switchOff: boolean; unavailabilitySeconds?: number; accessType?: 1 | 2 | 3 }): Promise<DeregistrationOutcome> {
    if (this.dereg?.t3521Running) return Promise.reject(new Error('a de-registration is already in progress'));
    if (!gmmAllows(this.gmm, o.switchOff ? 'switched-off' : 'deregistration-requested')) return Promise.reject(new Error(`de-registration not possible in ${this.gmm}`));
    if (!this.security) return Promise.reject(new Error('de-registration needs a 5G NAS security context (TS 24.501 4.4.4.1)'));
    const accessType = o.accessType ?? 1;
    const type: DeregistrationType = { switchOff: o.switchOff, reRegistrationRequired: false, accessType: accessType === 1 ? '3GPP' : accessType === 2 ? 'non-3GPP' : 'both' };
    return new Promise<DeregistrationOutcome>((resolve) => {
      this.deregWaiter = resolve;
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const ue = this;
      this.dereg = new UeDeregistration({
        get state() {
          return ue.gmm;
        },
        set state(s: GmmState) {
          ue.gmm = s;
        },
        clock: this.clock,
        sendDeregistrationRequest: (t, attempt) => {
          const msg = nasMessage('Deregistration request (UE originating)', {
            deregistrationType: { switchOff: t.switchOff, reRegistrationRequired: t.reRegistrationRequired, accessType },
            ngKsi: { tsc: 0, ksi: this.security?.ngKsi ?? 7 },
            mobileIdentity: this.guti ?? this.suci,
            unavailabilityInformation: o.unavailabilitySeconds !== undefined ? { type: 0, periodDurationSeconds: o.unavailabilitySeconds } : undefined,
          });
          sendNas(this, msg, 'Deregistration request (UE originating)', attempt === 0 ? '4.2.2.3.2 step 1' : `4.2.2.3.2 step 1 (T3521 retransmission ${attempt}, TS 24.501 5.5.2.2.6 b)`);
        },
        releaseLocally: (outcome) => this.releaseLocally(outcome),
      });
      this.dereg.start(type);
    });
  }

  releaseLocally(outcome: DeregistrationOutcome): void {
    // 5.5.2.2.2 / 5.5.2.2.6: the 5GMM context and the PDU sessions are released locally.
    this.releaseSessionsLocally();
    stopT3512(this);
    this.registration = undefined;
    if (outcome === 'aborted-after-t3521') this.releaseConnectionLocally();
    // a UE switched off no longer camps on its cell (TS 38.304 5.2: cell selection is a powered-on UE's)
    if (outcome === 'switched-off') this.leaveCell();
    const w = this.deregWaiter;
    this.deregWaiter = undefined;
    w?.(outcome);
  }

  onDeregistrationAccept(name: string): void {
    if (!this.dereg || !this.dereg.onDeregistrationAccept()) this.unexpected.push(name);
  }

  /** Network-initiated de-registration (5.5.2.3), procedures/network-deregistration.ts. */
  onNetworkDeregistration(m: NasMessage): void {
    onDeregistrationRequestUeTerminated(this, m);
  }

  // --- Radio side ------------------------------------------------------------------------------------

  onRrcRelease(): void {
    this.conn = undefined;
    this.emit('rrcRelease');
    // A registered UE goes to 5GMM-IDLE (CM-IDLE) keeping its PDU sessions: their user plane
    // comes back with a Service request (procedures/service-request.ts); otherwise they end here.
    if (this.gmm !== GmmState.REGISTERED) this.releaseSessionsLocally();
    else {
      // TS 24.501 5.3.7: 5GMM-IDLE starts T3512 (procedures/periodic-registration.ts)
      startT3512(this);
      for (const [k, w] of this.pings) {
        this.clock.clearTimeout(w.timer);
        this.pings.delete(k);
        w.reject(new Error('RRC connection released'));
      }
    }
    if (this.regWaiter) failRegistration(this, new RegistrationRejected('RRC connection released during registration'));
    afterConnectionRelease(this);
  }

  /** Paged (TS 38.304 7.1): the UE in 5GMM-IDLE that the 5G-S-TMSI names answers with a Service request. */
  onPaging(id: { amfSetId: number; amfPointer: number; tmsi: number }): void {
    const g = this.guti;
    if (this.conn || this.outOfCoverage || this.gmm !== GmmState.REGISTERED || !g || g.tmsi !== id.tmsi || g.amfSetId !== id.amfSetId || g.amfPointer !== id.amfPointer) return;
    serviceRequest(this, 'mobile-terminated').catch((e: unknown) => this.log(`[UE ${this.supi}] Service request after paging: ${e instanceof Error ? e.message : String(e)}`));
  }

  releaseSessionsLocally(): void {
    this.sessions.clear();
    this.releases.abortAll();
    for (const p of [...this.pending.values()]) finishPending(this, p, new PduSessionRejected(`PDU session ${p.psi} released locally`));
    for (const [k, w] of this.pings) {
      this.clock.clearTimeout(w.timer);
      this.pings.delete(k);
      w.reject(new Error('PDU session released'));
    }
    for (const [k, w] of this.udpWaiters) {
      this.clock.clearTimeout(w.timer);
      this.udpWaiters.delete(k);
      w.reject(new Error('PDU session released'));
    }
  }

  /**
   * The UE stops camping on its cell (switched off, or its owner is done with it): the cell
   * forgets it. A later registration camps again.
   */
  leaveCell(): void {
    this.cell?.leave?.(this.side);
  }

  /** The UE leaves the cell without signalling (T3510 expiry, T3521 abort, or by the caller). */
  releaseConnectionLocally(): void {
    const c = this.conn;
    this.conn = undefined;
    c?.release();
  }

  // --- NAS send ----------------------------------------------------------------------------------------

  nasSnssai(s: Snssai = this.cfg.snssai): SNssai {
    return s.sd !== undefined ? { sst: s.sst, sd: parseInt(s.sd, 16) } : { sst: s.sst };
  }
}
