// The gNB's N3 user plane (GTP-U, TS 29.281 with the PDU Session Container of TS 38.415): uplink
// packets of a UE's PDU session to its UPF tunnel, downlink G-PDUs to the UE by TEID.

import { readGpdu, writeGpduHeaderWithQfi, GpduStatus } from '../../codecs/gtpu/index.ts';
import type { Endpoint } from '../../transport/tap.ts';
import type { Gnb } from './gnb.ts';
import type { GnbUeContext } from './context.ts';

/** An uplink packet on a PDU session's DRB -> G-PDU to the UPF with a UL PDU Session Container (TS 38.415 5.5.2.2). */
export function uplinkData(gnb: Gnb, ctx: GnbUeContext, psi: number, packet: Uint8Array): void {
  const s = ctx.sessions.get(psi);
  if (!s || gnb.contexts.get(ctx.ranUeNgapId) !== ctx) {
    gnb.stats.uplinkNoSession++;
    return;
  }
  const header = new Uint8Array(16);
  writeGpduHeaderWithQfi(header, 0, s.ulTeid, 1, s.qfi, packet.length);
  gnb.stats.uplinkPackets++;
  gnb.n3.send(s.upf, header, packet);
}

/** A datagram on N3: G-PDU -> the UE of the DL TEID; others logged. */
export function onN3(gnb: Gnb, data: Uint8Array, peer: Endpoint): void {
  try {
    const v = gnb.view;
    const st = readGpdu(data, 0, data.length, v);
    if (st !== GpduStatus.OK) {
      gnb.stats.downlinkMalformed++;
      return;
    }
    if (v.messageType === 0xff) {
      const t = gnb.tunnels.get(v.teid);
      if (!t) {
        // TS 29.281 7.3.1 would answer with an Error Indication; the gNB counts and drops.
        gnb.stats.downlinkUnknownTeid++;
        return;
      }
      const ue = t.ctx.ue;
      if (!ue) {
        gnb.stats.downlinkNoUe++;
        return;
      }
      gnb.stats.downlinkPackets++;
      // TS 29.281 5.1: the message ends where its Length field says; octets after it are ignored
      if (v.end < data.length) gnb.stats.gtpuBeyondLength++;
      ue.onDownlinkData(t.session.pduSessionId, data.subarray(v.payloadOffset, v.end));
      return;
    }
    if (v.messageType === 26) gnb.log(`[gNB] GTP-U Error Indication from ${peer.address}:${peer.port} (TS 29.281 7.3.1)`);
    else if (v.messageType !== 254) gnb.log(`[gNB] GTP-U message type ${v.messageType} from ${peer.address} ignored`);
  } catch (e) {
    gnb.log(`[gNB] N3 handler error: ${(e as Error).stack ?? String(e)}`);
  }
}
