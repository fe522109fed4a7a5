// The gNB: the NG-RAN node's side of N2 (NGAP over SCTP-over-UDP, TS 38.413) and N3 (GTP-U,
// TS 29.281 with the PDU Session Container of TS 38.415), and the cell its UEs camp on (uu.ts).
//
//   start()                 SCTP association and NG Setup with each AMF (amf-links.ts, TS 38.413 8.7.1)
//   connect()               RRC connection with the initial NAS message -> INITIAL UE MESSAGE (8.6.1)
//   uplinkNas()             -> UPLINK NAS TRANSPORT (8.6.3)
//   DOWNLINK NAS TRANSPORT (8.6.2) -> the UE
//   INITIAL CONTEXT SETUP (8.3.1), PDU SESSION RESOURCE SETUP (8.2.1) and RELEASE (8.2.2),
//   UE CONTEXT RELEASE (8.3.3), NG RESET (8.7.4), ERROR INDICATION (8.7.5, clause 10), REROUTE NAS REQUEST (8.6.5)
//   uplinkData() / downlink G-PDUs: the user plane of each PDU session on N3
// This file holds the node, N2 receive/send and the cell; context.ts the per-UE state; one file
// per NGAP procedure (initial-context-setup.ts, ue-context-release.ts, ng-reset.ts, reroute.ts,
// pdu-session-resource-setup.ts, pdu-session-resource-release.ts); n3.ts the user plane.
//
// Nothing thrown inside a socket callback leaves it: a message the gNB cannot handle is answered
// as TS 38.413 clause 10 says (or logged) and every other UE keeps being served.

import { DecodeError, type DecodeWarning } from '../../codecs/bytes/errors.ts';
import {
  decodeNgap, encodeNgap, ngapMessage, iesByName, ngapPdu, bits, plmnIdentity, tac,
  errorIndicationFor, ngapErrorContext, type NgapPdu, type Ngap,
} from '../../codecs/ngap/index.ts';
import { newGpduView } from '../../codecs/gtpu/index.ts';
import { NGAP_PPID } from '../../transport/sctp-udp/endpoint.ts';
import type { SctpAssociation, SctpTimers } from '../../transport/sctp-udp/association.ts';
import { GtpuEndpoint, GTPU_PORT } from '../../transport/udp/gtpu-endpoint.ts';
import { realClock, type Clock } from '../../transport/clock.ts';
import type { WireTap, Endpoint } from '../../transport/tap.ts';
import { DenseIdPool } from '../common/pools.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { trace, traceChannel } from '../common/trace.ts';
import type { Plmn, Snssai } from '../common/config.ts';
import type { UuCell, UuConnection, UuUeSide, RrcEstablishmentCause, UplinkNasLabel } from './uu.ts';
import type { GnbUeContext, GnbPduSession } from './context.ts';
import { readableUeIds, ueContextOf } from './ngap-ids.ts';
import { RrcAdmission, DEFAULT_ADMISSION, type AdmissionConfig } from './admission.ts';
import { uplinkData, onN3 } from './n3.ts';
import { onInitialContextSetupRequest } from './initial-context-setup.ts';
import { onUeContextReleaseCommand, releaseContext, requestUeContextRelease } from './ue-context-release.ts';
import { onNgReset } from './ng-reset.ts';
import { onPduSessionResourceSetupRequest } from './pdu-session-resource-setup.ts';
import { onPduSessionResourceReleaseCommand } from './pdu-session-resource-release.ts';
import { onPduSessionResourceModifyRequest } from './pdu-session-resource-modify.ts';
import { onUeContextModificationRequest } from './ue-context-modification.ts';
import { onPaging } from './paging.ts';
import { onRerouteNasRequest } from './reroute.ts';
import { amfSupportsOnboarding, type GnbSnpn, type AnParameters } from './snpn.ts';
import { AmfLink, connectAmf, selectAmf, NgSetupFailed, causeText, type AmfPeer, type NgSetupResult } from './amf-links.ts';
import { cellUli, fiveGSTmsiNgap } from './cells.ts';

