// The AMF: N2 (NGAP over SCTP, TS 38.413) towards the gNBs, N1 (NAS-5GS 5GMM, TS 24.501) towards
// the UEs through them, and its service-based interface (Namf, TS 29.518) plus the services it
// consumes (Nausf, Nudm, Npcf, Nsmf). The procedures are written in the order of their clauses:
//   - NG Setup, TS 38.413 8.7.1
//   - Registration, TS 23.502 4.2.2.2.2 (with 5G AKA, TS 33.501 6.1.3.2, and NAS SMC, 6.7.2)
//   - PDU Session Establishment relay, TS 23.502 4.3.2.2.1
//   - UE-initiated Deregistration, TS 23.502 4.2.2.3.2
// Every NAS and NGAP message it sends is a trace event; every resource it holds for a UE is on
// the UE's context and in the ledger.

import { SctpUdpEndpoint } from '../../transport/sctp-udp/endpoint.ts';
import type { SctpAssociation } from '../../transport/sctp-udp/association.ts';
import type { SctpTimers } from '../../transport/sctp-udp/association.ts';
import { realClock, type Clock } from '../../transport/clock.ts';
import type { WireTap } from '../../transport/tap.ts';
import {
  decodeNgap, encodeNgap, ngapMessage, iesByName, ngapPdu, bits, plmnIdentity, tac as ngapTac, snssai, errorIndicationFor,
  type NgapPdu, type Ngap, ngapErrorContext,
} from '../../codecs/ngap/index.ts';
import {
  decodeNas, decodeNasMessage, encodeNasMessage, nasMessage, protectNas, unprotectNas, suciString, gprsTimer3,
  NasMacFailure, NasReplay,
  type NasMessage, type MobileIdentity, type SNssai, type UeSecurityCapability, type NasSecurityContext,
} from '../../codecs/nas/index.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { fromHex, toHex } from '../../codecs/bytes/hex.ts';
import { hresStar, kamf as deriveKamf, nasKeys, kgnb } from '../../crypto/kdf.ts';
import { servingNetworkName, imsiDigits } from '../common/aka.ts';
import {
  SbiProblem, SbiMultipart, ok, objectBody, binaryPart, expectStatus, N1_CONTENT_TYPE, N2_CONTENT_TYPE,
  type SbiClient, type SbiRoute, type SbiResult,
} from '../common/sbi.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { DenseIdPool } from '../common/pools.ts';
import { trace } from '../common/trace.ts';
import type { Plmn, Snssai } from '../common/config.ts';
import type { AmfUe, GnbContext, ReceivedNas, PduSessionRef, AmfGmmState } from './context.ts';

export interface AmfConfig {
  /** The AMF's own address: NGAP (SCTP over UDP) and SBI. */
  address: string;
  sbiPort: number;
  ngapUdpPort?: number;
  instanceId: string;
  name: string;
  plmn: Plmn;
  tac: number;
  /** S-NSSAIs the AMF serves. */
  snssais: Snssai[];
  /** Default DNN when the UE names none (TS 23.502 4.3.2.2.1 step 2). */
  dnn: string;
  guami: { regionId: number; setId: number; pointer: number };
  relativeCapacity: number;
  t3512Seconds: number;
  security: { ciphering: 'NEA0' | 'NEA2' };
  /** Base URIs of the NFs it consumes ('http://127.0.0.11:8080'). */
  uris: { ausf: string; udm: string; pcf: string; smf: string };
  /** Its own SBI base URI (callbacks). */
  baseUri: string;
  tap?: WireTap;
  clock?: Clock;
  sctpTimers?: Partial<SctpTimers>;
  /** NAS and NGAP guard timers (TS 24.501 Table 10.2.2 values by default); tests shorten them. */
  timers?: Partial<AmfTimers>;
  log?: (line: string) => void;
}

export interface AmfTimers {
  t3560Ms: number;
  t3550Ms: number;
  ngapAnswerMs: number;
}

/** TS 24.501 9.11.3.2 5GMM causes the AMF sends. */
export const FiveGmmCause = {
  IllegalUe: 3,
  FiveGsServicesNotAllowed: 7,
  UeIdentityCannotBeDerived: 9,
  ImplicitlyDeregistered: 10,
  MacFailure: 20,
  SynchFailure: 21,
  UeSecurityCapabilitiesMismatch: 23,
  SecurityModeRejectedUnspecified: 24,
  Non5gAuthenticationUnacceptable: 26,
  NoNetworkSlicesAvailable: 62,
  PayloadWasNotForwarded: 90,
  SemanticallyIncorrectMessage: 95,
  InvalidMandatoryInformation: 96,
  MessageTypeNotCompatibleWithProtocolState: 98,
  ProtocolErrorUnspecified: 111,
} as const;

/** TS 24.501 Table 10.2.2: T3560 (authentication, security mode) and T3550 (registration accept), 6 s. */
export const T3560_MS = 6_000;
export const T3550_MS = 6_000;
/** Retransmissions before the procedure is aborted (TS 24.501 5.4.1.3.7 f, 5.4.2.7, 5.5.1.2.8). */
export const NAS_RETRANSMISSIONS = 4;
/**
 * How long the AMF waits for an NGAP answer (UE Context Release Complete, ICS Response). TS 38.413
 * defines no timer for these; the guard is as long as the UE's own T3510 (15 s) plus margin, so a
 * burst that slows every answer down does not turn into registrations the AMF gave up on.
 */
const NGAP_ANSWER_MS = 20_000;

/**
 * TS 24.501 4.4.4.3: the messages the AMF processes even when their integrity is not verified
 * (the rest are discarded).
 */
const ALLOWED_WITHOUT_INTEGRITY = new Set(['Registration request', 'Identity response', 'Authentication response', 'Authentication failure', 'Security mode reject', 'Deregistration request (UE originating)', 'Deregistration accept (UE terminated)', 'Service request']);

class ProcedureAborted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ProcedureAborted';
  }
}

function snssaiEquals(a: SNssai, b: { sst: number; sd?: string | number }): boolean {
  const bsd = typeof b.sd === 'string' ? parseInt(b.sd, 16) : b.sd;
  return a.sst === b.sst && (a.sd ?? -1) === (bsd ?? -1);
}

function sbiSnssai(s: SNssai): { sst: number; sd?: string } {
  return { sst: s.sst, ...(s.sd !== undefined ? { sd: s.sd.toString(16).padStart(6, '0') } : {}) };
}

/**
 * NGAP security algorithm bitmaps (TS 38.413 9.3.1.86, first bit = algorithm 1) from the NAS UE
 * security capability octets (TS 24.501 9.11.3.54, bit 8 = algorithm 0): the same shift for the
 * NR (5G-EA/IA) and the E-UTRA (EEA/EIA) octets.
 */
function ngapAlgorithms(octet: number): { value: Uint8Array; length: number } {
  return bits(((octet & 0x7f) << 9) & 0xffff, 16);
}

export class Amf {
  readonly cfg: AmfConfig;
  readonly ledger = new ResourceLedger('AMF');
  readonly routes: SbiRoute[];
  private readonly sbi: SbiClient;
  private readonly clock: Clock;
  private readonly timers: AmfTimers;
  private endpoint: SctpUdpEndpoint | undefined;
  private readonly gnbs = new Set<GnbContext>();
  private readonly ues = new Map<number, AmfUe>();
  private readonly bySupi = new Map<string, AmfUe>();
  private readonly byTmsi = new Map<number, AmfUe>();
  private readonly ngapIds = new DenseIdPool('AMF UE NGAP ID', 1 << 24);
  private readonly tmsis = new DenseIdPool('5G-TMSI', 1 << 24);
  /** Namf_EventExposure subscriptions (TS 29.518 5.3), by subscription id. */
  private readonly eventSubscriptions = new Map<string, { types: string[]; eventNotifyUri: string; notifyCorrelationId: string; supi?: string }>();
  private nextSubscription = 1;
  /** Procedures in flight (so a run can wait for quiescence). */
  private readonly inFlight = new Set<Promise<void>>();
  readonly stats = { ngapDecodeErrors: 0, nasDecodeErrors: 0, nasIntegrityFailures: 0, errorIndicationsSent: 0, registrations: 0, registrationRejects: 0, deregistrations: 0, deregistrationsNotProcessed: 0 };

