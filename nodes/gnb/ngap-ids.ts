// The gNB's UE NGAP IDs: the UE context an AMF message is for (TS 38.413 10.6 when there is
// none), and the IDs of an NGAP-PDU whose other IEs do not decode (TS 38.413 10.1), read field by
// field from the APER encoding, so that an Error Indication can still name the connection.

import { decodeNgapType, ngapPdu, type Ngap } from '../../codecs/ngap/index.ts';
import type { Gnb } from './gnb.ts';
import type { GnbUeContext } from './context.ts';
import type { AmfLink } from './amf-links.ts';
import { adoptFromOldAmf } from './reroute.ts';

/** An APER length determinant (X.691 10.9) at `at`: [length, octets used], or undefined when fragmented. */
function lengthAt(b: Uint8Array, at: number): [number, number] | undefined {
  if (at >= b.length) return undefined;
  if ((b[at] & 0x80) === 0) return [b[at], 1];
  if ((b[at] & 0xc0) === 0x80 && at + 1 < b.length) return [((b[at] & 0x3f) << 8) | b[at + 1], 2];
  return undefined;
}

/**
 * The AMF-UE-NGAP-ID and RAN-UE-NGAP-ID of an NGAP-PDU whose other IEs do not decode, read from the
 * protocol IE container field by field (each IE value is an open type with its own length), so the
 * Error Indication can name the UE-associated connection (TS 38.413 10.1, 9.2.3.3).
 */
export function readableUeIds(b: Uint8Array): { amfUeNgapId?: number; ranUeNgapId?: number } {
  const out: { amfUeNgapId?: number; ranUeNgapId?: number } = {};
  try {
    if (b.length < 4 || b[0] & 0x80) return out;
    const open = lengthAt(b, 3); // octet 0 choice, 1 procedure code, 2 criticality, then the open type
    if (!open) return out;
    let at = 3 + open[1];
    const end = Math.min(b.length, at + open[0]);
    if ((b[at] & 0x80) !== 0) return out; // message SEQUENCE extension bit (then alignment)
    const count = (b[at + 1] << 8) | b[at + 2];
    at += 3;
    for (let i = 0; i < count && at + 3 < end; i++) {
      const id = (b[at] << 8) | b[at + 1];
      const len = lengthAt(b, at + 3);
      if (!len) break;
      const value = b.subarray(at + 3 + len[1], at + 3 + len[1] + len[0]);
      if (id === 10) out.amfUeNgapId = Number(decodeNgapType('AMF-UE-NGAP-ID', value));
      if (id === 85) out.ranUeNgapId = Number(decodeNgapType('RAN-UE-NGAP-ID', value));
      at += 3 + len[1] + len[0];
    }
  } catch {
    // whatever could be read is returned
  }
  return out;
}

/** TS 38.413 9.3.1.3 Criticality Diagnostics of an Error Indication: the procedure and the message that triggered it. */
function diagnostics(procedureCode: number, kind: string): Ngap.CriticalityDiagnostics {
  const trig = kind === 'initiatingMessage' ? 'initiating-message' : kind === 'successfulOutcome' ? 'successful-outcome' : 'unsuccessful-outcome';
  return { procedureCode, triggeringMessage: trig };
}

/**
 * The UE context an AMF message is for, by RAN-UE-NGAP-ID (or the UE-NGAP-IDs of a release).
 * Unknown -> ERROR INDICATION, cause "Unknown local UE NGAP ID" (TS 38.413 10.6); a known RAN ID
 * with another AMF ID -> "Inconsistent remote UE NGAP ID".
 */
export function ueContextOf(gnb: Gnb, link: AmfLink, name: string, ies: Map<string, unknown>, streamId: number, procedureCode: number, kind: string): GnbUeContext | undefined {
  let ran = ies.get('RAN-UE-NGAP-ID') as number | undefined;
  let amf = ies.get('AMF-UE-NGAP-ID') as number | undefined;
  const ids = ies.get('UE-NGAP-IDs') as Record<string, unknown> | undefined;
  if (ids) {
    const pair = ids['uE-NGAP-ID-pair'] as { 'aMF-UE-NGAP-ID': number; 'rAN-UE-NGAP-ID': number } | undefined;
    if (pair) {
      ran = pair['rAN-UE-NGAP-ID'];
      amf = pair['aMF-UE-NGAP-ID'];
    } else if (typeof ids['aMF-UE-NGAP-ID'] === 'number') {
      amf = ids['aMF-UE-NGAP-ID'] as number;
    }
  }
  // TS 23.502 4.2.2.2.3 step 8: the target AMF's first message (Old AMF IE) moves the UE's connection to it
  adoptFromOldAmf(gnb, link, ies);
  // a context on another AMF's association is not this AMF's to address
  const found = ran !== undefined ? gnb.contexts.get(ran) : amf !== undefined ? link.byAmfId.get(amf) : undefined;
  const ctx = found?.link === link ? found : undefined;
  if (!ctx) {
    gnb.stats.unknownUeNgapId++;
    gnb.log(`[gNB] ${name} for unknown RAN-UE-NGAP-ID ${String(ran)} / AMF-UE-NGAP-ID ${String(amf)}: Error Indication (TS 38.413 10.6)`);
    gnb.sendErrorIndication(ngapPdu('ErrorIndication', {
      ...(amf !== undefined ? { 'AMF-UE-NGAP-ID': amf } : {}),
      ...(ran !== undefined ? { 'RAN-UE-NGAP-ID': ran } : {}),
      Cause: { radioNetwork: 'unknown-local-UE-NGAP-ID' },
      CriticalityDiagnostics: diagnostics(procedureCode, kind),
    }), streamId, 'TS 38.413 10.6', link);
    return undefined;
  }
  if (amf !== undefined && ctx.amfUeNgapId !== undefined && amf !== ctx.amfUeNgapId) {
    gnb.log(`[gNB] ${name} for ${ctx.label} with AMF-UE-NGAP-ID ${amf}, known ${ctx.amfUeNgapId}: Error Indication (TS 38.413 10.6)`);
    gnb.sendErrorIndication(ngapPdu('ErrorIndication', {
      'AMF-UE-NGAP-ID': amf,
      'RAN-UE-NGAP-ID': ctx.ranUeNgapId,
      Cause: { radioNetwork: 'inconsistent-remote-UE-NGAP-ID' },
      CriticalityDiagnostics: diagnostics(procedureCode, kind),
    }), streamId, 'TS 38.413 10.6', link);
    return undefined;
  }
  // The first UE-associated message from the AMF gives its AMF-UE-NGAP-ID (8.6.2.2).
  if (amf !== undefined && ctx.amfUeNgapId === undefined) {
    ctx.amfUeNgapId = amf;
    link.byAmfId.set(amf, ctx);
    for (const p of ctx.pendingUplink.splice(0)) gnb.sendUplinkNas(ctx, p.nas, p.about);
  }
  return ctx;
}
