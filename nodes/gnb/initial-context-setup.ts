// Initial Context Setup, gNB side (TS 38.413 8.3.1; TS 23.502 4.2.2.2.2 step 21): the UE's
// context with the security key, the PDU sessions listed in the request, the NAS-PDU to the UE.

import { ngapPdu, type BitStringValue } from '../../codecs/ngap/index.ts';
import type { Gnb } from './gnb.ts';
import type { GnbUeContext } from './context.ts';
import { setupSessions } from './pdu-session-resource-setup.ts';
import { storeUeAmbr } from './qos.ts';

/** TS 38.413 8.3.1: UE context with the security key; PDU sessions if listed; the NAS-PDU to the UE. */
export function onInitialContextSetupRequest(gnb: Gnb, ctx: GnbUeContext, ies: Map<string, unknown>): void {
  if (!ctx.ue) {
    // 8.3.1.3: the UE left the cell before its context could be set up (no RRC connection to
    // secure or to give the NAS-PDU to): INITIAL CONTEXT SETUP FAILURE with the cause
    gnb.sendUe(ctx, ngapPdu('InitialContextSetupFailure', {
      'AMF-UE-NGAP-ID': ctx.amfUeNgapId!, // set by ueContext from the AMF's message being answered
      'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
      Cause: { radioNetwork: 'radio-connection-with-ue-lost' },
    }), 'InitialContextSetupFailure', '4.2.2.2.2 step 21 (TS 38.413 8.3.1.3)');
    return;
  }
  const key = ies.get('SecurityKey') as BitStringValue | undefined;
  if (key && key.value instanceof Uint8Array) ctx.kgnb = new Uint8Array(key.value);
  storeUeAmbr(ctx, ies); // 8.3.1.2
  const rfsp = ies.get('IndexToRFSP');
  if (typeof rfsp === 'number') ctx.rfsp = rfsp;
  const items = (ies.get('PDUSessionResourceSetupListCxtReq') as { pDUSessionID: number; 'nAS-PDU'?: Uint8Array; pDUSessionResourceSetupRequestTransfer: unknown }[] | undefined) ?? [];
  const { setUp, failed, nasPdus } = setupSessions(gnb, ctx, items.map((i) => ({ ...i, nas: i['nAS-PDU'] })));
  gnb.sendUe(ctx, ngapPdu('InitialContextSetupResponse', {
    'AMF-UE-NGAP-ID': ctx.amfUeNgapId!, // set by ueContext from the AMF's message being answered
    'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
    ...(setUp.length ? { PDUSessionResourceSetupListCxtRes: setUp } : {}),
    ...(failed.length ? { PDUSessionResourceFailedToSetupListCxtRes: failed } : {}),
  }), 'InitialContextSetupResponse', `${ctx.onboardingRegistration ? '4.2.2.2.4' : '4.2.2.2.2'} step 21 (TS 38.413 8.3.1.2)`);
  // the UE's establishment is over: its admission slot goes to the next UE in the queue
  ctx.admission?.done();
  const nas = ies.get('NAS-PDU');
  if (nas instanceof Uint8Array) gnb.deliverNas(ctx, nas);
  for (const n of nasPdus) gnb.deliverNas(ctx, n);
}
