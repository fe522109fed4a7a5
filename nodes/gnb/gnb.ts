// The gNB: the NG-RAN node's side of N2 (NGAP over SCTP-over-UDP, TS 38.413) and N3 (GTP-U,
// TS 29.281 with the PDU Session Container of TS 38.415), and the cell its UEs camp on (uu.ts).
//
//   start()                 SCTP association to the AMF, NG Setup (TS 38.413 8.7.1)
//   connect()               RRC connection with the initial NAS message -> INITIAL UE MESSAGE (8.6.1)
//   uplinkNas()             -> UPLINK NAS TRANSPORT (8.6.3)
//   DOWNLINK NAS TRANSPORT (8.6.2) -> the UE
//   INITIAL CONTEXT SETUP (8.3.1), PDU SESSION RESOURCE SETUP (8.2.1) and RELEASE (8.2.2),
//   UE CONTEXT RELEASE (8.3.3), NG RESET from the AMF (8.7.4), ERROR INDICATION (8.7.5, clause 10)
//   uplinkData() / downlink G-PDUs: the user plane of each PDU session on N3
//
// Nothing thrown inside a socket callback leaves it: a message the gNB cannot handle is answered
// as TS 38.413 clause 10 says (or logged) and every other UE keeps being served.

import { DecodeError } from '../../codecs/bytes/errors.ts';
import {
  decodeNgap, encodeNgap, ngapMessage, iesByName, ngapPdu, encodeNgapType, decodeNgapType, bits, plmnIdentity, tac,
  snssai, ipv4TransportLayerAddress, ipv4OfTransportLayerAddress, gtpTeid, teidOfGtpTeid,
  errorIndicationFor, ngapErrorContext, type NgapPdu, type BitStringValue, type ProtocolIe, type Ngap,
} from '../../codecs/ngap/index.ts';
import { readGpdu, newGpduView, writeGpduHeaderWithQfi, GpduStatus } from '../../codecs/gtpu/index.ts';
import { SctpUdpEndpoint, NGAP_PPID, SCTP_UDP_PORT } from '../../transport/sctp-udp/endpoint.ts';
import type { SctpAssociation, SctpTimers } from '../../transport/sctp-udp/association.ts';
import { GtpuEndpoint, GTPU_PORT } from '../../transport/udp/gtpu-endpoint.ts';
import { realClock, type Clock, type TimerHandle } from '../../transport/clock.ts';
import type { WireTap, Endpoint } from '../../transport/tap.ts';
import { DenseIdPool } from '../common/pools.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { trace } from '../common/trace.ts';
import type { Plmn, Snssai } from '../common/config.ts';
import type { UuCell, UuConnection, UuUeSide, RrcEstablishmentCause } from './uu.ts';

export interface GnbConfig {
  /** The gNB's own address (127.0.0.x): SCTP (N2) and GTP-U (N3) are bound to it. */
  address: string;
  amfAddress: string;
  /** The AMF's SCTP-over-UDP port (RFC 6951; 9899 by default). */
  amfUdpPort?: number;
  plmn: Plmn;
  tac: number;
  /** Slices the gNB's TA supports (TS 38.413 9.3.1.17 Slice Support List). */
  snssai: Snssai | Snssai[];
  /** The 22-bit gNB ID of the Global gNB ID (TS 38.413 9.3.1.6). */
  gnbId: number;
  name: string;
  tap?: WireTap;
  clock?: Clock;
  sctpTimers?: Partial<SctpTimers>;
  log?: (line: string) => void;
  /** Local GTP-U port (2152). */
  gtpuPort?: number;
  /** The UPF's GTP-U port (2152: the UL F-TEID carries only the address). */
  upfGtpuPort?: number;
  /** Also write user-plane G-PDUs to the tap (off by default: signalling only). */
  captureUserPlane?: boolean;
  /** NR cell identity (36 bits; default gnbId << 14 | 1, TS 38.300 8.2: gNB ID in the leftmost bits). */
  nrCellId?: number;
  /** How long start() waits for the NG Setup answer (default 10 s). */
  ngSetupTimeoutMs?: number;
  /** SCTP streams to ask for (default 16; stream 0 is for non-UE-associated signalling). */
  streams?: number;
}

/** What the AMF told in NG SETUP RESPONSE (TS 38.413 9.2.6.2). */
export interface NgSetupResult {
  amfName: string;
  servedGuamis: unknown[];
  relativeAmfCapacity: number;
  plmnSupport: unknown[];
}

export class NgSetupFailed extends Error {
  readonly ngapCause: unknown;
  constructor(cause: unknown, timeToWait?: string) {
    super(`NG Setup failed: cause ${causeText(cause)}${timeToWait ? ` (time to wait ${timeToWait})` : ''} (TS 38.413 8.7.1.3)`);
    this.name = 'NgSetupFailed';
    this.ngapCause = cause;
  }
}

function causeText(cause: unknown): string {
  if (cause && typeof cause === 'object') {
    const [k, v] = Object.entries(cause)[0] ?? [];
    if (k !== undefined) return `${k}:${String(v)}`;
  }
  return String(cause);
}