export interface GnbConfig {
  /** The gNB's own address (127.0.0.x): SCTP (N2) and GTP-U (N3) are bound to it. */
  address: string;
  amfAddress: string;
  /** The AMF's SCTP-over-UDP port (RFC 6951; 9899 by default). */
  amfUdpPort?: number;
  /**
   * Several AMFs (amf-links.ts): the gNB sets up NG with each and selects one per RRC connection
   * (TS 23.501 6.3.5). Absent: the one at amfAddress / amfUdpPort.
   */
  amfs?: AmfPeer[];
  plmn: Plmn;
  tac: number;
  /** The TAs of the gNB's further cells (cells.ts; TS 23.501 5.3.2.3): a UE moves there with `cellOf`. */
  cellTacs?: number[];
  /** Slices the gNB's TA supports (TS 38.413 9.3.1.17 Slice Support List). */
  snssai: Snssai | Snssai[];
  /** The 22-bit gNB ID of the Global gNB ID (TS 38.413 9.3.1.6). */
  gnbId: number;
  name: string;
  tap?: WireTap;
  clock?: Clock;
  sctpTimers?: Partial<SctpTimers>;
  log?: (line: string) => void;
  /** Local GTP-U port (2152); the UPF's (2152: the UL F-TEID carries only the address). */
  gtpuPort?: number;
  upfGtpuPort?: number;
  /** Also write user-plane G-PDUs to the tap (off by default: signalling only). */
  captureUserPlane?: boolean;
  /** NR cell identity (36 bits; default gnbId << 14 | 1, TS 38.300 8.2: gNB ID in the leftmost bits). */
  nrCellId?: number;
  /** How long start() waits for the NG Setup answer (default 10 s). */
  ngSetupTimeoutMs?: number;
  /** SCTP streams to ask for (default 16; stream 0 is for non-UE-associated signalling). */
  streams?: number;
  /** RRC connection admission (admission.ts): UEs establishing at once, set-ups per second. */
  admission?: Partial<AdmissionConfig>;
  /** An SNPN the cell broadcasts beside the PLMN (snpn.ts): its NID and slices. */
  snpn?: GnbSnpn;
  /** PDU sessions the cell sets up per UE (default no limit); more fail with radio-resources-not-available (TS 38.413 9.3.1.2). */
  maxPduSessionsPerUe?: number;
}

// the NG Setup result and its failure live beside the NG Setup procedure; re-exported for importers of the gNB
export { NgSetupFailed, type NgSetupResult } from './amf-links.ts';

/** The UE-associated messages the gNB handles (TS 38.413 8.2, 8.3, 8.6.5), each in its procedure's file. */
const UE_ASSOCIATED: Record<string, (gnb: Gnb, ctx: GnbUeContext, ies: Map<string, unknown>) => void> = {
  InitialContextSetupRequest: onInitialContextSetupRequest,
  PDUSessionResourceSetupRequest: onPduSessionResourceSetupRequest,
  PDUSessionResourceReleaseCommand: onPduSessionResourceReleaseCommand,
  PDUSessionResourceModifyRequest: onPduSessionResourceModifyRequest,
  UEContextModificationRequest: onUeContextModificationRequest,
  UEContextReleaseCommand: onUeContextReleaseCommand,
  RerouteNASRequest: onRerouteNasRequest,
};
export class Gnb implements UuCell {
  readonly cfg: GnbConfig;
  readonly ledger = new ResourceLedger('gNB');
  /** What the gNB dropped or answered on its own. */
  readonly stats = {
    errorIndicationsSent: 0,
    errorIndicationsReceived: 0,
    ngapUndecodable: 0,
    /** NGAP-PDUs accepted with a warning (zero padding after the PDU). */
    ngapTolerated: 0,
    /** G-PDUs whose datagram held octets after what the GTP-U Length field covers (ignored). */
    gtpuBeyondLength: 0,
    unknownUeNgapId: 0,
    uplinkPackets: 0,
    downlinkPackets: 0,
    downlinkUnknownTeid: 0,
    downlinkMalformed: 0,
    uplinkNoSession: 0,
    downlinkNoUe: 0,
  };
  /** The NG associations, one per AMF (amf-links.ts), in the order configured. */
  readonly links: AmfLink[] = [];

