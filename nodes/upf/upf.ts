// The UPF: N4 (PFCP, TS 29.244) towards the SMF, N3 (GTP-U) towards the gNB, and the built-in
// data network on N6. Session handling follows TS 29.244 7.5 and TS 23.502 4.2.2.3.2 step 3a/3b:
// on Session Deletion the data path drops, discards buffered packets, frees the TEID and answers
// with the final usage report.

import { GtpuEndpoint } from '../../transport/udp/gtpu-endpoint.ts';
import { PfcpEndpoint, type PfcpRequestEvent } from '../../transport/udp/pfcp-endpoint.ts';
import type { Clock, TimerHandle } from '../../transport/clock.ts';
import { realClock } from '../../transport/clock.ts';
import type { WireTap, Endpoint } from '../../transport/tap.ts';
import * as P from '../../codecs/pfcp/index.ts';
import { PfcpIeType as T, PfcpMessageType as M } from '../../codecs/pfcp/index.ts';
import { DecodeError, type DecodeWarning } from '../../codecs/bytes/errors.ts';
import { encodeGtpu, errorIndication } from '../../codecs/gtpu/index.ts';
import { parseIPv4 } from '../../codecs/bytes/ip.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { UpfDatapath, type SessionReport } from './datapath.ts';
import { dataNetworkReply } from './n6.ts';
import { N6Relay, type N6Route } from './n6-relay.ts';
import { establish, modify, deleteSession, sessionReportRequest, type N4Context, type SessionControl } from './n4.ts';
import { trace, traceChannel } from '../common/trace.ts';

export interface UpfConfig {
  address: string;
  pfcpPort?: number;
  gtpuPort?: number;
  /** Sessions the tables hold. */
  capacity?: number;
  tap?: WireTap;
  clock?: Clock;
  /** Capture user-plane G-PDUs too (signalling always is). */
  captureUserPlane?: boolean;
  /** Applications a PDR may name by Application ID (TS 29.244 8.2.6), as flow descriptions (TS 29.212 5.4.2). */
  applications?: Record<string, string[]>;
  /** N6 destinations served by real endpoints (n6-relay.ts), e.g. an onboarding SNPN's PVS. */
  n6Routes?: N6Route[];
  log?: (line: string) => void;
  /** TS 29.244 8.2.65 Recovery Time Stamp (NTP seconds) of this start; default the wall clock's second (a test restarting within one second gives its own). */
  recoveryTimeStamp?: number;
}

/**
 * UP Function Features (TS 29.244 8.2.25) this UPF implements: BUCP (buffering in the UP
 * function), DDND (Downlink Data Notification Delay), FTUP (F-TEID allocation in the UP function),
 * BUNDL (PFCP messages bundling, octet 7: the IE is sent with 3 octets).
 */
export const UP_FUNCTION_FEATURES = P.UpFunctionFeature.BUCP | P.UpFunctionFeature.DDND | P.UpFunctionFeature.FTUP | P.UpFunctionFeature.BUNDL;

export class Upf {
  readonly ledger = new ResourceLedger('UPF');
  readonly datapath: UpfDatapath;
  /** N6 towards routed servers (set once start() has the datapath). */
  n6Relay!: N6Relay;
  /** PFCP messages accepted with a warning (a node message with the S flag set, TS 29.244 7.2.2.1). */
  readonly stats = { pfcpTolerated: 0 };
  private readonly pfcp: PfcpEndpoint;
  private readonly gtpu: GtpuEndpoint;
  private readonly cfg: UpfConfig;
  private readonly clock: Clock;
  private readonly sessions = new Map<bigint, SessionControl>();
  private readonly n4: N4Context;
  private readonly associations = new Map<string, P.NodeId>();
  private readonly recoveryTimeStamp: number;
  private tick: TimerHandle | undefined;
  private eiSeq = 1;
  readonly nodeId: P.NodeId;