/** One N3 tunnel pair of a PDU session (TS 38.413 9.3.4.1, 9.3.4.2). */
interface GnbPduSession {
  pduSessionId: number;
  /** The gNB's DL TEID (from its pool). */
  dlTeid: number;
  /** The UPF's UL F-TEID. */
  ulTeid: number;
  upf: Endpoint;
  /** The QoS flow uplink packets are mapped to (the first flow of the request). */
  qfi: number;
  qfis: number[];
}

/** The gNB's UE context (TS 38.413 3.1: UE-associated logical NG-connection). */
interface GnbUeContext {
  ranUeNgapId: number;
  amfUeNgapId: number | undefined;
  streamId: number;
  /** Undefined once the UE left (local release): the context stays until the AMF releases it. */
  ue: UuUeSide | undefined;
  /** Uplink NAS held until the AMF-UE-NGAP-ID is known (8.6.3.1: UL NAS TRANSPORT needs both IDs). */
  pendingUplink: Uint8Array[];
  /** KgNB from INITIAL CONTEXT SETUP REQUEST (TS 33.501 A.9), 32 octets. */
  kgnb: Uint8Array | undefined;
  sessions: Map<number, GnbPduSession>;
  label: string;
}

/** A failed transfer: the cause of PDU Session Resource Setup Unsuccessful Transfer (9.3.4.16). */
class TransferFailure extends Error {
  readonly ngapCause: Ngap.Cause;
  constructor(ngapCause: Ngap.Cause, why: string) {
    super(why);
    this.ngapCause = ngapCause;
  }
}

export class Gnb implements UuCell {
  readonly cfg: GnbConfig;
  readonly ledger = new ResourceLedger('gNB');
  /** What the gNB dropped or answered on its own. */
  readonly stats = {
    errorIndicationsSent: 0,
    errorIndicationsReceived: 0,
    ngapUndecodable: 0,
    unknownUeNgapId: 0,
    uplinkPackets: 0,
    downlinkPackets: 0,
    downlinkUnknownTeid: 0,
    downlinkMalformed: 0,
    uplinkNoSession: 0,
    downlinkNoUe: 0,
  };
  /** NG Setup Response contents. */
  ngSetup: NgSetupResult | undefined;

  private readonly log: (line: string) => void;
  private readonly clock: Clock;
  private association!: SctpAssociation;
  private n3!: GtpuEndpoint;
  private readonly ranIds = new DenseIdPool('RAN-UE-NGAP-ID', 1 << 20);
  private readonly dlTeids = new DenseIdPool('gNB N3 DL TEID', 1 << 24);
  private readonly contexts = new Map<number, GnbUeContext>();
  private readonly byAmfId = new Map<number, GnbUeContext>();
  private readonly tunnels = new Map<number, { ctx: GnbUeContext; session: GnbPduSession }>();
  private readonly view = newGpduView();
  private readonly plmnId: Uint8Array;
  private readonly uli: Ngap.UserLocationInformation;
  private setupWaiter: { resolve(r: NgSetupResult): void; reject(e: Error): void } | undefined;
  private stopped = false;

  private constructor(cfg: GnbConfig) {
    this.cfg = cfg;
    this.log = cfg.log ?? (() => {});
    this.clock = cfg.clock ?? realClock;
    this.plmnId = plmnIdentity(cfg.plmn.mcc, cfg.plmn.mnc);
    const cellId = cfg.nrCellId ?? cfg.gnbId * 2 ** 14 + 1;
    // TS 38.413 9.3.1.16 User Location Information, NR: NR CGI and TAI of the serving cell.
    this.uli = { userLocationInformationNR: { 'nR-CGI': { pLMNIdentity: this.plmnId, nRCellIdentity: bits(cellId, 36) }, tAI: { pLMNIdentity: this.plmnId, tAC: tac(cfg.tac) } } };
    this.ledger
      .gauge('UE contexts', () => this.contexts.size)
      .gauge('RAN UE NGAP IDs', () => this.ranIds.inUse)
      .gauge('N3 DL TEIDs', () => this.dlTeids.inUse);
  }

  /** Opens N3, sets up the SCTP association to the AMF and runs NG Setup (TS 38.413 8.7.1). */
  static async start(cfg: GnbConfig): Promise<Gnb> {
    const g = new Gnb(cfg);
    g.n3 = await GtpuEndpoint.open({
      address: cfg.address,
      port: cfg.gtpuPort ?? GTPU_PORT,
      ...(cfg.tap ? { tap: cfg.tap } : {}),
      captureUserPlane: cfg.captureUserPlane ?? false,
      onPacket: (data, peer) => g.onN3(data, peer),
      log: g.log,
    });
    try {
      g.association = await SctpUdpEndpoint.connect({
        localAddress: cfg.address,
        remoteAddress: cfg.amfAddress,
        remoteUdpPort: cfg.amfUdpPort ?? SCTP_UDP_PORT,
        ...(cfg.tap ? { tap: cfg.tap } : {}),
        clock: g.clock,
        ...(cfg.sctpTimers ? { timers: cfg.sctpTimers } : {}),
        streams: cfg.streams ?? 16,
        log: g.log,
      });
      g.association.on('message', (streamId, ppid, payload) => g.onSctpMessage(streamId, ppid, payload));
      g.association.on('lost', (reason) => g.log(`[gNB ${cfg.name}] N2 association lost: ${reason}`));
      g.association.on('close', () => g.onAssociationClosed());
      g.ngSetup = await g.ngSetupProcedure();
      return g;
    } catch (e) {
      await g.stop();
      throw e;
    }
  }

