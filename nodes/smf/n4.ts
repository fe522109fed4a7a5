// The SMF's N4 port over PFCP (TS 29.244): PFCP Association Setup at start (TS 23.502 4.3.2.2.1
// needs an association before any session), then Session Establishment, Modification and
// Deletion with the usage report the UPF returns.

import type { PfcpEndpoint } from '../../transport/udp/pfcp-endpoint.ts';
import type { Endpoint } from '../../transport/tap.ts';
import * as P from '../../codecs/pfcp/index.ts';
import { PfcpIeType as T } from '../../codecs/pfcp/index.ts';
import { trace, traceChannel } from '../common/trace.ts';
import type { N4, N4SessionEstablished, N4SessionEstablishment, UrrUsageReport } from './ports.ts';
import type { DecodeWarning } from '../../codecs/bytes/errors.ts';

export class PfcpCauseError extends Error {
  readonly pfcpCause: number;
  constructor(message: string, cause: number) {
    super(`${message}: PFCP cause ${cause}`);
    this.name = 'PfcpCauseError';
    this.pfcpCause = cause;
  }
}

export interface SmfN4Options {
  endpoint: PfcpEndpoint;
  upf: Endpoint;
  smfAddress: string;
  recoveryTimeStamp: number;
  accessInstance?: string;
  /** The ladder's names of the SMF and its UPF (the home PLMN's 'H-SMF' and 'H-UPF'). */
  names?: { smf: string; upf: string };
}

export class SmfN4 implements N4 {
  protected readonly o: SmfN4Options;
  protected readonly nodeId: P.NodeId;

  /** PFCP messages from the UPF accepted with a warning (a node message with the S flag set, TS 29.244 7.2.2.1). */
  readonly stats = { pfcpTolerated: 0 };

  /** Decodes what the UPF sent, counting what was accepted with a warning. */
  protected decode(bytes: Uint8Array): P.PfcpMessage {
    const warnings: DecodeWarning[] = [];
    const m = P.decodePfcp(bytes, { warnings });
    this.stats.pfcpTolerated += warnings.length;
    return m;
  }

  /** UP SEID by CP SEID, to answer the UPF's Session Report Requests. */
  protected readonly upSeids = new Map<bigint, bigint>();
  protected readonly cpSeids = new Map<bigint, bigint>();

  protected get names(): { smf: string; upf: string } {
    return this.o.names ?? { smf: 'SMF', upf: 'UPF' };
  }

  constructor(o: SmfN4Options) {
    this.o = o;
    this.nodeId = { type: 'ipv4', value: o.smfAddress };
    o.endpoint.onRequest(async (req) => {
      if (req.header.type !== P.PfcpMessageType.SessionReportRequest) return undefined;
      // TS 29.244 7.5.9 Session Report Response. A Downlink Data Report (TS 23.502 4.2.3.3
      // step 2a) arrives only while the session's N3 tunnel is being set up, which this SMF
      // is already doing; a usage report is acknowledged, then handed to the SMF.
      const m = this.decode(req.bytes);
      const upSeid = this.upSeids.get(m.seid ?? 0n);
      const cause = upSeid === undefined ? P.PfcpCause.SessionContextNotFound : P.PfcpCause.RequestAccepted;
      // the usage reports (usage monitoring, TS 23.503 6.2.2.3; one per URR that reported, 7.5.8.3)
      // go to the SMF's procedure once answered
      const reports = P.groups(m.ies, T.UsageReportSRR).map(usageReportOf);
      const handler = this.usageHandler;
      if (reports.length && upSeid !== undefined && handler) setImmediate(() => handler(m.seid!, reports));
      return { response: P.encodePfcp(P.sessionReportResponse(m.sequenceNumber, upSeid ?? 0n, cause)), comment: `N4 Session Report Response, cause ${cause} [TS 29.244 7.5.9]` };
    });
  }

  /** TS 29.244 6.2.6 PFCP Association Setup (SMF-initiated). */
  async associate(): Promise<P.NodeId> {
    // CP Function Features (8.2.58): BUNDL, PFCP messages bundling
    const rsp = this.decode(await this.o.endpoint.request(this.o.upf, (seq) => P.encodePfcp(P.associationSetupRequest(seq, this.nodeId, this.o.recoveryTimeStamp, P.CpFunctionFeature.BUNDL)), 'PFCP Association Setup Request [TS 29.244 6.2.6]'));
    const cause = P.get(rsp.ies, T.Cause);
    if (cause !== P.PfcpCause.RequestAccepted) throw new PfcpCauseError('PFCP Association Setup rejected', cause ?? 0);
    // bundled towards the UPF only if it announced BUNDL too (UP Function Features 8.2.25)
    this.o.endpoint.setBundling(this.o.upf, ((P.get(rsp.ies, T.UPFunctionFeatures)?.value ?? 0) & P.UpFunctionFeature.BUNDL) !== 0);
    return P.get(rsp.ies, T.NodeID)!;
  }

