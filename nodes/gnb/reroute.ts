// The gNB's part in the Registration with AMF re-allocation (TS 23.502 4.2.2.2.3):
//   - 7(B): NGAP Reroute NAS Request from the initial AMF (TS 38.413 8.6.5): the gNB selects an AMF
//     of the AMF Set named, serving the Allowed NSSAI (TS 23.501 6.3.5, amf-links.ts), and sends it
//     the Initial UE Message the request carries, with the AMF Set ID and the Allowed NSSAI (8.6.1.2:
//     the reroute), on the same RAN UE NGAP ID; the UE-associated connection with the initial AMF
//     is over.
//   - 7(A)/step 8: the target AMF's first message (Initial Context Setup Request, Downlink NAS
//     Transport) with the Old AMF IE naming the initial AMF (TS 38.413 8.3.1.2, 8.6.2.2): the gNB
//     moves the UE's N2 termination point to the AMF that sent it and takes its AMF UE NGAP ID.

import { decodeNgap, ngapMessage, iesByName, ngapPdu, type Ngap } from '../../codecs/ngap/index.ts';
import { DecodeError } from '../../codecs/bytes/errors.ts';
import type { Snssai } from '../common/config.ts';
import type { Gnb } from './gnb.ts';
import type { GnbUeContext } from './context.ts';
import { bitsNumber, selectAmf, type AmfLink } from './amf-links.ts';
import { releaseContext } from './ue-context-release.ts';

/** The S-NSSAIs of an NGAP Allowed NSSAI (TS 38.413 9.3.1.31) as the config writes them. */
function allowedSlices(allowed: Ngap.AllowedNSSAI | undefined): Snssai[] {
  return (allowed ?? []).map((a) => {
    const s = a['s-NSSAI'];
    return { sst: s.sST[0], ...(s.sD ? { sd: Buffer.from(s.sD).toString('hex') } : {}) };
  });
}

/** Moves the UE-associated connection to `to`: the AMF UE NGAP ID comes with its first message. */
function moveTo(ctx: GnbUeContext, to: AmfLink): void {
  if (ctx.amfUeNgapId !== undefined && ctx.link.byAmfId.get(ctx.amfUeNgapId) === ctx) ctx.link.byAmfId.delete(ctx.amfUeNgapId);
  ctx.link = to;
  ctx.amfUeNgapId = undefined;
}

/** TS 38.413 8.6.5.2: REROUTE NAS REQUEST -> INITIAL UE MESSAGE to an AMF of the AMF Set (TS 23.502 4.2.2.2.3 step 7(B)b). */
export function onRerouteNasRequest(gnb: Gnb, ctx: GnbUeContext, ies: Map<string, unknown>): void {
  let initial: Map<string, unknown>;
  try {
    const m = ngapMessage(decodeNgap(ies.get('NGAP-Message') as Uint8Array));
    if (m.name !== 'InitialUEMessage') throw new DecodeError({ protocol: 'ngap', code: 'BAD_VALUE', offset: 0, path: 'NGAP-Message', reason: `${m.name}, not an INITIAL UE MESSAGE` });
    initial = iesByName(m.procedure.value, m.name);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    gnb.log(`[gNB] Reroute NAS Request for ${ctx.label}: the NGAP Message IE does not hold an Initial UE Message (${e.message}); the UE is released`);
    releaseContext(gnb, ctx, true);
    return;
  }
  const setId = bitsNumber(ies.get('AMFSetID') as Ngap.AMFSetID);
  const allowed = ies.get('AllowedNSSAI') as Ngap.AllowedNSSAI | undefined;
  const from = ctx.link;
  const target = selectAmf(gnb.links.filter((l) => l !== from), { amfSetId: setId, requestedNssai: allowedSlices(allowed) });
  if (!target) {
    gnb.log(`[gNB] Reroute NAS Request for ${ctx.label}: no AMF of AMF Set ${setId} is connected (TS 23.501 6.3.5); the UE is released`);
    releaseContext(gnb, ctx, true);
    return;
  }
  moveTo(ctx, target);
  const reroute = ies.get('SourceToTarget-AMFInformationReroute') as Ngap.SourceToTarget_AMFInformationReroute | undefined;
  gnb.sendUe(ctx, ngapPdu('InitialUEMessage', {
    ...(Object.fromEntries(initial) as unknown as Ngap.InitialUEMessageIes),
    'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
    // TS 38.413 8.6.1.2: the AMF Set ID, Allowed NSSAI and SourceToTarget-AMFInformationReroute of the reroute
    AMFSetID: ies.get('AMFSetID') as Ngap.AMFSetID,
    ...(allowed ? { AllowedNSSAI: allowed } : {}),
    ...(reroute ? { 'SourceToTarget-AMFInformationReroute': reroute } : {}),
  }), 'InitialUEMessage (rerouted)', '4.2.2.2.3 step 7(B)b');
}

/**
 * TS 38.413 8.3.1.2 / 8.6.2.2: a message of another AMF for a UE of this gNB with the Old AMF IE
 * naming the AMF the UE's connection is with: the connection is that AMF's now (TS 23.502
 * 4.2.2.2.3 step 8). Anything else is left to the ID checks (ngap-ids.ts, TS 38.413 10.6).
 */
export function adoptFromOldAmf(gnb: Gnb, link: AmfLink, ies: Map<string, unknown>): void {
  const old = ies.get('OldAMF');
  const ran = ies.get('RAN-UE-NGAP-ID');
  if (typeof old !== 'string' || typeof ran !== 'number') return;
  const ctx = gnb.contexts.get(ran);
  if (!ctx || ctx.link === link || ctx.link.ngSetup?.amfName !== old) return;
  gnb.log(`[gNB] ${ctx.label}: N2 termination point moved from ${ctx.link.nf} (${old}) to ${link.nf} (TS 23.502 4.2.2.2.3 step 8)`);
  moveTo(ctx, link);
}
