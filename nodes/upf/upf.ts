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
import { DecodeError } from '../../codecs/bytes/errors.ts';
import { encodeGtpu, errorIndication } from '../../codecs/gtpu/index.ts';
import { parseIPv4 } from '../../codecs/bytes/ip.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { DenseIdPool, Ipv4Pool } from '../common/pools.ts';
import { UpfDatapath, FarAction, type UsageReport } from './datapath.ts';
import { dataNetworkReply } from './n6.ts';
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
  log?: (line: string) => void;
}

interface SessionControl {
  cpSeid: bigint;
  smf: Endpoint;
  uplinkFarId?: number;
  downlinkFarId?: number;
}

function applyActionOf(ies: P.PfcpIe[] | undefined): number {
  const a = ies ? P.get(ies, T.ApplyAction) : undefined;
  return a ? a.value & 0x1f : FarAction.DROP;
}

export class Upf {
  readonly ledger = new ResourceLedger('UPF');
  readonly datapath: UpfDatapath;
  private readonly pfcp: PfcpEndpoint;
  private readonly gtpu: GtpuEndpoint;
  private readonly cfg: UpfConfig;
  private readonly clock: Clock;
  private readonly seids = new DenseIdPool('UPF UP SEID', 1 << 24);
  private readonly sessions = new Map<bigint, SessionControl>();
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
    pfcp.onRequest((req) => this.onPfcp(req));
    this.ledger
      .gauge('PFCP associations', () => this.associations.size)
      .gauge('sessions (SEIDs)', () => this.sessions.size)
      .gauge('TEIDs', () => this.datapath.teids.inUse)
      .gauge('buffered packets', () => this.datapath.bufferedPackets);
    const loop = () => {
      this.datapath.tick();
      this.tick = this.clock.setTimeout(loop, 100);
    };
    this.tick = this.clock.setTimeout(loop, 100);
  }

  static async start(cfg: UpfConfig): Promise<Upf> {
    const clock = cfg.clock ?? realClock;
    const recovery = P.ntpSeconds(Date.now() / 1000);
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
          const reply = dataNetworkReply(b.subarray(start, end));
          if (reply) {
            // per packet: no event object unless somebody listens
            if (traceChannel.hasSubscribers) trace({ from: 'DN', to: 'UE', interface: 'N6', protocol: 'IP', message: reply.kind === 'icmp-echo-reply' ? 'ICMP echo reply' : 'UDP echo', step: 'TS 23.501 5.8 (user plane)' });
            self.upf?.datapath.downlink(reply.buffer, reply.offset, reply.length);
          }
        },
        toN3: (datagram, peer) => gtpu.send(peer, datagram, undefined, 'G-PDU, N3 downlink [TS 29.281 5.1]'),
        errorIndication: (teid, peer) => {
          // TS 29.281 7.3.1: Error Indication to the sender of a G-PDU for an unknown TEID.
          const ei = encodeGtpu(errorIndication(self.upf ? self.upf.eiSeq++ & 0xffff : 0, teid, parseIPv4(cfg.address), peer.port));
          gtpu.send(peer, ei, undefined, 'TS 29.281 7.3.1 Error Indication (no context for TEID)');
        },
      },
    );
    self.upf = new Upf(cfg, pfcp, gtpu, datapath, recovery);
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
    try {
      msg = P.decodePfcp(req.bytes);
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
    switch (msg.type) {
      case M.AssociationSetupRequest:
        this.associations.set(`${peer.address}`, P.get(msg.ies, T.NodeID)!);
        return { response: P.encodePfcp(P.associationSetupResponse(msg.sequenceNumber, this.nodeId, P.PfcpCause.RequestAccepted, this.recoveryTimeStamp, { value: 0x0000, octets: 2 })), comment: 'PFCP Association Setup Response [TS 29.244 7.4.4.2]' };
      case M.AssociationReleaseRequest:
        this.associations.delete(`${peer.address}`);
        return { response: P.encodePfcp(P.associationReleaseResponse(msg.sequenceNumber, this.nodeId, P.PfcpCause.RequestAccepted)) };
      case M.AssociationUpdateRequest:
        return { response: P.encodePfcp(P.associationUpdateResponse(msg.sequenceNumber, this.nodeId, P.PfcpCause.RequestAccepted)) };
      case M.SessionEstablishmentRequest:
        return this.establish(msg, peer);
      case M.SessionModificationRequest:
        return this.modify(msg);
      case M.SessionDeletionRequest:
        return this.delete(msg);
      case M.SessionReportResponse:
        return undefined;
      default:
        return { response: this.respond(responseType, msg.sequenceNumber, msg.seid !== undefined ? 0n : undefined, [...(msg.type < 50 ? [P.ie(T.NodeID, this.nodeId)] : []), P.ie(T.Cause, P.PfcpCause.ServiceNotSupported)]) };
    }
  }

  /** TS 29.244 7.5.2/7.5.3; TS 23.502 4.3.2.2.1 step 10a-10b. */
  private establish(msg: P.PfcpMessage, peer: Endpoint): { response: Uint8Array; comment: string } {
    const cp = P.get(msg.ies, T.FSEID)!;
    const reject = (cause: number, offendingIe?: number) => ({
      response: P.encodePfcp(P.sessionEstablishmentResponse(msg.sequenceNumber, cp.seid, this.nodeId, cause)),
      comment: `N4 Session Establishment Response, cause ${cause}${offendingIe ? ` (IE ${offendingIe})` : ''} [TS 29.244 7.5.3]`,
    });
    if (!this.associations.has(peer.address)) return reject(P.PfcpCause.NoEstablishedPfcpAssociation);
    const pdrs = P.groups(msg.ies, T.CreatePDR);
    const fars = P.groups(msg.ies, T.CreateFAR);
    const farById = new Map(fars.map((f) => [P.get(f, T.FARID)!, f]));
    const uplink = pdrs.find((p) => P.get(P.group(p, T.PDI)!, T.SourceInterface) === P.Interface.Access);
    const downlink = pdrs.find((p) => P.get(P.group(p, T.PDI)!, T.SourceInterface) === P.Interface.Core);
    const ue = downlink ? P.get(P.group(downlink, T.PDI)!, T.UEIPAddress) : undefined;
    if (!uplink || !downlink || !ue?.ipv4) return reject(P.PfcpCause.RuleCreationModificationFailure);
    const qfi = P.get(P.group(uplink, T.PDI)!, T.QFI) ?? P.get(P.groups(msg.ies, T.CreateQER)[0] ?? [], T.QFI) ?? 9;
    const ulFar = P.get(uplink, T.FARID), dlFar = P.get(downlink, T.FARID);
    const upSeidNum = this.seids.allocate();
    const upSeid = BigInt(upSeidNum);
    let teid: number;
    try {
      teid = this.datapath.establish({ seid: upSeid, ueAddress: Ipv4Pool.parse(ue.ipv4), qfi, uplinkAction: applyActionOf(farById.get(ulFar ?? -1)), downlinkAction: applyActionOf(farById.get(dlFar ?? -1)) });
    } catch (e) {
      this.seids.release(upSeidNum);
      this.cfg.log?.(`[upf] establishment failed: ${(e as Error).message}`);
      return reject(P.PfcpCause.NoResourcesAvailable);
    }
    this.sessions.set(upSeid, { cpSeid: cp.seid, smf: peer, ...(ulFar !== undefined ? { uplinkFarId: ulFar } : {}), ...(dlFar !== undefined ? { downlinkFarId: dlFar } : {}) });
    return {
      response: P.encodePfcp(P.sessionEstablishmentResponse(msg.sequenceNumber, cp.seid, this.nodeId, P.PfcpCause.RequestAccepted, { seid: upSeid, address: this.cfg.address, n3Teid: teid, n3Address: this.gtpu.local.address })),
      comment: 'N4 Session Establishment Response [TS 23.502 4.3.2.2.1 step 10b]',
    };
  }

  /** TS 29.244 7.5.4/7.5.5; TS 23.502 4.3.2.2.1 step 16a-16b. */
  private modify(msg: P.PfcpMessage): { response: Uint8Array; comment: string } {
    const s = msg.seid !== undefined ? this.sessions.get(msg.seid) : undefined;
    if (!s) return { response: P.encodePfcp(P.sessionModificationResponse(msg.sequenceNumber, 0n, P.PfcpCause.SessionContextNotFound)), comment: 'N4 Session Modification Response, cause 65 [TS 29.244 7.5.5]' };
    for (const upd of P.groups(msg.ies, T.UpdateFAR)) {
      const farId = P.get(upd, T.FARID);
      const action = P.get(upd, T.ApplyAction);
      const params = P.group(upd, T.UpdateForwardingParameters);
      const ohc = params ? P.get(params, T.OuterHeaderCreation) : undefined;
      const tunnel = ohc?.teid !== undefined && ohc.ipv4 ? { teid: ohc.teid, peer: { address: ohc.ipv4, port: 2152 } } : undefined;
      if (farId === s.downlinkFarId) this.datapath.modify(msg.seid!, { ...(action ? { downlinkAction: action.value & 0x1f } : {}), ...(tunnel ? { downlinkTunnel: tunnel } : {}) });
      else if (farId === s.uplinkFarId && action) this.datapath.modify(msg.seid!, { uplinkAction: action.value & 0x1f });
    }
    const wantsUsage = P.groups(msg.ies, T.QueryURR).length > 0;
    const usage = wantsUsage ? this.datapath.usage(msg.seid!) : undefined;
    return { response: P.encodePfcp(P.sessionModificationResponse(msg.sequenceNumber, s.cpSeid, P.PfcpCause.RequestAccepted, usage ? this.usageSpec(usage, P.UsageReportTrigger.IMMER) : undefined)), comment: 'N4 Session Modification Response [TS 23.502 4.3.2.2.1 step 16b]' };
  }

  /** TS 29.244 7.5.6/7.5.7; TS 23.502 4.2.2.3.2 steps 3a-3b. */
  private delete(msg: P.PfcpMessage): { response: Uint8Array; comment: string } {
    const seid = msg.seid ?? 0n;
    const s = this.sessions.get(seid);
    const usage = s ? this.datapath.delete(seid) : undefined;
    if (!s || !usage) return { response: P.encodePfcp(P.sessionDeletionResponse(msg.sequenceNumber, 0n, P.PfcpCause.SessionContextNotFound)), comment: 'N4 Session Release Response, cause 65 (Session context not found) [TS 29.244 7.5.7]' };
    this.sessions.delete(seid);
    this.seids.release(Number(seid));
    return { response: P.encodePfcp(P.sessionDeletionResponse(msg.sequenceNumber, s.cpSeid, P.PfcpCause.RequestAccepted, this.usageSpec(usage, P.UsageReportTrigger.TERMR))), comment: 'N4 Session Release Response [TS 23.502 4.2.2.3.2 step 3b]' };
  }

  private usageSpec(u: UsageReport, trigger: number): P.UsageReportSpec {
    const ntp = (s: number) => P.ntpSeconds(Date.now() / 1000 - (this.clock.now() / 1000 - s));
    return {
      urSeqn: u.urSeqn,
      trigger,
      startTime: ntp(u.startTime),
      endTime: ntp(u.endTime),
      volume: {
        total: BigInt(u.uplinkOctets + u.downlinkOctets),
        uplink: BigInt(u.uplinkOctets),
        downlink: BigInt(u.downlinkOctets),
        totalPackets: BigInt(u.uplinkPackets + u.downlinkPackets),
        uplinkPackets: BigInt(u.uplinkPackets),
        downlinkPackets: BigInt(u.downlinkPackets),
      },
      durationSeconds: u.durationSeconds,
    };
  }

  async stop(): Promise<void> {
    this.clock.clearTimeout(this.tick);
    await Promise.all([this.pfcp.close(), this.gtpu.close()]);
  }
}
