// NG Setup, TS 38.413 8.7.1 (AMF side): the gNB announces its TAs and slices; the AMF accepts a
// gNB that supports one of its TAs and slices and answers with its GUAMIs and PLMN support.

import { ngapPdu, plmnIdentity, tac as ngapTac, snssai, type ProtocolIe } from '../../../codecs/ngap/index.ts';
import type { Amf } from '../amf.ts';
import type { GnbContext } from '../context.ts';
import { sendNgap } from '../n2.ts';
import { snpnPlmnSupportItem } from '../snpn.ts';

/** TS 38.413 8.7.1: NG Setup. The AMF accepts a gNB that supports one of its TAs and slices. */
export function onNgSetupRequest(amf: Amf, gnb: GnbContext, stream: number, ies: Map<string, unknown>): void {
  const plmn = plmnIdentity(amf.cfg.plmn.mcc, amf.cfg.plmn.mnc);
  const ourTacs = amf.cfg.tacs.map((t) => ngapTac(t));
  const tas = (ies.get('SupportedTAList') ?? []) as { tAC: Uint8Array; broadcastPLMNList: { pLMNIdentity: Uint8Array; tAISliceSupportList: { 's-NSSAI': { sST: Uint8Array; sD?: Uint8Array } }[]; 'iE-Extensions'?: ProtocolIe[] }[] }[];
  const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
  // TS 23.003 28.4.2: an S-NSSAI is the SST and, when present, the SD; a slice without an SD is not one with
  const sameSlice = (s: { sST: Uint8Array; sD?: Uint8Array }, n: { sST: Uint8Array; sD?: Uint8Array }) => same(s.sST, n.sST) && (s.sD === undefined ? n.sD === undefined : n.sD !== undefined && same(s.sD, n.sD));
  const ours = amf.cfg.snssais.map((n) => snssai(n));
  const served = tas.some((ta) => ourTacs.some((t) => same(ta.tAC, t)) && ta.broadcastPLMNList.some((p) => same(p.pLMNIdentity, plmn) && p.tAISliceSupportList.some((s) => ours.some((n) => sameSlice(s['s-NSSAI'], n)))));
  const name = ies.get('RANNodeName');
  if (typeof name === 'string') gnb.name = name;
  // TS 38.413 9.3.1.5 Global RAN Node ID: the gNB ID (a re-allocated UE's AN information names it, TS 29.518 GlobalRanNodeId)
  const gnbId = (ies.get('GlobalRANNodeID') as { 'globalGNB-ID'?: { 'gNB-ID': { 'gNB-ID'?: { value: Uint8Array; length: number } } } } | undefined)?.['globalGNB-ID']?.['gNB-ID']['gNB-ID'];
  if (gnbId) gnb.gnbId = [...Array(gnbId.length).keys()].reduce((n, i) => n * 2 + ((gnbId.value[i >> 3] >> (7 - (i & 7))) & 1), 0);
  if (!served) {
    sendNgap(amf, gnb, stream, ngapPdu('NGSetupFailure', { Cause: { misc: 'unknown-PLMN-or-SNPN' } }), 'TS 38.413 8.7.1.3');
    return;
  }
  gnb.setUp = true;
  const snpn = snpnPlmnSupportItem(amf, tas);
  sendNgap(amf, gnb, stream, ngapPdu('NGSetupResponse', {
    AMFName: amf.cfg.name,
    ServedGUAMIList: [{ gUAMI: amf.guamiNgap() }],
    RelativeAMFCapacity: amf.cfg.relativeCapacity,
    PLMNSupportList: [{ pLMNIdentity: plmn, sliceSupportList: amf.cfg.snssais.map((s) => ({ 's-NSSAI': snssai(s) })) }, ...(snpn ? [snpn] : [])],
  }), 'TS 38.413 8.7.1.2');
}
