// N4 of a home-routed PDU session's V-SMF towards its V-UPF (TS 23.502 4.3.2.2.2 steps 5a-5b,
// TS 29.244): the intermediate session (N3 in, N9 out; N9 in, N3 out, codecs/pfcp/build-n9.ts)
// and the uplink FAR's changes: forwarding to the H-UPF's N9 tunnel, or "stop forwarding uplink
// traffic" at a release (TS 23.502 4.3.4.3 steps 1a, 1c, 1f). The H-SMF uses the anchor session of
// SmfN4 unchanged, its downlink FAR pointing at the V-UPF's N9 tunnel instead of a gNB.

import * as P from '../../codecs/pfcp/index.ts';
import { PfcpIeType as T } from '../../codecs/pfcp/index.ts';
import { trace, traceChannel } from '../common/trace.ts';
import { SmfN4, PfcpCauseError } from './n4.ts';
import type { N4 } from './ports.ts';

export interface VupfSession {
  upSeid: bigint;
  /** The V-UPF's N3 F-TEID (for the gNB) and N9 F-TEID (for the H-UPF's downlink). */
  n3: { teid: number; address: string };
  n9: { teid: number; address: string };
}

/** What the V-SMF needs of N4 beyond the non-roaming port. */
export interface VsmfN4 extends N4 {
  establishIntermediate(req: { cpSeid: bigint; qfi: number; step: string }): Promise<VupfSession>;
  modifyUplink(upSeid: bigint, uplink: { action: 'forward'; teid: number; address: string } | { action: 'drop' }, step: string): Promise<void>;
}

export class HomeRoutedN4 extends SmfN4 implements VsmfN4 {
  async establishIntermediate(req: { cpSeid: bigint; qfi: number; step: string }): Promise<VupfSession> {
    const spec: P.IntermediateSessionSpec = { nodeId: this.nodeId, cpSeid: req.cpSeid, cpAddress: this.o.smfAddress, qfi: req.qfi, accessInstance: this.o.accessInstance ?? 'access', n9Instance: 'n9' };
    if (traceChannel.hasSubscribers) trace({ from: this.names.smf, to: this.names.upf, interface: 'N4', protocol: 'PFCP', message: 'Session Establishment Request', step: req.step });
    const rsp = this.decode(await this.o.endpoint.request(this.o.upf, (seq) => P.encodePfcp(P.intermediateSessionEstablishmentRequest(seq, spec)), `N4 Session Establishment Request [TS 23.502 ${req.step}]`));
    const cause = P.get(rsp.ies, T.Cause);
    if (traceChannel.hasSubscribers) trace({ from: this.names.upf, to: this.names.smf, interface: 'N4', protocol: 'PFCP', message: `Session Establishment Response (cause ${cause ?? '-'})`, response: true });
    if (cause !== P.PfcpCause.RequestAccepted) throw new PfcpCauseError('N4 Session Establishment rejected', cause ?? 0);
    const up = P.get(rsp.ies, T.FSEID);
    const teidOf = (pdrId: number) => P.groups(rsp.ies, T.CreatedPDR).filter((c) => P.get(c, T.PDRID) === pdrId).map((c) => P.get(c, T.FTEID)).find((f) => f?.teid !== undefined);
    const n3 = teidOf(P.PDR_UPLINK), n9 = teidOf(P.PDR_DOWNLINK);
    if (!up || !n3?.teid || !n3.ipv4 || !n9?.teid || !n9.ipv4) throw new PfcpCauseError('N4 Session Establishment Response without UP F-SEID or the N3 and N9 F-TEIDs', P.PfcpCause.ConditionalIeMissing);
    this.upSeids.set(req.cpSeid, up.seid);
    this.cpSeids.set(up.seid, req.cpSeid);
    return { upSeid: up.seid, n3: { teid: n3.teid, address: n3.ipv4 }, n9: { teid: n9.teid, address: n9.ipv4 } };
  }

  async modifyUplink(upSeid: bigint, uplink: { action: 'forward'; teid: number; address: string } | { action: 'drop' }, step: string): Promise<void> {
    if (traceChannel.hasSubscribers) trace({ from: this.names.smf, to: this.names.upf, interface: 'N4', protocol: 'PFCP', message: `Session Modification Request (uplink ${uplink.action})`, step });
    const rsp = this.decode(await this.o.endpoint.request(this.o.upf, (seq) => P.encodePfcp(P.uplinkFarModificationRequest(seq, upSeid, uplink)), `N4 Session Modification Request [TS 23.502 ${step}]`));
    const cause = P.get(rsp.ies, T.Cause);
    if (traceChannel.hasSubscribers) trace({ from: this.names.upf, to: this.names.smf, interface: 'N4', protocol: 'PFCP', message: `Session Modification Response (cause ${cause ?? '-'})`, response: true });
    if (cause !== P.PfcpCause.RequestAccepted) throw new PfcpCauseError('N4 Session Modification rejected', cause ?? 0);
  }
}