  /** Closes N2 (SCTP SHUTDOWN) and N3; UEs still connected get an RRC release. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const ctx of [...this.contexts.values()]) this.releaseContext(ctx, true);
    if (this.association) {
      const closed = new Promise<void>((r) => {
        if (this.association.state === 'CLOSED') r();
        else this.association.once('close', () => r());
      });
      this.association.close();
      const t = new Promise<void>((r) => setTimeout(r, 2000).unref());
      await Promise.race([closed, t]);
    }
    if (this.n3) await this.n3.close().catch(() => {});
  }

  /** The N3 endpoint's local address and port. */
  get n3Endpoint(): Endpoint {
    return this.n3.local;
  }

  /** UE contexts, for tests and the run summary. */
  get ueCount(): number {
    return this.contexts.size;
  }

  // --- NG Setup (TS 38.413 8.7.1) ----------------------------------------------------------------

  private ngSetupProcedure(): Promise<NgSetupResult> {
    const slices = Array.isArray(this.cfg.snssai) ? this.cfg.snssai : [this.cfg.snssai];
    const req = ngapPdu('NGSetupRequest', {
      GlobalRANNodeID: { 'globalGNB-ID': { pLMNIdentity: this.plmnId, 'gNB-ID': { 'gNB-ID': bits(this.cfg.gnbId, 22) } } },
      RANNodeName: this.cfg.name,
      SupportedTAList: [{ tAC: tac(this.cfg.tac), broadcastPLMNList: [{ pLMNIdentity: this.plmnId, tAISliceSupportList: slices.map((s) => ({ 's-NSSAI': snssai(s) })) }] }],
      DefaultPagingDRX: 'v128',
    });
    return new Promise<NgSetupResult>((resolve, reject) => {
      let timer: TimerHandle | undefined = undefined;
      const done = <T>(f: (v: T) => void) => (v: T) => {
        this.clock.clearTimeout(timer);
        this.setupWaiter = undefined;
        f(v);
      };
      this.setupWaiter = { resolve: done(resolve), reject: done(reject) };
      timer = this.clock.setTimeout(() => this.setupWaiter?.reject(new Error(`NG Setup: no answer from the AMF at ${this.cfg.amfAddress} within ${this.cfg.ngSetupTimeoutMs ?? 10_000} ms (TS 38.413 8.7.1)`)), this.cfg.ngSetupTimeoutMs ?? 10_000);
      this.sendNgap(req, 0, 'NGSetupRequest', 'TS 38.413 8.7.1');
    });
  }

  // --- Uu: the cell (uu.ts) ------------------------------------------------------------------------

  /** RRC connection set-up with the initial NAS message: INITIAL UE MESSAGE (TS 38.413 8.6.1). */
  connect(ue: UuUeSide, initialNas: Uint8Array, cause: RrcEstablishmentCause): UuConnection {
    if (this.stopped) throw new Error(`gNB ${this.cfg.name} is stopped`);
    const ranUeNgapId = this.ranIds.allocate();
    const streams = this.association.outboundStreams;
    const ctx: GnbUeContext = {
      ranUeNgapId,
      amfUeNgapId: undefined,
      streamId: streams > 1 ? 1 + (ranUeNgapId % (streams - 1)) : 0,
      ue,
      pendingUplink: [],
      kgnb: undefined,
      sessions: new Map(),
      label: `ran-ue-${ranUeNgapId}`,
    };
    this.contexts.set(ranUeNgapId, ctx);
    this.sendUe(ctx, ngapPdu('InitialUEMessage', {
      'RAN-UE-NGAP-ID': ranUeNgapId,
      'NAS-PDU': initialNas,
      UserLocationInformation: this.uli,
      RRCEstablishmentCause: cause,
      UEContextRequest: 'requested',
    }), 'InitialUEMessage', '4.2.2.2.2 step 2');
    return {
      uplinkNas: (nas) => this.uplinkNas(ctx, nas),
      uplinkData: (psi, packet) => this.uplinkData(ctx, psi, packet),
      // The UE left without signalling: the NG connection stays until the AMF's UE CONTEXT
      // RELEASE COMMAND (e.g. after a switch-off de-registration, TS 23.502 4.2.2.3.2 step 8).
      release: () => {
        if (ctx.ue === ue) ctx.ue = undefined;
      },
    };
  }

  /** ULInformationTransfer -> UPLINK NAS TRANSPORT (TS 38.413 8.6.3). */
  private uplinkNas(ctx: GnbUeContext, nas: Uint8Array): void {
    if (!this.contexts.has(ctx.ranUeNgapId) || this.contexts.get(ctx.ranUeNgapId) !== ctx) {
      this.log(`[gNB] uplink NAS from ${ctx.label} after its context was released: dropped`);
      return;
    }
    if (ctx.amfUeNgapId === undefined) {
      ctx.pendingUplink.push(Uint8Array.from(nas));
      return;
    }
    this.sendUplinkNas(ctx, nas);
  }

  private sendUplinkNas(ctx: GnbUeContext, nas: Uint8Array): void {
    this.sendUe(ctx, ngapPdu('UplinkNASTransport', {
      'AMF-UE-NGAP-ID': ctx.amfUeNgapId!, // known: uplinkNas queues NAS until the AMF gave it
      'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
      'NAS-PDU': nas,
      UserLocationInformation: this.uli,
    }), 'UplinkNASTransport', 'TS 38.413 8.6.3');
  }

