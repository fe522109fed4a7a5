// PAGING at the gNB (TS 38.413 8.5.1; TS 23.502 4.2.3.3 step 4b): the AMF names the UE by its
// 5G-S-TMSI (UE Paging Identity, 9.3.3.18) and the TAIs to page in; the gNB pages in its cell
// when its TA is listed, and every UE camped there in RRC_IDLE hears it (nodes/gnb/uu.ts
// onPaging; TS 38.304 7.1): the one the 5G-S-TMSI names answers with a Service Request on a new
// RRC connection. Paging has no answer on N2.

import { tac, type BitStringValue, type Ngap } from '../../codecs/ngap/index.ts';
import type { Gnb } from './gnb.ts';
import { gnbCellTacs } from './cells.ts';

function bitsNumber(b: BitStringValue): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) n = n * 2 + ((b.value[i >> 3] >> (7 - (i & 7))) & 1);
  return n;
}

export function onPaging(gnb: Gnb, ies: Map<string, unknown>): void {
  const identity = ies.get('UEPagingIdentity') as Ngap.UEPagingIdentity | undefined;
  const sTmsi = identity && 'fiveG-S-TMSI' in identity ? identity['fiveG-S-TMSI'] : undefined;
  if (!sTmsi) {
    gnb.log('[gNB] PAGING without a 5G-S-TMSI: ignored');
    return;
  }
  const tais = (ies.get('TAIListForPaging') as Ngap.TAIListForPaging | undefined) ?? [];
  // the TAs of the gNB's cells (cells.ts)
  const ownTacs = gnbCellTacs(gnb.cfg).map((x) => tac(x));
  const inTa = tais.some((t) => ownTacs.some((own) => t.tAI.tAC.every((o, i) => o === own[i])) && t.tAI.pLMNIdentity.every((o, i) => o === gnb.plmnId[i]));
  if (!inTa) {
    gnb.log('[gNB] PAGING for TAIs this cell does not serve: ignored');
    return;
  }
  const t = sTmsi['fiveG-TMSI'];
  const id = { amfSetId: bitsNumber(sTmsi.aMFSetID), amfPointer: bitsNumber(sTmsi.aMFPointer), tmsi: ((t[0] << 24) | (t[1] << 16) | (t[2] << 8) | t[3]) >>> 0 };
  // the UEs in RRC_IDLE: camped, without a context at this gNB
  const connected = new Set([...gnb.contexts.values()].map((c) => c.ue));
  for (const ue of gnb.camped) {
    if (connected.has(ue)) continue;
    try {
      ue.onPaging?.(id);
    } catch (e) {
      gnb.log(`[gNB] paging handler threw: ${String(e)}`);
    }
  }
}
