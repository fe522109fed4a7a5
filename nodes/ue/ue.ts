// A UE: the 5GMM and 5GSM procedures of TS 24.501 a wire5g UE runs, with its USIM (usim.ts), NAS
// security (TS 24.501 4.4, TS 33.501 6.4, 6.7.2) and an IP stack over its PDU sessions
// (user-plane.ts). It camps on a cell (nodes/gnb/uu.ts); NAS PDUs and IP packets go through it.
//
//   register()            initial registration, TS 24.501 5.5.1.2 (TS 23.502 4.2.2.2.2)
//                         with identification (5.4.3), 5G AKA (5.4.1.3), security mode control (5.4.2)
//   establishPduSession() UE-requested PDU session establishment, 6.4.1 (TS 23.502 4.3.2.2.1)
//   ping() / udpEcho()    user-plane traffic on a PDU session
//   deregister()          UE-originating de-registration, 5.5.2.2 (TS 23.502 4.2.2.3.2), through
//                         UeDeregistration (deregistration.ts) with T3521
// Every NAS message received is checked as 4.4.4 says (integrity with the current 5G NAS security
// context; which messages may arrive plain) before it reaches a procedure.

import { EventEmitter } from 'node:events';
import {
  nasMessage, encodeNasMessage, decodeNasMessage, decodeNas, protectNas, unprotectNas, NasMacFailure, NasReplay,
  type NasMessage, type NasSecurityContext, type MobileIdentity, type SNssai, type TaiPartialList, type GprsTimer,
  type UeSecurityCapability, type PduAddress, type QosRule, GPRS_TIMER3_UNIT_SECONDS,
} from '../../codecs/nas/index.ts';
import { realClock, type Clock, type TimerHandle } from '../../transport/clock.ts';
import { trace } from '../common/trace.ts';
import { servingNetworkName } from '../common/aka.ts';
import type { Plmn, Snssai } from '../common/config.ts';
import type { UuCell, UuConnection, UuUeSide, RrcEstablishmentCause } from '../gnb/uu.ts';
import { GmmState, gmmNext, gmmAllows, type GmmEvent } from './gmm-state.ts';
import { UeDeregistration, type DeregistrationOutcome, type DeregistrationType } from './deregistration.ts';
import { Usim, suciOf, nasKeys, type SuciConfig } from './usim.ts';
import { icmpEchoRequest, udpDatagram, parseDownlinkPacket } from './user-plane.ts';

/** TS 24.501 Table 10.2.1: T3510 15 s (registration), T3580 16 s (PDU session establishment). */
export const T3510_MS = 15_000;
export const T3580_MS = 16_000;
/** TS 24.501 6.4.1.6 a): T3580 retransmissions before the fifth expiry aborts. */
export const T3580_MAX_RETRANSMISSIONS = 4;

/** 5G-EA0 and 128-5G-EA2 (TS 24.501 9.11.3.54: bit 8 = EA0, bit 6 = EA2), 128-5G-IA2 (bit 6 of the IA octet). */
export const UE_SECURITY_CAPABILITY: UeSecurityCapability = { ea: 0xa0, ia: 0x20 };

export interface UeConfig {
  /** 'imsi-<MCC><MNC><MSIN>'. */
  supi: string;
  /** K and OPc, 32 hex digits each. */
  k: string;
  opc: string;
  /** The AMF field (4 hex digits) the home network uses; informational on the UE side. */
  amf: string;
  /** Initial SQN_MS (12 hex digits): authentication vectors with a SQN above it are fresh. */
  sqn: string;
  plmn: Plmn;
  snssai: Snssai;
  dnn: string;
  /** IMEISV, 16 digits. */
  imeisv: string;
  suci?: SuciConfig;
  clock?: Clock;
  /** The ciphering the UE prefers; it accepts whatever the AMF selects among EA0 and EA2. */
  security?: { ciphering: 'NEA0' | 'NEA2' };
  log?: (line: string) => void;
}

export interface RegistrationResult {
  guti: Extract<MobileIdentity, { type: '5g-guti' }> | undefined;
  taiList: TaiPartialList[];
  allowedNssai: SNssai[];
  /** T3512 in seconds (undefined when deactivated or absent). */
  t3512Seconds: number | undefined;
  /** The selected NAS security algorithms. */
  integrity: number;
  ciphering: number;
}

/** A 5GMM procedure the network rejected (TS 24.501 9.11.3.2 5GMM cause). */
export class RegistrationRejected extends Error {
  readonly fiveGmmCause: number | undefined;
  constructor(message: string, fiveGmmCause?: number) {
    super(message);
    this.name = 'RegistrationRejected';
    this.fiveGmmCause = fiveGmmCause;
  }
}