  /** An uplink packet on a PDU session's DRB -> G-PDU to the UPF with a UL PDU Session Container (TS 38.415 5.5.2.2). */
  private uplinkData(ctx: GnbUeContext, psi: number, packet: Uint8Array): void {
    const s = ctx.sessions.get(psi);
    if (!s || this.contexts.get(ctx.ranUeNgapId) !== ctx) {
      this.stats.uplinkNoSession++;
      return;
    }
    const header = new Uint8Array(16);
    writeGpduHeaderWithQfi(header, 0, s.ulTeid, 1, s.qfi, packet.length);
    this.stats.uplinkPackets++;
    this.n3.send(s.upf, header, packet);
  }

  /** A datagram on N3: G-PDU -> the UE of the DL TEID; others logged. */
  private onN3(data: Uint8Array, peer: Endpoint): void {
    try {
      const v = this.view;
      const st = readGpdu(data, 0, data.length, v);
      if (st !== GpduStatus.OK) {
        this.stats.downlinkMalformed++;
        return;
      }
      if (v.messageType === 0xff) {
        const t = this.tunnels.get(v.teid);
        if (!t) {
          // TS 29.281 7.3.1 would answer with an Error Indication; the gNB counts and drops.
          this.stats.downlinkUnknownTeid++;
          return;
        }
        const ue = t.ctx.ue;
        if (!ue) {
          this.stats.downlinkNoUe++;
          return;
        }
        this.stats.downlinkPackets++;
        ue.onDownlinkData(t.session.pduSessionId, data.subarray(v.payloadOffset, v.end));
        return;
      }
      if (v.messageType === 26) this.log(`[gNB] GTP-U Error Indication from ${peer.address}:${peer.port} (TS 29.281 7.3.1)`);
      else if (v.messageType !== 254) this.log(`[gNB] GTP-U message type ${v.messageType} from ${peer.address} ignored`);
    } catch (e) {
      this.log(`[gNB] N3 handler error: ${(e as Error).stack ?? String(e)}`);
    }
  }

  // --- N2 receive ----------------------------------------------------------------------------------

  private onSctpMessage(streamId: number, ppid: number, payload: Uint8Array): void {
    try {
      if (ppid !== NGAP_PPID) this.log(`[gNB] SCTP message with PPID ${ppid} on stream ${streamId} treated as NGAP`);
      this.onNgap(payload, streamId);
    } catch (e) {
      this.log(`[gNB] N2 handler error: ${(e as Error).stack ?? String(e)}`);
    }
  }

  private onNgap(bytes: Uint8Array, streamId: number): void {
    let pdu: NgapPdu;
    try {
      pdu = decodeNgap(bytes);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.stats.ngapUndecodable++;
      this.log(`[gNB] undecodable NGAP on stream ${streamId}: ${e.message}`);
      this.sendErrorIndication(errorIndicationFor(e, { ...ngapErrorContext(bytes), ...readableUeIds(bytes) }), streamId, 'TS 38.413 10.2');
      return;
    }
    const m = ngapMessage(pdu);
    let ies: Map<string, unknown>;
    try {
      ies = iesByName(m.procedure.value, m.name);
    } catch (e) {
      this.log(`[gNB] ${m.name}: IEs not readable: ${String(e)}`);
      return;
    }
    switch (m.name) {
      case 'NGSetupResponse':
        this.setupWaiter?.resolve({
          amfName: String(ies.get('AMFName') ?? ''),
          servedGuamis: (ies.get('ServedGUAMIList') as unknown[]) ?? [],
          relativeAmfCapacity: Number(ies.get('RelativeAMFCapacity') ?? 0),
          plmnSupport: (ies.get('PLMNSupportList') as unknown[]) ?? [],
        });
        return;
      case 'NGSetupFailure': {
        const ttw = ies.get('TimeToWait');
        this.setupWaiter?.reject(new NgSetupFailed(ies.get('Cause'), ttw === undefined ? undefined : String(ttw)));
        return;
      }
      case 'ErrorIndication':
        this.stats.errorIndicationsReceived++;
        this.log(`[gNB] ERROR INDICATION from the AMF: cause ${causeText(ies.get('Cause'))} (RAN-UE-NGAP-ID ${String(ies.get('RAN-UE-NGAP-ID'))})`);
        return;
      case 'NGReset':
        this.onNgReset(ies, streamId);
        return;
      case 'Paging':
        this.log('[gNB] PAGING received: no UE in RRC_IDLE to page (wire5g UEs stay connected)');
        return;
    }
    const ctx = this.ueOf(m.name, ies, streamId, m.procedure.procedureCode, m.kind);
    if (!ctx) return;
    switch (m.name) {
      case 'DownlinkNASTransport':
        this.onDownlinkNasTransport(ctx, ies);
        return;
      case 'InitialContextSetupRequest':
        this.onInitialContextSetupRequest(ctx, ies);
        return;
      case 'PDUSessionResourceSetupRequest':
        this.onPduSessionResourceSetupRequest(ctx, ies);
        return;
      case 'PDUSessionResourceReleaseCommand':
        this.onPduSessionResourceReleaseCommand(ctx, ies);
        return;
      case 'UEContextReleaseCommand':
        this.onUeContextReleaseCommand(ctx, ies);
        return;
      default:
        this.log(`[gNB] ${m.name} for ${ctx.label} not handled by wire5g's gNB: ignored`);
    }
  }