  async establish(req: N4SessionEstablishment): Promise<N4SessionEstablished> {
    const spec: P.SessionRulesSpec = { nodeId: this.nodeId, cpSeid: req.cpSeid, cpAddress: this.o.smfAddress, ueAddress: req.ueAddress, qfi: req.qfi, accessInstance: this.o.accessInstance ?? 'access', coreInstance: req.dnn, ambrUlKbps: req.ambrUplinkKbps, ambrDlKbps: req.ambrDownlinkKbps, ...(req.volumeThresholdOctets !== undefined ? { volumeThresholdOctets: req.volumeThresholdOctets } : {}), ...(req.monitoredFlows?.length ? { monitoredFlows: req.monitoredFlows } : {}) };
    if (traceChannel.hasSubscribers) trace({ from: this.names.smf, to: this.names.upf, interface: 'N4', protocol: 'PFCP', message: 'Session Establishment Request', step: req.step });
    const rsp = this.decode(await this.o.endpoint.request(this.o.upf, (seq) => P.encodePfcp(P.sessionEstablishmentRequest(seq, spec)), `N4 Session Establishment Request [TS 23.502 ${req.step}]`));
    if (traceChannel.hasSubscribers) trace({ from: this.names.upf, to: this.names.smf, interface: 'N4', protocol: 'PFCP', message: `Session Establishment Response (cause ${P.get(rsp.ies, T.Cause) ?? '-'})`, response: true });
    const cause = P.get(rsp.ies, T.Cause);
    if (cause !== P.PfcpCause.RequestAccepted) throw new PfcpCauseError('N4 Session Establishment rejected', cause ?? 0);
    const up = P.get(rsp.ies, T.FSEID);
    const created = P.groups(rsp.ies, T.CreatedPDR).map((c) => P.get(c, T.FTEID)).find((f) => f?.teid !== undefined);
    if (!up || !created?.teid || !created.ipv4) throw new PfcpCauseError('N4 Session Establishment Response without UP F-SEID or Created PDR F-TEID', P.PfcpCause.ConditionalIeMissing);
    this.upSeids.set(req.cpSeid, up.seid);
    this.cpSeids.set(up.seid, req.cpSeid);
    return { upSeid: up.seid, upfN3Teid: created.teid, upfN3Address: created.ipv4 };
  }

  async modify(upSeid: bigint, change: { gnbTeid?: number; gnbAddress?: string; downlink: 'forward' | 'buffer' | 'drop' }, step: string): Promise<void> {
    const dl = change.downlink === 'forward' ? { action: 'forward' as const, gnbTeid: change.gnbTeid ?? 0, gnbAddress: change.gnbAddress ?? '0.0.0.0' } : { action: change.downlink };
    if (traceChannel.hasSubscribers) trace({ from: this.names.smf, to: this.names.upf, interface: 'N4', protocol: 'PFCP', message: 'Session Modification Request', step });
    const rsp = this.decode(await this.o.endpoint.request(this.o.upf, (seq) => P.encodePfcp(P.sessionModificationRequest(seq, upSeid, dl)), `N4 Session Modification Request [TS 23.502 ${step}]`));
    if (traceChannel.hasSubscribers) trace({ from: this.names.upf, to: this.names.smf, interface: 'N4', protocol: 'PFCP', message: `Session Modification Response (cause ${P.get(rsp.ies, T.Cause) ?? '-'})`, response: true });
    const cause = P.get(rsp.ies, T.Cause);
    if (cause !== P.PfcpCause.RequestAccepted) throw new PfcpCauseError('N4 Session Modification rejected', cause ?? 0);
  }

  async updateUrrs(upSeid: bigint, urrs: readonly P.UrrThresholdUpdate[], step: string): Promise<void> {
    if (traceChannel.hasSubscribers) trace({ from: this.names.smf, to: this.names.upf, interface: 'N4', protocol: 'PFCP', message: 'Session Modification Request (Update URR)', step });
    const rsp = this.decode(await this.o.endpoint.request(this.o.upf, (seq) => P.encodePfcp(P.sessionModificationRequestUpdateUrr(seq, upSeid, urrs)), `N4 Session Modification Request, Update URR [TS 23.502 ${step}]`));
    if (traceChannel.hasSubscribers) trace({ from: this.names.upf, to: this.names.smf, interface: 'N4', protocol: 'PFCP', message: `Session Modification Response (cause ${P.get(rsp.ies, T.Cause) ?? '-'})`, response: true });
    const cause = P.get(rsp.ies, T.Cause);
    if (cause !== P.PfcpCause.RequestAccepted) throw new PfcpCauseError('N4 Session Modification (Update URR) rejected', cause ?? 0);
  }