  private constructor(cfg: UpfConfig, pfcp: PfcpEndpoint, gtpu: GtpuEndpoint, datapath: UpfDatapath, recoveryTimeStamp: number) {
    this.cfg = cfg;
    this.pfcp = pfcp;
    this.gtpu = gtpu;
    this.datapath = datapath;
    this.clock = cfg.clock ?? realClock;
    this.recoveryTimeStamp = recoveryTimeStamp;
    this.nodeId = { type: 'ipv4', value: cfg.address };
    this.n4 = {
      datapath,
      nodeId: this.nodeId,
      n3Address: gtpu.local.address,
      applications: new Map(Object.entries(cfg.applications ?? {})),
      sessions: this.sessions,
      ntp: (t) => P.ntpSeconds(Date.now() / 1000 - (this.clock.now() / 1000 - t)),
      ...(cfg.log ? { log: cfg.log } : {}),
    };
    pfcp.onRequest((req) => this.onPfcp(req));
    this.ledger
      .gauge('PFCP associations', () => this.associations.size)
      .gauge('sessions (SEIDs)', () => this.sessions.size)
      .gauge('TEIDs', () => this.datapath.teidsInUse)
      .gauge('buffered packets', () => this.datapath.bufferedPackets)
      .gauge('N6 relay flows', () => this.n6Relay?.openFlows ?? 0);
    const loop = () => {
      this.datapath.tick();
      this.tick = this.clock.setTimeout(loop, 100);
    };
    this.tick = this.clock.setTimeout(loop, 100);
  }

  static async start(cfg: UpfConfig): Promise<Upf> {
    const clock = cfg.clock ?? realClock;
    const recovery = cfg.recoveryTimeStamp ?? P.ntpSeconds(Date.now() / 1000);
    const pfcp = await PfcpEndpoint.open({ address: cfg.address, port: cfg.pfcpPort ?? 8805, recoveryTimeStamp: recovery, clock, ...(cfg.tap ? { tap: cfg.tap } : {}), ...(cfg.log ? { log: cfg.log } : {}) });
    // The sinks below run only after start() returns; they reach the node through this holder.
    const self: { upf?: Upf } = {};
    const gtpu = await GtpuEndpoint.open({
      address: cfg.address,
      port: cfg.gtpuPort ?? 2152,
      ...(cfg.tap ? { tap: cfg.tap } : {}),
      captureUserPlane: cfg.captureUserPlane ?? true,
      onPacket: (data, peer) => self.upf?.datapath.uplink(data, 0, data.length, peer),
      ...(cfg.log ? { log: cfg.log } : {}),
    });
    const datapath = new UpfDatapath(
      { capacity: cfg.capacity ?? 65536, now: () => clock.now() / 1000 },
      {
        // N6: the built-in data network answers ICMP and UDP echo; its replies come back down.
        toN6: (b, start, end) => {
          if (self.upf?.n6Relay.uplink(b.subarray(start, end))) return;
          const reply = dataNetworkReply(b.subarray(start, end));
          if (reply) {
            // per packet: no event object unless somebody listens
            if (traceChannel.hasSubscribers) trace({ from: 'DN', to: 'UE', interface: 'N6', protocol: 'IP', message: reply.kind === 'icmp-echo-reply' ? 'ICMP echo reply' : 'UDP echo', step: 'TS 23.501 5.8 (user plane)' });
            self.upf?.datapath.downlink(reply.buffer, reply.offset, reply.length);
          }
        },
        toN3: (datagram, peer) => gtpu.send(peer, datagram, undefined, 'G-PDU, N3 downlink [TS 29.281 5.1]'),
        report: (seid, report) => self.upf?.sendReport(BigInt(seid), report),
        errorIndication: (teid, peer) => {
          // TS 29.281 7.3.1: Error Indication to the sender of a G-PDU for an unknown TEID.
          const ei = encodeGtpu(errorIndication(self.upf ? self.upf.eiSeq++ & 0xffff : 0, teid, parseIPv4(cfg.address), peer.port));
          gtpu.send(peer, ei, undefined, 'Error Indication, no context for the TEID [TS 29.281 7.3.1]');
        },
      },
    );
    self.upf = new Upf(cfg, pfcp, gtpu, datapath, recovery);
    self.upf.n6Relay = new N6Relay({ address: cfg.address, routes: cfg.n6Routes ?? [], clock, ...(cfg.tap ? { tap: cfg.tap } : {}), ...(cfg.log ? { log: cfg.log } : {}) }, (b, o, l) => void datapath.downlink(b, o, l));
    return self.upf;
  }

  get pfcpEndpoint(): Endpoint {
    return this.pfcp.local;
  }

  get n3Endpoint(): Endpoint {
    return this.gtpu.local;
  }

  private respond(type: number, seq: number, cpSeid: bigint | undefined, ies: P.PfcpIe[]): Uint8Array {
    return P.encodePfcp({ type, sequenceNumber: seq, ...(cpSeid !== undefined ? { seid: cpSeid } : {}), ies });
  }