  /**
   * The UE context an AMF message is for, by RAN-UE-NGAP-ID (or the UE-NGAP-IDs of a release).
   * Unknown -> ERROR INDICATION, cause "Unknown local UE NGAP ID" (TS 38.413 10.6); a known RAN ID
   * with another AMF ID -> "Inconsistent remote UE NGAP ID".
   */
  private ueOf(name: string, ies: Map<string, unknown>, streamId: number, procedureCode: number, kind: string): GnbUeContext | undefined {
    let ran = ies.get('RAN-UE-NGAP-ID') as number | undefined;
    let amf = ies.get('AMF-UE-NGAP-ID') as number | undefined;
    const ids = ies.get('UE-NGAP-IDs') as Record<string, unknown> | undefined;
    if (ids) {
      const pair = ids['uE-NGAP-ID-pair'] as { 'aMF-UE-NGAP-ID': number; 'rAN-UE-NGAP-ID': number } | undefined;
      if (pair) {
        ran = pair['rAN-UE-NGAP-ID'];
        amf = pair['aMF-UE-NGAP-ID'];
      } else if (typeof ids['aMF-UE-NGAP-ID'] === 'number') {
        amf = ids['aMF-UE-NGAP-ID'] as number;
      }
    }
    const ctx = ran !== undefined ? this.contexts.get(ran) : amf !== undefined ? this.byAmfId.get(amf) : undefined;
    const trig = kind === 'initiatingMessage' ? 'initiating-message' : kind === 'successfulOutcome' ? 'successful-outcome' : 'unsuccessful-outcome';
    const diag: Ngap.CriticalityDiagnostics = { procedureCode, triggeringMessage: trig };
    if (!ctx) {
      this.stats.unknownUeNgapId++;
      this.log(`[gNB] ${name} for unknown RAN-UE-NGAP-ID ${String(ran)} / AMF-UE-NGAP-ID ${String(amf)}: Error Indication (TS 38.413 10.6)`);
      this.sendErrorIndication(ngapPdu('ErrorIndication', {
        ...(amf !== undefined ? { 'AMF-UE-NGAP-ID': amf } : {}),
        ...(ran !== undefined ? { 'RAN-UE-NGAP-ID': ran } : {}),
        Cause: { radioNetwork: 'unknown-local-UE-NGAP-ID' },
        CriticalityDiagnostics: diag,
      }), streamId, 'TS 38.413 10.6');
      return undefined;
    }
    if (amf !== undefined && ctx.amfUeNgapId !== undefined && amf !== ctx.amfUeNgapId) {
      this.log(`[gNB] ${name} for ${ctx.label} with AMF-UE-NGAP-ID ${amf}, known ${ctx.amfUeNgapId}: Error Indication (TS 38.413 10.6)`);
      this.sendErrorIndication(ngapPdu('ErrorIndication', {
        'AMF-UE-NGAP-ID': amf,
        'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
        Cause: { radioNetwork: 'inconsistent-remote-UE-NGAP-ID' },
        CriticalityDiagnostics: diag,
      }), streamId, 'TS 38.413 10.6');
      return undefined;
    }
    // The first UE-associated message from the AMF gives its AMF-UE-NGAP-ID (8.6.2.2).
    if (amf !== undefined && ctx.amfUeNgapId === undefined) {
      ctx.amfUeNgapId = amf;
      this.byAmfId.set(amf, ctx);
      for (const nas of ctx.pendingUplink.splice(0)) this.sendUplinkNas(ctx, nas);
    }
    return ctx;
  }

  /** TS 38.413 8.6.2: the NAS-PDU goes to the UE. */
  private onDownlinkNasTransport(ctx: GnbUeContext, ies: Map<string, unknown>): void {
    const nas = ies.get('NAS-PDU');
    if (nas instanceof Uint8Array) this.deliverNas(ctx, nas);
  }

  /** TS 38.413 8.3.1: UE context with the security key; PDU sessions if listed; the NAS-PDU to the UE. */
  private onInitialContextSetupRequest(ctx: GnbUeContext, ies: Map<string, unknown>): void {
    const key = ies.get('SecurityKey') as BitStringValue | undefined;
    if (key && key.value instanceof Uint8Array) ctx.kgnb = Uint8Array.from(key.value);
    const items = (ies.get('PDUSessionResourceSetupListCxtReq') as { pDUSessionID: number; 'nAS-PDU'?: Uint8Array; pDUSessionResourceSetupRequestTransfer: unknown }[] | undefined) ?? [];
    const { setUp, failed, nasPdus } = this.setupSessions(ctx, items.map((i) => ({ ...i, nas: i['nAS-PDU'] })));
    this.sendUe(ctx, ngapPdu('InitialContextSetupResponse', {
      'AMF-UE-NGAP-ID': ctx.amfUeNgapId!, // set by ueContext from the AMF's message being answered
      'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
      ...(setUp.length ? { PDUSessionResourceSetupListCxtRes: setUp } : {}),
      ...(failed.length ? { PDUSessionResourceFailedToSetupListCxtRes: failed } : {}),
    }), 'InitialContextSetupResponse', '4.2.2.2.2 step 21 (TS 38.413 8.3.1.2)');
    const nas = ies.get('NAS-PDU');
    if (nas instanceof Uint8Array) this.deliverNas(ctx, nas);
    for (const n of nasPdus) this.deliverNas(ctx, n);
  }