  readonly log: (line: string) => void;
  readonly clock: Clock;
  n3!: GtpuEndpoint;
  readonly ranIds = new DenseIdPool('RAN-UE-NGAP-ID', 1 << 20);
  readonly dlTeids = new DenseIdPool('gNB N3 DL TEID', 1 << 24);
  readonly contexts = new Map<number, GnbUeContext>();
  readonly tunnels = new Map<number, { ctx: GnbUeContext; session: GnbPduSession }>();
  readonly view = newGpduView();
  readonly plmnId: Uint8Array;
  readonly uli: Ngap.UserLocationInformation;
  stopped = false;
  get tai(): { plmn: { mcc: string; mnc: string }; tac: number } { return { plmn: this.cfg.plmn, tac: this.cfg.tac }; } // the cell's TAI (UuCell)
  /** The UEs camped on the cell (connected once): paging reaches those in RRC_IDLE (paging.ts). */
  readonly camped = new Set<UuUeSide>();
  /** RRC connections waiting to be set up, and those establishing (admission.ts). */
  readonly admission: RrcAdmission;

  private constructor(cfg: GnbConfig) {
    this.cfg = cfg;
    this.log = cfg.log ?? (() => {});
    this.clock = cfg.clock ?? realClock;
    this.plmnId = plmnIdentity(cfg.plmn.mcc, cfg.plmn.mnc);
    const cellId = cfg.nrCellId ?? cfg.gnbId * 2 ** 14 + 1;
    // TS 38.413 9.3.1.16 User Location Information, NR: NR CGI and TAI of the serving cell.
    this.uli = { userLocationInformationNR: { 'nR-CGI': { pLMNIdentity: this.plmnId, nRCellIdentity: bits(cellId, 36) }, tAI: { pLMNIdentity: this.plmnId, tAC: tac(cfg.tac) } } };
    this.admission = new RrcAdmission({ ...DEFAULT_ADMISSION, ...(cfg.admission ?? {}) }, this.clock);
    this.ledger
      .gauge('UE contexts', () => this.contexts.size)
      .gauge('RRC connections queued', () => this.admission.queued)
      .gauge('RRC connections establishing', () => this.admission.establishing)
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
      onPacket: (data, peer) => onN3(g, data, peer),
      log: g.log,
    });
    try {
      // NG Setup with each AMF (TS 38.413 8.7.1), one after the other
      for (const peer of cfg.amfs ?? [{ address: cfg.amfAddress, ...(cfg.amfUdpPort !== undefined ? { udpPort: cfg.amfUdpPort } : {}) }]) await connectAmf(g, peer);
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
    this.admission.clear();
    for (const ctx of [...this.contexts.values()]) releaseContext(this, ctx, true);
    await Promise.all(this.links.map(async ({ association }) => {
      if (!association) return;
      const closed = new Promise<void>((r) => {
        if (association.state === 'CLOSED') r();
        else association.once('close', () => r());
      });
      association.close();
      const t = new Promise<void>((r) => setTimeout(r, 2000).unref());
      await Promise.race([closed, t]);
    }));
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

  /** The N3 tunnels of the UE on `ue`'s side of the radio (status views): DL TEID ours, UL TEID the UPF's. */
  tunnelsOf(ue: UuUeSide): { pduSessionId: number; dlTeid: number; ulTeid: number; upf: string; ranUeNgapId: number; amfUeNgapId?: number }[] {
    for (const ctx of this.contexts.values()) {
      if (ctx.ue !== ue) continue;
      return [...ctx.sessions.values()].map((s) => ({ pduSessionId: s.pduSessionId, dlTeid: s.dlTeid, ulTeid: s.ulTeid, upf: s.upf.address, ranUeNgapId: ctx.ranUeNgapId, ...(ctx.amfUeNgapId !== undefined ? { amfUeNgapId: ctx.amfUeNgapId } : {}) }));
    }
    return [];
  }

  /**
   * AN release initiated by the gNB (TS 23.502 4.2.6, TS 38.413 8.3.2) for the UE on `ue`'s side of
   * the radio, with `cause` (user inactivity by default); resolves when the UE's context is gone.
   */
  releaseAn(ue: UuUeSide, cause: Ngap.Cause = { radioNetwork: 'user-inactivity' }): Promise<void> {
    const ctx = [...this.contexts.values()].find((c) => c.ue === ue);
    if (!ctx) return Promise.reject(new Error('the UE has no context at this gNB'));
    requestUeContextRelease(this, ctx, cause);
    return new Promise((resolve, reject) => {
      let waited = 0;
      const poll = () => {
        if (this.contexts.get(ctx.ranUeNgapId) !== ctx) return resolve();
        if ((waited += 10) > 20_000) return reject(new Error(`no UE Context Release Command for ${ctx.label} within 20 s`));
        setTimeout(poll, 10).unref();
      };
      poll();
    });
  }

  /** The first AMF's NG Setup Response contents. */
  get ngSetup(): NgSetupResult | undefined {
    return this.links[0]?.ngSetup;
  }

  /** The first AMF's SCTP association. */
  get association(): SctpAssociation {
    return this.links[0].association;
  }

  // --- Uu: the cell (uu.ts) ------------------------------------------------------------------------

  /**
   * The UE stops camping on the cell (UuCell.leave): switched off, or discarded. Every UE that
   * ever connected stayed in `camped` before, so a run of 100,000 UEs kept all of them (about 20 KB
   * of heap each) and paging visited them all (issue 21).
   */
  leave(ue: UuUeSide): void {
    this.camped.delete(ue);
  }

  /**
   * RRC connection set-up with the initial NAS message: INITIAL UE MESSAGE (TS 38.413 8.6.1), once
   * the cell admits the connection (admission.ts: queued while the cell is at its limits). The
   * connection's `admitted` settles when the UE is set up; what the UE sends before goes after
   * its initial message.
   */
  connect(ue: UuUeSide, initialNas: Uint8Array, cause: RrcEstablishmentCause, an: AnParameters = {}, about?: UplinkNasLabel): UuConnection {
    if (this.stopped) throw new Error(`gNB ${this.cfg.name} is stopped`);
    if (an.selectedNid !== undefined && an.selectedNid !== this.cfg.snpn?.nid) throw new Error(`gNB ${this.cfg.name} does not broadcast SNPN NID ${an.selectedNid}`);
    // TS 23.502 4.2.2.2.4 step 2 (TS 23.501 6.3.5): an onboarding UE needs an AMF supporting onboarding
    const candidates = an.onboarding ? this.links.filter((l) => l.ngSetup && amfSupportsOnboarding(l.ngSetup.plmnSupport, an.selectedNid ?? '')) : this.links;
    if (an.onboarding && candidates.length === 0) throw new Error(`gNB ${this.cfg.name}: no AMF supports onboarding for SNPN ${an.selectedNid ?? '(none)'} (TS 23.501 6.3.5)`);
    // TS 23.501 6.3.5: the AMF by the UE's GUAMI / 5G-S-TMSI, else by slices and capacity (amf-links.ts)
    const link = selectAmf(candidates, { tac: this.cfg.tac, ...an });
    if (!link) throw new Error(`gNB ${this.cfg.name}: no AMF to select (no NG association is up)`);
    this.camped.add(ue);
    let ctx: GnbUeContext | undefined;
    let left = false;
    const held: { nas: Uint8Array; about?: UplinkNasLabel }[] = [];
    let admitted: (() => void) | undefined;
    const conn: UuConnection = {
      uplinkNas: (nas, about) => {
        if (ctx) this.uplinkNas(ctx, nas, about);
        else if (!left) held.push({ nas: new Uint8Array(nas), ...(about ? { about } : {}) });
      },
      uplinkData: (psi, packet) => {
        if (ctx) uplinkData(this, ctx, psi, packet);
      },
      // The UE left without signalling: the NG connection stays until the AMF's UE CONTEXT
      // RELEASE COMMAND (e.g. after a switch-off de-registration, TS 23.502 4.2.2.3.2 step 8).
      // A UE still waiting for admission just leaves the queue.
      release: () => {
        left = true;
        if (!ctx) ticket.cancel();
        else if (ctx.ue === ue) ctx.ue = undefined;
      },
    };
    const ticket = this.admission.request((admittedTicket) => {
      ctx = this.setUp(link, ue, initialNas, cause, an, about);
      ctx.admission = admittedTicket;
      for (const h of held.splice(0)) this.uplinkNas(ctx, h.nas, h.about);
      conn.admitted = undefined;
      admitted?.();
    });
    if (!ticket.admitted) conn.admitted = new Promise<void>((r) => (admitted = r));
    return conn;
  }

  /** The admitted connection: a RAN UE NGAP ID and INITIAL UE MESSAGE (TS 38.413 8.6.1). */
  private setUp(link: AmfLink, ue: UuUeSide, initialNas: Uint8Array, cause: RrcEstablishmentCause, an: AnParameters, about?: UplinkNasLabel): GnbUeContext {
    const ranUeNgapId = this.ranIds.allocate();
    const streams = link.association.outboundStreams;
    const ctx: GnbUeContext = {
      link,
      ranUeNgapId,
      amfUeNgapId: undefined,
      streamId: streams > 1 ? 1 + (ranUeNgapId % (streams - 1)) : 0,
      ue,
      pendingUplink: [],
      kgnb: undefined,
      sessions: new Map(),
      label: `ran-ue-${ranUeNgapId}`,
      ...(an.onboarding && !about ? { onboardingRegistration: true } : {}),
      ...cellUli(this, an),
    };
    this.contexts.set(ranUeNgapId, ctx);
    this.sendUe(ctx, ngapPdu('InitialUEMessage', {
      'RAN-UE-NGAP-ID': ranUeNgapId,
      'NAS-PDU': initialNas,
      UserLocationInformation: ctx.uli ?? this.uli,
      RRCEstablishmentCause: cause,
      // TS 38.413 8.6.1.2, 9.2.5.1: the 5G-S-TMSI the UE gave in RRC (TS 38.331 ng-5G-S-TMSI)
      ...(an.fiveGSTmsi ? { 'FiveG-S-TMSI': fiveGSTmsiNgap(an.fiveGSTmsi) } : {}),
      UEContextRequest: 'requested',
    }), about ? `InitialUEMessage (${about.message})` : 'InitialUEMessage', about?.step ?? (an.onboarding ? '4.2.2.2.4 step 3' : '4.2.2.2.2 step 2'));
    return ctx;
  }

  /** ULInformationTransfer -> UPLINK NAS TRANSPORT (TS 38.413 8.6.3). */
  uplinkNas(ctx: GnbUeContext, nas: Uint8Array, about?: UplinkNasLabel): void {
    if (!this.contexts.has(ctx.ranUeNgapId) || this.contexts.get(ctx.ranUeNgapId) !== ctx) {
      this.log(`[gNB] uplink NAS from ${ctx.label} after its context was released: dropped`);
      return;
    }
    if (ctx.amfUeNgapId === undefined) {
      ctx.pendingUplink.push({ nas: new Uint8Array(nas), ...(about ? { about } : {}) });
      return;
    }
    this.sendUplinkNas(ctx, nas, about);
  }

  /** The NAS message's own step tags the NGAP message (TS 23.502, e.g. 4.2.2.3.2 step 1), else TS 38.413 8.6.3. */
  sendUplinkNas(ctx: GnbUeContext, nas: Uint8Array, about?: UplinkNasLabel): void {
    ctx.lastUplinkStep = about?.step;
    this.sendUe(ctx, ngapPdu('UplinkNASTransport', {
      'AMF-UE-NGAP-ID': ctx.amfUeNgapId!, // known: uplinkNas queues NAS until the AMF gave it
      'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
      'NAS-PDU': nas,
      UserLocationInformation: ctx.uli ?? this.uli,
    }), about ? `UplinkNASTransport (${about.message})` : 'UplinkNASTransport', about?.step ?? 'TS 38.413 8.6.3');
  }

  // --- N2 receive ----------------------------------------------------------------------------------

  onSctpMessage(link: AmfLink, streamId: number, ppid: number, payload: Uint8Array): void {
    try {
      if (ppid !== NGAP_PPID) this.log(`[gNB] SCTP message with PPID ${ppid} on stream ${streamId} treated as NGAP`);
      this.onNgap(link, payload, streamId);
    } catch (e) {
      this.log(`[gNB] N2 handler error: ${(e as Error).stack ?? String(e)}`);
    }
  }

  onNgap(link: AmfLink, bytes: Uint8Array, streamId: number): void {
    let pdu: NgapPdu;
    const warnings: DecodeWarning[] = [];
    try {
      pdu = decodeNgap(bytes, warnings);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.stats.ngapUndecodable++;
      this.log(`[gNB] undecodable NGAP on stream ${streamId}: ${e.message}`);
      this.sendErrorIndication(errorIndicationFor(e, { ...ngapErrorContext(bytes), ...readableUeIds(bytes) }), streamId, 'TS 38.413 10.2', link);
      return;
    }
    const m = ngapMessage(pdu);
    for (const w of warnings) {
      this.stats.ngapTolerated++;
      this.log(`[gNB] ${m.name} accepted with ${w.code} at offset ${w.offset}: ${w.reason}`);
    }
    let ies: Map<string, unknown>;
    try {
      ies = iesByName(m.procedure.value, m.name);
    } catch (e) {
      this.log(`[gNB] ${m.name}: IEs not readable: ${String(e)}`);
      return;
    }
    switch (m.name) {
      case 'NGSetupResponse':
        link.setupWaiter?.resolve({
          amfName: String(ies.get('AMFName') ?? ''),
          servedGuamis: (ies.get('ServedGUAMIList') as unknown[]) ?? [],
          relativeAmfCapacity: Number(ies.get('RelativeAMFCapacity') ?? 0),
          plmnSupport: (ies.get('PLMNSupportList') as unknown[]) ?? [],
        });
        return;
      case 'NGSetupFailure': {
        const ttw = ies.get('TimeToWait');
        link.setupWaiter?.reject(new NgSetupFailed(ies.get('Cause'), ttw === undefined ? undefined : String(ttw)));
        return;
      }
      case 'ErrorIndication':
        this.stats.errorIndicationsReceived++;
        this.log(`[gNB] ERROR INDICATION from the AMF: cause ${causeText(ies.get('Cause'))} (RAN-UE-NGAP-ID ${String(ies.get('RAN-UE-NGAP-ID'))})`);
        return;
      case 'NGReset':
        onNgReset(this, link, ies, streamId);
        return;
      case 'Paging':
        onPaging(this, ies);
        return;
    }
    const ctx = ueContextOf(this, link, m.name, ies, streamId, m.procedure.procedureCode, m.kind);
    if (!ctx) return;
    if (m.name === 'DownlinkNASTransport') return this.onDownlinkNasTransport(ctx, ies);
    const handler = UE_ASSOCIATED[m.name];
    if (handler) handler(this, ctx, ies);
    else this.log(`[gNB] ${m.name} for ${ctx.label} not handled by wire5g's gNB: ignored`);
  }

  /** TS 38.413 8.6.2: the NAS-PDU goes to the UE. */
  onDownlinkNasTransport(ctx: GnbUeContext, ies: Map<string, unknown>): void {
    const nas = ies.get('NAS-PDU');
    if (nas instanceof Uint8Array) this.deliverNas(ctx, nas);
  }

  deliverNas(ctx: GnbUeContext, nas: Uint8Array): void {
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

  onAssociationClosed(link: AmfLink): void {
    if (link.setupWaiter) link.setupWaiter.reject(new Error(`NG Setup: the SCTP association with the AMF at ${link.peer.address} closed`));
    // TS 38.413 8.7.1: without N2 the UE-associated connections on it are gone.
    for (const ctx of [...this.contexts.values()]) if (ctx.link === link) releaseContext(this, ctx, true);
  }

  // --- N2 send -------------------------------------------------------------------------------------

  sendUe(ctx: GnbUeContext, pdu: NgapPdu, message: string, step: string): void {
    this.sendNgap(pdu, ctx.streamId, message, step, ctx.label, ctx.link);
  }

  /** An NGAP message on the association with `link`'s AMF (the first AMF's by default). */
  sendNgap(pdu: NgapPdu, streamId: number, message: string, step: string, ue?: string, link: AmfLink | undefined = this.links[0]): void {
    const association = link?.association;
    if (!link || !association || association.state === 'CLOSED') {
      this.log(`[gNB] ${message} not sent: no N2 association`);
      return;
    }
    const bytes = encodeNgap(pdu);
    // the literal only when someone listens (trace copies its fields; no spread of a conditional one)
    if (traceChannel.hasSubscribers) trace({ from: 'gNB', to: link.nf, interface: 'N2', protocol: 'NGAP', message, step, ue: ue || undefined, bytes: bytes.length });
    association.send(streamId, NGAP_PPID, bytes, association.commented ? `${message} [${step.startsWith('TS ') ? step : `TS 23.502 ${step}`}]` : undefined);
  }

  sendErrorIndication(pdu: NgapPdu, streamId: number, step: string, link?: AmfLink): void {
    this.stats.errorIndicationsSent++;
    this.sendNgap(pdu, streamId, 'ErrorIndication', step, undefined, link);
  }
}
