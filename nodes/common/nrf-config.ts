// Configuration of the NRF and the NSSF (issue 18): whether the NFs find their peers by
// Nnrf_NFDiscovery or by the static addresses, the heart-beat the NRF gives, and the NSSF's slice
// selection data per tracking area and AMF Set.

import type { Snssai } from './config.ts';

export interface NrfConfig {
  /** true: an NF finds its peers by Nnrf_NFDiscovery (TS 29.510 5.3.2.2); false: `addresses` as configured. */
  discovery: boolean;
  /** The heart-beat period the NRF gives the NFs (NFProfile heartBeatTimer, TS 29.510 5.2.2.3.2). */
  heartBeatSeconds: number;
  /** How long an NF may cache a discovery answer (SearchResult validityPeriod). */
  validitySeconds: number;
}

/**
 * The NSSF's slice selection data (TS 23.501 5.15.5.2.1, TS 29.531 5.2.2.2.3): the S-NSSAIs each
 * tracking area supports and the AMF Sets with the S-NSSAIs each serves. Empty lists: the
 * network's own TAC and S-NSSAI, and the AMF's Set (`amf.regionId`, `amf.setId`) serving it.
 */
export interface NssfConfig {
  trackingAreas: { tac: number; snssais: Snssai[] }[];
  amfSets: { regionId: number; setId: number; snssais: Snssai[]; amfs: string[] }[];
}

export const DEFAULT_NRF: NrfConfig = { discovery: false, heartBeatSeconds: 60, validitySeconds: 3600 };
export const DEFAULT_NSSF: NssfConfig = { trackingAreas: [], amfSets: [] };