  /** TS 38.413 8.2.1; TS 23.502 4.3.2.2.1 steps 12-14: N3 tunnels, the response, the NAS to the UE. */
  private onPduSessionResourceSetupRequest(ctx: GnbUeContext, ies: Map<string, unknown>): void {
    const items = (ies.get('PDUSessionResourceSetupListSUReq') as { pDUSessionID: number; 'pDUSessionNAS-PDU'?: Uint8Array; pDUSessionResourceSetupRequestTransfer: unknown }[] | undefined) ?? [];
    const { setUp, failed, nasPdus } = this.setupSessions(ctx, items.map((i) => ({ ...i, nas: i['pDUSessionNAS-PDU'] })));
    this.sendUe(ctx, ngapPdu('PDUSessionResourceSetupResponse', {
      'AMF-UE-NGAP-ID': ctx.amfUeNgapId!, // set by ueContext from the AMF's message being answered
      'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
      ...(setUp.length ? { PDUSessionResourceSetupListSURes: setUp } : {}),
      ...(failed.length ? { PDUSessionResourceFailedToSetupListSURes: failed } : {}),
    }), 'PDUSessionResourceSetupResponse', '4.3.2.2.1 step 14');
    for (const n of nasPdus) this.deliverNas(ctx, n);
  }

  /**
   * The sessions of a setup list (ICS 8.3.1 or PDU Session Resource Setup 8.2.1): those set up
   * with their Response Transfers, those that failed with their Unsuccessful Transfers, and the
   * NAS-PDUs to hand to the UE whether or not the resources were set up (8.2.1.2).
   */
  private setupSessions(ctx: GnbUeContext, items: { pDUSessionID: number; nas?: Uint8Array | undefined; pDUSessionResourceSetupRequestTransfer: unknown }[]) {
    const setUp: { pDUSessionID: number; pDUSessionResourceSetupResponseTransfer: Uint8Array }[] = [];
    const failed: { pDUSessionID: number; pDUSessionResourceSetupUnsuccessfulTransfer: Uint8Array }[] = [];
    const nasPdus: Uint8Array[] = [];
    for (const item of items) {
      const r = this.setupSession(ctx, item.pDUSessionID, item.pDUSessionResourceSetupRequestTransfer);
      if ('transfer' in r) setUp.push({ pDUSessionID: item.pDUSessionID, pDUSessionResourceSetupResponseTransfer: r.transfer });
      else failed.push({ pDUSessionID: item.pDUSessionID, pDUSessionResourceSetupUnsuccessfulTransfer: r.unsuccessful });
      if (item.nas instanceof Uint8Array) nasPdus.push(item.nas);
    }
    return { setUp, failed, nasPdus };
  }

  /**
   * One PDU session's N3 set-up from its PDU Session Resource Setup Request Transfer (9.3.4.1):
   * the UPF's UL F-TEID and the QoS flows in; a DL TEID of ours out in the Response Transfer (9.3.4.2).
   */
  private setupSession(ctx: GnbUeContext, psi: number, transferValue: unknown): { transfer: Uint8Array } | { unsuccessful: Uint8Array } {
    try {
      if (ctx.sessions.has(psi)) throw new TransferFailure({ radioNetwork: 'multiple-PDU-session-ID-instances' }, `PDU session ${psi} already set up`);
      let t: unknown = transferValue;
      if (t instanceof Uint8Array) {
        try {
          t = decodeNgapType('PDUSessionResourceSetupRequestTransfer', t);
        } catch (e) {
          throw new TransferFailure({ protocol: 'transfer-syntax-error' }, `transfer does not decode: ${(e as Error).message}`);
        }
      }
      const list = (t as { protocolIEs?: ProtocolIe[] }).protocolIEs;
      if (!Array.isArray(list)) throw new TransferFailure({ protocol: 'abstract-syntax-error-falsely-constructed-message' }, 'transfer has no protocol IEs');
      const tie = iesByName(t, 'PDUSessionResourceSetupRequestTransfer');
      const ul = tie.get('UL-NGU-UP-TNLInformation') as { gTPTunnel?: { transportLayerAddress: unknown; 'gTP-TEID': unknown } } | undefined;
      const upfAddress = ipv4OfTransportLayerAddress(ul?.gTPTunnel?.transportLayerAddress as BitStringValue | undefined);
      const ulTeid = teidOfGtpTeid(ul?.gTPTunnel?.['gTP-TEID'] as Uint8Array | undefined);
      if (!upfAddress || ulTeid === undefined) throw new TransferFailure({ protocol: 'abstract-syntax-error-reject' }, 'no usable UL NG-U UP TNL Information (IPv4 GTP tunnel)');
      const type = tie.get('PDUSessionType');
      if (type !== undefined && type !== 'ipv4') throw new TransferFailure({ misc: 'unspecified' }, `PDU session type ${String(type)} is not IPv4`);
      const flows = (tie.get('QosFlowSetupRequestList') as { qosFlowIdentifier: number }[] | undefined) ?? [];
      if (flows.length === 0) throw new TransferFailure({ protocol: 'abstract-syntax-error-reject' }, 'no QoS flow to set up');
      const dlTeid = this.dlTeids.allocate();
      const qfis = flows.map((f) => f.qosFlowIdentifier);
      const session: GnbPduSession = { pduSessionId: psi, dlTeid, ulTeid, upf: { address: upfAddress, port: this.cfg.upfGtpuPort ?? GTPU_PORT }, qfi: qfis[0], qfis };
      ctx.sessions.set(psi, session);
      this.tunnels.set(dlTeid, { ctx, session });
      return {
        transfer: encodeNgapType('PDUSessionResourceSetupResponseTransfer', {
          dLQosFlowPerTNLInformation: {
            uPTransportLayerInformation: { gTPTunnel: { transportLayerAddress: ipv4TransportLayerAddress(this.n3.local.address), 'gTP-TEID': gtpTeid(dlTeid) } },
            associatedQosFlowList: qfis.map((q) => ({ qosFlowIdentifier: q })),
          },
        }),
      };
    } catch (e) {
      const cause: Ngap.Cause = e instanceof TransferFailure ? e.ngapCause : { misc: 'unspecified' };
      this.log(`[gNB] PDU session ${psi} of ${ctx.label} not set up: ${(e as Error).message}`);
      return { unsuccessful: encodeNgapType('PDUSessionResourceSetupUnsuccessfulTransfer', { cause }) };
    }
  }

