// PDU Session Resource Release, gNB side (TS 38.413 8.2.2; TS 23.502 4.3.4.2 steps 4-6): the
// sessions' tunnels go, the NAS-PDU to the UE, then the response to the AMF.

import { ngapPdu, encodeNgapType, type Ngap } from '../../codecs/ngap/index.ts';
import type { Gnb } from './gnb.ts';
import type { GnbUeContext } from './context.ts';

/** TS 38.413 8.2.2: the sessions' tunnels go, the NAS-PDU to the UE, then the response. */
export function onPduSessionResourceReleaseCommand(gnb: Gnb, ctx: GnbUeContext, ies: Map<string, unknown>): void {
  const items = (ies.get('PDUSessionResourceToReleaseListRelCmd') as { pDUSessionID: number }[] | undefined) ?? [];
  const released: Ngap.PDUSessionResourceReleasedItemRelRes[] = [];
  for (const item of items) {
    releaseSession(gnb, ctx, item.pDUSessionID);
    released.push({ pDUSessionID: item.pDUSessionID, pDUSessionResourceReleaseResponseTransfer: encodeNgapType('PDUSessionResourceReleaseResponseTransfer', {}) });
  }
  const nas = ies.get('NAS-PDU');
  if (nas instanceof Uint8Array) gnb.deliverNas(ctx, nas);
  gnb.sendUe(ctx, ngapPdu('PDUSessionResourceReleaseResponse', {
    'AMF-UE-NGAP-ID': ctx.amfUeNgapId!, // set by ueContext from the AMF's message being answered
    'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
    PDUSessionResourceReleasedListRelRes: released,
    UserLocationInformation: gnb.uli,
  }), 'PDUSessionResourceReleaseResponse', '4.3.4.2 step 6 (TS 38.413 8.2.2.2)');
}

/** A session's N3 tunnel and DL TEID freed (a release, or the release of the whole UE context). */
export function releaseSession(gnb: Gnb, ctx: GnbUeContext, psi: number): void {
  const s = ctx.sessions.get(psi);
  if (!s) return;
  ctx.sessions.delete(psi);
  gnb.tunnels.delete(s.dlTeid);
  gnb.dlTeids.release(s.dlTeid);
}