/** A 5GSM procedure that failed (TS 24.501 9.11.4.2 5GSM cause, or a 5GMM cause from DL NAS transport). */
export class PduSessionRejected extends Error {
  readonly fiveGsmCause: number | undefined;
  readonly fiveGmmCause: number | undefined;
  constructor(message: string, causes: { fiveGsmCause?: number; fiveGmmCause?: number } = {}) {
    super(message);
    this.name = 'PduSessionRejected';
    this.fiveGsmCause = causes.fiveGsmCause;
    this.fiveGmmCause = causes.fiveGmmCause;
  }
}

export interface UePduSession {
  pduSessionId: number;
  address: string;
  qosRules: QosRule[];
  sessionAmbr: unknown;
}

interface PendingPduSession {
  psi: number;
  pti: number;
  request: Uint8Array;
  timer: TimerHandle | undefined;
  retransmissions: number;
  resolve(v: { address: string }): void;
  reject(e: Error): void;
}

/** NAS messages a UE accepts without integrity protection (TS 24.501 4.4.4.2). */
const PLAIN_ALLOWED = new Set([
  'Identity request',
  'Authentication request',
  'Authentication result',
  'Authentication reject',
  'Registration reject',
  'Deregistration accept (UE originating)',
  'Service reject',
]);

export interface UeEvents {
  /** A NAS message accepted (after the 4.4.4 checks), by its spec name. */
  nas: [name: string];
  /** The gNB released the RRC connection. */
  rrcRelease: [];
}