  constructor(cfg: AmfConfig, sbi: SbiClient) {
    this.cfg = cfg;
    this.sbi = sbi;
    this.clock = cfg.clock ?? realClock;
    this.timers = { t3560Ms: T3560_MS, t3550Ms: T3550_MS, ngapAnswerMs: NGAP_ANSWER_MS, ...(cfg.timers ?? {}) };
    this.routes = this.namfRoutes();
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
    this.endpoint.on('association', (a) => this.onAssociation(a));
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

  private log(line: string): void {
    this.cfg.log?.(`[AMF] ${line}`);
  }

  private track(p: Promise<void>): void {
    const t = p.catch((e: unknown) => this.log(`procedure failed: ${e instanceof Error ? e.message : String(e)}`)).finally(() => this.inFlight.delete(t));
    this.inFlight.add(t);
  }

  // --- N2: NGAP ------------------------------------------------------------------------------

  private onAssociation(assoc: SctpAssociation): void {
    const gnb: GnbContext = { assoc, ues: new Map(), setUp: false };
    this.gnbs.add(gnb);
    assoc.on('message', (stream, ppid, payload) => {
      try {
        this.onNgap(gnb, stream, payload);
      } catch (e) {
        this.log(`NGAP handling failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
    });
    assoc.on('lost', (reason) => this.log(`N2 association lost: ${reason}`));
    assoc.on('close', () => {
      this.gnbs.delete(gnb);
      // TS 23.502 4.2.6 (AN release) is not signalled over a dead association: the UE contexts on
      // it are released locally (their N1 and SBI state stays until the UE deregisters).
      for (const ue of gnb.ues.values()) this.dropUe(ue);
    });
  }

  private sendNgap(gnb: GnbContext, stream: number, pdu: NgapPdu, step?: string, ue?: AmfUe): void {
    const name = ngapMessage(pdu).name;
    trace({ from: 'AMF', to: 'gNB', interface: 'N2', protocol: 'NGAP', message: name, ...(step ? { step } : {}), ...(ue?.supi ? { ue: ue.supi } : {}) });
    if (!gnb.assoc.established) return;
    gnb.assoc.send(stream, 60, encodeNgap(pdu), step ? `${name} [${step.startsWith('TS ') ? step : `TS 23.502 ${step}`}]` : name);
  }

  private onNgap(gnb: GnbContext, stream: number, payload: Uint8Array): void {
    let pdu: NgapPdu;
    try {
      pdu = decodeNgap(payload);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      // TS 38.413 10.2/10.3: answer with ERROR INDICATION, keep serving
      this.stats.ngapDecodeErrors++;
      this.log(`undecodable NGAP from the gNB: ${e.message}`);
      const ctx = ngapErrorContext(payload);
      this.stats.errorIndicationsSent++;
      this.sendNgap(gnb, stream, errorIndicationFor(e, ctx), 'TS 38.413 10');
      return;
    }
    const { procedure, name } = ngapMessage(pdu);
    const ies = iesByName(procedure.value, name);
    if (name === 'NGSetupRequest') return this.onNgSetupRequest(gnb, stream, ies);
    if (!gnb.setUp) {
      this.sendNgap(gnb, stream, ngapPdu('ErrorIndication', { Cause: { protocol: 'message-not-compatible-with-receiver-state' } }), 'TS 38.413 8.7.1.2');
      return;
    }
    if (name === 'InitialUEMessage') return this.onInitialUeMessage(gnb, stream, ies);
    if (name === 'ErrorIndication') {
      this.log(`gNB reported an error: ${JSON.stringify(ies.get('Cause'))}`);
      return;
    }
    // AMF-UE-NGAP-ID (0..2^40-1) decodes as a number (the runtime uses bigint only above 2^48)
    const amfId = ies.get('AMF-UE-NGAP-ID') as number | undefined;
    const ranId = ies.get('RAN-UE-NGAP-ID') as number | undefined;
    const ue = amfId !== undefined ? this.ues.get(Number(amfId)) : undefined;
    if (!ue || (ranId !== undefined && ue.ranUeNgapId !== ranId) || ue.gnb !== gnb) {
      // TS 38.413 10.6: unknown or inconsistent UE NGAP IDs
      this.stats.errorIndicationsSent++;
      this.sendNgap(gnb, stream, ngapPdu('ErrorIndication', { ...(amfId !== undefined ? { 'AMF-UE-NGAP-ID': amfId } : {}), ...(ranId !== undefined ? { 'RAN-UE-NGAP-ID': ranId } : {}), Cause: { radioNetwork: amfId !== undefined && !ue ? 'unknown-local-UE-NGAP-ID' : 'inconsistent-remote-UE-NGAP-ID' } }), 'TS 38.413 10.6');
      return;
    }
    switch (name) {
      case 'UplinkNASTransport':
        this.onUplinkNas(ue, ies.get('NAS-PDU') as Uint8Array);
        return;
      case 'PDUSessionResourceSetupResponse':
        this.track(this.onPduSessionResourceSetupResponse(ue, ies));
        return;
      case 'UEContextReleaseRequest':
        // TS 23.502 4.2.6 AN release initiated by the NG-RAN
        this.track(this.releaseUeContext(ue, { radioNetwork: 'user-inactivity' }, '4.2.6 step 2').then(() => undefined));
        return;
      default: {
        const waiter = ue.ngapWaiters.get(name);
        if (waiter) {
          ue.ngapWaiters.delete(name);
          waiter.resolve(ies);
        } else this.log(`${name} for UE ${ue.amfUeNgapId} not handled`);
      }
    }
  }

  /** TS 38.413 8.7.1: NG Setup. The AMF accepts a gNB that supports one of its TAs and slices. */
  private onNgSetupRequest(gnb: GnbContext, stream: number, ies: Map<string, unknown>): void {
    const plmn = plmnIdentity(this.cfg.plmn.mcc, this.cfg.plmn.mnc);
    const tacBytes = ngapTac(this.cfg.tac);
    const tas = (ies.get('SupportedTAList') ?? []) as { tAC: Uint8Array; broadcastPLMNList: { pLMNIdentity: Uint8Array; tAISliceSupportList: { 's-NSSAI': { sST: Uint8Array } }[] }[] }[];
    const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
    const served = tas.some((ta) => same(ta.tAC, tacBytes) && ta.broadcastPLMNList.some((p) => same(p.pLMNIdentity, plmn) && p.tAISliceSupportList.some((s) => this.cfg.snssais.some((n) => n.sst === s['s-NSSAI'].sST[0]))));
    const name = ies.get('RANNodeName');
    if (typeof name === 'string') gnb.name = name;
    if (!served) {
      this.sendNgap(gnb, stream, ngapPdu('NGSetupFailure', { Cause: { misc: 'unknown-PLMN-or-SNPN' } }), 'TS 38.413 8.7.1.3');
      return;
    }
    gnb.setUp = true;
    this.sendNgap(gnb, stream, ngapPdu('NGSetupResponse', {
      AMFName: this.cfg.name,
      ServedGUAMIList: [{ gUAMI: this.guamiNgap() }],
      RelativeAMFCapacity: this.cfg.relativeCapacity,
      PLMNSupportList: [{ pLMNIdentity: plmn, sliceSupportList: this.cfg.snssais.map((s) => ({ 's-NSSAI': snssai(s) })) }],
    }), 'TS 38.413 8.7.1.2');
  }

  private guamiNgap() {
    return { pLMNIdentity: plmnIdentity(this.cfg.plmn.mcc, this.cfg.plmn.mnc), aMFRegionID: bits(this.cfg.guami.regionId, 8), aMFSetID: bits(this.cfg.guami.setId, 10), aMFPointer: bits(this.cfg.guami.pointer, 6) };
  }

  private guamiSbi() {
    const { regionId, setId, pointer } = this.cfg.guami;
    const amfId = ((regionId << 16) | (setId << 6) | pointer).toString(16).padStart(6, '0');
    return { plmnId: { mcc: this.cfg.plmn.mcc, mnc: this.cfg.plmn.mnc }, amfId };
  }

  /** TS 38.413 8.6.1 Initial UE Message: a new UE-associated logical NG-connection. */
  private onInitialUeMessage(gnb: GnbContext, stream: number, ies: Map<string, unknown>): void {
    const ranUeNgapId = ies.get('RAN-UE-NGAP-ID') as number;
    const nas = ies.get('NAS-PDU') as Uint8Array;
    const existing = gnb.ues.get(ranUeNgapId);
    if (existing) this.dropUe(existing); // TS 38.413 10.6: a reused RAN UE NGAP ID replaces the old context
    const ue: AmfUe = {
      amfUeNgapId: this.ngapIds.allocate(),
      ranUeNgapId,
      gnb,
      stream,
      state: '5GMM-DEREGISTERED',
      sessions: new Map(),
      waiters: [],
      busy: Promise.resolve(),
      ngapWaiters: new Map(),
      released: false,
      received: [],
    };
    this.ues.set(ue.amfUeNgapId, ue);
    gnb.ues.set(ranUeNgapId, ue);
    this.onUplinkNas(ue, nas);
  }

  // --- N1: NAS transport -----------------------------------------------------------------------

  /** Receives one NAS PDU of a UE: security (TS 24.501 4.4.4.3), then an awaiting procedure or a new one. */
  private onUplinkNas(ue: AmfUe, bytes: Uint8Array): void {
    let received: ReceivedNas;
    try {
      received = this.unwrapNas(ue, bytes);
    } catch (e) {
      if (e instanceof NasMacFailure || e instanceof NasReplay) {
        this.stats.nasIntegrityFailures++;
        this.log(`UE ${ue.amfUeNgapId}: ${e.message}; message discarded (TS 24.501 4.4.4.3)`);
        this.releaseIfIdle(ue);
        return;
      }
      if (e instanceof DecodeError) {
        this.stats.nasDecodeErrors++;
        this.log(`UE ${ue.amfUeNgapId}: undecodable NAS: ${e.message}`);
        // TS 24.501 7.5: a message with invalid mandatory information is answered with 5GMM STATUS #96
        if (ue.sec) this.sendNas(ue, nasMessage('5GMM status', { fiveGmmCause: FiveGmmCause.InvalidMandatoryInformation }), 'TS 24.501 7.5.1');
        this.releaseIfIdle(ue);
        return;
      }
      throw e;
    }
    const { message } = received;
    ue.received.push(message.name);
    const waiter = ue.waiters.find((w) => w.names.includes(message.name));
    if (waiter) {
      ue.waiters.splice(ue.waiters.indexOf(waiter), 1);
      this.clock.clearTimeout(waiter.timer);
      waiter.resolve(received);
      return;
    }
    // a new procedure, after the one in progress
    const run = ue.busy.then(() => this.dispatch(ue, received));
    ue.busy = run.catch(() => {}); // the chain only orders procedures: track() logs the failure
    this.track(run);
  }

  private unwrapNas(ue: AmfUe, bytes: Uint8Array): ReceivedNas {
    // With a security context the protected message is verified and decoded once; the unverified
    // inner message is read only when the MAC fails (TS 24.501 4.4.4.3 allowed list).
    const protectedHeader = bytes.length > 1 && bytes[0] === 0x7e && (bytes[1] & 0x0f) !== 0;
    if (ue.sec && protectedHeader) {
      try {
        const u = unprotectNas(bytes, ue.sec, 0);
        return { message: decodeNasMessage(u.plain), integrityVerified: true };
      } catch (e) {
        if (!(e instanceof NasMacFailure || e instanceof NasReplay)) throw e;
        const pdu = decodeNas(bytes);
        if (pdu.kind === 'protected' && pdu.inner && ALLOWED_WITHOUT_INTEGRITY.has(pdu.inner.name)) return { message: pdu.inner, integrityVerified: false };
        throw e;
      }
    }
    const pdu = decodeNas(bytes);
    if (pdu.kind === 'plain') return { message: pdu.message, integrityVerified: false };
    // no security context: only a plain inner message of the allowed list is processed
    if (!pdu.inner) throw new DecodeError({ protocol: 'nas-5gs', code: 'BAD_VALUE', offset: 1, path: 'SecurityHeaderType', reason: 'ciphered message without a security context' });
    return { message: pdu.inner, integrityVerified: false };
  }


  /** Encodes, protects (once a security context exists) and traces a NAS message to the UE. */
  private nasBytes(ue: AmfUe, msg: NasMessage, step: string, sht: 0 | 1 | 2 | 3 | 4 = ue.sec ? 2 : 0): Uint8Array {
    trace({ from: 'AMF', to: 'UE', interface: 'N1', protocol: 'NAS-5GS', message: msg.name, step, ...(ue.supi ? { ue: ue.supi } : {}) });
    const plain = encodeNasMessage(msg);
    return sht === 0 || !ue.sec ? plain : protectNas(plain, ue.sec, 1, sht);
  }

  /** DownlinkNASTransport (TS 38.413 8.6.2) with a NAS message. */
  private sendNas(ue: AmfUe, msg: NasMessage, step: string, sht?: 0 | 1 | 2 | 3 | 4): void {
    const nas = this.nasBytes(ue, msg, step, sht);
    this.sendNgap(ue.gnb, ue.stream, ngapPdu('DownlinkNASTransport', { 'AMF-UE-NGAP-ID': ue.amfUeNgapId, 'RAN-UE-NGAP-ID': ue.ranUeNgapId, 'NAS-PDU': nas }), step, ue);
  }

  /**
   * Sends `send()` and waits for one of `names` from the UE, retransmitting on each expiry of the
   * timer (T3560/T3550) up to NAS_RETRANSMISSIONS times (TS 24.501 5.4.1.3.7 f, 5.4.2.7 b).
   */
  private exchange(ue: AmfUe, names: readonly string[], timerMs: number, send: () => void): Promise<ReceivedNas> {
    return new Promise<ReceivedNas>((resolve, reject) => {
      // a procedure that reaches this point after the UE's connection went ends here, or it
      // would wait forever and never undo what it holds
      if (ue.released) {
        reject(new ProcedureAborted('UE context released'));
        return;
      }
      let attempts = 0;
      const waiter = { names, resolve, reject, timer: undefined as ReturnType<Clock['setTimeout']> | undefined };
      const arm = () => {
        waiter.timer = this.clock.setTimeout(() => {
          if (ue.released) {
            reject(new ProcedureAborted('UE context released'));
            return;
          }
          if (attempts++ < NAS_RETRANSMISSIONS) {
            send();
            arm();
            return;
          }
          ue.waiters.splice(ue.waiters.indexOf(waiter), 1);
          reject(new ProcedureAborted(`no ${names.join(' / ')} after ${NAS_RETRANSMISSIONS + 1} attempts`));
        }, timerMs);
      };
      ue.waiters.push(waiter);
      send();
      arm();
    });
  }

  private awaitNgap(ue: AmfUe, name: string): Promise<Map<string, unknown>> {
    return new Promise((resolve, reject) => {
      if (ue.released) {
        reject(new ProcedureAborted(`no ${name}: UE context released`));
        return;
      }
      const timer = this.clock.setTimeout(() => {
        ue.ngapWaiters.delete(name);
        reject(new ProcedureAborted(`no ${name} within ${this.timers.ngapAnswerMs} ms`));
      }, this.timers.ngapAnswerMs);
      ue.ngapWaiters.set(name, {
        resolve: (ies) => {
          this.clock.clearTimeout(timer);
          resolve(ies);
        },
        reject: (e) => {
          this.clock.clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  private async dispatch(ue: AmfUe, r: ReceivedNas): Promise<void> {
    if (ue.released) return;
    const m = r.message;
    if (!r.integrityVerified && ue.sec && !ALLOWED_WITHOUT_INTEGRITY.has(m.name)) {
      this.log(`UE ${ue.amfUeNgapId}: ${m.name} without verified integrity discarded (TS 24.501 4.4.4.3)`);
      return;
    }
    switch (m.name) {
      case 'Registration request':
        return this.registration(ue, m);
      case 'UL NAS transport':
        return this.ulNasTransport(ue, m);
      case 'Deregistration request (UE originating)':
        return this.deregistrationUeOriginating(ue, m, r.integrityVerified);
      case '5GMM status':
        this.log(`UE ${ue.amfUeNgapId} sent 5GMM STATUS cause ${String(m.ies.fiveGmmCause)}`);
        return;
      default:
        // TS 24.501 7.4: message type not compatible with the protocol state
        if (m.epd === 0x7e) this.sendNas(ue, nasMessage('5GMM status', { fiveGmmCause: FiveGmmCause.MessageTypeNotCompatibleWithProtocolState }), 'TS 24.501 7.4');
        this.releaseIfIdle(ue);
    }
  }

  // --- Registration, TS 23.502 4.2.2.2.2 -------------------------------------------------------

  private async registration(ue: AmfUe, request: NasMessage): Promise<void> {
    const t0 = performance.now();
    try {
      await this.registrationSteps(ue, request);
      this.stats.registrations++;
    } catch (e) {
      this.log(`registration of UE ${ue.amfUeNgapId} (${ue.supi ?? ue.suci ?? '?'}) ended: ${e instanceof Error ? e.message : String(e)} after ${(performance.now() - t0).toFixed(1)} ms`);
      // whatever the registration had established elsewhere is undone, even when the UE's
      // connection is already gone (e.g. the UE gave up at T3510 expiry)
      if (this.bySupi.get(ue.supi ?? '') === ue || !ue.supi) await this.undoRegistration(ue).catch((u: unknown) => this.log(`undoing the registration of UE ${ue.amfUeNgapId} failed: ${u instanceof Error ? u.message : String(u)}`));
      if (!ue.released) await this.releaseUeContext(ue, { nas: 'unspecified' }, '4.2.2.2.2');
      this.forget(ue);
    }
  }

  /** TS 24.501 5.5.1.2.5: Registration reject with a 5GMM cause; the procedure ends. */
  private reject(ue: AmfUe, cause: number, extra: Record<string, unknown> = {}): never {
    this.stats.registrationRejects++;
    this.sendNas(ue, nasMessage('Registration reject', { fiveGmmCause: cause, ...extra }), '4.2.2.2.2 step 21 (reject)');
    throw new ProcedureAborted(`Registration reject, 5GMM cause #${cause}`);
  }

  private async registrationSteps(ue: AmfUe, request: NasMessage): Promise<void> {
    ue.state = '5GMM-COMMON-PROCEDURE-INITIATED';
    ue.ueSecurityCapability = request.ies.ueSecurityCapability as UeSecurityCapability | undefined;
    ue.requestedNssai = request.ies.requestedNssai as SNssai[] | undefined;
    // steps 4-7: the identity. A SUCI is resolved by the AUSF/UDM; a 5G-GUTI this AMF did not
    // assign (or no longer knows) cannot be: Identity Request for the SUCI (TS 24.501 5.4.3).
    let identity = request.ies.mobileIdentity as MobileIdentity;
    if (identity.type === '5g-guti' || identity.type === '5g-s-tmsi') {
      const known = this.byTmsi.get(identity.tmsi);
      if (!known || known === ue || !known.supi) {
        const r = await this.exchange(ue, ['Identity response'], this.timers.t3560Ms, () => this.sendNas(ue, nasMessage('Identity request', { identityType: 1 }), '4.2.2.2.2 step 6'));
        identity = r.message.ies.mobileIdentity as MobileIdentity;
      } else {
        identity = { type: 'no-identity' };
        ue.supi = known.supi;
      }
    }
    const suci = identity.type === 'suci' ? suciString(identity) : undefined;
    if (!suci && !ue.supi) this.reject(ue, FiveGmmCause.UeIdentityCannotBeDerived);
    ue.suci = suci;
    if (!ue.ueSecurityCapability) this.reject(ue, FiveGmmCause.InvalidMandatoryInformation);

    // steps 8-9: 5G AKA (TS 33.501 6.1.3.2) through the AUSF
    const supi = await this.authenticate(ue, suci ?? ue.supi!);
    ue.supi = supi;
    const older = this.bySupi.get(supi);
    if (older && older !== ue) {
      // TS 23.502 4.2.2.2.2: a new registration replaces the UE's old context in this AMF
      await this.undoRegistration(older);
      await this.releaseUeContext(older, { nas: 'unspecified' }, '4.2.2.2.2 step 1');
    }
    this.bySupi.set(supi, ue);

    // step 9b: NAS Security Mode Command (TS 24.501 5.4.2, TS 33.501 6.7.2)
    const complete = await this.securityModeControl(ue);
    const container = complete.message.ies.nasMessageContainer as Uint8Array | undefined;
    const full = container ? decodeNasMessage(container) : request;
    if (full.name === 'Registration request' && full.ies.requestedNssai) ue.requestedNssai = full.ies.requestedNssai as SNssai[];
    const imeisv = complete.message.ies.imeisv as MobileIdentity | undefined;
    if (imeisv && (imeisv.type === 'imeisv' || imeisv.type === 'imei')) ue.pei = `${imeisv.type}-${imeisv.digits}`;

    // step 14a-c: UDM registration, subscription data, subscription to its changes
    const udm = `${this.cfg.uris.udm}`;
    const reg = await this.sbi.call('PUT', `${udm}/nudm-uecm/v1/${supi}/registrations/amf-3gpp-access`, {
      amfInstanceId: this.cfg.instanceId,
      deregCallbackUri: `${this.cfg.baseUri}/namf-callback/v1/${supi}/dereg-notify`,
      guami: this.guamiSbi(),
      ratType: 'NR',
      initialRegistrationInd: true,
      ...(ue.pei ? { pei: ue.pei } : {}),
    }, { operation: 'Nudm_UECM_Registration', step: '4.2.2.2.2 step 14a' });
    expectStatus(reg, 201, 200);
    ue.uecmRegistered = true;
    const am = expectStatus(await this.sbi.call<{ nssai?: { defaultSingleNssais?: { sst: number; sd?: string }[]; singleNssais?: { sst: number; sd?: string }[] } }>('GET', `${udm}/nudm-sdm/v2/${supi}/am-data?plmn-id=${encodeURIComponent(JSON.stringify({ mcc: this.cfg.plmn.mcc, mnc: this.cfg.plmn.mnc }))}`, undefined, { operation: 'Nudm_SDM_Get', step: '4.2.2.2.2 step 14b' }), 200);
    const sub = await this.sbi.call('POST', `${udm}/nudm-sdm/v2/${supi}/sdm-subscriptions`, { nfInstanceId: this.cfg.instanceId, callbackReference: `${this.cfg.baseUri}/namf-callback/v1/${supi}/sdm-notify`, monitoredResourceUris: [`${udm}/nudm-sdm/v2/${supi}/am-data`] }, { operation: 'Nudm_SDM_Subscribe', step: '4.2.2.2.2 step 14c' });
    expectStatus(sub, 201);
    ue.sdmSubscriptionUri = sub.headers.location;

    // Allowed NSSAI (TS 23.501 5.15.5.2.1): requested ∩ subscribed ∩ served, else the defaults
    const subscribed = [...(am.nssai?.defaultSingleNssais ?? []), ...(am.nssai?.singleNssais ?? [])];
    const served = (s: SNssai) => this.cfg.snssais.some((n) => snssaiEquals(s, n));
    const isSubscribed = (s: SNssai) => subscribed.some((n) => snssaiEquals(s, n));
    const requested = ue.requestedNssai ?? [];
    let allowed = requested.filter((s) => served(s) && isSubscribed(s));
    if (requested.length === 0) allowed = subscribed.map((n) => ({ sst: n.sst, ...(n.sd ? { sd: parseInt(n.sd, 16) } : {}) })).filter(served);
    if (allowed.length === 0) {
      // TS 24.501 5.5.1.2.5 #62, with the rejected S-NSSAIs (cause 0: not available in the current PLMN)
      const rejected = requested.map((s) => ({ cause: isSubscribed(s) ? 0 : 1, sst: s.sst, ...(s.sd !== undefined ? { sd: s.sd } : {}) }));
      this.reject(ue, FiveGmmCause.NoNetworkSlicesAvailable, rejected.length ? { rejectedNssai: rejected } : {});
    }
    ue.allowedNssai = allowed;

    // step 16: AM Policy Association Establishment (TS 23.502 4.16.1.2)
    const pol = await this.sbi.call('POST', `${this.cfg.uris.pcf}/npcf-am-policy-control/v1/policies`, {
      notificationUri: `${this.cfg.baseUri}/namf-callback/v1/${supi}/am-policy-notify`,
      supi,
      ...(ue.pei ? { pei: ue.pei } : {}),
      accessType: '3GPP_ACCESS',
      ratType: 'NR',
      servingPlmn: { mcc: this.cfg.plmn.mcc, mnc: this.cfg.plmn.mnc },
      guami: this.guamiSbi(),
      suppFeat: '0',
    }, { operation: 'Npcf_AMPolicyControl_Create', step: '4.2.2.2.2 step 16' });
    expectStatus(pol, 201);
    ue.amPolicyUri = pol.headers.location;

    // step 21: Registration Accept, carried in the Initial Context Setup Request with KgNB
    ue.tmsi = this.tmsis.allocate();
    this.byTmsi.set(ue.tmsi, ue);
    const accept = nasMessage('Registration accept', {
      registrationResult: 1, // 3GPP access
      fiveGGuti: { type: '5g-guti', plmn: this.cfg.plmn, amfRegionId: this.cfg.guami.regionId, amfSetId: this.cfg.guami.setId, amfPointer: this.cfg.guami.pointer, tmsi: ue.tmsi },
      taiList: [{ type: 0, plmn: this.cfg.plmn, tacs: [{ tac: this.cfg.tac }] }],
      allowedNssai: allowed,
      t3512Value: gprsTimer3(this.cfg.t3512Seconds),
    });
    const sec = ue.sec!;
    const keyGnb = kgnb(ue.kamf!, (sec.uplinkCount - 1) >>> 0);
    const caps = ue.ueSecurityCapability!;
    let acceptBytes: Uint8Array | undefined;
    const ics = () => {
      acceptBytes ??= this.nasBytes(ue, accept, '4.2.2.2.2 step 21');
      return ngapPdu('InitialContextSetupRequest', {
        'AMF-UE-NGAP-ID': ue.amfUeNgapId,
        'RAN-UE-NGAP-ID': ue.ranUeNgapId,
        GUAMI: this.guamiNgap(),
        AllowedNSSAI: allowed.map((s) => ({ 's-NSSAI': snssai(s) })),
        UESecurityCapabilities: { nRencryptionAlgorithms: ngapAlgorithms(caps.ea), nRintegrityProtectionAlgorithms: ngapAlgorithms(caps.ia), eUTRAencryptionAlgorithms: ngapAlgorithms(caps.eea ?? 0), eUTRAintegrityProtectionAlgorithms: ngapAlgorithms(caps.eia ?? 0) },
        SecurityKey: { value: keyGnb, length: 256 },
        'NAS-PDU': acceptBytes,
      });
    };
    const icsAnswer = this.awaitNgap(ue, 'InitialContextSetupResponse');
    const complete22 = this.exchange(ue, ['Registration complete'], this.timers.t3550Ms, (() => {
      let first = true;
      return () => {
        if (first) {
          first = false;
          this.sendNgap(ue.gnb, ue.stream, ics(), '4.2.2.2.2 step 21', ue);
        } else this.sendNas(ue, accept, '4.2.2.2.2 step 21 (T3550 retransmission)');
      };
    })());
    await icsAnswer;
    // step 21b: UE Policy Association Establishment (TS 23.502 4.16.11)
    const upol = await this.sbi.call('POST', `${this.cfg.uris.pcf}/npcf-ue-policy-control/v1/policies`, { notificationUri: `${this.cfg.baseUri}/namf-callback/v1/${supi}/ue-policy-notify`, supi, servingPlmn: { mcc: this.cfg.plmn.mcc, mnc: this.cfg.plmn.mnc }, suppFeat: '0' }, { operation: 'Npcf_UEPolicyControl_Create', step: '4.2.2.2.2 step 21b' });
    expectStatus(upol, 201);
    ue.uePolicyUri = upol.headers.location;
    // step 22: Registration Complete
    await complete22;
    ue.state = '5GMM-REGISTERED';
  }

  /** Steps 8-9a: Nausf_UEAuthentication, Authentication Request/Response; returns the SUPI. */
  private async authenticate(ue: AmfUe, supiOrSuci: string): Promise<string> {
    const snName = servingNetworkName(this.cfg.plmn.mcc, this.cfg.plmn.mnc);
    let resync: { rand: string; auts: string } | undefined;
    for (let round = 0; round < 2; round++) {
      const r = await this.sbi.call<{ '5gAuthData': { rand: string; hxresStar: string; autn: string }; _links: { '5g-aka': { href: string } } }>('POST', `${this.cfg.uris.ausf}/nausf-auth/v1/ue-authentications`, {
        supiOrSuci,
        servingNetworkName: snName,
        ...(resync ? { resynchronizationInfo: resync } : {}),
      }, { operation: 'Nausf_UEAuthentication_Authenticate', step: '4.2.2.2.2 step 8' });
      if (r.status !== 201) {
        // TS 29.509 5.2.2.2.2: USER_NOT_FOUND and friends; TS 24.501 5.5.1.2.5 #7
        this.reject(ue, r.status === 404 || r.status === 403 ? FiveGmmCause.FiveGsServicesNotAllowed : FiveGmmCause.ProtocolErrorUnspecified);
      }
      const av = r.body['5gAuthData'];
      ue.authLink = r.body._links['5g-aka'].href;
      const ngKsi = { tsc: 0, ksi: 1 };
      const answer = await this.exchange(ue, ['Authentication response', 'Authentication failure'], this.timers.t3560Ms, () =>
        this.sendNas(ue, nasMessage('Authentication request', { ngKsi, abba: Uint8Array.of(0, 0), rand: fromHex(av.rand), autn: fromHex(av.autn) }), '4.2.2.2.2 step 9a', 0));
      if (answer.message.name === 'Authentication failure') {
        const cause = answer.message.ies.fiveGmmCause as number;
        await this.abandonAuthentication(ue);
        if (cause === FiveGmmCause.SynchFailure && answer.message.ies.auts && round === 0) {
          // TS 33.501 6.1.3.3.2: resynchronisation through the AUSF and UDM, then a fresh vector
          resync = { rand: av.rand, auts: toHex(answer.message.ies.auts as Uint8Array) };
          continue;
        }
        this.sendNas(ue, nasMessage('Authentication reject', {}), '4.2.2.2.2 step 9a (TS 24.501 5.4.1.3.5)', 0);
        throw new ProcedureAborted(`Authentication failure, 5GMM cause #${cause}`);
      }
      const resStar = answer.message.ies.resStar as Uint8Array | undefined;
      // TS 33.501 6.1.3.2 step 8: the SEAF compares HRES* with HXRES*
      if (!resStar || toHex(hresStar(fromHex(av.rand), resStar)) !== av.hxresStar.toLowerCase()) {
        await this.abandonAuthentication(ue);
        this.sendNas(ue, nasMessage('Authentication reject', {}), '4.2.2.2.2 step 9a (TS 33.501 6.1.3.2 step 8)', 0);
        throw new ProcedureAborted('RES* does not match HXRES*');
      }
      const c = await this.sbi.call<{ authResult: string; supi?: string; kseaf?: string }>('PUT', ue.authLink, { resStar: toHex(resStar) }, { operation: 'Nausf_UEAuthentication_Authenticate', step: '4.2.2.2.2 step 9a' });
      ue.authLink = undefined;
      const confirmation = expectStatus(c, 200);
      if (confirmation.authResult !== 'AUTHENTICATION_SUCCESS' || !confirmation.kseaf || !confirmation.supi) {
        this.sendNas(ue, nasMessage('Authentication reject', {}), '4.2.2.2.2 step 9a', 0);
        throw new ProcedureAborted('the AUSF did not confirm the authentication');
      }
      ue.kamf = deriveKamf(fromHex(confirmation.kseaf), imsiDigits(confirmation.supi), Uint8Array.of(0, 0));
      return confirmation.supi;
    }
    throw new ProcedureAborted('authentication failed after resynchronisation');
  }

  /** Nausf_UEAuthentication_Deregister of an authentication the AMF gives up (TS 29.509 5.2.2.2.4). */
  private async abandonAuthentication(ue: AmfUe): Promise<void> {
    if (!ue.authLink) return;
    const link = ue.authLink;
    ue.authLink = undefined;
    await this.sbi.call('DELETE', link, undefined, { operation: 'Nausf_UEAuthentication_Deregister' });
  }

  /** Step 9b: NAS SMC. Derives the NAS keys, sends the SMC with the new context, awaits the complete. */
  private async securityModeControl(ue: AmfUe): Promise<ReceivedNas> {
    const caps = ue.ueSecurityCapability!;
    const ciphering = this.cfg.security.ciphering === 'NEA2' ? 2 : 0;
    // TS 33.501 6.7.2: the AMF picks algorithms the UE supports (bit 8 of the octet = algorithm 0)
    const supports = (octet: number, alg: number) => ((octet >> (7 - alg)) & 1) === 1;
    if (!supports(caps.ia, 2) || (ciphering !== 0 && !supports(caps.ea, ciphering))) this.reject(ue, FiveGmmCause.UeSecurityCapabilitiesMismatch);
    const kamfValue = ue.kamf!;
    const sec: NasSecurityContext = {
      ngKsi: 1,
      ...nasKeys(kamfValue, 2, ciphering),
      integrityAlgorithm: 2,
      cipheringAlgorithm: ciphering,
      uplinkCount: 0,
      downlinkCount: 0,
      bearer: 1,
    };
    ue.sec = sec;
    const smc = nasMessage('Security mode command', {
      selectedNasSecurityAlgorithms: { ciphering, integrity: 2 },
      ngKsi: { tsc: 0, ksi: 1 },
      replayedUeSecurityCapabilities: caps,
      imeisvRequest: 1,
    });
    const r = await this.exchange(ue, ['Security mode complete', 'Security mode reject'], this.timers.t3560Ms, () => this.sendNas(ue, smc, '4.2.2.2.2 step 9b', 3));
    if (r.message.name === 'Security mode reject' || !r.integrityVerified) {
      ue.sec = undefined;
      throw new ProcedureAborted(`NAS security mode control failed (${r.message.name}, 5GMM cause #${String(r.message.ies.fiveGmmCause ?? '-')})`);
    }
    return r;
  }

  /** Undoes what a registration established at the UDM and the PCF (used on failure and replacement). */
  private async undoRegistration(ue: AmfUe): Promise<void> {
    await this.abandonAuthentication(ue).catch((e: unknown) => this.log(`Nausf_UEAuthentication_Deregister for UE ${ue.amfUeNgapId} failed: ${e instanceof Error ? e.message : String(e)}`));
    await this.releaseSessions(ue, '4.2.2.2.2');
    await this.terminatePolicyAssociations(ue, '4.2.2.2.2');
    await this.deregisterFromUdm(ue, '4.2.2.2.2');
  }

  // --- PDU session relay, TS 23.502 4.3.2.2.1 ---------------------------------------------------

  /** UL NAS TRANSPORT (TS 24.501 5.4.5.2): N1 SM to the SMF. */
  private async ulNasTransport(ue: AmfUe, m: NasMessage): Promise<void> {
    if (ue.state !== '5GMM-REGISTERED' || !ue.supi) {
      this.sendNas(ue, nasMessage('5GMM status', { fiveGmmCause: FiveGmmCause.MessageTypeNotCompatibleWithProtocolState }), 'TS 24.501 7.4');
      return;
    }
    const containerType = m.ies.payloadContainerType as number;
    const payload = m.ies.payloadContainer as Uint8Array;
    const psi = m.ies.pduSessionId as number | undefined;
    const notForwarded = () =>
      this.sendNas(ue, nasMessage('DL NAS transport', { payloadContainerType: containerType, payloadContainer: payload, ...(psi !== undefined ? { pduSessionId: psi } : {}), fiveGmmCause: FiveGmmCause.PayloadWasNotForwarded }), 'TS 24.501 5.4.5.2.5');
    if (containerType !== 1 || psi === undefined) return notForwarded();
    const requestType = m.ies.requestType as number | undefined;
    if (requestType !== 1 || ue.sessions.has(psi)) return notForwarded(); // only initial requests for new sessions
    const snssai = (m.ies.sNssai as SNssai | undefined) ?? ue.allowedNssai?.[0];
    if (!snssai || !ue.allowedNssai?.some((a) => a.sst === snssai.sst && a.sd === snssai.sd)) return notForwarded();
    const dnn = (m.ies.dnn as string | undefined) ?? this.cfg.dnn;
    const session: PduSessionRef = { pduSessionId: psi, snssai, dnn, state: 'creating' };
    ue.sessions.set(psi, session);
    // step 3: Nsmf_PDUSession_CreateSMContext
    let r: SbiResult<unknown>;
    try {
      r = await this.sbi.call('POST', `${this.cfg.uris.smf}/nsmf-pdusession/v1/sm-contexts`, new SbiMultipart({
        supi: ue.supi,
        ...(ue.pei ? { pei: ue.pei } : {}),
        pduSessionId: psi,
        dnn,
        sNssai: sbiSnssai(snssai),
        servingNfId: this.cfg.instanceId,
        guami: this.guamiSbi(),
        servingNetwork: { mcc: this.cfg.plmn.mcc, mnc: this.cfg.plmn.mnc },
        anType: '3GPP_ACCESS',
        ratType: 'NR',
        smContextStatusUri: `${this.cfg.baseUri}/namf-callback/v1/${ue.supi}/sm-context-status/${psi}`,
        ueContextUri: `${this.cfg.baseUri}/namf-comm/v1/ue-contexts/${ue.supi}`,
        n1SmMsg: { contentId: 'n1SmMsg' },
      }, { n1SmMsg: { contentType: N1_CONTENT_TYPE, data: payload } }), { operation: 'Nsmf_PDUSession_CreateSMContext', step: '4.3.2.2.1 step 3' });
    } catch (e) {
      ue.sessions.delete(psi);
      this.log(`CreateSMContext failed: ${(e as Error).message}`);
      return notForwarded();
    }
    if (r.status === 201 && r.headers.location) {
      session.smContextUri = r.headers.location;
      return;
    }
    ue.sessions.delete(psi);
    // the SMF rejected: its N1 SM (PDU Session Establishment Reject) goes to the UE
    const n1 = r.body instanceof SbiMultipart ? Object.values(r.body.binaries).find((b) => b.contentType === N1_CONTENT_TYPE)?.data : undefined;
    if (n1) this.sendNas(ue, nasMessage('DL NAS transport', { payloadContainerType: 1, payloadContainer: n1, pduSessionId: psi }), '4.3.2.2.1 step 5 (reject)');
    else notForwarded();
  }

  /** Steps 13-15: the gNB's answer goes to the SMF (Nsmf_PDUSession_UpdateSMContext). */
  private async onPduSessionResourceSetupResponse(ue: AmfUe, ies: Map<string, unknown>): Promise<void> {
    const done = (ies.get('PDUSessionResourceSetupListSURes') ?? []) as { pDUSessionID: number; pDUSessionResourceSetupResponseTransfer: Uint8Array }[];
    for (const item of done) {
      const s = ue.sessions.get(item.pDUSessionID);
      if (!s?.smContextUri || s.state === 'releasing') continue;
      const r = await this.sbi.call('POST', `${s.smContextUri}/modify`, new SbiMultipart(
        { n2SmInfo: { contentId: 'n2SmInfo' }, n2SmInfoType: 'PDU_RES_SETUP_RSP', anType: '3GPP_ACCESS' },
        { n2SmInfo: { contentType: N2_CONTENT_TYPE, data: item.pDUSessionResourceSetupResponseTransfer } },
      ), { operation: 'Nsmf_PDUSession_UpdateSMContext', step: '4.3.2.2.1 step 15' });
      if (r.status === 200 && s.state === 'creating') s.state = 'active';
    }
    const failed = (ies.get('PDUSessionResourceFailedToSetupListSURes') ?? []) as { pDUSessionID: number }[];
    for (const f of failed) this.log(`gNB failed to set up PDU session ${f.pDUSessionID} of UE ${ue.amfUeNgapId}`);
  }

  // --- UE-initiated Deregistration, TS 23.502 4.2.2.3.2 ------------------------------------------

  private async deregistrationUeOriginating(ue: AmfUe, m: NasMessage, integrityVerified: boolean): Promise<void> {
    const type = m.ies.deregistrationType as { switchOff: boolean; reRegistrationRequired: boolean; accessType: number };
    const identity = m.ies.mobileIdentity as MobileIdentity;
    // The 5G-GUTI must be one this AMF assigned to this UE (TS 24.501 5.5.2.2.1).
    const known = identity.type === '5g-guti' ? this.byTmsi.get(identity.tmsi) : undefined;
    if (!known || known !== ue || !integrityVerified) {
      // TS 24.501 4.4.4.3 and 5.5.2.2.6: nothing is released for an identity or a MAC the AMF cannot
      // verify. A switch off expects no answer; a normal de-registration is answered with
      // 5GMM STATUS so the UE is not kept waiting without a cause.
      this.stats.deregistrationsNotProcessed++;
      this.log(`UE ${ue.amfUeNgapId}: Deregistration request ${!known || known !== ue ? 'for an unknown 5G-GUTI' : 'with an unverified MAC'}: not processed`);
      if (!type.switchOff) this.sendNas(ue, nasMessage('5GMM status', { fiveGmmCause: !known || known !== ue ? FiveGmmCause.ImplicitlyDeregistered : FiveGmmCause.MacFailure }), 'TS 24.501 5.5.2.2.6', 0);
      this.releaseIfIdle(ue);
      return;
    }
    if (type.accessType === 2) {
      // TS 23.502 4.2.2.3.2 step 1: the procedure applies to the target access only. wire5g's UEs
      // are registered over 3GPP access alone, so a de-registration from non-3GPP access has
      // nothing to release here: it is accepted (unless switch off) and the 3GPP registration,
      // its PDU sessions and the NG connection stay (TS 24.501 5.5.2.2.2).
      if (!type.switchOff) this.sendNas(ue, nasMessage('Deregistration accept (UE originating)', {}), '4.2.2.3.2 step 7 (non-3GPP access)');
      return;
    }
    ue.state = '5GMM-DEREGISTERED-INITIATED';
    const received = this.clock.now();
    const unavailability = m.ies.unavailabilityInformation as { periodDurationSeconds?: number } | undefined;
    // steps 2-4: for each PDU session over 3GPP access, Nsmf_PDUSession_ReleaseSMContext
    await this.releaseSessions(ue, '4.2.2.3.2 step 2');
    // steps 6, 6a: AM and UE Policy Association Termination
    await this.terminatePolicyAssociations(ue, '4.2.2.3.2 step 6');
    // step 7: Deregistration Accept unless switch off
    if (!type.switchOff) this.sendNas(ue, nasMessage('Deregistration accept (UE originating)', {}), '4.2.2.3.2 step 7');
    // step 7a: Loss of Connectivity with the remaining Unavailability Period Duration
    if (unavailability?.periodDurationSeconds !== undefined) await this.reportLossOfConnectivity(ue, unavailability.periodDurationSeconds, received);
    // step 8: N2 UE Context Release, then the UE context goes, with its UDM registration
    this.stats.deregistrations++;
    await this.releaseUeContext(ue, { nas: 'deregister' }, '4.2.2.3.2 step 8');
    await this.deregisterFromUdm(ue, '4.2.2.3.2 step 8');
    this.forget(ue);
  }

  /** Nsmf_PDUSession_ReleaseSMContext for every PDU session the AMF knows for the UE. */
  private async releaseSessions(ue: AmfUe, step: string): Promise<void> {
    await Promise.all([...ue.sessions.values()].map(async (s) => {
      s.state = 'releasing';
      if (s.smContextUri) {
        const r = await this.sbi.call('POST', `${s.smContextUri}/release`, { cause: 'REL_DUE_TO_UE_DEREG', ngApCause: { group: 'nas', value: 'deregister' }, ueLocation: {} }, { operation: 'Nsmf_PDUSession_ReleaseSMContext', step });
        if (r.status !== 204 && r.status !== 200 && r.status !== 404) this.log(`ReleaseSMContext of PDU session ${s.pduSessionId}: ${r.status}`);
      }
      ue.sessions.delete(s.pduSessionId);
    }));
  }

  /**
   * TS 23.502 4.2.2.3.2 step 7a, 4.15.3.2.3b: Namf_EventExposure_Notify (TS 29.518 5.3.2.4) of
   * LOSS_OF_CONNECTIVITY to each NF subscribed for this UE (or any UE), with the Unavailability
   * Period Duration still to run (`unavailPerDur`, seconds, as TS 29.522 carries it on to the AF).
   */
  private async reportLossOfConnectivity(ue: AmfUe, durationSeconds: number, receivedAt: number): Promise<void> {
    const remaining = Math.max(0, durationSeconds - Math.floor((this.clock.now() - receivedAt) / 1000));
    const targets = [...this.eventSubscriptions.values()].filter((s) => s.types.includes('LOSS_OF_CONNECTIVITY') && (!s.supi || s.supi === ue.supi));
    await Promise.all(targets.map(async (s) => {
      const r = await this.sbi.call('POST', s.eventNotifyUri, {
        notifyCorrelationId: s.notifyCorrelationId,
        reportList: [{ type: 'LOSS_OF_CONNECTIVITY', state: { active: true }, timeStamp: new Date().toISOString(), supi: ue.supi, lossOfConnectReason: 'DEREGISTERED', unavailPerDur: remaining }],
      }, { operation: 'Namf_EventExposure_Notify', step: '4.2.2.3.2 step 7a' }).catch((e: unknown) => ({ status: 0, error: e }));
      if (r.status !== 204 && r.status !== 200) this.log(`Loss of Connectivity notification to ${s.eventNotifyUri}: ${r.status}`);
    }));
  }

  private async terminatePolicyAssociations(ue: AmfUe, step: string): Promise<void> {
    const am = ue.amPolicyUri;
    if (am) {
      ue.amPolicyUri = undefined;
      await this.sbi.call('DELETE', am, undefined, { operation: 'Npcf_AMPolicyControl_Delete', step });
    }
    const up = ue.uePolicyUri;
    if (up) {
      ue.uePolicyUri = undefined;
      await this.sbi.call('DELETE', up, undefined, { operation: 'Npcf_UEPolicyControl_Delete', step: step.endsWith('step 6') ? `${step}a` : step });
    }
  }

  private async deregisterFromUdm(ue: AmfUe, step: string): Promise<void> {
    const sub = ue.sdmSubscriptionUri;
    if (sub) {
      ue.sdmSubscriptionUri = undefined;
      await this.sbi.call('DELETE', sub, undefined, { operation: 'Nudm_SDM_Unsubscribe', step });
    }
    if (ue.uecmRegistered && ue.supi) {
      ue.uecmRegistered = false;
      await this.sbi.call('PATCH', `${this.cfg.uris.udm}/nudm-uecm/v1/${ue.supi}/registrations/amf-3gpp-access`, { purgeFlag: true }, { operation: 'Nudm_UECM_Deregistration', step });
    }
  }

  /** TS 38.413 8.3.3 UE Context Release (AMF initiated); resolves once the gNB completed it (or did not answer). */
  private async releaseUeContext(ue: AmfUe, cause: Ngap.Cause, step: string): Promise<void> {
    if (ue.released) return;
    const complete = this.awaitNgap(ue, 'UEContextReleaseComplete');
    this.sendNgap(ue.gnb, ue.stream, ngapPdu('UEContextReleaseCommand', { 'UE-NGAP-IDs': { 'uE-NGAP-ID-pair': { 'aMF-UE-NGAP-ID': ue.amfUeNgapId, 'rAN-UE-NGAP-ID': ue.ranUeNgapId } }, Cause: cause }), step, ue);
    try {
      await complete;
    } catch (e) {
      this.log(`UE ${ue.amfUeNgapId}: ${(e as Error).message}; released locally`);
    }
    this.dropUe(ue);
    if (!ue.uecmRegistered && !ue.amPolicyUri && !ue.uePolicyUri && ue.sessions.size === 0) this.forget(ue);
  }

  /**
   * A NAS signalling connection that carried nothing the AMF could act on, from a UE it holds no
   * registration for, is released (TS 24.501 5.3.1.3 b): the gNB and the AMF keep nothing.
   */
  private releaseIfIdle(ue: AmfUe): void {
    if (ue.state !== '5GMM-DEREGISTERED' || ue.supi || ue.waiters.length || ue.released) return;
    this.track(this.releaseUeContext(ue, { nas: 'normal-release' }, 'TS 24.501 5.3.1.3'));
  }

  /** Ends the UE-associated logical NG-connection (the N1/SBI state may stay: see `forget`). */
  private dropUe(ue: AmfUe): void {
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
  }

  /** Removes the UE from the AMF entirely: identities and GUTI. */
  private forget(ue: AmfUe): void {
    this.dropUe(ue);
    ue.state = '5GMM-DEREGISTERED';
    if (ue.supi && this.bySupi.get(ue.supi) === ue) this.bySupi.delete(ue.supi);
    if (ue.tmsi !== undefined && this.byTmsi.get(ue.tmsi) === ue) {
      this.byTmsi.delete(ue.tmsi);
      this.tmsis.release(ue.tmsi);
      ue.tmsi = undefined;
    }
  }

  /** The 5GMM state of a registered UE, by SUPI (for tests and the run summary). */
  stateOf(supi: string): AmfGmmState | undefined {
    return this.bySupi.get(supi)?.state;
  }

  // --- Namf (TS 29.518) -----------------------------------------------------------------------

  private namfRoutes(): SbiRoute[] {
    return [
      {
        // TS 29.518 5.2.2.3.1 N1N2MessageTransfer (TS 23.502 4.3.2.2.1 step 11)
        method: 'POST',
        path: '/namf-comm/v1/ue-contexts/{ueContextId}/n1-n2-messages',
        operation: 'Namf_Communication_N1N2MessageTransfer',
        handler: (req) => {
          const body = objectBody(req) as { n1MessageContainer?: { n1MessageContent?: unknown }; n2InfoContainer?: { smInfo?: { pduSessionId?: number; n2InfoContent?: { ngapIeType?: string; ngapData?: unknown }; sNssai?: { sst: number; sd?: string } } }; pduSessionId?: number };
          const ue = this.bySupi.get(req.params.ueContextId);
          if (!ue || ue.released) throw new SbiProblem(404, 'CONTEXT_NOT_FOUND', `no UE context for ${req.params.ueContextId}`);
          const psi = body.pduSessionId ?? body.n2InfoContainer?.smInfo?.pduSessionId;
          const s = psi !== undefined ? ue.sessions.get(psi) : undefined;
          if (psi === undefined || !s || s.state === 'releasing' || ue.state !== '5GMM-REGISTERED') throw new SbiProblem(409, 'UE_IN_NON_ALLOWED_STATE', `PDU session ${String(psi)} is not being established`);
          const n1 = binaryPart(req, body.n1MessageContainer?.n1MessageContent);
          const n2 = binaryPart(req, body.n2InfoContainer?.smInfo?.n2InfoContent?.ngapData);
          const nas = n1 ? this.nasBytes(ue, nasMessage('DL NAS transport', { payloadContainerType: 1, payloadContainer: n1, pduSessionId: psi }), '4.3.2.2.1 step 12') : undefined;
          if (n2 && body.n2InfoContainer?.smInfo?.n2InfoContent?.ngapIeType === 'PDU_RES_SETUP_REQ') {
            // step 12: N2 PDU Session Request (TS 38.413 8.2.1)
            this.sendNgap(ue.gnb, ue.stream, ngapPdu('PDUSessionResourceSetupRequest', {
              'AMF-UE-NGAP-ID': ue.amfUeNgapId,
              'RAN-UE-NGAP-ID': ue.ranUeNgapId,
              PDUSessionResourceSetupListSUReq: [{ pDUSessionID: psi, ...(nas ? { 'pDUSessionNAS-PDU': nas } : {}), 's-NSSAI': snssai(s.snssai), pDUSessionResourceSetupRequestTransfer: n2 }],
            }), '4.3.2.2.1 step 12', ue);
          } else if (nas) {
            this.sendNgap(ue.gnb, ue.stream, ngapPdu('DownlinkNASTransport', { 'AMF-UE-NGAP-ID': ue.amfUeNgapId, 'RAN-UE-NGAP-ID': ue.ranUeNgapId, 'NAS-PDU': nas }), '4.3.2.2.1 step 12', ue);
          } else throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'neither N1 nor N2 information');
          return ok({ cause: 'N1_N2_TRANSFER_INITIATED' });
        },
      },
      {
        // TS 29.518 5.3.2.2 Namf_EventExposure_Subscribe
        method: 'POST',
        path: '/namf-evts/v1/subscriptions',
        operation: 'Namf_EventExposure_Subscribe',
        handler: (req) => {
          const body = objectBody(req) as { subscription?: { eventList?: { type?: unknown }[]; eventNotifyUri?: unknown; notifyCorrelationId?: unknown; supi?: unknown; anyUE?: unknown } };
          const sub = body.subscription;
          const types = (sub?.eventList ?? []).map((e) => e.type).filter((t): t is string => typeof t === 'string');
          if (!sub || types.length === 0 || typeof sub.eventNotifyUri !== 'string' || typeof sub.notifyCorrelationId !== 'string') throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'subscription with eventList, eventNotifyUri and notifyCorrelationId is required');
          if (typeof sub.supi !== 'string' && sub.anyUE !== true) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'supi or anyUE is required');
          const unsupported = types.filter((t) => t !== 'LOSS_OF_CONNECTIVITY');
          if (unsupported.length) throw new SbiProblem(403, 'UNSUPPORTED_EVENT_TYPE', unsupported.join(', '));
          const id = String(this.nextSubscription++);
          this.eventSubscriptions.set(id, { types, eventNotifyUri: sub.eventNotifyUri, notifyCorrelationId: sub.notifyCorrelationId, ...(typeof sub.supi === 'string' ? { supi: sub.supi } : {}) });
          return { status: 201, headers: { location: `${this.cfg.baseUri}/namf-evts/v1/subscriptions/${id}` }, body: { subscription: sub, subscriptionId: id } };
        },
      },
      {
        // TS 29.518 5.3.2.3 Namf_EventExposure_Unsubscribe
        method: 'DELETE',
        path: '/namf-evts/v1/subscriptions/{subscriptionId}',
        operation: 'Namf_EventExposure_Unsubscribe',
        handler: (req) => {
          if (!this.eventSubscriptions.delete(req.params.subscriptionId)) throw new SbiProblem(404, 'SUBSCRIPTION_NOT_FOUND');
          return { status: 204 };
        },
      },
      {
        // TS 29.502 5.2.2.5.2 SM context status notification
        method: 'POST',
        path: '/namf-callback/v1/{supi}/sm-context-status/{pduSessionId}',
        operation: 'Nsmf_PDUSession_SMContextStatusNotify',
        handler: (req) => {
          const body = objectBody(req) as { statusInfo?: { resourceStatus?: string } };
          if (typeof body.statusInfo !== 'object' || body.statusInfo === null) throw new SbiProblem(400, 'MANDATORY_IE_MISSING', 'statusInfo is required');
          const ue = this.bySupi.get(req.params.supi);
          if (ue && body.statusInfo?.resourceStatus === 'RELEASED') ue.sessions.delete(Number(req.params.pduSessionId));
          return { status: 204 };
        },
      },
    ];
  }
}
