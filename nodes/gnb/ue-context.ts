// The gNB's UE-associated procedures other than the PDU session ones: Initial Context Setup
// (TS 38.413 8.3.1; TS 23.502 4.2.2.2.2 step 21), UE Context Release (8.3.3; 4.2.6, 4.2.2.3.2
// step 8), NG Reset from the AMF (8.7.4), and the local release of a context.

import { ngapPdu, type BitStringValue, type Ngap } from '../../codecs/ngap/index.ts';
import type { Gnb } from './gnb.ts';
import type { GnbUeContext } from './context.ts';
import { setupSessions, releaseSession } from './pdu-session-resources.ts';

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
  if (key && key.value instanceof Uint8Array) ctx.kgnb = Uint8Array.from(key.value);
  const items = (ies.get('PDUSessionResourceSetupListCxtReq') as { pDUSessionID: number; 'nAS-PDU'?: Uint8Array; pDUSessionResourceSetupRequestTransfer: unknown }[] | undefined) ?? [];
  const { setUp, failed, nasPdus } = setupSessions(gnb, ctx, items.map((i) => ({ ...i, nas: i['nAS-PDU'] })));
  gnb.sendUe(ctx, ngapPdu('InitialContextSetupResponse', {
    'AMF-UE-NGAP-ID': ctx.amfUeNgapId!, // set by ueContext from the AMF's message being answered
    'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
    ...(setUp.length ? { PDUSessionResourceSetupListCxtRes: setUp } : {}),
    ...(failed.length ? { PDUSessionResourceFailedToSetupListCxtRes: failed } : {}),
  }), 'InitialContextSetupResponse', '4.2.2.2.2 step 21 (TS 38.413 8.3.1.2)');
  // the UE's establishment is over: its admission slot goes to the next UE in the queue
  ctx.admission?.done();
  const nas = ies.get('NAS-PDU');
  if (nas instanceof Uint8Array) gnb.deliverNas(ctx, nas);
  for (const n of nasPdus) gnb.deliverNas(ctx, n);
}

/**
 * TS 38.413 8.3.2 UE Context Release Request (NG-RAN node initiated; TS 23.502 4.2.6 step 1):
 * the gNB asks the AMF to release the UE's context, with its cause and the PDU sessions it holds.
 * The release itself follows the AMF's UE Context Release Command.
 */
export function requestUeContextRelease(gnb: Gnb, ctx: GnbUeContext, cause: Ngap.Cause): void {
  if (ctx.amfUeNgapId === undefined) throw new Error(`${ctx.label} has no AMF UE NGAP ID yet: nothing to release`);
  const psis = [...ctx.sessions.keys()];
  gnb.sendUe(ctx, ngapPdu('UEContextReleaseRequest', {
    'AMF-UE-NGAP-ID': ctx.amfUeNgapId,
    'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
    ...(psis.length ? { PDUSessionResourceListCxtRelReq: psis.map((p) => ({ pDUSessionID: p })) } : {}),
    Cause: cause,
  }), 'UEContextReleaseRequest', '4.2.6 step 1');
}

/**
 * TS 38.413 8.3.3; TS 23.502 4.2.2.3.2 step 8 / 4.2.2.3.3 step 7: release everything of the UE,
 * RRC release, complete. The step is the de-registration the UE's last NAS message belonged to.
 */
export function onUeContextReleaseCommand(gnb: Gnb, ctx: GnbUeContext, ies: Map<string, unknown>): void {
  const cause = ies.get('Cause') as Record<string, string> | undefined;
  const psis = [...ctx.sessions.keys()];
  const amfUeNgapId = ctx.amfUeNgapId;
  const streamId = ctx.streamId;
  releaseContext(gnb, ctx, true);
  const deregister = cause?.nas === 'deregister';
  const last = ctx.lastUplinkStep ?? '';
  const step = !deregister ? 'TS 38.413 8.3.3.2' : last.startsWith('4.2.2.3.3') ? '4.2.2.3.3 step 7' : last.startsWith('4.2.2.3.2') ? '4.2.2.3.2 step 8' : 'TS 38.413 8.3.3.2';
  gnb.sendNgap(ngapPdu('UEContextReleaseComplete', {
    'AMF-UE-NGAP-ID': amfUeNgapId!, // set by ueContext from the AMF's message being answered
    'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
    UserLocationInformation: ctx.uli ?? gnb.uli,
    ...(psis.length ? { PDUSessionResourceListCxtRelCpl: psis.map((p) => ({ pDUSessionID: p })) } : {}),
  }), streamId, 'UEContextReleaseComplete', step, ctx.label);
}

/** NG RESET from the AMF (TS 38.413 8.7.4.2.1): release the UE contexts named (or all), acknowledge. */
export function onNgReset(gnb: Gnb, ies: Map<string, unknown>, streamId: number): void {
  const type = ies.get('ResetType') as { 'nG-Interface'?: string; 'partOfNG-Interface'?: { 'aMF-UE-NGAP-ID'?: number; 'rAN-UE-NGAP-ID'?: number }[] } | undefined;
  const part = type?.['partOfNG-Interface'];
  if (part) {
    for (const c of part) {
      const ctx = (c['rAN-UE-NGAP-ID'] !== undefined ? gnb.contexts.get(c['rAN-UE-NGAP-ID']) : undefined) ?? (c['aMF-UE-NGAP-ID'] !== undefined ? gnb.byAmfId.get(c['aMF-UE-NGAP-ID']) : undefined);
      if (ctx) releaseContext(gnb, ctx, true);
    }
  } else {
    for (const ctx of [...gnb.contexts.values()]) releaseContext(gnb, ctx, true);
  }
  gnb.sendNgap(ngapPdu('NGResetAcknowledge', part ? { 'UE-associatedLogicalNG-connectionList': part } : {}), streamId === 0 ? 0 : streamId, 'NGResetAcknowledge', 'TS 38.413 8.7.4.2.1');
}

/** Frees everything of a UE context; the UE (if still attached) gets RRCRelease. */
export function releaseContext(gnb: Gnb, ctx: GnbUeContext, rrcRelease: boolean): void {
  if (gnb.contexts.get(ctx.ranUeNgapId) !== ctx) return;
  ctx.admission?.done();
  for (const psi of [...ctx.sessions.keys()]) releaseSession(gnb, ctx, psi);
  gnb.contexts.delete(ctx.ranUeNgapId);
  if (ctx.amfUeNgapId !== undefined && gnb.byAmfId.get(ctx.amfUeNgapId) === ctx) gnb.byAmfId.delete(ctx.amfUeNgapId);
  gnb.ranIds.release(ctx.ranUeNgapId);
  ctx.pendingUplink.length = 0;
  ctx.kgnb = undefined;
  const ue = ctx.ue;
  ctx.ue = undefined;
  if (rrcRelease && ue) {
    try {
      ue.onRrcRelease();
    } catch (e) {
      gnb.log(`[gNB] ${ctx.label} RRC release handler threw: ${String(e)}`);
    }
  }
}
