// The AMF's side of the ON-SNPN on N2 (TS 38.413 Rel-17, TS 23.501 5.30.2.10): the PLMN Support
// Item it answers NG Setup with for the SNPN (NPN Support = the NID, Onboarding Support, the
// slices it serves there, the onboarding S-NSSAI among them), and the NID a UE's User Location
// Information names (the SNPN the UE accessed).

import { plmnIdentity, snssai, nidBits, nidHex, npnSupportNid, ID_NPN_SUPPORT, ID_NID, ID_ONBOARDING_SUPPORT, type Ngap, type ProtocolIe, type BitStringValue } from '../../codecs/ngap/index.ts';
import type { Amf } from './amf.ts';

/**
 * TS 38.413 8.7.1.2: the PLMN Support Item of the SNPN, when the AMF serves one and the gNB
 * broadcasts it (a Broadcast PLMN Item with NPN Support naming the same NID); undefined otherwise.
 */
export function snpnPlmnSupportItem(amf: Amf, tas: readonly { broadcastPLMNList: readonly { 'iE-Extensions'?: ProtocolIe[] }[] }[]): Ngap.PLMNSupportItem | undefined {
  const snpn = amf.cfg.snpn;
  if (!snpn || !tas.some((ta) => ta.broadcastPLMNList.some((p) => npnSupportNid(p['iE-Extensions']) === snpn.nid))) return undefined;
  const slices = [...amf.cfg.snssais];
  const o = snpn.onboarding.snssai;
  if (!slices.some((s) => s.sst === o.sst && (s.sd ?? '') === (o.sd ?? ''))) slices.push(o);
  return {
    pLMNIdentity: plmnIdentity(amf.cfg.plmn.mcc, amf.cfg.plmn.mnc),
    sliceSupportList: slices.map((s) => ({ 's-NSSAI': snssai(s) })),
    'iE-Extensions': [
      { id: ID_NPN_SUPPORT, criticality: 'reject', value: { sNPN: nidBits(snpn.nid) } },
      { id: ID_ONBOARDING_SUPPORT, criticality: 'ignore', value: 'true' },
    ],
  };
}

/** The NID of an NR User Location Information (its NID extension), if any. */
export function nidOfUserLocation(uli: Ngap.UserLocationInformation | undefined): string | undefined {
  const nr = uli && 'userLocationInformationNR' in uli ? uli.userLocationInformationNR : undefined;
  const v = nr?.['iE-Extensions']?.find((e) => e.id === ID_NID)?.value as BitStringValue | undefined;
  return v ? nidHex(v) : undefined;
}
