// The NSSF (TS 23.501 6.2.14, TS 29.531): network slice selection for registration from its
// configuration (`nssf` in the network configuration, nodes/common/nrf-config.ts).

import type { SbiRoute } from '../common/sbi.ts';
import type { NetworkConfig } from '../common/config.ts';
import { ResourceLedger } from '../common/ledger.ts';
import { nfInstanceId } from '../common/nf-instance.ts';
import { nsSelectionRoutes, type NssfSelectionData } from './ns-selection.ts';

/** The NSSF's selection data: the configured TAs and AMF Sets, or this network's own TAC, slice and AMF Set when none are. */
export function nssfSelectionData(cfg: NetworkConfig, nrfUri: string): NssfSelectionData {
  const n = cfg.nssf;
  return {
    plmn: cfg.plmn,
    trackingAreas: n.trackingAreas.length ? n.trackingAreas : [{ tac: cfg.tac, snssais: [cfg.snssai] }],
    amfSets: n.amfSets.length
      ? n.amfSets.map((s) => ({ regionId: s.regionId, setId: s.setId, snssais: s.snssais, amfInstanceIds: s.amfs.map((a) => nfInstanceId('AMF', a)) }))
      : [{ regionId: cfg.amf.regionId, setId: cfg.amf.setId, snssais: [cfg.snssai], amfInstanceIds: [nfInstanceId('AMF', cfg.addresses.amf)] }],
    nrfUri,
  };
}

/** The NSSF holds nothing per UE: its ledger is empty. */
export function nssfRoutes(cfg: NetworkConfig, nrfUri: string): { routes: SbiRoute[]; ledger: ResourceLedger } {
  return { routes: nsSelectionRoutes(nssfSelectionData(cfg, nrfUri)), ledger: new ResourceLedger('NSSF') };
}