  async updateSessionAmbr(upSeid: bigint, ambr: { uplinkKbps: number; downlinkKbps: number }, step: string): Promise<void> {
    if (traceChannel.hasSubscribers) trace({ from: this.names.smf, to: this.names.upf, interface: 'N4', protocol: 'PFCP', message: 'Session Modification Request (Update QER)', step });
    const rsp = this.decode(await this.o.endpoint.request(this.o.upf, (seq) => P.encodePfcp(P.sessionModificationRequestUpdateQer(seq, upSeid, { ulKbps: ambr.uplinkKbps, dlKbps: ambr.downlinkKbps })), `N4 Session Modification Request, Update QER [TS 23.502 ${step}]`));
    if (traceChannel.hasSubscribers) trace({ from: this.names.upf, to: this.names.smf, interface: 'N4', protocol: 'PFCP', message: `Session Modification Response (cause ${P.get(rsp.ies, T.Cause) ?? '-'})`, response: true });
    const cause = P.get(rsp.ies, T.Cause);
    if (cause !== P.PfcpCause.RequestAccepted) throw new PfcpCauseError('N4 Session Modification (Update QER) rejected', cause ?? 0);
  }

  async delete(upSeid: bigint, step: string): Promise<UrrUsageReport[] | undefined> {
    if (traceChannel.hasSubscribers) trace({ from: this.names.smf, to: this.names.upf, interface: 'N4', protocol: 'PFCP', message: 'Session Deletion Request', step });
    const rsp = this.decode(await this.o.endpoint.request(this.o.upf, (seq) => P.encodePfcp(P.sessionDeletionRequest(seq, upSeid)), `N4 Session Release [TS 23.502 ${step}]`));
    if (traceChannel.hasSubscribers) trace({ from: this.names.upf, to: this.names.smf, interface: 'N4', protocol: 'PFCP', message: `Session Deletion Response (cause ${P.get(rsp.ies, T.Cause) ?? '-'})`, response: true });
    const cause = P.get(rsp.ies, T.Cause);
    const cpSeid = this.cpSeids.get(upSeid);
    if (cpSeid !== undefined) {
      this.upSeids.delete(cpSeid);
      this.cpSeids.delete(upSeid);
    }
    if (cause === P.PfcpCause.SessionContextNotFound) return undefined;
    if (cause !== P.PfcpCause.RequestAccepted) throw new PfcpCauseError('N4 Session Deletion rejected', cause ?? 0);
    // the final report of every URR (7.5.7.2)
    return P.groups(rsp.ies, T.UsageReportSDR).map(usageReportOf);
  }

  private usageHandler: ((cpSeid: bigint, reports: UrrUsageReport[]) => void) | undefined;

  /**
   * TS 29.244 6.2.2: a Heartbeat (or Association Setup) from the UPF with a Recovery Time Stamp
   * other than the one it had means it restarted and lost its PFCP sessions and the association
   * (the endpoint's 'peer-restart'). The session references are forgotten here, the association
   * is set up again (TS 29.244 6.2.6), then the SMF's handler acts on its SM contexts.
   */
  onPeerRestart(handler: (r: { reassociated: boolean; error?: string }) => void): void {
    this.o.endpoint.on('peer-restart', (peer) => {
      if (peer.address !== this.o.upf.address || peer.port !== this.o.upf.port) return;
      this.upSeids.clear();
      this.cpSeids.clear();
      this.associate().then(
        () => handler({ reassociated: true }),
        (e: unknown) => handler({ reassociated: false, error: e instanceof Error ? e.message : String(e) }),
      );
    });
  }

  onUsageReport(handler: (cpSeid: bigint, reports: UrrUsageReport[]) => void): void {
    this.usageHandler = handler;
  }
}

/** The children of a Usage Report IE (TS 29.244 7.5.7.2, 7.5.8.3) as the SMF reads them. */
function usageReportOf(ur: P.PfcpIe[]): UrrUsageReport {
  const vol = P.get(ur, T.VolumeMeasurement) ?? {};
  const start = P.get(ur, T.StartTime) ?? 0;
  const end = P.get(ur, T.EndTime) ?? start;
  return {
    urrId: P.get(ur, T.URRID) ?? 0,
    urSeqn: P.get(ur, T.URSEQN) ?? 0,
    startTime: start - P.NTP_UNIX_OFFSET,
    endTime: end - P.NTP_UNIX_OFFSET,
    uplinkOctets: Number(vol.uplink ?? 0n),
    downlinkOctets: Number(vol.downlink ?? 0n),
    uplinkPackets: Number(vol.uplinkPackets ?? 0n),
    downlinkPackets: Number(vol.downlinkPackets ?? 0n),
    durationSeconds: P.get(ur, T.DurationMeasurement) ?? 0,
    droppedPackets: 0,
  };
}
