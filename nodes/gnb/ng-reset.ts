// NG Reset initiated by the AMF, gNB side (TS 38.413 8.7.4.2.1): the UE contexts named, or all,
// are released and the reset acknowledged.

import { ngapPdu } from '../../codecs/ngap/index.ts';
import type { Gnb } from './gnb.ts';
import type { AmfLink } from './amf-links.ts';
import { releaseContext } from './ue-context-release.ts';

/** NG RESET from the AMF (TS 38.413 8.7.4.2.1): release the UE contexts named (or all), acknowledge. */
export function onNgReset(gnb: Gnb, link: AmfLink, ies: Map<string, unknown>, streamId: number): void {
  const type = ies.get('ResetType') as { 'nG-Interface'?: string; 'partOfNG-Interface'?: { 'aMF-UE-NGAP-ID'?: number; 'rAN-UE-NGAP-ID'?: number }[] } | undefined;
  const part = type?.['partOfNG-Interface'];
  if (part) {
    for (const c of part) {
      const ctx = (c['rAN-UE-NGAP-ID'] !== undefined ? gnb.contexts.get(c['rAN-UE-NGAP-ID']) : undefined) ?? (c['aMF-UE-NGAP-ID'] !== undefined ? link.byAmfId.get(c['aMF-UE-NGAP-ID']) : undefined);
      if (ctx && ctx.link === link) releaseContext(gnb, ctx, true);
    }
  } else {
    // the reset AMF's connections (TS 38.413 8.7.4.2.1: those of the NG interface reset)
    for (const ctx of [...gnb.contexts.values()]) if (ctx.link === link) releaseContext(gnb, ctx, true);
  }
  gnb.sendNgap(ngapPdu('NGResetAcknowledge', part ? { 'UE-associatedLogicalNG-connectionList': part } : {}), streamId === 0 ? 0 : streamId, 'NGResetAcknowledge', 'TS 38.413 8.7.4.2.1', undefined, link);
}