let nextUeNumber = 1;

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

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
  readonly stats = { macFailures: 0, replays: 0, ulPackets: 0, dlPackets: 0, dlDropped: 0, t3510Expiries: 0, t3580Expiries: 0 };

  private gmm: GmmState = GmmState.DEREGISTERED;
  private readonly clock: Clock;
  private readonly log: (line: string) => void;
  private readonly snn: string;
  private readonly suci: MobileIdentity;
  private cell: UuCell | undefined;
  private conn: UuConnection | undefined;
  private readonly side: UuUeSide;
  /** The current 5G NAS security context (TS 24.501 4.4.2). */
  private security: NasSecurityContext | undefined;
  /** From the last successful authentication: KAUSF, the ngKSI and ABBA the AMF sent. */
  private auth: { kausf: Uint8Array; ngKsi: number; abba: Uint8Array } | undefined;
  /** TS 24.501 5.4.1.3.4: the last RAND with its RES*, so a retransmitted request gets the same answer. */
  private lastChallenge: { rand: Uint8Array; resStar: Uint8Array; ngKsi: number } | undefined;
  private guti: Extract<MobileIdentity, { type: '5g-guti' }> | undefined;
  private registration: RegistrationResult | undefined;
  private regWaiter: { resolve(r: RegistrationResult): void; reject(e: Error): void } | undefined;
  private t3510: TimerHandle | undefined;
  /** The complete Registration request, for the Security mode complete's NAS message container (4.4.6). */
  private fullRegistrationRequest: Uint8Array | undefined;
  private readonly pending = new Map<number, PendingPduSession>();
  readonly sessions = new Map<number, UePduSession>();
  private nextPti = 1;
  private dereg: UeDeregistration | undefined;
  private deregWaiter: ((o: DeregistrationOutcome) => void) | undefined;
  private readonly echoId: number;
  private readonly pings = new Map<number, { sentAt: number; resolve(rtt: number): void; reject(e: Error): void; timer: TimerHandle }>();
  private readonly udpWaiters = new Map<number, { resolve(p: Uint8Array): void; reject(e: Error): void; timer: TimerHandle }>();
  private nextUdpPort = 40000;
  private connecting = false;
  private readonly heldDuringConnect: Uint8Array[] = [];

  constructor(cfg: UeConfig) {
    super();
    this.cfg = cfg;
    this.clock = cfg.clock ?? realClock;
    this.log = cfg.log ?? (() => {});
    this.usim = new Usim(cfg.k, cfg.opc, cfg.sqn);
    this.snn = servingNetworkName(cfg.plmn.mcc, cfg.plmn.mnc);
    this.suci = suciOf(cfg.supi, cfg.plmn, cfg.suci);
    this.echoId = nextUeNumber++ & 0xffff;
    this.side = {
      onDownlinkNas: (nas) => this.onDownlinkNas(nas),
      onDownlinkData: (psi, packet) => this.onDownlinkData(psi, packet),
      onRrcRelease: () => this.onRrcRelease(),
    };
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

  private transition(event: GmmEvent): void {
    this.gmm = gmmNext(this.gmm, event);
  }

  // --- Registration (TS 24.501 5.5.1.2) --------------------------------------------------------------

  /** Initial registration on `cell`; resolves on Registration accept (after sending Registration complete). */
  register(cell: UuCell): Promise<RegistrationResult> {
    if (this.regWaiter) return Promise.reject(new Error('a registration is already in progress'));
    if (!gmmAllows(this.gmm, 'registration-requested')) return Promise.reject(new Error(`registration not possible in ${this.gmm}`));
    this.cell = cell;
    // 4.4.6: the initial NAS message without a valid context carries only the cleartext IEs; the
    // complete message goes in the Security mode complete's NAS message container (5.4.2.3).
    const cleartext = {
      registrationType: { followOnRequest: true, value: 1 },
      ngKsi: { tsc: 0, ksi: 7 },
      mobileIdentity: this.suci,
      ueSecurityCapability: UE_SECURITY_CAPABILITY,
    };
    this.fullRegistrationRequest = encodeNasMessage(nasMessage('Registration request', { ...cleartext, requestedNssai: [this.nasSnssai()] }));
    const initial = encodeNasMessage(nasMessage('Registration request', cleartext));
    this.security = undefined;
    this.auth = undefined;
    this.lastChallenge = undefined;
    const p = new Promise<RegistrationResult>((resolve, reject) => {
      this.regWaiter = { resolve, reject };
    });
    this.transition('registration-requested');
    this.sendPlain(initial, 'Registration request', '4.2.2.2.2 step 1');
    this.t3510 = this.clock.setTimeout(() => {
      this.t3510 = undefined;
      this.stats.t3510Expiries++;
      // 5.5.1.2.7 c): T3510 timeout: abort the registration; the UE releases the connection locally.
      this.failRegistration(new RegistrationRejected('T3510 expired: no answer to the Registration request (TS 24.501 5.5.1.2.7 c)'));
      this.releaseConnectionLocally();
    }, T3510_MS);
    return p;
  }

  private failRegistration(e: Error): void {
    this.clock.clearTimeout(this.t3510);
    this.t3510 = undefined;
    if (gmmAllows(this.gmm, 'registration-failed') && this.gmm === GmmState.REGISTERED_INITIATED) this.transition('registration-failed');
    const w = this.regWaiter;
    this.regWaiter = undefined;
    w?.reject(e);
  }

  private onIdentityRequest(m: NasMessage): void {
    // 5.4.3.3: answer with the identity asked for (SUCI, IMEI or IMEISV).
    const type = Number(m.ies.identityType) & 7;
    const identity: MobileIdentity =
      type === 1 ? this.suci : type === 3 ? { type: 'imei', digits: this.cfg.imeisv.slice(0, 14) + '0' } : type === 5 ? { type: 'imeisv', digits: this.cfg.imeisv } : { type: 'no-identity' };
    this.sendNas(nasMessage('Identity response', { mobileIdentity: identity }), 'Identity response', '4.2.2.2.2 step 7');
  }

  private onAuthenticationRequest(m: NasMessage): void {
    const ngKsi = (m.ies.ngKsi as { ksi: number }).ksi;
    const rand = m.ies.rand as Uint8Array | undefined;
    const autn = m.ies.autn as Uint8Array | undefined;
    const abba = (m.ies.abba as Uint8Array | undefined) ?? new Uint8Array(2);
    if (!rand || !autn) {
      // EAP-AKA' is not what wire5g's UE does: 5.4.1.3.7 treats it as an unacceptable authentication.
      this.sendNas(nasMessage('Authentication failure', { fiveGmmCause: 26 }), 'Authentication failure', '4.2.2.2.2 step 9');
      return;
    }
    // 5.4.1.3.5 c): an ngKSI already associated with a security context in use -> cause #71.
    if (this.security && this.security.ngKsi === ngKsi) {
      this.sendNas(nasMessage('Authentication failure', { fiveGmmCause: 71 }), 'Authentication failure', '4.2.2.2.2 step 9');
      return;
    }
    // 5.4.1.3.4: the same RAND again (the AMF retransmitted on T3560) is answered with the stored
    // RES* without the USIM, which would otherwise see its SQN again and report a synch failure.
    const last = this.lastChallenge;
    if (last && last.ngKsi === ngKsi && equalBytes(last.rand, rand)) {
      this.sendNas(nasMessage('Authentication response', { resStar: last.resStar }), 'Authentication response', '4.2.2.2.2 step 9');
      return;
    }
    const r = this.usim.authenticate(rand, autn, this.snn);
    switch (r.result) {
      case 'ok':
        this.auth = { kausf: r.kausf, ngKsi, abba };
        this.lastChallenge = { rand: Uint8Array.from(rand), resStar: r.resStar, ngKsi };
        // TS 33.501 6.1.3.2 step 7: RES* back to the SEAF.
        this.sendNas(nasMessage('Authentication response', { resStar: r.resStar }), 'Authentication response', '4.2.2.2.2 step 9');
        return;
      case 'mac-failure':
        this.sendNas(nasMessage('Authentication failure', { fiveGmmCause: 20 }), 'Authentication failure', '4.2.2.2.2 step 9');
        return;
      case 'synch-failure':
        this.sendNas(nasMessage('Authentication failure', { fiveGmmCause: 21, auts: r.auts }), 'Authentication failure', '4.2.2.2.2 step 9');
        return;
      case 'non-5g':
        this.sendNas(nasMessage('Authentication failure', { fiveGmmCause: 26 }), 'Authentication failure', '4.2.2.2.2 step 9');
        return;
    }
  }

  /**
   * Security mode command (5.4.2.3): integrity protected with the NEW context (SHT 3), so it is
   * checked with keys derived from the selected algorithms before anything of it is believed.
   */
  private onSecurityModeCommand(bytes: Uint8Array): void {
    let inner: NasMessage;
    try {
      const env = decodeNas(bytes);
      if (env.kind !== 'protected' || !env.inner || env.inner.name !== 'Security mode command') {
        this.discard('Security mode command not integrity protected with a new context', env.kind === 'plain' ? env.message.name : undefined);
        return;
      }
      inner = env.inner;
    } catch (e) {
      this.discard(`undecodable: ${(e as Error).message}`);
      return;
    }
    const algs = inner.ies.selectedNasSecurityAlgorithms as { ciphering: number; integrity: number };
    const ngKsi = (inner.ies.ngKsi as { ksi: number }).ksi;
    const replayed = inner.ies.replayedUeSecurityCapabilities as UeSecurityCapability;
    if (!this.auth || this.auth.ngKsi !== ngKsi) {
      this.discard(`Security mode command for ngKSI ${ngKsi} without a matching authentication`, inner.name);
      return;
    }
    // 5.4.2.5: algorithms the UE does not support -> reject with #24 (the NEW context is not taken).
    const integrityOk = algs.integrity === 2;
    const cipheringOk = algs.ciphering === 0 || algs.ciphering === 2;
    const abba = (inner.ies.abba as Uint8Array | undefined) ?? this.auth.abba;
    const keys = nasKeys(this.auth.kausf, this.snn, this.cfg.supi, abba, integrityOk ? algs.integrity : 2, cipheringOk ? algs.ciphering : 0);
    const ctx: NasSecurityContext = { ngKsi, kNasInt: keys.kNasInt, kNasEnc: keys.kNasEnc, integrityAlgorithm: 2, cipheringAlgorithm: cipheringOk ? algs.ciphering : 0, uplinkCount: 0, downlinkCount: 0, bearer: 1 };
    try {
      unprotectNas(bytes, ctx, 1);
    } catch (e) {
      if (e instanceof NasMacFailure || e instanceof NasReplay) {
        this.stats.macFailures++;
        this.discard(`Security mode command: ${e.message} (TS 24.501 4.4.4.2)`, inner.name);
        return;
      }
      throw e;
    }
    this.accept(inner.name);
    const current = this.security;
    if (current && current.ngKsi === ctx.ngKsi && current.integrityAlgorithm === ctx.integrityAlgorithm && current.cipheringAlgorithm === ctx.cipheringAlgorithm && equalBytes(current.kNasInt, ctx.kNasInt)) {
      // The AMF retransmitted the command (T3560, 5.4.2.7 b): the context is already in use, so the
      // complete is sent again with the next uplink COUNT instead of restarting the COUNTs at 0.
      current.downlinkCount = Math.max(current.downlinkCount, ctx.downlinkCount);
      this.sendSecurityModeComplete(inner);
      return;
    }
    if (!integrityOk || !cipheringOk) {
      this.sendNas(nasMessage('Security mode reject', { fiveGmmCause: 24 }), 'Security mode reject', '4.2.2.2.2 step 9b');
      return;
    }
    // 5.4.2.5: the replayed UE security capabilities must be the ones the UE sent (bidding down).
    if (!replayed || replayed.ea !== UE_SECURITY_CAPABILITY.ea || replayed.ia !== UE_SECURITY_CAPABILITY.ia) {
      this.sendNas(nasMessage('Security mode reject', { fiveGmmCause: 23 }), 'Security mode reject', '4.2.2.2.2 step 9b');
      return;
    }
    this.security = ctx;
    this.sendSecurityModeComplete(inner);
  }

  private sendSecurityModeComplete(smc: NasMessage): void {
    const complete = nasMessage('Security mode complete', {
      imeisv: smc.ies.imeisvRequest === 1 ? { type: 'imeisv', digits: this.cfg.imeisv } : undefined,
      nasMessageContainer: this.fullRegistrationRequest,
    });
    // SHT 4: integrity protected and ciphered with the new 5G NAS security context (5.4.2.3).
    this.sendProtected(encodeNasMessage(complete), 4, 'Security mode complete', '4.2.2.2.2 step 9b');
  }

  private onRegistrationAccept(m: NasMessage): void {
    if (!this.regWaiter) {
      // T3550 retransmission (5.5.1.2.8): the accept came again, so the complete was lost: resend it.
      if (this.gmm === GmmState.REGISTERED && m.ies.fiveGGuti) {
        const guti = m.ies.fiveGGuti as MobileIdentity;
        if (guti.type === '5g-guti') this.guti = guti;
        this.sendNas(nasMessage('Registration complete', {}), 'Registration complete', '4.2.2.2.2 step 22');
      } else this.unexpected.push(m.name);
      return;
    }
    this.clock.clearTimeout(this.t3510);
    this.t3510 = undefined;
    const guti = m.ies.fiveGGuti as MobileIdentity | undefined;
    if (guti && guti.type === '5g-guti') this.guti = guti;
    const t3512 = m.ies.t3512Value as GprsTimer | undefined;
    const unit = t3512 ? GPRS_TIMER3_UNIT_SECONDS[t3512.unit] : undefined;
    this.registration = {
      guti: this.guti,
      taiList: (m.ies.taiList as TaiPartialList[] | undefined) ?? [],
      allowedNssai: (m.ies.allowedNssai as SNssai[] | undefined) ?? [],
      t3512Seconds: t3512 && unit !== undefined ? t3512.value * unit : undefined,
      integrity: this.security?.integrityAlgorithm ?? 0,
      ciphering: this.security?.cipheringAlgorithm ?? 0,
    };
    this.transition('registration-accepted');
    // 5.5.1.2.4: Registration complete acknowledges the new 5G-GUTI.
    if (guti) this.sendNas(nasMessage('Registration complete', {}), 'Registration complete', '4.2.2.2.2 step 22');
    const w = this.regWaiter;
    this.regWaiter = undefined;
    w.resolve(this.registration);
  }

  private onRegistrationReject(m: NasMessage): void {
    const cause = Number(m.ies.fiveGmmCause);
    this.failRegistration(new RegistrationRejected(`Registration reject, 5GMM cause #${cause} (TS 24.501 5.5.1.2.5)`, cause));
  }

  private onAuthenticationReject(): void {
    // 5.4.1.3.5: the UE considers the USIM invalid for 5GS until switched off; no more NAS security.
    this.security = undefined;
    this.auth = undefined;
    this.failRegistration(new RegistrationRejected('Authentication reject (TS 24.501 5.4.1.3.5)'));
  }

  // --- PDU session establishment (TS 24.501 6.4.1) ------------------------------------------------------

  /** UE-requested PDU session establishment; resolves with the IPv4 address of the session. */
  establishPduSession(psi = 1): Promise<{ address: string }> {
    if (this.gmm !== GmmState.REGISTERED) return Promise.reject(new Error(`PDU session establishment needs 5GMM-REGISTERED, the UE is ${this.gmm}`));
    if (psi < 1 || psi > 15) return Promise.reject(new RangeError(`PDU session identity ${psi} is not 1..15`));
    if (this.sessions.has(psi) || this.pending.has(psi)) return Promise.reject(new Error(`PDU session ${psi} already exists or is being established`));
    const pti = this.allocatePti();
    const request = encodeNasMessage(nasMessage('PDU session establishment request', {
      integrityProtectionMaximumDataRate: Uint8Array.of(0xff, 0xff),
      pduSessionType: 1,
      sscMode: 1,
    }, { pduSessionId: psi, pti }));
    return new Promise((resolve, reject) => {
      const p: PendingPduSession = { psi, pti, request, timer: undefined, retransmissions: 0, resolve, reject };
      this.pending.set(psi, p);
      this.sendPduSessionRequest(p);
    });
  }

  private sendPduSessionRequest(p: PendingPduSession): void {
    const ul = nasMessage('UL NAS transport', {
      payloadContainerType: 1,
      payloadContainer: p.request,
      pduSessionId: p.psi,
      requestType: 1,
      sNssai: this.nasSnssai(),
      dnn: this.cfg.dnn,
    });
    this.sendNas(ul, 'UL NAS transport', '4.3.2.2.1 step 1', 'PDU session establishment request');
    // 6.4.1.6 a): T3580 expiry retransmits the request, four times, then aborts.
    p.timer = this.clock.setTimeout(() => {
      p.timer = undefined;
      this.stats.t3580Expiries++;
      if (this.pending.get(p.psi) !== p) return;
      if (p.retransmissions < T3580_MAX_RETRANSMISSIONS) {
        p.retransmissions++;
        this.sendPduSessionRequest(p);
        return;
      }
      this.pending.delete(p.psi);
      p.reject(new PduSessionRejected(`T3580 expired ${T3580_MAX_RETRANSMISSIONS + 1} times: PDU session ${p.psi} establishment aborted (TS 24.501 6.4.1.6 a)`));
    }, T3580_MS);
  }

  private allocatePti(): number {
    const pti = this.nextPti;
    this.nextPti = this.nextPti >= 254 ? 1 : this.nextPti + 1;
    return pti;
  }

  /** DL NAS transport (5.4.5.3): a 5GSM message for a PDU session, or the 5GMM cause of one not forwarded. */
  private onDlNasTransport(m: NasMessage): void {
    const type = Number(m.ies.payloadContainerType);
    const container = m.ies.payloadContainer as Uint8Array;
    const psi = m.ies.pduSessionId as number | undefined;
    const gmmCause = m.ies.fiveGmmCause as number | undefined;
    if (type !== 1) {
      this.log(`[UE ${this.cfg.supi}] DL NAS transport with payload container type ${type} ignored`);
      return;
    }
    let sm: NasMessage;
    try {
      sm = decodeNasMessage(container);
    } catch (e) {
      this.discard(`5GSM message does not decode: ${(e as Error).message}`, 'DL NAS transport');
      return;
    }
    if (gmmCause !== undefined) {
      // 5.4.5.3.3: the network could not forward the 5GSM message it returns; the procedure fails.
      this.accept(`${sm.name} (returned)`);
      const p = this.pending.get(psi ?? sm.pduSessionId ?? -1);
      if (p) this.finishPending(p, new PduSessionRejected(`5GSM message not forwarded, 5GMM cause #${gmmCause} (TS 24.501 5.4.5.3.3)`, { fiveGmmCause: gmmCause }));
      return;
    }
    this.accept(sm.name);
    this.on5gsm(sm);
  }

  private on5gsm(sm: NasMessage): void {
    const psi = sm.pduSessionId ?? 0;
    const p = this.pending.get(psi);
    switch (sm.name) {
      case 'PDU session establishment accept': {
        if (!p || p.pti !== sm.pti) {
          this.unexpected.push(sm.name);
          return;
        }
        const addr = sm.ies.pduAddress as PduAddress | undefined;
        if (!addr?.ipv4) {
          this.finishPending(p, new PduSessionRejected('PDU session establishment accept without an IPv4 PDU address'));
          return;
        }
        this.sessions.set(psi, { pduSessionId: psi, address: addr.ipv4, qosRules: (sm.ies.authorizedQosRules as QosRule[]) ?? [], sessionAmbr: sm.ies.sessionAmbr });
        this.finishPending(p, undefined, { address: addr.ipv4 });
        return;
      }
      case 'PDU session establishment reject': {
        const cause = Number(sm.ies.fiveGsmCause);
        if (p && p.pti === sm.pti) this.finishPending(p, new PduSessionRejected(`PDU session establishment reject, 5GSM cause #${cause} (TS 24.501 6.4.1.4)`, { fiveGsmCause: cause }));
        else this.unexpected.push(sm.name);
        return;
      }
      case 'PDU session release command': {
        // 6.3.3.2 network-requested release: release locally and complete.
        this.sessions.delete(psi);
        const complete = encodeNasMessage(nasMessage('PDU session release complete', {}, { pduSessionId: psi, pti: sm.pti ?? 0 }));
        this.sendNas(nasMessage('UL NAS transport', { payloadContainerType: 1, payloadContainer: complete, pduSessionId: psi }), 'UL NAS transport', 'TS 24.501 6.3.3.2', 'PDU session release complete');
        return;
      }
      default:
        this.unexpected.push(sm.name);
    }
  }

  private finishPending(p: PendingPduSession, err: Error | undefined, ok?: { address: string }): void {
    this.clock.clearTimeout(p.timer);
    p.timer = undefined;
    if (this.pending.get(p.psi) === p) this.pending.delete(p.psi);
    if (err) p.reject(err);
    else p.resolve(ok!);
  }

  // --- User plane ----------------------------------------------------------------------------------

  /** ICMP echo to `dst` over PDU session `psi`; resolves with the round-trip time in ms. */
  ping(dst = '10.45.255.254', seq = 1, o: { psi?: number; timeoutMs?: number; payload?: Uint8Array } = {}): Promise<number> {
    const psi = o.psi ?? this.firstSessionId();
    const s = psi !== undefined ? this.sessions.get(psi) : undefined;
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
      trace({ from: 'UE', to: 'DN', interface: 'N3', protocol: 'IP', message: `ICMP echo request ${dst} seq ${key}`, step: 'TS 23.501 5.8 (user plane)', ue: this.cfg.supi });
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
      trace({ from: 'UE', to: 'DN', interface: 'N3', protocol: 'IP', message: `UDP echo request ${dst}:${o.port ?? 7}`, step: 'TS 23.501 5.8 (user plane)', ue: this.cfg.supi });
      this.conn!.uplinkData(s.pduSessionId, packet);
    });
  }

  /** Sends a raw IP packet on a PDU session (no answer awaited). */
  sendPacket(psi: number, packet: Uint8Array): void {
    if (!this.sessions.has(psi) || !this.conn) throw new Error(`no PDU session ${psi}`);
    this.stats.ulPackets++;
    this.conn.uplinkData(psi, packet);
  }

  private firstSessionId(): number | undefined {
    for (const k of this.sessions.keys()) return k;
    return undefined;
  }

  private onDownlinkData(psi: number, packet: Uint8Array): void {
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
        w.resolve(Uint8Array.from(p.payload));
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
          this.sendNas(msg, 'Deregistration request (UE originating)', attempt === 0 ? '4.2.2.3.2 step 1' : `4.2.2.3.2 step 1 (T3521 retransmission ${attempt}, TS 24.501 5.5.2.2.6 b)`);
        },
        releaseLocally: (outcome) => this.releaseLocally(outcome),
      });
      this.dereg.start(type);
    });
  }

  private releaseLocally(outcome: DeregistrationOutcome): void {
    // 5.5.2.2.2 / 5.5.2.2.6: the 5GMM context and the PDU sessions are released locally.
    this.releaseSessionsLocally();
    this.registration = undefined;
    if (outcome === 'aborted-after-t3521') this.releaseConnectionLocally();
    const w = this.deregWaiter;
    this.deregWaiter = undefined;
    w?.(outcome);
  }

  private onDeregistrationAccept(name: string): void {
    if (!this.dereg || !this.dereg.onDeregistrationAccept()) this.unexpected.push(name);
  }

  /** Network-initiated de-registration (5.5.2.3): accept it and release locally. */
  private onNetworkDeregistration(m: NasMessage): void {
    const t = m.ies.deregistrationType as { switchOff: boolean; reRegistrationRequired: boolean };
    this.sendNas(nasMessage('Deregistration accept (UE terminated)', {}), 'Deregistration accept (UE terminated)', '4.2.2.3.3 step 3');
    if (gmmAllows(this.gmm, 'deregistered-by-network')) this.transition('deregistered-by-network');
    this.releaseSessionsLocally();
    this.log(`[UE ${this.cfg.supi}] de-registered by the network${t?.reRegistrationRequired ? ' (re-registration required)' : ''}`);
    if (this.deregWaiter) this.releaseLocally('deregistered-by-network');
  }

  private onConfigurationUpdateCommand(m: NasMessage): void {
    const guti = m.ies.fiveGGuti as MobileIdentity | undefined;
    if (guti && guti.type === '5g-guti') this.guti = guti;
    // 5.4.4.2: acknowledgement requested (bit 1 of the Configuration update indication) or a new 5G-GUTI.
    const ack = (Number(m.ies.configurationUpdateIndication ?? 0) & 1) === 1;
    if (ack || guti) this.sendNas(nasMessage('Configuration update complete', {}), 'Configuration update complete', 'TS 24.501 5.4.4.3');
  }

  // --- Radio side ------------------------------------------------------------------------------------

  private onRrcRelease(): void {
    this.conn = undefined;
    this.emit('rrcRelease');
    // wire5g's UE has no Service request: its PDU sessions end with the RRC connection.
    this.releaseSessionsLocally();
    if (this.regWaiter) this.failRegistration(new RegistrationRejected('RRC connection released during registration'));
  }

  private releaseSessionsLocally(): void {
    this.sessions.clear();
    for (const p of [...this.pending.values()]) this.finishPending(p, new PduSessionRejected(`PDU session ${p.psi} released locally`));
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

  /** The UE leaves the cell without signalling (T3510 expiry, T3521 abort, or by the caller). */
  releaseConnectionLocally(): void {
    const c = this.conn;
    this.conn = undefined;
    c?.release();
  }

  // --- NAS receive -------------------------------------------------------------------------------------

  private onDownlinkNas(bytes: Uint8Array): void {
    try {
      this.receiveNas(bytes);
    } catch (e) {
      this.log(`[UE ${this.cfg.supi}] DL NAS handling failed: ${(e as Error).stack ?? String(e)}`);
    }
  }

  private receiveNas(bytes: Uint8Array): void {
    if (bytes.length < 3) {
      this.discard('NAS PDU shorter than a header');
      return;
    }
    const sht = bytes[0] === 0x7e ? bytes[1] & 0x0f : 0;
    if (sht === 3 || sht === 4) {
      // A new 5G NAS security context: only the Security mode command may establish one.
      this.onSecurityModeCommand(bytes);
      return;
    }
    let m: NasMessage;
    if (sht === 0) {
      try {
        m = decodeNasMessage(bytes);
      } catch (e) {
        this.discard(`undecodable: ${(e as Error).message}`);
        return;
      }
      // 4.4.4.2: with a current context, only a few messages may arrive without integrity protection.
      if (this.security && !PLAIN_ALLOWED.has(m.name)) {
        this.discard('not integrity protected while a 5G NAS security context is in use (TS 24.501 4.4.4.2)', m.name);
        return;
      }
    } else {
      if (!this.security) {
        this.discard('protected NAS message without a 5G NAS security context (TS 24.501 4.4.4.2)');
        return;
      }
      try {
        const u = unprotectNas(bytes, this.security, 1);
        m = decodeNasMessage(u.plain);
      } catch (e) {
        if (e instanceof NasMacFailure) {
          this.stats.macFailures++;
          this.discard(`${e.message}: discarded (TS 24.501 4.4.4.2)`);
          return;
        }
        if (e instanceof NasReplay) {
          this.stats.replays++;
          this.discard(`${e.message}: discarded (TS 24.501 4.4.3.2)`);
          return;
        }
        this.discard(`undecodable: ${(e as Error).message}`);
        return;
      }
    }
    this.accept(m.name);
    this.dispatch(m);
  }

  private dispatch(m: NasMessage): void {
    switch (m.name) {
      case 'Identity request':
        return this.onIdentityRequest(m);
      case 'Authentication request':
        return this.onAuthenticationRequest(m);
      case 'Authentication reject':
        return this.onAuthenticationReject();
      case 'Registration accept':
        return this.onRegistrationAccept(m);
      case 'Registration reject':
        return this.onRegistrationReject(m);
      case 'DL NAS transport':
        return this.onDlNasTransport(m);
      case 'Deregistration accept (UE originating)':
        return this.onDeregistrationAccept(m.name);
      case 'Deregistration request (UE terminated)':
        return this.onNetworkDeregistration(m);
      case 'Configuration update command':
        return this.onConfigurationUpdateCommand(m);
      case '5GMM status':
        this.log(`[UE ${this.cfg.supi}] 5GMM status, cause #${String(m.ies.fiveGmmCause)}`);
        return;
      default:
        this.unexpected.push(m.name);
    }
  }

  private accept(name: string): void {
    this.received.push(name);
    this.emit('nas', name);
  }

  private discard(reason: string, name?: string): void {
    this.discarded.push({ reason, ...(name ? { name } : {}) });
    this.log(`[UE ${this.cfg.supi}] discarded DL NAS${name ? ` ${name}` : ''}: ${reason}`);
  }

  // --- NAS send ----------------------------------------------------------------------------------------

  /** Sends a 5GMM message: protected with the current context (SHT 2), plain before one exists. */
  private sendNas(m: NasMessage, name: string, step: string, inner?: string): void {
    const plain = encodeNasMessage(m);
    if (!this.security) {
      this.sendPlain(plain, name, step, inner);
      return;
    }
    // 4.4.6: an initial NAS message (no RRC connection yet) is integrity protected, not ciphered.
    this.sendProtected(plain, this.conn ? 2 : 1, name, step, inner);
  }

  private sendProtected(plain: Uint8Array, sht: 1 | 2 | 3 | 4, name: string, step: string, inner?: string): void {
    const bytes = protectNas(plain, this.security!, 0, sht);
    this.transmit(bytes, name, step, inner);
  }

  private sendPlain(plain: Uint8Array, name: string, step: string, inner?: string): void {
    this.transmit(plain, name, step, inner);
  }

  private transmit(bytes: Uint8Array, name: string, step: string, inner?: string): void {
    this.sent.push(inner ? `${name}: ${inner}` : name);
    trace({ from: 'UE', to: 'AMF', interface: 'N1', protocol: 'NAS-5GS', message: inner ? `${name} (${inner})` : name, step, ue: this.cfg.supi, bytes: bytes.length });
    if (this.connecting) {
      this.heldDuringConnect.push(bytes);
      return;
    }
    if (this.conn) {
      this.conn.uplinkNas(bytes);
      return;
    }
    if (!this.cell) throw new Error('the UE has not camped on a cell');
    // No RRC connection: this NAS message is the initial one of a new connection (TS 38.331 5.3.3).
    const cause: RrcEstablishmentCause = 'mo-Signalling';
    this.connecting = true;
    try {
      this.conn = this.cell.connect(this.side, bytes, cause);
    } finally {
      this.connecting = false;
    }
    // Anything the UE answered while the cell was still setting the connection up goes now.
    for (const b of this.heldDuringConnect.splice(0)) this.conn?.uplinkNas(b);
  }

  private nasSnssai(): SNssai {
    const s = this.cfg.snssai;
    return s.sd !== undefined ? { sst: s.sst, sd: parseInt(s.sd, 16) } : { sst: s.sst };
  }
}