  /** TS 38.413 8.2.2: the sessions' tunnels go, the NAS-PDU to the UE, then the response. */
  private onPduSessionResourceReleaseCommand(ctx: GnbUeContext, ies: Map<string, unknown>): void {
    const items = (ies.get('PDUSessionResourceToReleaseListRelCmd') as { pDUSessionID: number }[] | undefined) ?? [];
    const released: Ngap.PDUSessionResourceReleasedItemRelRes[] = [];
    for (const item of items) {
      this.releaseSession(ctx, item.pDUSessionID);
      released.push({ pDUSessionID: item.pDUSessionID, pDUSessionResourceReleaseResponseTransfer: encodeNgapType('PDUSessionResourceReleaseResponseTransfer', {}) });
    }
    const nas = ies.get('NAS-PDU');
    if (nas instanceof Uint8Array) this.deliverNas(ctx, nas);
    this.sendUe(ctx, ngapPdu('PDUSessionResourceReleaseResponse', {
      'AMF-UE-NGAP-ID': ctx.amfUeNgapId!, // set by ueContext from the AMF's message being answered
      'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
      PDUSessionResourceReleasedListRelRes: released,
      UserLocationInformation: this.uli,
    }), 'PDUSessionResourceReleaseResponse', 'TS 38.413 8.2.2.2');
  }

  /** TS 38.413 8.3.3; TS 23.502 4.2.2.3.2 step 8: release everything of the UE, RRC release, complete. */
  private onUeContextReleaseCommand(ctx: GnbUeContext, ies: Map<string, unknown>): void {
    const cause = ies.get('Cause') as Record<string, string> | undefined;
    const psis = [...ctx.sessions.keys()];
    const amfUeNgapId = ctx.amfUeNgapId;
    const streamId = ctx.streamId;
    this.releaseContext(ctx, true);
    const deregister = cause?.nas === 'deregister';
    this.sendNgap(ngapPdu('UEContextReleaseComplete', {
      'AMF-UE-NGAP-ID': amfUeNgapId!, // set by ueContext from the AMF's message being answered
      'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
      UserLocationInformation: this.uli,
      ...(psis.length ? { PDUSessionResourceListCxtRelCpl: psis.map((p) => ({ pDUSessionID: p })) } : {}),
    }), streamId, 'UEContextReleaseComplete', deregister ? '4.2.2.3.2 step 8' : 'TS 38.413 8.3.3.2', ctx.label);
  }

  /** NG RESET from the AMF (TS 38.413 8.7.4.2.1): release the UE contexts named (or all), acknowledge. */
  private onNgReset(ies: Map<string, unknown>, streamId: number): void {
    const type = ies.get('ResetType') as { 'nG-Interface'?: string; 'partOfNG-Interface'?: { 'aMF-UE-NGAP-ID'?: number; 'rAN-UE-NGAP-ID'?: number }[] } | undefined;
    const part = type?.['partOfNG-Interface'];
    if (part) {
      for (const c of part) {
        const ctx = (c['rAN-UE-NGAP-ID'] !== undefined ? this.contexts.get(c['rAN-UE-NGAP-ID']) : undefined) ?? (c['aMF-UE-NGAP-ID'] !== undefined ? this.byAmfId.get(c['aMF-UE-NGAP-ID']) : undefined);
        if (ctx) this.releaseContext(ctx, true);
      }
    } else {
      for (const ctx of [...this.contexts.values()]) this.releaseContext(ctx, true);
    }
    this.sendNgap(ngapPdu('NGResetAcknowledge', part ? { 'UE-associatedLogicalNG-connectionList': part } : {}), streamId === 0 ? 0 : streamId, 'NGResetAcknowledge', 'TS 38.413 8.7.4.2.1');
  }

