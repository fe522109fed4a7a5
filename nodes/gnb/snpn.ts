// The gNB's side of an onboarding SNPN (TS 23.501 5.30.2.10, TS 38.413 Rel-17): the cell
// broadcasts the SNPN (the PLMN ID with its NID) beside the PLMN; NG Setup says so in the
// Broadcast PLMN Item's NPN Support extension; the AMF's answer
// tells, per PLMN/SNPN, whether it supports onboarding (PLMN Support Item extension Onboarding
// Support). A UE that selected the SNPN gives its NID in the AN parameters, and for onboarding the
// onboarding indication (TS 23.502 4.2.2.2.4 step 1); the gNB selects an AMF that supports
// onboarding for it (step 2, TS 23.501 6.3.5) and reports the NID in the User Location Information
// (UserLocationInformationNR extension NID). TS 38.413 has no IE carrying the onboarding
// indication to the AMF: the AMF learns it from the NAS 5GS registration type "SNPN onboarding".

import { snssai as ngapSnssai, nidBits, npnSupportNid, ID_NPN_SUPPORT, ID_NID, ID_ONBOARDING_SUPPORT, type Ngap, type ProtocolIe } from '../../codecs/ngap/index.ts';
import type { Snssai, NetworkConfig } from '../common/config.ts';
import type { AmfSelection } from './amf-links.ts';

/** The SNPN the cell broadcasts: its NID (11 hex digits, TS 23.003 12.7) and the slices it supports for it. */
export interface GnbSnpn {
  nid: string;
  snssais: Snssai[];
}

/**
 * The AN parameters of an RRC connection that matter here (TS 23.502 4.2.2.2.2 step 1, 4.2.2.2.4
 * step 1): the SNPN's, and what selects the AMF (amf-links.ts: GUAMI, 5G-S-TMSI, Requested NSSAI).
 */
export interface AnParameters extends AmfSelection {
  /** The NID of the SNPN the UE selected (with the PLMN ID of the cell). */
  selectedNid?: string;
  /** The onboarding indication: the UE accesses the SNPN for onboarding. */
  onboarding?: boolean;
}

/** The Broadcast PLMN Item of the SNPN: the PLMN ID, its slices and NPN Support = SNPN with the NID. */
export function snpnBroadcastPlmnItem(plmnId: Uint8Array, snpn: GnbSnpn): Ngap.BroadcastPLMNItem {
  return {
    pLMNIdentity: plmnId,
    tAISliceSupportList: snpn.snssais.map((s) => ({ 's-NSSAI': ngapSnssai(s) })),
    'iE-Extensions': [{ id: ID_NPN_SUPPORT, criticality: 'reject', value: { sNPN: nidBits(snpn.nid) } }],
  };
}

/** Whether the NG SETUP RESPONSE's PLMN Support List has the SNPN `nid` with Onboarding Support. */
export function amfSupportsOnboarding(plmnSupport: unknown[], nid: string): boolean {
  return plmnSupport.some((item) => {
    const exts = (item as { 'iE-Extensions'?: ProtocolIe[] })['iE-Extensions'];
    return npnSupportNid(exts) === nid && (exts ?? []).some((e) => e.id === ID_ONBOARDING_SUPPORT && e.value === 'true');
  });
}

/** The cell's User Location Information with the NID of the SNPN the UE accessed (UserLocationInformationNR-ExtIEs). */
export function uliWithNid(uli: Ngap.UserLocationInformation, nid: string): Ngap.UserLocationInformation {
  const nr = (uli as { userLocationInformationNR: Ngap.UserLocationInformationNR }).userLocationInformationNR;
  return { userLocationInformationNR: { ...nr, 'iE-Extensions': [{ id: ID_NID, criticality: 'reject', value: nidBits(nid) }] } };
}

/** The gNB option for a network with an onboarding SNPN (config `snpn`): its NID, the PLMN's slice and the onboarding one. */
export function gnbSnpnOption(cfg: NetworkConfig): { snpn?: GnbSnpn } {
  if (!cfg.snpn) return {};
  const o = cfg.snpn.onboarding.snssai;
  const same = o.sst === cfg.snssai.sst && (o.sd ?? '') === (cfg.snssai.sd ?? '');
  return { snpn: { nid: cfg.snpn.nid, snssais: same ? [cfg.snssai] : [cfg.snssai, o] } };
}