  private async onPfcp(req: PfcpRequestEvent): Promise<{ response: Uint8Array; comment?: string } | undefined> {
    const { header, peer } = req;
    const responseType = header.type + 1;
    let msg: P.PfcpMessage;
    const warnings: DecodeWarning[] = [];
    try {
      msg = P.decodePfcp(req.bytes, { warnings });
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      // TS 29.244 7.6: reject with the cause and the Offending IE; nothing changes.
      const { cause, offendingIe } = P.causeFor(e);
      this.cfg.log?.(`[upf] rejecting ${P.PFCP_MESSAGE_NAMES[header.type] ?? header.type}: ${e.message}`);
      const cpSeid = header.seid !== undefined ? (this.sessions.get(header.seid)?.cpSeid ?? 0n) : undefined;
      const ies = [P.ie(T.Cause, cause), ...(offendingIe !== undefined ? [P.ie(T.OffendingIE, offendingIe)] : [])];
      if (header.type < 50) ies.unshift(P.ie(T.NodeID, this.nodeId));
      return { response: this.respond(responseType, header.sequenceNumber, cpSeid, ies), comment: `PFCP rejection, cause ${cause} [TS 29.244 7.6]` };
    }
    for (const w of warnings) {
      this.stats.pfcpTolerated++;
      this.cfg.log?.(`[upf] ${P.PFCP_MESSAGE_NAMES[msg.type]} from ${peer.address} accepted with ${w.code}: ${w.reason}`);
    }
    switch (msg.type) {
      case M.AssociationSetupRequest:
        this.associations.set(`${peer.address}`, P.get(msg.ies, T.NodeID)!);
        // bundling towards this CP function only if it announced BUNDL too (CP Function Features 8.2.58)
        this.pfcp.setBundling(peer, ((P.get(msg.ies, T.CPFunctionFeatures)?.value ?? 0) & P.CpFunctionFeature.BUNDL) !== 0);
        return { response: P.encodePfcp(P.associationSetupResponse(msg.sequenceNumber, this.nodeId, P.PfcpCause.RequestAccepted, this.recoveryTimeStamp, { value: UP_FUNCTION_FEATURES, octets: 3 })), comment: 'PFCP Association Setup Response [TS 29.244 7.4.4.2]' };
      case M.AssociationReleaseRequest:
        this.associations.delete(`${peer.address}`);
        this.pfcp.setBundling(peer, false);
        return { response: P.encodePfcp(P.associationReleaseResponse(msg.sequenceNumber, this.nodeId, P.PfcpCause.RequestAccepted)) };
      case M.AssociationUpdateRequest:
        return { response: P.encodePfcp(P.associationUpdateResponse(msg.sequenceNumber, this.nodeId, P.PfcpCause.RequestAccepted)) };
      case M.SessionEstablishmentRequest:
        return establish(this.n4, msg, peer, this.associations.has(peer.address));
      case M.SessionModificationRequest:
        return modify(this.n4, msg);
      case M.SessionDeletionRequest:
        return deleteSession(this.n4, msg);
      case M.SessionReportResponse:
        return undefined;
      default:
        return { response: this.respond(responseType, msg.sequenceNumber, msg.seid !== undefined ? 0n : undefined, [...(msg.type < 50 ? [P.ie(T.NodeID, this.nodeId)] : []), P.ie(T.Cause, P.PfcpCause.ServiceNotSupported)]) };
    }
  }

  /** TS 29.244 7.5.8: a Session Report Request to the session's SMF (answered by a Session Report Response). */
  sendReport(seid: bigint, report: SessionReport): void {
    const s = this.sessions.get(seid);
    if (!s) return;
    const what = 'usage' in report ? 'usage report' : 'downlink data report';
    this.pfcp
      .request(s.smf, (seq) => P.encodePfcp(sessionReportRequest(this.n4, seq, s.cpSeid, report)), `N4 Session Report Request, ${what} [TS 29.244 7.5.8]`)
      .then((bytes) => {
        const cause = P.get(P.decodePfcp(bytes).ies, T.Cause);
        if (cause !== P.PfcpCause.RequestAccepted) this.cfg.log?.(`[upf] Session Report Request (${what}) answered with cause ${cause}`);
      })
      .catch((e: unknown) => this.cfg.log?.(`[upf] Session Report Request (${what}) failed: ${(e as Error).message}`));
  }

  async stop(): Promise<void> {
    this.clock.clearTimeout(this.tick);
    await this.n6Relay.close();
    await Promise.all([this.pfcp.close(), this.gtpu.close()]);
  }
}
