// PDU Session Resource Setup, gNB side (TS 38.413 8.2.1; TS 23.502 4.3.2.2.1 steps 12-14): the N3
// tunnel of each session from the SMF's transfer, its DL TEID from the gNB's pool, the NAS-PDU
// delivered to the UE, the answer to the AMF.

import {
  ngapPdu, encodeNgapType, decodeNgapType, ipv4TransportLayerAddress, ipv4OfTransportLayerAddress, gtpTeid, teidOfGtpTeid,
  iesByName, type ProtocolIe, type BitStringValue, type Ngap,
} from '../../codecs/ngap/index.ts';
import { GTPU_PORT } from '../../transport/udp/gtpu-endpoint.ts';
import type { Gnb } from './gnb.ts';
import { TransferFailure, type GnbUeContext, type GnbPduSession } from './context.ts';
import { storeUeAmbr, storeSessionAmbr, storeFiveQis, type QosFlowItem } from './qos.ts';

/** TS 38.413 8.2.1; TS 23.502 4.3.2.2.1 steps 12-14: N3 tunnels, the response, the NAS to the UE. */
export function onPduSessionResourceSetupRequest(gnb: Gnb, ctx: GnbUeContext, ies: Map<string, unknown>): void {
  const items = (ies.get('PDUSessionResourceSetupListSUReq') as { pDUSessionID: number; 'pDUSessionNAS-PDU'?: Uint8Array; pDUSessionResourceSetupRequestTransfer: unknown }[] | undefined) ?? [];
  // 8.2.1.2: the NG-RAN stores the UE-AMBR when given
  storeUeAmbr(ctx, ies);
  const { setUp, failed, nasPdus } = setupSessions(gnb, ctx, items.map((i) => ({ ...i, nas: i['pDUSessionNAS-PDU'] })));
  gnb.sendUe(ctx, ngapPdu('PDUSessionResourceSetupResponse', {
    'AMF-UE-NGAP-ID': ctx.amfUeNgapId!, // set by ueContext from the AMF's message being answered
    'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
    ...(setUp.length ? { PDUSessionResourceSetupListSURes: setUp } : {}),
    ...(failed.length ? { PDUSessionResourceFailedToSetupListSURes: failed } : {}),
  }), 'PDUSessionResourceSetupResponse', '4.3.2.2.1 step 14');
  for (const n of nasPdus) gnb.deliverNas(ctx, n);
}

/**
 * The sessions of a setup list (ICS 8.3.1 or PDU Session Resource Setup 8.2.1): those set up
 * with their Response Transfers, those that failed with their Unsuccessful Transfers, and the
 * NAS-PDUs to hand to the UE: only those of the sessions set up (TS 23.502 4.3.2.2.1 step 13:
 * "(R)AN shall only provide the NAS message to the UE if the necessary (R)AN resources are
 * established"; the SMF tells the UE about the others, setup-failure.ts).
 */
export function setupSessions(gnb: Gnb, ctx: GnbUeContext, items: { pDUSessionID: number; nas?: Uint8Array | undefined; pDUSessionResourceSetupRequestTransfer: unknown }[]) {
  const setUp: { pDUSessionID: number; pDUSessionResourceSetupResponseTransfer: Uint8Array }[] = [];
  const failed: { pDUSessionID: number; pDUSessionResourceSetupUnsuccessfulTransfer: Uint8Array }[] = [];
  const nasPdus: Uint8Array[] = [];
  for (const item of items) {
    const r = setupSession(gnb, ctx, item.pDUSessionID, item.pDUSessionResourceSetupRequestTransfer);
    if ('transfer' in r) setUp.push({ pDUSessionID: item.pDUSessionID, pDUSessionResourceSetupResponseTransfer: r.transfer });
    else failed.push({ pDUSessionID: item.pDUSessionID, pDUSessionResourceSetupUnsuccessfulTransfer: r.unsuccessful });
    if ('transfer' in r && item.nas instanceof Uint8Array) nasPdus.push(item.nas);
  }
  return { setUp, failed, nasPdus };
}

/**
 * One PDU session's N3 set-up from its PDU Session Resource Setup Request Transfer (9.3.4.1):
 * the UPF's UL F-TEID and the QoS flows in; a DL TEID of ours out in the Response Transfer (9.3.4.2).
 */
export function setupSession(gnb: Gnb, ctx: GnbUeContext, psi: number, transferValue: unknown): { transfer: Uint8Array } | { unsuccessful: Uint8Array } {
  try {
    if (ctx.sessions.has(psi)) throw new TransferFailure({ radioNetwork: 'multiple-PDU-session-ID-instances' }, `PDU session ${psi} already set up`);
    // the data radio bearers the cell gives one UE (GnbConfig.maxPduSessionsPerUe): beyond them, no radio resources
    const max = gnb.cfg.maxPduSessionsPerUe;
    if (max !== undefined && ctx.sessions.size >= max) throw new TransferFailure({ radioNetwork: 'radio-resources-not-available' }, `the cell gives a UE at most ${max} PDU session(s)`);
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
    const flows = (tie.get('QosFlowSetupRequestList') as QosFlowItem[] | undefined) ?? [];
    if (flows.length === 0) throw new TransferFailure({ protocol: 'abstract-syntax-error-reject' }, 'no QoS flow to set up');
    const dlTeid = gnb.dlTeids.allocate();
    const qfis = flows.map((f) => f.qosFlowIdentifier);
    const session: GnbPduSession = { pduSessionId: psi, dlTeid, ulTeid, upf: { address: upfAddress, port: gnb.cfg.upfGtpuPort ?? GTPU_PORT }, qfi: qfis[0], qfis };
    storeSessionAmbr(session, tie);
    storeFiveQis(session, flows);
    ctx.sessions.set(psi, session);
    gnb.tunnels.set(dlTeid, { ctx, session });
    return {
      transfer: encodeNgapType('PDUSessionResourceSetupResponseTransfer', {
        dLQosFlowPerTNLInformation: {
          uPTransportLayerInformation: { gTPTunnel: { transportLayerAddress: ipv4TransportLayerAddress(gnb.n3.local.address), 'gTP-TEID': gtpTeid(dlTeid) } },
          associatedQosFlowList: qfis.map((q) => ({ qosFlowIdentifier: q })),
        },
      }),
    };
  } catch (e) {
    const cause: Ngap.Cause = e instanceof TransferFailure ? e.ngapCause : { misc: 'unspecified' };
    gnb.log(`[gNB] PDU session ${psi} of ${ctx.label} not set up: ${(e as Error).message}`);
    return { unsuccessful: encodeNgapType('PDUSessionResourceSetupUnsuccessfulTransfer', { cause }) };
  }
}