  private releaseSession(ctx: GnbUeContext, psi: number): void {
    const s = ctx.sessions.get(psi);
    if (!s) return;
    ctx.sessions.delete(psi);
    this.tunnels.delete(s.dlTeid);
    this.dlTeids.release(s.dlTeid);
  }

  /** Frees everything of a UE context; the UE (if still attached) gets RRCRelease. */
  private releaseContext(ctx: GnbUeContext, rrcRelease: boolean): void {
    if (this.contexts.get(ctx.ranUeNgapId) !== ctx) return;
    for (const psi of [...ctx.sessions.keys()]) this.releaseSession(ctx, psi);
    this.contexts.delete(ctx.ranUeNgapId);
    if (ctx.amfUeNgapId !== undefined && this.byAmfId.get(ctx.amfUeNgapId) === ctx) this.byAmfId.delete(ctx.amfUeNgapId);
    this.ranIds.release(ctx.ranUeNgapId);
    ctx.pendingUplink.length = 0;
    ctx.kgnb = undefined;
    const ue = ctx.ue;
    ctx.ue = undefined;
    if (rrcRelease && ue) {
      try {
        ue.onRrcRelease();
      } catch (e) {
        this.log(`[gNB] ${ctx.label} RRC release handler threw: ${String(e)}`);
      }
    }
  }

  private deliverNas(ctx: GnbUeContext, nas: Uint8Array): void {
    const ue = ctx.ue;
    if (!ue) {
      this.log(`[gNB] NAS for ${ctx.label} dropped: the UE has left the cell`);
      return;
    }
    try {
      ue.onDownlinkNas(nas);
    } catch (e) {
      this.log(`[gNB] ${ctx.label} DL NAS handler threw: ${(e as Error).stack ?? String(e)}`);
    }
  }

  private onAssociationClosed(): void {
    if (this.setupWaiter) this.setupWaiter.reject(new Error(`NG Setup: the SCTP association with the AMF at ${this.cfg.amfAddress} closed`));
    // TS 38.413 8.7.1: without N2 the UE-associated connections are gone.
    for (const ctx of [...this.contexts.values()]) this.releaseContext(ctx, true);
  }

  // --- N2 send -------------------------------------------------------------------------------------

  private sendUe(ctx: GnbUeContext, pdu: NgapPdu, message: string, step: string): void {
    this.sendNgap(pdu, ctx.streamId, message, step, ctx.label);
  }

  private sendNgap(pdu: NgapPdu, streamId: number, message: string, step: string, ue?: string): void {
    if (!this.association || this.association.state === 'CLOSED') {
      this.log(`[gNB] ${message} not sent: no N2 association`);
      return;
    }
    const bytes = encodeNgap(pdu);
    trace({ from: 'gNB', to: 'AMF', interface: 'N2', protocol: 'NGAP', message, step, ...(ue ? { ue } : {}), bytes: bytes.length });
    this.association.send(streamId, NGAP_PPID, bytes, step.startsWith('TS ') ? `${step} ${message}` : `TS 23.502 ${step} ${message}`);
  }

  private sendErrorIndication(pdu: NgapPdu, streamId: number, step: string): void {
    this.stats.errorIndicationsSent++;
    this.sendNgap(pdu, streamId, 'ErrorIndication', step);
  }
}

/** An APER length determinant (X.691 10.9) at `at`: [length, octets used], or undefined when fragmented. */
function lengthAt(b: Uint8Array, at: number): [number, number] | undefined {
  if (at >= b.length) return undefined;
  if ((b[at] & 0x80) === 0) return [b[at], 1];
  if ((b[at] & 0xc0) === 0x80 && at + 1 < b.length) return [((b[at] & 0x3f) << 8) | b[at + 1], 2];
  return undefined;
}

/**
 * The AMF-UE-NGAP-ID and RAN-UE-NGAP-ID of an NGAP-PDU whose other IEs do not decode, read from the
 * protocol IE container field by field (each IE value is an open type with its own length), so the
 * Error Indication can name the UE-associated connection (TS 38.413 10.1, 9.2.3.3).
 */
function readableUeIds(b: Uint8Array): { amfUeNgapId?: number; ranUeNgapId?: number } {
  const out: { amfUeNgapId?: number; ranUeNgapId?: number } = {};
  try {
    if (b.length < 4 || b[0] & 0x80) return out;
    const open = lengthAt(b, 3); // octet 0 choice, 1 procedure code, 2 criticality, then the open type
    if (!open) return out;
    let at = 3 + open[1];
    const end = Math.min(b.length, at + open[0]);
    if ((b[at] & 0x80) !== 0) return out; // message SEQUENCE extension bit (then alignment)
    const count = (b[at + 1] << 8) | b[at + 2];
    at += 3;
    for (let i = 0; i < count && at + 3 < end; i++) {
      const id = (b[at] << 8) | b[at + 1];
      const len = lengthAt(b, at + 3);
      if (!len) break;
      const value = b.subarray(at + 3 + len[1], at + 3 + len[1] + len[0]);
      if (id === 10) out.amfUeNgapId = Number(decodeNgapType('AMF-UE-NGAP-ID', value));
      if (id === 85) out.ranUeNgapId = Number(decodeNgapType('RAN-UE-NGAP-ID', value));
      at += 3 + len[1] + len[0];
    }
  } catch {
    // whatever could be read is returned
  }
  return out;
}
